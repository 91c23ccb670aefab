//! Real projects' schema files, as committed (`../shared/realworld`, see its
//! README): the property run for pgstate and, beside it on the same
//! databases, migra.
//!
//! Runs only with `PGSTATE_REALWORLD=1` (`just realworld`: scripts/realworld.sh, which finds the corpus and installs
//! migra). `PGSTATE_REALWORLD_DIR` overrides the corpus directory (default
//! `<repo>/../shared/realworld`); `PGSTATE_REALWORLD_FILTER=a,b` runs only the
//! cases named (and leaves `realworld/RESULTS.md` alone); `PGSTATE_MIGRA`
//! names the migra executable (default `migra` on `PATH`; when it cannot run,
//! its column says so).
//!
//! For each case (`old.sql`, `new.sql`), the judge is `pg_dump --schema-only
//! --no-owner --no-privileges` with comment lines, `SET` lines, psql
//! meta-commands and blank lines dropped, compared as text (column order
//! included). Eight checks for pgstate:
//!
//! 1. `empty/apply`: `pgstate apply --schema new.sql` onto an empty database succeeds;
//! 2. `empty/dump`: its dump equals the dump of a database loaded from `new.sql` with psql;
//! 3. `empty/replan`: a second plan there is empty;
//! 4. `noop/drift`: `pgstate drift` of the loaded database against `new.sql` finds nothing;
//! 5. `noop/offline`: `pgstate plan --from <pg_dump -s of it> --schema new.sql` is empty;
//! 6. `evolve/apply`: `pgstate apply --allow-destructive` of `new.sql` onto a database loaded from `old.sql` succeeds;
//! 7. `evolve/dump`: its dump equals the loaded `new.sql`'s;
//! 8. `evolve/replan`: a second plan there is empty.
//!
//! migra reads no files, only two databases: its `empty/*` and `evolve/*`
//! checks apply `migra --unsafe <target> <loaded new.sql>` with psql; its
//! no-op check is `migra` between two databases both loaded from `new.sql`
//! (`noop/drift`), and `noop/offline` has no migra counterpart.

mod support;

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{Db, PgCluster};

const PGSTATE: &str = env!("CARGO_BIN_EXE_pgstate");
/// A command taking longer than this is killed and its check fails.
const TIMEOUT: Duration = Duration::from_secs(300);

/// The checks, in table order.
const CHECKS: [&str; 8] = [
    "empty/apply",
    "empty/dump",
    "empty/replan",
    "noop/drift",
    "noop/offline",
    "evolve/apply",
    "evolve/dump",
    "evolve/replan",
];

/// One check's outcome: `None` when the tool has no such check.
#[derive(Clone, Debug)]
struct Check {
    pass: bool,
    secs: f64,
    note: String,
}

impl Check {
    fn new(pass: bool, secs: f64, note: impl Into<String>) -> Check {
        Check { pass, secs, note: note.into() }
    }
}

struct CmdOut {
    ok: bool,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    secs: f64,
}

/// Runs `program args`, killed after [`TIMEOUT`].
fn run(program: &str, args: &[&str]) -> CmdOut {
    let started = Instant::now();
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env_remove("DATABASE_URL")
        .env("NO_COLOR", "1")
        .env("PGCLIENTENCODING", "UTF8")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in ["PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD", "PGSERVICE", "PGOPTIONS"] {
        cmd.env_remove(var);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return CmdOut {
                ok: false,
                code: None,
                stdout: String::new(),
                stderr: format!("cannot run {program}: {e}"),
                secs: 0.0,
            }
        }
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
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break Some(st),
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => break None,
        }
    };
    let stdout = t_out.join().unwrap_or_default();
    let mut stderr = t_err.join().unwrap_or_default();
    if status.is_none() {
        stderr = format!("timed out after {}s\n{stderr}", TIMEOUT.as_secs());
    }
    CmdOut {
        ok: status.is_some_and(|s| s.success()),
        code: status.and_then(|s| s.code()),
        stdout,
        stderr,
        secs: started.elapsed().as_secs_f64(),
    }
}

/// The first lines of a tool's complaint, on one line.
fn brief(s: &str) -> String {
    let lines: Vec<&str> = s
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "Error:" && !l.starts_with("× the schema has"))
        .take(3)
        .collect();
    let mut out = lines.join(" / ");
    if out.len() > 160 {
        let mut cut = 160;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('…');
    }
    out.replace('|', "\\|")
}

/// The judge's text: the dump without comments, `SET` lines, psql
/// meta-commands (`\restrict` carries a random key) and blank lines.
fn dump(cluster: &PgCluster, db: &Db) -> Result<String, String> {
    let pg_dump = cluster.bin_dir().join("pg_dump");
    let port = db.port.to_string();
    let out = run(
        &pg_dump.to_string_lossy(),
        &["--schema-only", "--no-owner", "--no-privileges", "-h", "127.0.0.1", "-p", &port, "-U", "postgres", &db.name],
    );
    if !out.ok {
        return Err(format!("pg_dump: {}", brief(&out.stderr)));
    }
    Ok(out
        .stdout
        .lines()
        .filter(|l| {
            !(l.trim().is_empty()
                || l.starts_with("--")
                || l.starts_with("SET ")
                || l.starts_with("SELECT pg_catalog.set_config(")
                || l.starts_with('\\'))
        })
        .map(|l| format!("{l}\n"))
        .collect())
}

/// The first lines where two dumps differ, for the table.
fn first_difference(got: &str, want: &str) -> String {
    let g: Vec<&str> = got.lines().collect();
    let w: Vec<&str> = want.lines().collect();
    let i = g.iter().zip(&w).position(|(a, b)| a != b).unwrap_or(g.len().min(w.len()));
    format!(
        "dumps differ ({} vs {} lines) at line {}: got `{}`, want `{}`",
        g.len(),
        w.len(),
        i + 1,
        g.get(i).copied().unwrap_or("<end>"),
        w.get(i).copied().unwrap_or("<end>")
    )
    .replace('|', "\\|")
}

fn compare_dumps(cluster: &PgCluster, got: &Db, want: &str) -> Check {
    let started = Instant::now();
    match dump(cluster, got) {
        Ok(g) if g == want => Check::new(true, started.elapsed().as_secs_f64(), ""),
        Ok(g) => Check::new(false, started.elapsed().as_secs_f64(), first_difference(&g, want)),
        Err(e) => Check::new(false, 0.0, e),
    }
}

struct Databases<'c> {
    cluster: &'c PgCluster,
    names: Vec<String>,
}

impl<'c> Databases<'c> {
    fn new(cluster: &'c PgCluster) -> Self {
        Databases { cluster, names: Vec::new() }
    }

    /// A fresh empty database (dropped with `self`).
    fn empty(&mut self, name: &str) -> Db {
        let _ = self.cluster.db("postgres").psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        let db = self.cluster.create_db(name);
        self.names.push(name.to_string());
        db
    }

    /// A fresh database loaded from `file` with psql (ON_ERROR_STOP).
    fn loaded(&mut self, name: &str, file: &Path) -> Result<Db, String> {
        let db = self.empty(name);
        db.psql_file(file).map_err(|e| format!("psql -f {}: {}", file.display(), brief(&e)))?;
        Ok(db)
    }
}

impl Drop for Databases<'_> {
    fn drop(&mut self) {
        for n in &self.names {
            let _ = self.cluster.db("postgres").psql(&format!("DROP DATABASE IF EXISTS {n} WITH (FORCE)"));
        }
    }
}

/// `pgstate plan --url db --schema file`: `Ok(true)` when empty.
fn pgstate_plan_empty(db: &Db, schema: &Path) -> Check {
    let out = run(PGSTATE, &["plan", "--url", &db.url(), "--schema", &schema.to_string_lossy()]);
    plan_check(out)
}

fn plan_check(out: CmdOut) -> Check {
    if !out.ok {
        return Check::new(false, out.secs, brief(&out.stderr));
    }
    let steps: Vec<&str> =
        out.stdout.lines().filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with("--")).collect();
    if steps.is_empty() {
        Check::new(true, out.secs, "")
    } else {
        Check::new(false, out.secs, format!("{} plan lines, first: {}", steps.len(), brief(steps[0])))
    }
}

fn pgstate_apply(db: &Db, schema: &Path) -> Check {
    let out = run(
        PGSTATE,
        &["apply", "--url", &db.url(), "--schema", &schema.to_string_lossy(), "--yes", "--allow-destructive"],
    );
    Check::new(out.ok, out.secs, if out.ok { String::new() } else { brief(&out.stderr) })
}

/// The case's pgstate checks.
fn pgstate_case(cluster: &PgCluster, dbs: &mut Databases, case: &str, dir: &Path, want: &str) -> Vec<Option<Check>> {
    let new = dir.join("new.sql");
    let old = dir.join("old.sql");
    let mut checks = Vec::new();
    // From empty.
    let a = dbs.empty(&format!("rw_{case}_pgstate_empty"));
    let applied = pgstate_apply(&a, &new);
    let ok = applied.pass;
    checks.push(Some(applied));
    checks.push(Some(if ok { compare_dumps(cluster, &a, want) } else { Check::new(false, 0.0, "not applied") }));
    checks.push(Some(if ok { pgstate_plan_empty(&a, &new) } else { Check::new(false, 0.0, "not applied") }));
    // No-op.
    let loaded = cluster.db(&format!("rw_{case}_new"));
    let out = run(PGSTATE, &["drift", "--url", &loaded.url(), "--schema", &new.to_string_lossy()]);
    checks.push(Some(match out.code {
        Some(0) => Check::new(true, out.secs, ""),
        Some(1) => Check::new(false, out.secs, format!("drift: {}", brief(&out.stdout))),
        _ => Check::new(false, out.secs, brief(&out.stderr)),
    }));
    let dumped = std::env::temp_dir().join(format!("pgstate_realworld_{case}_{}.sql", std::process::id()));
    let pg_dump = cluster.bin_dir().join("pg_dump");
    let port = loaded.port.to_string();
    let d = run(
        &pg_dump.to_string_lossy(),
        &["-s", "-h", "127.0.0.1", "-p", &port, "-U", "postgres", "-f", &dumped.to_string_lossy(), &loaded.name],
    );
    checks.push(Some(if d.ok {
        let out = run(PGSTATE, &["plan", "--from", &dumped.to_string_lossy(), "--schema", &new.to_string_lossy()]);
        plan_check(out)
    } else {
        Check::new(false, 0.0, format!("pg_dump: {}", brief(&d.stderr)))
    }));
    let _ = std::fs::remove_file(&dumped);
    // Evolution.
    match dbs.loaded(&format!("rw_{case}_pgstate_evolve"), &old) {
        Ok(e) => {
            let applied = pgstate_apply(&e, &new);
            let ok = applied.pass;
            checks.push(Some(applied));
            checks.push(Some(if ok {
                compare_dumps(cluster, &e, want)
            } else {
                Check::new(false, 0.0, "not applied")
            }));
            checks.push(Some(if ok { pgstate_plan_empty(&e, &new) } else { Check::new(false, 0.0, "not applied") }));
        }
        Err(err) => checks.extend(std::iter::repeat_n(Some(Check::new(false, 0.0, err)), 3)),
    }
    checks
}

fn migra_url(db: &Db) -> String {
    format!("postgresql+psycopg2://postgres@127.0.0.1:{}/{}", db.port, db.name)
}

/// `migra --unsafe from to`: the migration's SQL, or why there is none.
fn migra(bin: &str, from: &Db, to: &Db) -> Result<(String, f64), String> {
    let out = run(bin, &["--unsafe", &migra_url(from), &migra_url(to)]);
    // migra exits 0 when there is nothing to do, 2 when it printed a migration.
    match out.code {
        Some(0) | Some(2) => Ok((out.stdout, out.secs)),
        _ => Err(brief(&format!("{}\n{}", out.stderr.lines().last().unwrap_or(""), out.stderr))),
    }
}

/// migra's migration from `target` to `loaded`, applied with psql, then the dump and a second run.
fn migra_converge(cluster: &PgCluster, bin: &str, target: &Db, loaded: &Db, want: &str) -> [Option<Check>; 3] {
    let (sql, secs) = match migra(bin, target, loaded) {
        Ok(x) => x,
        Err(e) => {
            return [
                Some(Check::new(false, 0.0, e)),
                Some(Check::new(false, 0.0, "not applied")),
                Some(Check::new(false, 0.0, "not applied")),
            ]
        }
    };
    let applied = match target.psql(&format!("BEGIN;\n{sql}\nCOMMIT;\n")) {
        Ok(_) => Check::new(true, secs, ""),
        Err(e) => Check::new(false, secs, format!("psql: {}", brief(&e))),
    };
    if !applied.pass {
        return [
            Some(applied),
            Some(Check::new(false, 0.0, "not applied")),
            Some(Check::new(false, 0.0, "not applied")),
        ];
    }
    let dumped = compare_dumps(cluster, target, want);
    let again = match migra(bin, target, loaded) {
        Ok((s, t)) if s.trim().is_empty() => Check::new(true, t, ""),
        Ok((s, t)) => Check::new(false, t, format!("second migration not empty: {}", brief(&s))),
        Err(e) => Check::new(false, 0.0, e),
    };
    [Some(applied), Some(dumped), Some(again)]
}

/// The case's migra checks (`None` where migra has no counterpart).
fn migra_case(
    cluster: &PgCluster,
    dbs: &mut Databases,
    bin: &str,
    case: &str,
    dir: &Path,
    want: &str,
) -> Vec<Option<Check>> {
    let loaded = cluster.db(&format!("rw_{case}_new"));
    let mut checks = Vec::new();
    let a = dbs.empty(&format!("rw_{case}_migra_empty"));
    checks.extend(migra_converge(cluster, bin, &a, &loaded, want));
    checks.push(Some(match dbs.loaded(&format!("rw_{case}_new2"), &dir.join("new.sql")) {
        Ok(twin) => match migra(bin, &twin, &loaded) {
            Ok((s, t)) if s.trim().is_empty() => Check::new(true, t, ""),
            Ok((s, t)) => Check::new(false, t, format!("migration not empty: {}", brief(&s))),
            Err(e) => Check::new(false, 0.0, e),
        },
        Err(e) => Check::new(false, 0.0, e),
    }));
    checks.push(None);
    match dbs.loaded(&format!("rw_{case}_migra_evolve"), &dir.join("old.sql")) {
        Ok(e) => checks.extend(migra_converge(cluster, bin, &e, &loaded, want)),
        Err(err) => checks.extend(std::iter::repeat_n(Some(Check::new(false, 0.0, err)), 3)),
    }
    checks
}

struct CaseResult {
    name: String,
    setup: Option<String>,
    pgstate: Vec<Option<Check>>,
    migra: Option<Vec<Option<Check>>>,
}

fn cell(c: &Option<Check>) -> String {
    match c {
        None => "n/a".into(),
        Some(c) if c.pass => format!("pass ({:.2} s)", c.secs),
        Some(c) => format!("FAIL ({:.2} s)", c.secs),
    }
}

fn tally(checks: &[Option<Check>]) -> (usize, usize) {
    let applicable = checks.iter().flatten().count();
    (checks.iter().flatten().filter(|c| c.pass).count(), applicable)
}

fn summarize(results: &[CaseResult], migra_note: &str, version: u32, elapsed: Duration) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Real schemas, as committed\n\nGenerated by `just realworld` (scripts/realworld.sh: `PGSTATE_REALWORLD=1 cargo test --test realworld`)\n\
         on PostgreSQL {}.{}, in {:.0} s, from the files in `../shared/realworld` (see its README for the property and the\n\
         checks, and tests/realworld.rs for how each is run). Times are each check's own command, pgstate as a {} build.\n",
        version / 10000,
        version % 100,
        elapsed.as_secs_f64(),
        if cfg!(debug_assertions) { "dev (unoptimised)" } else { "release" }
    );
    let (mut p, mut pt, mut m, mut mt) = (0, 0, 0, 0);
    for r in results {
        let (a, b) = tally(&r.pgstate);
        p += a;
        pt += b;
        if let Some(mc) = &r.migra {
            let (a, b) = tally(mc);
            m += a;
            mt += b;
        }
    }
    let migra_total = if mt == 0 { "not run".to_string() } else { format!("{m} of {mt}") };
    let _ = writeln!(s, "**pgstate: {p} of {pt} checks pass. migra: {migra_total}.**");
    if !migra_note.is_empty() {
        let _ = writeln!(s, "\n{migra_note}");
    }
    for r in results {
        let _ = writeln!(s, "\n## {}\n", r.name);
        if let Some(e) = &r.setup {
            let _ = writeln!(s, "The case could not be set up: {e}\n");
            continue;
        }
        let _ = writeln!(s, "| check | pgstate | migra | pgstate's failure |\n|---|---|---|---|");
        for (i, name) in CHECKS.iter().enumerate() {
            let pg = &r.pgstate[i];
            let mg = r.migra.as_ref().map(|m| cell(&m[i])).unwrap_or_else(|| "not run".into());
            let note = pg.as_ref().filter(|c| !c.pass).map(|c| c.note.clone()).unwrap_or_default();
            let _ = writeln!(s, "| {name} | {} | {mg} | {note} |", cell(pg));
        }
        if let Some(mc) = &r.migra {
            let notes: Vec<String> = CHECKS
                .iter()
                .zip(mc)
                .filter_map(|(n, c)| {
                    c.as_ref().filter(|c| !c.pass && !c.note.is_empty()).map(|c| format!("- {n}: {}", c.note))
                })
                .collect();
            if !notes.is_empty() {
                let _ = writeln!(s, "\nmigra's failures:\n{}", notes.join("\n"));
            }
        }
    }
    s
}

#[test]
fn realworld() {
    if std::env::var("PGSTATE_REALWORLD").as_deref() != Ok("1") {
        println!("realworld skipped: run it with PGSTATE_REALWORLD=1 (`just realworld`)");
        return;
    }
    let root = match std::env::var_os("PGSTATE_REALWORLD_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld"),
    };
    let filter = std::env::var("PGSTATE_REALWORLD_FILTER").ok().filter(|f| !f.is_empty());
    let mut cases: Vec<(String, PathBuf)> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("reading {}: {e}", root.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("new.sql").is_file() && p.join("old.sql").is_file())
        .map(|p| (p.file_name().expect("name").to_string_lossy().into_owned(), p))
        .filter(|(n, _)| filter.as_deref().is_none_or(|f| f.split(',').any(|x| x == n)))
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases under {}", root.display());

    let migra_bin = std::env::var("PGSTATE_MIGRA").unwrap_or_else(|_| "migra".into());
    let probe = run(&migra_bin, &["--help"]);
    let migra_note = if probe.ok {
        String::new()
    } else {
        format!("migra was not run: `{migra_bin} --help` failed ({}).", brief(&probe.stderr))
    };
    if !migra_note.is_empty() {
        println!("{migra_note}");
    }

    let cluster = PgCluster::start();
    let started = Instant::now();
    let mut results = Vec::new();
    for (name, dir) in &cases {
        println!("realworld: {name}");
        let mut dbs = Databases::new(&cluster);
        let setup = dbs.loaded(&format!("rw_{name}_new"), &dir.join("new.sql")).and_then(|db| dump(&cluster, &db));
        let want = match setup {
            Ok(w) => w,
            Err(e) => {
                results.push(CaseResult { name: name.clone(), setup: Some(e), pgstate: vec![], migra: None });
                continue;
            }
        };
        let pgstate = pgstate_case(&cluster, &mut dbs, name, dir, &want);
        let migra = probe.ok.then(|| migra_case(&cluster, &mut dbs, &migra_bin, name, dir, &want));
        for (i, check) in CHECKS.iter().enumerate() {
            println!(
                "  {check:<14} pgstate {:<16} migra {:<16} {}",
                cell(&pgstate[i]),
                migra.as_ref().map(|m| cell(&m[i])).unwrap_or_else(|| "not run".into()),
                pgstate[i].as_ref().filter(|c| !c.pass).map(|c| c.note.as_str()).unwrap_or("")
            );
        }
        results.push(CaseResult { name: name.clone(), setup: None, pgstate, migra });
    }
    let summary = summarize(&results, &migra_note, cluster.version_num(), started.elapsed());
    println!("\n{summary}");
    if filter.is_none() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("realworld/RESULTS.md");
        std::fs::create_dir_all(path.parent().expect("parent")).expect("create realworld/");
        std::fs::write(&path, &summary).expect("write realworld/RESULTS.md");
        println!("written to {}", path.display());
    }
}
