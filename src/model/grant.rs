//! Privileges: who may do what on which object, and the default privileges
//! future objects get. Only the roles a run manages (`roles` in
//! `pgstate.toml`, `--roles`) are kept in a catalog that gets diffed; see
//! [`ManagedRoles`]. Privilege names and their order are decided here, once.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::QualName;
use crate::quote::quote_ident;

/// One privilege, in PostgreSQL's ACL order (`arwdDxtXUC`): plans and
/// introspected scripts list privileges in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Privilege {
    /// `INSERT` (a).
    Insert,
    /// `SELECT` (r).
    Select,
    /// `UPDATE` (w).
    Update,
    /// `DELETE` (d).
    Delete,
    /// `TRUNCATE` (D).
    Truncate,
    /// `REFERENCES` (x).
    References,
    /// `TRIGGER` (t).
    Trigger,
    /// `EXECUTE` (X).
    Execute,
    /// `USAGE` (U).
    Usage,
    /// `CREATE` (C).
    Create,
}

impl Privilege {
    /// The SQL keyword.
    pub fn name(self) -> &'static str {
        match self {
            Privilege::Insert => "INSERT",
            Privilege::Select => "SELECT",
            Privilege::Update => "UPDATE",
            Privilege::Delete => "DELETE",
            Privilege::Truncate => "TRUNCATE",
            Privilege::References => "REFERENCES",
            Privilege::Trigger => "TRIGGER",
            Privilege::Execute => "EXECUTE",
            Privilege::Usage => "USAGE",
            Privilege::Create => "CREATE",
        }
    }

    /// The privilege a keyword names (any case), as `aclexplode` and GRANT spell it.
    pub fn from_name(name: &str) -> Option<Privilege> {
        Some(match name.to_ascii_uppercase().as_str() {
            "INSERT" => Privilege::Insert,
            "SELECT" => Privilege::Select,
            "UPDATE" => Privilege::Update,
            "DELETE" => Privilege::Delete,
            "TRUNCATE" => Privilege::Truncate,
            "REFERENCES" => Privilege::References,
            "TRIGGER" => Privilege::Trigger,
            "EXECUTE" => Privilege::Execute,
            "USAGE" => Privilege::Usage,
            "CREATE" => Privilege::Create,
            _ => return None,
        })
    }
}

/// The kinds of object privileges are granted on, as `GRANT ... ON <kind>` and
/// `ALTER DEFAULT PRIVILEGES ... ON <kind>S` name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    /// Tables (and views, materialized views, foreign tables: `ON TABLE`).
    Table,
    /// Columns of a table.
    Column,
    /// Sequences.
    Sequence,
    /// Schemas.
    Schema,
    /// Types: enums, domains, composite and range types (`ON TYPE`).
    Type,
    /// Functions and procedures (`ON FUNCTION` / `ON PROCEDURE` / `ON ROUTINE`).
    Function,
}

impl ObjectKind {
    /// Every privilege `ALL` stands for on this kind.
    pub fn all(self) -> &'static [Privilege] {
        use Privilege::*;
        match self {
            ObjectKind::Table => &[Insert, Select, Update, Delete, Truncate, References, Trigger],
            ObjectKind::Column => &[Insert, Select, Update, References],
            ObjectKind::Sequence => &[Select, Update, Usage],
            ObjectKind::Schema => &[Usage, Create],
            ObjectKind::Type => &[Usage],
            ObjectKind::Function => &[Execute],
        }
    }

    /// The plural `ALTER DEFAULT PRIVILEGES` uses (columns have none).
    pub fn plural(self) -> &'static str {
        match self {
            ObjectKind::Table | ObjectKind::Column => "TABLES",
            ObjectKind::Sequence => "SEQUENCES",
            ObjectKind::Schema => "SCHEMAS",
            ObjectKind::Type => "TYPES",
            ObjectKind::Function => "FUNCTIONS",
        }
    }
}

/// An object privileges are granted on, by identity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum GrantObject {
    /// A table or another relation granted `ON TABLE`.
    Table(QualName),
    /// One column of a table.
    Column(QualName, String),
    /// A sequence.
    Sequence(QualName),
    /// A schema.
    Schema(String),
    /// A type (enum, domain, ...).
    Type(QualName),
    /// A function or procedure by its `RoutineId` text, `schema.name(type1, type2)`.
    Function(String),
}

impl GrantObject {
    /// Its kind.
    pub fn kind(&self) -> ObjectKind {
        match self {
            GrantObject::Table(_) => ObjectKind::Table,
            GrantObject::Column(..) => ObjectKind::Column,
            GrantObject::Sequence(_) => ObjectKind::Sequence,
            GrantObject::Schema(_) => ObjectKind::Schema,
            GrantObject::Type(_) => ObjectKind::Type,
            GrantObject::Function(_) => ObjectKind::Function,
        }
    }

    /// The schema it lives in (a schema is its own).
    pub fn schema(&self) -> &str {
        match self {
            GrantObject::Table(q) | GrantObject::Column(q, _) | GrantObject::Sequence(q) | GrantObject::Type(q) => {
                &q.schema
            }
            GrantObject::Schema(s) => s,
            // RoutineId text starts with the quoted schema; only its first part is needed.
            GrantObject::Function(id) => id.split('.').next().unwrap_or(""),
        }
    }

    /// `TABLE s.t`, `SEQUENCE s.q`, ... as written after `ON` (a column's is its table's).
    pub fn on_sql(&self) -> String {
        match self {
            GrantObject::Table(q) | GrantObject::Column(q, _) => format!("TABLE {q}"),
            GrantObject::Sequence(q) => format!("SEQUENCE {q}"),
            GrantObject::Schema(s) => format!("SCHEMA {}", quote_ident(s)),
            GrantObject::Type(q) => format!("TYPE {q}"),
            // ROUTINE names functions and procedures alike.
            GrantObject::Function(id) => format!("ROUTINE {id}"),
        }
    }
}

impl fmt::Display for GrantObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GrantObject::Column(q, c) => write!(f, "{q}.{}", quote_ident(c)),
            GrantObject::Schema(s) => f.write_str(&quote_ident(s)),
            GrantObject::Table(q) | GrantObject::Sequence(q) | GrantObject::Type(q) => write!(f, "{q}"),
            GrantObject::Function(id) => f.write_str(id),
        }
    }
}

/// Who receives privileges.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Grantee {
    /// `PUBLIC`: every role.
    Public,
    /// A role, by its stored name.
    Role(String),
}

impl Grantee {
    /// The grantee as SQL: `PUBLIC` or the quoted role name.
    pub fn sql(&self) -> String {
        match self {
            Grantee::Public => "PUBLIC".to_string(),
            Grantee::Role(r) => quote_ident(r),
        }
    }
}

impl fmt::Display for Grantee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sql())
    }
}

/// The privileges one grantee holds on one object: each with whether it was
/// granted `WITH GRANT OPTION`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Privileges(pub BTreeMap<Privilege, bool>);

impl Privileges {
    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds a privilege; a grant option once given stays.
    pub fn grant(&mut self, p: Privilege, grantable: bool) {
        let held = self.0.entry(p).or_insert(false);
        *held |= grantable;
    }

    /// Removes a privilege, or only its grant option.
    pub fn revoke(&mut self, p: Privilege, grant_option_only: bool) {
        if grant_option_only {
            if let Some(g) = self.0.get_mut(&p) {
                *g = false;
            }
        } else {
            self.0.remove(&p);
        }
    }
}

impl Privileges {
    /// From a list, none grantable.
    pub fn of(list: &[Privilege]) -> Privileges {
        Privileges(list.iter().map(|p| (*p, false)).collect())
    }
}

/// The key of a grant: an object and a grantee.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct GrantKey {
    /// The object.
    pub object: GrantObject,
    /// The grantee.
    pub grantee: Grantee,
}

impl GrantKey {
    /// What the grantee holds on a new object nobody granted anything on:
    /// PostgreSQL lets `PUBLIC` use a type and execute a function, and (since
    /// PostgreSQL 15) use schema `public`. A catalog stores a grant only where
    /// it differs from this, so a file that says nothing about privileges
    /// means the built-in ones.
    pub fn builtin(&self) -> Privileges {
        match (&self.object, &self.grantee) {
            (GrantObject::Type(_), Grantee::Public) => Privileges::of(&[Privilege::Usage]),
            (GrantObject::Function(_), Grantee::Public) => Privileges::of(&[Privilege::Execute]),
            (GrantObject::Schema(s), Grantee::Public) if s == "public" => Privileges::of(&[Privilege::Usage]),
            _ => Privileges::default(),
        }
    }
}

/// The key of a default privilege (`ALTER DEFAULT PRIVILEGES`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct DefaultKey {
    /// `FOR ROLE`: whose future objects; `None` is the role running the statement.
    pub for_role: Option<String>,
    /// `IN SCHEMA`, or `None` for the whole database.
    pub schema: Option<String>,
    /// Which future objects (never `Column`).
    pub kind: ObjectKind,
    /// The grantee.
    pub grantee: Grantee,
}

impl DefaultKey {
    /// What a role's new objects give this grantee with no default privilege
    /// stated: database-wide, `PUBLIC` may execute new functions and use new types.
    pub fn builtin(&self) -> Privileges {
        match (&self.schema, self.kind, &self.grantee) {
            (None, ObjectKind::Function, Grantee::Public) => Privileges::of(&[Privilege::Execute]),
            (None, ObjectKind::Type, Grantee::Public) => Privileges::of(&[Privilege::Usage]),
            _ => Privileges::default(),
        }
    }

    /// `ALTER DEFAULT PRIVILEGES [FOR ROLE r] [IN SCHEMA s]` for this key.
    pub fn prefix_sql(&self) -> String {
        let mut s = "ALTER DEFAULT PRIVILEGES".to_string();
        if let Some(r) = &self.for_role {
            s.push_str(&format!(" FOR ROLE {}", quote_ident(r)));
        }
        if let Some(n) = &self.schema {
            s.push_str(&format!(" IN SCHEMA {}", quote_ident(n)));
        }
        s
    }
}

/// The roles whose privileges a run manages. Empty: privileges are neither
/// read nor planned. `PUBLIC` is managed only when listed (as `public`, any case).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManagedRoles(Vec<Grantee>);

impl ManagedRoles {
    /// From role names as the user lists them: exact role names, `PUBLIC` in any case.
    pub fn new(names: &[String]) -> ManagedRoles {
        let mut list: Vec<Grantee> = names
            .iter()
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
            .map(|n| if n.eq_ignore_ascii_case("public") { Grantee::Public } else { Grantee::Role(n.to_string()) })
            .collect();
        list.sort();
        list.dedup();
        ManagedRoles(list)
    }

    /// Whether no role is managed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether this grantee's privileges are managed.
    pub fn contains(&self, g: &Grantee) -> bool {
        self.0.contains(g)
    }

    /// The role names (without PUBLIC), for catalog queries.
    pub fn role_names(&self) -> Vec<String> {
        self.0
            .iter()
            .filter_map(|g| match g {
                Grantee::Role(r) => Some(r.clone()),
                Grantee::Public => None,
            })
            .collect()
    }

    /// Whether PUBLIC is managed.
    pub fn has_public(&self) -> bool {
        self.0.contains(&Grantee::Public)
    }
}
