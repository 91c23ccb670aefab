#!/usr/bin/env bash
# The real-schema property (../shared/realworld/README.md) for pgstate and,
# beside it on the same databases, migra; writes realworld/RESULTS.md.
#
# Makes sure the PostgreSQL server binaries exist, installs migra into
# target/bench-venv (skipped, and said so, when that fails), then runs
# tests/realworld.rs with PGSTATE_REALWORLD=1.
#
# Usage: scripts/realworld.sh [case,case]   only these cases (RESULTS.md left alone)
# Env:   PGSTATE_REALWORLD_DIR=dir          another corpus directory
#        PGSTATE_REALWORLD_RELEASE=1        a release build of pgstate
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=lib/postgres.sh
. scripts/lib/postgres.sh
# shellcheck source=lib/migra.sh
. scripts/lib/migra.sh
ensure_server_bins
ensure_migra

# The corpus lies beside the repository (../shared), or beside the directory
# holding this worktree; without it there is nothing to run.
if [ -z "${PGSTATE_REALWORLD_DIR:-}" ]; then
    for d in ../shared/realworld ../../shared/realworld; do
        if [ -d "$d" ]; then
            PGSTATE_REALWORLD_DIR="$(cd "$d" && pwd)"
            break
        fi
    done
fi
if [ -z "${PGSTATE_REALWORLD_DIR:-}" ]; then
    echo "../shared/realworld not found: just realworld skipped"
    exit 0
fi
export PGSTATE_REALWORLD_DIR

# The dev profile: CI has just built it for the tests (a release build takes
# several times longer than the whole run); RESULTS.md says which was used.
step "cargo test --test realworld ($PGSTATE_REALWORLD_DIR)"
PGSTATE_REALWORLD=1 PGSTATE_REALWORLD_FILTER="${1:-}" \
    cargo test --locked ${PGSTATE_REALWORLD_RELEASE:+--release} --test realworld -- --nocapture
