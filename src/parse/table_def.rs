//! `CREATE TABLE` lowered to pgstate's terms on the thread that parsed it. A
//! table's sqlparser AST is tens of times the size of its text: holding every
//! one until the builder ran was most of the memory at 10,000 tables, and
//! lowering columns (types, canonical defaults) is most of the work, which
//! this way runs on all cores.

use sqlparser::ast::{CreateTable, CreateTableOptions, ForValues, ObjectName};

use super::columns::{column_with, ParsedColumn};
use super::constraints::{from_table_constraint, RawConstraint};
use super::names::object_qual_name;
use super::source::At;
use crate::canon::ident::fold;
use crate::canon::memo::Memo;
use crate::model::{PartitionKey, QualName};

/// What the builder needs of a `CREATE TABLE`.
pub struct TableDef {
    /// The table's name, qualified here rather than by the builder, which
    /// runs on one thread (or why it could not be).
    pub name: Result<QualName, String>,
    /// The line of the table's name, where a rename hint for it is written.
    pub name_line: u64,
    /// `TEMPORARY`.
    pub temporary: bool,
    /// `AS` or `LIKE`, which pgstate does not model.
    pub unsupported_form: bool,
    /// `PARTITION BY`, or why it could not be read.
    pub partition_by: Option<Result<PartitionKey, String>>,
    /// `PARTITION OF parent FOR VALUES ...`, the bound as written (its
    /// spelling depends on the parent's key types, known later).
    pub partition_of: Option<(ObjectName, ForValues)>,
    /// `INHERITS (...)`.
    pub inherits: Vec<ObjectName>,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
    /// `UNLOGGED`.
    pub unlogged: bool,
    /// Columns in order.
    pub columns: Vec<ColumnDef>,
    /// Table constraints, or why each could not be read.
    pub constraints: Vec<Result<RawConstraint, String>>,
    /// Storage parameters, `WITH (...)`, or why they could not be read.
    pub options: Result<Vec<(String, String)>, String>,
    /// `LIKE` elements, read from the tokens (`parse::like`), expanded by the builder.
    pub like: Vec<super::like::Like>,
}

/// One column: its folded name, where it is written, and what it says.
pub struct ColumnDef {
    /// Folded name.
    pub name: String,
    /// Its place in the file.
    pub at: At,
    /// The column and its inline constraints, or why it could not be read.
    pub parsed: Result<ParsedColumn, String>,
}

/// Lowers a parsed `CREATE TABLE` written at `at`.
pub fn lower(ct: &CreateTable, at: At, memo: &mut Memo<'_>) -> TableDef {
    let default_schema = memo.default_schema();
    let columns = ct
        .columns
        .iter()
        .map(|def| {
            let col_at = At { file: at.file, span: def.name.span };
            ColumnDef { name: fold(&def.name), at: col_at, parsed: column_with(def, col_at, memo) }
        })
        .collect();
    let constraints = ct.constraints.iter().map(|c| from_table_constraint(c, None, default_schema, at)).collect();
    TableDef {
        name: object_qual_name(&ct.name, default_schema),
        name_line: ct.name.0.last().and_then(|p| p.as_ident()).map_or(0, |i| i.span.start.line),
        temporary: ct.temporary,
        unsupported_form: ct.query.is_some() || ct.like.is_some(),
        // Read from the tokens before sqlparser saw them (see `partition_by`).
        partition_by: None,
        partition_of: match (&ct.partition_of, &ct.for_values) {
            (Some(parent), Some(bound)) => Some((parent.clone(), bound.clone())),
            _ => None,
        },
        inherits: ct.inherits.clone().unwrap_or_default(),
        if_not_exists: ct.if_not_exists,
        unlogged: ct.unlogged,
        columns,
        constraints,
        like: Vec::new(),
        options: match &ct.table_options {
            CreateTableOptions::None => Ok(Vec::new()),
            CreateTableOptions::With(opts) => super::view::view_options(opts),
            other => Err(format!("unsupported table options: {other}")),
        },
    }
}
