//! `pgstate plan` without a database: from a schema on disk to another.

use std::path::Path;

use crate::parse::source::load;
use crate::parse::{parse_files, LoadError, SchemaErrors, SourceFile};
use crate::plan::{plan, Plan};

/// Plans from the schema at `from` (the current state) to the one at `desired`.
pub fn offline(desired: &Path, from: &Path) -> Result<Plan, LoadError> {
    let (desired, from) = (load(desired)?, load(from)?);
    Ok(offline_files(&desired, &from)?)
}

/// Plans from loaded files (the current state) to other loaded files.
pub fn offline_files(desired: &[SourceFile], from: &[SourceFile]) -> Result<Plan, SchemaErrors> {
    // The two schemas are independent: read them on two threads.
    let (to, current) = std::thread::scope(|s| {
        let current = s.spawn(|| parse_files(from));
        let to = parse_files(desired);
        (to, current.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let (to, current) = (to?, current?);
    let plan = plan(&current.catalog, &to.catalog, &to.hints);
    // Freeing two large catalogs takes a visible share of a big plan's time;
    // the caller, printing the plan, need not wait for it.
    std::thread::spawn(move || drop((to, current)));
    Ok(plan)
}
