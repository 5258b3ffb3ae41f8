/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the kipc selftests: raw access to /dev/kipc, without
 * libkipc, so the tests exercise the kernel ABI itself.
 */
#ifndef KIPC_TEST_H
#define KIPC_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kipc.h>

/* ioctl() returning -errno instead of -1. */
static inline long kt_ioctl(int fd, unsigned long cmd, void *arg)
{
	long ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

static inline int kt_ctl(void)
{
	return open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
}

/* Open (and maybe create) an object; returns the handle fd or -errno. */
static inline int kt_open(int ctl, uint32_t type, const char *name,
			  uint32_t flags, uint32_t mode)
{
	struct kipc_open a = {
		.size = sizeof(a),
		.type = type,
		.flags = flags,
		.mode = mode,
		.name = (uintptr_t)name,
	};

	return kt_ioctl(ctl, KIPC_IOC_OPEN, &a);
}

static inline long kt_unlink(int ctl, uint32_t type, const char *name)
{
	struct kipc_unlink u = {
		.size = sizeof(u),
		.type = type,
		.name = (uintptr_t)name,
	};

	return kt_ioctl(ctl, KIPC_IOC_UNLINK, &u);
}

static inline long kt_stat(int fd, struct kipc_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return kt_ioctl(fd, KIPC_IOC_STAT, st);
}

/* Write a module parameter; returns 0 or -errno. */
static inline int kt_param_set(const char *name, const char *value)
{
	char path[256];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/sys/module/kipc/parameters/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Read a module parameter into buf; returns 0 or -errno. */
static inline int kt_param_get(const char *name, char *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/module/kipc/parameters/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = 0;
	return 0;
}

#endif /* KIPC_TEST_H */
