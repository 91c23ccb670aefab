//! What a timeout says. PostgreSQL's "canceling statement due to lock
//! timeout" names nothing, and once our wait is cancelled pg_locks no longer
//! shows it: so, after the fact, the error names the managed relations other
//! sessions hold in a mode that conflicts with what the step needed.

use std::future::Future;

use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

use crate::model::QualName;

use super::error::Held;
use super::OpsError;

/// Which timeout ended a statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timeout {
    /// `lock_timeout` (SQLSTATE 55P03).
    Lock,
    /// `statement_timeout` (SQLSTATE 57014 with that message).
    Statement,
}

/// What the step was doing, which decides the lock modes that could have
/// stopped it.
#[derive(Clone, Copy, Debug)]
pub enum Phase {
    /// Reading the catalog: `pg_get_expr` and friends take ACCESS SHARE,
    /// which only ACCESS EXCLUSIVE blocks.
    Reading,
    /// Changing the schema: DDL takes locks most modes conflict with.
    Writing,
}

/// Which timeout, if any, `e` is.
pub fn of_db(e: &tokio_postgres::Error) -> Option<Timeout> {
    let db = e.as_db_error()?;
    // pgstate never locks NOWAIT, so 55P03 is always lock_timeout; a cancel
    // shares 57014 with statement_timeout and only the message tells them apart.
    if db.code() == &SqlState::LOCK_NOT_AVAILABLE {
        Some(Timeout::Lock)
    } else if db.code() == &SqlState::QUERY_CANCELED && db.message().contains("statement timeout") {
        Some(Timeout::Statement)
    } else {
        None
    }
}

/// Which timeout, if any, ended the command with `err` (looking through the
/// errors it wraps down to the database's).
pub fn of(err: &OpsError) -> Option<Timeout> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(db) = e.downcast_ref::<tokio_postgres::Error>() {
            return of_db(db);
        }
        source = e.source();
    }
    None
}

/// Runs `work`; when a timeout ends it, the error says which, how long the
/// limit was, and (for a lock) who holds what on the relations of `schemas`
/// (every schema when `None`). `outcome` says what became of the database.
pub async fn bounded<T>(
    client: &Client,
    schemas: Option<&[String]>,
    phase: Phase,
    outcome: &str,
    work: impl Future<Output = Result<T, OpsError>>,
) -> Result<T, OpsError> {
    match work.await {
        Err(e) => match of(&e) {
            Some(which) => Err(explain(client, schemas, phase, which, None, outcome).await),
            None => Err(e),
        },
        ok => ok,
    }
}

/// The error for a failed statement: a timeout explained as `explain` does,
/// anything else as `db_error` words it.
pub async fn db_failed(
    client: &Client,
    schemas: Option<&[String]>,
    phase: Phase,
    e: &tokio_postgres::Error,
    statement: Option<&str>,
    outcome: &str,
) -> OpsError {
    match of_db(e) {
        Some(which) => explain(client, schemas, phase, which, statement, outcome).await,
        None => super::error::db_error(e, statement),
    }
}

/// The error for a timeout that just ended `statement` (when known). The
/// session must be usable: outside a transaction, or after its rollback.
pub async fn explain(
    client: &Client,
    schemas: Option<&[String]>,
    phase: Phase,
    which: Timeout,
    statement: Option<&str>,
    outcome: &str,
) -> OpsError {
    let (statement, outcome) = (statement.map(str::to_string), outcome.to_string());
    match which {
        Timeout::Statement => {
            let after = setting(client, "statement_timeout").await;
            OpsError::StatementTimeout { after, statement, outcome }
        }
        Timeout::Lock => {
            let after = setting(client, "lock_timeout").await;
            let held = holders(client, schemas, phase).await.unwrap_or_default();
            OpsError::LockTimeout { after, held, statement, outcome }
        }
    }
}

/// A setting as the server shows it (`2s`, `500ms`), or `?` if it cannot be read.
async fn setting(client: &Client, name: &str) -> String {
    match client.query_one("SELECT pg_catalog.current_setting($1)", &[&name]).await {
        Ok(row) => row.try_get(0).unwrap_or_else(|_| "?".to_string()),
        Err(_) => "?".to_string(),
    }
}

/// Granted locks other sessions hold, in a mode that blocks `phase`, on the
/// relations of this database in `schemas`. An index is left out when its
/// holder also holds its table: a query locks both, and the table says it.
async fn holders(
    client: &Client,
    schemas: Option<&[String]>,
    phase: Phase,
) -> Result<Vec<Held>, tokio_postgres::Error> {
    let modes: Vec<&str> = match phase {
        Phase::Reading => vec!["AccessExclusiveLock"],
        Phase::Writing => vec![
            "AccessShareLock",
            "RowShareLock",
            "RowExclusiveLock",
            "ShareUpdateExclusiveLock",
            "ShareLock",
            "ShareRowExclusiveLock",
            "ExclusiveLock",
            "AccessExclusiveLock",
        ],
    };
    let schemas: Option<Vec<String>> = schemas.map(<[String]>::to_vec);
    let rows = client
        .query(
            "SELECT n.nspname::text, c.relname::text, l.pid, l.mode \
             FROM pg_catalog.pg_locks l \
             JOIN pg_catalog.pg_class c ON c.oid = l.relation \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE l.locktype = 'relation' AND l.granted AND l.pid <> pg_catalog.pg_backend_pid() \
               AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()) \
               AND l.mode = ANY($1) \
               AND ($2::text[] IS NULL OR n.nspname = ANY($2)) \
               AND n.nspname <> 'pg_catalog' AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg_toast%' \
               AND NOT (c.relkind IN ('i', 'I') AND EXISTS ( \
                 SELECT 1 FROM pg_catalog.pg_index x JOIN pg_catalog.pg_locks t ON t.relation = x.indrelid \
                 WHERE x.indexrelid = c.oid AND t.pid = l.pid AND t.granted)) \
             ORDER BY 1, 2, 3, 4",
            &[&modes, &schemas],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let relation = QualName::new(r.try_get::<_, String>(0)?, r.try_get::<_, String>(1)?).to_string();
            Ok(Held { relation, pid: r.try_get(2)?, mode: r.try_get(3)? })
        })
        .collect()
}
