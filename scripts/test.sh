#!/usr/bin/env bash
# Install everything the test suite needs into a fresh virtual environment of its own, then run it.
# So the tests see what a newcomer sees: today's releases of every dependency, nothing left over from the
# machine's Python. Debian's Chromium and PostgreSQL for the tests are installed when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${KBGEN_TEST_VENV:-.venv-test}"
python3 -m venv --clear "$VENV"
PY="$VENV/bin/python"
# The CPU build of PyTorch first, so that nothing pulls a CUDA one (distilling a model of your own needs it).
"$PY" -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
"$PY" -m pip install --quiet --disable-pip-version-check -e ".[test]"

# Debian's Chromium for the browser tests, and its PostgreSQL server for the feedback collector's tests
# (the tests start a server of their own, in a temporary folder, on a free port); its npm if there is none.
MISSING=""
command -v npm >/dev/null 2>&1 || MISSING="$MISSING npm"
command -v chromium >/dev/null 2>&1 || MISSING="$MISSING chromium"
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || MISSING="$MISSING postgresql"
if [ -n "$MISSING" ]; then
  echo "Installing Debian's$MISSING for the tests…" >&2
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $MISSING >/dev/null
fi

# axe-core, Deque's accessibility engine (the npm package), which the browser tests inject into Chromium to
# check every kind of page against WCAG 2.1 AA.
npm install --silent --no-audit --no-fund --prefix "$VENV/axe" axe-core@4.14.1 >/dev/null

"$PY" -m pytest "$@"
