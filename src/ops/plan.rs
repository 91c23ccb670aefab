//! `pgstate plan` without a database: from a schema on disk to another.
//!
//! The parser's canonical form decides most comparisons. Expressions it still
//! finds different on the two sides can be settled through a server: a dev
//! database (`--dev-url`), or a throwaway local server started only when such
//! expressions exist. With neither, or asked not to, the parser decides alone.

use std::path::Path;

use crate::connection::runtime;
use crate::model::ManagedRoles;
use crate::parse::source::load;
use crate::parse::{parse_files_in, LoadError, Parsed, SchemaErrors, SourceFile};
use crate::plan::{plan, Plan};

use super::settle::Scratchpad;
pub use super::settle::Settle;
use super::OpsError;

/// Plans from the schema at `from` (the current state) to the one at `desired`,
/// settling differing expressions as `settle` says.
/// Only the privileges of `roles` are planned. Unqualified names in both
/// schemas are in `default_schema`, as in a session whose search_path starts
/// with it (`public` unless the files are written for another).
pub fn offline_settled(
    desired: &Path,
    from: &Path,
    settle: Settle,
    roles: &ManagedRoles,
    default_schema: &str,
) -> Result<Plan, OpsError> {
    // Read side by side: at 10,000 tables each file is a few megabytes to
    // copy and index by line before either parse can start.
    let (desired, from) = std::thread::scope(|s| {
        let from = s.spawn(|| load(from));
        (load(desired), from.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let (desired, from) = (desired.map_err(LoadError::from)?, from.map_err(LoadError::from)?);
    offline_files(&desired, &from, settle, roles, default_schema)
}

/// Plans from loaded files (the current state) to other loaded files.
pub fn offline_files(
    desired: &[SourceFile],
    from: &[SourceFile],
    settle: Settle,
    roles: &ManagedRoles,
    default_schema: &str,
) -> Result<Plan, OpsError> {
    let mut pad = Scratchpad::new(settle).single_use();
    pad.start_early(desired.iter().chain(from).map(|f| f.text.len()).sum());
    let (mut to, mut current) = parse_both(desired, from, default_schema).map_err(LoadError::from)?;
    to.catalog.retain_roles(roles);
    current.catalog.retain_roles(roles);
    // Identifiers cut to 63 bytes, on either side.
    let mut warnings: Vec<String> = to.warnings.iter().chain(&current.warnings).cloned().collect();
    runtime()?.block_on(pad.settle(&mut to.catalog, &current.catalog))?;
    let mut plan = plan(&current.catalog, &to.catalog, &to.hints)?;
    warnings.append(&mut pad.warnings);
    plan.warnings.extend(warnings);
    super::drop_later((to, current));
    Ok(plan)
}

/// The two schemas are independent: read them on two threads.
fn parse_both(
    desired: &[SourceFile],
    from: &[SourceFile],
    default_schema: &str,
) -> Result<(Parsed, Parsed), SchemaErrors> {
    let (to, current) = std::thread::scope(|s| {
        let current = s.spawn(|| parse_files_in(from, default_schema));
        let to = parse_files_in(desired, default_schema);
        (to, current.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    Ok((to?, current?))
}
