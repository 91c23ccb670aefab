//! The `pgstate` command line: argument parsing and printing only.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use miette::Report;

use pgstate::config::Config;
use pgstate::ops;

/// Declarative, desired-state schema management for PostgreSQL.
#[derive(Parser)]
#[command(name = "pgstate", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the DDL that takes the current state to the desired schema.
    Plan {
        /// Desired schema: a .sql/.toml file or a directory (default: schema/, or pgstate.toml's `schema`).
        #[arg(long)]
        schema: Option<PathBuf>,
        /// Current state: a .sql/.toml file or a directory (an empty file is an empty database).
        #[arg(long)]
        from: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Sql)]
        format: Format,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Report> {
    let config = Config::load(&std::env::current_dir().map_err(|e| miette::miette!("{e}"))?)?;
    match cli.command {
        Command::Plan { schema, from, format } => {
            let plan = ops::plan::offline(&config.schema_path(schema.as_deref()), &from)?;
            for w in &plan.warnings {
                eprintln!("warning: {w}");
            }
            match format {
                Format::Sql => print!("{}", plan.to_sql()),
                Format::Json => {
                    let json = serde_json::to_string_pretty(&plan).map_err(|e| miette::miette!("{e}"))?;
                    println!("{json}");
                }
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
