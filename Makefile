# SPDX-License-Identifier: GPL-2.0
#
# kipc top-level Makefile.
#
#   make              kipc.ko (against KDIR), libkipc, tools, selftests
#   make demo         build, boot a VM, load the module, run the demo
#   make check        lint + every selftest on Debian's 6.1 and 6.12 kernels
#   make check-debug  the selftests on a 6.1 KASAN/lockdep/kmemleak kernel
#   make bench        kipc-bench in the VM (deterministic -icount mode)
#   make install      libkipc, headers, pkg-config file, man pages, tools
#   make install-module  kipc.ko (modules_install), udev rule, DKMS tree
#
# KDIR picks the kernel headers: /lib/modules/$(uname -r)/build when it
# exists, otherwise the newest Debian linux-headers-*-amd64 installed.

KDIR ?= $(shell tools/kdir.sh)
CC ?= gcc
CFLAGS ?= -O2 -g
KIPC_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-Ikmod/uapi -Ilib/include $(CFLAGS)
B ?= build
KSFT := .cache/ksft
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all module userspace clean check check-debug demo bench install \
	deps lint help

all: module userspace

help:
	@sed -n '3,14p' Makefile

deps:
	tools/deps.sh

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# The kselftest harness comes from Debian's linux-source-6.12 package, into
# the git-ignored cache (6.12's harness stops a TEST_F after SKIP() in
# FIXTURE_SETUP; 6.1's does not).
$(KSFT)/kselftest_harness.h:
	tools/extract-ksrc.sh

include lib/lib.mk
include tools/tools.mk
include selftests/selftests.mk
include dist/dist.mk

userspace: $(USERSPACE_TARGETS)

check:
	tools/check.sh

check-debug:
	KIPC_KERNELS=debug tools/check.sh

demo:
	tools/demo.sh

bench:
	tools/bench.sh

lint:
	tools/lint.sh

# libkipc (headers, libraries, kipc.pc, man pages) and the tools; the module
# itself is installed with install-module (dist/dist.mk) or DKMS.
install: install-lib install-tools

# Not "make -C KDIR M=. clean": kbuild's clean deletes objects in every
# directory below, the debug kernel tree in .cache/ included.
clean:
	rm -rf $(B)
	rm -f kipc.ko kipc.o kipc.mod kipc.mod.c kipc.mod.o modules.order \
		Module.symvers .kipc*.cmd .modules.order.cmd .Module.symvers.cmd \
		.module-common.o ..module-common.o.cmd \
		kmod/*.o kmod/.*.cmd kmod/kipc_compat.h
