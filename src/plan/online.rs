//! Online-safe forms of the steps that act on tables that already exist (a
//! table created by the same plan is empty: it keeps the plain forms).
//!
//! - a foreign key or check is added `NOT VALID` (an instant), then
//!   validated alone, outside the transaction (`SHARE UPDATE EXCLUSIVE`:
//!   reads and writes go on while it scans);
//! - `SET NOT NULL` goes through a `CHECK (c IS NOT NULL) NOT VALID`,
//!   validated alone; then `SET NOT NULL` finds the valid check and skips its
//!   scan (PostgreSQL 12+), and the check is dropped;
//! - an index is built `CONCURRENTLY`, alone; a unique or primary key
//!   constraint through `CREATE UNIQUE INDEX CONCURRENTLY` and `ADD
//!   CONSTRAINT ... USING INDEX`.
//!
//! A step becomes pieces; what came after it comes after its last piece, so
//! that `units` runs comments and dependent constraints after the build.
//! Partitioned tables keep the plain forms: PostgreSQL refuses `CONCURRENTLY`
//! and `NOT VALID` foreign keys on them.

use std::collections::HashSet;

use super::hazards::{Hazard, HazardKind};
use super::{render, Plan, Step};
use crate::canon::names::make_object_name;
use crate::canon::quote_ident;
use crate::diff::Change;
use crate::model::{Constraint, ConstraintKind, Deferral, Expr, Index, IndexKey, IndexKeyExpr, QualName};

/// Rewrites `plan` into its online form.
pub fn rewrite(plan: &mut Plan) {
    let created: HashSet<QualName> = plan
        .steps
        .iter()
        .filter_map(|s| match &s.change {
            Change::CreateTable { table } => Some(table.name.clone()),
            Change::CreateView { view, .. } => Some(view.name.clone()),
            _ => None,
        })
        .collect();
    // PostgreSQL wants a column NOT NULL before it becomes an identity: that
    // SET NOT NULL stays plain, in the transaction that needs it.
    let identities: HashSet<(QualName, String)> = plan
        .steps
        .iter()
        .filter_map(|s| match &s.change {
            Change::SetIdentity { table, column, from: None, to: Some(_) } => Some((table.clone(), column.clone())),
            _ => None,
        })
        .collect();
    let old = std::mem::take(&mut plan.steps);
    let partitioned = &plan.partitioned;
    let existing = |t: &QualName| !created.contains(t) && !partitioned.contains(t);
    // Where each old step's last piece landed.
    let mut last = vec![0usize; old.len()];
    let mut steps: Vec<Step> = Vec::with_capacity(old.len());
    for (i, step) in old.into_iter().enumerate() {
        let after: Vec<usize> = step.after.iter().map(|&p| last[p]).collect();
        let first = steps.len();
        let pieces = match &step.change {
            Change::SetNotNull { table, column, .. } if identities.contains(&(table.clone(), column.clone())) => {
                vec![step]
            }
            _ => pieces(step, &existing),
        };
        for (k, mut piece) in pieces.into_iter().enumerate() {
            piece.after = if k == 0 { after.clone() } else { vec![first + k - 1] };
            steps.push(piece);
        }
        last[i] = steps.len() - 1;
    }
    plan.steps = steps;
}

/// The hazards of a step, without its lock (the online form does not hold it).
fn unlocked(hazards: &[Hazard]) -> Vec<Hazard> {
    hazards.iter().filter(|h| h.kind != HazardKind::Lock).cloned().collect()
}

fn piece(like: &Step, kind: &'static str, change: Change, sql: String, hazards: Vec<Hazard>, tx: bool) -> Step {
    Step { change, kind, object: like.object.clone(), sql: vec![sql], hazards, transactional: tx, after: vec![] }
}

fn pieces(step: Step, existing: &dyn Fn(&QualName) -> bool) -> Vec<Step> {
    match &step.change {
        Change::CreateIndex { table, index } if existing(table) => {
            let sql = render::create_index(table, index, true);
            let mut build = piece(&step, step.kind, step.change.clone(), sql, unlocked(&step.hazards), false);
            build.sql.extend(render::index_statistics(table, index));
            vec![build]
        }
        Change::AddConstraint { table, constraint }
            if existing(table) && constraint.validated && constraint.can_be_not_valid() =>
        {
            let loose = Constraint { validated: false, ..constraint.clone() };
            let add = render::add_constraint(table, &loose);
            let validate = Change::ValidateConstraint { table: table.clone(), constraint: loose.clone() };
            let validate_sql = render::statements(&validate).remove(0);
            let add_change = Change::AddConstraint { table: table.clone(), constraint: loose };
            vec![
                piece(&step, "add_constraint", add_change, add, vec![], true),
                piece(&step, "validate_constraint", validate, validate_sql, unlocked(&step.hazards), false),
            ]
        }
        Change::AddConstraint { table, constraint } if existing(table) => match using_index(table, constraint) {
            Some((index, attach)) => {
                let build = render::create_index(table, &index, true);
                let index_change = Change::CreateIndex { table: table.clone(), index };
                vec![
                    piece(&step, "create_index", index_change, build, unlocked(&step.hazards), false),
                    piece(&step, "add_constraint", step.change.clone(), attach, vec![], true),
                ]
            }
            None => vec![step],
        },
        Change::SetNotNull { table, column, not_null: true } if existing(table) => {
            let name = make_object_name(&table.name, Some(column), "notnull");
            let check = Constraint {
                name: name.clone(),
                kind: ConstraintKind::Check {
                    expr: Expr::new(format!("{} IS NOT NULL", quote_ident(column))),
                    no_inherit: false,
                },
                deferral: Deferral::Immediate,
                comment: None,
                validated: false,
                index_options: Vec::new(),
            };
            let add = render::add_constraint(table, &check);
            let validate = format!("ALTER TABLE {table} VALIDATE CONSTRAINT {}", quote_ident(&name));
            let set = format!("ALTER TABLE {table} ALTER COLUMN {} SET NOT NULL", quote_ident(column));
            let drop = format!("ALTER TABLE {table} DROP CONSTRAINT {}", quote_ident(&name));
            let add_change = Change::AddConstraint { table: table.clone(), constraint: check };
            let mut last = piece(&step, "set_not_null", step.change.clone(), set, vec![], true);
            last.sql.push(drop);
            vec![
                piece(&step, "add_constraint", add_change, add, vec![], true),
                // The change it carries out, for measuring: the scan that may fail is here.
                piece(&step, "validate_constraint", step.change.clone(), validate, unlocked(&step.hazards), false),
                last,
            ]
        }
        // Validating scans under a lock that lets reads and writes go on: alone, not
        // holding the main transaction's locks meanwhile.
        Change::ValidateConstraint { .. } => vec![Step { transactional: false, ..step }],
        _ => vec![step],
    }
}

/// A unique or primary key constraint as its index (named as the constraint,
/// which `USING INDEX` keeps) and the `ADD CONSTRAINT ... USING INDEX` that
/// makes the index the constraint. `None` for an exclusion constraint,
/// which PostgreSQL cannot attach that way.
fn using_index(table: &QualName, c: &Constraint) -> Option<(Index, String)> {
    let (columns, include, nulls_not_distinct, word) = match &c.kind {
        ConstraintKind::PrimaryKey { columns, include } => (columns, include, false, "PRIMARY KEY"),
        ConstraintKind::Unique { columns, include, nulls_not_distinct } => {
            (columns, include, *nulls_not_distinct, "UNIQUE")
        }
        _ => return None,
    };
    let keys = columns
        .iter()
        .map(|col| IndexKey {
            expr: IndexKeyExpr::Column(col.clone()),
            opclass: None,
            desc: false,
            nulls_first: None,
            collation: None,
        })
        .collect();
    let index = Index {
        name: c.name.clone(),
        unique: true,
        method: "btree".to_string(),
        keys,
        include: include.clone(),
        nulls_not_distinct,
        predicate: None,
        with: c.index_options.clone(),
        comment: None,
        statistics: vec![],
    };
    let deferral = match c.deferral {
        Deferral::Immediate => "",
        Deferral::Deferrable => " DEFERRABLE",
        Deferral::Deferred => " DEFERRABLE INITIALLY DEFERRED",
    };
    let name = quote_ident(&c.name);
    Some((index, format!("ALTER TABLE {table} ADD CONSTRAINT {name} {word} USING INDEX {name}{deferral}")))
}
