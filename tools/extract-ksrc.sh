#!/bin/bash
# Extract what the build and lint steps take from Debian's linux-source-6.12
# package into the git-ignored cache: the kselftest harness (.cache/ksft/)
# and checkpatch.pl, kernel-doc and their data files (.cache/ksrc/).
# Nothing here is committed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tarball=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { echo "linux-source-6.12 is not installed (tools/deps.sh)" >&2; exit 1; }
tmp=$(mktemp -d "$top/.cache/ksrc-XXXXXX" 2>/dev/null || { mkdir -p "$top/.cache"; mktemp -d "$top/.cache/ksrc-XXXXXX"; })
trap 'rm -rf "$tmp"' EXIT
tar -xf "$tarball" -C "$tmp" --wildcards \
	'*/tools/testing/selftests/kselftest_harness.h' \
	'*/tools/testing/selftests/kselftest.h' \
	'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
	'*/scripts/const_structs.checkpatch' '*/scripts/kernel-doc'
src=$(ls -d "$tmp"/linux-source-*)
mkdir -p "$top/.cache/ksft" "$top/.cache/ksrc/scripts"
cp "$src"/tools/testing/selftests/kselftest_harness.h "$src"/tools/testing/selftests/kselftest.h "$top/.cache/ksft/"
cp "$src"/scripts/checkpatch.pl "$src"/scripts/spelling.txt "$src"/scripts/const_structs.checkpatch "$src"/scripts/kernel-doc "$top/.cache/ksrc/scripts/"
