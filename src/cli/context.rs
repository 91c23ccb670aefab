//! What the commands share: the desired schema and scope, the database a
//! command talks to, and where expressions are settled.

use miette::{IntoDiagnostic, Report};

use pgstate::config::Config;
use pgstate::connection::{runtime, ConnectError, Environment, Target, Timeouts};
use pgstate::introspect::Scope;
use pgstate::ops::desired::NothingFound;
use pgstate::ops::{self, OpsError};
use pgstate::parse::Parsed;

use super::args::{Desired, Scratch, Waits};
use super::output::warn;

/// `pgstate.toml` from the working directory, with the environment `--env` names in force.
pub fn config(env: Option<&str>) -> Result<Config, Report> {
    let mut config = Config::load(&std::env::current_dir().into_diagnostic()?)?;
    config.select(env)?;
    Ok(config)
}

/// The desired schema, the managed scope, and whether the schema directory
/// held no schema file at all (see `ops::desired::refuse_empty`).
pub fn load(config: &Config, d: &Desired) -> Result<(Parsed, Scope, Option<NothingFound>), OpsError> {
    load_for(config, d, false)
}

/// Like `load`; with `target`, the run compares with a database, which
/// resolves the types the files use but do not define.
pub fn load_for(config: &Config, d: &Desired, target: bool) -> Result<(Parsed, Scope, Option<NothingFound>), OpsError> {
    let path = config.schema_path(d.schema.as_deref());
    let parsed = if target { ops::desired::load_open(&path)? } else { ops::desired::load(&path)? };
    for w in &parsed.warnings {
        warn(w);
    }
    let nothing = ops::desired::nothing_found(&path, &parsed)?;
    let scope = ops::desired::scope(&parsed.catalog, d.schemas.as_deref().or(config.schemas.as_deref()))
        .with_roles(config.roles(d.roles.as_deref()));
    Ok((parsed, scope, nothing))
}

impl Waits {
    /// The database: `--url`, else the environment's `url`, else DATABASE_URL,
    /// else the `PG*` variables; its sessions wait this long.
    pub fn target(&self, config: &Config, url: Option<&str>) -> Result<Target, ConnectError> {
        let target = Target::from_arg(url.or(config.url.as_deref()))?.with_timeouts(self.timeouts());
        for w in target.warnings() {
            warn(w);
        }
        Ok(target)
    }

    /// The timeouts its sessions get.
    pub fn timeouts(&self) -> Timeouts {
        Timeouts { lock: self.lock_timeout, statement: self.statement_timeout }
    }
}

/// Whether a database is named at all (`--url`, the environment's url,
/// DATABASE_URL or a `PG*` variable): `drift` compares with the revision chain otherwise.
pub fn names_a_database(config: &Config, url: Option<&str>) -> bool {
    let env = Environment::process();
    url.is_some() || config.url.is_some() || env.var("DATABASE_URL").is_some() || env.names_a_database()
}

impl Scratch {
    /// Where differing expressions are settled: `--dev-url`, the configuration's, a throwaway server, or nowhere.
    pub fn settle(&self, config: &Config, waits: &Waits) -> Result<ops::settle::Settle, Report> {
        Ok(match self.dev_url.clone().or_else(|| config.dev_url.clone()) {
            _ if self.parser_only => ops::settle::Settle::ParserOnly,
            Some(url) => ops::settle::Settle::Server(Box::new(Target::parse(&url)?.with_timeouts(waits.timeouts()))),
            None => ops::settle::Settle::LocalServer,
        })
    }
}

/// Runs `f` with a connection to `target`.
pub fn with_db<T>(
    target: &Target,
    f: impl AsyncFnOnce(&tokio_postgres::Client) -> Result<T, OpsError>,
) -> Result<T, Report> {
    let value = runtime().into_diagnostic()?.block_on(async {
        let client = target.connect().await?;
        f(&client).await
    })?;
    Ok(value)
}

/// The desired files of `d` being parsed, and what a live plan of them
/// wants besides (`ops::live::plan_while_parsing`).
pub fn start_parsing(config: &Config, d: &Desired) -> Result<(ops::parsing::Parsing, ops::live::Wanted), OpsError> {
    let path = config.schema_path(d.schema.as_deref());
    let files = ops::desired::files(&path)?;
    let wanted = ops::live::Wanted {
        schemas: d.schemas.clone().or_else(|| config.schemas.clone()),
        roles: config.roles(d.roles.as_deref()),
        version_table: config.version_table(),
        nothing: ops::desired::nothing_found_in(&path, &files)?,
    };
    Ok((ops::parsing::Parsing::start(files), wanted))
}

/// The target, or the error in the files when they hold one (it is the
/// user's to fix first, as when files were read before the target).
pub fn target_after(
    waits: &Waits,
    config: &Config,
    url: Option<&str>,
    parsing: ops::parsing::Parsing,
) -> Result<(Target, ops::parsing::Parsing), Report> {
    match waits.target(config, url) {
        Ok(target) => Ok((target, parsing)),
        Err(e) => Err(parsing.error_first(e.into()).into()),
    }
}

/// Runs `f` with a connection to `target` and `introspect::READERS` more
/// sessions opened at the same time to read the catalog over (none when the
/// server refuses them), while `parsing` goes on: `f` gets it to finish.
/// When the database cannot be reached, an error in the files is the
/// error (it is the user's to fix first), else the connection's.
pub fn with_db_readers_parsing<T>(
    target: &Target,
    parsing: ops::parsing::Parsing,
    f: impl AsyncFnOnce(&tokio_postgres::Client, &[tokio_postgres::Client], ops::parsing::Parsing) -> Result<T, OpsError>,
) -> Result<T, Report> {
    let runtime = runtime().into_diagnostic()?;
    let (client, readers) =
        runtime.block_on(async { tokio::join!(target.connect(), target.connect_all(pgstate::introspect::READERS)) });
    let client = match client {
        Ok(client) => client,
        Err(e) => return Err(parsing.error_first(e.into()).into()),
    };
    Ok(runtime.block_on(f(&client, &readers.unwrap_or_default(), parsing))?)
}

/// The schema unqualified names go to under a search_path such as `foo, public`
/// (`"$user"` is skipped: offline there is no user).
pub fn first_schema(search_path: &str) -> String {
    search_path
        .split(',')
        .map(str::trim)
        .find(|s| !s.is_empty() && *s != "\"$user\"")
        .map(|s| if s.starts_with('"') { pgstate::canon::ident::unquote(s) } else { s.to_lowercase() })
        .unwrap_or_else(|| "public".to_string())
}
