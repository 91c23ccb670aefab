//! Privileges: per object and grantee, the `GRANT` / `REVOKE` that take what
//! the grantee holds to what the target says; then default privileges.

use rustc_hash::FxHashSet;

use super::{Change, Diff};
use crate::model::{Catalog, GrantKey, GrantObject, ObjectKind, Privileges};

/// Objects the changes so far create (or create again): they start with the
/// built-in privileges, whatever the current state held on their name.
fn fresh_objects(changes: &[Change]) -> FxHashSet<GrantObject> {
    let mut out = FxHashSet::default();
    for c in changes {
        match c {
            Change::CreateTable { table } => {
                out.insert(GrantObject::Table(table.name.clone()));
                for col in table.columns.keys() {
                    out.insert(GrantObject::Column(table.name.clone(), col.clone()));
                }
            }
            Change::AddColumn { table, column } => {
                out.insert(GrantObject::Column(table.clone(), column.name.clone()));
            }
            Change::CreateSequence { sequence } => {
                out.insert(GrantObject::Sequence(sequence.name.clone()));
            }
            Change::CreateSchema { schema } => {
                out.insert(GrantObject::Schema(schema.name.clone()));
            }
            Change::CreateEnum { enum_type } => {
                out.insert(GrantObject::Type(enum_type.name.clone()));
            }
            Change::RecreateEnum { to, .. } => {
                out.insert(GrantObject::Type(to.name.clone()));
            }
            Change::CreateDomain { domain } => {
                out.insert(GrantObject::Type(domain.name.clone()));
            }
            Change::CreateComposite { composite } => {
                out.insert(GrantObject::Type(composite.name.clone()));
            }
            Change::CreateRange { range } => {
                out.insert(GrantObject::Type(range.name.clone()));
            }
            // Views are granted `ON TABLE`; `OR REPLACE` keeps what was granted.
            Change::CreateView { view, replace: false } => {
                out.insert(GrantObject::Table(view.name.clone()));
            }
            Change::CreateRoutine { routine, replace: false } => {
                out.insert(GrantObject::Function(routine.id().to_string()));
            }
            _ => {}
        }
    }
    out
}

/// Appends the privilege changes from `from` to `to` (after the other changes,
/// which tell which objects are new).
pub fn privileges(out: &mut Diff, from: &Catalog, to: &Catalog) {
    let fresh = fresh_objects(&out.changes);
    let is_fresh = |o: &GrantObject| fresh.contains(o) || !from.has_grant_object(o);
    // Default privileges of either side may give a new object's grantee something.
    let defaulted = |o: &GrantObject, key: &GrantKey| {
        let kind = o.kind();
        kind != ObjectKind::Column
            && from.default_privileges.keys().chain(to.default_privileges.keys()).any(|d| {
                d.kind == kind
                    && d.grantee == key.grantee
                    && (d.schema.is_none() || (kind != ObjectKind::Schema && d.schema.as_deref() == Some(o.schema())))
            })
    };
    let mut keys: Vec<&GrantKey> = to.grants.keys().chain(from.grants.keys()).collect();
    let mut seen = FxHashSet::default();
    keys.retain(|k| seen.insert(*k));
    // Grantees of default privileges, for new objects no grant mentions.
    let default_grantees: Vec<_> = {
        let mut g: Vec<_> =
            from.default_privileges.keys().chain(to.default_privileges.keys()).map(|d| d.grantee.clone()).collect();
        g.sort();
        g.dedup();
        g
    };
    let mut extra = Vec::new();
    for o in &fresh {
        if !to.has_grant_object(o) {
            continue;
        }
        for grantee in &default_grantees {
            let key = GrantKey { object: o.clone(), grantee: grantee.clone() };
            if !seen.contains(&key) && defaulted(o, &key) {
                extra.push(key);
            }
        }
    }
    extra.sort();
    let mut changes = Vec::new();
    // Table-level revokes take the same privileges from the table's columns.
    let mut table_revoked: Vec<(GrantKey, Privileges)> = Vec::new();
    let mut ordered: Vec<GrantKey> = keys.into_iter().cloned().chain(extra).collect();
    // Tables before their columns: a column's old state depends on its table's revokes.
    ordered.sort_by_key(|k| matches!(k.object, GrantObject::Column(..)));
    for key in ordered {
        if !to.has_grant_object(&key.object) {
            continue;
        }
        let new = to.privileges(&key);
        let unknown = is_fresh(&key.object) && defaulted(&key.object, &key);
        let mut old = if is_fresh(&key.object) { key.builtin() } else { from.privileges(&key) };
        if let GrantObject::Column(t, _) = &key.object {
            let table_key = GrantKey { object: GrantObject::Table(t.clone()), grantee: key.grantee.clone() };
            if let Some((_, lost)) = table_revoked.iter().find(|(k, _)| *k == table_key) {
                for (p, option_only) in &lost.0 {
                    old.revoke(*p, *option_only);
                }
            }
        }
        if unknown {
            changes.push(Change::SetPrivileges { key, from: None, to: new });
            continue;
        }
        if old == new {
            continue;
        }
        if let GrantObject::Table(_) = &key.object {
            // What goes: a privilege (false), or only its grant option (true).
            let lost: Vec<_> = old
                .0
                .iter()
                .filter_map(|(p, g)| match new.0.get(p) {
                    None => Some((*p, false)),
                    Some(false) if *g => Some((*p, true)),
                    _ => None,
                })
                .collect();
            if !lost.is_empty() {
                table_revoked.push((key.clone(), Privileges(lost.into_iter().collect())));
            }
        }
        changes.push(Change::SetPrivileges { key, from: Some(old), to: new });
    }
    out.changes.extend(changes);

    let mut dkeys: Vec<_> = to.default_privileges.keys().chain(from.default_privileges.keys()).cloned().collect();
    dkeys.sort();
    dkeys.dedup();
    for key in dkeys {
        if key.schema.as_ref().is_some_and(|s| !to.has_schema(s)) {
            continue;
        }
        let (old, new) = (from.default_privileges_of(&key), to.default_privileges_of(&key));
        if old != new {
            out.changes.push(Change::SetDefaultPrivileges { key, from: old, to: new });
        }
    }
}
