//! `CREATE VIEW` and what each view reads.

use super::Builder;
use crate::model::{Dep, GenericKind, ObjectId, QualName, View};
use crate::parse::source::At;
use crate::parse::view::ViewDef;

impl Builder<'_> {
    pub(super) fn create_view(&mut self, def: &mut ViewDef, at: At) {
        let Some(name) = self.qual(&def.name, at) else { return };
        if def.temporary {
            return self.error(at, format!("temporary view {name}: a desired schema holds no temporary objects"));
        }
        if self.cat.tables.contains_key(&name) {
            return self.error(at, format!("{name} is defined as a table and as a view"));
        }
        if let Some(old) = self.cat.views.get(&name) {
            if def.if_not_exists {
                return;
            }
            // Replaying revisions: `CREATE OR REPLACE` of a view that exists.
            if !def.or_replace || old.materialized != def.materialized {
                return self.error(at, format!("view {name} is defined twice"));
            }
        }
        let view = View {
            name: name.clone(),
            materialized: def.materialized,
            columns: std::mem::take(&mut def.columns),
            query: std::mem::take(&mut def.query),
            query_key: std::mem::take(&mut def.query_key),
            options: std::mem::take(&mut def.options),
            with_data: def.with_data,
            indexes: self.cat.views.get(&name).map(|v| v.indexes.clone()).unwrap_or_default(),
            comment: self.cat.views.get(&name).and_then(|v| v.comment.clone()),
            column_comments: Default::default(),
            depends: Vec::new(),
            outputs: std::mem::take(&mut def.outputs),
        };
        self.taken(&name.schema).insert(&name.name);
        self.cat.views.insert(name.clone(), view);
        self.view_refs.push((name, std::mem::take(&mut def.refs)));
    }

    /// What each view reads, now that every relation and column is known: the
    /// columns of a table its query names (all of them under `*`), whole views,
    /// and the functions it calls.
    pub(super) fn settle_view_depends(&mut self) {
        for (name, refs) in std::mem::take(&mut self.view_refs) {
            let mut depends = Vec::new();
            for r in &refs.relations {
                if r == &name {
                    continue;
                }
                if let Some(t) = self.cat.tables.get(r) {
                    depends.push(Dep::Relation(r.clone()));
                    depends.extend(
                        t.columns
                            .keys()
                            .filter(|c| refs.wildcard || refs.names.contains(*c))
                            .map(|c| Dep::Column(r.clone(), c.clone())),
                    );
                } else if self.cat.views.contains_key(r) || self.cat.objects.contains_key(&foreign_table(r)) {
                    depends.push(Dep::Relation(r.clone()));
                }
            }
            depends.extend(refs.routines.iter().map(|f| Dep::Routine(f.clone())));
            if let Some(v) = self.cat.views.get_mut(&name) {
                v.depends = depends;
            }
        }
    }
}

/// The id a foreign table named `name` would have (views read it as a relation).
fn foreign_table(name: &QualName) -> ObjectId {
    ObjectId { kind: GenericKind::ForeignTable, identity: name.sql() }
}
