//! Revision files: a chain of plain-SQL migrations generated from the
//! declarative schema (`autogenerate`), replayed on the model to know the
//! chain's state offline, and applied to databases (`upgrade`, `downgrade`)
//! with a version table recording where each database stands.

pub mod alembic;
pub mod chain;
pub mod file;
pub mod guard;
pub mod replay;
pub mod sum;
pub mod version_table;

use crate::model::Catalog;

pub use chain::Chain;
pub use file::Revision;

/// What can go wrong with revisions.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RevisionError {
    /// A file could not be read or written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// No order of a plan's steps works.
    #[error(transparent)]
    Plan(#[from] crate::plan::PlanError),
    /// A revision file does not follow the format.
    #[error("{file}: not a pgstate revision: {why}")]
    Malformed {
        /// The file.
        file: String,
        /// What is missing.
        why: String,
    },
    /// A revision id that could leave the revision directory or break a header.
    #[error(
        "invalid revision id {0:?}: an id is 1 to {max} ASCII letters, digits or underscores ([A-Za-z0-9_]+)",
        max = file::MAX_ID_LEN
    )]
    BadId(String),
    /// Two files claim the same id.
    #[error("two revision files have the id {0}")]
    Duplicate(String),
    /// A parent is not in the directory.
    #[error("revision {revision} names parent {parent}, which is not in the revision directory")]
    MissingParent {
        /// The child.
        revision: String,
        /// The missing parent.
        parent: String,
    },
    /// The parents form a cycle.
    #[error("the revisions' parents form a cycle")]
    Cycle,
    /// More than one head where one is needed.
    #[error("multiple heads are present ({}); merge them first: pgstate merge -m \"merge heads\" {}", .0.join(", "), .0.join(" "))]
    MultipleHeads(Vec<String>),
    /// No revision has that id or prefix.
    #[error("no revision {0}")]
    Unknown(String),
    /// A prefix matches several revisions.
    #[error("revision prefix {prefix} is ambiguous: {}", .matches.join(", "))]
    Ambiguous {
        /// The prefix.
        prefix: String,
        /// What it matches.
        matches: Vec<String>,
    },
    /// The sum file is missing.
    #[error("{0} is missing: run `pgstate hash` after writing revisions by hand")]
    NoSum(String),
    /// A file changed after the sum was written.
    #[error("{0} was changed after pgstate.sum was written; if that is intended, run `pgstate hash`")]
    Tampered(String),
    /// A statement could not be replayed on the model.
    #[error("revision {revision}: cannot replay {statement:?}: {why}")]
    Replay {
        /// The revision.
        revision: String,
        /// The statement.
        statement: String,
        /// Why.
        why: String,
    },
    /// The database records a revision the directory does not have.
    #[error("the database is at revision {0}, which is not in the revision directory")]
    UnknownInDatabase(String),
    /// A downgrade would lose data, and that was not allowed.
    #[error(
        "refusing to downgrade: undoing these revisions loses data ({}); nothing was changed; pass --allow-destructive to allow it",
        .0.join("; ")
    )]
    Destructive(Vec<String>),
    /// Whether a downgrade loses data cannot be told: the chain does not replay.
    #[error(
        "refusing to downgrade: cannot tell whether it loses data, as the chain does not replay on the model ({0}); nothing was changed; pass --allow-destructive to run it anyway"
    )]
    Unjudged(Box<RevisionError>),
    /// A target cannot be reached.
    #[error("{0}")]
    Target(String),
}

/// The schema after the given revisions (and all their ancestors).
pub fn state_at(chain: &Chain, heads: &[String]) -> Result<Catalog, RevisionError> {
    let mut cat = Catalog::default();
    for r in chain.ordered(&chain.ancestry(heads)) {
        cat = replay::replay(cat, &r.id, &r.up)?;
    }
    Ok(cat)
}
