//! Plans: changes ordered by dependencies, each with its SQL and hazards.

pub mod hazards;
mod locks;
mod online;
mod order;
pub mod render;
mod routine_sql;
mod table_attrs;
mod units;

use std::collections::HashSet;

use serde::Serialize;

pub use hazards::{Hazard, HazardKind};

use crate::diff::{diff_with_hints, Change};
use crate::model::RenameHint;
use crate::model::{Catalog, QualName};

/// One step of a plan.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// The change.
    #[serde(skip)]
    pub change: Change,
    /// Its kind, e.g. `create_table`.
    pub kind: &'static str,
    /// The object it acts on.
    pub object: String,
    /// The SQL statements, without semicolons.
    pub sql: Vec<String>,
    /// What it can do to existing data.
    pub hazards: Vec<Hazard>,
    /// Whether it may run inside a transaction (`CREATE INDEX CONCURRENTLY` may not).
    pub transactional: bool,
    /// The earlier steps (by index in the plan) that must have run before it.
    #[serde(skip)]
    pub after: Vec<usize>,
}

/// An ordered plan from one catalog to another.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Plan {
    /// Steps in execution order.
    pub steps: Vec<Step>,
    /// Warnings from the differ.
    pub warnings: Vec<String>,
    /// Partitioned tables of either side: `online` keeps their plain forms.
    #[serde(skip)]
    pub partitioned: HashSet<QualName>,
}

/// The first line of a script that creates routines (see [`Plan::preamble`]).
pub const STANDARD_STRINGS: &str = "SET standard_conforming_strings = on;\n";

/// Why no plan could be made.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PlanError {
    /// The changes depend on each other in a circle: no order works.
    #[error("no order of the plan's steps works: they depend on each other in a cycle ({})", .0.join(" -> "))]
    Cycle(Vec<String>),
}

impl Plan {
    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The plan as a SQL script: hazard comments above their statements. A
    /// plan that runs as more than one transaction (see `units`) says where
    /// each begins and ends, so that the script is exactly what `apply` runs.
    pub fn to_sql(&self) -> String {
        self.framed(self.units().len() > 1)
    }

    /// The plan as a SQL script with every transaction framed by `BEGIN` /
    /// `COMMIT`, even when there is only one (a saved plan).
    pub fn to_sql_framed(&self) -> String {
        self.framed(true)
    }

    fn framed(&self, explicit: bool) -> String {
        let mut out = String::from(self.preamble());
        for unit in &self.units() {
            if explicit && unit.transaction {
                out.push_str("BEGIN;\n");
            }
            for &i in &unit.steps {
                push_step(&mut out, &self.steps[i]);
            }
            if explicit && unit.transaction {
                out.push_str("COMMIT;\n");
            }
        }
        out
    }

    /// What a script of this plan must run first: a routine's body is kept as
    /// written, and PostgreSQL reads the string literals in it (when it checks
    /// the body at `CREATE`) with the session's `standard_conforming_strings`,
    /// which pgstate's own sessions set on; a script run by psql on a server
    /// set off says so too. Empty when nothing creates a routine.
    pub fn preamble(&self) -> &'static str {
        if self.steps.iter().any(|s| matches!(s.change, Change::CreateRoutine { .. })) {
            STANDARD_STRINGS
        } else {
            ""
        }
    }

    /// The statements with their hazard comments and no transaction
    /// framing: a revision's section, which `upgrade` runs in a transaction
    /// of its own.
    pub fn script(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            push_step(&mut out, step);
        }
        out
    }

    /// Steps whose hazards include data loss.
    pub fn data_loss(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.hazards.iter().any(|h| h.kind == HazardKind::DataLoss))
    }

    /// Rewrites the steps on tables that already exist into their online
    /// forms (`NOT VALID` then `VALIDATE`, `CONCURRENTLY`; see `online`).
    /// Without it, the plan runs in one transaction in the plain forms.
    pub fn online(&mut self) {
        online::rewrite(self)
    }

    /// How the plan runs, in order: new enum labels in a transaction of their
    /// own (PostgreSQL cannot use a label in the transaction that adds it),
    /// then one transaction for everything that needs no step outside a
    /// transaction, then each such step alone, then one transaction for the
    /// steps that need those, then the steps alone that need those, and so on.
    pub fn units(&self) -> Vec<Unit> {
        units::split(self)
    }
}

/// A step's hazard comments (one line each, whatever a name holds) and statements.
fn push_step(out: &mut String, step: &Step) {
    for h in &step.hazards {
        out.push_str(&format!("-- hazard: {}: {}\n", h.kind.label(), crate::quote::one_line(&h.message)));
    }
    for s in &step.sql {
        out.push_str(s);
        out.push_str(";\n");
    }
}

/// Steps that run together: in one transaction, or alone outside any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Whether the steps run in one transaction.
    pub transaction: bool,
    /// The steps, by index in the plan, in order.
    pub steps: Vec<usize>,
}

/// Plans the way from `from` to `to`.
pub fn plan(from: &Catalog, to: &Catalog, hints: &[RenameHint]) -> Result<Plan, PlanError> {
    let diff = diff_with_hints(from, to, hints);
    from_changes(diff.changes, from, to, diff.warnings)
}

/// Orders and renders changes that were already computed.
pub fn from_changes(
    changes: Vec<Change>,
    from: &Catalog,
    to: &Catalog,
    warnings: Vec<String>,
) -> Result<Plan, PlanError> {
    let ordered = order::order(&changes, from, to)
        .map_err(|cycle| PlanError::Cycle(cycle.into_iter().map(|i| changes[i].object()).collect()))?;
    let created: HashSet<QualName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateTable { table } => Some(table.name.clone()),
            _ => None,
        })
        .collect();
    // Where each change lands in the plan, to carry its predecessors along.
    let mut place = vec![0usize; changes.len()];
    for (at, &i) in ordered.order.iter().enumerate() {
        place[i] = at;
    }
    let mut slots: Vec<Option<Change>> = changes.into_iter().map(Some).collect();
    let is_new = |t: &QualName| created.contains(t);
    let cx = hazards::Context { from, to, is_new: &is_new };
    let steps = ordered
        .order
        .iter()
        .filter_map(|&i| Some((i, slots[i].take()?)))
        .map(|(i, change)| Step {
            kind: change.kind(),
            object: change.object(),
            sql: render::statements(&change),
            hazards: hazards::of(&change, &cx).into_iter().chain(locks::of(&change, &cx)).collect(),
            change,
            transactional: true,
            after: ordered.preds[i].iter().map(|&p| place[p]).collect(),
        })
        .collect();
    let partitioned = from
        .tables
        .values()
        .chain(to.tables.values())
        .filter(|t| t.partition_by.is_some())
        .map(|t| t.name.clone())
        .collect();
    Ok(Plan { steps, warnings, partitioned })
}

/// The whole catalog as a SQL script that creates it (the plan from nothing).
pub fn catalog_sql(catalog: &Catalog) -> Result<String, PlanError> {
    Ok(plan(&Catalog::default(), catalog, &[])?.to_sql())
}
