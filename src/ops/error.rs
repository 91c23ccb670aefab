//! The errors a command can end with.

use std::fmt;

use crate::connection::ConnectError;
use crate::introspect::IntrospectError;
use crate::parse::LoadError;

/// Why a command failed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum OpsError {
    /// The desired schema could not be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Load(#[from] LoadError),
    /// No connection.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// The live catalog could not be read.
    #[error(transparent)]
    Introspect(#[from] IntrospectError),
    /// Expressions could not be settled through the server.
    #[error(transparent)]
    Normalize(#[from] crate::normalize::NormalizeError),
    /// No order of the plan's steps works.
    #[error(transparent)]
    Plan(#[from] crate::plan::PlanError),
    /// A statement failed.
    #[error("{0}")]
    Database(String),
    /// Local I/O.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The plan holds steps that lose data and they were not allowed.
    #[error("refusing to apply: the plan loses data ({}); pass --allow-destructive to allow it", .0.join("; "))]
    Destructive(Vec<String>),
    /// Steps hold hazards of kinds `--allow-hazard` did not list.
    #[error("refusing to apply: steps have hazards of kinds not allowed: {}; nothing was changed. Pass {allow} to allow them", .steps.join("; "))]
    HazardsRefused {
        /// Each refused step and its refused kinds.
        steps: Vec<String>,
        /// The arguments that would allow them.
        allow: String,
    },
    /// Another pgstate kept the lock too long.
    #[error("another pgstate apply holds the lock on this database; gave up after {0:?}")]
    LockWait(std::time::Duration),
    /// The plan did not converge: a bug.
    #[error("the database still differs from the desired schema after applying (a bug in pgstate's plan):\n{0}")]
    NotConverged(String),
    /// A saved plan's database fingerprint is no longer the database's.
    #[error(
        "refusing to apply the saved plan: the database changed since it was computed ({}); nothing was changed. \
         Make a new plan with `pgstate plan --out` and review it",
        if .0.is_empty() { "its fingerprint differs".to_string() } else { stale_list(.0) }
    )]
    StalePlan(Vec<String>),
    /// A saved plan could not be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Saved(#[from] super::saved::SavedError),
    /// The desired schema reads as empty by accident while there is something to drop.
    #[error(
        "{path} holds no .sql or .toml file, so the desired schema reads as empty, while {what} holds {holds}: \
         refusing to plan dropping everything{}. For an empty schema on purpose, give an empty .sql file \
         (or --schema /dev/null)",
        if .ignored.is_empty() { String::new() } else { format!(" (files not read for their extension: {})", .ignored.join(", ")) }
    )]
    EmptyDesired {
        /// The schema directory.
        path: String,
        /// Files in it not read for their extension.
        ignored: Vec<String>,
        /// What holds objects: the database, the revision chain's head.
        what: String,
        /// Some of the objects it holds.
        holds: String,
    },
    /// An export was refused.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// Revision files or their application.
    #[error(transparent)]
    Revision(crate::revisions::RevisionError),
    /// A lock wait reached `lock_timeout`.
    #[error(
        "timed out after {after} waiting for a lock{}; {outcome} [lock timeout: retry later or raise --lock-timeout]{}",
        OnWhat(.held),
        while_running(.statement)
    )]
    LockTimeout {
        /// The limit, as the server shows it (`2s`).
        after: String,
        /// Who holds what on the managed relations.
        held: Vec<Held>,
        /// The statement that waited, when it was one of the plan's.
        statement: Option<String>,
        /// What became of the database (`nothing was changed`).
        outcome: String,
    },
    /// A statement ran past `statement_timeout`.
    #[error("a statement ran past statement_timeout ({after}) and was cancelled; {outcome} [statement timeout: raise --statement-timeout]{}", while_running(.statement))]
    StatementTimeout {
        /// The limit, as the server shows it.
        after: String,
        /// The statement, when it was one of the plan's.
        statement: Option<String>,
        /// What became of the database.
        outcome: String,
    },
    /// The user said no.
    #[error("cancelled: nothing was changed")]
    Cancelled,
}

impl OpsError {
    /// A timeout's error with `outcome` saying what became of the database
    /// (a timeout while verifying an applied plan changed something); any
    /// other error as it is.
    pub fn with_outcome(self, outcome: &str) -> OpsError {
        match self {
            OpsError::LockTimeout { after, held, statement, .. } => {
                OpsError::LockTimeout { after, held, statement, outcome: outcome.to_string() }
            }
            OpsError::StatementTimeout { after, statement, .. } => {
                OpsError::StatementTimeout { after, statement, outcome: outcome.to_string() }
            }
            other => other,
        }
    }
}

/// What changed, for `StalePlan`: the first few, then how many more.
fn stale_list(changes: &[String]) -> String {
    let mut out = changes.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if changes.len() > 5 {
        out.push_str(&format!(", and {} more", changes.len() - 5));
    }
    out
}

/// `\n  while running: <statement>`, when there is one.
fn while_running(statement: &Option<String>) -> String {
    statement.as_ref().map(|s| format!("\n  while running: {s}")).unwrap_or_default()
}

/// A database error as one readable line (message, detail, and which statement).
pub fn db_error(e: &tokio_postgres::Error, statement: Option<&str>) -> OpsError {
    let mut text = match e.as_db_error() {
        Some(db) => {
            let mut t = format!("{}: {}", db.severity(), db.message());
            if let Some(d) = db.detail() {
                t.push_str(&format!(" ({d})"));
            }
            if db.code() == &tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE {
                t.push_str(" [lock timeout: another transaction holds a lock this step needs; retry later or raise --lock-timeout]");
            }
            t
        }
        None => e.to_string(),
    };
    if let Some(s) = statement {
        text.push_str(&format!("\n  while running: {s}"));
    }
    OpsError::Database(text)
}

/// At most this many holders are named; the rest are counted.
const NAMED: usize = 5;

/// A lock another session holds on a relation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    /// The relation, schema-qualified and quoted.
    pub relation: String,
    /// The holding backend.
    pub pid: i32,
    /// The mode, as pg_locks names it (`AccessExclusiveLock`).
    pub mode: String,
}

/// The holders, for an error message: ` on public.users, held by pid 1234 (AccessExclusiveLock)`.
pub struct OnWhat<'a>(pub &'a [Held]);

impl fmt::Display for OnWhat<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str(" (no other session holds a conflicting lock on a managed relation any more)");
        }
        f.write_str(" on ")?;
        for (i, h) in self.0.iter().take(NAMED).enumerate() {
            if i > 0 {
                f.write_str(", and ")?;
            }
            write!(f, "{}, held by pid {} ({})", h.relation, h.pid, h.mode)?;
        }
        if self.0.len() > NAMED {
            write!(f, ", and {} more", self.0.len() - NAMED)?;
        }
        Ok(())
    }
}

/// Why an export was refused.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ExportError {
    /// The directory holds a file an earlier export did not write.
    #[error(
        "refusing to export into {dir}: it holds {file}, which no earlier pgstate export wrote there; \
         export into a new or empty directory (or one a pgstate export wrote), so that its files are not mixed with others"
    )]
    Foreign {
        /// The directory.
        dir: String,
        /// One file it holds.
        file: String,
    },
}
