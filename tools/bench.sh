#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: run kipc-bench inside a QEMU guest in deterministic icount
# mode (-icount shift=0: virtual time counts instructions, so the "ns" are
# instruction counts and a run repeats exactly), then plot the CSV with
# gnuplot on the host. Everything lands in results/bench-<kernel>-<cpus>cpu-<date>/
# (git-ignored), also reachable as results/latest:
#   bench.txt  the tables, ratios and targets
#   bench.csv  mechanism,size,metric,value
#   bench.png  latency and throughput per message size
#
# Environment:
#   KIPC_BENCH_KERNEL=6.1|6.12  guest kernel (default 6.1)
#   KIPC_BENCH_SMP=1|2          guest CPUs (default 1; 2 pins the sides apart)
#   KIPC_BENCH_ARGS             extra kipc-bench arguments (e.g. "--scale 0.5")
#   KIPC_BENCH_BUILD            build directory (default build)
# Natively (module loaded on a real host): kipc-bench --out DIR.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kernel=${KIPC_BENCH_KERNEL:-6.1}
smp=${KIPC_BENCH_SMP:-1}
B=${KIPC_BENCH_BUILD:-build}
args=${KIPC_BENCH_ARGS:-}

tools/deps.sh
KIPC_BUILD=$B tools/build-module.sh "$kernel"
make -s B="$B" userspace

out=results/bench-$kernel-${smp}cpu-$(date +%Y%m%d-%H%M%S)
stage=$B/bench-stage
rm -rf "$stage"
mkdir -p "$stage" "$out"
cp "$B/tools/kipc-bench" "$stage/"
cat >"$stage/run-bench.sh" <<GUEST
#!/bin/sh
insmod /kipc/kipc.ko || exit 1
/kipc/bench-stage/kipc-bench --out /out $args
rc=\$?
rmmod kipc
exit \$rc
GUEST

smpargs=()
[ "$smp" -gt 1 ] && smpargs=(--smp "$smp")
echo "bench: kernel $kernel, $smp CPU(s), icount; results in $out" >&2
set +e
tools/vm/run.sh --kernel "$kernel" --icount "${smpargs[@]}" --timeout 1500 \
	--out "$out" --add "$B/$kernel/kipc.ko" --add "$stage" \
	-- sh /kipc/bench-stage/run-bench.sh 2>&1 |
	awk '/@@KIPC-.*@@ [A-Z]+-BEGIN/ { skip = 1 }
	     /@@KIPC-.*@@ [A-Z]+-END/ { skip = 0; next }
	     /@@KIPC-/ || skip { next }
	     { print }'
rc=${PIPESTATUS[0]}
set -e
chmod 755 "$out"
ln -sfn "$(basename "$out")" results/latest
if [ -s "$out/bench.csv" ] && command -v gnuplot >/dev/null; then
	tools/bench/plot.sh "$out" && echo "bench: plot $out/bench.png" >&2
fi
echo "bench: $out (runner exit $rc)" >&2
exit "$rc"
