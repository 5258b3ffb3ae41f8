#!/usr/bin/env bash
# tools/vm/selfcheck.sh - sanity checks for the VM runner (tools/vm/run.sh).
#
# Usage: tools/vm/selfcheck.sh [--full] [KERNEL...]
#
#   For each KERNEL (default: 6.1 6.12; add "debug" once debug-kernel.sh has
#   built it) checks that the guest boots, that the command's exit status is
#   passed through (0 and 3), that --add/--out work, and that a kernel
#   warning in the guest dmesg (faked through /dev/kmsg) fails the run
#   with status 123.  --full also boots each kernel in both -icount modes.
#   Prints one "ok"/"not ok" line per check; exits 1 if any check failed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUN="$ROOT/tools/vm/run.sh"
full=0
if [[ "${1:-}" == --full ]]; then full=1; shift; fi
kernels=("$@")
((${#kernels[@]})) || kernels=(6.1 6.12)

tmp=$(mktemp -d "$ROOT/.cache/vm/tmp/selfcheck.XXXXXX" 2>/dev/null || { mkdir -p "$ROOT/.cache/vm/tmp"; mktemp -d "$ROOT/.cache/vm/tmp/selfcheck.XXXXXX"; })
trap 'rm -rf "$tmp"' EXIT
failed=0 n=0

check() { # description expected-status -- run.sh args...
  local desc=$1 want=$2 rc=0 t0 t1
  shift 3
  n=$((n + 1))
  t0=$(date +%s)
  "$RUN" "$@" </dev/null >"$tmp/out" 2>"$tmp/err" || rc=$?
  t1=$(date +%s)
  if [[ "$rc" == "$want" ]] && { [[ -z "${expect_out:-}" ]] || grep -q -- "$expect_out" "$tmp/out"; }; then
    echo "ok $n - $desc (status $rc, $((t1 - t0)) s; $(grep -o 'command started at guest uptime [0-9.]*s' "$tmp/err" || echo 'no start'))"
  else
    echo "not ok $n - $desc (status $rc, wanted $want)"
    sed 's/^/#   /' "$tmp/err" | tail -n 15
    failed=1
  fi
}

mkdir -p "$tmp/in/sub"
echo payload >"$tmp/in/sub/file.txt"
for k in "${kernels[@]}"; do
  krel=$("$ROOT/tools/vm/kver.sh" "$k" | sed -n 's/^KREL=//p')
  expect_out=$krel check "$k: boots, uname -r = $krel" 0 -- --kernel "$k" -- uname -r
  rm -rf "$tmp/outdir"
  expect_out=payload check "$k: exit 3 passed through, --add dir" 3 -- --kernel "$k" \
    --add "$tmp/in" --out "$tmp/outdir" -- sh -c 'cat in/sub/file.txt; cp in/sub/file.txt /out/; exit 3'
  n=$((n + 1))
  if grep -qx payload "$tmp/outdir/file.txt" 2>/dev/null; then
    echo "ok $n - $k: --out copied /out back"
  else
    echo "not ok $n - $k: --out copied /out back"; failed=1
  fi
  expect_out="" check "$k: WARNING in dmesg detected" 123 -- --kernel "$k" -- \
    sh -c 'echo "WARNING: CPU: 0 PID: 1 at selfcheck.c:1 fake+0x0/0x0" > /dev/kmsg'
  if ((full)); then
    expect_out="" check "$k: --icount (smp 1)" 0 -- --kernel "$k" --icount -- true
    expect_out="^2$" check "$k: --icount --smp 2 (cpu1 onlined)" 0 -- --kernel "$k" --icount --smp 2 -- nproc
  fi
done
echo "1..$n"
exit "$failed"
