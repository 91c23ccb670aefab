//! Parses arbitrary text as a schema and checks the round-trip property of
//! `fuzz/property.rs` (also replayed on stable by `tests/fuzz_regressions.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../property.rs"]
mod property;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        property::check(text);
    }
});
