//! Column spellings already made canonical, kept for the next column that
//! writes them the same way.
//!
//! A schema writes the same few types and defaults on thousands of columns
//! (`bigint`, `varchar(255)`, `DEFAULT now()`), and making each canonical
//! prints and walks its tree again: at 10,000 tables that was a tenth of a
//! plan's parse. Both are pure functions of the tree (sqlparser's equality
//! and hash leave positions out), so the memo only saves the work.
//!
//! One memo per parsing worker (no lock) and per default schema, which the
//! memo holds so that it cannot be asked under another.

use rustc_hash::FxHashMap;
use sqlparser::ast::{DataType, Expr as SqlExpr, Query, Visit, Visitor};
use std::ops::ControlFlow;

use super::expr::{canonical, Context};
use super::types::{resolve, Resolved};
use crate::model::{ColumnType, Expr, SeqType};

/// Canonical column types and defaults, by their parsed trees.
pub struct Memo<'a> {
    default_schema: &'a str,
    types: FxHashMap<DataType, (ColumnType, Option<SeqType>)>,
    defaults: FxHashMap<ColumnType, FxHashMap<SqlExpr, Expr>>,
}

impl<'a> Memo<'a> {
    /// An empty memo for names that resolve to `default_schema`.
    pub fn new(default_schema: &'a str) -> Self {
        Memo { default_schema, types: FxHashMap::default(), defaults: FxHashMap::default() }
    }

    /// The schema unqualified names resolve to.
    pub fn default_schema(&self) -> &'a str {
        self.default_schema
    }

    /// `types::resolve`, remembered. Errors are not kept: they are rare and
    /// their message is made again.
    pub fn resolve(&mut self, data_type: &DataType) -> Result<Resolved, String> {
        if let Some((column_type, serial)) = self.types.get(data_type) {
            return Ok(Resolved { column_type: column_type.clone(), serial: *serial });
        }
        let r = resolve(data_type, self.default_schema)?;
        self.types.insert(data_type.clone(), (r.column_type.clone(), r.serial));
        Ok(r)
    }

    /// The canonical default `expr` of a column of type `column_type`, remembered.
    pub fn default(&mut self, expr: &SqlExpr, column_type: &ColumnType) -> Expr {
        if let Some(done) = self.defaults.get(column_type).and_then(|by_expr| by_expr.get(expr)) {
            return done.clone();
        }
        let done = canonical(expr, &Context { default_schema: self.default_schema, column_type: Some(column_type) });
        // A subquery holds statement parts whose equality leaves out tokens
        // that are printed (PostgreSQL refuses one in a default anyway): it is
        // not kept. So the lookup above, which is every column's, needs no walk
        // of the tree: no kept tree holds a query, so none equals one that does.
        if !has_query(expr) {
            self.defaults.entry(column_type.clone()).or_default().insert(expr.clone(), done.clone());
        }
        done
    }
}

fn has_query(expr: &SqlExpr) -> bool {
    struct AnyQuery;
    impl Visitor for AnyQuery {
        type Break = ();
        fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            ControlFlow::Break(())
        }
    }
    expr.visit(&mut AnyQuery).is_break()
}

#[cfg(test)]
mod tests {
    use sqlparser::ast::{ColumnOption, Statement};
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    use super::*;

    /// The columns of `CREATE TABLE t (<columns>)`, parsed.
    fn columns(sql: &str) -> Vec<sqlparser::ast::ColumnDef> {
        let stmt = Parser::parse_sql(&PostgreSqlDialect {}, &format!("CREATE TABLE t ({sql})")).unwrap().remove(0);
        let Statement::CreateTable(ct) = stmt else { panic!("not a table") };
        ct.columns
    }

    fn default_of(c: &sqlparser::ast::ColumnDef) -> &SqlExpr {
        c.options.iter().find_map(|o| if let ColumnOption::Default(e) = &o.option { Some(e) } else { None }).unwrap()
    }

    #[test]
    fn one_default_on_two_types_is_spelled_for_each() {
        let cols = columns("a integer DEFAULT '7', b text DEFAULT '7', c integer DEFAULT '7'");
        let mut memo = Memo::new("public");
        let spelled: Vec<String> = cols
            .iter()
            .map(|c| {
                let ty = memo.resolve(&c.data_type).unwrap().column_type;
                memo.default(default_of(c), &ty).0
            })
            .collect();
        for (c, got) in cols.iter().zip(&spelled) {
            let ty = resolve(&c.data_type, "public").unwrap().column_type;
            let fresh = canonical(default_of(c), &Context { default_schema: "public", column_type: Some(&ty) });
            assert_eq!(*got, fresh.0, "column {}", c.name);
        }
        assert_ne!(spelled[0], spelled[1], "a text default took the integer one's spelling");
        assert_eq!(spelled[0], spelled[2]);
    }

    #[test]
    fn quoting_and_schema_keep_types_apart() {
        let cols = columns(r#"a mood, b "Mood", c other.mood, d mood"#);
        let mut memo = Memo::new("app");
        let got: Vec<String> =
            cols.iter().map(|c| memo.resolve(&c.data_type).unwrap().column_type.to_string()).collect();
        let fresh: Vec<String> =
            cols.iter().map(|c| resolve(&c.data_type, "app").unwrap().column_type.to_string()).collect();
        assert_eq!(got, fresh);
        assert_eq!(got[0], got[3]);
        assert_ne!(got[0], got[1]);
        assert_ne!(got[0], got[2]);
    }

    #[test]
    fn a_default_with_a_subquery_is_made_each_time() {
        let cols = columns("a integer DEFAULT (SELECT 1)");
        let mut memo = Memo::new("public");
        let ty = memo.resolve(&cols[0].data_type).unwrap().column_type;
        let first = memo.default(default_of(&cols[0]), &ty);
        assert!(memo.defaults.is_empty(), "a default holding a query was remembered");
        assert_eq!(first.0, memo.default(default_of(&cols[0]), &ty).0);
    }
}
