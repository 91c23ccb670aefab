//! Rename hints: applied to a copy of the current catalog before diffing, so a
//! renamed table or column is compared with its new self, not dropped and re-added.

use super::{Change, Diff};
use crate::ddl::effects::{rename_column, rename_table};
use crate::model::Catalog;
use crate::model::RenameHint;

/// Returns the renamed copy of `from` (or `None` when no hint applied) and records
/// the rename changes and warnings in `out`.
/// With `named_not_nulls` (PostgreSQL 18), a renamed table or column keeps
/// the `NOT NULL` constraint names it had, no longer the default ones.
pub fn apply_hints(
    from: &Catalog,
    to: &Catalog,
    hints: &[RenameHint],
    named_not_nulls: bool,
    out: &mut Diff,
) -> Option<Catalog> {
    let mut copy: Option<Catalog> = None;
    // Tables first: column hints name tables by their new name.
    for h in hints {
        if let RenameHint::Table { table, from: old } = h {
            let cur = copy.as_ref().unwrap_or(from);
            if cur.tables.contains_key(old) && !cur.tables.contains_key(table) && !to.tables.contains_key(old) {
                let c = copy.get_or_insert_with(|| from.clone());
                if named_not_nulls {
                    keep_not_null_names(c, old, None);
                }
                rename_table(c, old, table);
                out.changes.push(Change::RenameTable { from: old.clone(), to: table.clone() });
            } else if !cur.tables.contains_key(old) && !cur.tables.contains_key(table) {
                out.warnings.push(format!(
                    "rename hint on table {table}: neither {old} nor {table} exists in the current state"
                ));
            } else if cur.tables.contains_key(old) {
                out.warnings.push(unhonoured(&format!("table {table}"), &old.to_string(), &table.to_string()));
            }
        }
    }
    for h in hints {
        if let RenameHint::EnumValue { name, value, from: old } = h {
            let cur = copy.as_ref().unwrap_or(from);
            let Some(e) = cur.enums.get(name) else { continue };
            let target_has_old = to.enums.get(name).is_some_and(|t| t.labels.contains(old));
            if e.labels.contains(old) && !e.labels.contains(value) && !target_has_old {
                let c = copy.get_or_insert_with(|| from.clone());
                if let Some(e) = c.enums.get_mut(name) {
                    for l in e.labels.iter_mut().filter(|l| *l == old) {
                        *l = value.clone();
                    }
                }
                out.changes.push(Change::RenameEnumValue { name: name.clone(), from: old.clone(), to: value.clone() });
            } else if !e.labels.contains(old) && !e.labels.contains(value) {
                out.warnings.push(format!(
                    "rename hint on label {value:?} of {name}: neither {old:?} nor {value:?} is a label of it now"
                ));
            } else if e.labels.contains(old) {
                out.warnings.push(unhonoured(
                    &format!("label {value:?} of {name}"),
                    &format!("{old:?}"),
                    &format!("{value:?}"),
                ));
            }
        }
    }
    for h in hints {
        if let RenameHint::Column { table, column, from: old } = h {
            let cur = copy.as_ref().unwrap_or(from);
            let Some(t) = cur.tables.get(table) else { continue };
            let target_has_old = to.tables.get(table).is_some_and(|t| t.columns.contains_key(old));
            if t.columns.contains_key(old) && !t.columns.contains_key(column) && !target_has_old {
                let c = copy.get_or_insert_with(|| from.clone());
                if named_not_nulls {
                    keep_not_null_names(c, table, Some(old));
                }
                rename_column(c, table, old, column);
                out.changes.push(Change::RenameColumn { table: table.clone(), from: old.clone(), to: column.clone() });
            } else if !t.columns.contains_key(old) && !t.columns.contains_key(column) {
                out.warnings.push(format!(
                    "rename hint on column {table}.{column}: neither {old} nor {column} exists in the current state"
                ));
            } else if t.columns.contains_key(old) {
                out.warnings.push(unhonoured(&format!("column {table}.{column}"), old, column));
            }
        }
    }
    copy
}

/// Why a hint whose old name still exists was not followed: the new name is
/// taken in the current state (two names swapped, say), or the desired state
/// keeps the old name too. Either way nothing is renamed and the plan adds
/// and drops instead, which the user must hear about.
fn unhonoured(what: &str, old: &str, new: &str) -> String {
    format!(
        "rename hint on {what} (from {old}) not followed: {new} already exists in the current state, or {old} is \
         still in the desired one; the plan compares them by name instead (to swap two names, rename through a third \
         in a revision)"
    )
}

/// Writes out the default `NOT NULL` constraint names of `table` (of one
/// column, or all), as PostgreSQL keeps them through a rename.
fn keep_not_null_names(cat: &mut Catalog, table: &crate::model::QualName, column: Option<&str>) {
    let Some(t) = cat.tables.get_mut(table) else { return };
    for c in t.columns.values_mut().filter(|c| c.not_null && column.is_none_or(|n| n == c.name)) {
        let name = crate::canon::names::not_null_name(&table.name, &c.name);
        c.not_null_constraint.name.get_or_insert(name);
    }
}
