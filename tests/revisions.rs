//! Revisions: the seed's chain, replay against real PostgreSQL, autogenerate
//! after edits, tampering, branches and merges, and Alembic output run by Alembic.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::catalog::snapshot_lines;
use support::pg::{Db, PgCluster};
use support::run::pgstate_in;

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

/// Runs pgstate in `dir` (where `migrations/` and `schema/` are looked for).
fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "pgstate failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let p = e.expect("entry").path();
        if p.is_file() {
            std::fs::copy(&p, to.join(p.file_name().expect("name"))).expect("copy");
        }
    }
}

/// A scratch project with copies of schema/ and migrations/.
fn project(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pgstate-rev-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&repo("schema"), &dir.join("schema"));
    copy_dir(&repo("migrations"), &dir.join("migrations"));
    dir
}

/// The database's catalog without pgstate's version table.
fn user_catalog(db: &Db) -> Vec<String> {
    snapshot_lines(db).into_iter().filter(|l| !l.contains("pgstate_revision")).collect()
}

#[test]
fn the_seed_chain_is_in_order_and_matches_schema() {
    let out = ok(pgstate_in(&repo("."), &["history"]));
    let ids: Vec<&str> =
        out.lines().map(|l| l.split(" -> ").nth(1).and_then(|r| r.split([' ', ',']).next()).unwrap_or("")).collect();
    assert_eq!(
        ids,
        ["20260120_plugin_marketplace", "20260120_create_missing_tables", "20260115220929", "9ce227b568e8"],
        "{out}"
    );
    assert!(out.lines().next().is_some_and(|l| l.contains("(head)")), "{out}");
    assert!(out.lines().last().is_some_and(|l| l.starts_with("<base> -> 9ce227b568e8")), "{out}");
    let verbose = ok(pgstate_in(&repo("."), &["history", "--verbose"]));
    assert!(
        verbose.contains("Rev: 20260120_plugin_marketplace (head)\nParent: 20260120_create_missing_tables"),
        "{verbose}"
    );
    assert_eq!(ok(pgstate_in(&repo("."), &["heads"])).trim(), "20260120_plugin_marketplace (head)");
    let drift = pgstate_in(&repo("."), &["drift"]);
    assert_eq!(drift.status.code(), Some(0), "{}", String::from_utf8_lossy(&drift.stdout));
    // Table counts per revision, as the seed guide lists them.
    let chain = pgstate::revisions::Chain::load(&repo("migrations")).expect("chain");
    let mut counts = Vec::new();
    for r in &chain.revisions {
        counts.push(pgstate::revisions::state_at(&chain, std::slice::from_ref(&r.id)).expect("replays").tables.len());
    }
    assert_eq!(counts, [16, 16, 36, 47], "14 core + 2 bookkeeping, then +0, +20, +11");
}

#[test]
fn upgrade_and_downgrade_on_postgres_follow_the_replayed_states() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("chain");
    let url = db.url();
    let root = repo(".");
    let chain = pgstate::revisions::Chain::load(&repo("migrations")).expect("chain");
    // Each intermediate revision: the database equals the chain's replayed state there.
    for r in &chain.revisions {
        ok(pgstate_in(&root, &["upgrade", &r.id, "--url", &url]));
        let state = pgstate::revisions::state_at(&chain, std::slice::from_ref(&r.id)).expect("replays");
        let file = std::env::temp_dir().join(format!("pgstate-state-{}-{}.sql", std::process::id(), r.id));
        std::fs::write(&file, pgstate::plan::catalog_sql(&state).expect("plans")).expect("write state");
        let plan = ok(pgstate_in(&root, &["plan", "--url", &url, "--schema", &file.to_string_lossy()]));
        assert_eq!(plan, "", "database after upgrade to {} differs from the replayed state", r.id);
        let current = ok(pgstate_in(&root, &["current", "--url", &url]));
        assert!(current.starts_with(&r.id), "{current}");
    }
    let drift = pgstate_in(&root, &["drift", "--url", &url]);
    assert_eq!(drift.status.code(), Some(0), "{}", String::from_utf8_lossy(&drift.stdout));
    ok(pgstate_in(&root, &["downgrade", "base", "--url", &url, "--allow-destructive"]));
    assert_eq!(user_catalog(&db), snapshot_lines(&cluster.fresh_db("empty")), "downgrade base leaves an empty catalog");
    assert!(ok(pgstate_in(&root, &["current", "--url", &url])).contains("no revision applied"));
    ok(pgstate_in(&root, &["upgrade", "+2", "--url", &url]));
    assert!(ok(pgstate_in(&root, &["current", "--url", &url])).starts_with("20260115220929"));
    // +N past the head applies what is left, then says the database is at the head (not "at +99").
    ok(pgstate_in(&root, &["upgrade", "+99", "--url", &url]));
    let again = pgstate_in(&root, &["upgrade", "+99", "--url", &url]);
    let err = String::from_utf8_lossy(&again.stderr).into_owned();
    assert!(again.status.success() && err.contains("nothing to upgrade: the database is already at the head"), "{err}");
    assert!(ok(pgstate_in(&root, &["current", "--url", &url])).contains("(head)"));
}

#[test]
fn autogenerate_after_edits_converges_and_downgrade_restores() {
    let cluster = PgCluster::shared();
    let dir = project("edits");
    let db = cluster.fresh_db("edits");
    let url = db.url();
    ok(pgstate_in(&dir, &["upgrade", "--url", &url]));
    let before = user_catalog(&db);
    db.psql("INSERT INTO tools (id, name, description) VALUES ('t1', 'Tool', 'keep me')").expect("insert");
    // A new column, a new table, a new index, a dropped index, a renamed column.
    let core = dir.join("schema/core.sql");
    let text = std::fs::read_to_string(&core).expect("core.sql");
    let text = text.replacen(
        "    description         text,\n    category",
        "    summary             text, -- @renamed from=description\n    category",
        1,
    );
    assert!(text.contains("@renamed from=description"), "the edit must apply to core.sql's tools table");
    let text = text.replace("CREATE INDEX idx_workflows_user ON workflows (user_id);", "")
        + "\nCREATE TABLE audit_events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, what text NOT NULL);\n\
           CREATE INDEX idx_tools_category ON tools (category);\n";
    std::fs::write(
        &core,
        text.replace(
            "    is_builtin          boolean DEFAULT true,",
            "    is_builtin          boolean DEFAULT true,\n    version             integer DEFAULT 1,",
        ),
    )
    .expect("write core.sql");
    let made = pgstate_in(&dir, &["autogenerate", "-m", "edits"]);
    ok(made);
    let drift = pgstate_in(&dir, &["drift"]);
    assert_eq!(drift.status.code(), Some(0), "the chain now matches the edited schema");
    ok(pgstate_in(&dir, &["upgrade", "--url", &url]));
    let live_drift = pgstate_in(&dir, &["drift", "--url", &url]);
    assert_eq!(live_drift.status.code(), Some(0), "{}", String::from_utf8_lossy(&live_drift.stdout));
    assert_eq!(
        db.psql("SELECT summary FROM tools WHERE id = 't1'").expect("select"),
        "keep me",
        "the rename keeps the data"
    );
    ok(pgstate_in(&dir, &["downgrade", "-1", "--url", &url, "--allow-destructive"]));
    assert_eq!(user_catalog(&db), before, "downgrade restores the previous catalog exactly");
    assert_eq!(db.psql("SELECT description FROM tools WHERE id = 't1'").expect("select"), "keep me");
    // Nothing to write when nothing changed.
    let again = pgstate_in(&dir, &["autogenerate", "-m", "nothing"]);
    assert!(again.status.success() && String::from_utf8_lossy(&again.stderr).contains("nothing written"));
}

#[test]
fn a_tampered_revision_is_refused() {
    let dir = project("tamper");
    let file = dir.join("migrations/20260115220929_add_context_and_mcp_to_agents.sql");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, text.replace("mcp_servers jsonb", "mcp_servers json")).expect("write");
    for args in [vec!["drift"], vec!["upgrade", "--url", "postgres://postgres@127.0.0.1:1/none"]] {
        let out = pgstate_in(&dir, &args);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("20260115220929_add_context_and_mcp_to_agents.sql was changed"), "{err}");
    }
}

#[test]
fn two_heads_need_a_merge() {
    let cluster = PgCluster::shared();
    let dir = project("branches");
    // Two revisions written on two branches, both on top of the same head.
    for (id, table) in [("aaaa1111", "branch_a"), ("bbbb2222", "branch_b")] {
        let r = pgstate::revisions::Revision {
            id: id.into(),
            parents: vec!["20260120_plugin_marketplace".into()],
            message: format!("add {table}"),
            created: "2026-02-01T00:00:00Z".into(),
            up: format!("CREATE TABLE public.{table} (id integer);\n"),
            down: format!("DROP TABLE public.{table};\n"),
            path: PathBuf::new(),
        };
        std::fs::write(dir.join(format!("migrations/{id}_add_{table}.sql")), r.render()).expect("write");
    }
    ok(pgstate_in(&dir, &["hash"]));
    let db = cluster.fresh_db("branches");
    let url = db.url();
    let out = pgstate_in(&dir, &["upgrade", "head", "--url", &url]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("multiple heads") && err.contains("pgstate merge"), "{err}");
    assert!(ok(pgstate_in(&dir, &["heads"])).lines().count() == 2);
    ok(pgstate_in(&dir, &["merge", "-m", "merge branches", "aaaa", "bbbb"]));
    assert_eq!(ok(pgstate_in(&dir, &["heads"])).lines().count(), 1);
    ok(pgstate_in(&dir, &["upgrade", "head", "--url", &url]));
    assert_eq!(db.psql("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'branch_%'").expect("count"), "2");
    assert!(ok(pgstate_in(&dir, &["history"])).contains("(mergepoint)"));
}

/// A Python virtual environment with Alembic, made once under target/.
fn alembic_bin() -> PathBuf {
    let venv = repo("target/alembic-venv");
    let alembic = venv.join("bin/alembic");
    if !alembic.exists() {
        let status = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().expect("python3 runs");
        assert!(status.success(), "python3 -m venv failed");
        let pip = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "alembic", "sqlalchemy", "psycopg2-binary"])
            .output()
            .expect("pip runs");
        assert!(pip.status.success(), "pip install alembic failed: {}", String::from_utf8_lossy(&pip.stderr));
    }
    alembic
}

#[test]
fn alembic_output_runs_under_alembic() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("alembic");
    let url = db.url();
    let dir = std::env::temp_dir().join(format!("pgstate-alembic-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    let alembic = alembic_bin();
    let run = |args: &[&str]| {
        let out = Command::new(&alembic).args(args).current_dir(&dir).output().expect("alembic runs");
        assert!(
            out.status.success(),
            "alembic {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    };
    run(&["init", "alembic"]);
    let ini = dir.join("alembic.ini");
    let text = std::fs::read_to_string(&ini).expect("ini");
    let sa_url = url.replacen("postgres://", "postgresql+psycopg2://", 1);
    std::fs::write(&ini, text.replace("driver://user:pass@localhost/dbname", &sa_url)).expect("ini");
    // An existing, hand-written Alembic revision.
    std::fs::write(
        dir.join("alembic/versions/1a2b3c4d5e6f_users.py"),
        "from alembic import op\nimport sqlalchemy as sa\n\nrevision = '1a2b3c4d5e6f'\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\n\
         def upgrade():\n    op.create_table('users', sa.Column('id', sa.Integer, primary_key=True), sa.Column('email', sa.String(100), nullable=False))\n\n\
         def downgrade():\n    op.drop_table('users')\n",
    )
    .expect("write revision");
    run(&["upgrade", "head"]);
    let before = snapshot_lines(&db);
    let schema = dir.join("schema.sql");
    std::fs::write(
        &schema,
        "CREATE TABLE alembic_version (version_num varchar(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));\n\
         CREATE TABLE users (id serial PRIMARY KEY, email varchar(255) NOT NULL, name text);\n\
         CREATE TABLE posts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id integer REFERENCES users (id) ON DELETE CASCADE, title text NOT NULL);\n\
         CREATE INDEX posts_user_idx ON posts (user_id);\n\
         COMMENT ON TABLE posts IS 'run as written: at :noon, \\:x, 12:30, 100% and %(y)s';\n",
    )
    .expect("schema");
    let versions = dir.join("alembic/versions");
    ok(pgstate_in(
        &dir,
        &[
            "autogenerate",
            "--format",
            "alembic",
            "--alembic-dir",
            &versions.to_string_lossy(),
            "--url",
            &url,
            "--schema",
            &schema.to_string_lossy(),
            "-m",
            "posts",
        ],
    ));
    let generated = std::fs::read_dir(&versions)
        .expect("versions")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().contains("_posts")))
        .expect("a generated revision");
    let text = std::fs::read_to_string(&generated).expect("read generated");
    assert!(text.contains("down_revision = \"1a2b3c4d5e6f\"") && text.contains("op.execute("), "{text}");
    run(&["upgrade", "head"]);
    let drift = pgstate_in(&dir, &["drift", "--url", &url, "--schema", &schema.to_string_lossy()]);
    assert_eq!(drift.status.code(), Some(0), "{}", String::from_utf8_lossy(&drift.stdout));
    let current = ok(pgstate_in(&dir, &["current", "--url", &url]));
    assert!(current.contains("alembic: "), "{current}");
    run(&["downgrade", "-1"]);
    assert_eq!(snapshot_lines(&db), before, "alembic downgrade -1 restores the previous catalog");
}

#[test]
fn replay_skips_data_statements_and_names_what_it_cannot_read() {
    let base = pgstate::model::Catalog::default();
    let sql = "CREATE TABLE t (id int, note text);\nINSERT INTO t VALUES (1, 'it''s');\nUPDATE t SET note = 'x';\nALTER TABLE t ADD COLUMN extra int;\n";
    let cat = pgstate::revisions::replay::replay(base.clone(), "r1", sql).expect("replays");
    assert_eq!(cat.tables.values().next().map(|t| t.columns.len()), Some(3));
    let err =
        pgstate::revisions::replay::replay(base, "r2", "CREATE ROLE reader;").expect_err("roles are not modelled");
    assert!(err.to_string().contains("revision r2") && err.to_string().contains("CREATE ROLE"), "{err}");
}

/// The plans of the routine and trigger fixtures replay on the model to
/// their targets (and the other way round): DROP FUNCTION / PROCEDURE /
/// TRIGGER, CREATE OR REPLACE, ENABLE / DISABLE TRIGGER and COMMENT ON.
#[test]
fn routine_and_trigger_plans_replay_to_their_targets() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/diff");
    for name in ["functions", "procedures", "triggers"] {
        let from = pgstate::parse::parse_path(&root.join(name).join("from.sql")).expect("from parses").catalog;
        let to = pgstate::parse::parse_path(&root.join(name).join("to.sql")).expect("to parses").catalog;
        for (a, b, way) in [(&from, &to, "forward"), (&to, &from, "backward")] {
            let sql = pgstate::plan::plan(a, b, &[]).expect("plans").to_sql();
            let reached = pgstate::revisions::replay::replay(a.clone(), name, &sql)
                .unwrap_or_else(|e| panic!("{name} {way}: {e}\n{sql}"));
            assert_eq!(pgstate::diff::diff(&reached, b), vec![], "{name} {way}:\n{sql}");
        }
    }
    let base = pgstate::parse::parse_path(&root.join("functions/from.sql")).expect("parses").catalog;
    let cat =
        pgstate::revisions::replay::replay(base, "r", "DROP FUNCTION IF EXISTS nothing_here(int); DROP FUNCTION gone;")
            .expect("replays");
    assert!(!cat.routines.keys().any(|k| k.name.name == "gone"));
}

#[test]
fn privilege_statements_replay_in_order() {
    use pgstate::model::{Catalog, GrantKey, GrantObject, Grantee, Privilege, QualName};
    let first = pgstate::revisions::replay::replay(
        Catalog::default(),
        "r1",
        "CREATE TABLE t (a int);
         GRANT SELECT, INSERT ON t TO app;
         ALTER DEFAULT PRIVILEGES FOR ROLE owner GRANT SELECT ON TABLES TO app;",
    )
    .expect("first revision replays");
    let second = pgstate::revisions::replay::replay(
        first,
        "r2",
        "REVOKE INSERT ON t FROM app;
         ALTER DEFAULT PRIVILEGES FOR ROLE owner REVOKE SELECT ON TABLES FROM app;",
    )
    .expect("second revision replays");
    let key =
        GrantKey { object: GrantObject::Table(QualName::new("public", "t")), grantee: Grantee::Role("app".into()) };
    assert_eq!(second.grants[&key].0.keys().copied().collect::<Vec<_>>(), vec![Privilege::Select]);
    assert!(second.default_privileges.is_empty());
}
