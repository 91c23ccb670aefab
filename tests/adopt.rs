//! Adopting a database: one Alembic brought to the chain's second revision
//! is taken to the head by `pgstate upgrade` alone; `stamp` records without
//! running; `baseline` starts a chain from a live database; `show` prints one
//! revision.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use pgstate::revisions::Chain;
use support::catalog::snapshot_lines;
use support::pg::{Db, PgCluster};
use support::run::pgstate_in;

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// stdout and stderr of a run that must succeed.
fn ok(out: Output) -> (String, String) {
    assert!(out.status.success(), "pgstate failed: {}{}", text(&out.stdout), text(&out.stderr));
    (text(&out.stdout), text(&out.stderr))
}

/// An empty project directory, or one with a copy of the seed's migrations/.
fn project(name: &str, with_migrations: bool) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pgstate-adopt-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("migrations")).expect("mkdir");
    if with_migrations {
        for e in std::fs::read_dir(repo("migrations")).expect("read dir") {
            let p = e.expect("entry").path();
            std::fs::copy(&p, dir.join("migrations").join(p.file_name().expect("name"))).expect("copy");
        }
    }
    dir
}

/// The catalog without pgstate's version table.
fn user_catalog(db: &Db) -> Vec<String> {
    snapshot_lines(db).into_iter().filter(|l| !l.contains("pgstate_revision")).collect()
}

#[test]
fn a_database_alembic_left_at_the_second_revision_is_brought_to_head_by_upgrade() {
    let chain = Chain::load(&repo("migrations")).expect("chain");
    let ids: Vec<&str> = chain.revisions.iter().map(|r| r.id.as_str()).collect();
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("alembic_left");
    // What Alembic did: the first two revisions, and alembic_version (its table
    // shape, varchar(32) primary key, made by the first revision) naming the second.
    for r in &chain.revisions[..2] {
        db.psql(&r.up).expect("revision runs");
    }
    db.psql(&format!("INSERT INTO alembic_version (version_num) VALUES ('{}')", ids[1])).expect("stamp");
    assert_eq!(db.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'pgstate_revision'").unwrap(), "0");

    let dir = project("alembic", true);
    let (_, err) = ok(pgstate_in(&dir, &["upgrade", "--url", &db.url()]));
    assert!(err.contains(&format!("adopted: alembic_version is at {}", ids[1])), "{err}");
    assert!(!err.contains(&format!("upgraded: {}", ids[0])) && !err.contains(&format!("upgraded: {}", ids[1])));
    assert!(err.contains(&format!("upgraded: {}", ids[3])), "{err}");
    let (current, _) = ok(pgstate_in(&dir, &["current", "--url", &db.url()]));
    assert!(current.contains(&format!("{} (head)", ids[3])), "{current}");

    // It converges: the same catalog as a database pgstate built from nothing.
    let fresh = cluster.fresh_db("alembic_fresh");
    ok(pgstate_in(&dir, &["upgrade", "--url", &fresh.url()]));
    assert_eq!(user_catalog(&db), user_catalog(&fresh));
    let (_, again) = ok(pgstate_in(&dir, &["upgrade", "--url", &db.url()]));
    assert!(again.contains("nothing to upgrade"), "{again}");
}

#[test]
fn an_alembic_revision_the_chain_lacks_is_refused_with_the_way_out() {
    let db = PgCluster::shared().fresh_db("alembic_unknown");
    db.psql("CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY); INSERT INTO alembic_version VALUES ('abc123def456')")
        .expect("setup");
    let out = pgstate_in(&project("unknown", true), &["upgrade", "--url", &db.url()]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("abc123def456") && err.contains("pgstate stamp"), "{err}");
    assert_eq!(db.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'agents'").unwrap(), "0", "nothing ran");
}

#[test]
fn stamp_records_without_running_anything() {
    let db = PgCluster::shared().fresh_db("stamp");
    let dir = project("stamp", true);
    let head = Chain::load(&repo("migrations")).expect("chain").head().expect("one head").expect("a head").id.clone();
    let (_, err) = ok(pgstate_in(&dir, &["stamp", "head", "--url", &db.url()]));
    assert!(err.contains(&format!("stamped: {head}")), "{err}");
    assert_eq!(db.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").unwrap(), "1", "only the record");
    let (current, _) = ok(pgstate_in(&dir, &["current", "--url", &db.url()]));
    assert!(current.contains(&format!("{head} (head)")), "{current}");
    let (_, up) = ok(pgstate_in(&dir, &["upgrade", "--url", &db.url()]));
    assert!(up.contains("nothing to upgrade"), "{up}");

    ok(pgstate_in(&dir, &["stamp", "9ce2", "--url", &db.url()]));
    assert_eq!(db.psql("SELECT version_num FROM pgstate_revision").unwrap(), "9ce227b568e8");
    ok(pgstate_in(&dir, &["stamp", "base", "--url", &db.url()]));
    let (current, _) = ok(pgstate_in(&dir, &["current", "--url", &db.url()]));
    assert!(current.contains("pgstate: no revision applied"), "{current}");
    let out = pgstate_in(&dir, &["stamp", "nosuchrev", "--url", &db.url()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("nosuchrev"), "{}", text(&out.stderr));
}

#[test]
fn baseline_starts_a_chain_from_a_live_database() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("baseline");
    db.psql(
        "CREATE TYPE mood AS ENUM ('ok', 'sad'); \
         CREATE TABLE author (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE, m mood); \
         CREATE TABLE book (id serial PRIMARY KEY, author_id bigint REFERENCES author (id), title text CHECK (title <> '')); \
         CREATE INDEX book_title ON book (lower(title)); \
         CREATE VIEW titles AS SELECT title FROM book;",
    )
    .expect("schema");
    let dir = project("baseline", false);
    let (_, err) = ok(pgstate_in(&dir, &["baseline", "--url", &db.url(), "--rev-id", "base1", "-m", "from prod"]));
    assert!(err.contains("recorded base1"), "{err}");
    let (current, _) = ok(pgstate_in(&dir, &["current", "--url", &db.url()]));
    assert!(current.contains("base1 (head)"), "{current}");
    let (_, up) = ok(pgstate_in(&dir, &["upgrade", "--url", &db.url()]));
    assert!(up.contains("nothing to upgrade"), "{up}");

    // The live schema, exported, is what the chain's head describes: the plan is empty.
    ok(pgstate_in(&dir, &["export", "--url", &db.url(), "--out", "schema"]));
    let (drift, _) = ok(pgstate_in(&dir, &["drift"]));
    assert!(drift.starts_with("in sync"), "{drift}");
    // And the revision builds the same database from nothing.
    let rebuilt = cluster.fresh_db("baseline_rebuilt");
    ok(pgstate_in(&dir, &["upgrade", "--url", &rebuilt.url()]));
    assert_eq!(user_catalog(&rebuilt), user_catalog(&db));

    let out = pgstate_in(&dir, &["baseline", "--url", &db.url()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("already holds revisions"), "{}", text(&out.stderr));
}

#[test]
fn show_prints_one_revision_as_alembic_does_with_its_sql() {
    let dir = project("show", true);
    let (out, _) = ok(pgstate_in(&dir, &["show", "2026011"]));
    assert!(out.starts_with("Rev: 20260115220929\nParent: 9ce227b568e8\n"), "{out}");
    assert!(out.contains("Branches into: 20260120_create_missing_tables"), "{out}");
    assert!(out.contains("    Revision ID: 20260115220929\n    Revises: 9ce227b568e8\n"), "{out}");
    assert!(out.contains("-- upgrade:\nALTER TABLE public.agents ADD COLUMN context_items jsonb;"), "{out}");
    assert!(out.contains("-- downgrade:\n"), "{out}");
    let (head, _) = ok(pgstate_in(&dir, &["show", "head"]));
    assert!(head.starts_with("Rev: 20260120_plugin_marketplace (head)"), "{head}");
    let (base, _) = ok(pgstate_in(&dir, &["show", "base"]));
    assert!(base.contains("Parent: <base>"), "{base}");
    let missing = pgstate_in(&dir, &["show", "zzz"]);
    assert_eq!(missing.status.code(), Some(2));
}
