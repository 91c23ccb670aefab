#!/usr/bin/env bash
# Fuzzes the schema parser for SECONDS (default 600): arbitrary text must parse
# or fail with a rendered error, never panic, and a parsed catalog must render
# to SQL that parses back equal (fuzz/fuzz_targets/parse_schema.rs).
#
# Needs a nightly toolchain (libFuzzer's instrumentation); installs cargo-fuzz
# from crates.io when it is missing. Without nightly it says so and exits 0:
# CI calls it only where a nightly toolchain is present.
#
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-600}"

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    echo "no nightly toolchain: fuzzing skipped (rustup toolchain install nightly)"
    exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install --locked cargo-fuzz
fi
mkdir -p fuzz/corpus/parse_schema
echo "== fuzzing the schema parser for ${seconds}s"
# No sanitizer: the target is safe Rust, and libFuzzer alone finds panics,
# hangs and failed assertions in a fraction of the build time.
cd fuzz
cargo +nightly fuzz run --sanitizer none parse_schema corpus/parse_schema seeds/parse_schema regressions -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096
