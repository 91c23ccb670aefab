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

# migra (PyPI) in its own venv. SQLAlchemy 2 maps postgresql:// to psycopg 3,
# so the bench passes postgresql+psycopg2:// URLs; setuptools provides the
# pkg_resources that older sqlbag/schemainspect releases import.
VENV=target/bench-venv
step "migra venv ($VENV)"
migra_ok=0
if [ -x "$VENV/bin/migra" ] && "$VENV/bin/python" -c 'import migra, psycopg2' >/dev/null 2>&1; then
    migra_ok=1
elif command -v python3 >/dev/null 2>&1; then
    if { [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"; } \
        && "$VENV/bin/pip" install --quiet --disable-pip-version-check migra psycopg2-binary setuptools; then
        migra_ok=1
    fi
else
    echo "python3 not found: migra will be skipped" >&2
fi
if [ "$migra_ok" = 1 ]; then
    export PATH="$PWD/$VENV/bin:$PATH"
    echo "migra: $(command -v migra) ($("$VENV/bin/pip" show migra 2>/dev/null | sed -n 's/^Version: //p'))"
else
    echo "migra could not be installed: the bench reports the other numbers" >&2
fi

step "cargo bench --bench live"
cargo bench --locked --bench live -- "$@"
