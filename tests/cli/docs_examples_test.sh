#!/usr/bin/env bash
# The shell examples in README.md and docs/*.md stay true: every line of a ```sh
# block that starts with "$ " is run (from the repository's root, with this
# build's flashfirst first on PATH), and what it prints must be the lines that
# follow it in the block, exactly.
#   docs_examples_test.sh path/to/flashfirst path/to/repo
set -uo pipefail
source "$(dirname "$0")/../lib/expect.sh"
ff=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
repo=$2
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
ln -s "$ff" "$bin/flashfirst"
cd "$repo" || exit 1
examples=0
for doc in README.md docs/*.md; do
  # Each example as: the command, a NUL, the expected output, a NUL.
  while IFS= read -r -d '' cmd && IFS= read -r -d '' want; do
    examples=$((examples + 1))
    got=$(PATH="$bin:$PATH" bash -c "$cmd" 2>&1)
    expect_eq "$doc: $cmd" "$got" "$want"
  done < <(python3 - "$doc" <<'PY'
import sys
block, cmd, out = False, None, []
def flush():
    if cmd is not None:
        sys.stdout.write(cmd + "\0" + "\n".join(out) + "\0")
for line in open(sys.argv[1], encoding="utf-8").read().splitlines():
    if line.startswith("```"):
        if block:
            flush(); cmd, out = None, []
        block = line.strip() in ("```sh", "```console") if not block else False
        continue
    if not block:
        continue
    if line.startswith("$ "):
        flush(); cmd, out = line[2:], []
    elif cmd is not None:
        out.append(line)
PY
)
done
expect_eq "examples found" "$((examples >= 4))" "1"
report "docs examples ($examples)"
