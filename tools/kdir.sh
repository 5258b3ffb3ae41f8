#!/bin/sh
# Print the kernel headers directory to build kipc.ko against: the running
# kernel's when it has one, else the newest Debian linux-headers-*-amd64.
set -eu
d=/lib/modules/$(uname -r)/build
if [ -d "$d" ]; then
	echo "$d"
	exit 0
fi
ls -d /usr/src/linux-headers-*-amd64 2>/dev/null |
	grep -v -e -cloud- -e -rt- | sort -V | tail -n 1
