//! How cost grows with the schema: `pgstate plan` as whole processes at
//! 1,000 / 2,000 / 5,000 / 10,000 / 20,000 tables (or the scales given as
//! arguments), offline (`--from` two files, default mode) and live (`--url`
//! a database loaded with the original schema, the changed file desired),
//! medians of 5 rounds, each round planning every scale once
//! (`PGSTATE_BENCH_RUNS=N` overrides). Prints a Markdown table
//! with the cost per table and the marginal cost per table between scales,
//! and the fixed part: a 10-table plan, run in every round beside them.
//!
//! `cargo bench --bench scale [-- 1000 5000 ...]`, or `just bench-scale`.

#[path = "../tests/support/mod.rs"]
mod support;

#[path = "support/schema_gen.rs"]
mod schema_gen;

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use schema_gen::{generate, render_schema, Flavor};
use support::PgCluster;

/// The smallest scale, planned beside the others as the fixed part of a plan.
const FIXED: usize = 10;

/// A scale's files and database, and what its runs measured.
struct Prepared {
    tables: usize,
    a: PathBuf,
    b: PathBuf,
    url: String,
    live_b: PathBuf,
    samples: Samples,
}

/// The runs of one scale.
#[derive(Default)]
struct Samples {
    offline: Vec<Duration>,
    offline_peak: Option<u64>,
    live: Vec<Duration>,
    live_peak: Option<u64>,
}

/// One whole `pgstate` process: its wall time and peak RSS (VmHWM, kB).
fn run(args: &[&OsStr]) -> (Duration, Option<u64>) {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pgstate"))
        .args(args)
        .env_remove("DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run pgstate");
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = None;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for pgstate") {
            break status;
        }
        if let Some(kb) = std::fs::read_to_string(&status_path).ok().and_then(|s| hwm_kb(&s)) {
            peak = peak.max(Some(kb));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let t = start.elapsed();
    assert!(status.success(), "pgstate {args:?} failed");
    (t, peak)
}

fn hwm_kb(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn load_avg() -> String {
    let l = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    l.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

struct Row {
    tables: usize,
    offline: Duration,
    offline_peak: Option<u64>,
    live: Duration,
    live_peak: Option<u64>,
}

fn main() {
    let wall = Instant::now();
    let mut scales: Vec<usize> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .filter_map(|a| a.chars().filter(|c| c.is_ascii_digit()).collect::<String>().parse().ok())
        .collect();
    if scales.is_empty() {
        scales = vec![1_000, 2_000, 5_000, 10_000, 20_000];
    }
    // The fixed part of a plan (process start, sessions, a fresh backend's
    // cold caches), planned in every round with the rest: linear growth is
    // time = fixed + per table x tables, and the cost per table above it
    // shows the second term alone.
    scales.retain(|&n| n != FIXED);
    scales.insert(0, FIXED);
    let runs: usize =
        std::env::var("PGSTATE_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).filter(|&r| r > 0).unwrap_or(5);
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-scale"));
    std::fs::create_dir_all(&dir).expect("creating target/bench-scale");
    eprintln!("scale bench: starting a throwaway cluster...");
    let cluster = PgCluster::start();
    // Every scale is prepared first, then each round plans every scale once:
    // the host's speed drifts over minutes here (the same work has taken 40%
    // longer from one hour to the next), and scales measured one after the
    // other would carry that drift into the cost per table.
    let mut prepared = Vec::new();
    for &n in &scales {
        let (a, b) = (dir.join(format!("original_{n}.sql")), dir.join(format!("changed_{n}.sql")));
        let (original, changed) = generate(n, Flavor::Offline);
        std::fs::write(&a, render_schema(&original, Flavor::Offline)).expect("write");
        std::fs::write(&b, render_schema(&changed, Flavor::Offline)).expect("write");
        let (original, changed) = generate(n, Flavor::Live);
        let (live_a, live_b) = (dir.join(format!("live_original_{n}.sql")), dir.join(format!("live_changed_{n}.sql")));
        std::fs::write(&live_a, render_schema(&original, Flavor::Live)).expect("write");
        std::fs::write(&live_b, render_schema(&changed, Flavor::Live)).expect("write");
        drop((original, changed));
        eprintln!("scale bench: {n} tables: loading...");
        let db = cluster.create_db(&format!("scale{n}"));
        db.psql_file(&live_a).unwrap_or_else(|e| panic!("loading {n} tables: {e}"));
        db.psql("VACUUM ANALYZE").ok();
        prepared.push(Prepared { tables: n, a, b, url: db.url(), live_b, samples: Samples::default() });
    }
    for round in 1..=runs {
        eprintln!("scale bench: round {round} of {runs}: an offline and a live plan at every scale...");
        for p in &mut prepared {
            let (t, peak) = run(&["plan".as_ref(), "--from".as_ref(), p.a.as_ref(), "--schema".as_ref(), p.b.as_ref()]);
            p.samples.offline.push(t);
            p.samples.offline_peak = p.samples.offline_peak.max(peak);
            let (t, peak) =
                run(&["plan".as_ref(), "--url".as_ref(), p.url.as_ref(), "--schema".as_ref(), p.live_b.as_ref()]);
            p.samples.live.push(t);
            p.samples.live_peak = p.samples.live_peak.max(peak);
        }
    }
    let load = load_avg();
    let mut rows: Vec<Row> = prepared
        .into_iter()
        .map(|p| Row {
            tables: p.tables,
            offline: median(p.samples.offline),
            offline_peak: p.samples.offline_peak,
            live: median(p.samples.live),
            live_peak: p.samples.live_peak,
        })
        .collect();
    let fixed = rows.remove(0);
    println!();
    println!(
        "pgstate plan, whole processes, medians of {runs} rounds, each planning every scale once (offline: --from original --schema changed, default mode;"
    );
    println!("live: --url a database holding the original, --schema changed); per table = time / tables;");
    println!("marginal = (time - time at the previous scale) / (tables added), in ms per 1,000 tables");
    println!("| tables | offline | per 1k tables | marginal per 1k | peak RSS | live | per 1k tables | marginal per 1k | peak RSS |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let secs = |d: Duration| d.as_secs_f64();
    let mb = |kb: Option<u64>| kb.map(|k| format!("{:.0} MB", k as f64 / 1024.0)).unwrap_or("n/a".into());
    let mut prev: Option<&Row> = None;
    for r in &rows {
        let k = r.tables as f64 / 1000.0;
        let marginal = |f: fn(&Row) -> Duration| match prev {
            Some(p) => {
                format!("{:.0} ms", 1000.0 * (secs(f(r)) - secs(f(p))) / ((r.tables - p.tables) as f64 / 1000.0))
            }
            None => String::new(),
        };
        println!(
            "| {} | {:.2} s | {:.0} ms | {} | {} | {:.2} s | {:.0} ms | {} | {} |",
            r.tables,
            secs(r.offline),
            1000.0 * secs(r.offline) / k,
            marginal(|r| r.offline),
            mb(r.offline_peak),
            secs(r.live),
            1000.0 * secs(r.live) / k,
            marginal(|r| r.live),
            mb(r.live_peak),
        );
        prev = Some(r);
    }
    // The test of linear growth: the largest cost per table over the
    // smallest; and the same of the cost above the fixed part.
    let spread = |f: fn(&Row) -> Duration, (base, base_tables): (Duration, usize)| {
        let per_table: Vec<f64> = rows
            .iter()
            .filter(|r| r.tables > base_tables)
            .map(|r| (secs(f(r)) - secs(base)) / (r.tables - base_tables) as f64)
            .collect();
        let (lo, hi) = per_table.iter().fold((f64::MAX, 0.0_f64), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        100.0 * (hi / lo - 1.0)
    };
    println!(
        "fixed part, a {}-table plan: offline {:.0} ms, live {:.0} ms",
        fixed.tables,
        1000.0 * secs(fixed.offline),
        1000.0 * secs(fixed.live)
    );
    if rows.len() > 1 {
        println!(
            "cost per table, largest over smallest: offline +{:.0}%, live +{:.0}%",
            spread(|r| r.offline, (Duration::ZERO, 0)),
            spread(|r| r.live, (Duration::ZERO, 0))
        );
        println!(
            "cost per table above the fixed part, largest over smallest: offline +{:.0}%, live +{:.0}%",
            spread(|r| r.offline, (fixed.offline, fixed.tables)),
            spread(|r| r.live, (fixed.live, fixed.tables))
        );
    }
    println!("load average (1/5/15 min) after the last round: {load}");
    println!("total bench wall time: {:.1} s", wall.elapsed().as_secs_f64());
}
