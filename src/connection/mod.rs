//! Where the database is and how to reach it, and the settings every session
//! pgstate opens gets before anything else runs. Connection errors are one
//! line and never carry the password.

pub mod conninfo;
pub mod environment;
pub mod local;
mod pgpass;
mod service;
pub mod tls;

use std::str::FromStr;
use std::time::Duration;

use tokio_postgres::config::Host;
use tokio_postgres::{Client, Config, NoTls};

use crate::quote::quote_literal;

pub use environment::Environment;

/// The name sessions report in `pg_stat_activity` unless the user chose one.
pub const APPLICATION_NAME: &str = "pgstate";

/// A database to connect to.
#[derive(Clone)]
pub struct Target {
    config: Config,
    tls: tls::Tls,
    password: Option<String>,
    application_name: String,
    timeouts: Timeouts,
    warnings: Vec<String>,
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
    #[error("no database given: pass --url or --env, or set DATABASE_URL, PGHOST, PGDATABASE or PGSERVICE")]
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
    /// From `--url`, else `DATABASE_URL`, else the `PG*` variables and
    /// service file; whatever the string leaves out comes from them, as with libpq.
    pub fn from_arg(url: Option<&str>) -> Result<Target, ConnectError> {
        Target::resolve(url, &Environment::process())
    }

    /// As `from_arg`, with the given environment.
    pub fn resolve(url: Option<&str>, env: &Environment) -> Result<Target, ConnectError> {
        match url {
            Some(u) => Target::parse_with(u, env),
            None => match env.var("DATABASE_URL") {
                Some(u) => Target::parse_with(u, env),
                None if env.names_a_database() => Target::parse_with("", env),
                None => Err(ConnectError::Missing),
            },
        }
    }

    /// From a `postgres://` URL or a `key=value` string, completed from this
    /// process's environment as libpq completes it.
    pub fn parse(text: &str) -> Result<Target, ConnectError> {
        Target::parse_with(text, &Environment::process())
    }

    /// As `parse`, with the given environment.
    pub fn parse_with(text: &str, env: &Environment) -> Result<Target, ConnectError> {
        let invalid = |e: String| ConnectError::Invalid(scrub(&e, None));
        let given = conninfo::parse(text).map_err(invalid)?;
        let password = given.get("password").cloned();
        let resolved = environment::resolve(given, env).map_err(|e| invalid(scrub(&e, password.as_deref())))?;
        let mut params = resolved.params;
        let tls = tls::take(&mut params, env).map_err(invalid)?;
        let fallback = params.shift_remove("fallback_application_name");
        let application_name = params
            .shift_remove("application_name")
            .filter(|a| !a.is_empty())
            .or(fallback)
            .unwrap_or_else(|| APPLICATION_NAME.to_string());
        let password = params.get("password").cloned();
        let config = Config::from_str(&conninfo::render(&params))
            .map_err(|e| ConnectError::Invalid(scrub(&e.to_string(), password.as_deref())))?;
        let mut target = Target::from_config(config);
        target.config.ssl_mode(tls.mode.negotiation());
        target.tls = tls;
        target.application_name = application_name;
        target.warnings = resolved.warnings;
        Ok(target)
    }

    /// From a built configuration, taking nothing from the environment and
    /// never using TLS (the throwaway server's socket).
    pub fn from_config(mut config: Config) -> Target {
        config.ssl_mode(tokio_postgres::config::SslMode::Disable);
        let password = config.get_password().map(|p| String::from_utf8_lossy(p).into_owned());
        Target {
            config,
            tls: tls::Tls::disabled(),
            password,
            application_name: APPLICATION_NAME.to_string(),
            timeouts: Timeouts::default(),
            warnings: Vec::new(),
        }
    }

    /// What resolving the target warned about (a password file ignored for its permissions).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The TLS mode asked for.
    pub fn ssl_mode(&self) -> tls::SslMode {
        self.tls.mode
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
        let host = match (self.config.get_hosts().first(), self.config.get_hostaddrs().first()) {
            (Some(Host::Tcp(h)), _) => h.clone(),
            (Some(Host::Unix(p)), _) => p.display().to_string(),
            (None, Some(addr)) => addr.to_string(),
            (None, None) => "localhost".into(),
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
        config.application_name(&self.application_name);
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        // libpq never uses TLS on a Unix socket, whatever sslmode says.
        let sockets_only =
            config.get_hostaddrs().is_empty() && config.get_hosts().iter().all(|h| matches!(h, Host::Unix(_)));
        let client = if sockets_only || self.tls.mode == tls::SslMode::Disable {
            config.ssl_mode(tokio_postgres::config::SslMode::Disable);
            let (client, connection) = config.connect(NoTls).await.map_err(|e| self.failed(&e))?;
            tokio::spawn(async move {
                // Errors surface on the client's next call; nothing to report here.
                let _ = connection.await;
            });
            client
        } else {
            let rustls = self.tls.client_config().map_err(|reason| self.failed_because(reason))?;
            let maker = tokio_postgres_rustls::MakeRustlsConnect::new(rustls);
            let (client, connection) = config.connect(maker).await.map_err(|e| self.failed(&e))?;
            tokio::spawn(async move {
                let _ = connection.await;
            });
            client
        };
        client
            .batch_execute(&session_sql(&self.timeouts, &self.application_name))
            .await
            .map_err(|e| self.failed(&e))?;
        Ok(client)
    }

    /// `n` sessions at once, each set up as `connect` sets one up (the same
    /// server, TLS, credentials, application name and timeouts).
    pub async fn connect_all(&self, n: usize) -> Result<Vec<Client>, ConnectError> {
        futures_util::future::try_join_all((0..n).map(|_| self.connect())).await
    }

    fn failed_because(&self, reason: String) -> ConnectError {
        ConnectError::Failed { target: self.describe(), reason: scrub(&reason, self.password.as_deref()) }
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
        self.failed_because(reason)
    }
}

/// What every session runs first. `standard_conforming_strings` decides how
/// PostgreSQL reads a backslash in the literals pgstate writes, whatever the
/// database's or role's default; `lock_timeout` (and `statement_timeout`)
/// bound every wait, introspection's included.
pub fn session_sql(timeouts: &Timeouts, application_name: &str) -> String {
    let mut sql = format!(
        "SET standard_conforming_strings = on; SET application_name = {}; SET lock_timeout = {};",
        quote_literal(application_name),
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
