//! Hazards: what a change can do to existing data. `DataLoss` steps are refused
//! by `apply` unless destructive changes are allowed; `MayFail` steps can fail
//! on rows that already exist. Every kind of change is named in `of`, with no
//! catch-all: a new kind does not compile until its hazards are decided.

use serde::Serialize;

use crate::diff::types::{classify_in, Class};
use crate::diff::{Change, CompositeAction, DomainAction};
use crate::model::{
    Catalog, Column, ColumnType, Constraint, ConstraintKind, DefaultKey, EnumType, Identity, PartitionOf, Privileges,
    QualName, SeqOptions, View,
};

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
    /// The step holds a lock that blocks other sessions' reads or writes
    /// for as long as it scans, rewrites or builds (not just for an instant).
    Lock,
    /// Nothing is lost, but something worth knowing changes: how values read
    /// back, or a setting of the session running the plan that decides them.
    Note,
}

impl HazardKind {
    /// Every kind, in the order the label list in errors and help uses.
    pub const ALL: [HazardKind; 6] = [
        HazardKind::DataLoss,
        HazardKind::MayFail,
        HazardKind::Lock,
        HazardKind::GrantsLost,
        HazardKind::AccessLoss,
        HazardKind::Note,
    ];

    /// The name on the command line (`--allow-hazard data-loss`).
    pub fn name(self) -> &'static str {
        match self {
            HazardKind::DataLoss => "data-loss",
            HazardKind::MayFail => "may-fail",
            HazardKind::GrantsLost => "grants-lost",
            HazardKind::AccessLoss => "access-loss",
            HazardKind::Lock => "lock",
            HazardKind::Note => "note",
        }
    }

    /// The kind a command-line name (or its label, or `rewrite`, a lock hazard) names.
    pub fn from_name(name: &str) -> Option<HazardKind> {
        let name = name.trim().to_ascii_lowercase().replace([' ', '_'], "-");
        if name == "rewrite" || name == "scan" {
            return Some(HazardKind::Lock);
        }
        HazardKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The label used in SQL comments.
    pub fn label(self) -> &'static str {
        match self {
            HazardKind::DataLoss => "data loss",
            HazardKind::MayFail => "may fail",
            HazardKind::GrantsLost => "grants lost",
            HazardKind::AccessLoss => "access loss",
            HazardKind::Lock => "lock",
            HazardKind::Note => "note",
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
    /// The rows that would make it fail, counted on the data (`--measure`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<i64>,
}

/// What the hazards of a change depend on besides the change.
pub struct Context<'a> {
    /// The state the plan starts from (where the old types are defined).
    pub from: &'a Catalog,
    /// The state it reaches (where the new types are defined).
    pub to: &'a Catalog,
    /// Whether a table is created by the same plan: an empty table has no
    /// rows for a new rule to fail on, nor values to lose.
    pub is_new: &'a dyn Fn(&QualName) -> bool,
}

fn h(kind: HazardKind, message: String) -> Vec<Hazard> {
    vec![Hazard { kind, message, rows: None }]
}

/// The hazards of a change to data (the lock it holds is `locks::of`).
///
/// Long on purpose: one arm per `Change` variant, no catch-all (every change's
/// hazards are decided, never defaulted).
pub fn of(change: &Change, cx: &Context) -> Vec<Hazard> {
    use HazardKind::*;
    match change {
        // Creating, renaming, commenting, and loosening a rule lose nothing.
        Change::CreateSchema { .. }
        | Change::CreateExtension { .. }
        | Change::CreateEnum { .. }
        | Change::AddEnumValue { .. }
        | Change::CreateDomain { .. }
        | Change::CreateComposite { .. }
        | Change::CreateRange { .. }
        | Change::CreateSequence { .. }
        | Change::CreateTable { .. }
        | Change::RenameTable { .. }
        | Change::RenameColumn { .. }
        | Change::RenameConstraint { .. }
        | Change::RenameIndex { .. }
        | Change::CreateView { .. }
        | Change::CreateRoutine { .. }
        | Change::CreateTrigger { .. }
        | Change::CreatePolicy { .. }
        | Change::SetComment { .. }
        | Change::SetDefault { .. }
        | Change::DropConstraint { .. }
        | Change::DropIndex { .. } => vec![],
        // The label's rows keep their value under the new name, which is what the hint asks for.
        Change::RenameEnumValue { .. } => vec![],
        // Types hold no rows: a column using one is dropped or converted by a step of its own.
        Change::DropEnum { .. }
        | Change::DropDomain { .. }
        | Change::DropComposite { .. }
        | Change::DropRange { .. } => {
            vec![]
        }
        // Behaviour, not data: what fires, who sees which rows (see the README's limits).
        Change::DropTrigger { .. }
        | Change::SetTriggerEnabled { .. }
        | Change::SetRowSecurity { .. }
        | Change::SetForceRowSecurity { .. }
        | Change::DropPolicy { .. }
        | Change::AlterPolicy { .. } => vec![],
        // Rows stay where they are: a detached partition is attached again, a table that stops
        // inheriting keeps its rows, and an unlogged table keeps them (until a crash, which is what
        // UNLOGGED asks for). An ownership only decides what a later drop takes along.
        Change::DetachPartition { .. }
        | Change::SetInherit { .. }
        | Change::SetUnlogged { .. }
        | Change::SetSequenceOwner { .. } => vec![],
        // How rows are stored and how the planner samples them, never what they hold.
        Change::SetTableOptions { .. } | Change::SetStatistics { .. } => vec![],
        // Only values stored from now on are kept another way; none is lost. Which index
        // CLUSTER uses by default is no data either.
        Change::SetStorage { .. } | Change::SetCompression { .. } | Change::SetClusterOn { .. } => vec![],
        Change::SetReplicaIdentity { table, identity: Some(crate::model::ReplicaIdentity::Nothing) } => h(
            Note,
            format!("UPDATE and DELETE on {table} fail while a publication that replicates them includes it (REPLICA IDENTITY NOTHING)"),
        ),
        Change::SetReplicaIdentity { .. } => vec![],
        // The index was left invalid by an interrupted build; it is built again.
        Change::DropInvalidIndex { .. } => vec![],
        Change::DropSchema { name } => {
            h(DataLoss, format!("dropping schema {} removes it and anything left in it", quote(name)))
        }
        Change::DropExtension { name } => h(
            DataLoss,
            format!(
                "dropping extension {} removes what it created, with the rows of any table it owns, and fails \
                 while an object of yours uses it",
                quote(name)
            ),
        ),
        Change::RecreateEnum { from, to, .. } => recreate_enum(from, to),
        Change::AlterDomain { name, action } => alter_domain(name, action),
        Change::AlterComposite { name, action } => alter_composite(name, action),
        Change::AlterSequence { name, from, to } => narrowed_bounds(&format!("sequence {name}"), from, to),
        Change::DropSequence { name } => h(DataLoss, format!("dropping sequence {name} loses its current value")),
        Change::DropTable { table } => h(DataLoss, drop_table(&table.name, cx.from, cx.to)),
        Change::AttachPartition { table, partition } => attach_partition(table, partition),
        Change::AddColumn { table, column } if !(cx.is_new)(table) => add_column(table, column),
        Change::AddColumn { .. } => vec![],
        Change::DropColumn { table, column } => {
            h(DataLoss, format!("dropping column {table}.{} deletes its values", quote(&column.name)))
        }
        Change::DropLeftoverColumn { table, column, .. } => {
            h(DataLoss, format!("dropping column {table}.{} (if it is still there) deletes its values", quote(column)))
        }
        Change::AlterColumnType { table, column, from, to, .. } if !(cx.is_new)(table) => {
            column_type(table, column, from, to, cx)
        }
        Change::AlterColumnType { .. } => vec![],
        Change::SetNotNull { table, column, not_null: true } if !(cx.is_new)(table) => {
            h(MayFail, format!("SET NOT NULL on {table}.{} fails if any row holds NULL", quote(column)))
        }
        Change::SetNotNull { .. } => vec![],
        Change::AlterNotNull { table, column, from, to } if from.not_valid && !to.not_valid => h(
            MayFail,
            format!("validating the NOT NULL constraint of {table}.{} fails if any row holds NULL", quote(column)),
        ),
        Change::AlterNotNull { .. } => vec![],
        Change::SetIdentity { table, column, from, to } => identity(table, column, from.as_ref(), to.as_ref()),
        // NOT VALID skips the existing rows: nothing can fail until it is validated.
        Change::AddConstraint { constraint, .. } if !constraint.validated && constraint.can_be_not_valid() => vec![],
        Change::AddConstraint { table, constraint } if !(cx.is_new)(table) => add_constraint(table, constraint),
        Change::ValidateConstraint { table, constraint } => validate_constraint(table, constraint),
        Change::AddConstraint { .. } => vec![],
        Change::CreateIndex { table, index } if index.unique && !(cx.is_new)(table) => {
            h(MayFail, format!("unique index {} on {table} fails on existing duplicates", quote(&index.name)))
        }
        Change::CreateIndex { .. } => vec![],
        Change::DropView { view } => drop_view(view),
        Change::DropRoutine { routine } => h(
            GrantsLost,
            format!(
                "dropping {} {} loses the privileges granted on it (re-created ones start from the defaults)",
                routine.kind.sql().to_lowercase(),
                routine.id()
            ),
        ),
        // Objects of the generic kinds hold no rows; PostgreSQL refuses to drop one that an
        // index, view, column or other object still uses (what the plan drops first is ordered before).
        Change::CreateObject { .. } | Change::AlterObject { .. } => vec![],
        Change::DropObject { object } if object.kind == crate::model::GenericKind::Publication => h(
            DataLoss,
            format!(
                "dropping {} breaks the subscriptions to it: they stop receiving changes (and fail) until it is back",
                object.id()
            ),
        ),
        // Nothing uses a rule.
        Change::DropObject { object } if object.kind == crate::model::GenericKind::Rule => vec![],
        Change::DropObject { object } => {
            let mut out =
                h(MayFail, format!("dropping {} fails while anything this plan keeps still uses it", object.id()));
            if object.kind == crate::model::GenericKind::UserMapping {
                out.extend(h(
                    AccessLoss,
                    format!(
                        "dropping {} takes its credentials away: sessions using the server as that role fail until it is created again",
                        object.id()
                    ),
                ));
            }
            out
        }
        Change::SetPrivileges { key, from, to } => privileges_lost(from.as_ref(), to)
            .map(|lost| h(AccessLoss, format!("{} loses {lost} on {}", key.grantee, key.object)))
            .unwrap_or_default(),
        Change::SetDefaultPrivileges { key, from, to } => default_privileges(key, from, to),
    }
}

fn attach_partition(table: &QualName, partition: &PartitionOf) -> Vec<Hazard> {
    h(
        HazardKind::MayFail,
        format!(
            "attaching {table} to {} scans it, and fails if a row is outside {} (or, where the parent has a DEFAULT \
             partition, if that one holds a row of this bound)",
            partition.parent,
            partition.bound.sql()
        ),
    )
}

fn column_type(table: &QualName, column: &str, from: &ColumnType, to: &ColumnType, cx: &Context) -> Vec<Hazard> {
    let verdict = classify_in(from, to, cx.from, cx.to);
    let kind = match verdict.class {
        Class::Safe => return vec![],
        Class::Noted => HazardKind::Note,
        Class::MayFail => HazardKind::MayFail,
        Class::DataLoss => HazardKind::DataLoss,
    };
    h(kind, format!("converting {table}.{} from {from} to {to}: {}", quote(column), verdict.reason))
}

fn add_constraint(table: &QualName, constraint: &Constraint) -> Vec<Hazard> {
    let what = match &constraint.kind {
        ConstraintKind::PrimaryKey { .. } => "existing duplicates or NULLs",
        ConstraintKind::Unique { .. } => "existing duplicates",
        ConstraintKind::ForeignKey(_) => "existing rows without a match",
        ConstraintKind::Check { .. } => "existing rows that violate it",
        ConstraintKind::Exclusion { .. } => "existing conflicting rows",
    };
    let (label, name) = (constraint.kind.label(), quote(&constraint.name));
    h(HazardKind::MayFail, format!("adding {label} constraint {name} on {table} fails on {what}"))
}

fn validate_constraint(table: &QualName, constraint: &Constraint) -> Vec<Hazard> {
    let what = match &constraint.kind {
        ConstraintKind::ForeignKey(_) => "rows without a match",
        _ => "rows that violate it",
    };
    let (label, name) = (constraint.kind.label(), quote(&constraint.name));
    h(HazardKind::MayFail, format!("validating {label} constraint {name} on {table} fails on {what}"))
}

fn drop_view(view: &View) -> Vec<Hazard> {
    let name = &view.name;
    if !view.materialized {
        return h(HazardKind::GrantsLost, format!("dropping view {name} loses the privileges granted on it"));
    }
    vec![
        Hazard {
            kind: HazardKind::DataLoss,
            message: format!("dropping materialized view {name} discards its rows"),
            rows: None,
        },
        Hazard { kind: HazardKind::GrantsLost, message: format!("privileges granted on {name} are lost"), rows: None },
    ]
}

fn default_privileges(key: &DefaultKey, from: &Privileges, to: &Privileges) -> Vec<Hazard> {
    let lost: Vec<&str> = from.0.keys().filter(|p| !to.0.contains_key(p)).map(|p| p.name()).collect();
    if lost.is_empty() {
        return vec![];
    }
    let kind = key.kind.plural().to_lowercase();
    h(HazardKind::AccessLoss, format!("{} no longer gets {} on new {kind}", key.grantee, lost.join(", ")))
}

fn add_column(table: &QualName, column: &Column) -> Vec<Hazard> {
    let name = quote(&column.name);
    if column.generated.is_some() {
        return h(
            HazardKind::MayFail,
            format!("adding generated column {table}.{name} computes it for every row, and fails where it cannot"),
        );
    }
    if column.not_null && column.default.is_none() && column.identity.is_none() {
        return h(
            HazardKind::MayFail,
            format!("adding NOT NULL column {table}.{name} without a default fails if the table has rows"),
        );
    }
    vec![]
}

fn recreate_enum(from: &EnumType, to: &EnumType) -> Vec<Hazard> {
    let removed: Vec<String> =
        from.labels.iter().filter(|l| !to.labels.contains(l)).map(|l| crate::canon::quote_literal(l)).collect();
    if removed.is_empty() {
        return vec![];
    }
    h(
        HazardKind::MayFail,
        format!(
            "rebuilding enum {} without {} fails if any row still holds a removed label",
            to.name,
            removed.join(", ")
        ),
    )
}

fn alter_domain(name: &QualName, action: &DomainAction) -> Vec<Hazard> {
    match action {
        DomainAction::SetNotNull { not_null: true } => {
            h(HazardKind::MayFail, format!("SET NOT NULL on domain {name} fails if any column of that type holds NULL"))
        }
        DomainAction::AddCheck { check, .. } => h(
            HazardKind::MayFail,
            format!("adding check {} to domain {name} fails if any column of that type violates it", quote(check)),
        ),
        DomainAction::SetNotNull { not_null: false }
        | DomainAction::SetDefault { .. }
        | DomainAction::DropCheck { .. } => {
            vec![]
        }
    }
}

fn alter_composite(name: &QualName, action: &CompositeAction) -> Vec<Hazard> {
    match action {
        CompositeAction::DropAttribute { attribute } => h(
            HazardKind::DataLoss,
            format!(
                "dropping attribute {} of type {name} deletes its values wherever the type is stored",
                quote(&attribute.name)
            ),
        ),
        CompositeAction::AlterAttributeType { attribute, .. } => h(
            HazardKind::MayFail,
            format!(
                "changing the type of attribute {} of {name} fails while a table column uses {name}",
                quote(attribute)
            ),
        ),
        CompositeAction::AddAttribute { .. } => vec![],
    }
}

/// New bounds (or a smaller type) that may exclude the current value:
/// PostgreSQL refuses them (it never moves the value).
fn narrowed_bounds(what: &str, from: &SeqOptions, to: &SeqOptions) -> Vec<Hazard> {
    if to.max >= from.max && to.min <= from.min {
        return vec![];
    }
    h(
        HazardKind::MayFail,
        format!("the new bounds of {what} ({} to {}) fail if its current value lies outside them", to.min, to.max),
    )
}

fn identity(table: &QualName, column: &str, from: Option<&Identity>, to: Option<&Identity>) -> Vec<Hazard> {
    let col = quote(column);
    match (from, to) {
        (Some(_), None) => h(
            HazardKind::DataLoss,
            format!("dropping the identity of {table}.{col} drops its sequence, and with it the next value to use"),
        ),
        (Some(old), Some(new)) => {
            narrowed_bounds(&format!("the identity of {table}.{col}"), &old.options, &new.options)
        }
        (None, _) => vec![],
    }
}

/// What a grantee loses, in words, or `None`.
fn privileges_lost(from: Option<&Privileges>, to: &Privileges) -> Option<String> {
    let lost: Vec<String> = from?
        .0
        .iter()
        .filter_map(|(p, g)| match to.0.get(p) {
            None => Some(p.name().to_string()),
            Some(false) if *g => Some(format!("the grant option of {}", p.name())),
            _ => None,
        })
        .collect();
    (!lost.is_empty()).then(|| lost.join(", "))
}

fn quote(name: &str) -> String {
    crate::canon::quote_ident(name)
}

/// A dropped table takes its rows and the sequences its columns own: those
/// not wanted, and those kept when the table is created again (they are
/// created again from their start). One kept for another owner is released
/// before the drop and keeps its value.
fn drop_table(name: &QualName, from: &Catalog, to: &Catalog) -> String {
    let recreated = to.tables.contains_key(name);
    let owned: Vec<String> = from
        .sequences
        .values()
        .filter(|s| s.owned_by.as_ref().is_some_and(|(t, _)| t == name))
        .filter(|s| recreated || !to.sequences.contains_key(&s.name))
        .map(|s| s.name.to_string())
        .collect();
    match owned.as_slice() {
        [] => format!("dropping table {name} deletes all its rows"),
        _ => format!(
            "dropping table {name} deletes all its rows and the current values of the sequences it owns ({})",
            owned.join(", ")
        ),
    }
}
