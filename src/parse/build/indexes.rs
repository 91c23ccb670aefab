//! `CREATE INDEX`.

use sqlparser::ast::CreateIndex;

use super::{expr_name, Builder};
use crate::canon::expr::Context;
use crate::canon::ident::fold;
use crate::model::{Index, IndexKeyExpr, QualName};
use crate::parse::constraints::index_key;
use crate::parse::source::At;
use sqlparser::ast::Expr as SqlExpr;

impl Builder<'_> {
    pub(super) fn create_index(&mut self, ci: &CreateIndex, at: At) {
        let Some(table) = self.qual(&ci.table_name, at) else { return };
        // Materialized views have indexes too (their columns are PostgreSQL's to check).
        let on_table = self.cat.tables.contains_key(&table);
        if !on_table {
            match self.cat.views.get(&table) {
                Some(v) if v.materialized => {}
                Some(_) => {
                    return self.error(at, format!("index on view {table}: only materialized views have indexes"))
                }
                None => return self.error(at, format!("index on table {table}, which the schema does not define")),
            }
        }
        let with = match storage_parameters(&ci.with) {
            Ok(w) => w,
            Err(e) => return self.error(at, e),
        };
        let mut keys = Vec::new();
        let mut key_names = Vec::new();
        for c in &ci.columns {
            match index_key(c, &self.default_schema) {
                Ok(k) => {
                    key_names.push(match &k.expr {
                        IndexKeyExpr::Column(n) => n.clone(),
                        IndexKeyExpr::Expr(e) => expr_name(&e.0),
                    });
                    keys.push(k);
                }
                Err(e) => return self.error(at, e),
            }
        }
        let plain: Vec<String> = keys
            .iter()
            .filter_map(|k| match &k.expr {
                IndexKeyExpr::Column(c) => Some(c.clone()),
                IndexKeyExpr::Expr(_) => None,
            })
            .chain(ci.include.iter().map(fold))
            .collect();
        if on_table && !self.columns_exist(&table, plain.iter(), at) {
            return;
        }
        let index = Index {
            name: String::new(),
            unique: ci.unique,
            method: ci.using.as_ref().map_or("btree".to_string(), |u| u.to_string().to_lowercase()),
            keys,
            include: ci.include.iter().map(fold).collect(),
            nulls_not_distinct: ci.nulls_distinct == Some(false),
            with,
            predicate: ci.predicate.as_ref().map(|p| {
                crate::canon::expr::canonical(p, &Context { default_schema: &self.default_schema, column_type: None })
            }),
            comment: None,
            statistics: Vec::new(),
        };
        match &ci.name {
            Some(n) => {
                let name = n.0.last().and_then(|p| p.as_ident()).map(fold).unwrap_or_default();
                if n.0.len() > 1 {
                    return self.error(at, "an index name cannot be schema-qualified (it lives in its table's schema)");
                }
                self.insert_index(&table, Index { name, ..index }, at, ci.if_not_exists);
            }
            None => self.unnamed_indexes.push((table, index, key_names, at)),
        }
    }

    pub(super) fn insert_index(&mut self, table: &QualName, index: Index, at: At, if_not_exists: bool) {
        if !self.index_names.insert((table.schema.clone(), index.name.clone())) {
            if !if_not_exists {
                self.error(at, format!("index {} is defined twice in schema {}", index.name, table.schema));
            }
            return;
        }
        if let Some(t) = self.cat.tables.get_mut(table) {
            t.indexes.insert(index.name.clone(), index);
        } else if let Some(v) = self.cat.views.get_mut(table) {
            v.indexes.insert(index.name.clone(), index);
        }
    }
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
