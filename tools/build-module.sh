#!/bin/bash
# Build kipc.ko for one kernel into build/<kernel>/kipc.ko (KIPC_BUILD
# overrides build/), with W=1 and
# sparse (C=2). Usage: tools/build-module.sh 6.1|6.12|debug
# The sources are copied into build/<kernel>/src so both kernels' objects
# can coexist. Fails when the compiler or sparse prints any diagnostic.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
sel=$1
eval "$("$top/tools/vm/kver.sh" "$sel")"
out=$top/${KIPC_BUILD:-build}/$sel
rm -rf "$out/src"
mkdir -p "$out/src"
cp -r "$top/Kbuild" "$top/kmod" "$out/src/"
log=$out/module-build.log
if ! make -C "$KDIR" M="$out/src" W=1 C=2 modules >"$log" 2>&1; then
	cat "$log" >&2
	exit 1
fi
if grep -E 'warning:|error:|\bwarn\b' "$log" | grep -v '^make' >&2; then
	echo "build-module: diagnostics for $sel (see $log)" >&2
	exit 1
fi
cp "$out/src/kipc.ko" "$out/kipc.ko"
echo "build-module: $out/kipc.ko ($KREL)"
