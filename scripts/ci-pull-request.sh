#!/bin/sh
# The CI recipe for a pull request (README "CI"): against an empty PostgreSQL
# (a CI service), build the base branch's schema, plan the pull request's
# schema against it, run that plan exactly, and check for drift. Run from
# the project's directory (where schema/ and pgstate.toml are).
#
#   DATABASE_URL   the CI database, empty (required)
#   BASE_SCHEMA    the base branch's desired schema, e.g. a `git worktree` of
#                  origin/main's schema/ (required)
#   PLAN_OUT       where the reviewed plan is written (default: pgstate-plan.sql)
#   PGSTATE        the pgstate binary (default: pgstate on PATH)
#
# Exit 0 when every step passed; pgstate's exit code otherwise (1: drift, 2: error).
set -eu
: "${DATABASE_URL:?set DATABASE_URL to the CI database}"
: "${BASE_SCHEMA:?set BASE_SCHEMA to the base branch's schema}"
PGSTATE=${PGSTATE:-pgstate}
PLAN_OUT=${PLAN_OUT:-pgstate-plan.sql}

# The pull request's schema parses and is consistent.
"$PGSTATE" check
# A revision chain, if the project keeps one, reaches the desired schema
# (no database needed: a forgotten `autogenerate` fails here).
if [ -d migrations ]; then
    env -u DATABASE_URL -u PGHOST -u PGHOSTADDR -u PGDATABASE -u PGSERVICE "$PGSTATE" drift
fi
# The database as the base branch left it.
"$PGSTATE" apply --yes --quiet --schema "$BASE_SCHEMA" --allow-destructive
# The plan this pull request makes, saved for review (printed in the log too).
"$PGSTATE" plan --out "$PLAN_OUT"
# That exact plan runs on real PostgreSQL, and leaves no drift.
"$PGSTATE" apply --yes --plan "$PLAN_OUT"
"$PGSTATE" drift
