//! Settles expression spellings through a scratch server (a dev database or
//! a throwaway one, never the target). The parser's canonical form (see
//! `canon::expr`) decides most comparisons; where a desired expression and the
//! current one still differ, both are stored by the server in a scratch
//! schema, inside a transaction that is always rolled back, and read back. If
//! the two then agree, the desired catalog takes the current spelling, so no
//! plan ever re-issues a change that PostgreSQL would store identically.
//!
//! Only mismatches go to the server, batched in one transaction, and identical
//! column definitions are sent once: the cost follows the number of
//! differences, not the size of the schema.

mod bounds;
mod mismatch;
mod routines;
mod scratch;
mod setup;
mod views;

use tokio_postgres::Client;

use crate::introspect::IntrospectError;
use crate::model::{Catalog, QualName};

pub use mismatch::Mismatches;
pub use setup::Setup;

/// Why expressions could not be settled through the server.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum NormalizeError {
    /// A statement of the scratch session failed.
    #[error("normalizing expressions through the server failed: {0}")]
    Query(#[from] tokio_postgres::Error),
    /// The scratch objects could not be planned.
    #[error(transparent)]
    Plan(#[from] crate::plan::PlanError),
    /// Reading the scratch schema back failed.
    #[error(transparent)]
    Introspect(#[from] IntrospectError),
}

/// Expressions that differ between the two catalogs after canonicalization
/// (the only ones worth a server's opinion).
pub fn mismatches(desired: &Catalog, current: &Catalog) -> Mismatches {
    mismatch::find(desired, current)
}

/// Settles the expressions of `desired` that still differ from `current`'s
/// on `client`, a scratch server that is never the database `current` was
/// read from: both sides' differing expressions are stored (only the tables in
/// question travel, with the types, sequences and routines they may name) and
/// read back inside a transaction that is always rolled back. Where the server
/// stores the desired one as it stores the current one, or exactly as the
/// current one is spelled (a current state read from a database is in the
/// server's own spelling), `desired` takes `current`'s spelling. Returns how
/// many were settled.
pub async fn settle(client: &Client, desired: &mut Catalog, current: &Catalog) -> Result<usize, NormalizeError> {
    let found = mismatch::find(desired, current);
    settle_with(client, &[], desired, current, found, &mut Vec::new()).await
}

/// Like `settle`, for the mismatches `found` (as `mismatches` gave them:
/// finding them walks both catalogs, a tenth of a second at 10,000 tables),
/// first giving the scratch server `setup` (extensions and types the target
/// has that the files use but do not define) in the same rolled-back
/// transaction; what it could not get is said in `warnings`.
pub async fn settle_with(
    client: &Client,
    setup: &[Setup],
    desired: &mut Catalog,
    current: &Catalog,
    found: Mismatches,
    warnings: &mut Vec<String>,
) -> Result<usize, NormalizeError> {
    if found.is_empty() {
        return Ok(0);
    }
    // Both sides' bounds in the server's spelling: where they agree, desired takes current's.
    let mut bounds = 0;
    if !found.bounds.is_empty() {
        bounds += adopt_bounds(client, desired, current, &found.bounds).await;
    }
    let mut current_stored = mismatch::involved(current, &found);
    let mut desired_stored = mismatch::involved(desired, &found);
    client.batch_execute("BEGIN").await?;
    let result = async {
        setup::run(client, setup, warnings).await?;
        let mut created = std::collections::HashSet::new();
        let current_side = scratch::store(client, &current_stored, &found, &mut created).await?;
        let desired_side = scratch::store(client, &desired_stored, &found, &mut created).await?;
        let read = scratch::read(client, &[&current_side, &desired_side], &found).await?;
        current_side.respell(&mut current_stored, &found, &read);
        desired_side.respell(&mut desired_stored, &found, &read);
        let views = views::settle_files(client, desired, current, &found.views).await?;
        Ok::<_, NormalizeError>(views + routines::settle(client, desired, current, &found.routines).await?)
    }
    .await;
    let rollback = client.batch_execute("ROLLBACK").await;
    let views = result?;
    rollback?;
    Ok(bounds + views + mismatch::adopt(desired, current, &desired_stored, &current_stored, &found))
}

/// Both sides' bounds of `names` in the server's spelling: where they agree,
/// `desired` takes `current`'s. Returns how many it took.
async fn adopt_bounds(client: &Client, desired: &mut Catalog, current: &Catalog, names: &[QualName]) -> usize {
    let wanted = bounds::respelled(client, desired, names).await;
    let had = bounds::respelled(client, current, names).await;
    let mut adopted = 0;
    for (name, place) in wanted {
        let Some(c) = current.tables.get(&name) else { continue };
        let same = c.partition_of.as_ref() == Some(&place) || had.iter().any(|(n, p)| n == &name && p == &place);
        if let (true, Some(t)) = (same, desired.tables.get_mut(&name)) {
            t.partition_of = c.partition_of.clone();
            adopted += 1;
        }
    }
    adopted
}
