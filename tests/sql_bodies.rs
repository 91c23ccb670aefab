//! SQL-standard routine bodies (`BEGIN ATOMIC ... END`, `RETURN expr`) on
//! real PostgreSQL: read from files and from the catalog, compared through
//! the server's deparse (settled on a throwaway server, never the target),
//! ordered by what the body names, and converged.

mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use support::catalog::{diff_lines, snapshot_lines};
use support::pg::{Db, PgCluster};
use support::run::{apply, pgstate, plan_url, text};

fn file(name: &str, sql: &str) -> PathBuf {
    support::run::file("sql-bodies", name, sql)
}

fn same_catalog(a: &Db, b: &Db) {
    let (la, lb) = (snapshot_lines(a), snapshot_lines(b));
    let d: String =
        diff_lines(&la, &lb).into_iter().filter(|(t, _)| *t != "  ").map(|(t, l)| format!("{t}{l}\n")).collect();
    assert!(d.is_empty(), "catalogs differ:\n{d}");
}

/// `pg_dump --schema-only` of `db`.
fn dump(pg: &PgCluster, db: &Db) -> String {
    let own = pg.bin_dir().join("pg_dump");
    let pg_dump = if own.is_file() { own } else { PathBuf::from("/usr/bin/pg_dump") };
    let mut cmd = Command::new(&pg_dump);
    for var in ["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGOPTIONS", "PGSERVICE"] {
        cmd.env_remove(var);
    }
    let out = cmd
        .args(["--schema-only", "--no-owner", "--no-privileges", "-h", "127.0.0.1", "-U", "postgres", "-p"])
        .arg(db.port.to_string())
        .arg(&db.name)
        .stdin(Stdio::null())
        .output()
        .expect("pg_dump runs");
    assert!(out.status.success(), "pg_dump failed: {}", text(&out.stderr));
    text(&out.stdout)
}

const V1: &str = "
CREATE TABLE public.orders (id int PRIMARY KEY, amount numeric NOT NULL, note text);
CREATE FUNCTION public.order_total(customer int) RETURNS numeric
    LANGUAGE sql STABLE
BEGIN ATOMIC
    -- a comment; with a semicolon
    SELECT sum(amount) FROM orders WHERE id > customer;
END;
CREATE FUNCTION public.add_one(a int) RETURNS int LANGUAGE sql IMMUTABLE RETURN a + 1;
CREATE PROCEDURE public.record(x int, y text)
LANGUAGE sql
BEGIN ATOMIC
    INSERT INTO orders (id, amount, note) VALUES (x, 0, 'it''s; ' || y);
    UPDATE orders SET note = CASE WHEN note IS NULL THEN 'none' ELSE note END WHERE id = x;
END;
";

#[test]
fn begin_atomic_bodies_converge_from_empty_and_read_back_from_the_catalog_and_pg_dump() {
    if PgCluster::shared().version_num() < 140_000 {
        return;
    }
    let pg = PgCluster::shared();
    let schema = file("v1.sql", V1);
    let built = pg.fresh_db("atomic_built");
    let plan = plan_url(&built, &schema);
    // The table the bodies name is created first.
    let table = plan.find("CREATE TABLE public.orders").unwrap_or_else(|| panic!("{plan}"));
    let f = plan.find("CREATE FUNCTION public.order_total").unwrap_or_else(|| panic!("{plan}"));
    assert!(table < f, "{plan}");
    assert!(plan.contains("BEGIN ATOMIC\n SELECT sum(amount) FROM orders WHERE id > customer;\nEND"), "{plan}");
    apply(&built, &schema, &[]);
    // Read back from the catalog (pg_get_functiondef's deparse), settled
    // against the file's spelling: nothing to do, no drift.
    assert_eq!(plan_url(&built, &schema).trim(), "");
    let drift = pgstate(&["drift", "--url", &built.url(), "--schema", &schema.to_string_lossy()]);
    assert_eq!(drift.status.code(), Some(0), "{}{}", text(&drift.stdout), text(&drift.stderr));
    let loaded = pg.fresh_db("atomic_psql");
    loaded.psql(V1).expect("loads with psql");
    same_catalog(&built, &loaded);
    // pg_dump's spelling reads back to the same catalog (settled on a throwaway server).
    let dumped = file("v1.dump.sql", &dump(pg, &loaded));
    let out = pgstate(&["plan", "--from", &dumped.to_string_lossy(), "--schema", &schema.to_string_lossy()]);
    assert!(out.status.success(), "plan from the dump failed: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "", "dump and file differ");
    // And a dump applies to an empty database and converges.
    let from_dump = pg.fresh_db("atomic_from_dump");
    apply(&from_dump, &dumped, &[]);
    same_catalog(&from_dump, &loaded);
    assert_eq!(plan_url(&from_dump, &dumped).trim(), "");
}

#[test]
fn a_changed_body_replaces_in_place_and_follows_what_it_names() {
    if PgCluster::shared().version_num() < 140_000 {
        return;
    }
    let pg = PgCluster::shared();
    let db = pg.fresh_db("atomic_change");
    apply(&db, &file("c1.sql", V1), &[]);

    // A new body naming a new table, while the table the old body named
    // goes (PostgreSQL records the dependency): the new table first, then the
    // replacement, then the old table; the procedure naming it is dropped before it.
    let v2 = "
CREATE TABLE public.refunds (id int);
CREATE FUNCTION public.order_total(customer int) RETURNS numeric
    LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT count(*) FROM refunds WHERE id = customer;
END;
CREATE FUNCTION public.add_one(a int) RETURNS int LANGUAGE sql IMMUTABLE RETURN a + 1;
";
    let v2_path = file("c2.sql", v2);
    let plan = plan_url(&db, &v2_path);
    let at = |s: &str| plan.find(s).unwrap_or_else(|| panic!("{s} missing:\n{plan}"));
    assert!(at("CREATE TABLE public.refunds") < at("CREATE OR REPLACE FUNCTION public.order_total"), "{plan}");
    assert!(at("CREATE OR REPLACE FUNCTION public.order_total") < at("DROP TABLE public.orders"), "{plan}");
    assert!(at("DROP PROCEDURE public.record") < at("DROP TABLE public.orders"), "{plan}");
    assert!(!plan.contains("add_one"), "an unchanged RETURN body is left alone:\n{plan}");
    apply(&db, &v2_path, &["--allow-destructive"]);
    assert_eq!(plan_url(&db, &v2_path).trim(), "");
    let loaded = pg.fresh_db("atomic_change_psql");
    loaded.psql(v2).expect("v2 loads");
    same_catalog(&db, &loaded);

    // The function and the table it names both go: the function first.
    let v3_path = file("c3.sql", "CREATE TABLE public.other (x int);\n");
    let plan = plan_url(&db, &v3_path);
    let at = |s: &str| plan.find(s).unwrap_or_else(|| panic!("{s} missing:\n{plan}"));
    assert!(at("DROP FUNCTION public.order_total") < at("DROP TABLE public.refunds"), "{plan}");
    apply(&db, &v3_path, &["--allow-destructive"]);
    assert_eq!(plan_url(&db, &v3_path).trim(), "");
}

#[test]
fn a_body_changed_in_meaning_is_not_settled_away() {
    if PgCluster::shared().version_num() < 140_000 {
        return;
    }
    let pg = PgCluster::shared();
    let db = pg.fresh_db("atomic_meaning");
    apply(&db, &file("m1.sql", V1), &[]);
    let changed = V1.replace("RETURN a + 1", "RETURN a + 2");
    let plan = plan_url(&db, &file("m2.sql", &changed));
    assert!(plan.contains("CREATE OR REPLACE FUNCTION public.add_one(a integer)"), "{plan}");
    assert!(plan.contains("RETURN a + 2"), "{plan}");
}

#[test]
fn a_column_type_changed_under_a_body_rebuilds_the_routine_around_it() {
    if PgCluster::shared().version_num() < 140_000 {
        return;
    }
    let pg = PgCluster::shared();
    let db = pg.fresh_db("atomic_in_the_way");
    let v1 = "
CREATE TABLE public.ledger (id int, amount int, memo text);
CREATE FUNCTION public.ledger_sum() RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT sum(amount) FROM ledger;
END;
COMMENT ON FUNCTION public.ledger_sum() IS 'the sum';
CREATE FUNCTION public.memo_count() RETURNS bigint LANGUAGE sql STABLE RETURN (SELECT count(memo) FROM ledger);
";
    apply(&db, &file("w1.sql", v1), &[]);
    // PostgreSQL refuses to change the type of a column such a body reads:
    // the routine goes before, and comes back after with its comment.
    let v2 = v1.replace("amount int", "amount bigint");
    let v2_path = file("w2.sql", &v2);
    let plan = plan_url(&db, &v2_path);
    let at = |s: &str| plan.find(s).unwrap_or_else(|| panic!("{s} missing:\n{plan}"));
    assert!(at("DROP FUNCTION public.ledger_sum()") < at("ALTER COLUMN amount TYPE bigint"));
    assert!(at("ALTER COLUMN amount TYPE bigint") < at("CREATE FUNCTION public.ledger_sum()"));
    assert!(at("CREATE FUNCTION public.ledger_sum()") < at("COMMENT ON FUNCTION public.ledger_sum() IS 'the sum'"));
    // A body that does not name the column stays.
    assert!(!plan.contains("memo_count"), "{plan}");
    apply(&db, &v2_path, &[]);
    assert_eq!(plan_url(&db, &v2_path).trim(), "");
    let loaded = pg.fresh_db("atomic_in_the_way_psql");
    loaded.psql(&v2).expect("v2 loads");
    same_catalog(&db, &loaded);
}
