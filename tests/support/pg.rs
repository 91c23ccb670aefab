//! A real, throwaway PostgreSQL cluster for integration tests.
//!
//! [`PgCluster::start`] runs `initdb` into a fresh temporary directory and
//! starts a postmaster listening on a free loopback port (and on a Unix
//! socket inside that directory). Dropping the cluster stops it
//! (`pg_ctl stop -m immediate`) and removes the directory; this also happens
//! when a test panics, because `Drop` runs while unwinding.
//!
//! For the cases where `Drop` never runs (a cluster kept in a `static`, see
//! [`PgCluster::shared`], `std::process::exit`, the test binary being killed)
//! every cluster has a small watchdog shell process, in its own process group,
//! that holds the read end of a pipe whose write end only this process has:
//! when this process ends in any way, the pipe closes and the watchdog stops
//! the cluster and removes its directory.
//!
//! Binaries: `$PGSTATE_PG_BIN` if set, else the highest
//! `/usr/lib/postgresql/<N>/bin` that has `initdb` (Debian's layout), else
//! `initdb` found on `$PATH`. When running as root, the directory is given to
//! the `postgres` user and `initdb`/`pg_ctl` run through
//! `runuser -u postgres --` (PostgreSQL refuses to run as root).

use std::fs;

use pgstate::connection::local::{clear_pg_env as clear_libpq_env, current_uid, find_bin_dir, make_temp_dir};
use std::io::Write;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

/// How many times `pg_ctl start` is tried, each time on a newly picked port.
const START_ATTEMPTS: usize = 5;

/// A running PostgreSQL cluster owned by the test; stopped and deleted on drop.
pub struct PgCluster {
    bin_dir: PathBuf,
    psql_bin: PathBuf,
    /// Temporary directory: holds `data/`, `log` and the Unix socket.
    dir: PathBuf,
    data_dir: PathBuf,
    log_file: PathBuf,
    port: u16,
    run_as_postgres: bool,
    version_num: u32,
    watchdog: Mutex<Option<(Child, ChildStdin)>>,
}

/// A database in a [`PgCluster`]. Plain data (no borrow): keep the cluster
/// alive for as long as the `Db` is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Db {
    pub name: String,
    pub port: u16,
    /// Socket directory of the cluster (for tools that prefer a Unix socket).
    pub host: PathBuf,
    /// The `psql` binary used by [`Db::psql`].
    pub psql_bin: PathBuf,
}

impl PgCluster {
    /// Starts a fresh cluster. Panics (with the server log and tool output)
    /// when that is impossible.
    pub fn start() -> PgCluster {
        match PgCluster::try_start() {
            Ok(c) => c,
            Err(e) => panic!("could not start a throwaway PostgreSQL cluster:\n{e}"),
        }
    }

    /// One cluster per test binary, started on first use and never dropped;
    /// its watchdog stops it and removes its files when the process exits.
    /// Give each test its own database ([`PgCluster::fresh_db`]).
    pub fn shared() -> &'static PgCluster {
        static SHARED: OnceLock<PgCluster> = OnceLock::new();
        extern "C" {
            fn atexit(callback: extern "C" fn()) -> std::os::raw::c_int;
        }
        // Statics are never dropped: stop the cluster when the test binary
        // exits normally (the watchdog covers the other ways to end).
        extern "C" fn stop_shared() {
            let _ = std::panic::catch_unwind(|| {
                if let Some(cluster) = SHARED.get() {
                    cluster.cleanup();
                }
            });
        }
        SHARED.get_or_init(|| {
            let cluster = PgCluster::start();
            // SAFETY: registers a plain `extern "C" fn()` that never unwinds.
            unsafe {
                atexit(stop_shared);
            }
            cluster
        })
    }

    /// Like [`PgCluster::start`] but returns the error instead of panicking.
    pub fn try_start() -> Result<PgCluster, String> {
        PgCluster::try_start_with(|_| Ok(()))
    }

    /// A cluster whose data directory `prepare` changes between `initdb` and
    /// the server's start (configuration, certificates, `pg_hba.conf`); the
    /// files it writes are then given to the server's user.
    #[allow(dead_code)]
    pub fn start_with(prepare: impl FnOnce(&Path) -> Result<(), String>) -> PgCluster {
        match PgCluster::try_start_with(prepare) {
            Ok(c) => c,
            Err(e) => panic!("could not start a throwaway PostgreSQL cluster:\n{e}"),
        }
    }

    fn try_start_with(prepare: impl FnOnce(&Path) -> Result<(), String>) -> Result<PgCluster, String> {
        let mut cluster = PgCluster::prepare()?;
        let initdb = cluster.bin_dir.join("initdb");
        // initdb's defaults serve a standby too: wal_level=replica,
        // max_wal_senders=10, and pg_hba lines that trust replication
        // connections from the socket and 127.0.0.1 (see `start_standby`).
        let out = cluster
            .pg_command(&initdb)
            .arg("-D")
            .arg(&cluster.data_dir)
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"])
            .output()
            .map_err(|e| format!("running {}: {e}", initdb.display()))?;
        check(&out, "initdb")?;
        prepare(&cluster.data_dir)?;
        if cluster.run_as_postgres {
            let out = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(&cluster.data_dir)
                .stdin(Stdio::null())
                .output()
                .map_err(|e| format!("running chown: {e}"))?;
            check(&out, "chown -R postgres: <data>")?;
        }
        cluster.launch()?;
        cluster.create_roles(&fixture_roles())?;
        Ok(cluster)
    }

    /// A hot standby of this cluster: `pg_basebackup -R -X stream` (as
    /// `postgres`) into a fresh directory, started on another loopback port
    /// and streaming from this one. Its databases can be read, not changed.
    /// Panics (with the tools' output) when that is impossible.
    pub fn start_standby(&self) -> PgCluster {
        match self.try_start_standby() {
            Ok(c) => c,
            Err(e) => panic!("could not start a standby of the test cluster:\n{e}"),
        }
    }

    fn try_start_standby(&self) -> Result<PgCluster, String> {
        let mut standby = PgCluster::prepare()?;
        let basebackup = standby.bin_dir.join("pg_basebackup");
        let out = standby
            .pg_command(&basebackup)
            .arg("-D")
            .arg(&standby.data_dir)
            .args(["-R", "-X", "stream", "-c", "fast", "--no-sync", "-h", "127.0.0.1", "-U", "postgres", "-p"])
            .arg(self.port.to_string())
            .output()
            .map_err(|e| format!("running {}: {e}", basebackup.display()))?;
        check(&out, "pg_basebackup")?;
        // The copied postgresql.conf keeps the primary's max_connections (a
        // standby needs at least as many); the port and socket come from `launch`.
        standby.launch()?;
        let recovering = standby.db("postgres").psql("SELECT pg_is_in_recovery()")?;
        if recovering != "t" {
            return Err(format!("the standby is not in recovery ({recovering})\n{}", standby.log()));
        }
        Ok(standby)
    }

    /// A temporary directory (given to `postgres` when we are root) with its
    /// watchdog; no server yet.
    fn prepare() -> Result<PgCluster, String> {
        let bin_dir = find_bin_dir()?;
        for tool in ["initdb", "pg_ctl"] {
            if !bin_dir.join(tool).is_file() {
                return Err(format!("{} not found in {}", tool, bin_dir.display()));
            }
        }
        let psql_bin =
            if Path::new("/usr/bin/psql").is_file() { PathBuf::from("/usr/bin/psql") } else { bin_dir.join("psql") };
        let run_as_postgres = current_uid()? == 0;
        let dir = make_temp_dir("pgstate-test")?;

        // From here on, `cluster` going out of scope (error return) cleans up.
        let mut cluster = PgCluster {
            data_dir: dir.join("data"),
            log_file: dir.join("log"),
            dir,
            bin_dir,
            psql_bin,
            port: 0,
            run_as_postgres,
            version_num: 0,
            watchdog: Mutex::new(None),
        };
        if let Err(e) = cluster.spawn_watchdog() {
            let _ = fs::remove_dir_all(&cluster.dir);
            return Err(e);
        }

        if run_as_postgres {
            let out = Command::new("chown")
                .arg("postgres:")
                .arg(&cluster.dir)
                .stdin(Stdio::null())
                .output()
                .map_err(|e| format!("running chown: {e}"))?;
            check(&out, "chown postgres: <tempdir> (is there a `postgres` user?)")?;
        }
        Ok(cluster)
    }

    /// Starts the server on `data_dir` (on a free port, retried) and reads its version.
    fn launch(&mut self) -> Result<(), String> {
        let cluster = self;
        let mut errors = Vec::new();
        for attempt in 1..=START_ATTEMPTS {
            let port = free_port()?;
            let opts = format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off \
                 -c full_page_writes=off -c synchronous_commit=off",
                shell_quote(&cluster.dir.to_string_lossy())
            );
            let out = cluster
                .pg_ctl()
                .arg("-D")
                .arg(&cluster.data_dir)
                .args(["-w", "-t", "60", "-l"])
                .arg(&cluster.log_file)
                .arg("-o")
                .arg(&opts)
                .arg("start")
                .output()
                .map_err(|e| format!("running pg_ctl: {e}"))?;
            match check(&out, "pg_ctl start") {
                Ok(()) => {
                    cluster.port = port;
                    errors.clear();
                    break;
                }
                Err(e) => {
                    errors.push(format!("attempt {attempt} (port {port}): {e}"));
                    // In case a postmaster did come up (e.g. after a timeout).
                    cluster.stop_server();
                }
            }
        }
        if cluster.port == 0 {
            return Err(format!(
                "pg_ctl start failed {START_ATTEMPTS} times:\n{}\n--- server log ---\n{}",
                errors.join("\n"),
                cluster.log()
            ));
        }

        let v = cluster
            .db("postgres")
            .psql("SHOW server_version_num")
            .map_err(|e| format!("cluster started but psql failed: {e}\n{}", cluster.log()))?;
        cluster.version_num = v.trim().parse().map_err(|_| format!("unexpected server_version_num {v:?}"))?;
        Ok(())
    }

    /// Creates these roles (cluster-wide) unless they exist.
    pub fn create_roles(&self, roles: &[String]) -> Result<(), String> {
        let mut sql = String::new();
        for r in roles.iter().filter(|r| !r.eq_ignore_ascii_case("public")) {
            let literal = r.replace('\'', "''");
            let ident = r.replace('"', "\"\"");
            sql.push_str(&format!(
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{literal}') \
                 THEN CREATE ROLE \"{ident}\"; END IF; END $$;\n"
            ));
        }
        if sql.is_empty() {
            return Ok(());
        }
        self.db("postgres").psql(&sql).map(|_| ()).map_err(|e| format!("creating roles: {e}"))
    }

    /// Creates database `name` (must match `[a-z0-9_]+`); panics on failure.
    pub fn create_db(&self, name: &str) -> Db {
        assert!(
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "database name {name:?} must match [a-z0-9_]+"
        );
        if let Err(e) = self.db("postgres").psql(&format!("CREATE DATABASE {name}")) {
            panic!("CREATE DATABASE {name} failed: {e}");
        }
        self.db(name)
    }

    /// Creates a database with a unique name starting with `prefix`
    /// (`[a-z0-9_]+`), handy with [`PgCluster::shared`].
    pub fn fresh_db(&self, prefix: &str) -> Db {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        self.create_db(&format!("{prefix}_{n}"))
    }

    /// A handle on an existing database (e.g. `postgres`); creates nothing.
    pub fn db(&self, name: &str) -> Db {
        Db { name: name.to_string(), port: self.port, host: self.dir.clone(), psql_bin: self.psql_bin.clone() }
    }

    /// TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Unix socket directory (`-k`), also the cluster's temporary directory.
    pub fn host(&self) -> &Path {
        &self.dir
    }

    /// Directory holding `initdb`, `pg_ctl`, `postgres`, ...
    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// The data directory (`PGDATA`).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// `server_version_num`, e.g. 150010.
    pub fn version_num(&self) -> u32 {
        self.version_num
    }

    /// The server log so far (empty if unreadable).
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log_file).unwrap_or_default()
    }

    /// The postmaster's pid, while it runs.
    pub fn postmaster_pid(&self) -> Option<u32> {
        let text = fs::read_to_string(self.data_dir.join("postmaster.pid")).ok()?;
        text.lines().next()?.trim().parse().ok()
    }

    /// A command for a server-side tool, run as `postgres` when we are root.
    fn pg_command(&self, program: &Path) -> Command {
        let mut cmd = if self.run_as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        cmd.current_dir(&self.dir).stdin(Stdio::null());
        clear_libpq_env(&mut cmd);
        cmd
    }

    fn pg_ctl(&self) -> Command {
        self.pg_command(&self.bin_dir.join("pg_ctl"))
    }

    /// `pg_ctl stop -m immediate`, ignoring every error.
    fn stop_server(&self) {
        let _ = self
            .pg_ctl()
            .arg("-D")
            .arg(&self.data_dir)
            .args(["-m", "immediate", "-w", "-t", "30", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    /// Stops the server, removes the directory and dismisses the watchdog.
    /// Idempotent; never panics (called from `Drop` and at exit).
    fn cleanup(&self) {
        let mut guard = match self.watchdog.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let Some((mut child, mut stdin)) = guard.take() else {
            return; // already cleaned up
        };
        self.stop_server();
        let _ = fs::remove_dir_all(&self.dir);
        let _ = stdin.write_all(b"done\n");
        drop(stdin);
        let _ = child.wait();
    }

    /// See the module docs: cleans up if this process ends without `Drop`.
    fn spawn_watchdog(&mut self) -> Result<(), String> {
        const SCRIPT: &str = r#"
trap '' HUP INT QUIT TERM PIPE
line=
IFS= read -r line || true
[ "$line" = done ] && exit 0
if [ "$4" = 1 ]; then
  runuser -u postgres -- "$1" -D "$2" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
else
  "$1" -D "$2" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
fi
rm -rf -- "$3"
"#;
        let mut child = Command::new("/bin/sh")
            .arg("-c")
            .arg(SCRIPT)
            .arg("pgstate-test-watchdog")
            .arg(self.bin_dir.join("pg_ctl"))
            .arg(&self.data_dir)
            .arg(&self.dir)
            .arg(if self.run_as_postgres { "1" } else { "0" })
            .current_dir("/")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("spawning the cleanup watchdog: {e}"))?;
        let stdin = child.stdin.take().ok_or("watchdog without stdin")?;
        *self.watchdog.get_mut().unwrap_or_else(|p| p.into_inner()) = Some((child, stdin));
        Ok(())
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        self.cleanup();
    }
}

impl std::fmt::Debug for PgCluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgCluster")
            .field("bin_dir", &self.bin_dir)
            .field("dir", &self.dir)
            .field("port", &self.port)
            .field("version_num", &self.version_num)
            .finish()
    }
}

impl Db {
    /// `postgres://postgres@127.0.0.1:PORT/NAME`
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{}", self.port, self.name)
    }

    /// Runs `sql` (any number of statements) through
    /// `psql -X -q -v ON_ERROR_STOP=1 -At` over TCP as user `postgres`.
    /// Ok: stdout with trailing newlines removed (one row per line, columns
    /// separated by `|`). Err: stderr (or the exit status if stderr is empty).
    pub fn psql(&self, sql: &str) -> Result<String, String> {
        let mut child = self
            .psql_command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("running {}: {e}", self.psql_bin.display()))?;
        let mut stdin = child.stdin.take().ok_or("psql without stdin")?;
        let sql = sql.to_string();
        // Feed stdin from another thread so a large output cannot deadlock us.
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(sql.as_bytes());
        });
        let out = child.wait_with_output().map_err(|e| format!("waiting for psql: {e}"))?;
        let _ = writer.join();
        psql_result(out)
    }

    /// Runs the SQL file at `path` like [`Db::psql`] (`psql -f path`).
    pub fn psql_file(&self, path: &Path) -> Result<String, String> {
        let out = self
            .psql_command()
            .arg("-f")
            .arg(path)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("running {}: {e}", self.psql_bin.display()))?;
        psql_result(out)
    }

    fn psql_command(&self) -> Command {
        let mut cmd = Command::new(&self.psql_bin);
        clear_libpq_env(&mut cmd);
        cmd.env("PGCLIENTENCODING", "UTF8")
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-At"])
            .args(["-h", "127.0.0.1", "-U", "postgres"])
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-d")
            .arg(&self.name);
        cmd
    }
}

fn psql_result(out: Output) -> Result<String, String> {
    if out.status.success() {
        let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
        while s.ends_with('\n') {
            s.pop();
        }
        Ok(s)
    } else {
        let err = String::from_utf8_lossy(&out.stderr).trim_end().to_string();
        if err.is_empty() {
            Err(format!("psql failed: {}", out.status))
        } else {
            Err(err)
        }
    }
}

fn check(out: &Output, what: &str) -> Result<(), String> {
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// A loopback port that was free a moment ago (bind to :0, read, release).
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("binding 127.0.0.1:0: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| format!("local_addr: {e}"))
}

/// Single-quotes `s` for the shell that `pg_ctl` runs `postgres` through.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The roles a fixture manages, from its `roles.txt` (one per line, `PUBLIC` for PUBLIC).
pub fn roles_of(fixture: &Path) -> Vec<String> {
    fs::read_to_string(fixture.join("roles.txt"))
        .map(|t| t.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect())
        .unwrap_or_default()
}

/// Every role the fixture pairs in fixtures/diff name: each cluster has them,
/// so the fixtures' GRANT statements load.
fn fixture_roles() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/diff");
    let mut out: Vec<String> = fs::read_dir(root)
        .map(|dir| dir.filter_map(|e| e.ok()).flat_map(|e| roles_of(&e.path())).collect())
        .unwrap_or_default();
    out.sort();
    out.dedup();
    out
}
