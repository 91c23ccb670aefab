use serde::Serialize;

use super::{ColumnType, Constraint, Expr, Index, Map, QualName, SeqOptions};

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
    /// `COMMENT ON TABLE`.
    pub comment: Option<String>,
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
            comment: None,
        }
    }

    /// The primary key constraint, if any.
    pub fn primary_key(&self) -> Option<&Constraint> {
        self.constraints.values().find(|c| matches!(c.kind, super::ConstraintKind::PrimaryKey { .. }))
    }
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
    /// `DEFAULT`, canonical.
    pub default: Option<Expr>,
    /// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY`.
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (expr) STORED`.
    pub generated: Option<Expr>,
    /// `COLLATE`, when not the type's default.
    pub collation: Option<String>,
    /// `COMMENT ON COLUMN`.
    pub comment: Option<String>,
}

impl Column {
    /// A nullable column of the given type.
    pub fn new(name: impl Into<String>, data_type: ColumnType) -> Self {
        Column {
            name: name.into(),
            data_type,
            not_null: false,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
        }
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
