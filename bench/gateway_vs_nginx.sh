#!/usr/bin/env bash
# The gateway's overhead, side by side in one run on this machine: small
# non-stream chat requests to a fixed-body upstream (nginx returning a real chat
# completion), sent
#   1. directly to that upstream,
#   2. through nginx as a reverse proxy (keep-alive to the upstream),
#   3. through `flashfirst serve` (routing, cost, ledger on),
#   4. through the Portkey gateway (npm @portkey-ai/gateway, installed into
#      bench/.portkey on first use when npm can reach its registry).
# Each server runs one worker thread; wrk is the load generator. Answers are
# checked first; then requests/s, p99 and the ratios to nginx (medians over
# ROUNDS alternating rounds, default 3) are printed, then where the CPU goes
# (user and system time per request of wrk, the proxy's threads and the upstream,
# over one more run through each), and the gateway's memory (RSS) with 1,000 open
# connections. BODY_KB=N pads the request to about N KB
# (a long context: 1100 is about 340k tokens) to measure the large-body path,
# best with 1 connection. BASELINE=path/to/another/flashfirst (an earlier build)
# runs it as well, in the same rounds, and prints the median ratio of the two:
# how much a change gained, measured side by side.
#   [ROUNDS=N] [BODY_KB=N] [BASELINE=BIN] bench/gateway_vs_nginx.sh build/release/flashfirst [SECONDS] [CONNECTIONS]
# Needs nginx, wrk and curl (apt-get install nginx-light wrk curl).
set -euo pipefail
source "$(dirname "$0")/common.sh"
ff=$(realpath "$1")
secs=${2:-10}
conns=${3:-32}
here=$(cd "$(dirname "$0")" && pwd)
for tool in nginx wrk curl jq; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install nginx-light wrk curl jq)" >&2; exit 2; }
done
work=$(mktemp -d)
pids=()
trap 'bench_cleanup "$work"' EXIT

padding=""
if [[ -n "${BODY_KB:-}" ]]; then
  padding=$(python3 -c "import sys; w = 'the minutes of the weekly meeting record each decision and its owner '; print(' ' + w * (int(sys.argv[1]) * 1024 // len(w)), end='')" "$BODY_KB")
fi
body='{"model":"auto","max_tokens":128,"messages":[{"role":"user","content":"Summarize in one line: the meeting moved to Friday.'"$padding"'"}]}'
printf '%s' "$body" >"$work/body.json"

# The upstream (nginx returning the simulator's answer) and nginx as a proxy in front of it.
start_fixed_upstream "$work" "$ff"

base_url=""
if [[ -n "${BASELINE:-}" ]]; then
  DEEPSEEK_API_KEY=bench "$(realpath "$BASELINE")" serve --upstream "http://127.0.0.1:$up_port" --listen 127.0.0.1:0 \
    --ledger "$work/base.db" --access-log "$work/base.log" >"$work/base.out" 2>"$work/base.err" &
  pids+=($!)
  for _ in $(seq 50); do grep -q listening "$work/base.out" && break; sleep 0.1; done
  base_url=$(sed -n 's/^listening on //p' "$work/base.out")
  [[ -n "$base_url" ]] || { echo "the baseline did not start: $(cat "$work/base.err")" >&2; exit 1; }
fi
DEEPSEEK_API_KEY=bench "$ff" serve --upstream "http://127.0.0.1:$up_port" --listen 127.0.0.1:0 \
  --ledger "$work/ledger.db" --access-log "$work/access.log" >"$work/ff.out" 2>"$work/ff.err" &
ff_pid=$!
pids+=($ff_pid)
for _ in $(seq 50); do grep -q listening "$work/ff.out" && break; sleep 0.1; done
ff_url=$(sed -n 's/^listening on //p' "$work/ff.out")
check=$(curl -sf -D - "$ff_url/v1/chat/completions" -H 'Authorization: Bearer k' -H 'Content-Type: application/json' --data-binary @"$work/body.json")
grep -qi '^x-flashfirst-cost: 0\.' <<<"$check" || { echo "the gateway's answer is not costed: $check" >&2; exit 1; }
# One upstream call per request, as through nginx: Flash's fixed answer passes the
# cascade's check (an answer cut at max_tokens would be re-asked of Pro each time).
grep -qi '^x-flashfirst-escalated: false' <<<"$check" || { echo "the gateway escalated the benchmark request: $check" >&2; exit 1; }
got=$(curl -s "http://127.0.0.1:$proxy_port/chat/completions" --data-binary @"$work/body.json")
[[ "$got" == "$answer" ]] || { echo "nginx proxy answer differs: ${got:0:300}" >&2; exit 1; }

portkey_url=""
pk_dir="$here/.portkey"
if [[ ! -d "$pk_dir/node_modules/@portkey-ai/gateway" ]] && command -v npm >/dev/null; then
  npm install --prefix "$pk_dir" --no-audit --no-fund @portkey-ai/gateway@1.15.2 >/dev/null 2>&1 || true
fi
if [[ -f "$pk_dir/node_modules/@portkey-ai/gateway/build/start-server.js" ]]; then
  pk_port=$((up_port + 2))
  node "$pk_dir/node_modules/@portkey-ai/gateway/build/start-server.js" --port="$pk_port" --headless >"$work/pk.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do grep -q "Ready for connections" "$work/pk.out" && break; sleep 0.2; done
  got=$(curl -sf "http://127.0.0.1:$pk_port/v1/chat/completions" -H 'Content-Type: application/json' -H 'Authorization: Bearer k' \
    -H 'x-portkey-provider: openai' -H "x-portkey-custom-host: http://127.0.0.1:$up_port" --data-binary @"$work/body.json" || true)
  if [[ "$(jq -c .usage <<<"$got" 2>/dev/null)" == "$(jq -c .usage <<<"$answer")" ]]; then
    portkey_url="http://127.0.0.1:$pk_port/v1/chat/completions"
  else
    echo "Portkey did not answer as expected; left out: $got" >&2
  fi
else
  echo "Portkey gateway not installed (npm unavailable?); left out" >&2
fi

wrk_post_script "$work/post.lua" "$body" 'wrk.headers["x-portkey-provider"] = "openai"
wrk.headers["x-portkey-custom-host"] = "http://127.0.0.1:'"$up_port"'"'
run() {  # name url -> "rps p99"
  local out rps p99 errors
  out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$work/post.lua" "$2")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr '\n' ' ' || true)
  printf '%-40s %12s req/s   p99 %9s   %s\n' "$1" "$rps" "$p99" "$errors" >&2
  echo "$rps $p99"
}
to_us() { awk -v v="$1" 'BEGIN { if (v ~ /ms$/) { sub(/ms/, "", v); print v * 1000 } else if (v ~ /us$/) { sub(/us/, "", v); print v } else { sub(/s$/, "", v); print v * 1000000 } }'; }
rounds=${ROUNDS:-3}
size="small"
[[ -n "${BODY_KB:-}" ]] && size="${BODY_KB} KB"
echo "$size non-stream requests, $conns connections, ${secs}s each, one server thread each; $rounds alternating rounds" >&2
read -r d_rps d_p99 < <(run "direct to the fixed upstream" "http://127.0.0.1:$up_port/chat/completions")
# This machine is shared and its speed changes from minute to minute: nginx and
# flashfirst are measured alternately, and the medians of the per-round ratios
# are the result.
ratios=() base_ratios=()
for round in $(seq "$rounds"); do
  read -r n_rps n_p99 < <(run "round $round: through nginx (reverse proxy)" "http://127.0.0.1:$proxy_port/chat/completions")
  read -r f_rps f_p99 < <(run "round $round: through flashfirst serve" "$ff_url/v1/chat/completions")
  ratios+=("$(awk -v f="$f_rps" -v n="$n_rps" -v fp="$(to_us "$f_p99")" -v np="$(to_us "$n_p99")" 'BEGIN { printf "%.3f %.3f", f / n, fp / np }')")
  if [[ -n "$base_url" ]]; then
    read -r b_rps b_p99 < <(run "round $round: through the baseline" "$base_url/v1/chat/completions")
    base_ratios+=("$(awk -v f="$f_rps" -v b="$b_rps" -v fp="$(to_us "$f_p99")" -v bp="$(to_us "$b_p99")" 'BEGIN { printf "%.3f %.3f", f / b, fp / bp }')")
  fi
done
p_rps=""
if [[ -n "$portkey_url" ]]; then read -r p_rps p_p99 < <(run "through the Portkey gateway" "$portkey_url"); fi
median() { sort -n | awk '{ r[NR] = $1 } END { printf "%.2fx (rounds %.2f..%.2f)", r[int((NR + 1) / 2)], r[1], r[NR] }'; }
goal_rps=" (goal >= 0.80x)" goal_p99=" (goal <= 1.5x)"
[[ -n "${BODY_KB:-}" ]] && goal_rps="" goal_p99=""
echo "flashfirst: $(printf '%s\n' "${ratios[@]}" | cut -d' ' -f1 | median) nginx's requests/s$goal_rps"
echo "flashfirst: p99 $(printf '%s\n' "${ratios[@]}" | cut -d' ' -f2 | median) nginx's$goal_p99"
if [[ -n "$base_url" ]]; then
  echo "flashfirst: $(printf '%s\n' "${base_ratios[@]}" | cut -d' ' -f1 | median) the baseline's requests/s, p99 $(printf '%s\n' "${base_ratios[@]}" | cut -d' ' -f2 | median) the baseline's"
fi
if [[ -n "$p_rps" ]]; then
  awk -v f="$f_rps" -v p="$p_rps" -v fp="$(to_us "$f_p99")" -v pp="$(to_us "$p_p99")" 'BEGIN {
    printf "flashfirst (last round): %.1fx Portkey'"'"'s requests/s, p99 1/%.0f of Portkey'"'"'s\n", f / p, pp / fp }'
fi
rows=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from requests').fetchone()[0])" "$work/ledger.db")
echo "ledger rows written by flashfirst during the run: $rows"

# Where the CPU goes: one more run through each, and each process's (or thread's)
# user and system time per request from /proc over its middle ${secs}s.
ticks() { cut -d' ' -f14,15 "$1"; }  # utime stime, in clock ticks
cpu_run() {  # label url name=/proc/.../stat ...
  local label=$1 url=$2
  shift 2
  wrk -t1 -c"$conns" -d"$((secs + 2))s" -s "$work/post.lua" "$url" >"$work/cpu.wrk" &
  local -a entries=("wrk=/proc/$!/stat" "$@") before=() after=()
  local wrk_pid=$! i rps line=""
  sleep 1
  for i in "${!entries[@]}"; do before[i]=$(ticks "${entries[i]#*=}"); done
  sleep "$secs"
  for i in "${!entries[@]}"; do after[i]=$(ticks "${entries[i]#*=}"); done
  wait "$wrk_pid" || true
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/cpu.wrk")
  for i in "${!entries[@]}"; do
    line+=$(awk -v sep="$([[ $i -gt 0 ]] && echo ', ')" -v name="${entries[i]%%=*}" -v b="${before[i]}" -v a="${after[i]}" \
      -v r="$rps" -v s="$secs" -v hz="$(getconf CLK_TCK)" '
      BEGIN { split(b, x, " "); split(a, y, " "); n = r * s
              printf "%s%s %.1f+%.1f", sep, name, (y[1] - x[1]) / hz * 1e6 / n, (y[2] - x[2]) / hz * 1e6 / n }')
  done
  printf 'CPU per request, user+system us, through %s (%s req/s): %s\n' "$label" "$rps" "$line"
}
up_worker=$(pgrep -P "$(cat "$work/upstream.pid")")
proxy_worker=$(pgrep -P "$(cat "$work/proxy.pid")")
ff_threads=("server thread=/proc/$ff_pid/task/$ff_pid/stat")
# The ledger's writer is the thread named ff-ledger (not in builds before the names).
ledger_tid=$(grep -l '^ff-ledger$' /proc/"$ff_pid"/task/*/comm 2>/dev/null | head -1 | cut -d/ -f5 || true)
[[ -n "$ledger_tid" ]] && ff_threads+=("ledger writer=/proc/$ff_pid/task/$ledger_tid/stat")
cpu_run nginx "http://127.0.0.1:$proxy_port/chat/completions" "proxy=/proc/$proxy_worker/stat" "upstream=/proc/$up_worker/stat"
cpu_run flashfirst "$ff_url/v1/chat/completions" "${ff_threads[@]}" "upstream=/proc/$up_worker/stat"

# The goals are for small requests; a large body is held while it is routed,
# so the memory of 1,000 of them says nothing.
[[ -n "${BODY_KB:-}" ]] && exit 0
# Memory with 1,000 open connections.
wrk -t1 -c1000 -d"${secs}s" -s "$work/post.lua" "$ff_url/v1/chat/completions" >"$work/wrk1000" 2>&1 &
wrk_pid=$!
sleep $((secs / 2 + 1))
rss_kb=$(ps -o rss= -p "$ff_pid" | tr -d ' ')
wait $wrk_pid || true
echo "flashfirst RSS with 1,000 open connections: $((rss_kb / 1024)) MB (goal < 50 MB); $(awk '/Requests\/sec/ {print $2}' "$work/wrk1000") req/s"
