//! The revision commands: autogenerate, revision, merge, hash, upgrade,
//! downgrade, current, history, heads.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};
use tokio_postgres::Client;

use crate::model::{Catalog, QualName};
use crate::parse::{Parsed, RenameHint};
use crate::plan::plan;
use crate::revisions::file::check_id;
use crate::revisions::{alembic, guard, state_at, sum, version_table, Chain, Revision, RevisionError};

use super::apply::{acquire_lock, release_lock};
use super::error::db_error;
use super::progress::Progress;
use super::retry::LockRetries;
use super::timeout::{self, Phase};
use super::OpsError;

impl From<RevisionError> for OpsError {
    fn from(e: RevisionError) -> Self {
        OpsError::Revision(e)
    }
}

/// A fresh revision id: 12 hex digits, as Alembic's.
pub fn new_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_nanos();
    let seed = format!("{nanos}-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    Sha256::digest(seed.as_bytes()).iter().take(6).map(|b| format!("{b:02x}")).collect()
}

pub(super) fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// The chain of `dir`, checked against its sum file.
pub fn load_verified(dir: &Path) -> Result<Chain, OpsError> {
    let chain = Chain::load(dir)?;
    sum::verify(dir, &chain)?;
    Ok(chain)
}

/// The schema the chain's single head describes.
pub fn head_state(chain: &Chain) -> Result<Catalog, OpsError> {
    Ok(match chain.head()? {
        Some(h) => state_at(chain, std::slice::from_ref(&h.id))?,
        None => Catalog::default(),
    })
}

/// The rename hints turned around, for the down direction.
pub fn reversed(hints: &[RenameHint]) -> Vec<RenameHint> {
    hints
        .iter()
        .map(|h| match h {
            RenameHint::Table { table, from } => RenameHint::Table { table: from.clone(), from: table.clone() },
            RenameHint::Column { table, column, from } => {
                RenameHint::Column { table: table.clone(), column: from.clone(), from: column.clone() }
            }
            RenameHint::EnumValue { name, value, from } => {
                RenameHint::EnumValue { name: name.clone(), value: from.clone(), from: value.clone() }
            }
        })
        .collect()
}

pub(super) fn write_revision(dir: &Path, r: Revision) -> Result<PathBuf, OpsError> {
    // The id becomes a file name and a header line: checked again here, whoever built `r`.
    check_id(&r.id)?;
    std::fs::create_dir_all(dir)?;
    let path = dir.join(Revision::file_name(&r.id, &r.message));
    if path.exists() {
        return Err(OpsError::Revision(RevisionError::Duplicate(r.id)));
    }
    std::fs::write(&path, r.render())?;
    let chain = Chain::load(dir)?;
    sum::write(dir, &chain)?;
    Ok(path)
}

/// Writes the plan from the chain's head to `desired` as a new revision;
/// `None` when there is nothing to write. Only the privileges of `roles` are
/// planned. `nothing`: the schema directory held no schema file.
pub fn autogenerate(
    dir: &Path,
    desired: &Parsed,
    nothing: Option<&super::desired::NothingFound>,
    message: &str,
    id: Option<String>,
    roles: &crate::model::ManagedRoles,
) -> Result<Option<PathBuf>, OpsError> {
    id.as_deref().map(check_id).transpose()?;
    let chain = load_verified(dir)?;
    let parent = chain.head()?.map(|r| r.id.clone());
    let mut from = head_state(&chain)?;
    // A revision dropping everything because the schema directory was empty by accident is refused.
    super::desired::refuse_empty(nothing, &from, &[], "the revision chain's head")?;
    from.retain_roles(roles);
    let mut target = desired.catalog.clone();
    target.retain_roles(roles);
    let up = plan(&from, &target, &desired.hints)?;
    if up.is_empty() {
        return Ok(None);
    }
    // The down plan starts from what the up plan reaches, which the model computes.
    let mut reached = from.clone();
    let steps: Vec<_> = up.steps.iter().map(|s| s.change.clone()).collect();
    crate::diff::apply::apply_all(&mut reached, &steps);
    let down = plan(&reached, &from, &reversed(&desired.hints))?;
    let r = Revision {
        id: id.unwrap_or_else(new_id),
        parents: parent.into_iter().collect(),
        message: message.to_string(),
        created: now(),
        up: up.script(),
        down: down.script(),
        path: PathBuf::new(),
    };
    write_revision(dir, r).map(Some)
}

/// Writes an empty revision (one parent: the head; or the given parents, for a merge).
pub fn empty_revision(
    dir: &Path,
    message: &str,
    id: Option<String>,
    parents: Option<Vec<String>>,
) -> Result<PathBuf, OpsError> {
    id.as_deref().map(check_id).transpose()?;
    let chain = load_verified(dir)?;
    let parents = match parents {
        Some(p) => p.iter().map(|x| chain.resolve(x).map(|r| r.id.clone())).collect::<Result<Vec<_>, _>>()?,
        None => chain.head()?.map(|r| vec![r.id.clone()]).unwrap_or_default(),
    };
    let r = Revision {
        id: id.unwrap_or_else(new_id),
        parents,
        message: message.to_string(),
        created: now(),
        up: String::new(),
        down: String::new(),
        path: PathBuf::new(),
    };
    write_revision(dir, r)
}

/// Rewrites `pgstate.sum` for the files as they are.
pub fn hash(dir: &Path) -> Result<(), OpsError> {
    let chain = Chain::load(dir)?;
    sum::write(dir, &chain)?;
    Ok(())
}

/// `alembic history`'s format, newest first.
pub fn history(chain: &Chain, verbose: bool) -> String {
    let heads: BTreeSet<String> = chain.heads().iter().map(|r| r.id.clone()).collect();
    let mut out = String::new();
    for r in chain.revisions.iter().rev() {
        let parents = if r.parents.is_empty() { "<base>".to_string() } else { r.parents.join(", ") };
        let head = if heads.contains(&r.id) { " (head)" } else { "" };
        let merge = if r.parents.len() > 1 { " (mergepoint)" } else { "" };
        if verbose {
            out.push_str(&format!(
                "Rev: {}{head}{merge}\nParent: {parents}\nPath: {}\n\n    {}\n\n    Revision ID: {}\n    Revises: {}\n    Create Date: {}\n\n",
                r.id,
                r.path.display(),
                r.message,
                r.id,
                r.parents.join(", "),
                r.created
            ));
        } else {
            out.push_str(&format!("{parents} -> {}{head}{merge}, {}\n", r.id, r.message));
        }
    }
    out
}

/// Revisions wait for another pgstate (apply or upgrade) as long as apply does by default.
const LOCK_WAIT: Duration = Duration::from_secs(60);

/// Where the database stands: its recorded revisions, all known to the chain.
async fn recorded(client: &Client, chain: &Chain, table: &QualName) -> Result<Vec<String>, OpsError> {
    let ids = version_table::read(client, table).await.map_err(|e| db_error(&e, None))?;
    for id in &ids {
        if chain.get(id).is_none() {
            return Err(RevisionError::UnknownInDatabase(id.clone()).into());
        }
    }
    Ok(ids)
}

/// Runs revision `r` in one transaction, rolled back and run again after a
/// lock timeout while `retries` allow.
async fn run_revision(
    client: &Client,
    table: &QualName,
    r: &Revision,
    up: bool,
    retries: LockRetries,
    progress: &mut dyn Progress,
) -> Result<(), OpsError> {
    let mut attempt = 0;
    loop {
        match try_revision(client, table, r, up).await {
            Err(Tried::Failed(e)) => {
                if let Some(pause) = retries.after(&e, attempt) {
                    attempt += 1;
                    progress.retrying(&format!("revision {}", r.id), attempt, retries.0, pause);
                    tokio::time::sleep(pause).await;
                    continue;
                }
                let direction = if up { "upgrade" } else { "downgrade" };
                let spent = if attempt > 0 { retries.spent() } else { String::new() };
                return Err(match timeout::of_db(&e) {
                    Some(which) => {
                        let outcome = format!("revision {} ({direction}) was rolled back{spent}", r.id);
                        timeout::explain(client, None, Phase::Writing, which, None, &outcome).await
                    }
                    None => revision_failed(&e, &r.id, direction),
                });
            }
            Err(Tried::Ended(e)) => return Err(e),
            Ok(()) => return Ok(()),
        }
    }
}

/// How one try of a revision ended.
enum Tried {
    /// A statement failed and the transaction was rolled back.
    Failed(tokio_postgres::Error),
    /// BEGIN or COMMIT failed: the error to return.
    Ended(OpsError),
}

fn revision_failed(e: &tokio_postgres::Error, id: &str, direction: &str) -> OpsError {
    let mut err = db_error(e, None);
    if let OpsError::Database(text) = &mut err {
        *text = format!("revision {id} ({direction}) failed and was rolled back: {text}");
    }
    err
}

async fn try_revision(client: &Client, table: &QualName, r: &Revision, up: bool) -> Result<(), Tried> {
    let sql = if up { &r.up } else { &r.down };
    let direction = if up { "upgrade" } else { "downgrade" };
    let context = |e: &tokio_postgres::Error| Tried::Ended(revision_failed(e, &r.id, direction));
    client.batch_execute("BEGIN").await.map_err(|e| context(&e))?;
    // The session's lock_timeout (set at connect) bounds every wait.
    let result = async {
        client.batch_execute(sql).await?;
        if up {
            version_table::advance(client, table, &r.id, &r.parents).await
        } else {
            version_table::retreat(client, table, &r.id, &r.parents).await
        }
    }
    .await;
    match result {
        Ok(()) => client.batch_execute("COMMIT").await.map_err(|e| context(&e)),
        Err(e) => {
            let _ = client.batch_execute("ROLLBACK").await;
            Err(Tried::Failed(e))
        }
    }
}

/// What an upgrade did.
#[derive(Debug, Default)]
pub struct Upgraded {
    /// The revisions taken over from `alembic_version` (the database had no pgstate record).
    pub adopted: Vec<String>,
    /// The revisions applied, in order.
    pub applied: Vec<String>,
}

/// Where a database Alembic manages stands, taken over into pgstate's table:
/// when pgstate has no record and `alembic_version` names revisions the chain
/// holds, they are recorded (nothing else runs) and the upgrade continues
/// from them. An Alembic revision the chain lacks is refused.
async fn adopt_alembic(client: &Client, chain: &Chain, table: &QualName) -> Result<Vec<String>, OpsError> {
    let ids = version_table::alembic(client).await.map_err(|e| db_error(&e, None))?;
    if let Some(unknown) = ids.iter().find(|id| chain.get(id).is_none()) {
        return Err(RevisionError::Target(format!(
            "alembic_version names revision {unknown}, which the revision directory does not hold: \
             record the revision it matches with `pgstate stamp REV`"
        ))
        .into());
    }
    if !ids.is_empty() {
        record(client, table, &ids).await?;
    }
    Ok(ids)
}

/// Makes `ids` the table's whole content, in one transaction.
async fn record(client: &Client, table: &QualName, ids: &[String]) -> Result<(), OpsError> {
    let write = async {
        client.batch_execute("BEGIN").await?;
        version_table::replace(client, table, ids).await?;
        client.batch_execute("COMMIT").await
    };
    if let Err(e) = write.await {
        let _ = client.batch_execute("ROLLBACK").await;
        return Err(db_error(&e, None));
    }
    Ok(())
}

/// Records `target` (`head`, `heads`, `base`, an id or prefix) as where the
/// database stands, running nothing (Alembic's `stamp`). Returns the ids recorded.
pub async fn stamp(client: &Client, dir: &Path, target: &str, table: &QualName) -> Result<Vec<String>, OpsError> {
    let chain = load_verified(dir)?;
    let ids: Vec<String> = match target {
        "base" => Vec::new(),
        "head" => chain.head()?.map(|h| vec![h.id.clone()]).unwrap_or_default(),
        "heads" => chain.heads().iter().map(|h| h.id.clone()).collect(),
        id => vec![chain.resolve(id)?.id.clone()],
    };
    version_table::ensure(client, table).await.map_err(|e| db_error(&e, None))?;
    acquire_lock(client, LOCK_WAIT, &mut super::progress::Silent).await?;
    let result = record(client, table, &ids).await;
    release_lock(client).await;
    result.map(|()| ids)
}

/// Applies the revisions needed to reach `target` (`head`, an id or prefix,
/// `+N`), each in its own transaction; a database only Alembic has recorded
/// continues from its `alembic_version` (see `adopt_alembic`).
pub async fn upgrade(
    client: &Client,
    dir: &Path,
    target: &str,
    table: &QualName,
    retries: LockRetries,
    progress: &mut dyn Progress,
) -> Result<Upgraded, OpsError> {
    let chain = load_verified(dir)?;
    version_table::ensure(client, table).await.map_err(|e| db_error(&e, None))?;
    acquire_lock(client, LOCK_WAIT, &mut super::progress::Silent).await?;
    let result = async {
        let mut current = recorded(client, &chain, table).await?;
        let mut adopted = Vec::new();
        if current.is_empty() {
            adopted = adopt_alembic(client, &chain, table).await?;
            current = adopted.clone();
        }
        let applied = chain.ancestry(&current);
        let pending: Vec<&Revision> = if let Some(n) = target.strip_prefix('+') {
            let n: usize = n.parse().map_err(|_| RevisionError::Target(format!("bad step count {target}")))?;
            let head = chain.head()?.map(|h| vec![h.id.clone()]).unwrap_or_default();
            chain.ordered(&chain.ancestry(&head)).into_iter().filter(|r| !applied.contains(&r.id)).take(n).collect()
        } else {
            let goal = match target {
                "head" => chain.head()?.map(|h| vec![h.id.clone()]).unwrap_or_default(),
                "heads" => chain.heads().iter().map(|h| h.id.clone()).collect(),
                id => vec![chain.resolve(id)?.id.clone()],
            };
            chain.ordered(&chain.ancestry(&goal)).into_iter().filter(|r| !applied.contains(&r.id)).collect()
        };
        let mut applied = Vec::new();
        for r in pending {
            run_revision(client, table, r, true, retries, progress).await?;
            applied.push(r.id.clone());
        }
        Ok(Upgraded { adopted, applied })
    }
    .await;
    release_lock(client).await;
    result
}

/// Undoes revisions down to `target` (`-N`, an id or prefix, `base`), newest
/// first; refuses, changing nothing, when that loses data (a table, a column...)
/// unless `allow_destructive`.
pub async fn downgrade(
    client: &Client,
    dir: &Path,
    target: &str,
    table: &QualName,
    allow_destructive: bool,
    retries: LockRetries,
    progress: &mut dyn Progress,
) -> Result<Vec<String>, OpsError> {
    let chain = load_verified(dir)?;
    acquire_lock(client, LOCK_WAIT, &mut super::progress::Silent).await?;
    let result = async {
        let current = recorded(client, &chain, table).await?;
        let applied = chain.ancestry(&current);
        let mut undo: Vec<&Revision> = chain.ordered(&applied);
        undo.reverse();
        let undo: Vec<&Revision> = if let Some(n) = target.strip_prefix('-') {
            let n: usize = n.parse().map_err(|_| RevisionError::Target(format!("bad step count {target}")))?;
            undo.into_iter().take(n).collect()
        } else if target == "base" {
            undo
        } else {
            let keep = chain.ancestry(&[chain.resolve(target)?.id.clone()]);
            if !keep.iter().all(|k| applied.contains(k)) {
                return Err(RevisionError::Target(format!("{target} is not applied; use upgrade to reach it")).into());
            }
            undo.into_iter().filter(|r| !keep.contains(&r.id)).collect()
        };
        if !allow_destructive {
            let losses =
                guard::downgrade_losses(&chain, &applied, &undo).map_err(|e| RevisionError::Unjudged(Box::new(e)))?;
            if !losses.is_empty() {
                return Err(RevisionError::Destructive(losses).into());
            }
        }
        let mut done = Vec::new();
        for r in undo {
            run_revision(client, table, r, false, retries, progress).await?;
            done.push(r.id.clone());
        }
        Ok(done)
    }
    .await;
    release_lock(client).await;
    result
}

/// pgstate's recorded revisions and Alembic's, if any.
pub async fn current(client: &Client, table: &QualName) -> Result<(Vec<String>, Vec<String>), OpsError> {
    let reading = async { Ok((version_table::read(client, table).await?, version_table::alembic(client).await?)) };
    match reading.await {
        Ok(found) => Ok(found),
        Err(e) => Err(timeout::db_failed(client, None, Phase::Reading, &e, None, super::live::NOTHING_CHANGED).await),
    }
}

/// Writes an Alembic revision into `alembic_dir` whose upgrade runs the plan
/// from `from` to `desired`; `None` when there is nothing to do.
pub fn autogenerate_alembic(
    alembic_dir: &Path,
    from: &Catalog,
    desired: &Parsed,
    message: &str,
    id: Option<String>,
) -> Result<Option<PathBuf>, OpsError> {
    id.as_deref().map(check_id).transpose()?;
    let up = plan(from, &desired.catalog, &desired.hints)?;
    if up.is_empty() {
        return Ok(None);
    }
    let mut reached = from.clone();
    let steps: Vec<_> = up.steps.iter().map(|s| s.change.clone()).collect();
    crate::diff::apply::apply_all(&mut reached, &steps);
    let down = plan(&reached, from, &reversed(&desired.hints))?;
    let parent = alembic::head(alembic_dir)?;
    let id = id.unwrap_or_else(new_id);
    let statements = |p: &crate::plan::Plan| p.steps.iter().flat_map(|s| s.sql.clone()).collect::<Vec<_>>();
    let text = alembic::render(&id, parent.as_deref(), message, &now(), &statements(&up), &statements(&down));
    std::fs::create_dir_all(alembic_dir)?;
    let path = alembic_dir.join(Revision::file_name(&id, message).replace(".sql", ".py"));
    std::fs::write(&path, text)?;
    Ok(Some(path))
}
