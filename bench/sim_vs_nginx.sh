#!/usr/bin/env bash
# `flashfirst sim --speed 0` against nginx serving a fixed JSON body, side by side
# on this machine: the same number of connections, one server thread each
# (nginx: one worker), wrk as the load generator. The answers are checked first.
# Needs nginx and wrk (apt-get install nginx-light wrk).
#   bench/sim_vs_nginx.sh build/release/flashfirst [SECONDS] [CONNECTIONS]
set -euo pipefail
source "$(dirname "$0")/common.sh"
ff=$(realpath "$1")
secs=${2:-10}
conns=${3:-32}
for tool in nginx wrk curl; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install nginx-light wrk curl)" >&2; exit 2; }
done
work=$(mktemp -d)
cleanup() {
  [[ -n "${sim_pid:-}" ]] && kill "$sim_pid" 2>/dev/null || true
  [[ -f "$work/nginx.pid" ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

body='{"model":"deepseek-flash","thinking":{"type":"disabled"},"max_tokens":64,"messages":[{"role":"user","content":"Say hello in one short sentence."}]}'

"$ff" sim --listen 127.0.0.1:0 --speed 0 >"$work/sim.out" 2>&1 &
sim_pid=$!
for _ in $(seq 50); do grep -q listening "$work/sim.out" && break; sleep 0.1; done
sim_url=$(sed -n 's/^listening on //p' "$work/sim.out")

# The answer nginx serves is the simulator's own answer to the same request.
answer=$(curl -sf "$sim_url/chat/completions" -H 'Authorization: Bearer k' -H 'Content-Type: application/json' -d "$body")
echo "$answer" | grep -q '"object":"chat.completion"' || { echo "simulator answer is wrong: $answer" >&2; exit 1; }
printf '%s' "$answer" >"$work/answer.json"
escaped=$(printf '%s' "$answer" | sed 's/\\/\\\\/g; s/"/\\"/g')
nginx_port=$((20000 + RANDOM % 20000))
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/body;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { default_type application/json; return 200 "$escaped"; }
  }
}
CONF
nginx -c "$work/nginx.conf"
sleep 0.3
got=$(curl -sf -X POST "http://127.0.0.1:$nginx_port/chat/completions" -d "$body")
[[ "$got" == "$answer" ]] || { echo "nginx does not serve the expected body" >&2; exit 1; }

wrk_post_script "$work/post.lua" "$body"
run() {  # name url
  local out
  out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$work/post.lua" "$2")
  local rps p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(grep -E "Non-2xx|Socket errors" <<<"$out" || true)
  printf '%-34s %12s req/s   p99 %8s   %s\n' "$1" "$rps" "$p99" "$errors" >&2
  echo "$rps"
}
rounds=${ROUNDS:-5}
echo "body ${#answer} bytes; $conns connections, ${secs}s each, one server thread each; $rounds alternating rounds" >&2
# This machine is shared and noisy: the two servers are measured alternately, and
# the median of the per-round ratios is the result.
ratios=()
for round in $(seq "$rounds"); do
  nginx_rps=$(run "round $round: nginx (fixed body)" "http://127.0.0.1:$nginx_port/chat/completions")
  sim_rps=$(run "round $round: flashfirst sim --speed 0" "$sim_url/chat/completions")
  ratios+=("$(awk -v s="$sim_rps" -v n="$nginx_rps" 'BEGIN { printf "%.3f", s / n }')")
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{ r[NR] = $1 } END {
  printf "flashfirst sim serves %.2fx nginx'"'"'s rate, median of %d rounds (%.2f..%.2f) (goal: at least 0.50x)\n", r[int((NR + 1) / 2)], NR, r[1], r[NR] }'
