//! One walker over every place the model names a relation or a column by
//! name, so that a rename (a hint in the differ, `RENAME TO` in the model's
//! mirror of DDL or in revision replay) follows all of them, as PostgreSQL's
//! references by OID do.
//!
//! A new field that names a relation must be visited here; the renames and
//! the tests that rename partition and `INHERITS` parents rely on it.

use super::{Catalog, ConstraintKind, Dep, GrantObject, QualName};

impl Catalog {
    /// Calls `f` on every name of a relation held anywhere as a reference:
    /// foreign keys' targets, partition parents, `INHERITS` parents, triggers'
    /// tables, sequence owners, grants' objects and the `Dep`s of views,
    /// routines, triggers and policies. Keys of the maps are not visited
    /// (`rename_relation` moves them).
    pub fn visit_relation_refs(&mut self, f: &mut dyn FnMut(&mut QualName)) {
        let dep = |d: &mut Dep, f: &mut dyn FnMut(&mut QualName)| {
            if let Dep::Relation(r) | Dep::Column(r, _) = d {
                f(r);
            }
        };
        for t in self.tables.values_mut() {
            for c in t.constraints.values_mut() {
                if let ConstraintKind::ForeignKey(fk) = &mut c.kind {
                    f(&mut fk.ref_table);
                }
            }
            if let Some(p) = &mut t.partition_of {
                f(&mut p.parent);
            }
            t.inherits.iter_mut().for_each(&mut *f);
            for p in t.policies.values_mut() {
                p.depends.iter_mut().for_each(|d| dep(d, f));
            }
        }
        for v in self.views.values_mut() {
            v.depends.iter_mut().for_each(|d| dep(d, f));
        }
        for r in self.routines.values_mut() {
            r.depends.iter_mut().for_each(|d| dep(d, f));
        }
        for t in self.triggers.values_mut() {
            f(&mut t.table);
            t.depends.iter_mut().for_each(|d| dep(d, f));
        }
        for s in self.sequences.values_mut() {
            if let Some((t, _)) = &mut s.owned_by {
                f(t);
            }
        }
    }

    /// Calls `f` on every name of a column of `table` held as a reference
    /// outside an expression: key, index and foreign key column lists (of the
    /// table, and of foreign keys pointing at it), a trigger's `UPDATE OF`,
    /// sequence ownership, column grants and `Dep`s. Expressions are text and
    /// rewritten by the caller (`canon::expr::rename_column_ref`).
    pub fn visit_column_refs(&mut self, table: &QualName, f: &mut dyn FnMut(&mut String)) {
        let dep = |d: &mut Dep, f: &mut dyn FnMut(&mut String)| {
            if let Dep::Column(r, c) = d {
                if r == table {
                    f(c);
                }
            }
        };
        for t in self.tables.values_mut() {
            let own = &t.name == table;
            for c in t.constraints.values_mut() {
                match &mut c.kind {
                    ConstraintKind::PrimaryKey { columns, include }
                    | ConstraintKind::Unique { columns, include, .. }
                        if own =>
                    {
                        columns.iter_mut().chain(include.iter_mut()).for_each(&mut *f);
                    }
                    ConstraintKind::Exclusion { elements, .. } if own => {
                        for (k, _) in elements.iter_mut() {
                            if let super::IndexKeyExpr::Column(c) = &mut k.expr {
                                f(c);
                            }
                        }
                    }
                    ConstraintKind::ForeignKey(fk) => {
                        if own {
                            fk.columns.iter_mut().for_each(&mut *f);
                        }
                        if &fk.ref_table == table {
                            fk.ref_columns.iter_mut().for_each(&mut *f);
                        }
                    }
                    _ => {}
                }
            }
            if own {
                for i in t.indexes.values_mut() {
                    i.include.iter_mut().for_each(&mut *f);
                    for k in i.keys.iter_mut() {
                        if let super::IndexKeyExpr::Column(c) = &mut k.expr {
                            f(c);
                        }
                    }
                }
            }
            for p in t.policies.values_mut() {
                p.depends.iter_mut().for_each(|d| dep(d, f));
            }
        }
        for v in self.views.values_mut() {
            v.depends.iter_mut().for_each(|d| dep(d, f));
        }
        for r in self.routines.values_mut() {
            r.depends.iter_mut().for_each(|d| dep(d, f));
        }
        for t in self.triggers.values_mut() {
            if &t.table == table {
                t.update_of.iter_mut().for_each(&mut *f);
            }
            t.depends.iter_mut().for_each(|d| dep(d, f));
        }
        for s in self.sequences.values_mut() {
            if let Some((t, c)) = &mut s.owned_by {
                if t == table {
                    f(c);
                }
            }
        }
        let grants = std::mem::take(&mut self.grants);
        self.grants = grants
            .into_iter()
            .map(|(mut k, v)| {
                if let GrantObject::Column(t, c) = &mut k.object {
                    if t == table {
                        f(c);
                    }
                }
                (k, v)
            })
            .collect();
    }

    /// Renames a table or view, keeping its place in the maps, and every
    /// reference to it (see `visit_relation_refs`).
    pub fn rename_relation(&mut self, from: &QualName, to: &QualName) {
        if let Some(i) = self.tables.get_index_of(from) {
            let (_, mut t) = self.tables.shift_remove_index(i).expect("index just found");
            t.name = to.clone();
            self.tables.shift_insert(i, to.clone(), t);
        }
        if let Some(i) = self.views.get_index_of(from) {
            let (_, mut v) = self.views.shift_remove_index(i).expect("index just found");
            v.name = to.clone();
            self.views.shift_insert(i, to.clone(), v);
        }
        self.visit_relation_refs(&mut |r| {
            if r == from {
                *r = to.clone();
            }
        });
        // Triggers are keyed by their table; grants by their object.
        let triggers = std::mem::take(&mut self.triggers);
        self.triggers = triggers.into_values().map(|t| (t.id(), t)).collect();
        let grants = std::mem::take(&mut self.grants);
        self.grants = grants
            .into_iter()
            .map(|(mut k, v)| {
                match &mut k.object {
                    GrantObject::Table(t) | GrantObject::Column(t, _) if t == from => *t = to.clone(),
                    _ => {}
                }
                (k, v)
            })
            .collect();
    }

    /// Renames a column of `table` in place, and every reference to it held
    /// by name (see `visit_column_refs`).
    pub fn rename_column_refs(&mut self, table: &QualName, from: &str, to: &str) {
        if let Some(t) = self.tables.get_mut(table) {
            if let Some(i) = t.columns.get_index_of(from) {
                let (_, mut c) = t.columns.shift_remove_index(i).expect("index just found");
                c.name = to.to_string();
                t.columns.shift_insert(i, to.to_string(), c);
            }
        }
        self.visit_column_refs(table, &mut |c| {
            if c == from {
                *c = to.to_string();
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, ColumnType, PartitionBound, PartitionOf, Table};

    fn int() -> ColumnType {
        ColumnType { base: "integer".into(), schema: None, typmod: None, array: false }
    }

    #[test]
    fn renaming_a_parent_moves_its_partitions_and_children() {
        let mut cat = Catalog::default();
        let p = QualName::new("public", "p");
        let mut parent = Table::new(p.clone());
        parent.columns.insert("a".into(), Column::new("a", int()));
        cat.tables.insert(p.clone(), parent);
        let mut part = Table::new(QualName::new("public", "c"));
        part.partition_of = Some(PartitionOf { parent: p.clone(), bound: PartitionBound::Default });
        cat.tables.insert(part.name.clone(), part);
        let mut child = Table::new(QualName::new("public", "k"));
        child.inherits = vec![p.clone()];
        cat.tables.insert(child.name.clone(), child);
        let q = QualName::new("public", "q");
        cat.rename_relation(&p, &q);
        assert_eq!(cat.tables.get_index_of(&q), Some(0));
        assert_eq!(cat.tables[&QualName::new("public", "c")].partition_of.as_ref().map(|x| &x.parent), Some(&q));
        assert_eq!(cat.tables[&QualName::new("public", "k")].inherits, vec![q]);
    }
}
