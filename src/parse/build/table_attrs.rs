//! `ALTER TABLE` settings read from tokens (`parse::table_attrs`): a column's
//! storage and compression, the index `CLUSTER` uses, the replica identity.

use sqlparser::ast::ObjectName;

use super::Builder;
use crate::model::{QualName, ReplicaIdentity};
use crate::parse::source::At;
use crate::parse::stmt::TableAttr;

impl Builder<'_> {
    pub(super) fn table_attr(&mut self, relation: &ObjectName, attr: &TableAttr, at: At) {
        let Some(q) = self.qual(relation, at) else { return };
        let Some(t) = self.cat.tables.get(&q) else {
            return self.error(at, format!("ALTER TABLE names table {q}, which the schema does not define"));
        };
        match attr {
            TableAttr::Storage { column, value } => {
                let Some(c) = t.columns.get(column) else {
                    return self.error(at, format!("SET STORAGE names column {column} of {q}, which it does not have"));
                };
                // The type's own storage is no setting: PostgreSQL (and pg_dump) cannot tell it apart.
                let default = crate::canon::types::default_storage(&c.data_type, &self.cat);
                let value = value.clone().filter(|v| Some(v.as_str()) != default);
                if let Some(c) = self.cat.tables.get_mut(&q).and_then(|t| t.columns.get_mut(column)) {
                    c.storage = value;
                }
            }
            TableAttr::Compression { column, value } => {
                match self.cat.tables.get_mut(&q).and_then(|t| t.columns.get_mut(column)) {
                    Some(c) => c.compression = value.clone(),
                    None => {
                        self.error(at, format!("SET COMPRESSION names column {column} of {q}, which it does not have"))
                    }
                }
            }
            TableAttr::NotNull { column, constraint } => {
                match self.cat.tables.get_mut(&q).and_then(|t| t.columns.get_mut(column)) {
                    Some(c) => {
                        c.not_null = true;
                        c.not_null_constraint = constraint.clone();
                        super::tables::settle_not_null(&q.name, c);
                    }
                    None => self.error(at, format!("NOT NULL names column {column} of {q}, which it does not have")),
                }
            }
            TableAttr::ClusterOn(index) => {
                if let Some(i) = index {
                    self.index_attrs.push((q.clone(), i.clone(), at));
                }
                if let Some(t) = self.cat.tables.get_mut(&q) {
                    t.cluster_on = index.clone();
                }
            }
            TableAttr::ReplicaIdentity(identity) => {
                if let Some(ReplicaIdentity::Index(i)) = identity {
                    self.index_attrs.push((q.clone(), i.clone(), at));
                }
                if let Some(t) = self.cat.tables.get_mut(&q) {
                    t.replica_identity = identity.clone();
                }
            }
        }
    }

    /// Every index a `CLUSTER ON` or `REPLICA IDENTITY USING INDEX` names is
    /// the table's own (an index, or the one behind a key or exclusion constraint).
    pub(super) fn settle_table_attrs(&mut self) {
        for (table, index, at) in std::mem::take(&mut self.index_attrs) {
            let Some(t) = self.cat.tables.get(&table) else { continue };
            let found = t.indexes.contains_key(&index)
                || t.constraints.get(&index).is_some_and(|c| {
                    matches!(
                        c.kind,
                        crate::model::ConstraintKind::PrimaryKey { .. }
                            | crate::model::ConstraintKind::Unique { .. }
                            | crate::model::ConstraintKind::Exclusion { .. }
                    )
                });
            if !found {
                let q = QualName::new(table.schema.clone(), index);
                self.error(at, format!("index {q} is not an index of table {table}"));
            }
        }
    }
}
