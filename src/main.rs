//! The `pgstate` command line: argument parsing and printing only.

/// mimalloc: parsing allocates millions of small strings and AST nodes on
/// several threads, where glibc's allocator was a third of the time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use miette::{IntoDiagnostic, Report};

use pgstate::config::Config;
use pgstate::connection::{runtime, ConnectError, Target, Timeouts};
use pgstate::introspect::Scope;
use pgstate::ops::desired::NothingFound;
use pgstate::ops::{self, OpsError};
use pgstate::parse::Parsed;
use pgstate::plan::Plan;

/// Declarative, desired-state schema management for PostgreSQL.
#[derive(Parser)]
#[command(name = "pgstate", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Desired {
    /// Desired schema: a .sql/.toml file or a directory (default: schema/, or pgstate.toml's `schema`).
    #[arg(long)]
    schema: Option<PathBuf>,
    /// Managed schemas, comma-separated (default: those the desired files mention, plus public).
    #[arg(long, value_delimiter = ',')]
    schemas: Option<Vec<String>>,
    /// Roles whose privileges are managed, comma-separated; PUBLIC only if listed
    /// (default: pgstate.toml's `roles`, else none: privileges are left alone).
    #[arg(long, value_delimiter = ',')]
    roles: Option<Vec<String>>,
}

/// Where expressions the parser cannot settle are settled (never on the target).
#[derive(Args, Clone)]
struct Scratch {
    /// A database to settle expression spellings on (nothing in it changes; the
    /// target is only ever read). Default: pgstate.toml's dev_url, else a
    /// throwaway local server, started only when the parser cannot tell two
    /// expressions apart.
    #[arg(long)]
    dev_url: Option<String>,
    /// Compare expressions with the parser alone, using no server.
    #[arg(long, conflicts_with = "dev_url")]
    parser_only: bool,
}

impl Scratch {
    fn settle(&self, config: &Config, waits: Waits) -> Result<ops::settle::Settle, Report> {
        Ok(match self.dev_url.clone().or_else(|| config.dev_url.clone()) {
            _ if self.parser_only => ops::settle::Settle::ParserOnly,
            Some(url) => ops::settle::Settle::Server(Box::new(Target::parse(&url)?.with_timeouts(waits.timeouts()))),
            None => ops::settle::Settle::LocalServer,
        })
    }
}

/// How long a session may wait; set when it connects, so reading the catalog
/// is bounded as much as changing it.
#[derive(Args, Clone, Copy)]
struct Waits {
    /// Longest wait for any one lock, reading the catalog as well as changing it, e.g. 5s or 500ms.
    #[arg(long, default_value = "5s", value_parser = parse_timeout)]
    lock_timeout: Duration,
    /// Longest any one statement may run, e.g. 30s (default: the server's statement_timeout).
    #[arg(long, value_parser = parse_timeout)]
    statement_timeout: Option<Duration>,
}

impl Waits {
    /// The database at `url` (or DATABASE_URL), whose sessions wait this long.
    fn target(self, url: Option<&str>) -> Result<Target, ConnectError> {
        Ok(Target::from_arg(url)?.with_timeouts(self.timeouts()))
    }

    fn timeouts(self) -> Timeouts {
        Timeouts { lock: self.lock_timeout, statement: self.statement_timeout }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Print the DDL that takes the current state to the desired schema.
    Plan {
        #[command(flatten)]
        desired: Desired,
        /// Current state from files: a .sql/.toml file or a directory (an empty file is an empty database).
        #[arg(long, conflicts_with = "url")]
        from: Option<PathBuf>,
        /// Current state from a live database (or DATABASE_URL).
        #[arg(long)]
        url: Option<String>,
        #[command(flatten)]
        scratch: Scratch,
        /// Plain forms in one transaction, as revisions run them: no NOT VALID + VALIDATE, no
        /// CONCURRENTLY (by default, steps on tables that exist take the online forms, as apply runs them).
        #[arg(long)]
        transactional: bool,
        /// The default (kept for scripts that pass it): indexes on existing tables are built CONCURRENTLY.
        #[arg(long, hide = true, conflicts_with = "transactional")]
        concurrently: bool,
        /// With --from: the search_path the files are written for (comma-separated);
        /// unqualified names go to its first schema, as in such a session. Default: public.
        #[arg(long, requires = "from")]
        search_path: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Sql)]
        format: Format,
        /// Also write the plan to FILE with the fingerprint of the database it was computed from,
        /// for `apply --plan FILE` (which runs exactly it, or refuses once the database changed).
        #[arg(long, conflicts_with = "from")]
        out: Option<PathBuf>,
        /// Count, read-only, the rows that would make each may-fail step fail (NULLs, duplicates,
        /// violations, values a type refuses), each count within --statement-timeout (default 10s).
        #[arg(long, conflicts_with = "from")]
        measure: bool,
        #[command(flatten)]
        waits: Waits,
    },
    /// Make the database match the desired schema.
    Apply {
        #[command(flatten)]
        desired: Desired,
        /// The database (or DATABASE_URL).
        #[arg(long)]
        url: Option<String>,
        /// Allow steps that lose data (drop table, drop column, narrowing type change).
        #[arg(long)]
        allow_destructive: bool,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        /// Run exactly the plan saved by `plan --out FILE`, refusing (exit 2, nothing changed) if the
        /// database no longer has the fingerprint it was computed from.
        #[arg(long, value_name = "FILE")]
        plan: Option<PathBuf>,
        /// Say nothing while applying (no progress on stderr).
        #[arg(long, short)]
        quiet: bool,
        /// Count, read-only, the rows that would make each may-fail step fail, shown on its hazard
        /// line, each count within --statement-timeout (default 10s).
        #[arg(long)]
        measure: bool,
        #[command(flatten)]
        waits: Waits,
        /// How long to wait for another pgstate apply on the same database.
        #[arg(long, default_value = "60s", value_parser = parse_duration)]
        lock_wait: Duration,
        /// Run the plain forms in one transaction (no NOT VALID + VALIDATE, no CONCURRENTLY). By default,
        /// steps on tables that exist take online forms, some outside the transaction.
        #[arg(long)]
        transactional: bool,
        /// The default (kept for scripts that pass it): indexes on existing tables are built CONCURRENTLY.
        #[arg(long, hide = true, conflicts_with = "transactional")]
        concurrently: bool,
        #[command(flatten)]
        scratch: Scratch,
    },
    /// Exit 1 when the database differs from the desired schema (0 when in sync, 2 on error).
    Drift {
        #[command(flatten)]
        desired: Desired,
        /// The database (or DATABASE_URL).
        #[arg(long)]
        url: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DriftFormat::Text)]
        format: DriftFormat,
        #[command(flatten)]
        scratch: Scratch,
        #[command(flatten)]
        waits: Waits,
    },
    /// Write the live schema as declarative SQL.
    Export {
        /// The database (or DATABASE_URL).
        #[arg(long)]
        url: Option<String>,
        /// A .sql file, or a directory for one file per table (default: stdout).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Schemas to export, comma-separated (default: public).
        #[arg(long, value_delimiter = ',')]
        schemas: Option<Vec<String>>,
        /// Also export the version tables (pgstate's, as configured, and Alembic's alembic_version).
        #[arg(long)]
        include_bookkeeping: bool,
        #[command(flatten)]
        waits: Waits,
    },
    /// Write the plan from the revision chain's head to the desired schema as a new revision.
    Autogenerate {
        #[command(flatten)]
        desired: Desired,
        /// What the revision does.
        #[arg(short, long)]
        message: String,
        /// Use this revision id instead of a generated one ([A-Za-z0-9_]+, at most 64 characters).
        #[arg(long)]
        rev_id: Option<String>,
        /// pgstate's SQL revision files, or an Alembic revision (Python).
        #[arg(long, value_enum, default_value_t = RevisionFormat::Pgstate)]
        format: RevisionFormat,
        /// Alembic's versions directory (with --format alembic).
        #[arg(long)]
        alembic_dir: Option<PathBuf>,
        /// With --format alembic: the current state from this database (default: the pgstate chain's head).
        #[arg(long)]
        url: Option<String>,
        #[command(flatten)]
        waits: Waits,
    },
    /// Write an empty revision to fill in by hand.
    Revision {
        /// What the revision does.
        #[arg(short, long)]
        message: String,
        /// Use this revision id instead of a generated one ([A-Za-z0-9_]+, at most 64 characters).
        #[arg(long)]
        rev_id: Option<String>,
    },
    /// Write a revision that merges two heads.
    Merge {
        /// What the merge is for.
        #[arg(short, long)]
        message: String,
        /// Use this revision id instead of a generated one ([A-Za-z0-9_]+, at most 64 characters).
        #[arg(long)]
        rev_id: Option<String>,
        /// The revisions to merge.
        #[arg(num_args = 2.., required = true)]
        revisions: Vec<String>,
    },
    /// Rewrite migrations/pgstate.sum after editing revision files by hand.
    Hash,
    /// Apply revisions up to TARGET: head (default), an id or unique prefix, or +N.
    Upgrade {
        /// head, an id or prefix, or +N.
        #[arg(default_value = "head")]
        target: String,
        /// The database (or DATABASE_URL).
        #[arg(long)]
        url: Option<String>,
        #[command(flatten)]
        waits: Waits,
    },
    /// Undo revisions down to TARGET: -N, an id or unique prefix, or base.
    Downgrade {
        /// -N, an id or prefix, or base.
        #[arg(allow_hyphen_values = true)]
        target: String,
        /// The database (or DATABASE_URL).
        #[arg(long)]
        url: Option<String>,
        /// Allow undoing revisions that lose data (drop a table, a column...).
        #[arg(long)]
        allow_destructive: bool,
        #[command(flatten)]
        waits: Waits,
    },
    /// Show the revision(s) a database is at (pgstate's, and Alembic's if any).
    Current {
        /// The database (or DATABASE_URL).
        #[arg(long)]
        url: Option<String>,
        #[command(flatten)]
        waits: Waits,
    },
    /// List revisions, newest first.
    History {
        /// Show each revision in full.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Show the chain's heads.
    Heads,
    /// Parse and validate the desired schema.
    Check {
        /// Desired schema (default: schema/, or pgstate.toml's `schema`).
        #[arg(long)]
        schema: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Sql,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum RevisionFormat {
    Pgstate,
    Alembic,
}

#[derive(Clone, Copy, ValueEnum)]
enum DriftFormat {
    Text,
    Json,
}

/// A duration for a timeout: as `parse_duration`, but more than zero (to
/// PostgreSQL, 0 means no limit at all).
fn parse_timeout(text: &str) -> Result<Duration, String> {
    let d = parse_duration(text)?;
    if d.is_zero() {
        return Err("a timeout must be more than 0 (0 would mean waiting forever)".to_string());
    }
    Ok(d)
}

/// `5s`, `500ms`, `2m`, or a number of seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(|c: char| c.is_alphabetic()).unwrap_or(text.len()));
    let n: f64 = number.trim().parse().map_err(|_| format!("{text:?} is not a duration like 5s or 500ms"))?;
    let seconds = match unit {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" | "min" => n * 60.0,
        _ => return Err(format!("unknown unit {unit:?}: use ms, s or m")),
    };
    if !(0.0..=86_400.0).contains(&seconds) {
        return Err(format!("{text:?} is out of range"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

fn main() -> ExitCode {
    // A message is one line however wide the terminal: CI logs and greps stay readable.
    let _ = miette::set_hook(Box::new(|_| Box::new(miette::MietteHandlerOpts::new().wrap_lines(false).build())));
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
    }
}

/// The desired schema, the managed scope, and whether the schema directory
/// held no schema file at all (see `ops::desired::refuse_empty`).
fn load(config: &Config, d: &Desired) -> Result<(Parsed, Scope, Option<NothingFound>), OpsError> {
    let path = config.schema_path(d.schema.as_deref());
    let parsed = ops::desired::load(&path)?;
    for w in &parsed.warnings {
        eprintln!("warning: {}", pgstate::quote::one_line(w));
    }
    let nothing = ops::desired::nothing_found(&path, &parsed)?;
    let scope = ops::desired::scope(&parsed.catalog, d.schemas.as_deref().or(config.schemas.as_deref()))
        .with_roles(config.roles(d.roles.as_deref()));
    Ok((parsed, scope, nothing))
}

/// Runs `f` with a connection to `target`.
fn with_db<T>(
    target: &Target,
    f: impl AsyncFnOnce(&tokio_postgres::Client) -> Result<T, OpsError>,
) -> Result<T, Report> {
    let value = runtime().into_diagnostic()?.block_on(async {
        let client = target.connect().await?;
        f(&client).await
    })?;
    Ok(value)
}

fn print_plan(plan: &Plan, format: Format) -> miette::Result<()> {
    for w in &plan.warnings {
        eprintln!("warning: {}", pgstate::quote::one_line(w));
    }
    match format {
        Format::Sql => print!("{}", plan.to_sql()),
        Format::Json => println!("{}", serde_json::to_string_pretty(plan).into_diagnostic()?),
    }
    Ok(())
}

/// The schema unqualified names go to under a search_path such as `foo, public`
/// (`"$user"` is skipped: offline there is no user).
fn first_schema(search_path: &str) -> String {
    search_path
        .split(',')
        .map(str::trim)
        .find(|s| !s.is_empty() && *s != "\"$user\"")
        .map(|s| if s.starts_with('"') { pgstate::canon::ident::unquote(s) } else { s.to_lowercase() })
        .unwrap_or_else(|| "public".to_string())
}

fn run(cli: Cli) -> Result<ExitCode, Report> {
    let config = Config::load(&std::env::current_dir().into_diagnostic()?)?;
    match cli.command {
        Command::Plan {
            desired,
            from,
            url,
            scratch,
            transactional,
            concurrently: _,
            search_path,
            format,
            out,
            measure,
            waits,
        } => {
            let settle = scratch.settle(&config, waits)?;
            let mut state = None;
            let mut plan = match from {
                Some(from) => {
                    let roles = config.roles(desired.roles.as_deref());
                    let default_schema = first_schema(search_path.as_deref().unwrap_or("public"));
                    let schema = config.schema_path(desired.schema.as_deref());
                    ops::plan::offline_settled(&schema, &from, settle, &roles, &default_schema)?
                }
                None => {
                    let (parsed, scope, nothing) = load(&config, &desired)?;
                    let target = waits.target(url.as_deref())?;
                    with_db(&target, async |client| {
                        let ignore = ops::desired::ignored_bookkeeping(&parsed.catalog, &config.version_table());
                        ops::desired::refuse_empty_live(client, nothing.as_ref(), &scope, &ignore).await?;
                        let mut pad = ops::settle::Scratchpad::new(settle);
                        let live = ops::live::plan_with(client, &parsed, &scope, &ignore, &mut pad).await?;
                        state = Some(ops::saved::State::new(&live.live, &live.desired, &live.scope, &ignore));
                        let mut plan = live.plan;
                        if measure {
                            let timeout = waits.statement_timeout.unwrap_or(ops::measure::DEFAULT_TIMEOUT);
                            ops::measure::measure(client, &mut plan, timeout).await;
                        }
                        Ok(plan)
                    })?
                }
            };
            if !transactional {
                plan.online();
            }
            if let (Some(path), Some(state)) = (&out, &state) {
                std::fs::write(path, ops::saved::write(&plan, state)).into_diagnostic()?;
                eprintln!(
                    "wrote the plan to {}: apply it with `pgstate apply --plan {}`",
                    display(path),
                    display(path)
                );
            }
            print_plan(&plan, format)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Apply {
            desired,
            url,
            allow_destructive,
            yes,
            plan: saved,
            quiet,
            measure,
            waits,
            lock_wait,
            transactional,
            concurrently: _,
            scratch,
        } => {
            let mut progress = ops::progress::Console::new(quiet);
            if let Some(path) = saved {
                return apply_saved(&path, url.as_deref(), yes, waits, lock_wait, &mut progress);
            }
            let (parsed, scope, nothing) = load(&config, &desired)?;
            let pad = ops::settle::Scratchpad::new(scratch.settle(&config, waits)?);
            let mut pad = pad.on_local_start(Box::new(move || {
                if !quiet {
                    eprintln!("starting a throwaway PostgreSQL server to compare expressions");
                }
            }));
            let target = waits.target(url.as_deref())?;
            let ignore = ops::desired::ignored_bookkeeping(&parsed.catalog, &config.version_table());
            let options = ops::apply::Options {
                allow_destructive,
                lock_wait,
                online: !transactional,
                ignore: ignore.clone(),
                measure: measure.then(|| waits.statement_timeout.unwrap_or(ops::measure::DEFAULT_TIMEOUT)),
            };
            let interactive = !yes && std::io::stdin().is_terminal();
            let mut confirm = |plan: &Plan| {
                eprint!("{}", plan.to_sql());
                if !interactive {
                    return true;
                }
                eprint!("Apply these {} steps to {}? [y/N] ", plan.steps.len(), target.describe());
                let _ = std::io::stderr().flush();
                let mut answer = String::new();
                std::io::stdin().read_line(&mut answer).is_ok() && matches!(answer.trim(), "y" | "Y" | "yes")
            };
            let report = with_db(&target, async |client| {
                ops::desired::refuse_empty_live(client, nothing.as_ref(), &scope, &ignore).await?;
                ops::apply::apply(client, &parsed, &scope, &options, &mut pad, &mut confirm, &mut progress).await
            })?;
            if report.applied {
                eprintln!("applied {} steps; the database matches the desired schema", report.plan.steps.len());
            } else {
                eprintln!("nothing to do: the database matches the desired schema");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Drift { desired, url, format, scratch, waits } => {
            let (parsed, scope, nothing) = load(&config, &desired)?;
            let settle = scratch.settle(&config, waits)?;
            let live = url.is_some() || std::env::var_os("DATABASE_URL").is_some();
            let (drift, what) = if live {
                let target = waits.target(url.as_deref())?;
                let ignore = ops::desired::ignored_bookkeeping(&parsed.catalog, &config.version_table());
                let drift = with_db(&target, async |client| {
                    ops::desired::refuse_empty_live(client, nothing.as_ref(), &scope, &ignore).await?;
                    let mut pad = ops::settle::Scratchpad::new(settle);
                    ops::drift::drift(client, &parsed, &scope, &ignore, &mut pad).await
                })?;
                (drift, target.describe())
            } else {
                let dir = config.migrations_path();
                let chain = ops::revision::load_verified(&dir)?;
                let state = ops::revision::head_state(&chain)?;
                ops::desired::refuse_empty(nothing.as_ref(), &state, &[], "the revision chain's head")?;
                (
                    ops::drift::chain_drift(&state, &parsed, &scope.roles())?,
                    format!("the revisions in {}", dir.display()),
                )
            };
            match format {
                DriftFormat::Text if drift.in_sync() => println!("in sync: {what} and the desired schema agree"),
                DriftFormat::Text => {
                    println!(
                        "drift: {what} and the desired schema differ\n\n-- plan to fix it:\n{}",
                        drift.plan.to_sql()
                    );
                    println!("-- schemas compared:\n{}", drift.diff);
                }
                DriftFormat::Json => {
                    let value =
                        serde_json::json!({ "in_sync": drift.in_sync(), "plan": drift.plan, "diff": drift.diff });
                    println!("{}", serde_json::to_string_pretty(&value).into_diagnostic()?);
                }
            }
            Ok(if drift.in_sync() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Export { url, out, schemas, include_bookkeeping, waits } => {
            let target = waits.target(url.as_deref())?;
            let scope = Scope::Schemas(schemas.unwrap_or_else(|| vec!["public".to_string()]));
            let mut catalog = with_db(&target, async |client| ops::export::read(client, &scope).await)?;
            if !include_bookkeeping {
                let bookkeeping = pgstate::revisions::version_table::bookkeeping(&config.version_table());
                ops::export::leave_out(&mut catalog, &bookkeeping);
            }
            match out {
                Some(path) => {
                    let files = ops::export::write(&catalog, &path)?;
                    eprintln!("wrote {} file(s) under {}", files.len(), display(&path));
                }
                None => print!("{}", pgstate::plan::catalog_sql(&catalog).map_err(OpsError::from)?),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Autogenerate { desired, message, rev_id, format, alembic_dir, url, waits } => {
            let (parsed, _, nothing) = load(&config, &desired)?;
            let dir = config.migrations_path();
            let written = if format == RevisionFormat::Alembic {
                let alembic_dir = alembic_dir.ok_or_else(|| miette::miette!("--format alembic needs --alembic-dir"))?;
                let roles = config.roles(desired.roles.as_deref());
                let (mut from, mut target) = match url.as_deref() {
                    Some(u) => {
                        // Alembic's own table is its bookkeeping, not part of the plan.
                        let alembic_table = pgstate::model::QualName::new("public", "alembic_version");
                        let scope = ops::desired::scope(
                            &parsed.catalog,
                            desired.schemas.as_deref().or(config.schemas.as_deref()),
                        )
                        .with_roles(roles.clone());
                        let target = waits.target(Some(u))?;
                        let mut live = with_db(&target, async |client| ops::export::read(client, &scope).await)?;
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
                ops::revision::autogenerate_alembic(&alembic_dir, &from, &target, &message, rev_id)?
            } else {
                let roles = config.roles(desired.roles.as_deref());
                ops::revision::autogenerate(&dir, &parsed, nothing.as_ref(), &message, rev_id, &roles)?
            };
            match written {
                Some(path) => eprintln!("wrote {}", path.display()),
                None => eprintln!("no changes: the current state already matches the desired schema; nothing written"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Revision { message, rev_id } => {
            let path = ops::revision::empty_revision(&config.migrations_path(), &message, rev_id, None)?;
            eprintln!("wrote {} (run `pgstate hash` after editing it)", path.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Merge { message, rev_id, revisions } => {
            let path = ops::revision::empty_revision(&config.migrations_path(), &message, rev_id, Some(revisions))?;
            eprintln!("wrote {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Hash => {
            ops::revision::hash(&config.migrations_path())?;
            eprintln!("wrote {}", config.migrations_path().join("pgstate.sum").display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Upgrade { target, url, waits } => {
            let (dir, table) = (config.migrations_path(), config.version_table());
            // A tampered chain is refused before any connection is made.
            ops::revision::load_verified(&dir)?;
            let db = waits.target(url.as_deref())?;
            let done = with_db(&db, async |client| ops::revision::upgrade(client, &dir, &target, &table).await)?;
            for id in &done {
                eprintln!("upgraded: {id}");
            }
            if done.is_empty() {
                eprintln!("already at {target}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Downgrade { target, url, allow_destructive, waits } => {
            let (dir, table) = (config.migrations_path(), config.version_table());
            ops::revision::load_verified(&dir)?;
            let db = waits.target(url.as_deref())?;
            let done = with_db(&db, async |client| {
                ops::revision::downgrade(client, &dir, &target, &table, allow_destructive).await
            })?;
            for id in &done {
                eprintln!("downgraded: {id}");
            }
            if done.is_empty() {
                eprintln!("nothing to undo");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Current { url, waits } => {
            let table = config.version_table();
            let chain = pgstate::revisions::Chain::load(&config.migrations_path())?;
            let heads: Vec<String> = chain.heads().iter().map(|r| r.id.clone()).collect();
            let db = waits.target(url.as_deref())?;
            let (ours, alembic) = with_db(&db, async |client| ops::revision::current(client, &table).await)?;
            if ours.is_empty() {
                println!("pgstate: no revision applied");
            }
            for id in ours {
                let head = if heads.contains(&id) { " (head)" } else { "" };
                println!("{id}{head}");
            }
            for id in alembic {
                println!("alembic: {id}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::History { verbose } => {
            let chain = pgstate::revisions::Chain::load(&config.migrations_path())?;
            print!("{}", ops::revision::history(&chain, verbose));
            Ok(ExitCode::SUCCESS)
        }
        Command::Heads => {
            let chain = pgstate::revisions::Chain::load(&config.migrations_path())?;
            for r in chain.heads() {
                println!("{} (head)", r.id);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { schema } => {
            let path = config.schema_path(schema.as_deref());
            let s = ops::check::check(&path)?;
            for w in &s.warnings {
                eprintln!("warning: {w}");
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
    }
}

/// `apply --plan FILE`: the saved plan, run exactly, if the database has not changed.
fn apply_saved(
    path: &Path,
    url: Option<&str>,
    yes: bool,
    waits: Waits,
    lock_wait: Duration,
    progress: &mut ops::progress::Console,
) -> Result<ExitCode, Report> {
    let text = std::fs::read_to_string(path).into_diagnostic()?;
    let saved = ops::saved::read(&display(path), &text).map_err(OpsError::from)?;
    let target = waits.target(url)?;
    let interactive = !yes && std::io::stdin().is_terminal();
    let mut confirm = |sql: &str| {
        eprint!("{sql}");
        if !interactive {
            return true;
        }
        eprint!("Apply this saved plan to {}? [y/N] ", target.describe());
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer).is_ok() && matches!(answer.trim(), "y" | "Y" | "yes")
    };
    let ran = with_db(&target, async |client| {
        ops::apply::apply_saved(client, &saved, lock_wait, &mut confirm, progress).await
    })?;
    eprintln!("applied the saved plan {} ({ran} statements)", display(path));
    Ok(ExitCode::SUCCESS)
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
