#!/usr/bin/env bash
# pgstate's one test command: installs what is missing, then runs the suite.
#
# Works on a fresh Debian machine as root (CI) and on a developer machine.
# Integration tests start their own throwaway PostgreSQL clusters (see
# tests/support/pg.rs); this script only makes sure the server binaries exist.
#
# Usage: scripts/test.sh [extra args for `cargo test`]
#   e.g. scripts/test.sh harness_smoke -- --nocapture
# Env:   PGSTATE_PG_BIN=/path/to/pg/bin  use these server binaries instead.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=lib/postgres.sh
. scripts/lib/postgres.sh
ensure_server_bins

if [ -n "${CI:-}" ]; then
    # On CI nothing else may use the machine's default cluster.
    step "making sure no Debian-managed cluster is running (CI)"
    stop_debian_clusters
fi

step "tools"
for tool in runuser psql; do
    if command -v "$tool" >/dev/null 2>&1; then
        echo "$tool: $(command -v "$tool")"
    else
        echo "$tool: not on PATH (the harness falls back where it can)"
    fi
done
cargo --version
rustc --version

step "cargo test --locked $*"
cargo test --locked "$@"

step "done: all tests passed"
