//! Starting a revision chain from a database that already exists: `baseline`
//! writes the first revision from the live schema and records it; `show`
//! prints one revision for review (Alembic's `show`, with its SQL).

use std::path::{Path, PathBuf};

use tokio_postgres::Client;

use crate::introspect::Scope;
use crate::model::{Catalog, QualName};
use crate::plan::plan;
use crate::revisions::file::check_id;
use crate::revisions::{version_table, Chain, Revision, RevisionError};

use super::revision::{load_verified, new_id, stamp, write_revision};
use super::OpsError;

/// What `baseline` did.
#[derive(Debug)]
pub struct Baseline {
    /// The revision file written.
    pub path: PathBuf,
    /// Its id, now recorded in the database.
    pub id: String,
}

/// Writes a first revision whose upgrade builds the live schema (the managed
/// `scope`, bookkeeping tables left out) from an empty database, and records
/// it in `table` without running it. Refused when the chain already has revisions.
pub async fn baseline(
    client: &Client,
    dir: &Path,
    scope: &Scope,
    table: &QualName,
    message: &str,
    id: Option<String>,
) -> Result<Baseline, OpsError> {
    id.as_deref().map(check_id).transpose()?;
    if !load_verified(dir)?.is_empty() {
        return Err(RevisionError::Target(format!(
            "{} already holds revisions: a baseline starts a chain (use `pgstate stamp REV` to record \
             where this database stands instead)",
            dir.display()
        ))
        .into());
    }
    let mut live = super::export::read(client, scope).await?;
    super::export::leave_out(&mut live, &version_table::bookkeeping(table));
    let r = baseline_revision(&live, message, id.unwrap_or_else(new_id))?;
    let id = r.id.clone();
    let path = write_revision(dir, r)?;
    stamp(client, dir, &id, table).await?;
    Ok(Baseline { path, id })
}

/// The revision from an empty database to `live`, and back.
fn baseline_revision(live: &Catalog, message: &str, id: String) -> Result<Revision, OpsError> {
    let empty = Catalog::default();
    let up = plan(&empty, live, &[])?;
    let down = plan(live, &empty, &[])?;
    Ok(Revision {
        id,
        parents: Vec::new(),
        message: message.to_string(),
        created: super::revision::now(),
        up: up.script(),
        down: down.script(),
        path: PathBuf::new(),
    })
}

/// One revision as Alembic's `show` prints it, followed by its SQL both ways.
/// `target` is an id or prefix, `head` or `base` (the first revision).
pub fn show(chain: &Chain, target: &str) -> Result<String, OpsError> {
    let r = match target {
        "head" => chain.head()?.ok_or_else(|| RevisionError::Target("the chain has no revision".into()))?,
        "base" => chain
            .revisions
            .iter()
            .find(|r| r.parents.is_empty())
            .ok_or_else(|| RevisionError::Target("the chain has no revision".into()))?,
        id => chain.resolve(id)?,
    };
    let heads: Vec<&str> = chain.heads().iter().map(|h| h.id.as_str()).collect();
    let head = if heads.contains(&r.id.as_str()) { " (head)" } else { "" };
    let merge = if r.parents.len() > 1 { " (mergepoint)" } else { "" };
    let parents = if r.parents.is_empty() { "<base>".to_string() } else { r.parents.join(", ") };
    let children: Vec<&str> =
        chain.revisions.iter().filter(|c| c.parents.contains(&r.id)).map(|c| c.id.as_str()).collect();
    let mut out = format!("Rev: {}{head}{merge}\nParent: {parents}\n", r.id);
    if !children.is_empty() {
        out.push_str(&format!("Branches into: {}\n", children.join(", ")));
    }
    out.push_str(&format!(
        "Path: {}\n\n    {}\n\n    Revision ID: {}\n    Revises: {}\n    Create Date: {}\n\n",
        r.path.display(),
        crate::quote::one_line(&r.message),
        r.id,
        r.parents.join(", "),
        r.created
    ));
    out.push_str(&format!("-- upgrade:\n{}\n-- downgrade:\n{}", section(&r.up), section(&r.down)));
    Ok(out)
}

fn section(sql: &str) -> String {
    let sql = sql.trim();
    if sql.is_empty() {
        "-- (nothing)\n".to_string()
    } else {
        format!("{sql}\n")
    }
}
