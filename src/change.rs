//! The vocabulary of changes between two catalogs.

use serde::Serialize;

use crate::model::{
    Attribute, Column, ColumnType, CompositeType, Constraint, DefaultKey, Domain, EnumType, Expr, Extension, GrantKey,
    Identity, Index, NotNull, Object, PartitionOf, Policy, Privileges, QualName, RangeType, Routine, RoutineId,
    RoutineKind, Schema, SeqOptions, Sequence, Table, Trigger, TriggerEnabled, TriggerId, View,
};

/// What a comment is attached to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum CommentTarget {
    /// A schema.
    Schema(String),
    /// A table.
    Table(QualName),
    /// A column.
    Column(QualName, String),
    /// A constraint of a table.
    Constraint(QualName, String),
    /// An index (schema-qualified index name).
    Index(QualName),
    /// A sequence.
    Sequence(QualName),
    /// A type.
    Type(QualName),
    /// A domain.
    Domain(QualName),
    /// A view or materialized view.
    View {
        /// Its name.
        name: QualName,
        /// Whether it is materialized (the statement says which).
        materialized: bool,
    },
    /// A function or procedure.
    Routine(RoutineId, RoutineKind),
    /// A trigger.
    Trigger(TriggerId),
    /// A policy of a table.
    Policy(QualName, String),
    /// An object of a generic kind.
    Object(crate::model::ObjectId),
}

/// What an `ALTER DOMAIN` does.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum DomainAction {
    /// `SET DEFAULT` / `DROP DEFAULT`.
    SetDefault { to: Option<Expr> },
    /// `SET NOT NULL` / `DROP NOT NULL`.
    SetNotNull { not_null: bool },
    /// `ADD CONSTRAINT name CHECK (...)`.
    AddCheck { check: String, expr: Expr },
    /// `DROP CONSTRAINT name`.
    DropCheck { check: String },
}

/// What an `ALTER TYPE` on a composite type does.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CompositeAction {
    /// `ADD ATTRIBUTE` (at the end).
    AddAttribute { attribute: Attribute },
    /// `DROP ATTRIBUTE`.
    DropAttribute { attribute: Attribute },
    /// `ALTER ATTRIBUTE ... TYPE ... [COLLATE]`.
    AlterAttributeType { attribute: String, from: ColumnType, to: ColumnType, collation: Option<String> },
}

/// One step from one catalog towards another.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// `CREATE SCHEMA`.
    CreateSchema { schema: Schema },
    /// `DROP SCHEMA`.
    DropSchema { name: String },
    /// `CREATE EXTENSION`.
    CreateExtension { extension: Extension },
    /// `DROP EXTENSION`.
    DropExtension { name: String },
    /// `CREATE TYPE ... AS ENUM`.
    CreateEnum { enum_type: EnumType },
    /// `DROP TYPE`.
    DropEnum { name: QualName },
    /// `ALTER TYPE ... ADD VALUE ... BEFORE/AFTER`.
    AddEnumValue { name: QualName, value: String, before: Option<String>, after: Option<String> },
    /// `ALTER TYPE ... RENAME VALUE` (from a rename hint).
    RenameEnumValue { name: QualName, from: String, to: String },
    /// Labels removed or reordered: PostgreSQL cannot do it in place, so the type is
    /// rebuilt under its name and the columns using it are converted through text.
    RecreateEnum { from: EnumType, to: EnumType, columns: Vec<(QualName, Column)> },
    /// `CREATE DOMAIN`.
    CreateDomain { domain: Domain },
    /// `DROP DOMAIN`; `over` is its base type when that is a user type, which
    /// must outlive it.
    DropDomain { name: QualName, over: Option<QualName> },
    /// `ALTER DOMAIN`.
    AlterDomain { name: QualName, action: DomainAction },
    /// `CREATE TYPE ... AS (...)`.
    CreateComposite { composite: CompositeType },
    /// `DROP TYPE` of a composite type.
    DropComposite { composite: CompositeType },
    /// `ALTER TYPE` of a composite type.
    AlterComposite { name: QualName, action: CompositeAction },
    /// `CREATE TYPE ... AS RANGE`.
    CreateRange { range: RangeType },
    /// `DROP TYPE` of a range type.
    DropRange { range: RangeType },
    /// `CREATE SEQUENCE` (ownership is a separate step).
    CreateSequence { sequence: Sequence },
    /// `ALTER SEQUENCE` options.
    AlterSequence { name: QualName, from: SeqOptions, to: SeqOptions },
    /// `DROP SEQUENCE`.
    DropSequence { name: QualName },
    /// `ALTER SEQUENCE ... OWNED BY`; `was` is the owner when the step runs
    /// (none for a sequence just created or released), which orders it
    /// before that column is dropped.
    SetSequenceOwner { name: QualName, owner: Option<(QualName, String)>, was: Option<(QualName, String)> },
    /// `CREATE TABLE` with columns and non-foreign-key constraints.
    CreateTable { table: Table },
    /// `DROP TABLE`.
    DropTable { table: Table },
    /// `ALTER TABLE ... RENAME TO`.
    RenameTable { from: QualName, to: QualName },
    /// `ALTER TABLE ... SET LOGGED / UNLOGGED`.
    SetUnlogged { table: QualName, unlogged: bool },
    /// `ALTER TABLE ... SET (name = value, ...)` and `RESET (name, ...)`: storage parameters.
    SetTableOptions { table: QualName, set: Vec<(String, String)>, reset: Vec<String> },
    /// `ALTER TABLE ... ALTER COLUMN ... SET STATISTICS n` (`None`: back to the default, -1).
    SetStatistics { table: QualName, column: String, statistics: Option<i32> },
    /// `ALTER TABLE ... ALTER COLUMN ... SET STORAGE` (`storage`: the column's
    /// setting, `None` for its type's; `written`: the keyword the step writes,
    /// the type's storage when known, else `DEFAULT`).
    SetStorage { table: QualName, column: String, storage: Option<String>, written: String },
    /// `ALTER TABLE ... ALTER COLUMN ... SET COMPRESSION` (`None`: `DEFAULT`).
    SetCompression { table: QualName, column: String, compression: Option<String> },
    /// `ALTER TABLE ... CLUSTER ON index` (`None`: `SET WITHOUT CLUSTER`).
    SetClusterOn { table: QualName, index: Option<String> },
    /// `ALTER TABLE ... REPLICA IDENTITY ...` (`None`: `DEFAULT`).
    SetReplicaIdentity { table: QualName, identity: Option<crate::model::ReplicaIdentity> },
    /// `ALTER TABLE parent ATTACH PARTITION table FOR VALUES ...`.
    AttachPartition { table: QualName, partition: PartitionOf },
    /// `ALTER TABLE parent DETACH PARTITION table`, of a partition moving to
    /// another bound of the same parent (attached again after).
    DetachPartition { table: QualName, parent: QualName },
    /// `ALTER TABLE table INHERIT parent` / `NO INHERIT parent`.
    SetInherit { table: QualName, parent: QualName, inherit: bool },
    /// `ALTER TABLE ... ADD COLUMN`.
    AddColumn { table: QualName, column: Column },
    /// `ALTER TABLE ... DROP COLUMN`.
    DropColumn { table: QualName, column: Column },
    /// `ALTER TABLE ... DROP COLUMN IF EXISTS` after `parent` drops it: a
    /// child that also declared the column keeps it (PostgreSQL's
    /// `attislocal`, which the model does not tell apart).
    DropLeftoverColumn { table: QualName, parent: QualName, column: String },
    /// `ALTER TABLE ... RENAME COLUMN`.
    RenameColumn { table: QualName, from: String, to: String },
    /// `ALTER COLUMN ... TYPE ... [COLLATE] [USING]`.
    AlterColumnType {
        table: QualName,
        column: String,
        from: ColumnType,
        to: ColumnType,
        collation: Option<String>,
        using: bool,
    },
    /// `ALTER COLUMN ... SET DEFAULT` or `DROP DEFAULT` (`to: None`).
    SetDefault { table: QualName, column: String, from: Option<Expr>, to: Option<Expr> },
    /// `ALTER COLUMN ... SET / DROP NOT NULL`.
    SetNotNull { table: QualName, column: String, not_null: bool },
    /// PostgreSQL 18's `NOT NULL` constraint of a column that stays `NOT
    /// NULL`, renamed (`RENAME CONSTRAINT`), made `[NO] INHERIT` (`ALTER
    /// CONSTRAINT`) or validated.
    AlterNotNull { table: QualName, column: String, from: NotNull, to: NotNull },
    /// Identity added, removed or changed.
    SetIdentity { table: QualName, column: String, from: Option<Identity>, to: Option<Identity> },
    /// `ALTER TABLE ... ADD CONSTRAINT`.
    AddConstraint { table: QualName, constraint: Constraint },
    /// `ALTER TABLE ... DROP CONSTRAINT`.
    DropConstraint { table: QualName, constraint: Constraint },
    /// `ALTER TABLE ... VALIDATE CONSTRAINT`: a foreign key or check added
    /// `NOT VALID` checks the rows it skipped (carries the constraint, for
    /// its hazards and measurements).
    ValidateConstraint { table: QualName, constraint: Constraint },
    /// `ALTER TABLE ... RENAME CONSTRAINT`.
    RenameConstraint { table: QualName, from: String, to: String },
    /// `CREATE INDEX`.
    CreateIndex { table: QualName, index: Index },
    /// `DROP INDEX`.
    DropIndex { table: QualName, index: Index },
    /// `ALTER INDEX ... RENAME TO`.
    RenameIndex { table: QualName, from: String, to: String },
    /// `DROP INDEX IF EXISTS` of an index an interrupted `CREATE INDEX CONCURRENTLY`
    /// left invalid (not part of the catalog; built again by a `CreateIndex`).
    DropInvalidIndex { index: QualName },
    /// `CREATE [OR REPLACE] [MATERIALIZED] VIEW` (indexes and comments are separate steps).
    CreateView { view: View, replace: bool },
    /// `DROP [MATERIALIZED] VIEW`, carrying the view as it was (what it read).
    DropView { view: View },
    /// `CREATE FUNCTION` / `CREATE PROCEDURE`; `replace` for `CREATE OR
    /// REPLACE` over the existing routine of the same signature.
    CreateRoutine { routine: Routine, replace: bool },
    /// `DROP FUNCTION` / `DROP PROCEDURE`.
    DropRoutine { routine: Routine },
    /// `CREATE TRIGGER`, then its enabled state when not the default.
    CreateTrigger { trigger: Trigger },
    /// `DROP TRIGGER`.
    DropTrigger { trigger: Trigger },
    /// `ALTER TABLE ... ENABLE / DISABLE [REPLICA | ALWAYS] TRIGGER`.
    SetTriggerEnabled { trigger: TriggerId, enabled: TriggerEnabled },
    /// `ALTER TABLE ... ENABLE / DISABLE ROW LEVEL SECURITY`.
    SetRowSecurity { table: QualName, enabled: bool },
    /// `ALTER TABLE ... FORCE / NO FORCE ROW LEVEL SECURITY`.
    SetForceRowSecurity { table: QualName, force: bool },
    /// `CREATE POLICY`.
    CreatePolicy { table: QualName, policy: Policy },
    /// `DROP POLICY`.
    DropPolicy { table: QualName, policy: Policy },
    /// `ALTER POLICY`: roles, `USING` or `WITH CHECK` changed (the clauses
    /// that differ between `from` and `to` are set).
    AlterPolicy { table: QualName, from: Policy, to: Policy },
    /// `CREATE [OR REPLACE] <kind>` of a generic kind (`model::object`);
    /// `replace` only where the kind has `OR REPLACE` and it keeps what that needs.
    CreateObject { object: Object, replace: bool },
    /// `DROP <kind> identity` of a generic kind.
    DropObject { object: Object },
    /// `ALTER` of a generic object in place (`Object::alterable_to`): a
    /// publication's members or options, a family's loose members, whether a rule fires.
    AlterObject { from: Object, to: Object },
    /// `COMMENT ON ... IS`.
    SetComment { target: CommentTarget, text: Option<String> },
    /// `GRANT` / `REVOKE` so that one grantee holds `to` on one object. `from:
    /// None` is a new object default privileges may already have granted
    /// something on: everything is revoked first.
    SetPrivileges { key: GrantKey, from: Option<Privileges>, to: Privileges },
    /// `ALTER DEFAULT PRIVILEGES ... GRANT / REVOKE`.
    SetDefaultPrivileges { key: DefaultKey, from: Privileges, to: Privileges },
}

impl Change {
    /// Short machine-readable kind, as in JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::CreateSchema { .. } => "create_schema",
            Change::DropSchema { .. } => "drop_schema",
            Change::CreateExtension { .. } => "create_extension",
            Change::DropExtension { .. } => "drop_extension",
            Change::CreateEnum { .. } => "create_enum",
            Change::DropEnum { .. } => "drop_enum",
            Change::AddEnumValue { .. } => "add_enum_value",
            Change::RecreateEnum { .. } => "recreate_enum",
            Change::RenameEnumValue { .. } => "rename_enum_value",
            Change::CreateDomain { .. } => "create_domain",
            Change::DropDomain { .. } => "drop_domain",
            Change::AlterDomain { .. } => "alter_domain",
            Change::CreateComposite { .. } => "create_composite",
            Change::DropComposite { .. } => "drop_composite",
            Change::AlterComposite { .. } => "alter_composite",
            Change::CreateRange { .. } => "create_range",
            Change::DropRange { .. } => "drop_range",
            Change::CreateSequence { .. } => "create_sequence",
            Change::AlterSequence { .. } => "alter_sequence",
            Change::DropSequence { .. } => "drop_sequence",
            Change::SetSequenceOwner { .. } => "set_sequence_owner",
            Change::CreateTable { .. } => "create_table",
            Change::DropTable { .. } => "drop_table",
            Change::RenameTable { .. } => "rename_table",
            Change::SetUnlogged { .. } => "set_unlogged",
            Change::SetTableOptions { .. } => "set_table_options",
            Change::SetStatistics { .. } => "set_statistics",
            Change::SetStorage { .. } => "set_storage",
            Change::SetCompression { .. } => "set_compression",
            Change::SetClusterOn { .. } => "set_cluster_on",
            Change::SetReplicaIdentity { .. } => "set_replica_identity",
            Change::AttachPartition { .. } => "attach_partition",
            Change::DetachPartition { .. } => "detach_partition",
            Change::SetInherit { .. } => "set_inherit",
            Change::AddColumn { .. } => "add_column",
            Change::DropColumn { .. } => "drop_column",
            Change::DropLeftoverColumn { .. } => "drop_leftover_column",
            Change::RenameColumn { .. } => "rename_column",
            Change::AlterColumnType { .. } => "alter_column_type",
            Change::SetDefault { .. } => "set_default",
            Change::SetNotNull { .. } => "set_not_null",
            Change::AlterNotNull { .. } => "alter_not_null",
            Change::SetIdentity { .. } => "set_identity",
            Change::AddConstraint { .. } => "add_constraint",
            Change::DropConstraint { .. } => "drop_constraint",
            Change::RenameConstraint { .. } => "rename_constraint",
            Change::ValidateConstraint { .. } => "validate_constraint",
            Change::CreateIndex { .. } => "create_index",
            Change::DropIndex { .. } => "drop_index",
            Change::RenameIndex { .. } => "rename_index",
            Change::DropInvalidIndex { .. } => "drop_invalid_index",
            Change::CreateView { replace: false, .. } => "create_view",
            Change::CreateView { replace: true, .. } => "replace_view",
            Change::DropView { .. } => "drop_view",
            Change::CreateRoutine { .. } => "create_routine",
            Change::DropRoutine { .. } => "drop_routine",
            Change::CreateTrigger { .. } => "create_trigger",
            Change::DropTrigger { .. } => "drop_trigger",
            Change::SetTriggerEnabled { .. } => "set_trigger_enabled",
            Change::SetRowSecurity { .. } => "set_row_security",
            Change::SetForceRowSecurity { .. } => "set_force_row_security",
            Change::CreatePolicy { .. } => "create_policy",
            Change::DropPolicy { .. } => "drop_policy",
            Change::AlterPolicy { .. } => "alter_policy",
            Change::CreateObject { replace: false, .. } => "create_object",
            Change::CreateObject { replace: true, .. } => "replace_object",
            Change::DropObject { .. } => "drop_object",
            Change::AlterObject { .. } => "alter_object",
            Change::SetComment { .. } => "set_comment",
            Change::SetPrivileges { .. } => "set_privileges",
            Change::SetDefaultPrivileges { .. } => "set_default_privileges",
        }
    }

    /// The object it acts on, as text (`public.users`, `public.users.email`).
    pub fn object(&self) -> String {
        match self {
            Change::CreateSchema { schema } => schema.name.clone(),
            Change::DropSchema { name } | Change::DropExtension { name } => name.clone(),
            Change::CreateExtension { extension } => extension.name.clone(),
            Change::CreateEnum { enum_type } => enum_type.name.to_string(),
            Change::RecreateEnum { to, .. } => to.name.to_string(),
            Change::CreateDomain { domain } => domain.name.to_string(),
            Change::CreateComposite { composite } | Change::DropComposite { composite } => composite.name.to_string(),
            Change::AlterComposite { name, .. } => name.to_string(),
            Change::CreateRange { range } | Change::DropRange { range } => range.name.to_string(),
            Change::DropDomain { name, .. } | Change::AlterDomain { name, .. } => name.to_string(),
            Change::DropEnum { name }
            | Change::AddEnumValue { name, .. }
            | Change::RenameEnumValue { name, .. }
            | Change::AlterSequence { name, .. }
            | Change::DropSequence { name }
            | Change::SetSequenceOwner { name, .. } => name.to_string(),
            Change::CreateSequence { sequence } => sequence.name.to_string(),
            Change::CreateTable { table } | Change::DropTable { table } => table.name.to_string(),
            Change::RenameTable { to, .. } => to.to_string(),
            Change::SetStatistics { table, column, .. }
            | Change::SetStorage { table, column, .. }
            | Change::SetCompression { table, column, .. } => {
                format!("{table}.{}", crate::canon::quote_ident(column))
            }
            Change::SetClusterOn { table, .. } | Change::SetReplicaIdentity { table, .. } => table.to_string(),
            Change::SetUnlogged { table, .. }
            | Change::SetTableOptions { table, .. }
            | Change::AttachPartition { table, .. }
            | Change::DetachPartition { table, .. }
            | Change::SetInherit { table, .. }
            | Change::SetRowSecurity { table, .. }
            | Change::SetForceRowSecurity { table, .. } => table.to_string(),
            Change::CreatePolicy { table, policy } | Change::DropPolicy { table, policy } => {
                format!("{table}.{}", policy.name)
            }
            Change::AlterPolicy { table, to, .. } => format!("{table}.{}", to.name),
            Change::AddColumn { table, column } | Change::DropColumn { table, column } => {
                format!("{table}.{}", column.name)
            }
            Change::DropLeftoverColumn { table, column, .. } => format!("{table}.{column}"),
            Change::RenameColumn { table, to: column, .. }
            | Change::AlterColumnType { table, column, .. }
            | Change::SetDefault { table, column, .. }
            | Change::SetNotNull { table, column, .. }
            | Change::AlterNotNull { table, column, .. }
            | Change::SetIdentity { table, column, .. } => format!("{table}.{column}"),
            Change::AddConstraint { table, constraint } | Change::DropConstraint { table, constraint } => {
                format!("{table}.{}", constraint.name)
            }
            Change::RenameConstraint { table, to, .. } => format!("{table}.{to}"),
            Change::ValidateConstraint { table, constraint } => format!("{table}.{}", constraint.name),
            Change::CreateIndex { table, index } | Change::DropIndex { table, index } => {
                QualName::new(table.schema.clone(), index.name.clone()).to_string()
            }
            Change::RenameIndex { table, to, .. } => QualName::new(table.schema.clone(), to.clone()).to_string(),
            Change::DropInvalidIndex { index } => index.to_string(),
            Change::CreateView { view, .. } | Change::DropView { view } => view.name.to_string(),
            Change::CreateRoutine { routine, .. } | Change::DropRoutine { routine } => routine.id().to_string(),
            Change::CreateTrigger { trigger } | Change::DropTrigger { trigger } => trigger.id().to_string(),
            Change::SetTriggerEnabled { trigger, .. } => trigger.to_string(),
            Change::CreateObject { object, .. } | Change::DropObject { object } => object.id().to_string(),
            Change::AlterObject { to, .. } => to.id().to_string(),
            Change::SetComment { target, .. } => match target {
                CommentTarget::Routine(r, _) => r.to_string(),
                CommentTarget::Trigger(t) => t.to_string(),
                CommentTarget::Schema(s) => s.clone(),
                CommentTarget::Object(o) => o.to_string(),
                CommentTarget::Table(t)
                | CommentTarget::Index(t)
                | CommentTarget::Sequence(t)
                | CommentTarget::Type(t)
                | CommentTarget::Domain(t)
                | CommentTarget::View { name: t, .. } => t.to_string(),
                CommentTarget::Column(t, c) | CommentTarget::Constraint(t, c) | CommentTarget::Policy(t, c) => {
                    format!("{t}.{c}")
                }
            },
            Change::SetPrivileges { key, .. } => format!("{} to {}", key.object, key.grantee),
            Change::SetDefaultPrivileges { key, .. } => {
                let role = key.for_role.as_deref().map(|r| format!(" for {}", crate::canon::quote_ident(r)));
                let schema = key.schema.as_deref().map(|s| format!(" in {}", crate::canon::quote_ident(s)));
                format!(
                    "default {}{}{} to {}",
                    key.kind.plural().to_lowercase(),
                    role.unwrap_or_default(),
                    schema.unwrap_or_default(),
                    key.grantee
                )
            }
        }
    }
}
