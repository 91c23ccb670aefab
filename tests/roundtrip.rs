//! Rendering a catalog as SQL and parsing it again gives the same catalog, and
//! the way statements are split across files and ordered does not matter.

use std::path::Path;

use pgstate::parse::{parse_files, parse_path, parse_str, SourceFile};
use pgstate::plan::{catalog_sql, plan};

/// `sql` is refused, with an error that says `says`.
fn assert_refused(sql: &str, says: &str) {
    let err = parse_str("bad.sql", sql).expect_err(sql);
    assert!(err.summary().contains(says), "{sql}: {}", err.summary());
}

fn repo(p: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

#[test]
fn schema_renders_and_parses_back_equal() {
    let parsed = parse_path(&repo("schema")).expect("schema/ is valid");
    assert_eq!(parsed.catalog.tables.len(), 47);
    let sql = catalog_sql(&parsed.catalog).expect("plans");
    let again = parse_str("rendered.sql", &sql).unwrap_or_else(|e| panic!("{}", e.summary()));
    assert_eq!(again.catalog, parsed.catalog);
}

/// Found by `just fuzz`: PostgreSQL takes a constraint written inside `CREATE
/// TABLE` as valid whatever it says, so a `NOT VALID` check of a new table is
/// added after it, as pg_dump writes it, and is still `NOT VALID` read back.
#[test]
fn a_not_valid_check_of_a_new_table_stays_not_valid() {
    let sql = "CREATE TABLE t (a integer, b integer, CONSTRAINT t_a_check CHECK (a > 0));\n\
               ALTER TABLE t ADD CONSTRAINT t_b_check CHECK (b <> 0) NOT VALID;";
    let parsed = parse_str("not_valid.sql", sql).unwrap_or_else(|e| panic!("{}", e.summary()));
    let rendered = catalog_sql(&parsed.catalog).expect("plans");
    assert!(rendered.contains("ADD CONSTRAINT t_b_check CHECK (b <> 0) NOT VALID"), "{rendered}");
    assert!(rendered.contains("CONSTRAINT t_a_check CHECK (a > 0)"), "{rendered}");
    let again = parse_str("rendered.sql", &rendered).unwrap_or_else(|e| panic!("{}", e.summary()));
    assert_eq!(again.catalog, parsed.catalog);
}

#[test]
fn statement_order_and_file_split_do_not_matter() {
    let files = pgstate::parse::source::load(&repo("schema")).expect("readable");
    let forward = parse_files(&files).expect("valid");
    // All statements in one file, in reverse order: references now point forward.
    let mut statements: Vec<String> = files
        .iter()
        .flat_map(|f| f.text.split(';').map(str::to_string).collect::<Vec<_>>())
        .filter(|s| !s.trim().is_empty())
        .collect();
    statements.reverse();
    let reversed = parse_str("one.sql", &(statements.join(";\n") + ";")).unwrap_or_else(|e| panic!("{}", e.summary()));
    assert_eq!(reversed.catalog, forward.catalog);
    let rev_files: Vec<SourceFile> = files.iter().rev().cloned().collect();
    assert_eq!(parse_files(&rev_files).expect("valid").catalog, forward.catalog);
}

#[test]
fn every_fixture_side_renders_and_parses_back_equal() {
    for entry in std::fs::read_dir(repo("fixtures/diff")).expect("fixtures") {
        let dir = entry.expect("entry").path();
        for side in ["from.sql", "to.sql"] {
            let parsed = parse_path(&dir.join(side)).expect("valid fixture");
            let sql = catalog_sql(&parsed.catalog).expect("plans");
            let again =
                parse_str("rendered.sql", &sql).unwrap_or_else(|e| panic!("{}: {}", dir.display(), e.summary()));
            assert_eq!(again.catalog, parsed.catalog, "{} {side}", dir.display());
        }
    }
}

#[test]
fn a_done_rename_is_a_no_op_and_a_dangling_hint_warns() {
    let before = parse_str("a.sql", "CREATE TABLE t (id int, mail text);").expect("valid");
    let after = parse_str("b.sql", "CREATE TABLE t (id int, email text -- @renamed from=mail\n);").expect("valid");
    let p = plan(&before.catalog, &after.catalog, &after.hints).expect("plans");
    assert_eq!(p.to_sql(), "ALTER TABLE public.t RENAME COLUMN mail TO email;\n");
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    // Applied: the same file now plans nothing and says nothing.
    let p = plan(&after.catalog, &after.catalog, &after.hints).expect("plans");
    assert!(p.is_empty() && p.warnings.is_empty(), "{:?}", p.warnings);
    // A hint naming a column that exists nowhere is a warning; the column is added.
    let stray = parse_str("c.sql", "CREATE TABLE t (id int, mail text, nick text -- @renamed from=nickname\n);")
        .expect("valid");
    let p = plan(&before.catalog, &stray.catalog, &stray.hints).expect("plans");
    assert_eq!(p.to_sql(), "ALTER TABLE public.t ADD COLUMN nick text;\n");
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert!(p.warnings[0].contains("nickname"), "{:?}", p.warnings);
}

#[test]
fn json_output_lists_kind_object_sql_and_hazards() {
    let from = parse_str("a.sql", "CREATE TABLE t (id int, old text);").expect("valid");
    let to = parse_str("b.sql", "CREATE TABLE t (id int NOT NULL);").expect("valid");
    let p = plan(&from.catalog, &to.catalog, &[]).expect("plans");
    let json: serde_json::Value = serde_json::to_value(&p).expect("serializes");
    let steps = json["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0]["kind"], "drop_column");
    assert_eq!(steps[0]["object"], "public.t.old");
    assert_eq!(steps[0]["sql"][0], "ALTER TABLE public.t DROP COLUMN old");
    assert_eq!(steps[0]["hazards"][0]["kind"], "data_loss");
    assert_eq!(steps[1]["kind"], "set_not_null");
    assert_eq!(steps[1]["hazards"][0]["kind"], "may_fail");
}

#[test]
fn every_fixture_plan_replays_to_its_target() {
    for entry in std::fs::read_dir(repo("fixtures/diff")).expect("fixtures") {
        let dir = entry.expect("entry").path();
        let from = parse_path(&dir.join("from.sql")).expect("valid").catalog;
        let to = parse_path(&dir.join("to.sql")).expect("valid");
        let sql = plan(&from, &to.catalog, &to.hints).expect("plans").to_sql();
        let reached = pgstate::revisions::replay::replay(from, "fixture", &sql)
            .unwrap_or_else(|e| panic!("{}: {e}\n{sql}", dir.display()));
        let sorted = |mut c: pgstate::model::Catalog| {
            for t in c.tables.values_mut() {
                t.columns.sort_keys();
            }
            c
        };
        assert_eq!(sorted(reached), sorted(to.catalog), "{}\n{sql}", dir.display());
    }
}

#[test]
fn a_domain_written_by_hand_and_by_pg_dump_is_one_domain() {
    let by_hand = parse_str(
        "hand.sql",
        "CREATE DOMAIN score AS int NOT NULL DEFAULT 0 CHECK (VALUE >= 0) CONSTRAINT score_small CHECK (VALUE < 100);\n\
         COMMENT ON DOMAIN score IS 'points';",
    )
    .expect("hand-written domain parses");
    let dumped = parse_str(
        "dump.sql",
        "CREATE DOMAIN public.score AS integer DEFAULT 0 CONSTRAINT score_not_null NOT NULL \
         CONSTRAINT score_check CHECK ((VALUE >= 0)) CONSTRAINT score_small CHECK ((VALUE < 100));\n\
         COMMENT ON DOMAIN public.score IS 'points';",
    )
    .expect("pg_dump's spelling parses");
    assert_eq!(by_hand.catalog, dumped.catalog);
    let d = &by_hand.catalog.domains[&pgstate::model::QualName::new("public", "score")];
    assert!(d.not_null);
    assert_eq!(d.checks.keys().collect::<Vec<_>>(), ["score_check", "score_small"]);
    // NULL inside a check stays there; only the domain's own NULL / NOT NULL is read as nullability.
    let nullable = parse_str("n.sql", "CREATE DOMAIN maybe AS text NULL CHECK (VALUE IS NOT NULL OR VALUE IS NULL);")
        .expect("parses");
    let m = &nullable.catalog.domains[&pgstate::model::QualName::new("public", "maybe")];
    assert!(!m.not_null);
    assert_eq!(m.checks.len(), 1);
}

#[test]
fn a_domain_over_an_unknown_type_is_an_error() {
    let err = parse_str("bad.sql", "CREATE DOMAIN d AS nosuchtype;").expect_err("unknown base type");
    assert!(err.summary().contains("unknown type"), "{}", err.summary());
}

#[test]
fn routines_and_triggers_written_by_hand_and_by_pg_dump_are_the_same() {
    let by_hand = parse_str(
        "hand.sql",
        "CREATE TABLE t (id int, note text);\n\
         CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER CALLED ON NULL INPUT VOLATILE\n\
           PARALLEL UNSAFE COST 100 AS $$ begin return new; end $$;\n\
         CREATE FUNCTION pick(VARIADIC xs int[], flag boolean = false) RETURNS SETOF int LANGUAGE sql ROWS 1000\n\
           AS 'select unnest(xs)';\n\
         CREATE TRIGGER t_stamp BEFORE UPDATE OF note ON t FOR EACH ROW WHEN (NEW.note <> '') EXECUTE PROCEDURE stamp('a', 2);\n\
         ALTER TABLE t ENABLE ALWAYS TRIGGER t_stamp;\n\
         COMMENT ON FUNCTION stamp IS 'stamps';\n\
         COMMENT ON TRIGGER t_stamp ON t IS 'on notes';",
    )
    .expect("hand-written routines parse");
    let dumped = parse_str(
        "dump.sql",
        "CREATE TABLE public.t (id integer, note text);\n\
         CREATE FUNCTION public.stamp() RETURNS trigger\n    LANGUAGE plpgsql\n    AS $$ begin return new; end $$;\n\
         CREATE FUNCTION public.pick(VARIADIC xs integer[], flag boolean DEFAULT false) RETURNS SETOF integer\n\
           LANGUAGE sql\n    AS $$select unnest(xs)$$;\n\
         CREATE TRIGGER t_stamp BEFORE UPDATE OF note ON public.t FOR EACH ROW WHEN ((new.note <> ''::text)) \
           EXECUTE FUNCTION public.stamp('a', '2');\n\
         ALTER TABLE public.t ENABLE ALWAYS TRIGGER t_stamp;\n\
         COMMENT ON FUNCTION public.stamp() IS 'stamps';\n\
         COMMENT ON TRIGGER t_stamp ON public.t IS 'on notes';",
    )
    .expect("pg_dump's spelling parses");
    assert_eq!(by_hand.catalog, dumped.catalog);
    let ids: Vec<String> = by_hand.catalog.routines.keys().map(|k| k.to_string()).collect();
    assert_eq!(ids, ["public.pick(integer[], boolean)", "public.stamp()"]);
}

#[test]
fn unsupported_routine_forms_are_named() {
    parse_str(
        "atomic.sql",
        "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a + 1; END;\nCREATE TABLE t (id int);",
    )
    .expect("BEGIN ATOMIC is read");
    let err = parse_str("support.sql", "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql SUPPORT g AS 'select a';")
        .expect_err("SUPPORT is not read");
    assert!(err.summary().contains("SUPPORT"), "{}", err.summary());
    let err = parse_str(
        "twice.sql",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 1';\n\
                                      CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'select 2';",
    )
    .expect_err("defined twice");
    assert!(err.summary().contains("defined twice"), "{}", err.summary());
}

#[test]
fn a_key_made_from_an_index_is_the_same_key_as_one_declared_inline() {
    let via_index = parse_str(
        "using.sql",
        "CREATE TABLE t (id integer, code text);\n\
         CREATE UNIQUE INDEX t_idx ON t (id);\n\
         CREATE UNIQUE INDEX t_code_idx ON t (code);\n\
         ALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY USING INDEX t_idx;\n\
         ALTER TABLE t ADD CONSTRAINT t_code_idx UNIQUE USING INDEX t_code_idx;",
    )
    .expect("USING INDEX parses");
    let inline =
        parse_str("inline.sql", "CREATE TABLE t (id integer PRIMARY KEY, code text CONSTRAINT t_code_idx UNIQUE);")
            .expect("parses");
    assert_eq!(via_index.catalog, inline.catalog);
    let partial = parse_str(
        "partial.sql",
        "CREATE TABLE t (id integer);\nCREATE UNIQUE INDEX t_idx ON t (id) WHERE id > 0;\n\
         ALTER TABLE t ADD PRIMARY KEY USING INDEX t_idx;",
    );
    assert!(partial.is_err(), "a partial index cannot back a key");
}

#[test]
fn views_parse_in_any_spelling_with_their_options() {
    let a = parse_str(
        "a.sql",
        "CREATE TABLE hoge (foo text, bar int);\n\
         CREATE VIEW v WITH (security_barrier) AS SELECT foo FROM hoge WHERE bar > 1 WITH LOCAL CHECK OPTION;\n\
         CREATE MATERIALIZED VIEW m AS SELECT bar, count(*) AS n FROM hoge GROUP BY bar WITH NO DATA;\n\
         CREATE INDEX ON m (bar);",
    )
    .expect("parses");
    let b = parse_str(
        "b.sql",
        "create table hoge (foo text, bar int);\n\
         create view v with (check_option = local, security_barrier = true) as\n  select hoge.foo from hoge where (hoge.bar) > 1;\n\
         create materialized view m as select bar, count(*) as n from hoge group by bar;\n\
         create index m_bar_idx on m (bar);",
    )
    .expect("parses");
    // WITH [NO] DATA is not compared: whether a view was filled is data.
    assert_eq!(a.catalog, b.catalog);
    let v = &a.catalog.views[&pgstate::model::QualName::new("public", "v")];
    // In the order written, WITH CHECK OPTION last, as PostgreSQL stores them (compared in any order).
    assert_eq!(
        v.options,
        [("security_barrier".to_string(), "true".to_string()), ("check_option".into(), "local".into())]
    );
    let m = &a.catalog.views[&pgstate::model::QualName::new("public", "m")];
    assert!(m.materialized && !m.with_data && m.indexes.contains_key("m_bar_idx"));
    // A query sqlparser cannot read is kept as written, for PostgreSQL to judge.
    let odd = parse_str("odd.sql", "CREATE VIEW w AS SELECT xmlelement(name foo, 'x') AS e;").expect("kept");
    assert!(odd.catalog.views[&pgstate::model::QualName::new("public", "w")].query.contains("xmlelement"));
}

#[test]
fn pg_dump_privilege_statements_parse() {
    let sql = "CREATE SCHEMA s;
        CREATE TABLE public.t (a integer, b text);
        CREATE SEQUENCE public.q;
        CREATE TYPE s.e AS ENUM ('x');
        REVOKE ALL ON SCHEMA public FROM PUBLIC;
        GRANT USAGE ON SCHEMA public TO PUBLIC;
        GRANT ALL ON SCHEMA s TO r1;
        GRANT ALL ON TABLE public.t TO r1;
        GRANT SELECT(a),UPDATE(a) ON TABLE public.t TO \"Odd Role\";
        GRANT SELECT,USAGE ON SEQUENCE public.q TO r2 WITH GRANT OPTION;
        REVOKE ALL ON TYPE s.e FROM PUBLIC;
        GRANT ALL ON TYPE s.e TO r2;
        GRANT ALL ON DATABASE postgres TO r1;
        GRANT r1 TO r2;
        ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA s GRANT SELECT,INSERT ON TABLES TO r1;
        ALTER DEFAULT PRIVILEGES FOR ROLE postgres REVOKE ALL ON FUNCTIONS FROM PUBLIC;";
    let parsed = parse_str("dump.sql", sql).expect("pg_dump's privilege statements parse");
    use pgstate::model::{GrantKey, GrantObject, Grantee, Privilege, QualName};
    let g = &parsed.catalog.grants;
    let t = QualName::new("public", "t");
    let all_t = g.get(&GrantKey { object: GrantObject::Table(t.clone()), grantee: Grantee::Role("r1".into()) });
    assert_eq!(all_t.map(|p| p.0.len()), Some(7));
    let col = GrantKey { object: GrantObject::Column(t, "a".into()), grantee: Grantee::Role("Odd Role".into()) };
    assert_eq!(g[&col].0.keys().copied().collect::<Vec<_>>(), vec![Privilege::Select, Privilege::Update]);
    let q =
        GrantKey { object: GrantObject::Sequence(QualName::new("public", "q")), grantee: Grantee::Role("r2".into()) };
    assert!(g[&q].0.values().all(|grantable| *grantable));
    // PUBLIC's built-in USAGE on schema public is not stored; the revoked one on the type is.
    let public = GrantKey { object: GrantObject::Schema("public".into()), grantee: Grantee::Public };
    assert!(!g.contains_key(&public));
    let e = GrantKey { object: GrantObject::Type(QualName::new("s", "e")), grantee: Grantee::Public };
    assert!(g[&e].is_empty());
    assert_eq!(parsed.catalog.default_privileges.len(), 2);
    // What the catalog says, rendered and read again, is the same catalog.
    let again =
        parse_str("again.sql", &catalog_sql(&parsed.catalog).expect("plans")).expect("rendered privileges parse");
    assert_eq!(again.catalog, parsed.catalog);
    // A function is named by its RoutineId text: argument names and OUT arguments left out.
    let f = parse_str("f.sql", "GRANT ALL ON FUNCTION public.f(i integer, OUT o text, t character varying[]) TO r1;")
        .expect("function grant parses");
    let key = GrantKey {
        object: GrantObject::Function("public.f(integer, character varying[])".into()),
        grantee: Grantee::Role("r1".into()),
    };
    assert!(f.catalog.grants.contains_key(&key), "{:?}", f.catalog.grants.keys().collect::<Vec<_>>());
}

#[test]
fn grants_on_undefined_objects_are_errors() {
    let err = parse_str("bad.sql", "GRANT SELECT ON TABLE nope TO r;").expect_err("undefined table");
    assert!(format!("{err:?}").contains("not defined"), "{err:?}");
    let err = parse_str("bad.sql", "CREATE TABLE t (a int); GRANT EXECUTE ON t TO r;").expect_err("bad privilege");
    assert!(format!("{err:?}").contains("invalid privilege type EXECUTE"), "{err:?}");
}

#[test]
fn policies_read_like_postgresql_and_refuse_what_it_refuses() {
    let by_hand = parse_str(
        "hand.sql",
        "CREATE TABLE t (id int, owner text);\n\
         ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY p ON t TO PUBLIC, postgres USING (owner = current_user);\n\
         COMMENT ON POLICY p ON t IS 'mine';",
    )
    .expect("parses");
    let dumped = parse_str(
        "dump.sql",
        "CREATE TABLE public.t (id integer, owner text);\n\
         ALTER TABLE public.t ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY p ON public.t AS PERMISSIVE FOR ALL TO PUBLIC USING ((owner = CURRENT_USER));\n\
         COMMENT ON POLICY p ON public.t IS 'mine';",
    )
    .expect("pg_dump's spelling parses");
    assert_eq!(by_hand.catalog, dumped.catalog);
    let t = &by_hand.catalog.tables[&pgstate::model::QualName::new("public", "t")];
    // PUBLIC among other roles is PUBLIC alone, as PostgreSQL stores it.
    assert_eq!(t.policies["p"].roles, ["public"]);
    for (bad, says) in [
        ("CREATE POLICY p ON t FOR INSERT USING (true);", "only WITH CHECK"),
        ("CREATE POLICY p ON t FOR SELECT WITH CHECK (true);", "WITH CHECK cannot"),
        ("CREATE POLICY p ON t TO CURRENT_USER USING (true);", "name the role"),
        ("CREATE POLICY p ON nosuch USING (true);", "does not define"),
        ("CREATE POLICY p ON t USING (true); CREATE POLICY p ON t USING (false);", "defined twice"),
    ] {
        assert_refused(&format!("CREATE TABLE t (id int);\n{bad}"), says);
    }
}

#[test]
fn revisions_replay_policy_statements() {
    let base = parse_str(
        "base.sql",
        "CREATE TABLE t (id int, owner text);\n\
         ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY p ON t USING (owner = current_user);\n\
         CREATE POLICY q ON t FOR DELETE USING (false);",
    )
    .expect("parses")
    .catalog;
    let sql = "ALTER POLICY p ON t RENAME TO mine;\n\
               ALTER POLICY mine ON t TO postgres USING (id > 0) WITH CHECK (id > 1);\n\
               DROP POLICY q ON t;\n\
               DROP POLICY IF EXISTS gone ON t;\n\
               ALTER TABLE t FORCE ROW LEVEL SECURITY;\n\
               ALTER TABLE t RENAME COLUMN id TO key;";
    let reached = pgstate::revisions::replay::replay(base, "r1", sql).expect("replays");
    let want = parse_str(
        "want.sql",
        "CREATE TABLE t (key int, owner text);\n\
         ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n\
         ALTER TABLE t FORCE ROW LEVEL SECURITY;\n\
         CREATE POLICY mine ON t TO postgres USING (key > 0) WITH CHECK (key > 1);",
    )
    .expect("parses");
    assert_eq!(reached, want.catalog);
}

#[test]
fn a_composite_type_written_by_hand_and_by_pg_dump_is_one_type() {
    let by_hand = parse_str(
        "hand.sql",
        "CREATE TYPE addr AS (street TEXT, city VARCHAR(50) COLLATE \"C\", n INT4);\n\
         CREATE TABLE t (id int, home addr);\n\
         COMMENT ON TYPE addr IS 'where';",
    )
    .expect("parses");
    let dumped = parse_str(
        "dump.sql",
        "CREATE TYPE public.addr AS (\n\tstreet text,\n\tcity character varying(50) COLLATE pg_catalog.\"C\",\n\tn integer\n);\n\
         CREATE TABLE public.t (id integer, home public.addr);\n\
         COMMENT ON TYPE public.addr IS 'where';",
    )
    .expect("pg_dump's spelling parses");
    assert_eq!(by_hand.catalog, dumped.catalog);
    // Attribute order is part of the type.
    let swapped = parse_str("s.sql", "CREATE TYPE addr AS (city VARCHAR(50) COLLATE \"C\", street TEXT, n INT4);")
        .expect("parses");
    let name = pgstate::model::QualName::new("public", "addr");
    assert_ne!(swapped.catalog.composites[&name], by_hand.catalog.composites[&name]);
    let err = parse_str("bad.sql", "CREATE TYPE a AS (x int, x text);").expect_err("duplicate attribute");
    assert!(err.summary().contains("attribute x twice"), "{}", err.summary());
}

#[test]
fn a_unique_constraint_repeating_the_primary_key_is_dropped_as_postgresql_does() {
    let both =
        parse_str("both.sql", "CREATE TABLE orders (order_id integer PRIMARY KEY UNIQUE, note text);").expect("parses");
    let pk = parse_str("pk.sql", "CREATE TABLE orders (order_id integer PRIMARY KEY, note text);").expect("parses");
    assert_eq!(both.catalog, pk.catalog);
    // On other columns it stays.
    let other = parse_str("other.sql", "CREATE TABLE orders (order_id integer PRIMARY KEY, note text UNIQUE);")
        .expect("parses");
    let t = &other.catalog.tables[&pgstate::model::QualName::new("public", "orders")];
    assert!(t.constraints.contains_key("orders_note_key"));
    // In separate statements PostgreSQL keeps both.
    let apart = parse_str(
        "apart.sql",
        "CREATE TABLE c (cc int UNIQUE);\nCREATE UNIQUE INDEX c_pkey ON c (cc);\n\
         ALTER TABLE c ADD CONSTRAINT c_pkey PRIMARY KEY USING INDEX c_pkey;",
    )
    .expect("parses");
    let c = &apart.catalog.tables[&pgstate::model::QualName::new("public", "c")];
    assert!(c.constraints.contains_key("c_cc_key") && c.constraints.contains_key("c_pkey"));
}

#[test]
fn rename_hints_that_swap_two_names_are_not_followed_and_say_so() {
    let before = parse_str("before.sql", "CREATE TABLE s (a int, b text);").expect("parses");
    let after =
        parse_str("after.sql", "CREATE TABLE s (\n  a text, -- @renamed from=b\n  b int -- @renamed from=a\n);")
            .expect("parses");
    let p = plan(&before.catalog, &after.catalog, &after.hints).expect("plans");
    assert!(!p.to_sql().contains("RENAME"), "{}", p.to_sql());
    assert_eq!(p.warnings.len(), 2, "{:?}", p.warnings);
    assert!(p.warnings.iter().all(|w| w.contains("not followed")), "{:?}", p.warnings);
}

#[test]
fn changing_an_identity_columns_type_changes_its_sequence_as_postgresql_does() {
    // Found by tests/properties.rs: the plan's `ALTER COLUMN id TYPE integer`
    // replayed left the identity's sequence a bigint one.
    let base = parse_str("a.sql", "CREATE TABLE t (id bigint GENERATED BY DEFAULT AS IDENTITY);").expect("valid");
    let sql = "ALTER TABLE public.t ALTER COLUMN id TYPE integer;";
    let reached = pgstate::revisions::replay::replay(base.catalog, "r1", sql).expect("replays");
    let want = parse_str("b.sql", "CREATE TABLE t (id integer GENERATED BY DEFAULT AS IDENTITY);").expect("valid");
    assert_eq!(reached, want.catalog);
}

#[test]
fn a_view_created_again_gets_its_privileges_again() {
    // Found by tests/properties.rs: a view dropped and created again was
    // diffed as if it kept what was granted on it, so nothing was granted.
    let from = "CREATE TABLE t (id int, x int); CREATE VIEW v AS SELECT id FROM t; GRANT SELECT ON v TO r1;";
    let to = "CREATE TABLE t (id int, x int); CREATE VIEW v AS SELECT x FROM t; GRANT SELECT ON v TO r1;";
    let (from, to) = (parse_str("a.sql", from).expect("valid"), parse_str("b.sql", to).expect("valid"));
    let sql = plan(&from.catalog, &to.catalog, &[]).expect("plans").to_sql();
    assert!(sql.contains("DROP VIEW public.v"), "{sql}");
    assert!(sql.contains("GRANT SELECT ON TABLE public.v TO r1"), "{sql}");
    let reached = pgstate::revisions::replay::replay(from.catalog, "r1", &sql).expect("replays");
    assert_eq!(reached, to.catalog, "{sql}");
}

#[test]
fn sequences_owned_by_a_table_created_again_go_with_it() {
    // Found by tests/properties.rs: a partitioned table whose strategy
    // changes is dropped and created again, and PostgreSQL drops the
    // sequences its columns own with it. One no longer wanted must not be
    // dropped again; one kept unowned must be created again (the plan was a
    // cycle).
    let from = "CREATE TABLE pt (id int NOT NULL, k int) PARTITION BY LIST (k);
        CREATE SEQUENCE s0 OWNED BY pt.id; CREATE SEQUENCE s1 OWNED BY pt.id;";
    let to = "CREATE TABLE pt (id int NOT NULL, k int) PARTITION BY RANGE (k); CREATE SEQUENCE s0;";
    let (from, to) = (parse_str("a.sql", from).expect("valid"), parse_str("b.sql", to).expect("valid"));
    let sql = plan(&from.catalog, &to.catalog, &[]).expect("plans").to_sql();
    assert!(!sql.contains("DROP SEQUENCE"), "{sql}");
    let reached = pgstate::revisions::replay::replay(from.catalog, "r1", &sql).expect("replays");
    assert_eq!(reached, to.catalog, "{sql}");
}

#[test]
fn a_sequence_owned_by_a_table_created_again_is_owned_by_it_again() {
    // Found by tests/properties.rs (CI, stop 20): the sequence is created
    // again after the table, and its `OWNED BY` was also ordered before the
    // old table's drop, so the plan was a cycle.
    let from = "CREATE TABLE pt (id int NOT NULL, k int) PARTITION BY RANGE (k);
        CREATE SEQUENCE s1 OWNED BY pt.id;";
    let to = "CREATE TABLE pt (id int NOT NULL, k int) PARTITION BY LIST (k); CREATE SEQUENCE s1 OWNED BY pt.id;";
    let (from, to) = (parse_str("a.sql", from).expect("valid"), parse_str("b.sql", to).expect("valid"));
    let sql = plan(&from.catalog, &to.catalog, &[]).expect("plans").to_sql();
    let reached = pgstate::revisions::replay::replay(from.catalog, "r1", &sql).expect("replays");
    assert_eq!(reached, to.catalog, "{sql}");
}

#[test]
fn a_sequence_moved_to_a_table_that_waits_on_the_old_ones_drop_is_released_first() {
    // Found by tests/properties.rs: the new owner t0 uses a range type that
    // is created again, which waits on the old owner t1's drop; one
    // `OWNED BY t0.id` had to run both before t1 goes (or PostgreSQL drops
    // the sequence with it) and after t0 comes.
    let from = "CREATE TYPE span AS RANGE (subtype = numeric);
        CREATE TABLE t1 (id int NOT NULL, c2 span); CREATE SEQUENCE s0 OWNED BY t1.id;";
    let to = "CREATE TYPE span AS RANGE (subtype = integer);
        CREATE TABLE t0 (id int NOT NULL, c1 span); CREATE SEQUENCE s0 OWNED BY t0.id;";
    let (from, to) = (parse_str("a.sql", from).expect("valid"), parse_str("b.sql", to).expect("valid"));
    let sql = plan(&from.catalog, &to.catalog, &[]).expect("plans").to_sql();
    let release = sql.find("ALTER SEQUENCE public.s0 OWNED BY NONE").expect(&sql);
    assert!(release < sql.find("DROP TABLE public.t1").expect(&sql), "{sql}");
    assert!(sql.find("ALTER SEQUENCE public.s0 OWNED BY public.t0.id").expect(&sql) > release, "{sql}");
    let reached = pgstate::revisions::replay::replay(from.catalog, "r1", &sql).expect("replays");
    assert_eq!(reached, to.catalog, "{sql}");
}

#[test]
fn a_sequence_moved_between_kept_columns_is_one_step() {
    let from = "CREATE TABLE a (id int); CREATE TABLE b (id int); CREATE SEQUENCE s OWNED BY a.id;";
    let to = "CREATE TABLE a (id int); CREATE TABLE b (id int); CREATE SEQUENCE s OWNED BY b.id;";
    let (from, to) = (parse_str("a.sql", from).expect("valid"), parse_str("b.sql", to).expect("valid"));
    let sql = plan(&from.catalog, &to.catalog, &[]).expect("plans").to_sql();
    assert_eq!(sql.matches("OWNED BY").count(), 1, "{sql}");
    let reached = pgstate::revisions::replay::replay(from.catalog, "r1", &sql).expect("replays");
    assert_eq!(reached, to.catalog, "{sql}");
}

#[test]
fn a_sequence_no_longer_wanted_goes_with_its_owning_column_when_that_is_added_again() {
    // A generated expression that changes drops and adds the column, and
    // PostgreSQL drops the sequence it owns with it: no DROP SEQUENCE after.
    let from = "CREATE TABLE t (id int, g int GENERATED ALWAYS AS (id * 2) STORED);
        CREATE SEQUENCE s OWNED BY t.g;";
    let to = "CREATE TABLE t (id int, g int GENERATED ALWAYS AS (id * 3) STORED);";
    let (from, to) = (parse_str("a.sql", from).expect("valid"), parse_str("b.sql", to).expect("valid"));
    let sql = plan(&from.catalog, &to.catalog, &[]).expect("plans").to_sql();
    assert!(!sql.contains("DROP SEQUENCE"), "{sql}");
    let reached = pgstate::revisions::replay::replay(from.catalog, "r1", &sql).expect("replays");
    assert_eq!(reached, to.catalog, "{sql}");
}

#[test]
fn index_names_are_read_where_the_index_is_parsed() {
    // A written name is reserved before names are generated, so the unnamed
    // index on (a) takes t_a_idx1, as PostgreSQL would after t_a_idx.
    let parsed = parse_str(
        "idx.sql",
        "CREATE TABLE s.t (a int);\n\
         CREATE INDEX ON s.t (a);\n\
         CREATE INDEX \"T_A_IDX\" ON s.t (a);\n\
         CREATE INDEX t_a_idx ON s.t (a);",
    )
    .expect("parses");
    let t = &parsed.catalog.tables[&pgstate::model::QualName::new("s", "t")];
    let mut names: Vec<&str> = t.indexes.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(names, ["T_A_IDX", "t_a_idx", "t_a_idx1"]);
    for (bad, says) in [
        ("CREATE INDEX s.i ON s.t (a);", "cannot be schema-qualified"),
        ("CREATE INDEX i ON a.b.c.d (a);", "a.b.c.d"),
        ("CREATE INDEX i ON s.nosuch (a);", "does not define"),
    ] {
        assert_refused(&format!("CREATE TABLE s.t (a int);\n{bad}"), says);
    }
}

#[test]
fn constraints_are_settled_in_postgresqls_order_whatever_the_written_order() {
    // The foreign key comes first in the file, but is settled after the key
    // it relies on; unnamed checks of one kind are named in written order.
    let parsed = parse_str(
        "order.sql",
        "CREATE TABLE c (x int REFERENCES p (k), CHECK (x > 0), CHECK (x < 10));\n\
         CREATE TABLE p (k int, id int PRIMARY KEY, UNIQUE (k));",
    )
    .expect("parses");
    let c = &parsed.catalog.tables[&pgstate::model::QualName::new("public", "c")];
    let checks: Vec<String> =
        ["c_x_check", "c_x_check1"].iter().map(|n| format!("{:?}", c.constraints[*n].kind)).collect();
    assert!(checks[0].contains("> 0") && checks[1].contains("< 10"), "{checks:?}");
    assert!(c.constraints.contains_key("c_x_fkey"));
    let p = &parsed.catalog.tables[&pgstate::model::QualName::new("public", "p")];
    assert!(p.constraints.contains_key("p_pkey") && p.constraints.contains_key("p_k_key"));
}

#[test]
fn an_identity_column_is_one_of_the_built_in_integer_types() {
    let parsed = parse_str("id.sql", "CREATE TABLE t (a smallint GENERATED ALWAYS AS IDENTITY);").expect("parses");
    let a = &parsed.catalog.tables[&pgstate::model::QualName::new("public", "t")].columns["a"];
    let identity = a.identity.as_deref().expect("an identity column");
    assert_eq!(identity.options.data_type, pgstate::model::SeqType::SmallInt);
    assert_eq!(identity.options.max, i64::from(i16::MAX));
    for bad in ["text", "integer[]", "numeric"] {
        let sql = format!("CREATE TABLE t (a {bad} GENERATED ALWAYS AS IDENTITY);");
        assert_refused(&sql, "identity column type must be smallint, integer, or bigint");
    }
}
