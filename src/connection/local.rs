//! A throwaway PostgreSQL server started from installed binaries, for
//! settling expression spellings when a plan has no database of its own
//! (an offline plan with no `--dev-url`). It listens on a Unix socket in a
//! fresh temporary directory only, and `Drop` stops it and removes the
//! directory. As root it runs through `runuser -u postgres --`, since
//! PostgreSQL refuses to run as root.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::Target;

/// Why no local server could be started.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot start a local PostgreSQL server: {0}")]
pub struct LocalServerError(String);

/// A running throwaway server; stopped and deleted on drop.
pub struct LocalServer {
    bin_dir: PathBuf,
    dir: PathBuf,
    run_as_postgres: bool,
    started: bool,
}

/// Directory of the PostgreSQL server binaries: `$PGSTATE_PG_BIN` if set, else
/// the highest `/usr/lib/postgresql/<N>/bin` with `initdb` (Debian's layout),
/// else the first directory on `$PATH` with `initdb` and `pg_ctl`.
pub fn find_bin_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("PGSTATE_PG_BIN").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        return if dir.join("initdb").is_file() {
            Ok(dir)
        } else {
            Err(format!("PGSTATE_PG_BIN={} has no initdb", dir.display()))
        };
    }
    let mut best: Option<(u32, PathBuf)> = None;
    if let Ok(entries) = fs::read_dir("/usr/lib/postgresql") {
        for entry in entries.flatten() {
            let Some(version) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
            let bin = entry.path().join("bin");
            if bin.join("initdb").is_file() && best.as_ref().is_none_or(|(v, _)| version > *v) {
                best = Some((version, bin));
            }
        }
    }
    if let Some((_, bin)) = best {
        return Ok(bin);
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() {
                return Ok(dir);
            }
        }
    }
    Err("no PostgreSQL server binaries (set PGSTATE_PG_BIN, or install PostgreSQL)".to_string())
}

/// The effective uid of this process.
pub fn current_uid() -> Result<u32, String> {
    let status = fs::read_to_string("/proc/self/status").map_err(|e| format!("reading /proc/self/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|rest| rest.split_whitespace().nth(1))
        .and_then(|uid| uid.parse().ok())
        .ok_or_else(|| "cannot tell the current uid".to_string())
}

/// A new, empty directory under the system's temporary directory.
pub fn make_temp_dir(prefix: &str) -> Result<PathBuf, String> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let base = std::env::temp_dir();
    for _ in 0..100 {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = base.join(format!("{prefix}-{}-{n}-{nanos}", std::process::id()));
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("creating {}: {e}", dir.display())),
        }
    }
    Err(format!("could not create a unique directory in {}", base.display()))
}

impl LocalServer {
    /// Runs `initdb` and starts a server on a socket in a new temporary directory.
    pub fn start() -> Result<LocalServer, LocalServerError> {
        let fail = LocalServerError;
        let bin_dir = find_bin_dir().map_err(fail)?;
        let run_as_postgres = current_uid().map_err(fail)? == 0;
        let dir = make_temp_dir("pgstate-local").map_err(fail)?;
        // From here on, returning drops `server`, which cleans up.
        let mut server = LocalServer { bin_dir, dir, run_as_postgres, started: false };
        if run_as_postgres {
            let out = Command::new("chown").arg("postgres:").arg(&server.dir).stdin(Stdio::null()).output();
            check(out, "chown postgres: (is there a `postgres` user?)")?;
        }
        let out = server
            .tool("initdb")
            .arg("-D")
            .arg(server.data_dir())
            .args(["-A", "trust", "-U", "pgstate", "--no-sync", "-E", "UTF8", "--locale=C"])
            .output();
        check(out, "initdb")?;
        let options = format!(
            "-c listen_addresses='' -k '{}' -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            server.dir.display()
        );
        let out = server
            .tool("pg_ctl")
            .arg("-D")
            .arg(server.data_dir())
            .args(["-w", "-t", "60", "-l"])
            .arg(server.dir.join("log"))
            .arg("-o")
            .arg(options)
            .arg("start")
            .output();
        server.started = true;
        if let Err(e) = check(out, "pg_ctl start") {
            let log = fs::read_to_string(server.dir.join("log")).unwrap_or_default();
            return Err(LocalServerError(format!("{}\n{log}", e.0)));
        }
        Ok(server)
    }

    /// How to connect to it.
    pub fn target(&self) -> Target {
        let mut config = tokio_postgres::Config::new();
        config.host_path(&self.dir).port(5432).user("pgstate").dbname("postgres");
        Target::from_config(config)
    }

    fn tool(&self, name: &str) -> Command {
        let program = self.bin_dir.join(name);
        let mut c = if self.run_as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        c.stdin(Stdio::null());
        c
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        if self.started {
            let _ = self.tool("pg_ctl").arg("-D").arg(self.data_dir()).args(["-m", "immediate", "-w", "stop"]).output();
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn check(out: std::io::Result<Output>, what: &str) -> Result<(), LocalServerError> {
    match out {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(LocalServerError(format!(
            "{what} failed ({}): {}",
            o.status,
            String::from_utf8_lossy(&o.stderr).trim()
        ))),
        Err(e) => Err(LocalServerError(format!("running {what}: {e}"))),
    }
}
