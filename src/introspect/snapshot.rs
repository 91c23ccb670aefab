//! Several sessions that read the catalog as of one moment: the first
//! exports its snapshot (`pg_export_snapshot`), the others import it, all in
//! read-only repeatable-read transactions, as `pg_dump --jobs` does.

use futures_util::future::{join_all, try_join_all};
use tokio_postgres::Client;

use crate::canon::quote_literal;

/// The transaction every reader runs in: it can read, never write.
const BEGIN: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

/// Puts every session of `readers` in one shared snapshot, with an empty
/// search_path (every name PostgreSQL prints comes out schema-qualified).
/// `false` when the server cannot share one (the readers are then left with
/// no transaction open); an error only when a session itself failed.
pub async fn share(readers: &[Client]) -> Result<bool, tokio_postgres::Error> {
    let Some((first, rest)) = readers.split_first() else { return Ok(false) };
    first.batch_execute(&format!("{BEGIN}; SET LOCAL search_path = ''")).await?;
    let id: String = match first.query_one("SELECT pg_catalog.pg_export_snapshot()", &[]).await {
        Ok(row) => row.try_get(0)?,
        Err(e) if e.as_db_error().is_some() => {
            first.batch_execute("ROLLBACK").await?;
            return Ok(false);
        }
        Err(e) => return Err(e),
    };
    let import = format!("{BEGIN}; SET TRANSACTION SNAPSHOT {}; SET LOCAL search_path = ''", quote_literal(&id));
    let mut shared = true;
    for imported in join_all(rest.iter().map(|c| c.batch_execute(&import))).await {
        match imported {
            Ok(()) => {}
            Err(e) if e.as_db_error().is_some() => shared = false,
            Err(e) => return Err(e),
        }
    }
    if !shared {
        end(readers, "ROLLBACK").await?;
    }
    Ok(shared)
}

/// Ends the readers' transactions (`COMMIT` or `ROLLBACK`: they wrote nothing).
pub async fn end(readers: &[Client], how: &str) -> Result<(), tokio_postgres::Error> {
    try_join_all(readers.iter().map(|c| c.batch_execute(how))).await?;
    Ok(())
}
