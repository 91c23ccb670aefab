//! `CREATE POLICY` and `COMMENT ON`.

use sqlparser::ast::{CommentObject, ObjectName, Statement};

use super::Builder;
use crate::canon::ident::fold;
use crate::model::QualName;
use crate::parse::source::At;
use crate::parse::statement::{Located, Stmt};

impl Builder<'_> {
    /// `CREATE POLICY`, once the table's columns are all known.
    pub(super) fn policy(&mut self, s: &Located) {
        let Stmt::Sql(stmt) = &s.stmt else { return };
        let Statement::CreatePolicy(cp) = stmt.as_ref() else { return };
        let at = self.at(s);
        let table = match crate::parse::policy::table_of(cp, &self.default_schema) {
            Ok(t) => t,
            Err(e) => return self.error(at, e),
        };
        let Some(t) = self.cat.tables.get(&table) else {
            return self.error(at, format!("policy on table {table}, which the schema does not define"));
        };
        let policy = match crate::parse::policy::lower(cp, t, &self.default_schema) {
            Ok(p) => p,
            Err(e) => return self.error(at, e),
        };
        if t.policies.contains_key(&policy.name) {
            return self.error(at, format!("policy {} for table {table} is defined twice", policy.name));
        }
        if let Some(t) = self.cat.tables.get_mut(&table) {
            t.policies.insert(policy.name.clone(), policy);
        }
    }

    pub(super) fn comment(&mut self, s: &Located) {
        let at = self.at(s);
        match &s.stmt {
            Stmt::ConstraintComment { policy: true, name, table, text } => {
                let Some(tq) = self.qual(table, at) else { return };
                let pname = name.0.last().and_then(|p| p.as_ident()).map(fold).unwrap_or_default();
                match self.cat.tables.get_mut(&tq).and_then(|t| t.policies.get_mut(&pname)) {
                    Some(p) => p.comment = text.clone(),
                    None => self.error(at, format!("COMMENT ON POLICY: {pname} on {tq} is not defined")),
                }
            }
            Stmt::ConstraintComment { policy: false, name, table, text } => {
                let Some(tq) = self.qual(table, at) else { return };
                let cname = name.0.last().and_then(|p| p.as_ident()).map(fold).unwrap_or_default();
                match self.cat.tables.get_mut(&tq).and_then(|t| t.constraints.get_mut(&cname)) {
                    Some(c) => c.comment = text.clone(),
                    None => self.error(at, format!("COMMENT ON CONSTRAINT: {cname} on {tq} is not defined")),
                }
            }
            Stmt::Sql(stmt) => {
                if let Statement::Comment { object_type, object_name, comment, .. } = stmt.as_ref() {
                    self.comment_on(*object_type, object_name, comment.clone(), at);
                }
            }
            Stmt::ObjectComment(id, text) => match self.cat.objects.get_mut(id) {
                Some(o) => o.comment = text.clone(),
                None => self.error(at, format!("COMMENT ON {id}: it is not defined")),
            },
            Stmt::RoutineComment { name, args, text } => {
                let id = crate::parse::routine::find_routine(&self.cat.routines, name, args.as_deref()).cloned();
                match id {
                    Ok(id) => {
                        if let Some(r) = self.cat.routines.get_mut(&id) {
                            r.comment = text.clone();
                        }
                    }
                    Err(e) => self.error(at, format!("COMMENT ON FUNCTION: {e}")),
                }
            }
            Stmt::TriggerComment { name, table, text } => {
                let id = crate::model::TriggerId { table: table.clone(), name: name.clone() };
                match self.cat.triggers.get_mut(&id) {
                    Some(t) => t.comment = text.clone(),
                    None => self.error(at, format!("COMMENT ON TRIGGER: {id} is not defined")),
                }
            }
            Stmt::SequenceOwnedBy { .. }
            | Stmt::AttachIndex { .. }
            | Stmt::Table(_)
            | Stmt::TableWithClauses(..)
            | Stmt::Index(_)
            | Stmt::Alter(_)
            | Stmt::Domain { .. }
            | Stmt::View(_)
            | Stmt::Routine(..)
            | Stmt::Object(..)
            | Stmt::ObjectMapping(..)
            | Stmt::ObjectOption(..)
            | Stmt::ObjectEdit(..)
            | Stmt::ForeignColumnOptions(..)
            | Stmt::Trigger(..) => {}
            Stmt::Grant(_)
            | Stmt::Skipped(_)
            | Stmt::Drop { .. }
            | Stmt::Key(..)
            | Stmt::Statistics { .. }
            | Stmt::TableAttr { .. } => {}
        }
    }

    /// Records one `COMMENT ON`. One arm per object kind a comment can name.
    pub(super) fn comment_on(&mut self, kind: CommentObject, name: &ObjectName, text: Option<String>, at: At) {
        let parts: Vec<String> = name.0.iter().filter_map(|p| p.as_ident()).map(fold).collect();
        let found = match kind {
            CommentObject::Table => {
                self.qual(name, at).and_then(|q| self.cat.tables.get_mut(&q)).map(|t| t.comment = text)
            }
            CommentObject::Sequence => {
                self.qual(name, at).and_then(|q| self.cat.sequences.get_mut(&q)).map(|t| t.comment = text)
            }
            CommentObject::Type => {
                let q = self.qual(name, at);
                let slot = match q.as_ref().and_then(|q| self.cat.enums.get_mut(q)) {
                    Some(e) => Some(&mut e.comment),
                    None => match q {
                        Some(q) if self.cat.composites.contains_key(&q) => {
                            self.cat.composites.get_mut(&q).map(|c| &mut c.comment)
                        }
                        Some(q) => self.cat.ranges.get_mut(&q).map(|r| &mut r.comment),
                        None => None,
                    },
                };
                slot.map(|c| *c = text)
            }
            CommentObject::Domain => {
                self.qual(name, at).and_then(|q| self.cat.domains.get_mut(&q)).map(|t| t.comment = text)
            }
            CommentObject::Schema => {
                if parts.first().map(String::as_str) == Some("public") {
                    return;
                }
                parts.first().and_then(|s| self.cat.schemas.get_mut(s)).map(|s| s.comment = text)
            }
            CommentObject::Column => {
                let (table, col) = match parts.as_slice() {
                    [t, c] => (QualName::new(&self.default_schema, t.clone()), c.clone()),
                    [s, t, c] => (QualName::new(s.clone(), t.clone()), c.clone()),
                    _ => return self.error(at, format!("COMMENT ON COLUMN expects table.column, found {name}")),
                };
                // An inherited column's comment on a child is not managed (a
                // partition's columns are its parent's).
                let inherited = self.cat.tables.get(&table).is_some_and(|t| !t.columns.contains_key(&col))
                    && self.cat.inherits_column(&table, &col);
                match self.cat.views.get_mut(&table) {
                    Some(v) => {
                        match text {
                            Some(t) => v.column_comments.insert(col, t),
                            None => v.column_comments.shift_remove(&col),
                        };
                        Some(())
                    }
                    None if inherited => {
                        return self.error_help(
                            at,
                            format!("{table}.{col} is inherited: a comment of its own on {table} is not supported"),
                            "comment on the parent's column; pgstate does not manage per-child column settings",
                        )
                    }
                    None => {
                        self.cat.tables.get_mut(&table).and_then(|t| t.columns.get_mut(&col)).map(|c| c.comment = text)
                    }
                }
            }
            CommentObject::View | CommentObject::MaterializedView => {
                let materialized = kind == CommentObject::MaterializedView;
                self.qual(name, at)
                    .and_then(|q| self.cat.views.get_mut(&q))
                    .filter(|v| v.materialized == materialized)
                    .map(|v| v.comment = text)
            }
            CommentObject::Index => {
                let Some(q) = self.qual(name, at) else { return };
                let on_table = self
                    .cat
                    .tables
                    .values_mut()
                    .filter(|t| t.name.schema == q.schema)
                    .find_map(|t| t.indexes.get_mut(&q.name));
                match on_table {
                    Some(i) => Some(i),
                    None => self
                        .cat
                        .views
                        .values_mut()
                        .filter(|v| v.name.schema == q.schema)
                        .find_map(|v| v.indexes.get_mut(&q.name)),
                }
                .map(|i| i.comment = text)
            }
            CommentObject::Extension => return,
            other => {
                return self.error_help(
                    at,
                    format!("unsupported statement: COMMENT ON {other}"),
                    format!("pgstate reads: {}", crate::parse::statement::SUPPORTED),
                )
            }
        };
        if found.is_none() {
            self.error(at, format!("COMMENT ON {kind}: {name} is not defined in the schema"));
        }
    }
}
