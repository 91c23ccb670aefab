//! Functions, procedures and triggers. A routine changed in a way `CREATE OR
//! REPLACE` accepts is replaced in place; otherwise it is dropped and created
//! again, and whatever uses it (triggers, checks, defaults, index
//! expressions) is dropped before and built again after.

use rustc_hash::FxHashSet;

use super::{comment, Change, CommentTarget, Diff};
use crate::canon::refs::routines_used;
use crate::model::{ArgMode, Catalog, ConstraintKind, Dep, IndexKeyExpr, QualName, Routine, Trigger};

/// Whether PostgreSQL's `CREATE OR REPLACE` turns `old` into `new`: same
/// kind (a window function is a kind of its own), result and argument list (modes, types and names), and no default
/// taken away.
fn replaceable(old: &Routine, new: &Routine) -> bool {
    old.kind == new.kind
        && old.window == new.window
        && old.returns == new.returns
        && old.args.len() == new.args.len()
        && old.args.iter().zip(&new.args).all(|(a, b)| {
            a.mode == b.mode
                && a.data_type == b.data_type
                && (a.name == b.name || (a.name.is_none() && a.mode == ArgMode::In))
                && (a.default.is_none() || b.default.is_some())
        })
}

/// Routine changes; returns the names of routines the plan drops (whose
/// dependants must be rebuilt).
pub fn routines(out: &mut Diff, from: &Catalog, to: &Catalog) -> FxHashSet<QualName> {
    let mut dropped = FxHashSet::default();
    for (id, r) in &to.routines {
        let bare = Routine { comment: None, ..r.clone() };
        match from.routines.get(id) {
            None => {
                out.changes.push(Change::CreateRoutine { routine: bare, replace: false });
                comment(out, || CommentTarget::Routine(id.clone(), r.kind), &None, &r.comment);
            }
            Some(old) => {
                let old_bare = Routine { comment: None, ..old.clone() };
                if old_bare == bare {
                    comment(out, || CommentTarget::Routine(id.clone(), r.kind), &old.comment, &r.comment);
                } else if replaceable(old, r) {
                    out.changes.push(Change::CreateRoutine { routine: bare, replace: true });
                    comment(out, || CommentTarget::Routine(id.clone(), r.kind), &old.comment, &r.comment);
                } else {
                    dropped.insert(id.name.clone());
                    out.changes.push(Change::DropRoutine { routine: old.clone() });
                    out.changes.push(Change::CreateRoutine { routine: bare, replace: false });
                    comment(out, || CommentTarget::Routine(id.clone(), r.kind), &None, &r.comment);
                }
            }
        }
    }
    for (id, r) in &from.routines {
        if !to.routines.contains_key(id) {
            dropped.insert(id.name.clone());
            out.changes.push(Change::DropRoutine { routine: r.clone() });
        }
    }
    dropped
}

/// Routines with a SQL-standard body (`RETURN`, `BEGIN ATOMIC`) that stay as
/// they are but read a table the plan drops (to create again), a column
/// whose type it changes or that it drops, or a foreign table it rebuilds:
/// PostgreSQL records what such a body reads and refuses those changes under
/// it, so the routine is dropped before them and created again after (its
/// name joins `dropped`, so what calls it is rebuilt too). A column change
/// on a table the body reads counts when the body names the column or reads
/// `*` (the body is not analysed further).
pub fn rebuild_in_the_way(out: &mut Diff, from: &Catalog, to: &Catalog, dropped: &mut FxHashSet<QualName>) {
    let mut tables: FxHashSet<&QualName> = FxHashSet::default();
    let mut columns: Vec<(&QualName, &str, bool)> = Vec::new();
    for c in &out.changes {
        match c {
            Change::DropTable { table } => {
                tables.insert(&table.name);
            }
            Change::DropObject { object } if object.kind == crate::model::GenericKind::ForeignTable => {
                tables.insert(&object.name);
            }
            Change::AlterColumnType { table, column, .. } => columns.push((table, column, true)),
            Change::DropColumn { table, column } => columns.push((table, &column.name, false)),
            _ => {}
        }
    }
    if tables.is_empty() && columns.is_empty() {
        return;
    }
    let mut rebuilt = Vec::new();
    for (id, old) in &from.routines {
        let Some(new) = to.routines.get(id) else { continue };
        let unchanged = Routine { comment: None, ..old.clone() } == Routine { comment: None, ..new.clone() };
        if !old.sql_body || dropped.contains(&id.name) || !unchanged {
            continue;
        }
        let reads = |t: &QualName| old.depends.contains(&Dep::Relation(t.clone()));
        let names = |c: &str| old.body.contains('*') || old.body.to_lowercase().contains(&c.to_lowercase());
        let hit: Vec<(QualName, String, bool)> = columns
            .iter()
            .filter(|(t, c, _)| reads(t) && names(c))
            .map(|(t, c, kept)| ((*t).clone(), c.to_string(), *kept))
            .collect();
        if !tables.iter().any(|t| reads(t)) && hit.is_empty() {
            continue;
        }
        // The columns as dependencies: the drop goes before their change, the creation after.
        let mut before = old.clone();
        before.depends.extend(hit.iter().map(|(t, c, _)| Dep::Column(t.clone(), c.clone())));
        let mut after = Routine { comment: None, ..new.clone() };
        after.depends.extend(hit.iter().filter(|h| h.2).map(|(t, c, _)| Dep::Column(t.clone(), c.clone())));
        rebuilt.push((id.clone(), before, after, new.comment.clone()));
    }
    for (id, before, after, comment_text) in rebuilt {
        dropped.insert(id.name.clone());
        let kind = after.kind;
        out.changes.push(Change::DropRoutine { routine: before });
        out.changes.push(Change::CreateRoutine { routine: after, replace: false });
        comment(out, || CommentTarget::Routine(id, kind), &None, &comment_text);
    }
}

fn create_trigger(out: &mut Diff, t: &Trigger) {
    out.changes.push(Change::CreateTrigger { trigger: Trigger { comment: None, ..t.clone() } });
    comment(out, || CommentTarget::Trigger(t.id()), &None, &t.comment);
}

/// Trigger changes: a changed definition, or a function dropped under it,
/// drops and creates the trigger (PostgreSQL 13 has no `CREATE OR REPLACE
/// TRIGGER`); the enabled state and comment change in place.
pub fn triggers(out: &mut Diff, from: &Catalog, to: &Catalog, dropped: &FxHashSet<QualName>) {
    for (id, t) in &to.triggers {
        match from.triggers.get(id) {
            None => create_trigger(out, t),
            Some(old)
                if !old.same_definition(t)
                    || dropped.contains(&old.function)
                    || old.when.as_ref().is_some_and(|w| uses(w, dropped)) =>
            {
                out.changes.push(Change::DropTrigger { trigger: old.clone() });
                create_trigger(out, t);
            }
            Some(old) => {
                if old.enabled != t.enabled {
                    out.changes.push(Change::SetTriggerEnabled { trigger: id.clone(), enabled: t.enabled });
                }
                comment(out, || CommentTarget::Trigger(id.clone()), &old.comment, &t.comment);
            }
        }
    }
    for (id, t) in &from.triggers {
        // A dropped table takes its triggers with it.
        if !to.triggers.contains_key(id) && to.tables.contains_key(&t.table) {
            out.changes.push(Change::DropTrigger { trigger: t.clone() });
        }
    }
}

fn uses(e: &crate::model::Expr, dropped: &FxHashSet<QualName>) -> bool {
    routines_used(e, "public").iter().any(|q| dropped.contains(q))
}

/// Checks, defaults and index expressions of tables that stay, which call a
/// routine the plan drops: dropped before it and made again after.
pub fn rebuild_dependants(out: &mut Diff, from: &Catalog, to: &Catalog, dropped: &FxHashSet<QualName>) {
    if dropped.is_empty() {
        return;
    }
    for (name, old) in &from.tables {
        let Some(new) = to.tables.get(name) else { continue };
        for c in old.constraints.values() {
            let ConstraintKind::Check { expr, .. } = &c.kind else { continue };
            if !uses(expr, dropped) {
                continue;
            }
            let has = |out: &Diff, drop: bool| {
                out.changes.iter().any(|ch| match ch {
                    Change::DropConstraint { table, constraint } if drop => table == name && constraint.name == c.name,
                    Change::AddConstraint { table, constraint } if !drop => table == name && constraint.name == c.name,
                    _ => false,
                })
            };
            if !has(out, true) {
                out.changes.push(Change::DropConstraint { table: name.clone(), constraint: c.clone() });
            }
            if let Some(nc) = new.constraints.get(&c.name) {
                if !has(out, false) {
                    out.changes.push(Change::AddConstraint { table: name.clone(), constraint: nc.clone() });
                }
            }
        }
        for i in old.indexes.values() {
            let in_keys = i.keys.iter().any(|k| matches!(&k.expr, IndexKeyExpr::Expr(e) if uses(e, dropped)));
            if !(in_keys || i.predicate.as_ref().is_some_and(|p| uses(p, dropped))) {
                continue;
            }
            let has = |out: &Diff, drop: bool| {
                out.changes.iter().any(|ch| match ch {
                    Change::DropIndex { table, index } if drop => table == name && index.name == i.name,
                    Change::CreateIndex { table, index } if !drop => table == name && index.name == i.name,
                    _ => false,
                })
            };
            if !has(out, true) {
                out.changes.push(Change::DropIndex { table: name.clone(), index: i.clone() });
            }
            if let Some(ni) = new.indexes.get(&i.name) {
                if !has(out, false) {
                    out.changes.push(Change::CreateIndex { table: name.clone(), index: ni.clone() });
                }
            }
        }
        for col in old.columns.values() {
            let Some(d) = col.default.as_ref().filter(|d| uses(d, dropped)) else { continue };
            let Some(ncol) = new.columns.get(&col.name) else { continue };
            if col.generated.is_some() {
                out.warnings.push(format!(
                    "generated column {name}.{} uses a function the plan drops: rebuild it by hand",
                    col.name
                ));
                continue;
            }
            let touched = out.changes.iter().any(|ch| {
                matches!(ch, Change::SetDefault { table, column, .. } | Change::DropColumn { table, column: crate::model::Column { name: column, .. } } if table == name && column == &col.name)
            });
            if touched {
                continue;
            }
            out.changes.push(Change::SetDefault {
                table: name.clone(),
                column: col.name.clone(),
                from: Some(d.clone()),
                to: None,
            });
            if let Some(nd) = &ncol.default {
                out.changes.push(Change::SetDefault {
                    table: name.clone(),
                    column: col.name.clone(),
                    from: None,
                    to: Some(nd.clone()),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(sql: &str) -> Routine {
        let tokens = crate::parse::split::split(sql).unwrap().remove(0).tokens;
        crate::parse::routine::read_routine(tokens, "public").unwrap()
    }

    #[test]
    fn or_replace_only_where_postgres_takes_it() {
        let base = read("CREATE FUNCTION f(a int, b int DEFAULT 1) RETURNS int LANGUAGE sql AS 'select a'");
        let ok = |sql: &str| replaceable(&base, &read(sql));
        assert!(ok("CREATE FUNCTION f(a int, b int DEFAULT 2) RETURNS int LANGUAGE plpgsql STABLE AS 'begin end'"));
        assert!(!ok("CREATE FUNCTION f(x int, b int DEFAULT 1) RETURNS int LANGUAGE sql AS 'select x'"));
        assert!(!ok("CREATE FUNCTION f(a int, b int) RETURNS int LANGUAGE sql AS 'select a'"));
        assert!(!ok("CREATE FUNCTION f(a int, b int DEFAULT 1) RETURNS bigint LANGUAGE sql AS 'select a'"));
        let unnamed = read("CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'select $1'");
        assert!(replaceable(&unnamed, &read("CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'select a'")));
    }
}
