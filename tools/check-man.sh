#!/bin/bash
# Lint the libkipc man pages: mandoc -T lint -W warning on every page
# (alias pages, which are a single ".so man3/TARGET.3", must name an
# existing page instead), and every function exported in lib/kipc.map must
# have a page. Exit status non-zero on any finding.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top/lib/man" || exit 1
rc=0
pages=()
for f in *.3 *.7; do
	if head -n 1 "$f" | grep -q '^\.so '; then
		t=$(sed -n '1s/^\.so man[0-9]\///p' "$f")
		if [ "$(wc -l <"$f")" -ne 1 ] || [ ! -f "$t" ] ||
			head -n 1 "$t" | grep -q '^\.so '; then
			echo "$f: bad alias to '$t'"
			rc=1
		fi
	else
		pages+=("$f")
	fi
done
if ! out=$(mandoc -T lint -W warning "${pages[@]}" 2>&1) || [ -n "$out" ]; then
	echo "$out"
	rc=1
fi
for p in "${pages[@]}"; do
	case $p in *.3)
		grep -q '^\.SH RETURN VALUE' "$p" || { echo "$p: no RETURN VALUE"; rc=1; }
	esac
done
for s in $(sed -n 's/^[[:space:]]*\(kipc_[a-z0-9_]*\);$/\1/p' ../kipc.map); do
	[ -f "$s.3" ] || { echo "no man page for $s"; rc=1; }
done
[ $rc -eq 0 ] && echo "check-man: ${#pages[@]} pages clean"
exit $rc
