#!/usr/bin/env bash
# The bash completion, from the binary's own command definitions.
#   make_completion.sh path/to/flashfirst OUT
set -euo pipefail
"$1" completion bash >"$2"
