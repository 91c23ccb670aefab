//! The conformance subset the suite always runs: the cases listed in
//! `fixtures/conformance-expected.txt`, read from the peer tools' corpus at
//! `../shared/conformance` (never copied into the repository: its licenses
//! differ), must give the outcomes listed there. The runner and the property
//! live in `conformance/src/runner.rs`; `just conformance` runs every case.

mod support;

#[path = "../conformance/src/runner.rs"]
mod runner;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use runner::{case_dirs, jobs, run_all, Direction};
use support::PgCluster;

#[test]
fn conformance_subset() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = match std::env::var_os("PGSTATE_CONFORMANCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => repo.join("../shared/conformance"),
    };
    assert!(
        root.join("README.md").is_file(),
        "the conformance corpus is not at {} (it is read from ../shared beside the repository, never copied in; \
         set PGSTATE_CONFORMANCE_DIR to its path)",
        root.display()
    );
    runner::init(
        PathBuf::from(env!("CARGO_BIN_EXE_pgstate")),
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance"),
    );
    let expected_text = std::fs::read_to_string(repo.join("fixtures/conformance-expected.txt"))
        .expect("fixtures/conformance-expected.txt");
    // case id -> direction -> expected label
    let mut expected: BTreeMap<String, BTreeMap<Direction, String>> = BTreeMap::new();
    for (n, line) in expected_text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [id, dir, label] = parts.as_slice() else {
            panic!("conformance-expected.txt line {}: want `folder/case direction outcome`, got {line:?}", n + 1)
        };
        let d = Direction::parse(dir)
            .unwrap_or_else(|| panic!("conformance-expected.txt line {}: unknown direction {dir}", n + 1));
        assert!(
            matches!(*label, "pass" | "fail" | "out-of-scope"),
            "conformance-expected.txt line {}: outcome must be pass, fail or out-of-scope, got {label}",
            n + 1
        );
        let prev = expected.entry(id.to_string()).or_default().insert(d, label.to_string());
        assert!(prev.is_none(), "conformance-expected.txt line {}: {id} {dir} listed twice", n + 1);
    }
    let in_corpus: BTreeSet<String> = case_dirs(&root)
        .iter()
        .map(|p| p.strip_prefix(&root).expect("under root").to_string_lossy().into_owned())
        .collect();
    let missing: Vec<&String> = expected.keys().filter(|id| !in_corpus.contains(*id)).collect();
    assert!(missing.is_empty(), "conformance-expected.txt names cases the corpus does not hold: {missing:?}");

    let cases: Vec<(PathBuf, Vec<Direction>)> =
        expected.iter().map(|(id, dirs)| (root.join(id), dirs.keys().copied().collect())).collect();
    let cluster = PgCluster::start();
    let started = Instant::now();
    let reports = run_all(&cluster, &cases, jobs(), &|_, _| {});
    let mut mismatches = Vec::new();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &reports {
        let id = r.id.clone();
        for (d, want) in &expected[&id] {
            let got = &r.outcomes[d];
            *counts.entry(got.label()).or_default() += 1;
            if got.label() != want {
                mismatches.push(format!("{id} {}: expected {want}, got {}: {}", d.name(), got.label(), got.reason()));
            }
        }
    }
    println!(
        "conformance subset: {} cases, {:?} in {:.1}s (details in {}/conformance/)",
        reports.len(),
        counts,
        started.elapsed().as_secs_f64(),
        env!("CARGO_TARGET_TMPDIR")
    );
    assert!(
        mismatches.is_empty(),
        "{} conformance outcome(s) differ from fixtures/conformance-expected.txt \
         (a `fail` that now passes: update conformance-expected.txt):\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
