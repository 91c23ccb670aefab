use serde::Serialize;

use super::{ColumnType, Constraint, Expr, Index, Map, PartitionKey, PartitionOf, Policy, QualName, SeqOptions};

/// A table with its columns, constraints and indexes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Its qualified name.
    pub name: QualName,
    /// Columns in their physical order.
    pub columns: Map<String, Column>,
    /// Constraints by name.
    pub constraints: Map<String, Constraint>,
    /// Indexes that do not back a constraint, by name (index names live in the table's schema).
    pub indexes: Map<String, Index>,
    /// `UNLOGGED`.
    pub unlogged: bool,
    /// `ENABLE ROW LEVEL SECURITY`.
    pub row_security: bool,
    /// `FORCE ROW LEVEL SECURITY` (policies bind the table's owner too).
    pub force_row_security: bool,
    /// Row-level security policies by name.
    pub policies: Map<String, Policy>,
    /// `COMMENT ON TABLE`.
    pub comment: Option<String>,
    /// `PARTITION BY`: a partitioned table, holding no rows itself.
    pub partition_by: Option<PartitionKey>,
    /// `PARTITION OF`: a partition. Its columns are its parent's, so `columns` is empty.
    pub partition_of: Option<PartitionOf>,
    /// `INHERITS (...)`, in order. `columns` holds only the table's own columns.
    pub inherits: Vec<QualName>,
    /// Storage parameters, `WITH (name = value, ...)`, in the order written
    /// (PostgreSQL keeps that order; `Table::same_options` ignores it).
    pub options: Vec<(String, String)>,
    /// `ALTER TABLE ... CLUSTER ON index`: the index `CLUSTER` uses by default.
    pub cluster_on: Option<String>,
    /// `ALTER TABLE ... REPLICA IDENTITY ...`, when not `DEFAULT`.
    pub replica_identity: Option<ReplicaIdentity>,
}

/// What logical replication writes to identify a row (`REPLICA IDENTITY`), when not `DEFAULT`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ReplicaIdentity {
    /// `FULL`: the whole old row.
    Full,
    /// `NOTHING`: no old row.
    Nothing,
    /// `USING INDEX i`: the key of a unique index on the table.
    Index(String),
}

impl Table {
    /// An empty table.
    pub fn new(name: QualName) -> Self {
        Table {
            name,
            columns: Map::default(),
            constraints: Map::default(),
            indexes: Map::default(),
            unlogged: false,
            row_security: false,
            force_row_security: false,
            policies: Map::default(),
            comment: None,
            partition_by: None,
            partition_of: None,
            inherits: Vec::new(),
            options: Vec::new(),
            cluster_on: None,
            replica_identity: None,
        }
    }

    /// Whether two lists of storage parameters say the same, in any order.
    pub fn same_options(a: &[(String, String)], b: &[(String, String)]) -> bool {
        let mut a = a.to_vec();
        let mut b = b.to_vec();
        a.sort();
        b.sort();
        a == b
    }

    /// The tables this one takes columns from: its partition parent, or the ones it inherits.
    pub fn parents(&self) -> impl Iterator<Item = &QualName> {
        self.partition_of.as_ref().map(|p| &p.parent).into_iter().chain(&self.inherits)
    }

    /// The primary key constraint, if any.
    pub fn primary_key(&self) -> Option<&Constraint> {
        self.constraints.values().find(|c| matches!(c.kind, super::ConstraintKind::PrimaryKey { .. }))
    }

    /// What PostgreSQL lets a foreign key to `columns` (as a set) rely on: a
    /// non-deferrable primary key or unique constraint on exactly those
    /// columns, else a unique index on exactly those plain columns with no
    /// predicate. The one definition for the parser's check, the planner's
    /// ordering and the differ's foreign key rebuilds.
    pub fn unique_key(&self, columns: &[String]) -> Option<UniqueKey<'_>> {
        let want = sorted(columns);
        let constraint = self.constraints.values().find(|c| match &c.kind {
            super::ConstraintKind::PrimaryKey { columns, .. } | super::ConstraintKind::Unique { columns, .. } => {
                c.deferral == super::Deferral::Immediate && sorted(columns) == want
            }
            _ => false,
        });
        if let Some(c) = constraint {
            return Some(UniqueKey::Constraint(c));
        }
        self.indexes
            .values()
            .find(|i| {
                i.unique
                    && i.predicate.is_none()
                    && i.keys.iter().all(|k| matches!(k.expr, super::IndexKeyExpr::Column(_)))
                    && sorted(&i.column_keys()) == want
            })
            .map(UniqueKey::Index)
    }
}

/// A key a foreign key can reference (see `Table::unique_key`).
#[derive(Debug, Clone, Copy)]
pub enum UniqueKey<'a> {
    /// A primary key or unique constraint.
    Constraint(&'a Constraint),
    /// A unique index.
    Index(&'a Index),
}

fn sorted(columns: &[String]) -> Vec<&String> {
    let mut v: Vec<&String> = columns.iter().collect();
    v.sort();
    v
}

/// A column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// Its type.
    pub data_type: ColumnType,
    /// `NOT NULL` (implied by a primary key, as in PostgreSQL).
    pub not_null: bool,
    /// PostgreSQL 18's `NOT NULL` constraint behind `not_null`: its name and
    /// flags (left at their defaults when the column is nullable).
    pub not_null_constraint: NotNull,
    /// `DEFAULT`, canonical.
    pub default: Option<Expr>,
    /// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY` (boxed, as `generated`:
    /// rare, and a catalog holds hundreds of thousands of columns).
    pub identity: Option<Box<Identity>>,
    /// `GENERATED ALWAYS AS (expr) STORED`.
    pub generated: Option<Box<Expr>>,
    /// `COLLATE`, when not the type's default.
    pub collation: Option<String>,
    /// `COMMENT ON COLUMN`.
    pub comment: Option<String>,
    /// `ALTER COLUMN ... SET STATISTICS n`, when set (`None`: the server's default).
    pub statistics: Option<i32>,
    /// `ALTER COLUMN ... SET STORAGE`, lower case, when not the type's default
    /// (`canon::types::default_storage`; `None`: the type's).
    pub storage: Option<String>,
    /// `ALTER COLUMN ... SET COMPRESSION`, lower case (`None`: the server's `default_toast_compression`).
    pub compression: Option<String>,
}

impl Column {
    /// A nullable column of the given type.
    pub fn new(name: impl Into<String>, data_type: ColumnType) -> Self {
        Column {
            name: name.into(),
            data_type,
            not_null: false,
            not_null_constraint: NotNull::default(),
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
            statistics: None,
            storage: None,
            compression: None,
        }
    }
}

/// A column's `NOT NULL` constraint as PostgreSQL 18 keeps it in
/// `pg_constraint`. Before 18 there is no such constraint: no name, never
/// `NO INHERIT` nor `NOT VALID`, so every field is at its default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NotNull {
    /// Its name, when not the one PostgreSQL gives (`<table>_<column>_not_null`,
    /// `canon::names::not_null_name`). A rename of the column or table keeps
    /// the old name, which is then no longer the default.
    pub name: Option<String>,
    /// `NO INHERIT`: children do not get it.
    pub no_inherit: bool,
    /// Added `NOT VALID` and not validated since. PostgreSQL cannot
    /// un-validate one, so the differ only ever validates.
    pub not_valid: bool,
}

impl NotNull {
    /// Whether every field is at its default (what a major before 18 has).
    pub fn is_plain(&self) -> bool {
        *self == NotNull::default()
    }
}

/// An identity column's generation and its implicit sequence's options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// `ALWAYS` (true) or `BY DEFAULT` (false).
    pub always: bool,
    /// Options of the implicit sequence.
    pub options: SeqOptions,
}
