#!/usr/bin/env bash
# The gateway's user-space instructions per request, counted by callgrind: unlike
# requests/s on a shared machine (20% from run to run), the count moves by 1-2%
# (the ledger's batches differ), so it shows what a change to the request path saves. `flashfirst serve` runs under
# callgrind in front of a `flashfirst sim` process (its own process, not counted);
# after a warm-up the counters are zeroed, wrk sends small non-stream requests
# for SECONDS, and each thread's total is divided by the ledger rows written meanwhile
# (each request is checked to make exactly one upstream call first).
# The dashboard's reader (on by default in serve) reads each new row on a thread
# of its own; DASHBOARD=0 runs serve without it, as the figures before it were.
#   [KEEP=DIR] [DASHBOARD=0] bench/gateway_instructions.sh build/release/flashfirst [SECONDS]
# Needs valgrind, wrk, curl and python3 (apt-get install valgrind wrk curl python3).
set -euo pipefail
source "$(dirname "$0")/common.sh"
ff=$(realpath "$1")
secs=${2:-8}
for tool in valgrind callgrind_control callgrind_annotate wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install valgrind wrk curl python3)" >&2; exit 2; }
done
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

"$ff" sim --listen 127.0.0.1:0 --speed 0 >"$work/sim.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q listening "$work/sim.out" && break; sleep 0.1; done
sim_url=$(sed -n 's/^listening on //p' "$work/sim.out")

DEEPSEEK_API_KEY=bench valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$work/cg.out" "$ff" serve \
  --upstream "$sim_url" --listen 127.0.0.1:0 --ledger "$work/ledger.db" --access-log "$work/access.log" \
  $([[ "${DASHBOARD:-1}" == 0 ]] && echo --no-dashboard) >"$work/ff.out" 2>"$work/ff.err" &
vg=$!
pids+=($vg)
for _ in $(seq 300); do grep -q listening "$work/ff.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$work/ff.out")
[[ -n "$url" ]] || { echo "serve did not start: $(cat "$work/ff.err")" >&2; exit 1; }

body='{"model":"auto","max_tokens":128,"messages":[{"role":"user","content":"Summarize in one line: the meeting moved to Friday."}]}'
check=$(curl -sf -D - -o /dev/null "$url/v1/chat/completions" -H 'Authorization: Bearer k' -H 'Content-Type: application/json' -d "$body")
grep -qi '^x-flashfirst-escalated: false' <<<"$check" || { echo "the request was escalated (two upstream calls): $check" >&2; exit 1; }
wrk_post_script "$work/post.lua" "$body"
rows() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from requests').fetchone()[0])" "$work/ledger.db"; }

wrk -t1 -c8 -d3s -s "$work/post.lua" "$url/v1/chat/completions" >/dev/null  # warm-up
sleep 0.5
callgrind_control -z "$vg" >/dev/null 2>&1
before=$(rows)
wrk -t1 -c8 -d"${secs}s" -s "$work/post.lua" "$url/v1/chat/completions" >/dev/null
sleep 0.5
callgrind_control -d "$vg" >/dev/null 2>&1
after=$(rows)
# One dump per thread: thread 1 runs the server's event loop (the whole request
# path), the others are the ledger's writer, the dashboard's reader (unless
# DASHBOARD=0) and idle helpers.
count() { callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'; }
server=0 others=0
for dump in "$work"/cg.out.1-*; do
  c=$(count "$dump")
  if [[ "$dump" == *-01 ]]; then server=$((server + c)); else others=$((others + c)); fi
done
n=$((after - before))
[[ $n -gt 0 ]] || { echo "no requests were recorded" >&2; exit 1; }
echo "$n requests under callgrind: $(((server + others) / n)) user-space instructions per request (all threads):"
echo "  the server thread $((server / n)), the other threads (the ledger's writer, the dashboard's reader) $((others / n))"
# KEEP=DIR keeps the callgrind dumps there (callgrind_annotate DIR/cg.out.1-01 lists where the
# server thread's instructions go).
if [[ -n "${KEEP:-}" ]]; then mkdir -p "$KEEP" && cp "$work"/cg.out.1-* "$KEEP"/; fi
