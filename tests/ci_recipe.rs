//! The CI recipe of the README (`scripts/ci-pull-request.sh`), run as CI
//! would: an empty database, the base branch's schema, the pull request's.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::pg::PgCluster;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A project: `schema/` holding `pr`, `base/` holding `base`.
fn project(name: &str, base: &str, pr: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pgstate-ci-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (sub, sql) in [("schema", pr), ("base", base)] {
        std::fs::create_dir_all(dir.join(sub)).expect("dir");
        std::fs::write(dir.join(sub).join("schema.sql"), sql).expect("write");
    }
    dir
}

fn recipe(dir: &Path, url: &str) -> Output {
    Command::new("sh")
        .arg(repo().join("scripts/ci-pull-request.sh"))
        .current_dir(dir)
        .env("DATABASE_URL", url)
        .env("BASE_SCHEMA", "base")
        .env("PGSTATE", env!("CARGO_BIN_EXE_pgstate"))
        .env_remove("PGHOST")
        .env_remove("PGDATABASE")
        .env_remove("PGSERVICE")
        .output()
        .expect("sh runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_ci_recipe_plans_runs_and_checks_a_pull_request() {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README");
    assert!(
        readme.contains("scripts/ci-pull-request.sh") && readme.contains("services:"),
        "the README shows the recipe"
    );

    let db = PgCluster::shared().fresh_db("cirecipe");
    let dir = project(
        "ok",
        "CREATE TABLE users (id int PRIMARY KEY);",
        "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL DEFAULT '');\nCREATE INDEX users_email_idx ON users (email);",
    );
    let out = recipe(&dir, &db.url());
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    let plan = std::fs::read_to_string(dir.join("pgstate-plan.sql")).expect("the plan saved for review");
    assert!(plan.contains("ALTER TABLE public.users ADD COLUMN email text"), "{plan}");
    assert!(text(&out.stdout).contains("in sync"), "{}", text(&out.stdout));

    // A pull request whose schema does not parse fails the job, before touching the database.
    let db = PgCluster::shared().fresh_db("cirecipebad");
    let dir = project("bad", "CREATE TABLE users (id int PRIMARY KEY);", "CREATE TABLE users (id int PRIMARY KEY,,);");
    let out = recipe(&dir, &db.url());
    assert_eq!(out.status.code(), Some(2), "{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(db.psql("SELECT count(*) FROM pg_class WHERE relname = 'users'").expect("query"), "0");
}
