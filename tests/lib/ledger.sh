# Readers of a gateway's SQLite ledger for the shell tests (source it), with
# Python's sqlite3 as a reader independent of flashfirst. Set `ledger_db` to the
# ledger's path and `ff` to the flashfirst binary first.
#   row ID            the ledger row of a request id, as JSON ({} when none)
#   rows              how many rows the ledger holds
#   femto_decimal N   femto-units (1e-15) as the decimal the headers use
#   engine_cost ROW MODEL
#                     what the cost engine (`flashfirst cost --tokens`, not the
#                     gateway's pricing) says ROW's usage costs on MODEL at ROW's start
row() {
  python3 - "$ledger_db" "$1" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.row_factory = sqlite3.Row
r = db.execute("select * from requests where request_id = ?", (sys.argv[2],)).fetchone()
print(json.dumps(dict(r)) if r else "{}")
PY
}
rows() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from requests').fetchone()[0])" "$ledger_db"; }
femto_decimal() { python3 -c "from decimal import Decimal; import sys; print(format(Decimal(int(sys.argv[1])) / Decimal(10**15), 'f').rstrip('0').rstrip('.') or '0')" "$1"; }
engine_cost() {
  local at hit miss out
  at=$(jq -r '.start_ms / 1000 | floor | todate' <<<"$1")
  hit=$(jq -r .cache_hit <<<"$1"); miss=$(jq -r .cache_miss <<<"$1"); out=$(jq -r .output <<<"$1")
  "$ff" cost --tokens "hit=$hit,miss=$miss,output=$out" --model "$2" --at "$at" --json | jq -r .cost.actual
}
