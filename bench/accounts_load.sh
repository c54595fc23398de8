#!/usr/bin/env bash
# DeepSeek's concurrency limits under load, with and without the gateway.
#
#   bench/accounts_load.sh [path/to/flashfirst] [CALLS] [CLIENTS]
#   (defaults: build/release/flashfirst, 400 calls, 64 at once)
#
# Two simulators stand for two DeepSeek accounts, each answering 429 above 8
# Flash calls in flight (as the API does above 2,500). CALLS Flash calls are made
# by CLIENTS clients at once:
#   1. straight at the two accounts (odd calls to one, even to the other), as a
#      client without a gateway would;
#   2. through `flashfirst serve` with both accounts as [[upstream]] (their
#      limits known, a queue of 1,000 with a 60 s wait).
# Then the per-key limits under the same load: a key with rpm = 50 gets exactly
# 50 answers out of 100 calls made 16 at once, and a key with max_concurrent = 4
# never has more than 4 calls upstream (checked at the simulator).
# It checks its answers (exit 1 otherwise): through the gateway every call is
# answered 200 and no simulator refused a call for concurrency; the rpm key got
# exactly 50.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ff=${1:-$root/build/release/flashfirst}
calls=${2:-400}
clients=${3:-64}
tmp=$(mktemp -d)
# The servers start inside $(...): their pids are kept in files, not in a variable of that subshell.
trap 'kill $(cat "$tmp"/*.pid 2>/dev/null) 2>/dev/null; rm -rf "$tmp"' EXIT
start() {  # name command... -> its URL
  local name=$1
  shift
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  echo $! >"$tmp/$name.pid"
  for _ in $(seq 100); do grep -q listening "$tmp/$name.out" && break; sleep 0.1; done
  sed -n 's/^listening on //p' "$tmp/$name.out"
}
sims() {  # -> the two simulators' URLs, fresh (their counters at 0)
  sim_a=$(start sim_a "$ff" sim --listen 127.0.0.1:0 --speed 4 --quality off --concurrency flash=8,pro=4)
  sim_b=$(start sim_b "$ff" sim --listen 127.0.0.1:0 --speed 4 --quality off --concurrency flash=8,pro=4)
}
metric() { curl -s "$1/metrics" | awk -v m="$2" '$1 == m {print $2}'; }
load() {  # label n parallel url-for-call-i key -> statuses in $tmp/<label>
  local label=$1 n=$2 parallel=$3 url_of=$4 key=$5
  seq "$n" | xargs -P "$parallel" -I{} bash -c '
    url=$('"$url_of"' {})
    curl -s -o /dev/null -w "%{http_code}\n" "$url/v1/chat/completions" -H "Authorization: Bearer '"$key"'" \
      -d "{\"model\":\"deepseek-v4-flash\",\"max_tokens\":120,\"messages\":[{\"role\":\"user\",\"content\":\"Write two sentences about tides, #{}.\"}]}"
  ' >"$tmp/$label"
}
count() { grep -c "^$2$" "$tmp/$1" || true; }

# --- 1. straight at the accounts
sims
export sim_a sim_b
start_ns=$(date +%s%N)
load direct "$calls" "$clients" 'f() { (( $1 % 2 )) && echo $sim_a || echo $sim_b; }; f' sk
direct_ms=$((($(date +%s%N) - start_ns) / 1000000))
direct_429=$(count direct 429)
direct_refused=$(($(metric "$sim_a" flashfirst_sim_concurrency_refusals_total) + $(metric "$sim_b" flashfirst_sim_concurrency_refusals_total)))
kill $(cat "$tmp"/sim_*.pid); rm "$tmp"/sim_*.pid

# --- 2. through the gateway
sims
cat >"$tmp/serve.toml" <<TOML
max_retries = 0
access_log = "off"
[[upstream]]
name = "a"
key_env = "KEY_A"
base_url = "$sim_a"
concurrency = { flash = 8, pro = 4 }
[[upstream]]
name = "b"
key_env = "KEY_B"
base_url = "$sim_b"
concurrency = { flash = 8, pro = 4 }
[upstream_queue]
length = 1000
wait_seconds = 60
[[key]]
name = "team"
key = "k-team"
[[key]]
name = "rpm50"
key = "k-rpm"
rpm = 50
[[key]]
name = "four"
key = "k-four"
max_concurrent = 4
TOML
gw=$(KEY_A=ka KEY_B=kb start gw "$ff" serve --config "$tmp/serve.toml" --listen 127.0.0.1:0 --ledger "$tmp/l.db")
export gw
start_ns=$(date +%s%N)
load gateway "$calls" "$clients" 'echo $gw; :' k-team
gateway_ms=$((($(date +%s%N) - start_ns) / 1000000))
gateway_200=$(count gateway 200)
gateway_refused=$(($(metric "$sim_a" flashfirst_sim_concurrency_refusals_total) + $(metric "$sim_b" flashfirst_sim_concurrency_refusals_total)))
waits=$(metric "$gw" 'flashfirst_upstream_queue_waits_total{tier="flash"}')
wait_seconds=$(metric "$gw" 'flashfirst_upstream_queue_wait_seconds_total{tier="flash"}')
timeouts=$(metric "$gw" 'flashfirst_upstream_queue_timeouts_total{tier="flash"}')

# --- 3. per-key limits under the same kind of load
load rpm 100 16 'echo $gw; :' k-rpm
rpm_200=$(count rpm 200)
rpm_429=$(count rpm 429)
# max_concurrent = 4: sample the key's calls in flight at the simulators while 60 calls go 16 at once.
before_a=$(metric "$sim_a" flashfirst_sim_chat_requests_total)
before_b=$(metric "$sim_b" flashfirst_sim_chat_requests_total)
load four 60 16 'echo $gw; :' k-four &
loader=$!
peak=0
while kill -0 $loader 2>/dev/null; do
  inflight=$(curl -s "$gw/metrics" | awk '$1 ~ /^flashfirst_upstream_in_flight/ {s += $2} END {print s + 0}')
  ((inflight > peak)) && peak=$inflight
  sleep 0.02
done
wait $loader
four_200=$(count four 200)
four_429=$(count four 429)

printf '%-44s %10s %10s\n' "" direct gateway
printf '%-44s %10s %10s\n' "calls answered 200" "$(count direct 200)" "$gateway_200"
printf '%-44s %10s %10s\n' "calls answered 429 to the client" "$direct_429" "$(count gateway 429)"
printf '%-44s %10s %10s\n' "calls a simulator refused for concurrency" "$direct_refused" "$gateway_refused"
printf '%-44s %10s %10s\n' "wall time (ms)" "$direct_ms" "$gateway_ms"
printf 'gateway queue: %s of %s calls waited, %s s on average; %s timed out\n' "$waits" "$calls" \
  "$(awk -v s="$wait_seconds" -v n="$waits" 'BEGIN {printf "%.2f", (n > 0 ? s / n : 0)}')" "$timeouts"
printf 'key rpm = 50, 100 calls 16 at once: %s answered, %s refused (429)\n' "$rpm_200" "$rpm_429"
printf 'key max_concurrent = 4, 60 calls 16 at once: %s answered, %s refused; at most %s calls upstream at a time\n' \
  "$four_200" "$four_429" "$peak"

status=0
((gateway_200 == calls)) || { echo "FAIL: through the gateway $gateway_200 of $calls calls were answered" >&2; status=1; }
((gateway_refused == 0)) || { echo "FAIL: the simulators refused $gateway_refused calls from the gateway" >&2; status=1; }
((rpm_200 == 50 && rpm_429 == 50)) || { echo "FAIL: rpm = 50 let $rpm_200 through" >&2; status=1; }
((peak <= 4)) || { echo "FAIL: the max_concurrent = 4 key had $peak calls upstream" >&2; status=1; }
((four_200 + four_429 == 60)) || { echo "FAIL: the max_concurrent key's calls: $four_200 + $four_429 of 60" >&2; status=1; }
exit $status
