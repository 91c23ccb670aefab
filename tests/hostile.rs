//! The hostile-input suite: the corpus (tests/support/corpus.rs) in every
//! expression slot and in names goes through `plan` (its printed SQL loaded
//! with psql), `apply`, `drift`, `export` (loaded with psql into a fresh
//! database) and revision replay (`autogenerate` + `upgrade`), for two
//! states in a row, with `standard_conforming_strings` on and off on every
//! database involved. After each step: `victim` keeps its rows, a bystander
//! table is untouched, a second plan is empty, every value reads back as
//! written, and the databases reached by different roads hold the same schema.
//!
//! Expressions are settled on a separate scratch database of the same test
//! cluster (`--dev-url`), so no throwaway server is started.

mod support;

use std::path::PathBuf;
use std::process::Output;

use support::catalog::{diff_lines, snapshot_lines};
use support::corpus;
use support::pg::{Db, PgCluster};
use support::run::{pgstate_in, text};

fn ok(what: &str, out: Output) -> String {
    assert!(out.status.success(), "{what} failed:\n{}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

const VICTIM: &str = "CREATE TABLE victim (id int); INSERT INTO victim VALUES (1), (2);\n\
     CREATE TABLE bystander (id int PRIMARY KEY, note text DEFAULT 'keep'); INSERT INTO bystander VALUES (7, 'row');";
const KEPT: &str =
    "CREATE TABLE victim (id int);\nCREATE TABLE bystander (id int PRIMARY KEY, note text DEFAULT 'keep');\n";

fn intact(db: &Db, what: &str) {
    let rows =
        db.psql("SELECT (SELECT count(*) FROM victim) || ' ' || (SELECT string_agg(id || note, ',') FROM bystander)");
    assert_eq!(rows.as_deref(), Ok("2 7row"), "{what}: victim or bystander rows moved on {}", db.name);
}

fn values(db: &Db, variant: usize, what: &str) {
    let failed = corpus::failed_checks(db, variant);
    assert!(failed.is_empty(), "{what} on {}: {} values wrong:\n{}", db.name, failed.len(), failed.join("\n"));
}

/// Schema lines, without pgstate's version table.
fn lines(db: &Db) -> Vec<String> {
    snapshot_lines(db).into_iter().filter(|l| !l.contains("pgstate_revision")).collect()
}

fn same_schema(a: &Db, b: &Db, what: &str) {
    let (la, lb) = (lines(a), lines(b));
    if la != lb {
        let diff: Vec<String> =
            diff_lines(&la, &lb).into_iter().filter(|(k, _)| *k != " ").map(|(k, l)| format!("{k}{l}")).collect();
        panic!("{what}: {} and {} differ:\n{}", a.name, b.name, diff.join("\n"));
    }
}

/// One run: every database of it reads strings as `scs` says by default.
struct Run {
    cluster: &'static PgCluster,
    scs: &'static str,
    dir: PathBuf,
    dev: Db,
}

impl Run {
    fn new(scs: &'static str) -> Run {
        let cluster = PgCluster::shared();
        let dir = std::env::temp_dir().join(format!("pgstate-hostile-suite-{}-{scs}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("schema")).expect("project dir");
        let run = Run { cluster, scs, dev: cluster.fresh_db(&format!("hostile_dev_{scs}")), dir };
        run.set_scs(&run.dev);
        run
    }

    fn set_scs(&self, db: &Db) {
        db.psql(&format!("ALTER DATABASE {} SET standard_conforming_strings = {}", db.name, self.scs)).expect("alter");
        assert_eq!(db.psql("SHOW standard_conforming_strings").expect("show"), self.scs);
    }

    /// A fresh database in this run's setting, holding `victim` and `bystander` with rows.
    fn db(&self, prefix: &str) -> Db {
        let db = self.cluster.fresh_db(&format!("{prefix}_{}", self.scs));
        self.set_scs(&db);
        db.psql(VICTIM).expect("victim");
        db
    }

    fn write_state(&self, variant: usize) -> String {
        let path = self.dir.join("schema/schema.sql");
        std::fs::write(&path, format!("{KEPT}{}", corpus::schema(variant))).expect("write schema");
        path.to_string_lossy().into_owned()
    }

    fn pgstate(&self, args: &[&str]) -> Output {
        pgstate_in(&self.dir, args)
    }

    /// `command --url db --schema schema --dev-url dev` plus `extra`.
    fn with_db(&self, command: &str, db: &Db, schema: &str, extra: &[&str]) -> Output {
        let (url, dev) = (db.url(), self.dev.url());
        let mut args = vec![command, "--url", &url, "--schema", schema, "--dev-url", &dev];
        args.extend_from_slice(extra);
        self.pgstate(&args)
    }

    fn converged(&self, db: &Db, schema: &str, variant: usize, what: &str) {
        intact(db, what);
        values(db, variant, what);
        let again = self.with_db("plan", db, schema, &[]);
        assert_eq!(ok("second plan", again), "", "{what}: a second plan on {} is not empty", db.name);
        intact(db, what);
    }

    /// [`Run::converged`], and `drift` agrees.
    fn in_sync(&self, db: &Db, schema: &str, variant: usize, what: &str) {
        self.converged(db, schema, variant, what);
        let drift = self.with_db("drift", db, schema, &[]);
        assert_eq!(
            drift.status.code(),
            Some(0),
            "{what}: drift on {}: {}{}",
            db.name,
            text(&drift.stdout),
            text(&drift.stderr)
        );
        intact(db, what);
    }
}

fn corpus_survives_every_command(scs: &'static str) {
    let run = Run::new(scs);
    let target = run.db("hostile_target");
    let loaded = run.db("hostile_loaded");
    let replayed = run.cluster.fresh_db(&format!("hostile_replayed_{scs}"));
    run.set_scs(&replayed);
    // The bystander's lines, which no state may move.
    let kept = |db: &Db| -> Vec<String> {
        let ours = |l: &String| {
            let object = l.split(' ').nth(1).unwrap_or_default();
            object.starts_with("public.victim") || object.starts_with("public.bystander")
        };
        lines(db).into_iter().filter(ours).collect()
    };
    let kept_before = kept(&target);

    for variant in 0..2 {
        let state = format!("state {variant}, standard_conforming_strings={scs}");
        let schema = run.write_state(variant);
        let before = lines(&target);

        // plan: read-only, and its SQL means the same loaded by psql.
        let plan = ok("plan", run.with_db("plan", &target, &schema, &[]));
        assert!(!plan.is_empty(), "{state}: nothing planned");
        assert_eq!(lines(&target), before, "{state}: plan changed the target");
        intact(&target, &state);
        loaded.psql(&plan).unwrap_or_else(|e| panic!("{state}: the printed plan fails under psql: {e}\n{plan}"));
        intact(&loaded, &format!("{state}, plan loaded by psql"));
        values(&loaded, variant, &format!("{state}, plan loaded by psql"));

        // drift sees the difference and changes nothing.
        let drift = run.with_db("drift", &target, &schema, &[]);
        assert_eq!(drift.status.code(), Some(1), "{state}: drift: {}", text(&drift.stderr));
        assert_eq!(lines(&target), before, "{state}: drift changed the target");

        // apply.
        ok("apply", run.with_db("apply", &target, &schema, &["--yes"]));
        run.in_sync(&target, &schema, variant, &format!("{state}, applied"));
        same_schema(&target, &loaded, &format!("{state}: applied vs the printed plan loaded by psql"));
        run.converged(&loaded, &schema, variant, &format!("{state}, plan loaded by psql"));
        assert_eq!(kept(&target), kept_before, "{state}: something outside the change moved");

        // export, loaded by psql into a fresh database.
        let file = run.dir.join(format!("export-{variant}.sql"));
        ok("export", run.pgstate(&["export", "--url", &target.url(), "--out", &file.to_string_lossy()]));
        let exported = run.cluster.fresh_db(&format!("hostile_exported_{scs}"));
        run.set_scs(&exported);
        exported.psql_file(&file).unwrap_or_else(|e| panic!("{state}: the export fails under psql: {e}"));
        exported.psql("INSERT INTO victim VALUES (1), (2); INSERT INTO bystander VALUES (7, 'row')").expect("rows");
        same_schema(&target, &exported, &format!("{state}: the export loaded by psql"));
        run.converged(&exported, &schema, variant, &format!("{state}, export loaded by psql"));

        // Revision replay: the chain's model gets the same state, upgrade the same schema.
        let id = format!("r{variant}");
        ok("autogenerate", run.pgstate(&["autogenerate", "-m", "corpus", "--rev-id", &id, "--schema", &schema]));
        let out = run.pgstate(&["autogenerate", "-m", "nothing", "--rev-id", "again", "--schema", &schema]);
        assert!(
            out.status.success() && text(&out.stderr).contains("nothing written"),
            "{state}: the replayed chain differs from the desired files: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        ok("upgrade", run.pgstate(&["upgrade", "--url", &replayed.url()]));
        if variant == 0 {
            // The chain starts from an empty database: r0 created victim and bystander.
            replayed.psql("INSERT INTO victim VALUES (1), (2); INSERT INTO bystander VALUES (7, 'row')").expect("rows");
        }
        same_schema(&target, &replayed, &format!("{state}: revisions replayed by upgrade"));
        run.converged(&replayed, &schema, variant, &format!("{state}, upgraded"));
    }
}

#[test]
fn the_corpus_survives_every_command_with_standard_strings_on() {
    corpus_survives_every_command("on");
}

#[test]
fn the_corpus_survives_every_command_with_standard_strings_off() {
    corpus_survives_every_command("off");
}

/// A routine's body is kept as written and PostgreSQL checks it with the
/// session's string setting: a printed plan and an export that create
/// routines say `SET standard_conforming_strings = on` first, so psql loads
/// them on a server set off (a `U&''` string is refused there, and `'a\'`
/// never ends). The tag around a body ending in `$function` is another one.
#[test]
fn scripts_that_create_routines_load_on_a_server_reading_strings_the_old_way() {
    let cluster = PgCluster::shared();
    let dir = std::env::temp_dir().join(format!("pgstate-hostile-routines-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let schema = dir.join("schema.sql");
    std::fs::write(
        &schema,
        "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $b$SELECT U&'\\0041' || 'b\\'$b$;\n\
         CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $b$SELECT 1 AS x$function$b$;\n",
    )
    .expect("write");
    let schema = schema.to_string_lossy().into_owned();
    let source = cluster.fresh_db("routines_src");
    let plan = ok("plan", pgstate_in(&dir, &["plan", "--url", &source.url(), "--schema", &schema, "--parser-only"]));
    assert!(plan.starts_with("SET standard_conforming_strings = on;\n"), "{plan}");
    let check = "SET standard_conforming_strings = on; SELECT f() = 'Ab' || chr(92) AND g() = 1";
    for (name, script) in [("plan", None), ("export", Some(dir.join("export.sql")))] {
        let db = cluster.fresh_db("routines_off");
        db.psql(&format!("ALTER DATABASE {} SET standard_conforming_strings = off", db.name)).expect("off");
        match script {
            None => db.psql(&plan).map(|_| ()),
            Some(file) => {
                ok("apply", pgstate_in(&dir, &["apply", "--url", &source.url(), "--schema", &schema, "--yes"]));
                let out = file.to_string_lossy().into_owned();
                ok("export", pgstate_in(&dir, &["export", "--url", &source.url(), "--out", &out]));
                db.psql_file(&file).map(|_| ())
            }
        }
        .unwrap_or_else(|e| panic!("the {name} fails under psql with standard strings off: {e}"));
        assert_eq!(db.psql(check).as_deref(), Ok("t"), "the {name}'s routines are the file's");
    }
}
