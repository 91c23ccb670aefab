//! End-to-end checks of pgstate on the real target: the 47 agenticrag tables
//! in `schema/`.
//!
//! The facts the schema must reproduce live in `fixtures/agenticrag/tables.md`.
//! This file reads that document with its own small parser and compares it
//! with what a real PostgreSQL holds after applying pgstate's plan, through
//! PostgreSQL's catalogs only. Nothing here uses pgstate's library code, so a
//! bug in pgstate's parser or canonical forms cannot hide itself by being
//! shared with the test.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use support::{Db, PgCluster};

// ---------------------------------------------------------------------------
// Running pgstate
// ---------------------------------------------------------------------------

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the built `pgstate` binary from the repository root (it reads
/// `pgstate.toml` from its working directory).
fn pgstate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pgstate"))
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::null())
        .output()
        .expect("running pgstate")
}

/// `pgstate plan --schema <repo>/schema --from <from>`: (stdout, stderr),
/// panicking when the exit status is not 0.
fn plan_from(from: &Path) -> (String, String) {
    let schema = repo().join("schema");
    let out = pgstate(&["plan", "--schema", schema.to_str().unwrap(), "--from", from.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "pgstate plan --from {} failed ({})\nstderr:\n{stderr}\nstdout:\n{stdout}",
        from.display(),
        out.status
    );
    (stdout, stderr)
}

/// A fresh database holding whatever pgstate plans from an empty state.
fn database_built_from_empty(pg: &PgCluster, prefix: &str) -> Db {
    let empty = pg.host().join(format!("{prefix}_empty.sql"));
    std::fs::write(&empty, "").unwrap();
    let (plan, stderr) = plan_from(&empty);
    assert!(!plan.trim().is_empty(), "plan from an empty state is empty\nstderr:\n{stderr}");
    let db = pg.fresh_db(prefix);
    if let Err(e) = db.psql(&plan) {
        panic!("applying the plan from empty failed:\n{e}\n--- plan ---\n{plan}");
    }
    db
}

// ---------------------------------------------------------------------------
// The facts: a parser for fixtures/agenticrag/tables.md
// ---------------------------------------------------------------------------

#[derive(Debug)]
struct Facts {
    tables: Vec<Table>,
    /// (table, column) whose `now()` is spelled `CURRENT_TIMESTAMP` in the live DB.
    current_timestamp: BTreeSet<(String, String)>,
    checks: Vec<Check>,
}

#[derive(Debug)]
struct Table {
    name: String,
    columns: Vec<Column>,
    /// Multi-column UNIQUE constraints: (name, columns).
    uniques: Vec<(String, Vec<String>)>,
    /// Non-unique indexes: (name, columns).
    indexes: Vec<(String, Vec<String>)>,
}

#[derive(Debug)]
struct Column {
    name: String,
    /// As written in the listing, inner spaces removed (`numeric(10,2)`).
    ty: String,
    pk: bool,
    not_null: bool,
    unique: bool,
    /// `(unique: name)`: a single-column UNIQUE constraint not named `<table>_<column>_key`.
    unique_name: Option<String>,
    default: Option<String>,
    fk: Option<Fk>,
}

#[derive(Debug)]
struct Fk {
    table: String,
    column: String,
    /// `cascade`, `set null`, `no action`, `restrict` or `set default`.
    on_delete: String,
}

#[derive(Debug)]
struct Check {
    table: String,
    name: String,
    /// The expression after `CHECK`, as written in the document.
    expr: String,
}

/// `../shared/agenticrag/tables.md` beside the repository (or beside the
/// directory holding this worktree) when it is there, the source of truth;
/// else the copy in `fixtures/agenticrag/`, kept equal to it.
fn read_facts() -> Facts {
    let path = ["../shared/agenticrag/tables.md", "../../shared/agenticrag/tables.md"]
        .iter()
        .map(|p| repo().join(p))
        .find(|p| p.is_file())
        .unwrap_or_else(|| repo().join("fixtures/agenticrag/tables.md"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    Facts {
        tables: parse_dense_listing(&section(&text, "## Dense listing")),
        current_timestamp: parse_default_spelling(&section(&text, "## Exact default spelling")),
        checks: parse_checks(&section(&text, "## Exact constraint spelling")),
    }
}

/// The body of the `## ` section whose heading starts with `heading`.
fn section(text: &str, heading: &str) -> String {
    let mut lines = text.lines().skip_while(|l| !l.starts_with(heading));
    assert!(lines.next().is_some(), "tables.md has no section {heading:?}");
    lines.take_while(|l| !l.starts_with("## ")).collect::<Vec<_>>().join("\n")
}

/// Splits on `sep` where it is outside parentheses and quotes (so that
/// `numeric(10, 2)` or `idx(a,b)` stay whole); pieces are trimmed.
fn split_top_level(s: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut depth, mut quoted) = (0i32, false);
    for ch in s.chars() {
        match ch {
            '\'' => quoted = !quoted,
            '(' | '[' if !quoted => depth += 1,
            ')' | ']' if !quoted => depth -= 1,
            _ => {}
        }
        if ch == sep && depth == 0 && !quoted {
            out.push(cur.trim().to_string());
            cur.clear();
        } else {
            cur.push(ch);
        }
    }
    assert!(depth == 0 && !quoted, "unbalanced text: {s}");
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// `name(a,b)` -> ("name", ["a", "b"]).
fn parse_named_list(s: &str) -> (String, Vec<String>) {
    let (name, rest) = s.split_once('(').unwrap_or_else(|| panic!("expected name(cols): {s}"));
    let cols = rest.strip_suffix(')').unwrap_or_else(|| panic!("expected name(cols): {s}"));
    (name.trim().to_string(), split_top_level(cols, ','))
}

/// Lines like ``- `users(id uuid pk default uuid_generate_v4(), ...) ; uq n(a,b) ; idx: i(a), j(b,c)` ``.
fn parse_dense_listing(body: &str) -> Vec<Table> {
    body.lines()
        .filter_map(|l| l.strip_prefix("- `"))
        .map(|l| {
            let inner = l.strip_suffix('`').unwrap_or_else(|| panic!("listing line without closing backtick: {l}"));
            parse_table(inner)
        })
        .collect()
}

fn parse_table(inner: &str) -> Table {
    let open = inner.find('(').unwrap_or_else(|| panic!("no column list: {inner}"));
    let name = inner[..open].trim().to_string();
    // The column list ends at the parenthesis matching the first one.
    let mut depth = 0;
    let close = inner
        .char_indices()
        .skip(open)
        .find(|&(_, ch)| {
            match ch {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            depth == 0
        })
        .map(|(i, _)| i)
        .unwrap_or_else(|| panic!("unbalanced column list: {inner}"));
    let columns = split_top_level(&inner[open + 1..close], ',').iter().map(|c| parse_column(&name, c)).collect();

    let mut table = Table { name, columns, uniques: Vec::new(), indexes: Vec::new() };
    for part in split_top_level(&inner[close + 1..], ';') {
        if let Some(uq) = part.strip_prefix("uq ") {
            table.uniques.push(parse_named_list(uq.trim()));
        } else if let Some(idx) = part.strip_prefix("idx:") {
            for one in split_top_level(idx, ',') {
                table.indexes.push(parse_named_list(&one));
            }
        } else if !part.is_empty() {
            panic!("unknown clause {part:?} in {inner}");
        }
    }
    table
}

/// Whitespace-separated words, keeping `numeric(10, 2)` as one word.
fn words(s: &str) -> Vec<String> {
    split_top_level(s, ' ').into_iter().filter(|w| !w.is_empty()).collect()
}

fn parse_column(table: &str, text: &str) -> Column {
    // `[...]` is an annotation repeating what the type implies (serial).
    let text = match (text.find('['), text.rfind(']')) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &text[..a], &text[b + 1..]),
        _ => text.to_string(),
    };
    let w = words(&text);
    assert!(w.len() >= 2, "column without type in {table}: {text}");
    let mut col = Column {
        name: w[0].clone(),
        ty: w[1].replace(' ', ""),
        pk: false,
        not_null: false,
        unique: false,
        unique_name: None,
        default: None,
        fk: None,
    };
    let mut i = 2;
    let next = |i: usize| -> &str { w.get(i).map(String::as_str).unwrap_or("") };
    while i < w.len() {
        match next(i) {
            "pk" => col.pk = true,
            "unique" => col.unique = true,
            named if named.starts_with("(unique:") && named.ends_with(')') => {
                col.unique = true;
                col.unique_name = Some(named["(unique:".len()..named.len() - 1].trim().to_string());
            }
            "not" if next(i + 1) == "null" => {
                col.not_null = true;
                i += 1;
            }
            "default" if i + 1 < w.len() => {
                col.default = Some(w[i + 1].clone());
                i += 1;
            }
            fk if fk.starts_with("fk->") => {
                let (t, c) =
                    fk["fk->".len()..].split_once('.').unwrap_or_else(|| panic!("bad fk target in {table}: {text}"));
                assert!(next(i + 1) == "on" && next(i + 2) == "delete", "fk without `on delete` in {table}: {text}");
                // The action is one or two words.
                let action = match (next(i + 3), next(i + 4)) {
                    (one @ ("cascade" | "restrict"), _) => one.to_string(),
                    (a @ ("set" | "no"), b @ ("null" | "default" | "action")) => format!("{a} {b}"),
                    _ => panic!("unknown on delete action in {table}: {text}"),
                };
                i += 2 + action.split(' ').count();
                col.fk = Some(Fk { table: t.to_string(), column: c.to_string(), on_delete: action });
            }
            other => panic!("unknown column attribute {other:?} in {table}: {text}"),
        }
        i += 1;
    }
    col
}

/// "`CURRENT_TIMESTAMP` on a.x, b.y, and on created_at and updated_at of t1, t2 and t3; `now()` everywhere else."
fn parse_default_spelling(body: &str) -> BTreeSet<(String, String)> {
    let flat = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let start = "`CURRENT_TIMESTAMP` on ";
    let end = "; `now()` everywhere else";
    let from = flat.find(start).expect("default spelling: no CURRENT_TIMESTAMP list") + start.len();
    let to = flat.find(end).expect("default spelling: no `now()` everywhere else");
    let (singles, per_table) = flat[from..to].split_once(", and on ").expect("default spelling: no `, and on` part");

    let mut set = BTreeSet::new();
    for item in singles.split(", ") {
        let (t, c) = item.split_once('.').unwrap_or_else(|| panic!("not table.column: {item}"));
        set.insert((t.to_string(), c.to_string()));
    }
    let (cols, tables) = per_table.split_once(" of ").expect("default spelling: no ` of `");
    let cols: Vec<&str> = cols.split(" and ").collect();
    for t in tables.replace(" and ", ", ").split(", ") {
        for c in &cols {
            set.insert((t.to_string(), c.to_string()));
        }
    }
    set
}

/// "- table: `CONSTRAINT name CHECK (expr)`, `CONSTRAINT ...`"
fn parse_checks(body: &str) -> Vec<Check> {
    let mut checks = Vec::new();
    for line in body.lines() {
        let Some(rest) = line.strip_prefix("- ") else {
            continue;
        };
        let Some((table, defs)) = rest.split_once(':') else {
            continue;
        };
        // Odd pieces between backticks are code spans.
        for span in defs.split('`').skip(1).step_by(2) {
            let Some(def) = span.strip_prefix("CONSTRAINT ") else {
                continue;
            };
            let (name, expr) = def.split_once(" CHECK ").unwrap_or_else(|| panic!("not a CHECK constraint: {span}"));
            checks.push(Check {
                table: table.trim().to_string(),
                name: name.trim().to_string(),
                expr: expr.trim().to_string(),
            });
        }
    }
    checks
}

/// What a loose comparison of a CHECK expression looks for in PostgreSQL's
/// deparsed form: every quoted literal, number and column name (operators and
/// casts are rewritten by PostgreSQL, these survive).
fn check_expr_terms(expr: &str) -> Vec<String> {
    const KEYWORDS: [&str; 6] = ["and", "or", "in", "not", "between", "check"];
    let mut terms = Vec::new();
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        let ch = chars[i];
        if ch == '\'' {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
            terms.push(chars[start..i.min(chars.len())].iter().collect());
        } else if ch.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            terms.push(chars[start..i].iter().collect());
        } else if ch.is_alphabetic() || ch == '_' {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if !KEYWORDS.contains(&word.to_lowercase().as_str()) {
                terms.push(word);
            }
        } else {
            i += 1;
        }
    }
    terms
}

// ---------------------------------------------------------------------------
// From listing notation to what PostgreSQL's catalog functions print
// ---------------------------------------------------------------------------

/// `format_type` output for a listing type.
fn expected_type(ty: &str) -> String {
    if let Some(n) = ty.strip_prefix("varchar(") {
        return format!("character varying({n}");
    }
    match ty {
        "timestamp" => "timestamp without time zone".into(),
        "float8" => "double precision".into(),
        "serial" => "integer".into(),
        t if t.starts_with("numeric(") => t.into(),
        "uuid" | "text" | "jsonb" | "boolean" | "integer" | "bigint" => ty.into(),
        other => panic!("listing type {other:?} has no mapping in this test"),
    }
}

/// `pg_get_expr(adbin, adrelid)` for a column's listed default ("" for none).
fn expected_default(facts: &Facts, table: &str, col: &Column) -> String {
    if col.ty == "serial" {
        return format!("nextval('{table}_{}_seq'::regclass)", col.name);
    }
    let Some(d) = col.default.as_deref() else {
        return String::new();
    };
    match d {
        "now()" | "current_timestamp" | "CURRENT_TIMESTAMP" => {
            if facts.current_timestamp.contains(&(table.to_string(), col.name.clone())) {
                "CURRENT_TIMESTAMP".into()
            } else {
                "now()".into()
            }
        }
        lit if lit.starts_with('\'') => {
            // PostgreSQL keeps the literal's cast to the column's base type.
            let cast = match col.ty.as_str() {
                t if t.starts_with("varchar(") => "character varying",
                "jsonb" => "jsonb",
                "text" => "text",
                other => panic!("string default on a {other} column: {table}.{}", col.name),
            };
            format!("{lit}::{cast}")
        }
        other => other.into(),
    }
}

fn expected_confdeltype(action: &str) -> &'static str {
    match action {
        "no action" => "a",
        "restrict" => "r",
        "cascade" => "c",
        "set null" => "n",
        "set default" => "d",
        other => panic!("unknown ON DELETE action {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Reading the database
// ---------------------------------------------------------------------------

/// Runs a query whose single column is the fields joined by chr(31) (unit
/// separator: no deparsed expression contains it, unlike psql's `|`).
fn rows(db: &Db, sql: &str) -> Vec<Vec<String>> {
    let out = db.psql(sql).unwrap_or_else(|e| panic!("catalog query failed: {e}\n{sql}"));
    out.lines().filter(|l| !l.is_empty()).map(|l| l.split('\u{1f}').map(str::to_string).collect()).collect()
}

#[derive(Debug)]
struct DbColumn {
    name: String,
    ty: String,
    not_null: bool,
    default: String,
}

#[derive(Debug)]
struct DbConstraint {
    contype: String,
    cols: Vec<String>,
    def: String,
    ref_table: String,
    ref_cols: Vec<String>,
    on_delete: String,
    on_update: String,
}

#[derive(Debug)]
struct DbIndex {
    table: String,
    cols: Vec<String>,
    unique: bool,
    method: String,
    partial: bool,
}

fn split_cols(s: &str) -> Vec<String> {
    if s.is_empty() {
        Vec::new()
    } else {
        s.split(',').map(str::to_string).collect()
    }
}

/// Columns of every ordinary table in `public`, in attnum order.
fn db_columns(db: &Db) -> BTreeMap<String, Vec<DbColumn>> {
    let sql = r#"
        SELECT concat_ws(chr(31), c.relname, a.attname,
                         format_type(a.atttypid, a.atttypmod), a.attnotnull,
                         coalesce(pg_get_expr(d.adbin, d.adrelid), ''))
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
        WHERE c.relkind IN ('r', 'p')
        ORDER BY c.relname, a.attnum"#;
    let mut map: BTreeMap<String, Vec<DbColumn>> = BTreeMap::new();
    for r in rows(db, sql) {
        map.entry(r[0].clone()).or_default().push(DbColumn {
            name: r[1].clone(),
            ty: r[2].clone(),
            not_null: r[3] == "t",
            default: r[4].clone(),
        });
    }
    map
}

/// Constraints of tables in `public`, keyed by (table, name). NOT NULL
/// constraints (contype `n`, PostgreSQL 18+) are columns' business.
fn db_constraints(db: &Db) -> BTreeMap<(String, String), DbConstraint> {
    let sql = r#"
        SELECT concat_ws(chr(31), c.relname, con.conname, con.contype,
          coalesce((SELECT string_agg(a.attname, ',' ORDER BY k.ord)
                    FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum), ''),
          pg_get_constraintdef(con.oid),
          coalesce(rc.relname, ''),
          coalesce((SELECT string_agg(a.attname, ',' ORDER BY k.ord)
                    FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum), ''),
          con.confdeltype, con.confupdtype)
        FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        LEFT JOIN pg_class rc ON rc.oid = con.confrelid
        WHERE con.contype <> 'n'
        ORDER BY 1"#;
    rows(db, sql)
        .into_iter()
        .map(|r| {
            (
                (r[0].clone(), r[1].clone()),
                DbConstraint {
                    contype: r[2].clone(),
                    cols: split_cols(&r[3]),
                    def: r[4].clone(),
                    ref_table: r[5].clone(),
                    ref_cols: split_cols(&r[6]),
                    on_delete: r[7].trim().to_string(),
                    on_update: r[8].trim().to_string(),
                },
            )
        })
        .collect()
}

/// Indexes in `public` that do not back a constraint, keyed by name.
/// Expression keys show as `<expr>`.
fn db_indexes(db: &Db) -> BTreeMap<String, DbIndex> {
    let sql = r#"
        SELECT concat_ws(chr(31), ic.relname, c.relname,
          (SELECT string_agg(coalesce(a.attname, '<expr>'), ',' ORDER BY k.ord)
           FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
           LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum),
          i.indisunique, am.amname, i.indpred IS NOT NULL)
        FROM pg_index i
        JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_class c ON c.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        JOIN pg_am am ON am.oid = ic.relam
        WHERE NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid
                                                       AND con.conrelid = i.indrelid)
        ORDER BY 1"#;
    rows(db, sql)
        .into_iter()
        .map(|r| {
            (
                r[0].clone(),
                DbIndex {
                    table: r[1].clone(),
                    cols: split_cols(&r[2]),
                    unique: r[3] == "t",
                    method: r[4].clone(),
                    partial: r[5] == "t",
                },
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The comparison
// ---------------------------------------------------------------------------

/// Removes the listed constraint `name` of table `t` from `constraints`
/// (so that what is left at the end is unlisted), recording a mismatch when
/// it is absent, of another kind, or on other columns.
fn take_constraint(
    constraints: &mut BTreeMap<(String, String), DbConstraint>,
    bad: &mut Vec<String>,
    t: &str,
    name: String,
    what: &str,
    cols: Vec<String>,
) -> Option<DbConstraint> {
    let Some(con) = constraints.remove(&(t.to_string(), name.clone())) else {
        bad.push(format!("{t}: {what} {name} on {cols:?} missing"));
        return None;
    };
    let contype = match what {
        "primary key" => "p",
        "unique" => "u",
        "foreign key" => "f",
        "check" => "c",
        other => panic!("unknown constraint kind {other}"),
    };
    if con.contype != contype {
        bad.push(format!("{t}: {name} is contype {}, expected {contype} ({what}): {}", con.contype, con.def));
    }
    // A CHECK's columns are judged through its expression instead.
    if contype != "c" && con.cols != cols {
        bad.push(format!("{t}: {name} on {:?}, expected {cols:?}", con.cols));
    }
    Some(con)
}

/// Every difference between the facts and the database, one line each.
fn mismatches(facts: &Facts, db: &Db) -> Vec<String> {
    let mut bad = Vec::new();
    let columns = db_columns(db);
    let mut constraints = db_constraints(db);
    let mut indexes = db_indexes(db);

    let listed: BTreeSet<&str> = facts.tables.iter().map(|t| t.name.as_str()).collect();
    let present: BTreeSet<&str> = columns.keys().map(String::as_str).collect();
    if present.len() != 47 {
        bad.push(format!("public has {} tables, expected 47", present.len()));
    }
    for t in listed.difference(&present) {
        bad.push(format!("table {t}: missing"));
    }
    for t in present.difference(&listed) {
        bad.push(format!("table {t}: not in tables.md"));
    }
    for (t, c) in &facts.current_timestamp {
        let known = facts.tables.iter().any(|tb| &tb.name == t && tb.columns.iter().any(|col| &col.name == c));
        if !known {
            bad.push(format!("tables.md names {t}.{c} for CURRENT_TIMESTAMP, no such column"));
        }
    }

    for table in &facts.tables {
        let t = table.name.as_str();
        let Some(have) = columns.get(t) else { continue };

        // Columns, in the listed order.
        let want_names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        let have_names: Vec<&str> = have.iter().map(|c| c.name.as_str()).collect();
        if want_names != have_names {
            bad.push(format!("table {t}: columns {have_names:?}, expected {want_names:?}"));
        }
        for col in &table.columns {
            let c = col.name.as_str();
            let Some(dbc) = have.iter().find(|d| d.name == c) else {
                continue; // reported by the order check above
            };
            let ty = expected_type(&col.ty);
            if dbc.ty != ty {
                bad.push(format!("{t}.{c}: type {:?}, expected {ty:?}", dbc.ty));
            }
            let not_null = col.not_null || col.pk || col.ty == "serial";
            if dbc.not_null != not_null {
                bad.push(format!("{t}.{c}: not null = {}, expected {not_null}", dbc.not_null));
            }
            let default = expected_default(facts, t, col);
            if dbc.default != default {
                bad.push(format!("{t}.{c}: default {:?}, expected {default:?}", dbc.default));
            }
        }

        // Constraints: every listed one, by name; each is removed from
        // `constraints` so that what remains afterwards is unlisted.
        let pk: Vec<String> = table.columns.iter().filter(|c| c.pk).map(|c| c.name.clone()).collect();
        if pk.is_empty() {
            bad.push(format!("tables.md gives {t} no primary key"));
        } else {
            take_constraint(&mut constraints, &mut bad, t, format!("{t}_pkey"), "primary key", pk);
        }
        for col in &table.columns {
            let c = &col.name;
            if col.unique {
                let name = col.unique_name.clone().unwrap_or_else(|| format!("{t}_{c}_key"));
                take_constraint(&mut constraints, &mut bad, t, name, "unique", vec![c.clone()]);
            }
            if let Some(fk) = &col.fk {
                let Some(con) = take_constraint(
                    &mut constraints,
                    &mut bad,
                    t,
                    format!("{t}_{c}_fkey"),
                    "foreign key",
                    vec![c.clone()],
                ) else {
                    continue;
                };
                if con.ref_table != fk.table || con.ref_cols != [fk.column.clone()] {
                    bad.push(format!(
                        "{t}_{c}_fkey references {}{:?}, expected {}.{}",
                        con.ref_table, con.ref_cols, fk.table, fk.column
                    ));
                }
                let del = expected_confdeltype(&fk.on_delete);
                if con.on_delete != del {
                    bad.push(format!(
                        "{t}_{c}_fkey: confdeltype {:?}, expected {del:?} (on delete {}): {}",
                        con.on_delete, fk.on_delete, con.def
                    ));
                }
                // The listing gives no ON UPDATE, so it is the default.
                if con.on_update != "a" {
                    bad.push(format!("{t}_{c}_fkey: confupdtype {:?}, expected \"a\": {}", con.on_update, con.def));
                }
            }
        }
        for (name, cols) in &table.uniques {
            take_constraint(&mut constraints, &mut bad, t, name.clone(), "unique", cols.clone());
        }
        for check in facts.checks.iter().filter(|c| c.table == t) {
            let Some(con) = take_constraint(&mut constraints, &mut bad, t, check.name.clone(), "check", Vec::new())
            else {
                continue;
            };
            for term in check_expr_terms(&check.expr) {
                if !con.def.contains(&term) {
                    bad.push(format!("{t}: {} lacks {term} (listed: CHECK {}): {}", check.name, check.expr, con.def));
                }
            }
        }

        // Non-unique indexes, by name, on exactly the listed columns.
        for (name, cols) in &table.indexes {
            let Some(ix) = indexes.remove(name) else {
                bad.push(format!("{t}: index {name} on {cols:?} missing"));
                continue;
            };
            if ix.table != t {
                bad.push(format!("index {name} is on {}, expected {t}", ix.table));
            }
            if &ix.cols != cols {
                bad.push(format!("index {name} on {:?}, expected {cols:?}", ix.cols));
            }
            if ix.unique || ix.partial || ix.method != "btree" {
                bad.push(format!(
                    "index {name}: unique={} partial={} method={}, expected a plain non-unique btree",
                    ix.unique, ix.partial, ix.method
                ));
            }
        }
    }
    for ((t, name), con) in &constraints {
        bad.push(format!("{t}: constraint {name} not in tables.md: {}", con.def));
    }
    for (name, ix) in &indexes {
        bad.push(format!("{}: index {name} on {:?} not in tables.md", ix.table, ix.cols));
    }

    // The extension behind uuid_generate_v4(), and serial's owned sequence.
    if rows(db, "SELECT extname FROM pg_extension WHERE extname = 'uuid-ossp'").is_empty() {
        bad.push("extension uuid-ossp is not installed".into());
    }
    let seq = rows(
        db,
        r#"
        SELECT concat_ws(chr(31), format_type(s.seqtypid, NULL),
          coalesce((SELECT concat_ws('.', t.relname, a.attname, d.deptype)
                    FROM pg_depend d
                    JOIN pg_class t ON t.oid = d.refobjid
                    JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = s.seqrelid
                      AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')), ''))
        FROM pg_sequence s
        JOIN pg_class c ON c.oid = s.seqrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        WHERE c.relname = 'migration_history_id_seq'"#,
    );
    match seq.as_slice() {
        [] => bad.push("sequence migration_history_id_seq missing".into()),
        [r] if r[0] == "integer" && r[1] == "migration_history.id.a" => {}
        [r] => bad.push(format!(
            "sequence migration_history_id_seq: type {:?}, owner {:?}, expected integer owned by migration_history.id (deptype a)",
            r[0], r[1]
        )),
        _ => unreachable!("sequence names are unique in a schema"),
    }
    bad
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[test]
fn plan_from_empty_builds_every_fact_of_tables_md() {
    let facts = read_facts();

    // Guard against a parser that silently finds nothing to check.
    let n_columns: usize = facts.tables.iter().map(|t| t.columns.len()).sum();
    let n_indexes: usize = facts.tables.iter().map(|t| t.indexes.len()).sum();
    let n_fks = facts.tables.iter().flat_map(|t| &t.columns).filter(|c| c.fk.is_some()).count();
    let n_uniques: usize = facts.tables.iter().map(|t| t.uniques.len()).sum();
    eprintln!(
        "tables.md: {} tables, {n_columns} columns, {n_fks} foreign keys, {n_uniques} multi-column uniques, \
         {n_indexes} indexes, {} checks, {} CURRENT_TIMESTAMP columns",
        facts.tables.len(),
        facts.checks.len(),
        facts.current_timestamp.len()
    );
    assert_eq!(facts.tables.len(), 47, "tables parsed from tables.md");
    assert!(n_columns > 400, "only {n_columns} columns parsed");
    // (tables.md lists 426 columns, 65 foreign keys and 117 indexes.)
    assert!(n_indexes > 100, "only {n_indexes} indexes parsed");
    assert!(n_fks > 50, "only {n_fks} foreign keys parsed");
    assert!(n_uniques >= 10, "only {n_uniques} multi-column uniques parsed");
    assert_eq!(facts.checks.len(), 7, "CHECK constraints parsed: {:?}", facts.checks);
    assert_eq!(facts.current_timestamp.len(), 27, "{:?}", facts.current_timestamp);

    let pg = PgCluster::shared();
    let db = database_built_from_empty(pg, "agenticrag_facts");
    let bad = mismatches(&facts, &db);
    assert!(
        bad.is_empty(),
        "{} mismatches between tables.md and the database built by the plan:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn plan_of_schema_against_itself_is_empty() {
    let (plan, stderr) = plan_from(&repo().join("schema"));
    assert!(plan.is_empty(), "plan from schema/ to itself is not empty:\n{plan}\nstderr:\n{stderr}");
}

#[test]
fn applying_twice_converges() {
    let pg = PgCluster::shared();
    let db = database_built_from_empty(pg, "agenticrag_dump");

    // pg_dump must be at least as new as the server: prefer the server's own.
    let own = pg.bin_dir().join("pg_dump");
    let pg_dump = if own.is_file() { own } else { PathBuf::from("/usr/bin/pg_dump") };
    let mut cmd = Command::new(&pg_dump);
    for var in ["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGOPTIONS", "PGSERVICE"] {
        cmd.env_remove(var);
    }
    let out = cmd
        .args(["--schema-only", "--no-owner", "-h", "127.0.0.1", "-U", "postgres", "-p"])
        .arg(db.port.to_string())
        .arg(&db.name)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", pg_dump.display()));
    assert!(out.status.success(), "pg_dump failed ({}):\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    let dump = pg.host().join("agenticrag_dump.sql");
    std::fs::write(&dump, &out.stdout).unwrap();

    // The dump describes the state the plan just built, so nothing is left to do.
    let (plan, stderr) = plan_from(&dump);
    assert!(plan.is_empty(), "plan from a pg_dump of the built database is not empty:\n{plan}\nstderr:\n{stderr}");
}

/// The revision chain builds the same database as `schema/`: every fact of
/// tables.md, the two UNIQUE constraints with their non-default names
/// (`uq_api_key_hash`, `uq_user_settings_user_id`) included.
#[test]
fn upgrade_head_builds_every_fact_of_tables_md() {
    let facts = read_facts();
    let named: Vec<(String, String)> = facts
        .tables
        .iter()
        .flat_map(|t| t.columns.iter().filter_map(|c| c.unique_name.clone().map(|n| (t.name.clone(), n))))
        .collect();
    assert_eq!(
        named,
        [
            ("api_keys".to_string(), "uq_api_key_hash".to_string()),
            ("user_settings".into(), "uq_user_settings_user_id".into())
        ],
        "tables.md's named single-column UNIQUE constraints"
    );
    let pg = PgCluster::shared();
    let db = pg.fresh_db("agenticrag_upgrade");
    let out = pgstate(&["upgrade", "--url", &db.url()]);
    assert!(
        out.status.success(),
        "pgstate upgrade head failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let names = rows(
        &db,
        "SELECT conrelid::regclass::text || ' ' || conname FROM pg_constraint \
         WHERE conname IN ('uq_api_key_hash', 'uq_user_settings_user_id') AND contype = 'u' ORDER BY 1",
    );
    assert_eq!(
        names,
        vec![vec!["api_keys uq_api_key_hash".to_string()], vec!["user_settings uq_user_settings_user_id".to_string()]]
    );
    // The chain's own record is no table of the application; and a column a
    // revision adds comes last (PostgreSQL cannot place it), where tables.md
    // lists it in the table's declared order: both are left out here.
    db.psql("DROP TABLE public.pgstate_revision").expect("drop the version table");
    let bad: Vec<String> = mismatches(&facts, &db)
        .into_iter()
        .filter(|m| !(m.starts_with("table ") && m.contains(": columns [")))
        .collect();
    assert!(
        bad.is_empty(),
        "{} mismatches between tables.md and the upgraded database:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
