#!/usr/bin/env bash
# The dashboard's API on a big ledger: every call must answer within 200 ms at
# 10 million rows, without rescanning the ledger per request.
#   bench/dashboard_scale.sh [path/to/flashfirst]      (ROWS=10000000 BACKEND=sqlite|pg)
# Builds a ledger of ROWS rows (30 days, 20 keys, 8 categories, Flash and Pro,
# 2% upstream errors, 3% escalations), starts `serve` on it, and reports:
#   - the time to read the ledger into the dashboard's index, and the RSS it takes;
#   - each API call's latency (median and worst of 5), against the 200 ms goal;
#   - the reference in the same run: `flashfirst cost --ledger --json`, which
#     rescans the ledger, and the ratio; the two totals must be equal (checked).
set -euo pipefail
ff=${1:-build/release/flashfirst}
rows=${ROWS:-10000000}
backend=${BACKEND:-sqlite}
tmp=$(mktemp -d)
chmod 755 "$tmp"
pid=
pgbin=
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  [[ -n "$pgbin" ]] && as_pg "$pgbin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
now_ms=$(($(date +%s) * 1000))
start_ms=$((now_ms - 30 * 86400000))

# The rows: row i starts at start + i * span / rows; its key, category and model
# follow from i, so both backends hold the same ledger (SQL for PostgreSQL,
# Python for SQLite: the same expressions).
if [[ "$backend" == pg ]]; then
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  mkdir "$tmp/data" "$tmp/sock"
  [[ $(id -u) -eq 0 ]] && chown postgres "$tmp/data" "$tmp/sock"
  as_pg "$pgbin/initdb" -D "$tmp/data" -A trust -U postgres >/dev/null
  port=$((30000 + RANDOM % 20000))
  as_pg "$pgbin/pg_ctl" -D "$tmp/data" -l "$tmp/sock/pg.log" -w \
    -o "-p $port -k $tmp/sock -c listen_addresses='' -c shared_buffers=1GB" start >/dev/null
  ledger="postgresql:///postgres?host=$tmp/sock&port=$port&user=postgres"
else
  ledger="$tmp/ledger.db"
fi
# The schema, as the gateway creates it.
"$ff" serve --upstream sim --listen 127.0.0.1:0 --ledger "$ledger" --no-dashboard >"$tmp/init.out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/init.out" && break; sleep 0.1; done
kill "$pid"; wait "$pid" 2>/dev/null || true
pid=
t0=$(date +%s.%N)
select_sql="SELECT 'ff-bench-' || i, 'hash-' || (i % 20), \$S + i * (30::bigint * 86400000 / \$N), \$S + i * (30::bigint * 86400000 / \$N) + 800 + i % 1500,
  'auto', CASE WHEN i % 10 < 3 THEN 'deepseek-v4-pro' ELSE 'deepseek-v4-flash' END, 'low',
  (ARRAY['translation','summarization','classification','rag','coding_simple','coding_moderate','math_proof','structured_content'])[1 + i % 8],
  'bench', CASE WHEN i % 33 = 0 THEN 'ff-bench-' || (i - 1) ELSE '' END, false, CASE WHEN i % 50 = 0 THEN 502 ELSE 200 END,
  CASE WHEN i % 50 = 0 THEN 0 ELSE 1000 + i % 3000 END, CASE WHEN i % 50 = 0 THEN 0 ELSE 200 + i % 700 END,
  CASE WHEN i % 50 = 0 THEN 0 ELSE 100 + i % 900 END, 0, false, 0, 0, 'USD', 300, '', 'key-' || (i % 20)"
if [[ "$backend" == pg ]]; then
  psql -X -q -h "$tmp/sock" -p "$port" -U postgres -d postgres -c \
    "INSERT INTO requests (request_id, key_hash, start_ms, end_ms, requested_model, routed_model, effort, category, reason,
       escalated_from, stream, status, cache_hit, cache_miss, output, reasoning, usage_estimated, cost_femto,
       cost_if_pro_femto, currency, first_byte_ms, error, key_name)
     $(sed "s/\\\$S/$start_ms/g; s/\\\$N/$rows/g; s/ || / || /g" <<<"$select_sql") FROM generate_series(1, $rows) AS i" >/dev/null
else
  python3 - "$ledger" "$rows" "$start_ms" <<'PY'
import sqlite3, sys
path, n, s = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cats = ['translation','summarization','classification','rag','coding_simple','coding_moderate','math_proof','structured_content']
db = sqlite3.connect(path)
db.execute('PRAGMA journal_mode=WAL')
step = 30 * 86400000 // n
def gen():
    for i in range(1, n + 1):
        err = i % 50 == 0
        t = s + i * step
        yield ('ff-bench-%d' % i, 'hash-%d' % (i % 20), t, t + 800 + i % 1500, 'auto',
               'deepseek-v4-pro' if i % 10 < 3 else 'deepseek-v4-flash', 'low', cats[i % 8], 'bench',
               'ff-bench-%d' % (i - 1) if i % 33 == 0 else '', 0, 502 if err else 200,
               0 if err else 1000 + i % 3000, 0 if err else 200 + i % 700, 0 if err else 100 + i % 900,
               0, 0, 0, 0, 'USD', 300, '', 'key-%d' % (i % 20))
db.executemany('INSERT INTO requests (request_id, key_hash, start_ms, end_ms, requested_model, routed_model, effort, '
               'category, reason, escalated_from, stream, status, cache_hit, cache_miss, output, reasoning, '
               'usage_estimated, cost_femto, cost_if_pro_femto, currency, first_byte_ms, error, key_name) '
               'VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)', gen())
db.commit()
PY
fi
printf 'ledger: %s rows (%s) written in %.0f s\n' "$rows" "$backend" "$(echo "$(date +%s.%N) - $t0" | bc)"

# The reference: the whole-ledger report, rescanned (what a dashboard without
# an index would do per request).
t0=$(date +%s.%N)
"$ff" cost --ledger "$ledger" --json --no-progress >"$tmp/cost.json"
cost_s=$(echo "$(date +%s.%N) - $t0" | bc)

"$ff" serve --upstream sim --listen 127.0.0.1:0 --ledger "$ledger" --admin-key bench-admin --access-log off \
  >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
t0=$(date +%s.%N)
for _ in $(seq 100); do grep -q listening "$tmp/serve.out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$tmp/serve.out")
auth=(-H 'Authorization: Bearer bench-admin')
until [[ "$(curl -s "$url/v1/flashfirst/live" "${auth[@]}" | jq -r .ledger.loaded)" == true ]]; do sleep 0.5; done
load_s=$(echo "$(date +%s.%N) - $t0" | bc)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
peak=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
index_bytes=$(curl -s "$url/v1/flashfirst/live" "${auth[@]}" | jq -r .ledger.index_bytes)
printf 'index: read %s rows in %.1f s; it holds %d MB (%.1f bytes a row); the process: RSS %d MB, peak %d MB\n' \
  "$rows" "$load_s" $((index_bytes / 1048576)) "$(echo "$index_bytes / $rows" | bc -l)" $((rss / 1024)) $((peak / 1024))

# The answers must be the report's.
api_total=$(curl -s "$url/v1/flashfirst/spend" "${auth[@]}" | jq -c '[.calls, .cost.actual, .cost.all_flash, .cost.all_pro]')
ref_total=$(jq -c '[.records, .cost.actual, .cost.all_flash, .cost.all_pro]' "$tmp/cost.json")
if [[ "$api_total" != "$ref_total" ]]; then
  echo "MISMATCH: the API's spend $api_total, cost --ledger's $ref_total" >&2
  exit 1
fi
echo "check: the API's totals equal cost --ledger's: $api_total"

day=$(date -u -d @$(((now_ms - 5 * 86400000) / 1000)) +%Y-%m-%d)
id=$(curl -s "$url/v1/flashfirst/requests?limit=1&category=math_proof" "${auth[@]}" | jq -r '.requests[0].id')
calls=(
  "spend"
  "spend?by=key,category,tier,model,day"
  "spend?by=hour,tier&from=${day}T00:00:00Z&to=${day}T23:00:00Z"
  "spend?key=key-7&by=day"
  "requests?limit=50"
  "requests?limit=500&tier=pro"
  "requests?limit=50&key=key-3&category=rag&status=error"
  "requests?limit=50&status=404"
  "requests?limit=50&before=5000"
  "requests/$id"
  "requests/ff-bench-33"
  "budgets"
  "live"
)
printf '%-62s %9s %9s\n' "GET /v1/flashfirst/..." "median" "worst"
worst_all=0
for c in "${calls[@]}"; do
  times=()
  for _ in 1 2 3 4 5; do
    times+=("$(curl -s -o /dev/null -w '%{time_total}' "$url/v1/flashfirst/$c" "${auth[@]}")")
  done
  sorted=$(printf '%s\n' "${times[@]}" | sort -g)
  med=$(sed -n 3p <<<"$sorted")
  worst=$(tail -1 <<<"$sorted")
  printf '%-62s %7.1f ms %7.1f ms\n' "$c" "$(echo "$med * 1000" | bc)" "$(echo "$worst * 1000" | bc)"
  worst_all=$(echo "if ($worst > $worst_all) $worst else $worst_all" | bc)
done
spend_s=$(curl -s -o /dev/null -w '%{time_total}' "$url/v1/flashfirst/spend" "${auth[@]}")
printf 'worst API call: %.1f ms (goal 200 ms)\n' "$(echo "$worst_all * 1000" | bc)"
printf 'reference: cost --ledger rescans %s rows in %.2f s; GET spend answers in %.2f ms: %.0fx faster\n' \
  "$rows" "$cost_s" "$(echo "$spend_s * 1000" | bc)" "$(echo "$cost_s / $spend_s" | bc -l)"
