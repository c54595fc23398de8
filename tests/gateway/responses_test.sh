#!/usr/bin/env bash
# POST /v1/responses through `flashfirst serve --upstream sim`, end to end over
# real sockets: routing, the cascade (answers and buffered streams), exact cost
# from the Responses usage shape, the ledger, budgets and rate limits, and
# malformed bodies. curl is the client; Python's sqlite3 reads the ledger; the
# expected costs come from `flashfirst cost --tokens` (the cost engine, not the
# gateway's pricing).
#   responses_test.sh path/to/flashfirst path/to/tests
set -uo pipefail
source "$(dirname "$0")/../lib/expect.sh"
ff=$1
tests=$2
tmp=$(mktemp -d)
pid=""
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT

cat >"$tmp/serve.toml" <<'TOML'
max_retries = 0
[[key]]
name = "team"
key = "key-t"
[[key]]
name = "capped"
key = "key-c"
budget_per_day = "0.0004"
[[key]]
name = "limited"
key = "key-l"
rpm = 2
TOML
start() {  # extra serve flags...
  : >"$tmp/out"
  "$ff" serve --upstream sim --sim-speed 0 --sim-quality "$tests/sdk/no_failures.toml" --listen 127.0.0.1:0 \
    --ledger "$tmp/ledger.db" --config "$tmp/serve.toml" "$@" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  for _ in $(seq 100); do grep -q listening "$tmp/out" && break; sleep 0.1; done
  url=$(sed -n 's/^listening on //p' "$tmp/out")
  [[ -n "$url" ]] || { echo "serve did not start: $(cat "$tmp/err")" >&2; exit 1; }
}
start
t=(-H 'Authorization: Bearer key-t' -H 'Content-Type: application/json')
h() { grep -i "^$1:" "$2" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
# row, rows, femto_decimal, engine_cost (tests/lib/ledger.sh) read this ledger.
ledger_db=$tmp/ledger.db
source "$(dirname "$0")/../lib/ledger.sh"

# --- a JSON answer: routed, costed from input_tokens / cached_tokens / output_tokens
curl -s -D "$tmp/h1" -o "$tmp/b1" "$url/v1/responses" "${t[@]}" \
  -d '{"model":"auto","instructions":"Be brief.","input":"Translate into Spanish: the meeting moved to Friday."}'
expect_eq "json: 200" "$(head -1 "$tmp/h1" | cut -d' ' -f2)" "200"
expect_eq "json: a Response object" "$(jq -r '"\(.object) \(.status)"' "$tmp/b1")" "response completed"
expect_eq "json: routed to Flash" "$(h x-flashfirst-model "$tmp/h1") $(jq -r .model "$tmp/b1")" \
  "deepseek-v4-flash deepseek-v4-flash"
expect_contains "json: route header" "$(h x-flashfirst-route "$tmp/h1")" "translation; "
id1=$(h x-flashfirst-request-id "$tmp/h1")
r1=$(row "$id1")
expect_eq "json: the ledger bills the Responses usage" \
  "$(jq -r '"\(.cache_hit + .cache_miss) \(.cache_hit) \(.output) \(.reasoning)"' <<<"$r1")" \
  "$(jq -r '"\(.usage.input_tokens) \(.usage.input_tokens_details.cached_tokens) \(.usage.output_tokens) \(.usage.output_tokens_details.reasoning_tokens)"' "$tmp/b1")"
expect_eq "json: ledger row" "$(jq -r '"\(.stream) \(.status) \(.usage_estimated) \(.category)"' <<<"$r1")" \
  "0 200 0 translation"
expect_eq "json: cost header = ledger" "$(h x-flashfirst-cost "$tmp/h1")" "$(femto_decimal "$(jq -r .cost_femto <<<"$r1")")"
expect_eq "json: cost = the cost engine's" "$(h x-flashfirst-cost "$tmp/h1")" "$(engine_cost "$r1" deepseek-v4-flash)"
expect_eq "json: cost if Pro = the cost engine's" "$(h x-flashfirst-cost-if-pro "$tmp/h1")" \
  "$(engine_cost "$r1" deepseek-v4-pro)"
expect_eq "json: the policy's effort, as reasoning.effort" "$(jq -r .effort <<<"$r1") $(jq -r .reasoning.effort "$tmp/b1")" \
  "low low"
# A second turn with the same start hits the cache: cached_tokens are billed as hits.
curl -s -o "$tmp/b1b" "$url/v1/responses" "${t[@]}" \
  -d '{"model":"auto","instructions":"Be brief.","input":[{"role":"user","content":"Translate into Spanish: the meeting moved to Friday."},{"role":"assistant","content":"La reunión se movió al viernes."},{"role":"user","content":"And into Italian?"}]}'
expect_eq "json: a cache hit is reported" "$(jq -r '.usage.input_tokens_details.cached_tokens > 0' "$tmp/b1b")" "true"

# --- a proof goes to Pro
curl -s -D "$tmp/h2" -o "$tmp/b2" "$url/v1/responses" "${t[@]}" \
  -d '{"model":"auto","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"Prove that there are infinitely many primes."}]}]}'
expect_eq "pro: routed" "$(h x-flashfirst-model "$tmp/h2")" "deepseek-v4-pro"
expect_contains "pro: route header" "$(h x-flashfirst-route "$tmp/h2")" "multi_step_reasoning; "

# --- a stream: typed events, no [DONE], the figures on response.completed, billed from its usage
curl -sN -D "$tmp/h3" -o "$tmp/s3" "$url/v1/responses" "${t[@]}" \
  -d '{"model":"flash","stream":true,"input":"Summarize: revenue grew 4% and costs fell 2%."}'
expect_eq "stream: event stream" "$(h content-type "$tmp/h3")" "text/event-stream"
expect_eq "stream: first and last events" "$(grep '^event: ' "$tmp/s3" | sed -n '1p;$p' | tr '\n' ' ')" \
  "event: response.created event: response.completed "
expect_eq "stream: no [DONE]" "$(grep -c '^data: \[DONE\]' "$tmp/s3")" "0"
last=$(grep '^data: ' "$tmp/s3" | tail -1 | cut -c7-)
r3=$(row "$(h x-flashfirst-request-id "$tmp/h3")")
expect_eq "stream: the ledger bills the completed event's usage" \
  "$(jq -r '"\(.cache_hit + .cache_miss) \(.output) \(.stream) \(.usage_estimated)"' <<<"$r3")" \
  "$(jq -r '"\(.response.usage.input_tokens) \(.response.usage.output_tokens) 1 0"' <<<"$last")"
expect_eq "stream: figures on the last event = ledger" "$(jq -r .flashfirst.cost <<<"$last")" \
  "$(femto_decimal "$(jq -r .cost_femto <<<"$r3")")"
expect_eq "stream: the deltas add up to the text" \
  "$(grep '^data: ' "$tmp/s3" | cut -c7- | jq -rj 'select(.type == "response.output_text.delta") | .delta')" \
  "$(jq -r '.response.output[] | select(.type == "message") | .content[0].text' <<<"$last")"

# --- the cascade: Flash's answer fails its JSON check, Pro answers; both calls billed and linked
curl -s -D "$tmp/h4" -o "$tmp/b4" "$url/v1/responses" "${t[@]}" -H 'x-sim-fault: fail-flash' \
  -d '{"model":"auto","input":"Extract the name and age as a JSON object: Bob is 32.","text":{"format":{"type":"json_object"}}}'
expect_eq "cascade: escalated to Pro" "$(h x-flashfirst-escalated "$tmp/h4") $(h x-flashfirst-model "$tmp/h4")" \
  "true deepseek-v4-pro"
expect_contains "cascade: the reason" "$(h x-flashfirst-route "$tmp/h4")" \
  "escalated: Flash's answer failed (answer is not a JSON object under json_object)"
expect_eq "cascade: Pro's answer is JSON" "$(jq -r '.output[] | select(.type == "message") | .content[0].text | fromjson | type' "$tmp/b4")" "object"
r4=$(row "$(h x-flashfirst-request-id "$tmp/h4")")
r4f=$(row "$(jq -r .escalated_from <<<"$r4")")
expect_eq "cascade: the Flash call is in the ledger" "$(jq -r '"\(.routed_model) \(.status)"' <<<"$r4f")" "deepseek-v4-flash 200"
expect_eq "cascade: the cost is both calls" "$(h x-flashfirst-cost "$tmp/h4")" \
  "$(femto_decimal "$(($(jq -r .cost_femto <<<"$r4") + $(jq -r .cost_femto <<<"$r4f")))")"
# A cut at the client's own max_output_tokens is the answer asked for: not escalated.
curl -s -D "$tmp/h5" -o "$tmp/b5" "$url/v1/responses" "${t[@]}" \
  -d '{"model":"auto","max_output_tokens":4,"input":"Summarize: revenue grew 4% and costs fell 2%."}'
expect_eq "cap: incomplete at the client's cap, not escalated" \
  "$(jq -r '"\(.status) \(.incomplete_details.reason)"' "$tmp/b5") $(h x-flashfirst-escalated "$tmp/h5")" \
  "incomplete max_output_tokens false"

# --- malformed bodies: clear 400s in the OpenAI shape, nothing asked upstream or recorded
before=$(rows)
bad_body() {  # name body expected-message
  local out
  out=$(curl -s -w ' %{http_code}' "$url/v1/responses" "${t[@]}" --data-binary "$2")
  expect_eq "malformed: $1: 400" "${out##* }" "400"
  expect_eq "malformed: $1: message" "$(jq -r '"\(.error.type): \(.error.message)"' <<<"${out% *}")" \
    "invalid_request_error: $3"
}
bad_body "not JSON" '{"input": [' \
  "the request body is not valid JSON: The JSON document has an improper structure: missing or superfluous commas, braces, missing keys, etc."
bad_body "not an object" '["hi"]' "the request body must be a JSON object"
bad_body "no input" '{"model":"auto"}' '`input` is required'
bad_body "input a number" '{"model":"auto","input":7}' '`input` must be a string or a list of items'
bad_body "an item without a role" '{"input":[{"type":"message","content":"hi"}]}' 'input[0] needs a string `role`'
bad_body "a call without call_id" '{"input":[{"type":"function_call","name":"f","arguments":"{}"}]}' \
  'input[0] (function_call) needs a string `call_id`'
bad_body "previous_response_id" '{"input":"and then?","previous_response_id":"resp_1"}' \
  '`previous_response_id` is not supported: the DeepSeek Responses API is stateless; send the whole conversation in `input`'
bad_body "item_reference" '{"input":[{"type":"item_reference","id":"msg_1"}]}' \
  'input[0]: item_reference is not supported: the DeepSeek Responses API keeps no items; send them whole'
bad_body "json_schema" '{"input":"x","text":{"format":{"type":"json_schema","name":"s","schema":{}}}}' \
  "text.format.type 'json_schema' is not supported: use text or json_object (DeepSeek has no json_schema)"
bad_body "a nameless function tool" '{"input":"x","tools":[{"type":"function"}]}' \
  'tools[0]: a function tool needs a string `name`'
bad_body "max_output_tokens a string" '{"input":"x","max_output_tokens":"9"}' '`max_output_tokens` must be an integer'
bad_body "stream not a boolean" '{"input":"x","stream":"yes"}' '`stream` must be a boolean'
bad_body "model twice" '{"model":"flash","input":"x","model":"pro"}' 'the request names `model` twice; send each member once'
bad_body "invalid UTF-8" "$(printf '{"input":"\xff\xfe"}')" \
  'the request body is not valid JSON: The input is not valid UTF-8'
expect_eq "malformed: nothing recorded" "$(rows)" "$before"
# Errors from the upstream come back in the OpenAI shape too (an unknown model is caught first).
out=$(curl -s -w ' %{http_code}' "$url/v1/responses" "${t[@]}" -d '{"model":"gpt-9","input":"x"}')
expect_eq "unknown model: 400 model_not_found" "${out##* } $(jq -r .error.code <<<"${out% *}")" "400 model_not_found"
out=$(curl -s -w ' %{http_code}' "$url/v1/responses" -d '{"model":"auto","input":"x"}')
expect_eq "no key: 401" "${out##* } $(jq -r .error.code <<<"${out% *}")" "401 invalid_api_key"

# --- budgets: Responses spend counts, streamed or not, and is refused past the budget
c=(-H 'Authorization: Bearer key-c' -H 'Content-Type: application/json')
codes=""
for i in $(seq 16); do
  stream=$([[ $((i % 2)) == 0 ]] && echo true || echo false)
  codes+="$(curl -sN -o "$tmp/c$i" -w '%{http_code}' "$url/v1/responses" "${c[@]}" \
    -d "{\"model\":\"flash\",\"stream\":$stream,\"max_output_tokens\":200,\"input\":\"Summarize in a line: prices rose $i%.\"}") "
done
expect_contains "budget: answered, then refused" "$codes" "200 200 "
expect_contains "budget: refused once spent" "$codes" "429"
expect_eq "budget: the refusal names the budget" "$(jq -r '"\(.error.code): \(.error.message)"' "$tmp/c16" | cut -d: -f1-2)" \
  "budget_exceeded: the daily budget of 0.0004 USD of key capped would be exceeded"
key_c=$(printf key-c | sha256sum | cut -d' ' -f1)
expect_eq "budget: every answer billed (streams included), none estimated, spend within the budget" "$(python3 -c "
import sqlite3,sys; from decimal import Decimal
rows=list(sqlite3.connect(sys.argv[1]).execute('select cost_femto, stream, usage_estimated from requests where key_hash=?', (sys.argv[2],)))
spent=Decimal(sum(r[0] for r in rows))/Decimal(10**15)
print(len(rows) == sys.argv[3].count('200'), all(r[0] > 0 for r in rows), any(r[1] for r in rows), any(r[2] for r in rows), spent <= Decimal('0.0004'))
" "$tmp/ledger.db" "$key_c" "$codes")" "True True True False True"

# --- rate limits: x-ratelimit headers, and a 429 naming the limit
l=(-H 'Authorization: Bearer key-l' -H 'Content-Type: application/json')
curl -s -D "$tmp/hl" -o /dev/null "$url/v1/responses" "${l[@]}" -d '{"model":"flash","input":"hi"}'
expect_eq "rpm: headers" "$(h x-ratelimit-limit-requests "$tmp/hl") $(h x-ratelimit-remaining-requests "$tmp/hl")" "2 1"
curl -s -o /dev/null "$url/v1/responses" "${l[@]}" -d '{"model":"flash","input":"hi"}'
curl -s -D "$tmp/hl" -o "$tmp/bl" "$url/v1/responses" "${l[@]}" -d '{"model":"flash","input":"hi"}'
expect_eq "rpm: the third is refused" "$(head -1 "$tmp/hl" | cut -d' ' -f2) $(jq -r .error.message "$tmp/bl")" \
  "429 the rpm limit of key limited (2 requests a minute) is reached"

# --- the report: `cost --ledger` totals what the headers said
total=$(python3 -c "import sqlite3,sys; print(sum(r[0] for r in sqlite3.connect(sys.argv[1]).execute('select cost_femto from requests')))" "$tmp/ledger.db")
expect_eq "cost --ledger: the ledger's total" "$("$ff" cost --ledger "$tmp/ledger.db" --json | jq -r .cost.actual)" \
  "$(femto_decimal "$total")"
kill $pid; wait $pid 2>/dev/null

# --- a buffered stream: checked whole, escalated, then sent as events
sed 's/^cascade = true/cascade = true\nbuffer_streams = true/' "$tests/../data/routing.toml" >"$tmp/buffered.toml"
start --policy "$tmp/buffered.toml"
curl -sN -D "$tmp/h6" -o "$tmp/s6" "$url/v1/responses" "${t[@]}" -H 'x-sim-fault: fail-flash' \
  -d '{"model":"auto","stream":true,"input":"Extract the city as a JSON object: Ana lives in Porto.","text":{"format":{"type":"json_object"}}}'
last=$(grep '^data: ' "$tmp/s6" | tail -1 | cut -c7-)
expect_eq "buffered: escalated before the stream began" "$(h x-flashfirst-escalated "$tmp/h6") $(jq -r '"\(.type) \(.response.model) \(.flashfirst.escalated)"' <<<"$last")" \
  "true response.completed deepseek-v4-pro true"
expect_eq "buffered: events numbered from 0" \
  "$(grep '^data: ' "$tmp/s6" | cut -c7- | jq -s '[.[].sequence_number] == [range(length)]')" "true"
expect_eq "buffered: the streamed text is Pro's JSON" \
  "$(grep '^data: ' "$tmp/s6" | cut -c7- | jq -rj 'select(.type == "response.output_text.delta") | .delta' | jq -r type)" "object"
kill $pid; wait $pid 2>/dev/null

report "responses"
