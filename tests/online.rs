//! Online-safe plans on real PostgreSQL: NOT VALID constraints modelled and
//! validated, steps on tables that exist planned NOT VALID + VALIDATE and
//! CONCURRENTLY by default (the printed plan being what runs), lock hazards,
//! the plain single-transaction form with --transactional, and a failed
//! concurrent build cleaned up.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::pg::{Db, PgCluster};

fn pgstate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pgstate"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("pgstate runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn schema_file(name: &str, sql: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pgstate-online-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("schema.sql");
    std::fs::write(&path, sql).expect("write schema");
    path
}

fn plan(db: &Db, schema: &Path, extra: &[&str]) -> String {
    let (url, schema) = (db.url(), schema.to_string_lossy().into_owned());
    let mut args = vec!["plan", "--url", &url, "--schema", &schema];
    args.extend_from_slice(extra);
    let out = pgstate(&args);
    assert!(out.status.success(), "plan failed: {}", text(&out.stderr));
    text(&out.stdout)
}

fn apply(db: &Db, schema: &Path, extra: &[&str]) -> Output {
    let (url, schema) = (db.url(), schema.to_string_lossy().into_owned());
    let mut args = vec!["apply", "--url", &url, "--schema", &schema, "--yes"];
    args.extend_from_slice(extra);
    pgstate(&args)
}

fn applied(db: &Db, schema: &Path, extra: &[&str]) -> String {
    let out = apply(db, schema, extra);
    assert!(out.status.success(), "apply failed: {}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stderr)
}

/// `(conname, convalidated)` of every constraint of the database's public tables.
fn validity(db: &Db) -> String {
    db.psql(
        "SELECT string_agg(conname || '=' || convalidated, ' ' ORDER BY conname) FROM pg_constraint \
         WHERE connamespace = 'public'::regnamespace AND contype IN ('f', 'c')",
    )
    .expect("query")
}

const BEFORE: &str = "CREATE TABLE a (id int PRIMARY KEY, code text);\n\
                      CREATE TABLE b (id int, a_id int, n int);";

const ROWS: &str = "INSERT INTO a VALUES (1, 'x'), (2, 'y'); INSERT INTO b VALUES (1, 1, 5), (2, 2, 6);";

const AFTER: &str = "CREATE TABLE a (id int PRIMARY KEY, code text CONSTRAINT a_code_key UNIQUE);\n\
                     CREATE TABLE b (id int NOT NULL, a_id int REFERENCES a (id), n int CHECK (n > 0));\n\
                     CREATE INDEX b_n_idx ON b (n);\n\
                     COMMENT ON INDEX b_n_idx IS 'by n';";

#[test]
fn steps_on_existing_tables_are_online_and_the_plan_printed_is_the_plan_run() {
    let db = PgCluster::shared().fresh_db("online");
    db.psql(&format!("{BEFORE}\n{ROWS}")).expect("loads");
    let schema = schema_file("online", AFTER);
    let shown = plan(&db, &schema, &[]);
    for expected in [
        "ALTER TABLE public.b ADD CONSTRAINT b_a_id_fkey FOREIGN KEY (a_id) REFERENCES public.a (id) NOT VALID;",
        "ALTER TABLE public.b VALIDATE CONSTRAINT b_a_id_fkey;",
        "ALTER TABLE public.b ADD CONSTRAINT b_n_check CHECK (n > 0) NOT VALID;",
        "ALTER TABLE public.b VALIDATE CONSTRAINT b_n_check;",
        "ALTER TABLE public.b ADD CONSTRAINT b_id_notnull CHECK (id IS NOT NULL) NOT VALID;",
        "ALTER TABLE public.b VALIDATE CONSTRAINT b_id_notnull;",
        "ALTER TABLE public.b ALTER COLUMN id SET NOT NULL;\nALTER TABLE public.b DROP CONSTRAINT b_id_notnull;",
        "CREATE INDEX CONCURRENTLY b_n_idx ON public.b (n);",
        "CREATE UNIQUE INDEX CONCURRENTLY a_code_key ON public.a (code);",
        "ALTER TABLE public.a ADD CONSTRAINT a_code_key UNIQUE USING INDEX a_code_key;",
    ] {
        assert!(shown.contains(expected), "missing {expected:?} in:\n{shown}");
    }
    assert!(!shown.contains("-- hazard: lock:"), "no step holds a strong lock while it scans:\n{shown}");
    // Non-transactional statements are outside BEGIN ... COMMIT; what needs them comes after.
    let validate = shown.find("VALIDATE CONSTRAINT b_id_notnull").expect("validate");
    let set = shown.find("ALTER COLUMN id SET NOT NULL").expect("set");
    let index = shown.find("CREATE INDEX CONCURRENTLY b_n_idx").expect("index");
    let comment = shown.find("COMMENT ON INDEX").expect("comment");
    assert!(validate < set && index < comment, "{shown}");
    let before_validate = &shown[..validate];
    assert!(before_validate.rfind("COMMIT;") > before_validate.rfind("BEGIN;"), "VALIDATE runs alone:\n{shown}");
    let stderr = applied(&db, &schema, &[]);
    assert!(stderr.contains(&shown), "the confirmation shows exactly the plan printed:\n{stderr}");
    assert_eq!(plan(&db, &schema, &[]), "", "converged");
    assert_eq!(validity(&db), "b_a_id_fkey=true b_n_check=true");
    assert_eq!(
        db.psql("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'b'::regclass AND attname = 'id'").unwrap(),
        "t"
    );
}

#[test]
fn transactional_keeps_the_plain_forms_with_their_lock_hazards() {
    let db = PgCluster::shared().fresh_db("plainforms");
    db.psql(&format!("{BEFORE}\n{ROWS}")).expect("loads");
    let schema = schema_file("plainforms", AFTER);
    let shown = plan(&db, &schema, &["--transactional"]);
    assert!(!shown.contains("NOT VALID") && !shown.contains("CONCURRENTLY") && !shown.contains("BEGIN;"), "{shown}");
    assert!(
        shown.contains("-- hazard: lock: ACCESS EXCLUSIVE on public.b while every row is scanned for NULL in id"),
        "{shown}"
    );
    assert!(shown.contains("-- hazard: lock: SHARE on public.b: writes wait while index b_n_idx is built"), "{shown}");
    applied(&db, &schema, &["--transactional"]);
    assert_eq!(plan(&db, &schema, &[]), "");
}

#[test]
fn tables_created_by_the_plan_keep_the_plain_forms() {
    let db = PgCluster::shared().fresh_db("newtables");
    let schema = schema_file("newtables", AFTER);
    let shown = plan(&db, &schema, &[]);
    assert!(!shown.contains("NOT VALID") && !shown.contains("CONCURRENTLY") && !shown.contains("VALIDATE"), "{shown}");
    assert!(!shown.contains("hazard"), "{shown}");
    applied(&db, &schema, &[]);
    assert_eq!(plan(&db, &schema, &[]), "");
}

#[test]
fn a_plain_concurrent_index_plan_converges() {
    let db = PgCluster::shared().fresh_db("onlyindex");
    db.psql("CREATE TABLE t (a int, b text); INSERT INTO t SELECT g, g::text FROM generate_series(1, 100) g;")
        .expect("loads");
    let schema = schema_file("onlyindex", "CREATE TABLE t (a int, b text); CREATE UNIQUE INDEX t_a_idx ON t (a);");
    let shown = plan(&db, &schema, &[]);
    assert_eq!(
        shown,
        "-- hazard: may fail: unique index t_a_idx on public.t fails on existing duplicates\n\
         CREATE UNIQUE INDEX CONCURRENTLY t_a_idx ON public.t (a);\n"
    );
    applied(&db, &schema, &[]);
    assert_eq!(plan(&db, &schema, &[]), "", "a second plan is empty");
}

#[test]
fn a_failed_concurrent_build_leaves_no_invalid_index() {
    let db = PgCluster::shared().fresh_db("failedbuild");
    db.psql("CREATE TABLE t (a int); INSERT INTO t VALUES (1), (1);").expect("loads");
    let schema = schema_file("failedbuild", "CREATE TABLE t (a int); CREATE UNIQUE INDEX t_a_idx ON t (a);");
    let out = apply(&db, &schema, &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("the INVALID index public.t_a_idx the failed build left was dropped"), "{stderr}");
    assert_eq!(db.psql("SELECT count(*) FROM pg_index WHERE indrelid = 't'::regclass").unwrap(), "0");
    db.psql("DELETE FROM t WHERE ctid = (SELECT max(ctid) FROM t)").expect("dedupe");
    applied(&db, &schema, &[]);
    assert_eq!(plan(&db, &schema, &[]), "");
}

#[test]
fn not_valid_constraints_are_modelled() {
    let db = PgCluster::shared().fresh_db("notvalid");
    db.psql("CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (a_id int, n int); INSERT INTO b VALUES (7, -1);")
        .expect("loads");
    // As pg_dump writes them: added after the table, NOT VALID.
    let loose = schema_file(
        "notvalid-loose",
        "CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (a_id int, n int);\n\
         ALTER TABLE ONLY public.b ADD CONSTRAINT b_a_fk FOREIGN KEY (a_id) REFERENCES public.a(id) NOT VALID;\n\
         ALTER TABLE b ADD CONSTRAINT b_n_check CHECK (n > 0) NOT VALID;",
    );
    let shown = plan(&db, &loose, &[]);
    assert!(!shown.contains("VALIDATE") && !shown.contains("hazard"), "{shown}");
    assert!(shown.contains("FOREIGN KEY (a_id) REFERENCES public.a (id) NOT VALID;"), "{shown}");
    applied(&db, &loose, &[]);
    assert_eq!(validity(&db), "b_a_fk=false b_n_check=false");
    assert_eq!(plan(&db, &loose, &[]), "", "a live NOT VALID constraint matches a desired NOT VALID one");
    let drift = pgstate(&["drift", "--url", &db.url(), "--schema", &loose.to_string_lossy()]);
    assert_eq!(drift.status.code(), Some(0), "{}", text(&drift.stdout));

    // Desired valid against live NOT VALID: validated, which fails on the rows that violate it.
    let strict = schema_file(
        "notvalid-strict",
        "CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (a_id int, n int);\n\
         ALTER TABLE b ADD CONSTRAINT b_a_fk FOREIGN KEY (a_id) REFERENCES a(id);\n\
         ALTER TABLE b ADD CONSTRAINT b_n_check CHECK (n > 0);",
    );
    let shown = plan(&db, &strict, &[]);
    assert!(shown.contains("ALTER TABLE public.b VALIDATE CONSTRAINT b_a_fk;"), "{shown}");
    assert!(shown.contains("ALTER TABLE public.b VALIDATE CONSTRAINT b_n_check;"), "{shown}");
    assert!(shown.contains("-- hazard: may fail: validating foreign key constraint b_a_fk"), "{shown}");
    assert!(!shown.contains("DROP CONSTRAINT"), "never dropped and added again:\n{shown}");
    assert_eq!(apply(&db, &strict, &[]).status.code(), Some(2), "row (7, -1) violates both");
    db.psql("INSERT INTO a VALUES (7); UPDATE b SET n = 1;").expect("fix rows");
    applied(&db, &strict, &[]);
    assert_eq!(validity(&db), "b_a_fk=true b_n_check=true");
    assert_eq!(plan(&db, &strict, &[]), "");
    // A valid constraint where NOT VALID is desired: PostgreSQL cannot un-validate, nothing to do.
    assert_eq!(plan(&db, &loose, &[]), "");
}

#[test]
fn apply_reports_each_step_and_the_lock_it_waits_for_unless_quiet() {
    let db = PgCluster::shared().fresh_db("progress");
    db.psql("CREATE TABLE t (a int); INSERT INTO t VALUES (1);").expect("loads");
    let schema = schema_file("progress", "CREATE TABLE t (a int CHECK (a > 0)); CREATE INDEX t_a_idx ON t (a);");
    // Another pgstate holds the apply lock for a moment.
    let holder = db.clone();
    let key = pgstate::ops::apply::LOCK_KEY;
    let held = std::thread::spawn(move || {
        holder.psql(&format!("SELECT pg_advisory_lock({key}); SELECT pg_sleep(1.5);")).expect("holds the lock")
    });
    std::thread::sleep(std::time::Duration::from_millis(500));
    let stderr = applied(&db, &schema, &[]);
    held.join().expect("holder");
    assert!(stderr.contains("waiting for another pgstate apply on this database to finish"), "{stderr}");
    // Without a terminal: one line per statement, saying which run alone.
    assert!(
        stderr.contains("step 1/3: ALTER TABLE public.t ADD CONSTRAINT t_a_check CHECK (a > 0) NOT VALID"),
        "{stderr}"
    );
    assert!(
        stderr.contains("(alone, outside a transaction): ALTER TABLE public.t VALIDATE CONSTRAINT t_a_check"),
        "{stderr}"
    );
    assert!(stderr.contains("ran 3 statements in"), "{stderr}");

    let quiet = schema_file("progress-quiet", "CREATE TABLE t (a int CHECK (a > 0));");
    let stderr = applied(&db, &quiet, &["--quiet"]);
    assert!(!stderr.contains("step 1/") && !stderr.contains("ran 1 statements"), "{stderr}");
}

/// osm's committed structure.sql (../shared/realworld), up to Rails' trailing
/// INSERT, which is data: its NOT VALID foreign keys, loaded by psql, match
/// the file; the same file with the keys valid validates them in place.
#[test]
fn osm_not_valid_foreign_keys_match_and_validate() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/realworld/osm/old.sql");
    let path = if path.exists() { path } else { PathBuf::from("/work/shared/realworld/osm/old.sql") };
    let full = std::fs::read_to_string(&path).expect("../shared/realworld/osm/old.sql is readable");
    let cut = full.find("INSERT INTO \"schema_migrations\"").unwrap_or(full.len());
    let sql = &full[..cut];
    let not_valid: Vec<&str> =
        sql.lines().filter(|l| l.contains("NOT VALID")).filter_map(|l| l.split_whitespace().nth(2)).collect();
    assert_eq!(not_valid.len(), 5, "osm has five NOT VALID foreign keys");
    let db = PgCluster::shared().fresh_db("osm");
    db.psql(&full).expect("osm loads with psql");
    let loose = schema_file("osm-loose", sql);
    let shown = plan(&db, &loose, &["--parser-only"]);
    for name in &not_valid {
        assert!(!shown.contains(name), "{name} is NOT VALID on both sides:\n{shown}");
    }
    let strict = schema_file("osm-strict", &sql.replace(" NOT VALID;", ";"));
    let shown = plan(&db, &strict, &["--parser-only"]);
    for name in &not_valid {
        assert!(shown.contains(&format!("VALIDATE CONSTRAINT {name};")), "{name} is validated:\n{shown}");
        assert!(!shown.contains(&format!("DROP CONSTRAINT {name}")), "{shown}");
    }
}

#[test]
fn hazards_are_approved_by_kind() {
    let db = PgCluster::shared().fresh_db("allowhazard");
    db.psql(&format!("{BEFORE}\n{ROWS}")).expect("loads");
    let schema = schema_file("allowhazard", AFTER);
    let before = support::snapshot_lines(&db);
    // The online plan's steps may fail on existing rows; once a kind is listed, only it is allowed.
    let out = apply(&db, &schema, &["--allow-hazard", "lock"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("refusing to apply: steps have hazards of kinds not allowed: "), "{err}");
    assert!(err.contains("public.b.b_n_check (may fail)"), "{err}");
    assert!(err.contains("Pass --allow-hazard may-fail to allow them"), "{err}");
    assert_eq!(support::snapshot_lines(&db), before, "nothing may change");
    // The plain forms also hold locks while they scan: both kinds must be listed.
    let out = apply(&db, &schema, &["--transactional", "--allow-hazard", "may-fail"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("Pass --allow-hazard lock to allow them"), "{err}");
    assert_eq!(support::snapshot_lines(&db), before, "nothing may change");
    applied(&db, &schema, &["--transactional", "--allow-hazard", "may-fail", "--allow-hazard", "rewrite"]);
    assert_eq!(plan(&db, &schema, &[]), "", "converged");

    // Data loss: refused whatever other kind is listed, allowed by its kind or by --allow-destructive.
    let smaller =
        schema_file("allowhazard-drop", "CREATE TABLE a (id int PRIMARY KEY, code text CONSTRAINT a_code_key UNIQUE);");
    let out = apply(&db, &smaller, &["--allow-hazard", "may-fail"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("public.b (data loss)") && err.contains("--allow-hazard data-loss"), "{err}");
    let out = apply(&db, &smaller, &[]);
    assert!(text(&out.stderr).contains("pass --allow-destructive to allow it"), "{}", text(&out.stderr));
    applied(&db, &smaller, &["--allow-hazard", "data-loss"]);
    assert_eq!(plan(&db, &smaller, &[]), "", "converged");

    let out = apply(&db, &smaller, &["--allow-hazard", "everything"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("unknown hazard kind \"everything\": one of data-loss, may-fail, lock"), "{err}");
}
