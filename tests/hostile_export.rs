//! An export is loaded safely: text a plain user put in the database
//! (defaults, comments, names) cannot end its literal or identifier early and
//! run as SQL when the export is loaded with psql.

mod support;

use std::path::PathBuf;
use std::process::{Command, Output};

use support::pg::PgCluster;

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

fn scratch(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("pgstate-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&path);
    let _ = std::fs::remove_file(&path);
    path
}

/// What a user can write without any privilege beyond creating tables.
const HOSTILE: &str = r#"
CREATE TABLE victim (id int PRIMARY KEY);
INSERT INTO victim VALUES (1), (2);
CREATE TABLE t (note text default 'q\''); DROP TABLE public.victim; SELECT (1 --');
COMMENT ON TABLE t IS 'c\''); DROP TABLE public.victim; --';
COMMENT ON COLUMN t.note IS e'\\''; DROP TABLE public.victim; --';
CREATE TABLE "x""; DROP TABLE public.victim; --" (v text DEFAULT E'\\''' CHECK (v <> 'a\'));
"#;

/// The definitions that must survive the trip, as PostgreSQL prints them.
const DEFINITIONS: &str = "SELECT string_agg(x, E'\\n' ORDER BY x) FROM (\
     SELECT format('%s.%s default=%s comment=%s', c.relname, a.attname, pg_get_expr(d.adbin, d.adrelid), \
       col_description(c.oid, a.attnum)) AS x \
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
     LEFT JOIN pg_attrdef d ON (d.adrelid, d.adnum) = (a.attrelid, a.attnum) \
     WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped \
     UNION ALL SELECT format('%s comment=%s', relname, obj_description(oid, 'pg_class')) \
     FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace \
     UNION ALL SELECT format('%s check=%s', conrelid::regclass, pg_get_constraintdef(oid)) \
     FROM pg_constraint WHERE contype = 'c' AND connamespace = 'public'::regnamespace) s";

#[test]
fn a_hostile_default_comment_or_name_cannot_run_when_the_export_is_loaded() {
    let cluster = PgCluster::shared();
    let source = cluster.fresh_db("hostile_src");
    source.psql(HOSTILE).expect("a plain user's tables");
    assert_eq!(source.psql("SELECT count(*) FROM victim").expect("victim"), "2");
    let want = source.psql(DEFINITIONS).expect("definitions");

    // One file, loaded whole into a fresh database.
    let file = scratch("all.sql");
    let out = pgstate(&["export", "--url", &source.url(), "--out", &file.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let fresh = cluster.fresh_db("hostile_dst");
    fresh.psql_file(&file).unwrap_or_else(|e| panic!("the export loads with psql: {e}"));
    assert_eq!(
        fresh.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'victim'").expect("count"),
        "1",
        "victim was dropped by loading the export"
    );
    assert_eq!(fresh.psql(DEFINITIONS).expect("definitions"), want, "the export means what the database holds");

    // One file per table: t's file loaded into a database whose victim has rows.
    let dir = scratch("dir");
    let out = pgstate(&["export", "--url", &source.url(), "--out", &dir.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let target = cluster.fresh_db("hostile_rows");
    target.psql("CREATE TABLE victim (id int PRIMARY KEY); INSERT INTO victim VALUES (1), (2);").expect("victim");
    for entry in std::fs::read_dir(&dir).expect("export dir") {
        let path = entry.expect("entry").path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.ends_with(".sql") && name != "public.victim.sql" {
            target.psql_file(&path).unwrap_or_else(|e| panic!("{name} loads with psql: {e}"));
        }
    }
    assert_eq!(target.psql("SELECT count(*) FROM victim").expect("victim survives"), "2");
    assert_eq!(target.psql(DEFINITIONS).expect("definitions"), want);

    // And the export plans as in sync with the database it came from.
    let plan = pgstate(&["plan", "--url", &source.url(), "--schema", &dir.to_string_lossy()]);
    assert!(plan.status.success() && plan.stdout.is_empty(), "{}{}", text(&plan.stdout), text(&plan.stderr));
}
