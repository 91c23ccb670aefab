//! Printing: plans, warnings, and errors (as text, or as JSON for a command
//! asked for `--format json`).

use miette::{IntoDiagnostic, Report};

use pgstate::plan::Plan;

use super::args::Format;

/// Writes `text` on stdout. A reader that stops early (`pgstate plan | head`)
/// ends the process quietly with status 141, as SIGPIPE ends a C tool: Rust
/// ignores the signal, and `print!` would panic instead. Left ignored, since
/// a server closing its socket must stay an error, not a kill.
pub fn out(text: std::fmt::Arguments<'_>) -> miette::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_fmt(text).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(141),
        done => done.map_err(|e| miette::miette!("could not write to stdout: {e}")),
    }
}

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
        Format::Sql => out(format_args!("{}", plan.to_sql())),
        Format::Json => out(format_args!("{}\n", serde_json::to_string_pretty(plan).into_diagnostic()?)),
    }
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
    // Already failing: not through `out`, whose 141 for a closed pipe would
    // hide the failure's status; a stdout that cannot be written leaves it to say so.
    let text = serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string());
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), format!("{text}\n").as_bytes());
}
