//! Sessions beside the one under test: another client holding a lock
//! ([`Holder`]), and pgstate run in the background ([`Background`]) so a
//! test can act while it waits.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use pgstate::connection::Target;

use super::pg::Db;

/// Another session, holding whatever `sql` took until it is dropped (or `release`d).
pub struct Holder {
    rt: tokio::runtime::Runtime,
    client: tokio_postgres::Client,
    /// Its backend's pid.
    pub pid: i32,
}

impl Holder {
    /// Connects to `db` and runs `sql` (e.g. `BEGIN; LOCK TABLE t;`).
    pub fn new(db: &Db, sql: &str) -> Holder {
        let rt = pgstate::connection::runtime().expect("runtime");
        let (client, pid) = rt.block_on(async {
            let client = Target::parse(&db.url()).expect("url").connect().await.expect("connects");
            client.batch_execute(sql).await.expect("the holder takes its lock");
            let pid: i32 = client.query_one("SELECT pg_backend_pid()", &[]).await.expect("pid").get(0);
            (client, pid)
        });
        Holder { rt, client, pid }
    }

    /// Rolls back, releasing what it held.
    pub fn release(self) {}
}

impl Drop for Holder {
    fn drop(&mut self) {
        let _ = self.rt.block_on(self.client.batch_execute("ROLLBACK"));
    }
}

/// How long a background pgstate may run before the test gives up on it:
/// a guard against a hang, far above any expected run (not a measure).
const HANG_GUARD: Duration = Duration::from_secs(180);

/// pgstate running in the background, its output going to files.
pub struct Background {
    child: Child,
    out: PathBuf,
    err: PathBuf,
    args: Vec<String>,
}

impl Background {
    /// Starts pgstate with `args` in `dir` (`DATABASE_URL` removed).
    pub fn spawn(dir: &Path, args: &[&str]) -> Background {
        let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let (out, err) = (dir.join(format!("bg-out-{n}")), dir.join(format!("bg-err-{n}")));
        let child = Command::new(env!("CARGO_BIN_EXE_pgstate"))
            .args(args)
            .current_dir(dir)
            .env_remove("DATABASE_URL")
            .env("RUST_BACKTRACE", "0")
            .stdout(File::create(&out).expect("stdout file"))
            .stderr(File::create(&err).expect("stderr file"))
            .spawn()
            .expect("pgstate runs");
        Background { child, out, err, args: args.iter().map(|a| a.to_string()).collect() }
    }

    /// What it wrote on stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.err).unwrap_or_default()
    }

    /// Waits until its stderr contains `text`; panics if it ends first.
    pub fn wait_for(&mut self, text: &str) {
        let start = Instant::now();
        while !self.stderr().contains(text) {
            if let Some(status) = self.child.try_wait().expect("wait") {
                panic!("{:?} ended ({status}) before saying {text:?}: {}", self.args, self.stderr());
            }
            if start.elapsed() > HANG_GUARD {
                let _ = self.child.kill();
                panic!("{:?} never said {text:?}: {}", self.args, self.stderr());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for it to end: its exit code, stdout and stderr.
    pub fn finish(mut self) -> (Option<i32>, String, String) {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            if start.elapsed() > HANG_GUARD {
                let _ = self.child.kill();
                panic!("{:?} still running: {}", self.args, self.stderr());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let out = std::fs::read_to_string(&self.out).unwrap_or_default();
        (status.code(), out, self.stderr())
    }
}
