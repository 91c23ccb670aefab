//! Where expressions the parser cannot settle are settled: never on the
//! target. A dev database (`--dev-url`), or a throwaway server started from
//! the installed PostgreSQL binaries when (and only when) some expression
//! still differs, kept for the rest of the command; with neither, or asked
//! not to, the parser decides and a warning says so.
//!
//! The target is only ever read: `plan` and `drift` need no more than
//! CONNECT, USAGE and SELECT on it, work on a hot standby, and run nothing a
//! desired file wrote on it.

use tokio_postgres::Client;

use crate::connection::local::LocalServer;
use crate::connection::Target;
use crate::model::Catalog;
use crate::normalize;

use super::OpsError;

/// Where differing expressions are settled.
pub enum Settle {
    /// Nowhere: the parser's canonical form decides.
    ParserOnly,
    /// A database to use as a scratchpad (nothing of it is changed).
    Server(Box<Target>),
    /// A throwaway server from the installed PostgreSQL binaries, started when
    /// needed; without binaries, the parser decides (and the plan says so).
    LocalServer,
}

/// A scratch server for one command, connected on first need.
pub struct Scratchpad {
    how: Settle,
    // Dropped after `client`: declared after it so the connection ends first.
    client: Option<Client>,
    local: Option<LocalServer>,
    failed: bool,
    /// What the command should tell the user (the parser decided alone).
    pub warnings: Vec<String>,
    /// Called just before a throwaway server is started (to say so).
    on_local: Option<Box<dyn FnMut()>>,
    /// What the scratch server gets first: the target's extensions and
    /// unmanaged types that the files use (`ops::external`).
    setup: Vec<normalize::Setup>,
}

impl Scratchpad {
    /// A scratchpad that will settle as `how` says.
    pub fn new(how: Settle) -> Scratchpad {
        Scratchpad {
            how,
            client: None,
            local: None,
            failed: false,
            warnings: Vec::new(),
            on_local: None,
            setup: Vec::new(),
        }
    }

    /// Calls `f` just before a throwaway server is started.
    pub fn on_local_start(mut self, f: Box<dyn FnMut()>) -> Scratchpad {
        self.on_local = Some(f);
        self
    }

    /// Gives the scratch server `setup` before it settles anything (replacing
    /// what an earlier plan of the same command asked for).
    pub fn prepare(&mut self, setup: Vec<normalize::Setup>) {
        self.setup = setup;
    }

    /// Respells `desired`'s expressions where the server stores them as
    /// `current`'s (current may be a live catalog or files). Starts or
    /// connects to the server only when some expression differs.
    pub async fn settle(&mut self, desired: &mut Catalog, current: &Catalog) -> Result<usize, OpsError> {
        if matches!(self.how, Settle::ParserOnly) || normalize::mismatches(desired, current).is_empty() {
            return Ok(0);
        }
        let setup = self.setup.clone();
        let Some(client) = self.client().await? else { return Ok(0) };
        let mut warnings = Vec::new();
        let settled = normalize::settle_with(client, &setup, desired, current, &mut warnings).await;
        self.warnings.extend(warnings);
        Ok(settled?)
    }

    async fn client(&mut self) -> Result<Option<&Client>, OpsError> {
        if self.client.is_none() && !self.failed {
            let client = match &self.how {
                Settle::ParserOnly => return Ok(None),
                Settle::Server(target) => target.connect().await?,
                Settle::LocalServer => {
                    if let Some(f) = self.on_local.as_mut() {
                        f();
                    }
                    let started = match LocalServer::start() {
                        Ok(local) => local.connect().await.map(|c| (c, local)),
                        Err(e) => Err(e),
                    };
                    match started {
                        Ok((client, local)) => {
                            self.local = Some(local);
                            client
                        }
                        Err(e) => {
                            self.failed = true;
                            self.warnings.push(format!("expressions compared by the parser alone: {e}"));
                            return Ok(None);
                        }
                    }
                }
            };
            self.client = Some(client);
        }
        Ok(self.client.as_ref())
    }
}
