//! Table-level diffing: columns altered in place, constraints and indexes
//! matched by name (or renamed when only the name differs).

use crate::canon::names::not_null_name;
use crate::model::Map;

use super::types::needs_using;
use super::{comment, has_table, Change, CommentTarget, Diff};
use crate::model::{
    Catalog, Column, Constraint, ConstraintKind, Index, NotNull, Policy, QualName, ReplicaIdentity, Table,
};

/// Added to a new table after it is created: foreign keys (they need their
/// referenced tables), and `NOT VALID` constraints (PostgreSQL takes a
/// constraint written inside `CREATE TABLE` as valid, whatever it says).
fn added_after(c: &Constraint) -> bool {
    matches!(c.kind, ConstraintKind::ForeignKey(_)) || (!c.validated && c.can_be_not_valid())
}

/// The creation, rebuild or alteration of each of `to`'s tables, in its
/// order. Each table is compared alone, so at scale they are compared on
/// all cores (10,000 tables are most of a plan's diff), each into its own
/// list, joined in order: the changes are those of one pass.
pub fn each(from: &Catalog, to: &Catalog, recreated: &rustc_hash::FxHashSet<QualName>, named: bool) -> Vec<Change> {
    let tables: Vec<(&QualName, &Table)> = to.tables.iter().collect();
    let lists = crate::parallel::map(
        &tables,
        || (),
        |_, (name, t)| {
            let mut out = Diff { named_not_nulls: named, ..Diff::default() };
            match from.tables.get(*name) {
                None => create(&mut out, t),
                Some(old) if recreated.contains(*name) => recreate(&mut out, old, t, from, to),
                Some(old) => alter(&mut out, old, t, from, to),
            }
            out.changes
        },
    );
    lists.into_iter().flatten().collect()
}

/// A new table: created bare, then its foreign keys, `NOT VALID` constraints, indexes and comments as
/// separate steps so that the planner can order them.
pub fn create(out: &mut Diff, t: &Table) {
    let mut bare = t.clone();
    bare.comment = None;
    bare.indexes.clear();
    bare.policies.clear();
    bare.row_security = false;
    bare.force_row_security = false;
    bare.cluster_on = None;
    bare.replica_identity = None;
    bare.constraints.retain(|_, c| !added_after(c));
    for c in bare.constraints.values_mut() {
        c.comment = None;
    }
    for c in bare.columns.values_mut() {
        c.comment = None;
    }
    out.changes.push(Change::CreateTable { table: bare });
    for c in t.constraints.values().filter(|c| added_after(c)) {
        out.changes.push(Change::AddConstraint {
            table: t.name.clone(),
            constraint: Constraint { comment: None, ..c.clone() },
        });
    }
    for i in t.indexes.values() {
        out.changes.push(Change::CreateIndex { table: t.name.clone(), index: Index { comment: None, ..i.clone() } });
    }
    comment(out, || CommentTarget::Table(t.name.clone()), &None, &t.comment);
    for c in t.columns.values() {
        comment(out, || CommentTarget::Column(t.name.clone(), c.name.clone()), &None, &c.comment);
    }
    for c in t.constraints.values() {
        comment(out, || CommentTarget::Constraint(t.name.clone(), c.name.clone()), &None, &c.comment);
    }
    for i in t.indexes.values() {
        comment(out, || index_target(t, &i.name), &None, &i.comment);
    }
    row_security(out, &Table::new(t.name.clone()), t);
    index_settings(out, &Table::new(t.name.clone()), t);
    for p in t.policies.values() {
        create_policy(out, &t.name, p);
    }
}

fn row_security(out: &mut Diff, old: &Table, new: &Table) {
    if old.row_security != new.row_security {
        out.changes.push(Change::SetRowSecurity { table: new.name.clone(), enabled: new.row_security });
    }
    if old.force_row_security != new.force_row_security {
        out.changes.push(Change::SetForceRowSecurity { table: new.name.clone(), force: new.force_row_security });
    }
}

fn create_policy(out: &mut Diff, table: &QualName, p: &Policy) {
    out.changes.push(Change::CreatePolicy { table: table.clone(), policy: Policy { comment: None, ..p.clone() } });
    comment(out, || CommentTarget::Policy(table.clone(), p.name.clone()), &None, &p.comment);
}

/// Policies matched by name. `ALTER POLICY` changes roles and sets `USING` /
/// `WITH CHECK`; a new command or kind, a clause taken away, or a column it
/// uses changing type (which PostgreSQL refuses under a policy) means drop
/// and create.
fn policies(out: &mut Diff, old: &Table, new: &Table) {
    let name = &new.name;
    let rebuilt_columns: Vec<&String> = new
        .columns
        .values()
        .filter(|c| {
            old.columns
                .get(&c.name)
                .is_some_and(|o| o.data_type != c.data_type || o.collation != c.collation || o.generated != c.generated)
        })
        .map(|c| &c.name)
        .collect();
    for (n, p) in &new.policies {
        let Some(prev) = old.policies.get(n) else {
            create_policy(out, name, p);
            continue;
        };
        let rebuild = prev.permissive != p.permissive
            || prev.command != p.command
            || (prev.using.is_some() && p.using.is_none())
            || (prev.with_check.is_some() && p.with_check.is_none())
            || prev.columns().any(|c| rebuilt_columns.contains(&c));
        if rebuild {
            out.changes.push(Change::DropPolicy { table: name.clone(), policy: prev.clone() });
            create_policy(out, name, p);
            continue;
        }
        if !prev.same_definition(p) {
            out.changes.push(Change::AlterPolicy { table: name.clone(), from: prev.clone(), to: p.clone() });
        }
        comment(out, || CommentTarget::Policy(name.clone(), n.clone()), &prev.comment, &p.comment);
    }
    for p in old.policies.values().filter(|p| !new.policies.contains_key(&p.name)) {
        out.changes.push(Change::DropPolicy { table: name.clone(), policy: p.clone() });
    }
}

fn index_target(t: &Table, index: &str) -> CommentTarget {
    CommentTarget::Index(QualName::new(t.name.schema.clone(), index.to_string()))
}

/// An existing table changed.
pub fn alter(out: &mut Diff, old: &Table, new: &Table, from: &Catalog, to: &Catalog) {
    let name = &new.name;
    if old.unlogged != new.unlogged {
        out.changes.push(Change::SetUnlogged { table: name.clone(), unlogged: new.unlogged });
    }
    if !Table::same_options(&old.options, &new.options) {
        let set: Vec<(String, String)> = new.options.iter().filter(|o| !old.options.contains(o)).cloned().collect();
        let reset: Vec<String> = old
            .options
            .iter()
            .filter(|(k, _)| !new.options.iter().any(|(n, _)| n == k))
            .map(|(k, _)| k.clone())
            .collect();
        out.changes.push(Change::SetTableOptions { table: name.clone(), set, reset });
    }
    for (col, c) in &new.columns {
        if let Some(o) = old.columns.get(col) {
            column_storage(out, name, o, c, to);
            if o.statistics != c.statistics {
                out.changes.push(Change::SetStatistics {
                    table: name.clone(),
                    column: col.clone(),
                    statistics: c.statistics,
                });
            }
        }
    }
    parents(out, old, new);
    columns(out, old, new, from, to);
    let joined;
    let old_constraints = match parent_checks(out, old, new, from, to) {
        Some(view) => {
            joined = view;
            &joined
        }
        None => &old.constraints,
    };
    keyed(
        out,
        name,
        old_constraints,
        &new.constraints,
        // A key whose index takes other storage parameters is built again.
        |a, b| a.kind == b.kind && a.deferral == b.deferral && Table::same_options(&a.index_options, &b.index_options),
        |t, c| Change::DropConstraint { table: t, constraint: c },
        |t, c| Change::AddConstraint { table: t, constraint: Constraint { comment: None, ..c } },
        |t, from, to| Change::RenameConstraint { table: t, from, to },
        |t, n| CommentTarget::Constraint(t.clone(), n.to_string()),
        |c| &c.comment,
    );
    validations(out, name, old_constraints, &new.constraints);
    keyed(
        out,
        name,
        &old.indexes,
        &new.indexes,
        |a, b| {
            Index { name: String::new(), comment: None, ..a.clone() }
                == Index { name: String::new(), comment: None, ..b.clone() }
        },
        |t, i| Change::DropIndex { table: t, index: i },
        |t, i| Change::CreateIndex { table: t, index: Index { comment: None, ..i } },
        |t, from, to| Change::RenameIndex { table: t, from, to },
        |t, n| CommentTarget::Index(QualName::new(t.schema.clone(), n.to_string())),
        |i| &i.comment,
    );
    row_security(out, old, new);
    index_settings(out, old, new);
    policies(out, old, new);
    comment(out, || CommentTarget::Table(name.clone()), &old.comment, &new.comment);
}

/// A constraint the database holds `NOT VALID` that the desired schema has
/// valid is validated. The other way round is no change: PostgreSQL cannot
/// un-validate a constraint, and a valid one promises more than was asked.
fn validations(out: &mut Diff, table: &QualName, old: &Map<String, Constraint>, new: &Map<String, Constraint>) {
    for (n, want) in new {
        let Some(have) = old.get(n) else { continue };
        if !have.validated && want.validated && have.kind == want.kind && have.deferral == want.deferral {
            out.changes.push(Change::ValidateConstraint { table: table.clone(), constraint: have.clone() });
        }
    }
}

/// Joining and leaving parents: `INHERIT` / `NO INHERIT`, and `ATTACH` /
/// `DETACH PARTITION` (a bound that changes is detached and attached again).
/// A partition that leaves or changes its parent is re-created instead (see
/// `must_recreate`).
fn parents(out: &mut Diff, old: &Table, new: &Table) {
    let name = &new.name;
    for p in old.inherits.iter().filter(|p| !new.inherits.contains(p)) {
        out.changes.push(Change::SetInherit { table: name.clone(), parent: p.clone(), inherit: false });
    }
    for p in new.inherits.iter().filter(|p| !old.inherits.contains(p)) {
        out.changes.push(Change::SetInherit { table: name.clone(), parent: p.clone(), inherit: true });
    }
    match (&old.partition_of, &new.partition_of) {
        (Some(a), Some(b)) if a != b => {
            out.changes.push(Change::DetachPartition { table: name.clone(), parent: a.parent.clone() });
            out.changes.push(Change::AttachPartition { table: name.clone(), partition: b.clone() });
        }
        (None, Some(b)) => out.changes.push(Change::AttachPartition { table: name.clone(), partition: b.clone() }),
        _ => {}
    }
}

/// The checks of a parent the table joins or leaves. PostgreSQL requires a
/// joining child to have its new parent's checks already (they merge into
/// the inherited ones): those missing are added first. A child that leaves
/// keeps the checks it had from the parent, as its own. Returns the table's
/// constraints as they stand once it has joined or left, to diff against the
/// target; `None` when it does neither.
fn parent_checks(
    out: &mut Diff,
    old: &Table,
    new: &Table,
    from: &Catalog,
    to: &Catalog,
) -> Option<Map<String, Constraint>> {
    let joining: Vec<&QualName> = new.parents().filter(|p| !old.parents().any(|q| q == *p)).collect();
    let leaving: Vec<&QualName> = old.parents().filter(|p| !new.parents().any(|q| q == *p)).collect();
    if joining.is_empty() && leaving.is_empty() {
        return None;
    }
    let checks = |cat: &Catalog, p: &QualName| -> Vec<Constraint> {
        cat.checks_passed_down(p).into_iter().map(|c| Constraint { comment: None, ..c.clone() }).collect()
    };
    let mut view = old.constraints.clone();
    for p in leaving {
        for c in checks(from, p) {
            view.entry(c.name.clone()).or_insert(c);
        }
    }
    for p in joining {
        for c in checks(to, p) {
            if view.shift_remove(&c.name).is_none() {
                out.changes.push(Change::AddConstraint { table: new.name.clone(), constraint: c });
            }
        }
    }
    Some(view)
}

/// The name of the NOT NULL constraint PostgreSQL 18 gives `table`'s
/// `column` from its parents: the one of the parent defining the column.
fn inherited_not_null_name(cat: &Catalog, table: &Table, column: &str) -> Option<String> {
    for p in table.parents() {
        let Some(pt) = cat.tables.get(p) else { continue };
        match pt.columns.get(column) {
            Some(c) if c.not_null => {
                return Some(c.not_null_constraint.name.clone().unwrap_or_else(|| not_null_name(&p.name, column)))
            }
            Some(_) => {}
            None => {
                if let Some(n) = inherited_not_null_name(cat, pt, column) {
                    return Some(n);
                }
            }
        }
    }
    None
}

/// Columns compared over what the table has, its own and inherited: an
/// inherited column is its parent's to change (PostgreSQL carries the
/// change down), except where the table joins or leaves that parent.
fn columns(out: &mut Diff, old: &Table, new: &Table, from: &Catalog, to: &Catalog) {
    let name = &new.name;
    let (old_cols, new_cols) = if old.parents().next().is_none() && new.parents().next().is_none() {
        (own_columns(old), own_columns(new))
    } else {
        (from.all_columns(name), to.all_columns(name))
    };
    // A parent the table has on both sides, providing a column: its change is carried down.
    let kept_parent = |cat: &Catalog, col: &str| {
        old.parents().filter(|p| new.parents().any(|q| q == *p)).any(|p| cat.find_column(p, col).is_some())
    };
    for &(col, inherited) in &new_cols {
        match old_cols.iter().find(|(c, _)| c.name == col.name) {
            None if inherited && kept_parent(to, &col.name) => {}
            // Added for a parent it joins: on PostgreSQL 18 named as one created under it.
            None if inherited && out.named_not_nulls && col.not_null => {
                let named = inherited_not_null_name(to, new, &col.name);
                let nn = NotNull { name: named, ..col.not_null_constraint.clone() };
                add_column(out, name, &Column { not_null_constraint: nn, ..col.clone() })
            }
            None => add_column(out, name, col),
            // Its parent drops it, and PostgreSQL with it from the child: added back as the child's own.
            Some(_) if !inherited && kept_parent(from, &col.name) && !to.inherits_column(name, &col.name) => {
                add_column(out, name, col)
            }
            // Left its parent: on PostgreSQL 18 its NOT NULL keeps the name it had from the parent.
            Some(&(prev, true)) if !inherited && out.named_not_nulls && prev.not_null => {
                let had = inherited_not_null_name(from, old, &col.name);
                let prev = Column {
                    not_null_constraint: NotNull { name: had, ..prev.not_null_constraint.clone() },
                    ..prev.clone()
                };
                column(out, name, &prev, col)
            }
            Some(&(prev, _)) if !inherited => column(out, name, prev, col),
            // Joining a parent: PostgreSQL wants its type, collation and NOT
            // NULL in place, and a child created under it would have its default.
            Some(&(prev, false)) => {
                if prev.data_type != col.data_type || prev.collation != col.collation {
                    out.changes.push(Change::AlterColumnType {
                        table: name.clone(),
                        column: col.name.clone(),
                        from: prev.data_type.clone(),
                        to: col.data_type.clone(),
                        collation: col.collation.clone(),
                        using: needs_using(&prev.data_type, &col.data_type),
                    });
                }
                if col.not_null && !prev.not_null {
                    out.changes.push(Change::SetNotNull {
                        table: name.clone(),
                        column: col.name.clone(),
                        not_null: true,
                    });
                }
                // On PostgreSQL 18 its NOT NULL keeps its own name; one created
                // under the parent would have the parent's.
                let want = inherited_not_null_name(to, new, &col.name).filter(|_| out.named_not_nulls);
                if let (Some(want), true) = (want, prev.not_null) {
                    let have = &prev.not_null_constraint;
                    if have.name.clone().unwrap_or_else(|| not_null_name(&name.name, &col.name)) != want {
                        out.changes.push(Change::AlterNotNull {
                            table: name.clone(),
                            column: col.name.clone(),
                            from: have.clone(),
                            to: NotNull { name: Some(want), ..have.clone() },
                        });
                    }
                }
                if prev.default != col.default && col.identity.is_none() {
                    out.changes.push(Change::SetDefault {
                        table: name.clone(),
                        column: col.name.clone(),
                        from: prev.default.clone(),
                        to: col.default.clone(),
                    });
                }
            }
            Some(_) => {}
        }
    }
    for &(col, inherited) in &old_cols {
        if new_cols.iter().any(|(c, _)| c.name == col.name) {
            continue;
        }
        if !(inherited && kept_parent(from, &col.name)) {
            out.changes.push(Change::DropColumn { table: name.clone(), column: col.clone() });
            continue;
        }
        let kept = old.parents().filter(|p| new.parents().any(|q| q == *p));
        for parent in kept.filter(|p| from.find_column(p, &col.name).is_some()) {
            out.changes.push(Change::DropLeftoverColumn {
                table: name.clone(),
                parent: parent.clone(),
                column: col.name.clone(),
            });
        }
    }
}

fn own_columns(t: &Table) -> Vec<(&Column, bool)> {
    t.columns.values().map(|c| (c, false)).collect()
}

/// Whether a table must be dropped and created rather than altered: its
/// partition key changes (PostgreSQL cannot change one), or a partition
/// leaves or changes its parent, or its parent is re-created. A partition
/// that leaves is not detached: what it took from its parent (keys, indexes,
/// foreign keys under names PostgreSQL chose) would stay on it.
pub fn must_recreate(old: &Table, new: &Table, recreated: &rustc_hash::FxHashSet<QualName>) -> bool {
    old.partition_by != new.partition_by
        || match (&old.partition_of, &new.partition_of) {
            (Some(a), Some(b)) => a.parent != b.parent || recreated.contains(&a.parent),
            (Some(_), None) => true,
            _ => false,
        }
}

/// The tables of both sides that `must_recreate` says are dropped and
/// created, with the partitions of such tables, to a fixpoint.
pub fn recreated(from: &Catalog, to: &Catalog) -> rustc_hash::FxHashSet<QualName> {
    let mut set = rustc_hash::FxHashSet::default();
    loop {
        let before = set.len();
        for (name, new) in &to.tables {
            if let Some(old) = from.tables.get(name) {
                if !set.contains(name) && must_recreate(old, new, &set) {
                    set.insert(name.clone());
                }
            }
        }
        if set.len() == before {
            return set;
        }
    }
}

/// A table dropped and created again: foreign keys from other tables that
/// point at it are dropped before and added after, sequences its columns own
/// (which PostgreSQL drops with it) are created again.
pub fn recreate(out: &mut Diff, old: &Table, new: &Table, from: &Catalog, to: &Catalog) {
    out.changes.push(Change::DropTable { table: old.clone() });
    create(out, new);
    for t in from.tables.values().filter(|t| t.name != old.name) {
        let Some(kept) = to.tables.get(&t.name) else { continue };
        for c in t.constraints.values() {
            let ConstraintKind::ForeignKey(fk) = &c.kind else { continue };
            if fk.ref_table == old.name && kept.constraints.get(&c.name) == Some(c) {
                out.changes.push(Change::DropConstraint { table: t.name.clone(), constraint: c.clone() });
                out.changes.push(Change::AddConstraint {
                    table: t.name.clone(),
                    constraint: Constraint { comment: None, ..c.clone() },
                });
            }
        }
    }
    for s in from.sequences.values() {
        let owned = s.owned_by.as_ref().is_some_and(|(t, _)| t == &old.name);
        if let (true, Some(again)) = (owned, to.sequences.get(&s.name)) {
            // The differ planned nothing for it if nothing else changed.
            let planned =
                out.changes.iter().any(|c| matches!(c, Change::CreateSequence { sequence } if sequence.name == s.name));
            if !planned {
                super::sequences::create(out, again);
            }
        }
    }
}

/// Triggers of re-created tables that the trigger diff left alone (unchanged):
/// they went with the table, so they are created again.
pub fn recreate_triggers(out: &mut Diff, to: &Catalog, recreated: &rustc_hash::FxHashSet<QualName>) {
    if recreated.is_empty() {
        return;
    }
    for t in to.triggers.values().filter(|t| recreated.contains(&t.table)) {
        let planned =
            out.changes.iter().any(|c| matches!(c, Change::CreateTrigger { trigger } if trigger.id() == t.id()));
        if !planned {
            out.changes.push(Change::CreateTrigger { trigger: crate::model::Trigger { comment: None, ..t.clone() } });
            comment(out, || CommentTarget::Trigger(t.id()), &None, &t.comment);
        }
    }
}

/// Diffs two maps of named parts: same name and definition is kept, same
/// definition under another name is renamed, the rest is dropped and added.
#[allow(clippy::too_many_arguments)]
fn keyed<T: Clone>(
    out: &mut Diff,
    table: &QualName,
    old: &Map<String, T>,
    new: &Map<String, T>,
    same: impl Fn(&T, &T) -> bool,
    drop: impl Fn(QualName, T) -> Change,
    add: impl Fn(QualName, T) -> Change,
    rename: impl Fn(QualName, String, String) -> Change,
    target: impl Fn(&QualName, &str) -> CommentTarget,
    comment_of: impl Fn(&T) -> &Option<String>,
) {
    let mut added: Vec<&String> = Vec::new();
    let mut changed: Vec<&String> = Vec::new();
    for (n, v) in new {
        match old.get(n) {
            None => added.push(n),
            Some(o) if !same(o, v) => changed.push(n),
            Some(o) => comment(out, || target(table, n), comment_of(o), comment_of(v)),
        }
    }
    let mut removed: Vec<&String> = old.keys().filter(|n| !new.contains_key(*n)).collect();
    // Pair a removed part with an added one of identical definition: a rename.
    let mut renamed = Vec::new();
    added.retain(|a| match removed.iter().position(|r| same(&old[*r], &new[*a])) {
        Some(pos) => {
            let r = removed.remove(pos);
            renamed.push((r, *a));
            false
        }
        None => true,
    });
    for n in removed.iter().chain(&changed) {
        out.changes.push(drop(table.clone(), old[*n].clone()));
    }
    for (from, to) in renamed {
        out.changes.push(rename(table.clone(), from.clone(), to.clone()));
        comment(out, || target(table, to), comment_of(&old[from]), comment_of(&new[to]));
    }
    for n in changed.iter().chain(&added) {
        out.changes.push(add(table.clone(), new[*n].clone()));
        comment(out, || target(table, n), &None, comment_of(&new[*n]));
    }
}

/// `ADD COLUMN`, then its comment.
fn add_column(out: &mut Diff, table: &QualName, col: &Column) {
    out.changes.push(Change::AddColumn { table: table.clone(), column: Column { comment: None, ..col.clone() } });
    comment(out, || CommentTarget::Column(table.clone(), col.name.clone()), &None, &col.comment);
}

fn column(out: &mut Diff, table: &QualName, old: &Column, new: &Column) {
    let c = || new.name.clone();
    // A generated expression cannot be changed in place before PostgreSQL 17.
    if old.generated != new.generated {
        out.changes.push(Change::DropColumn { table: table.clone(), column: old.clone() });
        add_column(out, table, new);
        return;
    }
    let type_changes = old.data_type != new.data_type || old.collation != new.collation;
    let using = type_changes && needs_using(&old.data_type, &new.data_type);
    // An old default may not convert to the new type: drop it first, set the new one after.
    let default_detour = using && old.default.is_some();
    if default_detour {
        out.changes.push(Change::SetDefault { table: table.clone(), column: c(), from: old.default.clone(), to: None });
    }
    if old.identity.is_some() && new.identity.is_none() {
        out.changes.push(Change::SetIdentity {
            table: table.clone(),
            column: c(),
            from: old.identity.as_deref().cloned(),
            to: None,
        });
    }
    if type_changes {
        out.changes.push(Change::AlterColumnType {
            table: table.clone(),
            column: c(),
            from: old.data_type.clone(),
            to: new.data_type.clone(),
            collation: new.collation.clone(),
            using,
        });
    }
    if default_detour {
        if new.default.is_some() {
            out.changes.push(Change::SetDefault {
                table: table.clone(),
                column: c(),
                from: None,
                to: new.default.clone(),
            });
        }
    } else if old.default != new.default {
        out.changes.push(Change::SetDefault {
            table: table.clone(),
            column: c(),
            from: old.default.clone(),
            to: new.default.clone(),
        });
    }
    if old.identity != new.identity && new.identity.is_some() {
        out.changes.push(Change::SetIdentity {
            table: table.clone(),
            column: c(),
            from: old.identity.as_deref().cloned(),
            to: new.identity.as_deref().cloned(),
        });
    }
    // PostgreSQL requires NOT NULL before ADD GENERATED and keeps it after DROP IDENTITY.
    if old.not_null != new.not_null {
        out.changes.push(Change::SetNotNull { table: table.clone(), column: c(), not_null: new.not_null });
    }
    if new.not_null {
        // SET NOT NULL makes the default one; NOT VALID cannot be undone, so a valid one stays valid.
        let base = if old.not_null { old.not_null_constraint.clone() } else { NotNull::default() };
        let goal = NotNull {
            not_valid: new.not_null_constraint.not_valid && base.not_valid,
            ..new.not_null_constraint.clone()
        };
        if base != goal {
            out.changes.push(Change::AlterNotNull { table: table.clone(), column: c(), from: base, to: goal });
        }
    }
    comment(out, || CommentTarget::Column(table.clone(), c()), &old.comment, &new.comment);
}

/// A primary key or unique constraint that is dropped and re-created takes the
/// foreign keys that depend on it along: they are dropped first and re-added.
pub fn rebuild_dependent_foreign_keys(out: &mut Diff, from: &Catalog, to: &Catalog) {
    let mut dropped_keys: Vec<(QualName, Vec<String>)> = Vec::new();
    for ch in &out.changes {
        match ch {
            Change::DropConstraint { table, constraint } => match &constraint.kind {
                ConstraintKind::PrimaryKey { columns, .. } | ConstraintKind::Unique { columns, .. } => {
                    dropped_keys.push((table.clone(), sorted(columns)))
                }
                _ => {}
            },
            Change::DropIndex { table, index } if index.unique => {
                dropped_keys.push((table.clone(), sorted(&index.column_keys())));
            }
            Change::AlterColumnType { .. } => {}
            _ => {}
        }
    }
    if dropped_keys.is_empty() {
        return;
    }
    let mut extra = Vec::new();
    for t in from.tables.values() {
        let Some(new_t) = to.tables.get(&t.name) else { continue };
        for c in t.constraints.values() {
            let ConstraintKind::ForeignKey(fk) = &c.kind else { continue };
            let hit = dropped_keys.iter().any(|(tab, cols)| tab == &fk.ref_table && *cols == sorted(&fk.ref_columns));
            let unchanged = new_t.constraints.get(&c.name) == Some(c);
            if hit && unchanged && has_table(to, &fk.ref_table) {
                extra.push(Change::DropConstraint { table: t.name.clone(), constraint: c.clone() });
                extra.push(Change::AddConstraint {
                    table: t.name.clone(),
                    constraint: Constraint { comment: None, ..c.clone() },
                });
                if c.comment.is_some() {
                    extra.push(Change::SetComment {
                        target: CommentTarget::Constraint(t.name.clone(), c.name.clone()),
                        text: c.comment.clone(),
                    });
                }
            }
        }
    }
    out.changes.extend(extra);
}

fn sorted(cols: &[String]) -> Vec<String> {
    let mut v = cols.to_vec();
    v.sort();
    v
}

/// A column's storage and compression. `ALTER COLUMN ... TYPE` gives the column
/// its new type's storage, so a storage of its own is set again after one.
fn column_storage(out: &mut Diff, table: &QualName, o: &Column, c: &Column, to: &Catalog) {
    if o.storage != c.storage || (c.storage.is_some() && o.data_type != c.data_type) {
        let default = crate::canon::types::default_storage(&c.data_type, to);
        out.changes.push(Change::SetStorage {
            table: table.clone(),
            column: c.name.clone(),
            storage: c.storage.clone(),
            written: c.storage.clone().unwrap_or_else(|| default.unwrap_or("default").to_string()),
        });
    }
    if o.compression != c.compression {
        out.changes.push(Change::SetCompression {
            table: table.clone(),
            column: c.name.clone(),
            compression: c.compression.clone(),
        });
    }
}

/// `CLUSTER ON` and `REPLICA IDENTITY`, which name an index: set again when
/// that index is dropped and created by this plan (its flag goes with it).
fn index_settings(out: &mut Diff, old: &Table, new: &Table) {
    let rebuilt = |index: &str| {
        out.changes.iter().any(|c| match c {
            Change::DropIndex { table, index: i } => table == &new.name && i.name == index,
            Change::DropConstraint { table, constraint } => table == &new.name && constraint.name == index,
            _ => false,
        })
    };
    let cluster_rebuilt = new.cluster_on.as_deref().is_some_and(rebuilt);
    let identity_rebuilt = matches!(&new.replica_identity, Some(ReplicaIdentity::Index(i)) if rebuilt(i));
    if old.cluster_on != new.cluster_on || cluster_rebuilt {
        out.changes.push(Change::SetClusterOn { table: new.name.clone(), index: new.cluster_on.clone() });
    }
    if old.replica_identity != new.replica_identity || identity_rebuilt {
        out.changes
            .push(Change::SetReplicaIdentity { table: new.name.clone(), identity: new.replica_identity.clone() });
    }
}

#[cfg(test)]
mod tests {
    use crate::change::Change;
    use crate::parse::parse_str;

    /// Enough tables to be compared on several threads (`parallel::map`
    /// keeps fewer than 256 on one): the changes still come in the desired
    /// catalog's table order (its names' order), each table's together, as
    /// one pass gives them.
    #[test]
    fn tables_compared_side_by_side_keep_the_desired_order() {
        let n = 700;
        let from: String = (0..n).map(|i| format!("CREATE TABLE t{i:03} (id int);\n")).collect();
        let to: String = (0..n)
            .map(|i| format!("CREATE TABLE t{i:03} (id int, a int, b text);\nCOMMENT ON TABLE t{i:03} IS 'c';\n"))
            .collect();
        let (from, to) = (parse_str("from.sql", &from).unwrap(), parse_str("to.sql", &to).unwrap());
        let changes = super::super::diff(&from.catalog, &to.catalog);
        let mut seen = Vec::new();
        for c in &changes {
            match c {
                Change::AddColumn { table, column } => seen.push(format!("{}.{}", table.name, column.name)),
                Change::SetComment { .. } => seen.push("comment".to_string()),
                other => panic!("unexpected change {other:?}"),
            }
        }
        let expected: Vec<String> =
            (0..n).flat_map(|i| [format!("t{i:03}.a"), format!("t{i:03}.b"), "comment".to_string()]).collect();
        assert_eq!(seen, expected);
    }
}
