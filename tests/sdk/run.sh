#!/usr/bin/env bash
# Runs the SDK tests (node --test) against the given flashfirst binary.
# Exit 77 (skipped) when Node.js or the SDK packages are not installed
# (scripts/setup.sh installs them with npm ci).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null || [[ ! -d "$here/node_modules/openai" || ! -d "$here/node_modules/@anthropic-ai/sdk" ||
      ! -d "$here/node_modules/@ai-sdk/deepseek" ]]; then
  echo "SDK packages not installed (npm ci --prefix tests/sdk): skipped"
  exit 77
fi
FLASHFIRST=$1 exec node --test "$here"/*.test.mjs
