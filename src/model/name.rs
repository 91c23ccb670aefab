use serde::Serialize;
use std::fmt;

use crate::quote::quote_qualified;

/// A schema-qualified object name, already folded to PostgreSQL's stored spelling.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct QualName {
    /// Schema the object lives in.
    pub schema: String,
    /// Object name inside the schema.
    pub name: String,
}

impl QualName {
    /// Builds a name from its parts.
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualName { schema: schema.into(), name: name.into() }
    }

    /// The name as SQL: each part quoted as needed.
    pub fn sql(&self) -> String {
        quote_qualified(&self.schema, &self.name)
    }
}

impl fmt::Display for QualName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sql())
    }
}

/// pgstate's own version table when `pgstate.toml` names none: bookkeeping,
/// never part of a schema.
pub fn default_version_table() -> QualName {
    QualName::new("public", "pgstate_revision")
}
