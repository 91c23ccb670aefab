//! Identifiers longer than PostgreSQL's 63 bytes: cut as the server cuts them
//! (at a character boundary), with a warning; two that meet once cut are a
//! schema error naming both places.

mod support;

use std::path::{Path, PathBuf};
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
    let dir = std::env::temp_dir().join(format!("pgstate-idents-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("schema.sql");
    std::fs::write(&path, sql).expect("write schema");
    path
}

fn apply(db: &Db, schema: &Path) -> Output {
    pgstate(&["apply", "--url", &db.url(), "--schema", &schema.to_string_lossy(), "--yes"])
}

/// 70-byte names: ASCII, and quoted ones with a 2-byte character across
/// byte 63 (PostgreSQL keeps 62 bytes then) or ending on it (63 kept), with
/// the constraint, index and sequence names PostgreSQL derives from them.
fn long_schema() -> String {
    let table = "t".repeat(70);
    let column = "c".repeat(70);
    let across = format!("{}é{}", "a".repeat(62), "z".repeat(6));
    let on_it = format!("{}é{}", "b".repeat(61), "z".repeat(7));
    let multi = "é".repeat(35);
    format!(
        "CREATE TABLE {table} (\n    id serial PRIMARY KEY,\n    {column} text UNIQUE,\n    \"{across}\" integer \
         CHECK (\"{across}\" > 0),\n    \"{on_it}\" integer,\n    \"{multi}\" text UNIQUE\n);\n\
         CREATE INDEX ON {table} ({column}, \"{on_it}\");\n\
         CREATE TABLE child (id integer REFERENCES {table} (id), \"{multi}\" text);\n\
         CREATE INDEX {}_idx ON child (\"{multi}\");\n",
        "i".repeat(70)
    )
}

#[test]
fn long_names_apply_converge_and_stay_put() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("idents");
    let schema = schema_file("long", &long_schema());
    let out = apply(&db, &schema);
    assert!(out.status.success(), "apply failed: {}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("identifier \"{}\" will be truncated to \"{}\"", "t".repeat(70), "t".repeat(63))),
        "no warning naming the table: {err}"
    );
    assert_eq!(
        db.psql(&format!("SELECT count(*) FROM pg_class WHERE relname = '{}'", "t".repeat(63))).expect("reads"),
        "1"
    );
    let plan = pgstate(&["plan", "--url", &db.url(), "--schema", &schema.to_string_lossy()]);
    assert!(plan.status.success(), "{}", text(&plan.stderr));
    assert_eq!(text(&plan.stdout), "", "a second plan must be empty");
    db.psql(&format!("INSERT INTO {} ({}) VALUES ('kept')", "t".repeat(63), "c".repeat(63))).expect("a row");
    let before = snapshot_lines(&db);
    let again = apply(&db, &schema);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(text(&again.stderr).contains("nothing to do"), "{}", text(&again.stderr));
    assert_eq!(snapshot_lines(&db), before);
    assert_eq!(db.psql(&format!("SELECT count(*) FROM {}", "t".repeat(70))).expect("rows"), "1");
}

/// What the offline parser makes of the long names is what PostgreSQL
/// stores: the plan from the files to a database loaded by psql is empty.
#[test]
fn the_parser_cuts_as_the_server_does() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("idents_psql");
    let schema = schema_file("psql", &long_schema());
    db.psql_file(&schema).expect("psql loads the schema");
    let plan = pgstate(&["plan", "--url", &db.url(), "--schema", &schema.to_string_lossy()]);
    assert!(plan.status.success(), "{}", text(&plan.stderr));
    assert_eq!(text(&plan.stdout), "", "pgstate reads the names PostgreSQL stored");
}

#[test]
fn names_that_meet_once_cut_are_an_error_naming_both_places() {
    let stem = "t".repeat(63);
    let sql = format!("CREATE TABLE {stem}_one (id int);\nCREATE TABLE {stem}_two (id int);\n");
    let schema = schema_file("clash", &sql);
    let out = pgstate(&["check", "--schema", &schema.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    let file = schema.to_string_lossy();
    for place in [format!("{file}:1:14"), format!("{file}:2:14")] {
        assert!(err.contains(&place), "{place} not named: {err}");
    }
    assert!(err.contains(&format!("{stem}_one")) && err.contains(&format!("{stem}_two")), "{err}");
    assert!(err.contains("defined twice"), "{err}");
}

#[test]
fn columns_and_indexes_that_meet_once_cut_are_errors() {
    let c = "c".repeat(63);
    let i = "i".repeat(63);
    let sql = format!(
        "CREATE TABLE x (id int, {c}_a int, {c}_b int);\nCREATE INDEX {i}_1 ON x (id);\nCREATE INDEX {i}_2 ON x (id);\n\
         CREATE TYPE e AS ENUM ('{}');\n",
        "l".repeat(64)
    );
    let schema = schema_file("clash_cols", &sql);
    let out = pgstate(&["check", "--schema", &schema.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains(&format!("column {c} is defined twice in table public.x")), "{err}");
    assert!(err.contains(&format!("index {i} is defined twice in schema public")), "{err}");
    assert!(err.contains("is longer than 63 bytes"), "{err}");
}
