//! `CREATE TABLE t (LIKE source INCLUDING ...)` expanded from the source table
//! as the desired files define it, as PostgreSQL copies it at creation: the
//! columns (names, types, `NOT NULL`, collations; defaults, identity,
//! generated expressions, storage, compression and comments when included)
//! where the element stands, then checks (`CONSTRAINTS`), keys, exclusion
//! constraints and indexes under names chosen for the new table (`INDEXES`).
//! Foreign keys are never copied.

use super::Builder;
use crate::canon::names::name_addition;
use crate::model::{Column, ConstraintKind, IndexKeyExpr, QualName};
use crate::parse::like::Like;
use crate::parse::source::At;

impl Builder<'_> {
    /// The source of a `LIKE`, or an error naming it.
    fn like_source(&mut self, like: &Like, at: At) -> Option<QualName> {
        let at = At { file: at.file, span: like.span };
        let q = self.qual(&like.source, at)?;
        if !self.cat.tables.contains_key(&q) {
            self.error(at, format!("LIKE names table {q}, which the schema does not define"));
            return None;
        }
        Some(q)
    }

    /// Columns first, once every table exists (a `LIKE` may name a table
    /// written after it, or one that is itself `LIKE` another, written before).
    pub(super) fn expand_like_columns(&mut self) {
        for (table, like, at) in self.likes.clone() {
            let Some(source) = self.like_source(&like, at) else { continue };
            let i = like.including;
            let copied: Vec<Column> = self
                .cat
                .all_columns(&source)
                .into_iter()
                .map(|(c, _)| Column {
                    name: c.name.clone(),
                    data_type: c.data_type.clone(),
                    not_null: c.not_null,
                    // Named for the new table, as PostgreSQL 18 does.
                    not_null_constraint: Default::default(),
                    collation: c.collation.clone(),
                    default: c.default.clone().filter(|_| i.defaults && c.generated.is_none()),
                    identity: c.identity.clone().filter(|_| i.identity),
                    generated: c.generated.clone().filter(|_| i.generated),
                    // Set by ALTER TABLE, read after this: copied with the keys.
                    storage: None,
                    compression: None,
                    comment: c.comment.clone().filter(|_| i.comments),
                    statistics: None,
                })
                .collect();
            let Some(t) = self.cat.tables.get_mut(&table) else { continue };
            let start = like.position.min(t.columns.len());
            for (at_position, c) in (start..).zip(copied) {
                if t.columns.contains_key(&c.name) {
                    let q = table.clone();
                    self.error(
                        At { file: at.file, span: like.span },
                        format!("column {} of {q} is specified more than once", c.name),
                    );
                    break;
                }
                t.columns.shift_insert(at_position, c.name.clone(), c);
            }
        }
    }

    /// Checks, keys and indexes, once the source's are settled.
    pub(super) fn expand_like_keys(&mut self) {
        for (table, like, at) in self.likes.clone() {
            let Some(source) = self.like_source(&like, at) else { continue };
            let Some(src) = self.cat.tables.get(&source).cloned() else { continue };
            let i = like.including;
            let schema = table.schema.clone();
            let mut constraints = Vec::new();
            for c in src.constraints.values() {
                let label = match &c.kind {
                    ConstraintKind::Check { .. } if i.constraints => None,
                    ConstraintKind::PrimaryKey { .. } if i.indexes => Some(("pkey", Vec::new())),
                    ConstraintKind::Unique { columns, .. } if i.indexes => Some(("key", columns.clone())),
                    ConstraintKind::Exclusion { elements, .. } if i.indexes => {
                        Some(("excl", elements.iter().map(|(k, _)| key_name(&k.expr)).collect()))
                    }
                    _ => continue,
                };
                let mut c = c.clone();
                c.comment = c.comment.filter(|_| i.comments);
                if let Some((label, columns)) = label {
                    let addition = (!columns.is_empty()).then(|| name_addition(&columns));
                    c.name = self.taken(&schema).choose(&table.name, addition.as_deref(), label);
                }
                constraints.push(c);
            }
            let mut indexes = Vec::new();
            for ix in src.indexes.values().filter(|_| i.indexes) {
                let mut ix = ix.clone();
                let columns: Vec<String> = ix.keys.iter().map(|k| key_name(&k.expr)).collect();
                ix.name = self.taken(&schema).choose(&table.name, Some(&name_addition(&columns)), "idx");
                ix.comment = ix.comment.filter(|_| i.comments);
                self.index_names.insert((schema.clone(), ix.name.clone()));
                indexes.push(ix);
            }
            let settings: Vec<(String, Option<String>, Option<String>)> = self
                .cat
                .all_columns(&source)
                .into_iter()
                .map(|(c, _)| {
                    (
                        c.name.clone(),
                        c.storage.clone().filter(|_| i.storage),
                        c.compression.clone().filter(|_| i.compression),
                    )
                })
                .collect();
            let Some(t) = self.cat.tables.get_mut(&table) else { continue };
            for (name, storage, compression) in settings {
                if let Some(c) = t.columns.get_mut(&name) {
                    c.storage = c.storage.take().or(storage);
                    c.compression = c.compression.take().or(compression);
                }
            }
            for c in constraints {
                if let ConstraintKind::PrimaryKey { columns, .. } = &c.kind {
                    for col in columns {
                        if let Some(col) = t.columns.get_mut(col) {
                            col.not_null = true;
                        }
                    }
                }
                t.constraints.insert(c.name.clone(), c);
            }
            for ix in indexes {
                t.indexes.insert(ix.name.clone(), ix);
            }
        }
    }
}

impl Builder<'_> {
    /// Comments (`COMMENTS`), once every `COMMENT ON` is read: of the columns
    /// and of the checks, whose names are the source's.
    pub(super) fn expand_like_comments(&mut self) {
        for (table, like, _) in self.likes.clone() {
            if !like.including.comments {
                continue;
            }
            let Ok(source) = crate::parse::names::object_qual_name(&like.source, &self.default_schema) else {
                continue;
            };
            let Some(src) = self.cat.tables.get(&source).cloned() else { continue };
            let columns: Vec<(String, String)> = self
                .cat
                .all_columns(&source)
                .into_iter()
                .filter_map(|(c, _)| c.comment.clone().map(|m| (c.name.clone(), m)))
                .collect();
            let Some(t) = self.cat.tables.get_mut(&table) else { continue };
            for (name, comment) in columns {
                if let Some(c) = t.columns.get_mut(&name).filter(|c| c.comment.is_none()) {
                    c.comment = Some(comment);
                }
            }
            for c in src.constraints.values().filter(|c| matches!(c.kind, ConstraintKind::Check { .. })) {
                if let Some(mine) = t.constraints.get_mut(&c.name).filter(|m| m.comment.is_none()) {
                    mine.comment = c.comment.clone();
                }
            }
        }
    }
}

/// A key's part of a generated name: the column, the function an expression
/// calls (`lower(note)`: `lower`, as PostgreSQL's `FigureColname`), else `expr`.
fn key_name(k: &IndexKeyExpr) -> String {
    match k {
        IndexKeyExpr::Column(c) => c.clone(),
        IndexKeyExpr::Expr(e) => {
            let text = e.0.trim_start_matches('(');
            let head: String = text.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.').collect();
            let rest = &text[head.len()..];
            match head.rsplit('.').next() {
                Some(f) if !f.is_empty() && rest.starts_with('(') => f.to_lowercase(),
                _ => "expr".to_string(),
            }
        }
    }
}
