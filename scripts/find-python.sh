#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter, or explain how to get one and fail.
# Rasa Open Source 3.6 supports Python 3.8-3.10 only; this project pins 3.10.
set -u
is310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }

candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
candidates+=(python3.10)
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null)
  for d in "$root"/versions/3.10*/bin/python3.10; do candidates+=("$d"); done
fi
for d in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do
  candidates+=("$d")
done

for c in "${candidates[@]}"; do
  if p=$(command -v "$c" 2>/dev/null) && is310 "$p"; then
    # pyenv shims are resolved to the real interpreter so the venv does not depend on them
    real=$("$p" -c 'import sys; print(sys.executable)')
    echo "$real"
    exit 0
  fi
done

cat >&2 <<'MSG'
error: Python 3.10 was not found (Rasa Open Source 3.6 does not run on 3.11 or later).
Install it, then run make again. Any one of these works:
  pyenv install 3.10 && pyenv local 3.10      # with pyenv (https://github.com/pyenv/pyenv)
  sudo apt-get install python3.10 python3.10-venv   # Debian/Ubuntu with a 3.10 package
  PYTHON=/path/to/python3.10 make setup       # point at an interpreter you already have
MSG
exit 1
