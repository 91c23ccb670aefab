//! Plans: changes ordered by dependencies, each with its SQL and hazards.

pub mod hazards;
mod order;
pub mod render;
mod routine_sql;

use std::collections::HashSet;

use serde::Serialize;

pub use hazards::{Hazard, HazardKind};

use crate::diff::{diff_with_hints, Change};
use crate::model::{Catalog, QualName};
use crate::parse::RenameHint;

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
}

/// An ordered plan from one catalog to another.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Plan {
    /// Steps in execution order.
    pub steps: Vec<Step>,
    /// Warnings from the differ.
    pub warnings: Vec<String>,
}

impl Plan {
    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The plan as a SQL script: hazard comments above their statements.
    pub fn to_sql(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            for h in &step.hazards {
                out.push_str(&format!("-- hazard: {}: {}\n", h.kind.label(), h.message));
            }
            for s in &step.sql {
                out.push_str(s);
                out.push_str(";\n");
            }
        }
        out
    }

    /// Steps whose hazards include data loss.
    pub fn data_loss(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.hazards.iter().any(|h| h.kind == HazardKind::DataLoss))
    }
}

/// Plans the way from `from` to `to`.
pub fn plan(from: &Catalog, to: &Catalog, hints: &[RenameHint]) -> Plan {
    let diff = diff_with_hints(from, to, hints);
    from_changes(diff.changes, from, to, diff.warnings)
}

/// Orders and renders changes that were already computed.
pub fn from_changes(changes: Vec<Change>, from: &Catalog, to: &Catalog, warnings: Vec<String>) -> Plan {
    let order = order::order(&changes, from, to);
    let created: HashSet<QualName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateTable { table } => Some(table.name.clone()),
            _ => None,
        })
        .collect();
    let mut slots: Vec<Option<Change>> = changes.into_iter().map(Some).collect();
    let is_new = |t: &QualName| created.contains(t);
    let cx = hazards::Context { from, to, is_new: &is_new };
    let steps = order
        .into_iter()
        .filter_map(|i| slots[i].take())
        .map(|change| Step {
            kind: change.kind(),
            object: change.object(),
            sql: render::statements(&change),
            hazards: hazards::of(&change, &cx),
            change,
        })
        .collect();
    Plan { steps, warnings }
}

/// The whole catalog as a SQL script that creates it (the plan from nothing).
pub fn catalog_sql(catalog: &Catalog) -> String {
    plan(&Catalog::default(), catalog, &[]).to_sql()
}
