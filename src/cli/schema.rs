//! The declarative commands: `plan`, `apply`, `drift`, `check`, `export`.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use miette::{IntoDiagnostic, Report};

use pgstate::introspect::Scope;
use pgstate::ops::{self, OpsError};
use pgstate::plan::Plan;

use super::args::{ApplyArgs, CheckArgs, DriftArgs, DriftFormat, ExportArgs, PlanArgs};
use super::context::{
    config, first_schema, load_for, names_a_database, start_parsing, target_after, with_db, with_db_readers_parsing,
};
use super::output::{out, print_plan, warn};

/// `pgstate plan`: from files (`--from`) or a live database.
pub fn plan(a: PlanArgs) -> Result<ExitCode, Report> {
    let config = config(a.waits.env.as_deref())?;
    let settle = a.scratch.settle(&config, &a.waits)?;
    let mut state = None;
    let mut plan = match &a.from {
        Some(from) => {
            let roles = config.roles(a.desired.roles.as_deref());
            let default_schema = first_schema(a.search_path.as_deref().unwrap_or("public"));
            let schema = config.schema_path(a.desired.schema.as_deref());
            ops::plan::offline_settled(&schema, from, settle, &roles, &default_schema)?
        }
        None => {
            // The files are parsed while the database is reached and read.
            let (parsing, wanted) = start_parsing(&config, &a.desired)?;
            let (target, parsing) = target_after(&a.waits, &config, a.url.as_deref(), parsing)?;
            with_db_readers_parsing(&target, parsing, async |client, readers, parsing| {
                let mut pad = ops::settle::Scratchpad::new(settle).single_use();
                let made = ops::live::plan_while_parsing(client, readers, parsing, &wanted, &mut pad).await?;
                for w in &made.parsed.warnings {
                    warn(w);
                }
                // The fingerprints hash every object's full form: only a saved plan needs them.
                if a.out.is_some() {
                    state = Some(ops::saved::State::new(
                        &made.live.live,
                        &made.live.desired,
                        &made.live.scope,
                        &made.ignore,
                    ));
                }
                let mut plan = made.live.plan;
                ops::drop_later((made.live.live, made.live.desired, made.parsed));
                if a.measure {
                    let timeout = a.waits.statement_timeout.unwrap_or(ops::measure::DEFAULT_TIMEOUT);
                    ops::measure::measure(client, &mut plan, timeout).await;
                }
                Ok(plan)
            })?
        }
    };
    if !a.transactional {
        plan.online();
    }
    if let (Some(path), Some(state)) = (&a.out, &state) {
        std::fs::write(path, ops::saved::write(&plan, state)).into_diagnostic()?;
        let path = path.display();
        eprintln!("wrote the plan to {path}: apply it with `pgstate apply --plan {path}`");
    }
    print_plan(&plan, a.format)?;
    Ok(ExitCode::SUCCESS)
}

/// Why `apply` will not ask: stdin is no terminal and `--yes` was not given.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("apply asks for confirmation, but stdin is not a terminal: pass --yes to apply without asking")]
pub struct NoConfirmation;

/// Asks on the terminal whether to apply `what` to `target` (always yes with `--yes`).
fn ask(interactive: bool, what: &str, target: &str) -> bool {
    if !interactive {
        return true;
    }
    eprint!("Apply {what} to {target}? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).is_ok() && matches!(answer.trim(), "y" | "Y" | "yes")
}

/// `pgstate apply`: show the plan, ask (unless `--yes`), run it.
pub fn apply(a: ApplyArgs) -> Result<ExitCode, Report> {
    let interactive = !a.yes;
    if interactive && !std::io::stdin().is_terminal() {
        return Err(NoConfirmation.into());
    }
    let config = config(a.waits.env.as_deref())?;
    let mut progress = ops::progress::Console::new(a.quiet);
    if let Some(path) = &a.plan {
        return apply_saved(&config, &a, path, interactive, &mut progress);
    }
    let (parsed, scope, nothing) = load_for(&config, &a.desired, true)?;
    let pad = ops::settle::Scratchpad::new(a.scratch.settle(&config, &a.waits)?);
    let quiet = a.quiet;
    let mut pad = pad.on_local_start(Box::new(move || {
        if !quiet {
            eprintln!("starting a throwaway PostgreSQL server to compare expressions");
        }
    }));
    let target = a.waits.target(&config, a.url.as_deref())?;
    let ignore = ops::desired::ignored_bookkeeping(&parsed.catalog, &config.version_table());
    let options = ops::apply::Options {
        approval: ops::approve::Approval {
            kinds: (!a.allow_hazard.is_empty()).then(|| a.allow_hazard.clone()),
            destructive: a.allow_destructive,
        },
        lock_retries: ops::retry::LockRetries(a.lock_retries),
        lock_wait: a.lock_wait,
        online: !a.transactional,
        ignore: ignore.clone(),
        measure: a.measure.then(|| a.waits.statement_timeout.unwrap_or(ops::measure::DEFAULT_TIMEOUT)),
    };
    let mut confirm = |plan: &Plan| {
        eprint!("{}", plan.to_sql());
        ask(interactive, &count(plan.steps.len(), "step"), &target.describe())
    };
    let report = with_db(&target, async |client| {
        ops::desired::refuse_empty_live(client, nothing.as_ref(), &scope, &ignore).await?;
        ops::apply::apply(client, &parsed, &scope, &options, &mut pad, &mut confirm, &mut progress).await
    })?;
    if report.applied {
        eprintln!("applied {}; the database matches the desired schema", count(report.plan.steps.len(), "step"));
    } else {
        eprintln!("nothing to do: the database matches the desired schema");
    }
    Ok(ExitCode::SUCCESS)
}

/// `apply --plan FILE`: the saved plan, run exactly, if the database has not changed.
fn apply_saved(
    config: &pgstate::config::Config,
    a: &ApplyArgs,
    path: &std::path::Path,
    interactive: bool,
    progress: &mut ops::progress::Console,
) -> Result<ExitCode, Report> {
    let text = std::fs::read_to_string(path).into_diagnostic()?;
    let saved = ops::saved::read(&path.display().to_string(), &text).map_err(OpsError::from)?;
    let target = a.waits.target(config, a.url.as_deref())?;
    let mut confirm = |sql: &str| {
        eprint!("{sql}");
        ask(interactive, "this saved plan", &target.describe())
    };
    let ran = with_db(&target, async |client| {
        let retries = ops::retry::LockRetries(a.lock_retries);
        ops::apply::apply_saved(client, &saved, a.lock_wait, retries, &mut confirm, progress).await
    })?;
    eprintln!("applied the saved plan {} ({ran} statements)", path.display());
    Ok(ExitCode::SUCCESS)
}

/// `n thing` or `n things`.
pub fn count(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// `pgstate drift`: the live database (or the revision chain's head) against the desired schema.
pub fn drift(a: DriftArgs) -> Result<ExitCode, Report> {
    let config = config(a.waits.env.as_deref())?;
    let settle = a.scratch.settle(&config, &a.waits)?;
    let (drift, what) = if names_a_database(&config, a.url.as_deref()) {
        // The files are parsed while the database is reached and read.
        let (parsing, wanted) = start_parsing(&config, &a.desired)?;
        let (target, parsing) = target_after(&a.waits, &config, a.url.as_deref(), parsing)?;
        let drift = with_db_readers_parsing(&target, parsing, async |client, readers, parsing| {
            let mut pad = ops::settle::Scratchpad::new(settle).single_use();
            let (drift, parsed) = ops::drift::drift_while_parsing(client, readers, parsing, &wanted, &mut pad).await?;
            for w in &parsed.warnings {
                warn(w);
            }
            Ok(drift)
        })?;
        (drift, target.describe())
    } else {
        let (parsed, scope, nothing) = load_for(&config, &a.desired, false)?;
        let dir = config.migrations_path();
        let chain = ops::revision::load_verified(&dir)?;
        let state = ops::revision::head_state(&chain)?;
        ops::desired::refuse_empty(nothing.as_ref(), &state, &[], "the revision chain's head")?;
        (ops::drift::chain_drift(&state, &parsed, &scope.roles())?, format!("the revisions in {}", dir.display()))
    };
    match a.format {
        DriftFormat::Text if drift.in_sync() => out(format_args!("in sync: {what} and the desired schema agree\n"))?,
        DriftFormat::Text => out(format_args!(
            "drift: {what} and the desired schema differ\n\n-- plan to fix it:\n{}\n-- schemas compared:\n{}\n",
            drift.plan.to_sql(),
            drift.diff
        ))?,
        DriftFormat::Json => {
            let value = serde_json::json!({ "in_sync": drift.in_sync(), "plan": drift.plan, "diff": drift.diff });
            out(format_args!("{}\n", serde_json::to_string_pretty(&value).into_diagnostic()?))?;
        }
    }
    Ok(if drift.in_sync() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `pgstate export`: the live schema as SQL, to stdout, a file or a directory.
pub fn export(a: ExportArgs) -> Result<ExitCode, Report> {
    let config = config(a.waits.env.as_deref())?;
    let target = a.waits.target(&config, a.url.as_deref())?;
    let scope = export_scope(&config, a.schemas);
    let mut catalog = with_db(&target, async |client| ops::export::read(client, &scope).await)?;
    if !a.include_bookkeeping {
        let bookkeeping = pgstate::revisions::version_table::bookkeeping(&config.version_table());
        ops::export::leave_out(&mut catalog, &bookkeeping);
    }
    match a.out {
        Some(path) => {
            let files = ops::export::write(&catalog, &path)?;
            eprintln!("wrote {} under {}", count(files.len(), "file"), path.display());
        }
        None => out(format_args!("{}", pgstate::plan::catalog_sql(&catalog).map_err(OpsError::from)?))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The schemas `export` reads, as the other commands decide them: `--schemas`,
/// else pgstate.toml's (or `--env`'s) `schemas`, else those the desired
/// files mention plus `public` (only `public` when there are no desired
/// files, or they do not parse: an export may be what replaces them).
fn export_scope(config: &pgstate::config::Config, cli: Option<Vec<String>>) -> Scope {
    if let Some(list) = cli.or_else(|| config.schemas.clone()) {
        return Scope::Schemas(list);
    }
    let path = config.schema_path(None);
    if path.exists() {
        match ops::desired::load(&path) {
            Ok(parsed) => return ops::desired::scope(&parsed.catalog, None),
            Err(_) => eprintln!(
                "warning: {} does not parse, so the schemas it mentions are unknown: exporting public (or pass --schemas)",
                path.display()
            ),
        }
    }
    Scope::Schemas(vec!["public".to_string()])
}

/// `pgstate check`: parse and validate the desired schema.
pub fn check(a: CheckArgs) -> Result<ExitCode, Report> {
    let config = config(None)?;
    let path = config.schema_path(a.schema.as_deref());
    let s = ops::check::check(&path)?;
    for w in &s.warnings {
        warn(w);
    }
    eprintln!(
        "{}: ok ({} tables, {} constraints, {} indexes, {} sequences)",
        path.display(),
        s.tables,
        s.constraints,
        s.indexes,
        s.sequences
    );
    Ok(ExitCode::SUCCESS)
}
