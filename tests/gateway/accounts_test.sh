#!/usr/bin/env bash
# Several DeepSeek accounts behind one gateway: two simulators that answer 429
# above 2 Flash calls in flight each, and `serve` with two [[upstream]] accounts
# that know it. Twelve calls at once: none is sent over a limit (no simulator
# 429 reaches the gateway) and none fails; the rest wait in the queue. Then a
# queue of one that overflows (429 upstream_busy with Retry-After), an
# account that answers 429 (moved to the other), accounts all down (502), and
# bad account configs.
#   accounts_test.sh path/to/flashfirst
set -uo pipefail
source "$(dirname "$0")/../lib/expect.sh"
ff=$1
tmp=$(mktemp -d)
# The servers start inside $(...): their pids are kept in files, not in a variable of that subshell.
trap 'kill $(cat "$tmp"/*.pid 2>/dev/null) 2>/dev/null; rm -rf "$tmp"' EXIT
start() {  # name command... -> its URL (the "listening on" line)
  local name=$1
  shift
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  echo $! >"$tmp/$name.pid"
  for _ in $(seq 100); do grep -q listening "$tmp/$name.out" && break; sleep 0.1; done
  sed -n 's/^listening on //p' "$tmp/$name.out"
}
sim_a=$(start sim_a "$ff" sim --listen 127.0.0.1:0 --speed 1 --quality off --concurrency flash=2,pro=1)
sim_b=$(start sim_b "$ff" sim --listen 127.0.0.1:0 --speed 1 --quality off --concurrency flash=2,pro=1)
[[ -n $sim_a && -n $sim_b ]] || { echo "the simulators did not start" >&2; exit 1; }
cat >"$tmp/two.toml" <<TOML
[[upstream]]
name = "a"
key_env = "KEY_A"
base_url = "$sim_a"
concurrency = { flash = 2, pro = 1 }
[[upstream]]
name = "b"
key_env = "KEY_B"
base_url = "$sim_b"
concurrency = { flash = 2, pro = 1 }
[upstream_queue]
length = 100
wait_seconds = 60
TOML
gw=$(KEY_A=ka KEY_B=kb start gw "$ff" serve --config "$tmp/two.toml" --listen 127.0.0.1:0 --ledger "$tmp/l.db" \
  --max-retries 0 --access-log off)
[[ -n $gw ]] || { echo "serve did not start: $(cat "$tmp/gw.err")" >&2; exit 1; }
mkdir "$tmp/status"
ask() {  # url n -> status of a Flash call that writes a few sentences
  curl -s -o "$tmp/b$2" -D "$tmp/h$2" -w '%{http_code}\n' "$1/v1/chat/completions" -H 'Authorization: Bearer k' \
    -d "{\"model\":\"flash\",\"messages\":[{\"role\":\"user\",\"content\":\"Write four sentences about tides, #$2.\"}]}"
}
statuses() { cat "$tmp"/status/"$1"* | sort | uniq -c | awk '{print $1, $2}' | tr '\n' ' '; }
for i in $(seq 12); do ask "$gw" "$i" >"$tmp/status/s$i" & done
wait_clients() { wait; }  # the clients are this shell's jobs; the servers are not
wait_clients
expect_eq "accounts: twelve at once, four slots: all answered" "$(statuses s)" "12 200 "
metrics=$(curl -s "$gw/metrics")
waited=$(grep '^flashfirst_upstream_queue_waits_total{tier="flash"}' <<<"$metrics" | awk '{print $2}')
((waited >= 8)) && ok || bad "accounts: at least 8 of 12 should have waited for a slot, $waited did"
expect_contains "accounts: no simulator 429 was moved or passed on" "$metrics" \
  'flashfirst_upstream_rerouted_429_total{account="a"} 0'
expect_eq "accounts: none in flight after" "$(grep '^flashfirst_upstream_in_flight' <<<"$metrics" | awk '{s += $2} END {print s}')" "0"
expect_eq "accounts: both served calls" "$(python3 -c "
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute('select count(*) from requests where status = 200').fetchone()[0])" "$tmp/l.db")" "12"

# A queue of one, a wait of 0.5 s, one slot: the overflow is refused at once, not sent into a 429.
cat >"$tmp/one.toml" <<TOML
[[upstream]]
name = "a"
key_env = "KEY_A"
base_url = "$sim_a"
concurrency = { flash = 1 }
[upstream_queue]
length = 1
wait_seconds = 0.5
TOML
small=$(KEY_A=ka start small "$ff" serve --config "$tmp/one.toml" --listen 127.0.0.1:0 --ledger "$tmp/s.db" \
  --max-retries 0 --access-log off)
for i in $(seq 21 24); do ask "$small" "$i" >"$tmp/status/q$i" & done
wait_clients
expect_eq "queue: one answered, the rest refused" "$(statuses q)" "1 200 3 429 "
busy=$(grep -l '^HTTP/1.1 429' "$tmp"/h2[1-4] | head -1)
expect_eq "queue: upstream_busy" "$(jq -r .error.code "${busy/h2/b2}")" "upstream_busy"
expect_contains "queue: Retry-After" "$(cat "$busy")" "retry-after: 1"
m=$(curl -s "$small/metrics")
# The first takes the slot (its answer takes over a second), the second waits 0.5 s and times out, the other two find the queue full.
expect_eq "queue: one timed out, two found it full" \
  "$(grep -E '^flashfirst_upstream_queue_(timeouts|full)_total\{tier="flash"\}' <<<"$m" | awk '{print $2}' | tr '\n' ' ')" "1 2 "

# An account that answers 429 (its real limit is lower than configured): the call moves to the other.
cat >"$tmp/moved.toml" <<TOML
[[upstream]]
name = "a"
key_env = "KEY_A"
base_url = "$sim_a"
weight = 100
concurrency = { flash = 10 }
[[upstream]]
name = "b"
key_env = "KEY_B"
base_url = "$sim_b"
concurrency = { flash = 10 }
TOML
moved=$(KEY_A=ka KEY_B=kb start moved "$ff" serve --config "$tmp/moved.toml" --listen 127.0.0.1:0 \
  --ledger "$tmp/m.db" --max-retries 0 --access-log off)
for i in $(seq 31 34); do ask "$moved" "$i" >"$tmp/status/r$i" & done
wait_clients
expect_eq "429 moved: all answered" "$(statuses r)" "4 200 "
rerouted=$(curl -s "$moved/metrics" | grep '^flashfirst_upstream_rerouted_429_total{account="a"}' | awk '{print $2}')
((rerouted >= 1)) && ok || bad "429 moved: account a's 429s should have moved to b ($rerouted)"

# Every account down: 502, not a hang.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf '[[upstream]]\nname = "a"\nkey_env = "KEY_A"\nbase_url = "http://127.0.0.1:%s"\n' "$port" >"$tmp/down.toml"
down=$(KEY_A=ka start down "$ff" serve --config "$tmp/down.toml" --listen 127.0.0.1:0 --ledger "$tmp/d.db" \
  --max-retries 0 --access-log off)
expect_eq "down: 502" "$(ask "$down" 41)" "502"

# Bad account configs stop start-up with the file, line and field.
printf '[[upstream]]\nname = "a"\nkey_env = "NOT_SET_ANYWHERE"\nbase_url = "http://127.0.0.1:1"\n' >"$tmp/nokey.toml"
expect_eq "config: an unset key variable" "$("$ff" serve --config "$tmp/nokey.toml" --ledger "$tmp/x.db" 2>&1 >/dev/null)" \
  "flashfirst serve: [[upstream]] 'a': set NOT_SET_ANYWHERE to its API key"
printf '[[upstream]]\nname = "a"\nkey_env = "K"\nbase_url = "http://x"\nconcurrency = { flash = 0 }\n' >"$tmp/zero.toml"
expect_eq "config: a limit of zero" "$("$ff" serve --config "$tmp/zero.toml" --ledger "$tmp/x.db" 2>&1 >/dev/null)" \
  "flashfirst serve: $tmp/zero.toml:5: upstream[1].concurrency.flash: must be a whole number from 1 to 1000000"
printf '[[upstream]]\nname = "a"\nkey_env = "K"\nbase_url = "http://x"\nconcurrency = { lite = 5 }\n' >"$tmp/tier.toml"
expect_eq "config: an unknown tier's limit" "$("$ff" serve --config "$tmp/tier.toml" --ledger "$tmp/x.db" 2>&1 >/dev/null)" \
  "flashfirst serve: $tmp/tier.toml:5: upstream[1].concurrency.lite: unknown field (expected flash, pro)"
printf '[[upstream]]\nname = "a"\nbase_url = "http://x"\n' >"$tmp/half.toml"
expect_eq "config: a missing field" "$("$ff" serve --config "$tmp/half.toml" --ledger "$tmp/x.db" 2>&1 >/dev/null)" \
  "flashfirst serve: $tmp/half.toml:1: upstream[1].key_env: missing"
report "accounts"
