//! Saved plans on real PostgreSQL: `plan --out FILE` then `apply --plan FILE`
//! runs exactly the file when the database did not change, and refuses
//! (exit 2, nothing changed, saying what changed) when it did.

mod support;

use std::path::PathBuf;
use std::process::{Command, Output};

use support::catalog::snapshot_lines;
use support::pg::PgCluster;

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

fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pgstate-planfile-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

const SCHEMA: &str = "CREATE TABLE t (id int PRIMARY KEY, n int CHECK (n > 0));\n\
                      CREATE INDEX t_n_idx ON t (n);";

/// Writes the schema and a saved plan against `url`; returns (schema, plan file, printed plan).
fn saved_plan(url: &str, name: &str) -> (PathBuf, PathBuf, String) {
    let d = dir(name);
    let (schema, file) = (d.join("schema.sql"), d.join("plan.sql"));
    std::fs::write(&schema, SCHEMA).expect("write schema");
    let out = pgstate(&["plan", "--url", url, "--schema", &schema.to_string_lossy(), "--out", &file.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    (schema, file, text(&out.stdout))
}

#[test]
fn a_saved_plan_runs_exactly_when_the_database_did_not_change() {
    let db = PgCluster::shared().fresh_db("savedok");
    db.psql("CREATE TABLE t (id int PRIMARY KEY, n int); INSERT INTO t VALUES (1, 1);").expect("loads");
    let (schema, file, printed) = saved_plan(&db.url(), "ok");
    let written = std::fs::read_to_string(&file).expect("plan file");
    assert!(written.starts_with("-- pgstate plan, computed against a database with fingerprint "), "{written}");
    assert!(
        written.contains("CREATE INDEX CONCURRENTLY t_n_idx") && printed.contains("CREATE INDEX CONCURRENTLY t_n_idx")
    );
    assert!(written.lines().last().unwrap_or_default().starts_with("-- pgstate-plan-state: {"), "{written}");
    // A second plan reads the same fingerprint: reading is deterministic.
    let (_, again, _) = saved_plan(&db.url(), "ok2");
    assert_eq!(std::fs::read_to_string(&again).unwrap(), written);

    // The reviewer's edit is what runs: a comment added to the file is applied too.
    let edited = written.replacen("BEGIN;\n", "BEGIN;\nCOMMENT ON TABLE public.t IS 'reviewed';\n", 1);
    std::fs::write(&file, &edited).expect("edit");
    let out = pgstate(&["apply", "--url", &db.url(), "--plan", &file.to_string_lossy(), "--yes"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("VALIDATE CONSTRAINT t_n_check") && stderr.contains("applied the saved plan"), "{stderr}");
    assert_eq!(db.psql("SELECT obj_description('t'::regclass)").unwrap(), "reviewed");
    assert_eq!(db.psql("SELECT convalidated FROM pg_constraint WHERE conname = 't_n_check'").unwrap(), "t");
    // Only the comment differs from the desired schema.
    let plan = pgstate(&["plan", "--url", &db.url(), "--schema", &schema.to_string_lossy()]);
    assert_eq!(text(&plan.stdout), "COMMENT ON TABLE public.t IS NULL;\n");
}

#[test]
fn a_saved_plan_is_refused_once_the_database_changed() {
    let db = PgCluster::shared().fresh_db("savedstale");
    db.psql("CREATE TABLE t (id int PRIMARY KEY, n int); CREATE TABLE u (id int);").expect("loads");
    let (_, file, _) = saved_plan(&db.url(), "stale");
    db.psql("ALTER TABLE t ADD COLUMN extra text; DROP TABLE u; CREATE TABLE v (id int);").expect("someone changes it");
    let before = snapshot_lines(&db);
    let out = pgstate(&["apply", "--url", &db.url(), "--plan", &file.to_string_lossy(), "--yes"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("the database changed since it was computed"), "{err}");
    assert!(err.contains("table public.t changed"), "{err}");
    assert!(err.contains("table public.u is gone") && err.contains("table public.v appeared"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(snapshot_lines(&db), before, "nothing may change");
}

#[test]
fn a_file_that_is_not_a_saved_plan_is_refused() {
    let db = PgCluster::shared().fresh_db("savedbad");
    let file = dir("bad").join("plan.sql");
    std::fs::write(&file, "DROP TABLE t;\n").expect("write");
    let out = pgstate(&["apply", "--url", &db.url(), "--plan", &file.to_string_lossy(), "--yes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is not a plan written by `pgstate plan --out`"), "{}", text(&out.stderr));
}
