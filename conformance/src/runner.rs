//! The conformance runner: runs a case of the peer tools' corpus in the three
//! directions and summarizes results. Used by the `pgstate-conformance` binary
//! (the whole corpus) and by `tests/conformance.rs` (the subset the suite runs).
//!
//! tools (sqldef and migra); see `../shared/conformance/README.md`.
//!
//! The property (tool-neutral): a fresh database A gets `setup.sql` +
//! `current.sql`; pgstate applies `desired.sql` to A; a fresh database B gets
//! `setup.sql` + `desired.sql`. The case passes when A and B have the same
//! catalog snapshot (tests/support/catalog.rs, PostgreSQL's own deparsers) and
//! a second plan on A is empty. Three directions are checked:
//!
//! * `forward`: `pgstate apply` current -> desired on a live database;
//! * `backward`: `pgstate apply` desired -> current on a live database;
//! * `offline`: `pgstate plan --schema desired.sql --from current.sql` (no
//!   database), run on A with psql (`ON_ERROR_STOP`, inside `BEGIN`/`COMMIT`).
//!
//! A case where current and desired already have equal snapshots (or meta
//! `same`) must also give an empty first plan.
//!
//! Out of scope (not failures): cases that do not load on PostgreSQL 15 as
//! written (meta `applies_pg15: false`) and cases using object kinds pgstate
//! does not model, as `pgstate check` itself reports them ("unsupported
//! statement: CREATE VIEW", PARTITION BY / INHERITS, row-level security; or a
//! syntax error inside such a statement). Every other rejection is a failure.
//!
//! * `conformance_subset` (always runs): the cases vendored into
//!   `fixtures/conformance/` must give the outcomes listed in
//!   `fixtures/conformance/EXPECTED.txt` (`folder/case direction pass|fail|out-of-scope`).
//! * `conformance_full` (only with `PGSTATE_CONFORMANCE=all`, `just conformance`):
//!   every case of the corpus (`PGSTATE_CONFORMANCE_DIR`, default
//!   `<repo>/../shared/conformance`), results written to `conformance/RESULTS.md`.
//!   `PGSTATE_CONFORMANCE_FILTER=a,b` runs only cases whose path contains one of the substrings (and then
//!   RESULTS.md is left alone); `PGSTATE_CONFORMANCE_JOBS` sets the number of
//!   worker threads (default 3).
//!
//! Search path: pgstate puts unqualified names of a schema file in the first
//! schema of the session's search_path (`public` offline). For the cases whose
//! `setup.sql` runs `SET search_path TO foo, public` (sqldef's "runs as role
//! psqldef_user, search_path foo,public"), the harness connects pgstate with
//! that search_path in the URL, `?options=-c%20search_path%3Dfoo%2Cpublic`,
//! and plans offline with `--search-path foo,public`.
//!
//! Per-case details (schemas, plans, pgstate output, full catalog diffs) are
//! written to `$CARGO_TARGET_TMPDIR/conformance/` for investigation.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::support::catalog::snapshot_lines_with_roles;
use crate::support::{diff_lines, Db, PgCluster};

/// The pgstate binary every case runs (set once by the caller).
static PGSTATE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Sets the pgstate binary the runner calls and the directory per-case details go to.
pub fn init(pgstate: PathBuf, details: PathBuf) {
    let _ = PGSTATE.set(pgstate);
    let _ = DETAILS.set(details);
}

static DETAILS: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
/// A pgstate command taking longer than this is killed and counted a failure.
pub const PGSTATE_TIMEOUT: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------
// Outcomes
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    Forward,
    Backward,
    Offline,
}

impl Direction {
    pub const ALL: [Direction; 3] = [Direction::Forward, Direction::Backward, Direction::Offline];

    pub fn name(self) -> &'static str {
        match self {
            Direction::Forward => "forward",
            Direction::Backward => "backward",
            Direction::Offline => "offline",
        }
    }

    pub fn parse(s: &str) -> Option<Direction> {
        Direction::ALL.into_iter().find(|d| d.name() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail(String),
    OutOfScope(String),
}

impl Outcome {
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail(_) => "fail",
            Outcome::OutOfScope(_) => "out-of-scope",
        }
    }

    pub fn reason(&self) -> &str {
        match self {
            Outcome::Pass => "",
            Outcome::Fail(r) | Outcome::OutOfScope(r) => r,
        }
    }
}

/// What one case gave.
#[derive(Clone, Debug)]
pub struct CaseReport {
    /// `folder/case`.
    pub id: String,
    pub folder: String,
    /// meta `source`, e.g. `cmd/psqldef/tests_indices.yml`.
    pub source: String,
    pub conditions: Vec<String>,
    /// What the case changes, from the snapshot difference of current and desired.
    pub kinds: BTreeSet<String>,
    pub outcomes: BTreeMap<Direction, Outcome>,
    pub secs: f64,
}

// ---------------------------------------------------------------------------
// A case
// ---------------------------------------------------------------------------

pub struct Case {
    pub dir: PathBuf,
    pub id: String,
    pub folder: String,
    pub setup: String,
    pub current: String,
    pub desired: String,
    applies_pg15: bool,
    pub same: bool,
    pub source: String,
    pub conditions: Vec<String>,
    /// meta `managed_roles`: the roles whose privileges pgstate is asked to
    /// manage (`--roles`) and the snapshot compares (empty: neither).
    pub managed_roles: Vec<String>,
}

impl Case {
    pub fn load(dir: &Path) -> Result<Case, String> {
        let read = |name: &str| {
            std::fs::read_to_string(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()))
        };
        let meta: serde_json::Value =
            serde_json::from_str(&read("meta.json")?).map_err(|e| format!("{}/meta.json: {e}", dir.display()))?;
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let folder =
            dir.parent().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Ok(Case {
            dir: dir.to_path_buf(),
            id: format!("{folder}/{name}"),
            folder,
            setup: if dir.join("setup.sql").is_file() { read("setup.sql")? } else { String::new() },
            current: read("current.sql")?,
            desired: read("desired.sql")?,
            applies_pg15: meta["applies_pg15"].as_bool().unwrap_or(true),
            same: meta["same"].as_bool().unwrap_or(false),
            source: meta["source"].as_str().unwrap_or("").to_string(),
            conditions: meta["conditions"]
                .as_array()
                .map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_string)).collect())
                .unwrap_or_default(),
            managed_roles: meta["managed_roles"]
                .as_array()
                .map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_string)).collect())
                .unwrap_or_default(),
        })
    }

    pub fn current_path(&self) -> PathBuf {
        self.dir.join("current.sql")
    }

    pub fn desired_path(&self) -> PathBuf {
        self.dir.join("desired.sql")
    }

    /// Schema scope from the conditions: (only these schemas, excluded schemas).
    pub fn scope(&self) -> (Option<String>, Vec<String>) {
        let mut only = None;
        let mut excluded = Vec::new();
        for c in &self.conditions {
            if let Some(rest) = c.strip_prefix("--exclude_schema ") {
                if let Some(s) = rest.split(|ch: char| ch == ':' || ch.is_whitespace()).next() {
                    excluded.push(s.to_string());
                }
            }
            if let Some(rest) = c.strip_prefix("scoped to schema ") {
                if let Some(s) = rest.split_whitespace().next() {
                    only = Some(s.to_string());
                }
            }
        }
        (only, excluded)
    }
}

// ---------------------------------------------------------------------------
// Running pgstate
// ---------------------------------------------------------------------------

pub struct CmdOut {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

pub fn pgstate(args: &[&str]) -> CmdOut {
    let mut child = match Command::new(PGSTATE.get().expect("conformance::runner::init not called"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return CmdOut { ok: false, stdout: String::new(), stderr: format!("cannot run pgstate: {e}") },
    };
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let t_out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out.read_to_end(&mut b);
        String::from_utf8_lossy(&b).into_owned()
    });
    let t_err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err.read_to_end(&mut b);
        String::from_utf8_lossy(&b).into_owned()
    });
    let deadline = Instant::now() + PGSTATE_TIMEOUT;
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break Some(st),
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                timed_out = true;
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => break None,
        }
    };
    let stdout = t_out.join().unwrap_or_default();
    let mut stderr = t_err.join().unwrap_or_default();
    if timed_out {
        stderr = format!("timed out after {}s\n{stderr}", PGSTATE_TIMEOUT.as_secs());
    }
    CmdOut { ok: status.is_some_and(|s| s.success()), stdout, stderr }
}

/// The error messages in pgstate's (miette) stderr, one per `×`, each with
/// its continuation lines (`│ while running: ...`) joined by " / ".
pub fn error_messages(stderr: &str) -> Vec<String> {
    let mut msgs: Vec<String> = Vec::new();
    let mut in_msg = false;
    for line in stderr.lines() {
        let t = line.trim();
        if let Some(m) = t.strip_prefix("× ") {
            if m.starts_with("the schema has ") {
                in_msg = false;
                continue;
            }
            msgs.push(m.trim().to_string());
            in_msg = true;
        } else if in_msg && t.starts_with('│') && !t.contains("─[") {
            let rest = t.trim_start_matches('│').trim();
            if !rest.is_empty() {
                if let Some(last) = msgs.last_mut() {
                    last.push_str(" / ");
                    last.push_str(rest);
                }
            }
        } else {
            in_msg = false;
        }
    }
    if msgs.is_empty() {
        let first: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).take(3).collect();
        if !first.is_empty() {
            msgs.push(first.join(" / "));
        }
    }
    msgs
}

/// Line numbers (1-based) that `× ... ╭─[file:LINE:COL]` diagnostics point at, in order.
pub fn error_lines(stderr: &str) -> Vec<usize> {
    stderr
        .lines()
        .filter_map(|l| {
            let start = l.find("─[")? + "─[".len();
            let inner = &l[start..l[start..].find(']')? + start];
            let mut parts = inner.rsplitn(3, ':');
            let _col = parts.next()?;
            parts.next()?.parse().ok()
        })
        .collect()
}

pub fn one_line(s: &str, max: usize) -> String {
    let s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > max {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    } else {
        s
    }
}

// ---------------------------------------------------------------------------
// Scope: what pgstate itself says about the files
// ---------------------------------------------------------------------------

/// The object kind a statement beginning at `line` belongs to, when pgstate
/// does not model it (our own look at the text, used only to explain a
/// syntax error pgstate reports inside such a statement).
pub fn unmodelled_statement(line: &str) -> Option<String> {
    let words: Vec<String> = line
        .split(|c: char| c.is_whitespace() || c == '(')
        .filter(|w| !w.is_empty())
        .take(6)
        .map(str::to_ascii_uppercase)
        .collect();
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let rest: &[&str] = match w.as_slice() {
        ["CREATE", "OR", "REPLACE", rest @ ..] => rest,
        ["CREATE", rest @ ..] => rest,
        ["GRANT", ..] => return Some("GRANT".into()),
        ["REVOKE", ..] => return Some("REVOKE".into()),
        _ => return None,
    };
    let kind = match rest {
        ["MATERIALIZED", "VIEW", ..] => "CREATE MATERIALIZED VIEW",
        ["VIEW", ..] | ["RECURSIVE", "VIEW", ..] | ["TEMP" | "TEMPORARY", "VIEW", ..] => "CREATE VIEW",
        ["FUNCTION", ..] => "CREATE FUNCTION",
        ["PROCEDURE", ..] => "CREATE PROCEDURE",
        ["TRIGGER", ..] | ["CONSTRAINT", "TRIGGER", ..] => "CREATE TRIGGER",
        ["POLICY", ..] => "CREATE POLICY",
        ["RULE", ..] => "CREATE RULE",
        ["AGGREGATE", ..] => "CREATE AGGREGATE",
        ["OPERATOR", ..] => "CREATE OPERATOR",
        ["COLLATION", ..] => "CREATE COLLATION",
        ["FOREIGN", ..] => "CREATE FOREIGN TABLE",
        ["CAST", ..] => "CREATE CAST",
        _ => return None,
    };
    Some(kind.to_string())
}

/// The statement kind pgstate's syntax error at `line` falls in, if unmodelled.
pub fn unmodelled_at(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut i = line.min(lines.len());
    while i > 0 {
        let l = lines[i - 1].trim_start();
        let upper = l.to_ascii_uppercase();
        if upper.starts_with("CREATE ")
            || upper.starts_with("ALTER ")
            || upper.starts_with("GRANT ")
            || upper.starts_with("REVOKE ")
            || upper.starts_with("COMMENT ")
        {
            return unmodelled_statement(l);
        }
        i -= 1;
    }
    None
}

/// What `pgstate check` says about one file: out-of-scope reasons (object
/// kinds pgstate does not model) and other rejections.
pub struct CheckResult {
    pub out_of_scope: BTreeSet<String>,
    pub rejected: Vec<String>,
}

pub fn check_file(path: &Path, text: &str) -> CheckResult {
    let out = pgstate(&["check", "--schema", &path.to_string_lossy()]);
    let mut result = CheckResult { out_of_scope: BTreeSet::new(), rejected: Vec::new() };
    if out.ok {
        return result;
    }
    let upper = text.to_ascii_uppercase();
    let lines = error_lines(&out.stderr);
    for (i, m) in error_messages(&out.stderr).into_iter().enumerate() {
        if let Some(rest) = m.strip_prefix("unsupported statement: ") {
            let what = match rest.find(" (only enum") {
                Some(_) => "CREATE TYPE (a base type)".to_string(),
                None => rest.to_string(),
            };
            result.out_of_scope.insert(format!("uses {what}"));
        } else if m.starts_with("unsupported table form") {
            if upper.contains("PARTITION BY") || upper.contains("PARTITION OF") {
                result.out_of_scope.insert("uses partitioning (PARTITION BY / PARTITION OF)".into());
            }
            if upper.contains("INHERITS") {
                result.out_of_scope.insert("uses inheritance (INHERITS)".into());
            }
            if !upper.contains("PARTITION") && !upper.contains("INHERITS") {
                result.out_of_scope.insert("uses CREATE TABLE ... AS / LIKE".into());
            }
        } else if m.contains("ROW LEVEL SECURITY") && m.starts_with("unsupported") {
            result.out_of_scope.insert("uses row-level security (ALTER TABLE ... ROW LEVEL SECURITY)".into());
        } else if m.starts_with("syntax error") {
            match lines.get(i).and_then(|&l| unmodelled_at(text, l)) {
                Some(kind) => {
                    result.out_of_scope.insert(format!("uses {kind} (pgstate reports \"{}\" in it)", one_line(&m, 60)));
                }
                None => result.rejected.push(m),
            }
        } else {
            result.rejected.push(m);
        }
    }
    result
}

// ---------------------------------------------------------------------------
// Databases
// ---------------------------------------------------------------------------

/// A handle on database `name` that runs the `psql` binary of the cluster's
/// own bin directory when there is one: Debian's `/usr/bin/psql` is a Perl
/// wrapper that costs ~50 ms a call, and a case makes a dozen calls.
pub fn fast_db(cluster: &PgCluster, name: &str) -> Db {
    let mut db = cluster.db(name);
    let direct = cluster.bin_dir().join("psql");
    if direct.is_file() {
        db.psql_bin = direct;
    }
    db
}

static DB_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh database, dropped when this goes out of scope.
pub struct TempDb<'c> {
    pub cluster: &'c PgCluster,
    pub db: Db,
}

impl<'c> TempDb<'c> {
    pub fn new(cluster: &'c PgCluster, prefix: &str) -> Result<TempDb<'c>, String> {
        let name = format!("{prefix}_{}", DB_COUNTER.fetch_add(1, Ordering::SeqCst));
        fast_db(cluster, "postgres")
            .psql(&format!("CREATE DATABASE {name}"))
            .map_err(|e| format!("harness: CREATE DATABASE {name}: {e}"))?;
        Ok(TempDb { cluster, db: fast_db(cluster, &name) })
    }
}

impl Drop for TempDb<'_> {
    fn drop(&mut self) {
        let _ =
            fast_db(self.cluster, "postgres").psql(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.db.name));
    }
}

/// `setup.sql` and then `body` in one session (setup may `SET search_path`).
pub fn load(db: &Db, setup: &str, body: &str) -> Result<(), String> {
    db.psql(&format!("{setup}\n;\n{body}\n")).map(|_| ())
}

/// User schemas of `db` (not pg_*, information_schema, or extension-owned).
pub fn user_schemas(db: &Db) -> Result<BTreeSet<String>, String> {
    let out = db.psql(
        "SELECT n.nspname FROM pg_namespace n \
         WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' \
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass \
                           AND d.objid = n.oid AND d.deptype = 'e')",
    )?;
    Ok(out.lines().filter(|l| !l.is_empty()).map(str::to_string).collect())
}

/// The schema a snapshot line is about (None for extensions).
pub fn line_schema(line: &str) -> Option<&str> {
    let mut words = line.splitn(4, ' ');
    let fact = words.next()?;
    let name = match fact {
        "schema" => return words.next(),
        "extension" => return None,
        // acl <type words> <identity> ...: a schema's identity is its name.
        "acl" => {
            let rest = line.strip_prefix("acl ")?;
            if let Some(schema) = rest.strip_prefix("schema ") {
                return schema.split(' ').next();
            }
            rest.split(' ').find(|w| w.contains('.'))?
        }
        // default_acl <role> <schema|-> ...
        "default_acl" => {
            words.next()?;
            return words.next().filter(|s| *s != "-");
        }
        "comment" => {
            // comment <type> <identity> <text>: the type may be two words ("table column").
            let rest = line.strip_prefix("comment ")?;
            let mut it = rest.split(' ');
            let mut ident = it.next()?;
            while !ident.contains('.') {
                ident = it.next()?;
            }
            ident
        }
        _ => words.next()?,
    };
    name.split('.').next()
}

/// Snapshot lines, restricted to the case's schema scope.
pub fn scoped(lines: Vec<String>, only: &Option<String>, excluded: &[String]) -> Vec<String> {
    lines
        .into_iter()
        .filter(|l| match line_schema(l) {
            None => only.is_none(),
            Some(s) => only.as_deref().is_none_or(|o| o == s) && !excluded.iter().any(|e| e == s),
        })
        .collect()
}

/// One line describing how `got` differs from `want` (`-` only in got, `+` only in want).
pub fn describe_diff(got: &[String], want: &[String]) -> (String, String) {
    let diff = diff_lines(got, want);
    let changed: Vec<String> =
        diff.iter().filter(|(t, _)| *t != "  ").map(|(t, l)| format!("{}{}", t.trim(), l)).collect();
    let shown: Vec<String> = changed.iter().take(3).map(|l| one_line(l, 150)).collect();
    let more = if changed.len() > 3 { format!(" (+{} more)", changed.len() - 3) } else { String::new() };
    (format!("catalog differs: {}{more}", shown.join(" | ")), changed.join("\n"))
}

// ---------------------------------------------------------------------------
// Kinds: what a case changes, read from the two snapshots
// ---------------------------------------------------------------------------

/// Field of a `column` snapshot line.
pub fn column_fields(line: &str) -> Option<(String, BTreeMap<&'static str, String>)> {
    let rest = line.strip_prefix("column ")?;
    let ti = rest.find(" type=")?;
    let key = rest[..ti].to_string();
    let attrs = &rest[ti + 1..];
    let markers = ["type=", " notnull=", " default=", " identity=", " generated=", " collation="];
    let mut pos = Vec::new();
    let mut from = 0;
    for (i, m) in markers.iter().enumerate() {
        // default= is free text: find the later markers from the right.
        let p = if i >= 3 { attrs.rfind(m)? } else { from + attrs[from..].find(m)? };
        pos.push(p);
        from = p + m.len();
    }
    let mut fields = BTreeMap::new();
    for (i, m) in markers.iter().enumerate() {
        let start = pos[i] + m.len();
        let end = if i + 1 < markers.len() { pos[i + 1] } else { attrs.len() };
        fields.insert(m.trim().trim_end_matches('='), attrs[start..end.max(start)].to_string());
    }
    Some((key, fields))
}

pub fn constraint_kind(line: &str) -> &'static str {
    let candidates = [
        (" PRIMARY KEY (", "primary key"),
        (" UNIQUE ", "unique"),
        (" CHECK (", "check"),
        (" FOREIGN KEY (", "foreign key"),
        (" EXCLUDE ", "exclusion"),
        (" NOT NULL ", "not null"),
    ];
    candidates
        .iter()
        .filter_map(|(pat, kind)| line.find(pat).map(|p| (p, *kind)))
        .min()
        .map(|(_, k)| k)
        .unwrap_or("constraint")
}

pub fn kinds_of(current: &[String], desired: &[String], case: &Case) -> BTreeSet<String> {
    let mut kinds = BTreeSet::new();
    let diff = diff_lines(current, desired);
    let cols = |lines: &[String]| -> BTreeMap<String, BTreeMap<&'static str, String>> {
        lines.iter().filter_map(|l| column_fields(l)).collect()
    };
    let (cur_cols, des_cols) = (cols(current), cols(desired));
    let tables = |lines: &[String]| -> BTreeSet<String> {
        lines
            .iter()
            .filter_map(|l| l.strip_prefix("table ").and_then(|r| r.find(" persistence=").map(|p| r[..p].to_string())))
            .collect()
    };
    let (cur_tables, des_tables) = (tables(current), tables(desired));
    for (tag, line) in diff {
        if tag == "  " {
            continue;
        }
        let fact = line.split(' ').next().unwrap_or("");
        match fact {
            "table" => {
                let key =
                    line.strip_prefix("table ").and_then(|r| r.find(" persistence=").map(|p| &r[..p])).unwrap_or("");
                if cur_tables.contains(key) && des_tables.contains(key) {
                    kinds.insert("unlogged".to_string());
                } else {
                    kinds.insert("table".to_string());
                }
            }
            "column" => {
                let Some((key, f)) = column_fields(line) else {
                    kinds.insert("column".into());
                    continue;
                };
                match (cur_cols.get(&key), des_cols.get(&key)) {
                    (Some(a), Some(b)) => {
                        for (field, kind) in [
                            ("type", "column type"),
                            ("notnull", "not null"),
                            ("default", "default"),
                            ("identity", "identity"),
                            ("generated", "generated"),
                            ("collation", "collation"),
                        ] {
                            if a.get(field) != b.get(field) {
                                kinds.insert(kind.to_string());
                            }
                        }
                    }
                    _ => {
                        kinds.insert("column".into());
                        if f.get("identity").is_some_and(|v| !v.is_empty()) {
                            kinds.insert("identity".into());
                        }
                        if f.get("generated").is_some_and(|v| !v.is_empty()) {
                            kinds.insert("generated".into());
                        }
                        if f.get("default").is_some_and(|v| !v.is_empty() && !v.starts_with("nextval(")) {
                            kinds.insert("default".into());
                        }
                    }
                }
            }
            "identity_sequence" => {
                kinds.insert("identity".into());
            }
            "constraint" => {
                kinds.insert(constraint_kind(line).to_string());
            }
            "partition" | "partition_key" => {
                kinds.insert("partition".into());
            }
            "acl" | "default_acl" => {
                kinds.insert("privileges".into());
            }
            other => {
                kinds.insert(other.to_string());
            }
        }
    }
    if case.desired.contains("@renamed") || case.current.contains("@renamed") {
        kinds.insert("rename".into());
    }
    if kinds.is_empty() || kinds == BTreeSet::from(["rename".to_string()]) {
        kinds.insert("no-op".into());
    }
    kinds
}

// ---------------------------------------------------------------------------
// Running one case
// ---------------------------------------------------------------------------

/// Runs `case_dir` in the given directions on `cluster` (roles from the
/// case's setup.sql should already exist: see [`create_roles`]).
pub fn run_case(cluster: &PgCluster, case_dir: &Path, directions: &[Direction]) -> CaseReport {
    let started = Instant::now();
    let mut details = String::new();
    let case = match Case::load(case_dir) {
        Ok(c) => c,
        Err(e) => {
            return CaseReport {
                id: case_dir.display().to_string(),
                folder: String::new(),
                source: String::new(),
                conditions: Vec::new(),
                kinds: BTreeSet::new(),
                outcomes: directions.iter().map(|d| (*d, Outcome::Fail(format!("cannot read case: {e}")))).collect(),
                secs: 0.0,
            };
        }
    };
    let mut report = CaseReport {
        id: case.id.clone(),
        folder: case.folder.clone(),
        source: case.source.clone(),
        conditions: case.conditions.clone(),
        kinds: BTreeSet::new(),
        outcomes: BTreeMap::new(),
        secs: 0.0,
    };
    let outcomes = run_directions(cluster, &case, directions, &mut report.kinds, &mut details);
    report.outcomes = outcomes;
    report.secs = started.elapsed().as_secs_f64();
    let _ = writeln!(details, "\n== outcomes");
    for (d, o) in &report.outcomes {
        let _ = writeln!(details, "{} {} {}", d.name(), o.label(), o.reason());
    }
    write_details(&case, &details);
    report
}

pub fn write_details(case: &Case, details: &str) {
    let dir = DETAILS.get().expect("conformance::runner::init not called").clone();
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{}.txt", case.id.replace('/', "__"))), details);
}

pub fn run_directions(
    cluster: &PgCluster,
    case: &Case,
    directions: &[Direction],
    kinds: &mut BTreeSet<String>,
    details: &mut String,
) -> BTreeMap<Direction, Outcome> {
    let all = |o: Outcome| directions.iter().map(|d| (*d, o.clone())).collect::<BTreeMap<_, _>>();

    // 1. Out of scope: does not load on PostgreSQL 15 as written.
    if !case.applies_pg15 {
        let why = if case.conditions.is_empty() {
            "does not load on PostgreSQL 15 as written".to_string()
        } else {
            format!("does not load on PostgreSQL 15 as written ({})", case.conditions.join("; "))
        };
        return all(Outcome::OutOfScope(why));
    }

    // 2. Out of scope: object kinds pgstate does not model, as pgstate says.
    let check_cur = check_file(&case.current_path(), &case.current);
    let check_des = check_file(&case.desired_path(), &case.desired);
    let _ =
        writeln!(details, "== check current.sql: oos={:?} rejected={:?}", check_cur.out_of_scope, check_cur.rejected);
    let _ =
        writeln!(details, "== check desired.sql: oos={:?} rejected={:?}", check_des.out_of_scope, check_des.rejected);
    let oos: BTreeSet<String> = check_cur.out_of_scope.union(&check_des.out_of_scope).cloned().collect();
    if !oos.is_empty() {
        return all(Outcome::OutOfScope(oos.into_iter().collect::<Vec<_>>().join("; ")));
    }
    let rejected = |r: &CheckResult, file: &str| -> Option<String> {
        r.rejected.first().map(|m| {
            let more = if r.rejected.len() > 1 { format!(" (+{} more)", r.rejected.len() - 1) } else { String::new() };
            format!("pgstate check rejects {file}: {}{more}", one_line(m, 200))
        })
    };
    let rej_cur = rejected(&check_cur, "current.sql");
    let rej_des = rejected(&check_des, "desired.sql");

    // 3. The two reference databases.
    let (db_cur, db_des) = match (TempDb::new(cluster, "cf_cur"), TempDb::new(cluster, "cf_des")) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return all(Outcome::Fail(e)),
    };
    if let Err(e) = load(&db_cur.db, &case.setup, &case.current) {
        return all(Outcome::Fail(format!("harness: current.sql does not load: {}", one_line(&e, 200))));
    }
    if let Err(e) = load(&db_des.db, &case.setup, &case.desired) {
        return all(Outcome::Fail(format!("harness: desired.sql does not load: {}", one_line(&e, 200))));
    }
    let (only, excluded) = case.scope();
    let schemas: BTreeSet<String> = match (user_schemas(&db_cur.db), user_schemas(&db_des.db)) {
        (Ok(a), Ok(b)) => {
            let mut s: BTreeSet<String> = a.union(&b).cloned().collect();
            s.insert("public".into());
            match &only {
                Some(o) => BTreeSet::from([o.clone()]),
                None => s.into_iter().filter(|x| !excluded.contains(x)).collect(),
            }
        }
        (Err(e), _) | (_, Err(e)) => return all(Outcome::Fail(format!("harness: listing schemas: {e}"))),
    };
    let schemas_arg = schemas.iter().cloned().collect::<Vec<_>>().join(",");
    let _ = writeln!(details, "== schemas: {schemas_arg}");
    let roles = &case.managed_roles;
    let snap_cur = scoped(snapshot_lines_with_roles(&db_cur.db, roles), &only, &excluded);
    let snap_des = scoped(snapshot_lines_with_roles(&db_des.db, roles), &only, &excluded);
    *kinds = kinds_of(&snap_cur, &snap_des, case);
    let no_op = case.same || snap_cur == snap_des;
    let _ = writeln!(details, "== kinds: {kinds:?} no_op={no_op}");

    // The session pgstate connects with: setup.sql's search_path, if it sets one
    // (pgstate puts unqualified names in the first schema of the search_path).
    let url = |db: &Db| match session_search_path(&case.setup) {
        Some(path) => format!("{}?options={}", db.url(), percent_encode(&format!("-c search_path={path}"))),
        None => db.url(),
    };

    let mut outcomes = BTreeMap::new();
    for &d in directions {
        let (outcome, rejection) = match d {
            Direction::Forward => (
                live_direction(
                    &db_cur.db,
                    &url(&db_cur.db),
                    &case.desired_path(),
                    &schemas_arg,
                    roles,
                    &snap_des,
                    no_op,
                    &only,
                    &excluded,
                    "forward",
                    details,
                ),
                &rej_des,
            ),
            Direction::Backward => (
                live_direction(
                    &db_des.db,
                    &url(&db_des.db),
                    &case.current_path(),
                    &schemas_arg,
                    roles,
                    &snap_cur,
                    no_op,
                    &only,
                    &excluded,
                    "backward",
                    details,
                ),
                &rej_cur,
            ),
            Direction::Offline => (
                offline_direction(cluster, case, &schemas_arg, &snap_des, no_op, &only, &excluded, details),
                if rej_des.is_some() { &rej_des } else { &rej_cur },
            ),
        };
        // A failure in a file `pgstate check` rejects is explained by the rejection.
        let outcome = match (outcome, rejection) {
            (Outcome::Fail(_), Some(r)) => Outcome::Fail(r.clone()),
            (o, _) => o,
        };
        outcomes.insert(d, outcome);
    }
    outcomes
}

/// The search_path a `SET search_path TO a, b;` in setup.sql gives the session
/// (spaces removed: the server splits `options` on whitespace).
pub fn session_search_path(setup: &str) -> Option<String> {
    setup.split(';').rev().find_map(|stmt| {
        let words: Vec<&str> = stmt.split_whitespace().collect();
        if words.len() >= 3 && words[0].eq_ignore_ascii_case("SET") && words[1].eq_ignore_ascii_case("search_path") {
            let rest = stmt[stmt.to_ascii_lowercase().find("search_path")? + "search_path".len()..].trim_start();
            let value = rest
                .strip_prefix('=')
                .or_else(|| rest.get(..2).filter(|p| p.eq_ignore_ascii_case("to")).map(|_| &rest[2..]))?;
            Some(value.split(',').map(str::trim).collect::<Vec<_>>().join(","))
        } else {
            None
        }
    })
}

pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `pgstate apply` of `target` to `db`, then compare with `want` and re-plan.
#[allow(clippy::too_many_arguments)]
pub fn live_direction(
    db: &Db,
    url: &str,
    target: &Path,
    schemas: &str,
    roles: &[String],
    want: &[String],
    no_op: bool,
    only: &Option<String>,
    excluded: &[String],
    label: &str,
    details: &mut String,
) -> Outcome {
    let target = target.to_string_lossy();
    let roles_arg = roles.join(",");
    let mut plan_args = vec!["plan", "--url", url, "--schema", &target, "--schemas", schemas];
    // Privilege cases run with their managed roles listed.
    if !roles.is_empty() {
        plan_args.extend(["--roles", &roles_arg]);
    }
    let plan_args = plan_args.as_slice();
    if no_op {
        let first = pgstate(plan_args);
        let _ = writeln!(details, "\n== {label}: first plan (no-op case)\n{}{}", first.stdout, first.stderr);
        if !first.ok {
            return Outcome::Fail(format!(
                "plan failed: {}",
                one_line(&error_messages(&first.stderr).join(" // "), 300)
            ));
        }
        if !first.stdout.trim().is_empty() {
            return Outcome::Fail(format!(
                "no-op case (current and desired are the same schema) but the plan is not empty: {}",
                one_line(first.stdout.lines().find(|l| !l.starts_with("--")).unwrap_or(""), 200)
            ));
        }
    }
    let mut apply_args =
        vec!["apply", "--url", url, "--schema", &target, "--schemas", schemas, "--allow-destructive", "--yes"];
    if !roles.is_empty() {
        apply_args.extend(["--roles", &roles_arg]);
    }
    let apply = pgstate(&apply_args);
    let _ = writeln!(details, "\n== {label}: apply (ok={})\n{}{}", apply.ok, apply.stdout, apply.stderr);
    if !apply.ok {
        let msgs = error_messages(&apply.stderr);
        let msg = msgs.join(" // ");
        if msg.contains("still differs from the desired schema after applying") {
            let rest: Vec<&str> = apply
                .stderr
                .lines()
                .skip_while(|l| !l.contains("still differs"))
                .skip(1)
                .map(|l| l.trim().trim_start_matches('│').trim())
                .filter(|l| !l.is_empty() && !l.starts_with("--"))
                .take(1)
                .collect();
            return Outcome::Fail(format!(
                "apply does not converge: re-plan not empty: {}",
                one_line(&rest.join(" "), 200)
            ));
        }
        return Outcome::Fail(format!("apply failed: {}", one_line(&msg, 300)));
    }
    let got = scoped(snapshot_lines_with_roles(db, roles), only, excluded);
    if got != want {
        let (line, full) = describe_diff(&got, want);
        let _ = writeln!(details, "\n== {label}: catalog diff (- after apply, + expected)\n{full}");
        return Outcome::Fail(line);
    }
    let again = pgstate(plan_args);
    if !again.ok {
        return Outcome::Fail(format!(
            "second plan failed: {}",
            one_line(&error_messages(&again.stderr).join(" // "), 300)
        ));
    }
    if !again.stdout.trim().is_empty() {
        let _ = writeln!(details, "\n== {label}: second plan\n{}", again.stdout);
        return Outcome::Fail(format!(
            "second plan not empty: {}",
            one_line(again.stdout.lines().find(|l| !l.starts_with("--")).unwrap_or(""), 200)
        ));
    }
    Outcome::Pass
}

/// `pgstate plan --schema desired --from current` (no database), run on a
/// fresh copy of current with psql in one transaction, compared with desired.
#[allow(clippy::too_many_arguments)]
pub fn offline_direction(
    cluster: &PgCluster,
    case: &Case,
    schemas: &str,
    want: &[String],
    no_op: bool,
    only: &Option<String>,
    excluded: &[String],
    details: &mut String,
) -> Outcome {
    let (desired, current) = (case.desired_path(), case.current_path());
    let (desired, current) = (desired.to_string_lossy(), current.to_string_lossy());
    let roles_arg = case.managed_roles.join(",");
    let mut args = vec![
        "plan",
        "--schema",
        &desired,
        "--from",
        &current,
        "--schemas",
        schemas,
        // This direction measures the parser alone (its fidelity is reported).
        "--parser-only",
        // Its SQL runs in one transaction (below): the plain forms, as revisions have them.
        "--transactional",
    ];
    if !case.managed_roles.is_empty() {
        args.extend(["--roles", &roles_arg]);
    }
    // The files are written for the session setup.sql leaves, as in the live directions.
    let search_path = session_search_path(&case.setup);
    if let Some(path) = &search_path {
        args.extend(["--search-path", path]);
    }
    let plan = pgstate(&args);
    let _ = writeln!(details, "\n== offline: plan (ok={})\n{}{}", plan.ok, plan.stdout, plan.stderr);
    if !plan.ok {
        return Outcome::Fail(format!(
            "offline plan failed: {}",
            one_line(&error_messages(&plan.stderr).join(" // "), 300)
        ));
    }
    if no_op && !plan.stdout.trim().is_empty() {
        return Outcome::Fail(format!(
            "no-op case (current and desired are the same schema) but the offline plan is not empty: {}",
            one_line(plan.stdout.lines().find(|l| !l.starts_with("--")).unwrap_or(""), 200)
        ));
    }
    let db = match TempDb::new(cluster, "cf_off") {
        Ok(db) => db,
        Err(e) => return Outcome::Fail(e),
    };
    if let Err(e) = load(&db.db, &case.setup, &case.current) {
        return Outcome::Fail(format!("harness: current.sql does not load: {}", one_line(&e, 200)));
    }
    if let Err(e) = db.db.psql(&format!("BEGIN;\n{}\nCOMMIT;\n", plan.stdout)) {
        return Outcome::Fail(format!("offline plan fails on PostgreSQL: {}", one_line(&e, 300)));
    }
    let got = scoped(snapshot_lines_with_roles(&db.db, &case.managed_roles), only, excluded);
    if got != want {
        let (line, full) = describe_diff(&got, want);
        let _ = writeln!(details, "\n== offline: catalog diff (- after plan, + expected)\n{full}");
        return Outcome::Fail(line);
    }
    Outcome::Pass
}

/// Runs every case's setup.sql once, one at a time, on a scratch database:
/// roles are cluster-wide, and two cases creating the same role at the same
/// moment would collide. Afterwards each setup.sql only finds its roles.
pub fn create_roles(cluster: &PgCluster, case_dirs: &[PathBuf]) {
    let scratch = TempDb::new(cluster, "cf_setup").expect("a scratch database for setup.sql");
    for dir in case_dirs {
        let setup = dir.join("setup.sql");
        if setup.is_file() {
            if let Err(e) = scratch.db.psql_file(&setup) {
                eprintln!("conformance: {}: setup.sql failed on the scratch database: {e}", dir.display());
            }
        }
    }
}

/// Runs the cases on `jobs` worker threads; `on_done` sees each report as it finishes.
pub fn run_all(
    cluster: &PgCluster,
    cases: &[(PathBuf, Vec<Direction>)],
    jobs: usize,
    on_done: &(dyn Fn(usize, &CaseReport) + Sync),
) -> Vec<CaseReport> {
    let dirs: Vec<PathBuf> = cases.iter().map(|(d, _)| d.clone()).collect();
    create_roles(cluster, &dirs);
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, CaseReport)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some((dir, directions)) = cases.get(i) else {
                    break;
                };
                let report = run_case(cluster, dir, directions);
                let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                on_done(n, &report);
                results.lock().unwrap_or_else(|p| p.into_inner()).push((i, report));
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

pub fn case_dirs(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut folders: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    for folder in folders {
        let mut cases: Vec<PathBuf> = std::fs::read_dir(&folder)
            .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("meta.json").is_file())
            .collect();
        cases.sort();
        out.extend(cases);
    }
    out
}

pub fn progress_line(n: usize, total: usize, r: &CaseReport) -> String {
    let mut s = format!("[{n}/{total}] {} ({:.1}s)", r.id, r.secs);
    let reasons: BTreeSet<&str> = r.outcomes.values().map(Outcome::reason).filter(|x| !x.is_empty()).collect();
    for (d, o) in &r.outcomes {
        let _ = write!(s, " {}={}", d.name(), o.label());
    }
    for reason in reasons {
        let _ = write!(s, "\n      {}", one_line(reason, 240));
    }
    s
}

pub fn jobs() -> usize {
    std::env::var("PGSTATE_CONFORMANCE_JOBS").ok().and_then(|j| j.parse().ok()).unwrap_or(3)
}

// ---------------------------------------------------------------------------
// The summary (conformance/RESULTS.md)
// ---------------------------------------------------------------------------

#[derive(Default, Clone, Copy)]
pub struct Tally {
    pub cases: usize,
    pub oos: usize,
    pub pass: [usize; 3],
    pub fail: [usize; 3],
}

impl Tally {
    pub fn add(&mut self, r: &CaseReport) {
        self.cases += 1;
        if r.outcomes.values().all(|o| matches!(o, Outcome::OutOfScope(_))) {
            self.oos += 1;
            return;
        }
        for (i, d) in Direction::ALL.iter().enumerate() {
            match r.outcomes.get(d) {
                Some(Outcome::Pass) => self.pass[i] += 1,
                Some(Outcome::Fail(_)) => self.fail[i] += 1,
                _ => {}
            }
        }
    }

    pub fn in_scope(&self) -> usize {
        self.cases - self.oos
    }

    pub fn row(&self, label: &str) -> String {
        let cell = |i: usize| {
            let n = self.pass[i] + self.fail[i];
            if n == 0 {
                "-".to_string()
            } else {
                format!("{}/{} ({:.0}%)", self.pass[i], n, 100.0 * self.pass[i] as f64 / n as f64)
            }
        };
        format!(
            "| {label} | {} | {} | {} | {} | {} | {} |",
            self.cases,
            self.oos,
            self.in_scope(),
            cell(0),
            cell(1),
            cell(2)
        )
    }
}

pub const TALLY_HEADER: &str = "| | cases | out of scope | in scope | forward pass | backward pass | offline pass |\n|---|---:|---:|---:|---:|---:|---:|";

/// Failure causes diagnosed from the corpus: (substrings the reason must all
/// contain, label). The first match wins; other failures are grouped by their
/// reason with names blanked out.
pub const KNOWN_CAUSES: &[(&[&str], &str)] = &[
    (&["function coalesce("], "COALESCE rendered as a quoted function call `\"coalesce\"(...)`, which does not exist"),
    (&["AT TIME ZONE", "syntax error"], "a DEFAULT using AT TIME ZONE is rendered without parentheses (syntax error)"),
    (&["cannot determine type of empty array"], "the cast of an empty `ARRAY[]::int[]` default is dropped"),
    (&["cannot cast type"], "a column moved from one enum type to another is cast directly (needs `USING col::text::new_type`)"),
    (&["index storage parameters (WITH"], "index storage parameters `WITH (...)`: rejected in schema files, and a live database holding one cannot be introspected"),
    (&["could not read back the catalog", "found: ARRAY"], "introspection cannot parse PostgreSQL's deparsed index expression (`VARIADIC ARRAY[...]`)"),
    (&["could not read back the catalog", "is not a 64-bit integer"], "introspection cannot read the bound -9223372036854775808 of a descending identity sequence"),
    (&["re-plan not empty: DROP INDEX"], "an index with an explicit operator class never converges (default opclass spelled out, or an extension opclass read back schema-qualified)"),
    (&["re-plan not empty: CREATE SCHEMA"], "objects of the desired file outside `--schemas` are created, then never seen again (does not converge)"),
    (&["USING INDEX"], "`PRIMARY KEY ... USING INDEX` is not supported"),
    (&["unknown type INTEGER ARRAY"], "SQL-standard array syntax `integer array` is not understood"),
    (&["RESTART value"], "changing identity options fails when the new MINVALUE/MAXVALUE exclude the sequence's current value"),
    (&["because other objects depend on it"], "a referenced key (column or constraint) is dropped before the foreign key, of a dropped table, that depends on it"),
    (&["relation \"", "does not exist"], "steps on a renamed table run before the RENAME (relation does not exist)"),
    (&["TYPE numeric("], "`numeric(p)` is read back as `numeric(p,0)`: every plan has a spurious `ALTER COLUMN ... TYPE numeric(p)`"),
    (&["is used but not created"], "a schema that exists in the database (made by setup.sql) but that the file does not create is rejected"),
    (&["catalog differs", " WITH ("], "index storage parameters are re-ordered (sorted) instead of kept in the file's order"),
    (&["catalog differs", "::bpchar"], "a `'JPN'::bpchar` default is re-rendered as `'JPN'::character`, i.e. character(1): the default becomes 'J' (and `::timestamp` becomes `::timestamptz`)"),
    (&["no-op case"], "spurious plan on equal schemas (e.g. `numeric(10)` vs `numeric(10,0)`)"),
    (&["catalog differs", "::money"], "a `'1.00'::money` default is re-rendered without its cast and stored differently"),
    (&["catalog differs", "= ANY"], "a CHECK / index WHERE using `= ANY (ARRAY[...])` is re-rendered (as `IN (...)`, casts moved) and PostgreSQL stores it differently"),
];

/// A short cause for a failure, for grouping.
pub fn cause(reason: &str) -> String {
    if let Some((_, label)) = KNOWN_CAUSES.iter().find(|(subs, _)| subs.iter().all(|x| reason.contains(x))) {
        return label.to_string();
    }
    let generic = |s: &str| -> String {
        // Drop quoted names and what follows " / while running" (or psql's LINE / DETAIL / HINT).
        let s = [" / while running", " LINE ", " DETAIL: ", " HINT: "]
            .iter()
            .fold(s, |acc, cut| acc.split(cut).next().unwrap_or(acc));
        let mut out = String::new();
        let mut in_quote = false;
        for ch in s.chars() {
            if ch == '"' {
                if !in_quote {
                    out.push_str("\"…\"");
                }
                in_quote = !in_quote;
            } else if !in_quote {
                out.push(ch);
            }
        }
        one_line(&out, 110)
    };
    if let Some(rest) = reason.strip_prefix("pgstate check rejects ") {
        let msg = rest.split_once(": ").map(|x| x.1).unwrap_or(rest);
        let msg = msg.split(" (+").next().unwrap_or(msg);
        return format!("input rejected: {}", generic(msg));
    }
    if let Some(rest) =
        reason.strip_prefix("apply failed: ").or_else(|| reason.strip_prefix("offline plan fails on PostgreSQL: "))
    {
        let err = rest.find("ERROR:").map(|p| &rest[p..]).unwrap_or(rest);
        return format!("plan SQL fails on PostgreSQL: {}", generic(err));
    }
    if reason.starts_with("apply does not converge") || reason.starts_with("second plan not empty") {
        return "does not converge: a second plan is not empty".into();
    }
    if reason.starts_with("no-op case") {
        return "spurious plan: current and desired are the same schema".into();
    }
    if let Some(rest) = reason.strip_prefix("catalog differs: ") {
        let facts: BTreeSet<&str> =
            rest.split(" | ").filter_map(|l| l.trim_start_matches(['-', '+']).split(' ').next()).collect();
        return format!("wrong result: {} differ", facts.into_iter().collect::<Vec<_>>().join(", "));
    }
    if reason.starts_with("offline plan failed") {
        return format!("offline plan failed: {}", generic(reason.trim_start_matches("offline plan failed: ")));
    }
    generic(reason)
}

pub fn summarize(
    reports: &[CaseReport],
    elapsed: Duration,
    version_num: u32,
    jobs: usize,
    filter: Option<&str>,
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# pgstate conformance results\n");
    let _ = writeln!(
        s,
        "Generated by `just conformance` (`PGSTATE_CONFORMANCE=all cargo test --release --test conformance conformance_full -- --nocapture`);\n\
         do not edit by hand. Corpus: `../shared/conformance` (see its README.md). Harness and property: `tests/conformance.rs`.\n"
    );
    let _ = writeln!(
        s,
        "PostgreSQL {}.{}, {} worker threads, {} cases in {:.0} s{}.\n",
        version_num / 10000,
        version_num % 10000,
        jobs,
        reports.len(),
        elapsed.as_secs_f64(),
        filter.map(|f| format!(" (filter {f:?})")).unwrap_or_default()
    );
    let _ = writeln!(
        s,
        "Directions: **forward** = `pgstate apply` current -> desired on a live database; **backward** = desired -> current; \
         **offline** = `pgstate plan --schema desired.sql --from current.sql` with no database, the SQL run with psql \
         (ON_ERROR_STOP, one transaction) on a database loaded with current.sql. A direction passes when the catalog snapshot \
         (`tests/support/catalog.rs`) equals that of a database loaded with the target file, and (live directions) a second plan is empty; \
         when current and desired are already the same schema, the first plan must be empty too.\n"
    );

    let search_path_cases = reports.iter().filter(|r| r.conditions.iter().any(|c| c.contains("search_path"))).count();
    let _ = writeln!(
        s,
        "Harness: `setup.sql` runs in the same session just before each file (it may `SET search_path`); the roles it creates \
         are created once, up front. pgstate connects as the superuser with `--schemas` = the user schemas of both databases plus \
         `public` (migra's `--exclude_schema` / `--schema` conditions narrow both that list and the comparison). pgstate puts \
         unqualified names in the first schema of the session's search_path, so for the {search_path_cases} cases meant to run \
         with `search_path foo, public` the URL carries `options=-c%20search_path%3Dfoo%2Cpublic`, and the offline plan is \
         made with `--search-path foo,public`.\n"
    );

    // Overall and per folder.
    let mut overall = Tally::default();
    let mut per_folder: BTreeMap<String, Tally> = BTreeMap::new();
    for r in reports {
        overall.add(r);
        per_folder.entry(r.folder.clone()).or_default().add(r);
    }
    let _ = writeln!(s, "## Overall\n\n{TALLY_HEADER}");
    for (f, t) in &per_folder {
        let _ = writeln!(s, "{}", t.row(f));
    }
    let _ = writeln!(s, "{}\n", overall.row("**all**"));
    let all_three = reports.iter().filter(|r| r.outcomes.values().all(|o| *o == Outcome::Pass)).count();
    let _ = writeln!(
        s,
        "In-scope cases passing in all three directions: {all_three}/{} ({:.0}%).\n",
        overall.in_scope(),
        pct(all_three, overall.in_scope())
    );
    let _ = writeln!(
        s,
        "**Parser-only fidelity** (in-scope cases whose offline plan, made with no database, converges): {}/{} ({:.0}%).\n",
        overall.pass[2],
        overall.in_scope(),
        pct(overall.pass[2], overall.in_scope())
    );

    // Per kind.
    let mut per_kind: BTreeMap<String, Tally> = BTreeMap::new();
    for r in reports.iter().filter(|r| !is_oos(r)) {
        for k in &r.kinds {
            per_kind.entry(k.clone()).or_default().add(r);
        }
        if r.kinds.is_empty() {
            per_kind.entry("(not classified: did not load)".into()).or_default().add(r);
        }
    }
    let _ = writeln!(
        s,
        "## Per object kind (in-scope cases)\n\nA case counts under every kind its current and desired snapshots differ in \
         (`column type`, `not null`, `default`... are changes to an existing column; `column` is a column added or dropped; \
         `rename` = the desired file has a `@renamed` hint; `no-op` = nothing differs).\n\n{TALLY_HEADER}"
    );
    for (k, t) in &per_kind {
        let _ = writeln!(s, "{}", t.row(k));
    }
    let _ = writeln!(s);

    // Per source file.
    let mut per_source: BTreeMap<String, Tally> = BTreeMap::new();
    for r in reports {
        let src = if r.folder == "migra" { "migra tests/FIXTURES".to_string() } else { r.source.clone() };
        per_source.entry(src).or_default().add(r);
    }
    let _ = writeln!(s, "## Per source file in the peer repository\n\n{TALLY_HEADER}");
    for (k, t) in &per_source {
        let _ = writeln!(s, "{}", t.row(&format!("`{k}`")));
    }
    let _ = writeln!(s);

    // Per condition.
    let mut per_cond: BTreeMap<String, Tally> = BTreeMap::new();
    for r in reports {
        if r.conditions.is_empty() {
            per_cond.entry("(none)".into()).or_default().add(r);
        }
        for c in &r.conditions {
            per_cond.entry(c.clone()).or_default().add(r);
        }
    }
    let _ = writeln!(s, "## Per condition (meta.json `conditions`)\n\n{TALLY_HEADER}");
    for (k, t) in &per_cond {
        let _ = writeln!(s, "{}", t.row(k));
    }
    let _ = writeln!(s);

    // Causes of misses.
    let mut causes: BTreeMap<String, (usize, BTreeSet<String>, [usize; 3])> = BTreeMap::new();
    for r in reports {
        let mut seen = BTreeSet::new();
        for (i, d) in Direction::ALL.iter().enumerate() {
            if let Some(Outcome::Fail(reason)) = r.outcomes.get(d) {
                let c = cause(reason);
                let e = causes.entry(c.clone()).or_default();
                e.2[i] += 1;
                if seen.insert(c) {
                    e.0 += 1;
                    e.1.insert(r.id.clone());
                }
            }
        }
    }
    let mut causes: Vec<_> = causes.into_iter().collect();
    causes.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
    let failing_cases = reports.iter().filter(|r| r.outcomes.values().any(|o| matches!(o, Outcome::Fail(_)))).count();
    let _ = writeln!(
        s,
        "## Main causes of misses\n\n{failing_cases} in-scope cases fail in at least one direction. Causes, grouped from the \
         failure reasons (a case may have several):\n\n| cause | cases | forward | backward | offline | examples |\n|---|---:|---:|---:|---:|---|"
    );
    for (c, (n, ids, per_dir)) in &causes {
        let ex: Vec<String> = ids.iter().take(3).map(|i| format!("`{i}`")).collect();
        let _ = writeln!(
            s,
            "| {} | {n} | {} | {} | {} | {} |",
            c.replace('|', "\\|"),
            per_dir[0],
            per_dir[1],
            per_dir[2],
            ex.join(", ")
        );
    }
    let _ = writeln!(s);

    // Out of scope.
    let mut oos: BTreeMap<String, usize> = BTreeMap::new();
    for r in reports.iter().filter(|r| is_oos(r)) {
        let reason = r.outcomes.values().next().map(Outcome::reason).unwrap_or("");
        let key = if reason.starts_with("does not load") {
            "does not load on PostgreSQL 15 as written (meta applies_pg15: false)".to_string()
        } else {
            reason.split("; ").next().unwrap_or(reason).split(" (pgstate reports").next().unwrap_or("").to_string()
        };
        *oos.entry(key).or_default() += 1;
    }
    let mut oos: Vec<_> = oos.into_iter().collect();
    oos.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let _ = writeln!(
        s,
        "## Out of scope\n\n{} cases, by first reason (what `pgstate check` reports for current.sql or desired.sql):\n\n| reason | cases |\n|---|---:|",
        overall.oos
    );
    for (k, n) in &oos {
        let _ = writeln!(s, "| {} | {n} |", k.replace('|', "\\|"));
    }
    let _ = writeln!(s);

    // Every failure.
    let _ = writeln!(s, "## Failures\n\nOne line per failing case and direction. Details of a run: `target/tmp/conformance/<folder>__<case>.txt`.\n");
    for r in reports {
        for (d, o) in &r.outcomes {
            if let Outcome::Fail(reason) = o {
                let _ = writeln!(s, "- `{}` {}: {}", r.id, d.name(), one_line(reason, 300).replace('|', "\\|"));
            }
        }
    }
    s
}

pub fn is_oos(r: &CaseReport) -> bool {
    !r.outcomes.is_empty() && r.outcomes.values().all(|o| matches!(o, Outcome::OutOfScope(_)))
}

pub fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}
