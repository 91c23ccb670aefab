//! `pgstate drift`: does the database match the desired schema?

use similar::TextDiff;
use tokio_postgres::Client;

use crate::parse::Parsed;
use crate::plan::{catalog_sql, Plan};

use super::{live, OpsError};

/// The verdict.
pub struct Drift {
    /// The plan that would fix it (empty when in sync).
    pub plan: Plan,
    /// A unified diff of the two schemas rendered as SQL (live first).
    pub diff: String,
}

impl Drift {
    /// Whether database and schema match.
    pub fn in_sync(&self) -> bool {
        self.plan.is_empty()
    }
}

/// Compares the database with the desired schema, reading the catalog
/// while the desired files are parsed (`live::plan_while_parsing`); the
/// files come back as parsed.
pub async fn drift_while_parsing(
    client: &Client,
    readers: &[Client],
    parsing: super::parsing::Parsing,
    wanted: &live::Wanted,
    pad: &mut super::settle::Scratchpad,
) -> Result<(Drift, Parsed), OpsError> {
    let made = live::plan_while_parsing(client, readers, parsing, wanted, pad).await?;
    Ok((of(made.live)?, made.parsed))
}

/// The drift a live plan shows: the plan, and the two schemas' text side by side when it is not empty.
fn of(planned: live::LivePlan) -> Result<Drift, OpsError> {
    let diff = if planned.plan.is_empty() {
        String::new()
    } else {
        let (have, want) = rendered(&planned.live.catalog, &planned.desired)?;
        TextDiff::from_lines(&have, &want)
            .unified_diff()
            .context_radius(3)
            .header("database", "desired schema")
            .to_string()
    };
    Ok(Drift { plan: planned.plan, diff })
}

/// Compares the revision chain's head state with the desired schema (no
/// database), as far as the privileges of `roles` go.
pub fn chain_drift(
    head_state: &crate::model::Catalog,
    desired: &Parsed,
    roles: &crate::model::ManagedRoles,
) -> Result<Drift, OpsError> {
    let (mut head, mut want) = (head_state.clone(), desired.catalog.clone());
    head.retain_roles(roles);
    want.retain_roles(roles);
    let (head_state, desired_catalog) = (&head, &want);
    let plan = crate::plan::plan(head_state, desired_catalog, &desired.hints)?;
    let diff = if plan.is_empty() {
        String::new()
    } else {
        let (have, want) = rendered(head_state, desired_catalog)?;
        TextDiff::from_lines(&have, &want)
            .unified_diff()
            .context_radius(3)
            .header("revisions", "desired schema")
            .to_string()
    };
    Ok(Drift { plan, diff })
}

/// Both sides as SQL for the unified diff, printed alike wherever they are
/// alike: an expression equal on both sides in the desired spelling (the
/// database's own, `(0.0)::double precision`, is not a difference), and the
/// columns in the desired order (a column a revision or an `ALTER` appended
/// has not moved; PostgreSQL cannot reorder columns and pgstate does not
/// compare their order).
fn rendered(
    have: &crate::model::Catalog,
    want: &crate::model::Catalog,
) -> Result<(String, String), crate::plan::PlanError> {
    let mut have = have.clone();
    have.spelled_like(want);
    Ok((catalog_sql(&have)?, catalog_sql(want)?))
}
