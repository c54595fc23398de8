#!/usr/bin/env bash
# End-to-end tests of `flashfirst serve --upstream sim` over real sockets, with
# curl as the client and Python's sqlite3 as an independent reader of the ledger.
#   gateway_test.sh path/to/flashfirst path/to/tests
# Expected costs are recomputed from the billed usage by `flashfirst cost --tokens`
# (the cost engine, a separate code path from the gateway's pricing) at the
# request's recorded start time.
set -uo pipefail
source "$(dirname "$0")/../lib/expect.sh"
ff=$1
tests=$2
tmp=$(mktemp -d)

# The simulator draws no quality failures here (each test forces the ones it wants).
"$ff" serve --upstream sim --sim-speed 0 --sim-quality "$tests/sdk/no_failures.toml" --listen 127.0.0.1:0 --ledger "$tmp/ledger.db" --key secret-key \
  --max-retries 2 >"$tmp/out" 2>"$tmp/err" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do grep -q listening "$tmp/out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$tmp/out")
[[ -n "$url" ]] || { echo "serve did not start: $(cat "$tmp/err")" >&2; exit 1; }

auth=(-H 'Authorization: Bearer secret-key' -H 'Content-Type: application/json')
# row, rows, femto_decimal, engine_cost (tests/lib/ledger.sh) read this ledger.
ledger_db=$tmp/ledger.db
source "$(dirname "$0")/../lib/ledger.sh"

# --- health, auth, errors
expect_eq "healthz" "$(curl -s "$url/healthz")" '{"status":"ok"}'
out=$(curl -s -w ' %{http_code}' "$url/v1/chat/completions" -H 'Content-Type: application/json' -d '{}')
expect_eq "no key: 401" "${out##* }" "401"
expect_eq "no key: OpenAI error" "$(jq -r .error.code <<<"${out% *}")" "invalid_api_key"
out=$(curl -s -w ' %{http_code}' "$url/v1/chat/completions" -H 'Authorization: Bearer wrong' -d '{}')
expect_eq "wrong key: 401" "${out##* }" "401"
out=$(curl -s -w ' %{http_code}' "$url/v1/chat/completions" "${auth[@]}" -d '{"messages": [')
expect_eq "malformed JSON: 400" "${out##* }" "400"
expect_eq "malformed JSON: message" "$(jq -r .error.type <<<"${out% *}")" "invalid_request_error"
# A member named twice: the gateway would route by one and the API might run the other.
out=$(curl -s -w ' %{http_code}' "$url/v1/chat/completions" "${auth[@]}" \
  -d '{"model":"deepseek-v4-flash","messages":[{"role":"user","content":"hi"}],"model":"deepseek-v4-pro"}')
expect_eq "model named twice: 400" "${out##* }" "400"
expect_eq "model named twice: message" "$(jq -r .error.message <<<"${out% *}")" \
  "the request names \`model\` twice; send each member once"
expect_eq "no ledger row for a request that never reached the upstream" "$(rows)" "0"
out=$(curl -s -w ' %{http_code}' "$url/v1/nothing" "${auth[@]}")
expect_eq "unknown path: 404" "${out##* }" "404"

# --- auto: a one-line combinatorics question goes to Pro, priced exactly
curl -s -D "$tmp/h1" -o "$tmp/b1" "$url/v1/chat/completions" "${auth[@]}" \
  -d '{"model":"auto","messages":[{"role":"user","content":"How many ways can 8 rooks be placed on a chessboard so that no two attack each other?"}]}'
h() { grep -i "^$1:" "$2" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
expect_eq "auto -> pro: model header" "$(h x-flashfirst-model "$tmp/h1")" "deepseek-v4-pro"
expect_eq "auto -> pro: answered by pro" "$(jq -r .model "$tmp/b1")" "deepseek-v4-pro"
expect_contains "auto -> pro: route header" "$(h x-flashfirst-route "$tmp/h1")" "multi_step_reasoning;"
expect_eq "auto -> pro: not escalated" "$(h x-flashfirst-escalated "$tmp/h1")" "false"
id1=$(h x-flashfirst-request-id "$tmp/h1")
# The gateway's prefix, then its first request's number in six digits.
expect_eq "request id: prefix and number" "$(sed -E 's/^ff-[0-9a-f]{8}-/ff-PREFIX-/' <<<"$id1")" "ff-PREFIX-000001"
r1=$(row "$id1")
expect_eq "ledger: usage as billed" "$(jq -r '"\(.cache_hit + .cache_miss) \(.output) \(.reasoning)"' <<<"$r1")" \
  "$(jq -r '"\(.usage.prompt_tokens) \(.usage.completion_tokens) \(.usage.completion_tokens_details.reasoning_tokens)"' "$tmp/b1")"
expect_eq "ledger: routed model and category" "$(jq -r '"\(.routed_model) \(.category) \(.stream) \(.status)"' <<<"$r1")" \
  "deepseek-v4-pro multi_step_reasoning 0 200"
expect_eq "cost header = ledger cost" "$(h x-flashfirst-cost "$tmp/h1")" "$(femto_decimal "$(jq -r .cost_femto <<<"$r1")")"
expect_eq "cost header = cost engine's price of the usage on Pro" "$(h x-flashfirst-cost "$tmp/h1")" "$(engine_cost "$r1" deepseek-v4-pro)"
expect_eq "cost-if-pro of a Pro call is its cost" "$(h x-flashfirst-cost-if-pro "$tmp/h1")" "$(h x-flashfirst-cost "$tmp/h1")"
expect_eq "ledger: key stored hashed" "$(jq -r .key_hash <<<"$r1")" "$(printf '%s' secret-key | sha256sum | cut -d' ' -f1)"

# --- auto: summarization goes to Flash; cost-if-pro is the cost engine's Pro price of the same usage
curl -s -D "$tmp/h2" -o "$tmp/b2" "$url/v1/chat/completions" "${auth[@]}" \
  -d '{"model":"auto","messages":[{"role":"user","content":"Summarize in one line: the council approved the budget and delayed hiring."}]}'
r2=$(row "$(h x-flashfirst-request-id "$tmp/h2")")
expect_eq "auto -> flash" "$(h x-flashfirst-model "$tmp/h2") $(jq -r .category <<<"$r2")" "deepseek-v4-flash summarization"
expect_eq "flash cost = cost engine (flash)" "$(h x-flashfirst-cost "$tmp/h2")" "$(engine_cost "$r2" deepseek-v4-flash)"
expect_eq "flash cost-if-pro = cost engine (pro)" "$(h x-flashfirst-cost-if-pro "$tmp/h2")" "$(engine_cost "$r2" deepseek-v4-pro)"

# --- a concrete id passes through unchanged; flash/pro pick a tier
curl -s -D "$tmp/h3" -o "$tmp/b3" "$url/chat/completions" "${auth[@]}" \
  -d '{"model":"deepseek-v4-pro","messages":[{"role":"user","content":"Summarize: a b c."}]}'
expect_eq "concrete id passes through" "$(h x-flashfirst-model "$tmp/h3") $(jq -r .model "$tmp/b3")" "deepseek-v4-pro deepseek-v4-pro"
expect_contains "concrete id: reason" "$(h x-flashfirst-route "$tmp/h3")" "client named the model"
curl -s -D "$tmp/h4" -o /dev/null "$url/v1/chat/completions" "${auth[@]}" \
  -d '{"model":"pro","messages":[{"role":"user","content":"Hello"}]}'
expect_eq "model pro picks the tier" "$(h x-flashfirst-model "$tmp/h4")" "deepseek-v4-pro"
curl -s -D "$tmp/h5" -o /dev/null "$url/v1/chat/completions" "${auth[@]}" -H 'x-flashfirst-tier: pro' \
  -d '{"model":"auto","messages":[{"role":"user","content":"Hello"}]}'
expect_eq "x-flashfirst-tier header" "$(h x-flashfirst-model "$tmp/h5")" "deepseek-v4-pro"

# --- cascade: Flash's JSON answer fails (forced), the request is re-asked on Pro
curl -s -D "$tmp/h6" -o "$tmp/b6" "$url/v1/chat/completions" "${auth[@]}" -H 'x-sim-fault: fail-flash' \
  -d '{"model":"auto","response_format":{"type":"json_object"},"messages":[{"role":"user","content":"Extract the name and city as JSON: Ana lives in Porto."}]}'
expect_eq "cascade: escalated" "$(h x-flashfirst-escalated "$tmp/h6")" "true"
expect_eq "cascade: Pro's answer" "$(h x-flashfirst-model "$tmp/h6") $(jq -r .model "$tmp/b6")" "deepseek-v4-pro deepseek-v4-pro"
expect_eq "cascade: the answer is JSON" "$(jq -r '.choices[0].message.content | fromjson | type' "$tmp/b6")" "object"
r6=$(row "$(h x-flashfirst-request-id "$tmp/h6")")
flash_id=$(jq -r .escalated_from <<<"$r6")
r6f=$(row "$flash_id")
expect_eq "cascade: the Flash call is recorded and linked" "$(jq -r '"\(.routed_model) \(.status)"' <<<"$r6f")" "deepseek-v4-flash 200"
expect_contains "cascade: the Pro row says why" "$(jq -r .reason <<<"$r6")" "escalated: Flash's answer failed (answer is not a JSON object under json_object)"
expect_eq "cascade: cost = Flash call + Pro call" "$(h x-flashfirst-cost "$tmp/h6")" \
  "$(femto_decimal "$(( $(jq -r .cost_femto <<<"$r6f") + $(jq -r .cost_femto <<<"$r6") ))")"

# --- stream: passed through, costed from the final usage chunk exactly like non-stream
curl -s -N -D "$tmp/h7" -o "$tmp/b7" "$url/v1/chat/completions" "${auth[@]}" \
  -d '{"model":"auto","stream":true,"messages":[{"role":"user","content":"Translate into French: good morning"}]}'
expect_eq "stream: content type" "$(h content-type "$tmp/h7")" "text/event-stream"
expect_eq "stream: ends with [DONE]" "$(grep -c '^data: \[DONE\]' "$tmp/b7")" "1"
last=$(grep '^data: {' "$tmp/b7" | tail -1 | cut -c7-)
r7=$(row "$(jq -r .flashfirst.request_id <<<"$last")")
expect_eq "stream: usage on the last chunk = ledger" "$(jq -r '"\(.usage.prompt_cache_hit_tokens) \(.usage.prompt_cache_miss_tokens) \(.usage.completion_tokens)"' <<<"$last")" \
  "$(jq -r '"\(.cache_hit) \(.cache_miss) \(.output)"' <<<"$r7")"
# An exact decimal string, as in the headers.
expect_eq "stream: flashfirst.cost is a string" "$(jq -r '.flashfirst.cost | type' <<<"$last")" "string"
expect_eq "stream: flashfirst.cost = cost engine" "$(jq -r .flashfirst.cost <<<"$last")" "$(engine_cost "$r7" deepseek-v4-flash)"
expect_eq "stream: recorded as a stream, not estimated" "$(jq -r '"\(.stream) \(.usage_estimated) \(.status)"' <<<"$r7")" "1 0 200"
expect_eq "stream: the client's deltas are intact" "$(grep '^data: {' "$tmp/b7" | cut -c7- | jq -rj '.choices[0].delta.content // ""' | wc -c | tr -d ' ')" \
  "$(grep '^data: {' "$tmp/b7" | cut -c7- | jq -rj '.choices[0].delta.content // ""' | wc -c | tr -d ' ')"

# --- upstream faults: a 503 is retried, then passed through in the API's own format
out=$(curl -s -w ' %{http_code}' "$url/v1/chat/completions" "${auth[@]}" -H 'x-sim-fault: 503' \
  -d '{"model":"auto","messages":[{"role":"user","content":"Hello"}]}')
expect_eq "503 passed through after retries" "${out##* }" "503"
expect_eq "503 body is the upstream's" "$(jq -r .error.code <<<"${out% *}")" "server_overloaded"
expect_contains "retries counted" "$(curl -s "$url/metrics")" "flashfirst_retries_total 2"
# A stream cut before its usage: recorded with an estimate, and marked so.
curl -s -N -D "$tmp/h8" -o "$tmp/b8" "$url/v1/chat/completions" "${auth[@]}" -H 'x-sim-fault: cut' \
  -d '{"model":"flash","stream":true,"messages":[{"role":"user","content":"Tell me a story"}]}'
r8=$(row "$(h x-flashfirst-request-id "$tmp/h8")")
expect_eq "cut stream: estimated" "$(jq -r .usage_estimated <<<"$r8")" "1"
expect_eq "cut stream: no [DONE] sent" "$(grep -c '\[DONE\]' "$tmp/b8")" "0"

# --- thinking-mode tool loop: the client drops reasoning_content, the gateway puts it back
sim_url=$(grep -o 'http://127.0.0.1:[0-9]*' "$tmp/err" | head -1)
tools='[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]'
# With tool_choice "auto" the model may answer without a call: ask about another
# city until it calls (the simulator is deterministic: always the same turns).
for city in Oslo Paris Rome Kyiv Lima Quito; do
  curl -s "$url/v1/chat/completions" "${auth[@]}" \
    -d "{\"model\":\"flash\",\"tools\":$tools,\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather in $city?\"}]}" >"$tmp/t1"
  call=$(jq -c '.choices[0].message.tool_calls' "$tmp/t1")
  [[ $call != null ]] && break
done
expect_eq "tool loop: the first turn calls the tool" "$(jq -r '.[0].function.name' <<<"$call")" "get_weather"
loop="{\"model\":\"flash\",\"tools\":$tools,\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather in $city?\"},{\"role\":\"assistant\",\"content\":null,\"tool_calls\":$call},{\"role\":\"tool\",\"tool_call_id\":$(jq '.[0].id' <<<"$call"),\"content\":\"sunny\"}]}"
# Sent straight to the API (the simulator), that conversation is the documented 400 ...
out=$(curl -s -w ' %{http_code}' "$sim_url/chat/completions" -H 'Authorization: Bearer flashfirst-in-process-sim' \
  -d "${loop/\"model\":\"flash\"/\"model\":\"deepseek-v4-flash\"}")
expect_eq "tool loop without reasoning_content: the API's 400" "${out##* }" "400"
# ... and through the gateway it just works.
curl -s -D "$tmp/h9" -o "$tmp/b9" "$url/v1/chat/completions" "${auth[@]}" -d "$loop"
expect_eq "tool loop through the gateway: 200" "$(head -1 "$tmp/h9" | cut -d' ' -f2)" "200"
expect_eq "tool loop: one turn restored" "$(h x-flashfirst-reasoning-restored "$tmp/h9")" "1"
# One call and its result are one step: the conversation stays on its question's tier.
r9=$(row "$(h x-flashfirst-request-id "$tmp/h9")")
expect_eq "tool loop: one step is no agent tool chain" "$(jq -r '"\(.category) \(.routed_model)"' <<<"$r9")" \
  "straightforward_qa deepseek-v4-flash"
expect_contains "tool loop: the reason says why" "$(jq -r .reason <<<"$r9")" \
  "1 tool step so far (a call and its result): the conversation keeps its question's tier"

# --- a cut at the client's own max_tokens is the answer asked for: not escalated, billed once
curl -s -D "$tmp/hc" -o "$tmp/bc" "$url/v1/chat/completions" "${auth[@]}" \
  -d '{"model":"auto","max_tokens":5,"messages":[{"role":"user","content":"Summarize: the meeting moved to Friday because the room was booked."}]}'
expect_eq "capped: finish_reason length" "$(jq -r '.choices[0].finish_reason' "$tmp/bc")" "length"
expect_eq "capped: not escalated" "$(h x-flashfirst-escalated "$tmp/hc") $(h x-flashfirst-model "$tmp/hc")" "false deepseek-v4-flash"
rc=$(row "$(h x-flashfirst-request-id "$tmp/hc")")
expect_eq "capped: one row, billed once" "$(h x-flashfirst-cost "$tmp/hc")" "$(femto_decimal "$(jq -r .cost_femto <<<"$rc")")"
expect_eq "capped: no row escalated from it" \
  "$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from requests where escalated_from=?', (sys.argv[2],)).fetchone()[0])" "$tmp/ledger.db" "$(jq -r .request_id <<<"$rc")")" "0"
# The policy's effort for the category reaches the upstream and the ledger (summaries: high;
# translations: low, data/routing.toml); a client's own effort is kept.
expect_eq "effort: recorded as sent" "$(jq -r .effort <<<"$rc")" "high"
curl -s -D "$tmp/he" -o /dev/null "$url/v1/chat/completions" "${auth[@]}" \
  -d '{"model":"auto","messages":[{"role":"user","content":"Translate into German: the train leaves at noon."}]}'
expect_eq "effort: translation is low" "$(jq -r '"\(.category) \(.effort)"' <<<"$(row "$(h x-flashfirst-request-id "$tmp/he")")")" "translation low"
curl -s -D "$tmp/he2" -o /dev/null "$url/v1/chat/completions" "${auth[@]}" \
  -d '{"model":"auto","reasoning_effort":"max","messages":[{"role":"user","content":"Translate into German: the train leaves at noon."}]}'
expect_eq "effort: the client's own is kept" "$(jq -r .effort <<<"$(row "$(h x-flashfirst-request-id "$tmp/he2")")")" "max"
curl -s -D "$tmp/he3" -o /dev/null "$url/v1/chat/completions" "${auth[@]}" \
  -d '{"model":"deepseek-v4-flash","messages":[{"role":"user","content":"Translate into German: the train leaves at noon."}]}'
expect_eq "effort: a named model is sent as it came" "$(jq -r .effort <<<"$(row "$(h x-flashfirst-request-id "$tmp/he3")")")" ""

# --- models, metrics, and the ledger as the cost report reads it
expect_eq "models" "$(curl -s "$url/v1/models" "${auth[@]}" | jq -r .object)" "list"
metrics=$(curl -s "$url/metrics")
expect_contains "metrics: pro" "$metrics" 'flashfirst_requests_total{tier="pro",status="200"}'
expect_contains "metrics: escalations" "$metrics" "flashfirst_escalations_total 1"
n=$(rows)
expect_eq "cost --ledger reads every row" "$("$ff" cost --ledger "$tmp/ledger.db" --json | jq -r '.records + .upstream_errors + ([.skipped[]] | add)')" "$n"

# --- the access log: one JSON line per client request, with the route and the cost
log_line=$(grep -F "\"request_id\":\"$id1\"" "$tmp/err")
expect_eq "access log: the Pro request" "$(jq -r '"\(.status) \(.model) \(.category) \(.key)"' <<<"$log_line")" \
  "200 deepseek-v4-pro multi_step_reasoning key-$(printf '%s' secret-key | sha256sum | cut -c1-8)"
expect_eq "access log: its cost" "$(jq -r .cost <<<"$log_line")" "$(h x-flashfirst-cost "$tmp/h1")"
expect_eq "access log: every field, in order" "$(jq -c keys_unsorted <<<"$log_line")" \
  '["ts_ms","method","path","key","status","request_id","model","category","stream","escalated","tokens","cost","cost_if_pro","latency_ms"]'
expect_eq "access log: the request and its tokens as billed" \
  "$(jq -c '[.method, .path, .stream, .escalated, .tokens, (.ts_ms | type), (.latency_ms >= 0)]' <<<"$log_line")" \
  "[\"POST\",\"/v1/chat/completions\",false,false,$(jq -c '{cache_hit, cache_miss, output}' <<<"$r1"),\"number\",true]"
expect_eq "access log: its Pro price" "$(jq -r .cost_if_pro <<<"$log_line")" "$(h x-flashfirst-cost-if-pro "$tmp/h1")"

# --- a policy that buffers streams: Flash's streamed answer is checked, and escalated, too
sed 's/^cascade = true/cascade = true\nbuffer_streams = true/' "$tests/../data/routing.toml" >"$tmp/buffered.toml"
"$ff" serve --upstream sim --sim-speed 0 --sim-quality "$tests/sdk/no_failures.toml" --policy "$tmp/buffered.toml" \
  --listen 127.0.0.1:0 --ledger "$tmp/buffered.db" --key secret-key >"$tmp/out2" 2>"$tmp/err2" &
pid2=$!
trap 'kill $pid $pid2 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do grep -q listening "$tmp/out2" && break; sleep 0.1; done
url2=$(sed -n 's/^listening on //p' "$tmp/out2")
curl -s -N -D "$tmp/hb" -o "$tmp/bb" "$url2/v1/chat/completions" "${auth[@]}" -H 'x-sim-fault: fail-flash' \
  -d '{"model":"auto","stream":true,"messages":[{"role":"user","content":"Summarize: the meeting moved to Friday."}]}'
expect_eq "buffered stream: an event stream" "$(h content-type "$tmp/hb")" "text/event-stream"
expect_eq "buffered stream: Flash failed, Pro answered" "$(h x-flashfirst-escalated "$tmp/hb") $(h x-flashfirst-model "$tmp/hb")" \
  "true deepseek-v4-pro"
expect_eq "buffered stream: ends with [DONE]" "$(grep '^data: ' "$tmp/bb" | tail -1)" "data: [DONE]"
last=$(grep '^data: {' "$tmp/bb" | tail -1 | cut -c7-)
expect_eq "buffered stream: the last event carries the figures" "$(jq -r '"\(.flashfirst.escalated) \(.flashfirst.cost)"' <<<"$last")" \
  "true $(h x-flashfirst-cost "$tmp/hb")"
# The role, then the reasoning and the content as one delta each, then the finish.
expect_eq "buffered stream: the deltas in order" \
  "$(grep '^data: {' "$tmp/bb" | cut -c7- | jq -r '.choices[0].delta | keys_unsorted | join("+") | if . == "" then "-" else . end' | tr '\n' ' ')" \
  "role+content reasoning_content content - "
buffered_rows=$(python3 - "$tmp/buffered.db" <<'PY'
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    "select request_id, routed_model, stream, escalated_from, cost_femto, cache_hit + cache_miss from requests order by start_ms, request_id").fetchall()
print(len(rows), rows[0][1], rows[1][1], rows[0][2] + rows[1][2], rows[1][3] == rows[0][0], rows[0][4] + rows[1][4], rows[1][5])
PY
)
read -r n_rows flash_model pro_model streamed linked total_femto pro_prompt <<<"$buffered_rows"
expect_eq "buffered stream: two linked rows, Flash then Pro, both streams" "$n_rows $flash_model $pro_model $streamed $linked" \
  "2 deepseek-v4-flash deepseek-v4-pro 2 True"
expect_eq "buffered stream: the header's cost is both calls'" "$(femto_decimal "$total_femto")" "$(h x-flashfirst-cost "$tmp/hb")"
expect_eq "buffered stream: the usage is Pro's" "$(jq -r .usage.prompt_tokens <<<"$last")" "$pro_prompt"

# --- ratings: POST /v1/flashfirst/feedback, appended to the ledger's feedback table
rated=$(grep -i '^x-flashfirst-request-id:' "$tmp/h1" | cut -d' ' -f2 | tr -d '\r')
fb() { curl -s -w ' %{http_code}' "$url/v1/flashfirst/feedback" "${auth[@]}" --data-binary "$1"; }
out=$(fb "{\"request_id\":\"$rated\",\"metric\":\"correct\",\"value\":true,\"comment\":\"exactly right\"}")
expect_eq "feedback: recorded" "$out" "{\"object\":\"flashfirst.feedback\",\"request_id\":\"$rated\",\"metric\":\"correct\",\"recorded\":true} 200"
expect_eq "feedback: a number" "$(fb "{\"request_id\":\"$rated\",\"metric\":\"score\",\"value\":7.5}" | cut -d' ' -f2)" "200"
expect_eq "feedback: an unknown request: 404" "$(fb '{"request_id":"ff-nope-1","metric":"correct","value":false}')" \
  '{"error":{"message":"no request ff-nope-1 of this key in the ledger","type":"invalid_request_error","code":"request_not_found"}} 404'
for bad in '{"request_id":' '[1]' '{"metric":"correct","value":true}' "{\"request_id\":\"$rated\",\"value\":true}" \
    "{\"request_id\":\"$rated\",\"metric\":\"correct\"}" "{\"request_id\":\"$rated\",\"metric\":\"correct\",\"value\":\"yes\"}" \
    "{\"request_id\":\"$rated\",\"metric\":\"\",\"value\":true}" "{\"request_id\":7,\"metric\":\"correct\",\"value\":true}" \
    "{\"request_id\":\"$rated\",\"metric\":\"correct\",\"value\":true,\"extra\":1}" \
    "{\"request_id\":\"$rated\",\"metric\":\"correct\",\"value\":true,\"comment\":\"$(head -c 5000 /dev/zero | tr '\0' x)\"}" \
    "$(printf '{"request_id":"%s","metric":"c\xff","value":true}' "$rated")"; do
  expect_eq "feedback: bad body '${bad:0:60}': 400" "$(fb "$bad" | awk '{print $NF}')" "400"
done
expect_eq "feedback: the unknown field is named" "$(fb "{\"request_id\":\"$rated\",\"metric\":\"c\",\"value\":true,\"extra\":1}" | jq -r .error.message 2>/dev/null)" \
  "unknown field \`extra\` (a rating has request_id, metric, value and comment)"
expect_eq "feedback: no key: 401" "$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/flashfirst/feedback" -d '{}')" "401"
expect_eq "feedback: GET: 405" "$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/flashfirst/feedback" "${auth[@]}")" "405"
# The key given with --key is named by its hash's start.
expect_eq "feedback: the ledger keeps the two good ones" "$(python3 -c "
import sqlite3,sys
for r in sqlite3.connect(sys.argv[1]).execute('select request_id = ?, key_name, metric, value, value_is_bool, comment from feedback order by seq', (sys.argv[2],)):
    print('|'.join(map(str, r)))" "$tmp/ledger.db" "$rated" | tr '\n' ';')" "1|key-85dbe15d|correct|1.0|1|exactly right;1|key-85dbe15d|score|7.5|0|;"
expect_eq "feedback: cost --ledger reports them by tier and category" \
  "$("$ff" cost --ledger "$tmp/ledger.db" --json | jq -c '.feedback.by[] | [.tier, .category, .ratings, .pass_rate, .mean]')" \
  '["pro","multi_step_reasoning",2,1,7.5]'

# --- limits per key: requests and tokens a minute, requests at once
kill $pid; wait $pid 2>/dev/null
cat >"$tmp/limits.toml" <<'TOML'
[[key]]
name = "team-a"
key = "key-a"
rpm = 3
tpm = 20000
[[key]]
name = "team-b"
key = "key-b"
max_concurrent = 1
TOML
# The simulator at real speed: a Pro answer takes seconds, long enough to overlap.
"$ff" serve --upstream sim --sim-speed 1 --sim-quality off --listen 127.0.0.1:0 --ledger "$tmp/limits.db" \
  --config "$tmp/limits.toml" >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$tmp/out")
limited() {  # key -> status and the rate-limit headers
  curl -s -D "$tmp/lh" -o "$tmp/lb" "$url/v1/chat/completions" -H "Authorization: Bearer $1" \
    -d '{"model":"flash","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}'
  { head -1 "$tmp/lh" | cut -d' ' -f2; grep -iE '^(x-ratelimit-(limit|remaining)-|retry-after)' "$tmp/lh"; } | tr -d '\r' | tr '\n' ' '
}
# A refused request counts for nothing.
curl -s -o "$tmp/big" "$url/v1/chat/completions" -H 'Authorization: Bearer key-a' \
  -d '{"model":"flash","max_tokens":30000,"messages":[{"role":"user","content":"hi"}]}'
expect_contains "tpm: a request over the limit by itself" "$(jq -r .error.message "$tmp/big")" \
  "are over the tpm limit of key team-a (20000 tokens a minute); lower max_tokens"
# Each request reserves its input (1 token by the estimate, plus 64 for the chat
# template) and its max_tokens (100): 165 tokens of the 20,000 a minute.
expect_eq "rpm: the first" "$(limited key-a)" \
  "200 x-ratelimit-limit-requests: 3 x-ratelimit-remaining-requests: 2 x-ratelimit-limit-tokens: 20000 x-ratelimit-remaining-tokens: 19835 "
limited key-a >/dev/null
expect_eq "rpm: the third" "$(limited key-a)" \
  "200 x-ratelimit-limit-requests: 3 x-ratelimit-remaining-requests: 0 x-ratelimit-limit-tokens: 20000 x-ratelimit-remaining-tokens: 19505 "
out=$(limited key-a)
expect_eq "rpm: the fourth is refused, told when to come back" "${out%% retry-after*}" "429"
ra=$(grep -o 'retry-after: [0-9]*' <<<"$out" | cut -d' ' -f2)
((ra >= 1 && ra <= 60)) && ok || bad "rpm: Retry-After of 1 to 60 s: '$out'"
expect_eq "rpm: the limit is named" "$(jq -r '.error.code + ": " + .error.message' "$tmp/lb")" \
  "rate_limit_exceeded: the rpm limit of key team-a (3 requests a minute) is reached"
# team-b: one request at a time (a Pro answer of a few seconds holds the slot).
curl -s -o /dev/null "$url/v1/chat/completions" -H 'Authorization: Bearer key-b' \
  -d '{"model":"pro","messages":[{"role":"user","content":"Write three paragraphs on tides."}]}' &
slow=$!
sleep 0.5
expect_eq "max_concurrent: a second one at once is refused" "$(limited key-b | cut -d' ' -f1)" "429"
expect_eq "max_concurrent: named" "$(jq -r .error.message "$tmp/lb")" \
  "the max_concurrent limit of key team-b (1 request at once) is reached"
wait $slow
expect_eq "max_concurrent: free again once it ended" "$(limited key-b | cut -d' ' -f1)" "200"
expect_eq "limits: refusals are counted" \
  "$(curl -s "$url/metrics" | grep '^flashfirst_rate_limit_refusals_total')" "flashfirst_rate_limit_refusals_total 3"

report "gateway"
