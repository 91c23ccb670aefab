//! The TOML form of a schema: translated to SQL text, then parsed like any SQL file.
use super::diagnostic::SchemaError;
use super::source::SourceFile;

pub fn to_sql(file: &SourceFile) -> Result<SourceFile, Vec<SchemaError>> {
    Err(vec![SchemaError::new(file, (0, 1).into(), "TOML not yet", "here")])
}
