#!/usr/bin/env bash
# Build the front-end assets from npm packages (no CDN). Skips when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/../web" 2>/dev/null || exit 0
[ -f package.json ] || exit 0
stamp=node_modules/.installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "web: installing front-end packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
out=../bot/web/static/dist
if [ ! -d "$out" ] || [ -n "$(find src package-lock.json build.mjs -newer "$out/.built" 2>/dev/null | head -1)" ] || [ ! -f "$out/.built" ]; then
  echo "web: building the widget"
  node build.mjs
  touch "$out/.built"
fi
