//! The desired files parsed on another thread while the database is reached
//! and its catalog read, and the guess at the schemas they manage that lets
//! that read start before the parse ends (`live::plan_while_parsing`).

use std::sync::Arc;
use std::thread::JoinHandle;

use tokio_postgres::Client;

use crate::parse::{parse_loaded_open, Parsed, SchemaErrors, SourceFile};

use super::OpsError;

/// Desired files being parsed (as `desired::load_open` parses them) on a thread of their own.
pub struct Parsing {
    files: Arc<Vec<SourceFile>>,
    handle: JoinHandle<Result<Parsed, SchemaErrors>>,
}

impl Parsing {
    /// Starts parsing `files` now.
    pub fn start(files: Vec<SourceFile>) -> Parsing {
        let files = Arc::new(files);
        let shared = Arc::clone(&files);
        Parsing { files, handle: std::thread::spawn(move || parse_loaded_open(&shared)) }
    }

    /// The size of the text being parsed.
    pub fn bytes(&self) -> usize {
        self.files.iter().map(|f| f.text.len()).sum()
    }

    /// Waits for the parse without holding up the async tasks beside it.
    pub async fn wait(self) -> Result<Parsed, OpsError> {
        match tokio::task::spawn_blocking(move || self.finish()).await {
            Ok(parsed) => parsed,
            Err(e) => match e.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(e) => Err(OpsError::Io(std::io::Error::other(e))),
            },
        }
    }

    /// The error in the files when they hold one, else `other`: the files
    /// are the user's to fix first, as when they were read before anything else.
    pub fn error_first(self, other: OpsError) -> OpsError {
        self.finish().err().unwrap_or(other)
    }

    /// Waits for the parse (blocking).
    pub fn finish(self) -> Result<Parsed, OpsError> {
        let result = self.handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let mut parsed = result.map_err(|e| OpsError::Load(e.into()))?;
        // The thread's reference ended with it: the files come back without a copy.
        parsed.files = Arc::try_unwrap(self.files).unwrap_or_else(|shared| shared.as_ref().clone());
        Ok(parsed)
    }

    /// The schemas of `existing` that the files may manage: `public`, and
    /// each whose name the text holds at all (ASCII case folded, as
    /// PostgreSQL folds unquoted names). A schema the files manage is named
    /// in them, so this holds all of them but for names spelled with escapes
    /// (`U&"..."`) or holding a double quote (kept whenever they exist); the
    /// caller compares it with the parsed scope and reads again on a miss.
    pub fn guess_schemas(&self, existing: &[String]) -> Vec<String> {
        let text: Vec<String> = self.files.iter().map(|f| f.text.to_ascii_lowercase()).collect();
        let mut schemas = vec!["public".to_string()];
        for name in existing.iter().filter(|n| n.as_str() != "public") {
            let folded = name.to_ascii_lowercase();
            if name.contains('"') || text.iter().any(|t| t.contains(&folded)) {
                schemas.push(name.clone());
            }
        }
        schemas
    }
}

/// The database's own schemas (not PostgreSQL's: `pg_*`, `information_schema`).
pub async fn existing_schemas(client: &Client) -> Result<Vec<String>, OpsError> {
    let rows = client
        .query(
            "SELECT nspname::text FROM pg_catalog.pg_namespace \
             WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' ORDER BY 1",
            &[],
        )
        .await
        .map_err(|e| super::error::db_error(&e, None))?;
    rows.iter().map(|r| r.try_get(0).map_err(|e| super::error::db_error(&e, None))).collect()
}
