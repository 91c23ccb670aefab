//! `just conformance`: every case of the peer tools' corpus (`../shared/conformance`,
//! or `PGSTATE_CONFORMANCE_DIR`) in the three directions, results written to
//! `conformance/RESULTS.md`.
//!
//! `PGSTATE_BIN` names the pgstate binary (default `target/release/pgstate`);
//! `PGSTATE_CONFORMANCE_FILTER=a,b` runs only cases whose path contains one of
//! the substrings (RESULTS.md is then left alone); `PGSTATE_CONFORMANCE_JOBS`
//! sets the number of worker threads (default 3).

mod support;

mod runner;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

use runner::{case_dirs, jobs, progress_line, run_all, summarize, Direction};
use support::PgCluster;

fn main() -> ExitCode {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let bin = std::env::var_os("PGSTATE_BIN").map(PathBuf::from).unwrap_or_else(|| repo.join("target/release/pgstate"));
    if !bin.is_file() {
        eprintln!("no pgstate binary at {} (build it with `cargo build --release`, or set PGSTATE_BIN)", bin.display());
        return ExitCode::from(2);
    }
    let root = match std::env::var_os("PGSTATE_CONFORMANCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => repo.join("../shared/conformance"),
    };
    let details = repo.join("target/conformance");
    runner::init(bin, details);
    let filter = std::env::var("PGSTATE_CONFORMANCE_FILTER").ok().filter(|f| !f.is_empty());
    let dirs: Vec<PathBuf> = case_dirs(&root)
        .into_iter()
        .filter(|d| filter.as_deref().is_none_or(|f| f.split(',').any(|part| d.to_string_lossy().contains(part))))
        .collect();
    if dirs.is_empty() {
        eprintln!("no conformance cases under {}", root.display());
        return ExitCode::from(2);
    }
    let cases: Vec<(PathBuf, Vec<Direction>)> = dirs.iter().map(|d| (d.clone(), Direction::ALL.to_vec())).collect();
    let total = cases.len();
    let jobs = jobs();
    println!("conformance: {total} cases from {} on {jobs} workers", root.display());
    let cluster = PgCluster::start();
    let started = Instant::now();
    let print_lock = Mutex::new(());
    let reports = run_all(&cluster, &cases, jobs, &|n, r| {
        let _g = print_lock.lock();
        println!("{}", progress_line(n, total, r));
    });
    let summary = summarize(&reports, started.elapsed(), cluster.version_num(), jobs, filter.as_deref());
    println!("\n{summary}");
    if filter.is_none() {
        let path = repo.join("conformance/RESULTS.md");
        if let Err(e) = std::fs::write(&path, &summary) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
        println!("written to {}", path.display());
    }
    ExitCode::SUCCESS
}
