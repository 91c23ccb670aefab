//! `plan` and `drift` only read the target: they succeed as a role with
//! nothing but CONNECT, USAGE and SELECT on the catalogs (no CREATE, no TEMP),
//! and on a hot standby, while the desired files spell their checks and
//! defaults differently from what the server stored (so the spellings are
//! settled on a scratchpad, never on the target), and leave no object behind.

mod support;

use std::path::PathBuf;
use std::process::{Command, Output};

use support::catalog::snapshot_lines;
use support::pg::{Db, PgCluster};

fn pgstate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pgstate"))
        .args(args)
        .current_dir(std::env::temp_dir())
        .env_remove("DATABASE_URL")
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("pgstate runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The target, as PostgreSQL stores it (and prints it back).
const LIVE: &str = "CREATE TABLE victim (id int); INSERT INTO victim VALUES (1), (2);\n\
     CREATE TABLE job (id int PRIMARY KEY, name varchar(10) DEFAULT 'x'::character varying, \
       at date DEFAULT '2020-01-01'::date, n numeric DEFAULT 0, \
       CONSTRAINT job_name_check CHECK (((name)::text ~~ 'a%'::text)), \
       CONSTRAINT job_n_check CHECK ((n >= (0)::numeric)));\n\
     CREATE INDEX job_at ON job (at) WHERE (n > (1)::numeric);";

/// The same schema, spelled as a person writes it: the parser alone cannot tell.
const SAME: &str = "CREATE TABLE victim (id int);\n\
     CREATE TABLE job (id int PRIMARY KEY, name varchar(10) DEFAULT 'x', at date DEFAULT date '2020-01-01', \
       n numeric DEFAULT 0, CONSTRAINT job_name_check CHECK (name LIKE 'a%'), CONSTRAINT job_n_check CHECK (n >= 0));\n\
     CREATE INDEX job_at ON job (at) WHERE n > 1;";

/// And with one real change.
fn changed() -> String {
    SAME.replace("n numeric DEFAULT 0,", "n numeric DEFAULT 0, note text,")
}

fn files(name: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("pgstate-readonly-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let (same, changed_path) = (dir.join("same.sql"), dir.join("changed.sql"));
    std::fs::write(&same, SAME).expect("write");
    std::fs::write(&changed_path, changed()).expect("write");
    (same, changed_path)
}

/// Everything in the database that a scratch object would show up in.
fn objects(db: &Db) -> (Vec<String>, String) {
    let counts = db
        .psql(
            "SELECT (SELECT count(*) FROM pg_namespace) || ' ' || (SELECT count(*) FROM pg_class) || ' ' || \
             (SELECT count(*) FROM pg_proc) || ' ' || (SELECT count(*) FROM pg_type)",
        )
        .expect("counts");
    (snapshot_lines(db), counts)
}

/// `plan` and `drift` against `url`: in sync with the differently spelled
/// files, one column to add with the changed ones; the target and the
/// scratch database unchanged. `dev`: the `--dev-url`, or none for the
/// throwaway server.
fn plan_and_drift_read_only(url: &str, target: &Db, dev: Option<&Db>, name: &str) {
    let (same, changed) = files(name);
    let (same, changed) = (same.to_string_lossy().into_owned(), changed.to_string_lossy().into_owned());
    let before = objects(target);
    let dev_before = dev.map(objects);
    let dev_url = dev.map(Db::url);
    let run = |command: &str, schema: &str| {
        let mut args = vec![command, "--url", url, "--schema", schema];
        if let Some(d) = &dev_url {
            args.extend(["--dev-url", d]);
        }
        pgstate(&args)
    };
    // The parser alone sees differences: the server had to settle them.
    let parser = pgstate(&["plan", "--url", url, "--schema", &same, "--parser-only"]);
    assert!(parser.status.success() && !parser.stdout.is_empty(), "{name}: the spellings must differ to the parser");

    let plan = run("plan", &same);
    assert!(plan.status.success(), "{name}: plan: {}", text(&plan.stderr));
    assert_eq!(text(&plan.stdout), "", "{name}: {}", text(&plan.stderr));
    let drift = run("drift", &same);
    assert_eq!(drift.status.code(), Some(0), "{name}: drift: {}{}", text(&drift.stdout), text(&drift.stderr));

    let plan = run("plan", &changed);
    assert!(plan.status.success(), "{name}: plan: {}", text(&plan.stderr));
    assert_eq!(text(&plan.stdout), "ALTER TABLE public.job ADD COLUMN note text;\n", "{name}");
    let drift = run("drift", &changed);
    assert_eq!(drift.status.code(), Some(1), "{name}: drift: {}{}", text(&drift.stdout), text(&drift.stderr));

    assert_eq!(objects(target), before, "{name}: plan or drift left something on the target");
    assert_eq!(target.psql("SELECT count(*) FROM victim").as_deref(), Ok("2"), "{name}: victim's rows");
    if let (Some(d), Some(b)) = (dev, dev_before) {
        assert_eq!(objects(d), b, "{name}: the scratch database changed");
    }
}

#[test]
fn plan_and_drift_need_only_connect_usage_and_select() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("readonly");
    db.psql(LIVE).expect("loads");
    cluster.create_roles(&["pgstate_reader".to_string()]).expect("role");
    db.psql(&format!(
        "ALTER ROLE pgstate_reader LOGIN;\n\
         REVOKE ALL ON DATABASE {0} FROM PUBLIC;\n\
         REVOKE TEMP ON DATABASE {0} FROM PUBLIC;\n\
         REVOKE CREATE ON SCHEMA public FROM PUBLIC;\n\
         GRANT CONNECT ON DATABASE {0} TO pgstate_reader;\n\
         GRANT USAGE ON SCHEMA public TO pgstate_reader;",
        db.name
    ))
    .expect("privileges");
    let privileges = db
        .psql(&format!(
            "SELECT has_database_privilege('pgstate_reader', '{0}', 'CREATE'), \
             has_database_privilege('pgstate_reader', '{0}', 'TEMP'), \
             has_schema_privilege('pgstate_reader', 'public', 'CREATE'), \
             has_table_privilege('pgstate_reader', 'job', 'SELECT'), \
             has_database_privilege('pgstate_reader', '{0}', 'CONNECT')",
            db.name
        ))
        .expect("privileges");
    assert_eq!(privileges, "f|f|f|f|t", "the reader may connect and read the catalogs, nothing more");
    let url = format!("postgres://pgstate_reader@127.0.0.1:{}/{}", db.port, db.name);
    let dev = cluster.fresh_db("readonly_dev");
    plan_and_drift_read_only(&url, &db, Some(&dev), "reader, --dev-url");
    // With no --dev-url: the throwaway server settles them.
    plan_and_drift_read_only(&url, &db, None, "reader, throwaway server");
}

#[test]
fn plan_and_drift_work_on_a_hot_standby() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("standby_src");
    db.psql(LIVE).expect("loads");
    let standby = cluster.start_standby();
    let replica = standby.db(&db.name);
    // A real replica: it has the primary's data and refuses to change.
    assert_eq!(replica.psql("SELECT pg_is_in_recovery()").expect("query"), "t");
    assert_eq!(replica.psql("SELECT count(*) FROM victim").expect("replicated"), "2");
    let refused = replica.psql("CREATE TABLE x (id int)").expect_err("a standby refuses DDL");
    assert!(refused.contains("read-only transaction"), "{refused}");
    let dev = cluster.fresh_db("standby_dev");
    plan_and_drift_read_only(&replica.url(), &replica, Some(&dev), "hot standby");
}

/// The catalog read over a session and `READERS` more in one exported
/// snapshot is the one a single session reads, with the same number of
/// queries; and the server does let them share the snapshot (no silent fallback).
fn readers_read_what_one_session_reads(db: &Db, name: &str) {
    use pgstate::connection::{runtime, Target};
    use pgstate::introspect::{can_share_snapshot, introspect_over, Scope, READERS};
    let scope = Scope::Schemas(vec!["public".to_string()]);
    runtime().expect("runtime").block_on(async {
        let target = Target::parse(&db.url()).expect("url");
        let client = target.connect().await.expect("connect");
        let readers = target.connect_all(READERS).await.expect("readers connect");
        assert!(
            can_share_snapshot(&client, &readers).await.expect("probe"),
            "{name}: the sessions could not share a snapshot"
        );
        let one = introspect_over(&client, &[], &scope, "public").await.expect("one session");
        let over = introspect_over(&client, &readers, &scope, "public").await.expect("readers");
        assert_eq!(over.catalog, one.catalog, "{name}");
        assert_eq!(over.queries, one.queries, "{name}");
        assert_eq!(over.catalog.tables.len(), 2, "{name}");
        // The snapshot transactions are over, the session's own as the readers'.
        for r in std::iter::once(&client).chain(&readers) {
            let level: String = r.query_one("SHOW transaction_isolation", &[]).await.expect("show").get(0);
            assert_eq!(level, "read committed", "{name}: a reader was left in its transaction");
        }
    });
}

#[test]
fn readers_share_one_snapshot_on_a_primary_and_on_a_hot_standby() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("readers_src");
    db.psql(LIVE).expect("loads");
    readers_read_what_one_session_reads(&db, "primary");
    let standby = cluster.start_standby();
    readers_read_what_one_session_reads(&standby.db(&db.name), "hot standby");
}
