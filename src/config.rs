//! `pgstate.toml`: project settings, all optional.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The file name looked for in the working directory.
pub const FILE_NAME: &str = "pgstate.toml";

/// Settings read from `pgstate.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the desired schema lives (default `schema/`).
    pub schema: Option<PathBuf>,
    /// Where revision files live (default `migrations/`).
    pub migrations: Option<PathBuf>,
    /// The version table, `name` or `schema.name` (default `pgstate_revision`).
    pub version_table: Option<String>,
    /// Managed schemas (default: those the desired files mention, plus `public`).
    pub schemas: Option<Vec<String>>,
    /// Roles whose privileges are managed (GRANT / REVOKE / ALTER DEFAULT
    /// PRIVILEGES); `PUBLIC` only if listed. Default: none, privileges are
    /// neither read nor planned.
    pub roles: Option<Vec<String>>,
    /// A database offline plans may use as a scratchpad to settle expression
    /// spellings (`--dev-url`); nothing in it is changed.
    pub dev_url: Option<String>,
    /// Named environments (`[env.prod]`), chosen with `--env NAME`.
    #[serde(default)]
    pub env: indexmap::IndexMap<String, Environment>,
    /// The database of the chosen environment (its `url`, variables expanded).
    #[serde(skip)]
    pub url: Option<String>,
}

/// One named environment: where its database is, and what it manages there.
/// Every value may name environment variables as `${VAR}`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// The database (a `postgres://` URL or `key=value` string).
    pub url: Option<String>,
    /// Its scratch database for settling expressions (as the top-level `dev_url`).
    pub dev_url: Option<String>,
    /// Managed schemas, instead of the top-level list.
    pub schemas: Option<Vec<String>>,
    /// Managed roles, instead of the top-level list.
    pub roles: Option<Vec<String>>,
}

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConfigError {
    /// The file exists but cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("invalid {path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl Config {
    /// Makes environment `name` the one in force: its values replace the
    /// top-level ones, `${VAR}` references expanded. `None` keeps the file as it is.
    pub fn select(&mut self, name: Option<&str>) -> Result<(), ConfigError> {
        let Some(name) = name else { return Ok(()) };
        let Some(chosen) = self.env.get(name).cloned() else {
            let known: Vec<&str> = self.env.keys().map(String::as_str).collect();
            let known =
                if known.is_empty() { "none is defined".to_string() } else { format!("defined: {}", known.join(", ")) };
            return Err(ConfigError::Invalid {
                path: FILE_NAME.to_string(),
                message: format!("no environment {name:?} ([env.{name}]); {known}"),
            });
        };
        let expand = |what: &str, v: &str| {
            expand_vars(v).map_err(|var| ConfigError::Invalid {
                path: FILE_NAME.to_string(),
                message: format!("[env.{name}] {what} names ${{{var}}}, which is not set"),
            })
        };
        let list = |what: &str, v: &[String]| v.iter().map(|x| expand(what, x)).collect::<Result<Vec<_>, _>>();
        self.url = chosen.url.as_deref().map(|u| expand("url", u)).transpose()?;
        if let Some(dev) = &chosen.dev_url {
            self.dev_url = Some(expand("dev_url", dev)?);
        }
        if let Some(schemas) = &chosen.schemas {
            self.schemas = Some(list("schemas", schemas)?);
        }
        if let Some(roles) = &chosen.roles {
            self.roles = Some(list("roles", roles)?);
        }
        Ok(())
    }

    /// Reads `pgstate.toml` from `dir` if it exists; defaults otherwise.
    pub fn load(dir: &Path) -> Result<Config, ConfigError> {
        let path = dir.join(FILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => return Err(ConfigError::Io { path: path.display().to_string(), source }),
        };
        toml::from_str(&text)
            .map_err(|e| ConfigError::Invalid { path: path.display().to_string(), message: e.to_string() })
    }

    /// The revision directory.
    pub fn migrations_path(&self) -> PathBuf {
        self.migrations.clone().unwrap_or_else(|| PathBuf::from("migrations"))
    }

    /// The version table.
    pub fn version_table(&self) -> crate::model::QualName {
        match self.version_table.as_deref().map(|t| t.split_once('.')) {
            Some(Some((s, n))) => crate::model::QualName::new(s, n),
            Some(None) => crate::model::QualName::new("public", self.version_table.clone().unwrap_or_default()),
            None => crate::model::default_version_table(),
        }
    }

    /// The managed roles: the command line wins, then the file, then none.
    pub fn roles(&self, cli: Option<&[String]>) -> crate::model::ManagedRoles {
        crate::model::ManagedRoles::new(cli.or(self.roles.as_deref()).unwrap_or(&[]))
    }

    /// The schema path: the command line wins, then the file, then `schema/`.
    pub fn schema_path(&self, cli: Option<&Path>) -> PathBuf {
        cli.map(Path::to_path_buf).or_else(|| self.schema.clone()).unwrap_or_else(|| PathBuf::from("schema"))
    }
}

/// `text` with each `${VAR}` replaced by the variable's value; `Err(VAR)` when one is unset.
pub fn expand_vars(text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[i..]);
            return Ok(out);
        };
        let var = &after[..end];
        out.push_str(&std::env::var(var).map_err(|_| var.to_string())?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}
