#!/usr/bin/env bash
# The live-database benchmark: pgstate introspection and `plan --url` against
# pg_dump --schema-only and migra, in one run (see benches/live.rs).
#
# Makes sure the PostgreSQL server binaries exist (as scripts/test.sh does),
# installs migra into a venv under target/bench-venv, puts it on PATH, then
# runs `cargo bench --bench live`. If migra cannot be installed the bench still
# runs and says why migra is missing.
#
# Usage: scripts/bench-live.sh [extra args for the bench binary]
# Env:   PGSTATE_PG_BIN=/path/to/pg/bin   use these server binaries instead
#        PGSTATE_BENCH_RUNS=N              override every run count
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=lib/postgres.sh
. scripts/lib/postgres.sh
ensure_server_bins

# shellcheck source=lib/migra.sh
. scripts/lib/migra.sh
ensure_migra

step "cargo bench --bench live"
cargo bench --locked --bench live -- "$@"
