#!/usr/bin/env bash
# The latency a proxy adds over a direct call, the way users compare gateways:
# p50 and p99 of small non-stream chat requests to a fixed-body upstream (nginx
# returning a real chat completion from the simulator), measured
#   - at 1 connection (wrk --latency: to the microsecond below 1 ms, 10 us above), and
#   - at a fixed rate of RATE requests/s (hey -q, 20 workers: open loop, so a slow
#     answer does not slow the offered load; hey reports to 0.1 ms),
# directly, through nginx as a reverse proxy, and through `flashfirst serve` with
# --ledger-sync full and with --ledger-sync process. Every setup's answer is
# checked before it is timed. Added latency = through the proxy minus direct, in
# the same run.
# SERVE_ARGS: more arguments for both flashfirst servers (e.g. --no-dashboard).
#   [RATE=2000] [DURATION=10] [SERVE_ARGS=...] bench/added_latency.sh build/release/flashfirst
# Needs nginx, wrk, hey, curl and jq (apt-get install nginx-light wrk hey curl jq).
set -euo pipefail
source "$(dirname "$0")/common.sh"
ff=$(realpath "$1")
rate=${RATE:-2000}
secs=${DURATION:-10}  # seconds per measurement
for tool in nginx wrk hey curl jq python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install nginx-light wrk hey curl jq)" >&2; exit 2; }
done
work=$(mktemp -d)
pids=()
trap 'bench_cleanup "$work"' EXIT

body='{"model":"auto","max_tokens":128,"messages":[{"role":"user","content":"Summarize in one line: the meeting moved to Friday."}]}'
printf '%s' "$body" >"$work/body.json"
start_fixed_upstream "$work" "$ff"

start_ff() {  # name sync-mode
  DEEPSEEK_API_KEY=bench "$ff" serve --upstream "http://127.0.0.1:$up_port" --listen 127.0.0.1:0 --ledger-sync "$2" \
    --ledger "$work/$1.db" --access-log "$work/$1.log" ${SERVE_ARGS:-} >"$work/$1.out" 2>"$work/$1.err" &
  # Called as $(start_ff ...), a subshell: the pid goes to a file for bench_cleanup.
  echo $! >"$work/$1.pid"
  for _ in $(seq 50); do grep -q listening "$work/$1.out" && break; sleep 0.1; done
  local url
  url=$(sed -n 's/^listening on //p' "$work/$1.out")
  local check
  check=$(curl -sf -D - "$url/v1/chat/completions" -H 'Authorization: Bearer k' -H 'Content-Type: application/json' \
    --data-binary @"$work/body.json")
  grep -qi '^x-flashfirst-escalated: false' <<<"$check" || { echo "$1: not one upstream call: $check" >&2; exit 1; }
  echo "$url/v1/chat/completions"
}
full_url=$(start_ff full full)
process_url=$(start_ff process process)
direct_url="http://127.0.0.1:$up_port/chat/completions"
proxy_url="http://127.0.0.1:$proxy_port/chat/completions"
got=$(curl -s "$proxy_url" --data-binary @"$work/body.json")
[[ "$got" == "$answer" ]] || { echo "nginx proxy answer differs: ${got:0:300}" >&2; exit 1; }
wrk_post_script "$work/post.lua" "$body"

# p50 and p99 in microseconds at 1 connection.
one_conn() {
  wrk -t1 -c1 -d2s -s "$work/post.lua" "$1" >/dev/null  # warm-up
  wrk -t1 -c1 -d"${secs}s" --latency -s "$work/post.lua" "$1" | python3 -c '
import re, sys
units = {"us": 1, "ms": 1000, "s": 1000000}
p = {}
for line in sys.stdin:
    m = re.match(r"\s+(50|99)%\s+([\d.]+)(us|ms|s)", line)
    if m: p[m.group(1)] = float(m.group(2)) * units[m.group(3)]
print("%.0f %.0f" % (p["50"], p["99"]))'
}
# p50 and p99 in microseconds at a fixed rate (20 workers x rate/20 each).
fixed_rate() {
  hey -z "${secs}s" -c 20 -q $((rate / 20)) -m POST -T application/json -H 'Authorization: Bearer k' \
    -D "$work/body.json" -o csv "$1" | python3 -c '
import sys
rows = [l.split(",") for l in sys.stdin.read().splitlines()[1:] if l]
ok = sorted(float(r[0]) for r in rows if r[6] == "200")
bad = sum(1 for r in rows if r[6] != "200")
if bad: print(f"{bad} answers were not 200", file=sys.stderr); sys.exit(1)
q = lambda f: ok[min(len(ok) - 1, int(f * len(ok)))] * 1e6
print(f"{q(0.5):.0f} {q(0.99):.0f} {len(ok) / float(sys.argv[1]):.0f}")' "$secs"
}

printf '%-32s %22s %30s\n' "" "1 connection (us)" "fixed rate $rate/s (us)"
printf '%-32s %10s %11s %10s %11s %8s\n' "setup" "p50" "p99" "p50" "p99" "req/s"
declare -A p50_1 p99_1 p50_r p99_r
for setup in direct nginx full process; do
  case $setup in
    direct) url=$direct_url ;;
    nginx) url=$proxy_url ;;
    full) url=$full_url ;;
    process) url=$process_url ;;
  esac
  read -r a b < <(one_conn "$url")
  read -r c d n < <(fixed_rate "$url")
  p50_1[$setup]=$a p99_1[$setup]=$b p50_r[$setup]=$c p99_r[$setup]=$d
  name=$setup
  [[ $setup == full || $setup == process ]] && name="flashfirst (ledger-sync $setup)"
  [[ $setup == nginx ]] && name="nginx (reverse proxy)"
  printf '%-32s %10s %11s %10s %11s %8s\n' "$name" "$a" "$b" "$c" "$d" "$n"
done
echo
echo "Added over a direct call (us): p50 and p99 at 1 connection; p50 and p99 at $rate/s"
for setup in nginx full process; do
  printf '%-32s %10s %11s %10s %11s\n' "$setup" $((p50_1[$setup] - p50_1[direct])) $((p99_1[$setup] - p99_1[direct])) \
    $((p50_r[$setup] - p50_r[direct])) $((p99_r[$setup] - p99_r[direct]))
done
