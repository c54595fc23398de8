#!/usr/bin/env bash
# A full disk and a lost ledger: `serve` with its SQLite ledger on a 600 KB
# tmpfs, filled by requests (whole answers and streams). The gateway must never
# serve an answer it could not record: once a commit fails it answers 503
# (ledger_unavailable) and /readyz says not ready; when space returns it
# records the rows it kept, is ready and serves again. A corrupt or locked
# ledger at start-up stops `serve` with a clear error.
#   ledger_full_test.sh path/to/flashfirst
# Needs root for the tmpfs mount; without it the test is skipped (exit 77).
set -uo pipefail
source "$(dirname "$0")/../lib/expect.sh"
ff=$1
tmp=$(mktemp -d)
mkdir -p "$tmp/disk"
if ! mount -t tmpfs -o size=600k tmpfs "$tmp/disk" 2>/dev/null; then
  echo "ledger_full: cannot mount a tmpfs (not root?): skipped"
  rm -rf "$tmp"
  exit 77
fi
pid=
trap '[[ -n $pid ]] && kill -9 $pid 2>/dev/null; umount "$tmp/disk" 2>/dev/null; rm -rf "$tmp"' EXIT

# --- at start-up: a corrupt file, a locked file
head -c 8192 /dev/urandom >"$tmp/corrupt.db"
err=$("$ff" serve --upstream sim --listen 127.0.0.1:0 --ledger "$tmp/corrupt.db" 2>&1 >/dev/null)
expect_eq "corrupt ledger: exit 2" "$?" "2"
expect_eq "corrupt ledger: the error" "$err" "flashfirst serve: ledger $tmp/corrupt.db: cannot set up: file is not a database"
err=$(python3 - "$ff" "$tmp/locked.db" <<'PY'
import sqlite3, subprocess, sys
c = sqlite3.connect(sys.argv[2], isolation_level=None)
c.execute("create table t (x)")
c.execute("begin exclusive")
c.execute("insert into t values (1)")
p = subprocess.run([sys.argv[1], "serve", "--upstream", "sim", "--listen", "127.0.0.1:0", "--ledger", sys.argv[2]],
                   capture_output=True, text=True, timeout=30)
print(p.returncode, p.stderr.strip())
PY
)
expect_eq "locked ledger: exit 2 and the error" "$err" "2 flashfirst serve: ledger $tmp/locked.db: cannot set up: database is locked"

# --- a full disk, filled once by whole answers and once by streams
fill() {  # stream(0/1): requests until one is refused, then space returns
  local stream=$1
  umount "$tmp/disk" 2>/dev/null
  mount -t tmpfs -o size=600k tmpfs "$tmp/disk"
  "$ff" serve --upstream sim --sim-speed 0 --listen 127.0.0.1:0 --ledger "$tmp/disk/ledger.db" --record-requests \
    >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  for _ in $(seq 100); do grep -q listening "$tmp/out" && break; sleep 0.1; done
  url=$(sed -n 's/^listening on //p' "$tmp/out")
  local auth=(-H 'Authorization: Bearer k' -H 'Content-Type: application/json')
  local filler i status id cost whole first=0
  filler=$(head -c 20000 /dev/zero | tr '\0' 'a')
  : >"$tmp/answers"  # status request_id cost whole(1/0), one line per request
  for i in $(seq 60); do
    curl -s -N -D "$tmp/h" -o "$tmp/b" "$url/v1/chat/completions" "${auth[@]}" \
      -d "{\"model\":\"flash\",\"stream\":$( ((stream)) && echo true || echo false),\"messages\":[{\"role\":\"user\",\"content\":\"$filler $i\"}]}"
    whole=1
    ((stream)) && [[ $(tail -c 20 "$tmp/b") != *'data: [DONE]'* ]] && whole=0
    status=$(head -1 "$tmp/h" | cut -d' ' -f2)
    id=$(grep -i '^x-flashfirst-request-id:' "$tmp/h" | tr -d '\r' | cut -d' ' -f2)
    cost=$(grep -i '^x-flashfirst-cost:' "$tmp/h" | tr -d '\r' | cut -d' ' -f2)
    echo "$status ${id:--} ${cost:--} $whole" >>"$tmp/answers"
    if ((first == 0)) && [[ $status != 200 || $whole == 0 ]]; then first=$i; fi
    ((first > 0 && i >= first + 5)) && break
  done
  local what=$( ((stream)) && echo streams || echo answers)
  ((first > 0)) || bad "$what: the disk never filled"
  # The first refused request had reached the upstream: a 503 with its id, or a stream cut before its end.
  expect_eq "$what: the first refused one is cut after its call" \
    "$(sed -n "${first}p" "$tmp/answers" | awk '{print $1, ($2 != "-"), $4}')" \
    "$( ((stream)) && echo '200 1 0' || echo '503 1 1')"
  # Every later one is refused before its call.
  expect_eq "$what: then 503 before the upstream" \
    "$(awk -v f="$first" 'NR > f {print $1, $2}' "$tmp/answers" | sort -u)" "503 -"
  local body
  body=$(curl -s "$url/v1/chat/completions" "${auth[@]}" -d '{"model":"flash","messages":[{"role":"user","content":"x"}]}')
  expect_eq "$what: the error" "$(jq -r .error.code <<<"$body")" "ledger_unavailable"
  expect_contains "$what: the reason" "$(jq -r .error.message <<<"$body")" "database or disk is full"
  local ready
  ready=$(curl -s -w ' %{http_code}' "$url/readyz")
  expect_eq "$what: /readyz 503" "${ready##* }" "503"
  expect_contains "$what: /readyz says why" "$ready" '"status":"not ready","reason":"the ledger cannot record answers'

  # Space returns: ready at the next probe (at most 1 s), serving, the kept row recorded.
  mount -o remount,size=4m "$tmp/disk"
  sleep 1.1
  expect_eq "$what: space back: /readyz 200" "$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz")" "200"
  expect_eq "$what: space back: serving" "$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/chat/completions" \
    "${auth[@]}" -d '{"model":"flash","messages":[{"role":"user","content":"and now?"}]}')" "200"
  kill $pid
  wait $pid
  expect_eq "$what: clean exit" "$?" "0"
  pid=
  python3 - "$tmp/disk/ledger.db" "$tmp/answers" "$first" <<'PY' >"$tmp/check"
import sqlite3, sys
from decimal import Decimal
rows = {r[0]: r for r in sqlite3.connect(sys.argv[1]).execute("select request_id, cost_femto, error from requests")}
answers = [l.split() for l in open(sys.argv[2])]
first = answers[int(sys.argv[3]) - 1]
whole = [a for a in answers if a[0] == "200" and a[3] == "1"]
print("whole answers without a row:", sum(1 for a in whole if a[1] not in rows))
print("the refused one recorded late:", first[1] in rows and "recorded late" in rows[first[1]][2])
told = [a for a in answers if a[2] != "-"]
print("cost told = cost recorded:", sum(Decimal(a[2]) for a in told) ==
      sum(Decimal(rows[a[1]][1]) / Decimal(10**15) for a in told if a[1] in rows))
PY
  expect_eq "$what: every whole answer has its row" "$(sed -n 1p "$tmp/check")" "whole answers without a row: 0"
  expect_eq "$what: the refused call's row is recorded late" "$(sed -n 2p "$tmp/check")" \
    "the refused one recorded late: True"
  expect_eq "$what: the cost told to clients is the cost recorded" "$(sed -n 3p "$tmp/check")" \
    "cost told = cost recorded: True"
}
fill 0
fill 1
report ledger_full
