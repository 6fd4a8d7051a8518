#!/usr/bin/env bash
# Install everything the test suite needs and run it. The README's test command; .ci/run calls it.
#   bash tests/run.sh            (extra arguments go to pytest)
# Creates .venv (unless VENV points elsewhere), installs kb-tools with its test extras (which
# include ProperDocs: tests/test_engines.py builds the site with MkDocs and ProperDocs), installs
# Debian's chromium for the browser tests when it is missing (apt-get; needs root), then runs
# pytest on 2 processes. Exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PY="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null
"$VENV/bin/python" -m pip install --quiet -e '.[test]'

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing Debian chromium for the browser tests..." >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "error: /usr/bin/chromium is missing; install Debian's chromium (sudo apt-get install chromium)" >&2
    exit 1
  fi
fi

set +e
"$VENV/bin/python" -m pytest -n 2 -p no:cacheprovider "$@"
rc=$?
set -e
if [ "$rc" = "5" ]; then
  echo "error: pytest collected no tests" >&2
fi
exit "$rc"
