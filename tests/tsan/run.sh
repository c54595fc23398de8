#!/usr/bin/env bash
# The threaded parts under ThreadSanitizer: the server, the gateway (its unit,
# pipeline and end-to-end tests), the dashboard (its reader and worker threads), the ledger (SQLite and PostgreSQL), budgets
# (in the gateway tests), the simulator, the router and eval; the fault and
# full-disk scripts. Any report fails the run.
#   tests/tsan/run.sh            (after: cmake --preset tsan && cmake --build --preset tsan)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build/tsan
[[ -x $build/flashfirst ]] || { echo "no TSan build: cmake --preset tsan && cmake --build --preset tsan" >&2; exit 2; }
reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 log_path=$reports/tsan"
failed=0
for t in net_test gateway_test dashboard_test ledger_test sim_test router_test eval_test; do
  if "$build/tests/$t" >"$reports/$t.out" 2>&1; then
    echo "tsan: $t: $(tail -1 "$reports/$t.out")"
  else
    echo "tsan: $t FAILED" && tail -30 "$reports/$t.out"
    failed=1
  fi
done
for s in "gateway/gateway_test.sh $root/tests" "gateway/gateway_faults_test.sh $root/tests" "gateway/ledger_full_test.sh -" \
         "ledger/pg_ledger_test.sh $root/tests" "cli/eval_test.sh $root"; do
  set -- $s
  out=$(bash "$root/tests/$1" "$build/flashfirst" "$2" 2>&1)
  rc=$?
  echo "tsan: $1: $(tail -1 <<<"$out")"
  if [[ $rc -ne 0 && $rc -ne 77 ]]; then
    # Its exit status and what it printed last, so that a failure says where it was.
    echo "tsan: $1 exited with $rc; its last lines:" && tail -30 <<<"$out"
    failed=1
  fi
done
if compgen -G "$reports/tsan*" >/dev/null; then
  echo "tsan: ThreadSanitizer reported:" && cat "$reports"/tsan* | head -100
  failed=1
fi
exit $failed
