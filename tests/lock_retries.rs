//! A busy table delays a deploy instead of failing it: a step that gives up
//! waiting for a lock (`--lock-timeout`) is tried again (`--lock-retries N`),
//! a transaction rolled back and run again whole, a statement alone run
//! again alone; and while apply waits, other sessions' reads and writes are
//! never blocked for longer than the lock timeout. Outcomes are asserted,
//! never how long pgstate took (a loaded machine is only slower).

mod support;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pgstate::connection::Target;
use support::catalog::snapshot_lines;
use support::pg::{Db, PgCluster};
use support::run::{pgstate_in, text};
use support::session::{Background, Holder};

/// A fresh directory holding `schema.sql`.
fn project(name: &str, sql: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pgstate-retries-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("schema.sql"), sql).expect("write schema");
    dir
}

fn plan_is_empty(db: &Db, dir: &Path) -> bool {
    let out = pgstate_in(dir, &["plan", "--url", &db.url(), "--schema", "schema.sql"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    out.stdout.is_empty()
}

const CURRENT: &str = "CREATE TABLE users (id int PRIMARY KEY, name text);";
const WITH_EMAIL: &str = "CREATE TABLE users (id int PRIMARY KEY, name text, email text);\n\
                          CREATE TABLE orders (id int PRIMARY KEY);";
const WITH_INDEX: &str = "CREATE TABLE users (id int PRIMARY KEY, name text);\n\
                          CREATE INDEX users_name_idx ON users (name);";

#[test]
fn a_transaction_that_timed_out_on_a_lock_is_run_again_once_the_lock_is_released() {
    let db = PgCluster::shared().fresh_db("retrytx");
    db.psql(CURRENT).expect("loads");
    let dir = project("tx", WITH_EMAIL);
    // A reader: ALTER TABLE ... ADD COLUMN must wait for it; CREATE TABLE orders
    // runs first in the same transaction, so a retry must start again from it.
    let holder = Holder::new(&db, "BEGIN; SELECT count(*) FROM users;");
    let url = db.url();
    let args = ["apply", "--url", &url, "--schema", "schema.sql", "--yes", "--lock-timeout", "300ms"];
    let mut run = Background::spawn(&dir, &[&args[..], &["--lock-retries", "100"]].concat());
    run.wait_for("retry 2 of 100");
    holder.release();
    let (code, _, err) = run.finish();
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("lock timeout on: ALTER TABLE public.users ADD COLUMN email text"), "{err}");
    assert!(plan_is_empty(&db, &dir), "converged");
}

#[test]
fn a_statement_alone_that_timed_out_is_run_again_alone_and_without_retries_nothing_changes() {
    let db = PgCluster::shared().fresh_db("retryalone");
    db.psql(CURRENT).expect("loads");
    db.psql("INSERT INTO users SELECT g, 'n' || g FROM generate_series(1, 1000) g").expect("rows");
    let dir = project("alone", WITH_INDEX);
    let before = snapshot_lines(&db);
    let url = db.url();
    let args = ["apply", "--url", &url, "--schema", "schema.sql", "--yes", "--lock-timeout", "300ms"];
    // CREATE INDEX CONCURRENTLY waits for SHARE UPDATE EXCLUSIVE.
    let holder = Holder::new(&db, "BEGIN; LOCK TABLE users IN SHARE UPDATE EXCLUSIVE MODE;");

    // No retries (the default): fails cleanly, nothing changed, no INVALID index left.
    let out = pgstate_in(&dir, &args);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("timed out after 300ms waiting for a lock on public.users"), "{err}");
    assert!(err.contains("it ran outside a transaction: nothing was changed"), "{err}");
    assert_eq!(snapshot_lines(&db), before, "nothing may change");

    // Retries spent: the error says so, and still nothing changed.
    let out = pgstate_in(&dir, &[&args[..], &["--lock-retries", "2"]].concat());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("retry 2 of 2"), "{err}");
    assert!(err.contains("(after 2 retries: --lock-retries 2)"), "{err}");
    assert_eq!(snapshot_lines(&db), before, "nothing may change");

    // With retries: the build waits its turn and succeeds once the lock is released.
    let mut run = Background::spawn(&dir, &[&args[..], &["--lock-retries", "100"]].concat());
    run.wait_for("retry 1 of 100");
    holder.release();
    let (code, _, err) = run.finish();
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("lock timeout on: CREATE INDEX CONCURRENTLY users_name_idx"), "{err}");
    assert_eq!(
        db.psql("SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_name_idx'::regclass").expect("query"),
        "t"
    );
    assert!(plan_is_empty(&db, &dir), "converged");
}

#[test]
fn upgrade_runs_a_revision_again_after_a_lock_timeout() {
    let db = PgCluster::shared().fresh_db("retryrev");
    db.psql(CURRENT).expect("loads");
    let dir = project("revision", CURRENT);
    let wrote = pgstate_in(&dir, &["revision", "-m", "add email", "--rev-id", "r1"]);
    assert!(wrote.status.success(), "{}", text(&wrote.stderr));
    let file = dir.join("migrations/r1_add_email.sql");
    let revision = std::fs::read_to_string(&file).expect("revision written");
    let revision = revision.replace("-- +up\n", "-- +up\nALTER TABLE public.users ADD COLUMN email text;\n");
    std::fs::write(&file, revision).expect("edit revision");
    assert!(pgstate_in(&dir, &["hash"]).status.success());

    let holder = Holder::new(&db, "BEGIN; LOCK TABLE users IN ACCESS SHARE MODE;");
    let url = db.url();
    let mut run =
        Background::spawn(&dir, &["upgrade", "--url", &url, "--lock-timeout", "300ms", "--lock-retries", "100"]);
    run.wait_for("lock timeout on: revision r1");
    holder.release();
    let (code, _, err) = run.finish();
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("upgraded: r1"), "{err}");
    assert_eq!(db.psql("SELECT version_num FROM pgstate_revision").expect("version table"), "r1");
}

/// The lock timeout apply runs with in the blocking test, and the margin
/// allowed on top of it for a query's own time on a loaded machine.
const LOCK_TIMEOUT: Duration = Duration::from_secs(1);
const MARGIN: Duration = Duration::from_secs(3);

/// Another session reading and writing `b` in a loop until `stop`, each
/// statement its own transaction; returns the longest any statement took and
/// how many ran.
fn busy_session(url: String, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<(Duration, String, usize)> {
    std::thread::spawn(move || {
        let rt = pgstate::connection::runtime().expect("runtime");
        rt.block_on(async move {
            let client = Target::parse(&url).expect("url").connect().await.expect("connects");
            // This session waits as long as it must: what is measured is how long.
            client.batch_execute("SET lock_timeout = 0; SET statement_timeout = 0").await.expect("settings");
            let statements = [
                "SELECT count(*) FROM b WHERE n = 7",
                "INSERT INTO b (id, a_id, n) VALUES (1000000 + (random() * 1000000)::int, 1, 1)",
                "UPDATE b SET n = n WHERE id = 17",
                "SELECT code FROM a WHERE id = 2",
            ];
            let (mut longest, mut which, mut count) = (Duration::ZERO, String::new(), 0);
            while !stop.load(Ordering::Relaxed) {
                for sql in statements {
                    let start = Instant::now();
                    client.batch_execute(sql).await.expect("the busy session's statement");
                    let took = start.elapsed();
                    if took > longest {
                        (longest, which) = (took, sql.to_string());
                    }
                    count += 1;
                }
            }
            (longest, which, count)
        })
    })
}

#[test]
fn reads_and_writes_are_never_blocked_longer_than_the_lock_timeout_while_apply_waits_and_runs() {
    let db = PgCluster::shared().fresh_db("neverblocked");
    db.psql(
        "CREATE TABLE a (id int PRIMARY KEY, code text);\n\
         CREATE TABLE b (id int, a_id int, n int);\n\
         INSERT INTO a SELECT g, 'c' || g FROM generate_series(1, 1000) g;\n\
         INSERT INTO b SELECT g, 1 + g % 1000, 1 + g % 50 FROM generate_series(1, 200000) g;",
    )
    .expect("loads");
    let dir = project(
        "neverblocked",
        "CREATE TABLE a (id int PRIMARY KEY, code text CONSTRAINT a_code_key UNIQUE);\n\
         CREATE TABLE b (id int NOT NULL, a_id int REFERENCES a (id), n int CHECK (n > 0));\n\
         CREATE INDEX b_n_idx ON b (n);",
    );
    let stop = Arc::new(AtomicBool::new(false));
    let busy = busy_session(db.url(), stop.clone());
    // A long transaction that read b: every step needing a strong lock on b
    // queues behind it, and the busy session's statements queue behind that
    // step until lock_timeout ends its wait. It holds far longer than the
    // bound asserted below, so an unbounded wait would fail the test.
    let holder = Holder::new(&db, "BEGIN; SELECT count(*) FROM b;");
    let url = db.url();
    let timeout = format!("{}ms", LOCK_TIMEOUT.as_millis());
    let mut run = Background::spawn(
        &dir,
        &[
            "apply",
            "--url",
            &url,
            "--schema",
            "schema.sql",
            "--yes",
            "--lock-timeout",
            &timeout,
            "--lock-retries",
            "100",
        ],
    );
    // Retries 1 to 4 pause 250ms + 500ms + 1s + 2s after four 1s waits:
    // the holder holds at least 7.75s, well past LOCK_TIMEOUT + MARGIN.
    run.wait_for("retry 4 of 100");
    holder.release();
    let (code, _, err) = run.finish();
    stop.store(true, Ordering::Relaxed);
    let (longest, which, count) = busy.join().expect("busy session");
    assert_eq!(code, Some(0), "{err}");
    assert!(count > 20, "the busy session ran only {count} statements");
    assert!(
        longest <= LOCK_TIMEOUT + MARGIN,
        "{which:?} waited {longest:?}, past the lock timeout {LOCK_TIMEOUT:?} (+ {MARGIN:?})\n{err}"
    );
    assert!(plan_is_empty(&db, &dir), "converged");
    assert_eq!(
        db.psql(
            "SELECT string_agg(conname || '=' || convalidated, ' ' ORDER BY conname) FROM pg_constraint \
             WHERE conrelid = 'b'::regclass AND contype IN ('f', 'c')"
        )
        .expect("query"),
        "b_a_id_fkey=true b_n_check=true"
    );
    assert_eq!(
        db.psql("SELECT bool_and(indisvalid) FROM pg_index WHERE indrelid IN ('a'::regclass, 'b'::regclass)").unwrap(),
        "t"
    );
}
