#!/usr/bin/env bash
# tools/vm/kver.sh - map a kernel selector to a headers dir and guest release.
#
# Usage: tools/vm/kver.sh 6.1|6.12|debug
#
#   Prints two shell-assignable lines:
#     KDIR=<kernel build dir to use with make -C $KDIR M=...>
#     KREL=<uname -r of the matching guest kernel>
#   6.1   -> newest /usr/src/linux-headers-6.1.*-amd64 (not -cloud/-rt)
#   6.12  -> newest /usr/src/linux-headers-6.12.*+deb12-amd64
#   debug -> .cache/debug/.pc/linux-6.1 (built by tools/vm/debug-kernel.sh;
#            .cache/debug/linux-6.1 is a symlink to it)
#   Typical use:  eval "$(tools/vm/kver.sh 6.1)"
#   Exits 1 (message on stderr) if the tree is not present.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
sel=${1:-}

newest() { # glob regex -> newest matching dir
  local re=$1 d best=""
  for d in /usr/src/linux-headers-*; do
    [[ -d "$d" ]] || continue
    [[ "${d##*/}" =~ $re ]] || continue
    best+="$d"$'\n'
  done
  printf '%s' "$best" | sort -V | tail -n1
}

case "$sel" in
  6.1)
    kdir=$(newest '^linux-headers-6\.1\.[0-9]+-[0-9]+-amd64$')
    ;;
  6.12)
    kdir=$(newest '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$')
    ;;
  debug)
    kdir=$("$ROOT/tools/vm/debug-kernel.sh" --print)
    if [[ ! -f "$kdir/.kipc-built" || ! -f "$kdir/include/config/kernel.release" ]]; then
      echo "kver.sh: debug kernel tree not built ($kdir); run tools/vm/debug-kernel.sh" >&2
      exit 1
    fi
    echo "KDIR=$kdir"
    echo "KREL=$(cat "$kdir/include/config/kernel.release")"
    exit 0
    ;;
  -h|--help|"")
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    [[ -n "$sel" ]] && exit 0
    exit 2
    ;;
  *)
    echo "kver.sh: unknown selector '$sel' (want 6.1, 6.12 or debug)" >&2
    exit 2
    ;;
esac

if [[ -z "$kdir" || ! -f "$kdir/Makefile" ]]; then
  echo "kver.sh: no headers for $sel under /usr/src (run tools/deps.sh)" >&2
  exit 1
fi
echo "KDIR=$kdir"
echo "KREL=${kdir#/usr/src/linux-headers-}"
