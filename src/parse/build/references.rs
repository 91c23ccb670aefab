//! Cross-reference checks: every name a statement uses exists.

use sqlparser::tokenizer::Span;

use super::Builder;
use crate::model::{QualName, Schema};
use crate::parse::diagnostic::SchemaError;
use crate::parse::source::At;

/// A type the files use but do not define, left for a target database to resolve.
#[derive(Debug, Clone)]
pub struct UnknownType {
    /// The type, schema-qualified as PostgreSQL would resolve it.
    pub name: QualName,
    /// The error to report, with its file and span, when the target does not know it either.
    pub error: SchemaError,
    /// An extension the files declare may define it: not an error when the target lacks it.
    pub excused: bool,
}

impl Builder<'_> {
    /// Whether `at` lies within the `CREATE TABLE` of `table`.
    pub(super) fn in_create_table(&self, table: &QualName, at: At) -> bool {
        let Some(t) = self.table_at.get(table) else { return false };
        let pos = |l: sqlparser::tokenizer::Location| (l.line, l.column);
        t.file == at.file && pos(t.span.start) <= pos(at.span.start) && pos(at.span.end) <= pos(t.span.end)
    }

    /// Whether the table an `ALTER TABLE` names is defined; an error at `at` when not.
    pub(super) fn table_exists(&mut self, table: &QualName, at: At) -> bool {
        let exists = self.cat.tables.contains_key(table);
        if !exists {
            self.error(at, format!("ALTER TABLE names table {table}, which the schema does not define"));
        }
        exists
    }

    pub(super) fn columns_exist<'c>(
        &mut self,
        table: &QualName,
        mut cols: impl Iterator<Item = &'c String>,
        at: At,
    ) -> bool {
        let missing = {
            let cat = &self.cat;
            // The table is looked up once: a column is nearly always its own.
            let own = cat.tables.get(table);
            cols.find(|c| !own.is_some_and(|t| t.columns.contains_key(*c)) && cat.find_column(table, c).is_none())
                .cloned()
        };
        match missing {
            Some(c) => {
                self.error(at, format!("column {c} does not exist in table {table}"));
                false
            }
            None => true,
        }
    }

    /// Checks every name used exists. With `open` (a target database will be
    /// asked), a type the files do not define is returned rather than refused:
    /// the error it would have been travels with it.
    pub(super) fn check_references(&mut self, open: bool) -> Vec<UnknownType> {
        let loose = self.cat.extensions.keys().any(|e| !TYPELESS_EXTENSIONS.contains(&e.as_str()));
        let mut unknown = Vec::new();
        for (table, column, ty, at) in std::mem::take(&mut self.type_uses) {
            if self.cat.has_type(&ty) || (loose && !open) {
                continue;
            }
            let what =
                if column.is_empty() { format!("domain {table}") } else { format!("column {column} of {table}") };
            let file = &self.files[at.file];
            let error = SchemaError::new(file, file.span(at.span), format!("{what} has unknown type {ty}"), "here")
                .with_help("define it with CREATE TYPE ... AS ENUM or CREATE DOMAIN, or check the spelling");
            if open {
                // An extension the files declare may define it: then only the target may refuse it.
                unknown.push(UnknownType { name: ty, error, excused: loose });
            } else {
                self.errors.push(error);
            }
        }
        for (id, at) in std::mem::take(&mut self.trigger_at) {
            if !self.cat.tables.contains_key(&id.table) && !self.cat.views.contains_key(&id.table) {
                let m = format!("trigger {} is on {}, which the schema does not define", id.name, id.table);
                self.error(at, m);
            }
        }
        let mut problems = Vec::new();
        for seq in self.cat.sequences.values() {
            if let Some((t, c)) = &seq.owned_by {
                let ok = self.cat.tables.get(t).is_some_and(|t| t.columns.contains_key(c));
                if !ok {
                    problems
                        .push(format!("sequence {} is owned by {t}.{c}, which the schema does not define", seq.name));
                } else if t.schema != seq.name.schema {
                    problems.push(format!("sequence {} must be in the same schema as its owner {t}", seq.name));
                }
            }
        }
        // A schema that objects live in is part of the desired state, declared or not.
        let used: Vec<String> = self
            .cat
            .tables
            .keys()
            .chain(self.cat.sequences.keys())
            .chain(self.cat.enums.keys())
            .chain(self.cat.domains.keys())
            .chain(self.cat.views.keys())
            .chain(self.cat.routines.keys().map(|r| &r.name))
            .chain(self.cat.composites.keys())
            .chain(self.cat.ranges.keys())
            .map(|q| q.schema.clone())
            .collect();
        for schema in used {
            if !self.cat.has_schema(&schema) && schema != self.default_schema {
                self.cat.schemas.insert(schema.clone(), Schema { name: schema, comment: None });
            }
        }
        problems.dedup();
        // These have no single statement to point at; the first file carries them.
        for p in problems {
            let at = At { file: 0, span: Span::empty() };
            self.error(at, p);
        }
        unknown
    }
}

/// Extensions known to define no types, so an unknown type under them is an error.
const TYPELESS_EXTENSIONS: &[&str] = &[
    "uuid-ossp",
    "pgcrypto",
    "pg_trgm",
    "btree_gin",
    "btree_gist",
    "pg_stat_statements",
    "unaccent",
    "plpgsql",
    "tablefunc",
    "fuzzystrmatch",
];
