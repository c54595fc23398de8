#!/usr/bin/env bash
# The man page flashfirst.1, generated from the --help text: help2man for the
# top level, and each command's own --help as a section of its own.
#   make_man.sh path/to/flashfirst OUT.1
set -euo pipefail
ff=$1
out=$2
include=$(mktemp)
trap 'rm -f "$include"' EXIT
{
  echo "[COMMANDS]"
  for c in $("$ff" --help | awk '/^Subcommands:/ {on = 1; next} on && NF {print $1}'); do
    echo ".SS \"flashfirst $c\""
    echo ".nf"
    # roff: a backslash is written \e, and a line starting with . or ' is escaped with \&.
    "$ff" help "$c" | sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"
    echo ".fi"
  done
  echo "[SEE ALSO]"
  echo "The documents in /usr/share/doc/flashfirst and https://api-docs.deepseek.com ."
} >"$include"
help2man --no-info --section 1 --name "run DeepSeek V4 Flash and Pro at the lowest bill that holds quality" \
  --include "$include" --output "$out" "$ff"
