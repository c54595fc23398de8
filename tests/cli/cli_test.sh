#!/usr/bin/env bash
# End-to-end tests of the flashfirst binary, run by CTest:
#   cli_test.sh path/to/flashfirst path/to/tests
# Expected figures are worked out by hand in tests/data/formats.README.md and below.
set -uo pipefail
source "$(dirname "$0")/../lib/expect.sh"
ff=$1
tests=$2
data=$tests/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The worked example: 10M output tokens at launch prices.
out=$("$ff" cost --tokens output=10M --at 2026-04-24T12:00:00Z --json)
expect_eq "worked example: all Flash" "$(jq -r .cost.all_flash <<<"$out")" "2.80"
expect_eq "worked example: all Pro" "$(jq -r .cost.all_pro <<<"$out")" "34.80"
expect_eq "worked example: actual on the default model (flash)" "$(jq -r .cost.actual <<<"$out")" "2.80"
out=$("$ff" cost --tokens output=10M --model pro --at 2026-04-24T12:00:00Z)
expect_eq "worked example, text" "$(grep -E -c '^actual \(as billed\) +\$34\.80 +1\.00x$' <<<"$out")" "1"
expect_eq "worked example, text: Flash" "$(grep -E -c '^all on Flash +\$2\.80 +0\.08x$' <<<"$out")" "1"
# 80% hits of 1M input tokens on Pro at launch: 0.8 x 0.145 + 0.2 x 1.74 = 0.464.
out=$("$ff" cost --tokens hit=800k,miss=200k --model pro --at 2026-04-24T12:00:00Z --json)
expect_eq "80% cache hits on Pro" "$(jq -r .cost.actual <<<"$out")" "0.464"

# prices: ratios and effective input price at launch.
out=$("$ff" prices --at 2026-04-24T12:00:00Z)
expect_contains "prices ratios" "$out" "cache hit 5.18x, cache miss 12.43x, output 12.43x"
expect_contains "prices effective 80%" "$out" "80%             0.0504   0.464        9.21x"
out=$("$ff" prices --at 2026-11-24T02:00:00Z --currency CNY)
expect_contains "prices CNY peak" "$out" "peak (then)       0.04        2.00    8.00"
expect_contains "prices ids" "$out" "deepseek-flash, deepseek-v4-flash, deepseek-v4-flash-vision-exp, flash"

# Every JSON shape in one file.
out=$("$ff" cost "$data/formats.jsonl" --json)
expect_eq "formats: records" "$(jq -r .records <<<"$out")" "5"
expect_eq "formats: actual" "$(jq -r .cost.actual <<<"$out")" "0.0042766"
expect_eq "formats: all flash" "$(jq -r .cost.all_flash <<<"$out")" "0.0022857"
expect_eq "formats: all pro" "$(jq -r .cost.all_pro <<<"$out")" "0.0084436"
expect_eq "formats: tokens" "$(jq -c .tokens <<<"$out")" \
  '{"cache_hit":4900,"cache_miss":5100,"output":2510,"reasoning":400,"input":10000,"total":12510}'
expect_eq "formats: hit rate 4900/10000" "$(jq -r .cache_hit_rate <<<"$out")" "0.49"
expect_eq "formats: nothing skipped" "$(jq '[.skipped[]] | add' <<<"$out")" "0"
expect_eq "formats: bands" "$(jq -r '.by_band.off_peak.records, .by_band.peak.records' <<<"$out" | tr '\n' ' ')" "5 0 "

# CSV, gzip-compressed, from standard input.
out=$(gzip -c "$data/usage.csv" | "$ff" cost - --json)
expect_eq "csv: records" "$(jq -r .records <<<"$out")" "2"
expect_eq "csv: costs" "$(jq -r '[.cost.actual, .cost.all_flash, .cost.all_pro] | join(" ")' <<<"$out")" "37.60 5.60 69.60"
expect_eq "csv: malformed row" "$(jq -c '.skipped_first_lines' <<<"$out")" '{"malformed_csv":["<stdin>:3"]}'

# --strict turns any skipped line into exit code 1 with the reasons.
err=$("$ff" cost --strict - <"$data/usage.csv" 2>&1 >/dev/null)
expect_eq "strict exit code" "$?" "1"
expect_contains "strict message" "$err" "malformed_csv: 1 (malformed CSV row), first at <stdin>:3"

# Bad input never crashes: random bytes, invalid UTF-8, a huge number.
head -c 300000 /dev/urandom >"$tmp/random.bin"
printf '{"model":"deepseek-flash","created":1795831200,"usage":{"prompt_tokens":1e400,"completion_tokens":1}}\n' >>"$tmp/random.bin"
out=$("$ff" cost "$tmp/random.bin" --json)
expect_eq "random bytes: exit 1 (nothing could be priced)" "$?" "1"
expect_eq "random bytes: nothing priced" "$(jq -r .records <<<"$out")" "0"

# Errors: exit 2 and a message that names the problem.
err=$("$ff" cost /nonexistent.jsonl 2>&1)
expect_eq "missing file exit" "$?" "2"
expect_eq "missing file message" "$err" "flashfirst cost: cannot open '/nonexistent.jsonl': No such file or directory"
printf '[[model]]\nid = "x"\ntier = "medium"\n' >"$tmp/bad.toml"
err=$("$ff" prices --prices "$tmp/bad.toml" 2>&1)
expect_eq "bad price book exit" "$?" "2"
expect_eq "bad price book message" "$err" "flashfirst prices: $tmp/bad.toml:3: model[1].tier: must be \"flash\" or \"pro\""
err=$("$ff" cost --tokens output=ten 2>&1)
expect_eq "bad --tokens exit" "$?" "2"
expect_eq "bad --tokens message" "$err" "flashfirst cost: --tokens: 'ten' is not a token count (examples: 250000, 200k, 1.5M, 2B)"
err=$("$ff" cost --currency EUR --tokens output=1 2>&1)
expect_eq "unknown currency" "$err" "flashfirst cost: the price book has no EUR prices (it has: CNY, USD)"
err=$("$ff" cost --tokens output=1 --model deepseek-chat --at 2026-08-01T00:00:00Z 2>&1)
expect_eq "retired model exit" "$?" "1"
expect_eq "retired model message" "$err" "flashfirst cost: model 'deepseek-chat' was retired at 2026-07-24T15:59:00Z"
"$ff" frobnicate >/dev/null 2>&1
expect_eq "unknown subcommand exit" "$?" "2"

# --help says how records are priced.
out=$("$ff" cost --help)
expect_contains "help: start time" "$out" "priced at the rates in force at its start time"

# HTML report: self-contained, two SVG charts.
"$ff" cost "$data/formats.jsonl" --html "$tmp/report.html" >/dev/null
expect_eq "html: two charts" "$(grep -o '<svg' "$tmp/report.html" | wc -l)" "2"
expect_eq "html: no external resources" "$(grep -c -E 'src=|href=' "$tmp/report.html")" "0"
# Headline numbers first: the first card is the spend, as the JSON report has it; then real tables.
expect_eq "html: the spend card first, exact" \
  "$(grep -o '<div class="card"><div class="label">[^<]*</div><div class="big">[^<]*' "$tmp/report.html" | head -1 | sed 's/.*"big">//')" \
  "$("$ff" cost "$data/formats.jsonl" --json | jq -r .cost.actual) USD"
expect_eq "html: the by-model table has a row per model and a total" \
  "$(grep -o '<td>total</td>\|<td><b>total</b></td>' "$tmp/report.html" | wc -l)" "1"

# The FLASHFIRST_PRICES variable selects a book.
err=$(FLASHFIRST_PRICES=/nonexistent.toml "$ff" prices 2>&1)
expect_eq "env price book" "$err" "flashfirst prices: cannot open '/nonexistent.toml': No such file or directory"

# tokens: exact counts and ids (ids from the reference, tests/data/tokenizer_golden.jsonl).
expect_eq "tokens: count" "$(printf 'Hello! 毕老师! 1234567 is   a test\n\n  x' | "$ff" tokens)" "17"
expect_eq "tokens: ids" "$(printf 'Hello! 毕老师!' | "$ff" tokens --ids)" "19923 3 223 5464 5008 3"
expect_eq "tokens: json" "$(printf 'Hello! 毕老师!' | "$ff" tokens --json)" '{"tokens": 6, "bytes": 17}'
expect_eq "tokens: lines" "$(printf 'a\nHello!\n' | "$ff" tokens --lines | tr '\n' ' ')" "1 2 "
# Added tokens are text unless --special: <｜User｜> is 128803 only when asked, and
# 5 tokens as plain text (the reference with its added tokens removed says so).
expect_eq "tokens: special" "$(printf '<｜User｜>' | "$ff" tokens --ids --special)" "128803"
expect_eq "tokens: special as text" "$(printf '<｜User｜>' | "$ff" tokens)" "5"
expect_eq "tokens: invalid utf-8" "$(printf 'a\xff\xfeb' | "$ff" tokens --ids)" "$(grep '"invalid ff fe","hex":"61fffe62","special":false' "$tests/data/tokenizer_golden.jsonl" | sed 's/.*"ids":\[\(.*\)\]}/\1/' | tr ',' ' ')"
err=$("$ff" tokens /nonexistent.txt 2>&1)
expect_eq "tokens: missing file" "$err" "flashfirst tokens: cannot open '/nonexistent.txt': No such file or directory"

# sim: the first stdout line names the port; SIGTERM stops it with exit code 0.
"$ff" sim --listen 127.0.0.1:0 --speed 0 --date 2026-11-24T02:00:00Z >"$tmp/sim.out" 2>"$tmp/sim.err" &
sim_pid=$!
for _ in $(seq 100); do grep -q '^listening on http://127.0.0.1:[0-9]*$' "$tmp/sim.out" && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$tmp/sim.out")
expect_eq "sim: listening line" "$(head -1 "$tmp/sim.out" | grep -c '^listening on http://127.0.0.1:[0-9][0-9]*$')" "1"
out=$(curl -s "$url/models" -H 'Authorization: Bearer k')
expect_eq "sim: models" "$out" '{"object":"list","data":[{"id":"deepseek-flash","object":"model","owned_by":"deepseek"},{"id":"deepseek-v4-pro","object":"model","owned_by":"deepseek"}]}'
expect_eq "sim: no key is 401" "$(curl -s -o /dev/null -w '%{http_code}' "$url/models")" "401"
kill -TERM "$sim_pid"
wait "$sim_pid"
expect_eq "sim: SIGTERM exit code" "$?" "0"
printf 'speed = "fast"\n' >"$tmp/sim.toml"
err=$("$ff" sim --config "$tmp/sim.toml" 2>&1)
expect_eq "sim: bad config exit" "$?" "2"
expect_eq "sim: bad config message" "$err" "flashfirst sim: $tmp/sim.toml:1: speed: must be a number from 0 to 1000"

# advise: the worked example from a JSON profile (numbers in tests/planner/advisor_test.cc).
printf '{"mix":{"summarization":0.5,"rag":0.2,"agent_tool_chaining":0.3},"output_tokens_per_month":10000000,"input_tokens_per_month":30000000,"cache_hit_rate":0.4,"access":"api"}' >"$tmp/profile.json"
out=$("$ff" advise --profile "$tmp/profile.json" --at 2026-04-24T12:00:00Z --json)
expect_eq "advise: recommendation" "$(jq -r .recommendation <<<"$out")" "mixed"
expect_eq "advise: pro categories" "$(jq -c .pro_categories <<<"$out")" '["agent_tool_chaining"]'
expect_eq "advise: monthly cost" "$(jq -c .monthly_cost <<<"$out")" '{"all_flash":"5.656","all_pro":"67.86","recommended":"24.3172"}'
# Interactive, through a pseudo-terminal.
# A bare 40 is ambiguous (40% or 0.40?): refused and asked again, then 40% is taken.
out=$(printf 'summarization=0.5,agents=0.5\n10M\n30M\n40\n40%%\napi\nmedium\n' | script -qc "$ff advise --at 2026-04-24T12:00:00Z" /dev/null | tr -d '\r')
expect_contains "advise: interactive" "$out" "Recommendation: mixed routing (Pro for 50% of traffic)"
expect_contains "advise: interactive rate is one convention" "$out" "cache-hit rate: '40' is ambiguous: write 40% for a percentage or a fraction with a decimal point (0.8)"
expect_eq "advise --cache-hit-rate 0.4 = 40%" \
  "$("$ff" advise --mix rag --output-tokens 1M --input-tokens 1M --cache-hit-rate 0.4 --at 2026-04-24T12:00:00Z --json | jq -c .monthly_cost)" \
  "$("$ff" advise --mix rag --output-tokens 1M --input-tokens 1M --cache-hit-rate 40% --at 2026-04-24T12:00:00Z --json | jq -c .monthly_cost)"
err=$("$ff" simulate --mix rag --output-tokens 1M --input-tokens 1M --cache-hit-rate 1 2>&1); rc=$?
expect_eq "simulate --cache-hit-rate 1: ambiguous" "$rc $err" \
  "2 flashfirst simulate: --cache-hit-rate: '1' is ambiguous: write 1% for a percentage or a fraction with a decimal point (0.8)"
expect_contains "prices --hit-rate 0.8 = 80%" "$("$ff" prices --hit-rate 0.8 --hit-rate 12.5% --at 2026-11-02T12:00:00Z)" "12.5%           0.131625  0.58025        4.41x"
# Measured from a usage log: the sample's 31.9% hit rate and volume, Flash work only.
out=$("$ff" advise --measure "$tests/../examples/usage.jsonl" --mix "summarization, classification" --json)
expect_eq "advise: measured" "$(jq -r .recommendation <<<"$out")" "flash"
err=$("$ff" advise </dev/null 2>&1)
expect_eq "advise: no input exit" "$?" "2"

# simulate: the same workload under five policies (numbers in tests/planner/whatif_test.cc).
out=$("$ff" simulate --profile "$tmp/profile.json" --at 2026-04-24T12:00:00Z --json --html "$tmp/whatif.html")
expect_eq "simulate: costs" "$(jq -r '[.policies[].monthly_cost] | join(" ")' <<<"$out")" "5.656 67.86 24.3172 8.8766356 24.7162168"
expect_eq "simulate: pareto" "$(jq -r '[.policies[] | select(.pareto) | .policy] | join(" ")' <<<"$out")" "all_flash all_pro routed cascade serve"
expect_eq "simulate: chart" "$(grep -o '<circle' "$tmp/whatif.html" | wc -l)" "5"
# simulate --requests: 10 real requests that the router classifies as 5 summarization, 2 RAG and
# 3 agent tool chains -- the profile above -- so with the same volumes, the same four costs.
reqs="$data/simulate_requests.jsonl"
out=$("$ff" simulate --requests "$reqs" --output-tokens 10M --input-tokens 30M --cache-hit-rate 0.4 --at 2026-04-24T12:00:00Z --json)
expect_eq "simulate --requests: mix" "$(jq -c .workload.categories <<<"$out")" '{"agent_tool_chaining":3,"rag":2,"summarization":5}'
expect_eq "simulate --requests: costs" "$(jq -r '[.policies[].monthly_cost] | join(" ")' <<<"$out")" "5.656 67.86 24.3172 8.8766356 24.7162168"
# Volumes from the sample: its input tokens (exact, as `route --exact-tokens` counts them) scaled to 1M
# requests, 500 output tokens each. All-Flash at launch rates (hit 0.028, miss 0.14, output 0.28 per 1M):
# 384 tokens x 100,000 = 38.4M input; 38.4 x (0.4 x 0.028 + 0.6 x 0.14) = 3.65568; 500M x 0.28 = 140.
out=$("$ff" simulate --requests "$reqs" --requests-per-month 1M --cache-hit-rate 0.4 --at 2026-04-24T12:00:00Z --json)
expect_eq "simulate --requests: input tokens = route's" "$(jq -r .workload.input_tokens <<<"$out")" \
  "$("$ff" route --exact-tokens --json "$reqs" | jq -s 'map(.input_tokens) | add')"
expect_eq "simulate --requests: input tokens" "$(jq -r .workload.input_tokens <<<"$out")" "384"
expect_eq "simulate --requests: volumes" "$(jq -r '"\(.workload.input_tokens_per_month) \(.workload.output_tokens_per_month)"' <<<"$out")" \
  "38400000 500000000"
expect_eq "simulate --requests: all Flash" "$(jq -r '.policies[0].monthly_cost' <<<"$out")" "143.65568"
{ cat "$reqs"; echo 'not json'; } >"$tmp/reqs_bad.jsonl"
out=$("$ff" simulate --requests "$tmp/reqs_bad.jsonl" --cache-hit-rate 0.4 --json)
expect_eq "simulate --requests: skipped line" "$(jq -r '.workload.skipped[0]' <<<"$out")" \
  "line 11: not valid JSON: Problem while parsing an atom starting with the letter 'n'"
err=$("$ff" simulate --requests "$reqs" --mix rag 2>&1)
expect_eq "simulate --requests with --mix" "$err" "flashfirst simulate: --requests gives the task mix; drop --mix"
out=$("$ff" simulate --requests "$reqs" --cache-hit-rate 0.4)
expect_contains "simulate --requests: text" "$out" "Workload: 10 requests from $reqs, classified by the router (3 to Pro):"

# simulate --model: a learned model's policies. At threshold 0 every request goes to Pro (all_pro's
# figures exactly); at 1 none does (P < 1 always), so Flash answers everything, checked: the cascade's.
printf 'prompt,weak,strong\n' >"$tmp/o.csv"
for i in $(seq 0 19); do
  if (( i % 2 )); then echo "\"Prove the claim number $i\",False,True"; else echo "Rename item $i,True,True"; fi
done >>"$tmp/o.csv"
"$ff" route train "$tmp/o.csv" --out "$tmp/sim.model" >/dev/null
out=$("$ff" simulate --requests "$reqs" --model "$tmp/sim.model" --thresholds 0,1 --json)
expect_eq "simulate --model: policies" "$(jq -r '[.policies[].policy] | join(" ")' <<<"$out")" \
  "all_flash all_pro routed cascade serve learned@0.00 learned@1.00"
expect_eq "simulate --model: threshold 0 is all-Pro" \
  "$(jq -r '[.policies[] | select(.policy == "learned@0.00" or .policy == "all_pro") | [.monthly_cost, .failure_rate] | tostring] | unique | length' <<<"$out")" "1"
expect_eq "simulate --model: threshold 1 is the cascade" \
  "$(jq -r '[.policies[] | select(.policy == "learned@1.00" or .policy == "cascade") | [.monthly_cost, .failure_rate, .escalation_rate] | tostring] | unique | length' <<<"$out")" "1"
expect_eq "simulate --model needs --requests" "$("$ff" simulate --model "$tmp/sim.model" --mix rag 2>&1; echo "rc=$?")" \
  "$(printf 'flashfirst simulate: --model needs --requests: it decides request by request\nrc=2')"

# route: one request, JSONL with ids and a bad line, labelled evaluation, bad input.
printf '%s' '{"model":"auto","messages":[{"role":"user","content":"How many ways can 8 rooks be placed so that no two attack each other?"}]}' >"$tmp/one.json"
out=$("$ff" route "$tmp/one.json")
expect_contains "route: text" "$out" "pro   deepseek-v4-pro  multi_step_reasoning"
expect_contains "route: reason" "$out" 'cue "how many ways" (count_ways)'
cat >"$tmp/many.jsonl" <<'JSONL'
{"id": "a", "request": {"messages": [{"role": "user", "content": "Translate into German: good night"}]}}
{"id": 7, "request": {"messages": [{"role": "user", "content": "Prove that the square root of 2 is irrational."}]}}

not json at all
{"messages": [{"role": "user", "content": "What is the capital of Peru?"}]}
JSONL
out=$("$ff" route --json "$tmp/many.jsonl")
expect_eq "route: exit status with a bad line" "$?" "1"
expect_eq "route --json: one line per request" "$(wc -l <<<"$out")" "4"
expect_eq "route --json: ids, tiers, categories" "$(jq -r '[.id, .tier, .category] | map(tostring) | join(" ")' <<<"$out" | tr '\n' '|')" \
  "a flash translation|7 pro multi_step_reasoning|null null null|null flash straightforward_qa|"
expect_eq "route --json: bad line" "$(sed -n 3p <<<"$out" | jq -r '"\(.line): \(.error)"')" \
  "4: not valid JSON: Problem while parsing an atom starting with the letter 'n'"
expect_eq "route --json: cascade on Flash only" "$(jq -r .cascade <<<"$out" | tr '\n' ' ')" "true false null true "
out=$("$ff" route --tier pro --json "$tmp/one.json" | jq -r .reason)
expect_contains "route --tier" "$out" "header x-flashfirst-tier: pro (multi_step_reasoning: "
# route train: 40 outcomes where the weak model (Flash) fails exactly the 10 prompts that ask for a proof.
{
  echo 'prompt,weak,strong'
  for i in $(seq 0 39); do
    if (( i % 4 == 0 )); then echo "\"Prove that the series converges, case $((i % 7))\",False,True"
    else echo "Rename the variable in this function (case $((i % 7))),True,True"; fi
  done
} >"$tmp/outcomes.csv"
out=$("$ff" route train "$tmp/outcomes.csv" --out "$tmp/learned.model")
expect_eq "route train: exit status" "$?" "0"
# 40 cases; Flash right on 30 (75.0%), Pro on all; Pro needed on 10 (25.0%).
expect_contains "route train: the data" "$out" \
  "40 cases: Flash answers 75.0% well, Pro 100.0%; Pro needed (Flash fails where Pro succeeds) on 25.0%."
# The 10 proofs rank first out of fold: PGR 1 after 25% of the requests, area 1 - 0.25/2.
expect_contains "route train: out-of-fold APGR" "$out" "learned (5-fold, out of fold)        0.875"
expect_contains "route train: random" "$out" "random                               0.500     50.0%     80.0%"
expect_eq "route train: the model file" "$(sed -n 4,5p "$tmp/learned.model" | tr '\n' ' ')" "outcome-model 1 buckets 262144 "
printf '{"messages":[{"role":"user","content":"Prove that the series converges, case 2"}]}\n{"messages":[{"role":"user","content":"Rename the variable in this function (case 2)"}]}\n' >"$tmp/two.jsonl"
out=$("$ff" route --model "$tmp/learned.model" --json "$tmp/two.jsonl")
expect_eq "route --model: tiers" "$(jq -r .tier <<<"$out" | tr '\n' ' ')" "pro flash "
expect_eq "route --model: reasons" "$(jq -r '.reason | startswith("learned model: P(Pro needed) ")' <<<"$out" | tr '\n' ' ')" "true true "
expect_eq "route --model: p_pro on either side of 0.5" "$(jq -r '.p_pro > 0.5' <<<"$out" | tr '\n' ' ')" "true false "
out=$("$ff" route --model "$tmp/learned.model" --threshold 1 --json "$tmp/two.jsonl")
expect_eq "route --threshold out of range" "$("$ff" route --threshold -0.5 "$tmp/two.jsonl" 2>&1; echo "rc=$?")" \
  "$(printf 'flashfirst route: --threshold must be from 0 to 1\nrc=2')"
expect_eq "route --threshold 1: nothing to Pro" "$(jq -r .tier <<<"$out" | tr '\n' ' ')" "flash flash "
out=$("$ff" route --json "$tmp/two.jsonl")
expect_eq "route --json: p_pro from the tier model, 0..1" "$(jq -r '.p_pro >= 0 and .p_pro <= 1' <<<"$out" | tr '\n' ' ')" "true true "
printf 'model = "learned.model"\n' >"$tmp/learned_policy.toml"
out=$("$ff" route --policy "$tmp/learned_policy.toml" --json "$tmp/two.jsonl")
expect_eq "policy model = FILE, beside the policy" "$(jq -r .tier <<<"$out" | tr '\n' ' ')" "pro flash "
expect_eq "route train: no file" "$("$ff" route train 2>&1; echo "rc=$?")" \
  "$(printf 'files is required\nRun with --help for more information.\nrc=2')"
expect_eq "route train: bad format" "$("$ff" route train --format xml "$tmp/outcomes.csv" 2>&1; echo "rc=$?")" \
  "$(printf "flashfirst route train: --format must be auto, outcomes, routellm-csv, mt-bench or ledger, not 'xml'\nrc=2")"
printf 'prompt,weak,strong\nx,True,True\n' >"$tmp/flat.csv"
expect_eq "route train: nothing to learn" "$("$ff" route train "$tmp/flat.csv" 2>&1; echo "rc=$?")" \
  "$(printf 'flashfirst route train: 1 case is too few for 5 folds\nrc=1')"
expect_eq "route --model: not a model" "$("$ff" route --model "$tmp/outcomes.csv" "$tmp/two.jsonl" 2>&1; echo "rc=$?")" \
  "$(printf "flashfirst route: $tmp/outcomes.csv: outcome model line 1: expected \"outcome-model 1\" (a file written by \`flashfirst route train\`)\nrc=2")"
# The development set and the check set (tools/router/build_devset.py, tests/data/router_checkset.jsonl).
# Both label some word problems Flash that LABELLING.md calls multi_step_reasoning (several quantities
# that interact), and the router sends to Pro as "a problem told in figures that asks for a quantity":
# 16 of the dev set's 20 GSM8K questions (253 of 269 right) and 8 of the check set's (below).
out=$("$ff" route --eval "$tests/../data/router/devset.jsonl" --json)
expect_eq "route --eval devset: requests" "$(jq -r .requests <<<"$out")" "269"
expect_eq "route --eval devset: tier accuracy" "$(jq -r .tier_accuracy <<<"$out")" "0.9405"
expect_eq "route --eval devset: pro recall" "$(jq -r '"\(.pro_recall) \(.pro_expected)"' <<<"$out")" "1 56"
out=$("$ff" route --eval "$data/router_checkset.jsonl")
# The 8 word problems, and two long-form requests that the rules read as Flash by a specific cue ("draft
# a", "compose a") and nothing else marks as Pro: the tier model may not overrule such a cue on its
# words alone.
expect_contains "route --eval checkset" "$out" "tier accuracy        98.8%  (844 of 854)"
expect_contains "route --eval: confusion matrix" "$out" "Confusion matrix (rows: labelled category, columns: routed category)"
err=$("$ff" route "$tmp/many.jsonl" 2>&1 >/dev/null)
expect_contains "route: bad line on stderr" "$err" "flashfirst route: line 4: not valid JSON"
# Megabytes of one line that is not JSON: a clear error, no crash.
head -c 5000000 /dev/zero | tr '\0' 'a' >"$tmp/huge.txt"
err=$("$ff" route "$tmp/huge.txt" 2>&1)
expect_eq "route: huge garbage exit" "$?" "1"
expect_contains "route: huge garbage" "$err" "flashfirst route: line 1: not valid JSON"
printf '{"messages": "hi"}' | "$ff" route - >/dev/null 2>"$tmp/err"
expect_contains "route: wrong type" "$(cat "$tmp/err")" "the request has no \`messages\` array"
printf '[category.rag]\ntier = "gold"\n' >"$tmp/bad_policy.toml"
err=$("$ff" route --policy "$tmp/bad_policy.toml" "$tmp/one.json" 2>&1)
expect_eq "route: bad policy exit" "$?" "2"
expect_eq "route: bad policy" "$err" "flashfirst route: $tmp/bad_policy.toml:2: category.rag.tier: must be \"flash\" or \"pro\""

# demo: the bundled workload through the in-process gateway; its figures are the ledger's.
out=$("$ff" demo --speed 0 --ledger "$tmp/demo.db" --html "$tmp/demo.html")
expect_eq "demo: exit" "$?" "0"
expect_contains "demo: no client errors" "$out" "127 client requests (36 streams, "
expect_contains "demo: no client errors (count)" "$out" ", 0 client errors."
calls=$(sed -n 's/.* \([0-9]*\) upstream calls.*/\1/p' <<<"$out")
expect_eq "demo: every upstream call is a ledger row" "$("$ff" cost --ledger "$tmp/demo.db" --json | jq -r .records)" "$calls"
expect_eq "demo: the run's cost is the ledger's" "$(sed -n 's/^  cost of this run *\([0-9.]*\) USD.*/\1/p' <<<"$out")" \
  "$("$ff" cost --ledger "$tmp/demo.db" --json | jq -r .cost.actual)"
expect_eq "demo: HTML report with charts" "$(grep -c '<svg' "$tmp/demo.html")" "2"
# demo --serve: the same, then the gateway and its dashboard keep serving until SIGINT.
"$ff" demo --speed 0 --serve --listen 127.0.0.1:0 --ledger "$tmp/demo-serve.db" --html "$tmp/demo-serve.html" \
  >"$tmp/demo-serve.out" 2>&1 &
demo_pid=$!
for _ in $(seq 300); do grep -q '^Dashboard:' "$tmp/demo-serve.out" && break; sleep 0.1; done
demo_url=$(sed -n 's|^Dashboard: \(http://[0-9.:]*\)/ui/ .*|\1|p' "$tmp/demo-serve.out")
expect_contains "demo --serve: prints the dashboard's URL and key" "$(cat "$tmp/demo-serve.out")" \
  "/ui/ (sign in with the admin key flashfirst-demo-admin)"
sleep 0.5  # the dashboard's reader: one poll
expect_eq "demo --serve: the dashboard's spend is the ledger's" \
  "$(curl -s "$demo_url/v1/flashfirst/spend" -H 'Authorization: Bearer flashfirst-demo-admin' | jq -r .cost.actual)" \
  "$("$ff" cost --ledger "$tmp/demo-serve.db" --json | jq -r .cost.actual)"
expect_eq "demo --serve: the page" "$(curl -s -o /dev/null -w '%{http_code}' "$demo_url/ui/")" "200"
expect_eq "demo --serve: still answers chat" "$(curl -s -o /dev/null -w '%{http_code}' "$demo_url/v1/chat/completions" \
  -H 'Authorization: Bearer flashfirst-demo' -d '{"model":"flash","messages":[{"role":"user","content":"hi"}]}')" "200"
kill -INT "$demo_pid"; wait "$demo_pid"
expect_eq "demo --serve: Ctrl-C ends it cleanly" "$?" "0"

# --- Anthropic-shaped usage with Claude names (what the gateway's and the simulator's
# /v1/messages answers carry) is billed as DeepSeek serves those names. By hand,
# at 2026-11-02 12:00 UTC (a Monday, off-peak; per 1M: Flash miss 0.15, output
# 0.60; Pro hit 0.022, miss 0.66, output 1.98):
#   sonnet -> Flash: 1000 x 0.15 + 500 x 0.60 = 150 + 300 = 450 per 1M -> 0.00045
#   opus -> Pro: 2000 x 0.022 + 1000 x 0.66 + 500 x 1.98 = 44 + 660 + 990 = 1694 -> 0.001694
out=$(printf '%s\n' '{"type":"message","model":"claude-sonnet-4-5","usage":{"input_tokens":1000,"cache_read_input_tokens":0,"output_tokens":500},"created_at":"2026-11-02T12:00:00Z"}' \
  '{"type":"message","model":"claude-opus-4","usage":{"input_tokens":1000,"cache_read_input_tokens":2000,"output_tokens":500},"created_at":"2026-11-02T12:00:00Z"}' |
  "$ff" cost --json | jq -c '[.records, .by_model["deepseek-flash"].cost, .by_model["deepseek-v4-pro"].cost, .cost.actual]')
expect_eq "claude names: billed as their tiers" "$out" '[2,"0.00045","0.001694","0.002144"]'
# --- output paths are checked before the work: the demo fails at once, not after its replay
err=$("$ff" demo --html /nonexistent-dir/x.html --ledger "$tmp/never.db" 2>&1); rc=$?
expect_eq "demo --html unwritable: exit 2" "$rc" "2"
expect_eq "demo --html unwritable: message" "$err" "flashfirst demo: cannot write '/nonexistent-dir/x.html': No such file or directory"
expect_eq "demo --html unwritable: no ledger written" "$(ls "$tmp"/never.db* 2>/dev/null | wc -l)" "0"

# --- cost never quietly says $0: nothing priced is exit 1 with the skip table; a
# --- truncated gzip names the file and offset; a directory is refused; Unix times in ms/us/ns
printf 'junk\n{"x":1}\n' >"$tmp/allbad.jsonl"
out=$("$ff" cost "$tmp/allbad.jsonl" 2>&1); rc=$?
expect_eq "all lines bad: exit 1" "$rc" "1"
expect_contains "all lines bad: skip table" "$out" "no_usage                 1  JSON without usage; first: $tmp/allbad.jsonl:2"
expect_contains "all lines bad: says so" "$out" "flashfirst cost: none of the 2 lines could be priced (see the skipped lines above)"
head -c 200000 "$tests/../examples/usage.jsonl" | gzip -c | head -c 10000 >"$tmp/cut.gz"
for flags in "" "--strict"; do
  err=$("$ff" cost $flags "$tmp/cut.gz" 2>&1 >/dev/null); rc=$?
  expect_eq "truncated gzip $flags: exit 2" "$rc" "2"
  expect_eq "truncated gzip $flags: message" "$err" \
    "flashfirst cost: cannot read '$tmp/cut.gz': the compressed data is truncated (it ends at byte 10000 of the file, inside a gzip stream)"
done
err=$("$ff" tokens "$tmp" 2>&1); rc=$?
expect_eq "tokens on a directory: refused" "$rc $err" "2 flashfirst tokens: '$tmp' is a directory, not a file"
# 2026-11-02T12:00:00Z = 1793620800 s, written in ms, us, ns and as a string of seconds, an hour apart.
out=$(for c in 1793620800123 1793624400123456 1793628000123456789 '"1793631600"'; do
  echo "{\"created\":$c,\"model\":\"deepseek-v4-flash\",\"usage\":{\"prompt_cache_hit_tokens\":0,\"prompt_cache_miss_tokens\":1000,\"completion_tokens\":10}}"
done | "$ff" cost --json | jq -c '[.records, .time_span.first, .time_span.last]')
expect_eq "created in s, ms, us, ns" "$out" '[4,"2026-11-02T12:00:00Z","2026-11-02T15:00:00Z"]'

# --- route --eval prices its mistakes: a proof labelled Flash (the router sends it to Pro)
# --- and a summary labelled Pro (it goes to Flash). Each request's cost is recomputed by
# --- the cost engine (cost --tokens) from the input tokens route --json reports.
cat >"$tmp/labelled.jsonl" <<'JSONL'
{"id":"a","category":"straightforward_qa","tier":"flash","request":{"messages":[{"role":"user","content":"Prove that there are infinitely many primes."}]}}
{"id":"b","category":"multi_step_reasoning","tier":"pro","request":{"messages":[{"role":"user","content":"Summarize: the meeting moved to Friday."}]}}
JSONL
at=2026-11-24T02:00:00Z
ev=$("$ff" route --eval "$tmp/labelled.jsonl" --at $at --output-per-request 500 --json)
price() {  # input_tokens model -> cost of input as misses + 500 output at $at
  "$ff" cost --tokens "miss=$1,output=500" --model "$2" --at $at --json | jq -r .cost.actual
}
read -r in_a tier_a < <("$ff" route "$tmp/labelled.jsonl" --json | jq -r 'select(.id == "a") | "\(.input_tokens) \(.tier)"')
read -r in_b tier_b < <("$ff" route "$tmp/labelled.jsonl" --json | jq -r 'select(.id == "b") | "\(.input_tokens) \(.tier)"')
expect_eq "route --eval: the two mistakes" "$tier_a $tier_b" "pro flash"
sum() { python3 -c "import sys; from decimal import Decimal; print(sum(Decimal(x) for x in sys.argv[1:]))" "$@"; }
dec() { python3 -c "import sys; from decimal import Decimal; print(Decimal(sys.argv[1]) - Decimal(sys.argv[2]))" "$1" "$2"; }
expect_eq "route --eval: as routed" "$(sum "$(jq -r .cost.as_routed <<<"$ev")")" "$(sum "$(price "$in_a" pro)" "$(price "$in_b" flash)")"
expect_eq "route --eval: as labelled" "$(sum "$(jq -r .cost.as_labelled <<<"$ev")")" "$(sum "$(price "$in_a" flash)" "$(price "$in_b" pro)")"
expect_eq "route --eval: Flash work sent to Pro" "$(jq -r .cost.flash_sent_to_pro.requests <<<"$ev") $(sum "$(jq -r .cost.flash_sent_to_pro.extra <<<"$ev")")" \
  "1 $(dec "$(price "$in_a" pro)" "$(price "$in_a" flash)")"
expect_eq "route --eval: Pro work sent to Flash" "$(jq -r .cost.pro_sent_to_flash.requests <<<"$ev") $(sum "$(jq -r .cost.pro_sent_to_flash.saved <<<"$ev")")" \
  "1 $(dec "$(price "$in_b" pro)" "$(price "$in_b" flash)")"
expect_contains "route --eval: the text says what was assumed" "$("$ff" route --eval "$tmp/labelled.jsonl" --at $at)" \
  "What the mistakes cost (USD at the rates in force at 2026-11-24T02:00:00Z; each request's input (estimated tokens) as cache misses, 500 output tokens each)"

# --- help: a misspelt command names the nearest one; `help` works; serve's and sim's help list their routes
out=$("$ff" serv 2>&1); rc=$?
expect_eq "misspelt command: exit 2" "$rc" "2"
expect_contains "misspelt command: suggestion" "$out" "flashfirst: unknown command 'serv'. Did you mean 'serve'?"
expect_contains "flashfirst help" "$("$ff" help)" "Usage: flashfirst [OPTIONS] SUBCOMMAND"
expect_contains "flashfirst help cost" "$("$ff" help cost)" "Usage: cost [OPTIONS] [files...]"
help=$("$ff" serve --help)
for route in "POST /v1/messages (Anthropic" "GET /healthz" "GET /metrics" "SIGHUP is ignored"; do
  expect_contains "serve --help: $route" "$help" "$route"
done
expect_contains "sim --help: the Anthropic route" "$("$ff" sim --help)" "POST /anthropic/v1/messages"
# --- prices --at a past instant: the band in force is "then", not "now"
expect_contains "prices --at: band then" "$("$ff" prices --at 2026-11-02T02:00:00Z)" "peak (then)"
expect_eq "prices --at: no 'now'" "$("$ff" prices --at 2026-11-02T02:00:00Z | grep -c '(now)')" "0"

# --- serve with the simulator's default priors says so at start, and names the way off;
# --- SIGHUP is logged and ignored, the gateway keeps serving
"$ff" serve --upstream sim --listen 127.0.0.1:0 --ledger "$tmp/hup.db" --access-log off >"$tmp/hup.out" 2>"$tmp/hup.err" &
hup_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/hup.out" && break; sleep 0.1; done
hup_url=$(sed -n 's/^listening on //p' "$tmp/hup.out")
expect_contains "serve --upstream sim: says the priors fail answers" "$(cat "$tmp/hup.err")" \
  "of its answers fail on purpose (wrong, cut, invalid JSON), as real ones do, from data/quality.toml; --sim-quality off turns that off"
kill -HUP $hup_pid
sleep 0.3
expect_eq "SIGHUP: still serving" "$(curl -s "$hup_url/healthz")" '{"status":"ok"}'
expect_contains "SIGHUP: logged" "$(cat "$tmp/hup.err")" "SIGHUP ignored: keys, budgets, the policy and the price book are read once at start"
kill -TERM $hup_pid; wait $hup_pid
expect_eq "SIGTERM after SIGHUP: clean exit" "$?" "0"
"$ff" serve --upstream sim --sim-quality off --listen 127.0.0.1:0 --ledger "$tmp/hup2.db" >"$tmp/hup2.out" 2>"$tmp/hup2.err" &
hup_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/hup2.out" && break; sleep 0.1; done
kill -TERM $hup_pid; wait $hup_pid
expect_eq "--sim-quality off: no notice" "$(grep -c 'fail on purpose' "$tmp/hup2.err")" "0"
# --- the example config loads whole (every field), and its values reach serve
sed -e 's|^listen = .*|listen = "127.0.0.1:0"|' -e "s|^ledger = .*|ledger = \"$tmp/cfg.db\"|" \
    -e "s|^policy = .*|policy = \"$tests/../data/routing.toml\"|" -e "s|^prices = .*|prices = \"$tests/../data/prices.toml\"|" \
    -e "s|^holidays = .*|holidays = \"$tests/../examples/holidays.toml\"|" -e 's|^access_log = .*|access_log = "off"|' \
    -e 's|^ca_file = .*||' "$tests/../examples/serve.toml" >"$tmp/serve.toml"
"$ff" serve --config "$tmp/serve.toml" --sim-speed 0 >"$tmp/cfg.out" 2>"$tmp/cfg.err" &
cfg_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/cfg.out" && break; sleep 0.1; done
cfg_url=$(sed -n 's/^listening on //p' "$tmp/cfg.out")
expect_contains "example config: 2 virtual keys" "$(cat "$tmp/cfg.err")" "2 virtual keys"
expect_eq "example config: team-a's key works" \
  "$(curl -s -o /dev/null -w '%{http_code}' "$cfg_url/v1/chat/completions" -H 'Authorization: Bearer sk-team-a-change-me' \
     -d '{"model":"auto","messages":[{"role":"user","content":"Hello"}]}')" "200"
kill -TERM $cfg_pid; wait $cfg_pid
printf 'access_log = 7\n' >"$tmp/bad.toml"
expect_eq "config: a bad field names file and line" "$("$ff" serve --config "$tmp/bad.toml" 2>&1)" \
  "flashfirst serve: $tmp/bad.toml:1: access_log: must be a non-empty string"

report "cli"
