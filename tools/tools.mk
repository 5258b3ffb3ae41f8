# SPDX-License-Identifier: GPL-2.0
# Tools: kipcctl (the ipcs/ipcrm of kipc), kipc-bench, the demo programs.
# Built on libkipc into $(B)/tools/; kipcctl and kipc-bench are also copied
# next to the selftests (their tests find them beside /proc/self/exe).
TOOLS_LDLIBS := $(LIBKIPC_A) -luring
BENCH_SRCS := $(wildcard tools/bench/*.c)
BENCH_HDRS := $(wildcard tools/bench/*.h)
TOOLS_DEPS := $(LIBKIPC_A) lib/include/kipc.h kmod/uapi/linux/kipc.h
TOOLS_BINS := $(B)/tools/kipcctl $(B)/tools/kipc-bench \
	$(B)/tools/kipc-demo

$(B)/tools/kipcctl: tools/kipcctl.c $(TOOLS_DEPS)
	@mkdir -p $(@D)
	$(CC) $(KIPC_CFLAGS) -o $@ $< $(TOOLS_LDLIBS)

$(B)/tools/kipc-bench: $(BENCH_SRCS) $(BENCH_HDRS) $(TOOLS_DEPS)
	@mkdir -p $(@D)
	$(CC) $(KIPC_CFLAGS) -o $@ $(BENCH_SRCS) $(TOOLS_LDLIBS) -lrt

$(B)/tools/kipc-demo: tools/demo/kipc-demo.c $(TOOLS_DEPS)
	@mkdir -p $(@D)
	$(CC) $(KIPC_CFLAGS) -o $@ $< $(TOOLS_LDLIBS)

$(B)/selftests/kipcctl: $(B)/tools/kipcctl
	@mkdir -p $(@D)
	cp $< $@

$(B)/selftests/kipc-bench: $(B)/tools/kipc-bench
	@mkdir -p $(@D)
	cp $< $@

# The selftests that run these binaries need them beside them.
$(B)/selftests/kipcctl_test: | $(B)/selftests/kipcctl
$(B)/selftests/bench_test: | $(B)/selftests/kipc-bench

USERSPACE_TARGETS += $(TOOLS_BINS) $(B)/selftests/kipcctl \
	$(B)/selftests/kipc-bench

.PHONY: install-tools
install-tools: $(TOOLS_BINS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(B)/tools/kipcctl $(B)/tools/kipc-bench \
		$(DESTDIR)$(PREFIX)/bin/
	install -m 644 tools/man/kipcctl.1 tools/man/kipc-bench.1 \
		$(DESTDIR)$(PREFIX)/share/man/man1/
