//! The safety issue's reproductions, each as found, on a real server with a
//! `victim` table whose rows must survive `plan`, `drift` and `apply`.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{Db, PgCluster};

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

fn schema_file(name: &str, sql: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pgstate-injection-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("schema.sql");
    std::fs::write(&path, sql).expect("write schema");
    path
}

fn run(db: &Db, command: &str, schema: &Path, extra: &[&str]) -> Output {
    let (url, schema) = (db.url(), schema.to_string_lossy().into_owned());
    let mut args = vec![command, "--url", &url, "--schema", &schema];
    args.extend_from_slice(extra);
    pgstate(&args)
}

fn victims(db: &Db) -> String {
    db.psql("SELECT count(*) FROM victim").unwrap_or_else(|e| format!("victim is gone: {e}"))
}

const VICTIM: &str = "CREATE TABLE victim (id int); INSERT INTO victim VALUES (1), (2);";

/// Finding 1: a backslash before a doubled quote ended the literal early, and
/// normalization ran the rest on the target during a plan.
#[test]
fn a_backslash_before_a_doubled_quote_stays_in_its_literal() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("inj_default");
    db.psql(&format!("{VICTIM} CREATE TABLE t (id int, note text DEFAULT 'z');")).expect("loads");
    let schema = schema_file(
        "default",
        "CREATE TABLE victim (id int);\n\
         CREATE TABLE t (id int, note text DEFAULT 'y\\''; COMMIT; DROP TABLE victim; --');",
    );
    let plan = run(&db, "plan", &schema, &[]);
    assert!(plan.status.success(), "{}", text(&plan.stderr));
    assert_eq!(victims(&db), "2", "plan ran the literal's tail");
    assert_eq!(db.psql("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pgstate%'").expect("q"), "0");
    let drift = run(&db, "drift", &schema, &[]);
    assert_eq!(drift.status.code(), Some(1), "{}", text(&drift.stderr));
    assert_eq!(victims(&db), "2", "drift ran the literal's tail");
    let apply = run(&db, "apply", &schema, &["--yes"]);
    assert!(apply.status.success(), "{}{}", text(&apply.stdout), text(&apply.stderr));
    assert_eq!(victims(&db), "2", "apply ran the literal's tail");
    assert_eq!(
        db.psql("SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 't'::regclass").expect("q"),
        "'y\\''; COMMIT; DROP TABLE victim; --'::text",
        "the stored default is the file's value"
    );
    assert_eq!(text(&run(&db, "plan", &schema, &[]).stdout), "", "a second plan is empty");
    // The printed plan, run by psql against a server reading strings the old way, means the same.
    let off = cluster.fresh_db("inj_default_off");
    off.psql(&format!("{VICTIM} CREATE TABLE t (id int, note text DEFAULT 'z');")).expect("loads");
    off.psql(&format!("ALTER DATABASE {} SET standard_conforming_strings = off", off.name)).expect("off");
    off.psql(&format!("SET standard_conforming_strings = off; {}", text(&plan.stdout))).expect("the plan runs");
    assert_eq!(victims(&off), "2");
    assert_eq!(
        off.psql("SET standard_conforming_strings = on; SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef")
            .expect("q"),
        "'y\\''; COMMIT; DROP TABLE victim; --'::text"
    );
}

/// Finding 3: a database reading strings the old way (standard_conforming_strings = off).
#[test]
fn a_comment_applies_safely_on_a_database_that_reads_backslashes_as_escapes() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("inj_scs_off");
    db.psql(&format!("{VICTIM} CREATE TABLE t (id int);")).expect("loads");
    db.psql(&format!("ALTER DATABASE {} SET standard_conforming_strings = off", db.name)).expect("off");
    let schema = schema_file(
        "scs_off",
        "CREATE TABLE victim (id int);\nCREATE TABLE t (id int);\n\
         COMMENT ON TABLE t IS 'x\\''; DROP TABLE victim; --';",
    );
    let apply = run(&db, "apply", &schema, &["--yes"]);
    assert!(apply.status.success(), "{}{}", text(&apply.stdout), text(&apply.stderr));
    assert_eq!(victims(&db), "2");
    assert_eq!(db.psql("SELECT obj_description('t'::regclass, 'pg_class')").expect("q"), "x\\'; DROP TABLE victim; --");
    assert_eq!(text(&run(&db, "plan", &schema, &[]).stdout), "");
}

/// Finding 4: a newline in a live object's name broke out of a plan's comment.
#[test]
fn a_newline_in_a_name_never_starts_a_line_of_the_plan() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("inj_newline");
    cluster.create_roles(&["mallory".to_string()]).expect("role");
    db.psql(&format!(
        "{VICTIM} CREATE TABLE \"x\nALTER ROLE mallory SUPERUSER;\n--\" (id int); CREATE TABLE \"y\n\\\\z\" (id int);"
    ))
    .expect("loads");
    let schema = schema_file("newline", "CREATE TABLE victim (id int);");
    let plan = run(&db, "plan", &schema, &[]);
    assert!(plan.status.success(), "{}", text(&plan.stderr));
    let sql = text(&plan.stdout);
    assert!(sql.lines().all(|l| !l.starts_with("ALTER ROLE")), "{sql}");
    assert!(sql.contains("-- hazard: data loss: dropping table public.U&\"x\\000AALTER ROLE"), "{sql}");
    db.psql(&sql).expect("the plan runs under psql");
    assert_eq!(db.psql("SELECT rolsuper FROM pg_roles WHERE rolname = 'mallory'").expect("q"), "f");
    assert_eq!(victims(&db), "2");
    assert_eq!(db.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").expect("q"), "1");
}

/// Finding 12: a table named with a newline and a backslash could not be read back.
#[test]
fn a_name_with_a_newline_and_a_backslash_is_read_and_kept() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("inj_backslash");
    let create = "CREATE TABLE victim (id int);\nCREATE TABLE \"a\n\\\\connect x\" (id int);";
    db.psql(create).expect("loads");
    db.psql("INSERT INTO victim VALUES (1), (2)").expect("rows");
    let schema = schema_file("backslash", create);
    let plan = run(&db, "plan", &schema, &[]);
    assert!(plan.status.success(), "{}", text(&plan.stderr));
    assert_eq!(text(&plan.stdout), "", "the desired file and the database agree");
    let drift = run(&db, "drift", &schema, &[]);
    assert_eq!(drift.status.code(), Some(0), "{}{}", text(&drift.stdout), text(&drift.stderr));
}
