#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM (busybox sh): load kipc.ko, run every selftest
# program, unload the module, and print one summary line
#   kipc-summary: N passed, N failed, N skipped
# that tools/check.sh adds up. Exit status 0 only if nothing failed.
#
# Usage: run.sh [MODULE] [TESTDIR]   (defaults: /kipc/kipc.ko /kipc/selftests)
mod=${1:-/kipc/kipc.ko}
dir=${2:-/kipc/selftests}
pass=0
fail=0
skip=0

result() {	# result ok|fail NAME
	if [ "$1" = ok ]; then
		pass=$((pass + 1)); echo "ok - $2"
	else
		fail=$((fail + 1)); echo "not ok - $2"
	fi
}

if insmod "$mod"; then
	result ok "insmod kipc.ko"
else
	result fail "insmod kipc.ko"
	echo "kipc-summary: $pass passed, $fail failed, $skip skipped"
	exit 1
fi

for t in "$dir"/*_test; do
	[ -x "$t" ] || continue
	echo "# ==== $(basename "$t")"
	out=/tmp/$(basename "$t").out
	"$t" 2>&1 | tee "$out"
	totals=$(grep '^# Totals:' "$out" | tail -n 1)
	if [ -z "$totals" ]; then
		result fail "$(basename "$t"): no totals line (crashed?)"
		continue
	fi
	p=$(echo "$totals" | sed -n 's/.* pass:\([0-9]*\).*/\1/p')
	f=$(echo "$totals" | sed -n 's/.* fail:\([0-9]*\).*/\1/p')
	s=$(echo "$totals" | sed -n 's/.*skip:\([0-9]*\).*/\1/p')
	e=$(echo "$totals" | sed -n 's/.*error:\([0-9]*\).*/\1/p')
	pass=$((pass + ${p:-0}))
	fail=$((fail + ${f:-0} + ${e:-0}))
	skip=$((skip + ${s:-0}))
done

# Everything is closed now: the module must unload and leave nothing behind.
if rmmod kipc && [ ! -e /dev/kipc ] && ! grep -q '^kipc ' /proc/modules; then
	result ok "rmmod kipc (module unloads after every handle is closed)"
else
	result fail "rmmod kipc (module unloads after every handle is closed)"
	lsmod
fi

echo "kipc-summary: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
