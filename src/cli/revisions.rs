//! The revision commands: writing revisions (`autogenerate`, `revision`,
//! `merge`, `hash`, `baseline`), reading the chain (`history`, `heads`,
//! `show`), and moving a database along it (`upgrade`, `downgrade`,
//! `stamp`, `current`).

use std::process::ExitCode;

use miette::Report;

use pgstate::config::Config;
use pgstate::introspect::Scope;
use pgstate::model::QualName;
use pgstate::ops;
use pgstate::revisions::Chain;

use super::args::{
    AutogenerateArgs, BaselineArgs, CurrentArgs, DowngradeArgs, HistoryArgs, MergeArgs, RevisionArgs, RevisionFormat,
    ShowArgs, StampArgs, UpgradeArgs,
};
use super::context::{config, load, with_db};
use super::output::out;

/// `pgstate autogenerate`: the plan from the chain's head (or, for Alembic,
/// a database) to the desired schema, as a new revision.
pub fn autogenerate(a: AutogenerateArgs) -> Result<ExitCode, Report> {
    let config = config(a.waits.env.as_deref())?;
    let (parsed, _, nothing) = load(&config, &a.desired)?;
    let dir = config.migrations_path();
    let roles = config.roles(a.desired.roles.as_deref());
    let written = if a.format == RevisionFormat::Alembic {
        let alembic_dir =
            a.alembic_dir.as_ref().ok_or_else(|| miette::miette!("--format alembic needs --alembic-dir"))?;
        let (mut from, mut target) = match a.url.as_deref().or(config.url.as_deref()) {
            Some(u) => {
                // Alembic's own table is its bookkeeping, not part of the plan.
                let alembic_table = QualName::new("public", "alembic_version");
                let scope =
                    ops::desired::scope(&parsed.catalog, a.desired.schemas.as_deref().or(config.schemas.as_deref()))
                        .with_roles(roles.clone());
                let db = a.waits.target(&config, Some(u))?;
                let mut live = with_db(&db, async |client| ops::export::read(client, &scope).await)?;
                live.tables.shift_remove(&alembic_table);
                live.tables.shift_remove(&config.version_table());
                let mut target = parsed.clone();
                target.catalog.tables.shift_remove(&alembic_table);
                (live, target)
            }
            None => (ops::revision::head_state(&ops::revision::load_verified(&dir)?)?, parsed.clone()),
        };
        from.retain_roles(&roles);
        target.catalog.retain_roles(&roles);
        ops::revision::autogenerate_alembic(alembic_dir, &from, &target, &a.message, a.rev_id)?
    } else {
        ops::revision::autogenerate(&dir, &parsed, nothing.as_ref(), &a.message, a.rev_id, &roles)?
    };
    match written {
        Some(path) => eprintln!("wrote {}", path.display()),
        None => eprintln!("no changes: the current state already matches the desired schema; nothing written"),
    }
    Ok(ExitCode::SUCCESS)
}

/// `pgstate revision`: an empty revision to fill in by hand.
pub fn revision(a: RevisionArgs) -> Result<ExitCode, Report> {
    let path = ops::revision::empty_revision(&config(None)?.migrations_path(), &a.message, a.rev_id, None)?;
    eprintln!("wrote {} (run `pgstate hash` after editing it)", path.display());
    Ok(ExitCode::SUCCESS)
}

/// `pgstate merge`: a revision joining heads.
pub fn merge(a: MergeArgs) -> Result<ExitCode, Report> {
    let dir = config(None)?.migrations_path();
    let path = ops::revision::empty_revision(&dir, &a.message, a.rev_id, Some(a.revisions))?;
    eprintln!("wrote {}", path.display());
    Ok(ExitCode::SUCCESS)
}

/// `pgstate hash`: rewrite `pgstate.sum`.
pub fn hash() -> Result<ExitCode, Report> {
    let dir = config(None)?.migrations_path();
    ops::revision::hash(&dir)?;
    eprintln!("wrote {}", dir.join("pgstate.sum").display());
    Ok(ExitCode::SUCCESS)
}

/// The chain, refusing a directory that does not exist (rather than showing an empty chain).
fn chain(config: &Config) -> Result<Chain, Report> {
    let dir = config.migrations_path();
    if !dir.is_dir() {
        return Err(miette::miette!(
            "no revision directory {} (pgstate.toml's `migrations` names another)",
            dir.display()
        ));
    }
    Ok(Chain::load(&dir)?)
}

/// `pgstate history`.
pub fn history(a: HistoryArgs) -> Result<ExitCode, Report> {
    out(format_args!("{}", ops::revision::history(&chain(&config(None)?)?, a.verbose)))?;
    Ok(ExitCode::SUCCESS)
}

/// `pgstate heads`.
pub fn heads() -> Result<ExitCode, Report> {
    for r in chain(&config(None)?)?.heads() {
        out(format_args!("{} (head)\n", r.id))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `pgstate show REV`.
pub fn show(a: ShowArgs) -> Result<ExitCode, Report> {
    out(format_args!("{}", ops::adopt::show(&chain(&config(None)?)?, &a.revision)?))?;
    Ok(ExitCode::SUCCESS)
}

/// `pgstate upgrade`: run revisions up to the target, continuing from
/// `alembic_version` on a database only Alembic has recorded.
pub fn upgrade(a: UpgradeArgs) -> Result<ExitCode, Report> {
    let config = config(a.waits.env.as_deref())?;
    let (dir, table) = (config.migrations_path(), config.version_table());
    // A tampered chain is refused before any connection is made.
    ops::revision::load_verified(&dir)?;
    let db = a.waits.target(&config, a.url.as_deref())?;
    let done = with_db(&db, async |client| {
        let retries = ops::retry::LockRetries(a.lock_retries);
        let mut progress = ops::progress::Console::new(false);
        ops::revision::upgrade(client, &dir, &a.target, &table, retries, &mut progress).await
    })?;
    if !done.adopted.is_empty() {
        eprintln!("adopted: alembic_version is at {}; continuing from there", done.adopted.join(", "));
    }
    for id in &done.applied {
        eprintln!("upgraded: {id}");
    }
    if done.applied.is_empty() {
        eprintln!(
            "nothing to upgrade: the database is already at {}",
            if a.target.starts_with('+') { "the head" } else { &a.target }
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `pgstate downgrade`.
pub fn downgrade(a: DowngradeArgs) -> Result<ExitCode, Report> {
    let config = config(a.waits.env.as_deref())?;
    let (dir, table) = (config.migrations_path(), config.version_table());
    ops::revision::load_verified(&dir)?;
    let db = a.waits.target(&config, a.url.as_deref())?;
    let done = with_db(&db, async |client| {
        let retries = ops::retry::LockRetries(a.lock_retries);
        let mut progress = ops::progress::Console::new(false);
        ops::revision::downgrade(client, &dir, &a.target, &table, a.allow_destructive, retries, &mut progress).await
    })?;
    for id in &done {
        eprintln!("downgraded: {id}");
    }
    if done.is_empty() {
        eprintln!("nothing to undo");
    }
    Ok(ExitCode::SUCCESS)
}

/// `pgstate stamp REV`: record a revision, running nothing.
pub fn stamp(a: StampArgs) -> Result<ExitCode, Report> {
    let config = config(a.waits.env.as_deref())?;
    let (dir, table) = (config.migrations_path(), config.version_table());
    let db = a.waits.target(&config, a.url.as_deref())?;
    let ids = with_db(&db, async |client| ops::revision::stamp(client, &dir, &a.revision, &table).await)?;
    match ids.as_slice() {
        [] => eprintln!("stamped: no revision recorded (base)"),
        ids => eprintln!("stamped: {}", ids.join(", ")),
    }
    Ok(ExitCode::SUCCESS)
}

/// `pgstate baseline`: the first revision, from a live database.
pub fn baseline(a: BaselineArgs) -> Result<ExitCode, Report> {
    let config = config(a.waits.env.as_deref())?;
    let (dir, table) = (config.migrations_path(), config.version_table());
    let schemas = a.schemas.or_else(|| config.schemas.clone()).unwrap_or_else(|| vec!["public".to_string()]);
    let scope = Scope::Schemas(schemas).with_roles(config.roles(None));
    let db = a.waits.target(&config, a.url.as_deref())?;
    let done =
        with_db(&db, async |client| ops::adopt::baseline(client, &dir, &scope, &table, &a.message, a.rev_id).await)?;
    eprintln!("wrote {} and recorded {} in {}", done.path.display(), done.id, db.describe());
    Ok(ExitCode::SUCCESS)
}

/// `pgstate current`: the revisions recorded in the database.
pub fn current(a: CurrentArgs) -> Result<ExitCode, Report> {
    let config = config(a.waits.env.as_deref())?;
    let table = config.version_table();
    let chain = Chain::load(&config.migrations_path())?;
    let heads: Vec<String> = chain.heads().iter().map(|r| r.id.clone()).collect();
    let db = a.waits.target(&config, a.url.as_deref())?;
    let (ours, alembic) = with_db(&db, async |client| ops::revision::current(client, &table).await)?;
    if ours.is_empty() {
        out(format_args!("pgstate: no revision applied\n"))?;
    }
    for id in ours {
        let head = if heads.contains(&id) { " (head)" } else { "" };
        out(format_args!("{id}{head}\n"))?;
    }
    for id in alembic {
        out(format_args!("alembic: {id}\n"))?;
    }
    Ok(ExitCode::SUCCESS)
}
