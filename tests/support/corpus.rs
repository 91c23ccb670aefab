//! Hostile input for pgstate: string values and names that have broken SQL
//! printers before (backslashes before quotes, dollar quotes, line breaks,
//! control characters, non-ASCII, names past 63 bytes), each written in every
//! way PostgreSQL reads a string, and placed in every slot an expression or a
//! literal can take in a schema.
//!
//! The checks never trust a printer: every expected value reaches the server
//! as hex (`convert_from(decode('..', 'hex'), 'UTF8')`).

use super::pg::Db;

/// The values. NUL-free (PostgreSQL text cannot hold NUL); each distinct, and
/// short enough for an enum label.
pub const LITERALS: &[&str] = &[
    "back\\slash",
    "y\\'; COMMIT; DROP TABLE victim; --",
    "it's ''quoted'' \"too\"",
    "$$ dollars; DROP TABLE victim; $$",
    "$tag$ tagged $tag$ $function$ $q$",
    "line1\nline2\r\nDROP TABLE victim;",
    "tab\there\u{1}\u{1b}\u{7f}\u{85}",
    "é ü 日本 \u{1F600} \u{2028} ok",
    "ends with a backslash\\",
    "\\x41 \\u0041 \\n \\' E'x'",
];

/// Names with a quote, a backslash, a line break; and names past 63 bytes
/// (PostgreSQL keeps the first 63 bytes, cut at a character boundary).
pub const ODD_TABLE: &str = "we\"ird\\back\nline";
/// A column of [`ODD_TABLE`].
pub const ODD_COLUMN: &str = "col \"q\" \\ \n--";
/// 70 bytes, mostly two-byte characters: stored as the first 31 (62 bytes).
pub fn long_table() -> String {
    format!("{}ii", "é".repeat(34))
}
/// 70 ASCII bytes: stored as the first 63.
pub const LONG_COLUMN: &str = "c_0123456789012345678901234567890123456789012345678901234567890123456789";

/// How a value is written in a desired file (files are read with
/// `standard_conforming_strings` on, as every pgstate session sets it).
#[derive(Clone, Copy, Debug)]
pub enum Spelling {
    /// `'...'`, quotes doubled, everything else raw.
    Standard,
    /// `E'...'` with backslash escapes.
    Escape,
    /// `U&'...'` with `\XXXX` escapes.
    Unicode,
    /// `$tag$...$tag$`.
    Dollar,
}

const SPELLINGS: [Spelling; 4] = [Spelling::Standard, Spelling::Escape, Spelling::Unicode, Spelling::Dollar];

/// `value` written as a string constant in the given way.
pub fn spell(value: &str, how: Spelling) -> String {
    match how {
        Spelling::Standard => format!("'{}'", value.replace('\'', "''")),
        Spelling::Escape => {
            let mut out = String::from("E'");
            for c in value.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\'' => out.push_str("''"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('\'');
            out
        }
        Spelling::Unicode => {
            let mut out = String::from("U&'");
            for c in value.chars() {
                match c {
                    c if c.is_ascii_alphanumeric() || c == ' ' => out.push(c),
                    c if (c as u32) <= 0xFFFF => out.push_str(&format!("\\{:04X}", c as u32)),
                    c => out.push_str(&format!("\\+{:06X}", c as u32)),
                }
            }
            out.push('\'');
            out
        }
        Spelling::Dollar => {
            let mut tag = String::from("q");
            let mut n = 0;
            while value.contains(&format!("${tag}")) {
                n += 1;
                tag = format!("q{n}");
            }
            format!("${tag}${value}${tag}$")
        }
    }
}

/// The value as the server reads it, whatever the session's settings: hex.
pub fn value_sql(value: &str) -> String {
    let hex: String = value.bytes().map(|b| format!("{b:02x}")).collect();
    format!("convert_from(decode('{hex}', 'hex'), 'UTF8')")
}

/// A name written as a quoted identifier in a desired file.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Literal number `i` of state `variant` (a state moves every changeable slot on by one).
fn lit(i: usize, variant: usize) -> &'static str {
    LITERALS[(i + variant) % LITERALS.len()]
}

/// The same value in slot `slot` of table `i`: the spellings rotate, so every
/// value meets every spelling somewhere.
fn spelled(value: &str, i: usize, slot: usize) -> String {
    spell(value, SPELLINGS[(i + slot) % SPELLINGS.len()])
}

/// The desired schema of state `variant` (0 or 1). Per value `i`: an enum
/// label, a table `h_i` with a default, a check, a generated column, an
/// expression index, a partial index, a policy and comments; a view `v_i`, a
/// function `f_i`, a partition `parts_i` bounded by the value. State 1 moves
/// the default, check, indexes, policy, view, function and comments on to
/// the next value and adds the next value to each enum; bounds, generated
/// columns and names stay (changing them re-creates tables).
pub fn schema(variant: usize) -> String {
    let mut s = String::from("CREATE TABLE parts (k text, n int) PARTITION BY LIST (k);\n");
    for (i, &fixed) in LITERALS.iter().enumerate() {
        let moving = lit(i, variant);
        let sp = |v: &str, slot: usize| spelled(v, i, slot);
        let mut labels = vec![sp(fixed, 0), "'other'".to_string()];
        if variant > 0 {
            labels.push(sp(moving, 1));
        }
        s.push_str(&format!("CREATE TYPE e_{i} AS ENUM ({});\n", labels.join(", ")));
        s.push_str(&format!(
            "CREATE TABLE h_{i} (\n  id int,\n  note text DEFAULT {} CONSTRAINT h_{i}_note_check CHECK (note <> ({} || '!')),\n  \
             g text GENERATED ALWAYS AS (note || {}) STORED,\n  e e_{i} DEFAULT {}\n);\n",
            sp(moving, 2),
            sp(moving, 3),
            sp(fixed, 4),
            sp(fixed, 5),
        ));
        s.push_str(&format!("CREATE INDEX h_{i}_expr ON h_{i} ((note || {}));\n", sp(moving, 6)));
        s.push_str(&format!("CREATE INDEX h_{i}_pred ON h_{i} (id) WHERE note <> {};\n", sp(moving, 7)));
        s.push_str(&format!("ALTER TABLE h_{i} ENABLE ROW LEVEL SECURITY;\n"));
        s.push_str(&format!("CREATE POLICY h_{i}_pol ON h_{i} USING (note <> {});\n", sp(moving, 8)));
        s.push_str(&format!("CREATE VIEW v_{i} AS SELECT CAST({} AS text) AS v;\n", sp(moving, 9)));
        let body = format!("SELECT CAST({} AS text)", sp(moving, 10));
        assert!(!body.contains("$fb"), "the body's own tag must not occur in it");
        s.push_str(&format!("CREATE FUNCTION f_{i}() RETURNS text LANGUAGE sql IMMUTABLE AS $fb${body}$fb$;\n"));
        s.push_str(&format!("CREATE TABLE parts_{i} PARTITION OF parts FOR VALUES IN ({});\n", sp(fixed, 11)));
        s.push_str(&format!("COMMENT ON TABLE h_{i} IS {};\n", sp(moving, 12)));
        s.push_str(&format!("COMMENT ON COLUMN h_{i}.note IS {};\n", sp(moving, 13)));
        s.push_str(&format!("COMMENT ON VIEW v_{i} IS {};\n", sp(moving, 14)));
        s.push_str(&format!("COMMENT ON FUNCTION f_{i}() IS {};\n", sp(moving, 15)));
        s.push_str(&format!("COMMENT ON TYPE e_{i} IS {};\n", sp(moving, 16)));
    }
    // A body that ends in `$function` (an identifier may hold `$`): the tag
    // pgstate picks for it must not occur in it.
    s.push_str("CREATE FUNCTION tail_tag() RETURNS int LANGUAGE sql AS $b$SELECT 1 AS x$function$b$;\n");
    s.push_str("CREATE FUNCTION tail_proc() RETURNS int LANGUAGE sql AS $b$SELECT 2 AS y$procedure$b$;\n");
    // Names.
    let odd_default = spell(lit(0, variant), Spelling::Escape);
    s.push_str(&format!(
        "CREATE TABLE {} (id int PRIMARY KEY, {} text DEFAULT {odd_default}, {} int);\n",
        ident(ODD_TABLE),
        ident(ODD_COLUMN),
        ident(LONG_COLUMN),
    ));
    s.push_str(&format!(
        "CREATE INDEX {} ON {} ({});\n",
        ident(&format!("{ODD_TABLE} idx")),
        ident(ODD_TABLE),
        ident(ODD_COLUMN)
    ));
    s.push_str(&format!(
        "COMMENT ON COLUMN {}.{} IS {};\n",
        ident(ODD_TABLE),
        ident(ODD_COLUMN),
        spell(lit(1, variant), Spelling::Dollar)
    ));
    s.push_str(&format!("CREATE TABLE {} (id int PRIMARY KEY, {} text);\n", ident(&long_table()), ident(LONG_COLUMN)));
    s
}

/// The name PostgreSQL stores for `name`: the first 63 bytes, cut at a character boundary.
pub fn stored_name(name: &str) -> &str {
    let mut end = name.len().min(63);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

/// Queries that must each return `t` on a database in state `variant`; each
/// reads the server's own behaviour (a default filled in, a check refusing,
/// a row routed to its partition, a function's result), or compares catalog
/// text with a value that reached the server as hex. Run under
/// `standard_conforming_strings = on` (function bodies are read with the
/// session's setting).
pub fn checks(variant: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut check = |what: String, sql: String| out.push((what, sql));
    // `'value'` as pg_get_expr prints it with standard strings on.
    let printed = |v: &str| format!("('''' || replace({}, '''', '''''') || '''')", value_sql(v));
    for (i, &value) in LITERALS.iter().enumerate() {
        let (fixed, moving) = (value_sql(value), value_sql(lit(i, variant)));
        check(
            format!("h_{i}: default, generated column, enum default"),
            format!(
                "WITH x AS (INSERT INTO h_{i} (id) VALUES (1) RETURNING note, g, e::text AS e) \
                 SELECT note = {moving} AND g = {moving} || {fixed} AND e = {fixed} FROM x"
            ),
        );
        check(
            format!("h_{i}: the check refuses its value"),
            format!(
                "SELECT count(*) = 1 FROM pg_constraint WHERE conname = 'h_{i}_note_check' \
                 AND strpos(pg_get_constraintdef(oid), {}) > 0",
                printed(lit(i, variant))
            ),
        );
        check(
            format!("h_{i}: index expression"),
            format!("SELECT strpos(pg_get_indexdef('h_{i}_expr'::regclass), {}) > 0", printed(lit(i, variant))),
        );
        check(
            format!("h_{i}: index predicate"),
            format!("SELECT strpos(pg_get_indexdef('h_{i}_pred'::regclass), {}) > 0", printed(lit(i, variant))),
        );
        check(
            format!("h_{i}: policy"),
            format!(
                "SELECT strpos(qual, {}) > 0 FROM pg_policies WHERE policyname = 'h_{i}_pol'",
                printed(lit(i, variant))
            ),
        );
        check(format!("v_{i}: view query"), format!("SELECT v = {moving} FROM v_{i}"));
        check(format!("f_{i}: function body"), format!("SELECT f_{i}() = {moving}"));
        check(
            format!("parts_{i}: partition bound"),
            format!("WITH x AS (INSERT INTO parts VALUES ({fixed}, {i}) RETURNING tableoid) SELECT tableoid = 'parts_{i}'::regclass FROM x"),
        );
        let mut labels = vec![fixed.clone(), "'other'".to_string()];
        if variant > 0 {
            labels.push(moving.clone());
        }
        check(
            format!("e_{i}: enum labels"),
            format!("SELECT enum_range(NULL::e_{i})::text[] = ARRAY[{}]", labels.join(", ")),
        );
        for (what, sql) in [
            ("table comment", format!("obj_description('h_{i}'::regclass, 'pg_class')")),
            ("column comment", format!("col_description('h_{i}'::regclass, 2)")),
            ("view comment", format!("obj_description('v_{i}'::regclass, 'pg_class')")),
            ("function comment", format!("obj_description('f_{i}'::regproc, 'pg_proc')")),
            ("type comment", format!("obj_description('e_{i}'::regtype, 'pg_type')")),
        ] {
            check(format!("{what} {i}"), format!("SELECT {sql} = {moving}"));
        }
    }
    check("tail_tag".into(), "SELECT tail_tag() = 1 AND tail_proc() = 2".into());
    let (odd_t, odd_c, long_t, long_c) = (
        value_sql(ODD_TABLE),
        value_sql(ODD_COLUMN),
        value_sql(stored_name(&long_table())),
        value_sql(stored_name(LONG_COLUMN)),
    );
    check(
        "odd names: default and comment".into(),
        format!(
            "SELECT pg_get_expr(d.adbin, d.adrelid) = {} || '::text' AND col_description(c.oid, a.attnum) = {} \
             FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid JOIN pg_attrdef d ON (d.adrelid, d.adnum) = (c.oid, a.attnum) \
             WHERE c.relname = {odd_t} AND a.attname = {odd_c}",
            printed(lit(0, variant)),
            value_sql(lit(1, variant)),
        ),
    );
    check(
        "odd names: index".into(),
        format!("SELECT count(*) = 1 FROM pg_class WHERE relname = {}", value_sql(&format!("{ODD_TABLE} idx"))),
    );
    check(
        "long names, cut at 63 bytes".into(),
        format!(
            "SELECT count(*) = 2 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
             WHERE a.attname = {long_c} AND c.relname IN ({long_t}, {odd_t})"
        ),
    );
    out
}

/// Runs [`checks`] on `db` (in a transaction rolled back: the inserts leave
/// nothing) and returns the ones that failed, with why.
pub fn failed_checks(db: &Db, variant: usize) -> Vec<String> {
    let mut failed = Vec::new();
    for (what, sql) in checks(variant) {
        let got = db.psql(&format!("SET standard_conforming_strings = on; BEGIN; {sql}; ROLLBACK;"));
        match got {
            Ok(t) if t == "t" => {}
            Ok(t) => failed.push(format!("{what}: got {t:?}")),
            Err(e) => failed.push(format!("{what}: {e}")),
        }
    }
    failed
}
