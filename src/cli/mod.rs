//! The `pgstate` command line: arguments (`args`), what the commands share
//! (`context`), one file per group of commands (`schema`, `revisions`), and
//! printing (`output`). The work itself is in the library's `ops`.

mod args;
mod context;
mod output;
mod revisions;
mod schema;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use miette::Report;

use args::{Cli, Command, DriftFormat, Format};

/// Parses the arguments, runs the command, and prints its error (as JSON when
/// the command was asked for `--format json`). Exit 2 on error.
pub fn main() -> ExitCode {
    // A message is one line however wide the terminal: CI logs and greps stay readable.
    let _ = miette::set_hook(Box::new(|_| Box::new(miette::MietteHandlerOpts::new().wrap_lines(false).build())));
    let cli = Cli::parse();
    let json = wants_json(&cli.command);
    match run(cli.command) {
        Ok(code) => code,
        Err(report) => {
            if json {
                output::print_error_json(&report);
            } else {
                output::print_error(&report);
            }
            ExitCode::from(2)
        }
    }
}

/// Whether the command prints JSON (`plan` or `drift` with `--format json`).
fn wants_json(command: &Command) -> bool {
    match command {
        Command::Plan(a) => matches!(a.format, Format::Json),
        Command::Drift(a) => matches!(a.format, DriftFormat::Json),
        _ => false,
    }
}

fn run(command: Command) -> Result<ExitCode, Report> {
    match command {
        Command::Plan(a) => schema::plan(a),
        Command::Apply(a) => schema::apply(a),
        Command::Drift(a) => schema::drift(a),
        Command::Export(a) => schema::export(a),
        Command::Check(a) => schema::check(a),
        Command::Autogenerate(a) => revisions::autogenerate(a),
        Command::Revision(a) => revisions::revision(a),
        Command::Merge(a) => revisions::merge(a),
        Command::Hash => revisions::hash(),
        Command::Upgrade(a) => revisions::upgrade(a),
        Command::Downgrade(a) => revisions::downgrade(a),
        Command::Current(a) => revisions::current(a),
        Command::History(a) => revisions::history(a),
        Command::Heads => revisions::heads(),
        Command::Show(a) => revisions::show(a),
        Command::Stamp(a) => revisions::stamp(a),
        Command::Baseline(a) => revisions::baseline(a),
        Command::Completions(a) => {
            let mut script = Vec::new();
            clap_complete::generate(a.shell, &mut Cli::command(), "pgstate", &mut script);
            output::out(format_args!("{}", String::from_utf8_lossy(&script)))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
