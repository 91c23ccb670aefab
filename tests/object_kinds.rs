//! The generic object kinds (operators, aggregates, collations) on real
//! PostgreSQL: planned from empty, applied, converged; the database pgstate
//! builds dumps like the file loaded with psql; its pg_dump reads back to an
//! equal catalog; drift is clean; changes replace or rebuild in dependency
//! order; an extension's objects are never managed.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::pg::{Db, PgCluster};
use support::run::{apply, pgstate, plan_url, text};

fn file(name: &str, sql: &str) -> PathBuf {
    support::run::file("kinds", name, sql)
}

fn drift_code(db: &Db, schema: &Path) -> (Option<i32>, String) {
    let out = pgstate(&["drift", "--url", &db.url(), "--schema", &schema.to_string_lossy()]);
    (out.status.code(), text(&out.stdout) + &text(&out.stderr))
}

/// `$PGSTATE_PG_DUMP`, else the cluster's own `pg_dump`, else Debian's (a
/// pg_dump reads servers of its major and older ones).
fn pg_dump(pg: &PgCluster) -> PathBuf {
    if let Some(p) = std::env::var_os("PGSTATE_PG_DUMP").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let own = pg.bin_dir().join("pg_dump");
    if own.is_file() {
        own
    } else {
        PathBuf::from("/usr/bin/pg_dump")
    }
}

/// `pg_dump -s` of `db` as the realworld judge reads it: comments and `SET` lines dropped.
fn dump(pg: &PgCluster, db: &Db) -> String {
    let pg_dump = pg_dump(pg);
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
    let built = pg.fresh_db(&format!("kinds_{name}"));
    apply(&built, &schema, &[]);
    let again = plan_url(&built, &schema);
    assert!(again.trim().is_empty(), "{name}: second plan not empty:\n{again}");
    let (code, out) = drift_code(&built, &schema);
    assert_eq!(code, Some(0), "{name}: drift after apply:\n{out}");
    let loaded = pg.fresh_db(&format!("kinds_{name}_psql"));
    loaded.psql(sql).expect("the schema loads with psql");
    assert_eq!(dump(pg, &built), dump(pg, &loaded), "{name}: pgstate's database dumps unlike psql's");
    // pg_dump's own spelling reads to the same catalog: an offline plan from it is empty.
    let dumped = file(&format!("{name}.dump.sql"), &dump(pg, &loaded));
    let out =
        pgstate(&["plan", "--from", &dumped.to_string_lossy(), "--schema", &schema.to_string_lossy(), "--parser-only"]);
    assert!(out.status.success(), "{name}: plan from the dump failed: {}", text(&out.stderr));
    assert!(text(&out.stdout).trim().is_empty(), "{name}: dump and file differ:\n{}", text(&out.stdout));
}

const DANBOORU_OPERATOR: &str = "
CREATE FUNCTION public.reverse_textregexeq(text, text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $_$ SELECT $2 ~ $1 $_$;
CREATE OPERATOR public.~<< (
    FUNCTION = public.reverse_textregexeq,
    LEFTARG = text,
    RIGHTARG = text
);
COMMENT ON OPERATOR public.~<< (text, text) IS 'reversed regex match';
";

const PAGILA_AGGREGATE: &str = "
CREATE FUNCTION public._group_concat(text, text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $_$
SELECT CASE
  WHEN $2 IS NULL THEN $1
  WHEN $1 IS NULL THEN $2
  ELSE $1 || ', ' || $2
END
$_$;
CREATE AGGREGATE public.group_concat(text) (
    SFUNC = public._group_concat,
    STYPE = text
);
CREATE TABLE public.actor (first_name text, last_name text);
CREATE VIEW public.actor_names AS
 SELECT public.group_concat(((actor.first_name || ' '::text) || actor.last_name)) AS actors
   FROM public.actor;
";

const COLLATION: &str = "
CREATE COLLATION public.german (provider = icu, locale = 'de-u-co-phonebk');
CREATE COLLATION public.nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE public.people (name text COLLATE public.german, handle text COLLATE public.nocase);
";

#[test]
fn an_operator_converges_and_dumps_like_psql() {
    converges("operator", DANBOORU_OPERATOR);
}

#[test]
fn an_aggregate_used_by_a_view_converges_and_dumps_like_psql() {
    converges("aggregate", PAGILA_AGGREGATE);
}

#[test]
fn icu_collations_used_by_columns_converge_and_dump_like_psql() {
    converges("collation", COLLATION);
}

const DICTIONARY: &str = "
CREATE TEXT SEARCH DICTIONARY public.english_stem_nostop (
    TEMPLATE = pg_catalog.snowball,
    language = 'english' );
CREATE TEXT SEARCH DICTIONARY public.simple_english (TEMPLATE = simple, StopWords = english, Accept = false);
COMMENT ON TEXT SEARCH DICTIONARY public.simple_english IS 'simple, without English stop words';
";

#[test]
fn text_search_dictionaries_converge_and_dump_like_psql() {
    converges("dictionary", DICTIONARY);
    // A changed option drops and creates it again.
    let pg = PgCluster::shared();
    let db = pg.fresh_db("kinds_dict_change");
    apply(&db, &file("d1.sql", DICTIONARY), &[]);
    let changed = file("d2.sql", &DICTIONARY.replace("Accept = false", "Accept = true"));
    let plan = plan_url(&db, &changed);
    assert!(plan.contains("DROP TEXT SEARCH DICTIONARY public.simple_english;"), "{plan}");
    assert!(
        plan.contains("CREATE TEXT SEARCH DICTIONARY public.simple_english (TEMPLATE = simple, stopwords = 'english', accept = 'true')"),
        "{plan}"
    );
    apply(&db, &changed, &[]);
    assert!(plan_url(&db, &changed).trim().is_empty());
}

#[test]
fn changes_replace_in_place_or_rebuild_and_drops_go_in_dependency_order() {
    let pg = PgCluster::shared();
    let db = pg.fresh_db("kinds_change");
    let v1 = [DANBOORU_OPERATOR, PAGILA_AGGREGATE, COLLATION].concat();
    apply(&db, &file("v1.sql", &v1), &[]);

    // An aggregate keeping its state type is replaced in place; an operator
    // and a collation have no OR REPLACE: dropped and created again.
    let v2 = v1
        .replace("    STYPE = text\n", "    STYPE = text,\n    INITCOND = ''\n")
        .replace("    RIGHTARG = text\n", "    RIGHTARG = text,\n    RESTRICT = eqsel\n")
        .replace("locale = 'de-u-co-phonebk'", "locale = 'de-u-co-phonebk-ks-level2'")
        .replace("name text COLLATE public.german, ", "");
    let v2_path = file("v2.sql", &v2);
    let plan = plan_url(&db, &v2_path);
    assert!(plan.contains("CREATE OR REPLACE AGGREGATE public.group_concat(text) (SFUNC = public._group_concat, STYPE = text, INITCOND = '')"), "{plan}");
    assert!(!plan.contains("DROP AGGREGATE"), "{plan}");
    let drop_op = plan.find("DROP OPERATOR public.~<< (text, text)").unwrap_or_else(|| panic!("{plan}"));
    let create_op = plan.find("CREATE OPERATOR public.~<<").unwrap_or_else(|| panic!("{plan}"));
    assert!(drop_op < create_op, "{plan}");
    // The column using the old collation goes before it does.
    let drop_col = plan.find("DROP COLUMN name").unwrap_or_else(|| panic!("{plan}"));
    let drop_coll = plan.find("DROP COLLATION public.german").unwrap_or_else(|| panic!("{plan}"));
    assert!(drop_col < drop_coll, "{plan}");
    apply(&db, &v2_path, &["--allow-destructive"]);
    assert!(plan_url(&db, &v2_path).trim().is_empty());
    let loaded = pg.fresh_db("kinds_change_psql");
    loaded.psql(&v2).expect("v2 loads");
    assert_eq!(dump(pg, &db), dump(pg, &loaded));

    // A state type changed: the aggregate is dropped and created again, and
    // the view calling it is dropped before and created after.
    let v3 = v2.replace("STYPE = text,\n    INITCOND = ''", "STYPE = text,\n    INITCOND = '',\n    PARALLEL = SAFE");
    let v3_path = file("v3.sql", &v3);
    let plan = plan_url(&db, &v3_path);
    assert!(plan.contains("CREATE OR REPLACE AGGREGATE"), "{plan}");
    apply(&db, &v3_path, &[]);

    // Everything dropped: the view before the aggregate, the column before the collation.
    let v4 = "CREATE TABLE public.actor (first_name text, last_name text);\nCREATE TABLE public.people (x int);\n";
    let v4_path = file("v4.sql", v4);
    let plan = plan_url(&db, &v4_path);
    let view = plan.find("DROP VIEW public.actor_names").unwrap_or_else(|| panic!("{plan}"));
    let agg = plan.find("DROP AGGREGATE public.group_concat(text)").unwrap_or_else(|| panic!("{plan}"));
    assert!(view < agg, "{plan}");
    assert!(plan.contains("-- hazard: may fail: dropping operator public.~<< (text, text)"), "{plan}");
    apply(&db, &v4_path, &["--allow-destructive"]);
    assert!(plan_url(&db, &v4_path).trim().is_empty());
}

#[test]
fn a_replaced_aggregate_that_changes_its_state_type_rebuilds_the_view_calling_it() {
    let pg = PgCluster::shared();
    let db = pg.fresh_db("kinds_stype");
    apply(&db, &file("s1.sql", PAGILA_AGGREGATE), &[]);
    let changed = PAGILA_AGGREGATE.replace("STYPE = text", "STYPE = text,\n    FINALFUNC = pg_catalog.upper");
    let path = file("s2.sql", &changed);
    let plan = plan_url(&db, &path);
    let drop_view = plan.find("DROP VIEW public.actor_names").unwrap_or_else(|| panic!("{plan}"));
    let drop_agg = plan.find("DROP AGGREGATE public.group_concat(text)").unwrap_or_else(|| panic!("{plan}"));
    let create_agg = plan.find("CREATE AGGREGATE public.group_concat(text)").unwrap_or_else(|| panic!("{plan}"));
    let create_view = plan.find("CREATE VIEW public.actor_names").unwrap_or_else(|| panic!("{plan}"));
    assert!(drop_view < drop_agg && drop_agg < create_agg && create_agg < create_view, "{plan}");
    apply(&db, &path, &[]);
    assert!(plan_url(&db, &path).trim().is_empty());
}

#[test]
fn an_extensions_operators_and_aggregates_are_not_managed() {
    let pg = PgCluster::shared();
    let db = pg.fresh_db("kinds_ext");
    // unaccent and dict_int bring text search templates and dictionaries.
    let sql =
        "CREATE EXTENSION citext;\nCREATE EXTENSION pg_trgm;\nCREATE EXTENSION unaccent;\nCREATE EXTENSION dict_int;\n";
    db.psql(sql).expect("contrib extensions install");
    let schema = file("ext.sql", sql);
    let (code, out) = drift_code(&db, &schema);
    assert_eq!(code, Some(0), "an extension's objects show as drift:\n{out}");
    assert!(plan_url(&db, &schema).trim().is_empty());
}

#[test]
fn revision_replay_drops_and_comments_the_generic_kinds() {
    let base = pgstate::parse::parse_str("a.sql", &[DANBOORU_OPERATOR, PAGILA_AGGREGATE, COLLATION].concat())
        .unwrap_or_else(|e| panic!("{}", e.summary()))
        .catalog;
    assert_eq!(base.objects.len(), 4);
    let op = base.objects.values().find(|o| o.name.name == "~<<").expect("the operator");
    assert_eq!(op.comment.as_deref(), Some("reversed regex match"));
    let after = pgstate::ddl::run(
        base,
        "r1",
        "DROP VIEW public.actor_names; DROP AGGREGATE IF EXISTS public.group_concat(text);
         DROP OPERATOR public.~<< (text, text); ALTER TABLE public.people DROP COLUMN handle;
         DROP COLLATION public.nocase; DROP COLLATION IF EXISTS public.missing;",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let left: Vec<String> = after.objects.keys().map(ToString::to_string).collect();
    assert_eq!(left, vec!["collation public.german"]);
    let missing = pgstate::ddl::run(after, "r2", "DROP OPERATOR public.~<< (text, text);");
    assert!(missing.is_err(), "dropping what is not there is an error");
}

#[test]
fn unknown_options_and_missing_forms_are_errors_that_name_them() {
    let bad = pgstate::parse::parse_str("b.sql", "CREATE OPERATOR public.=== (FUNCTON = f, LEFTARG = int);");
    let Err(e) = bad else { panic!("an unknown option is an error") };
    let e = e.summary();
    assert!(e.contains("unknown option FUNCTON of CREATE OPERATOR"), "{e}");
    let bad = pgstate::parse::parse_str("c.sql", "CREATE COLLATION c2 FROM \"de_DE\";");
    let Err(e) = bad else { panic!("FROM is an error") };
    let e = e.summary();
    assert!(e.contains("FROM is supported only from \"C\" or \"POSIX\""), "{e}");
    // A copy of libc's POSIX is that locale, as the catalog prints it.
    let copy = pgstate::parse::parse_str("e.sql", "CREATE COLLATION p FROM \"POSIX\";").expect("reads");
    let same = pgstate::parse::parse_str("f.sql", "CREATE COLLATION public.p (provider = libc, locale = 'POSIX');")
        .expect("reads");
    assert_eq!(copy.catalog.objects, same.catalog.objects);
    let bad = pgstate::parse::parse_str("d.sql", "CREATE OR REPLACE OPERATOR public.=== (FUNCTION = f);");
    assert!(bad.is_err(), "OR REPLACE OPERATOR does not exist");
}

#[test]
fn hand_written_spellings_read_like_pg_dumps() {
    // Unqualified function names the schema defines, lower-case keys, aliases,
    // lc_collate = lc_ctype, defaults written out: the same objects as pg_dump's form.
    let hand = "CREATE FUNCTION f(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
        CREATE FUNCTION acc(text, text) RETURNS text LANGUAGE sql AS 'SELECT $1';
        CREATE OPERATOR === (procedure = f, leftarg = text, rightarg = TEXT, hashes = false);
        CREATE AGGREGATE agg(val text) (sfunc = acc, stype = text, parallel = unsafe, sspace = 0);
        CREATE COLLATION c1 (lc_collate = 'C', lc_ctype = 'C', provider = libc, deterministic = true);";
    let dumped = "CREATE FUNCTION public.f(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true';
        CREATE FUNCTION public.acc(text, text) RETURNS text LANGUAGE sql AS 'SELECT $1';
        CREATE OPERATOR public.=== (FUNCTION = public.f, LEFTARG = text, RIGHTARG = text);
        CREATE AGGREGATE public.agg(text) (SFUNC = public.acc, STYPE = text);
        CREATE COLLATION public.c1 (provider = libc, locale = 'C');";
    let a = pgstate::parse::parse_str("hand.sql", hand).unwrap_or_else(|e| panic!("{}", e.summary())).catalog;
    let b = pgstate::parse::parse_str("dump.sql", dumped).unwrap_or_else(|e| panic!("{}", e.summary())).catalog;
    assert_eq!(a.objects, b.objects);
    assert!(pgstate::plan::plan(&a, &b, &[]).expect("plans").is_empty());
}

const TEXT_SEARCH: &str = "
CREATE TEXT SEARCH TEMPLATE public.my_simple (INIT = dsimple_init, LEXIZE = dsimple_lexize);
COMMENT ON TEXT SEARCH TEMPLATE public.my_simple IS 'simple, again';
CREATE TEXT SEARCH PARSER public.my_parser (
    START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end, LEXTYPES = prsd_lextype, HEADLINE = prsd_headline);
CREATE TEXT SEARCH DICTIONARY public.my_dict (TEMPLATE = my_simple, stopwords = english);
CREATE TEXT SEARCH CONFIGURATION public.my_config (PARSER = my_parser);
ALTER TEXT SEARCH CONFIGURATION my_config ADD MAPPING FOR asciiword, word WITH my_dict, english_stem;
ALTER TEXT SEARCH CONFIGURATION public.my_config ADD MAPPING FOR int, uint WITH simple;
ALTER TEXT SEARCH CONFIGURATION public.my_config ADD MAPPING FOR email WITH simple;
ALTER TEXT SEARCH CONFIGURATION public.my_config DROP MAPPING FOR email;
COMMENT ON TEXT SEARCH CONFIGURATION public.my_config IS 'mine';
CREATE TEXT SEARCH CONFIGURATION public.plain (PARSER = pg_catalog.\"default\");
CREATE TABLE public.docs (body text, tsv tsvector GENERATED ALWAYS AS (to_tsvector('public.my_config'::regconfig, body)) STORED);
";

#[test]
fn text_search_templates_parsers_and_configurations_converge_and_dump_like_psql() {
    converges("text_search", TEXT_SEARCH);
    let pg = PgCluster::shared();
    let db = pg.fresh_db("kinds_ts_change");
    apply(&db, &file("t1.sql", TEXT_SEARCH), &[]);
    // A changed mapping drops the configuration and creates it again with every mapping.
    let changed = TEXT_SEARCH.replace("WITH my_dict, english_stem", "WITH english_stem");
    let path = file("t2.sql", &changed);
    let plan = plan_url(&db, &path);
    let drop = plan.find("DROP TEXT SEARCH CONFIGURATION public.my_config;").unwrap_or_else(|| panic!("{plan}"));
    let create = plan
        .find("CREATE TEXT SEARCH CONFIGURATION public.my_config (PARSER = public.my_parser);")
        .unwrap_or_else(|| panic!("{plan}"));
    assert!(drop < create, "{plan}");
    assert!(
        plan.contains("ALTER TEXT SEARCH CONFIGURATION public.my_config ADD MAPPING FOR asciiword WITH english_stem;"),
        "{plan}"
    );
    assert!(plan.contains("ADD MAPPING FOR uint WITH simple;"), "{plan}");
    assert!(!plan.contains("DROP TEXT SEARCH DICTIONARY"), "{plan}");
    // Everything dropped: the configuration before the dictionary and parser, the dictionary before its template.
    let gone = file("t3.sql", "CREATE TABLE public.docs (body text);\n");
    let plan = plan_url(&db, &gone);
    let at = |s: &str| plan.find(s).unwrap_or_else(|| panic!("{s} missing:\n{plan}"));
    assert!(at("DROP TEXT SEARCH CONFIGURATION public.my_config") < at("DROP TEXT SEARCH DICTIONARY public.my_dict"));
    assert!(at("DROP TEXT SEARCH CONFIGURATION public.my_config") < at("DROP TEXT SEARCH PARSER public.my_parser"));
    assert!(at("DROP TEXT SEARCH DICTIONARY public.my_dict") < at("DROP TEXT SEARCH TEMPLATE public.my_simple"));
    apply(&db, &gone, &["--allow-destructive"]);
    assert!(plan_url(&db, &gone).trim().is_empty());
}

#[test]
fn a_copied_text_search_configuration_is_an_error_that_says_what_to_write() {
    let bad = pgstate::parse::parse_str("ts.sql", "CREATE TEXT SEARCH CONFIGURATION c (COPY = english);");
    let Err(e) = bad else { panic!("COPY is an error") };
    let e = e.summary();
    assert!(e.contains("ADD MAPPING"), "{e}");
    let bad = pgstate::parse::parse_str(
        "ts2.sql",
        "CREATE TEXT SEARCH CONFIGURATION c (PARSER = default);
         ALTER TEXT SEARCH CONFIGURATION c ADD MAPPING FOR word WITH simple;
         ALTER TEXT SEARCH CONFIGURATION c ADD MAPPING FOR word WITH simple;",
    );
    let Err(e) = bad else { panic!("a mapping added twice is an error") };
    assert!(e.summary().contains("mapping for token type word already exists"), "{}", e.summary());
}

#[test]
fn revision_replay_amends_a_configurations_mappings() {
    let base = pgstate::parse::parse_str("a.sql", TEXT_SEARCH).unwrap_or_else(|e| panic!("{}", e.summary())).catalog;
    let after = pgstate::ddl::run(
        base,
        "r1",
        "ALTER TEXT SEARCH CONFIGURATION public.my_config ALTER MAPPING FOR word WITH simple;
         ALTER TEXT SEARCH CONFIGURATION public.my_config DROP MAPPING IF EXISTS FOR int, email;",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let config = after.objects.values().find(|o| o.name.name == "my_config").expect("the configuration");
    let tokens: Vec<(&str, String)> = config.mappings.iter().map(|(t, d)| (t.as_str(), d.join(", "))).collect();
    assert_eq!(
        tokens,
        vec![
            ("asciiword", "public.my_dict, english_stem".to_string()),
            ("uint", "simple".into()),
            ("word", "simple".into())
        ]
    );
}

const CASTS: &str = "
CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');
CREATE FUNCTION public.mood_of(integer) RETURNS public.mood
    LANGUAGE sql IMMUTABLE AS $$ SELECT (pg_catalog.enum_range(NULL::public.mood))[$1] $$;
CREATE CAST (int4 AS mood) WITH FUNCTION mood_of(int) AS ASSIGNMENT;
COMMENT ON CAST (integer AS public.mood) IS 'by position';
CREATE CAST (public.mood AS character varying) WITH INOUT;
CREATE TYPE public.pair AS (a integer, b integer);
CREATE CAST (public.pair AS text) WITH INOUT AS IMPLICIT;
";

#[test]
fn casts_converge_and_dump_like_psql() {
    converges("casts", CASTS);
    let pg = PgCluster::shared();
    let db = pg.fresh_db("kinds_cast_change");
    apply(&db, &file("c1.sql", CASTS), &[]);
    // A changed context drops the cast and creates it again; a cast no longer written is dropped.
    let changed = CASTS
        .replace("mood_of(int) AS ASSIGNMENT", "mood_of(int) AS IMPLICIT")
        .replace("CREATE CAST (public.mood AS character varying) WITH INOUT;\n", "");
    let path = file("c2.sql", &changed);
    let plan = plan_url(&db, &path);
    let drop = plan.find("DROP CAST (integer AS public.mood);").unwrap_or_else(|| panic!("{plan}"));
    let create = plan
        .find("CREATE CAST (integer AS public.mood) WITH FUNCTION public.mood_of(integer) AS IMPLICIT;")
        .unwrap_or_else(|| panic!("{plan}"));
    assert!(drop < create, "{plan}");
    assert!(plan.contains("DROP CAST (public.mood AS character varying);"), "{plan}");
    apply(&db, &path, &["--allow-destructive"]);
    assert!(plan_url(&db, &path).trim().is_empty());
    // Everything dropped: the cast before its function and types.
    let gone = file("c3.sql", "");
    let plan = plan_url(&db, &gone);
    let at = |s: &str| plan.find(s).unwrap_or_else(|| panic!("{s} missing:\n{plan}"));
    assert!(at("DROP CAST (integer AS public.mood)") < at("DROP FUNCTION public.mood_of(integer)"));
    assert!(at("DROP CAST (integer AS public.mood)") < at("DROP TYPE public.mood"));
    assert!(at("DROP CAST (public.pair AS text)") < at("DROP TYPE public.pair"));
    apply(&db, &gone, &["--allow-destructive"]);
    assert!(plan_url(&db, &gone).trim().is_empty());
}

#[test]
fn pg_dumps_clean_preamble_of_the_new_kinds_reads() {
    let clean = "DROP CAST IF EXISTS (integer AS public.mood);
        DROP TEXT SEARCH CONFIGURATION IF EXISTS public.my_config;
        DROP TEXT SEARCH PARSER IF EXISTS public.my_parser;
        DROP TEXT SEARCH TEMPLATE IF EXISTS public.my_simple;";
    let a = pgstate::parse::parse_str("clean.sql", &[clean, CASTS, TEXT_SEARCH].concat())
        .unwrap_or_else(|e| panic!("{}", e.summary()))
        .catalog;
    let b = pgstate::parse::parse_str("plain.sql", &[CASTS, TEXT_SEARCH].concat())
        .unwrap_or_else(|e| panic!("{}", e.summary()))
        .catalog;
    assert_eq!(a.objects, b.objects);
}

const EVENT_TRIGGERS: &str = "
CREATE FUNCTION public.note_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE NOTICE 'ddl: %', tg_tag;
END
$$;
CREATE EVENT TRIGGER note_tables ON ddl_command_end
    WHEN TAG IN ('create table', 'ALTER TABLE')
    EXECUTE PROCEDURE note_ddl();
COMMENT ON EVENT TRIGGER note_tables IS 'says so';
CREATE EVENT TRIGGER \"Note All\" ON sql_drop EXECUTE FUNCTION public.note_ddl();
ALTER EVENT TRIGGER \"Note All\" ENABLE REPLICA;
";

#[test]
fn event_triggers_converge_and_dump_like_psql() {
    converges("event_triggers", EVENT_TRIGGERS);
    let pg = PgCluster::shared();
    let db = pg.fresh_db("kinds_evt_change");
    apply(&db, &file("e1.sql", EVENT_TRIGGERS), &[]);
    let changed = EVENT_TRIGGERS.replace(", 'ALTER TABLE'", "");
    let path = file("e2.sql", &changed);
    let plan = plan_url(&db, &path);
    let drop = plan.find("DROP EVENT TRIGGER note_tables;").unwrap_or_else(|| panic!("{plan}"));
    let create = plan
        .find("CREATE EVENT TRIGGER note_tables ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION public.note_ddl();")
        .unwrap_or_else(|| panic!("{plan}"));
    assert!(drop < create, "{plan}");
    apply(&db, &path, &[]);
    assert!(plan_url(&db, &path).trim().is_empty());
    // Everything dropped: the event triggers before their function.
    let gone = file("e3.sql", "");
    let plan = plan_url(&db, &gone);
    let at = |s: &str| plan.find(s).unwrap_or_else(|| panic!("{s} missing:\n{plan}"));
    assert!(at("DROP EVENT TRIGGER \"Note All\"") < at("DROP FUNCTION public.note_ddl()"));
    apply(&db, &gone, &["--allow-destructive"]);
    assert!(plan_url(&db, &gone).trim().is_empty());
}

const STATISTICS: &str = "
CREATE TABLE public.zips (city text, state text, zip text, \"Pop\" integer);
CREATE STATISTICS public.zips_city_state (dependencies, ndistinct) ON state, city FROM public.zips;
CREATE STATISTICS zips_all (mcv, ndistinct, dependencies) ON zip, \"Pop\", city FROM zips;
COMMENT ON STATISTICS public.zips_all IS 'all kinds';
ALTER STATISTICS public.zips_all SET STATISTICS 500;
";

#[test]
fn statistics_objects_converge_and_dump_like_psql() {
    converges("statistics", STATISTICS);
    let pg = PgCluster::shared();
    let db = pg.fresh_db("kinds_stats_change");
    apply(&db, &file("s1.sql", STATISTICS), &[]);
    let changed = STATISTICS.replace("(dependencies, ndistinct)", "(mcv)");
    let path = file("s2.sql", &changed);
    let plan = plan_url(&db, &path);
    let drop = plan.find("DROP STATISTICS public.zips_city_state;").unwrap_or_else(|| panic!("{plan}"));
    let create = plan
        .find("CREATE STATISTICS public.zips_city_state (mcv) ON city, state FROM public.zips;")
        .unwrap_or_else(|| panic!("{plan}"));
    assert!(drop < create, "{plan}");
    apply(&db, &path, &[]);
    assert!(plan_url(&db, &path).trim().is_empty());
    // A column they use dropped: the statistics go first (PostgreSQL would drop them with it).
    let gone = file("s3.sql", "CREATE TABLE public.zips (state text, zip text, \"Pop\" integer);\n");
    let plan = plan_url(&db, &gone);
    let at = |s: &str| plan.find(s).unwrap_or_else(|| panic!("{s} missing:\n{plan}"));
    assert!(at("DROP STATISTICS public.zips_all") < at("DROP COLUMN city"));
    apply(&db, &gone, &["--allow-destructive"]);
    assert!(plan_url(&db, &gone).trim().is_empty());
}

const EXPRESSION_STATISTICS: &str = "
CREATE TABLE public.people2 (name text, city varchar(40), born date);
CREATE STATISTICS public.people_lower ON (lower(name)), city FROM public.people2;
CREATE STATISTICS public.people_exprs (ndistinct) ON (born + 1), upper(city), name FROM public.people2;
CREATE STATISTICS public.people_one ON ((born - 7)) FROM public.people2;
";

/// Statistics on expressions came with PostgreSQL 14 (on 13 there is nothing to test).
#[test]
fn statistics_on_expressions_converge_and_dump_like_psql() {
    if PgCluster::shared().version_num() < 140000 {
        return;
    }
    converges("expression_statistics", EXPRESSION_STATISTICS);
    let pg = PgCluster::shared();
    let db = pg.fresh_db("kinds_expr_stats_change");
    apply(&db, &file("x1.sql", EXPRESSION_STATISTICS), &[]);
    // A column an expression reads dropped: the statistics go first.
    let gone = file("x2.sql", "CREATE TABLE public.people2 (name text, city varchar(40));\n");
    let plan = plan_url(&db, &gone);
    let at = |s: &str| plan.find(s).unwrap_or_else(|| panic!("{s} missing:\n{plan}"));
    assert!(at("DROP STATISTICS public.people_one") < at("DROP COLUMN born"), "{plan}");
    apply(&db, &gone, &["--allow-destructive"]);
    assert!(plan_url(&db, &gone).trim().is_empty());
}

const OPERATOR_CLASSES: &str = "
CREATE FUNCTION public.int4_rev_cmp(integer, integer) RETURNS integer
    LANGUAGE sql IMMUTABLE AS $$ SELECT pg_catalog.btint4cmp($2, $1) $$;
CREATE FUNCTION public.int48_rev_cmp(integer, bigint) RETURNS integer
    LANGUAGE sql IMMUTABLE AS $$ SELECT pg_catalog.btint48cmp($2::integer, $1::bigint) * -1 $$;
CREATE OPERATOR FAMILY public.rev_family USING btree;
ALTER OPERATOR FAMILY public.rev_family USING btree ADD
    OPERATOR 1 >(integer,bigint),
    FUNCTION 1 (integer, bigint) public.int48_rev_cmp(integer,bigint);
COMMENT ON OPERATOR FAMILY public.rev_family USING btree IS 'reversed';
CREATE OPERATOR CLASS int4_rev_ops FOR TYPE int4 USING btree FAMILY rev_family AS
    OPERATOR 1 >, OPERATOR 2 >=, OPERATOR 3 =, OPERATOR 4 <=, OPERATOR 5 <,
    FUNCTION 1 int4_rev_cmp(int4, int4);
COMMENT ON OPERATOR CLASS public.int4_rev_ops USING btree IS 'largest first';
CREATE OPERATOR CLASS public.int4_plain_hash_ops FOR TYPE integer USING hash AS
    OPERATOR 1 =(integer,integer),
    FUNCTION 1 (integer, integer) hashint4(integer);
CREATE TABLE public.scores (v integer);
CREATE INDEX scores_rev ON public.scores USING btree (v public.int4_rev_ops);
";

#[test]
fn operator_classes_and_families_converge_and_dump_like_psql() {
    converges("op_classes", OPERATOR_CLASSES);
    let pg = PgCluster::shared();
    let db = pg.fresh_db("kinds_opc_change");
    apply(&db, &file("o1.sql", OPERATOR_CLASSES), &[]);
    // A loose member added to the family: ALTER ... ADD, nothing dropped.
    let changed = OPERATOR_CLASSES.replace(
        "    OPERATOR 1 >(integer,bigint),\n",
        "    OPERATOR 1 >(integer,bigint),\n    OPERATOR 2 >=(integer,bigint),\n",
    );
    let path = file("o2.sql", &changed);
    let plan = plan_url(&db, &path);
    assert!(
        plan.contains("ALTER OPERATOR FAMILY public.rev_family USING btree ADD OPERATOR 2 >=(integer, bigint);"),
        "{plan}"
    );
    assert!(!plan.contains("DROP"), "{plan}");
    apply(&db, &path, &[]);
    assert!(plan_url(&db, &path).trim().is_empty());
    // Everything dropped: the index before its class, the class before its family.
    let gone = file("o3.sql", "CREATE TABLE public.scores (v integer);\n");
    let plan = plan_url(&db, &gone);
    let at = |s: &str| plan.find(s).unwrap_or_else(|| panic!("{s} missing:\n{plan}"));
    assert!(at("DROP INDEX public.scores_rev") < at("DROP OPERATOR CLASS public.int4_rev_ops USING btree"));
    assert!(at("DROP OPERATOR CLASS public.int4_rev_ops USING btree") < at("DROP OPERATOR FAMILY public.rev_family"));
    assert!(
        at("DROP OPERATOR CLASS public.int4_plain_hash_ops USING hash")
            < at("DROP OPERATOR FAMILY public.int4_plain_hash_ops USING hash")
    );
    assert!(at("DROP OPERATOR FAMILY public.rev_family USING btree") < at("DROP FUNCTION public.int48_rev_cmp"));
    assert!(plan.contains("-- hazard: may fail: dropping operator class public.int4_rev_ops USING btree"), "{plan}");
    apply(&db, &gone, &["--allow-destructive"]);
    assert!(plan_url(&db, &gone).trim().is_empty());
}

const RULES: &str = "
CREATE TABLE public.items (id integer, name text);
CREATE TABLE public.items_log (id integer, action text);
CREATE RULE log_insert AS
    ON INSERT TO public.items DO  INSERT INTO public.items_log (id, action)
  VALUES (new.id, 'insert'::text);
COMMENT ON RULE log_insert ON public.items IS 'audit';
CREATE RULE no_delete AS
    ON DELETE TO public.items
   WHERE (old.id < 0) DO INSTEAD NOTHING;
ALTER TABLE public.items DISABLE RULE no_delete;
CREATE VIEW public.items_v AS
 SELECT items.id,
    items.name
   FROM public.items;
CREATE RULE items_v_insert AS
    ON INSERT TO public.items_v DO INSTEAD ( INSERT INTO public.items (id, name)
  VALUES (new.id, new.name);
 INSERT INTO public.items_log (id, action)
  VALUES (new.id, 'view'::text);
);
";

#[test]
fn rules_converge_and_dump_like_psql() {
    converges("rules", RULES);
    let pg = PgCluster::shared();
    let db = pg.fresh_db("kinds_rule_change");
    apply(&db, &file("r1.sql", RULES), &[]);
    // Enabled again: one ALTER TABLE; a changed command: CREATE OR REPLACE.
    let changed = RULES
        .replace("ALTER TABLE public.items DISABLE RULE no_delete;\n", "")
        .replace("'insert'::text", "'added'::text");
    let path = file("r2.sql", &changed);
    let plan = plan_url(&db, &path);
    assert!(plan.contains("ALTER TABLE public.items ENABLE RULE no_delete;"), "{plan}");
    assert!(plan.contains("CREATE OR REPLACE RULE log_insert AS ON INSERT TO public.items DO INSERT"), "{plan}");
    assert!(!plan.contains("DROP"), "{plan}");
    apply(&db, &path, &[]);
    assert!(plan_url(&db, &path).trim().is_empty());
    // Dropped: the rules before the tables and views they name.
    let gone = file("r3.sql", "CREATE TABLE public.items (id integer, name text);\n");
    let plan = plan_url(&db, &gone);
    let at = |s: &str| plan.find(s).unwrap_or_else(|| panic!("{s} missing:\n{plan}"));
    assert!(at("DROP RULE log_insert ON public.items") < at("DROP TABLE public.items_log"));
    assert!(at("DROP RULE items_v_insert ON public.items_v") < at("DROP VIEW public.items_v"));
    apply(&db, &gone, &["--allow-destructive"]);
    assert!(plan_url(&db, &gone).trim().is_empty());
}

const PUBLICATIONS: &str = "
CREATE SCHEMA audit;
CREATE TABLE audit.events (id integer);
CREATE TABLE public.orders (id integer PRIMARY KEY, status text, total numeric);
CREATE TABLE public.customers (id integer PRIMARY KEY, name text);
CREATE PUBLICATION pub_orders WITH (publish = 'insert, update');
ALTER PUBLICATION pub_orders ADD TABLE ONLY public.orders (id, status) WHERE ((status <> 'draft'::text));
CREATE PUBLICATION pub_audit FOR TABLE customers, TABLES IN SCHEMA audit WITH (publish_via_partition_root = true);
CREATE PUBLICATION pub_all FOR ALL TABLES;
COMMENT ON PUBLICATION pub_all IS 'everything';
";

/// PUBLICATIONS in what PostgreSQL 13 and 14 have: no column lists, row
/// filters or `TABLES IN SCHEMA` (they came with 15).
const PUBLICATIONS_BEFORE_15: &str = "
CREATE SCHEMA audit;
CREATE TABLE audit.events (id integer);
CREATE TABLE public.orders (id integer PRIMARY KEY, status text, total numeric);
CREATE TABLE public.customers (id integer PRIMARY KEY, name text);
CREATE PUBLICATION pub_orders WITH (publish = 'insert, update');
ALTER PUBLICATION pub_orders ADD TABLE ONLY public.orders;
CREATE PUBLICATION pub_audit FOR TABLE customers, audit.events WITH (publish_via_partition_root = true);
CREATE PUBLICATION pub_all FOR ALL TABLES;
COMMENT ON PUBLICATION pub_all IS 'everything';
";

/// The publication fixture the server's major can load.
fn publications(major: u32) -> &'static str {
    if major >= 15 {
        PUBLICATIONS
    } else {
        PUBLICATIONS_BEFORE_15
    }
}

#[test]
fn publications_converge_and_change_in_place() {
    if PgCluster::shared().version_num() < 150000 {
        // The in-place changes below use 15's column lists and schemas.
        converges("publications", PUBLICATIONS_BEFORE_15);
        return;
    }
    converges("publications", PUBLICATIONS);
    let pg = PgCluster::shared();
    let db = pg.fresh_db("kinds_pub_change");
    apply(&db, &file("p1.sql", PUBLICATIONS), &[]);
    // Members and options change by ALTER PUBLICATION: never dropped and created again.
    let changed = PUBLICATIONS
        .replace("publish = 'insert, update'", "publish = 'insert'")
        .replace("FOR TABLE customers, TABLES IN SCHEMA audit", "FOR TABLE customers, orders")
        .replace("(id, status) WHERE ((status <> 'draft'::text))", "(status, id)");
    let path = file("p2.sql", &changed);
    let plan = plan_url(&db, &path);
    assert!(
        plan.contains("ALTER PUBLICATION pub_orders SET (publish = 'insert', publish_via_partition_root = false);"),
        "{plan}"
    );
    assert!(plan.contains("ALTER PUBLICATION pub_orders SET TABLE ONLY public.orders (id, status);"), "{plan}");
    assert!(plan.contains("ALTER PUBLICATION pub_audit DROP TABLES IN SCHEMA audit;"), "{plan}");
    assert!(plan.contains("ALTER PUBLICATION pub_audit ADD TABLE ONLY public.orders;"), "{plan}");
    assert!(!plan.contains("DROP PUBLICATION") && !plan.contains("CREATE PUBLICATION"), "{plan}");
    apply(&db, &path, &[]);
    assert!(plan_url(&db, &path).trim().is_empty());
    // A table leaving with its publication membership: the membership goes first.
    let fewer = file(
        "p3.sql",
        &changed
            .replace("CREATE TABLE public.customers (id integer PRIMARY KEY, name text);\n", "")
            .replace("FOR TABLE customers, orders", "FOR TABLE orders"),
    );
    let plan = plan_url(&db, &fewer);
    let at = |s: &str| plan.find(s).unwrap_or_else(|| panic!("{s} missing:\n{plan}"));
    assert!(at("ALTER PUBLICATION pub_audit DROP TABLE ONLY public.customers") < at("DROP TABLE public.customers"));
    apply(&db, &fewer, &["--allow-destructive"]);
    assert!(plan_url(&db, &fewer).trim().is_empty());
    // Dropping one is a hazard apply refuses without --allow-destructive.
    let gone = file("p4.sql", "");
    let plan = plan_url(&db, &gone);
    assert!(plan.contains("-- hazard: data loss: dropping publication pub_all breaks the subscriptions"), "{plan}");
    let out = pgstate(&["apply", "--url", &db.url(), "--schema", &gone.to_string_lossy(), "--yes"]);
    assert!(!out.status.success(), "dropping a publication needs --allow-destructive");
    apply(&db, &gone, &["--allow-destructive"]);
    assert!(plan_url(&db, &gone).trim().is_empty());
}

#[test]
fn revision_replay_amends_publications_families_and_rules() {
    let base = pgstate::parse::parse_str("a.sql", &[OPERATOR_CLASSES, RULES, PUBLICATIONS].concat())
        .unwrap_or_else(|e| panic!("{}", e.summary()))
        .catalog;
    let after = pgstate::ddl::run(
        base,
        "r1",
        "ALTER PUBLICATION pub_audit DROP TABLES IN SCHEMA audit;
         ALTER PUBLICATION pub_audit ADD TABLE public.orders;
         ALTER PUBLICATION pub_orders SET (publish = 'insert, update, delete, truncate');
         ALTER OPERATOR FAMILY public.rev_family USING btree DROP FUNCTION 1 (integer, bigint);
         ALTER TABLE public.items ENABLE RULE no_delete;
         DROP RULE log_insert ON public.items;",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let get = |kind: &str, name: &str| {
        after
            .objects
            .values()
            .find(|o| o.id().to_string() == format!("{kind} {name}"))
            .unwrap_or_else(|| panic!("{kind} {name}"))
    };
    let members: Vec<&str> = get("publication", "pub_audit").mappings.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(members, vec!["TABLE ONLY public.customers", "TABLE ONLY public.orders"]);
    assert_eq!(get("publication", "pub_orders").option("publish"), None);
    assert_eq!(get("operator family", "public.rev_family USING btree").mappings.len(), 1);
    assert_eq!(get("rule", "no_delete ON public.items").option("ENABLED"), None);
    assert!(!after.objects.keys().any(|k| k.to_string() == "rule log_insert ON public.items"));
    let bad = pgstate::ddl::run(after, "r2", "ALTER PUBLICATION pub_audit DROP TABLE public.missing;");
    assert!(bad.is_err(), "dropping a member that is not there is an error");
}

#[test]
fn pg_dumps_clean_preamble_of_classes_rules_and_publications_reads() {
    let clean = "DROP PUBLICATION IF EXISTS pub_orders;
        DROP RULE IF EXISTS log_insert ON public.items;
        DROP OPERATOR CLASS IF EXISTS public.int4_rev_ops USING btree;
        DROP OPERATOR FAMILY IF EXISTS public.rev_family USING btree;";
    let a = pgstate::parse::parse_str("clean.sql", &[clean, OPERATOR_CLASSES, RULES, PUBLICATIONS].concat())
        .unwrap_or_else(|e| panic!("{}", e.summary()))
        .catalog;
    let b = pgstate::parse::parse_str("plain.sql", &[OPERATOR_CLASSES, RULES, PUBLICATIONS].concat())
        .unwrap_or_else(|e| panic!("{}", e.summary()))
        .catalog;
    assert_eq!(a.objects, b.objects);
    // The family a class without FAMILY makes is in the desired state, as in the catalog.
    assert!(b.objects.keys().any(|k| k.to_string() == "operator family public.int4_plain_hash_ops USING hash"));
    // An index naming the schema's class bare names that class, as the catalog prints it.
    let bare =
        pgstate::parse::parse_str("bare.sql", &OPERATOR_CLASSES.replace("(v public.int4_rev_ops)", "(v int4_rev_ops)"))
            .unwrap_or_else(|e| panic!("{}", e.summary()))
            .catalog;
    let plain =
        pgstate::parse::parse_str("plain.sql", OPERATOR_CLASSES).unwrap_or_else(|e| panic!("{}", e.summary())).catalog;
    assert_eq!(bare.tables, plain.tables);
}

/// `pg_dump --schema-only` of `db` as it stands: owners, privileges, `SET`s and all.
fn raw_dump(pg: &PgCluster, db: &Db) -> String {
    let pg_dump = pg_dump(pg);
    let mut cmd = Command::new(&pg_dump);
    for var in ["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGOPTIONS", "PGSERVICE"] {
        cmd.env_remove(var);
    }
    let out = cmd
        .args(["--schema-only", "-h", "127.0.0.1", "-U", "postgres", "-p"])
        .arg(db.port.to_string())
        .arg(&db.name)
        .stdin(Stdio::null())
        .output()
        .expect("pg_dump runs");
    assert!(out.status.success(), "pg_dump failed: {}", text(&out.stderr));
    text(&out.stdout)
}

/// Fixtures using what older majors lack, and the major they need
/// (`scripts/test-major.sh 13 --test object_kinds every_kind` leaves them out).
const NEWER_THAN: &[(&str, u32)] = &[
    // UNIQUE NULLS NOT DISTINCT.
    ("primary_and_unique", 15),
    // MULTIRANGE_TYPE_NAME.
    ("range_types", 14),
];

/// Every kind pgstate models or skips, in one database per fixture (the
/// fixtures' desired schemas, and one holding every generic kind): its full
/// pg_dump is read without an error and, applied to an empty database,
/// converges. On every supported major (`scripts/test-major.sh`).
#[test]
fn the_pg_dump_of_every_kind_reads_and_converges() {
    let pg = PgCluster::shared();
    let major = pg.version_num() / 10000;
    let generic = [
        DANBOORU_OPERATOR,
        PAGILA_AGGREGATE,
        COLLATION,
        DICTIONARY,
        TEXT_SEARCH,
        CASTS,
        EVENT_TRIGGERS,
        STATISTICS,
        OPERATOR_CLASSES,
        RULES,
        publications(major),
        FOREIGN,
    ]
    .concat()
    // Two fixtures name a table actor/people; one database holds them once.
    .replace("CREATE TABLE public.docs", "CREATE TABLE public.docs2");
    let mut cases = vec![("generic_kinds".to_string(), generic)];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/diff");
    let mut names: Vec<_> = std::fs::read_dir(&dir).expect("fixtures/diff").flatten().map(|e| e.path()).collect();
    names.sort();
    for d in names {
        if let Ok(sql) = std::fs::read_to_string(d.join("to.sql")) {
            cases.push((d.file_name().unwrap_or_default().to_string_lossy().into_owned(), sql));
        }
    }
    let mut failures = Vec::new();
    cases.retain(|(name, _)| NEWER_THAN.iter().all(|(n, needs)| n != name || major >= *needs));
    for (i, (name, sql)) in cases.iter().enumerate() {
        let loaded = pg.fresh_db(&format!("every_{i}_psql"));
        if let Err(e) = loaded.psql(sql) {
            failures.push(format!("{name}: does not load with psql: {e}"));
            continue;
        }
        let dumped = file(&format!("every_{i}.dump.sql"), &raw_dump(pg, &loaded));
        let built = pg.fresh_db(&format!("every_{i}"));
        let (url, path) = (built.url(), dumped.to_string_lossy().into_owned());
        let out = pgstate(&["apply", "--url", &url, "--schema", &path, "--yes"]);
        if !out.status.success() {
            failures.push(format!("{name}: its dump does not apply:\n{}{}", text(&out.stdout), text(&out.stderr)));
            continue;
        }
        let again = pgstate(&["plan", "--url", &url, "--schema", &path]);
        if !again.status.success() || !text(&again.stdout).trim().is_empty() {
            failures.push(format!("{name}: second plan not empty:\n{}{}", text(&again.stdout), text(&again.stderr)));
        }
    }
    assert!(
        failures.is_empty(),
        "PostgreSQL {major}: {} of {} cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

const CONVERSIONS: &str = "
CREATE CONVERSION public.my_latin1 FOR 'latin1' TO 'UTF8' FROM iso8859_1_to_utf8;
CREATE DEFAULT CONVERSION public.my_default FOR 'LATIN1' TO 'UTF8' FROM pg_catalog.iso8859_1_to_utf8;
COMMENT ON CONVERSION public.my_default IS 'the default one';
";

#[test]
fn conversions_converge_and_dump_like_psql() {
    converges("conversions", CONVERSIONS);
    let pg = PgCluster::shared();
    let db = pg.fresh_db("kinds_conv_change");
    apply(&db, &file("v1.sql", CONVERSIONS), &[]);
    let changed = CONVERSIONS.replace("CREATE DEFAULT CONVERSION", "CREATE CONVERSION");
    let path = file("v2.sql", &changed);
    let plan = plan_url(&db, &path);
    let drop = plan.find("DROP CONVERSION public.my_default;").unwrap_or_else(|| panic!("{plan}"));
    let create = plan
        .find("CREATE CONVERSION public.my_default FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;")
        .unwrap_or_else(|| panic!("{plan}"));
    assert!(drop < create, "{plan}");
    apply(&db, &path, &[]);
    assert!(plan_url(&db, &path).trim().is_empty());
}

const FOREIGN: &str = "
CREATE EXTENSION IF NOT EXISTS postgres_fdw WITH SCHEMA public;
CREATE FOREIGN DATA WRAPPER dummy_fdw OPTIONS (debug 'true');
CREATE FOREIGN DATA WRAPPER checked_fdw VALIDATOR postgresql_fdw_validator;
COMMENT ON FOREIGN DATA WRAPPER dummy_fdw IS 'no handler';
CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'localhost', dbname 'other', port '5432');
CREATE SERVER files TYPE 'csv' VERSION '1.0' FOREIGN DATA WRAPPER dummy_fdw OPTIONS (debug 'it''s; here');
COMMENT ON SERVER remote IS 'the other database';
CREATE USER MAPPING FOR PUBLIC SERVER remote OPTIONS (user 'reader', password 'secret');
CREATE USER MAPPING FOR postgres SERVER remote OPTIONS (\"user\" 'postgres');
CREATE FOREIGN TABLE public.remote_orders (
    id integer OPTIONS (column_name 'order_id') NOT NULL,
    note text COLLATE \"C\" DEFAULT 'none',
    amount numeric(10,2)
) SERVER remote OPTIONS (schema_name 'public', table_name 'orders');
COMMENT ON FOREIGN TABLE public.remote_orders IS 'orders over there';
CREATE VIEW public.remote_order_ids AS
 SELECT remote_orders.id
   FROM public.remote_orders;
";

#[test]
fn foreign_data_converges_and_dumps_like_psql() {
    converges("foreign", FOREIGN);
}

#[test]
fn a_changed_server_rebuilds_its_mappings_tables_and_views_in_order_and_drops_go_in_order() {
    let pg = PgCluster::shared();
    let db = pg.fresh_db("kinds_foreign_change");
    apply(&db, &file("f1.sql", FOREIGN), &[]);

    // A server's options changed: what uses it is dropped first and created again after.
    let v2 = FOREIGN.replace("host 'localhost'", "host 'db.internal'");
    let v2_path = file("f2.sql", &v2);
    let plan = plan_url(&db, &v2_path);
    let at = |s: &str| plan.find(s).unwrap_or_else(|| panic!("{s} missing:\n{plan}"));
    assert!(at("DROP VIEW public.remote_order_ids") < at("DROP FOREIGN TABLE public.remote_orders"));
    assert!(at("DROP FOREIGN TABLE public.remote_orders") < at("DROP SERVER remote"));
    assert!(at("DROP USER MAPPING FOR PUBLIC SERVER remote") < at("DROP SERVER remote"));
    assert!(at("DROP USER MAPPING FOR postgres SERVER remote") < at("DROP SERVER remote"));
    assert!(at("DROP SERVER remote") < at("CREATE SERVER remote FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname 'other', host 'db.internal', port '5432')"));
    assert!(
        at("CREATE SERVER remote")
            < at("CREATE USER MAPPING FOR PUBLIC SERVER remote OPTIONS (password 'secret', \"user\" 'reader')")
    );
    assert!(at("CREATE SERVER remote") < at("CREATE FOREIGN TABLE public.remote_orders (id integer OPTIONS (column_name 'order_id') NOT NULL, note text COLLATE \"C\" DEFAULT 'none'::text, amount numeric(10,2)) SERVER remote OPTIONS (schema_name 'public', table_name 'orders')"));
    assert!(at("CREATE FOREIGN TABLE public.remote_orders") < at("CREATE VIEW public.remote_order_ids"));
    assert!(plan.contains("-- hazard: access loss: dropping user mapping FOR PUBLIC SERVER remote"), "{plan}");
    // The untouched server and wrappers stay.
    assert!(!plan.contains("SERVER files") && !plan.contains("dummy_fdw"), "{plan}");
    apply(&db, &v2_path, &[]);
    assert!(plan_url(&db, &v2_path).trim().is_empty());
    let loaded = pg.fresh_db("kinds_foreign_change_psql");
    loaded.psql(&v2).expect("v2 loads");
    assert_eq!(dump(pg, &db), dump(pg, &loaded));

    // A column option changed: the foreign table alone is rebuilt, with its view.
    let v3 = v2.replace("column_name 'order_id'", "column_name 'id'");
    let v3_path = file("f3.sql", &v3);
    let plan = plan_url(&db, &v3_path);
    assert!(!plan.contains("SERVER remote FOREIGN") && !plan.contains("USER MAPPING"), "{plan}");
    let at = |s: &str| plan.find(s).unwrap_or_else(|| panic!("{s} missing:\n{plan}"));
    assert!(at("DROP VIEW public.remote_order_ids") < at("DROP FOREIGN TABLE public.remote_orders"));
    assert!(at("CREATE FOREIGN TABLE public.remote_orders") < at("CREATE VIEW public.remote_order_ids"));
    assert!(plan.contains("COMMENT ON FOREIGN TABLE public.remote_orders IS 'orders over there'"), "{plan}");
    apply(&db, &v3_path, &[]);
    assert!(plan_url(&db, &v3_path).trim().is_empty());

    // Everything dropped but the extension: dependants first, never a cascade.
    let v4 = "CREATE EXTENSION IF NOT EXISTS postgres_fdw WITH SCHEMA public;\n";
    let v4_path = file("f4.sql", v4);
    let plan = plan_url(&db, &v4_path);
    let at = |s: &str| plan.find(s).unwrap_or_else(|| panic!("{s} missing:\n{plan}"));
    assert!(at("DROP VIEW public.remote_order_ids") < at("DROP FOREIGN TABLE public.remote_orders"));
    assert!(at("DROP FOREIGN TABLE public.remote_orders") < at("DROP SERVER remote"));
    assert!(at("DROP USER MAPPING FOR postgres SERVER remote") < at("DROP SERVER remote"));
    assert!(at("DROP SERVER files") < at("DROP FOREIGN DATA WRAPPER dummy_fdw"));
    assert!(!plan.contains("CASCADE") && !plan.contains("postgres_fdw;"), "{plan}");
    apply(&db, &v4_path, &["--allow-destructive"]);
    assert!(plan_url(&db, &v4_path).trim().is_empty());
}

#[test]
fn foreign_data_errors_name_what_to_write() {
    for (sql, says) in [
        ("CREATE SERVER s FOREIGN DATA WRAPPER w OPTIONS (host 1);", "expected its value as a string constant"),
        ("CREATE USER MAPPING FOR CURRENT_USER SERVER s;", "write the role's name"),
        ("CREATE FOREIGN TABLE t (a int CHECK (a > 0)) SERVER s;", "unsupported: column a of a foreign table"),
        ("CREATE FOREIGN TABLE t (a int) SERVER s OPTIONS (x 'y', x 'z');", "option x provided more than once"),
        (
            "CREATE FOREIGN TABLE t (a int) SERVER s;\nALTER FOREIGN TABLE t ALTER COLUMN b OPTIONS (c 'd');",
            "it has no column b",
        ),
    ] {
        let Err(e) = pgstate::parse::parse_str("foreign.sql", sql) else { panic!("{sql}: accepted") };
        let e = e.summary();
        assert!(e.contains(says), "{sql}: {e}");
    }
}

#[test]
fn foreign_data_exports_as_sql_that_reads_back_equal() {
    let parsed = pgstate::parse::parse_str("foreign.sql", FOREIGN).expect("reads");
    let sql = pgstate::plan::catalog_sql(&parsed.catalog).expect("prints");
    let again = pgstate::parse::parse_str("export.sql", &sql).unwrap_or_else(|e| panic!("{}\n{sql}", e.summary()));
    assert_eq!(parsed.catalog.objects, again.catalog.objects, "{sql}");
    assert!(sql.contains("COMMENT ON SERVER remote IS 'the other database'"), "{sql}");
}
