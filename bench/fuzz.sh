#!/usr/bin/env bash
# Runs every libFuzzer target for a set time and reports executions, coverage and
# crashes. Builds the `fuzz` preset first (clang, ASan and UBSan).
#
#   bench/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 600 s, all targets)
#   JOBS=2 bench/fuzz.sh 30                            (CI: 30 s each, two at a time)
#
# Each target starts from its seeds (fuzz/corpus/TARGET) and replays the inputs
# that once broke it (fuzz/regressions/TARGET); what it finds new goes to
# build/fuzz/work/TARGET, not into the repository. A crash, a failed check, a leak
# or a timeout leaves its input in build/fuzz/work/TARGET/ (crash-*, leak-*,
# timeout-*) and makes the script exit 1; add it to fuzz/regressions/TARGET once
# fixed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-600}
shift || true
jobs=${JOBS:-$(nproc)}
cd "$root"
# Quiet when it builds; what failed when it does not.
for step in "cmake --preset fuzz" "cmake --build --preset fuzz"; do
  if ! out=$($step 2>&1); then
    echo "fuzz: '$step' failed:" >&2
    tail -40 <<<"$out" >&2
    exit 1
  fi
done
targets=("$@")
if ((${#targets[@]} == 0)); then
  for f in build/fuzz/fuzz/*_fuzz; do targets+=("$(basename "$f" _fuzz)"); done
fi

run_one() {
  local t=$1 work=build/fuzz/work/$1
  mkdir -p "$work/corpus" fuzz/regressions/"$t"
  rm -f "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*
  # One input may take at most 10 s, and the process 4 GB.
  "build/fuzz/fuzz/${t}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$work/" "$work/corpus" "fuzz/corpus/$t" "fuzz/regressions/$t" >"$work/log" 2>&1 || true
}

running=0
for t in "${targets[@]}"; do
  [[ -x build/fuzz/fuzz/${t}_fuzz ]] || { echo "fuzz: no target '$t'" >&2; exit 2; }
  run_one "$t" &
  running=$((running + 1))
  if ((running >= jobs)); then
    wait -n
    running=$((running - 1))
  fi
done
wait

printf '%-14s %12s %10s %8s %8s %7s\n' target executions exec/s coverage features crashes
failed=0
for t in "${targets[@]}"; do
  work=build/fuzz/work/$t
  execs=$(grep -oE 'stat::number_of_executed_units: +[0-9]+' "$work/log" | awk '{print $2}' | tail -1)
  rate=$(grep -oE 'stat::average_exec_per_sec: +[0-9]+' "$work/log" | awk '{print $2}' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -1 | awk '{print $2}')
  ft=$(grep -o 'ft: [0-9]*' "$work/log" | tail -1 | awk '{print $2}')
  crashes=$(find "$work" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  printf '%-14s %12s %10s %8s %8s %7s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$crashes"
  if ((crashes > 0)) || [[ -z $execs ]]; then
    failed=1
    echo "--- $t: $work/log" >&2
    grep -E 'ERROR|check failed|SUMMARY|^#[0-9]+ ' "$work/log" | grep -v ' NEW \| REDUCE \| pulse ' | head -20 >&2 || true
  fi
done
exit $failed
