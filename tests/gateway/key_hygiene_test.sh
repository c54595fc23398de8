#!/usr/bin/env bash
# Keys never leak: a gateway with a known upstream key and known virtual keys is
# driven through every error path (wrong and missing keys, bad bodies, unknown
# models, budgets, tiers, upstream 429/500/503, cut and malformed answers, a
# stream cut short, a body too large, the upstream refusing the gateway's key),
# and then every output is searched for the keys: stdout, stderr, the access
# log, the ledger, /metrics, /v1/models, the cost report and every answer's
# headers and body. They are found nowhere.
#   key_hygiene_test.sh path/to/flashfirst path/to/tests
set -uo pipefail
source "$(dirname "$0")/../lib/expect.sh"
ff=$1
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
up_key=sk-upstream-SECRET-1234
wait_url() { for _ in $(seq 100); do grep -q listening "$1" && break; sleep 0.1; done; sed -n 's/^listening on //p' "$1"; }

"$ff" sim --listen 127.0.0.1:0 --speed 0 --quality off --key "$up_key" >"$tmp/sim.out" 2>"$tmp/sim.err" &
pids+=($!)
sim_url=$(wait_url "$tmp/sim.out")
cat >"$tmp/serve.toml" <<TOML
listen = "127.0.0.1:0"
max_retries = 0
max_body_mb = 1
record_requests = true
[[key]]
name = "team-a"
key = "vk-team-SECRET-5678"
[[key]]
name = "broke"
key = "vk-broke-SECRET-9999"
budget_per_day = "0.000000001"
[[key]]
name = "flash-only"
key = "vk-flash-SECRET-4242"
tiers = ["flash"]
TOML
DEEPSEEK_API_KEY=$up_key "$ff" serve --config "$tmp/serve.toml" --upstream "$sim_url" --ledger "$tmp/l.db" \
  --access-log "$tmp/access.log" >"$tmp/serve.out" 2>"$tmp/serve.err" &
pids+=($!)
url=$(wait_url "$tmp/serve.out")
[[ -n "$url" ]] || { echo "serve did not start: $(cat "$tmp/serve.err")" >&2; exit 1; }
# The same gateway with a wrong upstream key: the upstream's 401 goes through it.
DEEPSEEK_API_KEY=sk-upstream-SECRET-wrong "$ff" serve --config "$tmp/serve.toml" --upstream "$sim_url" \
  --ledger "$tmp/l2.db" --access-log "$tmp/access2.log" >"$tmp/serve2.out" 2>"$tmp/serve2.err" &
pids+=($!)
url2=$(wait_url "$tmp/serve2.out")

hello='{"model":"auto","messages":[{"role":"user","content":"Hello"}]}'
n=0
ask() {  # curl arguments; every answer's headers and body are kept
  n=$((n + 1))
  curl -s -D "$tmp/answer-$n.head" -o "$tmp/answer-$n.body" "$@"
}
team=(-H 'Authorization: Bearer vk-team-SECRET-5678' -H 'Content-Type: application/json')
ask "$url/v1/chat/completions" -d "$hello"
ask "$url/v1/chat/completions" -H 'Authorization: Bearer vk-team-SECRET-5678x' -d "$hello"
ask "$url/v1/messages" -H 'x-api-key: vk-team-SECRET-5678x' -d "$hello"
ask "$url/v1/chat/completions" "${team[@]}" -d '{"messages": ['
ask "$url/v1/chat/completions" "${team[@]}" -d '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}'
ask "$url/v1/chat/completions" "${team[@]}" -H 'x-flashfirst-tier: medium' -d "$hello"
ask "$url/v1/chat/completions" -H 'Authorization: Bearer vk-broke-SECRET-9999' -d "$hello"
ask "$url/v1/chat/completions" -H 'Authorization: Bearer vk-flash-SECRET-4242' -d '{"model":"pro","messages":[{"role":"user","content":"hi"}]}'
for fault in 429 500 503 cut malformed slow; do
  ask "$url/v1/chat/completions" "${team[@]}" -H "x-sim-fault: $fault" -d "$hello"
  ask -N "$url/v1/chat/completions" "${team[@]}" -H "x-sim-fault: $fault" \
    -d '{"model":"auto","stream":true,"messages":[{"role":"user","content":"Hello"}]}'
done
ask "$url/v1/chat/completions" "${team[@]}" -d "$hello"
ok_n=$n
# Ratings of that answer: by its key, by another key, by a wrong one, and a bad body.
rated=$(grep -i '^x-flashfirst-request-id:' "$tmp/answer-$ok_n.head" | cut -d' ' -f2 | tr -d '\r')
ask "$url/v1/flashfirst/feedback" "${team[@]}" -d "{\"request_id\":\"$rated\",\"metric\":\"ok\",\"value\":true}"
ask "$url/v1/flashfirst/feedback" -H 'Authorization: Bearer vk-flash-SECRET-4242' -d "{\"request_id\":\"$rated\",\"metric\":\"ok\",\"value\":false}"
ask "$url/v1/flashfirst/feedback" -H 'Authorization: Bearer vk-team-SECRET-5678x' -d "{\"request_id\":\"$rated\",\"metric\":\"ok\",\"value\":false}"
ask "$url/v1/flashfirst/feedback" "${team[@]}" -d '{"request_id":'
expect_eq "ratings: own key, another key, wrong key, bad body" \
  "$(for k in 3 2 1 0; do head -1 "$tmp/answer-$((n - k)).head" | cut -d' ' -f2; done | tr '\n' ' ')" "200 404 401 400 "
ask "$url/v1/nothing" "${team[@]}"
ask "$url/v1/models" "${team[@]}"
ask "$url/metrics"
head -c 1200000 /dev/zero | tr '\0' a >"$tmp/big"
ask "$url/v1/chat/completions" "${team[@]}" --data-binary @"$tmp/big"
ask "$url2/v1/chat/completions" "${team[@]}" -d "$hello"
expect_eq "the wrong upstream key is refused upstream" "$(head -1 "$tmp/answer-$n.head" | cut -d' ' -f2)" "401"
expect_eq "no key: 401; the right one works" "$(head -1 "$tmp/answer-1.head" | cut -d' ' -f2) $(head -1 "$tmp/answer-$ok_n.head" | cut -d' ' -f2)" "401 200"

for p in "${pids[@]:1}"; do kill -TERM "$p"; wait "$p"; done
"$ff" cost --ledger "$tmp/l.db" --by key,tier --json >"$tmp/cost.json" 2>&1
"$ff" cost --ledger "$tmp/l.db" --by key >"$tmp/cost.txt" 2>&1
python3 - "$tmp/l.db" "$tmp/l2.db" >"$tmp/ledgers.txt" <<'PY'
import sqlite3, sys
for path in sys.argv[1:]:
    db = sqlite3.connect(path)
    for table in ("requests", "feedback", "request_bodies"):
        for row in db.execute("select * from " + table):
            print(table, row)
PY
expect_eq "answers kept" "$(ls "$tmp"/answer-*.body | wc -l)" "$n"
expect_eq "the ledgers have rows" "$(( $(wc -l <"$tmp/ledgers.txt") > 10 ))" "1"
expect_eq "the rating and the recorded requests are in the ledger" \
  "$(grep -c '^feedback ' "$tmp/ledgers.txt") $(( $(grep -c '^request_bodies ' "$tmp/ledgers.txt") > 5 ))" "1 1"
for f in serve.out serve.err serve2.out serve2.err access.log access2.log ledgers.txt cost.json cost.txt; do
  expect_eq "no key in $f" "$(grep -c SECRET "$tmp/$f")" "0"
done
expect_eq "no key in any answer's headers or body" "$(cat "$tmp"/answer-*.head "$tmp"/answer-*.body | grep -c SECRET)" "0"
report key_hygiene
