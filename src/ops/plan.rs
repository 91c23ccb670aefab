//! `pgstate plan` without a database: from a schema on disk to another.

use std::path::Path;

use crate::parse::{parse_path, LoadError};
use crate::plan::{plan, Plan};

/// Plans from the schema at `from` (the current state) to the one at `desired`.
pub fn offline(desired: &Path, from: &Path) -> Result<Plan, LoadError> {
    let to = parse_path(desired)?;
    let current = parse_path(from)?;
    Ok(plan(&current.catalog, &to.catalog, &to.hints))
}
