//! The `pgstate` command line: argument parsing and printing only.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use miette::{IntoDiagnostic, Report};

use pgstate::config::Config;
use pgstate::connection::{runtime, Target};
use pgstate::introspect::Scope;
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
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Sql)]
        format: Format,
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
        /// lock_timeout for the plan's statements, e.g. 5s or 500ms.
        #[arg(long, default_value = "5s", value_parser = parse_duration)]
        lock_timeout: Duration,
        /// How long to wait for another pgstate apply on the same database.
        #[arg(long, default_value = "60s", value_parser = parse_duration)]
        lock_wait: Duration,
        /// Build indexes on existing tables with CREATE INDEX CONCURRENTLY, after the main transaction.
        #[arg(long)]
        concurrently: bool,
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
    },
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

#[derive(Clone, Copy, ValueEnum)]
enum DriftFormat {
    Text,
    Json,
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

fn load(config: &Config, d: &Desired) -> Result<(Parsed, Scope), OpsError> {
    let parsed = ops::desired::load(&config.schema_path(d.schema.as_deref()))?;
    let scope = ops::desired::scope(&parsed.catalog, d.schemas.as_deref());
    Ok((parsed, scope))
}

fn print_plan(plan: &Plan, format: Format) -> miette::Result<()> {
    for w in &plan.warnings {
        eprintln!("warning: {w}");
    }
    match format {
        Format::Sql => print!("{}", plan.to_sql()),
        Format::Json => println!("{}", serde_json::to_string_pretty(plan).into_diagnostic()?),
    }
    Ok(())
}

fn run(cli: Cli) -> Result<ExitCode, Report> {
    let config = Config::load(&std::env::current_dir().into_diagnostic()?)?;
    match cli.command {
        Command::Plan { desired, from, url, format } => {
            let plan = match from {
                Some(from) => ops::plan::offline(&config.schema_path(desired.schema.as_deref()), &from)?,
                None => {
                    let (parsed, scope) = load(&config, &desired)?;
                    let target = Target::from_arg(url.as_deref())?;
                    runtime().into_diagnostic()?.block_on(async {
                        let client = target.connect().await?;
                        Ok::<_, OpsError>(ops::live::plan(&client, &parsed, &scope).await?.plan)
                    })?
                }
            };
            print_plan(&plan, format)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Apply { desired, url, allow_destructive, yes, lock_timeout, lock_wait, concurrently } => {
            let (parsed, scope) = load(&config, &desired)?;
            let target = Target::from_arg(url.as_deref())?;
            let options = ops::apply::Options { allow_destructive, lock_timeout, lock_wait, concurrently };
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
            let report = runtime().into_diagnostic()?.block_on(async {
                let client = target.connect().await?;
                ops::apply::apply(&client, &parsed, &scope, &options, &mut confirm).await
            })?;
            if report.applied {
                eprintln!("applied {} steps; the database matches the desired schema", report.plan.steps.len());
            } else {
                eprintln!("nothing to do: the database matches the desired schema");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Drift { desired, url, format } => {
            let (parsed, scope) = load(&config, &desired)?;
            let target = Target::from_arg(url.as_deref())?;
            let drift = runtime().into_diagnostic()?.block_on(async {
                let client = target.connect().await?;
                ops::drift::drift(&client, &parsed, &scope).await
            })?;
            match format {
                DriftFormat::Text if drift.in_sync() => println!("in sync: {} matches the desired schema", target.describe()),
                DriftFormat::Text => {
                    println!("drift: {} differs from the desired schema\n\n-- plan to fix it:\n{}", target.describe(), drift.plan.to_sql());
                    println!("-- schemas compared:\n{}", drift.diff);
                }
                DriftFormat::Json => {
                    let value = serde_json::json!({ "in_sync": drift.in_sync(), "plan": drift.plan, "diff": drift.diff });
                    println!("{}", serde_json::to_string_pretty(&value).into_diagnostic()?);
                }
            }
            Ok(if drift.in_sync() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Export { url, out, schemas } => {
            let target = Target::from_arg(url.as_deref())?;
            let scope = Scope::Schemas(schemas.unwrap_or_else(|| vec!["public".to_string()]));
            let catalog = runtime().into_diagnostic()?.block_on(async {
                let client = target.connect().await?;
                ops::export::read(&client, &scope).await
            })?;
            match out {
                Some(path) => {
                    let files = ops::export::write(&catalog, &path)?;
                    eprintln!("wrote {} file(s) under {}", files.len(), display(&path));
                }
                None => print!("{}", pgstate::plan::catalog_sql(&catalog)),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { schema } => {
            let path = config.schema_path(schema.as_deref());
            let s = ops::check::check(&path)?;
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

fn display(p: &Path) -> String {
    p.display().to_string()
}
