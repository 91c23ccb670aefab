//! libpq's defaults for what a connection string leaves out, in its order:
//! the service's parameters (`service` / `PGSERVICE`), then the `PG*`
//! variables, then built-in defaults; the password last, from the password
//! file when nothing else gave one. The environment is a value, so the
//! throwaway server and tests can use none at all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::conninfo::Params;
use super::{pgpass, service};

/// libpq keyword and the variable that supplies it.
const VARIABLES: &[(&str, &str)] = &[
    ("host", "PGHOST"),
    ("hostaddr", "PGHOSTADDR"),
    ("port", "PGPORT"),
    ("dbname", "PGDATABASE"),
    ("user", "PGUSER"),
    ("password", "PGPASSWORD"),
    ("passfile", "PGPASSFILE"),
    ("options", "PGOPTIONS"),
    ("application_name", "PGAPPNAME"),
    ("sslmode", "PGSSLMODE"),
    ("sslrootcert", "PGSSLROOTCERT"),
    ("sslcert", "PGSSLCERT"),
    ("sslkey", "PGSSLKEY"),
    ("connect_timeout", "PGCONNECT_TIMEOUT"),
    ("target_session_attrs", "PGTARGETSESSIONATTRS"),
    ("channel_binding", "PGCHANNELBINDING"),
];

/// The variables that name a database: with none of them (and no URL) there
/// is no database to talk to.
const NAMING: &[&str] = &["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"];

/// Environment variables and the home directory, as libpq reads them.
#[derive(Clone, Debug, Default)]
pub struct Environment {
    vars: BTreeMap<String, String>,
    home: Option<PathBuf>,
}

impl Environment {
    /// This process's environment.
    pub fn process() -> Environment {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect::<BTreeMap<_, _>>();
        let home = vars.get("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
        Environment { vars, home }
    }

    /// An environment of these variables only (`HOME` among them sets the home directory).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Environment {
        let vars: BTreeMap<String, String> = pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        let home = vars.get("HOME").map(PathBuf::from);
        Environment { vars, home }
    }

    /// A variable's value; an empty one counts as unset.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// The user's home directory.
    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }

    /// Whether any variable names a database (`PGHOST`, `PGDATABASE`, `PGSERVICE`...).
    pub fn names_a_database(&self) -> bool {
        NAMING.iter().any(|v| self.var(v).is_some())
    }
}

/// The parameters completed as libpq completes them, and the warnings to print.
pub struct Resolved {
    /// Every parameter, defaults included (`host`, `port`, `user`, `dbname` always set).
    pub params: Params,
    /// E.g. a password file ignored for its permissions.
    pub warnings: Vec<String>,
}

/// Fills what `params` leaves out from the service, the variables, the defaults and the password file.
pub fn resolve(mut params: Params, env: &Environment) -> Result<Resolved, String> {
    let service = params.get("service").cloned().or_else(|| env.var("PGSERVICE").map(str::to_string));
    if let Some(name) = service {
        for (k, v) in service::lookup(&name, env)? {
            params.entry(k).or_insert(v);
        }
    }
    params.shift_remove("service");
    for (key, var) in VARIABLES {
        if let Some(value) = env.var(var) {
            params.entry(key.to_string()).or_insert_with(|| value.to_string());
        }
    }
    if params.get("host").is_none_or(String::is_empty) && params.get("hostaddr").is_none_or(String::is_empty) {
        params.insert("host".into(), default_host(params.get("port")));
    }
    params.entry("port".into()).or_insert_with(|| "5432".into());
    if params.get("user").is_none_or(String::is_empty) {
        params.insert("user".into(), os_user(env));
    }
    if params.get("dbname").is_none_or(String::is_empty) {
        let user = params["user"].clone();
        params.insert("dbname".into(), user);
    }
    let mut warnings = Vec::new();
    let passfile = params.shift_remove("passfile");
    if params.get("password").is_none() {
        let file = passfile.map(PathBuf::from).or_else(|| env.home().map(|h| h.join(".pgpass")));
        if let Some(file) = file {
            let found = pgpass::lookup(
                &file,
                &pgpass_host(&params),
                first(&params["port"]),
                &params["dbname"],
                &params["user"],
            );
            warnings.extend(found.warning);
            if let Some(p) = found.password {
                params.insert("password".into(), p);
            }
        }
    }
    Ok(Resolved { params, warnings })
}

/// The first of a comma-separated list.
fn first(list: &str) -> &str {
    list.split(',').next().unwrap_or("")
}

/// The host a password file line is matched against: the first host (or
/// hostaddr), with libpq's default socket directory read as `localhost`.
fn pgpass_host(params: &Params) -> String {
    let host = params.get("host").map(|h| first(h)).filter(|h| !h.is_empty());
    let host = host.or_else(|| params.get("hostaddr").map(|h| first(h))).unwrap_or("localhost");
    if host.starts_with('/') && default_socket_dirs().contains(&host) {
        "localhost".to_string()
    } else {
        host.to_string()
    }
}

/// Where libpq looks for a server's socket when no host is given.
fn default_socket_dirs() -> [&'static str; 2] {
    ["/var/run/postgresql", "/tmp"]
}

/// The first default socket directory holding a server on `port`, else the
/// first that exists, else `localhost`.
fn default_host(port: Option<&String>) -> String {
    let port = port.map(|p| first(p).to_string()).filter(|p| !p.is_empty()).unwrap_or_else(|| "5432".into());
    let dirs = default_socket_dirs();
    dirs.iter()
        .find(|d| Path::new(d).join(format!(".s.PGSQL.{port}")).exists())
        .or_else(|| dirs.iter().find(|d| Path::new(d).is_dir()))
        .map(|d| d.to_string())
        .unwrap_or_else(|| "localhost".into())
}

/// The operating system's user name, libpq's default user.
fn os_user(env: &Environment) -> String {
    if let Some(u) = env.var("USER").or_else(|| env.var("LOGNAME")) {
        return u.to_string();
    }
    let uid = super::local::current_uid().ok();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let name = passwd.lines().find_map(|l| {
        let mut f = l.split(':');
        let (name, _, id) = (f.next()?, f.next()?, f.next()?);
        (Some(id.parse::<u32>().ok()?) == uid).then(|| name.to_string())
    });
    name.unwrap_or_else(|| "postgres".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_string_wins_then_the_service_then_the_variables() {
        let dir = std::env::temp_dir().join(format!("pgstate-env-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("svc.conf"), "[s]\nhost=from-service\ndbname=svcdb\n").unwrap();
        let env = Environment::from_pairs([
            ("PGSERVICEFILE", dir.join("svc.conf").display().to_string()),
            ("PGSYSCONFDIR", dir.display().to_string()),
            ("PGHOST", "from-env".into()),
            ("PGUSER", "envuser".into()),
            ("PGPASSWORD", "pw".into()),
            ("HOME", dir.display().to_string()),
        ]);
        let mut given = Params::new();
        given.insert("service".into(), "s".into());
        given.insert("dbname".into(), "given".into());
        let r = resolve(given, &env).unwrap();
        assert_eq!(r.params["host"], "from-service");
        assert_eq!(r.params["dbname"], "given");
        assert_eq!(r.params["user"], "envuser");
        assert_eq!(r.params["password"], "pw");
        assert_eq!(r.params["port"], "5432");
        assert!(!r.params.contains_key("service"));
        let bare = resolve(Params::new(), &env).unwrap();
        assert_eq!((bare.params["host"].as_str(), bare.params["dbname"].as_str()), ("from-env", "envuser"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
