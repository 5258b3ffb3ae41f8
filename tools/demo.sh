#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: install what is needed (tools/deps.sh), build kipc.ko for
# Debian's 6.1 kernel and the userspace, boot a QEMU guest, load the module
# and run kipc-demo: a producer renders frames into a kipc region and
# announces each through a kipc queue; a consumer checks every frame's
# checksum in place and reports throughput and latency; "kipcctl ls" shows
# the objects half way through. Run as root on Debian 12.
#
# Environment: KIPC_DEMO_KERNEL (default 6.1), KIPC_DEMO_BUILD (build dir,
# default build), KIPC_DEMO_FRAMES (default 300).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kernel=${KIPC_DEMO_KERNEL:-6.1}
B=${KIPC_DEMO_BUILD:-build}
frames=${KIPC_DEMO_FRAMES:-300}

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "dependencies (tools/deps.sh)"
tools/deps.sh
step "kipc.ko for Debian's $kernel kernel"
KIPC_BUILD=$B tools/build-module.sh "$kernel"
step "libkipc, kipcctl, kipc-demo"
make -s B="$B" userspace

stage=$B/demo
rm -rf "$stage"
mkdir -p "$stage"
cp "$B/tools/kipc-demo" "$B/tools/kipcctl" "$stage/"
cat >"$stage/demo-run.sh" <<GUEST
#!/bin/sh
# Runs in the guest.
set -e
echo "guest: \$(uname -sr), \$(nproc) CPUs"
insmod /kipc/kipc.ko
echo "guest: kipc.ko loaded: \$(ls -l /dev/kipc)"
/kipc/demo/kipc-demo --frames $frames --kipcctl /kipc/demo/kipcctl
echo
echo "\$ kipcctl ls        # after the demo: its objects removed themselves (AUTOREMOVE)"
/kipc/demo/kipcctl ls
rmmod kipc
echo "guest: kipc.ko unloaded"
GUEST

step "boot a QEMU guest ($kernel), load kipc.ko, run the demo"
set +e
# The runner also prints the guest's whole kernel log; keep the screen to
# the demo (the full console is in the log file it names).
tools/vm/run.sh --kernel "$kernel" --timeout 300 --add "$B/$kernel/kipc.ko" \
	--add "$stage" -- sh /kipc/demo/demo-run.sh 2>&1 |
	awk '/@@KIPC-.*@@ [A-Z]+-BEGIN/ { skip = 1 }
	     /@@KIPC-.*@@ [A-Z]+-END/ { skip = 0; next }
	     /@@KIPC-/ || skip { next }
	     { print }'
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" -eq 0 ]; then
	step "demo finished: kernel log clean (no BUG/WARNING/Oops/lockdep/KASAN)"
else
	step "demo FAILED (runner exit $rc)"
fi
exit "$rc"
