#!/bin/bash
# The test command (make check): installs what it needs, runs the static
# checks, builds kipc.ko for each kernel (W=1 + sparse) and runs every
# selftest inside a QEMU guest of that kernel. Each check is one line
# "ok - ..." or "not ok - ..."; the last line is
#   N passed, N failed, N skipped
# Kernels: KIPC_KERNELS (default "6.1 6.12"; "debug" is make check-debug).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
kernels=${KIPC_KERNELS:-6.1 6.12}
pass=0
fail=0
skip=0
mkdir -p build/logs

check() {	# check NAME COMMAND...: one pass/fail line
	local name=$1 log
	shift
	log=build/logs/$(echo "$name" | tr -c 'A-Za-z0-9._-' '_').log
	if "$@" >"$log" 2>&1; then
		pass=$((pass + 1))
		echo "ok - $name"
	else
		fail=$((fail + 1))
		echo "not ok - $name (log: $log)"
		tail -n 40 "$log" | sed 's/^/#   /'
	fi
}

summary() {
	echo "$pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
	exit $?
}

if ! tools/deps.sh; then
	fail=$((fail + 1))
	echo "not ok - install dependencies (tools/deps.sh)"
	summary
fi

check "userspace build (-Wall -Wextra -Werror)" make -s userspace
check "checkpatch --strict" tools/lint.sh checkpatch
check "kernel-doc -Wall" tools/lint.sh kernel-doc
for t in tools/check-*.sh; do
	[ -x "$t" ] || continue
	check "$(basename "$t" .sh)" "$t"
done

for k in $kernels; do
	if [ "$k" = debug ] && ! tools/vm/debug-kernel.sh; then
		fail=$((fail + 1))
		echo "not ok - build the debug kernel (tools/vm/debug-kernel.sh)"
		continue
	fi
	check "kipc.ko for $k: W=1 and sparse clean" tools/build-module.sh "$k"
	[ -f "build/$k/kipc.ko" ] || continue
	log=build/logs/vm-$k.log
	echo "# ==== selftests on $k (console: $log)"
	tools/vm/run.sh --kernel "$k" --add "build/$k/kipc.ko" \
		--add build/selftests -- sh /kipc/selftests/run.sh 2>&1 |
		tee "$log" | grep -E '^(ok|not ok|#  (FAIL|SKIP)|# (SKIP|FAIL)|kipc-summary|# ====)' 
	vmrc=${PIPESTATUS[0]}
	line=$(grep -a 'kipc-summary:' "$log" | tail -n 1 | tr -d '\r')
	if [ -z "$line" ]; then
		fail=$((fail + 1))
		echo "not ok - selftests on $k: no summary (guest crashed or timed out)"
		tail -n 60 "$log" | sed 's/^/#   /'
		continue
	fi
	p=$(echo "$line" | sed -n 's/.*summary: \([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	s=$(echo "$line" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + s))
	echo "# $k: $p passed, $f failed, $s skipped"
	# The runner fails on kernel warnings, leaks and timeouts even when
	# every test passed.
	if [ "$vmrc" -eq 0 ]; then
		pass=$((pass + 1))
		echo "ok - $k guest kernel log clean"
	elif [ "$f" -eq 0 ]; then
		fail=$((fail + 1))
		echo "not ok - $k guest kernel log clean (runner exit $vmrc, see $log)"
	fi
done
summary
