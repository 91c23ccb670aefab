//! `pgstate apply`: plan under an advisory lock, refuse data loss unless
//! allowed, run the plan (one transaction, or the units of its online form),
//! then check that nothing is left. `apply_saved` runs a plan saved by `plan
//! --out` exactly, while the database still has the fingerprint it was
//! computed from. Every lock wait is bounded by the session's `lock_timeout`,
//! set at connect (`connection::Target::connect`), reading as well as writing.

use std::time::{Duration, Instant};

use tokio_postgres::Client;

use crate::introspect::Scope;
use crate::parse::Parsed;
use crate::plan::Plan;

use super::approve::Approval;
use super::error::db_error;
use super::live;
use super::progress::Progress;
use super::retry::LockRetries;
use super::saved::{self, Saved, SavedUnit};
use super::settle::Scratchpad;
use super::timeout::{self, Phase};
use super::OpsError;

/// The advisory lock key every pgstate process takes on a database ("pgstate" in ASCII).
pub const LOCK_KEY: i64 = 0x0070_6773_7461_7465;

/// How to apply.
pub struct Options {
    /// The hazard kinds allowed (data loss only when allowed).
    pub approval: Approval,
    /// How many times a step that timed out on a lock is tried again.
    pub lock_retries: LockRetries,
    /// How long to wait for another pgstate's lock.
    pub lock_wait: Duration,
    /// Online forms on tables that exist (`Plan::online`); false runs the
    /// plain forms in one transaction.
    pub online: bool,
    /// Bookkeeping tables that are not part of the schema (version tables).
    pub ignore: Vec<crate::model::QualName>,
    /// Count the rows that would make may-fail steps fail, each count bounded by this timeout.
    pub measure: Option<Duration>,
}

/// What happened.
pub struct Report {
    /// The plan that was applied (empty when there was nothing to do).
    pub plan: Plan,
    /// Whether it ran (false when the confirmation said no or nothing was to do).
    pub applied: bool,
}

/// Takes the lock, plans, asks `confirm`, applies, verifies.
pub async fn apply(
    client: &Client,
    desired: &Parsed,
    scope: &Scope,
    options: &Options,
    pad: &mut Scratchpad,
    confirm: &mut dyn FnMut(&Plan) -> bool,
    progress: &mut dyn Progress,
) -> Result<Report, OpsError> {
    acquire_lock(client, options.lock_wait, progress).await?;
    let result = locked(client, desired, scope, options, pad, confirm, progress).await;
    release_lock(client).await;
    result
}

/// Releases the advisory lock (also released when the session ends).
pub(crate) async fn release_lock(client: &Client) {
    let _ = client.execute("SELECT pg_catalog.pg_advisory_unlock($1)", &[&LOCK_KEY]).await;
}

/// Takes pgstate's advisory lock on the database, waiting up to `wait`.
pub(crate) async fn acquire_lock(client: &Client, wait: Duration, progress: &mut dyn Progress) -> Result<(), OpsError> {
    let start = Instant::now();
    let mut said = false;
    loop {
        let row = client
            .query_one("SELECT pg_catalog.pg_try_advisory_lock($1)", &[&LOCK_KEY])
            .await
            .map_err(|e| db_error(&e, None))?;
        if row.get::<_, bool>(0) {
            return Ok(());
        }
        if start.elapsed() >= wait {
            return Err(OpsError::LockWait(wait));
        }
        if !said {
            progress.waiting_for_apply_lock();
            said = true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn locked(
    client: &Client,
    desired: &Parsed,
    scope: &Scope,
    options: &Options,
    pad: &mut Scratchpad,
    confirm: &mut dyn FnMut(&Plan) -> bool,
    progress: &mut dyn Progress,
) -> Result<Report, OpsError> {
    let mut plan = live::plan_with(client, desired, scope, &options.ignore, pad).await?.plan;
    if plan.is_empty() {
        return Ok(Report { plan, applied: false });
    }
    if options.online {
        plan.online();
    }
    if let Some(timeout) = options.measure {
        super::measure::measure(client, &mut plan, timeout).await;
    }
    options.approval.check(&plan)?;
    // The plan confirmed is the plan run: the same steps, in the same units.
    if !confirm(&plan) {
        return Err(OpsError::Cancelled);
    }
    let units: Vec<SavedUnit> = plan
        .units()
        .into_iter()
        .map(|u| SavedUnit {
            transaction: u.transaction,
            statements: u.steps.iter().flat_map(|&i| plan.steps[i].sql.iter().cloned()).collect(),
        })
        .collect();
    run(client, scope.list(), &units, options.lock_retries, progress).await?;

    let again = live::plan_with(client, desired, scope, &options.ignore, pad)
        .await
        .map_err(|e| e.with_outcome("the plan was applied and committed; reading it back to verify timed out"))?;
    if !again.plan.is_empty() {
        return Err(OpsError::NotConverged(again.plan.to_sql()));
    }
    Ok(Report { plan, applied: true })
}

/// Runs a saved plan exactly as written, under the apply lock, if the
/// database still has the fingerprint the plan was computed from; returns
/// how many statements ran (0 when the confirmation said no... is an error).
pub async fn apply_saved(
    client: &Client,
    saved: &Saved,
    lock_wait: Duration,
    retries: LockRetries,
    confirm: &mut dyn FnMut(&str) -> bool,
    progress: &mut dyn Progress,
) -> Result<usize, OpsError> {
    acquire_lock(client, lock_wait, progress).await?;
    let result = saved_locked(client, saved, retries, confirm, progress).await;
    release_lock(client).await;
    result
}

async fn saved_locked(
    client: &Client,
    saved: &Saved,
    retries: LockRetries,
    confirm: &mut dyn FnMut(&str) -> bool,
    progress: &mut dyn Progress,
) -> Result<usize, OpsError> {
    let scope = saved.state.scope();
    let live = live::read(client, &scope, &saved.state.ignored()).await?;
    let now = saved::fingerprint(&live.catalog, &live.invalid_indexes);
    if now.whole != saved.state.database.whole {
        return Err(OpsError::StalePlan(saved::changes(&saved.state.database, &now)));
    }
    if !confirm(&saved.sql) {
        return Err(OpsError::Cancelled);
    }
    run(client, scope.list(), &saved.units, retries, progress).await?;
    Ok(saved.units.iter().map(|u| u.statements.len()).sum())
}

/// Runs `units` in order: each transaction's statements in one transaction,
/// each statement outside one alone. A lock timeout is retried as
/// `retries` says (the whole transaction, rolled back first; a statement
/// alone, alone). An error says what became of the database: the units
/// before stay committed.
async fn run(
    client: &Client,
    schemas: &[String],
    units: &[SavedUnit],
    retries: LockRetries,
    progress: &mut dyn Progress,
) -> Result<(), OpsError> {
    progress.start(units.iter().map(|u| u.statements.len()).sum());
    let mut left = "nothing was changed";
    let mut index = 0;
    for unit in units {
        if unit.transaction {
            let first = index;
            let mut attempt = 0;
            while let Err((e, sql)) = transaction(client, &unit.statements, &mut index, progress).await {
                if let Some(pause) = retries.after(&e, attempt) {
                    attempt += 1;
                    progress.retrying(sql.as_deref().unwrap_or("COMMIT"), attempt, retries.0, pause);
                    tokio::time::sleep(pause).await;
                    index = first;
                    continue;
                }
                let rolled_back = format!("the transaction was rolled back: {left}{}", spent(retries, attempt));
                return Err(timeout::db_failed(
                    client,
                    Some(schemas),
                    Phase::Writing,
                    &e,
                    sql.as_deref(),
                    &rolled_back,
                )
                .await);
            }
        } else {
            for sql in &unit.statements {
                progress.statement(index, sql, true);
                index += 1;
                alone(client, schemas, sql, left, retries, progress).await?;
            }
        }
        left = "the steps before it stay committed; run apply again to finish";
    }
    progress.finish();
    Ok(())
}

/// What an error adds when `attempt` retries were made.
fn spent(retries: LockRetries, attempt: u32) -> String {
    if attempt > 0 {
        retries.spent()
    } else {
        String::new()
    }
}

/// Runs `sql` outside a transaction, again after a lock timeout while
/// `retries` allow (an INVALID index a failed concurrent build left is
/// dropped first). `left` says what became of the database before it.
async fn alone(
    client: &Client,
    schemas: &[String],
    sql: &str,
    left: &str,
    retries: LockRetries,
    progress: &mut dyn Progress,
) -> Result<(), OpsError> {
    let mut attempt = 0;
    loop {
        let Err(e) = one_statement(client, sql).await else { return Ok(()) };
        let cleaned = drop_invalid_indexes(client, schemas).await;
        if let Some(pause) = retries.after(&e, attempt) {
            attempt += 1;
            progress.retrying(sql, attempt, retries.0, pause);
            tokio::time::sleep(pause).await;
            continue;
        }
        let outcome = format!("it ran outside a transaction: {left}{cleaned}{}", spent(retries, attempt));
        let error = timeout::db_failed(client, Some(schemas), Phase::Writing, &e, Some(sql), &outcome).await;
        return Err(match error {
            OpsError::Database(text) => OpsError::Database(format!("{text}\n  {outcome}")),
            other => other,
        });
    }
}

/// After a failed statement outside a transaction: a failed `CREATE INDEX
/// CONCURRENTLY` leaves its index behind, INVALID (never used by queries,
/// but kept up to date by every write). Such indexes in the managed schemas
/// are dropped, also concurrently, and the error says so. (A later plan
/// drops one still there and builds it again.)
async fn drop_invalid_indexes(client: &Client, schemas: &[String]) -> String {
    let found = client
        .query(
            "SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) \
             FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = ANY($1) AND NOT i.indisvalid ORDER BY 1",
            &[&schemas],
        )
        .await;
    let Ok(rows) = found else { return String::new() };
    let mut out = String::new();
    for row in rows {
        let name: String = row.get(0);
        let shown = crate::quote::one_line(&name);
        match one_statement(client, &format!("DROP INDEX CONCURRENTLY IF EXISTS {name}")).await {
            Ok(()) => out.push_str(&format!("; the INVALID index {shown} the failed build left was dropped")),
            Err(_) => out.push_str(&format!(
                "; the failed build left the INVALID index {shown}, which could not be dropped now: the next apply \
                 drops it and builds it again"
            )),
        }
    }
    out
}

/// Runs `statements` in one transaction; on failure rolls back and returns
/// the error with the statement that failed (none for BEGIN or COMMIT).
async fn transaction(
    client: &Client,
    statements: &[String],
    index: &mut usize,
    progress: &mut dyn Progress,
) -> Result<(), (tokio_postgres::Error, Option<String>)> {
    if statements.is_empty() {
        return Ok(());
    }
    client.batch_execute("BEGIN").await.map_err(|e| (e, None))?;
    for sql in statements {
        progress.statement(*index, sql, false);
        *index += 1;
        if let Err(e) = one_statement(client, sql).await {
            let _ = client.batch_execute("ROLLBACK").await;
            return Err((e, Some(sql.clone())));
        }
    }
    if let Err(e) = client.batch_execute("COMMIT").await {
        let _ = client.batch_execute("ROLLBACK").await;
        return Err((e, Some("COMMIT".to_string())));
    }
    Ok(())
}

/// Runs one statement of a plan through the extended protocol, which takes
/// exactly one statement: whatever a statement's text held, it could never
/// run a second one (the simple protocol behind `batch_execute` would).
async fn one_statement(client: &Client, sql: &str) -> Result<(), tokio_postgres::Error> {
    client.query_typed(sql, &[]).await.map(|_| ())
}
