# SPDX-License-Identifier: GPL-2.0
# Installing the module on a real host: make install-module [DESTDIR=...]
# installs kipc.ko for KDIR (modules_install, into /lib/modules/<kver>/extra),
# the udev rule, the modprobe options example and a DKMS source tree.
UDEVDIR ?= /lib/udev/rules.d
MODPROBEDIR ?= /etc/modprobe.d
DKMS_SRCDIR ?= /usr/src/kipc-1.0

.PHONY: install-module
install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	install -D -m 644 dist/99-kipc.rules $(DESTDIR)$(UDEVDIR)/99-kipc.rules
	install -D -m 644 dist/kipc.conf $(DESTDIR)$(MODPROBEDIR)/kipc.conf
	install -d $(DESTDIR)$(DKMS_SRCDIR)/kmod/compat \
		$(DESTDIR)$(DKMS_SRCDIR)/kmod/uapi/linux
	install -m 644 dist/dkms.conf Kbuild $(DESTDIR)$(DKMS_SRCDIR)/
	install -m 644 kmod/*.c kmod/kipc_internal.h $(DESTDIR)$(DKMS_SRCDIR)/kmod/
	install -m 755 kmod/compat/probe.sh $(DESTDIR)$(DKMS_SRCDIR)/kmod/compat/
	install -m 644 kmod/uapi/linux/kipc.h \
		$(DESTDIR)$(DKMS_SRCDIR)/kmod/uapi/linux/
	printf 'module:\n\t$$(MAKE) -C $$(KDIR) M=$$(CURDIR) modules\nclean:\n\t$$(MAKE) -C $$(KDIR) M=$$(CURDIR) clean\n' \
		>$(DESTDIR)$(DKMS_SRCDIR)/Makefile
