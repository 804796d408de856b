#!/usr/bin/env bash
# Check that requirements.lock resolves for the oldest Python setup.sh accepts (Debian 12's
# own 3.11.2), from binary wheels only, without installing anything. Needs the package index.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
target=$(mktemp -d)
trap 'rm -rf "$target"' EXIT
if "$PYTHON" -m pip install -q --disable-pip-version-check --dry-run --python-version 3.11.2 \
        --only-binary :all: --target "$target" -r requirements.lock; then
    echo "check-lock: requirements.lock resolves for Python 3.11.2"
else
    echo "check-lock: requirements.lock does not resolve for Python 3.11.2 (see pip's message above)" >&2
    exit 1
fi
