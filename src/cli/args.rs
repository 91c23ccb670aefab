//! The command line's arguments: the commands, and the argument groups
//! several of them share.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use pgstate::plan::HazardKind;

/// Declarative, desired-state schema management for PostgreSQL.
#[derive(Parser)]
#[command(name = "pgstate", version, about)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Clone)]
pub struct Desired {
    /// Desired schema: a .sql/.toml file or a directory (default: schema/, or pgstate.toml's `schema`).
    #[arg(long)]
    pub schema: Option<PathBuf>,
    /// Managed schemas, comma-separated (default: those the desired files mention, plus public).
    #[arg(long, value_delimiter = ',')]
    pub schemas: Option<Vec<String>>,
    /// Roles whose privileges are managed, comma-separated; PUBLIC only if listed
    /// (default: pgstate.toml's `roles`, else none: privileges are left alone).
    #[arg(long, value_delimiter = ',')]
    pub roles: Option<Vec<String>>,
}

/// Where expressions the parser cannot settle are settled (never on the target).
#[derive(Args, Clone)]
pub struct Scratch {
    /// A database to settle expression spellings on (nothing in it changes; the
    /// target is only ever read). Default: pgstate.toml's dev_url, else a
    /// throwaway local server, started only when the parser cannot tell two
    /// expressions apart.
    #[arg(long)]
    pub dev_url: Option<String>,
    /// Compare expressions with the parser alone, using no server.
    #[arg(long, conflicts_with = "dev_url")]
    pub parser_only: bool,
}

/// Which environment of pgstate.toml, and how long a session may wait (set
/// when it connects, so reading the catalog is bounded as much as changing it).
#[derive(Args, Clone)]
pub struct Waits {
    /// A named environment of pgstate.toml (`[env.NAME]`): its url, dev_url, schemas and roles.
    #[arg(long = "env", value_name = "NAME")]
    pub env: Option<String>,
    /// Longest wait for any one lock, reading the catalog as well as changing it, e.g. 5s or 500ms.
    #[arg(long, default_value = "5s", value_parser = parse_timeout)]
    pub lock_timeout: Duration,
    /// Longest any one statement may run, e.g. 30s (default: the server's statement_timeout).
    #[arg(long, value_parser = parse_timeout)]
    pub statement_timeout: Option<Duration>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Print the DDL that takes the current state to the desired schema.
    Plan(PlanArgs),
    /// Make the database match the desired schema.
    Apply(ApplyArgs),
    /// Exit 1 when the database differs from the desired schema (0 when in sync, 2 on error).
    Drift(DriftArgs),
    /// Write the live schema as declarative SQL.
    Export(ExportArgs),
    /// Write the plan from the revision chain's head to the desired schema as a new revision.
    Autogenerate(AutogenerateArgs),
    /// Write an empty revision to fill in by hand.
    Revision(RevisionArgs),
    /// Write a revision that merges two heads.
    Merge(MergeArgs),
    /// Rewrite migrations/pgstate.sum after editing revision files by hand.
    Hash,
    /// Apply revisions up to TARGET: head (default), an id or unique prefix, or +N.
    Upgrade(UpgradeArgs),
    /// Undo revisions down to TARGET: -N, an id or unique prefix, or base.
    Downgrade(DowngradeArgs),
    /// Show the revision(s) a database is at (pgstate's, and Alembic's if any).
    Current(CurrentArgs),
    /// List revisions, newest first.
    History(HistoryArgs),
    /// Show the chain's heads.
    Heads,
    /// Show one revision: its header as Alembic's `show` prints it, and its SQL.
    Show(ShowArgs),
    /// Record REVISION as where the database stands, running nothing (Alembic's stamp).
    Stamp(StampArgs),
    /// Write the first revision from a live database (its schema, built from empty) and record it there.
    Baseline(BaselineArgs),
    /// Print a shell completion script (e.g. `pgstate completions bash > /etc/bash_completion.d/pgstate`).
    Completions(CompletionsArgs),
    /// Parse and validate the desired schema.
    Check(CheckArgs),
}

/// Print the DDL that takes the current state to the desired schema.
#[derive(Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub desired: Desired,
    /// Current state from files: a .sql/.toml file or a directory (an empty file is an empty database).
    #[arg(long, conflicts_with = "url")]
    pub from: Option<PathBuf>,
    /// Current state from a live database (default: --env's url, DATABASE_URL, or the PG* variables).
    #[arg(long)]
    pub url: Option<String>,
    #[command(flatten)]
    pub scratch: Scratch,
    /// Plain forms in one transaction, as revisions run them: no NOT VALID + VALIDATE, no
    /// CONCURRENTLY (by default, steps on tables that exist take the online forms, as apply runs them).
    #[arg(long)]
    pub transactional: bool,
    /// The default (kept for scripts that pass it): indexes on existing tables are built CONCURRENTLY.
    #[arg(long, hide = true, conflicts_with = "transactional")]
    pub concurrently: bool,
    /// With --from: the search_path the files are written for (comma-separated);
    /// unqualified names go to its first schema, as in such a session. Default: public.
    #[arg(long, requires = "from")]
    pub search_path: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Sql)]
    pub format: Format,
    /// Also write the plan to FILE with the fingerprint of the database it was computed from,
    /// for `apply --plan FILE` (which runs exactly it, or refuses once the database changed).
    #[arg(long, conflicts_with = "from")]
    pub out: Option<PathBuf>,
    /// Count, read-only, the rows that would make each may-fail step fail (NULLs, duplicates,
    /// violations, values a type refuses), each count within --statement-timeout (default 10s).
    #[arg(long, conflicts_with = "from")]
    pub measure: bool,
    #[command(flatten)]
    pub waits: Waits,
}

/// Make the database match the desired schema.
#[derive(Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub desired: Desired,
    /// The database (default: --env's url, DATABASE_URL, or the PG* variables).
    #[arg(long)]
    pub url: Option<String>,
    /// Allow steps that lose data (drop table, drop column, narrowing type change).
    #[arg(long)]
    pub allow_destructive: bool,
    /// Allow steps with hazards of KIND: data-loss, may-fail, lock (alias rewrite), grants-lost,
    /// access-loss (repeatable). Once one is given, steps with any other kind are refused (data loss
    /// still allowed by --allow-destructive); without it, every kind but data-loss is allowed.
    #[arg(long, value_name = "KIND", value_parser = parse_hazard)]
    pub allow_hazard: Vec<HazardKind>,
    /// After a lock timeout, run the step again up to N times, pausing 250ms, 500ms, 1s... (at most
    /// 10s) between tries: a transaction is rolled back and run again whole, a step alone again alone.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub lock_retries: u32,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// Run exactly the plan saved by `plan --out FILE`, refusing (exit 2, nothing changed) if the
    /// database no longer has the fingerprint it was computed from.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Say nothing while applying (no progress on stderr).
    #[arg(long, short)]
    pub quiet: bool,
    /// Count, read-only, the rows that would make each may-fail step fail, shown on its hazard
    /// line, each count within --statement-timeout (default 10s).
    #[arg(long)]
    pub measure: bool,
    #[command(flatten)]
    pub waits: Waits,
    /// How long to wait for another pgstate apply on the same database.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub lock_wait: Duration,
    /// Run the plain forms in one transaction (no NOT VALID + VALIDATE, no CONCURRENTLY). By default,
    /// steps on tables that exist take online forms, some outside the transaction.
    #[arg(long)]
    pub transactional: bool,
    /// The default (kept for scripts that pass it): indexes on existing tables are built CONCURRENTLY.
    #[arg(long, hide = true, conflicts_with = "transactional")]
    pub concurrently: bool,
    #[command(flatten)]
    pub scratch: Scratch,
}

/// Exit 1 when the database differs from the desired schema (0 when in sync, 2 on error).
#[derive(Args)]
pub struct DriftArgs {
    #[command(flatten)]
    pub desired: Desired,
    /// The database (default: --env's url, DATABASE_URL, or the PG* variables).
    #[arg(long)]
    pub url: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DriftFormat::Text)]
    pub format: DriftFormat,
    #[command(flatten)]
    pub scratch: Scratch,
    #[command(flatten)]
    pub waits: Waits,
}

/// Write the live schema as declarative SQL.
#[derive(Args)]
pub struct ExportArgs {
    /// The database (default: --env's url, DATABASE_URL, or the PG* variables).
    #[arg(long)]
    pub url: Option<String>,
    /// A .sql file, or a directory for one file per table (default: stdout).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Schemas to export, comma-separated (default, as for plan and apply: pgstate.toml's `schemas`,
    /// else those the desired files mention plus public, else public).
    #[arg(long, value_delimiter = ',')]
    pub schemas: Option<Vec<String>>,
    /// Also export the version tables (pgstate's, as configured, and Alembic's alembic_version).
    #[arg(long)]
    pub include_bookkeeping: bool,
    #[command(flatten)]
    pub waits: Waits,
}

/// Write the plan from the revision chain's head to the desired schema as a new revision.
#[derive(Args)]
pub struct AutogenerateArgs {
    #[command(flatten)]
    pub desired: Desired,
    /// What the revision does.
    #[arg(short, long)]
    pub message: String,
    /// Use this revision id instead of a generated one ([A-Za-z0-9_]+, at most 64 characters).
    #[arg(long)]
    pub rev_id: Option<String>,
    /// pgstate's SQL revision files, or an Alembic revision (Python).
    #[arg(long, value_enum, default_value_t = RevisionFormat::Pgstate)]
    pub format: RevisionFormat,
    /// Alembic's versions directory (with --format alembic).
    #[arg(long)]
    pub alembic_dir: Option<PathBuf>,
    /// With --format alembic: the current state from this database (default: the pgstate chain's head).
    #[arg(long)]
    pub url: Option<String>,
    #[command(flatten)]
    pub waits: Waits,
}

/// Write an empty revision to fill in by hand.
#[derive(Args)]
pub struct RevisionArgs {
    /// What the revision does.
    #[arg(short, long)]
    pub message: String,
    /// Use this revision id instead of a generated one ([A-Za-z0-9_]+, at most 64 characters).
    #[arg(long)]
    pub rev_id: Option<String>,
}

/// Write a revision that merges two heads.
#[derive(Args)]
pub struct MergeArgs {
    /// What the merge is for.
    #[arg(short, long)]
    pub message: String,
    /// Use this revision id instead of a generated one ([A-Za-z0-9_]+, at most 64 characters).
    #[arg(long)]
    pub rev_id: Option<String>,
    /// The revisions to merge.
    #[arg(num_args = 2.., required = true)]
    pub revisions: Vec<String>,
}

/// Apply revisions up to TARGET: head (default), an id or unique prefix, or +N.
#[derive(Args)]
pub struct UpgradeArgs {
    /// head, an id or prefix, or +N.
    #[arg(default_value = "head")]
    pub target: String,
    /// The database (default: --env's url, DATABASE_URL, or the PG* variables).
    #[arg(long)]
    pub url: Option<String>,
    /// After a lock timeout, run the revision again up to N times (rolled back, then run again
    /// whole), pausing 250ms, 500ms, 1s... (at most 10s) between tries.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub lock_retries: u32,
    #[command(flatten)]
    pub waits: Waits,
}

/// Undo revisions down to TARGET: -N, an id or unique prefix, or base.
#[derive(Args)]
pub struct DowngradeArgs {
    /// -N, an id or prefix, or base.
    #[arg(allow_hyphen_values = true)]
    pub target: String,
    /// The database (default: --env's url, DATABASE_URL, or the PG* variables).
    #[arg(long)]
    pub url: Option<String>,
    /// Allow undoing revisions that lose data (drop a table, a column...).
    #[arg(long)]
    pub allow_destructive: bool,
    /// After a lock timeout, run the revision again up to N times (rolled back, then run again
    /// whole), pausing 250ms, 500ms, 1s... (at most 10s) between tries.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub lock_retries: u32,
    #[command(flatten)]
    pub waits: Waits,
}

/// Show the revision(s) a database is at (pgstate's, and Alembic's if any).
#[derive(Args)]
pub struct CurrentArgs {
    /// The database (default: --env's url, DATABASE_URL, or the PG* variables).
    #[arg(long)]
    pub url: Option<String>,
    #[command(flatten)]
    pub waits: Waits,
}

/// List revisions, newest first.
#[derive(Args)]
pub struct HistoryArgs {
    /// Show each revision in full.
    #[arg(long, short)]
    pub verbose: bool,
}

/// Show one revision: its header as Alembic's `show` prints it, and its SQL.
#[derive(Args)]
pub struct ShowArgs {
    /// An id or unique prefix, head, or base.
    pub revision: String,
}

/// Record REVISION as where the database stands, running nothing (Alembic's stamp).
#[derive(Args)]
pub struct StampArgs {
    /// head, heads, base (no revision), or an id or prefix.
    pub revision: String,
    /// The database (default: --env's url, DATABASE_URL, or the PG* variables).
    #[arg(long)]
    pub url: Option<String>,
    #[command(flatten)]
    pub waits: Waits,
}

/// Write the first revision from a live database (its schema, built from empty) and record it there.
#[derive(Args)]
pub struct BaselineArgs {
    /// What the revision is.
    #[arg(short, long, default_value = "baseline")]
    pub message: String,
    /// Use this revision id instead of a generated one ([A-Za-z0-9_]+, at most 64 characters).
    #[arg(long)]
    pub rev_id: Option<String>,
    /// Schemas to take in, comma-separated (default: pgstate.toml's `schemas`, else public).
    #[arg(long, value_delimiter = ',')]
    pub schemas: Option<Vec<String>>,
    /// The database (default: --env's url, DATABASE_URL, or the PG* variables).
    #[arg(long)]
    pub url: Option<String>,
    #[command(flatten)]
    pub waits: Waits,
}

/// Print a shell completion script (e.g. `pgstate completions bash > /etc/bash_completion.d/pgstate`).
#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

/// Parse and validate the desired schema.
#[derive(Args)]
pub struct CheckArgs {
    /// Desired schema (default: schema/, or pgstate.toml's `schema`).
    #[arg(long)]
    pub schema: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Sql,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub enum RevisionFormat {
    Pgstate,
    Alembic,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DriftFormat {
    Text,
    Json,
}

/// A hazard kind by its name in plans (`data-loss`, `may-fail`, `lock`...).
pub fn parse_hazard(text: &str) -> Result<HazardKind, String> {
    HazardKind::from_name(text).ok_or_else(|| {
        let names: Vec<&str> = HazardKind::ALL.iter().map(|k| k.name()).collect();
        format!("unknown hazard kind {text:?}: one of {} (or rewrite, a lock hazard)", names.join(", "))
    })
}

/// A duration for a timeout: as `parse_duration`, but more than zero (to
/// PostgreSQL, 0 means no limit at all).
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    let d = parse_duration(text)?;
    if d.is_zero() {
        return Err("a timeout must be more than 0 (0 would mean waiting forever)".to_string());
    }
    Ok(d)
}

/// `5s`, `500ms`, `2m`, or a number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
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
