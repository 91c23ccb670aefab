//! Assembles statements into a catalog in phases, so that statement order and
//! file split never matter: definitions first, then tables, then alterations and
//! indexes, then constraint names (chosen as PostgreSQL would), then comments,
//! then cross-reference checks.

mod comments;
mod definitions;
mod indexes;
mod like;
mod references;
pub use references::UnknownType;
mod settle;
mod table_attrs;
mod tables;
mod views;

use rustc_hash::{FxHashMap, FxHashSet};

use sqlparser::ast::{ForValues, ObjectName, Statement};

use super::constraints::RawConstraint;
use super::diagnostic::SchemaError;
use super::names::object_qual_name;
use super::source::{At, SourceFile};
use super::statement::{Located, Stmt};
use super::view::Refs;
use super::Parsed;
use crate::canon::names::Taken;
use crate::model::RenameHint;
use crate::model::{Catalog, Index, QualName};

/// The schema unqualified names resolve to without a server (PostgreSQL's
/// default search_path).
pub const DEFAULT_SCHEMA: &str = "public";

struct Builder<'a> {
    files: &'a [SourceFile],
    /// Where unqualified names go: the first schema of the search path.
    default_schema: String,
    errors: &'a mut Vec<SchemaError>,
    cat: Catalog,
    taken: FxHashMap<String, Taken>,
    pending: Vec<(QualName, RawConstraint)>,
    unnamed_indexes: Vec<(QualName, Index, Vec<String>, At)>,
    table_at: FxHashMap<QualName, At>,
    type_uses: Vec<(QualName, String, QualName, At)>,
    /// Triggers and where they were written, to check their tables exist.
    trigger_at: Vec<(crate::model::TriggerId, At)>,
    hints: Vec<RenameHint>,
    /// Index names per schema, to find a clash without scanning every table.
    index_names: FxHashSet<(String, String)>,
    /// What each view's query names, resolved once every relation is known.
    view_refs: Vec<(QualName, Refs)>,
    /// Partition bounds as written, spelled once the parents' key types are known.
    partition_bounds: Vec<(QualName, ForValues, At)>,
    /// `ALTER INDEX parent ATTACH PARTITION child`: the children, PostgreSQL's to keep.
    attached_indexes: Vec<(ObjectName, At)>,
    /// `ALTER COLUMN` of a column a table inherits: the default it sets
    /// (`None` for any other setting), fine only if it is the parent's.
    child_settings: Vec<(QualName, String, Option<crate::model::Expr>, At)>,
    /// `ALTER INDEX ... ALTER COLUMN n SET STATISTICS m`, set once every index exists.
    index_statistics: Vec<(ObjectName, usize, i32, At)>,
    /// Indexes named by `CLUSTER ON` / `REPLICA IDENTITY USING INDEX`, checked once every index exists.
    index_attrs: Vec<(QualName, String, At)>,
    /// `LIKE` elements of new tables, expanded once the tables they name are read.
    likes: Vec<(QualName, crate::parse::like::Like, At)>,
    /// Identifiers cut to 63 bytes, to warn and to explain a clash.
    truncations: super::truncation::Truncations,
    /// What was read and left out, to warn about (a key index's tablespace).
    left_out: Vec<String>,
}

/// Who wrote the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// A person: every reference is checked.
    User,
    /// PostgreSQL's own output: types may come from outside the text.
    Server,
    /// A person, with a target database to ask about the types the files use
    /// but do not define: those are recorded in `Parsed::unknown_types`, not refused.
    Open,
}

/// Runs the phases over every statement of every file, on top of `base`
/// (empty for a schema; the state so far when replaying revisions).
pub fn build(
    base: Catalog,
    files: &[SourceFile],
    mut statements: Vec<Located>,
    errors: &mut Vec<SchemaError>,
    trust: Trust,
    default_schema: &str,
) -> Parsed {
    let mut b = Builder {
        files,
        default_schema: default_schema.to_string(),
        errors,
        cat: base,
        taken: FxHashMap::default(),
        pending: Vec::new(),
        unnamed_indexes: Vec::new(),
        table_at: FxHashMap::default(),
        type_uses: Vec::new(),
        trigger_at: Vec::new(),
        hints: Vec::new(),
        index_names: FxHashSet::default(),
        view_refs: Vec::new(),
        partition_bounds: Vec::new(),
        attached_indexes: Vec::new(),
        child_settings: Vec::new(),
        index_statistics: Vec::new(),
        index_attrs: Vec::new(),
        likes: Vec::new(),
        truncations: Default::default(),
        left_out: Vec::new(),
    };
    for s in &statements {
        b.truncations.record(s.file, &s.truncated);
    }
    b.seed_existing();
    b.seed_names(&statements);
    for s in &statements {
        b.definition(s);
    }
    for s in &mut statements {
        let Located { file, span, stmt, hints, .. } = s;
        if let Stmt::Table(def) = stmt {
            b.create_table(def, At { file: *file, span: *span }, hints);
        }
    }
    b.expand_like_columns();
    for s in &mut statements {
        let at = At { file: s.file, span: s.span };
        if let Stmt::View(def) = &mut s.stmt {
            b.create_view(def, at);
        }
    }
    for s in &mut statements {
        b.alteration(s);
    }
    b.settle_constraints();
    b.settle_indexes();
    b.expand_like_keys();
    b.settle_attached_indexes();
    b.settle_index_statistics();
    b.settle_table_attrs();
    b.settle_view_depends();
    for s in &statements {
        b.policy(s);
    }
    for s in &statements {
        b.comment(s);
    }
    b.expand_like_comments();
    // After every object exists, in statement order: a REVOKE undoes an earlier GRANT.
    for s in &statements {
        if let Stmt::Grant(g) = &s.stmt {
            let at = b.at(s);
            if let Err(e) = super::grants::lower(&mut b.cat, g, &b.default_schema, trust != Trust::Server) {
                b.error(at, e);
            }
        }
    }
    super::object::settle_names(&mut b.cat, &b.default_schema);
    super::object::settle_kinds(&mut b.cat, &b.default_schema);
    super::statistics::settle_columns(&mut b.cat);
    b.settle_child_settings();
    b.settle_partitions();
    b.settle_inherited_columns();
    let mut unknown_types = Vec::new();
    if trust != Trust::Server {
        unknown_types = b.check_references(trust == Trust::Open);
    }
    let mut warnings = b.truncations.warnings(files);
    warnings.extend(super::statement::skip_warnings(&statements));
    warnings.append(&mut b.left_out);
    let mut catalog = b.cat;
    catalog.sort();
    Parsed { catalog, hints: b.hints, files: Vec::new(), warnings, unknown_types, open: trust == Trust::Open }
}

impl Builder<'_> {
    fn at(&self, s: &Located) -> At {
        At { file: s.file, span: s.span }
    }

    fn error(&mut self, at: At, message: impl Into<String>) {
        let message = message.into();
        let file = &self.files[at.file];
        let mut err = SchemaError::new(file, file.span(at.span), message.as_str(), "here");
        // Two long names that PostgreSQL cuts to the same 63 bytes: say so.
        if let Some(help) = self.truncations.clash_help(&message, self.files) {
            err = err.with_help(help);
        }
        self.errors.push(err);
    }

    fn error_help(&mut self, at: At, message: impl Into<String>, help: impl Into<String>) {
        let file = &self.files[at.file];
        let err = SchemaError::new(file, file.span(at.span), message, "here").with_help(help);
        self.errors.push(err);
    }

    fn qual(&mut self, name: &ObjectName, at: At) -> Option<QualName> {
        match object_qual_name(name, &self.default_schema) {
            Ok(q) => Some(q),
            Err(e) => {
                self.error(at, e);
                None
            }
        }
    }

    fn taken(&mut self, schema: &str) -> &mut Taken {
        // Asked for every constraint and index: the schema's name is copied once.
        if !self.taken.contains_key(schema) {
            self.taken.insert(schema.to_string(), Taken::default());
        }
        self.taken.get_mut(schema).expect("inserted above")
    }

    /// Names of what already exists are taken.
    fn seed_existing(&mut self) {
        for t in self.cat.tables.values() {
            for i in t.indexes.keys() {
                self.index_names.insert((t.name.schema.clone(), i.clone()));
            }
        }
        let mut names: Vec<(String, String)> = Vec::new();
        for t in self.cat.tables.values() {
            names.push((t.name.schema.clone(), t.name.name.clone()));
            names.extend(t.constraints.keys().map(|c| (t.name.schema.clone(), c.clone())));
            names.extend(t.indexes.keys().map(|i| (t.name.schema.clone(), i.clone())));
        }
        names.extend(self.cat.sequences.keys().map(|q| (q.schema.clone(), q.name.clone())));
        for (schema, name) in names {
            self.taken(&schema).insert(&name);
        }
    }

    /// Explicit names are reserved first, so generated names never take them.
    fn seed_names(&mut self, statements: &[Located]) {
        for s in statements {
            let stmt = match &s.stmt {
                Stmt::Table(def) => {
                    if let Ok(q) = &def.name {
                        self.taken(&q.schema).insert(&q.name);
                    }
                    continue;
                }
                Stmt::Index(ci) => {
                    if let (Some(n), Ok(t)) = (&ci.name, &ci.table) {
                        self.taken(&t.schema).insert(n.last());
                    }
                    continue;
                }
                Stmt::Sql(stmt) => stmt,
                _ => continue,
            };
            if let Statement::CreateSequence { name, .. } = stmt.as_ref() {
                if let Ok(q) = object_qual_name(name, &self.default_schema) {
                    self.taken(&q.schema).insert(&q.name);
                }
            }
        }
    }
}

/// The name PostgreSQL gives an index expression column: the function called, or `expr`.
pub(super) fn expr_name(canonical_text: &str) -> String {
    let head: String = canonical_text.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    if !head.is_empty() && canonical_text[head.len()..].starts_with('(') {
        head
    } else {
        "expr".to_string()
    }
}
