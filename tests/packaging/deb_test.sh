#!/usr/bin/env bash
# The .deb: built by CPack from a build directory, its dependencies Debian
# package names that apt resolves on this machine, then unpacked into a clean
# prefix where `flashfirst demo` runs; the man page, the bash completion and the
# hardened systemd unit are in it. Then, as root with debootstrap, installed with
# apt into a clean Debian 12 chroot (minbase, from the Debian archive), where apt
# fetches its dependencies by name, the postinst makes the service's settings,
# `flashfirst demo` runs, and a purge leaves nothing of the package.
#   deb_test.sh path/to/build-dir
# Skipped (77) without cpack, dpkg-deb or apt-get; the chroot part is skipped
# (and says so) without root, debootstrap or a reachable Debian archive.
set -uo pipefail
source "$(dirname "$0")/../lib/expect.sh"
build=$1
for tool in cpack dpkg-deb apt-get; do
  command -v $tool >/dev/null || { echo "deb: no $tool: skipped"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$build" && cpack -G DEB -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log" >&2; exit 1; }
deb=$(ls "$tmp"/pkg/flashfirst_*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libstdc++6 libfmt9 libsimdjson14 libsqlite3-0 libpq5 libssl3 libyaml-cpp0.7 zlib1g; do
  expect_contains "deb: depends on $lib" "$depends" "$lib"
done
# apt resolves every dependency on this machine (as an install would, without making it).
sim=$(apt-get install --simulate -o Debug::NoLocking=1 "$deb" 2>&1)
expect_eq "deb: apt can install it" "$?" "0"
expect_contains "deb: apt would install flashfirst" "$sim" "Inst flashfirst"

prefix=$tmp/root
dpkg-deb -x "$deb" "$prefix"
for f in usr/bin/flashfirst usr/share/man/man1/flashfirst.1 usr/share/bash-completion/completions/flashfirst \
         usr/lib/systemd/system/flashfirst.service usr/share/flashfirst/examples/serve.toml \
         usr/share/flashfirst/service/serve.toml usr/share/flashfirst/prices.toml; do
  [[ -s "$prefix/$f" ]] && ok || bad "deb: $f missing"
done
out=$(cd "$tmp" && "$prefix/usr/bin/flashfirst" demo 2>&1)
expect_eq "deb: demo runs from the unpacked prefix" "$?" "0"
expect_contains "deb: demo prints its bill" "$out" "routing saved"
expect_eq "deb: the man page" "$(head -c 200 "$prefix/usr/share/man/man1/flashfirst.1" | grep -c '^.TH FLASHFIRST "1"')" "1"
expect_contains "deb: the man page has each command's flags" "$(cat "$prefix/usr/share/man/man1/flashfirst.1")" \
  '.SS "flashfirst serve"'
unit=$(cat "$prefix/usr/lib/systemd/system/flashfirst.service")
for line in DynamicUser=yes StateDirectory=flashfirst ProtectSystem=strict NoNewPrivileges=yes Restart=on-failure \
            "ExecStart=/usr/bin/flashfirst serve --config /etc/flashfirst/serve.toml --ledger /var/lib/flashfirst/ledger.db"; do
  expect_contains "deb: the unit has $line" "$unit" "$line"
done
# systemd's own reading of the unit's hardening (offline: no systemd needed to
# run it). 3.2 when written; "OK" is below 4.0 in systemd's scale.
if command -v systemd-analyze >/dev/null; then
  exposure=$(systemd-analyze security --offline=yes --root="$prefix" \
    "$prefix/usr/lib/systemd/system/flashfirst.service" 2>&1 | sed -n 's/.*Overall exposure level for flashfirst.service: \([0-9.]*\).*/\1/p')
  awk -v e="$exposure" 'BEGIN {exit !(e != "" && e <= 3.5)}' && ok ||
    bad "deb: the unit's exposure level should be at most 3.5 (systemd-analyze security), got '$exposure'"
fi
for script in postinst postrm; do
  sh -n "$(dirname "$0")/../../packaging/$script" && ok || bad "deb: $script is not valid sh"
done
# The completion, as bash would call it.
complete_words() {  # words... -> the completions of the last one
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _flashfirst; printf "%s " "${COMPREPLY[@]}"' \
    _ "$prefix/usr/share/bash-completion/completions/flashfirst" "$@"
}
expect_eq "completion: commands" "$(complete_words flashfirst se)" "serve "
expect_eq "completion: a command's flags" "$(complete_words flashfirst serve --led)" "--ledger --ledger-sync "
expect_eq "completion: a subcommand's flags" "$(complete_words flashfirst route train --we)" "--weak-model "

# --- apt installs it into a clean Debian 12 chroot
chroot_install() {
  if [[ $(id -u) -ne 0 ]] || ! command -v debootstrap >/dev/null; then
    echo "deb: chroot install skipped (needs root and debootstrap)"
    return
  fi
  local root=$tmp/chroot mirror
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  if ! debootstrap --variant=minbase bookworm "$root" "${mirror:-http://deb.debian.org/debian}" >"$tmp/debootstrap.log" 2>&1; then
    echo "deb: chroot install skipped: debootstrap could not fetch Debian 12 ($(tail -1 "$tmp/debootstrap.log"))"
    return
  fi
  mount -t proc proc "$root/proc" && trap "umount '$root/proc' 2>/dev/null; rm -rf '$tmp'" EXIT
  cp "$deb" "$root/tmp/"
  local in=(chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root DEBIAN_FRONTEND=noninteractive)
  "${in[@]}" apt-get install -y -q "/tmp/$(basename "$deb")" >"$tmp/chroot-apt.log" 2>&1
  local rc=$?
  expect_eq "chroot: apt installs the .deb and its dependencies" "$rc" "0"
  ((rc == 0)) || tail -20 "$tmp/chroot-apt.log" >&2
  expect_eq "chroot: dpkg has it installed" \
    "$("${in[@]}" dpkg-query -W -f='${Status}' flashfirst 2>&1)" "install ok installed"
  local out
  out=$("${in[@]}" sh -c 'cd /tmp && flashfirst demo' 2>&1)
  expect_eq "chroot: flashfirst demo runs" "$?" "0"
  expect_contains "chroot: demo prints its bill" "$out" "routing saved"
  expect_eq "chroot: postinst made the settings, env owner-only" \
    "$("${in[@]}" stat -c '%n %a' /etc/flashfirst/serve.toml /etc/flashfirst/env | tr '\n' ' ')" \
    "/etc/flashfirst/serve.toml 644 /etc/flashfirst/env 600 "
  expect_eq "chroot: the man page is installed" "$("${in[@]}" test -s /usr/share/man/man1/flashfirst.1 && echo yes)" "yes"
  "${in[@]}" apt-get purge -y -q flashfirst >"$tmp/chroot-purge.log" 2>&1
  expect_eq "chroot: apt purges it" "$?" "0"
  expect_eq "chroot: a purge leaves neither the binary nor the settings" \
    "$("${in[@]}" sh -c 'command -v flashfirst; ls /etc/flashfirst 2>&1' | tr '\n' ' ')" \
    "ls: cannot access '/etc/flashfirst': No such file or directory "
  umount "$root/proc"
}
chroot_install
report "deb"
