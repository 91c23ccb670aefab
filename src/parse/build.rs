//! Assembles statements into a catalog in phases, so that statement order and
//! file split never matter: definitions first, then tables, then alterations and
//! indexes, then constraint names (chosen as PostgreSQL would), then comments,
//! then cross-reference checks.

use rustc_hash::{FxHashMap, FxHashSet};

use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, CommentObject, CreateIndex, Expr as SqlExpr, ForValues, ObjectName,
    SchemaName, Statement, UserDefinedTypeRepresentation,
};
use sqlparser::tokenizer::Span;

use super::columns::{column, identity_type, seq_options, ParsedColumn};
use super::constraints::{index_key, referenced_columns, RawConstraint, RawKind};
use super::diagnostic::SchemaError;
use super::names::object_qual_name;
use super::source::{At, SourceFile};
use super::statement::{Located, Stmt};
use super::table_def::TableDef;
use super::view::{Refs, ViewDef};
use super::Parsed;
use crate::canon::expr::{canonical, Context};
use crate::canon::ident::fold;
use crate::canon::names::{name_addition, Taken};
use crate::model::RenameHint;
use crate::model::{
    Catalog, Constraint, ConstraintKind, Deferral, Dep, EnumType, Extension, ForeignKey, Identity, Index, IndexKeyExpr,
    PartitionBound, PartitionOf, QualName, Schema, SeqOptions, Sequence, Table, View,
};

/// The schema unqualified names resolve to without a server (PostgreSQL's
/// default search_path).
pub const DEFAULT_SCHEMA: &str = "public";

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
    /// Identifiers cut to 63 bytes, to warn and to explain a clash.
    truncations: super::truncation::Truncations,
}

/// Who wrote the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// A person: every reference is checked.
    User,
    /// PostgreSQL's own output: types may come from outside the text.
    Server,
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
        truncations: Default::default(),
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
    for s in &mut statements {
        let at = At { file: s.file, span: s.span };
        if let Stmt::View(def) = &mut s.stmt {
            b.create_view(def, at);
        }
    }
    for s in &statements {
        b.alteration(s);
    }
    b.settle_constraints();
    b.settle_indexes();
    b.settle_attached_indexes();
    b.settle_view_depends();
    for s in &statements {
        b.policy(s);
    }
    for s in &statements {
        b.comment(s);
    }
    // After every object exists, in statement order: a REVOKE undoes an earlier GRANT.
    for s in &statements {
        if let Stmt::Grant(g) = &s.stmt {
            let at = b.at(s);
            if let Err(e) = super::grants::lower(&mut b.cat, g, &b.default_schema, trust == Trust::User) {
                b.error(at, e);
            }
        }
    }
    b.settle_child_settings();
    b.settle_partitions();
    b.settle_inherited_columns();
    if trust == Trust::User {
        b.check_references();
    }
    let warnings = b.truncations.warnings(files);
    let mut catalog = b.cat;
    catalog.sort();
    Parsed { catalog, hints: b.hints, files: Vec::new(), warnings }
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
        self.taken.entry(schema.to_string()).or_default()
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
                    if let Ok(q) = object_qual_name(&def.name, &self.default_schema) {
                        self.taken(&q.schema).insert(&q.name);
                    }
                    continue;
                }
                Stmt::Index(ci) => {
                    if let (Some(n), Ok(t)) = (&ci.name, object_qual_name(&ci.table_name, &self.default_schema)) {
                        if let Some(last) = n.0.last().and_then(|p| p.as_ident()) {
                            self.taken(&t.schema).insert(&fold(last));
                        }
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

    fn definition(&mut self, s: &Located) {
        let at = self.at(s);
        match &s.stmt {
            Stmt::Domain { def, not_null } => return self.domain(def, *not_null, at),
            // OR REPLACE over an existing one (in a revision) keeps its comment, as PostgreSQL does.
            Stmt::Routine(r, replace) => {
                let id = r.id();
                let mut r = (**r).clone();
                match self.cat.routines.get(&id) {
                    Some(old) if *replace => r.comment = old.comment.clone(),
                    Some(_) => return self.error(at, format!("{} {id} is defined twice", r.kind.sql().to_lowercase())),
                    None => {}
                }
                self.cat.routines.insert(id, r);
                return;
            }
            Stmt::Trigger(t, replace) => {
                let id = t.id();
                let mut t = (**t).clone();
                match self.cat.triggers.get(&id) {
                    Some(old) if *replace => t.comment = old.comment.clone(),
                    Some(_) => return self.error(at, format!("trigger {id} is defined twice")),
                    None => {}
                }
                self.trigger_at.push((id.clone(), at));
                self.cat.triggers.insert(id, t);
                return;
            }
            _ => {}
        }
        let Stmt::Sql(stmt) = &s.stmt else { return };
        match stmt.as_ref() {
            Statement::CreateSchema { schema_name, if_not_exists, .. } => {
                let name = match schema_name {
                    SchemaName::Simple(n) => n.0.last().and_then(|p| p.as_ident()).map(fold),
                    SchemaName::NamedAuthorization(n, _) => n.0.last().and_then(|p| p.as_ident()).map(fold),
                    SchemaName::UnnamedAuthorization(i) => Some(fold(i)),
                };
                let Some(name) = name else { return self.error(at, "unsupported schema name") };
                if name == "public" || name == self.default_schema {
                    return;
                }
                if self.cat.schemas.contains_key(&name) {
                    if !if_not_exists {
                        self.error(at, format!("schema {name} is defined twice"));
                    }
                    return;
                }
                self.cat.schemas.insert(name.clone(), Schema { name, comment: None });
            }
            Statement::CreateExtension(ext) => {
                let name = fold(&ext.name);
                let schema = Some(ext.schema.as_ref().map_or(self.default_schema.clone(), fold));
                if self.cat.extensions.contains_key(&name) && !ext.if_not_exists {
                    return self.error(at, format!("extension {name} is defined twice"));
                }
                self.cat.extensions.insert(name.clone(), Extension { name, schema });
            }
            Statement::CreateType { name, representation } => {
                let Some(q) = self.qual(name, at) else { return };
                match representation {
                    Some(UserDefinedTypeRepresentation::Composite { attributes }) => {
                        self.composite(q, attributes, at)
                    }
                    Some(UserDefinedTypeRepresentation::Range { options }) => self.range(q, options, at),
                    Some(UserDefinedTypeRepresentation::Enum { labels }) => {
                        if self.cat.has_type(&q) {
                            return self.error(at, format!("type {q} is defined twice"));
                        }
                        for l in labels {
                            if let Some((_, old)) = s.hints.iter().find(|(line, _)| *line == l.span.start.line) {
                                self.hints.push(RenameHint::EnumValue {
                                    name: q.clone(),
                                    value: l.value.clone(),
                                    from: old.clone(),
                                });
                            }
                        }
                        let labels: Vec<String> = labels.iter().map(|l| l.value.clone()).collect();
                        let mut seen = std::collections::HashSet::new();
                        if let Some(dup) = labels.iter().find(|l| !seen.insert(*l)) {
                            return self.error(at, format!("enum {q} lists the label {dup:?} twice"));
                        }
                        // PostgreSQL refuses (does not cut) a label longer than a name.
                        if let Some(long) = labels.iter().find(|l| l.len() > crate::canon::limits::MAX_IDENT) {
                            return self.error(at, format!("enum {q}: the label {long:?} is longer than 63 bytes"));
                        }
                        self.cat.enums.insert(q.clone(), EnumType { name: q, labels, comment: None });
                    }
                    _ => self.error_help(
                        at,
                        format!("unsupported statement: CREATE TYPE {q} (only enum, composite and range types are supported)"),
                        format!("pgstate reads: {}", super::statement::SUPPORTED),
                    ),
                }
            }
            Statement::CreateSequence { name, sequence_options, temporary, if_not_exists } => {
                let Some(q) = self.qual(name, at) else { return };
                if *temporary {
                    return self.error(at, "temporary sequences are not part of a schema");
                }
                if self.cat.sequences.contains_key(&q) {
                    if !if_not_exists {
                        self.error(at, format!("sequence {q} is defined twice"));
                    }
                    return;
                }
                let options = match seq_options(sequence_options, crate::model::SeqType::BigInt) {
                    Ok(o) => o,
                    Err(e) => return self.error(at, e),
                };
                let mut owned_by = None;
                for o in sequence_options {
                    if let sqlparser::ast::SequenceOptions::OwnedBy(Some(owner)) = o {
                        owned_by = self.owner(owner, at);
                    }
                }
                self.cat.sequences.insert(q.clone(), Sequence { name: q, options, owned_by, comment: None });
            }
            _ => {}
        }
    }

    fn composite(&mut self, q: QualName, attributes: &[sqlparser::ast::UserDefinedTypeCompositeAttributeDef], at: At) {
        if self.cat.has_type(&q) {
            return self.error(at, format!("type {q} is defined twice"));
        }
        let mut composite =
            crate::model::CompositeType { name: q.clone(), attributes: Default::default(), comment: None };
        for a in attributes {
            let name = fold(&a.name);
            let data_type = match crate::canon::types::resolve(&a.data_type, &self.default_schema) {
                Ok(r) if r.serial.is_none() => r.column_type,
                Ok(_) => return self.error(at, format!("type {q}: serial is not a type")),
                Err(e) => return self.error(at, format!("type {q}, attribute {name}: {e}")),
            };
            if let Some(t) = data_type.custom() {
                self.type_uses.push((q.clone(), name.clone(), t, at));
            }
            let collation = a.collation.as_ref().map(super::names::collation_name);
            let attribute = crate::model::Attribute { name: name.clone(), data_type, collation };
            if composite.attributes.insert(name.clone(), attribute).is_some() {
                return self.error(at, format!("type {q} has attribute {name} twice"));
            }
        }
        self.cat.composites.insert(q, composite);
    }

    fn range(&mut self, q: QualName, options: &[sqlparser::ast::UserDefinedTypeRangeOption], at: At) {
        use sqlparser::ast::UserDefinedTypeRangeOption as O;
        if self.cat.has_type(&q) {
            return self.error(at, format!("type {q} is defined twice"));
        }
        let mut range = crate::model::RangeType {
            name: q.clone(),
            subtype: crate::model::ColumnType::builtin(""),
            opclass: None,
            collation: None,
            canonical: None,
            subtype_diff: None,
            multirange: None,
            comment: None,
        };
        let mut subtype = None;
        for o in options {
            match o {
                O::Subtype(dt) => match crate::canon::types::resolve(dt, &self.default_schema) {
                    Ok(r) if r.serial.is_none() => subtype = Some(r.column_type),
                    Ok(_) => return self.error(at, format!("range type {q}: serial is not a type")),
                    Err(e) => return self.error(at, format!("range type {q}: {e}")),
                },
                O::SubtypeOpClass(n) => range.opclass = Some(sql_routine_name(n, &self.default_schema)),
                O::Collation(n) => range.collation = Some(super::names::collation_name(n)),
                O::Canonical(n) => range.canonical = Some(sql_routine_name(n, &self.default_schema)),
                O::SubtypeDiff(n) => range.subtype_diff = Some(sql_routine_name(n, &self.default_schema)),
                O::MultirangeTypeName(n) => match self.qual(n, at) {
                    Some(m) if m != crate::model::RangeType::default_multirange(&q) => range.multirange = Some(m),
                    Some(_) => {}
                    None => return,
                },
            }
        }
        let Some(subtype) = subtype else {
            return self.error(at, format!("range type {q}: SUBTYPE is required"));
        };
        if let Some(t) = subtype.custom() {
            self.type_uses.push((q.clone(), String::new(), t, at));
        }
        range.subtype = subtype;
        self.cat.ranges.insert(q, range);
    }

    fn domain(&mut self, def: &sqlparser::ast::CreateDomain, not_null: bool, at: At) {
        let Some(q) = self.qual(&def.name, at) else { return };
        if self.cat.has_type(&q) {
            return self.error(at, format!("type {q} is defined twice"));
        }
        let base = match crate::canon::types::resolve(&def.data_type, &self.default_schema) {
            Ok(r) if r.serial.is_none() => r.column_type,
            Ok(_) => return self.error(at, format!("domain {q}: serial is not a type")),
            Err(e) => return self.error(at, format!("domain {q}: {e}")),
        };
        let ctx = Context { default_schema: &self.default_schema, column_type: Some(&base) };
        let default = def.default.as_ref().map(|d| canonical(d, &ctx));
        let mut checks = crate::model::Map::default();
        let mut taken = Taken::default();
        let mut unnamed = Vec::new();
        for c in &def.constraints {
            match c {
                sqlparser::ast::TableConstraint::Check(ch) => {
                    let expr =
                        canonical(&ch.expr, &Context { default_schema: &self.default_schema, column_type: None });
                    match &ch.name {
                        Some(n) => {
                            let n = fold(n);
                            taken.insert(&n);
                            if checks.insert(n.clone(), expr).is_some() {
                                self.error(at, format!("constraint {n} for domain {q} is defined twice"));
                            }
                        }
                        None => unnamed.push(expr),
                    }
                }
                other => {
                    self.error(at, format!("domain {q}: unsupported constraint {other} (only CHECK and NOT NULL)"))
                }
            }
        }
        for expr in unnamed {
            checks.insert(taken.choose(&q.name, None, "check"), expr);
        }
        if let Some(t) = base.custom() {
            self.type_uses.push((q.clone(), String::new(), t, at));
        }
        let collation = def.collation.as_ref().map(fold);
        let domain =
            crate::model::Domain { name: q.clone(), base, collation, default, not_null, checks, comment: None };
        self.cat.domains.insert(q, domain);
    }

    /// `table.column` or `schema.table.column`.
    fn owner(&mut self, name: &ObjectName, at: At) -> Option<(QualName, String)> {
        let parts: Vec<String> = name.0.iter().filter_map(|p| p.as_ident()).map(fold).collect();
        match parts.as_slice() {
            [t, c] => Some((QualName::new(&self.default_schema, t.clone()), c.clone())),
            [s, t, c] => Some((QualName::new(s.clone(), t.clone()), c.clone())),
            _ => {
                self.error(at, format!("OWNED BY expects table.column, found {name}"));
                None
            }
        }
    }

    /// Adds a table; its columns and constraints are taken out of `def`, not
    /// cloned: no later phase reads them again.
    fn create_table(&mut self, def: &mut TableDef, at: At, hints: &[(u64, String)]) {
        let Some(q) = self.qual(&def.name, at) else { return };
        if def.temporary {
            return self.error(at, "temporary tables are not part of a schema");
        }
        if def.unsupported_form {
            return self.error_help(
                at,
                format!("unsupported table form in {q}: CREATE TABLE ... AS / LIKE"),
                "declare the columns explicitly",
            );
        }
        if self.cat.tables.contains_key(&q) {
            if !def.if_not_exists {
                let message = match self.table_at.get(&q).copied() {
                    Some(first) => {
                        let (line, _) =
                            self.files[first.file].line_col(self.files[first.file].offset(first.span.start));
                        format!("table {q} is defined twice (first at {}:{line})", self.files[first.file].name)
                    }
                    None => format!("table {q} already exists"),
                };
                self.error(at, message);
            }
            return;
        }
        let name_line = def.name_line();
        let mut table = Table::new(q.clone());
        table.unlogged = def.unlogged;
        // A hint ends its line: it names the last thing that starts there (a
        // column, else the table), not every column written on that line.
        let column_lines: FxHashSet<u64> = def.columns.iter().map(|c| c.at.span.start.line).collect();
        let last_on_line: FxHashSet<usize> = (0..def.columns.len())
            .filter(|&i| {
                def.columns.get(i + 1).is_none_or(|n| n.at.span.start.line != def.columns[i].at.span.start.line)
            })
            .collect();
        for h in hints {
            if h.0 == name_line && !column_lines.contains(&name_line) {
                let from = QualName::new(q.schema.clone(), h.1.clone());
                self.hints.push(RenameHint::Table { table: q.clone(), from });
            }
        }
        self.table_at.insert(q.clone(), at);
        match def.partition_by.take() {
            Some(Ok(key)) => table.partition_by = Some(key),
            Some(Err(e)) => self.error(at, e),
            None => {}
        }
        if let Some((parent, bound)) = def.partition_of.take() {
            if !def.columns.is_empty() {
                self.error_help(
                    at,
                    format!("column options in {q} ... PARTITION OF are not supported"),
                    "a partition's columns are its parent's: declare defaults and NOT NULL on the parent",
                );
            }
            if let Some(parent) = self.qual(&parent, at) {
                table.partition_of = Some(PartitionOf { parent, bound: PartitionBound::Default });
                self.partition_bounds.push((q.clone(), bound, at));
            }
        }
        for parent in std::mem::take(&mut def.inherits) {
            if let Some(parent) = self.qual(&parent, at) {
                table.inherits.push(parent);
            }
        }
        table.columns.reserve(def.columns.len());
        for (i, col) in std::mem::take(&mut def.columns).into_iter().enumerate() {
            let hints = if last_on_line.contains(&i) { hints } else { &[] };
            match col.parsed {
                Ok(parsed) => self.add_column(&mut table, parsed, col.at, hints),
                Err(e) => self.error(col.at, format!("column {}: {e}", col.name)),
            }
        }
        self.cat.tables.insert(q.clone(), table);
        for c in std::mem::take(&mut def.constraints) {
            match c {
                Ok(rc) => self.pending.push((q.clone(), rc)),
                Err(e) => self.error(at, e),
            }
        }
    }

    fn add_column_def(&mut self, table: &QualName, def: &sqlparser::ast::ColumnDef, at: At, hints: &[(u64, String)]) {
        let parsed = match column(def, &self.default_schema, at) {
            Ok(parsed) => parsed,
            Err(e) => return self.error(at, format!("column {}: {e}", fold(&def.name))),
        };
        let Some(slot) = self.cat.tables.get_mut(table) else { return };
        let mut t = std::mem::replace(slot, Table::new(table.clone()));
        self.add_column(&mut t, parsed, at, hints);
        if let Some(slot) = self.cat.tables.get_mut(table) {
            *slot = t;
        }
    }

    /// Adds a column to `t`, which is not in the catalog while this runs
    /// (a table being created, or one taken out by `add_column_def`).
    fn add_column(&mut self, t: &mut Table, parsed: ParsedColumn, at: At, hints: &[(u64, String)]) {
        let ParsedColumn { mut column, constraints, serial } = parsed;
        let table = &t.name;
        let name = column.name.clone();
        if t.columns.contains_key(&name) {
            return self.error(at, format!("column {name} is defined twice in table {table}"));
        }
        if let Some(seq_type) = serial {
            let seq_name = self.taken(&table.schema).choose(&table.name, Some(&name), "seq");
            let seq = QualName::new(table.schema.clone(), seq_name);
            column.default = Some(crate::model::Expr::new(format!(
                "nextval({}::regclass)",
                crate::canon::quote_literal(&seq.sql())
            )));
            self.cat.sequences.insert(
                seq.clone(),
                Sequence {
                    name: seq,
                    options: SeqOptions::defaults(seq_type, 1),
                    owned_by: Some((table.clone(), name.clone())),
                    comment: None,
                },
            );
        }
        if let Some(t) = column.data_type.custom() {
            self.type_uses.push((table.clone(), name.clone(), t, at));
        }
        for h in hints {
            if h.0 == at.span.start.line {
                self.hints.push(RenameHint::Column {
                    table: table.clone(),
                    column: name.clone(),
                    from: fold(&sqlparser::ast::Ident::new(h.1.clone())),
                });
            }
        }
        for c in constraints {
            self.pending.push((table.clone(), c));
        }
        t.columns.insert(name, column);
    }

    fn alteration(&mut self, s: &Located) {
        let at = self.at(s);
        match &s.stmt {
            Stmt::Alter(alter) => {
                let Some(q) = self.qual(&alter.name, at) else { return };
                if !self.cat.tables.contains_key(&q) {
                    return self.error(at, format!("ALTER TABLE names table {q}, which the schema does not define"));
                }
                for op in &alter.operations {
                    self.alter_op(&q, op, at, &s.hints);
                }
            }
            Stmt::Index(ci) => self.create_index(ci, at),
            Stmt::Sql(_) => {}
            Stmt::SequenceOwnedBy { sequence, owner } => {
                let Some(q) = self.qual(sequence, at) else { return };
                let owned_by = match owner {
                    Some(o) => self.owner(o, at),
                    None => None,
                };
                match self.cat.sequences.get_mut(&q) {
                    Some(seq) => seq.owned_by = owned_by,
                    None => {
                        self.error(at, format!("ALTER SEQUENCE names sequence {q}, which the schema does not define"))
                    }
                }
            }
            Stmt::AttachIndex { child } => self.attached_indexes.push((child.clone(), at)),
            Stmt::ConstraintComment { .. }
            | Stmt::Table(_)
            | Stmt::PartitionedTable(..)
            | Stmt::Domain { .. }
            | Stmt::View(_)
            | Stmt::Routine(..)
            | Stmt::Trigger(..)
            | Stmt::RoutineComment { .. }
            | Stmt::TriggerComment { .. }
            | Stmt::Grant(_) => {}
        }
    }

    fn alter_op(&mut self, table: &QualName, op: &AlterTableOperation, at: At, hints: &[(u64, String)]) {
        match op {
            AlterTableOperation::AddConstraint { constraint, .. } => {
                match super::constraints::from_table_constraint(constraint, None, &self.default_schema, at) {
                    Ok(rc) => self.pending.push((table.clone(), rc)),
                    Err(e) => self.error(at, e),
                }
            }
            AlterTableOperation::AddColumn { column_def, if_not_exists, .. } => {
                let exists = self.cat.tables[table].columns.contains_key(&fold(&column_def.name));
                if !(exists && *if_not_exists) {
                    let col_at = At { file: at.file, span: column_def.name.span };
                    self.add_column_def(table, column_def, col_at, hints);
                }
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                let col_name = fold(column_name);
                let Some(col) = self.cat.tables.get_mut(table).and_then(|t| t.columns.get_mut(&col_name)) else {
                    // pg_dump sets an inherited column's default on each child: it
                    // is the parent's, which PostgreSQL copies by itself. Anything
                    // else would be the child's own setting, which is not modelled.
                    if let Some(inherited) = self.cat.find_column(table, &col_name) {
                        // Judged once every statement is read: the parent's default may come later.
                        let default = match op {
                            AlterColumnOperation::SetDefault { value } => {
                                let ctx = Context {
                                    default_schema: &self.default_schema,
                                    column_type: Some(&inherited.data_type),
                                };
                                Some(canonical(value, &ctx))
                            }
                            _ => None,
                        };
                        self.child_settings.push((table.clone(), col_name, default, at));
                        return;
                    }
                    return self.error(at, format!("column {col_name} does not exist in table {table}"));
                };
                match op {
                    AlterColumnOperation::SetNotNull => col.not_null = true,
                    AlterColumnOperation::DropNotNull => col.not_null = false,
                    AlterColumnOperation::SetDefault { value } => {
                        col.default = Some(canonical(
                            value,
                            &Context { default_schema: &self.default_schema, column_type: Some(&col.data_type) },
                        ));
                    }
                    AlterColumnOperation::DropDefault => col.default = None,
                    AlterColumnOperation::AddGenerated { generated_as, sequence_options } => {
                        let always = !matches!(generated_as, Some(sqlparser::ast::GeneratedAs::ByDefault));
                        let result =
                            identity_type(col).and_then(|t| seq_options(sequence_options.as_deref().unwrap_or(&[]), t));
                        match result {
                            Ok(options) => {
                                col.identity = Some(Identity { always, options });
                                col.not_null = true;
                            }
                            Err(e) => self.error(at, e),
                        }
                    }
                    other => self.error(at, format!("unsupported in a desired schema: ALTER COLUMN ... {other}")),
                }
            }
            AlterTableOperation::EnableTrigger { name }
            | AlterTableOperation::DisableTrigger { name }
            | AlterTableOperation::EnableReplicaTrigger { name }
            | AlterTableOperation::EnableAlwaysTrigger { name } => {
                use crate::model::TriggerEnabled as E;
                let state = match op {
                    AlterTableOperation::DisableTrigger { .. } => E::Disabled,
                    AlterTableOperation::EnableReplicaTrigger { .. } => E::Replica,
                    AlterTableOperation::EnableAlwaysTrigger { .. } => E::Always,
                    _ => E::Origin,
                };
                let tname = fold(name);
                let all = name.quote_style.is_none() && matches!(tname.as_str(), "all" | "user");
                let mut found = false;
                for t in self.cat.triggers.values_mut().filter(|t| &t.table == table) {
                    if all || t.name == tname {
                        t.enabled = state;
                        found = true;
                    }
                }
                if !found && !all {
                    self.error(at, format!("trigger {tname} on {table} is not defined"));
                }
            }
            AlterTableOperation::EnableRowLevelSecurity | AlterTableOperation::DisableRowLevelSecurity => {
                if let Some(t) = self.cat.tables.get_mut(table) {
                    t.row_security = matches!(op, AlterTableOperation::EnableRowLevelSecurity);
                }
            }
            AlterTableOperation::ForceRowLevelSecurity | AlterTableOperation::NoForceRowLevelSecurity => {
                if let Some(t) = self.cat.tables.get_mut(table) {
                    t.force_row_security = matches!(op, AlterTableOperation::ForceRowLevelSecurity);
                }
            }
            AlterTableOperation::DropColumn { column_names, if_exists, .. } => {
                for c in column_names {
                    let name = fold(c);
                    let removed = self.cat.tables.get_mut(table).and_then(|t| t.columns.shift_remove(&name));
                    if removed.is_none() && !*if_exists {
                        let why =
                            if self.cat.inherits_column(table, &name) { "is inherited" } else { "does not exist" };
                        self.error(at, format!("cannot drop column {name} of {table}: it {why}"));
                    }
                }
            }
            AlterTableOperation::AttachPartitionOf { partition, for_values } => {
                let Some(child) = self.qual(partition, at) else { return };
                match self.cat.tables.get_mut(&child) {
                    Some(t) => {
                        t.partition_of = Some(PartitionOf { parent: table.clone(), bound: PartitionBound::Default });
                        self.partition_bounds.push((child, for_values.clone(), at));
                    }
                    None => self
                        .error(at, format!("ATTACH PARTITION names table {child}, which the schema does not define")),
                }
            }
            AlterTableOperation::DetachPartitionOf { partition, .. } => {
                let Some(child) = self.qual(partition, at) else { return };
                if self.cat.tables.get(&child).and_then(|t| t.partition_of.as_ref()).map(|p| &p.parent) != Some(table) {
                    return self.error(at, format!("{child} is not a partition of {table}"));
                }
                self.cat.disinherit(&child, table);
            }
            AlterTableOperation::Inherit { parent } => {
                let Some(parent) = self.qual(parent, at) else { return };
                if let Some(t) = self.cat.tables.get_mut(table) {
                    if !t.inherits.contains(&parent) {
                        t.inherits.push(parent);
                    }
                }
            }
            AlterTableOperation::NoInherit { parent } => {
                let Some(parent) = self.qual(parent, at) else { return };
                if !self.cat.tables.get(table).is_some_and(|t| t.inherits.contains(&parent)) {
                    return self.error(at, format!("{table} does not inherit from {parent}"));
                }
                self.cat.disinherit(table, &parent);
            }
            other => self.error_help(
                at,
                format!("unsupported in a desired schema: ALTER TABLE ... {other}"),
                format!("pgstate reads: {}", super::statement::SUPPORTED),
            ),
        }
    }

    /// `ALTER INDEX parent ATTACH PARTITION child`: the child index (or the
    /// key constraint it backs) is the parent's on that partition, which
    /// PostgreSQL creates and drops with the parent's: it leaves the model.
    fn settle_attached_indexes(&mut self) {
        for (child, at) in std::mem::take(&mut self.attached_indexes) {
            let Some(q) = self.qual(&child, at) else { continue };
            let found = self.cat.tables.values_mut().filter(|t| t.name.schema == q.schema).any(|t| {
                let index = t.indexes.shift_remove(&q.name).is_some();
                let key = !index
                    && t.constraints.get(&q.name).is_some_and(|c| {
                        matches!(
                            c.kind,
                            ConstraintKind::PrimaryKey { .. }
                                | ConstraintKind::Unique { .. }
                                | ConstraintKind::Exclusion { .. }
                        )
                    });
                if key {
                    t.constraints.shift_remove(&q.name);
                }
                index || key
            });
            if !found {
                self.error(
                    at,
                    format!("ALTER INDEX ... ATTACH PARTITION names index {q}, which the schema does not define"),
                );
            }
        }
    }

    /// `ALTER COLUMN` on a column a table inherits: fine only as pg_dump
    /// writes it, the parent's own default set again on the child.
    fn settle_child_settings(&mut self) {
        for (table, column, default, at) in std::mem::take(&mut self.child_settings) {
            let parents =
                self.cat.tables.get(&table).map(|t| t.parents().cloned().collect::<Vec<_>>()).unwrap_or_default();
            let theirs = parents.iter().find_map(|p| self.cat.find_column(p, &column)).map(|c| c.default.clone());
            if default.is_none() || theirs != Some(default) {
                self.error_help(
                    at,
                    format!("{table}.{column} is inherited: a setting of its own on {table} is not supported"),
                    "set it on the parent table; pgstate does not manage per-child column settings",
                );
            }
        }
    }

    /// Spells each partition's bound for its parent's key types, and takes
    /// out of the partition what is its parent's: columns, and checks of the
    /// parent's name (pg_dump writes a partition as a table of its own, then
    /// attaches it).
    fn settle_partitions(&mut self) {
        for (child, bound, at) in std::mem::take(&mut self.partition_bounds) {
            let Some(parent) =
                self.cat.tables.get(&child).and_then(|t| t.partition_of.as_ref()).map(|p| p.parent.clone())
            else {
                continue;
            };
            let Some(p) = self.cat.tables.get(&parent) else {
                self.error(at, format!("{child} is a partition of {parent}, which the schema does not define"));
                continue;
            };
            let Some(key) = p.partition_by.clone() else {
                self.error(
                    at,
                    format!("{child} is a partition of {parent}, which is not partitioned (no PARTITION BY)"),
                );
                continue;
            };
            let types = self.cat.partition_key_types(&parent);
            let spelled = partition_bound(&bound, key.strategy, &types);
            let bound = match spelled {
                Ok(b) => b,
                Err(e) => {
                    self.error(at, format!("partition {child}: {e}"));
                    continue;
                }
            };
            // pg_dump writes a partition's columns as they are, copies of its
            // parent's; a setting of its own would be lost, so it is refused.
            let own: Vec<String> = self.cat.tables[&child]
                .columns
                .values()
                .filter(|c| {
                    let parent = self.cat.find_column(&parent, &c.name);
                    c.comment.is_some()
                        || parent.is_none_or(|pc| pc.default != c.default || (c.not_null && !pc.not_null))
                })
                .map(|c| c.name.clone())
                .collect();
            if !own.is_empty() {
                self.error_help(
                    at,
                    format!("partition {child}: column(s) {} differ from its parent's (a default, NOT NULL or comment of their own, or not in the parent)", own.join(", ")),
                    "a partition's columns are its parent's: set them on the parent",
                );
            }
            if let Some(t) = self.cat.tables.get_mut(&child) {
                if let Some(po) = &mut t.partition_of {
                    po.bound = bound;
                }
                t.columns.clear();
            }
            self.cat.shed_inherited_checks(&child);
        }
    }

    /// Children of `INHERITS` in canonical form (see `Catalog::merge_inherited`).
    fn settle_inherited_columns(&mut self) {
        let children: Vec<QualName> =
            self.cat.tables.values().filter(|t| !t.inherits.is_empty()).map(|t| t.name.clone()).collect();
        for child in children {
            self.cat.merge_inherited(&child);
        }
    }

    fn create_index(&mut self, ci: &CreateIndex, at: At) {
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
                crate::canon::expr::canonical_written(
                    p,
                    &Context { default_schema: &self.default_schema, column_type: None },
                )
            }),
            comment: None,
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

    fn insert_index(&mut self, table: &QualName, index: Index, at: At, if_not_exists: bool) {
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

    fn settle_indexes(&mut self) {
        for (table, mut index, key_names, at) in std::mem::take(&mut self.unnamed_indexes) {
            let addition = name_addition(&key_names);
            index.name = self.taken(&table.schema).choose(&table.name, Some(&addition), "idx");
            self.insert_index(&table, index, at, false);
        }
    }

    /// Names and resolves constraints in PostgreSQL's order: primary keys, unique
    /// and exclusion, checks, foreign keys (which need the others to exist).
    fn settle_constraints(&mut self) {
        let mut pending = std::mem::take(&mut self.pending);
        pending.sort_by_key(|(_, c)| c.kind.rank());
        // Primary keys written in their table's CREATE TABLE (see the UNIQUE arm).
        let mut pk_in_create: FxHashSet<QualName> = FxHashSet::default();
        for (table, raw) in pending {
            let RawConstraint { name, kind, deferral, at } = raw;
            if let Some(n) = &name {
                self.taken(&table.schema).insert(n);
            }
            let choose = |b: &mut Self, name2: Option<String>, label: &str| -> String {
                match &name {
                    Some(n) => n.clone(),
                    None => b.taken(&table.schema).choose(&table.name, name2.as_deref(), label),
                }
            };
            let kind = match kind {
                RawKind::PrimaryKey { columns, include } => {
                    if self.cat.tables[&table].primary_key().is_some() {
                        self.error(at, format!("multiple primary keys for table {table} are not allowed"));
                        continue;
                    }
                    if !self.columns_exist(&table, columns.iter().chain(&include), at) {
                        continue;
                    }
                    if let Some(t) = self.cat.tables.get_mut(&table) {
                        for c in &columns {
                            if let Some(col) = t.columns.get_mut(c) {
                                col.not_null = true;
                            }
                        }
                    }
                    if self.in_create_table(&table, at) {
                        pk_in_create.insert(table.clone());
                    }
                    let n = choose(self, None, "pkey");
                    (n, ConstraintKind::PrimaryKey { columns, include })
                }
                RawKind::UsingIndex { primary, index } => {
                    let Some(idx) = self.cat.tables.get_mut(&table).and_then(|t| t.indexes.shift_remove(&index)) else {
                        self.error(at, format!("USING INDEX: index {index} is not defined on {table}"));
                        continue;
                    };
                    let columns = idx.column_keys();
                    if !idx.unique
                        || idx.method != "btree"
                        || idx.predicate.is_some()
                        || columns.len() != idx.keys.len()
                    {
                        self.error(at, format!("USING INDEX: {index} is not a unique index on plain columns"));
                        continue;
                    }
                    self.index_names.remove(&(table.schema.clone(), index.clone()));
                    // The constraint takes the index over, under the constraint's name.
                    let n = name.clone().unwrap_or(index);
                    if primary {
                        if self.cat.tables[&table].primary_key().is_some() {
                            self.error(at, format!("multiple primary keys for table {table} are not allowed"));
                            continue;
                        }
                        if let Some(t) = self.cat.tables.get_mut(&table) {
                            for c in &columns {
                                if let Some(col) = t.columns.get_mut(c) {
                                    col.not_null = true;
                                }
                            }
                        }
                        (n, ConstraintKind::PrimaryKey { columns, include: idx.include })
                    } else {
                        let nulls_not_distinct = idx.nulls_not_distinct;
                        (n, ConstraintKind::Unique { columns, include: idx.include, nulls_not_distinct })
                    }
                }
                RawKind::Unique { columns, include, nulls_not_distinct } => {
                    // `id int PRIMARY KEY UNIQUE`: within one CREATE TABLE, PostgreSQL
                    // drops an unnamed unique constraint that would build the primary
                    // key's index again (in separate statements both stay).
                    let same_as_pk = pk_in_create.contains(&table)
                        && self.in_create_table(&table, at)
                        && self.cat.tables[&table].primary_key().is_some_and(|pk| {
                        matches!(&pk.kind, ConstraintKind::PrimaryKey { columns: c, include: i } if *c == columns && *i == include)
                    });
                    if name.is_none() && same_as_pk && !nulls_not_distinct && deferral == Deferral::Immediate {
                        continue;
                    }
                    if !self.columns_exist(&table, columns.iter().chain(&include), at) {
                        continue;
                    }
                    let n = choose(self, Some(name_addition(&columns)), "key");
                    (n, ConstraintKind::Unique { columns, include, nulls_not_distinct })
                }
                RawKind::Exclusion { method, elements, predicate } => {
                    let names: Vec<String> = elements
                        .iter()
                        .map(|(k, _)| match &k.expr {
                            IndexKeyExpr::Column(c) => c.clone(),
                            IndexKeyExpr::Expr(e) => expr_name(&e.0),
                        })
                        .collect();
                    let n = choose(self, Some(name_addition(&names)), "excl");
                    let predicate = predicate
                        .map(|p| canonical(&p, &Context { default_schema: &self.default_schema, column_type: None }));
                    (n, ConstraintKind::Exclusion { method, elements, predicate })
                }
                RawKind::Check { expr, no_inherit } => {
                    let cols = referenced_columns(&expr);
                    let only = (cols.len() == 1).then(|| cols.into_iter().next()).flatten();
                    let n = choose(self, only, "check");
                    let ctx = Context { default_schema: &self.default_schema, column_type: None };
                    let expr = crate::canon::expr::canonical_written(&expr, &ctx);
                    (n, ConstraintKind::Check { expr, no_inherit })
                }
                RawKind::ForeignKey { columns, ref_table, mut ref_columns, on_delete, on_update, match_kind } => {
                    if !self.columns_exist(&table, columns.iter(), at) {
                        continue;
                    }
                    let Some(target) = self.cat.tables.get(&ref_table) else {
                        self.error(
                            at,
                            format!(
                                "foreign key on {table} references table {ref_table}, which the schema does not define"
                            ),
                        );
                        continue;
                    };
                    if ref_columns.is_empty() {
                        match target.primary_key().map(|pk| &pk.kind) {
                            Some(ConstraintKind::PrimaryKey { columns, .. }) => ref_columns = columns.clone(),
                            _ => {
                                self.error(at, format!("there is no primary key for referenced table {ref_table}"));
                                continue;
                            }
                        }
                    }
                    if !self.columns_exist(&ref_table, ref_columns.iter(), at) {
                        continue;
                    }
                    if ref_columns.len() != columns.len() {
                        self.error(at, "number of referencing and referenced columns for foreign key disagree");
                        continue;
                    }
                    if self.cat.tables[&ref_table].unique_key(&ref_columns).is_none() {
                        self.error(
                            at,
                            format!(
                            "there is no unique constraint matching given keys for referenced table {ref_table} ({})",
                            ref_columns.join(", ")
                        ),
                        );
                        continue;
                    }
                    let n = choose(self, Some(name_addition(&columns)), "fkey");
                    (
                        n,
                        ConstraintKind::ForeignKey(ForeignKey {
                            columns,
                            ref_table,
                            ref_columns,
                            on_delete,
                            on_update,
                            match_kind,
                        }),
                    )
                }
            };
            let (name, kind) = kind;
            let Some(t) = self.cat.tables.get_mut(&table) else { continue };
            if t.constraints.contains_key(&name) {
                self.error(at, format!("constraint {name} for table {table} is defined twice"));
                continue;
            }
            t.constraints.insert(name.clone(), Constraint { name, kind, deferral, comment: None });
        }
    }

    fn create_view(&mut self, def: &mut ViewDef, at: At) {
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
    fn settle_view_depends(&mut self) {
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
                } else if self.cat.views.contains_key(r) {
                    depends.push(Dep::Relation(r.clone()));
                }
            }
            depends.extend(refs.routines.iter().map(|f| Dep::Routine(f.clone())));
            if let Some(v) = self.cat.views.get_mut(&name) {
                v.depends = depends;
            }
        }
    }

    /// Whether `at` lies within the `CREATE TABLE` of `table`.
    fn in_create_table(&self, table: &QualName, at: At) -> bool {
        let Some(t) = self.table_at.get(table) else { return false };
        let pos = |l: sqlparser::tokenizer::Location| (l.line, l.column);
        t.file == at.file && pos(t.span.start) <= pos(at.span.start) && pos(at.span.end) <= pos(t.span.end)
    }

    fn columns_exist<'c>(&mut self, table: &QualName, mut cols: impl Iterator<Item = &'c String>, at: At) -> bool {
        let missing = {
            let cat = &self.cat;
            cols.find(|c| cat.find_column(table, c).is_none()).cloned()
        };
        match missing {
            Some(c) => {
                self.error(at, format!("column {c} does not exist in table {table}"));
                false
            }
            None => true,
        }
    }

    /// `CREATE POLICY`, once the table's columns are all known.
    fn policy(&mut self, s: &Located) {
        let Stmt::Sql(stmt) = &s.stmt else { return };
        let Statement::CreatePolicy(cp) = stmt.as_ref() else { return };
        let at = self.at(s);
        let table = match super::policy::table_of(cp, &self.default_schema) {
            Ok(t) => t,
            Err(e) => return self.error(at, e),
        };
        let Some(t) = self.cat.tables.get(&table) else {
            return self.error(at, format!("policy on table {table}, which the schema does not define"));
        };
        let policy = match super::policy::lower(cp, t, &self.default_schema) {
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

    fn comment(&mut self, s: &Located) {
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
            Stmt::RoutineComment { name, args, text } => {
                let id = super::routine::find_routine(&self.cat.routines, name, args.as_deref()).cloned();
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
            | Stmt::PartitionedTable(..)
            | Stmt::Index(_)
            | Stmt::Alter(_)
            | Stmt::Domain { .. }
            | Stmt::View(_)
            | Stmt::Routine(..)
            | Stmt::Trigger(..) => {}
            Stmt::Grant(_) => {}
        }
    }

    fn comment_on(&mut self, kind: CommentObject, name: &ObjectName, text: Option<String>, at: At) {
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
                    format!("pgstate reads: {}", super::statement::SUPPORTED),
                )
            }
        };
        if found.is_none() {
            self.error(at, format!("COMMENT ON {kind}: {name} is not defined in the schema"));
        }
    }

    fn check_references(&mut self) {
        let loose = self.cat.extensions.keys().any(|e| !TYPELESS_EXTENSIONS.contains(&e.as_str()));
        for (table, column, ty, at) in std::mem::take(&mut self.type_uses) {
            if !self.cat.has_type(&ty) && !loose {
                let what =
                    if column.is_empty() { format!("domain {table}") } else { format!("column {column} of {table}") };
                self.error_help(
                    at,
                    format!("{what} has unknown type {ty}"),
                    "define it with CREATE TYPE ... AS ENUM or CREATE DOMAIN, or check the spelling",
                );
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

/// A function's or operator class's name as SQL: parts folded and quoted as
/// needed, `pg_catalog.` (where the built-in ones live) and the default
/// schema left out, so that a name PostgreSQL prints qualified and one
/// written bare compare equal (both resolve through the search path).
fn sql_routine_name(name: &ObjectName, default_schema: &str) -> String {
    let parts: Vec<String> = name.0.iter().filter_map(|p| p.as_ident()).map(fold).collect();
    let parts = match parts.as_slice() {
        [schema, rest @ ..] if (schema == "pg_catalog" || schema == default_schema) && !rest.is_empty() => {
            rest.to_vec()
        }
        _ => parts,
    };
    parts.iter().map(|p| crate::canon::quote_ident(p)).collect::<Vec<_>>().join(".")
}

/// The name PostgreSQL gives an index expression column: the function called, or `expr`.
fn expr_name(canonical_text: &str) -> String {
    let head: String = canonical_text.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    if !head.is_empty() && canonical_text[head.len()..].starts_with('(') {
        head
    } else {
        "expr".to_string()
    }
}

/// A bound as written, checked against the parent's strategy and spelled for its key types.
fn partition_bound(
    bound: &ForValues,
    strategy: crate::model::PartitionStrategy,
    types: &[Option<crate::model::ColumnType>],
) -> Result<PartitionBound, String> {
    use crate::canon::partition::bound_value;
    use crate::model::PartitionStrategy as S;
    let ty = |i: usize| types.get(i).and_then(|t| t.as_ref());
    let values = |vs: &[sqlparser::ast::PartitionBoundValue]| -> Result<Vec<String>, String> {
        vs.iter().enumerate().map(|(i, v)| bound_value(v, ty(i))).collect()
    };
    match (bound, strategy) {
        (ForValues::Default, S::Range | S::List) => Ok(PartitionBound::Default),
        (ForValues::In(vs), S::List) => {
            let mut out = Vec::new();
            for v in vs {
                out.push(bound_value(&sqlparser::ast::PartitionBoundValue::Expr(v.clone()), ty(0))?);
            }
            Ok(PartitionBound::In(out))
        }
        (ForValues::From { from, to }, S::Range) => {
            if from.len() != types.len() || to.len() != types.len() {
                return Err(format!("the bound has {} values, the key {}", from.len().max(to.len()), types.len()));
            }
            Ok(PartitionBound::Range { from: values(from)?, to: values(to)? })
        }
        (ForValues::With { modulus, remainder }, S::Hash) => Ok(PartitionBound::Hash {
            modulus: u32::try_from(*modulus).map_err(|_| "modulus out of range".to_string())?,
            remainder: u32::try_from(*remainder).map_err(|_| "remainder out of range".to_string())?,
        }),
        (b, s) => Err(format!("bound {b} does not fit a {} partitioned table", s.sql())),
    }
}
