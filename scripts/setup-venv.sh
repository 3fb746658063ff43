#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the locked environment. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

py=$(scripts/find-python.sh) || exit 1
if [ -x .venv/bin/python ] && ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info[:2]==(3,10) else 1)'; then
  echo "setup: .venv is not Python 3.10; recreating it"
  rm -rf .venv
fi
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $py"
  "$py" -m venv .venv
fi
echo "setup: installing the locked environment (requirements.lock)"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.2"
# --no-deps: the lock is complete and exact, so pip need not resolve anything.
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
.venv/bin/python -m pip check >/dev/null || { .venv/bin/python -m pip check; exit 1; }
touch .venv/.installed
echo "setup: environment ready"
