//! Schema files (SQL and TOML) to a `model::Catalog`. Never touches a database.

mod build;
mod columns;
mod constraints;
pub mod diagnostic;
mod hints;
pub mod source;
mod split;
mod statement;
mod toml_form;

use std::path::Path;

pub use diagnostic::{SchemaError, SchemaErrors};
pub use hints::RenameHint;
pub use source::SourceFile;

use crate::model::Catalog;

/// The result of parsing a desired schema.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The catalog it describes.
    pub catalog: Catalog,
    /// `-- @renamed from=OLD` hints.
    pub hints: Vec<RenameHint>,
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
    let files = source::load(path)?;
    Ok(parse_files(&files)?)
}

/// Parses SQL text held in memory under a display name.
pub fn parse_str(name: &str, sql: &str) -> Result<Parsed, SchemaErrors> {
    parse_files(&[SourceFile::new(name, sql)])
}

/// Parses loaded files as one schema: statements may come in any order and any file.
pub fn parse_files(files: &[SourceFile]) -> Result<Parsed, SchemaErrors> {
    let mut errors = Vec::new();
    let mut statements = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let is_toml = file.name.ends_with(".toml");
        let sql_file;
        let (sql_source, origin) = if is_toml {
            match toml_form::to_sql(file) {
                Ok(generated) => {
                    sql_file = generated;
                    (&sql_file, statement::Origin::Toml)
                }
                Err(e) => {
                    errors.extend(e);
                    continue;
                }
            }
        } else {
            (file, statement::Origin::Sql)
        };
        statement::read_file(index, file, sql_source, origin, &mut statements, &mut errors);
    }
    let parsed = build::build(files, statements, &mut errors);
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(SchemaErrors::new(errors, files))
    }
}
