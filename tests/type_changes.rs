//! The type-change table (`src/diff/type_rules.rs`) against PostgreSQL: for
//! each (from, to) pair, a column of type `from` holding one boundary value is
//! converted with the very statement pgstate's plan renders, and what comes
//! back is judged by the pair's class:
//!
//! - safe (and, in UTC, safe-but-noted): no error, and each value reads back
//!   as before, or casts back to the old type as before;
//! - may fail: an error, or the value kept as for safe (never altered);
//! - data loss: anything, but every data-loss row of the table must show at
//!   least one altered value or error here, or it is stricter than it needs.
//!
//! A kept value is judged by its text (`SELECT c`, PostgreSQL's output) and,
//! because a wider type can print the same value differently (a date as a
//! midnight timestamp), by the new value cast back to the old type. Strings
//! are probed with spellings PostgreSQL prints for some type, so that a
//! parser normalizing a spelling (' 12' to 12) is not taken for data loss.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use pgstate::diff::type_rules::{Class, RULES};
use pgstate::diff::types::{classify_in, needs_using, Verdict};
use pgstate::diff::Change;
use pgstate::model::{Catalog, ColumnType, QualName};
use support::pg::PgCluster;
use tokio_postgres::{Client, NoTls, SimpleQueryMessage};

const NUMBERS: &[&str] = &[
    "smallint",
    "integer",
    "bigint",
    "numeric",
    "numeric(5,0)",
    "numeric(10,0)",
    "numeric(19,0)",
    "numeric(8,2)",
    "numeric(10,2)",
    "numeric(10,1)",
    "numeric(12,2)",
    "numeric(12,3)",
    "real",
    "double precision",
];
const STRINGS: &[&str] =
    &["text", "varchar", "varchar(5)", "varchar(10)", "varchar(100)", "char(5)", "char(10)", "name", "\"char\""];
const TIMES: &[&str] = &[
    "date",
    "timestamp",
    "timestamp(0)",
    "timestamptz",
    "timestamptz(0)",
    "time",
    "time(0)",
    "timetz",
    "timetz(0)",
    "interval",
    "interval(0)",
];
const BITS: &[&str] = &["bit(3)", "bit(5)", "varbit", "varbit(3)", "varbit(5)"];
const SMALL_FAMILIES: &[&[&str]] = &[&["json", "jsonb"], &["inet", "cidr"], &["macaddr", "macaddr8"]];
const OTHERS: &[&str] = &["boolean", "uuid", "bytea", "xml"];

/// Pairs beyond the families and the conversions to and from strings:
/// arrays, user types (declared in `USER_TYPES`) and pairs no rule covers.
const EXTRA_PAIRS: &[(&str, &str)] = &[
    ("integer", "boolean"),
    ("boolean", "integer"),
    ("integer[]", "bigint[]"),
    ("bigint[]", "real[]"),
    ("real[]", "double precision[]"),
    ("integer[]", "text"),
    ("integer[]", "varchar(5)"),
    ("text", "integer[]"),
    ("text", "text[]"),
    ("text", "timestamp[]"),
    ("integer", "integer[]"),
    ("integer[]", "integer"),
    ("mood", "text"),
    ("text", "mood"),
    ("mood", "varchar(3)"),
    ("short", "text"),
    ("padded", "text"),
    ("text", "short"),
    ("integer", "positive"),
    ("integer", "date"),
    ("uuid", "bytea"),
    ("date", "integer"),
    ("timestamptz", "date"),
    ("timestamp", "time"),
    ("interval", "time"),
    ("timetz", "time"),
    ("time", "interval"),
];

const USER_TYPES: &str = "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'quite happy indeed');
CREATE DOMAIN short AS varchar(5);
CREATE DOMAIN padded AS char(5);
CREATE DOMAIN positive AS integer CHECK (VALUE > 0);";

/// Boundary values, each written as PostgreSQL prints it for some type.
fn probes() -> Vec<Option<String>> {
    let mut p: Vec<Option<String>> = [
        "0",
        "-32768",
        "32767",
        "-2147483648",
        "2147483647",
        "-9223372036854775808",
        "9223372036854775807",
        "16777217",
        "9007199254740993",
        "123.456789012345678901234",
        "1.25",
        "1.50",
        "2.5",
        "-0.5",
        "0.1",
        "12345678.9",
        "NaN",
        "Infinity",
        "-Infinity",
        "t",
        "f",
        "hello",
        "ab   ",
        "",
        "  lead",
        "happy",
        "quite happy indeed",
        "2024-02-29",
        "2024-02-29 12:34:56.789123",
        "2024-02-29 12:34:56.789123+00",
        "2024-02-29 12:34:56.789123+05:30",
        "2024-03-10 02:30:00",
        "2024-11-03 05:30:00+00",
        "2024-11-03 06:30:00+00",
        "12:34:56.789123",
        "24:00:00",
        "12:34:56.789123+05:30",
        "1 year 2 mons 3 days 04:05:06.789123",
        "{\"b\": 1,   \"a\": 2, \"b\": 3}",
        "{\"a\": 2, \"b\": 3}",
        "{1,2,3}",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "192.168.1.5/24",
        "10.0.0.0/8",
        "::1",
        "08:00:2b:01:02:03",
        "08:00:2b:ff:fe:01:02:03",
        "08:00:2b:01:02:03:04:05",
        "101",
        "10101",
        "\\x68656c6c6f",
        "<a>x</a>",
    ]
    .iter()
    .map(|s| Some(s.to_string()))
    .collect();
    // The largest floats, in full digits (PostgreSQL reads them; an exponent
    // would be a spelling numeric prints otherwise).
    p.push(Some(format!("{}", f32::MAX)));
    p.push(Some(format!("{}", f64::MAX)));
    p.push(Some("x".repeat(100)));
    p.push(Some("é".repeat(40)));
    p.push(None);
    p
}

fn pairs() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut push = |a: &str, b: &str| {
        if a != b && !out.iter().any(|(x, y)| x == a && y == b) {
            out.push((a.to_string(), b.to_string()));
        }
    };
    let families: Vec<&[&str]> =
        [NUMBERS, STRINGS, TIMES, BITS].into_iter().chain(SMALL_FAMILIES.iter().copied()).collect();
    for family in &families {
        for a in *family {
            for b in *family {
                push(a, b);
            }
        }
    }
    let all: Vec<&str> = families.iter().flat_map(|f| f.iter().copied()).chain(OTHERS.iter().copied()).collect();
    for t in &all {
        for s in ["text", "varchar(5)", "char(10)"] {
            push(t, s);
        }
        push("text", t);
        push("varchar(10)", t);
    }
    for (a, b) in EXTRA_PAIRS {
        push(a, b);
    }
    out
}

/// What one value became.
#[derive(Debug)]
enum Outcome {
    /// The conversion was refused.
    Refused,
    /// It went through: the new text, and the new value cast back to the old type.
    Kept { before: Option<String>, after: Option<String>, back: Option<Option<String>> },
}

impl Outcome {
    fn unchanged(&self) -> bool {
        match self {
            Outcome::Refused => false,
            Outcome::Kept { before, after, back } => after == before || back.as_ref() == Some(before),
        }
    }
}

struct Probe<'a> {
    client: &'a Client,
    catalog: &'a Catalog,
}

fn column_type(catalog: &Catalog, sql: &str) -> ColumnType {
    let parsed = pgstate::parse::parse_onto(catalog.clone(), "type.sql", &format!("CREATE TABLE t (c {sql});"))
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    parsed.catalog.tables[&QualName::new("public", "t")].columns["c"].data_type.clone()
}

fn rows(messages: Vec<SimpleQueryMessage>) -> Vec<Vec<Option<String>>> {
    messages
        .into_iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect()),
            _ => None,
        })
        .collect()
}

fn literal(v: &Option<String>) -> String {
    v.as_ref().map_or("NULL".into(), |s| pgstate::canon::quote_literal(s))
}

impl Probe<'_> {
    async fn exec(&self, sql: &str) -> Result<Vec<Vec<Option<String>>>, String> {
        match self.client.simple_query(sql).await {
            Ok(m) => Ok(rows(m)),
            Err(e) => Err(e.as_db_error().map_or(e.to_string(), |d| d.message().to_string())),
        }
    }

    /// The values of `probes` a column of type `from` accepts (by assignment, as an INSERT does).
    async fn accepted(&self, from: &str, probes: &[Option<String>]) -> Vec<Option<String>> {
        self.exec(&format!("DROP TABLE IF EXISTS accept; CREATE TABLE accept (c {from})")).await.expect("accept");
        let mut out = Vec::new();
        for v in probes {
            if self.exec(&format!("INSERT INTO accept VALUES ({})", literal(v))).await.is_ok() {
                out.push(v.clone());
            }
        }
        out
    }

    /// Converts one column per value from `from` to `to` as the plan does:
    /// all at once, or one by one when one of them is refused.
    async fn convert(&self, from: &ColumnType, to: &ColumnType, values: &[Option<String>]) -> Vec<Outcome> {
        let cols: Vec<String> = (0..values.len()).map(|i| format!("c{i}")).collect();
        let defs: Vec<String> = cols.iter().map(|c| format!("{c} {from}")).collect();
        let lits: Vec<String> = values.iter().map(literal).collect();
        self.exec(&format!(
            "DROP TABLE IF EXISTS probe; CREATE TABLE probe ({}); INSERT INTO probe VALUES ({})",
            defs.join(", "),
            lits.join(", ")
        ))
        .await
        .unwrap_or_else(|e| panic!("probe table of {from}: {e}"));
        let before = self.exec(&format!("SELECT {} FROM probe", cols.join(", "))).await.expect("before")[0].clone();
        let alters: Vec<String> = cols.iter().map(|c| alter(from, to, c)).collect();
        let clauses: Vec<&str> = alters.iter().map(|a| &a[PREFIX.len()..]).collect();
        let converted: Vec<bool> = if self.exec(&format!("{PREFIX}{}", clauses.join(", "))).await.is_ok() {
            vec![true; cols.len()]
        } else {
            let mut each = Vec::new();
            for a in &alters {
                each.push(self.exec(a).await.is_ok());
            }
            each
        };
        let kept: Vec<&String> = cols.iter().zip(&converted).filter(|(_, ok)| **ok).map(|(c, _)| c).collect();
        let mut after: BTreeMap<String, Option<String>> = BTreeMap::new();
        if !kept.is_empty() {
            let list: Vec<&str> = kept.iter().map(|c| c.as_str()).collect();
            let row = self.exec(&format!("SELECT {} FROM probe", list.join(", "))).await.expect("after");
            after.extend(kept.iter().map(|c| c.to_string()).zip(row[0].clone()));
        }
        let mut out = Vec::new();
        for (i, c) in cols.iter().enumerate() {
            let Some(value) = after.get(c) else {
                out.push(Outcome::Refused);
                continue;
            };
            // Cast back to the old type, through text where there is no direct cast.
            let mut back = self.exec(&format!("SELECT {c}::{from} FROM probe")).await;
            if back.is_err() {
                back = self.exec(&format!("SELECT {c}::text::{from} FROM probe")).await;
            }
            let back = back.ok().map(|r| r[0][0].clone());
            out.push(Outcome::Kept { before: before[i].clone(), after: value.clone(), back });
        }
        out
    }
}

const PREFIX: &str = "ALTER TABLE public.probe ";

/// The plan's statement converting column `c` of the probe table.
fn alter(from: &ColumnType, to: &ColumnType, c: &str) -> String {
    let change = Change::AlterColumnType {
        table: QualName::new("public", "probe"),
        column: c.to_string(),
        from: from.clone(),
        to: to.clone(),
        collation: None,
        using: needs_using(from, to),
    };
    let sql = pgstate::plan::render::statements(&change).join("; ");
    assert!(sql.starts_with(PREFIX) && !sql.contains(';'), "one ALTER TABLE statement: {sql}");
    sql
}

/// One tested pair's result, for the summary checks.
struct Tested {
    pair: String,
    verdict: Verdict,
    demonstrated: bool,
}

fn judge(pair: &str, zone: &str, verdict: &Verdict, outcomes: &[Outcome], values: &[Option<String>]) -> Vec<String> {
    let mut bad = Vec::new();
    for (v, o) in values.iter().zip(outcomes) {
        let wrong = match verdict.class {
            Class::Safe => !o.unchanged(),
            Class::Noted => zone == "UTC" && !o.unchanged(),
            Class::MayFail => !matches!(o, Outcome::Refused) && !o.unchanged(),
            Class::DataLoss => false,
        };
        if wrong {
            bad.push(format!("{pair} ({:?}, {zone}): value {v:?} gave {o:?}: {}", verdict.class, verdict.reason));
        }
    }
    bad
}

async fn run(client: &Client, catalog: &Catalog) -> (Vec<String>, Vec<Tested>) {
    let probe = Probe { client, catalog };
    let all = probes();
    let mut accepted: BTreeMap<String, Vec<Option<String>>> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut tested = Vec::new();
    for (a, b) in pairs() {
        let (from, to) = (column_type(probe.catalog, &a), column_type(probe.catalog, &b));
        let verdict = classify_in(&from, &to, probe.catalog, probe.catalog);
        let name = format!("{a} -> {b}");
        let zoned = |t: &str| t.contains("tz") || t.contains("time zone");
        let zones: &[&str] = if zoned(&a) || zoned(&b) { &["UTC", "America/New_York"] } else { &["UTC"] };
        let mut demonstrated = false;
        for zone in zones {
            client.batch_execute(&format!("SET TimeZone = '{zone}'")).await.expect("set zone");
            if !accepted.contains_key(&a) {
                let values = probe.accepted(&a, &all).await;
                accepted.insert(a.clone(), values);
            }
            let values = &accepted[&a];
            let outcomes = probe.convert(&from, &to, values).await;
            demonstrated |= outcomes.iter().any(|o| !o.unchanged());
            failures.extend(judge(&name, zone, &verdict, &outcomes, values));
        }
        tested.push(Tested { pair: name, verdict, demonstrated });
    }
    (failures, tested)
}

#[test]
fn every_type_change_does_what_its_class_says() {
    let cluster = PgCluster::shared();
    let db = cluster.fresh_db("types");
    db.psql(USER_TYPES).expect("user types");
    let catalog = pgstate::parse::parse_str("types.sql", USER_TYPES).expect("user types parse").catalog;
    let rt = pgstate::connection::runtime().expect("runtime");
    let (mut failures, tested) = rt.block_on(async {
        let (client, connection) = tokio_postgres::connect(&db.url(), NoTls).await.expect("connect");
        tokio::spawn(connection);
        run(&client, &catalog).await
    });
    // Every row of the table is exercised, and every data-loss row shows a loss.
    let mut covered = BTreeSet::new();
    let mut shown = BTreeSet::new();
    for t in &tested {
        if let Some(i) = t.verdict.rule {
            covered.insert(i);
            if t.demonstrated {
                shown.insert(i);
            }
        }
    }
    for (i, rule) in RULES.iter().enumerate() {
        if !covered.contains(&i) {
            failures.push(format!("no tested pair falls under the row {} -> {}", rule.from, rule.to));
        } else if rule.class == Class::DataLoss && !shown.contains(&i) {
            failures.push(format!("the data-loss row {} -> {} altered or refused nothing", rule.from, rule.to));
        }
    }
    // Pairs no row covers are data loss by default; those that kept every
    // value are listed (the table could say more about them), not failed.
    let strict: Vec<&str> = tested
        .iter()
        .filter(|t| t.verdict.rule.is_none() && t.verdict.class == Class::DataLoss && !t.demonstrated)
        .map(|t| t.pair.as_str())
        .collect();
    if !strict.is_empty() {
        eprintln!("pairs classified data loss by default that kept every probe: {}", strict.join(", "));
    }
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
}

/// The six lossy conversions, each holding a value it would alter:
/// `apply` refuses them (exit 2, the column named), and the value is as it was.
#[test]
fn apply_refuses_each_lossy_conversion_and_keeps_the_values() {
    let cases: &[(&str, &str, &str)] = &[
        ("text", "name", &format!("'{}'", "n".repeat(100))),
        ("text", "\"char\"", "'hello'"),
        ("timestamp", "date", "'2024-02-29 12:34:56.789123'"),
        ("bigint", "double precision", "9007199254740993"),
        ("json", "jsonb", "'{\"b\": 1,   \"a\": 2, \"b\": 3}'"),
        ("timestamptz", "timestamp", "'2024-02-29 12:34:56.789123+05:30'"),
    ];
    let cluster = PgCluster::shared();
    let dir = std::env::temp_dir().join(format!("pgstate-types-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (i, (from, to, value)) in cases.iter().enumerate() {
        let db = cluster.fresh_db("lossy");
        db.psql(&format!("CREATE TABLE t (id int PRIMARY KEY, c {from}); INSERT INTO t VALUES (1, {value});"))
            .expect("loads");
        let read = || db.psql("SELECT c::text, pg_typeof(c) FROM t").expect("reads");
        let before = read();
        let schema = dir.join(format!("case{i}.sql"));
        std::fs::write(&schema, format!("CREATE TABLE t (id int PRIMARY KEY, c {to});")).expect("schema");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_pgstate"))
            .args(["apply", "--url", &db.url(), "--schema", &schema.to_string_lossy(), "--yes"])
            .env_remove("DATABASE_URL")
            .output()
            .expect("pgstate runs");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{from} -> {to} was applied: {err}");
        assert!(err.contains("public.t.c") && err.contains("--allow-destructive"), "{from} -> {to}: {err}");
        assert_eq!(read(), before, "{from} -> {to} changed the value");
    }
}
