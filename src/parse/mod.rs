//! Schema files (SQL and TOML) to a `model::Catalog`. Never touches a database.

mod build;
mod cast;
mod catalog_rows;
pub(crate) mod columns;
pub(crate) mod constraints;
mod conversion;
pub mod diagnostic;
mod event_trigger;
pub(crate) mod foreign;
mod grants;
mod index_def;
mod key_options;
mod lexer;
mod like;
pub(crate) mod names;
pub mod object;
mod object_alter;
pub(crate) mod object_edit;
mod op_class;
mod partition_by;
pub(crate) mod policy;
mod publication;
pub(crate) mod routine;
mod rule;
pub mod source;
pub(crate) mod split;
pub(crate) mod statement;
mod statistics;
mod stmt;
pub mod table_attrs;
mod table_def;
mod token_forms;
mod toml_form;
pub(crate) mod trigger;
mod truncation;
pub(crate) mod ts_mapping;
mod view;

use std::path::Path;

pub use crate::model::RenameHint;
pub use build::UnknownType;
pub use catalog_rows::{CatalogColumn, CatalogIndex, CatalogKey, CatalogRows, CatalogTable, KeyKind};
pub use diagnostic::{SchemaError, SchemaErrors};
pub use source::SourceFile;

use crate::model::Catalog;

/// The result of parsing a desired schema.
#[derive(Debug, Default, Clone)]
pub struct Parsed {
    /// The catalog it describes.
    pub catalog: Catalog,
    /// `-- @renamed from=OLD` hints.
    pub hints: Vec<RenameHint>,
    /// The files it was read from, to read them again with another default schema.
    pub files: Vec<SourceFile>,
    /// What a reader should know though nothing is wrong: identifiers longer
    /// than 63 bytes, cut as PostgreSQL cuts them (`file:line:col: ...`).
    pub warnings: Vec<String>,
    /// Types the files use but do not define, when parsed `open` (for a
    /// target database to resolve); always empty otherwise.
    pub unknown_types: Vec<UnknownType>,
    /// Parsed by `parse_path_open`: unknown types recorded, not refused.
    pub open: bool,
}

impl Parsed {
    /// The same files read with unqualified names in `schema` (the first schema
    /// of a server's search_path) instead of `public`.
    pub fn with_default_schema(&self, schema: &str) -> Result<Parsed, SchemaErrors> {
        let trust = if self.open { build::Trust::Open } else { build::Trust::User };
        let mut parsed = parse_sources(Catalog::default(), &self.files, trust, schema)?;
        parsed.files = self.files.clone();
        Ok(parsed)
    }
}

/// Why a schema could not be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LoadError {
    /// The path could not be read.
    #[error("cannot read schema: {0}")]
    Io(#[from] std::io::Error),
    /// The files hold errors.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Schema(#[from] SchemaErrors),
}

/// Parses a `.sql`/`.toml` file or a directory of them.
pub fn parse_path(path: &Path) -> Result<Parsed, LoadError> {
    parse_path_as(path, build::Trust::User)
}

/// Like `parse_path`, for a run with a target database: a type the files
/// use but do not define is recorded in `Parsed::unknown_types` (with the
/// error it would be) for the target to resolve, instead of refused.
pub fn parse_path_open(path: &Path) -> Result<Parsed, LoadError> {
    parse_path_as(path, build::Trust::Open)
}

fn parse_path_as(path: &Path, trust: build::Trust) -> Result<Parsed, LoadError> {
    let files = source::load(path)?;
    let mut parsed = parse_sources(Catalog::default(), &files, trust, build::DEFAULT_SCHEMA)?;
    parsed.files = files;
    Ok(parsed)
}

/// Like `parse_path_open`, on files already read (`source::load`); the
/// returned `Parsed::files` is left empty for the caller, who holds them.
pub fn parse_loaded_open(files: &[SourceFile]) -> Result<Parsed, SchemaErrors> {
    parse_sources(Catalog::default(), files, build::Trust::Open, build::DEFAULT_SCHEMA)
}

/// Parses SQL text held in memory under a display name.
pub fn parse_str(name: &str, sql: &str) -> Result<Parsed, SchemaErrors> {
    parse_files(&[SourceFile::new(name, sql)])
}

/// Parses DDL that PostgreSQL itself printed: types it names may live in
/// schemas outside the text (an unmanaged schema), so they are not checked.
/// `rows` are read with it as if written after it (as the `CREATE TABLE`,
/// `ALTER TABLE ONLY ... ADD CONSTRAINT` and `CREATE INDEX` they stand for).
pub fn parse_catalog_ddl(name: &str, sql: &str, rows: CatalogRows) -> Result<Parsed, SchemaErrors> {
    parse_sources_with(
        Catalog::default(),
        &[SourceFile::new(name, sql)],
        build::Trust::Server,
        build::DEFAULT_SCHEMA,
        rows.statements(),
    )
}

/// Reads statements that add to an existing catalog (a revision's `CREATE` and
/// `ALTER ... ADD` statements, replayed in order).
pub fn parse_onto(base: Catalog, name: &str, sql: &str) -> Result<Parsed, SchemaErrors> {
    parse_sources(base, &[SourceFile::new(name, sql)], build::Trust::User, build::DEFAULT_SCHEMA)
}

/// Parses loaded files as one schema: statements may come in any order and any file.
pub fn parse_files(files: &[SourceFile]) -> Result<Parsed, SchemaErrors> {
    parse_files_in(files, build::DEFAULT_SCHEMA)
}

/// Like `parse_files`, with unqualified names in `default_schema` (the first
/// schema of the search_path the files are written for).
pub fn parse_files_in(files: &[SourceFile], default_schema: &str) -> Result<Parsed, SchemaErrors> {
    let mut parsed = parse_sources(Catalog::default(), files, build::Trust::User, default_schema)?;
    parsed.files = files.to_vec();
    Ok(parsed)
}

fn parse_sources(
    base: Catalog,
    files: &[SourceFile],
    trust: build::Trust,
    default_schema: &str,
) -> Result<Parsed, SchemaErrors> {
    parse_sources_with(base, files, trust, default_schema, Vec::new())
}

/// `parse_sources` with statements already read (`extra`) after the files' own.
fn parse_sources_with(
    base: Catalog,
    files: &[SourceFile],
    trust: build::Trust,
    default_schema: &str,
    extra: Vec<statement::Located>,
) -> Result<Parsed, SchemaErrors> {
    let mut errors = Vec::new();
    // The SQL view of each input: the file itself, or the SQL its TOML stands for.
    let mut sources = Vec::with_capacity(files.len());
    for file in files {
        if file.name.ends_with(".toml") {
            match toml_form::to_sql(file) {
                Ok(generated) => sources.push(generated),
                Err(e) => errors.extend(e),
            }
        } else {
            sources.push(file.clone());
        }
    }
    let mut statements = Vec::new();
    for (index, source) in sources.iter().enumerate() {
        statement::read_file(index, source, default_schema, &mut statements, &mut errors);
    }
    statements.extend(extra);
    let parsed = build::build(base, &sources, statements, &mut errors, trust, default_schema);
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(SchemaErrors::new(errors, &sources))
    }
}
