#!/usr/bin/env bash
# Every client request writes exactly one access-log line, whatever becomes of
# it: 21 kinds of request (rejected by the server, by the gateway, by a budget
# or a key's tiers, answered, streamed, a stream that ends in a 429) give 21
# lines, each with its status. Probes (/healthz) write none. Also the gateway's
# answers to an unknown model and a bad x-flashfirst-tier, /v1/models, and spend
# per key (the ledger's key names, `cost --ledger --by key`, /metrics).
#   access_log_test.sh path/to/flashfirst path/to/tests
set -uo pipefail
source "$(dirname "$0")/../lib/expect.sh"
ff=$1
tests=$2
tmp=$(mktemp -d)
cat >"$tmp/serve.toml" <<TOML
upstream = "sim"
listen = "127.0.0.1:0"
max_retries = 0
[[key]]
name = "team-a"
key = "key-a"
[[key]]
name = "flash-only"
key = "key-f"
tiers = ["flash"]
[[key]]
name = "broke"
key = "key-b"
budget_per_day = "0.000000001"
TOML
"$ff" serve --config "$tmp/serve.toml" --sim-speed 0 --sim-quality "$tests/sdk/no_failures.toml" --ledger "$tmp/l.db" \
  --access-log "$tmp/access.log" --read-timeout 1 --max-body-mb 1 >"$tmp/out" 2>"$tmp/err" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do grep -q listening "$tmp/out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$tmp/out")
[[ -n "$url" ]] || { echo "serve did not start: $(cat "$tmp/err")" >&2; exit 1; }
port=${url##*:}
a=(-H 'Authorization: Bearer key-a' -H 'Content-Type: application/json')
chat="$url/v1/chat/completions"
hello='{"model":"auto","messages":[{"role":"user","content":"Hello"}]}'
code() { curl -s -o "$tmp/last" -w '%{http_code}' "$@"; }
raw() {  # bytes to send, seconds to wait before closing
  python3 - "$port" "$1" "$2" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode())
time.sleep(float(sys.argv[3]))
s.settimeout(5)
data = b""
try:
    while True:
        b = s.recv(65536)
        if not b: break
        data += b
except Exception:
    pass
print(data.split(b" ")[1].decode() if data.startswith(b"HTTP/1.1 ") else "none")
PY
}

statuses=()
sent() { statuses+=("$1"); }
sent "$(code "$chat" -d "$hello")"                                                        # 1 no key
sent "$(code "$chat" -H 'Authorization: Bearer nope' -d "$hello")"                         # 2 wrong key
sent "$(code "$chat" "${a[@]}" -d '{"messages": [')"                                       # 3 invalid JSON
sent "$(code "$chat" "${a[@]}" -d '[1]')"                                                   # 4 not an object
sent "$(code "$chat" "${a[@]}" -d '{"model":7,"messages":[]}')"                             # 5 model not a string
sent "$(code "$chat" "${a[@]}" -d '{"model":"auto","stream":"yes","messages":[]}')"         # 6 stream not a boolean
sent "$(code "$chat" "${a[@]}" -d '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}')"  # 7 unknown model
unknown=$(cat "$tmp/last")
sent "$(code "$chat" "${a[@]}" -H 'x-flashfirst-tier: medium' -d "$hello")"                 # 8 bad tier header
badtier=$(cat "$tmp/last")
sent "$(code "$url/v1/nothing" "${a[@]}")"                                                  # 9 no route
sent "$(code "$chat" "${a[@]}")"                                                            # 10 GET on chat
sent "$(code -X POST "$url/v1/models" "${a[@]}")"                                           # 11 POST on models
sent "$(code "$chat" -H 'Authorization: Bearer key-f' -d '{"model":"pro","messages":[{"role":"user","content":"hi"}]}')"  # 12 tier not allowed
sent "$(code "$chat" -H 'Authorization: Bearer key-b' -d "$hello")"                        # 13 budget
sent "$(code "$chat" "${a[@]}" -d "$hello")"                                                # 14 answered
sent "$(code -N "$chat" "${a[@]}" -d '{"model":"auto","stream":true,"messages":[{"role":"user","content":"Hello"}]}')"  # 15 stream
sent "$(code -N "$chat" "${a[@]}" -H 'x-sim-fault: 429' -d '{"model":"auto","stream":true,"messages":[{"role":"user","content":"Hi"}]}')"  # 16 stream ends in 429
sent "$(code "$url/v1/models" "${a[@]}")"                                                   # 17 models
models=$(cat "$tmp/last")
head -c 1200000 /dev/zero | tr '\0' 'a' >"$tmp/big"
sent "$(code "$chat" "${a[@]}" --data-binary @"$tmp/big")"                                  # 18 413
sent "$(code "$chat" "${a[@]}" -H "x-big: $(head -c 70000 /dev/zero | tr '\0' 'a')" -d "$hello")"  # 19 431
sent "$(raw 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{"mo' 2)"  # 20 408
sent "$(raw 'GARBAGE GARBAGE GARBAGE\r\n\r\n' 0.3)"                                         # 21 400 malformed
curl -s "$url/healthz" >/dev/null                                                         # a probe: no line

expect_eq "statuses sent" "${statuses[*]}" "401 401 400 400 400 400 400 400 404 405 405 403 429 200 200 429 200 413 431 408 400"
# One more call of another key, so that spend splits by key.
curl -s -o /dev/null -H 'Authorization: Bearer key-f' "$chat" -d "$hello"
metrics=$(curl -s "$url/metrics")
kill -TERM $pid
wait $pid
lines=$(wc -l <"$tmp/access.log")
expect_eq "one line per client request" "$lines" "$(( ${#statuses[@]} + 1 ))"
logged=$(jq -r .status "$tmp/access.log" | sort | tr '\n' ' ')
expect_eq "each line's status" "$logged" "$(printf '%s\n' "${statuses[@]}" 200 | sort | tr '\n' ' ')"
expect_eq "every line is JSON with a path and a latency" "$(jq -c 'select(.path and .latency_ms >= 0) | 1' "$tmp/access.log" | wc -l)" "$lines"
expect_contains "the 403 names the key" "$(jq -c 'select(.status == 403)' "$tmp/access.log")" '"key":"flash-only"'
expect_contains "the stream's 429 has its row" "$(jq -c 'select(.status == 429 and .stream == true)' "$tmp/access.log")" '"request_id":'
expect_contains "the 413 says why" "$(jq -c 'select(.status == 413)' "$tmp/access.log")" '"error":"request body too large"'
expect_contains "the 401 says why" "$(jq -c 'select(.status == 401)' "$tmp/access.log" | head -1)" '"error":"missing or unknown API key'
expect_eq "no key is logged" "$(grep -c 'key-a\|key-f\|key-b' "$tmp/access.log")" "0"

# The gateway's own answers to names it cannot serve.
expect_eq "unknown model: code" "$(jq -r .error.code <<<"$unknown")" "model_not_found"
expect_contains "unknown model: names the accepted ones" "$(jq -r .error.message <<<"$unknown")" \
  "model 'gpt-4o' is not known; use auto, flash, pro or one of: deepseek-flash, deepseek-v4-flash, deepseek-v4-flash-vision-exp, deepseek-v4-pro"
expect_eq "bad tier header" "$(jq -r .error.message <<<"$badtier")" "x-flashfirst-tier must be pro or flash, got 'medium'"
expect_eq "models: the gateway's names first" "$(jq -r '[.data[].id] | .[0:3] | join(",")' <<<"$models")" "auto,flash,pro"
expect_eq "models: the upstream's follow" "$(jq -r '[.data[].id] | index("deepseek-v4-pro") > 2' <<<"$models")" "true"
# --- spend per key: the ledger keeps each key's name (never the key); `cost --ledger --by`
# groups by it; /metrics has counters per key and tier; an upstream error row is an
# error, not a skipped line, so --strict passes on this ledger.
sums=$(python3 - "$tmp/l.db" <<'PY'
import sqlite3, sys
from decimal import Decimal
db = sqlite3.connect(sys.argv[1])
for name, femto, n, errors in db.execute(
        "select key_name, sum(cost_femto), count(*), sum(status != 200) from requests group by key_name order by key_name"):
    print(name, format(Decimal(femto) / Decimal(10**15), 'f').rstrip('0').rstrip('.'), n, errors)
PY
)
expect_eq "ledger: rows by key name (calls, errors)" "$(awk '{print $1, $3, $4}' <<<"$sums" | tr '\n' ';')" "flash-only 1 0;team-a 3 1;"
by_key=$("$ff" cost --ledger "$tmp/l.db" --by key --json)
for k in team-a flash-only; do
  expect_eq "cost --by key: $k = the ledger's own sum" "$(jq -r --arg k "$k" '.by_group[] | select(.key == $k) | .cost' <<<"$by_key" | sed 's/0*$//; s/\.$//')" \
    "$(awk -v k="$k" '$1 == k {print $2}' <<<"$sums")"
done
expect_eq "cost --by key: the 429 stream is an upstream error" "$(jq -c '[.upstream_errors, (.by_group[] | select(.key == "team-a") | .upstream_errors), .skipped.no_usage]' <<<"$by_key")" "[1,1,0]"
expect_eq "cost --key: one key's calls" "$("$ff" cost --ledger "$tmp/l.db" --key flash-only --json | jq .records)" "1"
expect_eq "cost --by key,tier: groups" "$("$ff" cost --ledger "$tmp/l.db" --by key,tier --json | jq -c '[.by_group[] | [.key, .tier, .calls]]')" \
  '[["flash-only","flash",1],["team-a","flash",2]]'
expect_eq "cost --from in the future: nothing" "$("$ff" cost --ledger "$tmp/l.db" --from 2099-01-01 --json | jq .records)" "0"
"$ff" cost --ledger "$tmp/l.db" --strict >/dev/null
expect_eq "cost --ledger --strict passes on an ordinary ledger" "$?" "0"
err=$("$ff" cost --ledger "$tmp/l.db" --by team 2>&1)
expect_eq "cost --by: unknown dimension" "$err" "flashfirst cost: --by: 'team' is not one of key, category, tier, model, day"
expect_contains "metrics: cost per key and tier" "$metrics" "flashfirst_key_cost_total{key=\"team-a\",tier=\"flash\"} $(awk '$1 == "team-a" {print $2}' <<<"$sums")"
expect_contains "metrics: tokens per key" "$metrics" 'flashfirst_key_tokens_total{key="flash-only",tier="flash",kind="output"}'
expect_eq "no key is in the ledger" "$(python3 -c "import sqlite3,sys; print(sum(1 for r in sqlite3.connect(sys.argv[1]).execute('select * from requests') if any(k in str(r) for k in ('key-a','key-f','key-b'))))" "$tmp/l.db")" "0"
report access_log
