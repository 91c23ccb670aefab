//! Every wait is bounded: a lock another session holds makes pgstate give up
//! after --lock-timeout, reading the catalog as well as changing it, say which
//! relation and which session, and change nothing.

mod support;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use support::catalog::snapshot_lines;
use support::pg::{Db, PgCluster};
use support::run::{pgstate_in, text};
use support::session::Holder;

/// The bound the brief sets for a 2 s lock timeout, process start and all.
const GIVES_UP_WITHIN: Duration = Duration::from_secs(5);

/// A fresh directory holding `schema.sql`.
fn project(name: &str, sql: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pgstate-timeouts-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("schema.sql"), sql).expect("write schema");
    dir
}

/// Runs pgstate, asserting it gave up in time with exit code 2; returns
/// stderr. A pgstate still waiting at the bound is killed, so an unbounded
/// wait fails the test instead of hanging it.
fn gives_up(dir: &Path, args: &[&str]) -> String {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let n = RUNS.fetch_add(1, Ordering::Relaxed);
    let (out_path, err_path) = (dir.join(format!("stdout-{n}")), dir.join(format!("stderr-{n}")));
    let mut child = Command::new(env!("CARGO_BIN_EXE_pgstate"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("RUST_BACKTRACE", "0")
        .stdout(File::create(&out_path).expect("stdout file"))
        .stderr(File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("pgstate runs");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if start.elapsed() >= GIVES_UP_WITHIN {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let err = std::fs::read_to_string(&err_path).unwrap_or_default();
    let out = std::fs::read_to_string(&out_path).unwrap_or_default();
    let Some(status) = status else {
        panic!("{args:?} was still waiting after {GIVES_UP_WITHIN:?}: {out}{err}");
    };
    assert_eq!(status.code(), Some(2), "{args:?}: {out}{err}");
    err
}

fn exists(db: &Db, relation: &str) -> bool {
    db.psql(&format!("SELECT to_regclass('{relation}') IS NOT NULL")).expect("query") == "t"
}

const CURRENT: &str = "CREATE TABLE users (id int PRIMARY KEY, name text DEFAULT 'nobody' CHECK (name <> ''));";
const DESIRED: &str =
    "CREATE TABLE users (id int PRIMARY KEY, name text DEFAULT 'nobody' CHECK (name <> ''), email text);\n\
                       CREATE TABLE orders (id int PRIMARY KEY);";

#[test]
fn reading_the_catalog_gives_up_on_a_held_lock_names_it_and_changes_nothing() {
    let db = PgCluster::shared().fresh_db("readlock");
    db.psql(CURRENT).expect("loads");
    let dir = project("read", DESIRED);
    let before = snapshot_lines(&db);
    let holder = Holder::new(&db, "BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE;");
    let url = db.url();
    let expected = format!(
        "timed out after 2s waiting for a lock on public.users, held by pid {} (AccessExclusiveLock); nothing was changed",
        holder.pid
    );
    let schema = ["--schema", "schema.sql"];
    for command in [
        &["apply", "--url", &url, "--yes", "--lock-timeout", "2s"][..],
        &["drift", "--url", &url, "--lock-timeout", "2s"],
        &["plan", "--url", &url, "--lock-timeout", "2s"],
    ] {
        let args: Vec<&str> = command.iter().chain(&schema).copied().collect();
        let err = gives_up(&dir, &args);
        assert!(err.contains(&expected), "{args:?} must say it timed out on the lock, naming it:\n{err}");
    }
    let err = gives_up(&dir, &["export", "--url", &url, "--lock-timeout", "2s"]);
    assert!(err.contains(&expected), "{err}");
    drop(holder);
    assert_eq!(snapshot_lines(&db), before, "nothing may change");
    assert!(!exists(&db, "public.orders"), "the table the plan would create must not exist");
}

#[test]
fn a_statement_timeout_bounds_a_wait_too() {
    let db = PgCluster::shared().fresh_db("stmttimeout");
    db.psql(CURRENT).expect("loads");
    let dir = project("statement", DESIRED);
    let holder = Holder::new(&db, "BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE;");
    let url = db.url();
    let args = ["drift", "--url", &url, "--schema", "schema.sql", "--lock-timeout", "60s", "--statement-timeout", "1s"];
    let err = gives_up(&dir, &args);
    assert!(err.contains("ran past statement_timeout (1s) and was cancelled; nothing was changed"), "{err}");
    drop(holder);
}

#[test]
fn a_lock_timeout_while_applying_rolls_back_and_names_the_holder() {
    let db = PgCluster::shared().fresh_db("writelock");
    db.psql(CURRENT).expect("loads");
    let dir = project("write", DESIRED);
    let before = snapshot_lines(&db);
    // A reader: the catalog can be read, but ALTER TABLE must wait for it.
    let holder = Holder::new(&db, "BEGIN; SELECT count(*) FROM users;");
    let url = db.url();
    let err = gives_up(&dir, &["apply", "--url", &url, "--schema", "schema.sql", "--yes", "--lock-timeout", "2s"]);
    let expected = format!(
        "timed out after 2s waiting for a lock on public.users, held by pid {} (AccessShareLock); \
         the transaction was rolled back: nothing was changed",
        holder.pid
    );
    assert!(err.contains(&expected), "{err}");
    assert!(err.contains("while running: ALTER TABLE public.users ADD COLUMN email"), "{err}");
    drop(holder);
    assert_eq!(snapshot_lines(&db), before, "nothing may change");
    assert!(!exists(&db, "public.orders"), "the table created earlier in the transaction must be rolled back");
}

#[test]
fn revision_commands_give_up_on_a_held_lock() {
    let db = PgCluster::shared().fresh_db("revlock");
    db.psql(CURRENT).expect("loads");
    let dir = project("revisions", CURRENT);
    let url = db.url();
    let wrote = pgstate_in(&dir, &["revision", "-m", "add email", "--rev-id", "r1"]);
    assert!(wrote.status.success(), "{}", text(&wrote.stderr));
    let file = dir.join("migrations/r1_add_email.sql");
    let revision = std::fs::read_to_string(&file).expect("revision written");
    let revision = revision.replace("-- +up\n", "-- +up\nALTER TABLE public.users ADD COLUMN email text;\n");
    std::fs::write(&file, revision).expect("edit revision");
    assert!(pgstate_in(&dir, &["hash"]).status.success());

    let holder = Holder::new(&db, "BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE;");
    let err = gives_up(&dir, &["upgrade", "--url", &url, "--lock-timeout", "2s"]);
    let expected = format!(
        "timed out after 2s waiting for a lock on public.users, held by pid {} (AccessExclusiveLock); \
         revision r1 (upgrade) was rolled back",
        holder.pid
    );
    assert!(err.contains(&expected), "{err}");
    drop(holder);
    assert_eq!(db.psql("SELECT count(*) FROM pgstate_revision").expect("version table"), "0");
    assert_eq!(
        db.psql("SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'email'")
            .expect("query"),
        "0"
    );

    let holder = Holder::new(&db, "BEGIN; LOCK TABLE pgstate_revision IN ACCESS EXCLUSIVE MODE;");
    let err = gives_up(&dir, &["current", "--url", &url, "--lock-timeout", "2s"]);
    let expected = format!(
        "timed out after 2s waiting for a lock on public.pgstate_revision, held by pid {} (AccessExclusiveLock); nothing was changed",
        holder.pid
    );
    assert!(err.contains(&expected), "{err}");
    drop(holder);
}

#[test]
fn the_advisory_lock_wait_stays_bounded() {
    let db = PgCluster::shared().fresh_db("advisory");
    db.psql(CURRENT).expect("loads");
    let dir = project("advisory", DESIRED);
    let holder = Holder::new(&db, &format!("SELECT pg_advisory_lock({})", pgstate::ops::apply::LOCK_KEY));
    let url = db.url();
    let err = gives_up(&dir, &["apply", "--url", &url, "--schema", "schema.sql", "--yes", "--lock-wait", "1s"]);
    assert!(err.contains("another pgstate apply holds the lock on this database; gave up after 1s"), "{err}");
    drop(holder);
    assert!(!exists(&db, "public.orders"));
}

#[test]
fn a_zero_timeout_is_refused() {
    let dir = project("zero", CURRENT);
    let out = pgstate_in(&dir, &["plan", "--url", "postgres://localhost/x", "--lock-timeout", "0s"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("a timeout must be more than 0"), "{}", text(&out.stderr));
}
