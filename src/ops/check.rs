//! `pgstate check`: parse and validate a schema.

use std::path::Path;

use crate::parse::{parse_path, LoadError};

/// What a valid schema holds, for the summary line.
#[derive(Debug)]
pub struct Summary {
    /// Number of tables.
    pub tables: usize,
    /// Number of indexes.
    pub indexes: usize,
    /// Number of constraints.
    pub constraints: usize,
    /// Number of sequences.
    pub sequences: usize,
    /// Warnings, such as identifiers cut to 63 bytes.
    pub warnings: Vec<String>,
}

/// Parses and validates the schema at `path`.
pub fn check(path: &Path) -> Result<Summary, LoadError> {
    let parsed = parse_path(path)?;
    let c = &parsed.catalog;
    Ok(Summary {
        tables: c.tables.len(),
        indexes: c.tables.values().map(|t| t.indexes.len()).sum(),
        constraints: c.tables.values().map(|t| t.constraints.len()).sum(),
        sequences: c.sequences.len(),
        warnings: parsed.warnings.clone(),
    })
}
