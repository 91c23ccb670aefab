//! Hazards: what a change can do to existing data. `DataLoss` steps are refused
//! by `apply` unless destructive changes are allowed; `MayFail` steps can fail
//! on rows that already exist.

use serde::Serialize;

use crate::diff::types::{classify, TypeChange};
use crate::diff::{Change, CompositeAction, DomainAction};
use crate::model::{ConstraintKind, QualName};

/// How a step can hurt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardKind {
    /// Data is deleted or altered beyond recovery.
    DataLoss,
    /// The step fails if existing rows violate the new rule.
    MayFail,
    /// Privileges granted on the object go with it (it is dropped and,
    /// maybe, created again without them).
    GrantsLost,
    /// A role loses a privilege: whatever relied on it stops working.
    AccessLoss,
}

impl HazardKind {
    /// The label used in SQL comments.
    pub fn label(self) -> &'static str {
        match self {
            HazardKind::DataLoss => "data loss",
            HazardKind::MayFail => "may fail",
            HazardKind::GrantsLost => "grants lost",
            HazardKind::AccessLoss => "access loss",
        }
    }
}

/// One hazard of one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hazard {
    /// Its kind.
    pub kind: HazardKind,
    /// What happens, naming the object.
    pub message: String,
}

fn h(kind: HazardKind, message: String) -> Vec<Hazard> {
    vec![Hazard { kind, message }]
}

/// The hazards of a change. `is_new` tells whether a table is created by the
/// same plan: an empty table has no rows for a new rule to fail on.
pub fn of(change: &Change, is_new: impl Fn(&QualName) -> bool) -> Vec<Hazard> {
    use HazardKind::*;
    let on_new_table = match change {
        Change::SetNotNull { table, .. }
        | Change::AddColumn { table, .. }
        | Change::AddConstraint { table, .. }
        | Change::CreateIndex { table, .. }
        | Change::AlterColumnType { table, .. } => is_new(table),
        _ => false,
    };
    if on_new_table {
        return vec![];
    }
    match change {
        Change::DropTable { table } => h(DataLoss, format!("dropping table {} deletes all its rows", table.name)),
        Change::AttachPartition { table, partition } => h(
            MayFail,
            format!(
                "attaching {table} to {} scans it, and fails if a row is outside {} (or, where the parent has a \
                 DEFAULT partition, if that one holds a row of this bound)",
                partition.parent,
                partition.bound.sql()
            ),
        ),
        Change::DropColumn { table, column } => {
            h(DataLoss, format!("dropping column {table}.{} deletes its values", quote(&column.name)))
        }
        Change::DropLeftoverColumn { table, column, .. } => {
            h(DataLoss, format!("dropping column {table}.{} (if it is still there) deletes its values", quote(column)))
        }
        Change::DropSequence { name } => h(DataLoss, format!("dropping sequence {name} loses its current value")),
        Change::DropRoutine { routine } => h(
            GrantsLost,
            format!(
                "dropping {} {} loses the privileges granted on it (re-created ones start from the defaults)",
                routine.kind.sql().to_lowercase(),
                routine.id()
            ),
        ),
        Change::DropSchema { name } => {
            h(DataLoss, format!("dropping schema {} removes it and anything left in it", quote(name)))
        }
        Change::AlterColumnType { table, column, from, to, .. } => match classify(from, to) {
            TypeChange::Widening => vec![],
            TypeChange::Narrowing => h(
                DataLoss,
                format!(
                    "narrowing {table}.{} from {from} to {to} can truncate, round or reject existing values",
                    quote(column)
                ),
            ),
            TypeChange::Incompatible => h(
                MayFail,
                format!("converting {table}.{} from {from} to {to} fails on values that do not convert", quote(column)),
            ),
        },
        Change::AlterDomain { name, action: DomainAction::SetNotNull { not_null: true } } => {
            h(MayFail, format!("SET NOT NULL on domain {name} fails if any column of that type holds NULL"))
        }
        Change::AlterDomain { name, action: DomainAction::AddCheck { check, .. } } => h(
            MayFail,
            format!("adding check {} to domain {name} fails if any column of that type violates it", quote(check)),
        ),
        Change::AlterComposite { name, action: CompositeAction::DropAttribute { attribute } } => h(
            DataLoss,
            format!(
                "dropping attribute {} of type {name} deletes its values wherever the type is stored",
                quote(&attribute.name)
            ),
        ),
        Change::AlterComposite { name, action: CompositeAction::AlterAttributeType { attribute, .. } } => h(
            MayFail,
            format!(
                "changing the type of attribute {} of {name} fails while a table column uses {name}",
                quote(attribute)
            ),
        ),
        Change::SetNotNull { table, column, not_null: true } => {
            h(MayFail, format!("SET NOT NULL on {table}.{} fails if any row holds NULL", quote(column)))
        }
        Change::AddColumn { table, column }
            if column.not_null
                && column.default.is_none()
                && column.identity.is_none()
                && column.generated.is_none() =>
        {
            h(
                MayFail,
                format!(
                    "adding NOT NULL column {table}.{} without a default fails if the table has rows",
                    quote(&column.name)
                ),
            )
        }
        Change::AddConstraint { table, constraint } => {
            let what = match &constraint.kind {
                ConstraintKind::PrimaryKey { .. } => "existing duplicates or NULLs",
                ConstraintKind::Unique { .. } => "existing duplicates",
                ConstraintKind::ForeignKey(_) => "existing rows without a match",
                ConstraintKind::Check { .. } => "existing rows that violate it",
                ConstraintKind::Exclusion { .. } => "existing conflicting rows",
            };
            h(
                MayFail,
                format!(
                    "adding {} constraint {} on {table} fails on {what}",
                    constraint.kind.label(),
                    quote(&constraint.name)
                ),
            )
        }
        Change::CreateIndex { table, index } if index.unique => {
            h(MayFail, format!("unique index {} on {table} fails on existing duplicates", quote(&index.name)))
        }
        Change::DropView { view } if view.materialized => vec![
            Hazard { kind: DataLoss, message: format!("dropping materialized view {} discards its rows", view.name) },
            Hazard { kind: GrantsLost, message: format!("privileges granted on {} are lost", view.name) },
        ],
        Change::DropView { view } => {
            h(GrantsLost, format!("dropping view {} loses the privileges granted on it", view.name))
        }
        Change::SetPrivileges { key, from, to } => {
            let lost: Vec<String> = match from {
                None => Vec::new(),
                Some(from) => from
                    .0
                    .iter()
                    .filter_map(|(p, g)| match to.0.get(p) {
                        None => Some(p.name().to_string()),
                        Some(false) if *g => Some(format!("the grant option of {}", p.name())),
                        _ => None,
                    })
                    .collect(),
            };
            if lost.is_empty() {
                vec![]
            } else {
                h(AccessLoss, format!("{} loses {} on {}", key.grantee, lost.join(", "), key.object))
            }
        }
        Change::SetDefaultPrivileges { key, from, to } => {
            let lost: Vec<&str> = from.0.keys().filter(|p| !to.0.contains_key(p)).map(|p| p.name()).collect();
            if lost.is_empty() {
                vec![]
            } else {
                h(
                    AccessLoss,
                    format!(
                        "{} no longer gets {} on new {}",
                        key.grantee,
                        lost.join(", "),
                        key.kind.plural().to_lowercase()
                    ),
                )
            }
        }
        Change::RecreateEnum { from, to, .. } => {
            let removed: Vec<&String> = from.labels.iter().filter(|l| !to.labels.contains(l)).collect();
            if removed.is_empty() {
                vec![]
            } else {
                h(
                    MayFail,
                    format!(
                        "rebuilding enum {} without {} fails if any row still holds a removed label",
                        to.name,
                        removed.iter().map(|l| format!("'{l}'")).collect::<Vec<_>>().join(", ")
                    ),
                )
            }
        }
        _ => vec![],
    }
}

fn quote(name: &str) -> String {
    crate::canon::quote_ident(name)
}
