//! What canonical text refers to: the user functions an expression calls (so
//! a plan creates a function before the check, default or index using it, and
//! drops it after), and the relations a SQL function body reads (PostgreSQL
//! checks a SQL body when the function is created).

use std::ops::ControlFlow;

use sqlparser::ast::{visit_expressions, visit_relations, Expr as SqlExpr, ObjectName, ObjectNamePart};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::ident::fold;
use crate::model::{Expr, QualName};

fn qual(name: &ObjectName, default_schema: &str) -> Option<QualName> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => Some(fold(i)),
            _ => None,
        })
        .collect::<Option<_>>()?;
    match parts.as_slice() {
        [n] => Some(QualName::new(default_schema, n.clone())),
        [s, n] if s != "pg_catalog" => Some(QualName::new(s.clone(), n.clone())),
        _ => None,
    }
}

/// The functions called in `expr` (unqualified names in `default_schema`;
/// `pg_catalog` ones left out). Empty when the text does not parse.
pub fn routines_used(expr: &Expr, default_schema: &str) -> Vec<QualName> {
    let Ok(mut parser) = Parser::new(&PostgreSqlDialect {}).try_with_sql(&expr.0) else { return vec![] };
    let Ok(e) = parser.parse_expr() else { return vec![] };
    routines_in(&e, default_schema)
}

/// The functions called in a parsed expression.
pub fn routines_in(e: &SqlExpr, default_schema: &str) -> Vec<QualName> {
    let mut out = Vec::new();
    let _ = visit_expressions(e, |node| {
        if let SqlExpr::Function(f) = node {
            if let Some(q) = qual(&f.name, default_schema) {
                if !out.contains(&q) {
                    out.push(q);
                }
            }
        }
        ControlFlow::<()>::Continue(())
    });
    out
}

/// The column names an expression over one table refers to (the last part of
/// each name, folded). Empty when the text does not parse.
pub fn columns_used(expr: &Expr) -> Vec<String> {
    let Ok(mut parser) = Parser::new(&PostgreSqlDialect {}).try_with_sql(&expr.0) else { return vec![] };
    let Ok(e) = parser.parse_expr() else { return vec![] };
    let mut out: Vec<String> = Vec::new();
    let _ = visit_expressions(&e, |node| {
        let name = match node {
            SqlExpr::Identifier(i) => Some(fold(i)),
            SqlExpr::CompoundIdentifier(parts) => parts.last().map(fold),
            _ => None,
        };
        if let Some(n) = name.filter(|n| !out.contains(n)) {
            out.push(n);
        }
        ControlFlow::<()>::Continue(())
    });
    out
}

/// The relations and functions named in a SQL body, as far as sqlparser
/// reads it (nothing when it does not).
pub fn sql_body_refs(body: &str, default_schema: &str) -> (Vec<QualName>, Vec<QualName>) {
    let Ok(stmts) = Parser::parse_sql(&PostgreSqlDialect {}, body) else { return (vec![], vec![]) };
    let mut rels = Vec::new();
    let mut calls = Vec::new();
    for s in &stmts {
        let _ = visit_relations(s, |r| {
            if let Some(q) = qual(r, default_schema) {
                if !rels.contains(&q) {
                    rels.push(q);
                }
            }
            ControlFlow::<()>::Continue(())
        });
        let _ = visit_expressions(s, |node| {
            if let SqlExpr::Function(f) = node {
                if let Some(q) = qual(&f.name, default_schema) {
                    if !calls.contains(&q) {
                        calls.push(q);
                    }
                }
            }
            ControlFlow::<()>::Continue(())
        });
    }
    (rels, calls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_user_functions() {
        let e = Expr::new("is_positive(a) AND lower(b) = app.norm(b) AND pg_catalog.length(b) > 0");
        let got = routines_used(&e, "public");
        assert!(got.contains(&QualName::new("public", "is_positive")));
        assert!(got.contains(&QualName::new("app", "norm")));
        assert!(!got.iter().any(|q| q.name == "length" && q.schema == "pg_catalog"));
    }

    #[test]
    fn finds_columns() {
        let e = Expr::new("(color <> 'red'::color) AND t.\"Size\" > lower(name)");
        assert_eq!(columns_used(&e), vec!["color", "Size", "name"]);
    }
}
