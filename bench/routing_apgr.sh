#!/usr/bin/env bash
# routing_apgr.sh: how well learned routing (`flashfirst route train`) separates
# the requests that need the strong model, on RouteLLM's public per-prompt
# outcomes, against the shipped router and a random one in the same run.
#
# For each benchmark (GSM8K, MMLU's 57 subjects, MT-Bench) and each of 5 seeds
# (which change the folds and the training order), `route train --cv 5 --json`
# prints the out-of-fold APGR, CPT(50%), CPT(80%) and Brier score. The script
# checks its own answers: the random router's APGR must be 0.5 exactly, every
# figure must lie in its range, and the learned router must beat the shipped one
# on every run; it then reports the spread over seeds and the 0.60 target.
#
#   bench/routing_apgr.sh [FLASHFIRST] [ROUTELLM_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ff=${1:-$here/../build/release/flashfirst}
data=${2:-$here/../../shared/data/public/routellm}
[[ -x $ff ]] || { echo "no flashfirst binary at $ff (cmake --workflow --preset release)" >&2; exit 2; }
[[ -d $data ]] || { echo "no RouteLLM data at $data" >&2; exit 2; }
command -v jq >/dev/null || { echo "needs jq" >&2; exit 2; }

run() {  # NAME TARGET ARGS...: one line per benchmark
  local name=$1 target=$2
  shift 2
  local out=() seed
  for seed in 1 2 3 4 5; do
    local j
    j=$("$ff" route train --cv 5 --seed "$seed" --json "$@")
    jq -e '.random.apgr == 0.5 and .learned.apgr > 0 and .learned.apgr < 1 and .shipped.apgr > 0
           and .learned.cpt50 <= .learned.cpt80 and .brier >= 0 and .brier <= 1' <<<"$j" >/dev/null ||
      { echo "$name seed $seed: figures out of range: $j" >&2; exit 1; }
    jq -e '.learned.apgr > .shipped.apgr' <<<"$j" >/dev/null ||
      { echo "$name seed $seed: the learned router does not beat the shipped one: $j" >&2; exit 1; }
    out+=("$j")
  done
  printf '%s\n' "${out[@]}" | jq -rs --arg name "$name" --arg target "$target" '
    def r3: (. * 1000 | round) / 1000;
    def pct: (. * 1000 | round) / 10 | tostring + "%";
    (map(.learned.apgr) | add / length) as $mean
    | [ $name, (.[0].cases | tostring),
        ($mean | r3 | tostring),
        ((map(.learned.apgr) | min | r3 | tostring) + "-" + (map(.learned.apgr) | max | r3 | tostring)),
        (map(.learned.cpt50) | add / length | pct), (map(.learned.cpt80) | add / length | pct),
        (map(.brier) | add / length | (. * 10000 | round) / 10000 | tostring),
        (.[0].base_brier | tostring),
        (.[0].shipped.apgr | r3 | tostring),
        (if $target == "" then "-" elif $mean >= ($target | tonumber) then "met" else "NOT met" end) ]
    | @tsv'
}

{
  printf 'benchmark\tcases\tAPGR (mean of 5 seeds)\tAPGR range\tCPT(50%%)\tCPT(80%%)\tBrier\tBrier of base rate\tshipped router APGR\t>= 0.60\n'
  run GSM8K 0.60 "$data/gsm8k_responses.csv"
  run MMLU 0.60 "$data"/mmlu/*.csv
  run MT-Bench "" --format mt-bench "$data/mt_bench_judgements.jsonl" "$data/mt_bench_question.jsonl"
} | column -t -s $'\t'
echo
echo "A random router scores 0.500 APGR, CPT(50%) 50%, CPT(80%) 80%. RouteLLM's published routers: about 0.80 on"
echo "MT-Bench and about 0.60 on MMLU (trained on Chatbot Arena preferences, not on these benchmarks)."
