#!/usr/bin/env bash
# Install everything the test suite needs, then run it.
# Python packages from PyPI; Debian's Chromium for the browser tests (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

# The CPU build of PyTorch first, so that nothing pulls a CUDA one (the semantic extra's tests need it).
python3 -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"

if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests…" >&2
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

python3 -m pytest "$@"
