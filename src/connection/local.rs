//! A throwaway PostgreSQL server started from installed binaries, for
//! settling expression spellings when a plan has no database of its own
//! (an offline plan with no `--dev-url`). It listens on a Unix socket in a
//! fresh private directory only (mode 0700, owned by the server's user), and
//! `Drop` stops it and removes the directory. As root the server runs as
//! its data directory's owner, and `initdb` and the template's preparation
//! through `runuser -u postgres --`, since PostgreSQL refuses to run as root.
//!
//! It is hermetic: no `PG*` variable of ours reaches `initdb` or the
//! server (`PGPORT` would move its socket, `PGDATA` its data, ...), and the
//! port is given explicitly on both sides. Each step (`init`, `launch`,
//! `connect`) is its own function, so a cached or templated cluster can
//! reuse the ones it needs.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio_postgres::Client;

use super::Target;
use template::Cache;

mod template;

pub use template::default_cache_root;

/// The port the server is told to use: with no TCP listener it only names the socket file.
pub const PORT: u16 = 5432;

/// How long a started server may take to accept its first connection.
const READY_WITHIN: Duration = Duration::from_secs(20);

/// How often a starting or stopping server is looked at.
const POLL: Duration = Duration::from_millis(3);

/// How long a stopping server may take to go away before its directory is removed anyway.
const GONE_WITHIN: Duration = Duration::from_secs(10);

/// Settings for speed: nothing is kept, so nothing is made durable, no WAL
/// is shipped, and the server is as small as one client needs (no
/// background workers). But its lock table is large: a settle creates
/// every table whose expressions differ in one transaction, which holds a
/// lock on each, and the default (64 a backend slot) ran out at about a
/// thousand tables. 4096 for each of the 10 slots holds some 40,000
/// (20,000 tables settled on both sides of a plan), for about 6 ms more start.
const SPEED: &str = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c wal_level=minimal \
     -c max_wal_senders=0 -c shared_buffers=8MB -c max_connections=8 -c autovacuum=off -c jit=off \
     -c huge_pages=off -c max_worker_processes=0 -c autovacuum_max_workers=1 -c max_locks_per_transaction=4096";

/// How many lines of the server's log an error quotes.
const LOG_LINES: usize = 20;

/// Why no local server could be started or reached: which command failed,
/// its stderr, and the server log's last lines.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot start a local PostgreSQL server: {0}")]
pub struct LocalServerError(String);

impl LocalServerError {
    /// An error saying `why`.
    pub fn new(why: impl Into<String>) -> Self {
        LocalServerError(why.into())
    }
}

/// A running throwaway server; stopped and deleted on drop.
pub struct LocalServer {
    tools: Tools,
    dir: PathBuf,
    /// The server's postmaster, our child once launched.
    postmaster: Option<std::process::Child>,
}

/// How the server's binaries are run: from `bin_dir`, as `postgres` when we
/// are root, with no `PG*` variable in their environment.
#[derive(Clone)]
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
/// else the first directory on `$PATH` with `initdb` and `postgres`.
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
            if dir.join("initdb").is_file() && dir.join("postgres").is_file() {
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
    make_temp_dir_in(&std::env::temp_dir(), prefix)
}

/// Where a throwaway server's directory goes: `$TMPDIR` when set, else
/// `/dev/shm` when it is a writable directory (a memory file system: copying
/// the template there takes a third of the time it takes on disk, and
/// nothing of it is meant to last), else the system's temporary directory.
fn server_base_dir() -> PathBuf {
    if std::env::var_os("TMPDIR").is_some_and(|t| !t.is_empty()) {
        return std::env::temp_dir();
    }
    let shm = Path::new("/dev/shm");
    let writable = fs::metadata(shm).is_ok_and(|m| m.is_dir() && m.permissions().mode() & 0o002 != 0);
    if writable {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// A new, empty directory under `base`, private to its owner (mode 0700).
fn make_temp_dir_in(base: &Path, prefix: &str) -> Result<PathBuf, String> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
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
    /// Starts a server on a socket in a new private directory, from the
    /// template cluster in the user's cache directory (built on first use;
    /// see `template`), or from a fresh `initdb` when there is no cache.
    /// Returns once the server accepts connections.
    pub fn start() -> Result<LocalServer, LocalServerError> {
        LocalServer::start_cached(template::default_cache_root().as_deref())
    }

    /// Like `start`, with the template cache under `cache_root` (none: a
    /// fresh `initdb` every time). A cache that cannot be used (not
    /// writable, a template the server cannot start from even after being
    /// built again) costs time, never the server.
    pub fn start_cached(cache_root: Option<&Path>) -> Result<LocalServer, LocalServerError> {
        let fail = LocalServerError;
        let tools =
            Tools { bin_dir: find_bin_dir().map_err(fail)?, run_as_postgres: current_uid().map_err(fail)? == 0 };
        if let Some(cache) = cache_root.and_then(|root| Cache::open(root, &tools).ok()) {
            if let Ok(server) = LocalServer::from_template(&tools, &cache) {
                return Ok(server);
            }
        }
        let mut server = LocalServer { dir: template::server_temp_dir(&tools)?, tools, postmaster: None };
        server.init()?;
        server.launch()?;
        Ok(server)
    }

    /// A server on a copy of the cached template; a template it cannot
    /// start from is discarded and built again, once.
    fn from_template(tools: &Tools, cache: &Cache) -> Result<LocalServer, LocalServerError> {
        let template = match cache.ready() {
            Some(t) => t,
            None => LocalServer::build_template(tools, cache)?,
        };
        match LocalServer::copy_of(tools, &template) {
            Ok(server) => Ok(server),
            Err(_) => {
                cache.discard();
                let template = LocalServer::build_template(tools, cache)?;
                LocalServer::copy_of(tools, &template)
            }
        }
    }

    /// Copies `template` into a new private directory and starts a server on it.
    fn copy_of(tools: &Tools, template: &Path) -> Result<LocalServer, LocalServerError> {
        let dir = make_temp_dir_in(&server_base_dir(), "pgstate-local").map_err(LocalServerError)?;
        let mut server = LocalServer { tools: tools.clone(), dir, postmaster: None };
        template::copy_tree(template, &server.data_dir()).map_err(LocalServerError)?;
        if server.tools.run_as_postgres {
            // The socket directory is the server's user's, like the copied data directory.
            let owner = fs::metadata(server.data_dir()).map_err(|e| LocalServerError(e.to_string()))?;
            std::os::unix::fs::chown(&server.dir, Some(owner.uid()), Some(owner.gid()))
                .map_err(|e| LocalServerError(format!("chown {}: {e}", server.dir.display())))?;
        }
        server.launch()?;
        Ok(server)
    }

    /// Builds the template: `initdb` in a private temporary directory, the
    /// template databases dropped and the WAL reset in single-user mode (no
    /// server, no socket), then published into the cache.
    fn build_template(tools: &Tools, cache: &Cache) -> Result<PathBuf, LocalServerError> {
        let server = LocalServer { dir: template::server_temp_dir(tools)?, tools: tools.clone(), postmaster: None };
        server.init()?;
        let mut single = server.tools.command("postgres");
        single
            .arg("--single")
            .arg("-D")
            .arg(server.data_dir())
            .args(["-c", "fsync=off", "-c", "autovacuum=off", "postgres"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let line = command_line(&single);
        let mut child = single.spawn().map_err(|e| LocalServerError(format!("cannot run {line}: {e}")))?;
        if let Some(mut stdin) = child.stdin.take() {
            use std::io::Write;
            // One statement a line: single-user mode ends a statement at a newline.
            let _ = stdin.write_all(
                b"UPDATE pg_database SET datistemplate = false WHERE datname IN ('template0', 'template1')\n\
                  DROP DATABASE template0\nDROP DATABASE template1\n",
            );
        }
        let out = child.wait_with_output().map_err(|e| LocalServerError(format!("{line}: {e}")))?;
        let err = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() || err.contains("ERROR:") || err.contains("FATAL:") {
            return Err(LocalServerError(format!(
                "preparing the template failed ({})\n  command: {line}\n  stderr: {}",
                out.status,
                err.trim().replace('\n', "\n    ")
            )));
        }
        // A cleanly stopped cluster: one fresh WAL segment instead of the ones initdb left.
        let mut resetwal = server.tools.command("pg_resetwal");
        resetwal.arg("-D").arg(server.data_dir());
        run(resetwal, "pg_resetwal")?;
        cache.publish(&server.data_dir()).map_err(LocalServerError)
    }

    /// A new cluster in `data/`: trust authentication for the `pgstate` user
    /// only, 1 MB WAL segments (a smaller copy).
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
            "--wal-segsize=1",
        ]);
        run(initdb, "initdb")
    }

    /// Starts the server on the socket only, with settings for speed over
    /// durability (the data is thrown away), and waits until it accepts
    /// connections. The postmaster is spawned directly, without what
    /// `pg_ctl` adds (a shell, a `postgres -V`, and as root a `runuser`
    /// session): a third of the start. It gets a process group of its own
    /// (`pg_ctl` makes a session with `setsid`), so a terminal's Ctrl-C
    /// reaches pgstate, not the server; as root it runs as the data
    /// directory's owner.
    fn launch(&mut self) -> Result<(), LocalServerError> {
        let mut postgres = self.tools.server_command("postgres");
        postgres
            .arg("-D")
            .arg(self.data_dir())
            .args(["-p", &PORT.to_string(), "-k"])
            .arg(&self.dir)
            .args(["-c", "listen_addresses="])
            .args(SPEED.split_whitespace());
        let log_file = self.log_file();
        let log_error = |e: std::io::Error| LocalServerError(format!("opening {}: {e}", log_file.display()));
        let log = fs::OpenOptions::new().create(true).append(true).open(&log_file).map_err(log_error)?;
        let err = log.try_clone().map_err(log_error)?;
        postgres.stdout(log).stderr(err).process_group(0);
        if self.tools.run_as_postgres {
            let data = self.data_dir();
            let owner =
                fs::metadata(&data).map_err(|e| LocalServerError(format!("reading {}: {e}", data.display())))?;
            postgres.uid(owner.uid()).gid(owner.gid());
        }
        let line = command_line(&postgres);
        let child =
            postgres.spawn().map_err(|e| LocalServerError(format!("cannot run the server: {e}\n  command: {line}")))?;
        self.postmaster = Some(child);
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if self.ready() {
                return Ok(());
            }
            let exited = match self.postmaster.as_mut().map(|p| p.try_wait()) {
                Some(Ok(Some(status))) => Some(format!(" ({status})")),
                Some(Err(e)) => Some(format!(" (cannot wait for it: {e})")),
                _ => None,
            };
            let log = fs::read_to_string(self.log_file()).unwrap_or_default();
            let failed = exited.is_some() || log.contains("FATAL:") || log.contains("PANIC:");
            if failed || Instant::now() >= deadline {
                let why = match exited {
                    Some(how) => format!("failed{how}"),
                    None if failed => "failed".to_string(),
                    None => "was not ready in time".to_string(),
                };
                return Err(self.with_log(LocalServerError(format!("the server {why}\n  command: {line}"))));
            }
            std::thread::sleep(POLL);
        }
    }

    /// Whether the postmaster says it accepts connections (the status line
    /// of `postmaster.pid`, PostgreSQL 10 and later).
    fn ready(&self) -> bool {
        fs::read_to_string(self.data_dir().join("postmaster.pid"))
            .is_ok_and(|pid| pid.lines().nth(7).is_some_and(|status| status.trim() == "ready"))
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
                Err(_) => tokio::time::sleep(POLL).await,
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
    /// A command for the server itself: run directly (the caller sets its
    /// uid when we are root), with no `PG*` variable and no input.
    fn server_command(&self, name: &str) -> Command {
        hermetic(Command::new(self.bin_dir.join(name)))
    }

    /// A command for one of the server's binaries, through `runuser -u
    /// postgres` when we are root.
    fn command(&self, name: &str) -> Command {
        let program = self.bin_dir.join(name);
        if !self.run_as_postgres {
            return hermetic(Command::new(program));
        }
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        hermetic(c)
    }
}

/// `cmd` with no `PG*` variable of ours and no input.
fn hermetic(mut cmd: Command) -> Command {
    clear_pg_env(&mut cmd);
    cmd.stdin(Stdio::null());
    cmd
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        if let Some(mut postmaster) = self.postmaster.take() {
            // SIGQUIT is an immediate shutdown (`pg_ctl -m immediate`):
            // nothing is kept. The postmaster ends once its children have.
            // Only a child not yet reaped is signalled: until it is, its pid
            // cannot be reused by another process.
            let pid = i32::try_from(postmaster.id()).ok();
            if let (Ok(None), Some(pid)) = (postmaster.try_wait(), pid) {
                signal(pid, libc::SIGQUIT);
            }
            let deadline = Instant::now() + GONE_WITHIN;
            while matches!(postmaster.try_wait(), Ok(None)) {
                if Instant::now() >= deadline {
                    // The whole group: the postmaster leads it (and is not
                    // reaped yet), its backends are in it.
                    if let Some(pid) = pid {
                        signal(-pid, libc::SIGKILL);
                    }
                    let _ = postmaster.wait();
                    break;
                }
                std::thread::sleep(POLL);
            }
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Sends `sig` to `pid` (to its process group when negative): only ever a
/// child of ours not yet reaped, whose pid no other process can have.
fn signal(pid: i32, sig: libc::c_int) {
    // SAFETY: kill(2) takes no pointer.
    unsafe { libc::kill(pid, sig) };
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

/// Single-quotes `s` as a shell reads it (a command line in an error is one to paste).
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}
