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
    /// Build indexes on existing tables with `CREATE INDEX CONCURRENTLY`, after the transaction.
    pub concurrently: bool,
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
    confirm: &mut dyn FnMut(&Plan) -> bool,
) -> Result<Report, OpsError> {
    acquire_lock(client, options.lock_wait).await?;
    let result = locked(client, desired, scope, options, confirm).await;
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
    confirm: &mut dyn FnMut(&Plan) -> bool,
) -> Result<Report, OpsError> {
    let planned = live::plan_with(client, desired, scope, &options.ignore).await?;
    let plan = planned.plan;
    if plan.is_empty() {
        return Ok(Report { plan, applied: false });
    }
    let losses: Vec<String> = plan.data_loss().map(|s| s.object.clone()).collect();
    if !options.allow_destructive && !losses.is_empty() {
        return Err(OpsError::Destructive(losses));
    }
    if !confirm(&plan) {
        return Err(OpsError::Cancelled);
    }
    let created: std::collections::HashSet<String> =
        plan.steps.iter().filter(|s| s.kind == "create_table").map(|s| s.object.clone()).collect();
    let is_late = |s: &Step| options.concurrently && s.kind == "create_index" && !created.contains(&table_of(s));
    // A new enum label cannot be used in the transaction that adds it: labels go first, on their own.
    let (labels, rest): (Vec<&Step>, Vec<&Step>) = plan.steps.iter().partition(|s| s.kind == "add_enum_value");
    let (late, main): (Vec<&Step>, Vec<&Step>) = rest.into_iter().partition(|s| is_late(s));
    let schemas = scope.list();
    transaction(client, schemas, &labels, "the transaction was rolled back: nothing was changed").await?;
    let rolled_back = if labels.is_empty() {
        "the transaction was rolled back: nothing was changed"
    } else {
        "the transaction was rolled back (the new enum labels, committed before it, stay; run apply again to finish)"
    };
    transaction(client, schemas, &main, rolled_back).await?;
    for step in late {
        for sql in &step.sql {
            let concurrent = sql.replacen(" INDEX ", " INDEX CONCURRENTLY ", 1);
            if let Err(e) = client.batch_execute(&concurrent).await {
                let outcome = "the main transaction committed before it; run apply again to finish";
                return Err(
                    timeout::db_failed(client, Some(schemas), Phase::Writing, &e, Some(&concurrent), outcome).await
                );
            }
        }
    }

    let again = live::plan_with(client, desired, scope, &options.ignore)
        .await
        .map_err(|e| e.with_outcome("the plan was applied and committed; reading it back to verify timed out"))?;
    if !again.plan.is_empty() {
        return Err(OpsError::NotConverged(again.plan.to_sql()));
    }
    Ok(Report { plan, applied: true })
}

/// The table an index step is on (the step's object names the index, not its table).
fn table_of(step: &Step) -> String {
    match &step.change {
        crate::diff::Change::CreateIndex { table, .. } => table.to_string(),
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
            if let Err(e) = client.batch_execute(sql).await {
                let _ = client.batch_execute("ROLLBACK").await;
                return Err(timeout::db_failed(client, Some(schemas), Phase::Writing, &e, Some(sql), rolled_back).await);
            }
        }
    }
    client.batch_execute("COMMIT").await.map_err(|e| db_error(&e, Some("COMMIT")))
}
