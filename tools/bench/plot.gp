# SPDX-License-Identifier: GPL-2.0
# gnuplot script of tools/bench/plot.sh: dir= the results directory.
set terminal pngcairo size 1600,700 font ",10" noenhanced
set output dir.'/bench.png'
set datafile missing '?'
set key autotitle columnheader outside right top
set logscale xy
set grid
set xlabel 'message size (bytes)'
set xtics ('64' 64, '4K' 4096, '64K' 65536, '1M' 1048576)
# Twelve distinct colours; kipc mechanisms solid, the peers dashed.
array C[12] = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', \
	'#000000', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22', '#0000ff']
kipc(h, i) = (strstrt(word(h, i), 'kipc') == 1) ? 1 : 2
set multiplot layout 1,2 title 'kipc-bench ('.dir.')'
set title 'round trip, p50 (ns; icount: instructions)'
stats dir.'/plot-rtt.dat' skip 1 nooutput
n = STATS_columns
h = system('head -n 1 '.dir.'/plot-rtt.dat')
plot for [i=2:n] dir.'/plot-rtt.dat' using 1:i with linespoints lw 2 \
	lc rgb C[(i - 2) % 12 + 1] dt kipc(h, i) pt (i - 1)
set title 'throughput, one producer one consumer (MB/s)'
stats dir.'/plot-tput.dat' skip 1 nooutput
n = STATS_columns
h = system('head -n 1 '.dir.'/plot-tput.dat')
plot for [i=2:n] dir.'/plot-tput.dat' using 1:i with linespoints lw 2 \
	lc rgb C[(i - 2) % 12 + 1] dt kipc(h, i) pt (i - 1)
unset multiplot
