//! Canonical forms of view queries. Two spellings of one query written in
//! files compare by sqlparser's printed form (case, spacing and comments
//! gone); against a live database the server decides (see `normalize`),
//! since PostgreSQL re-prints a view's query in its own words.

use std::ops::ControlFlow;

use sqlparser::ast::{visit_expressions_mut, Expr, Ident, Query, Select, TableFactor, VisitMut, VisitorMut};

/// The key that decides whether two parsed queries are the same: printed by
/// sqlparser after two rewrites that never change a query's meaning, so that
/// a query and PostgreSQL's spelling of it meet more often: parentheses
/// around a lone name or literal go, and in a `SELECT` from one relation,
/// column references lose the qualifier naming that relation.
pub fn query_key(query: &Query) -> String {
    let mut q = query.clone();
    let _ = q.visit(&mut Simplify);
    crate::quote::ast::sql(&q)
}

struct Simplify;

impl VisitorMut for Simplify {
    type Break = ();

    fn pre_visit_select(&mut self, select: &mut Select) -> ControlFlow<()> {
        let [only] = select.from.as_slice() else { return ControlFlow::Continue(()) };
        if !only.joins.is_empty() {
            return ControlFlow::Continue(());
        }
        let TableFactor::Table { name, alias, .. } = &only.relation else { return ControlFlow::Continue(()) };
        let qualifier: Option<Ident> = match alias {
            Some(a) => Some(a.name.clone()),
            None => name.0.last().and_then(|p| p.as_ident()).cloned(),
        };
        let Some(qualifier) = qualifier else { return ControlFlow::Continue(()) };
        let _ = visit_expressions_mut(&mut select.projection, |e| {
            unqualify(e, &qualifier);
            ControlFlow::<()>::Continue(())
        });
        if let Some(w) = &mut select.selection {
            let _ = visit_expressions_mut(w, |e| {
                unqualify(e, &qualifier);
                ControlFlow::<()>::Continue(())
            });
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Expr::Nested(inner) = expr {
            if matches!(inner.as_ref(), Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Value(_)) {
                *expr = (**inner).clone();
            }
        }
        ControlFlow::Continue(())
    }
}

fn unqualify(e: &mut Expr, qualifier: &Ident) {
    if let Expr::CompoundIdentifier(parts) = e {
        if parts.len() == 2 && same_ident(&parts[0], qualifier) {
            *e = Expr::Identifier(parts[1].clone());
        }
    }
}

fn same_ident(a: &Ident, b: &Ident) -> bool {
    crate::canon::ident::fold(a) == crate::canon::ident::fold(b)
}

#[cfg(test)]
mod tests {
    fn key(sql: &str) -> String {
        let stmt =
            sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::PostgreSqlDialect {}, sql).expect("parses");
        match &stmt[0] {
            sqlparser::ast::Statement::Query(q) => super::query_key(q),
            other => panic!("not a query: {other}"),
        }
    }

    #[test]
    fn qualifiers_of_the_only_relation_and_lone_parentheses_do_not_count() {
        assert_eq!(
            key("SELECT (hoge.amount)::numeric(10,2) AS n FROM hoge WHERE hoge.x > 1"),
            key("select amount::numeric(10,2) as n from hoge where x > 1")
        );
        // With two relations the qualifier says which one.
        assert_ne!(key("SELECT a.x FROM a, b"), key("SELECT x FROM a, b"));
        // Parentheses that group stay.
        assert_ne!(key("SELECT (a + b) * c FROM t"), key("SELECT a + b * c FROM t"));
    }
}
