//! What a scratch server needs before desired expressions can be stored on
//! it: the extensions and unmanaged types the target has and the files only
//! use (see `ops::external`). Created inside the settling transaction, so
//! a dev database is left as it was.

use tokio_postgres::Client;

/// One statement preparing the scratch server, and what it gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    /// What it creates, for a warning when it cannot (`extension citext in public`).
    pub what: String,
    /// The SQL.
    pub sql: String,
}

/// Runs each statement in a savepoint of the caller's transaction. One that
/// fails only costs a warning: the expressions that need it are then compared
/// by the parser alone, as with no server at all.
pub(super) async fn run(
    client: &Client,
    setup: &[Setup],
    warnings: &mut Vec<String>,
) -> Result<(), tokio_postgres::Error> {
    for s in setup {
        client.batch_execute("SAVEPOINT pgstate_setup").await?;
        match client.batch_execute(&s.sql).await {
            Ok(()) => client.batch_execute("RELEASE SAVEPOINT pgstate_setup").await?,
            Err(e) => {
                client.batch_execute("ROLLBACK TO SAVEPOINT pgstate_setup").await?;
                // A dev database that has the type already is ready as it is.
                if e.code() != Some(&tokio_postgres::error::SqlState::DUPLICATE_OBJECT) {
                    let why = e.as_db_error().map_or_else(|| e.to_string(), |d| d.message().to_string());
                    warnings.push(format!(
                        "the scratch server could not get {} ({why}): expressions using it are compared by the parser alone",
                        s.what
                    ));
                }
            }
        }
    }
    Ok(())
}
