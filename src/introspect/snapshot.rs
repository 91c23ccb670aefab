//! Several sessions that read the catalog as of one moment: the first
//! exports its snapshot (`pg_export_snapshot`), the others import it, all in
//! read-only repeatable-read transactions, as `pg_dump --jobs` does.

use futures_util::future::{join_all, try_join_all};
use tokio_postgres::Client;

use crate::canon::quote_literal;

/// The transaction every reader runs in: it can read, never write.
const BEGIN: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

/// What every catalog read sets, for its transaction or its session:
/// - an empty search_path, so every name PostgreSQL prints comes out
///   schema-qualified, as in pg_dump;
/// - no JIT, as pg_dump does: compiling the large catalog queries cost more
///   than running them (1.3 s of 2.9 s for the columns of 10,000 tables);
/// - room to sort and hash the catalog's rows in memory (the columns of
///   10,000 tables spilled 25 MB to disk at the default 4 MB).
const SETTINGS: [(&str, &str); 3] = [("search_path", "''"), ("jit", "off"), ("work_mem", "'64MB'")];

/// `SET` (or `SET LOCAL`, for a transaction) of every setting a catalog read wants.
pub fn settings(local: bool) -> String {
    let set = if local { "SET LOCAL" } else { "SET" };
    SETTINGS.iter().map(|(name, value)| format!("{set} {name} = {value}")).collect::<Vec<_>>().join("; ")
}

/// `RESET` of what `settings(false)` set, for a session that goes on.
pub fn reset() -> String {
    SETTINGS.iter().map(|(name, _)| format!("RESET {name}")).collect::<Vec<_>>().join("; ")
}

/// Puts every one of `sessions` (the command's own first, then its
/// readers) in one shared snapshot, with the settings of a catalog read
/// (`settings`). `false` when the server cannot share one (the sessions are
/// then left with no transaction open); an error only when a session itself failed.
pub async fn share(sessions: &[&Client]) -> Result<bool, tokio_postgres::Error> {
    let Some((first, rest)) = sessions.split_first() else { return Ok(false) };
    first.batch_execute(&format!("{BEGIN}; {}", settings(true))).await?;
    let id: String = match first.query_one("SELECT pg_catalog.pg_export_snapshot()", &[]).await {
        Ok(row) => row.try_get(0)?,
        Err(e) if e.as_db_error().is_some() => {
            first.batch_execute("ROLLBACK").await?;
            return Ok(false);
        }
        Err(e) => return Err(e),
    };
    let import = format!("{BEGIN}; SET TRANSACTION SNAPSHOT {}; {}", quote_literal(&id), settings(true));
    let mut shared = true;
    for imported in join_all(rest.iter().map(|c| c.batch_execute(&import))).await {
        match imported {
            Ok(()) => {}
            Err(e) if e.as_db_error().is_some() => shared = false,
            Err(e) => return Err(e),
        }
    }
    if !shared {
        end(sessions, "ROLLBACK").await?;
    }
    Ok(shared)
}

/// Ends the sessions' transactions (`COMMIT` or `ROLLBACK`: they wrote nothing).
pub async fn end(sessions: &[&Client], how: &str) -> Result<(), tokio_postgres::Error> {
    try_join_all(sessions.iter().map(|c| c.batch_execute(how))).await?;
    Ok(())
}
