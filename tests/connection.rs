//! The sessions pgstate opens, and the throwaway server offline plans start:
//! every session reads literals the standard way whatever the database says,
//! and the server ignores the PG* environment meant for other tools.

mod support;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use pgstate::connection::local::{current_uid, LocalServer, PORT};
use pgstate::connection::{runtime, Target, Timeouts};
use support::pg::PgCluster;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pgstate-connection-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// `SHOW` each setting through a session pgstate made.
fn show(target: &Target, settings: &[&str]) -> Vec<String> {
    runtime().expect("runtime").block_on(async {
        let client = target.connect().await.expect("connects");
        let mut values = Vec::new();
        for s in settings {
            values.push(client.query_one(&format!("SHOW {s}"), &[]).await.expect("show").get(0));
        }
        values
    })
}

#[test]
fn every_session_reads_literals_the_standard_way_whatever_the_database_default() {
    let db = PgCluster::shared().fresh_db("scsoff");
    db.psql(&format!(
        "ALTER DATABASE {0} SET standard_conforming_strings = off; ALTER DATABASE {0} SET application_name = 'other';",
        db.name
    ))
    .expect("alter database");
    assert_eq!(db.psql("SHOW standard_conforming_strings").expect("show"), "off", "the database's default holds");
    let target = Target::parse(&db.url()).expect("url");
    let got = show(&target, &["standard_conforming_strings", "application_name", "lock_timeout", "statement_timeout"]);
    assert_eq!(got, ["on", "pgstate", "5s", "0"]);
    let bounded =
        target.with_timeouts(Timeouts { lock: Duration::from_millis(2500), statement: Some(Duration::from_secs(30)) });
    assert_eq!(show(&bounded, &["lock_timeout", "statement_timeout"]), ["2500ms", "30s"]);

    // What it is for: a backslash in a literal pgstate writes stays a backslash.
    let dir = scratch("scs");
    let schema = dir.join("schema.sql");
    std::fs::write(&schema, "CREATE TABLE t (id int, p text DEFAULT 'C:\\dir');").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_pgstate"))
        .args(["apply", "--url", &db.url(), "--yes", "--schema"])
        .arg(&schema)
        .env_remove("DATABASE_URL")
        .output()
        .expect("pgstate runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stored = db.psql("INSERT INTO t (id) VALUES (1); SELECT p = 'C:' || chr(92) || 'dir' FROM t").expect("query");
    assert_eq!(stored, "t", "the default must keep its backslash");
}

#[test]
fn the_throwaway_server_uses_a_private_socket_directory_and_the_given_port() {
    let local = LocalServer::start().expect("a local server starts");
    let meta = std::fs::metadata(local.dir()).expect("socket directory");
    assert_eq!(meta.mode() & 0o777, 0o700, "the socket directory is private");
    // initdb made data/ as the server's user: the directory is that user's too.
    let data = std::fs::metadata(local.dir().join("data")).expect("data directory");
    assert_eq!(meta.uid(), data.uid(), "the socket directory belongs to the server's user");
    assert!(local.dir().join(format!(".s.PGSQL.{PORT}")).exists(), "the socket is where the client looks");
    let got = runtime().expect("runtime").block_on(async {
        let client = local.connect().await.expect("connects");
        let row = client.query_one("SELECT current_setting('standard_conforming_strings')", &[]).await.expect("query");
        row.get::<_, String>(0)
    });
    assert_eq!(got, "on");
}

/// Dropping the server stops its postmaster and the backends it forked (a
/// session still connected included), and removes its directory.
#[test]
fn a_dropped_server_leaves_no_process_and_no_directory() {
    let local = LocalServer::start().expect("a local server starts");
    let pid_file = std::fs::read_to_string(local.dir().join("data/postmaster.pid")).expect("postmaster.pid");
    let postmaster: u32 = pid_file.lines().next().and_then(|l| l.trim().parse().ok()).expect("the postmaster's pid");
    let rt = runtime().expect("runtime");
    let (client, backend) = rt.block_on(async {
        let client = local.connect().await.expect("connects");
        let pid: i32 = client.query_one("SELECT pg_backend_pid()", &[]).await.expect("query").get(0);
        (client, pid)
    });
    let dir = local.dir().to_path_buf();
    let alive = |pid: i64| Path::new(&format!("/proc/{pid}")).exists();
    assert!(alive(postmaster.into()) && alive(backend.into()), "both run before the drop");
    drop(local);
    assert!(!alive(postmaster.into()), "the postmaster is gone once the server is dropped");
    // The postmaster ends only after its children, and its pid was reaped; the
    // backend's pid is not ours to reap, so allow it its last instant.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while alive(backend.into()) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(!alive(backend.into()), "the backend is gone too");
    assert!(!dir.exists(), "the server's directory is removed");
    drop(client);
}

/// The completed template under a cache root (one set of binaries).
fn cached_template(root: &Path) -> PathBuf {
    let dirs: Vec<PathBuf> = std::fs::read_dir(root).expect("cache root").map(|e| e.expect("entry").path()).collect();
    assert_eq!(dirs.len(), 1, "one directory per set of binaries: {dirs:?}");
    let name = dirs[0].file_name().unwrap().to_string_lossy().into_owned();
    let (major, hash) = name.split_once('-').expect("<major>-<hash>");
    assert!(major.parse::<u32>().is_ok() && !hash.is_empty(), "{name}");
    let inside: Vec<String> = std::fs::read_dir(&dirs[0])
        .expect("cache dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(inside, ["template"], "nothing half-built or discarded is left behind");
    dirs[0].join("template")
}

/// Starts a server from the cache under `root` and runs one query on it.
fn start_and_query(root: &Path) -> i32 {
    let local = LocalServer::start_cached(Some(root)).expect("a local server starts");
    runtime().expect("runtime").block_on(async {
        let client = local.connect().await.expect("connects");
        client.batch_execute("CREATE TEMP TABLE t (a int)").await.expect("writes");
        client.query_one("SELECT count(*)::int FROM pg_database", &[]).await.expect("query").get(0)
    })
}

#[test]
fn two_runs_racing_to_build_the_template_both_get_a_server_and_one_template() {
    let root = scratch("race").join("cache");
    let dbs: Vec<i32> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..2).map(|_| s.spawn(|| start_and_query(&root))).collect();
        runs.into_iter().map(|r| r.join().expect("run")).collect()
    });
    assert_eq!(dbs, [1, 1], "the template holds the postgres database only");
    let template = cached_template(&root);
    assert!(template.join("pgstate-template-complete").is_file());
    let mode = std::fs::metadata(template.parent().unwrap()).expect("cache dir").mode();
    assert_eq!(mode & 0o777, 0o700, "the cache of a trusting cluster is private");
    // A run from the cache leaves the template as it was.
    let before = std::fs::read(template.join("global/pg_control")).expect("pg_control");
    assert_eq!(start_and_query(&root), 1);
    assert_eq!(std::fs::read(template.join("global/pg_control")).expect("pg_control"), before);
}

#[test]
fn a_partial_or_corrupted_template_is_built_again() {
    let root = scratch("corrupt").join("cache");
    assert_eq!(start_and_query(&root), 1);
    let template = cached_template(&root);
    // Partial: the completion marker is written last, so a copy cut short has none.
    std::fs::remove_file(template.join("pgstate-template-complete")).expect("remove marker");
    std::fs::remove_dir_all(template.join("base")).expect("remove base");
    assert_eq!(start_and_query(&root), 1);
    let template = cached_template(&root);
    assert!(template.join("pgstate-template-complete").is_file(), "built again");
    // Corrupted but complete-looking: the server cannot start from it.
    std::fs::write(template.join("global/pg_control"), b"garbage").expect("corrupt");
    assert_eq!(start_and_query(&root), 1);
    let template = cached_template(&root);
    assert!(std::fs::metadata(template.join("global/pg_control")).expect("pg_control").len() > 7, "built again");
}

/// Two files the parser alone cannot tell are one schema, so an offline plan
/// really starts the throwaway server; and one with a real change.
fn offline_pair(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let (current, same, changed) = (dir.join("current.sql"), dir.join("same.sql"), dir.join("changed.sql"));
    std::fs::write(
        &current,
        "CREATE TABLE job (name varchar(10), at date DEFAULT '2020-01-01'::date, \
         CONSTRAINT job_name_check CHECK (name::text ~~ 'a%'::text));",
    )
    .expect("write");
    std::fs::write(
        &same,
        "CREATE TABLE job (name varchar(10), at date DEFAULT date '2020-01-01', \
         CONSTRAINT job_name_check CHECK (name LIKE 'a%'));",
    )
    .expect("write");
    std::fs::write(
        &changed,
        "CREATE TABLE job (name varchar(10), at date DEFAULT date '2020-01-01', \
         CONSTRAINT job_name_check CHECK (name LIKE 'b%'));",
    )
    .expect("write");
    (current, same, changed)
}

/// Variables that pointed libpq and the server tools elsewhere (the TLS,
/// service and password-file ones would make the throwaway server's client fail).
const UNRELATED: [(&str, &str); 13] = [
    ("PGSSLMODE", "verify-full"),
    ("PGSSLROOTCERT", "/nonexistent/root.crt"),
    ("PGSERVICE", "nowhere"),
    ("PGPASSFILE", "/nonexistent/pgpass"),
    ("PGAPPNAME", "not-pgstate"),
    ("PGPORT", "5999"),
    ("PGHOST", "/nonexistent"),
    ("PGUSER", "nobody_at_all"),
    ("PGDATA", "/nonexistent/data"),
    ("PGDATABASE", "nowhere"),
    ("PGOPTIONS", "-c search_path=nowhere"),
    ("PGTZ", "Antarctica/Troll"),
    ("PGCLIENTENCODING", "LATIN1"),
];

/// `pgstate plan --from current --schema desired` in `dir`, as `runuser -u
/// user` when given, with the unrelated PG* variables set.
fn offline_plan(dir: &Path, current: &Path, desired: &Path, user: Option<&str>) -> Output {
    let mut cmd = match user {
        Some(u) => {
            let mut c = Command::new("runuser");
            c.args(["-u", u, "--", env!("CARGO_BIN_EXE_pgstate")]);
            c
        }
        None => Command::new(env!("CARGO_BIN_EXE_pgstate")),
    };
    cmd.args(["plan", "--from"]).arg(current).arg("--schema").arg(desired).current_dir(dir);
    // A cache of its own: the template is built with the variables set, then used.
    cmd.env("XDG_CACHE_HOME", dir.join("cache")).env_remove("DATABASE_URL").env("RUST_BACKTRACE", "0").envs(UNRELATED);
    cmd.output().expect("pgstate runs")
}

fn settles_on_the_server(dir: &Path, user: Option<&str>) {
    let (current, same, changed) = offline_pair(dir);
    let out = offline_plan(dir, &current, &same, user);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("parser alone"), "the server must have settled the expressions: {err}");
    assert_eq!(text(&out.stdout), "", "{err}");
    let out = offline_plan(dir, &current, &changed, user);
    let (plan, err) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success() && !err.contains("parser alone"), "{err}");
    assert!(plan.contains("job_name_check CHECK (name LIKE 'b%')"), "{plan}");
    assert!(!plan.contains("DEFAULT"), "{plan}");
}

/// A settle creates every table whose constraints' spellings differ, in one
/// transaction: 3,000 of them (1,500 a side) hold more locks than a
/// server's default lock table has (the plan failed), and the throwaway
/// server's holds them.
#[test]
fn the_throwaway_server_settles_thousands_of_tables_in_one_transaction() {
    let dir = scratch("many_locks");
    let (current, desired) = (dir.join("current.sql"), dir.join("desired.sql"));
    let tables = |check: &dyn Fn(usize) -> String| -> String {
        (0..1_500)
            .map(|i| format!("CREATE TABLE t{i} (name varchar(10), CONSTRAINT t{i}_check CHECK ({}));\n", check(i)))
            .collect()
    };
    std::fs::write(&current, tables(&|i| format!("name::text ~~ 'a{i}%'::text"))).expect("write");
    std::fs::write(&desired, tables(&|i| format!("name LIKE 'a{i}%'"))).expect("write");
    let out = offline_plan(&dir, &current, &desired, None);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("parser alone"), "the server must have settled the expressions: {err}");
    assert_eq!(text(&out.stdout), "", "the same checks once the server spells them: {err}");
}

#[test]
fn the_throwaway_server_ignores_the_pg_environment() {
    let dir = scratch("hermetic");
    settles_on_the_server(&dir, None);
    // The template was built with the variables set, and the second plan started from it.
    assert!(cached_template(&dir.join("cache").join("pgstate")).join("PG_VERSION").is_file());
}

#[test]
fn the_throwaway_server_runs_for_an_ordinary_user() {
    if current_uid().expect("uid") != 0 {
        // Already an ordinary user: the test above is this one.
        return;
    }
    let dir = scratch("ordinary");
    // The ordinary user reads the files and writes nothing here.
    settles_on_the_server(&dir, Some("postgres"));
}

#[test]
fn a_server_that_cannot_start_says_what_failed() {
    // A socket path longer than Unix allows: initdb works, the server refuses to start.
    let deep = scratch("deep").join("x".repeat(90));
    std::fs::create_dir_all(&deep).expect("deep dir");
    let dir = scratch("fails");
    let (current, same, _) = offline_pair(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_pgstate"))
        .args(["plan", "--from"])
        .arg(&current)
        .arg("--schema")
        .arg(&same)
        .current_dir(&dir)
        .env("TMPDIR", &deep)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env_remove("DATABASE_URL")
        .output()
        .expect("pgstate runs");
    let err = text(&out.stderr);
    assert!(out.status.success(), "the parser decides instead: {err}");
    assert!(err.contains("warning: expressions compared by the parser alone"), "{err}");
    assert!(err.contains("the server failed"), "what failed: {err}");
    assert!(err.contains("command: ") && err.contains("postgres -D"), "the command line: {err}");
    assert!(err.contains("server log") && err.contains("too long"), "the log's last lines: {err}");
    let left = std::fs::read_dir(&deep).expect("deep dir").count();
    assert_eq!(left, 0, "the failed server's directory is removed");
}

/// Files past `START_EARLY_BYTES` start the throwaway server while they are
/// parsed: it settles as before when an expression needs it, is stopped
/// unused when none does, and neither run leaves a server directory behind.
#[test]
fn a_server_started_early_settles_or_stops_and_leaves_nothing() {
    let dir = scratch("early");
    let servers = dir.join("servers");
    std::fs::create_dir_all(&servers).expect("servers dir");
    let (current, same, _) = offline_pair(&dir);
    // Size is what counts: comments (cheap to read in a debug build) and a few tables.
    let mut filler: String =
        (0..100).map(|i| format!("CREATE TABLE filler_{i} (id integer PRIMARY KEY, note text NOT NULL);\n")).collect();
    let comment = format!("-- {}\n", "filler ".repeat(20));
    filler += &comment.repeat(pgstate::ops::settle::START_EARLY_BYTES / comment.len() + 1);
    assert!(filler.len() > pgstate::ops::settle::START_EARLY_BYTES, "the files must be large");
    let grow = |path: &Path| {
        let text = std::fs::read_to_string(path).expect("read") + "\n" + &filler;
        std::fs::write(path, text).expect("write");
    };
    grow(&current);
    grow(&same);
    let run = |from: &Path, to: &Path| {
        Command::new(env!("CARGO_BIN_EXE_pgstate"))
            .args(["plan", "--from"])
            .arg(from)
            .arg("--schema")
            .arg(to)
            .current_dir(&dir)
            .env("TMPDIR", &servers)
            .env("XDG_CACHE_HOME", dir.join("cache"))
            .env_remove("DATABASE_URL")
            .output()
            .expect("pgstate runs")
    };
    // Needs the server: the two spellings are one schema only to PostgreSQL.
    let out = run(&current, &same);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("parser alone"), "the server must have settled the expressions: {err}");
    assert_eq!(text(&out.stdout), "", "{err}");
    // Needs no server: the one started early is stopped unused.
    let out = run(&same, &same);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "");
    let left: Vec<_> = std::fs::read_dir(&servers).expect("servers dir").flatten().map(|e| e.file_name()).collect();
    assert!(left.is_empty(), "server directories left behind: {left:?}");
}

/// A single-use scratchpad (`plan`, `drift`) lets its throwaway server go
/// once it has settled, on another thread; settling again on the same pad
/// starts another server and settles as well (no session to a stopped
/// server is kept), and nothing says the parser decided alone.
#[test]
fn a_single_use_scratchpad_settles_again_after_its_server_went() {
    use pgstate::ops::settle::{Scratchpad, Settle};
    use pgstate::parse::parse_str;
    // The server prints `LIKE` on varchar as `~~` on text: only it can tell these agree.
    let current = parse_str(
        "current.sql",
        "CREATE TABLE t (a varchar(9), CONSTRAINT t_a_check CHECK (((a)::text ~~ 'x%'::text)));",
    )
    .expect("parses")
    .catalog;
    let written = "CREATE TABLE t (a varchar(9), CONSTRAINT t_a_check CHECK (a LIKE 'x%'));";
    let rt = runtime().expect("runtime");
    let mut pad = Scratchpad::new(Settle::LocalServer).single_use();
    for round in ["first", "second"] {
        let mut desired = parse_str("desired.sql", written).expect("parses").catalog;
        assert_ne!(desired, current, "{round}: the texts differ before the settle");
        let settled = rt.block_on(pad.settle(&mut desired, &current)).expect("settles");
        assert!(settled > 0, "{round}: the check was settled");
        assert_eq!(desired, current, "{round}: the server's spelling is taken");
    }
    assert!(pad.warnings.is_empty(), "{:?}", pad.warnings);
}
