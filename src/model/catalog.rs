use serde::Serialize;

use super::{
    CompositeType, DefaultKey, Domain, EnumType, GrantKey, GrantObject, ManagedRoles, Map, Object, ObjectId, Privilege,
    Privileges, QualName, RangeType, Routine, RoutineId, Sequence, Table, Trigger, TriggerId, View,
};

/// A whole database schema as pgstate sees it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Catalog {
    /// Schemas by name (`public` is implicit and never listed unless commented).
    pub schemas: Map<String, Schema>,
    /// Extensions by name.
    pub extensions: Map<String, Extension>,
    /// Enum types by qualified name.
    pub enums: Map<QualName, EnumType>,
    /// Domains by qualified name.
    pub domains: Map<QualName, Domain>,
    /// Composite types by qualified name.
    pub composites: Map<QualName, CompositeType>,
    /// Range types by qualified name.
    pub ranges: Map<QualName, RangeType>,
    /// Sequences by qualified name (including those behind serial columns).
    pub sequences: Map<QualName, Sequence>,
    /// Tables by qualified name.
    pub tables: Map<QualName, Table>,
    /// Views and materialized views by qualified name.
    pub views: Map<QualName, View>,
    /// Functions and procedures by identity.
    pub routines: Map<RoutineId, Routine>,
    /// Triggers by table and name.
    pub triggers: Map<TriggerId, Trigger>,
    /// Objects of the generic kinds (operators, aggregates, collations...) by kind and identity.
    pub objects: Map<ObjectId, Object>,
    /// Privileges by object and grantee (only managed roles' once a run scopes it).
    pub grants: Map<GrantKey, Privileges>,
    /// `ALTER DEFAULT PRIVILEGES` entries.
    pub default_privileges: Map<DefaultKey, Privileges>,
}

/// A schema (namespace).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Schema {
    /// Its name.
    pub name: String,
    /// `COMMENT ON SCHEMA`.
    pub comment: Option<String>,
}

/// An installed extension.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Extension {
    /// Its name, e.g. `uuid-ossp`.
    pub name: String,
    /// `WITH SCHEMA`, when given.
    pub schema: Option<String>,
}

impl Catalog {
    /// Sorts every map by key, so that two catalogs built in different orders
    /// print and serialize the same way. Column order is kept: it is meaningful.
    pub fn sort(&mut self) {
        self.schemas.sort_keys();
        self.extensions.sort_keys();
        self.enums.sort_keys();
        self.domains.sort_keys();
        for domain in self.domains.values_mut() {
            domain.checks.sort_keys();
        }
        self.composites.sort_keys();
        self.ranges.sort_keys();
        self.sequences.sort_keys();
        self.tables.sort_keys();
        self.routines.sort_keys();
        self.triggers.sort_keys();
        for table in self.tables.values_mut() {
            table.constraints.sort_keys();
            table.indexes.sort_keys();
            table.policies.sort_keys();
        }
        self.views.sort_keys();
        for view in self.views.values_mut() {
            view.indexes.sort_keys();
            view.column_comments.sort_keys();
        }
        self.objects.sort_keys();
        self.grants.sort_keys();
        self.default_privileges.sort_keys();
    }

    /// Keeps only the privileges of managed roles (none when no role is listed).
    pub fn retain_roles(&mut self, roles: &ManagedRoles) {
        self.grants.retain(|k, _| roles.contains(&k.grantee));
        self.default_privileges.retain(|k, _| roles.contains(&k.grantee));
    }

    /// `GRANT privileges ON object TO grantee`.
    pub fn grant(&mut self, key: GrantKey, privileges: &[Privilege], grantable: bool) {
        let mut held = self.privileges(&key);
        for p in privileges {
            held.grant(*p, grantable);
        }
        self.set_privileges(key, held);
    }

    /// What `key`'s grantee holds on its object (the built-in privileges unless stated).
    pub fn privileges(&self, key: &GrantKey) -> Privileges {
        self.grants.get(key).cloned().unwrap_or_else(|| key.builtin())
    }

    /// Sets what `key`'s grantee holds, stored only where it is not the built-in.
    pub fn set_privileges(&mut self, key: GrantKey, held: Privileges) {
        if held == key.builtin() {
            self.grants.shift_remove(&key);
        } else {
            self.grants.insert(key, held);
        }
    }

    /// `REVOKE [GRANT OPTION FOR] privileges ON object FROM grantee`. As in
    /// PostgreSQL, revoking on a table revokes the same on each of its columns.
    pub fn revoke(&mut self, key: &GrantKey, privileges: &[Privilege], grant_option_only: bool) {
        let mut keys = vec![key.clone()];
        if let GrantObject::Table(t) = &key.object {
            keys.extend(
                self.grants
                    .keys()
                    .filter(|k| k.grantee == key.grantee && matches!(&k.object, GrantObject::Column(ct, _) if ct == t))
                    .cloned(),
            );
        }
        for k in keys {
            let mut held = self.privileges(&k);
            for p in privileges {
                held.revoke(*p, grant_option_only);
            }
            self.set_privileges(k, held);
        }
    }

    /// What `key`'s grantee gets on new objects (the built-in unless stated).
    pub fn default_privileges_of(&self, key: &DefaultKey) -> Privileges {
        self.default_privileges.get(key).cloned().unwrap_or_else(|| key.builtin())
    }

    /// Sets a default privilege, stored only where it is not the built-in.
    pub fn set_default_privileges(&mut self, key: DefaultKey, held: Privileges) {
        if held == key.builtin() {
            self.default_privileges.shift_remove(&key);
        } else {
            self.default_privileges.insert(key, held);
        }
    }

    /// Forgets every grant on `object` (it was dropped), and on its columns for a table.
    pub fn forget_grants(&mut self, object: &GrantObject) {
        self.grants.retain(|k, _| {
            &k.object != object
                && !matches!((&k.object, object), (GrantObject::Column(ct, _), GrantObject::Table(t)) if ct == t)
        });
    }

    /// Whether the object a grant is on exists in this catalog.
    pub fn has_grant_object(&self, object: &GrantObject) -> bool {
        match object {
            // Views are granted `ON TABLE` too.
            GrantObject::Table(q) => self.tables.contains_key(q) || self.views.contains_key(q),
            GrantObject::Column(q, c) => self.tables.get(q).is_some_and(|t| t.columns.contains_key(c)),
            GrantObject::Sequence(q) => self.sequences.contains_key(q),
            GrantObject::Schema(s) => self.has_schema(s),
            GrantObject::Type(q) => self.has_type(q),
            GrantObject::Function(id) => self.routines.keys().any(|k| k.to_string() == *id),
        }
    }

    /// Whether a user-defined type of that name exists (enum, domain, composite, range).
    pub fn has_type(&self, name: &QualName) -> bool {
        self.enums.contains_key(name)
            || self.domains.contains_key(name)
            || self.composites.contains_key(name)
            || self.ranges.contains_key(name)
    }

    /// Whether a schema exists, counting `public` as always there.
    pub fn has_schema(&self, name: &str) -> bool {
        name == "public" || self.schemas.contains_key(name)
    }
}
