//! `CREATE INDEX`.

use super::{expr_name, Builder};
use crate::model::{Index, IndexKeyExpr, QualName};
use crate::parse::index_def::{IndexDef, IndexName};
use crate::parse::source::At;

impl Builder<'_> {
    /// Takes `def`'s index: the statement is read once.
    pub(super) fn create_index(&mut self, def: &mut IndexDef, at: At) {
        let table = match std::mem::replace(&mut def.table, Err(String::new())) {
            Ok(table) => table,
            Err(e) => return self.error(at, e),
        };
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
        let index = match std::mem::replace(&mut def.index, Err(String::new())) {
            Ok(index) => index,
            Err(e) => return self.error(at, e),
        };
        let plain: Vec<String> = index
            .keys
            .iter()
            .filter_map(|k| match &k.expr {
                IndexKeyExpr::Column(c) => Some(c.clone()),
                IndexKeyExpr::Expr(_) => None,
            })
            .chain(index.include.iter().cloned())
            .collect();
        if on_table && !self.columns_exist(&table, plain.iter(), at) {
            return;
        }
        match def.name.take() {
            Some(IndexName::Qualified(_)) => {
                self.error(at, "an index name cannot be schema-qualified (it lives in its table's schema)")
            }
            Some(IndexName::Plain(name)) => self.insert_index(&table, Index { name, ..index }, at, def.if_not_exists),
            None => {
                // What PostgreSQL names the index after.
                let key_names = index
                    .keys
                    .iter()
                    .map(|k| match &k.expr {
                        IndexKeyExpr::Column(n) => n.clone(),
                        IndexKeyExpr::Expr(e) => expr_name(&e.0),
                    })
                    .collect();
                self.unnamed_indexes.push((table, index, key_names, at))
            }
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
