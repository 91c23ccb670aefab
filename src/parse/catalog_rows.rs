//! What a catalog read built from its rows instead of having the server
//! print it (`introspect`): the plain tables, keys and indexes, which hold
//! only names, flags and the spellings PostgreSQL printed for types and
//! defaults. Each becomes what the statement it stands for lowers to, so the
//! builder settles it as it settles that statement: a column's type and
//! default are read by the statement parser itself, once per spelling.

use rustc_hash::FxHashMap;
use sqlparser::tokenizer::Span;

use super::columns::ParsedColumn;
use super::constraints::{RawConstraint, RawKind};
use super::index_def::{IndexDef, IndexName};
use super::source::{At, SourceFile};
use super::statement::Located;
use super::stmt::Stmt;
use super::table_def::{ColumnDef, TableDef};
use crate::model::{Deferral, ForeignKey, Index, IndexKey, IndexKeyExpr, QualName};

/// What a catalog read built from rows, read after its DDL (`parse_catalog_ddl`).
#[derive(Default)]
pub struct CatalogRows {
    /// Tables whose columns are each a name, a type, a default and `NOT NULL`.
    pub tables: Vec<CatalogTable>,
    /// Keys and foreign keys.
    pub keys: Vec<CatalogKey>,
    /// Indexes.
    pub indexes: Vec<CatalogIndex>,
}

impl CatalogRows {
    /// The statements the rows stand for, lowered (at the text's start: they are not in it).
    pub(super) fn statements(self) -> Vec<Located> {
        let at = At { file: 0, span: Span::empty() };
        let located = |stmt| Located { file: 0, span: at.span, stmt, hints: Vec::new(), truncated: Vec::new() };
        let mut spellings = Spellings::default();
        let tables = self.tables.into_iter().map(|t| located(Stmt::Table(Box::new(t.def(at, &mut spellings)))));
        let mut out: Vec<Located> = tables.collect();
        out.extend(self.keys.into_iter().map(|key| {
            let (table, raw) = key.raw(at);
            located(Stmt::Key(table, Box::new(raw)))
        }));
        out.extend(self.indexes.into_iter().map(|index| located(Stmt::Index(Box::new(index.def())))));
        out
    }
}

/// A table with no partitioning, parents or storage parameters whose
/// columns hold nothing but a type, a default and `NOT NULL`.
pub struct CatalogTable {
    /// Its name.
    pub name: QualName,
    /// `UNLOGGED`.
    pub unlogged: bool,
    /// Its columns in order.
    pub columns: Vec<CatalogColumn>,
}

/// A column of a `CatalogTable`.
pub struct CatalogColumn {
    /// Its name.
    pub name: String,
    /// Its type as `format_type` prints it.
    pub data_type: String,
    /// Its default as `pg_get_expr` prints it.
    pub default: Option<String>,
    /// `NOT NULL`.
    pub not_null: bool,
}

/// Each (type, default) spelling read so far, as the column `c <type>
/// [DEFAULT <default>]` of a `CREATE TABLE` lowers: the same few recur in
/// every table of a schema.
#[derive(Default)]
struct Spellings(FxHashMap<(String, Option<String>), Result<ParsedColumn, String>>);

impl Spellings {
    fn column(&mut self, data_type: String, default: Option<String>) -> &Result<ParsedColumn, String> {
        self.0.entry((data_type, default)).or_insert_with_key(|(data_type, default)| {
            let default = default.as_ref().map(|d| format!(" DEFAULT {d}")).unwrap_or_default();
            lone_column(&format!("CREATE TABLE t (c {data_type}{default});"))
        })
    }
}

/// The one column of `sql`, a `CREATE TABLE` of one column, read by the statement parser.
fn lone_column(sql: &str) -> Result<ParsedColumn, String> {
    let file = SourceFile::new("live database", sql);
    let (mut out, mut errors) = (Vec::new(), Vec::new());
    super::statement::read_file(0, &file, super::build::DEFAULT_SCHEMA, &mut out, &mut errors);
    if let Some(e) = errors.first() {
        return Err(format!("{sql}: {}", e.message));
    }
    let column = match out.pop().map(|s| s.stmt) {
        Some(Stmt::Table(def)) => <[ColumnDef; 1]>::try_from(def.columns).ok(),
        _ => None,
    };
    match column {
        Some([c]) => c.parsed,
        None => Err(format!("{sql}: not one column")),
    }
}

impl CatalogTable {
    /// What its `CREATE [UNLOGGED] TABLE name (name type [DEFAULT e] [NOT NULL], ...)` lowers to.
    fn def(self, at: At, spellings: &mut Spellings) -> TableDef {
        let columns = self
            .columns
            .into_iter()
            .map(|c| {
                let parsed = spellings.column(c.data_type, c.default).clone().map(|mut p| {
                    p.column.name.clone_from(&c.name);
                    p.column.not_null |= c.not_null;
                    p
                });
                ColumnDef { name: c.name, at, parsed }
            })
            .collect();
        TableDef {
            name: Ok(self.name),
            name_line: 0,
            temporary: false,
            unsupported_form: false,
            partition_by: None,
            partition_of: None,
            inherits: Vec::new(),
            if_not_exists: false,
            unlogged: self.unlogged,
            columns,
            constraints: Vec::new(),
            options: Ok(Vec::new()),
            like: Vec::new(),
        }
    }
}

/// A primary key, unique constraint or foreign key that a catalog read
/// built from its rows instead of having the server print it
/// (`introspect::constraints`): named, its columns by name.
pub struct CatalogKey {
    /// Its table.
    pub table: QualName,
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: KeyKind,
    /// Deferrability.
    pub deferral: Deferral,
    /// False when `NOT VALID`.
    pub validated: bool,
}

/// The kinds of `CatalogKey`.
pub enum KeyKind {
    /// `PRIMARY KEY (columns)`.
    Primary(Vec<String>),
    /// `UNIQUE [NULLS NOT DISTINCT] (columns)`: the columns, and whether nulls are not distinct.
    Unique(Vec<String>, bool),
    /// `FOREIGN KEY (...) REFERENCES ...` with its referenced columns spelled out.
    Foreign(ForeignKey),
}

impl CatalogKey {
    /// The constraint as `ALTER TABLE ONLY ... ADD CONSTRAINT` of the key would give it, written at `at`.
    fn raw(self, at: At) -> (QualName, RawConstraint) {
        let kind = match self.kind {
            KeyKind::Primary(columns) => RawKind::PrimaryKey { columns, include: Vec::new() },
            KeyKind::Unique(columns, nulls_not_distinct) => {
                RawKind::Unique { columns, include: Vec::new(), nulls_not_distinct }
            }
            KeyKind::Foreign(fk) => RawKind::ForeignKey {
                columns: fk.columns,
                ref_table: fk.ref_table,
                ref_columns: fk.ref_columns,
                on_delete: fk.on_delete,
                on_update: fk.on_update,
                match_kind: fk.match_kind,
            },
        };
        let raw = RawConstraint {
            name: Some(self.name),
            kind,
            deferral: self.deferral,
            validated: self.validated,
            index: super::key_options::KeyIndex::default(),
            at,
        };
        (self.table, raw)
    }
}

/// A plain index (btree over columns, each with its defaults; no
/// predicate, options or `INCLUDE`) that a catalog read built from its row
/// instead of printing it (`introspect::indexes`).
pub struct CatalogIndex {
    /// Its table or materialized view.
    pub table: QualName,
    /// Its name.
    pub name: String,
    /// `UNIQUE`.
    pub unique: bool,
    /// Its columns, in key order.
    pub columns: Vec<String>,
}

impl CatalogIndex {
    /// What `CREATE [UNIQUE] INDEX name ON table USING btree (columns)` lowers to.
    fn def(self) -> IndexDef {
        let keys = self
            .columns
            .into_iter()
            .map(|c| IndexKey {
                expr: IndexKeyExpr::Column(c),
                opclass: None,
                desc: false,
                nulls_first: None,
                collation: None,
            })
            .collect();
        IndexDef {
            table: Ok(self.table),
            name: Some(IndexName::Plain(self.name)),
            if_not_exists: false,
            index: Ok(Index {
                name: String::new(),
                unique: self.unique,
                method: "btree".to_string(),
                keys,
                include: Vec::new(),
                nulls_not_distinct: false,
                with: Vec::new(),
                predicate: None,
                comment: None,
                statistics: Vec::new(),
            }),
        }
    }
}
