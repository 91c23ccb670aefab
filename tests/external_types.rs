//! Types and functions the desired files use but do not define, resolved
//! against the target database on real PostgreSQL: an extension someone else
//! installed (in `public` or in a schema pgstate does not manage), an enum in
//! an unmanaged schema. Each converges (the second plan is empty, which needs
//! the scratch server to have them too: the checks below are stored with
//! casts to those types); a type neither side knows is refused with the
//! file's error; offline runs refuse it as before; an extension desired
//! objects use is never planned as a drop; `plan` leaves the target as it was.

mod support;

use std::path::Path;

use support::catalog::snapshot_lines;
use support::pg::{Db, PgCluster};
use support::run::{apply, pgstate, plan_url, text};

fn file(name: &str, sql: &str) -> std::path::PathBuf {
    support::run::file("external", name, sql)
}

fn db(prefix: &str, setup: &str) -> Db {
    let db = PgCluster::shared().fresh_db(prefix);
    db.psql(setup).expect("setup");
    db
}

/// Everything a scratch object or a stray DDL statement would show up in.
fn state(db: &Db) -> (Vec<String>, String) {
    let counts = db
        .psql(
            "SELECT (SELECT count(*) FROM pg_namespace) || ' ' || (SELECT count(*) FROM pg_class) || ' ' || \
             (SELECT count(*) FROM pg_proc) || ' ' || (SELECT count(*) FROM pg_type) || ' ' || \
             (SELECT string_agg(extname || '@' || extnamespace::regnamespace, ',' ORDER BY extname) FROM pg_extension)",
        )
        .expect("counts");
    (snapshot_lines(db), counts)
}

/// Plans, applies and plans again: the second plan is empty, drift clean,
/// and `plan` itself changed nothing. Returns the first plan.
fn converges(db: &Db, schema: &Path) -> String {
    let before = state(db);
    let first = plan_url(db, schema);
    assert_eq!(state(db), before, "plan changed the target");
    apply(db, schema, &[]);
    let second = plan_url(db, schema);
    assert_eq!(second, "", "not converged after:\n{first}");
    let drift = pgstate(&["drift", "--url", &db.url(), "--schema", &schema.to_string_lossy()]);
    assert_eq!(drift.status.code(), Some(0), "drift: {}{}", text(&drift.stdout), text(&drift.stderr));
    first
}

#[test]
fn an_extension_type_in_public_the_files_do_not_declare() {
    let db = db("ext_public", "CREATE EXTENSION citext");
    let schema = file(
        "public.sql",
        "CREATE TABLE t (id int PRIMARY KEY, email citext NOT NULL, CONSTRAINT t_email_check CHECK (email <> ''));\n",
    );
    let plan = converges(&db, &schema);
    assert!(plan.contains("CREATE TABLE public.t"), "{plan}");
    assert!(!plan.contains("EXTENSION"), "the extension is the database's, not the plan's:\n{plan}");
    assert_eq!(db.psql("SELECT count(*) FROM pg_extension WHERE extname = 'citext'").as_deref(), Ok("1"));
}

#[test]
fn an_extension_type_in_an_unmanaged_schema() {
    let db = db("ext_other", "CREATE SCHEMA ext; CREATE EXTENSION citext WITH SCHEMA ext");
    let schema = file(
        "unmanaged.sql",
        "CREATE TABLE t (id int PRIMARY KEY, email ext.citext,\n\
         CONSTRAINT t_email_check CHECK (email = ANY (ARRAY['a', 'b']::ext.citext[])));\n",
    );
    let plan = converges(&db, &schema);
    assert!(plan.contains("ext.citext"), "{plan}");
    assert!(!plan.contains("EXTENSION") && !plan.contains("SCHEMA"), "{plan}");
}

#[test]
fn an_enum_in_an_unmanaged_schema() {
    let db = db("enum_other", "CREATE SCHEMA other; CREATE TYPE other.mood AS ENUM ('sad', 'ok', 'it''s fine')");
    let schema = file(
        "enum.sql",
        "CREATE TABLE t (id int PRIMARY KEY, m other.mood DEFAULT 'ok',\n\
         CONSTRAINT t_m_check CHECK (m = ANY (ARRAY['ok', 'it''s fine']::other.mood[])));\n",
    );
    let plan = converges(&db, &schema);
    assert!(plan.contains("other.mood"), "{plan}");
    assert!(!plan.contains("CREATE TYPE"), "{plan}");
}

#[test]
fn a_type_neither_side_knows_is_refused_with_the_file() {
    let db = db("unknown", "CREATE SCHEMA other; CREATE TYPE other.mood AS ENUM ('a')");
    let schema = file("unknown.sql", "CREATE TABLE t (id int PRIMARY KEY,\n  x other.nosuch);\n");
    let before = state(&db);
    let (url, path) = (db.url(), schema.to_string_lossy().into_owned());
    for command in ["plan", "apply", "drift"] {
        let mut args = vec![command, "--url", &url, "--schema", &path];
        if command == "apply" {
            args.push("--yes");
        }
        let out = pgstate(&args);
        let err = text(&out.stderr) + &text(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "{command}: {err}");
        assert!(err.contains("column x of public.t has unknown type other.nosuch"), "{command}: {err}");
        assert!(err.contains("unknown.sql:2:3"), "{command}: the file and place: {err}");
    }
    assert_eq!(state(&db), before, "the target changed");
}

#[test]
fn a_type_in_a_managed_schema_from_no_extension_is_refused() {
    // The plan would drop it from under the column: the files must define it.
    let db = db("managed", "CREATE TYPE public.mood AS ENUM ('a')");
    let schema = file("managed.sql", "CREATE TABLE t (id int PRIMARY KEY, m mood);\n");
    let out = pgstate(&["plan", "--url", &db.url(), "--schema", &schema.to_string_lossy()]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("unknown type public.mood") && err.contains("a schema pgstate manages"), "{err}");
}

#[test]
fn offline_plans_still_refuse_an_unknown_type_with_its_span() {
    let schema = file("offline.sql", "CREATE TABLE t (id int PRIMARY KEY,\n  email citext);\n");
    for args in [vec!["plan", "--from", "/dev/null", "--parser-only", "--schema"], vec!["check", "--schema"]] {
        let mut args = args.clone();
        let path = schema.to_string_lossy().into_owned();
        args.push(&path);
        let out = pgstate(&args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("column email of public.t has unknown type public.citext"), "{err}");
        assert!(err.contains("offline.sql:2:3") && err.contains("here"), "{err}");
    }
}

#[test]
fn an_undeclared_extension_is_kept_when_used_and_dropped_when_not() {
    let db = db("kept", "CREATE EXTENSION \"uuid-ossp\"; CREATE EXTENSION pg_trgm; CREATE EXTENSION citext");
    let schema = file("kept.sql", "CREATE TABLE t (id uuid PRIMARY KEY DEFAULT uuid_generate_v4(), email citext);\n");
    let plan = plan_url(&db, &schema);
    assert!(plan.contains("DROP EXTENSION pg_trgm"), "an unused undeclared extension is still dropped:\n{plan}");
    assert!(!plan.contains("uuid-ossp") && !plan.contains("DROP EXTENSION citext"), "{plan}");
    // Dropping an extension is a hazard apply asks to be allowed.
    let out = pgstate(&["apply", "--url", &db.url(), "--schema", &schema.to_string_lossy(), "--yes"]);
    assert!(!out.status.success(), "apply dropped an extension unasked: {}", text(&out.stderr));
    apply(&db, &schema, &["--allow-destructive"]);
    assert_eq!(plan_url(&db, &schema), "");
    let left = db.psql("SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension").expect("extensions");
    assert_eq!(left, "citext,plpgsql,uuid-ossp");
}

/// PostgreSQL prints citext's `=` in an IN-list check as `OPERATOR(public.=)`
/// (pgstate's catalog reads and pg_dump both run with an empty search_path):
/// the catalog is read back, and a pg_dump file holding it is a desired file
/// like any other.
#[test]
fn a_qualified_operator_before_any_is_read() {
    let db = db("ext_operator", "CREATE EXTENSION citext");
    let schema =
        file("in_list.sql", "CREATE TABLE t (id int PRIMARY KEY, email citext CHECK (email IN ('a', 'b')));\n");
    converges(&db, &schema);
    let def = db
        .psql("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 't_email_check' AND (SELECT set_config('search_path', '', true)) IS NOT NULL")
        .expect("constraint");
    assert!(def.contains("OPERATOR(public.=) ANY"), "the form under test: {def}");
    let dumped = file(
        "dumped.sql",
        "CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;\n\
         CREATE TABLE public.u (id integer NOT NULL, email public.citext,\n\
         CONSTRAINT u_email_check CHECK ((email OPERATOR(public.=) ANY (ARRAY['a'::public.citext, 'b'::public.citext]))));\n",
    );
    let fresh = PgCluster::shared().fresh_db("ext_operator_dump");
    converges(&fresh, &dumped);
}
