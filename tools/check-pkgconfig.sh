#!/bin/bash
# Install libkipc into a scratch DESTDIR (PREFIX=/usr), build a program with
# nothing but `pkg-config --cflags --libs kipc`, and check that it links
# dynamically against libkipc.so.1 and that the library exports exactly the
# LIBKIPC_1.0 symbols of lib/kipc.map. Needs no module (nothing is run that
# touches /dev/kipc beyond an expected failure).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
B=$tmp/build
make -s B="$B" install-lib DESTDIR="$tmp/root" PREFIX=/usr >/dev/null

export PKG_CONFIG_PATH=$tmp/root/usr/lib/pkgconfig
export PKG_CONFIG_SYSROOT_DIR=$tmp/root
flags=$(pkg-config --cflags --libs kipc)
echo "pkg-config: $flags"
cat >"$tmp/t.c" <<'EOC'
#include <errno.h>
#include <kipc.h>
#include <stdio.h>
int main(void)
{
	struct kipc k;
	int ret = kipc_init(&k, 1);	/* bad flags: -EINVAL, no device needed */

	printf("kipc_init(flags=1) = %d\n", ret);
	return ret == -EINVAL ? 0 : 1;
}
EOC
gcc -std=gnu11 -Wall -Wextra -Werror -o "$tmp/t" "$tmp/t.c" $flags
readelf -d "$tmp/t" | grep -q 'NEEDED.*\[libkipc\.so\.1\]' ||
	{ echo "not linked against libkipc.so.1" >&2; exit 1; }
LD_LIBRARY_PATH=$tmp/root/usr/lib "$tmp/t"

so=$tmp/root/usr/lib/libkipc.so.1.0.0
readelf -d "$so" | grep -q 'SONAME.*\[libkipc\.so\.1\]' ||
	{ echo "soname is not libkipc.so.1" >&2; exit 1; }
for f in usr/include/kipc.h usr/include/linux/kipc.h usr/lib/libkipc.a \
	usr/lib/libkipc.so usr/lib/libkipc.so.1 usr/share/man/man7/kipc.7 \
	usr/share/man/man3/kipc_mq_open.3; do
	[ -e "$tmp/root/$f" ] || { echo "missing $f" >&2; exit 1; }
done
# Every exported symbol is versioned LIBKIPC_1.0 and listed in the map.
nm -D --defined-only "$so" | awk '{print $3}' | sort >"$tmp/exported"
sed -n 's/^[[:space:]]*\(kipc_[a-z0-9_]*\);$/\1@@LIBKIPC_1.0/p' lib/kipc.map |
	sort >"$tmp/want"
echo "LIBKIPC_1.0" >>"$tmp/want"
sort -o "$tmp/want" "$tmp/want"
if ! diff -u "$tmp/want" "$tmp/exported"; then
	echo "exported symbols differ from lib/kipc.map" >&2
	exit 1
fi
echo "check-pkgconfig: ok ($(wc -l <"$tmp/exported") symbols)"
