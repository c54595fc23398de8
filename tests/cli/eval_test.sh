#!/usr/bin/env bash
# End-to-end tests of `flashfirst eval`: it recovers the simulator's failure
# rates inside its own intervals, resumes an interrupted run, costs calls through
# a gateway exactly as the gateway's ledger does, and refuses bad input clearly.
#   eval_test.sh path/to/flashfirst path/to/repo
set -uo pipefail
source "$(dirname "$0")/../lib/expect.sh"
ff=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
repo=$(cd "$2" && pwd)
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

# --- the simulator fails Flash 30% and Pro 10% of translations; eval must find that.
cat >quality.toml <<'TOML'
[effort]
none = 1.0
low = 1.0
high = 1.0
max = 1.0

[[category]]
name = "translation"
flash = 0.30
pro = 0.10
source = "test"
checkable = 0.0
checkable_source = "test"

[[category]]
name = "straightforward_qa"
flash = 0.0
pro = 0.0
source = "test: the default category, which a quality file must have"
checkable = 0.0
checkable_source = "test"
TOML
for i in 1 2 3 4 5; do
  printf '{"id":"t%s","request":{"messages":[{"role":"user","content":"Translate item %s"}]},"assert":[{"type":"equals","value":"word %s"}],"metadata":{"category":"translation","expected_answer":"word %s"}}\n' "$i" "$i" "$i" "$i"
done >five.jsonl
# 5 cases x 200 repeats = 1,000 independent draws per model, in a fixed order (one call at a time).
# The intervals are 95% ones: over seeds 11-50 they held the true rate 74 times of 80 (35/40 for
# Flash, 39/40 for Pro); seed 11 is the first of those, not one picked for passing.
out=$("$ff" eval five.jsonl --sim-quality quality.toml --sim-seed 11 --repeat 200 --concurrency 1 --json r.json \
  --write-quality q.toml --outcomes o.jsonl 2>err.txt)
expect_eq "eval: exit status" "$?" "0"
expect_contains "eval: says the simulator answers" "$(cat err.txt)" "the built-in simulator answers"
inside() {  # rate low high -> yes when low <= rate <= high
  python3 -c "import sys; r, lo, hi = map(float, sys.argv[1:]); print('yes' if lo <= r <= hi else f'no: {r} not in [{lo}, {hi}]')" "$@"
}
expect_eq "eval: 1000 Flash answers" "$(jq -r .overall.flash.runs r.json)" "1000"
expect_eq "eval: Flash's 70% pass rate is inside its interval" \
  "$(inside 0.70 "$(jq -r '.overall.flash.ci95[0]' r.json)" "$(jq -r '.overall.flash.ci95[1]' r.json)")" "yes"
expect_eq "eval: Pro's 90% pass rate is inside its interval" \
  "$(inside 0.90 "$(jq -r '.overall.pro.ci95[0]' r.json)" "$(jq -r '.overall.pro.ci95[1]' r.json)")" "yes"
expect_eq "eval: Pro is needed for translation here" "$(jq -r '.categories[0].pro_needed' r.json)" "true"
expect_contains "eval: the verdict" "$out" "Pro needed (p = "
# Repeats are independent draws: not every repeat of a case gets the same verdict.
expect_eq "eval: repeats differ" "$(jq -r '[.results[] | select(.id == "t1") | .flash.status] | unique | length' r.json)" "2"
expect_eq "eval: the measured prior is written" "$(grep -c '^name = "translation"' q.toml)" "1"
expect_eq "eval: outcomes for route train, one per case" "$(wc -l <o.jsonl)" "5"
# Each case's scores are its share of passing repeats: here Pro's is above Flash's on every case.
expect_eq "eval: route train reads the outcomes" "$("$ff" route train o.jsonl --cv 2 2>&1)" \
  "flashfirst route train: every case needs Pro: nothing to learn"
expect_eq "eval: the journal is gone once the run is done" "$(ls flashfirst-eval-five.journal.jsonl 2>/dev/null | wc -l)" "0"

# --- an interrupted run resumes from its journal
# 20,000 calls: about a second at the simulator's full speed; killed once 100 are done.
"$ff" eval five.jsonl --sim-quality quality.toml --repeat 2000 --concurrency 2 --journal j.jsonl >/dev/null 2>&1 &
run=$!
for _ in $(seq 1000); do [[ -f j.jsonl && $(wc -l <j.jsonl) -gt 100 ]] && break; sleep 0.01; done
kill -9 $run 2>/dev/null
wait $run 2>/dev/null
done_before=$(($(wc -l <j.jsonl) - 1))
expect_eq "resume: the killed run left finished calls" "$([[ $done_before -gt 0 && $done_before -lt 20000 ]] && echo yes)" "yes"
out=$("$ff" eval five.jsonl --sim-quality quality.toml --repeat 2000 --concurrency 2 --journal j.jsonl --json r2.json 2>&1)
resumed=$(sed -n 's/^Resumed: \([0-9]*\) calls\{0,1\} came from the journal\.$/\1/p' <<<"$out")
expect_eq "resume: it took what the journal holds (a line cut by the kill is redone)" \
  "$([[ $resumed -ge $((done_before - 1)) && $resumed -le $done_before ]] && echo yes)" "yes"
expect_eq "resume: every call is accounted for" "$(jq -r '.overall.flash.runs + .overall.pro.runs + .overall.flash.errors + .overall.pro.errors' r2.json)" "20000"

# --- through a gateway: the tier pinned, each call costed as the ledger costs it
"$ff" serve --upstream sim --sim-speed 0 --sim-quality quality.toml --listen 127.0.0.1:0 --ledger gw.db \
  --key eval-key --access-log off >gw.out 2>gw.err &
pids+=($!)
for _ in $(seq 100); do grep -q listening gw.out && break; sleep 0.1; done
gw=$(sed -n 's/^listening on //p' gw.out)
FLASHFIRST_API_KEY=eval-key "$ff" eval five.jsonl --via "$gw" --repeat 4 --json via.json >/dev/null 2>&1
expect_eq "via: exit status" "$?" "0"
expect_eq "via: Flash calls went to Flash" "$(python3 -c "import sqlite3; print(sqlite3.connect('gw.db').execute(\"select count(*) from requests where routed_model like '%flash%' and escalated_from = ''\").fetchone()[0])")" "20"
total=$(jq -r '[.results[] | .flash.cost, .pro.cost] | map(tonumber) | add' via.json)
expect_eq "via: eval's cost is the ledger's, exactly" \
  "$(python3 -c "import json,sys; from decimal import Decimal; r=json.load(open('via.json')); print(format(sum(Decimal(x[m]['cost']) for x in r['results'] for m in ('flash','pro')).normalize(), 'f'))")" \
  "$("$ff" cost --ledger gw.db --json | jq -r .cost.actual)"
expect_eq "via: no key: a clear error" "$("$ff" eval five.jsonl --via "$gw" 2>&1; echo "rc=$?")" \
  "$(printf 'flashfirst eval: --via: set $FLASHFIRST_API_KEY to a key of the gateway (or name another variable with --key-env)\nrc=2')"

# --- learning from production: recorded requests, the cascade and clients' ratings
"$ff" serve --upstream sim --sim-speed 0 --sim-quality off --listen 127.0.0.1:0 --ledger learn.db \
  --record-requests --access-log off >learn.out 2>learn.err &
pids+=($!)
for _ in $(seq 100); do grep -q listening learn.out && break; sleep 0.1; done
lu=$(sed -n 's/^listening on //p' learn.out)
for i in $(seq 12); do
  curl -s -D h.txt -o /dev/null "$lu/v1/chat/completions" -H 'Authorization: Bearer k' \
    -d "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"Translate to French: item $i is ready.\"}]}"
  id=$(grep -i '^x-flashfirst-request-id:' h.txt | cut -d' ' -f2 | tr -d '\r')
  # Items 3, 6, 9 and 12 are rated wrong; 1 and 2 right; the rest not rated (accepted).
  if (( i % 3 == 0 )); then v=false; elif (( i <= 2 )); then v=true; else continue; fi
  curl -s -o /dev/null "$lu/v1/flashfirst/feedback" -H 'Authorization: Bearer k' -d "{\"request_id\":\"$id\",\"metric\":\"ok\",\"value\":$v}"
done
# A request Pro answers says nothing about Flash.
curl -s -o /dev/null "$lu/v1/chat/completions" -H 'Authorization: Bearer k' \
  -d '{"model":"pro","messages":[{"role":"user","content":"Prove there are infinitely many primes."}]}'
expect_eq "ledger: bodies recorded" "$(python3 -c "import sqlite3; print(sqlite3.connect('learn.db').execute('select count(*) from request_bodies').fetchone()[0])")" "13"
out=$("$ff" route train --format ledger learn.db --cv 3 2>&1)
expect_contains "route train --format ledger: what it learned from" "$out" \
  "Ledger: 13 requests recorded; 12 answered by Flash (0 escalated by the cascade, 6 rated); 1 answered by Pro first, left out (no evidence about Flash)."
# 12 cases: Flash passed 8 (4 rated wrong), Pro assumed to pass all: Pro needed on 4 of 12.
expect_contains "route train --format ledger: the labels" "$out" \
  "12 cases: Flash answers 66.7% well, Pro 100.0%; Pro needed (Flash fails where Pro succeeds) on 33.3%."
"$ff" route train --format ledger learn.db --cv 3 --out learn.model >/dev/null 2>&1
out=$("$ff" simulate --requests learn.db --model learn.model --thresholds 0.5)
expect_contains "simulate --requests LEDGER: the recorded requests are the workload" "$out" \
  "Workload: 13 requests from learn.db, classified by the router (1 to Pro):"
expect_contains "simulate --model: the learned policy is priced" "$out" "learned@0.50"
"$ff" serve --upstream sim --sim-speed 0 --listen 127.0.0.1:0 --ledger plain.db --access-log off >plain.out 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q listening plain.out && break; sleep 0.1; done
curl -s -o /dev/null "$(sed -n 's/^listening on //p' plain.out)/v1/chat/completions" -H 'Authorization: Bearer k' \
  -d '{"model":"auto","messages":[{"role":"user","content":"Hi"}]}'
expect_eq "without --record-requests: no prompt text kept" \
  "$(python3 -c "import sqlite3; print(sqlite3.connect('plain.db').execute('select count(*) from request_bodies').fetchone()[0])")" "0"
expect_eq "route train --format ledger: says how to record" "$("$ff" route train --format ledger plain.db 2>&1; echo "rc=$?")" \
  "$(printf 'flashfirst route train: the ledger holds no recorded requests: serve with --record-requests (or record_requests = true) to learn from it\nrc=2')"

# --- llm-rubric on the simulator: it cannot grade, so the judge's answers are errors, counted and costed apart
printf '{"id":"r1","request":{"messages":[{"role":"user","content":"Say hi"}]},"assert":[{"type":"llm-rubric","value":"greets the user"}],"metadata":{"category":"translation","expected_answer":"hi"}}\n' >rubric.jsonl
out=$("$ff" eval rubric.jsonl --sim-quality quality.toml --json rubric.json 2>/dev/null)
expect_eq "llm-rubric: one judge call per answer" "$(jq -r .judge.calls rubric.json)" "2"
expect_eq "llm-rubric: the judge is costed" "$(jq -r '.judge.cost | tonumber > 0' rubric.json)" "true"
expect_eq "llm-rubric: an ungradable answer is an error, not a fail" "$(jq -r '.results[0].flash.error' rubric.json)" \
  'the judge failed: its answer is not {"pass", "score", "reason"}'

# --- bad input
expect_eq "upstream URL without a key" "$(env -u DEEPSEEK_API_KEY "$ff" eval five.jsonl --upstream https://api.deepseek.com 2>&1; echo "rc=$?")" \
  "$(printf 'flashfirst eval: set $DEEPSEEK_API_KEY to your DeepSeek API key (or name another variable with --key-env)\nrc=2')"
expect_eq "--models needs two" "$("$ff" eval five.jsonl --models flash 2>&1; echo "rc=$?")" \
  "$(printf "flashfirst eval: --models takes two models, Flash's then Pro's: flash,pro\nrc=2")"
printf 'prompts: ["{{q}}"]\ntests:\n  - vars: {q: hi}\n    assert:\n      - type: equal\n        value: x\n' >bad.yaml
expect_contains "a bad suite names file and line" "$("$ff" eval bad.yaml 2>&1)" "flashfirst eval: bad.yaml:5: unknown assertion type \`equal\`"
expect_eq "a missing suite" "$("$ff" eval nothing.yaml 2>&1; echo "rc=$?")" \
  "$(printf "flashfirst eval: cannot open 'nothing.yaml': No such file or directory\nrc=2")"

# --- the shipped examples run as they are
out=$("$ff" eval "$repo/examples/eval/suite.jsonl" 2>/dev/null)
expect_eq "example suite: runs" "$?" "0"
expect_eq "example suite: 44 cases over the 11 categories" "$(grep -c -E '^(summarization|translation|classification|straightforward_qa|rag|structured_content|coding_moderate|multi_step_reasoning|codebase_debugging|agent_tool_chaining|long_coherent_output) +4 ' <<<"$out")" "11"
expect_eq "example suite: no call errors" "$(grep -c 'errored' <<<"$out")" "0"
out=$("$ff" eval "$repo/examples/eval/promptfoo.yaml" 2>/dev/null)
expect_eq "promptfoo example: runs" "$?" "0"

report "eval"
