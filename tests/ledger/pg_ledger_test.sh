#!/usr/bin/env bash
# The PostgreSQL ledger against a real PostgreSQL server, started for this test
# in a temporary directory (unix socket only): two gateways write to one
# database, every row is there and is read back by psql (an independent reader)
# and by `flashfirst cost`; a bad URL is a clear error that never shows the
# password.
#   pg_ledger_test.sh path/to/flashfirst path/to/tests
# Exit 77 (skipped) when the PostgreSQL server binaries are not installed
# (scripts/setup.sh installs them).
set -uo pipefail
source "$(dirname "$0")/../lib/expect.sh"
ff=$1
tests=$2
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [[ -z "$pgbin" || ! -x "$pgbin/initdb" ]] || ! command -v psql >/dev/null; then
  echo "PostgreSQL server not installed (apt-get install postgresql): skipped"
  exit 77
fi
tmp=$(mktemp -d)
chmod 755 "$tmp"
# initdb refuses to run as root: as root, the server runs as the postgres user.
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir "$tmp/data" "$tmp/sock"
[[ $(id -u) -eq 0 ]] && chown postgres "$tmp/data" "$tmp/sock"
# Gateways are started inside $(...), a subshell, so their pids go to a file
# (an array set there would be lost, and the gateways left running).
stop_gateways() {
  [[ -f "$tmp/pids" ]] || return 0
  local p n
  while read -r p; do kill "$p" 2>/dev/null; done <"$tmp/pids"
  while read -r p; do
    for n in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$p" 2>/dev/null || true
  done <"$tmp/pids"
  rm -f "$tmp/pids"
}
cleanup() {
  stop_gateways
  as_pg "$pgbin/pg_ctl" -D "$tmp/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT
as_pg "$pgbin/initdb" -D "$tmp/data" -A trust -U postgres >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log" >&2; exit 1; }
port=$((30000 + RANDOM % 20000))
as_pg "$pgbin/pg_ctl" -D "$tmp/data" -l "$tmp/sock/pg.log" -w \
  -o "-p $port -k $tmp/sock -c listen_addresses=''" start >/dev/null || { cat "$tmp/sock/pg.log" >&2; exit 1; }
url="postgresql:///postgres?host=$tmp/sock&port=$port&user=postgres"
sql() { psql -X -A -t -h "$tmp/sock" -p "$port" -U postgres -d postgres -c "$1"; }

start() {  # name -> url of a gateway writing to the PostgreSQL ledger
  "$ff" serve --upstream sim --sim-speed 0 --sim-quality "$tests/sdk/no_failures.toml" --listen 127.0.0.1:0 \
    --ledger "$url" >"$tmp/$1.out" 2>"$tmp/$1.err" &
  echo $! >>"$tmp/pids"
  for _ in $(seq 100); do grep -q listening "$tmp/$1.out" && break; sleep 0.1; done
  sed -n 's/^listening on //p' "$tmp/$1.out"
}
a=$(start a)
b=$(start b)
[[ -n "$a" && -n "$b" ]] || { echo "serve did not start: $(cat "$tmp/a.err" "$tmp/b.err")" >&2; exit 1; }
auth=(-H 'Authorization: Bearer k' -H 'Content-Type: application/json')
h() { grep -i "^$1:" "$2" | head -1 | cut -d' ' -f2- | tr -d '\r'; }

# Ten requests to each gateway, at the same time; one of them escalated.
for i in $(seq 10); do
  curl -s -o /dev/null "$a/v1/chat/completions" "${auth[@]}" -d "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"Summarize item $i: prices rose.\"}]}" &
  curl -s -o /dev/null "$b/v1/chat/completions" "${auth[@]}" -d "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"Translate item $i to French: good morning.\"}]}" &
done
wait_clients() { for p in $(jobs -p); do wait "$p"; done; }
wait_clients
curl -s -D "$tmp/he" -o "$tmp/be" "$a/v1/chat/completions" "${auth[@]}" -H 'x-sim-fault: fail-flash' \
  -d '{"model":"auto","response_format":{"type":"json_object"},"messages":[{"role":"user","content":"Give me a JSON summary: sales rose."}]}'
expect_eq "pg: the escalated request was answered by Pro" "$(h x-flashfirst-escalated "$tmp/he") $(h x-flashfirst-model "$tmp/he")" \
  "true deepseek-v4-pro"
expect_eq "pg: every call of both gateways is a row" "$(sql 'select count(*) from requests')" "22"
expect_eq "pg: rows from both gateways (distinct id prefixes)" \
  "$(sql "select count(distinct split_part(request_id, '-', 2)) from requests")" "2"
pro_id=$(h x-flashfirst-request-id "$tmp/he")
expect_eq "pg: the Pro row links the Flash call" \
  "$(sql "select f.routed_model || ' ' || p.routed_model from requests p join requests f on f.request_id = p.escalated_from where p.request_id = '$pro_id'")" \
  "deepseek-v4-flash deepseek-v4-pro"
# The header's cost is both calls' (femto-units in the table, as exact integers).
total=$(sql "select sum(cost_femto) from requests where request_id = '$pro_id' or request_id = (select escalated_from from requests where request_id = '$pro_id')")
expect_eq "pg: the cost header is the rows' exact sum" "$(python3 -c "from decimal import Decimal; import sys; print(format(Decimal(int(sys.argv[1])) / Decimal(10**15), 'f').rstrip('0').rstrip('.'))" "$total")" \
  "$(h x-flashfirst-cost "$tmp/he")"
# `flashfirst cost` reads the same rows.
expect_eq "pg: cost --ledger reads every row" "$("$ff" cost --ledger "$url" --json | jq -r '.records + ([.skipped[]] | add)')" "22"
# Ratings: recorded in the feedback table once, by the request's own key only.
expect_eq "pg feedback: recorded" "$(curl -s "$a/v1/flashfirst/feedback" "${auth[@]}" \
  -d "{\"request_id\":\"$pro_id\",\"metric\":\"correct\",\"value\":0.25,\"comment\":\"half right\"}" | jq -c .)" \
  "{\"object\":\"flashfirst.feedback\",\"request_id\":\"$pro_id\",\"metric\":\"correct\",\"recorded\":true}"
expect_eq "pg feedback: on the other gateway too (one ledger)" "$(curl -s -o /dev/null -w '%{http_code}' "$b/v1/flashfirst/feedback" "${auth[@]}" \
  -d "{\"request_id\":\"$pro_id\",\"metric\":\"thumbs\",\"value\":false}")" "200"
expect_eq "pg feedback: another key's request is not found" "$(curl -s -o /dev/null -w '%{http_code}' "$b/v1/flashfirst/feedback" \
  -H 'Authorization: Bearer other' -d "{\"request_id\":\"$pro_id\",\"metric\":\"thumbs\",\"value\":true}")" "404"
expect_eq "pg feedback: an unknown id is not found" "$(curl -s -o /dev/null -w '%{http_code}' "$a/v1/flashfirst/feedback" "${auth[@]}" \
  -d '{"request_id":"ff-none","metric":"thumbs","value":true}')" "404"
expect_eq "pg feedback: the rows" "$(sql "select request_id = '$pro_id', key_name, metric, value, value_is_bool, comment from feedback order by seq" | tr '\n' ';')" \
  "t|anonymous|correct|0.25|f|half right;t|anonymous|thumbs|0|t|;"
expect_eq "pg feedback: read back by flashfirst" "$("$ff" cost --ledger "$url" --json | jq -c '[.feedback.ratings, .feedback.by[0].tier]')" '[2,"pro"]'
# The dashboard's API on the PostgreSQL ledger: the rows of both gateways, as
# `cost --ledger` prices them, within a second of their commit.
sleep 0.6
expect_eq "pg dashboard: spend equals cost --ledger" "$(curl -s "$a/v1/flashfirst/spend" -H 'Authorization: Bearer k' | jq -c '[.calls, .cost.actual, .cost.all_pro]')" \
  "$("$ff" cost --ledger "$url" --json | jq -c '[.records, .cost.actual, .cost.all_pro]')"
expect_eq "pg dashboard: the escalation's two calls and both ratings" \
  "$(curl -s "$b/v1/flashfirst/requests/$pro_id" -H 'Authorization: Bearer k' | jq -c '[.calls[].model, (.feedback | length)]')" \
  '["deepseek-v4-flash","deepseek-v4-pro",2]'
page=$(curl -s "$a/v1/flashfirst/requests?limit=5" -H 'Authorization: Bearer k')
expect_eq "pg dashboard: the newest five, newest first" "$(jq -c '[(.requests | length), (.requests[0].seq > .requests[4].seq), (.next_before == .requests[4].seq)]' <<<"$page")" "[5,true,true]"
expect_eq "pg dashboard: the rows by position match the table" "$(jq -r '.requests[0].id' <<<"$page")" "$(sql 'select request_id from requests order by seq desc limit 1')"

# A restart seeds from the table (and creating it again is harmless).
stop_gateways
c=$(start c)
expect_eq "pg: a restarted gateway serves" "$(curl -s -o /dev/null -w '%{http_code}' "$c/v1/chat/completions" "${auth[@]}" \
  -d '{"model":"flash","messages":[{"role":"user","content":"hi"}]}')" "200"
expect_eq "pg: and appends" "$(sql 'select count(*) from requests')" "23"

# Budgets across gateways: what one spends counts against the key on the other.
stop_gateways
cat >"$tmp/budget.toml" <<'TOML'
max_retries = 0
[[key]]
name = "team-a"
key = "key-a"
budget_per_day = "0.0004"
TOML
start_with() {  # name flags... -> url
  local name=$1
  shift
  "$ff" serve --upstream sim --sim-speed 0 --sim-quality "$tests/sdk/no_failures.toml" --listen 127.0.0.1:0 \
    --ledger "$url" --config "$tmp/budget.toml" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  echo $! >>"$tmp/pids"
  for _ in $(seq 100); do grep -q listening "$tmp/$name.out" && break; sleep 0.1; done
  sed -n 's/^listening on //p' "$tmp/$name.out"
}
d=$(start_with d --budget-sync-ms 200)
e=$(start_with e --budget-sync-ms 200)
ka=(-H 'Authorization: Bearer key-a' -H 'Content-Type: application/json')
req='{"model":"flash","max_tokens":200,"messages":[{"role":"user","content":"Summarize: prices rose."}]}'
codes=""
for i in $(seq 12); do codes+="$(curl -s -o /dev/null -w '%{http_code}' "$d/v1/chat/completions" "${ka[@]}" -d "$req") "; done
expect_eq "pg budgets: gateway d spends the daily budget, then refuses" "$(tr ' ' '\n' <<<"$codes" | grep -c 429 | awk '$1 > 0 {print "refused"}')" "refused"
sleep 0.8  # a few of gateway e's looks at the shared ledger
code=$(curl -s -o "$tmp/eb" -w '%{http_code}' "$e/v1/chat/completions" "${ka[@]}" -d "$req")
expect_eq "pg budgets: gateway e has counted d's spending and refuses too" "$code $(jq -r .error.code "$tmp/eb")" "429 budget_exceeded"

# Rate limits across gateways: what one admits counts against the key's minute on the other.
stop_gateways
cat >"$tmp/budget.toml" <<'TOML'
[[key]]
name = "team-r"
key = "key-r"
rpm = 4
TOML
g=$(start_with g --budget-sync-ms 200)
h=$(start_with h --budget-sync-ms 200)
kr=(-H 'Authorization: Bearer key-r' -H 'Content-Type: application/json')
codes=""
for i in 1 2 3 4; do codes+="$(curl -s -o /dev/null -w '%{http_code}' "$g/v1/chat/completions" "${kr[@]}" -d "$req") "; done
expect_eq "pg rpm: gateway g admits the key's four a minute" "$codes" "200 200 200 200 "
sleep 0.8  # a few of gateway h's looks at the shared ledger
code=$(curl -s -o "$tmp/hb" -w '%{http_code}' "$h/v1/chat/completions" "${kr[@]}" -d "$req")
expect_eq "pg rpm: gateway h counts g's requests and refuses" "$code $(jq -r .error.code "$tmp/hb")" "429 rate_limit_exceeded"

# The server goes away mid-run: nothing is served that could not be recorded (503,
# /readyz not ready); when it is back, the refused call's row is recorded late
# and serving resumes.
stop_gateways
f=$(start f)
one() { curl -s -D "$tmp/hf" -o "$tmp/bf" -w '%{http_code}' "$f/v1/chat/completions" "${auth[@]}" \
  -d '{"model":"flash","messages":[{"role":"user","content":"hi"}]}'; }
expect_eq "pg lost: serving" "$(one)" "200"
as_pg "$pgbin/pg_ctl" -D "$tmp/data" -m fast -w stop >/dev/null
expect_eq "pg lost: the answer is not served" "$(one) $(jq -r .error.code "$tmp/bf")" "503 ledger_unavailable"
lost_id=$(h x-flashfirst-request-id "$tmp/hf")
expect_eq "pg lost: the next is refused before its call" "$(one) $(h x-flashfirst-request-id "$tmp/hf")" "503 "
expect_eq "pg lost: /readyz" "$(curl -s -o /dev/null -w '%{http_code}' "$f/readyz")" "503"
as_pg "$pgbin/pg_ctl" -D "$tmp/data" -l "$tmp/sock/pg.log" -w \
  -o "-p $port -k $tmp/sock -c listen_addresses=''" start >/dev/null
sleep 1.1
expect_eq "pg back: /readyz" "$(curl -s -o /dev/null -w '%{http_code}' "$f/readyz")" "200"
expect_eq "pg back: serving" "$(one)" "200"
expect_eq "pg back: the refused call recorded late" \
  "$(sql "select count(*) from requests where request_id = '$lost_id' and error like '%recorded late%'")" "1"

# A server that is not there: a clear error at start-up, without the password.
err=$("$ff" serve --upstream sim --listen 127.0.0.1:0 --ledger "postgresql://ff:s3cret@127.0.0.1:1/ledger" 2>&1)
code=$?
expect_eq "pg: no server: usage error" "$code" "2"
expect_contains "pg: no server: says so" "$err" "flashfirst serve: ledger postgresql://ff:***@127.0.0.1:1/ledger: cannot connect:"
expect_eq "pg: the password is never printed" "$(grep -c s3cret <<<"$err")" "0"
err=$("$ff" cost --ledger "postgresql://127.0.0.1:1/ledger?user=ff&password=s3cret&sslmode=disable" 2>&1)
expect_contains "pg: nor as a URL parameter" "$err" "ledger postgresql://127.0.0.1:1/ledger?user=ff&password=***&sslmode=disable: cannot connect:"
expect_eq "pg: nor there" "$(grep -c s3cret <<<"$err")" "0"

report "postgresql ledger"
