#!/usr/bin/env bash
# Re-resolve requirements.in into requirements.lock in a throw-away venv.
set -euo pipefail
cd "$(dirname "$0")/.."
py=$(scripts/find-python.sh)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$py" -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet --upgrade "pip==24.2"
"$tmp/venv/bin/pip" install --quiet -r requirements.in
{
  echo "# Locked environment for Python 3.10 (Linux x86_64), resolved from requirements.in"
  echo "# inside the pins of rasa 3.6.21. Regenerate with 'make lock'. Installed with --no-deps."
  "$tmp/venv/bin/pip" freeze --all | grep -v '^pip=='
} > requirements.lock
echo "requirements.lock: $(grep -vc '^#' requirements.lock) packages"
