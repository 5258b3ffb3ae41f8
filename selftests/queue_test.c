// SPDX-License-Identifier: GPL-2.0
/*
 * Message queues through the raw ioctls: open/create/unlink, attributes,
 * send/receive with priorities, types, peek, blocking, timeouts, signals,
 * poll, credentials, permissions, quota, SENDV/RECVV, CALL, NOTIFY, STAT.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

/*
 * The 6.12 harness's TEST_F wrapper keeps "child" in a non-volatile local
 * across setjmp(); gcc -O2 -Wextra flags it when it inlines a test body.
 * It is not modified between setjmp() and longjmp(): a false positive.
 */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "kipc_test.h"

#define MS	1000000LL

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int q_open(int ctl, const char *name, uint32_t flags, uint32_t mode,
		  uint32_t max_msgs, uint32_t max_msgsize)
{
	struct kipc_open a = {
		.size = sizeof(a),
		.type = KIPC_TYPE_QUEUE,
		.flags = flags,
		.mode = mode,
		.name = (uintptr_t)name,
		.max_msgs = max_msgs,
		.max_msgsize = max_msgsize,
	};

	return kt_ioctl(ctl, KIPC_IOC_OPEN, &a);
}

static long q_send(int fd, const void *buf, uint32_t len, uint32_t prio,
		   uint64_t type, uint32_t flags, int64_t timeout)
{
	struct kipc_msg m = {
		.size = sizeof(m),
		.flags = flags,
		.buf = (uintptr_t)buf,
		.len = len,
		.prio = prio,
		.type = type,
		.timeout_ns = timeout,
	};

	return kt_ioctl(fd, KIPC_IOC_SEND, &m);
}

static long q_sends(int fd, const char *s, uint32_t prio, uint32_t flags)
{
	return q_send(fd, s, strlen(s), prio, 0, flags, 0);
}

/* Receive into buf; m (optional) gets the out fields. */
static long q_recv(int fd, void *buf, uint32_t len, uint32_t flags,
		   int64_t timeout, uint64_t type, struct kipc_msg *out)
{
	struct kipc_msg m = {
		.size = sizeof(m),
		.flags = flags,
		.buf = (uintptr_t)buf,
		.len = len,
		.type = type,
		.timeout_ns = timeout,
	};
	long ret = kt_ioctl(fd, KIPC_IOC_RECV, &m);

	if (out)
		*out = m;
	return ret;
}

static uint32_t q_msgs(int fd)
{
	struct kipc_stat st;

	if (kt_stat(fd, &st))
		return ~0u;
	return st.msgs;
}

/* Wait until the queue has n blocked tasks (waiters); 0 or -1 after 3 s. */
static int wait_waiters(int fd, uint32_t n)
{
	struct kipc_stat st;
	int i;

	for (i = 0; i < 600; i++) {
		if (!kt_stat(fd, &st) && st.waiters == n)
			return 0;
		sleep_ms(5);
	}
	return -1;
}

static int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (!WIFEXITED(status))
		return -2;
	return WEXITSTATUS(status);
}

static void qname(char *buf, size_t len, const char *test, const char *tag)
{
	snprintf(buf, len, "qt%d-%s-%.36s", getpid(), tag, test);
}

/* nobody:nogroup in the guest */
static int drop_to_nobody(void)
{
	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return -1;
	return 0;
}

FIXTURE(q) {
	int ctl;
	int fd;
	char name[KIPC_NAME_MAX];
};

/* A read-write queue of depth 4 and 64-byte messages, mode 0600. */
FIXTURE_SETUP(q)
{
	self->ctl = kt_ctl();
	ASSERT_GE(self->ctl, 0);
	qname(self->name, sizeof(self->name), _metadata->name, "f");
	self->fd = q_open(self->ctl, self->name,
			  KIPC_OPEN_CREAT | KIPC_OPEN_EXCL | KIPC_OPEN_READ |
			  KIPC_OPEN_WRITE, 0600, 4, 64);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(q)
{
	kt_unlink(self->ctl, KIPC_TYPE_QUEUE, self->name);
	close(self->fd);
	close(self->ctl);
}

/* ---- open, create, unlink ------------------------------------------- */

TEST_F(q, excl_create_of_existing_is_eexist)
{
	EXPECT_EQ(-EEXIST, q_open(self->ctl, self->name,
				  KIPC_OPEN_CREAT | KIPC_OPEN_EXCL |
				  KIPC_OPEN_READ, 0600, 0, 0));
}

TEST_F(q, open_existing_shares_the_queue)
{
	struct kipc_stat st;
	char buf[16];
	int fd2;

	fd2 = q_open(self->ctl, self->name, KIPC_OPEN_READ, 0, 0, 0);
	ASSERT_GE(fd2, 0);
	ASSERT_EQ(0, q_sends(self->fd, "hello", 1, 0));
	EXPECT_EQ(5, q_recv(fd2, buf, sizeof(buf), KIPC_F_NONBLOCK, 0, 0, NULL));
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
	/* CREAT without EXCL opens the existing one, attributes ignored. */
	close(fd2);
	fd2 = q_open(self->ctl, self->name, KIPC_OPEN_CREAT | KIPC_OPEN_READ,
		     0600, 99, 99);
	ASSERT_GE(fd2, 0);
	ASSERT_EQ(0, kt_stat(fd2, &st));
	EXPECT_EQ(4, st.max_msgs);
	EXPECT_EQ(64, st.max_msgsize);
	close(fd2);
}

TEST_F(q, open_missing_is_enoent)
{
	char n[KIPC_NAME_MAX];

	qname(n, sizeof(n), _metadata->name, "missing");
	EXPECT_EQ(-ENOENT, q_open(self->ctl, n, KIPC_OPEN_READ, 0, 0, 0));
}

TEST_F(q, unlink_then_enoent_and_handle_keeps_working)
{
	struct kipc_stat st;
	char buf[16];
	int fd2;

	ASSERT_EQ(0, kt_unlink(self->ctl, KIPC_TYPE_QUEUE, self->name));
	EXPECT_EQ(-ENOENT, q_open(self->ctl, self->name, KIPC_OPEN_READ, 0, 0, 0));
	EXPECT_EQ(-ENOENT, kt_unlink(self->ctl, KIPC_TYPE_QUEUE, self->name));
	ASSERT_EQ(0, kt_stat(self->fd, &st));
	EXPECT_TRUE(st.flags & KIPC_STAT_UNLINKED);
	ASSERT_EQ(0, q_sends(self->fd, "still", 0, 0));
	EXPECT_EQ(5, q_recv(self->fd, buf, sizeof(buf), 0, 0, 0, NULL));
	/* The name can be reused by a new queue. */
	fd2 = q_open(self->ctl, self->name, KIPC_OPEN_CREAT | KIPC_OPEN_EXCL |
		     KIPC_OPEN_READ, 0600, 0, 0);
	ASSERT_GE(fd2, 0);
	EXPECT_EQ(0, q_msgs(fd2));
	close(fd2);
}

TEST_F(q, name_empty_is_einval)
{
	EXPECT_EQ(-EINVAL, q_open(self->ctl, "", KIPC_OPEN_CREAT | KIPC_OPEN_READ,
				  0600, 0, 0));
}

TEST_F(q, name_leading_dot_is_einval)
{
	EXPECT_EQ(-EINVAL, q_open(self->ctl, ".hidden", KIPC_OPEN_CREAT |
				  KIPC_OPEN_READ, 0600, 0, 0));
}

TEST_F(q, name_bad_byte_is_einval)
{
	EXPECT_EQ(-EINVAL, q_open(self->ctl, "a/b", KIPC_OPEN_CREAT |
				  KIPC_OPEN_READ, 0600, 0, 0));
	EXPECT_EQ(-EINVAL, q_open(self->ctl, "a b", KIPC_OPEN_CREAT |
				  KIPC_OPEN_READ, 0600, 0, 0));
}

TEST_F(q, name_64_bytes_is_enametoolong_63_ok)
{
	char n[KIPC_NAME_MAX + 1];
	int fd;

	memset(n, 'x', KIPC_NAME_MAX);
	n[KIPC_NAME_MAX] = 0;
	EXPECT_EQ(-ENAMETOOLONG, q_open(self->ctl, n, KIPC_OPEN_CREAT |
					KIPC_OPEN_READ, 0600, 0, 0));
	n[KIPC_NAME_MAX - 1] = 0;
	fd = q_open(self->ctl, n, KIPC_OPEN_CREAT | KIPC_OPEN_READ, 0600, 0, 0);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(0, kt_unlink(self->ctl, KIPC_TYPE_QUEUE, n));
	close(fd);
}

TEST_F(q, autoremove_without_creat_is_einval)
{
	EXPECT_EQ(-EINVAL, q_open(self->ctl, self->name, KIPC_OPEN_READ |
				  KIPC_OPEN_AUTOREMOVE, 0, 0, 0));
}

TEST_F(q, autoremove_name_gone_when_owner_killed)
{
	char n[KIPC_NAME_MAX];
	struct kipc_stat st;
	int pfd[2], fd;
	pid_t pid;
	char c;

	qname(n, sizeof(n), _metadata->name, "auto");
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		fd = q_open(self->ctl, n, KIPC_OPEN_CREAT | KIPC_OPEN_EXCL |
			    KIPC_OPEN_READ | KIPC_OPEN_AUTOREMOVE, 0600, 0, 0);
		c = fd >= 0 ? 'y' : 'n';
		if (write(pfd[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(1, read(pfd[0], &c, 1));
	ASSERT_EQ('y', c);
	fd = q_open(self->ctl, n, KIPC_OPEN_READ, 0, 0, 0);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, kt_stat(fd, &st));
	EXPECT_TRUE(st.flags & KIPC_STAT_AUTOREMOVE);
	close(fd);
	kill(pid, SIGKILL);
	EXPECT_EQ(-2, wait_child(pid));
	EXPECT_EQ(-ENOENT, q_open(self->ctl, n, KIPC_OPEN_READ, 0, 0, 0));
}

/* ---- attributes ------------------------------------------------------ */

static unsigned long param(const char *name)
{
	char buf[64];

	if (kt_param_get(name, buf, sizeof(buf)))
		return 0;
	return strtoul(buf, NULL, 0);
}

TEST_F(q, max_msgs_over_cap_is_einval)
{
	char n[KIPC_NAME_MAX];
	unsigned long cap = param("max_msgs");

	ASSERT_NE(0, cap);
	qname(n, sizeof(n), _metadata->name, "a");
	EXPECT_EQ(-EINVAL, q_open(self->ctl, n, KIPC_OPEN_CREAT | KIPC_OPEN_READ,
				  0600, cap + 1, 0));
	EXPECT_EQ(-ENOENT, q_open(self->ctl, n, KIPC_OPEN_READ, 0, 0, 0));
}

TEST_F(q, max_msgsize_over_cap_is_einval)
{
	char n[KIPC_NAME_MAX];
	unsigned long cap = param("max_msgsize");

	ASSERT_NE(0, cap);
	qname(n, sizeof(n), _metadata->name, "a");
	EXPECT_EQ(-EINVAL, q_open(self->ctl, n, KIPC_OPEN_CREAT | KIPC_OPEN_READ,
				  0600, 0, cap + 1));
}

TEST_F(q, region_size_on_queue_is_einval)
{
	char n[KIPC_NAME_MAX];
	struct kipc_open a = {
		.size = sizeof(a),
		.type = KIPC_TYPE_QUEUE,
		.flags = KIPC_OPEN_CREAT | KIPC_OPEN_READ,
		.mode = 0600,
		.name = (uintptr_t)n,
		.region_size = 4096,
	};

	qname(n, sizeof(n), _metadata->name, "a");
	EXPECT_EQ(-EINVAL, kt_ioctl(self->ctl, KIPC_IOC_OPEN, &a));
}

TEST_F(q, default_attributes_in_stat)
{
	char n[KIPC_NAME_MAX];
	struct kipc_stat st;
	int fd;

	qname(n, sizeof(n), _metadata->name, "a");
	fd = q_open(self->ctl, n, KIPC_OPEN_CREAT | KIPC_OPEN_READ, 0640, 0, 0);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, kt_stat(fd, &st));
	EXPECT_EQ(KIPC_TYPE_QUEUE, st.type);
	EXPECT_EQ(param("default_max_msgs"), st.max_msgs);
	EXPECT_EQ(param("default_max_msgsize"), st.max_msgsize);
	EXPECT_EQ(0640, st.mode);
	EXPECT_EQ(0, strcmp((char *)st.name, n));
	EXPECT_EQ(0, kt_unlink(self->ctl, KIPC_TYPE_QUEUE, n));
	close(fd);
}

TEST_F(q, max_objects_reached_is_enospc)
{
	char old[32], n[KIPC_NAME_MAX];
	int ret;

	ASSERT_EQ(0, kt_param_get("max_objects", old, sizeof(old)));
	ASSERT_EQ(0, kt_param_set("max_objects", "1"));
	qname(n, sizeof(n), _metadata->name, "a");
	ret = q_open(self->ctl, n, KIPC_OPEN_CREAT | KIPC_OPEN_READ, 0600, 0, 0);
	ASSERT_EQ(0, kt_param_set("max_objects", old));
	EXPECT_EQ(-ENOSPC, ret);
	/* Opening an existing object is not limited. */
	ASSERT_EQ(0, kt_param_set("max_objects", "1"));
	ret = q_open(self->ctl, self->name, KIPC_OPEN_READ, 0, 0, 0);
	ASSERT_EQ(0, kt_param_set("max_objects", old));
	EXPECT_GE(ret, 0);
	close(ret);
}

/* ---- send/receive order ---------------------------------------------- */

TEST(priorities_highest_first_fifo_within)
{
	static const uint32_t prios[] = { 1, 5, 3, 5, 0, 32767, 3, 1 };
	static const uint32_t want[] = { 5, 1, 3, 2, 6, 0, 7, 4 }; /* indices */
	char n[KIPC_NAME_MAX];
	int ctl = kt_ctl(), fd;
	unsigned int i;

	ASSERT_GE(ctl, 0);
	qname(n, sizeof(n), _metadata->name, "p");
	fd = q_open(ctl, n, KIPC_OPEN_CREAT | KIPC_OPEN_READ | KIPC_OPEN_WRITE,
		    0600, 16, 16);
	ASSERT_GE(fd, 0);
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, q_send(fd, &i, sizeof(i), prios[i], 100 + i, 0, 0));
	for (i = 0; i < 8; i++) {
		struct kipc_msg m;
		unsigned int v = ~0u;

		ASSERT_EQ(sizeof(v), q_recv(fd, &v, sizeof(v), KIPC_F_NONBLOCK,
					    0, 0, &m));
		EXPECT_EQ(want[i], v);
		EXPECT_EQ(prios[want[i]], m.prio);
		EXPECT_EQ(100 + want[i], m.type);
		EXPECT_EQ(sizeof(v), m.len);
	}
	EXPECT_EQ(-EAGAIN, q_recv(fd, NULL, 0, KIPC_F_NONBLOCK, 0, 0, NULL));
	kt_unlink(ctl, KIPC_TYPE_QUEUE, n);
	close(fd);
	close(ctl);
}

TEST_F(q, prio_out_of_range_is_einval)
{
	EXPECT_EQ(-EINVAL, q_send(self->fd, "x", 1, KIPC_PRIO_MAX, 0, 0, 0));
	EXPECT_EQ(0, q_msgs(self->fd));
	EXPECT_EQ(0, q_send(self->fd, "x", 1, KIPC_PRIO_MAX - 1, 0, 0, 0));
}

TEST_F(q, recv_bytype_selects_first_of_type)
{
	struct kipc_msg m;
	char buf[8];

	ASSERT_EQ(0, q_send(self->fd, "a", 1, 1, 10, 0, 0));
	ASSERT_EQ(0, q_send(self->fd, "b", 1, 2, 20, 0, 0));
	ASSERT_EQ(0, q_send(self->fd, "c", 1, 9, 10, 0, 0));
	ASSERT_EQ(0, q_send(self->fd, "d", 1, 0, 20, 0, 0));
	/* Type 20 in priority order: "b" (prio 2) before "d" (prio 0). */
	ASSERT_EQ(1, q_recv(self->fd, buf, sizeof(buf),
			    KIPC_MSG_BYTYPE | KIPC_F_NONBLOCK, 0, 20, &m));
	EXPECT_EQ('b', buf[0]);
	EXPECT_EQ(20, m.type);
	ASSERT_EQ(1, q_recv(self->fd, buf, sizeof(buf),
			    KIPC_MSG_BYTYPE | KIPC_F_NONBLOCK, 0, 20, &m));
	EXPECT_EQ('d', buf[0]);
	EXPECT_EQ(-EAGAIN, q_recv(self->fd, buf, sizeof(buf),
				  KIPC_MSG_BYTYPE | KIPC_F_NONBLOCK, 0, 20, NULL));
	EXPECT_EQ(2, q_msgs(self->fd));
	/* Untyped receive: highest priority first. */
	ASSERT_EQ(1, q_recv(self->fd, buf, sizeof(buf), KIPC_F_NONBLOCK, 0, 0, NULL));
	EXPECT_EQ('c', buf[0]);
}

TEST_F(q, recv_bytype_blocked_woken_by_matching_send)
{
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct kipc_msg m;
		char buf[8];
		long r = q_recv(self->fd, buf, sizeof(buf),
				KIPC_MSG_BYTYPE | KIPC_F_TIMEOUT, 3000 * MS, 7, &m);

		_exit(r == 1 && buf[0] == 'y' && m.type == 7 ? 0 : 1);
	}
	ASSERT_EQ(0, wait_waiters(self->fd, 1));
	ASSERT_EQ(0, q_send(self->fd, "n", 1, 5, 1, 0, 0));
	sleep_ms(20);
	ASSERT_EQ(0, q_send(self->fd, "y", 1, 0, 7, 0, 0));
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(1, q_msgs(self->fd));
}

TEST_F(q, typed_waiter_does_not_take_plain_receivers_wakeup)
{
	pid_t typed, plain;

	typed = fork();
	ASSERT_GE(typed, 0);
	if (typed == 0) {
		char buf[8];

		_exit(q_recv(self->fd, buf, sizeof(buf),
			     KIPC_MSG_BYTYPE | KIPC_F_TIMEOUT, 300 * MS, 7,
			     NULL) == -ETIMEDOUT ? 0 : 1);
	}
	ASSERT_EQ(0, wait_waiters(self->fd, 1));
	plain = fork();
	ASSERT_GE(plain, 0);
	if (plain == 0) {
		char buf[8];

		_exit(q_recv(self->fd, buf, sizeof(buf), KIPC_F_TIMEOUT,
			     3000 * MS, 0, NULL) == 1 ? 0 : 1);
	}
	ASSERT_EQ(0, wait_waiters(self->fd, 2));
	ASSERT_EQ(0, q_send(self->fd, "p", 1, 0, 1, 0, 0));
	EXPECT_EQ(0, wait_child(plain));
	EXPECT_EQ(0, wait_child(typed));
	EXPECT_EQ(0, q_msgs(self->fd));
}

TEST_F(q, peek_races_with_receive)
{
	unsigned int i, v;
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		for (i = 0; i < 2000; i++)
			q_recv(self->fd, &v, sizeof(v),
			       KIPC_MSG_PEEK | KIPC_F_NONBLOCK, 0, 0, NULL);
		_exit(0);
	}
	for (i = 0; i < 500; i++) {
		ASSERT_EQ(0, q_send(self->fd, &i, sizeof(i), 0, 0, 0, 0));
		ASSERT_EQ(sizeof(v), q_recv(self->fd, &v, sizeof(v), 0, 0, 0,
					    NULL));
		ASSERT_EQ(i, v);
	}
	EXPECT_EQ(0, wait_child(pid));
}

TEST_F(q, peek_leaves_message_queued)
{
	struct kipc_msg m;
	char buf[8] = { 0 };

	ASSERT_EQ(0, q_send(self->fd, "first", 5, 3, 33, 0, 0));
	ASSERT_EQ(0, q_send(self->fd, "second", 6, 1, 0, 0, 0));
	ASSERT_EQ(5, q_recv(self->fd, buf, sizeof(buf), KIPC_MSG_PEEK, 0, 0, &m));
	EXPECT_EQ(0, memcmp(buf, "first", 5));
	EXPECT_EQ(3, m.prio);
	EXPECT_EQ(33, m.type);
	EXPECT_EQ(2, q_msgs(self->fd));
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(5, q_recv(self->fd, buf, sizeof(buf), 0, 0, 0, NULL));
	EXPECT_EQ(0, memcmp(buf, "first", 5));
	EXPECT_EQ(1, q_msgs(self->fd));
}

TEST_F(q, send_too_large_is_emsgsize)
{
	char big[65] = { 0 };

	EXPECT_EQ(-EMSGSIZE, q_send(self->fd, big, 65, 0, 0, 0, 0));
	EXPECT_EQ(0, q_msgs(self->fd));
	EXPECT_EQ(0, q_send(self->fd, big, 64, 0, 0, 0, 0));
}

TEST_F(q, recv_buffer_too_small_is_emsgsize_message_stays)
{
	struct kipc_msg m;
	char buf[16];

	ASSERT_EQ(0, q_sends(self->fd, "0123456789", 0, 0));
	EXPECT_EQ(-EMSGSIZE, q_recv(self->fd, buf, 4, 0, 0, 0, &m));
	EXPECT_EQ(10, m.len);
	EXPECT_EQ(1, q_msgs(self->fd));
	EXPECT_EQ(10, q_recv(self->fd, buf, 10, 0, 0, 0, NULL));
	EXPECT_EQ(0, memcmp(buf, "0123456789", 10));
}

TEST_F(q, zero_length_message)
{
	struct kipc_msg m;

	ASSERT_EQ(0, q_send(self->fd, NULL, 0, 2, 0, 0, 0));
	EXPECT_EQ(0, q_recv(self->fd, NULL, 0, 0, 0, 0, &m));
	EXPECT_EQ(0, m.len);
	EXPECT_EQ(2, m.prio);
}

TEST_F(q, recv_bad_buffer_is_efault_message_kept)
{
	char buf[16];

	ASSERT_EQ(0, q_sends(self->fd, "low", 0, 0));
	ASSERT_EQ(0, q_sends(self->fd, "keep", 1, 0));
	ASSERT_EQ(0, q_sends(self->fd, "next", 1, 0));
	EXPECT_EQ(-EFAULT, q_recv(self->fd, (void *)8, sizeof(buf), 0, 0, 0, NULL));
	EXPECT_EQ(3, q_msgs(self->fd));
	/* Put back at the head of its priority. */
	EXPECT_EQ(4, q_recv(self->fd, buf, sizeof(buf), 0, 0, 0, NULL));
	EXPECT_EQ(0, memcmp(buf, "keep", 4));
	EXPECT_EQ(4, q_recv(self->fd, buf, sizeof(buf), 0, 0, 0, NULL));
	EXPECT_EQ(0, memcmp(buf, "next", 4));
}

TEST_F(q, peek_bad_buffer_is_efault_message_kept)
{
	char buf[16];

	ASSERT_EQ(0, q_sends(self->fd, "peek", 1, 0));
	EXPECT_EQ(-EFAULT, q_recv(self->fd, (void *)8, sizeof(buf),
				  KIPC_MSG_PEEK, 0, 0, NULL));
	EXPECT_EQ(1, q_msgs(self->fd));
	EXPECT_EQ(4, q_recv(self->fd, buf, sizeof(buf), 0, 0, 0, NULL));
	EXPECT_EQ(0, memcmp(buf, "peek", 4));
}

TEST_F(q, send_bad_buffer_is_efault_nothing_queued)
{
	EXPECT_EQ(-EFAULT, q_send(self->fd, (void *)8, 8, 0, 0, 0, 0));
	EXPECT_EQ(0, q_msgs(self->fd));
}

/* ---- flag validation ------------------------------------------------- */

TEST_F(q, send_unknown_flag_is_einval)
{
	EXPECT_EQ(-EINVAL, q_send(self->fd, "x", 1, 0, 0, 1u << 20, 0));
	EXPECT_EQ(0, q_msgs(self->fd));
}

TEST_F(q, send_peek_flag_is_einval)
{
	EXPECT_EQ(-EINVAL, q_send(self->fd, "x", 1, 0, 0, KIPC_MSG_PEEK, 0));
}

TEST_F(q, send_bytype_flag_is_einval)
{
	EXPECT_EQ(-EINVAL, q_send(self->fd, "x", 1, 0, 0, KIPC_MSG_BYTYPE, 0));
}

TEST_F(q, send_reserved_nonzero_is_einval)
{
	struct kipc_msg m = {
		.size = sizeof(m), .buf = (uintptr_t)"x", .len = 1,
		.__reserved = 1,
	};

	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SEND, &m));
}

TEST_F(q, recv_unknown_flag_is_einval)
{
	ASSERT_EQ(0, q_sends(self->fd, "x", 0, 0));
	EXPECT_EQ(-EINVAL, q_recv(self->fd, NULL, 0, 1u << 20, 0, 0, NULL));
	EXPECT_EQ(1, q_msgs(self->fd));
}

TEST_F(q, recv_reserved_nonzero_is_einval)
{
	struct kipc_msg m = { .size = sizeof(m), .__reserved = 1 };

	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_RECV, &m));
}

TEST_F(q, abstime_without_timeout_is_einval)
{
	EXPECT_EQ(-EINVAL, q_recv(self->fd, NULL, 0, KIPC_F_ABSTIME, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, q_send(self->fd, "x", 1, 0, 0, KIPC_F_ABSTIME, 0));
}

TEST_F(q, realtime_without_abstime_is_einval)
{
	EXPECT_EQ(-EINVAL, q_recv(self->fd, NULL, 0,
				  KIPC_F_TIMEOUT | KIPC_F_REALTIME, 0, 0, NULL));
}

TEST_F(q, nonblock_with_timeout_is_einval)
{
	EXPECT_EQ(-EINVAL, q_recv(self->fd, NULL, 0,
				  KIPC_F_TIMEOUT | KIPC_F_NONBLOCK, MS, 0, NULL));
	EXPECT_EQ(-EINVAL, q_send(self->fd, "x", 1, 0, 0,
				  KIPC_F_TIMEOUT | KIPC_F_NONBLOCK, MS));
	EXPECT_EQ(0, q_msgs(self->fd));
}

TEST_F(q, negative_timeout_is_einval)
{
	EXPECT_EQ(-EINVAL, q_recv(self->fd, NULL, 0, KIPC_F_TIMEOUT, -1, 0, NULL));
}

TEST_F(q, send_on_read_only_handle_is_ebadf)
{
	int fd = q_open(self->ctl, self->name, KIPC_OPEN_READ, 0, 0, 0);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-EBADF, q_sends(fd, "x", 0, 0));
	close(fd);
}

TEST_F(q, recv_on_write_only_handle_is_ebadf)
{
	int fd = q_open(self->ctl, self->name, KIPC_OPEN_WRITE, 0, 0, 0);

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, q_sends(fd, "x", 0, 0));
	EXPECT_EQ(-EBADF, q_recv(fd, NULL, 8, 0, 0, 0, NULL));
	close(fd);
}

/* ---- non-blocking and timeouts --------------------------------------- */

static void fill(struct __test_metadata *_metadata, int fd, int n)
{
	int i;

	for (i = 0; i < n; i++)
		ASSERT_EQ(0, q_send(fd, &i, sizeof(i), 0, 0, 0, 0));
}

TEST_F(q, full_nonblock_flag_is_eagain)
{
	fill(_metadata, self->fd, 4);
	EXPECT_EQ(-EAGAIN, q_sends(self->fd, "x", 0, KIPC_F_NONBLOCK));
	EXPECT_EQ(4, q_msgs(self->fd));
}

TEST_F(q, empty_nonblock_flag_is_eagain)
{
	EXPECT_EQ(-EAGAIN, q_recv(self->fd, NULL, 0, KIPC_F_NONBLOCK, 0, 0, NULL));
}

TEST_F(q, open_nonblock_handle_is_eagain)
{
	int fd = q_open(self->ctl, self->name, KIPC_OPEN_READ | KIPC_OPEN_WRITE |
			KIPC_OPEN_NONBLOCK, 0, 0, 0);

	ASSERT_GE(fd, 0);
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(-EAGAIN, q_recv(fd, NULL, 0, 0, 0, 0, NULL));
	fill(_metadata, fd, 4);
	EXPECT_EQ(-EAGAIN, q_sends(fd, "x", 0, 0));
	close(fd);
}

TEST_F(q, fcntl_nonblock_is_eagain)
{
	int fl = fcntl(self->fd, F_GETFL);

	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, q_recv(self->fd, NULL, 0, 0, 0, 0, NULL));
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl & ~O_NONBLOCK));
	EXPECT_EQ(-ETIMEDOUT, q_recv(self->fd, NULL, 0, KIPC_F_TIMEOUT, 10 * MS,
				     0, NULL));
}

TEST_F(q, recv_relative_timeout_is_etimedout)
{
	int64_t t0 = now_ns(CLOCK_MONOTONIC), dt;

	EXPECT_EQ(-ETIMEDOUT, q_recv(self->fd, NULL, 0, KIPC_F_TIMEOUT,
				     100 * MS, 0, NULL));
	dt = now_ns(CLOCK_MONOTONIC) - t0;
	EXPECT_GE(dt, 99 * MS);
	EXPECT_LT(dt, 2000 * MS);
}

TEST_F(q, recv_abs_monotonic_timeout_is_etimedout)
{
	int64_t t0 = now_ns(CLOCK_MONOTONIC), end;

	EXPECT_EQ(-ETIMEDOUT, q_recv(self->fd, NULL, 0,
				     KIPC_F_TIMEOUT | KIPC_F_ABSTIME,
				     t0 + 100 * MS, 0, NULL));
	end = now_ns(CLOCK_MONOTONIC);
	EXPECT_GE(end, t0 + 100 * MS);
	EXPECT_LT(end - t0, 2000 * MS);
	/* A deadline in the past times out at once. */
	EXPECT_EQ(-ETIMEDOUT, q_recv(self->fd, NULL, 0,
				     KIPC_F_TIMEOUT | KIPC_F_ABSTIME, 0, 0, NULL));
}

TEST_F(q, recv_abs_realtime_timeout_is_etimedout)
{
	int64_t t0 = now_ns(CLOCK_REALTIME), end;

	EXPECT_EQ(-ETIMEDOUT, q_recv(self->fd, NULL, 0, KIPC_F_TIMEOUT |
				     KIPC_F_ABSTIME | KIPC_F_REALTIME,
				     t0 + 100 * MS, 0, NULL));
	end = now_ns(CLOCK_REALTIME);
	EXPECT_GE(end, t0 + 99 * MS);
	EXPECT_LT(end - t0, 2000 * MS);
}

TEST_F(q, send_full_timeout_is_etimedout)
{
	int64_t t0, dt;

	fill(_metadata, self->fd, 4);
	t0 = now_ns(CLOCK_MONOTONIC);
	EXPECT_EQ(-ETIMEDOUT, q_send(self->fd, "x", 1, 0, 0, KIPC_F_TIMEOUT,
				     50 * MS));
	dt = now_ns(CLOCK_MONOTONIC) - t0;
	EXPECT_GE(dt, 49 * MS);
	EXPECT_EQ(4, q_msgs(self->fd));
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void set_handler(int sig, int flags)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void arm_timer_ms(int ms)
{
	struct itimerval it = { .it_value = { 0, ms * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

TEST_F(q, signal_during_timed_wait_is_eintr)
{
	set_handler(SIGALRM, SA_RESTART);
	arm_timer_ms(50);
	/* Timed waits are never restarted, even with SA_RESTART. */
	EXPECT_EQ(-EINTR, q_recv(self->fd, NULL, 0, KIPC_F_TIMEOUT, 2000 * MS,
				 0, NULL));
	EXPECT_EQ(SIGALRM, got_signal);
	EXPECT_EQ(0, wait_waiters(self->fd, 0));
}

TEST_F(q, signal_during_untimed_wait_without_restart_is_eintr)
{
	set_handler(SIGALRM, 0);
	arm_timer_ms(50);
	EXPECT_EQ(-EINTR, q_recv(self->fd, NULL, 0, 0, 0, 0, NULL));
	EXPECT_EQ(SIGALRM, got_signal);
}

TEST_F(q, signal_during_untimed_wait_with_sa_restart_restarts)
{
	char buf[8];
	pid_t pid;

	set_handler(SIGALRM, SA_RESTART);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		sleep_ms(250);
		_exit(q_sends(self->fd, "late", 0, 0) ? 1 : 0);
	}
	arm_timer_ms(50);
	EXPECT_EQ(4, q_recv(self->fd, buf, sizeof(buf), 0, 0, 0, NULL));
	EXPECT_EQ(SIGALRM, got_signal);
	EXPECT_EQ(0, wait_child(pid));
}

/* ---- blocking across processes --------------------------------------- */

TEST_F(q, blocking_recv_woken_by_send_from_other_process)
{
	char buf[8];
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		sleep_ms(50);
		_exit(q_sends(self->fd, "wake", 7, 0) ? 1 : 0);
	}
	EXPECT_EQ(4, q_recv(self->fd, buf, sizeof(buf), 0, 0, 0, NULL));
	EXPECT_EQ(0, memcmp(buf, "wake", 4));
	EXPECT_EQ(0, wait_child(pid));
}

TEST_F(q, blocking_send_woken_by_recv)
{
	struct kipc_stat st;
	pid_t pid;

	fill(_metadata, self->fd, 4);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(q_send(self->fd, "x", 1, 0, 0, KIPC_F_TIMEOUT, 3000 * MS) ?
		      1 : 0);
	ASSERT_EQ(0, wait_waiters(self->fd, 1));
	ASSERT_EQ(0, kt_stat(self->fd, &st));
	EXPECT_EQ(1, st.send_waiters);
	EXPECT_EQ(sizeof(int), q_recv(self->fd, &st, sizeof(st), 0, 0, 0, NULL));
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(4, q_msgs(self->fd));
}

TEST_F(q, one_message_wakes_exactly_one_receiver)
{
	struct kipc_stat st;
	pid_t pids[3];
	int i, got = 0, timedout = 0;

	for (i = 0; i < 3; i++) {
		pids[i] = fork();
		ASSERT_GE(pids[i], 0);
		if (pids[i] == 0) {
			char buf[8];
			long r = q_recv(self->fd, buf, sizeof(buf), KIPC_F_TIMEOUT,
					1000 * MS, 0, NULL);

			_exit(r == 1 ? 0 : r == -ETIMEDOUT ? 1 : 2);
		}
	}
	ASSERT_EQ(0, wait_waiters(self->fd, 3));
	ASSERT_EQ(0, q_sends(self->fd, "1", 0, 0));
	/* Two stay blocked. */
	ASSERT_EQ(0, wait_waiters(self->fd, 2));
	sleep_ms(100);
	ASSERT_EQ(0, kt_stat(self->fd, &st));
	EXPECT_EQ(2, st.waiters);
	for (i = 0; i < 3; i++) {
		int r = wait_child(pids[i]);

		got += r == 0;
		timedout += r == 1;
	}
	EXPECT_EQ(1, got);
	EXPECT_EQ(2, timedout);
}

#define NPROC	4
#define PER	64

TEST(many_senders_many_receivers_exactly_once)
{
	char n[KIPC_NAME_MAX];
	int ctl = kt_ctl(), fd, i, j, bad = 0;
	unsigned int *seen;
	unsigned int *count;
	pid_t pids[2 * NPROC];
	struct kipc_stat st;

	ASSERT_GE(ctl, 0);
	qname(n, sizeof(n), _metadata->name, "m");
	fd = q_open(ctl, n, KIPC_OPEN_CREAT | KIPC_OPEN_READ | KIPC_OPEN_WRITE,
		    0600, 3, 16);
	ASSERT_GE(fd, 0);
	seen = mmap(NULL, (NPROC * PER + 1) * sizeof(*seen),
		    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, seen);
	count = &seen[NPROC * PER];
	for (i = 0; i < NPROC; i++) {
		pids[i] = fork();
		ASSERT_GE(pids[i], 0);
		if (pids[i] == 0) {
			for (j = 0; j < PER; j++) {
				unsigned int v = i * PER + j;

				if (q_send(fd, &v, sizeof(v), j % 3, 0, 0, 0))
					_exit(1);
			}
			_exit(0);
		}
	}
	for (i = 0; i < NPROC; i++) {
		pids[NPROC + i] = fork();
		ASSERT_GE(pids[NPROC + i], 0);
		if (pids[NPROC + i] == 0) {
			while (__atomic_load_n(count, __ATOMIC_SEQ_CST) <
			       NPROC * PER) {
				unsigned int v;
				long r = q_recv(fd, &v, sizeof(v), KIPC_F_TIMEOUT,
						50 * MS, 0, NULL);

				if (r == -ETIMEDOUT)
					continue;
				if (r != sizeof(v) || v >= NPROC * PER)
					_exit(1);
				__atomic_add_fetch(&seen[v], 1, __ATOMIC_SEQ_CST);
				__atomic_add_fetch(count, 1, __ATOMIC_SEQ_CST);
			}
			_exit(0);
		}
	}
	for (i = 0; i < 2 * NPROC; i++)
		EXPECT_EQ(0, wait_child(pids[i]));
	for (i = 0; i < NPROC * PER; i++)
		bad += seen[i] != 1;
	EXPECT_EQ(0, bad);
	EXPECT_EQ(NPROC * PER, *count);
	ASSERT_EQ(0, kt_stat(fd, &st));
	EXPECT_EQ(NPROC * PER, st.total_sent);
	EXPECT_EQ(NPROC * PER, st.total_received);
	EXPECT_EQ(0, st.msgs);
	kt_unlink(ctl, KIPC_TYPE_QUEUE, n);
	close(fd);
	close(ctl);
}

/* ---- poll ------------------------------------------------------------ */

static int epoll_for(int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
		return -1;
	return ep;
}

TEST_F(q, epollin_when_message_queued)
{
	struct epoll_event ev;
	int ep = epoll_for(self->fd, EPOLLIN);
	pid_t pid;

	ASSERT_GE(ep, 0);
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		sleep_ms(50);
		_exit(q_sends(self->fd, "p", 0, 0) ? 1 : 0);
	}
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 3000));
	EXPECT_TRUE(ev.events & EPOLLIN);
	EXPECT_EQ(0, wait_child(pid));
	ASSERT_EQ(1, q_recv(self->fd, &ev, sizeof(ev), 0, 0, 0, NULL));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	close(ep);
}

TEST_F(q, epollout_when_room)
{
	struct epoll_event ev;
	int ep = epoll_for(self->fd, EPOLLOUT);
	pid_t pid;

	ASSERT_GE(ep, 0);
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	EXPECT_TRUE(ev.events & EPOLLOUT);
	fill(_metadata, self->fd, 4);
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int v;

		sleep_ms(50);
		_exit(q_recv(self->fd, &v, sizeof(v), 0, 0, 0, NULL) == sizeof(v) ?
		      0 : 1);
	}
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 3000));
	EXPECT_TRUE(ev.events & EPOLLOUT);
	EXPECT_EQ(0, wait_child(pid));
	close(ep);
}

TEST_F(q, poll_direction_follows_access)
{
	struct epoll_event ev;
	int rfd = q_open(self->ctl, self->name, KIPC_OPEN_READ, 0, 0, 0);
	int ep;

	ASSERT_GE(rfd, 0);
	ep = epoll_for(rfd, EPOLLIN | EPOLLOUT);
	ASSERT_GE(ep, 0);
	/* A read-only handle never reports EPOLLOUT. */
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	close(ep);
	close(rfd);
}

/* ---- credentials ----------------------------------------------------- */

TEST_F(q, recv_reports_sender_pid_and_time)
{
	struct kipc_msg m;
	int64_t t0 = now_ns(CLOCK_REALTIME);
	char buf[8];
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(q_sends(self->fd, "pid", 0, 0) ? 1 : 0);
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_EQ(3, q_recv(self->fd, buf, sizeof(buf), 0, 0, 0, &m));
	EXPECT_EQ(pid, m.pid);
	EXPECT_EQ(0, m.uid);
	EXPECT_EQ(0, m.gid);
	EXPECT_GE(m.time_ns, t0);
	EXPECT_LE(m.time_ns, now_ns(CLOCK_REALTIME));
}

TEST_F(q, recv_reports_sender_uid_gid)
{
	struct kipc_perm p = {
		.size = sizeof(p), .flags = KIPC_PERM_MODE, .mode = 0666,
	};
	struct kipc_msg m;
	char buf[8];
	pid_t pid;

	ASSERT_EQ(0, kt_ioctl(self->fd, KIPC_IOC_SETPERM, &p));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd;

		if (drop_to_nobody())
			_exit(2);
		fd = q_open(self->ctl, self->name, KIPC_OPEN_WRITE, 0, 0, 0);
		if (fd < 0)
			_exit(3);
		_exit(q_sends(fd, "nob", 0, 0) ? 1 : 0);
	}
	ASSERT_EQ(0, wait_child(pid));
	ASSERT_EQ(3, q_recv(self->fd, buf, sizeof(buf), 0, 0, 0, &m));
	EXPECT_EQ(65534, m.uid);
	EXPECT_EQ(65534, m.gid);
	EXPECT_EQ(pid, m.pid);
}

/* ---- permissions ----------------------------------------------------- */

/* Run fn as nobody in a child; returns its result (an errno or 0). */
static int as_nobody(int (*fn)(int ctl, const char *name), int ctl,
		     const char *name)
{
	pid_t pid = fork();
	int r;

	if (pid < 0)
		return -1000;
	if (pid == 0) {
		if (drop_to_nobody())
			_exit(255);
		r = fn(ctl, name);
		_exit(r < 0 ? -r : r);
	}
	r = wait_child(pid);
	return r > 0 ? -r : r;
}

static int open_read(int ctl, const char *name)
{
	int fd = q_open(ctl, name, KIPC_OPEN_READ, 0, 0, 0);

	return fd < 0 ? fd : 0;
}

static int open_write(int ctl, const char *name)
{
	int fd = q_open(ctl, name, KIPC_OPEN_WRITE, 0, 0, 0);

	return fd < 0 ? fd : 0;
}

static int open_rw_send(int ctl, const char *name)
{
	int fd = q_open(ctl, name, KIPC_OPEN_READ | KIPC_OPEN_WRITE, 0, 0, 0);

	if (fd < 0)
		return fd;
	return q_sends(fd, "n", 0, 0);
}

static int do_unlink(int ctl, const char *name)
{
	return kt_unlink(ctl, KIPC_TYPE_QUEUE, name);
}

static int do_setperm(int ctl, const char *name)
{
	struct kipc_perm p = {
		.size = sizeof(p), .flags = KIPC_PERM_MODE, .mode = 0666,
	};
	int fd = q_open(ctl, name, KIPC_OPEN_READ, 0, 0, 0);

	if (fd < 0)
		return -100;
	return kt_ioctl(fd, KIPC_IOC_SETPERM, &p);
}

static long set_mode(int fd, uint32_t mode)
{
	struct kipc_perm p = {
		.size = sizeof(p), .flags = KIPC_PERM_MODE, .mode = mode,
	};

	return kt_ioctl(fd, KIPC_IOC_SETPERM, &p);
}

TEST_F(q, other_user_cannot_read_0600)
{
	EXPECT_EQ(-EACCES, as_nobody(open_read, self->ctl, self->name));
}

TEST_F(q, other_user_reads_0644_but_cannot_write)
{
	ASSERT_EQ(0, set_mode(self->fd, 0644));
	EXPECT_EQ(0, as_nobody(open_read, self->ctl, self->name));
	EXPECT_EQ(-EACCES, as_nobody(open_write, self->ctl, self->name));
}

TEST_F(q, unlink_by_non_owner_is_eperm)
{
	ASSERT_EQ(0, set_mode(self->fd, 0666));
	EXPECT_EQ(-EPERM, as_nobody(do_unlink, self->ctl, self->name));
	EXPECT_EQ(0, open_read(self->ctl, self->name));
}

TEST_F(q, setperm_by_non_owner_is_eperm)
{
	ASSERT_EQ(0, set_mode(self->fd, 0644));
	EXPECT_EQ(-EPERM, as_nobody(do_setperm, self->ctl, self->name));
}

TEST_F(q, owner_chmod_grants_access)
{
	EXPECT_EQ(-EACCES, as_nobody(open_rw_send, self->ctl, self->name));
	ASSERT_EQ(0, set_mode(self->fd, 0606));
	EXPECT_EQ(0, as_nobody(open_rw_send, self->ctl, self->name));
	EXPECT_EQ(1, q_msgs(self->fd));
}

TEST_F(q, chown_gives_new_owner_access)
{
	struct kipc_perm p = {
		.size = sizeof(p), .flags = KIPC_PERM_OWNER,
		.uid = 65534, .gid = 65534,
	};
	struct kipc_stat st;

	EXPECT_EQ(-EACCES, as_nobody(open_rw_send, self->ctl, self->name));
	ASSERT_EQ(0, kt_ioctl(self->fd, KIPC_IOC_SETPERM, &p));
	ASSERT_EQ(0, kt_stat(self->fd, &st));
	EXPECT_EQ(65534, st.uid);
	EXPECT_EQ(65534, st.gid);
	EXPECT_EQ(0, as_nobody(open_rw_send, self->ctl, self->name));
	/* The new owner may chmod it. */
	EXPECT_EQ(0, as_nobody(do_setperm, self->ctl, self->name));
	ASSERT_EQ(0, kt_stat(self->fd, &st));
	EXPECT_EQ(0666, st.mode);
}

TEST_F(q, setperm_flags_zero_is_einval)
{
	struct kipc_perm p = { .size = sizeof(p), .mode = 0644 };

	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SETPERM, &p));
}

TEST_F(q, setperm_unknown_flag_is_einval)
{
	struct kipc_perm p = {
		.size = sizeof(p), .flags = KIPC_PERM_MODE | 0x80, .mode = 0644,
	};

	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SETPERM, &p));
}

TEST_F(q, setperm_mode_over_0777_is_einval)
{
	struct kipc_stat st;

	EXPECT_EQ(-EINVAL, set_mode(self->fd, 01777));
	ASSERT_EQ(0, kt_stat(self->fd, &st));
	EXPECT_EQ(0600, st.mode);
}

/* ---- quota ----------------------------------------------------------- */

TEST_F(q, quota_exhaustion_is_edquot_nothing_lost)
{
	char old[32], n[KIPC_NAME_MAX];
	char buf[1000];
	int fd, i, sent = 0;
	long r = 0;

	ASSERT_EQ(0, kt_param_get("user_quota_bytes", old, sizeof(old)));
	qname(n, sizeof(n), _metadata->name, "qq");
	fd = q_open(self->ctl, n, KIPC_OPEN_CREAT | KIPC_OPEN_READ |
		    KIPC_OPEN_WRITE, 0600, 64, sizeof(buf));
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, kt_param_set("user_quota_bytes", "16384"));
	for (i = 0; i < 64; i++) {
		memset(buf, i, sizeof(buf));
		r = q_send(fd, buf, sizeof(buf), 0, i, 0, 0);
		if (r)
			break;
		sent++;
	}
	ASSERT_EQ(0, kt_param_set("user_quota_bytes", old));
	EXPECT_EQ(-EDQUOT, r);
	EXPECT_GE(sent, 1);
	EXPECT_LT(sent, 17);
	EXPECT_EQ(sent, q_msgs(fd));
	/* Once back under quota, sending works again. */
	EXPECT_EQ(0, q_send(fd, buf, 1, 0, 999, 0, 0));
	for (i = 0; i < sent; i++) {
		struct kipc_msg m;

		ASSERT_EQ(sizeof(buf), q_recv(fd, buf, sizeof(buf), KIPC_F_NONBLOCK,
					      0, 0, &m));
		EXPECT_EQ(i, m.type);
		EXPECT_EQ((char)i, buf[0]);
		EXPECT_EQ((char)i, buf[sizeof(buf) - 1]);
	}
	kt_unlink(self->ctl, KIPC_TYPE_QUEUE, n);
	close(fd);
}

/* ---- SENDV / RECVV --------------------------------------------------- */

static long q_vec(int fd, unsigned long cmd, struct kipc_msg *ms, uint32_t count,
		  uint32_t flags, struct kipc_msgv *out)
{
	struct kipc_msgv v = {
		.size = sizeof(v), .flags = flags, .msgs = (uintptr_t)ms,
		.count = count, .msg_size = sizeof(*ms),
	};
	long r = kt_ioctl(fd, cmd, &v);

	if (out)
		*out = v;
	return r;
}

static void msgs_init(struct kipc_msg *ms, int n, char (*bufs)[8], uint32_t flags)
{
	int i;

	for (i = 0; i < n; i++) {
		memset(&ms[i], 0, sizeof(ms[i]));
		ms[i].size = sizeof(ms[i]);
		ms[i].flags = flags;
		ms[i].buf = (uintptr_t)bufs[i];
		ms[i].len = 8;
		ms[i].prio = i;
		ms[i].type = 50 + i;
		snprintf(bufs[i], 8, "m%d", i);
	}
}

TEST_F(q, sendv_recvv_move_several)
{
	struct kipc_msg ms[6];
	struct kipc_msgv v;
	char bufs[6][8];
	int i;

	msgs_init(ms, 3, bufs, 0);
	ASSERT_EQ(3, q_vec(self->fd, KIPC_IOC_SENDV, ms, 3, 0, &v));
	EXPECT_EQ(3, v.done);
	EXPECT_EQ(0, v.error);
	EXPECT_EQ(3, q_msgs(self->fd));
	msgs_init(ms, 3, bufs, KIPC_F_NONBLOCK);
	memset(bufs, 0, sizeof(bufs));
	ASSERT_EQ(3, q_vec(self->fd, KIPC_IOC_RECVV, ms, 3, 0, &v));
	for (i = 0; i < 3; i++) {
		/* Highest priority first: m2, m1, m0. */
		EXPECT_EQ(2 - i, ms[i].prio);
		EXPECT_EQ(52 - i, ms[i].type);
		EXPECT_EQ(8, ms[i].len);
		EXPECT_EQ(getpid(), ms[i].pid);
		EXPECT_EQ('0' + 2 - i, bufs[i][1]);
	}
}

TEST_F(q, sendv_stops_at_first_error)
{
	struct kipc_msg ms[6];
	struct kipc_msgv v;
	char bufs[6][8];

	msgs_init(ms, 6, bufs, KIPC_F_NONBLOCK);
	EXPECT_EQ(4, q_vec(self->fd, KIPC_IOC_SENDV, ms, 6, 0, &v));
	EXPECT_EQ(4, v.done);
	EXPECT_EQ(-EAGAIN, v.error);
	EXPECT_EQ(4, q_msgs(self->fd));
	/* Nothing moved: the error itself. */
	EXPECT_EQ(-EAGAIN, q_vec(self->fd, KIPC_IOC_SENDV, ms, 1, 0, &v));
	EXPECT_EQ(0, v.done);
	EXPECT_EQ(-EAGAIN, v.error);
}

/* A deeper queue for the SENDV tests that cross the kernel's chunks. */
static int q_open_deep(struct __test_metadata *_metadata, int ctl, char *n,
		       size_t nlen)
{
	qname(n, nlen, _metadata->name, "d");
	return q_open(ctl, n, KIPC_OPEN_CREAT | KIPC_OPEN_EXCL |
		      KIPC_OPEN_READ | KIPC_OPEN_WRITE |
		      KIPC_OPEN_AUTOREMOVE, 0600, 32, 64);
}

/* A queue of depth 1 for the tests that need a full queue cheaply. */
static int q_open_one(struct __test_metadata *_metadata, int ctl, char *n,
		      size_t nlen)
{
	qname(n, nlen, _metadata->name, "1");
	return q_open(ctl, n, KIPC_OPEN_CREAT | KIPC_OPEN_EXCL |
		      KIPC_OPEN_READ | KIPC_OPEN_WRITE |
		      KIPC_OPEN_AUTOREMOVE, 0600, 1, 64);
}

/*
 * Each element's relative timeout starts when that element starts waiting,
 * as for one SEND after another, not when SENDV began: a receiver frees a
 * slot 600 ms after the sender blocked and another 600 ms later; with 1 s
 * each, both elements fit (1.2 s from the start would be too late for a
 * deadline counted from the start).
 */
TEST_F(q, sendv_relative_timeout_starts_per_element)
{
	struct kipc_msg ms[2];
	struct kipc_msgv v;
	char bufs[2][8], n[64];
	int fd;
	pid_t pid;

	fd = q_open_one(_metadata, self->ctl, n, sizeof(n));
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, q_sends(fd, "full", 0, 0));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char buf[8];

		if (wait_waiters(fd, 1))
			_exit(1);
		sleep_ms(600);
		if (q_recv(fd, buf, sizeof(buf), KIPC_F_TIMEOUT, 3000 * MS, 0,
			   NULL) < 0)
			_exit(2);
		/* Let the sender queue element 0 and block on element 1. */
		if (wait_waiters(fd, 1))
			_exit(3);
		sleep_ms(600);
		if (q_recv(fd, buf, sizeof(buf), KIPC_F_TIMEOUT, 3000 * MS, 0,
			   NULL) < 0)
			_exit(4);
		_exit(0);
	}
	msgs_init(ms, 2, bufs, KIPC_F_TIMEOUT);
	ms[0].timeout_ns = 1000 * MS;
	ms[1].timeout_ns = 1000 * MS;
	EXPECT_EQ(2, q_vec(fd, KIPC_IOC_SENDV, ms, 2, 0, &v));
	EXPECT_EQ(2, v.done);
	EXPECT_EQ(0, v.error);
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(1, q_msgs(fd));
	close(fd);
}

TEST_F(q, sendv_many_keeps_order_and_attributes)
{
	struct kipc_msg ms[20], m;
	struct kipc_msgv v;
	char bufs[20][8], buf[8], n[64];
	int fd, i;

	fd = q_open_deep(_metadata, self->ctl, n, sizeof(n));
	ASSERT_GE(fd, 0);
	msgs_init(ms, 20, bufs, 0);
	for (i = 0; i < 20; i++)
		ms[i].prio = 1;
	ASSERT_EQ(20, q_vec(fd, KIPC_IOC_SENDV, ms, 20, 0, &v));
	EXPECT_EQ(0, v.error);
	EXPECT_EQ(20, q_msgs(fd));
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(8, q_recv(fd, buf, sizeof(buf), KIPC_F_NONBLOCK, 0, 0,
				    &m));
		EXPECT_EQ(50 + i, m.type);
		EXPECT_EQ(1, m.prio);
		EXPECT_STREQ(bufs[i], buf);
	}
	close(fd);
}

TEST_F(q, sendv_invalid_element_after_a_chunk_stops_there)
{
	struct kipc_msg ms[20];
	struct kipc_msgv v;
	char bufs[20][8], n[64];
	int fd;

	fd = q_open_deep(_metadata, self->ctl, n, sizeof(n));
	ASSERT_GE(fd, 0);
	msgs_init(ms, 20, bufs, 0);
	ms[11].flags = KIPC_F_NONBLOCK | KIPC_F_TIMEOUT;
	EXPECT_EQ(11, q_vec(fd, KIPC_IOC_SENDV, ms, 20, 0, &v));
	EXPECT_EQ(11, v.done);
	EXPECT_EQ(-EINVAL, v.error);
	EXPECT_EQ(11, q_msgs(fd));
	close(fd);
}

TEST_F(q, sendv_array_fault_sends_the_readable_part)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct kipc_msg *ms;
	struct kipc_msgv v;
	char bufs[10][8], n[64];
	char *map;
	int fd;

	fd = q_open_deep(_metadata, self->ctl, n, sizeof(n));
	ASSERT_GE(fd, 0);
	map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	/* Elements 0 to 8 readable, element 9 on an inaccessible page. */
	ms = (struct kipc_msg *)(map + pg) - 9;
	msgs_init(ms, 9, bufs, 0);
	ASSERT_EQ(0, mprotect(map + pg, pg, PROT_NONE));
	EXPECT_EQ(9, q_vec(fd, KIPC_IOC_SENDV, ms, 10, 0, &v));
	EXPECT_EQ(9, v.done);
	EXPECT_EQ(-EFAULT, v.error);
	EXPECT_EQ(9, q_msgs(fd));
	munmap(map, 2 * pg);
	close(fd);
}

TEST_F(q, recvv_waitforone_blocks_for_first_only)
{
	struct kipc_msg ms[4];
	struct kipc_msgv v;
	char bufs[4][8];
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		sleep_ms(50);
		_exit(q_sends(self->fd, "w", 0, 0) ? 1 : 0);
	}
	msgs_init(ms, 4, bufs, KIPC_F_TIMEOUT);
	ms[0].timeout_ns = 3000 * MS;
	/* Without WAITFORONE, element 1 would wait for its timeout (0). */
	EXPECT_EQ(1, q_vec(self->fd, KIPC_IOC_RECVV, ms, 4,
			   KIPC_VEC_WAITFORONE, &v));
	EXPECT_EQ(1, v.done);
	EXPECT_EQ(-EAGAIN, v.error);
	EXPECT_EQ(1, ms[0].len);
	EXPECT_EQ(0, wait_child(pid));
}

TEST_F(q, recvv_count_zero_is_einval)
{
	struct kipc_msg ms[1];

	EXPECT_EQ(-EINVAL, q_vec(self->fd, KIPC_IOC_RECVV, ms, 0, 0, NULL));
}

TEST_F(q, sendv_count_over_max_is_einval)
{
	struct kipc_msg ms[1];

	EXPECT_EQ(-EINVAL, q_vec(self->fd, KIPC_IOC_SENDV, ms, KIPC_VEC_MAX + 1,
				 0, NULL));
}

TEST_F(q, vec_unknown_flag_is_einval)
{
	struct kipc_msg ms[1];
	char bufs[1][8];

	msgs_init(ms, 1, bufs, 0);
	EXPECT_EQ(-EINVAL, q_vec(self->fd, KIPC_IOC_SENDV, ms, 1, 2, NULL));
	EXPECT_EQ(0, q_msgs(self->fd));
}

TEST_F(q, vec_msg_size_too_small_is_einval)
{
	struct kipc_msg ms[1];
	char bufs[1][8];
	struct kipc_msgv v = {
		.size = sizeof(v), .msgs = (uintptr_t)ms, .count = 1,
		.msg_size = sizeof(ms[0]) - 8,
	};

	msgs_init(ms, 1, bufs, 0);
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SENDV, &v));
	EXPECT_EQ(0, q_msgs(self->fd));
}

TEST_F(q, vec_element_size_mismatch_is_einval)
{
	struct kipc_msg ms[2];
	struct kipc_msgv v;
	char bufs[2][8];

	msgs_init(ms, 2, bufs, 0);
	ms[1].size = sizeof(ms[1]) + 8;
	EXPECT_EQ(1, q_vec(self->fd, KIPC_IOC_SENDV, ms, 2, 0, &v));
	EXPECT_EQ(-EINVAL, v.error);
	ms[0].size = 16;
	EXPECT_EQ(-EINVAL, q_vec(self->fd, KIPC_IOC_SENDV, ms, 2, 0, &v));
	EXPECT_EQ(1, q_msgs(self->fd));
}

/* ---- SENDV with KIPC_VEC_RESULTS ------------------------------------- */

static long q_sendv_res(int fd, struct kipc_msg *ms, uint32_t count,
			int32_t *res, struct kipc_msgv *out)
{
	struct kipc_msgv v = {
		.size = sizeof(v), .flags = KIPC_VEC_RESULTS,
		.msgs = (uintptr_t)ms, .count = count, .msg_size = sizeof(*ms),
		.results = (uintptr_t)res,
	};
	long r = kt_ioctl(fd, KIPC_IOC_SENDV, &v);

	if (out)
		*out = v;
	return r;
}

/* Failed messages get their own errors; the others are sent, in order. */
TEST_F(q, sendv_results_go_on_past_failures)
{
	char big[128] = "big", bufs[5][8], buf[64];
	struct kipc_msg ms[5];
	int32_t res[5] = { 7, 7, 7, 7, 7 };
	struct kipc_msgv v;
	int i;

	msgs_init(ms, 5, bufs, 0);
	for (i = 0; i < 5; i++)
		ms[i].prio = 0;
	ms[1].buf = (uintptr_t)big;
	ms[1].len = sizeof(big);			/* > 64 */
	ms[3].flags = KIPC_F_NONBLOCK | KIPC_F_TIMEOUT;	/* invalid */
	EXPECT_EQ(5, q_sendv_res(self->fd, ms, 5, res, &v));
	EXPECT_EQ(5, v.done);
	EXPECT_EQ(-EMSGSIZE, v.error);
	EXPECT_EQ(0, res[0]);
	EXPECT_EQ(-EMSGSIZE, res[1]);
	EXPECT_EQ(0, res[2]);
	EXPECT_EQ(-EINVAL, res[3]);
	EXPECT_EQ(0, res[4]);
	for (i = 0; i < 5; i += 2) {
		ASSERT_EQ(8, q_recv(self->fd, buf, sizeof(buf), KIPC_F_NONBLOCK,
				    0, 0, NULL));
		EXPECT_STREQ(bufs[i], buf);
	}
	EXPECT_EQ(0, q_msgs(self->fd));
}

/* A non-blocking message to a full queue fails alone; the next still goes. */
TEST_F(q, sendv_results_full_queue_fails_only_the_nonblocking_ones)
{
	char bufs[6][8], buf[64];
	struct kipc_msg ms[6];
	int32_t res[6];
	struct kipc_msgv v;
	int i;

	msgs_init(ms, 6, bufs, KIPC_F_NONBLOCK);
	EXPECT_EQ(6, q_sendv_res(self->fd, ms, 6, res, &v));
	EXPECT_EQ(-EAGAIN, v.error);
	for (i = 0; i < 6; i++)
		EXPECT_EQ(i < 4 ? 0 : -EAGAIN, res[i]);
	EXPECT_EQ(4, q_msgs(self->fd));
	ASSERT_EQ(8, q_recv(self->fd, buf, sizeof(buf), 0, 0, 0, NULL));
	/* All handled, none failed: error 0. */
	EXPECT_EQ(1, q_sendv_res(self->fd, &ms[5], 1, res, &v));
	EXPECT_EQ(0, v.error);
	EXPECT_EQ(0, res[0]);
}

/* Across the kernel's chunks of 8, every result lands at its index. */
TEST_F(q, sendv_results_across_chunks)
{
	char n[KIPC_NAME_MAX], bufs[20][8], big[128] = "big";
	struct kipc_msg ms[20];
	int32_t res[20];
	int fd, i;

	fd = q_open_deep(_metadata, self->ctl, n, sizeof(n));
	ASSERT_GE(fd, 0);
	msgs_init(ms, 20, bufs, 0);
	for (i = 0; i < 20; i++)
		if (i % 7 == 3) {
			ms[i].buf = (uintptr_t)big;
			ms[i].len = sizeof(big);
		}
	EXPECT_EQ(20, q_sendv_res(fd, ms, 20, res, NULL));
	for (i = 0; i < 20; i++)
		EXPECT_EQ(i % 7 == 3 ? -EMSGSIZE : 0, res[i]);
	EXPECT_EQ(17, q_msgs(fd));
	close(fd);
}

TEST_F(q, sendv_results_without_array_is_einval)
{
	char bufs[1][8];
	struct kipc_msg ms[1];

	msgs_init(ms, 1, bufs, 0);
	EXPECT_EQ(-EINVAL, q_sendv_res(self->fd, ms, 1, NULL, NULL));
	EXPECT_EQ(0, q_msgs(self->fd));
}

TEST_F(q, sendv_results_array_without_flag_is_einval)
{
	char bufs[1][8];
	struct kipc_msg ms[1];
	int32_t res[1];
	struct kipc_msgv v = {
		.size = sizeof(v), .msgs = (uintptr_t)ms, .count = 1,
		.msg_size = sizeof(ms[0]), .results = (uintptr_t)res,
	};

	msgs_init(ms, 1, bufs, 0);
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SENDV, &v));
	EXPECT_EQ(0, q_msgs(self->fd));
}

TEST_F(q, recvv_results_is_einval)
{
	char bufs[1][8];
	struct kipc_msg ms[1];
	int32_t res[1];
	struct kipc_msgv v = {
		.size = sizeof(v), .flags = KIPC_VEC_RESULTS,
		.msgs = (uintptr_t)ms, .count = 1, .msg_size = sizeof(ms[0]),
		.results = (uintptr_t)res,
	};

	msgs_init(ms, 1, bufs, 0);
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_RECVV, &v));
}

/* A results array that faults: EFAULT before anything is sent. */
TEST_F(q, sendv_results_bad_array_is_efault)
{
	char bufs[2][8];
	struct kipc_msg ms[2];
	struct kipc_msgv v;

	msgs_init(ms, 2, bufs, 0);
	EXPECT_EQ(-EFAULT, q_sendv_res(self->fd, ms, 2, (int32_t *)8, &v));
	EXPECT_EQ(0, v.done);
	EXPECT_EQ(-EFAULT, v.error);
	EXPECT_EQ(0, q_msgs(self->fd));
}

/* A signal ends each blocked message's wait: EINTR, never ERESTARTSYS. */
TEST_F(q, sendv_results_signal_is_eintr)
{
	char bufs[6][8];
	struct kipc_msg ms[6];
	int32_t res[6];
	struct kipc_msgv v;
	int i;

	msgs_init(ms, 6, bufs, 0);
	set_handler(SIGALRM, SA_RESTART);
	arm_timer_ms(50);
	/* Depth 4: the last two wait, and the signal ends both waits. */
	EXPECT_EQ(6, q_sendv_res(self->fd, ms, 6, res, &v));
	EXPECT_EQ(SIGALRM, got_signal);
	EXPECT_EQ(-EINTR, v.error);
	for (i = 0; i < 6; i++)
		EXPECT_EQ(i < 4 ? 0 : -EINTR, res[i]);
	EXPECT_EQ(4, q_msgs(self->fd));
}

/*
 * Over quota: each message is charged as if sent alone, so exactly those
 * that fit go, and the others fail with EDQUOT, across chunk boundaries.
 */
TEST_F(q, sendv_results_quota_each_message_alone)
{
	char old[32], n[KIPC_NAME_MAX], buf[1000];
	struct kipc_msg ms[20];
	int32_t res[20];
	int fd, i, fit = 0;

	ASSERT_EQ(0, kt_param_get("user_quota_bytes", old, sizeof(old)));
	qname(n, sizeof(n), _metadata->name, "qq");
	fd = q_open(self->ctl, n, KIPC_OPEN_CREAT | KIPC_OPEN_READ |
		    KIPC_OPEN_WRITE | KIPC_OPEN_AUTOREMOVE, 0600, 64,
		    sizeof(buf));
	ASSERT_GE(fd, 0);
	memset(buf, 'q', sizeof(buf));
	ASSERT_EQ(0, kt_param_set("user_quota_bytes", "16384"));
	/* How many fit, one at a time; then empty the queue again. */
	while (fit < 20 && !q_send(fd, buf, sizeof(buf), 0, 0, 0, 0))
		fit++;
	for (i = 0; i < fit; i++)
		q_recv(fd, buf, sizeof(buf), KIPC_F_NONBLOCK, 0, 0, NULL);
	for (i = 0; i < 20; i++) {
		memset(&ms[i], 0, sizeof(ms[i]));
		ms[i].size = sizeof(ms[i]);
		ms[i].buf = (uintptr_t)buf;
		ms[i].len = sizeof(buf);
	}
	EXPECT_EQ(20, q_sendv_res(fd, ms, 20, res, NULL));
	ASSERT_EQ(0, kt_param_set("user_quota_bytes", old));
	ASSERT_GE(fit, 2);
	ASSERT_LT(fit, 17);
	for (i = 0; i < 20; i++)
		EXPECT_EQ(i < fit ? 0 : -EDQUOT, res[i]);
	EXPECT_EQ(fit, q_msgs(fd));
	close(fd);
}

/* A structure of the first ABI version (no @results) is still accepted. */
TEST_F(q, vec_first_abi_size_still_works)
{
	char bufs[2][8];
	struct kipc_msg ms[2];
	struct kipc_msgv v;

	msgs_init(ms, 2, bufs, 0);
	memset(&v, 0, sizeof(v));
	v.size = offsetof(struct kipc_msgv, results);
	v.msgs = (uintptr_t)ms;
	v.count = 2;
	v.msg_size = sizeof(ms[0]);
	EXPECT_EQ(32, v.size);
	EXPECT_EQ(2, kt_ioctl(self->fd, KIPC_IOC_SENDV, &v));
	EXPECT_EQ(2, v.done);
	v.done = 0;
	EXPECT_EQ(2, kt_ioctl(self->fd, KIPC_IOC_RECVV, &v));
	EXPECT_EQ(2, v.done);
	v.size = 24;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_SENDV, &v));
}

/*
 * Elements read before a fault are still checked: a malformed one among
 * them stops the call with EINVAL there, not with the later fault.
 */
TEST_F(q, sendv_fault_after_a_bad_element_reports_the_bad_one)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t stride = sizeof(struct kipc_msg) + 8;
	struct kipc_msgv v = { .size = sizeof(v), .count = 4 };
	char bufs[3][8], *map;
	int i;

	map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	/* Elements 0 to 2 readable (a larger stride), element 3 not. */
	v.msgs = (uintptr_t)(map + pg - 3 * stride);
	v.msg_size = stride;
	for (i = 0; i < 3; i++) {
		struct kipc_msg *m = (void *)(map + pg - (3 - i) * stride);

		memset(m, 0, stride);
		m->size = stride;
		m->buf = (uintptr_t)bufs[i];
		m->len = 8;
	}
	((struct kipc_msg *)(map + pg - 2 * stride))->size = 16;
	ASSERT_EQ(0, mprotect(map + pg, pg, PROT_NONE));
	EXPECT_EQ(1, kt_ioctl(self->fd, KIPC_IOC_SENDV, &v));
	EXPECT_EQ(1, v.done);
	EXPECT_EQ(-EINVAL, v.error);
	EXPECT_EQ(1, q_msgs(self->fd));
	munmap(map, 2 * pg);
}

/* ---- CALL ------------------------------------------------------------ */

static long q_call(int fd, int reply_fd, struct kipc_msg *req,
		   struct kipc_msg *rep, uint32_t *sent)
{
	struct kipc_call c = {
		.size = sizeof(c), .reply_fd = reply_fd,
		.req = (uintptr_t)req, .rep = (uintptr_t)rep,
	};
	long r = kt_ioctl(fd, KIPC_IOC_CALL, &c);

	if (sent)
		*sent = c.sent;
	return r;
}

static struct kipc_msg mk(void *buf, uint32_t len, uint32_t flags, int64_t to)
{
	struct kipc_msg m = {
		.size = sizeof(m), .flags = flags, .buf = (uintptr_t)buf,
		.len = len, .timeout_ns = to,
	};

	return m;
}

TEST_F(q, call_round_trip_with_server)
{
	char rn[KIPC_NAME_MAX];
	int rq;
	pid_t pid;
	int i;

	qname(rn, sizeof(rn), _metadata->name, "rep");
	rq = q_open(self->ctl, rn, KIPC_OPEN_CREAT | KIPC_OPEN_READ |
		    KIPC_OPEN_WRITE, 0600, 4, 64);
	ASSERT_GE(rq, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* Server: receive, then reply-and-wait with CALL. */
		char in[64], out[64];
		struct kipc_msg req, rep;
		long r;

		r = q_recv(self->fd, in, sizeof(in), KIPC_F_TIMEOUT, 3000 * MS,
			   0, NULL);
		for (i = 0; i < 3 && r > 0; i++) {
			snprintf(out, sizeof(out), "re:%.*s", (int)r, in);
			rep = mk(out, strlen(out), 0, 0);
			req = mk(in, sizeof(in), KIPC_F_TIMEOUT, 1000 * MS);
			/* Reply on the reply queue, wait on the request queue. */
			r = q_call(rq, self->fd, &rep, &req, NULL);
		}
		_exit(i == 3 && r == -ETIMEDOUT ? 0 : 1);
	}
	for (i = 0; i < 3; i++) {
		char out[16], in[64] = { 0 };
		struct kipc_msg req, rep;
		uint32_t sent = 7;

		snprintf(out, sizeof(out), "hi%d", i);
		req = mk(out, strlen(out), 0, 0);
		rep = mk(in, sizeof(in), KIPC_F_TIMEOUT, 3000 * MS);
		ASSERT_EQ(6, q_call(self->fd, rq, &req, &rep, &sent));
		EXPECT_EQ(1, sent);
		EXPECT_EQ(6, rep.len);
		EXPECT_EQ(pid, rep.pid);
		EXPECT_EQ(0, memcmp(in, "re:", 3));
		EXPECT_EQ(0, memcmp(in + 3, out, 3));
	}
	/* The server's last CALL times out with no request. */
	EXPECT_EQ(0, wait_child(pid));
	kt_unlink(self->ctl, KIPC_TYPE_QUEUE, rn);
	close(rq);
}

TEST_F(q, call_reply_fd_not_a_queue_is_ebadf)
{
	struct kipc_msg req = mk("r", 1, 0, 0), rep = mk(NULL, 0, 0, 0);
	uint32_t sent = 7;

	EXPECT_EQ(-EBADF, q_call(self->fd, self->ctl, &req, &rep, &sent));
	EXPECT_EQ(0, sent);
	EXPECT_EQ(-EBADF, q_call(self->fd, 1000, &req, &rep, &sent));
	EXPECT_EQ(0, q_msgs(self->fd));
}

TEST_F(q, call_reply_fd_write_only_is_ebadf)
{
	struct kipc_msg req = mk("r", 1, 0, 0), rep = mk(NULL, 0, 0, 0);
	int wfd = q_open(self->ctl, self->name, KIPC_OPEN_WRITE, 0, 0, 0);
	uint32_t sent = 7;

	ASSERT_GE(wfd, 0);
	EXPECT_EQ(-EBADF, q_call(self->fd, wfd, &req, &rep, &sent));
	EXPECT_EQ(0, sent);
	EXPECT_EQ(0, q_msgs(self->fd));
	close(wfd);
}

TEST_F(q, call_flags_nonzero_is_einval)
{
	struct kipc_msg req = mk("r", 1, 0, 0), rep = mk(NULL, 0, 0, 0);
	struct kipc_call c = {
		.size = sizeof(c), .flags = 1, .reply_fd = self->fd,
		.req = (uintptr_t)&req, .rep = (uintptr_t)&rep,
	};

	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_CALL, &c));
	EXPECT_EQ(0, q_msgs(self->fd));
}

TEST_F(q, call_sent_set_when_reply_times_out)
{
	char in[8];
	struct kipc_msg req, rep;
	uint32_t sent = 7;
	char rn[KIPC_NAME_MAX];
	int rq;

	qname(rn, sizeof(rn), _metadata->name, "rep");
	rq = q_open(self->ctl, rn, KIPC_OPEN_CREAT | KIPC_OPEN_READ, 0600, 4, 64);
	ASSERT_GE(rq, 0);
	req = mk("ask", 3, 0, 0);
	rep = mk(in, sizeof(in), KIPC_F_TIMEOUT, 50 * MS);
	EXPECT_EQ(-ETIMEDOUT, q_call(self->fd, rq, &req, &rep, &sent));
	EXPECT_EQ(1, sent);
	EXPECT_EQ(1, q_msgs(self->fd));
	/* A failing send: sent stays 0. */
	fill(_metadata, self->fd, 3);
	req = mk("ask", 3, KIPC_F_NONBLOCK, 0);
	EXPECT_EQ(-EAGAIN, q_call(self->fd, rq, &req, &rep, &sent));
	EXPECT_EQ(0, sent);
	kt_unlink(self->ctl, KIPC_TYPE_QUEUE, rn);
	close(rq);
}

/*
 * The reply's timeout is checked before the request is sent: a bad one
 * fails with nothing queued and sent 0.
 */
TEST_F(q, call_bad_reply_timeout_is_einval_nothing_sent)
{
	static const struct {
		uint32_t flags;
		int64_t to;
	} bad[] = {
		{ KIPC_F_ABSTIME, 0 },
		{ KIPC_F_REALTIME, 0 },
		{ KIPC_F_ABSTIME | KIPC_F_REALTIME, 0 },
		{ KIPC_F_TIMEOUT | KIPC_F_REALTIME, 10 * MS },
		{ KIPC_F_NONBLOCK | KIPC_F_TIMEOUT, 10 * MS },
		{ KIPC_F_TIMEOUT, -1 },
		{ KIPC_F_TIMEOUT | KIPC_F_ABSTIME, -1 },
	};
	struct kipc_msg req, rep;
	char in[8];
	uint32_t sent;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req = mk("ask", 3, 0, 0);
		rep = mk(in, sizeof(in), bad[i].flags, bad[i].to);
		sent = 7;
		EXPECT_EQ(-EINVAL, q_call(self->fd, self->fd, &req, &rep,
					  &sent)) TH_LOG("case %zu", i);
		EXPECT_EQ(0, sent) TH_LOG("case %zu", i);
		EXPECT_EQ(0, q_msgs(self->fd)) TH_LOG("case %zu", i);
	}
}

TEST_F(q, call_on_same_queue_receives_own_request)
{
	char in[8] = { 0 };
	struct kipc_msg req = mk("self", 4, 0, 0);
	struct kipc_msg rep = mk(in, sizeof(in), 0, 0);
	uint32_t sent = 0;

	EXPECT_EQ(4, q_call(self->fd, self->fd, &req, &rep, &sent));
	EXPECT_EQ(1, sent);
	EXPECT_EQ(0, memcmp(in, "self", 4));
}

/* ---- NOTIFY ---------------------------------------------------------- */

static long q_notify(int fd, int signo)
{
	struct kipc_notify n = { .size = sizeof(n), .signo = signo };

	return kt_ioctl(fd, KIPC_IOC_NOTIFY, &n);
}

static int notify_pid(int fd)
{
	struct kipc_stat st;

	if (kt_stat(fd, &st))
		return -1;
	return st.notify_pid;
}

/* Is SIGUSR1 pending (it is blocked by the caller)? Consumes it. */
static int usr1_arrived(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	return sigtimedwait(&set, NULL, &ts) == SIGUSR1;
}

static void block_usr1(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

TEST_F(q, notify_fires_on_empty_to_nonempty_once)
{
	block_usr1();
	ASSERT_EQ(0, q_notify(self->fd, SIGUSR1));
	EXPECT_EQ(getpid(), notify_pid(self->fd));
	EXPECT_FALSE(usr1_arrived(0));
	ASSERT_EQ(0, q_sends(self->fd, "n", 0, 0));
	EXPECT_TRUE(usr1_arrived(500));
	/* Fired: dropped. */
	EXPECT_EQ(0, notify_pid(self->fd));
	ASSERT_EQ(0, q_sends(self->fd, "n", 0, 0));
	EXPECT_FALSE(usr1_arrived(20));
}

TEST_F(q, notify_not_on_nonempty_queue)
{
	block_usr1();
	ASSERT_EQ(0, q_sends(self->fd, "a", 0, 0));
	ASSERT_EQ(0, q_notify(self->fd, SIGUSR1));
	ASSERT_EQ(0, q_sends(self->fd, "b", 0, 0));
	EXPECT_FALSE(usr1_arrived(20));
	EXPECT_EQ(getpid(), notify_pid(self->fd));
}

TEST_F(q, notify_from_other_process_sender)
{
	pid_t pid;

	block_usr1();
	ASSERT_EQ(0, q_notify(self->fd, SIGUSR1));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(q_sends(self->fd, "c", 0, 0) ? 1 : 0);
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_TRUE(usr1_arrived(500));
}

TEST_F(q, notify_not_when_receiver_blocked)
{
	pid_t pid;

	block_usr1();
	ASSERT_EQ(0, q_notify(self->fd, SIGUSR1));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char buf[8];

		_exit(q_recv(self->fd, buf, sizeof(buf), KIPC_F_TIMEOUT,
			     3000 * MS, 0, NULL) == 1 ? 0 : 1);
	}
	ASSERT_EQ(0, wait_waiters(self->fd, 1));
	ASSERT_EQ(0, q_sends(self->fd, "r", 0, 0));
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_FALSE(usr1_arrived(20));
	EXPECT_EQ(getpid(), notify_pid(self->fd));
}

/*
 * A blocking SENDV that fires the notification and then waits for room
 * signals first: the registered process receives only once signalled,
 * and is the one that makes room for the second message.
 */
TEST_F(q, notify_delivered_before_sendv_waits)
{
	struct kipc_msg ms[2];
	struct kipc_msgv v;
	char bufs[2][8], n[64];
	int fd;
	pid_t pid;

	fd = q_open_one(_metadata, self->ctl, n, sizeof(n));
	ASSERT_GE(fd, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct timespec ts = { 5, 0 };
		sigset_t set;
		char buf[8];

		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		if (q_notify(fd, SIGUSR1))
			_exit(1);
		if (sigtimedwait(&set, NULL, &ts) != SIGUSR1)
			_exit(2);
		if (q_recv(fd, buf, sizeof(buf), KIPC_F_NONBLOCK, 0, 0,
			   NULL) != 8)
			_exit(3);
		_exit(0);
	}
	for (int i = 0; i < 600 && notify_pid(fd) != pid; i++)
		sleep_ms(5);
	ASSERT_EQ(pid, notify_pid(fd));
	msgs_init(ms, 2, bufs, KIPC_F_TIMEOUT);
	ms[0].timeout_ns = 2000 * MS;
	ms[1].timeout_ns = 2000 * MS;
	EXPECT_EQ(2, q_vec(fd, KIPC_IOC_SENDV, ms, 2, 0, &v));
	EXPECT_EQ(2, v.done);
	EXPECT_EQ(0, v.error);
	EXPECT_EQ(0, wait_child(pid));
	EXPECT_EQ(1, q_msgs(fd));
	close(fd);
}

static int try_notify(int ctl, const char *name)
{
	int fd = q_open(ctl, name, KIPC_OPEN_READ, 0, 0, 0);

	if (fd < 0)
		return -100;
	return q_notify(fd, SIGUSR2);
}

static int try_unnotify(int ctl, const char *name)
{
	int fd = q_open(ctl, name, KIPC_OPEN_READ, 0, 0, 0);

	if (fd < 0)
		return -100;
	return q_notify(fd, 0);
}

static int fork_run(int (*fn)(int, const char *), int ctl, const char *name)
{
	pid_t pid = fork();
	int r;

	if (pid < 0)
		return -1000;
	if (pid == 0) {
		r = fn(ctl, name);
		_exit(r < 0 ? -r : r);
	}
	r = wait_child(pid);
	return r > 0 ? -r : r;
}

TEST_F(q, notify_other_process_is_ebusy)
{
	ASSERT_EQ(0, q_notify(self->fd, SIGUSR1));
	EXPECT_EQ(-EBUSY, fork_run(try_notify, self->ctl, self->name));
	/* Unregistering someone else's registration is a no-op. */
	EXPECT_EQ(0, fork_run(try_unnotify, self->ctl, self->name));
	EXPECT_EQ(getpid(), notify_pid(self->fd));
	/* The registered process may re-register. */
	EXPECT_EQ(0, q_notify(self->fd, SIGUSR2));
}

TEST_F(q, notify_unregister)
{
	ASSERT_EQ(0, q_notify(self->fd, SIGUSR1));
	ASSERT_EQ(0, q_notify(self->fd, 0));
	EXPECT_EQ(0, notify_pid(self->fd));
	EXPECT_EQ(0, fork_run(try_notify, self->ctl, self->name));
	EXPECT_EQ(0, q_notify(self->fd, 0));
}

TEST_F(q, notify_dropped_when_handle_closed)
{
	int fd2 = q_open(self->ctl, self->name, KIPC_OPEN_READ, 0, 0, 0);

	ASSERT_GE(fd2, 0);
	ASSERT_EQ(0, q_notify(fd2, SIGUSR1));
	EXPECT_EQ(getpid(), notify_pid(self->fd));
	close(fd2);
	EXPECT_EQ(0, notify_pid(self->fd));
	EXPECT_EQ(0, fork_run(try_notify, self->ctl, self->name));
}

TEST_F(q, notify_signo_out_of_range_is_einval)
{
	EXPECT_EQ(-EINVAL, q_notify(self->fd, 65));
	EXPECT_EQ(-EINVAL, q_notify(self->fd, -1));
	EXPECT_EQ(0, notify_pid(self->fd));
}

TEST_F(q, notify_flags_nonzero_is_einval)
{
	struct kipc_notify n = { .size = sizeof(n), .signo = SIGUSR1, .flags = 1 };

	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_NOTIFY, &n));
	n.flags = 0;
	n.__reserved = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_NOTIFY, &n));
}

TEST_F(q, notify_on_write_only_handle_is_ebadf)
{
	int wfd = q_open(self->ctl, self->name, KIPC_OPEN_WRITE, 0, 0, 0);

	ASSERT_GE(wfd, 0);
	EXPECT_EQ(-EBADF, q_notify(wfd, SIGUSR1));
	close(wfd);
}

/* ---- STAT and listings ----------------------------------------------- */

TEST_F(q, stat_counts)
{
	struct kipc_stat st;
	char buf[64];

	ASSERT_EQ(0, q_send(self->fd, buf, 10, 0, 0, 0, 0));
	ASSERT_EQ(0, q_send(self->fd, buf, 20, 1, 0, 0, 0));
	ASSERT_EQ(0, q_send(self->fd, buf, 30, 2, 0, 0, 0));
	ASSERT_EQ(30, q_recv(self->fd, buf, sizeof(buf), 0, 0, 0, NULL));
	ASSERT_EQ(0, kt_stat(self->fd, &st));
	EXPECT_EQ(4, st.max_msgs);
	EXPECT_EQ(64, st.max_msgsize);
	EXPECT_EQ(2, st.msgs);
	EXPECT_EQ(30, st.bytes);
	EXPECT_EQ(3, st.total_sent);
	EXPECT_EQ(1, st.total_received);
	EXPECT_EQ(0, st.waiters);
	EXPECT_EQ(0, st.send_waiters);
	EXPECT_EQ(0, st.notify_pid);
	EXPECT_EQ(1, st.handles);
	EXPECT_EQ(0, st.uid);
}

static int file_has(const char *path, const char *needle)
{
	static char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return strstr(buf, needle) != NULL;
}

TEST_F(q, proc_kipc_and_fdinfo_list_the_queue)
{
	char needle[128], path[64];

	ASSERT_EQ(0, q_sends(self->fd, "abc", 0, 0));
	snprintf(needle, sizeof(needle), "queue\t%s\t", self->name);
	EXPECT_TRUE(file_has("/proc/kipc", needle));
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", self->fd);
	snprintf(needle, sizeof(needle), "kipc-object:\tqueue\t%s\t", self->name);
	EXPECT_TRUE(file_has(path, needle));
	EXPECT_TRUE(file_has(path, "kipc-access:\trw\n"));
	/* bytes 3 ... max_msgs 4, max_msgsize 64, msgs 1, sent 1. */
	EXPECT_TRUE(file_has(path, "\t3\t0\t4\t64\t1\t1\t0\t"));
	ASSERT_EQ(0, kt_unlink(self->ctl, KIPC_TYPE_QUEUE, self->name));
	snprintf(needle, sizeof(needle), "queue\t%s\t", self->name);
	/* Still listed while a handle is open, now flagged unlinked. */
	EXPECT_TRUE(file_has("/proc/kipc", needle));
}

TEST_F(q, queue_ioctl_on_ctl_is_enotty)
{
	EXPECT_EQ(-ENOTTY, q_sends(self->ctl, "x", 0, 0));
}

TEST_HARNESS_MAIN
