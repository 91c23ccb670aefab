//! Where the database is and how to reach it, and the settings every session
//! pgstate opens gets before anything else runs. Connection errors are one
//! line and never carry the password.

pub mod local;

use std::str::FromStr;
use std::time::Duration;

use tokio_postgres::config::Host;
use tokio_postgres::{Client, Config, NoTls};

use crate::quote::quote_literal;

/// A database to connect to.
#[derive(Clone)]
pub struct Target {
    config: Config,
    password: Option<String>,
    timeouts: Timeouts,
}

/// How long a session may wait: set at connect, so reading the catalog is
/// bounded as much as applying a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// `lock_timeout`: the longest wait for any one lock.
    pub lock: Duration,
    /// `statement_timeout`, when given; otherwise the server's own setting stays.
    pub statement: Option<Duration>,
}

impl Default for Timeouts {
    /// The CLI's defaults: locks 5 s, statements as the server says.
    fn default() -> Self {
        Timeouts { lock: Duration::from_secs(5), statement: None }
    }
}

/// Why a connection could not be made.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConnectError {
    /// No URL was given.
    #[error("no database given: pass --url or set DATABASE_URL")]
    Missing,
    /// The URL or key=value string does not parse.
    #[error("invalid connection string: {0}")]
    Invalid(String),
    /// The server could not be reached or refused us.
    #[error("cannot connect to {target}: {reason}")]
    Failed {
        /// `user@host:port/database`, without the password.
        target: String,
        /// What went wrong.
        reason: String,
    },
}

impl Target {
    /// From `--url`, else `DATABASE_URL`. Accepts `postgres://` URLs and `key=value` strings.
    pub fn from_arg(url: Option<&str>) -> Result<Target, ConnectError> {
        match url {
            Some(u) => Target::parse(u),
            None => Target::parse(&std::env::var("DATABASE_URL").map_err(|_| ConnectError::Missing)?),
        }
    }

    /// From a `postgres://` URL or a `key=value` string.
    pub fn parse(text: &str) -> Result<Target, ConnectError> {
        let config = Config::from_str(text).map_err(|e| ConnectError::Invalid(scrub(&e.to_string(), None)))?;
        Ok(Target::from_config(config))
    }

    /// From a built configuration.
    pub fn from_config(config: Config) -> Target {
        let password = config.get_password().map(|p| String::from_utf8_lossy(p).into_owned());
        Target { config, password, timeouts: Timeouts::default() }
    }

    /// The same database, with these timeouts for its sessions.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Target {
        self.timeouts = timeouts;
        self
    }

    /// The timeouts its sessions get.
    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// `user@host:port/database`, safe to print.
    pub fn describe(&self) -> String {
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            Some(Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        let user = self.config.get_user().unwrap_or("postgres");
        let db = self.config.get_dbname().unwrap_or(user);
        format!("{user}@{host}:{port}/{db}")
    }

    /// Connects, drives the connection on the current runtime, and sets the
    /// session up (see `session_sql`) before returning the client.
    pub async fn connect(&self) -> Result<Client, ConnectError> {
        let mut config = self.config.clone();
        config.application_name("pgstate");
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        let (client, connection) = config.connect(NoTls).await.map_err(|e| self.failed(&e))?;
        tokio::spawn(async move {
            // Errors surface on the client's next call; nothing to report here.
            let _ = connection.await;
        });
        client.batch_execute(&session_sql(&self.timeouts)).await.map_err(|e| self.failed(&e))?;
        Ok(client)
    }

    fn failed(&self, e: &tokio_postgres::Error) -> ConnectError {
        let reason = match e.as_db_error() {
            Some(db) => db.message().to_string(),
            None => {
                let mut text = e.to_string();
                let mut source = std::error::Error::source(e);
                while let Some(s) = source {
                    text = format!("{text}: {s}");
                    source = s.source();
                }
                text
            }
        };
        ConnectError::Failed { target: self.describe(), reason: scrub(&reason, self.password.as_deref()) }
    }
}

/// What every session runs first. `standard_conforming_strings` decides how
/// PostgreSQL reads a backslash in the literals pgstate writes, whatever the
/// database's or role's default; `lock_timeout` (and `statement_timeout`)
/// bound every wait, introspection's included.
pub fn session_sql(timeouts: &Timeouts) -> String {
    let mut sql = format!(
        "SET standard_conforming_strings = on; SET application_name = {}; SET lock_timeout = {};",
        quote_literal("pgstate"),
        quote_literal(&millis(timeouts.lock))
    );
    if let Some(limit) = timeouts.statement {
        sql.push_str(&format!(" SET statement_timeout = {};", quote_literal(&millis(limit))));
    }
    sql
}

/// A duration as PostgreSQL reads it, never `0` (which would mean no limit).
fn millis(d: Duration) -> String {
    format!("{}ms", d.as_millis().max(1))
}

/// One line, with any occurrence of the password masked.
fn scrub(text: &str, password: Option<&str>) -> String {
    let one_line = text.replace('\n', " ");
    match password.filter(|p| !p.is_empty()) {
        Some(p) => one_line.replace(p, "********"),
        None => one_line,
    }
}

/// A runtime for one command: pgstate talks to one database at a time.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()
}
