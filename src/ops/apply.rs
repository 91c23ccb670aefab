//! `pgstate apply`: plan under an advisory lock, refuse data loss unless
//! allowed, run the plan in one transaction, then check that nothing is left.
//! Every lock wait is bounded by the session's `lock_timeout`, set at connect
//! (`connection::Target::connect`), reading as well as writing.

use std::time::{Duration, Instant};

use tokio_postgres::Client;

use crate::introspect::Scope;
use crate::parse::Parsed;
use crate::plan::{Plan, Step};

use super::error::db_error;
use super::live;
use super::settle::Scratchpad;
use super::timeout::{self, Phase};
use super::OpsError;

/// The advisory lock key every pgstate process takes on a database ("pgstate" in ASCII).
pub const LOCK_KEY: i64 = 0x0070_6773_7461_7465;

/// How to apply.
pub struct Options {
    /// Allow steps that lose data.
    pub allow_destructive: bool,
    /// How long to wait for another pgstate's lock.
    pub lock_wait: Duration,
    /// Online forms on tables that exist (`Plan::online`); false runs the
    /// plain forms in one transaction.
    pub online: bool,
    /// Bookkeeping tables that are not part of the schema (version tables).
    pub ignore: Vec<crate::model::QualName>,
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
) -> Result<Report, OpsError> {
    acquire_lock(client, options.lock_wait).await?;
    let result = locked(client, desired, scope, options, pad, confirm).await;
    release_lock(client).await;
    result
}

/// Releases the advisory lock (also released when the session ends).
pub(crate) async fn release_lock(client: &Client) {
    let _ = client.execute("SELECT pg_catalog.pg_advisory_unlock($1)", &[&LOCK_KEY]).await;
}

/// Takes pgstate's advisory lock on the database, waiting up to `wait`.
pub(crate) async fn acquire_lock(client: &Client, wait: Duration) -> Result<(), OpsError> {
    let start = Instant::now();
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
) -> Result<Report, OpsError> {
    let mut plan = live::plan_with(client, desired, scope, &options.ignore, pad).await?.plan;
    if plan.is_empty() {
        return Ok(Report { plan, applied: false });
    }
    if options.online {
        plan.online();
    }
    let losses: Vec<String> = plan.data_loss().map(|s| s.object.clone()).collect();
    if !options.allow_destructive && !losses.is_empty() {
        return Err(OpsError::Destructive(losses));
    }
    // The plan confirmed is the plan run: the same steps, in the same units.
    if !confirm(&plan) {
        return Err(OpsError::Cancelled);
    }
    let schemas = scope.list();
    // What an error leaves of the database: the earlier units stay committed.
    let mut left = "nothing was changed";
    for unit in plan.units() {
        let steps: Vec<&Step> = unit.steps.iter().map(|&i| &plan.steps[i]).collect();
        if unit.transaction {
            transaction(client, schemas, &steps, &format!("the transaction was rolled back: {left}")).await?;
        } else {
            for step in &steps {
                for sql in &step.sql {
                    if let Err(e) = one_statement(client, sql).await {
                        let cleaned = drop_invalid_index(client, step).await;
                        let outcome = format!("it ran outside a transaction: {left}{cleaned}");
                        return Err(
                            match timeout::db_failed(client, Some(schemas), Phase::Writing, &e, Some(sql), &outcome)
                                .await
                            {
                                OpsError::Database(text) => OpsError::Database(format!("{text}\n  {outcome}")),
                                other => other,
                            },
                        );
                    }
                }
            }
        }
        left = "the steps before it stay committed; run apply again to finish";
    }

    let again = live::plan_with(client, desired, scope, &options.ignore, pad)
        .await
        .map_err(|e| e.with_outcome("the plan was applied and committed; reading it back to verify timed out"))?;
    if !again.plan.is_empty() {
        return Err(OpsError::NotConverged(again.plan.to_sql()));
    }
    Ok(Report { plan, applied: true })
}

/// After a failed `CREATE INDEX CONCURRENTLY`: PostgreSQL leaves the index
/// behind, INVALID (never used by queries, but kept up to date by every
/// write). It is dropped, also concurrently; what became of it is said in
/// the error. (A later plan drops one that is still there and builds it again.)
async fn drop_invalid_index(client: &Client, step: &Step) -> String {
    let crate::diff::Change::CreateIndex { table, index } = &step.change else { return String::new() };
    let name = crate::model::QualName::new(table.schema.clone(), index.name.clone());
    let invalid = client
        .query_opt(
            "SELECT 1 FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relname = $2 AND NOT i.indisvalid",
            &[&table.schema, &index.name],
        )
        .await;
    match invalid {
        Ok(Some(_)) => match one_statement(client, &format!("DROP INDEX CONCURRENTLY IF EXISTS {name}")).await {
            Ok(()) => format!("; the INVALID index {name} the failed build left was dropped"),
            Err(_) => format!(
                "; the failed build left the INVALID index {name}, which could not be dropped now: the next apply \
                 drops it and builds it again"
            ),
        },
        _ => String::new(),
    }
}

/// Runs `steps` in one transaction; on failure rolls back, and the error
/// names the statement and says `rolled_back`.
async fn transaction(client: &Client, schemas: &[String], steps: &[&Step], rolled_back: &str) -> Result<(), OpsError> {
    if steps.is_empty() {
        return Ok(());
    }
    client.batch_execute("BEGIN").await.map_err(|e| db_error(&e, Some("BEGIN")))?;
    for step in steps {
        for sql in &step.sql {
            if let Err(e) = one_statement(client, sql).await {
                let _ = client.batch_execute("ROLLBACK").await;
                return Err(timeout::db_failed(client, Some(schemas), Phase::Writing, &e, Some(sql), rolled_back).await);
            }
        }
    }
    client.batch_execute("COMMIT").await.map_err(|e| db_error(&e, Some("COMMIT")))
}

/// Runs one statement of a plan through the extended protocol, which takes
/// exactly one statement: whatever a statement's text held, it could never
/// run a second one (the simple protocol behind `batch_execute` would).
async fn one_statement(client: &Client, sql: &str) -> Result<(), tokio_postgres::Error> {
    client.query_typed(sql, &[]).await.map(|_| ())
}
