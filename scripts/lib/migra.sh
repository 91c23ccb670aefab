# Shared by scripts/bench-live.sh and scripts/realworld.sh (sourced, not run):
# migra (PyPI) in its own venv under target/bench-venv, put on PATH.
# SQLAlchemy 2 maps postgresql:// to psycopg 3, so callers pass
# postgresql+psycopg2:// URLs; setuptools provides the pkg_resources that
# older sqlbag/schemainspect releases import. Sets migra_ok=1 when it works;
# never fails the caller (migra is a comparison, not a requirement).
ensure_migra() {
    local venv=target/bench-venv
    step "migra venv ($venv)"
    migra_ok=0
    if [ -x "$venv/bin/migra" ] && "$venv/bin/python" -c 'import migra, psycopg2' >/dev/null 2>&1; then
        migra_ok=1
    elif command -v python3 >/dev/null 2>&1; then
        if { [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"; } \
            && "$venv/bin/pip" install --quiet --disable-pip-version-check migra psycopg2-binary setuptools; then
            migra_ok=1
        fi
    else
        echo "python3 not found: migra will be skipped" >&2
    fi
    if [ "$migra_ok" = 1 ]; then
        export PATH="$PWD/$venv/bin:$PATH"
        echo "migra: $(command -v migra) ($("$venv/bin/pip" show migra 2>/dev/null | sed -n 's/^Version: //p'))"
    else
        echo "migra could not be installed: it is skipped, and the results say so" >&2
    fi
}
