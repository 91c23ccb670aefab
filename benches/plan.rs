//! Planner benchmark: parse, diff, order + render and end-to-end timings on
//! synthetic schemas of 47, 1,000 and 10,000 tables, in the library and
//! through the `pgstate` binary itself.
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

// The allocator the pgstate binary uses, so library figures match the CLI's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::time::{Duration, Instant};

use pgstate::diff::diff;
use pgstate::model::{Catalog, ConstraintKind};
use pgstate::ops::plan::{offline_files, Settle};
use pgstate::parse::{parse_str, Parsed, SourceFile};
use pgstate::plan::{from_changes, plan};

#[path = "support/schema_gen.rs"]
mod schema_gen;

use schema_gen::{generate, render_schema, Flavor};

// ---------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------

/// CPU time consumed by the process so far, all threads (parsing uses every
/// core), so the numbers mean something on a shared, loaded machine too.
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
#[derive(Clone, Copy)]
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
    /// The `pgstate` binary itself on the two files: wall time, and the
    /// largest peak RSS of its runs.
    cli: Stats,
    cli_peak_kb: Option<u64>,
    /// The same in the default mode (a throwaway server settles what the
    /// parser cannot tell apart), whole process.
    cli_default: Stats,
    cli_default_peak_kb: Option<u64>,
}

/// Runs `pgstate plan --from original.sql --schema changed.sql` (with
/// `--parser-only` when `parser_only`, else in the default mode, which starts
/// the throwaway server when the changed defaults need settling), as a user would.
fn cli_runs(n: usize, runs: usize, sql_a: &str, sql_b: &str, parser_only: bool) -> (Stats, Option<u64>) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("plan-bench-{n}"));
    std::fs::create_dir_all(&dir).expect("bench temp dir");
    let (a, b) = (dir.join("original.sql"), dir.join("changed.sql"));
    std::fs::write(&a, sql_a).expect("write original.sql");
    std::fs::write(&b, sql_b).expect("write changed.sql");
    let out_path = dir.join("plan.out");
    let mut samples = Samples::default();
    let mut peak_kb = None;
    for _ in 0..runs {
        let stdout = std::fs::File::create(&out_path).expect("create plan.out");
        let start = Instant::now();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pgstate"))
            .args(["plan", "--from"])
            .arg(&a)
            .arg("--schema")
            .arg(&b)
            .args(parser_only.then_some("--parser-only"))
            .stdout(stdout)
            .spawn()
            .expect("run pgstate");
        // VmHWM only grows; the last reading before exit is the run's peak
        // (the peak comes at the end of parsing, well before exit).
        let status_path = format!("/proc/{}/status", child.id());
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for pgstate") {
                break status;
            }
            if let Some(kb) = std::fs::read_to_string(&status_path).ok().and_then(|s| hwm_kb(&s)) {
                peak_kb = peak_kb.max(Some(kb));
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        samples.wall.push(start.elapsed());
        assert!(status.success(), "pgstate plan failed on {n} tables");
        let printed = std::fs::metadata(&out_path).map(|m| m.len()).unwrap_or(0);
        assert!(printed > 0, "pgstate plan printed nothing for a changed schema");
    }
    (samples.stats(), peak_kb)
}

fn hwm_kb(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// What `pgstate plan --from original.sql --schema changed.sql` does after reading the files.
fn end_to_end(sql_a: &str, sql_b: &str) -> String {
    let from = [SourceFile::new("original.sql", sql_a)];
    let to = [SourceFile::new("changed.sql", sql_b)];
    match offline_files(&to, &from, Settle::ParserOnly, &Default::default(), "public") {
        Ok(p) => p.to_sql(),
        Err(e) => panic!("synthetic schemas do not plan: {e}"),
    }
}

fn bench_scale(n: usize, runs: usize, can_reset_peak: bool) -> Row {
    let (original, changed) = generate(n, Flavor::Offline);
    let sql_a = render_schema(&original, Flavor::Offline);
    let sql_b = render_schema(&changed, Flavor::Offline);
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
    let same = plan(&a.catalog, &a.catalog, &a.hints).expect("plans");
    assert!(same.is_empty(), "{n} tables: plan(original, original) has {} steps", same.steps.len());
    assert!(same.to_sql().is_empty(), "{n} tables: plan(original, original) renders SQL");
    let real = plan(&a.catalog, &b.catalog, &b.hints).expect("plans");
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
                let p = from_changes(input, &a.catalog, &b.catalog, Vec::new()).expect("plans");
                let s = p.to_sql();
                (p, s)
            });
        }
        samples.stats()
    };
    // (c') plan() (diff + order + hazards + render) and to_sql().
    let plan_stats = measure(runs, || {
        let p = plan(&a.catalog, &b.catalog, &b.hints).expect("plans");
        let s = p.to_sql();
        (p, s)
    });
    // (d) end to end: parse both, plan, render the script.
    let e2e_stats = measure(runs, || end_to_end(&sql_a, &sql_b));
    let (cli, cli_peak_kb) = cli_runs(n, runs, &sql_a, &sql_b, true);
    let (cli_default, cli_default_peak_kb) = cli_runs(n, runs, &sql_a, &sql_b, false);

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
        cli,
        cli_peak_kb,
        cli_default,
        cli_default_peak_kb,
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
    println!("The CLI, `pgstate plan --from original.sql --schema changed.sql [--parser-only]`, wall-clock ms");
    println!("| tables | mode | runs | median | min | peak RSS of a run |");
    println!("|---:|---|---:|---:|---:|---:|");
    for r in &rows {
        for (mode, s, peak) in [
            ("--parser-only", &r.cli, r.cli_peak_kb),
            ("default (throwaway server)", &r.cli_default, r.cli_default_peak_kb),
        ] {
            println!(
                "| {} | {mode} | {} | {} | {} | {} |",
                r.shape.tables,
                r.runs,
                ms(s.wall_median),
                ms(s.wall_min),
                mb(peak)
            );
        }
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average at the end: {}", load.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
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
