//! Planner benchmark: parse, diff, order + render and end-to-end timings on
//! synthetic schemas of 47, 1,000 and 10,000 tables.
//!
//! Plain `std`, no harness: `cargo bench --bench plan [-- SCALE...]`.
//! `PGSTATE_BENCH_QUICK=1` runs one iteration of the 47 and 1,000 table scales,
//! cheap enough for CI. `PGSTATE_BENCH_RUNS=N` overrides the runs per scale.
//!
//! Each scale has an original schema and a changed copy: about 10% of the tables
//! altered (add column, drop column, widen a varchar, add index, drop index,
//! change default), a few new tables and a few dropped ones. The bench checks
//! that planning the change is non-empty and planning a schema against itself
//! is empty, so it measures real work.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use pgstate::diff::diff;
use pgstate::model::{Catalog, ConstraintKind};
use pgstate::parse::{parse_str, Parsed};
use pgstate::plan::{from_changes, plan};

// ---------------------------------------------------------------------------
// Deterministic generator
// ---------------------------------------------------------------------------

/// A 64-bit LCG (Knuth's MMIX constants); the high bits are used.
struct Lcg(u64);

impl Lcg {
    fn new(seed: u64) -> Self {
        Lcg(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    /// Uniform-ish in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True with probability `1/n`.
    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
}

#[derive(Clone)]
struct Col {
    name: String,
    /// Type and inline clauses, e.g. `integer NOT NULL DEFAULT 0`.
    def: String,
}

#[derive(Clone)]
struct Fk {
    column: String,
    target: usize,
    on_delete: &'static str,
    /// Written as a named table constraint rather than inline `REFERENCES`.
    table_constraint: bool,
}

#[derive(Clone)]
struct Idx {
    name: String,
    columns: Vec<String>,
}

#[derive(Clone)]
struct TableSpec {
    id: usize,
    columns: Vec<Col>,
    fks: Vec<Fk>,
    check: bool,
    unique: bool,
    indexes: Vec<Idx>,
}

fn table_name(id: usize) -> String {
    format!("t{id:05}")
}

fn new_table(id: usize, live: &[usize], rng: &mut Lcg) -> TableSpec {
    let name = table_name(id);
    let varchar = [32, 64, 128, 255][rng.below(4) as usize];
    let mut columns = vec![
        Col { name: "id".into(), def: "uuid PRIMARY KEY DEFAULT uuid_generate_v4()".into() },
        Col { name: "name".into(), def: format!("varchar({varchar}) NOT NULL") },
        Col { name: "description".into(), def: "text".into() },
        Col { name: "qty".into(), def: "integer NOT NULL DEFAULT 0".into() },
        Col { name: "total".into(), def: "bigint".into() },
        Col { name: "active".into(), def: "boolean NOT NULL DEFAULT true".into() },
        Col { name: "created_at".into(), def: "timestamp NOT NULL DEFAULT now()".into() },
        Col { name: "meta".into(), def: "jsonb NOT NULL DEFAULT '{}'".into() },
        Col { name: "price".into(), def: "numeric(10,2)".into() },
    ];
    let check = rng.one_in(5);
    if check {
        columns.push(Col { name: "status".into(), def: "varchar(16) NOT NULL DEFAULT 'new'".into() });
    }
    let unique = rng.one_in(7);

    let mut fks = Vec::new();
    if !live.is_empty() {
        let count = if live.len() > 1 && rng.one_in(2) { 2 } else { 1 };
        for k in 0..count {
            let target = live[rng.below(live.len() as u64) as usize];
            let column = format!("parent{}_id", k + 1);
            let on_delete = if k == 0 { "CASCADE" } else { "SET NULL" };
            let not_null = if k == 0 { " NOT NULL" } else { "" };
            columns.push(Col { name: column.clone(), def: format!("uuid{not_null}") });
            fks.push(Fk { column, target, on_delete, table_constraint: rng.one_in(2) });
        }
    }

    let indexes = vec![
        Idx { name: format!("{name}_created_at_idx"), columns: vec!["created_at".into()] },
        Idx { name: format!("{name}_name_active_idx"), columns: vec!["name".into(), "active".into()] },
    ];
    TableSpec { id, columns, fks, check, unique, indexes }
}

fn render_table(t: &TableSpec, out: &mut String) {
    let name = table_name(t.id);
    let _ = writeln!(out, "CREATE TABLE {name} (");
    let mut lines: Vec<String> = Vec::new();
    for c in &t.columns {
        let mut line = format!("    {} {}", c.name, c.def);
        if let Some(fk) = t.fks.iter().find(|f| f.column == c.name && !f.table_constraint) {
            let _ = write!(line, " REFERENCES {} (id) ON DELETE {}", table_name(fk.target), fk.on_delete);
        }
        lines.push(line);
    }
    for fk in t.fks.iter().filter(|f| f.table_constraint) {
        lines.push(format!(
            "    CONSTRAINT {name}_{col}_fkey FOREIGN KEY ({col}) REFERENCES {target} (id) ON DELETE {act}",
            col = fk.column,
            target = table_name(fk.target),
            act = fk.on_delete,
        ));
    }
    if t.check {
        lines.push(format!(
            "    CONSTRAINT {name}_status_check CHECK (status IN ('new', 'active', 'archived', 'deleted'))"
        ));
    }
    if t.unique {
        lines.push(format!("    CONSTRAINT {name}_name_key UNIQUE (name)"));
    }
    out.push_str(&lines.join(",\n"));
    out.push_str("\n);\n");
    for i in &t.indexes {
        let _ = writeln!(out, "CREATE INDEX {} ON {name} ({});", i.name, i.columns.join(", "));
    }
    out.push('\n');
}

fn render_schema(tables: &[TableSpec]) -> String {
    let mut out = String::with_capacity(tables.len() * 900);
    out.push_str("CREATE EXTENSION \"uuid-ossp\";\n\n");
    for t in tables {
        render_table(t, &mut out);
    }
    out
}

/// The original schema and its changed copy, as table specs.
fn generate(n: usize) -> (Vec<TableSpec>, Vec<TableSpec>) {
    let mut rng = Lcg::new(n as u64);
    let mut original = Vec::with_capacity(n);
    let mut ids: Vec<usize> = Vec::with_capacity(n);
    for id in 0..n {
        let t = new_table(id, &ids, &mut rng);
        original.push(t);
        ids.push(id);
    }

    // Drop a few tables nothing else references.
    let mut referenced = vec![false; n];
    for t in &original {
        for fk in &t.fks {
            referenced[fk.target] = true;
        }
    }
    let unreferenced: Vec<usize> = (0..n).filter(|&i| !referenced[i]).collect();
    let n_drop = (n / 200 + 2).min(unreferenced.len());
    let mut dropped = vec![false; n];
    let mut picked = 0;
    while picked < n_drop {
        let i = unreferenced[rng.below(unreferenced.len() as u64) as usize];
        if !dropped[i] {
            dropped[i] = true;
            picked += 1;
        }
    }

    // Alter ~10% of the surviving tables, cycling through six kinds of change.
    let mut changed: Vec<TableSpec> = Vec::with_capacity(n + n / 100 + 3);
    let mut kind = 0;
    for t in &original {
        if dropped[t.id] {
            continue;
        }
        let mut t = t.clone();
        if rng.one_in(10) {
            let name = table_name(t.id);
            match kind % 6 {
                0 => t.columns.push(Col { name: "extra_note".into(), def: "text".into() }),
                1 => t.columns.retain(|c| c.name != "total"),
                2 => {
                    let c = t.columns.iter_mut().find(|c| c.name == "name").unwrap();
                    c.def = "varchar(512) NOT NULL".into();
                }
                3 => t.indexes.push(Idx { name: format!("{name}_qty_idx"), columns: vec!["qty".into()] }),
                4 => t.indexes.retain(|i| !i.name.ends_with("_name_active_idx")),
                _ => {
                    let c = t.columns.iter_mut().find(|c| c.name == "qty").unwrap();
                    c.def = "integer NOT NULL DEFAULT 1".into();
                }
            }
            kind += 1;
        }
        changed.push(t);
    }

    // A few new tables, referencing surviving ones.
    let live: Vec<usize> = (0..n).filter(|&i| !dropped[i]).collect();
    for k in 0..(n / 100 + 3) {
        changed.push(new_table(n + k, &live, &mut rng));
    }
    (original, changed)
}

// ---------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------

/// CPU time consumed by the process so far (the bench is single-threaded), so
/// the numbers mean something on a shared, loaded machine too.
#[cfg(target_os = "linux")]
fn cpu_time() -> Option<Duration> {
    #[repr(C)]
    struct Timespec {
        sec: i64,
        nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
    }
    const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
    let mut ts = Timespec { sec: 0, nsec: 0 };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    let rc = unsafe { clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| Duration::new(ts.sec as u64, ts.nsec as u32))
}

#[cfg(not(target_os = "linux"))]
fn cpu_time() -> Option<Duration> {
    None
}

/// Median and minimum of wall-clock and CPU time over the runs.
struct Stats {
    wall_median: Duration,
    wall_min: Duration,
    cpu_median: Option<Duration>,
    cpu_min: Option<Duration>,
}

#[derive(Default)]
struct Samples {
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
}

impl Samples {
    /// Times one run of `f`; dropping its output is outside the timer.
    fn time<T>(&mut self, f: impl FnOnce() -> T) {
        let cpu0 = cpu_time();
        let start = Instant::now();
        let out = f();
        let wall = start.elapsed();
        if let (Some(a), Some(b)) = (cpu0, cpu_time()) {
            self.cpu.push(b.saturating_sub(a));
        }
        self.wall.push(wall);
        drop(black_box(out));
    }

    fn stats(mut self) -> Stats {
        self.wall.sort();
        self.cpu.sort();
        Stats {
            wall_median: self.wall[self.wall.len() / 2],
            wall_min: self.wall[0],
            cpu_median: self.cpu.get(self.cpu.len() / 2).copied(),
            cpu_min: self.cpu.first().copied(),
        }
    }
}

fn measure<T>(runs: usize, mut f: impl FnMut() -> T) -> Stats {
    let mut samples = Samples::default();
    for _ in 0..runs {
        samples.time(&mut f);
    }
    samples.stats()
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

fn parse(name: &str, sql: &str) -> Parsed {
    match parse_str(name, sql) {
        Ok(p) => p,
        Err(e) => panic!("synthetic schema {name} does not parse: {}", e.summary()),
    }
}

struct Shape {
    tables: usize,
    columns: usize,
    indexes: usize,
    fks: usize,
}

fn shape(c: &Catalog) -> Shape {
    Shape {
        tables: c.tables.len(),
        columns: c.tables.values().map(|t| t.columns.len()).sum(),
        indexes: c.tables.values().map(|t| t.indexes.len()).sum(),
        fks: c
            .tables
            .values()
            .flat_map(|t| t.constraints.values())
            .filter(|k| matches!(k.kind, ConstraintKind::ForeignKey(_)))
            .count(),
    }
}

fn status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets VmHWM to the current RSS (Linux >= 4.0); false when unsupported.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

struct Row {
    shape: Shape,
    bytes: usize,
    runs: usize,
    parse: Stats,
    diff: Stats,
    order_render: Stats,
    plan: Stats,
    e2e: Stats,
    changes: usize,
    steps: usize,
    sql_out: usize,
    /// VmHWM over one end-to-end run with only the SQL texts held before it.
    e2e_peak_kb: Option<u64>,
    /// VmHWM over the whole scale (everything below held at once).
    scale_peak_kb: Option<u64>,
}

fn end_to_end(sql_a: &str, sql_b: &str) -> String {
    let from = parse("original.sql", sql_a);
    let to = parse("changed.sql", sql_b);
    let p = plan(&from.catalog, &to.catalog, &to.hints);
    p.to_sql()
}

fn bench_scale(n: usize, runs: usize, can_reset_peak: bool) -> Row {
    let (original, changed) = generate(n);
    let sql_a = render_schema(&original);
    let sql_b = render_schema(&changed);
    drop((original, changed));

    // Peak memory of one end-to-end run, like one CLI invocation: nothing else held.
    let e2e_peak_kb = if can_reset_peak && reset_peak() {
        let script = end_to_end(&sql_a, &sql_b);
        drop(black_box(script));
        status_kb("VmHWM:")
    } else {
        None
    };
    if can_reset_peak {
        reset_peak();
    }

    let a = parse("original.sql", &sql_a);
    let b = parse("changed.sql", &sql_b);

    // Sanity: the bench must measure real work.
    let same = plan(&a.catalog, &a.catalog, &a.hints);
    assert!(same.is_empty(), "{n} tables: plan(original, original) has {} steps", same.steps.len());
    assert!(same.to_sql().is_empty(), "{n} tables: plan(original, original) renders SQL");
    let real = plan(&a.catalog, &b.catalog, &b.hints);
    assert!(!real.is_empty(), "{n} tables: plan(original, changed) is empty");
    let steps = real.steps.len();
    let sql_out = real.to_sql().len();
    assert!(sql_out > 0, "{n} tables: plan(original, changed) renders no SQL");
    let changes = diff(&a.catalog, &b.catalog);
    let n_changes = changes.len();

    // (a) parse both versions.
    let parse_stats = measure(runs, || (parse("original.sql", &sql_a), parse("changed.sql", &sql_b)));
    // (b) diff alone.
    let diff_stats = measure(runs, || diff(&a.catalog, &b.catalog));
    // (c) order + render precomputed changes (cloning the input is outside the timer).
    let order_render_stats = {
        let mut samples = Samples::default();
        for _ in 0..runs {
            let input = changes.clone();
            samples.time(|| {
                let p = from_changes(input, &a.catalog, &b.catalog, Vec::new());
                let s = p.to_sql();
                (p, s)
            });
        }
        samples.stats()
    };
    // (c') plan() (diff + order + hazards + render) and to_sql().
    let plan_stats = measure(runs, || {
        let p = plan(&a.catalog, &b.catalog, &b.hints);
        let s = p.to_sql();
        (p, s)
    });
    // (d) end to end: parse both, plan, render the script.
    let e2e_stats = measure(runs, || end_to_end(&sql_a, &sql_b));

    let row = Row {
        shape: shape(&a.catalog),
        bytes: sql_a.len(),
        runs,
        parse: parse_stats,
        diff: diff_stats,
        order_render: order_render_stats,
        plan: plan_stats,
        e2e: e2e_stats,
        changes: n_changes,
        steps,
        sql_out,
        e2e_peak_kb,
        scale_peak_kb: if can_reset_peak { status_kb("VmHWM:") } else { None },
    };
    drop((a, b, real, same, changes));
    row
}

fn mb(kb: Option<u64>) -> String {
    kb.map(|k| format!("{:.1} MB", k as f64 / 1024.0)).unwrap_or_else(|| "n/a".into())
}

fn main() {
    let wall = Instant::now();
    let quick = std::env::var("PGSTATE_BENCH_QUICK").map(|v| !v.is_empty() && v != "0").unwrap_or(false);
    // cargo bench passes `--bench`; anything not starting with `-` is a scale filter.
    let filters: Vec<usize> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .map(|a| {
            let digits: String = a.chars().filter(|c| *c != ',' && *c != '_').collect();
            digits.parse().unwrap_or_else(|_| panic!("scale filter must be a number of tables, got {a:?}"))
        })
        .collect();

    let scales: &[(usize, usize)] = if quick { &[(47, 1), (1_000, 1)] } else { &[(47, 7), (1_000, 7), (10_000, 5)] };
    // PGSTATE_BENCH_RUNS=N overrides the number of runs per scale (e.g. 1 under a profiler).
    let runs_override: Option<usize> =
        std::env::var("PGSTATE_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).filter(|&r| r > 0);
    let selected: Vec<(usize, usize)> = scales
        .iter()
        .copied()
        .filter(|(n, _)| filters.is_empty() || filters.contains(n))
        .map(|(n, r)| (n, runs_override.unwrap_or(r)))
        .collect();
    if selected.is_empty() {
        eprintln!("no scale matches {filters:?}; available: {:?}", scales.iter().map(|s| s.0).collect::<Vec<_>>());
        std::process::exit(2);
    }

    let can_reset_peak = reset_peak();
    let mut rows = Vec::new();
    for (n, runs) in selected {
        eprintln!("pgstate plan bench: {n} tables, {runs} run(s)...");
        rows.push(bench_scale(n, runs, can_reset_peak));
    }

    let quick_note = if quick { " [QUICK: 1 run, scales 47 and 1000]" } else { "" };
    println!();
    println!("pgstate plan benchmark{quick_note}: wall-clock ms, median / min");
    println!(
        "| tables | columns | indexes | FKs | SQL bytes | runs | parse both | diff | order+render | plan+to_sql | end to end | steps | script bytes |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let wall_cell = |s: &Stats| format!("{} / {}", ms(s.wall_median), ms(s.wall_min));
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.shape.tables,
            r.shape.columns,
            r.shape.indexes,
            r.shape.fks,
            r.bytes,
            r.runs,
            wall_cell(&r.parse),
            wall_cell(&r.diff),
            wall_cell(&r.order_render),
            wall_cell(&r.plan),
            wall_cell(&r.e2e),
            r.steps,
            r.sql_out,
        );
    }
    if rows.iter().all(|r| r.e2e.cpu_median.is_some()) {
        println!();
        println!("CPU time of the process, ms, median / min (insensitive to other load on the machine)");
        println!("| tables | parse both | diff | order+render | plan+to_sql | end to end | changes | peak RSS, one end-to-end run | peak RSS, whole scale |");
        println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        let cpu_cell = |s: &Stats| format!("{} / {}", ms(s.cpu_median.unwrap()), ms(s.cpu_min.unwrap()));
        for r in &rows {
            println!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                r.shape.tables,
                cpu_cell(&r.parse),
                cpu_cell(&r.diff),
                cpu_cell(&r.order_render),
                cpu_cell(&r.plan),
                cpu_cell(&r.e2e),
                r.changes,
                mb(r.e2e_peak_kb),
                mb(r.scale_peak_kb),
            );
        }
    }
    println!();
    println!("parse both = parse_str(original) + parse_str(changed); diff = diff(original, changed);");
    println!("order+render = from_changes(precomputed changes) + to_sql(); plan+to_sql = plan() + to_sql();");
    println!("end to end = parse both + plan() + to_sql(). Shape columns describe the original schema.");
    println!("peak RSS, one end-to-end run: VmHWM reset, then one end-to-end run holding only the SQL texts;");
    println!(
        "peak RSS, whole scale: both catalogs held while the timed phases run (parse both keeps 4 catalogs alive)."
    );
    // Resetting VmHWM only lowers it to the current RSS, so the largest per-scale
    // peak is the process peak.
    let peak = rows.iter().flat_map(|r| [r.e2e_peak_kb, r.scale_peak_kb]).flatten().chain(status_kb("VmHWM:")).max();
    println!("peak RSS of the process (VmHWM): {}, covering all scales run", mb(peak));
    println!("total bench wall time: {:.2} s", wall.elapsed().as_secs_f64());
}
