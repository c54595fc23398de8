#!/usr/bin/env bash
# Chaos under load (issue 22): bench/chaos.py on the SQLite ledger, then on a
# PostgreSQL ledger (a private server, restarted once mid-run). Each run: 64
# connections of mixed requests (chat, streams, tools, JSON mode, Anthropic
# Messages plain and streamed; four keys, two with budgets) through `serve` to a
# simulator failing 5% of calls, with 5 kill -9s of the gateway.
#
#   bench/chaos.sh [path/to/flashfirst] [SECONDS]     (defaults: build/release/flashfirst, 300)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ff=${1:-$root/build/release/flashfirst}
seconds=${2:-300}
status=0
for ledger in sqlite pg; do
  echo "=== chaos on the $ledger ledger"
  python3 "$root/bench/chaos.py" "$ff" --ledger "$ledger" --seconds "$seconds" --connections 64 --kills 5 || status=1
done
exit $status
