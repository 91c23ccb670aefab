//! A throwaway PostgreSQL server started from installed binaries, for
//! settling expression spellings when a plan has no database of its own
//! (an offline plan with no `--dev-url`). It listens on a Unix socket in a
//! fresh private directory only (mode 0700, owned by the server's user), and
//! `Drop` stops it and removes the directory. As root it runs through
//! `runuser -u postgres --`, since PostgreSQL refuses to run as root.
//!
//! It is hermetic: no `PG*` variable of ours reaches `initdb`, `pg_ctl` or the
//! server (`PGPORT` would move its socket, `PGDATA` its data, ...), and the
//! port is given explicitly on both sides. Each step (`init`, `launch`,
//! `connect`) is its own function, so a cached or templated cluster can
//! reuse the ones it needs.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio_postgres::Client;

use super::Target;

/// The port the server is told to use: with no TCP listener it only names the socket file.
pub const PORT: u16 = 5432;

/// How long a started server may take to accept its first connection.
const READY_WITHIN: Duration = Duration::from_secs(20);

/// How many lines of the server's log an error quotes.
const LOG_LINES: usize = 20;

/// Why no local server could be started or reached: which command failed,
/// its stderr, and the server log's last lines.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot start a local PostgreSQL server: {0}")]
pub struct LocalServerError(String);

/// A running throwaway server; stopped and deleted on drop.
pub struct LocalServer {
    tools: Tools,
    dir: PathBuf,
    started: bool,
}

/// How the server's binaries are run: from `bin_dir`, as `postgres` when we
/// are root, with no `PG*` variable in their environment.
struct Tools {
    bin_dir: PathBuf,
    run_as_postgres: bool,
}

/// Removes every `PG*` variable (libpq's and the server tools': PGPORT,
/// PGHOST, PGDATA, PGOPTIONS, ...) from `cmd`'s environment, except pgstate's
/// own `PGSTATE_*`.
pub fn clear_pg_env(cmd: &mut Command) {
    for (name, _) in std::env::vars_os() {
        let bytes = name.as_encoded_bytes();
        if bytes.starts_with(b"PG") && !bytes.starts_with(b"PGSTATE_") {
            cmd.env_remove(&name);
        }
    }
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

/// A new, empty directory under the system's temporary directory, private to
/// its owner (mode 0700: a server's socket lives there).
pub fn make_temp_dir(prefix: &str) -> Result<PathBuf, String> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let base = std::env::temp_dir();
    for _ in 0..100 {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = base.join(format!("{prefix}-{}-{n}-{nanos}", std::process::id()));
        match fs::create_dir(&dir) {
            Ok(()) => {
                // Set after creation: the umask cannot widen it then.
                return match fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)) {
                    Ok(()) => Ok(dir),
                    Err(e) => {
                        let _ = fs::remove_dir(&dir);
                        Err(format!("making {} private: {e}", dir.display()))
                    }
                };
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("creating {}: {e}", dir.display())),
        }
    }
    Err(format!("could not create a unique directory in {}", base.display()))
}

impl LocalServer {
    /// Runs `initdb` and starts a server on a socket in a new private
    /// directory; `connect` waits until it accepts connections.
    pub fn start() -> Result<LocalServer, LocalServerError> {
        let fail = LocalServerError;
        let tools =
            Tools { bin_dir: find_bin_dir().map_err(fail)?, run_as_postgres: current_uid().map_err(fail)? == 0 };
        let dir = make_temp_dir("pgstate-local").map_err(fail)?;
        // From here on, returning drops `server`, which cleans up.
        let mut server = LocalServer { tools, dir, started: false };
        if server.tools.run_as_postgres {
            let mut chown = Command::new("chown");
            chown.arg("postgres:").arg(&server.dir).stdin(Stdio::null());
            run(chown, "chown postgres: (is there a `postgres` user?)")?;
        }
        server.init()?;
        server.launch()?;
        Ok(server)
    }

    /// A new cluster in `data/`: trust authentication for the `pgstate` user only.
    fn init(&self) -> Result<(), LocalServerError> {
        let mut initdb = self.tools.command("initdb");
        initdb.arg("-D").arg(self.data_dir()).args([
            "-A",
            "trust",
            "-U",
            "pgstate",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        ]);
        run(initdb, "initdb")
    }

    /// Starts the server on the socket only and waits (`pg_ctl -w`) until it is up.
    fn launch(&mut self) -> Result<(), LocalServerError> {
        let options = format!(
            "-p {PORT} -k {} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            shell_quote(&self.dir.to_string_lossy())
        );
        let mut pg_ctl = self.tools.command("pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(self.data_dir())
            .args(["-w", "-t", "60", "-l"])
            .arg(self.log_file())
            .arg("-o")
            .arg(options)
            .arg("start");
        // Even a failed start may leave a postmaster behind: `Drop` stops it.
        self.started = true;
        run(pg_ctl, "pg_ctl start").map_err(|e| self.with_log(e))
    }

    /// How to connect to it.
    pub fn target(&self) -> Target {
        let mut config = tokio_postgres::Config::new();
        config.host_path(&self.dir).port(PORT).user("pgstate").dbname("postgres");
        Target::from_config(config)
    }

    /// Connects, retrying until the server accepts connections (a server just
    /// started may still refuse them) for at most `READY_WITHIN`.
    pub async fn connect(&self) -> Result<Client, LocalServerError> {
        let target = self.target();
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            match target.connect().await {
                Ok(client) => return Ok(client),
                Err(e) if Instant::now() >= deadline => {
                    let e = LocalServerError(format!(
                        "the server did not accept connections within {}s: {e}",
                        READY_WITHIN.as_secs()
                    ));
                    return Err(self.with_log(e));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// The socket directory (also the one holding `data/` and `log`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn log_file(&self) -> PathBuf {
        self.dir.join("log")
    }

    /// `e` followed by the server log's last lines, when there are any.
    fn with_log(&self, e: LocalServerError) -> LocalServerError {
        let log = fs::read_to_string(self.log_file()).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        if lines.is_empty() {
            return e;
        }
        let tail = lines[lines.len().saturating_sub(LOG_LINES)..].join("\n    ");
        LocalServerError(format!("{}\n  server log ({}), last lines:\n    {tail}", e.0, self.log_file().display()))
    }
}

impl Tools {
    /// A command for one of the server's binaries.
    fn command(&self, name: &str) -> Command {
        let program = self.bin_dir.join(name);
        let mut c = if self.run_as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        clear_pg_env(&mut c);
        c.stdin(Stdio::null());
        c
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        if self.started {
            let mut stop = self.tools.command("pg_ctl");
            stop.arg("-D").arg(self.data_dir()).args(["-m", "immediate", "-w", "-t", "30", "stop"]);
            let _ = stop.output();
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Runs `cmd`; on failure says what it was (`what`, and the whole command
/// line), how it ended and what it wrote on stderr.
fn run(mut cmd: Command, what: &str) -> Result<(), LocalServerError> {
    let line = command_line(&cmd);
    match cmd.output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(LocalServerError(format!(
            "{what} failed ({})\n  command: {line}\n  stderr: {}",
            o.status,
            String::from_utf8_lossy(&o.stderr).trim().replace('\n', "\n    ")
        ))),
        Err(e) => Err(LocalServerError(format!("cannot run {what}: {e}\n  command: {line}"))),
    }
}

/// The program and its arguments, as a shell would take them.
fn command_line(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| {
            let a = a.to_string_lossy();
            if a.is_empty() || a.contains(|c: char| !(c.is_ascii_alphanumeric() || "/._-=:,".contains(c))) {
                shell_quote(&a)
            } else {
                a.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Single-quotes `s` for the shell that `pg_ctl` runs `postgres` through.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}
