#!/usr/bin/env bash
# Install everything the test suite needs into a fresh virtual environment of its own, then run it.
# So the tests see what a newcomer sees: today's releases of every dependency, nothing left over from the
# machine's Python. Debian's Chromium for the browser tests is installed when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${KBGEN_TEST_VENV:-.venv-test}"
python3 -m venv --clear "$VENV"
PY="$VENV/bin/python"
# The CPU build of PyTorch first, so that nothing pulls a CUDA one (distilling a model of your own needs it).
"$PY" -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
"$PY" -m pip install --quiet --disable-pip-version-check -e ".[test]"

if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests…" >&2
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

"$PY" -m pytest "$@"
