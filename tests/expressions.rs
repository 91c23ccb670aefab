//! What you write is what PostgreSQL stores: a database pgstate builds dumps
//! exactly like the same files run by the server itself (agenticrag's
//! `schema/` and every fixture), an expression pgstate prints (as written,
//! renamed, or read back from the catalog) is stored exactly as the original
//! (a property test on a real server), and drift shows only real differences.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use support::pg::{Db, PgCluster};

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn pgstate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pgstate"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .output()
        .expect("pgstate runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn apply(db: &Db, schema: &Path) {
    let out = pgstate(&["apply", "--url", &db.url(), "--schema", &schema.to_string_lossy(), "--yes"]);
    assert!(out.status.success(), "apply of {} failed: {}", schema.display(), text(&out.stderr));
}

/// `pg_dump --schema-only --no-owner --no-privileges`, without the lines
/// that differ between any two runs (`\restrict` keys).
fn dump(cluster: &PgCluster, db: &Db) -> String {
    let own = cluster.bin_dir().join("pg_dump");
    let pg_dump = if own.is_file() { own } else { PathBuf::from("pg_dump") };
    let mut cmd = Command::new(&pg_dump);
    for var in ["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGOPTIONS", "PGSERVICE", "PGPASSWORD"] {
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
    text(&out.stdout).lines().filter(|l| !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict")).fold(
        String::new(),
        |mut s, l| {
            s.push_str(l);
            s.push('\n');
            s
        },
    )
}

/// The lines only in one dump, `None` when they are the same.
fn dump_difference(a: &str, b: &str) -> Option<String> {
    (a != b).then(|| {
        similar::TextDiff::from_lines(a, b).unified_diff().context_radius(2).header("psql", "pgstate").to_string()
    })
}

/// Runs each statement of `sql` on `db` as written, in an order the server
/// accepts: agenticrag's files refer to each other's tables in a cycle, so
/// no order of whole files loads; statements that fail for a table not yet
/// there are run again after the others. The files hold no dollar quotes,
/// so a statement ends at a `;` that ends its line.
fn load_in_dependency_order(db: &Db, sql: &str) {
    assert!(!sql.contains('$'), "the simple statement split needs files without dollar quotes");
    let mut pending: Vec<String> = sql
        .split(";\n")
        .map(|s| s.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n"))
        .filter(|s| !s.trim().is_empty())
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let (client, conn) =
            tokio_postgres::connect(&format!("{}?connect_timeout=10", db.url()), tokio_postgres::NoTls)
                .await
                .expect("connects");
        tokio::spawn(conn);
        while !pending.is_empty() {
            let mut failed = Vec::new();
            let mut last_error = String::new();
            let before = pending.len();
            for s in std::mem::take(&mut pending) {
                if let Err(e) = client.batch_execute(&s).await {
                    last_error = format!("{e:?}");
                    failed.push(s);
                }
            }
            assert!(
                failed.len() < before,
                "statements that never load:\n{}\nlast error: {last_error}",
                failed.join(";\n")
            );
            pending = failed;
        }
    });
}

fn schema_text(dir: &Path) -> String {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("schema dir").map(|e| e.expect("entry").path()).collect();
    files.sort();
    files.iter().map(|f| std::fs::read_to_string(f).expect("schema file") + "\n").collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("temp dir");
    for e in std::fs::read_dir(from).expect("dir") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, to.join(p.file_name().expect("name"))).expect("copy");
    }
}

#[test]
fn agenticrag_built_by_apply_dumps_like_its_files_run_by_the_server() {
    let cluster = PgCluster::shared();
    let built = cluster.fresh_db("ag_built");
    apply(&built, &repo("schema"));
    let loaded = cluster.fresh_db("ag_loaded");
    load_in_dependency_order(&loaded, &schema_text(&repo("schema")));
    if let Some(d) = dump_difference(&dump(cluster, &loaded), &dump(cluster, &built)) {
        panic!("the dumps differ:\n{d}");
    }
}

/// A column added by a plan to an existing agenticrag table, with a default
/// PostgreSQL stores apart from its canonical `0.7`: the database the plan
/// changes dumps like the changed files run by the server, the default as
/// written, and drift finds nothing.
#[test]
fn a_cast_default_added_to_agenticrag_is_stored_as_written() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("ag_default");
    apply(&db, &repo("schema"));

    let dir = std::env::temp_dir().join(format!("pgstate-expr-{}-schema", std::process::id()));
    copy_dir(&repo("schema"), &dir);
    let agents = dir.join("agents.sql");
    let sql = std::fs::read_to_string(&agents).expect("agents.sql");
    let anchor = "    deleted_at         timestamp,\n    CONSTRAINT check_agent_type_valid";
    assert!(sql.contains(anchor), "agents.sql changed shape");
    let changed = sql.replace(
        anchor,
        "    deleted_at         timestamp,\n    temperature double precision DEFAULT '0.7'::double precision,\n    \
         CONSTRAINT check_agent_type_valid",
    );
    std::fs::write(&agents, changed).expect("write agents.sql");

    let plan = pgstate(&["plan", "--url", &db.url(), "--schema", &dir.to_string_lossy()]);
    assert!(plan.status.success(), "{}", text(&plan.stderr));
    assert_eq!(
        text(&plan.stdout),
        "ALTER TABLE public.agents ADD COLUMN temperature double precision DEFAULT '0.7'::DOUBLE PRECISION;\n"
    );
    apply(&db, &dir);
    let got = dump(cluster, &db);
    assert!(got.contains("    temperature double precision DEFAULT '0.7'::double precision,\n"), "{got}");
    let loaded = cluster.fresh_db("ag_default_loaded");
    load_in_dependency_order(&loaded, &schema_text(&dir));
    if let Some(d) = dump_difference(&dump(cluster, &loaded), &got) {
        panic!("the dumps differ:\n{d}");
    }
    let drift = pgstate(&["drift", "--url", &db.url(), "--schema", &dir.to_string_lossy()]);
    assert_eq!(drift.status.code(), Some(0), "{}{}", text(&drift.stdout), text(&drift.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_fixture_built_by_apply_dumps_like_the_file_loaded_by_psql() {
    let cluster = PgCluster::shared();
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(repo("fixtures/diff")).expect("fixtures").map(|e| e.expect("entry").path()).collect();
    dirs.retain(|d| d.is_dir());
    dirs.sort();
    assert!(dirs.len() >= 20, "expected the full fixture set");
    let failures: Vec<String> = std::thread::scope(|s| {
        let workers: Vec<_> = dirs
            .chunks(dirs.len().div_ceil(2))
            .map(|chunk| {
                s.spawn(move || {
                    let mut failures = Vec::new();
                    for dir in chunk {
                        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                        for side in ["from.sql", "to.sql"] {
                            let file = dir.join(side);
                            let loaded = cluster.fresh_db("fx_loaded");
                            loaded.psql_file(&file).unwrap_or_else(|e| panic!("{name} {side} loads: {e}"));
                            let built = cluster.fresh_db("fx_built");
                            apply(&built, &file);
                            if let Some(d) = dump_difference(&dump(cluster, &loaded), &dump(cluster, &built)) {
                                failures.push(format!("{name} {side}: the dumps differ:\n{d}"));
                            }
                        }
                    }
                    failures
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("worker finished")).collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The `+` and `-` lines of a unified diff (without its header).
fn changed_lines(diff: &str) -> Vec<&str> {
    diff.lines()
        .filter(|l| (l.starts_with('+') || l.starts_with('-')) && !l.starts_with("+++") && !l.starts_with("---"))
        .collect()
}

const DESIRED_ITEM: &str = "CREATE TABLE item (
    id integer PRIMARY KEY,
    rating double precision,
    note varchar(20) DEFAULT 'x',
    name text,
    price numeric DEFAULT '0.7'::numeric,
    CONSTRAINT rating_range CHECK (rating >= 0.0 AND rating <= 5.0)
);
CREATE INDEX item_name ON item (lower(name));
";

/// A database whose CHECK PostgreSQL spells its own way and whose `note`
/// was appended by an `ALTER`: against the desired file, drift's diff shows
/// the one real difference (the index), not the check or the column.
#[test]
fn drift_against_a_database_shows_only_real_differences() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("drift_real");
    db.psql(
        "CREATE TABLE item (id integer PRIMARY KEY, rating double precision, name text, \
         price numeric DEFAULT '0.7'::numeric, CONSTRAINT rating_range CHECK (rating >= 0.0 AND rating <= 5.0));
         ALTER TABLE item ADD COLUMN note varchar(20) DEFAULT 'x';",
    )
    .expect("loads");
    let file = std::env::temp_dir().join(format!("pgstate-expr-{}-drift.sql", std::process::id()));
    std::fs::write(&file, DESIRED_ITEM).expect("write");
    let out = pgstate(&["drift", "--url", &db.url(), "--schema", &file.to_string_lossy()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    let diff = &stdout[stdout.find("--- database").expect("a diff")..];
    assert_eq!(changed_lines(diff), ["+CREATE INDEX item_name ON public.item ((lower(name)));"], "{diff}");
    let _ = std::fs::remove_file(&file);
}

/// The same against a revision chain's head state, where a later revision
/// appended `note` and the check reads back in PostgreSQL's spelling.
#[test]
fn drift_against_revisions_shows_only_real_differences() {
    let v1 = "CREATE TABLE item (id integer PRIMARY KEY, rating double precision, name text, \
              price numeric DEFAULT '0.7'::numeric, \
              CONSTRAINT rating_range CHECK (((rating >= (0.0)::double precision) AND (rating <= (5.0)::double precision))));";
    let head = pgstate::parse::parse_str("r1.sql", v1).expect("r1 parses").catalog;
    let head = pgstate::parse::parse_onto(head, "r2.sql", "ALTER TABLE item ADD COLUMN note varchar(20) DEFAULT 'x';")
        .expect("r2 parses")
        .catalog;
    let desired = pgstate::parse::parse_str("schema.sql", DESIRED_ITEM).expect("desired parses");
    let drift =
        pgstate::ops::drift::chain_drift(&head, &desired, &pgstate::model::ManagedRoles::new(&[])).expect("drift runs");
    assert!(!drift.in_sync());
    assert_eq!(
        changed_lines(&drift.diff),
        ["+CREATE INDEX item_name ON public.item ((lower(name)));"],
        "{}",
        drift.diff
    );
}

/// What other real projects' files hold (the findings): a cast of an
/// operator chain and a quoted `"position"` call in index expressions, and a
/// trigger running PostgreSQL's own `tsvector_update_trigger`. Applied to an
/// empty database it dumps like the file run by psql, and a second plan is empty.
#[test]
fn real_project_expressions_apply_and_dump_like_the_file() {
    let cluster = PgCluster::shared();
    let sql = "CREATE TABLE job (
    id integer PRIMARY KEY,
    params jsonb,
    email varchar(200),
    body text,
    search tsvector,
    score double precision DEFAULT '0.7'::double precision,
    kind text DEFAULT 'a'::text COLLATE \"C\"
);
CREATE INDEX job_package ON job (((params -> 'package' ->> 'id')::integer));
CREATE INDEX job_domain ON job (\"position\"((email)::text, '@'::text));
CREATE INDEX job_tail ON job (substring(email from 2 for 3), lower(body) COLLATE \"C\") WHERE NOT (params ? 'x');
CREATE TRIGGER job_search BEFORE INSERT OR UPDATE ON job
    FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger(search, 'pg_catalog.english', body);
";
    let file = std::env::temp_dir().join(format!("pgstate-expr-{}-real.sql", std::process::id()));
    std::fs::write(&file, sql).expect("write");
    let empty = cluster.fresh_db("real_empty");
    let plan = pgstate(&["plan", "--url", &empty.url(), "--schema", &file.to_string_lossy()]);
    let plan = text(&plan.stdout);
    for want in [
        "((params -> 'package' ->> 'id')::INTEGER)",
        "(\"position\"((email)::TEXT, '@'::TEXT))",
        "EXECUTE FUNCTION pg_catalog.tsvector_update_trigger(",
    ] {
        assert!(plan.contains(want), "{want} not in:\n{plan}");
    }
    apply(&empty, &file);
    let again = pgstate(&["plan", "--url", &empty.url(), "--schema", &file.to_string_lossy()]);
    assert_eq!(text(&again.stdout), "", "{}", text(&again.stderr));
    let loaded = cluster.fresh_db("real_loaded");
    loaded.psql_file(&file).expect("loads");
    if let Some(d) = dump_difference(&dump(cluster, &loaded), &dump(cluster, &empty)) {
        panic!("the dumps differ:\n{d}");
    }
    let _ = std::fs::remove_file(&file);
}
