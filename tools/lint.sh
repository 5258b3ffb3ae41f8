#!/bin/bash
# Static checks of the kernel code: checkpatch.pl --strict and kernel-doc,
# both taken from Debian's linux-source-6.12 (tools/extract-ksrc.sh).
# Usage: tools/lint.sh [checkpatch|kernel-doc]   (default: both)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
[ -x .cache/ksrc/scripts/checkpatch.pl ] || tools/extract-ksrc.sh
files=(kmod/*.c kmod/*.h kmod/uapi/linux/kipc.h)
what=${1:-all}
rc=0
if [ "$what" = all ] || [ "$what" = checkpatch ]; then
	if ! perl .cache/ksrc/scripts/checkpatch.pl --strict --no-tree --quiet \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f "${files[@]}"; then
		rc=1
	fi
fi
if [ "$what" = all ] || [ "$what" = kernel-doc ]; then
	outp=$(perl .cache/ksrc/scripts/kernel-doc -none -Wall "${files[@]}" 2>&1) || rc=1
	if [ -n "$outp" ]; then
		echo "$outp"
		rc=1
	fi
fi
exit $rc
