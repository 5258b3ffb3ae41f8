# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
# libkipc: shared library (soname libkipc.so.1, version script lib/kipc.map),
# static library, pkg-config file, and the install-lib target. Included by
# the top Makefile; everything goes to $(B)/lib.
LIBKIPC_VERSION := 1.0.0
LIBKIPC_SONAME := libkipc.so.1
LIBKIPC_SRCS := lib/kipc.c lib/batch.c
LIBKIPC_HDRS := lib/include/kipc.h kmod/uapi/linux/kipc.h
LIBKIPC_SO := $(B)/lib/libkipc.so.$(LIBKIPC_VERSION)
LIBKIPC_A := $(B)/lib/libkipc.a
LIBKIPC_PC := $(B)/lib/kipc.pc
LIBKIPC_CFLAGS := -fvisibility=hidden
LIBDIR ?= lib
LIBKIPC_MAN3 := $(wildcard lib/man/*.3)
LIBKIPC_MAN7 := $(wildcard lib/man/*.7)

$(B)/lib/pic/%.o: lib/%.c $(LIBKIPC_HDRS)
	@mkdir -p $(@D)
	$(CC) $(KIPC_CFLAGS) $(LIBKIPC_CFLAGS) -fPIC -c -o $@ $<

$(B)/lib/static/%.o: lib/%.c $(LIBKIPC_HDRS)
	@mkdir -p $(@D)
	$(CC) $(KIPC_CFLAGS) $(LIBKIPC_CFLAGS) -c -o $@ $<

$(LIBKIPC_SO): $(patsubst lib/%.c,$(B)/lib/pic/%.o,$(LIBKIPC_SRCS)) lib/kipc.map
	$(CC) -shared -fPIC -Wl,-soname,$(LIBKIPC_SONAME) \
		-Wl,--version-script,lib/kipc.map -Wl,-z,defs -Wl,-z,relro \
		-Wl,-z,now -o $@ $(filter %.o,$^) -luring
	ln -sf libkipc.so.$(LIBKIPC_VERSION) $(B)/lib/$(LIBKIPC_SONAME)
	ln -sf $(LIBKIPC_SONAME) $(B)/lib/libkipc.so

$(LIBKIPC_A): $(patsubst lib/%.c,$(B)/lib/static/%.o,$(LIBKIPC_SRCS))
	@rm -f $@
	$(AR) rcs $@ $^

$(LIBKIPC_PC): lib/kipc.pc.in lib/lib.mk
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@VERSION@|$(LIBKIPC_VERSION)|' $< >$@

USERSPACE_TARGETS += $(LIBKIPC_SO) $(LIBKIPC_A) $(LIBKIPC_PC)

.PHONY: install-lib
install-lib: $(LIBKIPC_SO) $(LIBKIPC_A) $(LIBKIPC_PC)
	install -d $(DESTDIR)$(PREFIX)/include/linux \
		$(DESTDIR)$(PREFIX)/$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(PREFIX)/share/man/man3 \
		$(DESTDIR)$(PREFIX)/share/man/man7
	install -m 644 lib/include/kipc.h $(DESTDIR)$(PREFIX)/include/kipc.h
	install -m 644 kmod/uapi/linux/kipc.h \
		$(DESTDIR)$(PREFIX)/include/linux/kipc.h
	install -m 755 $(LIBKIPC_SO) $(DESTDIR)$(PREFIX)/$(LIBDIR)/
	ln -sf libkipc.so.$(LIBKIPC_VERSION) \
		$(DESTDIR)$(PREFIX)/$(LIBDIR)/$(LIBKIPC_SONAME)
	ln -sf $(LIBKIPC_SONAME) $(DESTDIR)$(PREFIX)/$(LIBDIR)/libkipc.so
	install -m 644 $(LIBKIPC_A) $(DESTDIR)$(PREFIX)/$(LIBDIR)/
	install -m 644 $(LIBKIPC_PC) $(DESTDIR)$(PREFIX)/$(LIBDIR)/pkgconfig/
	$(if $(LIBKIPC_MAN3),install -m 644 $(LIBKIPC_MAN3) \
		$(DESTDIR)$(PREFIX)/share/man/man3/)
	$(if $(LIBKIPC_MAN7),install -m 644 $(LIBKIPC_MAN7) \
		$(DESTDIR)$(PREFIX)/share/man/man7/)
