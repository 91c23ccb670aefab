//! Planning against a live database: read it, settle expression spellings
//! through the server, and plan towards the desired schema.

use tokio_postgres::Client;

use crate::diff::{diff_with_hints, Change};
use crate::introspect::{introspect, Live, Scope};
use crate::model::QualName;
use crate::normalize;
use crate::parse::Parsed;
use crate::plan::{from_changes, Plan};

use super::OpsError;

/// A plan with what it was computed from.
pub struct LivePlan {
    /// The plan.
    pub plan: Plan,
    /// The database as read.
    pub live: Live,
    /// The desired catalog, with expressions respelled as the server stores them where they mean the same.
    pub desired: crate::model::Catalog,
}

/// Reads the database and plans from it to `desired`, ignoring pgstate's
/// default version table.
pub async fn plan(client: &Client, desired: &Parsed, scope: &Scope) -> Result<LivePlan, OpsError> {
    plan_with(client, desired, scope, &[crate::revisions::version_table::default_table()]).await
}

/// Like `plan`, ignoring the given bookkeeping tables (version tables).
pub async fn plan_with(client: &Client, desired: &Parsed, scope: &Scope, ignore: &[QualName]) -> Result<LivePlan, OpsError> {
    let mut live = introspect(client, scope).await?;
    for t in ignore {
        live.catalog.tables.shift_remove(t);
    }
    let mut target = desired.catalog.clone();
    normalize::reconcile(client, &mut target, &live.catalog).await?;
    let diff = diff_with_hints(&live.catalog, &target, &desired.hints);
    let mut changes: Vec<Change> =
        live.invalid_indexes.iter().map(|index| Change::DropInvalidIndex { index: index.clone() }).collect();
    changes.extend(diff.changes);
    let plan = from_changes(changes, &live.catalog, &target, diff.warnings);
    Ok(LivePlan { plan, live, desired: target })
}
