//! pgstate against real PostgreSQL: plan --url, apply, drift and export, with
//! catalogs compared by PostgreSQL's own functions (tests/support/catalog.rs).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use support::catalog::{diff_lines, snapshot_lines};
use support::pg::{Db, PgCluster};

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn pgstate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pgstate"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("pgstate runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A schema file in a temporary directory.
fn schema_file(name: &str, sql: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pgstate-live-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("schema.sql");
    std::fs::write(&path, sql).expect("write schema");
    path
}

fn apply(db: &Db, schema: &Path, extra: &[&str]) -> Output {
    let url = db.url();
    let schema = schema.to_string_lossy().into_owned();
    let mut args = vec!["apply", "--url", &url, "--schema", &schema, "--yes"];
    args.extend_from_slice(extra);
    pgstate(&args)
}

fn plan_url(db: &Db, schema: &Path) -> String {
    let out = pgstate(&["plan", "--url", &db.url(), "--schema", &schema.to_string_lossy()]);
    assert!(out.status.success(), "plan --url failed: {}", text(&out.stderr));
    text(&out.stdout)
}

fn same_catalog(a: &Db, b: &Db) -> Result<(), String> {
    let (la, lb) = (snapshot_lines(a), snapshot_lines(b));
    if la == lb {
        return Ok(());
    }
    Err(diff_lines(&la, &lb).into_iter().filter(|(t, _)| *t != "  ").map(|(t, l)| format!("{t}{l}\n")).collect())
}

/// The schemas either side uses: a fixture may empty a schema the other side no longer mentions.
fn managed_schemas(a: &Path, b: &Path) -> String {
    let mut all: Vec<String> = Vec::new();
    for p in [a, b] {
        let parsed = pgstate::parse::parse_path(p).expect("fixture parses");
        let scope = pgstate::ops::desired::scope(&parsed.catalog, None);
        for s in scope.list() {
            if !all.contains(s) {
                all.push(s.clone());
            }
        }
    }
    all.join(",")
}

#[test]
fn agenticrag_applies_to_an_empty_database_and_converges() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("agentic");
    let schema = repo("schema");
    let out = apply(&db, &schema, &[]);
    assert!(out.status.success(), "apply failed: {}", text(&out.stderr));
    assert_eq!(plan_url(&db, &schema), "", "a second plan must be empty");
    let drift = pgstate(&["drift", "--url", &db.url(), "--schema", &schema.to_string_lossy()]);
    assert_eq!(drift.status.code(), Some(0), "{}", text(&drift.stdout));
    assert_eq!(db.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").expect("count"), "47");
}

#[test]
fn every_fixture_applies_in_both_directions() {
    let cluster = PgCluster::shared();
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(repo("fixtures/diff")).expect("fixtures").map(|e| e.expect("entry").path()).collect();
    dirs.sort();
    // What an older major lacks (scripts/test-major.sh 13): UNIQUE NULLS NOT DISTINCT (15), multiranges (14).
    let major = cluster.version_num() / 10000;
    let needs = |d: &PathBuf| match d.file_name().and_then(|n| n.to_str()) {
        Some("primary_and_unique") => 15,
        Some("range_types") => 14,
        _ => 0,
    };
    dirs.retain(|d| major >= needs(d));
    let failures: Vec<String> = std::thread::scope(|s| {
        let workers: Vec<_> = dirs
            .chunks(dirs.len().div_ceil(3))
            .map(|chunk| {
                s.spawn(move || {
                    let mut failures = Vec::new();
                    for dir in chunk {
                        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                        let (from, to) = (dir.join("from.sql"), dir.join("to.sql"));
                        let a = cluster.fresh_db("a");
                        a.psql_file(&from).expect("from.sql loads");
                        let want_to = cluster.fresh_db("to");
                        want_to.psql_file(&to).expect("to.sql loads");
                        let want_from = cluster.fresh_db("from");
                        want_from.psql_file(&from).expect("from.sql loads");
                        let schemas = managed_schemas(&from, &to);
                        for (target, want, label) in [(&to, &want_to, "forward"), (&from, &want_from, "backward")] {
                            let out = apply(&a, target, &["--allow-destructive", "--schemas", &schemas]);
                            if !out.status.success() {
                                failures.push(format!("{name} {label}: apply failed: {}", text(&out.stderr)));
                                break;
                            }
                            if let Err(d) = same_catalog(&a, want) {
                                failures.push(format!("{name} {label}: catalog differs:\n{d}"));
                            }
                        }
                    }
                    failures
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("worker")).collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_type_change_under_three_views_rebuilds_exactly_the_views_in_the_way() {
    let cluster = PgCluster::shared();
    let (from, to) = (repo("fixtures/diff/views/from.sql"), repo("fixtures/diff/views/to.sql"));
    let db = cluster.fresh_db("chain");
    db.psql_file(&from).expect("from.sql loads");
    let plan = plan_url(&db, &to);
    let at = |needle: &str| plan.find(needle).unwrap_or_else(|| panic!("plan lacks {needle}:\n{plan}"));
    let alter = at("ALTER TABLE public.orders ALTER COLUMN amount TYPE bigint");
    // pg_depend, not luck: the chain goes down dependants first and comes back up in reverse.
    let drops = ["DROP VIEW public.big_order_count", "DROP VIEW public.big_orders", "DROP VIEW public.order_amounts"];
    let creates =
        ["CREATE VIEW public.order_amounts", "CREATE VIEW public.big_orders ", "CREATE VIEW public.big_order_count"];
    let drop_at: Vec<usize> = drops.iter().map(|d| at(d)).collect();
    let create_at: Vec<usize> = creates.iter().map(|c| at(c)).collect();
    assert!(drop_at.windows(2).all(|w| w[0] < w[1]) && drop_at[2] < alter, "{plan}");
    assert!(create_at.windows(2).all(|w| w[0] < w[1]) && alter < create_at[0], "{plan}");
    // The views that do not read orders.amount are replaced in place, never dropped.
    assert!(!plan.contains("DROP VIEW public.notes") && !plan.contains("DROP VIEW public.order_ids"), "{plan}");
    assert!(plan.contains("CREATE OR REPLACE VIEW public.notes"), "{plan}");

    let out = apply(&db, &to, &["--allow-destructive"]);
    assert!(out.status.success(), "apply failed: {}", text(&out.stderr));
    let want = cluster.fresh_db("chain_want");
    want.psql_file(&to).expect("to.sql loads");
    same_catalog(&db, &want).unwrap_or_else(|d| panic!("catalog differs from to.sql:\n{d}"));
    assert_eq!(plan_url(&db, &to), "", "planning again after apply");
}

#[test]
fn hand_written_sql_in_any_spelling_shows_no_drift() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("spelling");
    db.psql(
        "CREATE TYPE Mood AS ENUM ('sad', 'ok');
         CREATE TABLE Users (ID SERIAL, Email VARCHAR(100) NOT NULL, Mood mood DEFAULT 'ok',
                             Score INT4 CHECK (Score BETWEEN 0 AND 10), Created TIMESTAMPTZ DEFAULT NOW());
         ALTER TABLE Users ADD PRIMARY KEY (ID);
         ALTER TABLE Users ADD CONSTRAINT users_email_key UNIQUE (Email);
         CREATE TABLE Posts (Id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, Author INTEGER, Kind TEXT);
         ALTER TABLE Posts ADD FOREIGN KEY (Author) REFERENCES Users ON DELETE CASCADE;
         ALTER TABLE Posts ADD CHECK (Kind IN ('a', 'b'));
         CREATE INDEX ON Posts (LOWER(Kind)) WHERE Kind IS NOT NULL;",
    )
    .expect("hand-written schema loads");
    let schema = schema_file(
        "spelling",
        "CREATE TABLE posts (
             id bigint GENERATED BY DEFAULT AS IDENTITY,
             author integer REFERENCES users (id) ON DELETE CASCADE,
             kind text CONSTRAINT posts_kind_check CHECK (kind = ANY (ARRAY['a'::text, 'b'::text])),
             PRIMARY KEY (id)
         );
         CREATE INDEX posts_lower_idx ON posts (lower(kind)) WHERE (kind IS NOT NULL);
         CREATE TYPE mood AS ENUM ('sad', 'ok');
         CREATE TABLE users (
             id integer NOT NULL DEFAULT nextval('users_id_seq'::regclass),
             email character varying(100) NOT NULL,
             mood mood DEFAULT 'ok'::mood,
             score integer,
             created timestamp with time zone DEFAULT now(),
             CONSTRAINT users_pkey PRIMARY KEY (id),
             CONSTRAINT users_email_key UNIQUE (email),
             CONSTRAINT users_score_check CHECK (score >= 0 AND score <= 10)
         );
         CREATE SEQUENCE users_id_seq AS integer OWNED BY users.id;",
    );
    let drift = pgstate(&["drift", "--url", &db.url(), "--schema", &schema.to_string_lossy()]);
    assert_eq!(drift.status.code(), Some(0), "expected no drift:\n{}{}", text(&drift.stdout), text(&drift.stderr));
}

#[test]
fn expressions_the_parser_cannot_settle_are_settled_by_the_server() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("normalize");
    db.psql("CREATE TABLE job (ttl interval DEFAULT '1 day'::interval, at date CHECK (at > '2020-01-01'::date + 1))")
        .expect("loads");
    // Spelled differently from what PostgreSQL prints back, and beyond the parser's rewrites.
    let schema = schema_file(
        "normalize",
        "CREATE TABLE job (ttl interval DEFAULT interval '1 day', at date CONSTRAINT job_at_check CHECK (at > date '2020-01-01' + 1));",
    );
    assert_eq!(plan_url(&db, &schema), "");
    // A real difference still shows.
    let changed = schema_file("normalize2", "CREATE TABLE job (ttl interval DEFAULT interval '2 days', at date CONSTRAINT job_at_check CHECK (at > date '2020-01-01' + 1));");
    let plan = plan_url(&db, &changed);
    assert!(plan.contains("SET DEFAULT"), "{plan}");
    assert!(!plan.contains("job_at_check"), "{plan}");
    // And nothing of the scratch work is left behind.
    assert_eq!(db.psql("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'pgstate_scratch%'").expect("query"), "0");
}

/// Two spellings PostgreSQL stores alike, beyond the parser's rewrites, and one real change.
fn offline_pair(name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let current = schema_file(
        &format!("{name}-current"),
        "CREATE TABLE job (name varchar(10), at date, ttl interval DEFAULT '1 day'::interval, \
         CONSTRAINT job_name_check CHECK (name::text ~~ 'a%'::text), \
         CONSTRAINT job_at_check CHECK (at > '2020-01-01'::date));",
    );
    let same = schema_file(
        &format!("{name}-same"),
        "CREATE TABLE job (name varchar(10), at date, ttl interval DEFAULT interval '1 day', \
         CONSTRAINT job_name_check CHECK (name LIKE 'a%'), CONSTRAINT job_at_check CHECK (at > date '2020-01-01'));",
    );
    let changed = schema_file(
        &format!("{name}-changed"),
        "CREATE TABLE job (name varchar(10), at date, ttl interval DEFAULT interval '1 day', \
         CONSTRAINT job_name_check CHECK (name LIKE 'b%'), CONSTRAINT job_at_check CHECK (at > date '2020-01-01'));",
    );
    (current, same, changed)
}

fn plan_from(current: &Path, desired: &Path, extra: &[&str]) -> String {
    let (current, desired) = (current.to_string_lossy(), desired.to_string_lossy());
    let mut args = vec!["plan", "--from", &current, "--schema", &desired];
    args.extend_from_slice(extra);
    let out = pgstate(&args);
    assert!(out.status.success(), "plan --from failed: {}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn offline_plans_settle_expressions_on_a_dev_database() {
    let cluster = PgCluster::shared();
    let dev = cluster.fresh_db("devurl");
    let before = snapshot_lines(&dev);
    let (current, same, changed) = offline_pair("devurl");
    let url = dev.url();
    // The parser alone cannot tell these spellings are one schema.
    assert_ne!(plan_from(&current, &same, &["--parser-only"]), "");
    assert_eq!(plan_from(&current, &same, &["--dev-url", &url]), "");
    let plan = plan_from(&current, &changed, &["--dev-url", &url]);
    assert!(plan.contains("job_name_check CHECK (name LIKE 'b%')"), "{plan}");
    assert!(!plan.contains("job_at_check") && !plan.contains("DEFAULT"), "{plan}");
    // The dev database is a scratchpad: nothing of the work stays in it.
    assert_eq!(snapshot_lines(&dev), before);
}

#[test]
fn offline_plans_settle_expressions_on_a_throwaway_local_server() {
    let (current, same, changed) = offline_pair("local");
    // A temporary directory of this test's own: other tests start throwaway
    // servers too, so only an empty one here shows that nothing was left.
    let tmp = std::env::temp_dir().join(format!("pgstate-test-tmp-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let plan_in_tmp = |desired: &Path| {
        let (current, desired) = (current.to_string_lossy(), desired.to_string_lossy());
        let out = Command::new(env!("CARGO_BIN_EXE_pgstate"))
            .args(["plan", "--from", &current, "--schema", &desired])
            .env("TMPDIR", &tmp)
            .output()
            .expect("pgstate runs");
        assert!(out.status.success(), "plan --from failed: {}", text(&out.stderr));
        assert!(!text(&out.stderr).contains("parser alone"), "a server was started: {}", text(&out.stderr));
        text(&out.stdout)
    };
    assert_eq!(plan_in_tmp(&same), "");
    let plan = plan_in_tmp(&changed);
    assert!(plan.contains("job_name_check CHECK (name LIKE 'b%')"), "{plan}");
    assert!(!plan.contains("job_at_check"), "{plan}");
    let left: Vec<_> = std::fs::read_dir(&tmp).expect("temp dir").flatten().map(|e| e.file_name()).collect();
    let _ = std::fs::remove_dir(&tmp);
    assert!(left.is_empty(), "the throwaway server left {left:?} behind");
}

#[test]
fn domain_expressions_are_settled_by_the_server_too() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("domains");
    // Spellings the parser does not equate with what PostgreSQL prints back.
    let schema = schema_file(
        "domains",
        "CREATE DOMAIN code AS varchar(8) DEFAULT 'x'::text CONSTRAINT code_shape CHECK (VALUE LIKE 'c%');\n\
         CREATE TABLE item (id int PRIMARY KEY, c code);",
    );
    let out = apply(&db, &schema, &[]);
    assert!(out.status.success(), "apply failed: {}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(plan_url(&db, &schema), "", "a second plan must be empty");
    let changed = schema_file(
        "domains2",
        "CREATE DOMAIN code AS varchar(8) DEFAULT 'x'::text CONSTRAINT code_shape CHECK (VALUE LIKE 'd%');\n\
         CREATE TABLE item (id int PRIMARY KEY, c code);",
    );
    let plan = plan_url(&db, &changed);
    assert!(plan.contains("ADD CONSTRAINT code_shape") && !plan.contains("DEFAULT"), "{plan}");
}

/// A settle reads back only the kinds that differ (`Mismatches::kinds`):
/// each kind alone, as its only mismatch, must still be read and settled.
/// `LIKE` on varchar is a spelling the parser cannot equate with
/// PostgreSQL's (`((s)::text ~~ 'a%'::text)`).
#[test]
fn each_kind_of_differing_expression_is_read_back_when_it_is_the_only_one() {
    let cluster = PgCluster::shared();
    let table = "CREATE TABLE item (id int PRIMARY KEY, s varchar(8) NOT NULL, owner text NOT NULL);\n";
    let kinds = [
        ("check", "ALTER TABLE item ADD CONSTRAINT item_s CHECK (s LIKE 'a%');"),
        ("index", "CREATE INDEX item_ab ON item (id) WHERE s LIKE 'a%';"),
        ("policy", "ALTER TABLE item ENABLE ROW LEVEL SECURITY;\nCREATE POLICY ab ON item USING (s LIKE 'a%');"),
        ("domain", "CREATE DOMAIN ab AS varchar(8) CHECK (VALUE LIKE 'a%');\nCREATE TABLE tagged (t ab);"),
    ];
    for (kind, sql) in kinds {
        let db = cluster.fresh_db(&format!("kind_{kind}"));
        let schema = schema_file(&format!("kind_{kind}"), &format!("{table}{sql}"));
        let out = apply(&db, &schema, &[]);
        assert!(out.status.success(), "{kind}: apply failed: {}{}", text(&out.stdout), text(&out.stderr));
        assert_eq!(plan_url(&db, &schema), "", "{kind}: settled, a second plan is empty");
    }
}

#[test]
fn export_round_trips() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("export");
    assert!(apply(&db, &repo("schema"), &[]).status.success());
    let dir = std::env::temp_dir().join(format!("pgstate-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // schema/ declares Alembic's bookkeeping table, which an export leaves out unless asked.
    let out = pgstate(&["export", "--url", &db.url(), "--out", &dir.to_string_lossy(), "--include-bookkeeping"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let files = std::fs::read_dir(&dir).expect("export dir").count();
    assert_eq!(files, 49, "one file per table plus schema.sql and the export's marker");
    let exported = dir.to_string_lossy().into_owned();
    let against_itself = pgstate(&["plan", "--schema", &exported, "--from", &exported]);
    assert!(against_itself.status.success() && against_itself.stdout.is_empty(), "{}", text(&against_itself.stderr));
    let against_schema = pgstate(&["plan", "--schema", &exported, "--from", &repo("schema").to_string_lossy()]);
    assert!(against_schema.stdout.is_empty(), "export differs from schema/:\n{}", text(&against_schema.stdout));
    assert_eq!(plan_url(&db, &dir), "");
    let without = dir.with_extension("plain");
    let _ = std::fs::remove_dir_all(&without);
    let out = pgstate(&["export", "--url", &db.url(), "--out", &without.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!without.join("public.alembic_version.sql").exists());
    assert_eq!(plan_url(&db, &without), "", "an undeclared alembic_version is left alone");
    let single = dir.join("all.sql");
    let out = pgstate(&["export", "--url", &db.url(), "--out", &single.to_string_lossy()]);
    assert!(out.status.success());
    assert_eq!(plan_url(&db, &single), "");
}

#[test]
fn apply_refuses_data_loss_and_changes_nothing() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("destructive");
    db.psql("CREATE TABLE keep (id int PRIMARY KEY, old text); CREATE TABLE gone (id int); INSERT INTO keep VALUES (1, 'x');")
        .expect("loads");
    let before = snapshot_lines(&db);
    let schema = schema_file("destructive", "CREATE TABLE keep (id int PRIMARY KEY, fresh text);");
    let out = apply(&db, &schema, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("public.gone") && err.contains("public.keep.old") && err.contains("--allow-destructive"),
        "{err}"
    );
    assert_eq!(snapshot_lines(&db), before, "nothing may change");
    let out = apply(&db, &schema, &["--allow-destructive"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(plan_url(&db, &schema), "");
}

#[test]
fn a_failing_statement_rolls_everything_back() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("rollback");
    db.psql("CREATE TABLE t (id int, code text); INSERT INTO t VALUES (1, 'a'), (2, 'a');").expect("loads");
    let before = snapshot_lines(&db);
    // The new column comes first in the plan; the unique constraint then fails on the duplicates.
    let schema =
        schema_file("rollback", "CREATE TABLE t (id int, code text UNIQUE, note text); CREATE TABLE other (id int);");
    // In one transaction, as --transactional runs a plan (the online form commits its first part first).
    let out = apply(&db, &schema, &["--transactional"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("could not create unique index") && err.contains("while running"), "{err}");
    assert_eq!(snapshot_lines(&db), before, "the whole plan must roll back");
}

#[test]
fn concurrent_applies_serialize() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("concurrent");
    let schema = repo("schema");
    // Another session holds pgstate's lock for two seconds.
    let holder = Command::new(&db.psql_bin)
        .args(["-X", "-q", "-h", "127.0.0.1", "-U", "postgres", "-p", &cluster.port().to_string(), &db.name, "-c"])
        .arg(format!("SELECT pg_advisory_lock({}); SELECT pg_sleep(2);", pgstate::ops::apply::LOCK_KEY))
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("psql starts");
    std::thread::sleep(Duration::from_millis(500));
    let out = apply(&db, &schema, &["--lock-wait", "200ms"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("holds the lock"), "{}", text(&out.stderr));
    let start = Instant::now();
    let first = std::thread::scope(|s| {
        let a = s.spawn(|| apply(&db, &schema, &[]));
        let b = s.spawn(|| apply(&db, &schema, &[]));
        (a.join().expect("a"), b.join().expect("b"))
    });
    let mut holder = holder;
    let _ = holder.wait();
    assert!(start.elapsed() >= Duration::from_millis(1000), "the applies must have waited for the lock");
    for out in [&first.0, &first.1] {
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let messages = format!("{}{}", text(&first.0.stderr), text(&first.1.stderr));
    assert!(
        messages.contains("applied") && messages.contains("nothing to do"),
        "one applies, the other finds it done:\n{messages}"
    );
}

#[test]
fn lock_timeout_is_reported_as_such() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("locktimeout");
    db.psql("CREATE TABLE busy (id int)").expect("loads");
    let holder = Command::new(&db.psql_bin)
        .args(["-X", "-q", "-h", "127.0.0.1", "-U", "postgres", "-p", &cluster.port().to_string(), &db.name, "-c"])
        .arg("BEGIN; LOCK TABLE busy IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(3); COMMIT;")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("psql starts");
    std::thread::sleep(Duration::from_millis(700));
    let schema = schema_file("locktimeout", "CREATE TABLE busy (id int, added text);");
    let out = apply(&db, &schema, &["--lock-timeout", "300ms"]);
    let mut holder = holder;
    let _ = holder.wait();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("lock timeout"), "{}", text(&out.stderr));
}

#[test]
fn an_invalid_index_is_dropped_and_built_again() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("invalidindex");
    db.psql("CREATE TABLE t (code text); INSERT INTO t VALUES ('a'), ('a');").expect("loads");
    // What an interrupted CREATE INDEX CONCURRENTLY leaves behind.
    let _ = db.psql("CREATE UNIQUE INDEX CONCURRENTLY t_code_idx ON t (code)");
    assert_eq!(
        db.psql("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_code_idx'::regclass").expect("query"),
        "f"
    );
    db.psql("DELETE FROM t WHERE ctid = (SELECT max(ctid) FROM t)").expect("dedupe");
    let schema = schema_file("invalidindex", "CREATE TABLE t (code text); CREATE UNIQUE INDEX t_code_idx ON t (code);");
    let plan = plan_url(&db, &schema);
    assert!(
        plan.contains("DROP INDEX IF EXISTS public.t_code_idx")
            && plan.contains("CREATE UNIQUE INDEX CONCURRENTLY t_code_idx"),
        "{plan}"
    );
    let out = apply(&db, &schema, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        db.psql("SELECT indisvalid FROM pg_index WHERE indexrelid = 't_code_idx'::regclass").expect("query"),
        "t"
    );
}

#[test]
fn unmanaged_schemas_are_never_touched_and_listed_ones_are_emptied() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("scope");
    db.psql("CREATE SCHEMA other; CREATE TABLE other.t (id int); CREATE SCHEMA extra; CREATE TABLE extra.x (id int); CREATE TABLE public.p (id int);")
        .expect("loads");
    let schema = schema_file("scope", "CREATE TABLE p (id int);");
    assert_eq!(plan_url(&db, &schema), "", "other and extra are not managed by default");
    let out =
        pgstate(&["plan", "--url", &db.url(), "--schema", &schema.to_string_lossy(), "--schemas", "public,extra"]);
    let plan = text(&out.stdout);
    assert!(plan.contains("DROP TABLE extra.x") && plan.contains("DROP SCHEMA extra"), "{plan}");
    assert!(plan.contains("-- hazard: data loss: dropping schema extra"), "{plan}");
    assert!(!plan.contains("other"), "{plan}");
}

/// plan --url starts reading the catalog before the files are parsed, in the
/// schemas their text names; when the parse says otherwise the catalog is read
/// again: the plan is the one the parsed scope gives either way.
#[test]
fn the_scope_guessed_from_the_text_is_read_again_when_the_parse_says_otherwise() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("guess");
    db.psql("CREATE SCHEMA other; CREATE TABLE other.t (id int); CREATE SCHEMA app; CREATE TABLE app.t (id int); CREATE TABLE app.gone (id int); CREATE TABLE public.p (id int);")
        .expect("loads");
    // `other` is named, in a comment only: it is not managed, nothing of it is dropped.
    let named = schema_file("guess-named", "-- other.t moved to public.p\nCREATE TABLE p (id int);");
    assert_eq!(plan_url(&db, &named), "", "other is read only for the guess");
    let drift = pgstate(&["drift", "--url", &db.url(), "--schema", &named.to_string_lossy()]);
    assert_eq!(drift.status.code(), Some(0), "drift reads the same way: {}", text(&drift.stdout));
    // `app` is managed but never spelled as such: it is read after the parse.
    let escaped = schema_file(
        "guess-escaped",
        "CREATE SCHEMA U&\"\\0061pp\";\nCREATE TABLE U&\"\\0061pp\".t (id int);\nCREATE TABLE p (id int);",
    );
    let plan = plan_url(&db, &escaped);
    assert!(plan.contains("DROP TABLE app.gone"), "app is managed: {plan}");
    assert!(!plan.contains("CREATE") && !plan.contains("other"), "app.t and the schema exist: {plan}");
    let drift = pgstate(&["drift", "--url", &db.url(), "--schema", &escaped.to_string_lossy()]);
    assert!(text(&drift.stdout).contains("DROP TABLE app.gone"), "{}", text(&drift.stdout));
    // Given schemas are read as given.
    let out = pgstate(&["plan", "--url", &db.url(), "--schema", &named.to_string_lossy(), "--schemas", "public,other"]);
    assert!(text(&out.stdout).contains("DROP TABLE other.t"), "{}", text(&out.stderr));
}

#[test]
fn connection_errors_are_one_line_without_the_password() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("auth");
    // A role that must give a password over TCP.
    db.psql("CREATE ROLE pw_user LOGIN PASSWORD 'right-secret'").expect("role");
    let hba = cluster.data_dir().join("pg_hba.conf");
    let old = std::fs::read_to_string(&hba).expect("read hba");
    std::fs::write(&hba, format!("host all pw_user 127.0.0.1/32 scram-sha-256\n{old}")).expect("write hba");
    db.psql("SELECT pg_reload_conf()").expect("reload");
    std::thread::sleep(Duration::from_millis(300));
    let url = format!("postgres://pw_user:wrong-secret-42@127.0.0.1:{}/{}", cluster.port(), db.name);
    let out = pgstate(&["plan", "--url", &url, "--schema", &repo("schema").to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(!err.contains("wrong-secret-42") && !text(&out.stdout).contains("wrong-secret-42"), "{err}");
    assert!(err.contains("password authentication failed"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    // Nothing listens on this port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let url = format!("postgres://postgres:another-secret@127.0.0.1:{closed}/x");
    let out = pgstate(&["drift", "--url", &url, "--schema", &repo("schema").to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("cannot connect to postgres@127.0.0.1") && !err.contains("another-secret"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    std::fs::write(&hba, old).expect("restore hba");
}

#[test]
fn unqualified_names_follow_the_search_path_and_storage_parameters_round_trip() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("searchpath");
    db.psql("CREATE SCHEMA foo; SET search_path TO foo, public; CREATE TABLE items (id integer);").expect("loads");
    let url = format!("{}?options=-csearch_path%3Dfoo,public", db.url());
    let schema = schema_file(
        "searchpath",
        "CREATE TABLE items (id integer, ok boolean NOT NULL DEFAULT true);\n\
         CREATE INDEX items_id_idx ON items (id) WITH (fillfactor = 70);",
    );
    let out = pgstate(&["apply", "--url", &url, "--schema", &schema.to_string_lossy(), "--yes"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        db.psql("SELECT count(*) FROM pg_attribute WHERE attrelid = 'foo.items'::regclass AND attname = 'ok'")
            .expect("q"),
        "1"
    );
    assert!(db.psql("SELECT pg_get_indexdef('foo.items_id_idx'::regclass)").expect("q").contains("fillfactor='70'"));
    let again = pgstate(&["plan", "--url", &url, "--schema", &schema.to_string_lossy()]);
    assert!(again.status.success() && again.stdout.is_empty(), "{}", text(&again.stdout));
}

/// Issue 5's case: a function used by a check constraint and by a trigger's
/// WHEN, whose signature changes, and a trigger function whose result
/// changes shape, planned and applied in one go against a live database.
#[test]
fn a_function_under_a_check_and_a_trigger_changes_signature_in_one_go() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("routines");
    db.psql(
        "CREATE FUNCTION is_positive(v integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT v > 0 $$;
         CREATE TABLE account (id integer PRIMARY KEY, balance integer CHECK (is_positive(balance)),
                               note text DEFAULT 'x');
         CREATE TABLE audit_log (what text);
         CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$
           begin insert into audit_log values (tg_op); return new; end $$;
         CREATE TRIGGER account_audit AFTER UPDATE ON account FOR EACH ROW
           WHEN (is_positive(new.balance)) EXECUTE FUNCTION audit();
         CREATE INDEX account_positive ON account (id) WHERE is_positive(balance);
         INSERT INTO account VALUES (1, 10);",
    )
    .expect("loads");
    let target = "
        CREATE FUNCTION is_positive(v bigint, strict_zero boolean DEFAULT true) RETURNS boolean
          LANGUAGE sql IMMUTABLE AS $$ SELECT v > 0 OR (NOT strict_zero AND v = 0) $$;
        CREATE TABLE account (id integer PRIMARY KEY, balance integer CHECK (is_positive(balance)),
                              note text DEFAULT 'x');
        CREATE TABLE audit_log (what text);
        CREATE FUNCTION audit(tag text DEFAULT 'x') RETURNS text LANGUAGE sql AS $$ SELECT tag $$;
        CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$
          begin insert into audit_log values (tg_op || '!'); return new; end $$;
        CREATE TRIGGER account_audit AFTER UPDATE ON account FOR EACH ROW
          WHEN (is_positive(new.balance)) EXECUTE FUNCTION audit();
        CREATE INDEX account_positive ON account (id) WHERE is_positive(balance);";
    let schema = schema_file("routines", target);
    let plan = plan_url(&db, &schema);
    // Dependants go before the old function and come back after the new one.
    let at = |needle: &str| plan.find(needle).unwrap_or_else(|| panic!("{needle} missing from:\n{plan}"));
    let drop_fn = at("DROP FUNCTION public.is_positive(integer)");
    let create_fn = at("CREATE FUNCTION public.is_positive(v bigint");
    assert!(at("DROP CONSTRAINT account_balance_check") < drop_fn, "{plan}");
    assert!(at("DROP TRIGGER account_audit") < drop_fn, "{plan}");
    assert!(at("DROP INDEX public.account_positive") < drop_fn, "{plan}");
    assert!(drop_fn < create_fn, "{plan}");
    assert!(create_fn < at("ADD CONSTRAINT account_balance_check"), "{plan}");
    assert!(create_fn < at("CREATE TRIGGER account_audit"), "{plan}");
    assert!(create_fn < at("CREATE INDEX CONCURRENTLY account_positive"), "{plan}");
    assert!(plan.contains("grants lost"), "{plan}");

    let out = apply(&db, &schema, &[]);
    assert!(out.status.success(), "apply failed: {}", text(&out.stderr));
    let want = cluster.fresh_db("routines_want");
    want.psql(target).expect("target loads");
    same_catalog(&db, &want).unwrap_or_else(|d| panic!("catalog differs from the target:\n{d}"));
    assert_eq!(plan_url(&db, &schema), "", "a second plan is empty");
}

/// A body that differs only in whitespace is not a change; a real body
/// change is replaced in place and keeps the function's grants.
#[test]
fn routine_bodies_compare_without_whitespace_and_replace_in_place() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("bodies");
    db.psql(
        "CREATE FUNCTION twice(x integer) RETURNS integer LANGUAGE sql AS $$ SELECT x   *  2 $$;
         CREATE PROCEDURE noop() LANGUAGE plpgsql AS $$ begin null; end $$;
         CREATE ROLE routine_reader;
         GRANT EXECUTE ON FUNCTION twice(integer) TO routine_reader;",
    )
    .expect("loads");
    let spaced = schema_file(
        "bodies",
        "CREATE FUNCTION twice(x integer) RETURNS integer LANGUAGE sql AS $$\n  SELECT x * 2\n$$;\n\
         CREATE PROCEDURE noop() LANGUAGE plpgsql AS $$\nbegin\n  null;\nend $$;",
    );
    assert_eq!(plan_url(&db, &spaced), "");
    let changed = schema_file(
        "bodies2",
        "CREATE FUNCTION twice(x integer) RETURNS integer LANGUAGE sql AS $$ SELECT x * 3 $$;\n\
         CREATE PROCEDURE noop() LANGUAGE plpgsql AS $$ begin null; end $$;",
    );
    let plan = plan_url(&db, &changed);
    // A body kept as written is read with the session's string setting: the script says which.
    assert!(
        plan.starts_with("SET standard_conforming_strings = on;\nCREATE OR REPLACE FUNCTION public.twice(x integer)"),
        "{plan}"
    );
    let out = apply(&db, &changed, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let granted =
        db.psql("SELECT has_function_privilege('routine_reader', 'twice(integer)', 'EXECUTE')").expect("query runs");
    assert!(granted.contains('t'), "{granted}");
    assert_eq!(plan_url(&db, &changed), "");
    let _ = db.psql("DROP ROLE IF EXISTS routine_reader");
}

fn acl(db: &Db, object: &str, role: &str) -> String {
    db.psql(&format!(
        "SELECT coalesce(string_agg(a.privilege_type || CASE WHEN a.is_grantable THEN '*' ELSE '' END, ',' \
                ORDER BY a.privilege_type), '') \
         FROM pg_class c, aclexplode(c.relacl) a \
         WHERE c.oid = '{object}'::regclass AND a.grantee = '{role}'::regrole"
    ))
    .expect("acl query")
}

#[test]
fn roles_scope_which_privileges_are_managed() {
    let cluster = PgCluster::shared();
    cluster.create_roles(&["live_app".into(), "live_other".into()]).expect("roles");
    let db = cluster.fresh_db("roles");
    db.psql(
        "CREATE TABLE t (id int, secret text);
         GRANT SELECT, INSERT, DELETE ON t TO live_app WITH GRANT OPTION;
         GRANT SELECT, UPDATE ON t TO live_other;",
    )
    .expect("loads");
    // The files say nothing of live_other and take DELETE and the grant option from live_app.
    let schema = schema_file(
        "roles",
        "CREATE TABLE t (id int, secret text);
         GRANT SELECT, INSERT ON t TO live_app;
         GRANT SELECT (id) ON t TO live_other;",
    );
    let s = schema.to_string_lossy().into_owned();
    let url = db.url();

    // No roles listed: privileges are neither read nor planned.
    let out = pgstate(&["plan", "--url", &url, "--schema", &s]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "");

    // live_app listed: its privileges follow the files, live_other's are left alone.
    let out = pgstate(&["plan", "--url", &url, "--schema", &s, "--roles", "live_app"]);
    let plan = text(&out.stdout);
    assert!(plan.contains("REVOKE DELETE ON TABLE public.t FROM live_app"), "{plan}");
    assert!(plan.contains("REVOKE GRANT OPTION FOR INSERT, SELECT ON TABLE public.t FROM live_app"), "{plan}");
    assert!(plan.contains("-- hazard: access loss"), "{plan}");
    assert!(!plan.contains("live_other"), "{plan}");
    let out = apply(&db, &schema, &["--roles", "live_app"]);
    assert!(out.status.success(), "apply failed: {}", text(&out.stderr));
    assert_eq!(acl(&db, "t", "live_app"), "INSERT,SELECT");
    assert_eq!(acl(&db, "t", "live_other"), "SELECT,UPDATE");

    // Through pgstate.toml, and with a column privilege: the table-level grants the files do not state go.
    let dir = schema.parent().expect("dir").to_path_buf();
    std::fs::write(dir.join("pgstate.toml"), "roles = [\"live_app\", \"live_other\"]\n").expect("toml");
    let out = Command::new(env!("CARGO_BIN_EXE_pgstate"))
        .args(["apply", "--url", &url, "--schema", &s, "--yes"])
        .current_dir(&dir)
        .env_remove("DATABASE_URL")
        .output()
        .expect("pgstate runs");
    assert!(out.status.success(), "apply failed: {}", text(&out.stderr));
    assert_eq!(acl(&db, "t", "live_other"), "");
    let cols = db
        .psql("SELECT attname FROM pg_attribute a, aclexplode(a.attacl) x WHERE a.attrelid = 't'::regclass AND x.grantee = 'live_other'::regrole")
        .expect("column acl");
    assert_eq!(cols, "id");
    let drift = pgstate(&["drift", "--url", &url, "--schema", &s, "--roles", "live_app,live_other"]);
    assert_eq!(drift.status.code(), Some(0), "{}{}", text(&drift.stdout), text(&drift.stderr));
}

#[test]
fn privileges_read_back_from_a_database_match_the_files() {
    let cluster = PgCluster::shared();
    cluster.create_roles(&["live_reader".into()]).expect("roles");
    let db = cluster.fresh_db("aclread");
    let sql = "CREATE SCHEMA s;
         CREATE TYPE s.mood AS ENUM ('a', 'b');
         CREATE DOMAIN s.pos AS integer CHECK (VALUE > 0);
         CREATE TYPE s.pair AS (x integer, y text);
         CREATE TYPE s.span AS RANGE (SUBTYPE = integer);
         CREATE SEQUENCE s.q;
         CREATE TABLE s.t (id int, v text);
         REVOKE ALL ON SCHEMA public FROM PUBLIC;
         GRANT USAGE ON SCHEMA s TO live_reader;
         REVOKE USAGE ON TYPE s.mood FROM PUBLIC;
         GRANT USAGE ON TYPE s.mood TO live_reader WITH GRANT OPTION;
         GRANT USAGE ON DOMAIN s.pos TO live_reader;
         REVOKE USAGE ON TYPE s.pair FROM PUBLIC;
         GRANT USAGE ON TYPE s.pair TO live_reader;
         GRANT USAGE ON TYPE s.span TO live_reader WITH GRANT OPTION;
         GRANT SELECT, USAGE ON SEQUENCE s.q TO live_reader;
         GRANT SELECT (id), UPDATE (v) ON s.t TO live_reader;
         GRANT TRUNCATE ON s.t TO PUBLIC;
         ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA s GRANT SELECT ON TABLES TO live_reader;
         ALTER DEFAULT PRIVILEGES FOR ROLE postgres REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
         ALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT USAGE ON TYPES TO live_reader;";
    db.psql(sql).expect("loads");
    let schema = schema_file("aclread", sql);
    let out =
        pgstate(&["plan", "--url", &db.url(), "--schema", &schema.to_string_lossy(), "--roles", "live_reader,PUBLIC"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "", "privileges read back differ from the files");
    // Planned from empty, they converge too (composite and range types included).
    let built = cluster.fresh_db("aclread_built");
    let out = apply(&built, &schema, &["--roles", "live_reader,PUBLIC"]);
    assert!(out.status.success(), "apply failed: {}{}", text(&out.stdout), text(&out.stderr));
    let acl = built.psql("SELECT typacl::text FROM pg_type WHERE typname = 'span'").expect("reads typacl");
    assert!(acl.contains("live_reader=U*/postgres"), "{acl}");
    let out = pgstate(&[
        "plan",
        "--url",
        &built.url(),
        "--schema",
        &schema.to_string_lossy(),
        "--roles",
        "live_reader,PUBLIC",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "", "a second plan is not empty");
}

#[test]
fn policy_expressions_are_settled_by_the_server() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("policies");
    // A subquery and implicit casts: PostgreSQL prints them back qualified and cast.
    let schema = schema_file(
        "policies",
        "CREATE TABLE account (id bigint PRIMARY KEY, owner_name varchar(50));\n\
         CREATE TABLE note (id int PRIMARY KEY, account_id bigint, body text);\n\
         ALTER TABLE note ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY mine ON note FOR SELECT\n\
             USING (account_id IN (SELECT id FROM account WHERE owner_name = current_user));\n\
         CREATE POLICY short ON note FOR INSERT WITH CHECK (length(body) < 100);",
    );
    let out = apply(&db, &schema, &[]);
    assert!(out.status.success(), "apply failed: {}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(plan_url(&db, &schema), "", "a second plan must be empty");
    let changed = schema_file(
        "policies2",
        "CREATE TABLE account (id bigint PRIMARY KEY, owner_name varchar(50));\n\
         CREATE TABLE note (id int PRIMARY KEY, account_id bigint, body text);\n\
         ALTER TABLE note ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY mine ON note FOR SELECT\n\
             USING (account_id IN (SELECT id FROM account WHERE owner_name = current_user));\n\
         CREATE POLICY short ON note FOR INSERT WITH CHECK (length(body) < 200);",
    );
    let plan = plan_url(&db, &changed);
    assert_eq!(plan.trim(), "ALTER POLICY short ON public.note WITH CHECK (length(body) < 200);", "{plan}");
}

#[test]
fn a_policy_using_a_function_plans_and_applies_in_one_go() {
    let cluster = PgCluster::shared();
    // The function lives outside the managed schemas (pgstate does not manage
    // functions yet): the policy depends on it, the plan must keep it working.
    let setup = "CREATE SCHEMA util;\n\
                 CREATE FUNCTION util.tenant() RETURNS text LANGUAGE sql STABLE \
                 AS $$ SELECT current_setting('app.tenant', true) $$;";
    let db = cluster.fresh_db("policyfn");
    db.psql(setup).expect("setup loads");
    let first = "CREATE TABLE doc (id int PRIMARY KEY, tenant varchar(20));\n\
                 ALTER TABLE doc ENABLE ROW LEVEL SECURITY;\n\
                 CREATE POLICY by_tenant ON doc USING (tenant = util.tenant()) WITH CHECK (tenant = util.tenant());";
    let out = apply(&db, &schema_file("policyfn", first), &[]);
    assert!(out.status.success(), "apply failed: {}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(plan_url(&db, &schema_file("policyfn", first)), "", "a second plan must be empty");
    // The column under the policy changes type: the policy is dropped before
    // and created after, all in one plan.
    let second = "CREATE TABLE doc (id int PRIMARY KEY, tenant text);\n\
                  ALTER TABLE doc ENABLE ROW LEVEL SECURITY;\n\
                  ALTER TABLE doc FORCE ROW LEVEL SECURITY;\n\
                  CREATE POLICY by_tenant ON doc USING (tenant = util.tenant()) WITH CHECK (tenant = util.tenant());";
    let schema = schema_file("policyfn2", second);
    let plan = plan_url(&db, &schema);
    let drop = plan.find("DROP POLICY by_tenant").unwrap_or(usize::MAX);
    let alter = plan.find("ALTER COLUMN tenant TYPE text").unwrap_or(usize::MAX);
    let create = plan.find("CREATE POLICY by_tenant").unwrap_or(usize::MAX);
    assert!(drop < alter && alter < create && create != usize::MAX, "{plan}");
    let out = apply(&db, &schema, &[]);
    assert!(out.status.success(), "apply failed: {}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(plan_url(&db, &schema), "", "a second plan must be empty");
    let want = cluster.fresh_db("policyfn_want");
    want.psql(setup).expect("setup loads");
    want.psql(second).expect("desired loads");
    if let Err(d) = same_catalog(&db, &want) {
        panic!("catalog differs from the desired schema loaded directly:\n{d}");
    }
}

#[test]
fn a_partition_moves_to_a_new_bound_with_its_rows_and_timestamptz_bounds_settle() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("partitions_live");
    let from = schema_file(
        "partitions_live_from",
        "CREATE TABLE events (id bigint NOT NULL, at timestamptz NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
         CREATE TABLE events_jan PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');
         CREATE INDEX events_at_idx ON events (at);",
    );
    let out = apply(&db, &from, &[]);
    assert!(out.status.success(), "apply failed: {}", text(&out.stderr));
    // PostgreSQL prints these bounds with the session's time zone: only the server can settle them.
    assert_eq!(plan_url(&db, &from), "", "planning again after creating the partitions");
    db.psql("INSERT INTO events VALUES (1, '2024-01-15'), (2, '2024-01-31 23:00')").expect("rows go in");

    let to = schema_file(
        "partitions_live_to",
        "CREATE TABLE events (id bigint NOT NULL, at timestamptz NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
         CREATE TABLE events_jan PARTITION OF events FOR VALUES FROM ('2023-12-01') TO ('2024-02-01');
         CREATE TABLE events_feb PARTITION OF events FOR VALUES FROM ('2024-02-01') TO ('2024-03-01');
         CREATE INDEX events_at_idx ON events (at);",
    );
    let plan = plan_url(&db, &to);
    assert!(plan.contains("DETACH PARTITION public.events_jan"), "{plan}");
    assert!(!plan.contains("DROP TABLE"), "a new bound keeps the partition and its rows:\n{plan}");
    let out = apply(&db, &to, &[]);
    assert!(out.status.success(), "apply failed: {}", text(&out.stderr));
    assert_eq!(db.psql("SELECT count(*) FROM events_jan").expect("count"), "2");
    assert_eq!(plan_url(&db, &to), "", "planning again after apply");
    let want = cluster.fresh_db("partitions_live_want");
    want.psql_file(&to).expect("to loads");
    same_catalog(&db, &want).unwrap_or_else(|d| panic!("catalog differs:\n{d}"));
}

#[test]
fn offline_plans_read_files_for_the_search_path_they_are_written_for() {
    let current = schema_file("search_path-current", "CREATE TABLE items (id integer);");
    let desired = schema_file("search_path-desired", "CREATE TABLE items (id integer, ok boolean DEFAULT true);");
    let plan = plan_from(&current, &desired, &["--parser-only", "--search-path", "\"$user\", Foo, public"]);
    assert_eq!(plan, "ALTER TABLE foo.items ADD COLUMN ok boolean DEFAULT true;\n");
    let plan = plan_from(&current, &desired, &["--parser-only"]);
    assert_eq!(plan, "ALTER TABLE public.items ADD COLUMN ok boolean DEFAULT true;\n");
}

#[test]
fn removing_an_enum_label_rebuilds_the_index_and_check_that_compare_it() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("enum_partial");
    // PostgreSQL would rebuild these against the renamed old type and fail:
    // `operator does not exist: color <> color_pgstate_old`.
    db.psql(
        "CREATE TYPE color AS ENUM ('red', 'green', 'blue');\n\
         CREATE TABLE paint (id int, c color, CONSTRAINT not_blue CHECK (c <> 'blue'::color));\n\
         CREATE INDEX paint_not_red ON paint (id) WHERE c <> 'red'::color;\n\
         COMMENT ON INDEX paint_not_red IS 'kept';\n\
         INSERT INTO paint VALUES (1, 'red'), (2, 'red');",
    )
    .expect("loads");
    let want = "CREATE TYPE color AS ENUM ('red', 'blue');\n\
                CREATE TABLE paint (id int, c color, CONSTRAINT not_blue CHECK (c <> 'blue'::color));\n\
                CREATE INDEX paint_not_red ON paint (id) WHERE c <> 'red'::color;\n\
                COMMENT ON INDEX paint_not_red IS 'kept';";
    let schema = schema_file("enum_partial", want);
    let out = apply(&db, &schema, &[]);
    assert!(out.status.success(), "apply failed: {}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(plan_url(&db, &schema), "", "a second plan must be empty");
    assert_eq!(db.psql("SELECT count(*) FROM paint WHERE c = 'red'").expect("rows"), "2");
    let loaded = cluster.fresh_db("enum_partial_psql");
    loaded.psql(want).expect("the desired file loads");
    same_catalog(&db, &loaded).unwrap_or_else(|d| panic!("catalogs differ:\n{d}"));
}

#[test]
fn concurrent_indexes_run_before_the_steps_that_need_them_and_the_plan_says_so() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("concurrently");
    db.psql(
        "CREATE TABLE a (id int PRIMARY KEY, code text); CREATE TABLE b (id int, a_code text);\n\
             INSERT INTO a VALUES (1, 'x'); INSERT INTO b VALUES (1, 'x');",
    )
    .expect("loads");
    let schema = schema_file(
        "concurrently",
        "CREATE TABLE a (id int PRIMARY KEY, code text);\n\
         CREATE UNIQUE INDEX a_code_idx ON a (code);\n\
         COMMENT ON INDEX a_code_idx IS 'codes';\n\
         CREATE TABLE b (id int, a_code text REFERENCES a (code));",
    );
    let url = db.url();
    let shown = pgstate(&["plan", "--url", &url, "--schema", &schema.to_string_lossy()]);
    let shown = text(&shown.stdout);
    let index_at = shown.find("CREATE UNIQUE INDEX CONCURRENTLY a_code_idx").expect(&shown);
    let begin_at = shown.find("BEGIN;").expect(&shown);
    assert!(index_at < begin_at, "the index is built before the transaction that needs it:\n{shown}");
    assert!(shown[begin_at..].contains("COMMENT ON INDEX") && shown[begin_at..].contains("FOREIGN KEY"), "{shown}");
    let out = apply(&db, &schema, &[]);
    assert!(out.status.success(), "apply failed: {}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stderr).contains("CONCURRENTLY"), "the plan confirmed is the plan run");
    assert_eq!(plan_url(&db, &schema), "");
}

/// A pg_dump-style desired file: a `--clean --if-exists` preamble with a
/// placeholder view, data statements, a `COPY ... FROM stdin` block, a `DO`
/// block, ownership and psql meta-commands are read (one counted warning per
/// kind); storage parameters and column / index-column statistics are
/// applied, read back equal, and changed in place.
#[test]
fn a_pg_dump_script_with_storage_parameters_and_statistics_converges() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("dumpscript");
    let script = |fillfactor: u32, stats: i32| {
        format!(
            "\\restrict abc
SET statement_timeout = 0;
ALTER TABLE IF EXISTS ONLY public.items DROP CONSTRAINT IF EXISTS items_pkey;
CREATE OR REPLACE VIEW public.item_names AS SELECT NULL::text AS name;
DROP VIEW IF EXISTS public.item_names;
DROP INDEX IF EXISTS public.items_lower_idx;
DROP TABLE IF EXISTS public.items;
CREATE TABLE public.items (id integer NOT NULL, name text) WITH (fillfactor='{fillfactor}', autovacuum_enabled='false');
ALTER TABLE public.items OWNER TO postgres;
ALTER TABLE ONLY public.items ALTER COLUMN name SET STATISTICS {stats};
ALTER TABLE ONLY public.items ADD CONSTRAINT items_pkey PRIMARY KEY (id) WITH (fillfactor='80');
ALTER TABLE ONLY public.items ADD CONSTRAINT items_name_key UNIQUE (name) WITH (fillfactor='{fillfactor}', deduplicate_items=off) USING INDEX TABLESPACE pg_default;
CREATE INDEX items_lower_idx ON public.items USING btree (lower(name));
ALTER INDEX public.items_lower_idx ALTER COLUMN 1 SET STATISTICS 300;
CREATE VIEW public.item_names AS SELECT items.name FROM public.items;
COPY public.items (id, name) FROM stdin;
1\tCREATE TABLE nonsense;
\\.
INSERT INTO public.items VALUES (2, 'b');
SELECT pg_catalog.setval('public.items_seq', 1, false);
DO $$ BEGIN RAISE NOTICE 'not run'; END $$;
\\unrestrict abc
"
        )
    };
    let schema = schema_file("dumpscript", &script(50, 1000));
    let out = apply(&db, &schema, &[]);
    assert!(out.status.success(), "apply failed:\n{}{}", text(&out.stdout), text(&out.stderr));
    let stderr = text(&out.stderr);
    for warning in [
        "skipped 4 DROP ... IF EXISTS statements",
        "skipped 1 INSERT statement",
        "skipped 1 COPY ... FROM stdin (with its data) statement",
        "skipped 1 SELECT pg_catalog.setval statement",
        "skipped 1 DO statement: anonymous code blocks are not run",
        "skipped 1 ALTER ... OWNER TO statement",
        "skipped 2 psql meta-command",
        "USING INDEX TABLESPACE pg_default of public.items.items_name_key is skipped",
    ] {
        assert_eq!(stderr.matches(warning).count(), 1, "expected the warning {warning:?} once in:\n{stderr}");
    }
    let stored = db
        .psql(
            "SELECT c.reloptions::text, a.attstattarget, ia.attstattarget FROM pg_class c \
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'name' \
             JOIN pg_attribute ia ON ia.attrelid = 'public.items_lower_idx'::regclass AND ia.attnum = 1 \
             WHERE c.oid = 'public.items'::regclass",
        )
        .expect("catalog query");
    assert_eq!(stored, "{fillfactor=50,autovacuum_enabled=false}|1000|300");
    let keys = db
        .psql("SELECT string_agg(reloptions::text, ' ' ORDER BY relname) FROM pg_class WHERE relname LIKE 'items_%_key' OR relname = 'items_pkey'")
        .expect("catalog query");
    assert_eq!(keys, "{fillfactor=50,deduplicate_items=off} {fillfactor=80}");
    // No rows: the data statements were not run.
    assert_eq!(db.psql("SELECT count(*) FROM public.items").expect("count"), "0");
    assert_eq!(plan_url(&db, &schema), "", "a second plan is empty");

    let changed = schema_file("dumpscript2", &script(70, -1));
    let plan = plan_url(&db, &changed);
    assert!(plan.contains("ALTER TABLE public.items SET (fillfactor = '70')"), "{plan}");
    assert!(plan.contains("ALTER TABLE public.items ALTER COLUMN name SET STATISTICS -1"), "{plan}");
    assert!(plan.contains("ALTER TABLE public.items DROP CONSTRAINT items_name_key;"), "{plan}");
    assert!(
        plan.contains(
            "CREATE UNIQUE INDEX CONCURRENTLY items_name_key ON public.items (name) WITH (fillfactor = '70', deduplicate_items = 'off');"
        ),
        "{plan}"
    );
    assert!(!plan.contains("items_pkey"), "{plan}");
    let out = apply(&db, &changed, &[]);
    assert!(out.status.success(), "apply failed:\n{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(plan_url(&db, &changed), "", "a second plan after the change is empty");
}

/// PostgreSQL 18 keeps NOT NULL as named constraints: a named one is created
/// and renamed, a renamed column's keeps its old name (which the plan
/// renames with it), and a database reads back as the file. Before 18 there
/// are no names: the plan leaves them out and says so.
#[test]
fn not_null_constraint_names_on_18_and_a_warning_before() {
    let pg = PgCluster::shared();
    let db = pg.fresh_db("not_null_names");
    let v1 = schema_file(
        "nn1",
        "CREATE TABLE public.t (a integer CONSTRAINT a_required NOT NULL, b integer NOT NULL, \"C\" text);\n",
    );
    let out = apply(&db, &v1, &[]);
    assert!(out.status.success(), "apply failed: {}{}", text(&out.stdout), text(&out.stderr));
    let names = || {
        db.psql("SELECT string_agg(conname, ' ' ORDER BY conname) FROM pg_constraint WHERE contype = 'n' AND conrelid = 'public.t'::regclass")
            .expect("reads pg_constraint")
    };
    let v2 = schema_file(
        "nn2",
        "CREATE TABLE public.t (\n    a integer CONSTRAINT a_must NOT NULL,\n    \
         c integer NOT NULL, -- @renamed from=b\n    \"C\" text CONSTRAINT \"C set\" NOT NULL\n);\n",
    );
    let plan = pgstate(&["plan", "--url", &db.url(), "--schema", &v2.to_string_lossy()]);
    let (stdout, stderr) = (text(&plan.stdout), text(&plan.stderr));
    if pg.version_num() < 180000 {
        assert!(stderr.contains("public.t.a is planned without its name a_must"), "{stdout}{stderr}");
        assert!(plan_url(&db, &v1).trim().is_empty());
        assert!(!stdout.contains("RENAME CONSTRAINT"), "{stdout}");
        let out = apply(&db, &v2, &[]);
        assert!(out.status.success(), "apply failed: {}{}", text(&out.stdout), text(&out.stderr));
        assert!(plan_url(&db, &v2).trim().is_empty());
        return;
    }
    assert_eq!(names().trim(), "a_required t_b_not_null");
    assert!(plan_url(&db, &v1).trim().is_empty());
    for step in [
        "ALTER TABLE public.t RENAME COLUMN b TO c;",
        "ALTER TABLE public.t RENAME CONSTRAINT t_b_not_null TO t_c_not_null;",
        "ALTER TABLE public.t RENAME CONSTRAINT a_required TO a_must;",
        "ALTER TABLE public.t RENAME CONSTRAINT \"t_C_not_null\" TO \"C set\";",
    ] {
        assert!(stdout.contains(step), "{step} missing:\n{stdout}{stderr}");
    }
    let out = apply(&db, &v2, &[]);
    assert!(out.status.success(), "apply failed: {}{}", text(&out.stdout), text(&out.stderr));
    assert!(plan_url(&db, &v2).trim().is_empty());
    assert_eq!(names().trim(), "C set a_must t_c_not_null");
    // The same file applied to an empty database gives the same catalog.
    let fresh = pg.fresh_db("not_null_names_fresh");
    let out = apply(&fresh, &v2, &[]);
    assert!(out.status.success(), "apply failed: {}{}", text(&out.stdout), text(&out.stderr));
    same_catalog(&db, &fresh).expect("same catalog");
    // NO INHERIT is set in place; a NOT VALID one the file has plain is validated.
    db.psql("ALTER TABLE public.t ADD COLUMN f integer; ALTER TABLE public.t ADD CONSTRAINT f_nn NOT NULL f NOT VALID")
        .expect("adds a NOT VALID NOT NULL");
    let v3 = schema_file(
        "nn3",
        "CREATE TABLE public.t (a integer CONSTRAINT a_must NOT NULL, c integer NOT NULL, \"C\" text CONSTRAINT \"C set\" NOT NULL, \
         f integer CONSTRAINT f_nn NOT NULL);\nALTER TABLE public.t ADD CONSTRAINT t_c_not_null NOT NULL c NO INHERIT;\n",
    );
    let plan = plan_url(&db, &v3);
    assert!(plan.contains("ALTER TABLE public.t ALTER CONSTRAINT t_c_not_null NO INHERIT;"), "{plan}");
    assert!(plan.contains("ALTER TABLE public.t VALIDATE CONSTRAINT f_nn;"), "{plan}");
    let out = apply(&db, &v3, &[]);
    assert!(out.status.success(), "apply failed: {}{}", text(&out.stdout), text(&out.stderr));
    assert!(plan_url(&db, &v3).trim().is_empty());
    let fresh = pg.fresh_db("not_null_names_fresh3");
    let out = apply(&fresh, &v3, &[]);
    assert!(out.status.success(), "apply failed: {}{}", text(&out.stdout), text(&out.stderr));
    same_catalog(&db, &fresh).expect("same catalog");
}

/// Plain btree indexes are spelled by pgstate from their columns, the rest by
/// `pg_get_indexdef` (see src/introspect/indexes.rs): each shape reads back as
/// written, and what sets an index apart from a plain one is never lost.
#[test]
fn indexes_of_every_shape_read_back_as_written() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("index_shapes");
    let version = cluster.version_num();
    let mut sql = String::from(
        "CREATE TABLE \"Odd Table\" (id int PRIMARY KEY, \"Name\" varchar(20), code text, n numeric, at timestamptz,
                                     tags text[], c \"char\");
         CREATE MATERIALIZED VIEW mv AS SELECT id, code FROM \"Odd Table\";
         CREATE INDEX plain_one ON \"Odd Table\" (code);
         CREATE UNIQUE INDEX \"Plain Two\" ON \"Odd Table\" (\"Name\", n);
         CREATE INDEX on_mv ON mv (code, id);
         CREATE INDEX on_varchar ON \"Odd Table\" (\"Name\");
         CREATE INDEX with_opclass ON \"Odd Table\" (code text_pattern_ops);
         CREATE INDEX with_varchar_opclass ON \"Odd Table\" (\"Name\" varchar_pattern_ops);
         CREATE INDEX with_collation ON \"Odd Table\" (code COLLATE \"C\");
         CREATE INDEX descending ON \"Odd Table\" (n DESC, at);
         CREATE INDEX nulls_first ON \"Odd Table\" (at NULLS FIRST);
         CREATE INDEX partial ON \"Odd Table\" (n) WHERE n > 0;
         CREATE INDEX expression ON \"Odd Table\" (lower(code));
         CREATE INDEX covering ON \"Odd Table\" (n) INCLUDE (code);
         CREATE INDEX with_options ON \"Odd Table\" (at) WITH (fillfactor = 70);
         CREATE INDEX hashed ON \"Odd Table\" USING hash (code);
         CREATE INDEX gin_tags ON \"Odd Table\" USING gin (tags);
         CREATE INDEX on_char ON \"Odd Table\" (c);
         CREATE TABLE parted (k int, v text) PARTITION BY RANGE (k);
         CREATE INDEX on_parted ON parted (k);
         CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10);",
    );
    if version >= 150000 {
        sql.push_str("CREATE UNIQUE INDEX not_distinct ON \"Odd Table\" (code, n) NULLS NOT DISTINCT;");
    }
    db.psql(&sql).expect("the indexes load");
    let schema = schema_file("index_shapes", &sql);
    assert_eq!(plan_url(&db, &schema), "", "every index reads back as written");
    // Each property a plain index lacks, dropped from the file, is a change.
    for (from, to) in [
        ("(code text_pattern_ops)", "(code)"),
        ("(\"Name\" varchar_pattern_ops)", "(\"Name\")"),
        ("(code COLLATE \"C\")", "(code)"),
        ("(n DESC, at)", "(n, at)"),
        ("(at NULLS FIRST)", "(at)"),
        ("(n) WHERE n > 0", "(n)"),
        ("(n) INCLUDE (code)", "(n)"),
        ("(at) WITH (fillfactor = 70)", "(at)"),
        ("USING hash (code)", "(code)"),
        ("(\"Name\", n)", "(n, \"Name\")"),
        ("UNIQUE INDEX \"Plain Two\"", "INDEX \"Plain Two\""),
        ("mv (code, id)", "mv (id, code)"),
    ] {
        assert!(sql.contains(from), "{from}");
        let changed = schema_file("index_shapes_changed", &sql.replacen(from, to, 1));
        let plan = plan_url(&db, &changed);
        assert!(plan.contains("INDEX"), "{from} -> {to} planned nothing:\n{plan}");
    }
}

#[test]
fn keys_and_foreign_keys_of_every_shape_read_back_as_written() {
    // Every clause pg_get_constraintdef prints for a key or a foreign key
    // survives the read, whether the key is built from its catalog row (the
    // plain ones) or printed (INCLUDE, storage parameters): each shape reads
    // back with an empty plan, and each clause, taken out of the file, is a
    // change. `gap` lost a column before its keys' columns: keys name their
    // columns by number, which a dropped column leaves a hole in.
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("constraint_shapes");
    let version = cluster.version_num();
    let mut sql = String::from(
        "CREATE SCHEMA other;
         CREATE TABLE other.parent (a int, b text, PRIMARY KEY (a, b));
         CREATE TABLE \"Odd Table\" (id int PRIMARY KEY, \"Name\" varchar(20), code text DEFAULT 'x', n int,
                                     a int, b text, up int,
                                     CONSTRAINT \"Odd Key\" UNIQUE (code, \"Name\"),
                                     CONSTRAINT late UNIQUE (n) DEFERRABLE INITIALLY DEFERRED,
                                     CONSTRAINT covering UNIQUE (a) INCLUDE (b),
                                     CONSTRAINT checked CHECK (n > 0));
         CREATE TABLE kid (id int, x int, y text, z text, w varchar(20),
                           CONSTRAINT kid_pkey PRIMARY KEY (id) WITH (fillfactor = 70));
         ALTER TABLE kid ADD CONSTRAINT to_odd FOREIGN KEY (x) REFERENCES \"Odd Table\"(id);
         ALTER TABLE kid ADD CONSTRAINT swapped FOREIGN KEY (y, x) REFERENCES other.parent(b, a) MATCH FULL;
         ALTER TABLE kid ADD CONSTRAINT actions FOREIGN KEY (x) REFERENCES \"Odd Table\"(id)
             ON UPDATE CASCADE ON DELETE SET NULL;
         ALTER TABLE kid ADD CONSTRAINT restricted FOREIGN KEY (x) REFERENCES \"Odd Table\"(id) ON DELETE RESTRICT;
         ALTER TABLE kid ADD CONSTRAINT defaulted FOREIGN KEY (z, w) REFERENCES \"Odd Table\"(code, \"Name\")
             ON DELETE SET DEFAULT DEFERRABLE;
         ALTER TABLE kid ADD CONSTRAINT unchecked FOREIGN KEY (x) REFERENCES \"Odd Table\"(id) NOT VALID;
         ALTER TABLE \"Odd Table\" ADD CONSTRAINT self FOREIGN KEY (up) REFERENCES \"Odd Table\"(id)
             DEFERRABLE INITIALLY DEFERRED;",
    );
    if version >= 150000 {
        sql.push_str("ALTER TABLE kid ADD CONSTRAINT not_distinct UNIQUE NULLS NOT DISTINCT (z);");
    }
    db.psql(&sql).expect("the constraints load");
    db.psql(
        "CREATE TABLE gap (gone int, id int, \"Ref Col\" int);
         ALTER TABLE gap DROP COLUMN gone;
         ALTER TABLE gap ADD CONSTRAINT gap_pkey PRIMARY KEY (id),
                         ADD CONSTRAINT gap_ref FOREIGN KEY (\"Ref Col\") REFERENCES gap(id);",
    )
    .expect("the table with a dropped column loads");
    sql.push_str(
        "CREATE TABLE gap (id int, \"Ref Col\" int, CONSTRAINT gap_pkey PRIMARY KEY (id),
                           CONSTRAINT gap_ref FOREIGN KEY (\"Ref Col\") REFERENCES gap(id));",
    );
    let schema = schema_file("constraint_shapes", &sql);
    assert_eq!(plan_url(&db, &schema), "", "every constraint reads back as written");
    let mut changes = vec![
        ("REFERENCES \"Odd Table\"(id);", "REFERENCES \"Odd Table\"(a);"),
        ("(y, x) REFERENCES other.parent(b, a)", "(x, y) REFERENCES other.parent(a, b)"),
        (" MATCH FULL", ""),
        ("ON UPDATE CASCADE ", ""),
        ("ON DELETE SET NULL;", ";"),
        (" ON DELETE RESTRICT", ""),
        ("ON DELETE SET DEFAULT DEFERRABLE", "ON DELETE SET DEFAULT"),
        (
            "(up) REFERENCES \"Odd Table\"(id)\n             DEFERRABLE INITIALLY DEFERRED",
            "(up) REFERENCES \"Odd Table\"(id)",
        ),
        (" NOT VALID", ""),
        ("UNIQUE (code, \"Name\")", "UNIQUE (\"Name\", code)"),
        ("UNIQUE (n) DEFERRABLE INITIALLY DEFERRED", "UNIQUE (n) DEFERRABLE"),
        ("UNIQUE (a) INCLUDE (b)", "UNIQUE (a)"),
        ("PRIMARY KEY (a, b)", "PRIMARY KEY (b, a)"),
        (" WITH (fillfactor = 70)", ""),
    ];
    if version >= 150000 {
        changes.push(("UNIQUE NULLS NOT DISTINCT (z)", "UNIQUE (z)"));
    }
    for (from, to) in changes {
        assert!(sql.contains(from), "{from}");
        let changed = schema_file("constraint_shapes_changed", &sql.replacen(from, to, 1));
        let plan = plan_url(&db, &changed);
        assert!(plan.contains("CONSTRAINT"), "{from} -> {to} planned nothing:\n{plan}");
    }
}

#[test]
fn an_extensions_tables_and_their_keys_are_not_read() {
    // A table an extension owns (here one added to it, as extension scripts
    // create their configuration tables) is the extension's, and so are its
    // keys; a foreign key to it points outside what the files manage, like
    // one to an unmanaged schema. Reading its keys without it failed the
    // read ("could not read back the catalog's DDL").
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("extension_tables");
    db.psql(
        "CREATE EXTENSION citext;
         CREATE TABLE settings (id int PRIMARY KEY, code text UNIQUE);
         ALTER EXTENSION citext ADD TABLE settings;
         CREATE TABLE uses (id int PRIMARY KEY, s int REFERENCES settings (id),
                            c text CONSTRAINT by_code REFERENCES settings (code) ON DELETE CASCADE);",
    )
    .expect("the extension's table loads");
    let schema = schema_file(
        "extension_tables",
        "CREATE EXTENSION citext;\nCREATE TABLE uses (id int PRIMARY KEY, s int, c text);\n",
    );
    assert_eq!(plan_url(&db, &schema), "", "the extension's table and the keys to it are not the files' to manage");
    let keyless = schema_file(
        "extension_tables_keyless",
        "CREATE EXTENSION citext;\nCREATE TABLE uses (id int, s int, c text);\n",
    );
    assert!(plan_url(&db, &keyless).contains("DROP CONSTRAINT uses_pkey"), "the managed table's own key is read");
}

#[test]
fn columns_of_every_type_and_default_read_back_as_written() {
    // A table whose columns hold only a type, a default and NOT NULL is read
    // from its rows, each (type, default) spelling parsed once and shared;
    // the others (here `odd`: a collation, identity, generated) are read as
    // printed DDL. Every shape reads back with an empty plan, and a default
    // or type changed in one column is a change of that column alone: the
    // same default under another type, or another default under the same
    // type, is not taken for the one already read.
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("column_shapes");
    let sql = "CREATE SCHEMA app;
         CREATE TYPE app.mood AS ENUM ('ok', 'sad');
         CREATE DOMAIN app.posint AS integer CHECK (VALUE > 0);
         CREATE SEQUENCE app.counter;
         CREATE TABLE app.plain (
             id serial PRIMARY KEY,
             a integer DEFAULT 1,
             b bigint DEFAULT 1,
             c numeric(10,2) DEFAULT 1,
             d text DEFAULT '1',
             e text DEFAULT 'x' NOT NULL,
             f varchar(20) DEFAULT 'x',
             g app.mood DEFAULT 'ok' NOT NULL,
             h app.mood[] DEFAULT '{ok}',
             i app.posint DEFAULT 7,
             j timestamp(3) with time zone DEFAULT now(),
             k interval DEFAULT '1 day',
             l \"char\",
             m bit varying(5),
             n jsonb DEFAULT '{}' NOT NULL,
             o bigint DEFAULT nextval('app.counter'),
             p integer DEFAULT -1,
             q boolean DEFAULT (1 < 2),
             \"Odd Name\" double precision DEFAULT 0.5
         );
         CREATE UNLOGGED TABLE app.quick (id int NOT NULL, note text DEFAULT 'x');
         CREATE TABLE app.empty ();
         CREATE TABLE app.odd (
             id int GENERATED ALWAYS AS IDENTITY,
             name text COLLATE \"C\" DEFAULT 'x',
             twice int GENERATED ALWAYS AS (id * 2) STORED,
             a integer DEFAULT 1
         );";
    db.psql(sql).expect("the tables load");
    let schema = schema_file("column_shapes", sql);
    assert_eq!(plan_url(&db, &schema), "", "every column reads back as written");
    for (from, to, column) in [
        ("a integer DEFAULT 1,", "a integer DEFAULT 2,", "plain.a"),
        ("b bigint DEFAULT 1,", "b bigint DEFAULT 2,", "plain.b"),
        ("d text DEFAULT '1',", "d text DEFAULT '2',", "plain.d"),
        ("e text DEFAULT 'x' NOT NULL,", "e text DEFAULT 'x',", "plain.e"),
        ("f varchar(20) DEFAULT 'x',", "f varchar(30) DEFAULT 'x',", "plain.f"),
        ("g app.mood DEFAULT 'ok'", "g app.mood DEFAULT 'sad'", "plain.g"),
        ("\"Odd Name\" double precision DEFAULT 0.5", "\"Odd Name\" double precision DEFAULT 1.5", "\"Odd Name\""),
        ("note text DEFAULT 'x'", "note text", "quick.note"),
        ("a integer DEFAULT 1\n", "a integer DEFAULT 2\n", "odd.a"),
    ] {
        assert!(sql.contains(from), "{from}");
        let changed = schema_file("column_shapes_changed", &sql.replacen(from, to, 1));
        let plan = plan_url(&db, &changed);
        let (table, name) = column.split_once('.').unwrap_or(("plain", column));
        let altered = format!("ALTER TABLE app.{table} ALTER COLUMN {name}");
        assert!(plan.contains(&altered), "{from} -> {to} does not alter {column} alone:\n{plan}");
        assert_eq!(plan.matches("ALTER COLUMN").count(), 1, "{from} -> {to} alters more than {column}:\n{plan}");
    }
}
