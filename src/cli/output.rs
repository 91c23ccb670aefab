//! Printing: plans, warnings, and errors (as text, or as JSON for a command
//! asked for `--format json`).

use miette::{IntoDiagnostic, Report};

use pgstate::plan::Plan;

use super::args::Format;

/// A warning on stderr, on one line.
pub fn warn(text: &str) {
    eprintln!("warning: {}", pgstate::quote::one_line(text));
}

/// The plan as SQL or JSON on stdout, its warnings on stderr.
pub fn print_plan(plan: &Plan, format: Format) -> miette::Result<()> {
    for w in &plan.warnings {
        warn(w);
    }
    match format {
        Format::Sql => print!("{}", plan.to_sql()),
        Format::Json => println!("{}", serde_json::to_string_pretty(plan).into_diagnostic()?),
    }
    Ok(())
}

/// An error as miette renders it, on stderr.
pub fn print_error(report: &Report) {
    eprintln!("{report:?}");
}

/// An error as one JSON object on stdout, where the command's JSON would have
/// been: `{"error": message, "causes": [...], "code": ..., "help": ...}`.
pub fn print_error_json(report: &Report) {
    let mut causes = Vec::new();
    let mut source = report.source();
    while let Some(s) = source {
        causes.push(s.to_string());
        source = s.source();
    }
    let value = serde_json::json!({
        "error": report.to_string(),
        "causes": causes,
        "code": report.code().map(|c| c.to_string()),
        "help": report.help().map(|h| h.to_string()),
    });
    println!("{}", serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string()));
}
