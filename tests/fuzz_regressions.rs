//! The fuzz target's property on stable Rust, over its seeds and every input
//! the fuzzer once failed on (`fuzz/regressions/`): `just fuzz` needs nightly
//! and minutes, this keeps what it found fixed in every test run.

#[path = "../fuzz/property.rs"]
mod property;

use std::path::{Path, PathBuf};

fn inputs(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no inputs", dir.display());
    files
}

fn check_all(dir: &str) {
    for file in inputs(dir) {
        let bytes = std::fs::read(&file).expect("reading an input");
        // The fuzz target skips input that is not UTF-8; so does its replay.
        if let Ok(text) = std::str::from_utf8(&bytes) {
            property::check(text);
        }
    }
}

#[test]
fn the_fuzz_seeds_hold_the_round_trip_property() {
    check_all("fuzz/seeds/parse_schema");
}

#[test]
fn every_input_the_fuzzer_failed_on_now_holds_it() {
    check_all("fuzz/regressions");
}
