#!/usr/bin/env bash
# Runs the dashboard's browser tests (node --test) against the given flashfirst
# binary. Exit 77 (skipped) when Node.js, the npm packages or chromium are
# missing (scripts/setup.sh installs them all).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
chromium=${FF_CHROMIUM:-/usr/bin/chromium}
if ! command -v node >/dev/null || [[ ! -d "$here/node_modules/playwright-core" || ! -d "$here/node_modules/axe-core" ]] ||
   [[ ! -x "$chromium" ]]; then
  echo "node, tests/ui's npm packages or chromium not installed (scripts/setup.sh): skipped"
  exit 77
fi
FLASHFIRST=$1 FF_UI_ARTIFACTS=${2:-$PWD/ui-screenshots} exec node --test --test-concurrency=1 "$here"/*.test.mjs
