# Shared by scripts/test.sh and scripts/bench-live.sh (sourced, not run):
# make sure PostgreSQL server binaries exist, installing Debian's package when
# they do not, and stop the clusters that package starts.

step() { printf '\n==> %s\n' "$*"; }

SUDO=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
fi

have_server_bins() {
    if [ -n "${PGSTATE_PG_BIN:-}" ]; then
        [ -x "$PGSTATE_PG_BIN/initdb" ]
        return
    fi
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

# Stop the clusters Debian's package creates and may auto-start (usually
# "main" on port 5432); our tests never use them.
stop_debian_clusters() {
    if command -v pg_lsclusters >/dev/null 2>&1; then
        pg_lsclusters --no-header 2>/dev/null | while read -r ver name _port status _rest; do
            case "$status" in
                online*)
                    echo "stopping Debian cluster $ver/$name"
                    ${SUDO[@]+"${SUDO[@]}"} pg_ctlcluster "$ver" "$name" stop || true
                    ;;
            esac
        done || true
    elif command -v service >/dev/null 2>&1; then
        ${SUDO[@]+"${SUDO[@]}"} service postgresql stop >/dev/null 2>&1 || true
    fi
}

# Finds or installs the server binaries; exits when that is impossible.
ensure_server_bins() {
    step "PostgreSQL server binaries"
    if have_server_bins; then
        echo "found: ${PGSTATE_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}"
    else
        if [ -n "${PGSTATE_PG_BIN:-}" ]; then
            echo "PGSTATE_PG_BIN=$PGSTATE_PG_BIN has no initdb" >&2
            exit 1
        fi
        if [ "$(id -u)" -ne 0 ] && [ ${#SUDO[@]} -eq 0 ]; then
            echo "PostgreSQL is not installed and we are neither root nor have sudo;" >&2
            echo "install Debian's postgresql package or set PGSTATE_PG_BIN" >&2
            exit 1
        fi
        step "installing postgresql + postgresql-client (apt-get)"
        export DEBIAN_FRONTEND=noninteractive
        ${SUDO[@]+"${SUDO[@]}"} apt-get update
        ${SUDO[@]+"${SUDO[@]}"} env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y --no-install-recommends postgresql postgresql-client
        step "stopping the cluster the package may have started"
        stop_debian_clusters
        if ! have_server_bins; then
            echo "installation finished but no /usr/lib/postgresql/*/bin/initdb" >&2
            exit 1
        fi
        echo "installed: $(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    fi
}
