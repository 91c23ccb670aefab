//! What real schemas use beyond the basic kinds (issue 13), on real
//! PostgreSQL: a column's storage and compression, `CLUSTER ON`, `REPLICA
//! IDENTITY`, storage parameters of indexes and materialized views, `COMMENT
//! ... IS $$...$$`. Each is planned from empty, applied, converged, dumps
//! like the file loaded with psql, reads back from that dump, and drifts clean;
//! changes plan the right statements; revision replay sees their effects.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use support::pg::{Db, PgCluster};

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

fn file(name: &str, sql: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pgstate-real-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, sql).expect("write file");
    path
}

fn apply(db: &Db, schema: &Path, extra: &[&str]) -> String {
    let url = db.url();
    let schema = schema.to_string_lossy().into_owned();
    let mut args = vec!["apply", "--url", &url, "--schema", &schema, "--yes"];
    args.extend_from_slice(extra);
    let out = pgstate(&args);
    assert!(out.status.success(), "apply failed:\n{}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

fn plan_url(db: &Db, schema: &Path) -> String {
    let out = pgstate(&["plan", "--url", &db.url(), "--schema", &schema.to_string_lossy()]);
    assert!(out.status.success(), "plan --url failed: {}", text(&out.stderr));
    text(&out.stdout)
}

fn drift_code(db: &Db, schema: &Path) -> (Option<i32>, String) {
    let out = pgstate(&["drift", "--url", &db.url(), "--schema", &schema.to_string_lossy()]);
    (out.status.code(), text(&out.stdout) + &text(&out.stderr))
}

/// `pg_dump -s` of `db` as the realworld judge reads it: comments and `SET` lines dropped.
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
        .lines()
        .filter(|l| !l.starts_with("--") && !l.starts_with("SET ") && !l.starts_with('\\') && !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The whole property for one schema: from empty, converged, dumps like psql's,
/// its dump reads back equal, no drift.
fn converges(name: &str, sql: &str) {
    let pg = PgCluster::shared();
    let schema = file(&format!("{name}.sql"), sql);
    let built = pg.fresh_db(&format!("real_{name}"));
    apply(&built, &schema, &[]);
    let again = plan_url(&built, &schema);
    assert!(again.trim().is_empty(), "{name}: second plan not empty:\n{again}");
    let (code, out) = drift_code(&built, &schema);
    assert_eq!(code, Some(0), "{name}: drift after apply:\n{out}");
    let loaded = pg.fresh_db(&format!("real_{name}_psql"));
    loaded.psql(sql).expect("the schema loads with psql");
    assert_eq!(dump(pg, &built), dump(pg, &loaded), "{name}: pgstate's database dumps unlike psql's");
    // pg_dump's own spelling reads to the same catalog: an offline plan from it is empty.
    let dumped = file(&format!("{name}.dump.sql"), &dump(pg, &loaded));
    let out =
        pgstate(&["plan", "--from", &dumped.to_string_lossy(), "--schema", &schema.to_string_lossy(), "--parser-only"]);
    assert!(out.status.success(), "{name}: plan from the dump failed: {}", text(&out.stderr));
    assert!(text(&out.stdout).trim().is_empty(), "{name}: dump and file differ:\n{}", text(&out.stdout));
}

const STORAGE: &str = "
CREATE DOMAIN public.note AS text;
CREATE TABLE public.docs (
    id integer NOT NULL,
    body text,
    data jsonb,
    amount numeric,
    raw bytea,
    memo public.note
);
ALTER TABLE ONLY public.docs ALTER COLUMN body SET STORAGE EXTERNAL;
ALTER TABLE ONLY public.docs ALTER COLUMN data SET STORAGE MAIN;
ALTER TABLE ONLY public.docs ALTER COLUMN amount SET STORAGE EXTENDED;
ALTER TABLE public.docs ALTER COLUMN raw SET STORAGE EXTENDED;
ALTER TABLE ONLY public.docs ALTER COLUMN memo SET STORAGE MAIN;
ALTER TABLE ONLY public.docs ALTER COLUMN raw SET COMPRESSION pglz;
ALTER TABLE ONLY public.docs ALTER COLUMN body SET COMPRESSION lz4;
";

const INDEXES: &str = "
CREATE TABLE public.events (id bigint NOT NULL, at timestamp with time zone NOT NULL, kind text);
ALTER TABLE ONLY public.events ADD CONSTRAINT events_pkey PRIMARY KEY (id);
CREATE UNIQUE INDEX events_at_id ON public.events USING btree (at, id);
ALTER TABLE public.events CLUSTER ON events_at_id;
ALTER TABLE ONLY public.events REPLICA IDENTITY USING INDEX events_pkey;
CREATE TABLE public.audit (x text);
ALTER TABLE ONLY public.audit REPLICA IDENTITY FULL;
CREATE TABLE public.scratch (x text, y integer NOT NULL);
ALTER TABLE ONLY public.scratch ADD CONSTRAINT scratch_pkey PRIMARY KEY (y);
ALTER TABLE public.scratch CLUSTER ON scratch_pkey;
ALTER TABLE ONLY public.scratch REPLICA IDENTITY NOTHING;
";

#[test]
fn column_storage_and_compression_converge_and_dump_like_psql() {
    converges("storage", STORAGE);
}

#[test]
fn cluster_on_and_replica_identity_converge_and_dump_like_psql() {
    converges("cluster", INDEXES);
}

#[test]
fn storage_and_compression_changes_plan_alter_column() {
    let pg = PgCluster::shared();
    let db = pg.fresh_db("real_storage_change");
    apply(&db, &file("s1.sql", STORAGE), &[]);
    // Back to the type's storage (text: EXTENDED; a domain over text too), compression to the default,
    // and a new column with settings of its own.
    let v2 = STORAGE
        .replace("ALTER TABLE ONLY public.docs ALTER COLUMN body SET STORAGE EXTERNAL;\n", "")
        .replace("ALTER TABLE ONLY public.docs ALTER COLUMN memo SET STORAGE MAIN;\n", "")
        .replace("ALTER TABLE ONLY public.docs ALTER COLUMN body SET COMPRESSION lz4;\n", "")
        .replace("    memo public.note\n", "    memo public.note,\n    extra text\n")
        + "ALTER TABLE public.docs ALTER COLUMN extra SET STORAGE PLAIN;\n";
    let path = file("s2.sql", &v2);
    let plan = plan_url(&db, &path);
    for step in [
        "ALTER TABLE public.docs ALTER COLUMN body SET STORAGE EXTENDED;",
        "ALTER TABLE public.docs ALTER COLUMN memo SET STORAGE EXTENDED;",
        "ALTER TABLE public.docs ALTER COLUMN body SET COMPRESSION DEFAULT;",
        "ALTER TABLE public.docs ADD COLUMN extra text;",
        "ALTER TABLE public.docs ALTER COLUMN extra SET STORAGE PLAIN;",
    ] {
        assert!(plan.contains(step), "{step} missing from:\n{plan}");
    }
    assert!(!plan.contains("hazard"), "{plan}");
    apply(&db, &path, &[]);
    assert!(plan_url(&db, &path).trim().is_empty());
    let loaded = pg.fresh_db("real_storage_change_psql");
    loaded.psql(&v2).expect("v2 loads");
    assert_eq!(dump(pg, &db), dump(pg, &loaded));

    // A new type resets the storage: the column's own is set again after the type changes.
    let v3 = v2.replace("    data jsonb,", "    data text,");
    let path = file("s3.sql", &v3);
    let plan = plan_url(&db, &path);
    let ty = plan.find("ALTER COLUMN data TYPE text").unwrap_or_else(|| panic!("{plan}"));
    let st = plan.find("ALTER COLUMN data SET STORAGE MAIN").unwrap_or_else(|| panic!("{plan}"));
    assert!(ty < st, "{plan}");
    apply(&db, &path, &[]);
    assert!(plan_url(&db, &path).trim().is_empty());
}

#[test]
fn cluster_and_replica_identity_changes_follow_their_index() {
    let pg = PgCluster::shared();
    let db = pg.fresh_db("real_cluster_change");
    apply(&db, &file("c1.sql", INDEXES), &[]);
    let v2 = INDEXES
        .replace("CLUSTER ON events_at_id", "CLUSTER ON events_pkey")
        .replace("REPLICA IDENTITY USING INDEX events_pkey", "REPLICA IDENTITY USING INDEX events_at_id")
        .replace("ALTER TABLE ONLY public.audit REPLICA IDENTITY FULL;\n", "")
        .replace("ALTER TABLE public.scratch CLUSTER ON scratch_pkey;\n", "")
        .replace("REPLICA IDENTITY NOTHING", "REPLICA IDENTITY FULL");
    let path = file("c2.sql", &v2);
    let plan = plan_url(&db, &path);
    for step in [
        "ALTER TABLE public.events CLUSTER ON events_pkey;",
        "ALTER TABLE public.events REPLICA IDENTITY USING INDEX events_at_id;",
        "ALTER TABLE public.audit REPLICA IDENTITY DEFAULT;",
        "ALTER TABLE public.scratch SET WITHOUT CLUSTER;",
        "ALTER TABLE public.scratch REPLICA IDENTITY FULL;",
    ] {
        assert!(plan.contains(step), "{step} missing from:\n{plan}");
    }
    apply(&db, &path, &[]);
    assert!(plan_url(&db, &path).trim().is_empty());

    // The index CLUSTER uses is built again (a new key): CLUSTER ON comes after it.
    let v3 = v2.replace("USING btree (at, id)", "USING btree (at DESC, id)");
    let v3 = v3.replace("CLUSTER ON events_pkey", "CLUSTER ON events_at_id");
    let v3 = v3.replace("REPLICA IDENTITY USING INDEX events_at_id", "REPLICA IDENTITY USING INDEX events_pkey");
    let path = file("c3.sql", &v3);
    apply(&db, &path, &[]);
    assert!(plan_url(&db, &path).trim().is_empty());
    let v4 = v3.replace("USING btree (at DESC, id)", "USING btree (at, id DESC)");
    let path = file("c4.sql", &v4);
    let plan = plan_url(&db, &path);
    let create = plan.find("events_at_id ON public.events (at, id DESC)").unwrap_or_else(|| panic!("{plan}"));
    let cluster = plan.find("CLUSTER ON events_at_id").unwrap_or_else(|| panic!("{plan}"));
    assert!(create < cluster, "{plan}");
    apply(&db, &path, &[]);
    assert!(plan_url(&db, &path).trim().is_empty());
    let loaded = pg.fresh_db("real_cluster_change_psql");
    loaded.psql(&v4).expect("v4 loads");
    assert_eq!(dump(pg, &db), dump(pg, &loaded));

    // NOTHING is noted: published updates and deletes fail.
    let v5 = v4.replace("REPLICA IDENTITY FULL", "REPLICA IDENTITY NOTHING");
    let plan = plan_url(&db, &file("c5.sql", &v5));
    assert!(plan.contains("-- hazard: note: UPDATE and DELETE on public.scratch fail"), "{plan}");
}

#[test]
fn an_index_cluster_on_does_not_have_is_an_error() {
    let path = file("bad.sql", "CREATE TABLE public.t (a int);\nALTER TABLE public.t CLUSTER ON nope;\n");
    let out = pgstate(&[
        "plan",
        "--from",
        &file("empty.sql", "").to_string_lossy(),
        "--schema",
        &path.to_string_lossy(),
        "--parser-only",
    ]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("index public.nope is not an index of table public.t"), "{}", text(&out.stderr));
}

#[test]
fn revision_replay_sees_storage_cluster_and_replica_identity() {
    let base = pgstate::parse::parse_str(
        "base.sql",
        "CREATE TABLE public.t (a int NOT NULL, b text);\nCREATE UNIQUE INDEX t_a ON public.t (a);\n",
    )
    .expect("parses")
    .catalog;
    let after = pgstate::ddl::run(
        base,
        "r1",
        "ALTER TABLE public.t ALTER COLUMN b SET STORAGE MAIN;\n\
         ALTER TABLE public.t ALTER COLUMN b SET COMPRESSION pglz;\n\
         ALTER TABLE public.t CLUSTER ON t_a;\n\
         ALTER TABLE public.t REPLICA IDENTITY USING INDEX t_a;\n\
         ALTER INDEX public.t_a RENAME TO t_a2;\n",
    )
    .expect("replays");
    let t = &after.tables[&pgstate::model::QualName::new("public", "t")];
    assert_eq!(t.columns["b"].storage.as_deref(), Some("main"));
    assert_eq!(t.columns["b"].compression.as_deref(), Some("pglz"));
    assert_eq!(t.cluster_on.as_deref(), Some("t_a2"));
    assert_eq!(t.replica_identity, Some(pgstate::model::ReplicaIdentity::Index("t_a2".into())));
    let dropped = pgstate::ddl::run(after, "r2", "DROP INDEX public.t_a2;\n").expect("replays");
    let t = &dropped.tables[&pgstate::model::QualName::new("public", "t")];
    assert_eq!((t.cluster_on.as_deref(), t.replica_identity.as_ref()), (None, None));
}

const PARAMETERS: &str = "
CREATE TABLE public.items (id integer NOT NULL, name text);
ALTER TABLE ONLY public.items ADD CONSTRAINT items_pkey PRIMARY KEY (id);
CREATE INDEX items_name ON public.items USING btree (name) WITH (fillfactor='70', deduplicate_items='off');
CREATE MATERIALIZED VIEW public.item_names WITH (fillfactor='60', autovacuum_enabled='false') AS
 SELECT items.name
   FROM public.items
  WITH NO DATA;
CREATE INDEX item_names_name ON public.item_names USING btree (name) WITH (fillfactor='50');
";

#[test]
fn storage_parameters_of_indexes_keys_and_materialized_views_converge() {
    converges("parameters", PARAMETERS);
}

#[test]
fn changed_index_and_materialized_view_parameters_are_planned() {
    let pg = PgCluster::shared();
    let db = pg.fresh_db("real_parameters_change");
    apply(&db, &file("p1.sql", PARAMETERS), &[]);
    let v2 = PARAMETERS.replace("fillfactor='70'", "fillfactor='90'").replace("fillfactor='60'", "fillfactor='65'");
    let path = file("p2.sql", &v2);
    let plan = plan_url(&db, &path);
    assert!(plan.contains("items_name"), "{plan}");
    assert!(plan.contains("item_names"), "{plan}");
    apply(&db, &path, &["--allow-destructive"]);
    assert!(plan_url(&db, &path).trim().is_empty());
    let loaded = pg.fresh_db("real_parameters_change_psql");
    loaded.psql(&v2).expect("v2 loads");
    assert_eq!(dump(pg, &db), dump(pg, &loaded));
}

/// pg_dump writes comments in single quotes; hand-written files use dollar quotes too.
const DOLLAR_COMMENTS: &str = "
CREATE TABLE public.t (a integer);
COMMENT ON TABLE public.t IS $$it's a table$$;
COMMENT ON COLUMN public.t.a IS $tag$a $$ column with 'quotes'$tag$;
CREATE FUNCTION public.f() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
COMMENT ON FUNCTION public.f() IS $$returns one$$;
";

#[test]
fn dollar_quoted_comments_converge_and_dump_like_psql() {
    converges("dollar_comments", DOLLAR_COMMENTS);
}

const LIKE: &str = "
CREATE TABLE public.base (
    id integer NOT NULL,
    name text COLLATE \"C\" DEFAULT 'x'::text NOT NULL,
    total numeric GENERATED ALWAYS AS ((id * 2)) STORED,
    note text,
    CONSTRAINT base_name_check CHECK ((name <> ''::text))
);
ALTER TABLE ONLY public.base ADD CONSTRAINT base_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.base ADD CONSTRAINT base_name_key UNIQUE (name);
CREATE INDEX base_note_idx ON public.base USING btree (note);
CREATE INDEX base_lower_idx ON public.base USING btree (lower(note));
ALTER TABLE ONLY public.base ALTER COLUMN note SET STORAGE MAIN;
COMMENT ON COLUMN public.base.note IS 'a note';
CREATE TABLE public.copy_all (LIKE public.base INCLUDING ALL);
CREATE TABLE public.copy_some (
    extra_first integer,
    LIKE base INCLUDING DEFAULTS EXCLUDING CONSTRAINTS,
    extra_last text
);
CREATE TABLE public.defined_later (a integer CHECK (a > 0), b text DEFAULT 'b'::text);
CREATE TABLE public.copy_later (LIKE public.defined_later INCLUDING CONSTRAINTS);
";

#[test]
fn like_expands_from_the_source_as_postgresql_copies_it() {
    converges("like", LIKE);
}

#[test]
fn like_reads_the_same_whatever_the_order_of_the_files_statements() {
    let reordered = LIKE
        .replace("CREATE TABLE public.defined_later (a integer CHECK (a > 0), b text DEFAULT 'b'::text);\n", "")
        + "CREATE TABLE public.defined_later (a integer CHECK (a > 0), b text DEFAULT 'b'::text);\n";
    let out = pgstate(&[
        "plan",
        "--from",
        &file("like_ordered.sql", LIKE).to_string_lossy(),
        "--schema",
        &file("like_reordered.sql", &reordered).to_string_lossy(),
        "--parser-only",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).trim().is_empty(), "{}", text(&out.stdout));
}

#[test]
fn like_of_an_unknown_table_is_an_error_at_the_element() {
    let path = file("like_bad.sql", "CREATE TABLE public.t (a int, LIKE public.nowhere INCLUDING ALL);\n");
    let out = pgstate(&[
        "plan",
        "--from",
        &file("like_empty.sql", "").to_string_lossy(),
        "--schema",
        &path.to_string_lossy(),
        "--parser-only",
    ]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("LIKE names table public.nowhere, which the schema does not define"), "{err}");
    assert!(err.contains("like_bad.sql:1:"), "{err}");
}
