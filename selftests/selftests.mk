# SPDX-License-Identifier: GPL-2.0
# Selftests: every selftests/*_test.c is one kselftest-harness program,
# built into build/selftests/ and run in the VM by selftests/run.sh.
SELFTEST_SRCS := $(wildcard selftests/*_test.c)
SELFTESTS := $(patsubst selftests/%.c,$(B)/selftests/%,$(SELFTEST_SRCS))
# The harness macros compare mixed-sign values and leave parameters unused
# by design.
SELFTEST_CFLAGS := -Wno-sign-compare -Wno-unused-parameter
SELFTEST_HDRS := $(wildcard selftests/*.h) $(KSFT)/kselftest_harness.h

$(B)/selftests/%_test: selftests/%_test.c $(SELFTEST_HDRS) $(LIBKIPC_A) kmod/uapi/linux/kipc.h
	@mkdir -p $(@D)
	$(CC) $(KIPC_CFLAGS) $(SELFTEST_CFLAGS) -I$(KSFT) -Iselftests -o $@ $< $(LIBKIPC_A) -luring -lpthread

$(B)/selftests/run.sh: selftests/run.sh
	@mkdir -p $(@D)
	cp $< $@

USERSPACE_TARGETS += $(SELFTESTS) $(B)/selftests/run.sh
