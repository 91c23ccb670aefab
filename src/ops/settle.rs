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

use crate::connection::local::{LocalServer, LocalServerError};
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
    /// A throwaway server starting on another thread (`start_early`).
    starting: Option<std::thread::JoinHandle<Result<LocalServer, LocalServerError>>>,
    /// The command settles once (`single_use`): the server goes after it.
    single_use: bool,
    /// The throwaway server being stopped and removed on another thread.
    stopping: Option<std::thread::JoinHandle<()>>,
}

/// Schema files at least this large (offline both sides, live the desired
/// ones) make a plan long enough that a throwaway server started while they
/// are read costs little in wall time, where waiting to know whether one is
/// needed costs its whole start (some 35 ms from the cached template).
/// Below it the parse is too short to hide the start: on two cores the two
/// compete, and at 1,000 tables (1.3 MB, offline) a server started early and
/// not needed cost 45 ms of a 110 ms plan, while one started late when
/// needed costs about what an early one did (the start no longer competes
/// with the parse). A live plan's catalog read would hide more of a start,
/// but competes for the same cores; not measured apart.
pub const START_EARLY_BYTES: usize = 4 * 1024 * 1024;

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
            starting: None,
            single_use: false,
            stopping: None,
        }
    }

    /// For a command that settles once (`plan`, `drift`): the throwaway
    /// server is stopped and its directory removed as soon as that settle is
    /// done, on another thread, while the plan is made and printed (at 10,000
    /// tables a stop and removal on the way out cost 20 to 60 ms). A later
    /// settle would start another.
    pub fn single_use(mut self) -> Scratchpad {
        self.single_use = true;
        self
    }

    /// Starts the throwaway server now, on another thread, when this
    /// scratchpad would start one and `bytes` of schema text are about to be
    /// read (at least `START_EARLY_BYTES`): the reading hides its start. It is
    /// stopped unused when no expression needed it.
    pub fn start_early(&mut self, bytes: usize) {
        let idle = self.starting.is_none() && self.local.is_none() && !self.failed;
        if !matches!(self.how, Settle::LocalServer) || bytes < START_EARLY_BYTES || !idle {
            return;
        }
        if let Some(f) = self.on_local.as_mut() {
            f();
        }
        self.starting = Some(std::thread::spawn(LocalServer::start));
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
        let settled = self.settle_here(desired, current).await;
        if self.single_use {
            self.release();
        }
        settled
    }

    async fn settle_here(&mut self, desired: &mut Catalog, current: &Catalog) -> Result<usize, OpsError> {
        if matches!(self.how, Settle::ParserOnly) {
            return Ok(0);
        }
        let found = normalize::mismatches(desired, current);
        if found.is_empty() {
            return Ok(0);
        }
        let setup = self.setup.clone();
        let Some(client) = self.client().await? else { return Ok(0) };
        let mut warnings = Vec::new();
        let settled = normalize::settle_with(client, &setup, desired, current, found, &mut warnings).await;
        self.warnings.extend(warnings);
        Ok(settled?)
    }

    async fn client(&mut self) -> Result<Option<&Client>, OpsError> {
        if self.client.is_none() && !self.failed {
            let client = match &self.how {
                Settle::ParserOnly => return Ok(None),
                Settle::Server(target) => target.connect().await?,
                Settle::LocalServer => {
                    let early = self.starting.take().map(|h| {
                        h.join().unwrap_or_else(|_| Err(LocalServerError::new("the thread starting it panicked")))
                    });
                    let start = early.unwrap_or_else(|| {
                        if let Some(f) = self.on_local.as_mut() {
                            f();
                        }
                        LocalServer::start()
                    });
                    let started = match start {
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

    /// Closes the scratch session and stops the throwaway server (one
    /// started early and never used too) on another thread; the drop waits
    /// for it. A stop still running from an earlier settle is waited for by
    /// the new one, so the one handle kept covers every server this pad started.
    fn release(&mut self) {
        self.client = None;
        let (local, starting) = (self.local.take(), self.starting.take());
        if local.is_none() && starting.is_none() {
            return;
        }
        let earlier = self.stopping.take();
        self.stopping = Some(std::thread::spawn(move || {
            drop(local);
            if let Some(h) = starting {
                drop(h.join());
            }
            if let Some(h) = earlier {
                drop(h.join());
            }
        }));
    }
}

impl Drop for Scratchpad {
    /// A server started early and never used is waited for, so that its own
    /// drop stops it before the process exits; so is one being stopped.
    fn drop(&mut self) {
        if let Some(h) = self.starting.take() {
            drop(h.join());
        }
        if let Some(h) = self.stopping.take() {
            drop(h.join());
        }
    }
}
