//! Orders changes by a dependency graph: each change says which objects it
//! creates, drops, and needs before or after it runs; a topological sort with
//! a stable tie-break (phase, then diff order) gives a valid, readable plan.

mod deps;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use crate::diff::Change;
use crate::model::{Catalog, ConstraintKind, GenericKind, Grantee, ObjectId, QualName, TriggerId};

use deps::deps;

/// An object that changes can create, drop or depend on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Schema(String),
    Extension(String),
    Type(QualName),
    Sequence(QualName),
    Table(QualName),
    Column(QualName, String),
    Constraint(QualName, String),
    Index(QualName),
    /// A function or procedure, by name (overloads are not told apart).
    Routine(QualName),
    Trigger(TriggerId),
    /// The bounds a partitioned table's partitions hold: a partition that
    /// leaves or changes its bound frees its part before any partition is
    /// created or attached to the table.
    Bounds(QualName),
    /// One grantee's table-level privileges on a table: its column-level
    /// privileges are settled after them (a table-level REVOKE takes the column ones too).
    TableAcl(QualName, Grantee),
    /// A column's type: an `ALTER COLUMN ... TYPE` drops and creates it, so
    /// what PostgreSQL forbids over such a change (a view or policy using the
    /// column) goes before and comes back after.
    ColumnType(QualName, String),
    /// A policy of a table.
    Policy(QualName, String),
    /// A label of an enum type.
    EnumLabel(QualName, String),
    /// An object of a generic kind.
    Object(ObjectId),
    /// A column's `NOT NULL` (PostgreSQL 18's constraint), once set.
    NotNull(QualName, String),
    /// A table's NOT NULL constraints renamed before it joins a parent.
    NotNullNamed(QualName),
    /// A table having left a parent (its inherited constraints its own).
    Parents(QualName),
    /// A sequence's owning column, released before that column goes.
    SequenceOwner(QualName),
}

#[derive(Default)]
struct Deps {
    creates: Vec<Key>,
    drops: Vec<Key>,
    /// Must exist when the change runs: created before it.
    needs_new: Vec<Key>,
    /// Used by the old state: the change must run before these are dropped.
    needs_old: Vec<Key>,
    /// Runs once these are dropped.
    after_drop: Vec<Key>,
}

/// The phase of a change: drops first (dependants before what they depend on),
/// then creations in the order PostgreSQL needs. The graph overrides this
/// wherever they disagree.
fn phase(c: &Change) -> u8 {
    match c {
        Change::DropView { .. } => 0,
        Change::DropConstraint { constraint, .. } if matches!(constraint.kind, ConstraintKind::ForeignKey(_)) => 0,
        Change::DropConstraint { .. }
        | Change::DropIndex { .. }
        | Change::DropInvalidIndex { .. }
        | Change::DropPolicy { .. } => 1,
        Change::SetDefault { to: None, .. } => 2,
        Change::SetIdentity { to: None, .. } => 2,
        Change::DropColumn { .. } | Change::DropLeftoverColumn { .. } => 3,
        Change::DropTable { .. } => 4,
        // Before the columns and checks it took from its parent are changed.
        Change::SetInherit { inherit: false, .. } => 0,
        Change::DropTrigger { .. } => 1,
        Change::DropSequence { .. } | Change::DropRoutine { .. } | Change::DropObject { .. } => 5,
        Change::DropEnum { .. }
        | Change::DropDomain { .. }
        | Change::DropComposite { .. }
        | Change::DropRange { .. } => 6,
        Change::DropExtension { .. } => 7,
        Change::DropSchema { .. } => 8,
        Change::CreateSchema { .. } => 10,
        Change::CreateExtension { .. } => 11,
        Change::CreateEnum { .. }
        | Change::AddEnumValue { .. }
        | Change::RenameEnumValue { .. }
        | Change::RecreateEnum { .. } => 12,
        // After enums (a domain may be over one), before the tables using it.
        Change::CreateDomain { .. } | Change::AlterDomain { .. } => 12,
        Change::CreateComposite { .. } | Change::AlterComposite { .. } | Change::CreateRange { .. } => 12,
        Change::CreateSequence { .. } | Change::AlterSequence { .. } => 13,
        // Before the tables whose checks and defaults call them; the graph
        // moves one whose SQL body reads a table after that table.
        Change::CreateRoutine { .. } => 13,
        // A collation before the types and tables using it; the others after
        // the functions they name.
        Change::CreateObject { object, .. } if object.kind == GenericKind::Collation => 12,
        Change::CreateObject { .. } | Change::AlterObject { .. } => 14,
        Change::RenameTable { .. } => 14,
        Change::RenameColumn { .. } | Change::RenameConstraint { .. } | Change::RenameIndex { .. } => 15,
        Change::CreateTable { .. }
        | Change::SetUnlogged { .. }
        | Change::SetTableOptions { .. }
        | Change::SetRowSecurity { .. }
        | Change::SetForceRowSecurity { .. } => 16,
        Change::AddColumn { .. } => 17,
        Change::AlterColumnType { .. } => 18,
        Change::SetNotNull { not_null: false, .. } => 19,
        Change::SetDefault { .. }
        | Change::SetNotNull { .. }
        | Change::SetStatistics { .. }
        | Change::SetStorage { .. }
        | Change::SetCompression { .. } => 20,
        Change::SetIdentity { .. } | Change::AlterNotNull { .. } => 21,
        Change::AddConstraint { constraint, .. } if !matches!(constraint.kind, ConstraintKind::ForeignKey(_)) => 22,
        // Once the columns match the parent's.
        Change::AttachPartition { .. } | Change::DetachPartition { .. } | Change::SetInherit { .. } => 22,
        Change::CreateIndex { .. } => 23,
        Change::SetClusterOn { .. } | Change::SetReplicaIdentity { .. } => 24,
        Change::AddConstraint { .. } | Change::ValidateConstraint { .. } => 24,
        Change::SetSequenceOwner { .. } => 25,
        Change::CreateView { .. } => 26,
        // After views: a trigger may be INSTEAD OF one, a policy may read one.
        Change::CreateTrigger { .. }
        | Change::SetTriggerEnabled { .. }
        | Change::CreatePolicy { .. }
        | Change::AlterPolicy { .. } => 27,
        Change::SetComment { .. } => 28,
        Change::SetPrivileges { .. } | Change::SetDefaultPrivileges { .. } => 29,
    }
}

/// Changes in an order that works, and what each must follow.
pub struct Ordered {
    /// Indices into the changes, in execution order.
    pub order: Vec<usize>,
    /// Per change (by index into the changes), the changes it must follow.
    pub preds: Vec<Vec<usize>>,
}

/// Orders `changes`; a cycle comes back as the indices of the changes in it.
pub fn order(changes: &[Change], from: &Catalog, to: &Catalog) -> Result<Ordered, Vec<usize>> {
    let deps: Vec<Deps> = changes.iter().map(|c| deps(c, from, to)).collect();
    let mut creators: HashMap<&Key, Vec<usize>> = HashMap::new();
    let mut droppers: HashMap<&Key, Vec<usize>> = HashMap::new();
    for (i, d) in deps.iter().enumerate() {
        for k in &d.creates {
            creators.entry(k).or_default().push(i);
        }
        for k in &d.drops {
            droppers.entry(k).or_default().push(i);
        }
    }
    let n = changes.len();
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut add = |a: usize, b: usize, edges: &mut Vec<Vec<usize>>| {
        if a != b {
            edges[a].push(b);
            preds[b].push(a);
        }
    };
    for (i, d) in deps.iter().enumerate() {
        for k in &d.needs_new {
            for &c in creators.get(k).into_iter().flatten() {
                add(c, i, &mut edges);
            }
        }
        for k in &d.needs_old {
            for &x in droppers.get(k).into_iter().flatten() {
                add(i, x, &mut edges);
            }
        }
        for k in &d.after_drop {
            for &x in droppers.get(k).into_iter().flatten() {
                add(x, i, &mut edges);
            }
        }
        // Something dropped and created again under the same key: drop first.
        for k in &d.drops {
            for &c in creators.get(k).into_iter().flatten() {
                add(i, c, &mut edges);
            }
        }
    }
    let mut indegree: Vec<usize> = preds.iter().map(Vec::len).collect();
    let mut ready: BinaryHeap<Reverse<(u8, usize)>> =
        (0..n).filter(|&i| indegree[i] == 0).map(|i| Reverse((phase(&changes[i]), i))).collect();
    let mut out = Vec::with_capacity(n);
    let mut done = vec![false; n];
    while let Some(Reverse((_, i))) = ready.pop() {
        out.push(i);
        done[i] = true;
        for &j in &edges[i] {
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.push(Reverse((phase(&changes[j]), j)));
            }
        }
    }
    if out.len() < n {
        return Err(cycle(&edges, &done));
    }
    Ok(Ordered { order: out, preds })
}

/// One cycle among the changes the sort could not place: walking back from
/// any of them along unplaced edges must come round to a change seen before.
fn cycle(edges: &[Vec<usize>], done: &[bool]) -> Vec<usize> {
    let n = edges.len();
    let mut preds: Vec<Option<usize>> = vec![None; n];
    for (a, out) in edges.iter().enumerate() {
        for &b in out {
            if !done[a] && !done[b] {
                preds[b] = Some(a);
            }
        }
    }
    let Some(start) = (0..n).find(|&i| !done[i] && preds[i].is_some()) else { return Vec::new() };
    let mut seen = vec![usize::MAX; n];
    let mut path = Vec::new();
    let mut at = start;
    while seen[at] == usize::MAX {
        seen[at] = path.len();
        path.push(at);
        match preds[at] {
            Some(p) => at = p,
            None => return path,
        }
    }
    let mut ring = path.split_off(seen[at]);
    ring.reverse();
    ring
}

#[cfg(test)]
mod cycle_tests {
    use super::cycle;

    #[test]
    fn a_cycle_among_unplaced_changes_is_named_in_order() {
        // 0 -> 1 -> 2 -> 1 (placed: 0); 3 stands alone.
        let edges = vec![vec![1], vec![2], vec![1], vec![]];
        let done = vec![true, false, false, true];
        let mut ring = cycle(&edges, &done);
        ring.sort();
        assert_eq!(ring, vec![1, 2]);
    }
}
