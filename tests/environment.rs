//! Where the database comes from when `--url` is not given: the `PG*`
//! variables, a service file, an environment of pgstate.toml (`--env`), with
//! `application_name` pgstate's unless the user names one.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pgstate::connection::{runtime, Environment, Target};
use support::pg::{Db, PgCluster};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pgstate-env-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

/// `pgstate ARGS` in `dir` with no database variable but `vars`.
fn pgstate(dir: &Path, args: &[&str], vars: &[(&str, String)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgstate"));
    cmd.args(args).current_dir(dir).env("RUST_BACKTRACE", "0");
    for (k, _) in std::env::vars() {
        if k.starts_with("PG") || k == "DATABASE_URL" {
            cmd.env_remove(k);
        }
    }
    cmd.envs(vars.iter().map(|(k, v)| (*k, v.as_str())));
    cmd.output().expect("pgstate runs")
}

/// A database with one table, so `export` has something to say.
fn db_with_table(prefix: &str) -> Db {
    let db = PgCluster::shared().fresh_db(prefix);
    db.psql("CREATE TABLE marker_table (id int)").expect("table");
    db
}

fn exports_marker(out: &Output) {
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("marker_table"), "{}", text(&out.stdout));
}

#[test]
fn the_pg_variables_name_the_database_without_url() {
    let db = db_with_table("pgvars");
    let dir = scratch("pgvars");
    let vars = vec![
        ("PGHOST", "127.0.0.1".to_string()),
        ("PGPORT", db.port.to_string()),
        ("PGUSER", "postgres".to_string()),
        ("PGDATABASE", db.name.clone()),
    ];
    exports_marker(&pgstate(&dir, &["export"], &vars));
    // An empty --url is completed from them too, as libpq completes any string.
    exports_marker(&pgstate(&dir, &["export", "--url", ""], &vars));
    // A URL naming only the database takes host, port and user from them.
    exports_marker(&pgstate(&dir, &["export", "--url", &format!("dbname={}", db.name)], &vars));

    let none = pgstate(&dir, &["export"], &[]);
    assert_eq!(none.status.code(), Some(2));
    assert!(text(&none.stderr).contains("no database given"), "{}", text(&none.stderr));
}

#[test]
fn a_service_file_names_the_database() {
    let db = db_with_table("service");
    let dir = scratch("service");
    let file = dir.join("services.conf");
    std::fs::write(
        &file,
        format!("# ours\n[app]\nhost=127.0.0.1\nport={}\nuser=postgres\ndbname={}\n", db.port, db.name),
    )
    .expect("service file");
    let vars = vec![
        ("PGSERVICEFILE", file.display().to_string()),
        ("PGSYSCONFDIR", dir.display().to_string()),
        ("PGSERVICE", "app".to_string()),
    ];
    exports_marker(&pgstate(&dir, &["export"], &vars));
    exports_marker(&pgstate(&dir, &["export", "--url", "service=app"], &vars[..2]));
    let missing = pgstate(&dir, &["export", "--url", "service=other"], &vars[..2]);
    assert!(text(&missing.stderr).contains("service \"other\" not found"), "{}", text(&missing.stderr));
}

#[test]
fn an_environment_of_pgstate_toml_is_chosen_with_env() {
    let db = db_with_table("namedenv");
    let dir = scratch("namedenv");
    std::fs::write(
        dir.join("pgstate.toml"),
        "[env.staging]\nurl = \"${STAGING_URL}\"\nschemas = [\"public\"]\n\n[env.other]\nurl = \"postgres://x@127.0.0.1:1/x\"\n",
    )
    .expect("config");
    exports_marker(&pgstate(&dir, &["export", "--env", "staging"], &[("STAGING_URL", db.url())]));
    // --url still wins over the environment's.
    exports_marker(&pgstate(&dir, &["export", "--env", "other", "--url", &db.url()], &[]));

    let unset = pgstate(&dir, &["export", "--env", "staging"], &[]);
    let err = text(&unset.stderr);
    assert!(err.contains("[env.staging] url names ${STAGING_URL}, which is not set"), "{err}");
    let unknown = pgstate(&dir, &["export", "--env", "prod"], &[]);
    let err = text(&unknown.stderr);
    assert!(err.contains("no environment \"prod\"") && err.contains("defined: other, staging"), "{err}");
}

fn app_name(target: &Target) -> String {
    runtime().expect("runtime").block_on(async {
        let client = target.connect().await.expect("connects");
        client.query_one("SHOW application_name", &[]).await.expect("show").get(0)
    })
}

#[test]
fn sessions_are_pgstate_unless_the_user_names_them() {
    let db = PgCluster::shared().fresh_db("appname");
    let bare = Environment::from_pairs([("HOME", "/nonexistent-home")]);
    assert_eq!(app_name(&Target::parse_with(&db.url(), &bare).expect("url")), "pgstate");
    let named = Environment::from_pairs([("HOME", "/nonexistent-home"), ("PGAPPNAME", "deploy-bot")]);
    assert_eq!(app_name(&Target::parse_with(&db.url(), &named).expect("url")), "deploy-bot");
    let in_url = format!("{}?application_name=from-url", db.url());
    assert_eq!(app_name(&Target::parse_with(&in_url, &named).expect("url")), "from-url");
}

#[test]
fn a_wrong_password_is_never_printed() {
    let dir = scratch("nopassword");
    let out = pgstate(&dir, &["export", "--url", "postgres://u:Hunter2Secret@127.0.0.1:1/db"], &[]);
    let err = text(&out.stderr);
    assert!(err.contains("cannot connect to u@127.0.0.1:1/db"), "{err}");
    assert!(!err.contains("Hunter2Secret"), "{err}");
    let bad = pgstate(&dir, &["export", "--url", "host=h password='Hunter2Secret"], &[]);
    assert!(!text(&bad.stderr).contains("Hunter2Secret"), "{}", text(&bad.stderr));
}
