//! `CREATE INDEX` lowered to pgstate's terms on the thread that parsed it, as
//! `table_def` does for tables: an index's sqlparser AST (its keys are full
//! expression trees) is kilobytes, and holding 20,000 of them until the
//! builder ran was the largest single part of a 10,000-table file's peak.

use sqlparser::ast::{CreateIndex, Expr as SqlExpr, ObjectName};

use super::constraints::index_key;
use super::names::object_qual_name;
use crate::canon::expr::Context;
use crate::canon::ident::fold;
use crate::model::{Index, QualName};

/// What the builder needs of a `CREATE INDEX`.
pub struct IndexDef {
    /// The indexed table (or materialized view), qualified, or why its name
    /// could not be read. (A name's AST is some 350 bytes; 20,000 of them
    /// were held until the builder ran.)
    pub table: Result<QualName, String>,
    /// The index's name, folded, when it has one.
    pub name: Option<IndexName>,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
    /// The index (its name left empty), or why it could not be read.
    pub index: Result<Index, String>,
}

/// An index's name as written.
pub enum IndexName {
    /// One part, folded.
    Plain(String),
    /// `schema.name`, which PostgreSQL refuses (an index lives in its table's
    /// schema); the last part, folded, is kept to reserve it.
    Qualified(String),
}

impl IndexName {
    /// The name without its schema.
    pub fn last(&self) -> &str {
        match self {
            IndexName::Plain(n) | IndexName::Qualified(n) => n,
        }
    }

    fn of(name: &ObjectName) -> IndexName {
        let last = name.0.last().and_then(|p| p.as_ident()).map(fold).unwrap_or_default();
        if name.0.len() > 1 {
            IndexName::Qualified(last)
        } else {
            IndexName::Plain(last)
        }
    }
}

/// Lowers `ci`; names and expressions are qualified with `default_schema`.
pub fn lower(ci: CreateIndex, default_schema: &str) -> IndexDef {
    let index = lower_index(&ci, default_schema);
    IndexDef {
        table: object_qual_name(&ci.table_name, default_schema),
        name: ci.name.as_ref().map(IndexName::of),
        if_not_exists: ci.if_not_exists,
        index,
    }
}

fn lower_index(ci: &CreateIndex, default_schema: &str) -> Result<Index, String> {
    let with = storage_parameters(&ci.with)?;
    let keys = ci.columns.iter().map(|c| index_key(c, default_schema)).collect::<Result<Vec<_>, _>>()?;
    Ok(Index {
        name: String::new(),
        unique: ci.unique,
        method: ci.using.as_ref().map_or("btree".to_string(), |u| u.to_string().to_lowercase()),
        keys,
        include: ci.include.iter().map(fold).collect(),
        nulls_not_distinct: ci.nulls_distinct == Some(false),
        with,
        predicate: ci
            .predicate
            .as_ref()
            .map(|p| crate::canon::expr::canonical(p, &Context { default_schema, column_type: None })),
        comment: None,
        statistics: Vec::new(),
    })
}

/// `WITH (name = value, ...)`: names folded, values as their text (PostgreSQL
/// stores every value as a string: `70` and `'70'` are the same).
fn storage_parameters(with: &[SqlExpr]) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for e in with {
        let SqlExpr::BinaryOp { left, op: sqlparser::ast::BinaryOperator::Eq, right } = e else {
            return Err(format!("expected name = value in WITH (...), found {e}"));
        };
        let SqlExpr::Identifier(name) = left.as_ref() else {
            return Err(format!("expected a parameter name, found {left}"));
        };
        let value = match right.as_ref() {
            SqlExpr::Value(v) => match &v.value {
                sqlparser::ast::Value::SingleQuotedString(s) => s.clone(),
                sqlparser::ast::Value::Number(n, _) => n.clone(),
                sqlparser::ast::Value::Boolean(b) => b.to_string(),
                other => other.to_string(),
            },
            SqlExpr::Identifier(i) => i.value.to_lowercase(),
            other => other.to_string(),
        };
        out.push((fold(name), value));
    }
    // PostgreSQL keeps the parameters in the order written.
    Ok(out)
}
