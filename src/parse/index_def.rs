//! `CREATE INDEX` lowered to pgstate's terms on the thread that parsed it, as
//! `table_def` does for tables: an index's sqlparser AST (its keys are full
//! expression trees) is kilobytes, and holding 20,000 of them until the
//! builder ran was the largest single part of a 10,000-table file's peak.

use sqlparser::ast::{CreateIndex, Expr as SqlExpr, ObjectName};

use super::constraints::index_key;
use crate::canon::expr::Context;
use crate::canon::ident::fold;
use crate::model::Index;

/// What the builder needs of a `CREATE INDEX`.
pub struct IndexDef {
    /// The indexed table (or materialized view) as written.
    pub table_name: ObjectName,
    /// The index's name as written, when it has one.
    pub name: Option<ObjectName>,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
    /// The index (its name left empty), or why it could not be read.
    pub index: Result<Index, String>,
}

/// Lowers `ci`; expressions are canonical with `default_schema` for unqualified names.
pub fn lower(ci: CreateIndex, default_schema: &str) -> IndexDef {
    let index = lower_index(&ci, default_schema);
    IndexDef { table_name: ci.table_name, name: ci.name, if_not_exists: ci.if_not_exists, index }
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
