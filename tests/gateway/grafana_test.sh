#!/usr/bin/env bash
# The example Grafana dashboard (examples/grafana/flashfirst.json) against a real
# /metrics: every metric its queries name, and every label they group or filter
# by, is in what `serve` exposes after a few calls (one of them failing, so that
# error_type exists), and the histograms have their _bucket/_sum/_count series.
#   grafana_test.sh path/to/flashfirst path/to/repo
set -uo pipefail
source "$(dirname "$0")/../lib/expect.sh"
ff=$1
repo=$2
tmp=$(mktemp -d)
"$ff" serve --upstream sim --sim-speed 0 --sim-quality off --listen 127.0.0.1:0 --ledger "$tmp/ledger.db" \
  --access-log off --max-retries 0 >"$tmp/out" 2>"$tmp/err" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do grep -q listening "$tmp/out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$tmp/out")
for content in "Summarize: it rained." "Prove that there are infinitely many primes."; do
  curl -s -o /dev/null "$url/v1/chat/completions" -H 'Authorization: Bearer k' \
    -d "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"$content\"}]}"
done
curl -s -o /dev/null "$url/v1/chat/completions" -H 'Authorization: Bearer k' -H 'x-sim-fault: 503' \
  -d '{"model":"flash","messages":[{"role":"user","content":"hi"}]}'
curl -s "$url/metrics" >"$tmp/metrics"

out=$(python3 - "$repo/examples/grafana/flashfirst.json" "$tmp/metrics" <<'PY'
import json, re, sys
dash = json.load(open(sys.argv[1]))
samples = [l for l in open(sys.argv[2]) if l and not l.startswith("#")]
names = {re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", l).group(0) for l in samples}
exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
problems, metrics_seen = [], set()
for e in exprs:
    bare = re.sub(r"by \([^)]*\)|\{[^}]*\}", "", e)  # label names out of the way
    metrics = set(re.findall(r"\b(?:gen_ai|flashfirst)_[a-zA-Z0-9_]+", bare))
    metrics_seen |= metrics
    labels = set()
    for group in re.findall(r"by \(([^)]*)\)", e):
        labels |= {x.strip() for x in group.split(",")}
    labels |= set(re.findall(r"[{,]\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=|!=|=~|!~)", e))
    labels.discard("le")
    for m in metrics:
        if m not in names:
            problems.append(f"{m} is not in /metrics")
            continue
        for lab in labels:
            if not any(l.startswith(m) and re.search(r"[{,]" + lab + "=", l) for l in samples):
                problems.append(f"{m} has no label {lab}")
for h in ("gen_ai_client_token_usage", "gen_ai_client_operation_duration_seconds", "flashfirst_request_overhead_seconds"):
    for suffix in ("_bucket", "_sum", "_count"):
        if h + suffix not in names:
            problems.append(f"{h}{suffix} is not in /metrics")
print(f"{len(dash['panels'])} panels, {len(exprs)} queries, {len(metrics_seen)} metrics")
print("\n".join(problems) if problems else "all found")
PY
)
expect_eq "grafana: the dashboard's size" "$(head -1 <<<"$out")" "10 panels, 11 queries, 12 metrics"
expect_eq "grafana: every metric and label it queries is exposed" "$(tail -n +2 <<<"$out")" "all found"
expect_contains "metrics: the GenAI token histogram, by token type" "$(cat "$tmp/metrics")" \
  'gen_ai_client_token_usage_count{gen_ai_operation_name="chat",gen_ai_system="deepseek",gen_ai_request_model="deepseek-v4-flash",gen_ai_response_model="deepseek-v4-flash",gen_ai_token_type="input"} 1'
expect_contains "metrics: a failed call's duration carries its error type" "$(cat "$tmp/metrics")" \
  'gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="chat",gen_ai_system="deepseek",gen_ai_request_model="deepseek-v4-flash",gen_ai_response_model="deepseek-v4-flash",error_type="503"} 1'
expect_contains "metrics: the gateway's own time, per request that reached the upstream" "$(cat "$tmp/metrics")" \
  'flashfirst_request_overhead_seconds_count 3'
report "grafana"
