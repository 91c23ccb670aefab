//! The fixture pairs in fixtures/diff: each gives its reviewed plan offline, and
//! on a real PostgreSQL the plan turns `from` into exactly `to` and back. A
//! fixture's `roles.txt` lists the roles whose privileges it manages (one per
//! line, `PUBLIC` for PUBLIC): they are passed to the plan as `--roles` would
//! be, exist on the test cluster, and their privileges are compared.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use pgstate::model::ManagedRoles;
use pgstate::parse::parse_path;
use pgstate::plan::plan;
use support::catalog::{diff_lines, snapshot_lines_with_roles};
use support::pg::{roles_of, Db, PgCluster};

fn fixture_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/diff");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures/diff exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    // PGSTATE_FIXTURE_FILTER=name runs the fixtures whose name contains it.
    if let Ok(filter) = std::env::var("PGSTATE_FIXTURE_FILTER") {
        dirs.retain(|d| name(d).contains(&filter));
        return dirs;
    }
    assert!(dirs.len() >= 20, "expected the full fixture set, found {}", dirs.len());
    dirs
}

fn name(dir: &Path) -> String {
    dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The plan between two files, for the privileges of the roles the fixture
/// lists in `roles.txt` (none without one), as `--roles` would.
fn plan_sql(from: &Path, to: &Path, roles: &[String]) -> String {
    let roles = ManagedRoles::new(roles);
    let mut from = parse_path(from).unwrap_or_else(|e| panic!("{}: {e:?}", from.display()));
    let mut to = parse_path(to).unwrap_or_else(|e| panic!("{}: {e:?}", to.display()));
    from.catalog.retain_roles(&roles);
    to.catalog.retain_roles(&roles);
    plan(&from.catalog, &to.catalog, &to.hints).expect("plans").to_sql()
}

#[test]
fn every_fixture_gives_its_reviewed_plan() {
    let mut failures = Vec::new();
    for dir in fixture_dirs() {
        let expected = std::fs::read_to_string(dir.join("plan.sql")).expect("plan.sql beside each fixture");
        let got = plan_sql(&dir.join("from.sql"), &dir.join("to.sql"), &roles_of(&dir));
        if got != expected {
            failures.push(format!("== {}\n-- expected\n{expected}-- got\n{got}", name(&dir)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_planned_against_itself_is_empty() {
    for dir in fixture_dirs() {
        for side in ["from.sql", "to.sql"] {
            let p = dir.join(side);
            assert_eq!(plan_sql(&p, &p, &roles_of(&dir)), "", "{} {side} against itself", name(&dir));
        }
    }
}

fn apply(db: &Db, sql: &str) -> Result<(), String> {
    db.psql(&format!("BEGIN;\n{sql}COMMIT;\n")).map(|_| ())
}

/// Lines only in one of the two databases, or `None` when they match.
fn catalog_difference(a: &Db, b: &Db, roles: &[String]) -> Option<String> {
    let (la, lb) = (snapshot_lines_with_roles(a, roles), snapshot_lines_with_roles(b, roles));
    if la == lb {
        return None;
    }
    Some(
        diff_lines(&la, &lb)
            .into_iter()
            .filter(|(tag, _)| *tag != "  ")
            .map(|(tag, l)| format!("{tag}{l}\n"))
            .collect(),
    )
}

/// pg_dump reads the live catalog; planning from its output to `to` must find
/// nothing left to do.
fn replan_from_dump(cluster: &PgCluster, db: &Db, to: &Path, roles: &[String]) -> String {
    let pg_dump = cluster.bin_dir().join("pg_dump");
    let out = Command::new(pg_dump)
        .args(["--schema-only", "--no-owner", "-h", "127.0.0.1", "-U", "postgres", "-p"])
        .arg(cluster.port().to_string())
        .arg(&db.name)
        .output()
        .expect("pg_dump runs");
    assert!(out.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&out.stderr));
    let dump = std::env::temp_dir().join(format!("pgstate-dump-{}-{}.sql", std::process::id(), db.name));
    std::fs::write(&dump, &out.stdout).expect("write dump");
    // As `plan --from dump --dev-url` does: what the parser cannot settle
    // (PostgreSQL's re-printed view queries) is settled on an empty database.
    let dev = cluster.fresh_db("dev");
    let target = pgstate::connection::Target::parse(&dev.url()).expect("dev url");
    let settle = pgstate::ops::plan::Settle::Server(Box::new(target));
    let plan = pgstate::ops::plan::offline_settled(to, &dump, settle, &ManagedRoles::new(roles), "public")
        .unwrap_or_else(|e| panic!("planning from the dump of {}: {e}", db.name));
    let _ = std::fs::remove_file(&dump);
    plan.to_sql()
}

/// Runs one fixture forward, re-plans from a dump, then runs it backward;
/// returns what went wrong.
fn round_trip(cluster: &PgCluster, dir: &Path) -> Vec<String> {
    let n = name(dir);
    let mut failures = Vec::new();
    let (from, to) = (dir.join("from.sql"), dir.join("to.sql"));
    let roles = roles_of(dir);
    let a = cluster.fresh_db("a");
    a.psql_file(&from).unwrap_or_else(|e| panic!("{n}: from.sql does not load: {e}"));
    let want_to = cluster.fresh_db("to");
    want_to.psql_file(&to).unwrap_or_else(|e| panic!("{n}: to.sql does not load: {e}"));
    let want_from = cluster.fresh_db("from");
    want_from.psql_file(&from).expect("from.sql loads");

    if let Err(e) = apply(&a, &plan_sql(&from, &to, &roles)) {
        return vec![format!("{n}: forward plan failed: {e}")];
    }
    if let Some(d) = catalog_difference(&a, &want_to, &roles) {
        failures.push(format!("{n}: after the forward plan the catalog differs from to.sql:\n{d}"));
    }
    let again = replan_from_dump(cluster, &a, &to, &roles);
    if !again.is_empty() {
        failures.push(format!("{n}: planning again from the database is not empty:\n{again}"));
    }
    if let Err(e) = apply(&a, &plan_sql(&to, &from, &roles)) {
        failures.push(format!("{n}: backward plan failed: {e}"));
        return failures;
    }
    if let Some(d) = catalog_difference(&a, &want_from, &roles) {
        failures.push(format!("{n}: after the backward plan the catalog differs from from.sql:\n{d}"));
    }
    failures
}

#[test]
fn fixtures_round_trip_on_postgres() {
    let cluster = PgCluster::start();
    let dirs = fixture_dirs();
    // The work is mostly waiting on the server: a few fixtures at a time keep both cores busy.
    let failures: Vec<String> = std::thread::scope(|s| {
        let workers: Vec<_> = dirs
            .chunks(dirs.len().div_ceil(3).max(1))
            .map(|chunk| {
                let cluster = &cluster;
                s.spawn(move || chunk.iter().flat_map(|d| round_trip(cluster, d)).collect::<Vec<_>>())
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("worker finished")).collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
