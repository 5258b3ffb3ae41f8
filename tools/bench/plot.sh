#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Plot DIR/bench.csv (from kipc-bench --out DIR) into DIR/bench.png:
# p50 round-trip latency and one-producer throughput per message size.
set -euo pipefail
dir=$1
csv=$dir/bench.csv
here=$(cd "$(dirname "$0")" && pwd)
# One table per metric: a row per size, a column per mechanism.
table() {	# table METRIC > FILE
	awk -F, -v metric="$1" '
	NR > 1 && $3 == metric {
		if (!($1 in seen)) { seen[$1] = 1; mechs[++nm] = $1 }
		if (!($2 in sseen)) { sseen[$2] = 1; sizes[++ns] = $2 }
		v[$1, $2] = $4
	}
	END {
		printf "size"
		for (i = 1; i <= nm; i++) printf " %s", mechs[i]
		printf "\n"
		for (j = 1; j <= ns; j++) {
			printf "%s", sizes[j]
			for (i = 1; i <= nm; i++)
				printf " %s", ((mechs[i], sizes[j]) in v) ? v[mechs[i], sizes[j]] : "?"
			printf "\n"
		}
	}' "$csv"
}
table rtt_p50_ns >"$dir/plot-rtt.dat"
table tput_mb_per_s >"$dir/plot-tput.dat"
gnuplot -e "dir='$dir'" "$here/plot.gp"
