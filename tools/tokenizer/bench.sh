#!/usr/bin/env bash
# Tokenizer speed against the JavaScript reference, on English, code and Chinese
# text from the exactness corpus: the reference encodes each file (timed inside
# Node, loading excluded), then flashfirst's benchmark checks its ids against the
# reference's and times itself. Prints both and the ratio per file.
#   tools/tokenizer/bench.sh build/release [WORK_DIR]
set -euo pipefail
build=$1
here=$(cd "$(dirname "$0")" && pwd)
work=${2:-$(mktemp -d)}
node "$here/make_corpus.mjs" "$work/corpus" >/dev/null
# The first N bytes of some corpus files (cat is cut off by head: not an error).
first() { local n=$1; shift; { cat "$@" || true; } | head -c "$n"; }
first 4000000 "$work"/corpus/*-english.txt >"$work/english.txt"
first 2000000 "$work"/corpus/*-code.txt >"$work/code.txt"
first 2000000 "$work"/corpus/*-cjk.txt "$work"/corpus/*-mixed.txt >"$work/chinese.txt"
: >"$work/reference.ids"
declare -A ref_mbs
for f in english code chinese; do
  node "$here/reference.mjs" --time "$work/$f.txt" >>"$work/reference.ids" 2>"$work/$f.time"
  read -r _ bytes _ _ secs _ <"$work/$f.time"
  ref_mbs[$f]=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.2f", b / s / 1e6 }')
  echo "reference $f: ${ref_mbs[$f]} MB/s"
done
"$build/bench/tokenizer_throughput" --reference-ids "$work/reference.ids" \
  "$work/english.txt" "$work/code.txt" "$work/chinese.txt" | tee "$work/ours.txt"
for f in english code chinese; do
  ours=$(awk -v n="$f.txt" '$1 == n { print $5 }' "$work/ours.txt")
  awk -v f="$f" -v o="$ours" -v r="${ref_mbs[$f]}" 'BEGIN { printf "%-8s flashfirst %.1f MB/s vs reference %.2f MB/s: %.0fx\n", f, o, r, o / r }'
done
