//! `--measure` on real PostgreSQL: may-fail hazards carry the number of rows
//! that would make their step fail, counted read-only.

mod support;

use std::path::PathBuf;
use std::process::{Command, Output};

use support::catalog::snapshot_lines;
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
    let dir = std::env::temp_dir().join(format!("pgstate-measure-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("schema.sql");
    std::fs::write(&path, sql).expect("write schema");
    path
}

fn measured(db: &Db, schema: &std::path::Path, extra: &[&str]) -> String {
    let (url, schema) = (db.url(), schema.to_string_lossy().into_owned());
    let mut args = vec!["plan", "--url", &url, "--schema", &schema, "--measure"];
    args.extend_from_slice(extra);
    let out = pgstate(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn may_fail_hazards_say_how_many_rows_fail() {
    let db = PgCluster::shared().fresh_db("measure");
    db.psql(
        "CREATE TABLE p (id int PRIMARY KEY); INSERT INTO p VALUES (1);\n\
         CREATE TABLE t (c int, code text, n int, p_id int, k int);\n\
         INSERT INTO t VALUES (NULL, '1', 1, 1, 1), (NULL, 'x', -1, 2, 1), (NULL, ' 7 ', -2, 3, 2), (4, NULL, 5, NULL, 2), (5, '99999999999', 6, 1, 3);",
    )
    .expect("loads");
    let before = snapshot_lines(&db);
    let schema = schema_file(
        "measure",
        "CREATE TABLE p (id int PRIMARY KEY);\n\
         CREATE TABLE t (c int NOT NULL, code integer, n int CHECK (n > 0), p_id int REFERENCES p (id), k int);\n\
         CREATE UNIQUE INDEX t_k_idx ON t (k);",
    );
    let plan = measured(&db, &schema, &[]);
    for line in [
        "-- hazard: may fail: 3 rows of public.t have c IS NULL",
        "-- hazard: may fail: 2 rows of public.t violate check t_n_check",
        "-- hazard: may fail: 2 rows of public.t have no match in public.p (foreign key t_p_id_fkey)",
        "-- hazard: may fail: 2 groups of rows of public.t share a value of (k)",
        "-- hazard: may fail: 2 rows of public.t hold a value of code that integer refuses",
    ] {
        assert!(plan.contains(line), "missing {line:?} in:\n{plan}");
    }
    // The same figures in JSON, and in the plain form.
    let json = measured(&db, &schema, &["--format", "json"]);
    assert!(json.contains("\"rows\": 3"), "{json}");
    let plain = measured(&db, &schema, &["--transactional"]);
    assert!(plain.contains("-- hazard: may fail: 3 rows of public.t have c IS NULL"), "{plain}");
    assert_eq!(snapshot_lines(&db), before, "measuring only reads");

    // Nothing fails: the hazard stays, saying it measured none.
    db.psql("UPDATE t SET c = 0 WHERE c IS NULL").expect("fix");
    let plan = measured(&db, &schema, &[]);
    assert!(plan.contains("fails if any row holds NULL (measured: 0 rows of public.t have c IS NULL now)"), "{plan}");
}

#[test]
fn a_count_past_the_timeout_leaves_the_hazard_unmeasured() {
    let db = PgCluster::shared().fresh_db("measureslow");
    db.psql(
        "CREATE FUNCTION slow(i int) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT pg_sleep(0.2) IS NOT NULL AND i > 0 $$;\n\
         CREATE TABLE t (n int); INSERT INTO t SELECT g FROM generate_series(1, 20) g;",
    )
    .expect("loads");
    let schema = schema_file(
        "measureslow",
        "CREATE FUNCTION slow(i int) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT pg_sleep(0.2) IS NOT NULL AND i > 0 $$;\n\
         CREATE TABLE t (n int CHECK (slow(n)));",
    );
    let plan = measured(&db, &schema, &["--statement-timeout", "300ms"]);
    assert!(plan.contains("(not measured: the count ran past 300ms)"), "{plan}");
}
