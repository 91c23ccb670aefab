//! Settles expression spellings through the server. The parser's canonical
//! form (see `canon::expr`) decides most comparisons; where a desired
//! expression and the live one still differ, the desired one is stored by the
//! server in a scratch schema, inside a transaction that is always rolled back,
//! and read back the way the live one was read. If the two then agree, the
//! desired catalog takes the live spelling, so no plan ever re-issues a change
//! that PostgreSQL would store identically.
//!
//! Only mismatches go to the server, batched in one transaction, and identical
//! column definitions are sent once: the cost follows the number of
//! differences, not the size of the schema.

mod bounds;
mod mismatch;
mod scratch;
mod views;

use tokio_postgres::Client;

use crate::introspect::IntrospectError;
use crate::model::{Catalog, QualName};

pub use mismatch::Mismatches;

/// Why expressions could not be settled through the server.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum NormalizeError {
    /// A statement of the scratch session failed.
    #[error("normalizing expressions through the server failed: {0}")]
    Query(#[from] tokio_postgres::Error),
    /// Reading the scratch schema back failed.
    #[error(transparent)]
    Introspect(#[from] IntrospectError),
}

/// Expressions that differ between the two catalogs after canonicalization
/// (the only ones worth a server's opinion).
pub fn mismatches(desired: &Catalog, current: &Catalog) -> Mismatches {
    mismatch::find(desired, current)
}

/// Respells expressions of `desired` that PostgreSQL stores exactly as the ones
/// in `live`. Returns how many were settled.
pub async fn reconcile(client: &Client, desired: &mut Catalog, live: &Catalog) -> Result<usize, NormalizeError> {
    let found = mismatch::find(desired, live);
    if found.is_empty() {
        return Ok(0);
    }
    let mut bounds = 0;
    for (name, place) in bounds::respelled(client, desired, &found.bounds).await {
        if let Some(t) = desired.tables.get_mut(&name) {
            t.partition_of = Some(place);
            bounds += 1;
        }
    }
    client.batch_execute("BEGIN").await?;
    let result = scratch::settle(client, desired, Some(live), &found).await;
    // Nothing of the scratch work may survive, whatever happened.
    let rollback = client.batch_execute("ROLLBACK").await;
    let settled = result?;
    rollback?;
    Ok(settled + bounds)
}

/// Like `reconcile`, for a current state read from files rather than from
/// `client`'s database (a dev database, or a throwaway server): neither side
/// is in the server's spelling, so both sides' differing expressions are
/// stored and read back, and where the server stores them alike `desired`
/// takes `current`'s spelling. Returns how many were settled.
pub async fn reconcile_files(
    client: &Client,
    desired: &mut Catalog,
    current: &Catalog,
) -> Result<usize, NormalizeError> {
    let found = mismatch::find(desired, current);
    if found.is_empty() {
        return Ok(0);
    }
    // Both sides' bounds in the server's spelling: where they agree, desired takes current's.
    let mut bounds = 0;
    if !found.bounds.is_empty() {
        bounds += adopt_bounds(client, desired, current, &found.bounds).await;
    }
    // Only the tables in question travel, with the types and sequences they may name.
    let mut current_stored = mismatch::involved(current, &found);
    let mut desired_stored = mismatch::involved(desired, &found);
    client.batch_execute("BEGIN").await?;
    let result = async {
        scratch::settle(client, &mut current_stored, None, &found).await?;
        scratch::settle(client, &mut desired_stored, None, &found).await?;
        views::settle_files(client, desired, current, &found.views).await
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
        let same = had.iter().any(|(n, p)| n == &name && p == &place);
        if let (true, Some(c), Some(t)) = (same, current.tables.get(&name), desired.tables.get_mut(&name)) {
            t.partition_of = c.partition_of.clone();
            adopted += 1;
        }
    }
    adopted
}
