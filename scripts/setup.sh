#!/usr/bin/env bash
# Set up a fresh machine for reportlib; idempotent (a second run changes nothing
# and takes a second or two). Called by `make reports` and `make test` (with --test).
#   1. system libraries WeasyPrint needs (Pango, HarfBuzz subsetting), from Debian;
#   2. with --test, the programs the tests drive, from Debian: Chromium and its chromedriver
#      (the phone layout at 390 px, tests/test_phone.py) and LibreOffice Writer (the Word file
#      laid out as WPS/Word would, tests/test_print_layout.py), the plan review page and the
#      web-intake pages; about 180 MB of downloads, once;
#   3. .venv with reportlib and its pinned dependencies (requirements.lock);
#   4. matplotlib's font cache, refreshed after the font package is (re)installed.
set -euo pipefail
WITH_TEST_TOOLS=0
[ "${1:-}" = "--test" ] && WITH_TEST_TOOLS=1
cd "$(dirname "$0")/.."

VENV=.venv
PYTHON=${PYTHON:-python3}
MIN_PYTHON=3.11.2
MIN_PYTHON_TUPLE="3, 11, 2"
STAMP=$VENV/.reportlib-installed

say() { printf 'setup: %s\n' "$*" >&2; }


missing_libs() {
    local lib pkg
    for pair in libpango-1.0.so.0:libpango-1.0-0 libpangoft2-1.0.so.0:libpangoft2-1.0-0 \
                libharfbuzz-subset.so.0:libharfbuzz-subset0 libfontconfig.so.1:libfontconfig1; do
        lib=${pair%%:*}; pkg=${pair##*:}
        ldconfig -p 2>/dev/null | grep -q "$lib" || printf '%s ' "$pkg"
    done
}

missing_test_tools() {
    local pair
    for pair in chromium:chromium chromedriver:chromium-driver soffice:libreoffice-writer-nogui; do
        command -v "${pair%%:*}" >/dev/null || printf '%s ' "${pair##*:}"
    done
}

# apt_install WHAT PACKAGE... : install Debian packages (as root or with sudo), naming WHAT they are for
apt_install() {
    local what=$1; shift
    local pkgs="$*"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { say "missing $what: $pkgs; install them as root (apt-get install $pkgs)"; exit 1; }
        sudo=sudo
    fi
    command -v apt-get >/dev/null || { say "missing $what: $pkgs; install them with your package manager"; exit 1; }
    say "installing $what: $pkgs"
    $sudo apt-get update -qq
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
}

install_system_libs() {
    local pkgs
    pkgs=$(missing_libs)
    [ -z "$pkgs" ] || apt_install "system libraries" $pkgs
}

install_test_tools() {
    local pkgs
    pkgs=$(missing_test_tools)
    [ -z "$pkgs" ] || apt_install "programs the tests drive" $pkgs
}

install_python_env() {
    # 3.11.2 is Debian 12's own Python; requirements.lock resolves there (scripts/check-lock.sh)
    command -v "$PYTHON" >/dev/null || { say "no $PYTHON found; install Python $MIN_PYTHON or newer, or set PYTHON=/path/to/python3"; exit 1; }
    "$PYTHON" -c "import sys; sys.exit(sys.version_info[:3] < ($MIN_PYTHON_TUPLE))" \
        || { say "Python $MIN_PYTHON or newer is needed ($(command -v "$PYTHON") is $("$PYTHON" --version 2>&1)); set PYTHON=/path/to/python3"; exit 1; }
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating $VENV with $(command -v "$PYTHON") ($("$PYTHON" --version 2>&1))"
        "$PYTHON" -m venv "$VENV"
    fi
    say "using $VENV/bin/python ($("$VENV/bin/python" --version 2>&1))"
    local wanted
    wanted=$(cat pyproject.toml requirements.lock | sha256sum | cut -d' ' -f1)
    if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ]; then
        return 0
    fi
    say "installing Python packages into $VENV (pinned by requirements.lock)"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c requirements.lock -e '.[test]'
    say "refreshing matplotlib's font cache"
    "$VENV/bin/python" -c 'import matplotlib.font_manager as fm; fm._load_fontmanager(try_read_cache=False)'
    echo "$wanted" > "$STAMP"
}

install_system_libs
if [ "$WITH_TEST_TOOLS" = 1 ]; then install_test_tools; fi
install_python_env
# The package's own bytecode, written once here: processes started with PYTHONDONTWRITEBYTECODE
# (as on some servers) would otherwise compile every reportlib module at every start, in the
# build, each worker, each kernel zygote (a few tenths of a second each). Up-to-date files are skipped.
"$VENV/bin/python" -m compileall -q -j 0 reportlib bench >/dev/null
