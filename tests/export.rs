//! `pgstate export --out DIR` on real PostgreSQL: one file per table under a
//! collision-free, reversible name; stale files of an earlier export removed;
//! foreign directories refused; bookkeeping tables left out.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

fn ok(out: Output) -> String {
    assert!(out.status.success(), "pgstate failed: {}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

/// A path for a scratch directory (not created).
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pgstate-export-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The names of the files in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

fn export(db: &Db, dir: &Path, extra: &[&str]) -> Output {
    let (url, out) = (db.url(), dir.to_string_lossy().into_owned());
    let mut args = vec!["export", "--url", &url, "--out", &out];
    args.extend_from_slice(extra);
    pgstate(&args)
}

fn plan(db: &Db, schema: &Path, extra: &[&str]) -> String {
    let (url, schema) = (db.url(), schema.to_string_lossy().into_owned());
    let mut args = vec!["plan", "--url", &url, "--schema", &schema];
    args.extend_from_slice(extra);
    ok(pgstate(&args))
}

#[test]
fn export_names_never_collide_and_an_export_replaces_its_predecessor() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("collide");
    db.psql(
        "CREATE TABLE a_b (id int); CREATE TABLE \"a~b\" (id int); CREATE TABLE \"a|b\" (id int);\n\
         CREATE TABLE \"a:b\" (id int PRIMARY KEY);\n\
         CREATE TABLE pgstate_revision (version_num varchar(255) PRIMARY KEY);\n\
         CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY);",
    )
    .expect("tables");
    let dir = scratch("collide");
    ok(export(&db, &dir, &[]));
    assert_eq!(
        names(&dir),
        [".pgstate-export", "public.a%3Ab.sql", "public.a%7Cb.sql", "public.a%7Eb.sql", "public.a_b.sql", "schema.sql"],
        "4 table files and schema.sql; the bookkeeping tables are left out"
    );
    let a_b = std::fs::read_to_string(dir.join("public.a_b.sql")).expect("a_b");
    assert!(a_b.contains("CREATE TABLE public.a_b") && !a_b.contains('~'), "{a_b}");
    assert_eq!(plan(&db, &dir, &[]), "", "the export plans as in sync");

    db.psql("DROP TABLE \"a|b\"").expect("drop");
    ok(export(&db, &dir, &[]));
    assert!(!names(&dir).contains(&"public.a%7Cb.sql".to_string()), "{:?}", names(&dir));
    assert_eq!(names(&dir).len(), 5);
    assert_eq!(plan(&db, &dir, &[]), "", "the dropped table's file is gone");

    let all = scratch("bookkeeping");
    ok(export(&db, &all, &["--include-bookkeeping"]));
    let listed = names(&all);
    assert!(
        listed.contains(&"public.pgstate_revision.sql".to_string())
            && listed.contains(&"public.alembic_version.sql".to_string()),
        "{listed:?}"
    );
}

#[test]
fn export_refuses_a_directory_it_did_not_write() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("foreign");
    db.psql("CREATE TABLE t (id int);").expect("table");
    // A directory holding someone else's file, without a marker.
    let dir = scratch("foreign");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("notes.txt"), "mine").expect("write");
    let out = export(&db, &dir, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("notes.txt"), "{}", text(&out.stderr));
    assert_eq!(names(&dir), ["notes.txt"], "nothing written, nothing removed");
    // An earlier export with a file added by hand since.
    let ours = scratch("added");
    ok(export(&db, &ours, &[]));
    std::fs::write(ours.join("extra.sql"), "CREATE TABLE extra (id int);").expect("write");
    let before = names(&ours);
    let out = export(&db, &ours, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("extra.sql"), "{}", text(&out.stderr));
    assert_eq!(names(&ours), before);
    // An empty directory is fine.
    let empty = scratch("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    ok(export(&db, &empty, &[]));
    assert_eq!(names(&empty), [".pgstate-export", "public.t.sql", "schema.sql"]);
}

#[test]
fn export_file_names_hold_any_identifier() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("weird");
    let long_schema = "ü".repeat(31);
    let long_table = "é".repeat(31);
    db.psql(&format!(
        "CREATE TABLE \"we\"\"ird\nname\" (id int);\nCREATE TABLE \"Upper.Dot\" (id int);\n\
         CREATE TABLE \"%41\" (id int);\nCREATE TABLE \"A\" (id int);\n\
         CREATE SCHEMA \"{long_schema}\";\nCREATE TABLE \"{long_schema}\".\"{long_table}\" (id int);\n\
         CREATE TABLE \"{long_schema}\".\"{long_table}x\" (id int);"
    ))
    .expect("tables");
    let dir = scratch("weird");
    let schemas = format!("public,{long_schema}");
    ok(export(&db, &dir, &["--schemas", &schemas]));
    let listed = names(&dir);
    for expected in ["public.we%22ird%0Aname.sql", "public.%55pper%2E%44ot.sql", "public.%2541.sql", "public.%41.sql"] {
        assert!(listed.contains(&expected.to_string()), "{expected} not in {listed:?}");
    }
    // Too long for the file system once escaped: a truncated name and a hash.
    let hashed: Vec<&String> = listed.iter().filter(|n| n.contains('~')).collect();
    assert_eq!(hashed.len(), 2, "{listed:?}");
    assert!(listed.iter().all(|n| n.len() <= 255), "{listed:?}");
    assert_eq!(listed.len(), 1 + 1 + 6, "marker, schema.sql and one file per table: {listed:?}");
    assert_eq!(plan(&db, &dir, &["--schemas", &schemas]), "", "the export plans as in sync");
}

#[test]
fn export_reads_the_schemas_other_commands_manage() {
    let db = PgCluster::shared().fresh_db("exportscope");
    db.psql("CREATE SCHEMA app; CREATE TABLE app.t (id int); CREATE TABLE public.p (id int);").expect("tables");
    let url = db.url();
    let run = |dir: &Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_pgstate"))
            .args(["export", "--url", &url])
            .current_dir(dir)
            .env_remove("DATABASE_URL")
            .output()
            .expect("pgstate runs");
        ok(out)
    };
    // No desired files: public.
    let empty = scratch("scope-empty");
    std::fs::create_dir_all(&empty).expect("dir");
    let sql = run(&empty);
    assert!(sql.contains("CREATE TABLE public.p") && !sql.contains("app.t"), "{sql}");
    // The desired files mention app: app and public, as plan would manage.
    let project = scratch("scope-project");
    std::fs::create_dir_all(project.join("schema")).expect("dir");
    std::fs::write(project.join("schema/app.sql"), "CREATE SCHEMA app;").expect("write");
    let sql = run(&project);
    assert!(sql.contains("CREATE TABLE public.p") && sql.contains("CREATE TABLE app.t"), "{sql}");
    // pgstate.toml's schemas come first.
    std::fs::write(project.join("pgstate.toml"), "schemas = [\"app\"]\n").expect("write");
    let sql = run(&project);
    assert!(!sql.contains("public.p") && sql.contains("CREATE TABLE app.t"), "{sql}");
    // One file is "1 file".
    let out = export(&db, &scratch("scope-one-file"), &["--schemas", "none_such"]);
    assert!(text(&out.stderr).contains("wrote 1 file under"), "{}", text(&out.stderr));
}
