// SPDX-License-Identifier: GPL-2.0
/*
 * Shared-memory regions: creation limits, mmap (sharing across processes and
 * mappings, bounds, read-only handles, lifetime), WAIT/WAKE, the robust
 * region lock, the doorbell, permissions and quota.
 *
 * The "exec'd peer" is this very binary, re-executed with the environment
 * variable KIPC_REGION_PEER naming a region: a constructor then runs the
 * peer instead of the harness.
 */
#include <poll.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "kipc_test.h"

/* The harness's TEST_F wrapper keeps a pid across setjmp(). */
#pragma GCC diagnostic ignored "-Wclobbered"

#define PAGE		4096UL
#define RW		(KIPC_OPEN_READ | KIPC_OPEN_WRITE)
#define CREAT_RW	(KIPC_OPEN_CREAT | KIPC_OPEN_EXCL | RW)
#define PEER_ENV	"KIPC_REGION_PEER"
#define PEER_ANSWER	0xC0FFEE42u

static int kr_open(int ctl, const char *name, uint32_t flags, uint32_t mode,
		   uint64_t size)
{
	struct kipc_open a = {
		.size = sizeof(a),
		.type = KIPC_TYPE_REGION,
		.flags = flags,
		.mode = mode,
		.name = (uintptr_t)name,
		.region_size = size,
	};

	return kt_ioctl(ctl, KIPC_IOC_OPEN, &a);
}

static long kr_wait(int fd, uint64_t off, uint32_t expected, uint32_t flags,
		    int64_t timeout_ns)
{
	struct kipc_wait w = {
		.size = sizeof(w),
		.flags = flags,
		.offset = off,
		.expected = expected,
		.timeout_ns = timeout_ns,
	};

	return kt_ioctl(fd, KIPC_IOC_WAIT, &w);
}

static long kr_wake(int fd, uint64_t off, uint32_t count)
{
	struct kipc_wake w = {
		.size = sizeof(w),
		.offset = off,
		.count = count,
	};

	return kt_ioctl(fd, KIPC_IOC_WAKE, &w);
}

/* LOCK; returns 0 or -errno, *result gets struct kipc_lock's result. */
static long kr_lock(int fd, uint32_t flags, int64_t timeout_ns,
		    uint32_t *result)
{
	struct kipc_lock l = {
		.size = sizeof(l),
		.flags = flags,
		.timeout_ns = timeout_ns,
		.result = 0xdead,
	};
	long ret = kt_ioctl(fd, KIPC_IOC_LOCK, &l);

	if (result)
		*result = l.result;
	return ret;
}

static long kr_unlock(int fd)
{
	struct kipc_lock l = { .size = sizeof(l) };

	return kt_ioctl(fd, KIPC_IOC_UNLOCK, &l);
}

static long kr_doorbell(int fd, uint64_t *count)
{
	struct kipc_doorbell d = { .size = sizeof(d) };
	long ret = kt_ioctl(fd, KIPC_IOC_DOORBELL, &d);

	if (count)
		*count = d.count;
	return ret;
}

static uint32_t kr_stat_field(int fd, int which)
{
	struct kipc_stat st;

	if (kt_stat(fd, &st))
		return ~0u;
	switch (which) {
	case 0:
		return st.waiters;
	case 1:
		return st.mappings;
	case 2:
		return st.lock_holders;
	default:
		return st.flags;
	}
}

/* Wait (up to 20 s) until the region has @n blocked waiters. */
static int kr_wait_waiters(int fd, uint32_t n)
{
	int i;

	for (i = 0; i < 20000; i++) {
		if (kr_stat_field(fd, 0) == n)
			return 0;
		usleep(1000);
	}
	return -1;
}

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Exit status of a child, or -1 if it did not exit normally. */
static int child_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void pattern_fill(unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 7 + 3);
}

static int pattern_ok(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (unsigned char)(i * 7 + 3))
			return 0;
	return 1;
}

/*
 * The exec'd peer: open the region named by $KIPC_REGION_PEER, map it,
 * check the pattern in its first page and write PEER_ANSWER at offset PAGE.
 */
__attribute__((constructor)) static void region_peer(void)
{
	const char *name = getenv(PEER_ENV);
	unsigned char *p;
	int ctl, fd;

	if (!name)
		return;
	ctl = kt_ctl();
	if (ctl < 0)
		_exit(10);
	fd = kr_open(ctl, name, RW, 0, 0);
	if (fd < 0)
		_exit(11);
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		_exit(12);
	if (!pattern_ok(p, PAGE))
		_exit(13);
	*(volatile uint32_t *)(p + PAGE) = PEER_ANSWER;
	_exit(0);
}

FIXTURE(region) {
	int ctl;
	int fd;		/* read-write handle of a 3-page region */
	char name[64];
	size_t size;
};

FIXTURE_SETUP(region)
{
	self->ctl = kt_ctl();
	ASSERT_GE(self->ctl, 0);
	snprintf(self->name, sizeof(self->name), "region-test-%d", getpid());
	self->size = 3 * PAGE;
	self->fd = kr_open(self->ctl, self->name, CREAT_RW, 0600, self->size);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(region)
{
	close(self->fd);
	kt_unlink(self->ctl, KIPC_TYPE_REGION, self->name);
	close(self->ctl);
}

/* A second handle of the fixture's region. */
static int reopen(FIXTURE_DATA(region) *self, uint32_t flags)
{
	return kr_open(self->ctl, self->name, flags, 0, 0);
}

static void *map(int fd, size_t len, int prot)
{
	return mmap(NULL, len, prot, MAP_SHARED, fd, 0);
}

/* ---- creation ---- */

TEST_F(region, size_rounded_up_to_pages)
{
	struct kipc_stat st;
	char name[80];
	int fd;

	ASSERT_EQ(0, kt_stat(self->fd, &st));
	EXPECT_EQ(KIPC_TYPE_REGION, st.type);
	EXPECT_EQ(3 * PAGE, st.bytes);

	snprintf(name, sizeof(name), "%s-odd", self->name);
	fd = kr_open(self->ctl, name, CREAT_RW | KIPC_OPEN_AUTOREMOVE, 0600,
		     PAGE + 1);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, kt_stat(fd, &st));
	EXPECT_EQ(2 * PAGE, st.bytes);
	close(fd);
}

TEST_F(region, new_pages_are_zeroed)
{
	unsigned char *p = map(self->fd, self->size, PROT_READ);
	size_t i, nonzero = 0;

	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < self->size; i++)
		nonzero += p[i] != 0;
	EXPECT_EQ(0, nonzero);
	munmap(p, self->size);
}

TEST_F(region, size_zero_is_einval)
{
	char name[80];

	snprintf(name, sizeof(name), "%s-zero", self->name);
	EXPECT_EQ(-EINVAL, kr_open(self->ctl, name, CREAT_RW, 0600, 0));
	EXPECT_EQ(-ENOENT, kr_open(self->ctl, name, RW, 0, 0));
}

TEST_F(region, size_over_max_region_size_is_einval)
{
	char name[80], max[64];

	ASSERT_EQ(0, kt_param_get("max_region_size", max, sizeof(max)));
	snprintf(name, sizeof(name), "%s-big", self->name);
	EXPECT_EQ(-EINVAL, kr_open(self->ctl, name, CREAT_RW, 0600,
				   strtoull(max, NULL, 0) + 1));
	EXPECT_EQ(-EINVAL, kr_open(self->ctl, name, CREAT_RW, 0600, ~0ULL));
	EXPECT_EQ(-ENOENT, kr_open(self->ctl, name, RW, 0, 0));
}

TEST_F(region, max_msgs_on_region_is_einval)
{
	struct kipc_open a = {
		.size = sizeof(a),
		.type = KIPC_TYPE_REGION,
		.flags = CREAT_RW,
		.mode = 0600,
		.name = (uintptr_t)"region-test-msgs",
		.max_msgs = 4,
		.region_size = PAGE,
	};

	EXPECT_EQ(-EINVAL, kt_ioctl(self->ctl, KIPC_IOC_OPEN, &a));
}

TEST_F(region, max_msgsize_on_region_is_einval)
{
	struct kipc_open a = {
		.size = sizeof(a),
		.type = KIPC_TYPE_REGION,
		.flags = CREAT_RW,
		.mode = 0600,
		.name = (uintptr_t)"region-test-msgsize",
		.max_msgsize = 4,
		.region_size = PAGE,
	};

	EXPECT_EQ(-EINVAL, kt_ioctl(self->ctl, KIPC_IOC_OPEN, &a));
}

/* Size is ignored when opening an existing region (as mq_open()). */
TEST_F(region, open_existing_ignores_size)
{
	struct kipc_stat st;
	int fd = kr_open(self->ctl, self->name, RW, 0, 100 * PAGE);

	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, kt_stat(fd, &st));
	EXPECT_EQ(3 * PAGE, st.bytes);
	close(fd);
}

/* ---- sharing ---- */

TEST_F(region, forked_process_shares_pages)
{
	unsigned char *p = map(self->fd, self->size, PROT_READ | PROT_WRITE);
	pid_t pid;

	ASSERT_NE(MAP_FAILED, p);
	pattern_fill(p, PAGE);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* Its own handle and mapping, by name. */
		int ctl = kt_ctl();
		int fd = kr_open(ctl, self->name, RW, 0, 0);
		unsigned char *q;

		if (fd < 0)
			_exit(1);
		q = map(fd, self->size, PROT_READ | PROT_WRITE);
		if (q == MAP_FAILED)
			_exit(2);
		if (!pattern_ok(q, PAGE))
			_exit(3);
		*(volatile uint32_t *)(q + 2 * PAGE) = 0x12345678;
		/* And through the mapping inherited across fork(). */
		*(volatile uint32_t *)(p + 2 * PAGE + 4) = 0x9abcdef0;
		_exit(0);
	}
	ASSERT_EQ(0, child_status(pid));
	EXPECT_EQ(0x12345678, *(volatile uint32_t *)(p + 2 * PAGE));
	EXPECT_EQ(0x9abcdef0, *(volatile uint32_t *)(p + 2 * PAGE + 4));
	munmap(p, self->size);
}

TEST_F(region, execd_peer_shares_pages)
{
	unsigned char *p = map(self->fd, self->size, PROT_READ | PROT_WRITE);
	pid_t pid;

	ASSERT_NE(MAP_FAILED, p);
	pattern_fill(p, PAGE);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		setenv(PEER_ENV, self->name, 1);
		execl("/proc/self/exe", "region_test-peer", (char *)NULL);
		_exit(99);
	}
	ASSERT_EQ(0, child_status(pid));
	EXPECT_EQ(PEER_ANSWER, *(volatile uint32_t *)(p + PAGE));
	munmap(p, self->size);
}

TEST_F(region, two_mappings_in_one_process_alias)
{
	volatile uint32_t *a = map(self->fd, self->size, PROT_READ | PROT_WRITE);
	volatile uint32_t *b = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				    MAP_SHARED, self->fd, PAGE);

	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	ASSERT_NE(a, b);
	a[PAGE / 4 + 5] = 77;
	EXPECT_EQ(77, b[5]);
	b[PAGE / 4 + 1] = 88;
	EXPECT_EQ(88, a[2 * PAGE / 4 + 1]);
	munmap((void *)a, self->size);
	munmap((void *)b, 2 * PAGE);
}

/* ---- mmap bounds and modes ---- */

TEST_F(region, mmap_length_beyond_region_is_einval)
{
	void *p = map(self->fd, self->size + PAGE, PROT_READ);

	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(region, mmap_offset_beyond_region_is_einval)
{
	void *p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->fd, self->size);

	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(region, mmap_offset_plus_length_beyond_region_is_einval)
{
	void *p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, self->fd,
		       2 * PAGE);

	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(region, map_private_is_einval)
{
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		       self->fd, 0);

	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(region, readonly_handle_refuses_writable_mapping)
{
	int ro = reopen(self, KIPC_OPEN_READ);
	void *p;

	ASSERT_GE(ro, 0);
	p = map(ro, PAGE, PROT_READ | PROT_WRITE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	close(ro);
}

TEST_F(region, readonly_handle_maps_readable_and_sees_writes)
{
	volatile uint32_t *w = map(self->fd, PAGE, PROT_READ | PROT_WRITE);
	volatile uint32_t *r;
	int ro = reopen(self, KIPC_OPEN_READ);

	ASSERT_NE(MAP_FAILED, w);
	ASSERT_GE(ro, 0);
	r = map(ro, PAGE, PROT_READ);
	ASSERT_NE(MAP_FAILED, r);
	w[3] = 0xfeed;
	EXPECT_EQ(0xfeed, r[3]);
	munmap((void *)r, PAGE);
	munmap((void *)w, PAGE);
	close(ro);
}

TEST_F(region, readonly_mapping_cannot_be_mprotected_writable)
{
	int ro = reopen(self, KIPC_OPEN_READ);
	void *p;

	ASSERT_GE(ro, 0);
	p = map(ro, PAGE, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, PAGE, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, PAGE);
	close(ro);
}

/* A write through a read-only mapping faults (SIGSEGV). */
TEST_F(region, write_to_readonly_mapping_segfaults)
{
	int ro = reopen(self, KIPC_OPEN_READ);
	volatile uint32_t *p;
	pid_t pid;
	int status;

	ASSERT_GE(ro, 0);
	p = map(ro, PAGE, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		p[0] = 1;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGSEGV, WTERMSIG(status));
	EXPECT_EQ(0, p[0]);
	munmap((void *)p, PAGE);
	close(ro);
}

/* Growing a mapping with mremap() past the region: SIGBUS beyond its end. */
TEST_F(region, mremap_grown_mapping_sigbus_past_end)
{
	volatile uint32_t *p = map(self->fd, self->size, PROT_READ | PROT_WRITE);
	volatile uint32_t *q;
	pid_t pid;
	int status;

	ASSERT_NE(MAP_FAILED, p);
	p[0] = 31;
	q = mremap((void *)p, self->size, self->size + PAGE, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, q);
	EXPECT_EQ(31, q[0]);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		q[self->size / 4] = 1;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGBUS, WTERMSIG(status));
	munmap((void *)q, self->size + PAGE);
	EXPECT_EQ(0, kr_stat_field(self->fd, 1));
}

/* Dropping a mapping's page tables loses nothing: the pages are the region's. */
TEST_F(region, madv_dontneed_keeps_data)
{
	volatile uint32_t *p = map(self->fd, self->size, PROT_READ | PROT_WRITE);

	ASSERT_NE(MAP_FAILED, p);
	p[PAGE / 4] = 0xabcd;
	ASSERT_EQ(0, madvise((void *)p, self->size, MADV_DONTNEED));
	EXPECT_EQ(0xabcd, p[PAGE / 4]);
	munmap((void *)p, self->size);
}

/* Does /proc/kipc list region @name with @mappings mappings, unlinked? */
static int proc_lists(const char *name, unsigned int mappings)
{
	FILE *f = fopen("/proc/kipc", "r");
	char line[512], type[16], n[80];
	unsigned int flags, m;
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* type name id uid gid mode flags handles bytes waiters
		 * max_msgs max_msgsize msgs sent received mappings ...
		 */
		if (sscanf(line, "%15s %79s %*u %*u %*u %*o %u %*u %*u %*u %*u %*u %*u %*u %*u %u",
			   type, n, &flags, &m) != 4)
			continue;
		if (!strcmp(type, "region") && !strcmp(n, name) &&
		    (flags & KIPC_STAT_UNLINKED) && m == mappings)
			found = 1;
	}
	fclose(f);
	return found;
}

TEST_F(region, mapping_outlives_fd_and_name)
{
	volatile uint32_t *a = map(self->fd, self->size, PROT_READ | PROT_WRITE);
	volatile uint32_t *b = map(self->fd, self->size, PROT_READ | PROT_WRITE);

	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	a[0] = 1;
	ASSERT_EQ(0, close(self->fd));
	ASSERT_EQ(0, kt_unlink(self->ctl, KIPC_TYPE_REGION, self->name));
	self->fd = -1;
	/* The name is gone... */
	EXPECT_EQ(-ENOENT, kr_open(self->ctl, self->name, RW, 0, 0));
	/* ...the memory is not, and both mappings still share it. */
	a[PAGE / 4 * 2 + 9] = 0x5a5a5a5a;
	EXPECT_EQ(0x5a5a5a5a, b[PAGE / 4 * 2 + 9]);
	EXPECT_EQ(1, b[0]);
	EXPECT_EQ(1, proc_lists(self->name, 2));
	munmap((void *)a, self->size);
	EXPECT_EQ(1, proc_lists(self->name, 1));
	munmap((void *)b, self->size);
	/* The last mapping took the region with it. */
	EXPECT_EQ(0, proc_lists(self->name, 0));
}

TEST_F(region, stat_counts_mappings)
{
	void *a, *b;
	pid_t pid;
	int pfd[2];
	char c;

	EXPECT_EQ(0, kr_stat_field(self->fd, 1));
	a = map(self->fd, PAGE, PROT_READ);
	ASSERT_NE(MAP_FAILED, a);
	b = map(self->fd, 2 * PAGE, PROT_READ);
	ASSERT_NE(MAP_FAILED, b);
	EXPECT_EQ(2, kr_stat_field(self->fd, 1));
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* The child's copies count too, until it exits. */
		close(pfd[1]);
		if (read(pfd[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(pfd[0]);
	EXPECT_EQ(4, kr_stat_field(self->fd, 1));
	close(pfd[1]);
	ASSERT_EQ(0, child_status(pid));
	EXPECT_EQ(2, kr_stat_field(self->fd, 1));
	munmap(a, PAGE);
	munmap(b, 2 * PAGE);
	EXPECT_EQ(0, kr_stat_field(self->fd, 1));
}

/* ---- WAIT / WAKE ---- */

TEST_F(region, wait_value_differs_is_eagain)
{
	volatile uint32_t *p = map(self->fd, PAGE, PROT_READ | PROT_WRITE);

	ASSERT_NE(MAP_FAILED, p);
	p[2] = 5;
	EXPECT_EQ(-EAGAIN, kr_wait(self->fd, 8, 4, 0, 0));
	munmap((void *)p, PAGE);
}

TEST_F(region, wait_nonblock_is_eagain)
{
	EXPECT_EQ(-EAGAIN, kr_wait(self->fd, 8, 0, KIPC_F_NONBLOCK, 0));
}

TEST_F(region, wait_unaligned_offset_is_einval)
{
	EXPECT_EQ(-EINVAL, kr_wait(self->fd, 2, 0, KIPC_F_NONBLOCK, 0));
}

TEST_F(region, wait_offset_out_of_range_is_einval)
{
	EXPECT_EQ(-EINVAL, kr_wait(self->fd, self->size, 0, KIPC_F_NONBLOCK, 0));
	EXPECT_EQ(-EINVAL, kr_wait(self->fd, ~3ULL, 0, KIPC_F_NONBLOCK, 0));
	/* The last word is fine. */
	EXPECT_EQ(-EAGAIN, kr_wait(self->fd, self->size - 4, 0,
				   KIPC_F_NONBLOCK, 0));
}

TEST_F(region, wait_unknown_flag_is_einval)
{
	EXPECT_EQ(-EINVAL, kr_wait(self->fd, 0, 0, KIPC_LOCK_SHARED, 0));
}

TEST_F(region, wait_reserved_is_einval)
{
	struct kipc_wait w = {
		.size = sizeof(w),
		.flags = KIPC_F_NONBLOCK,
		.__reserved = 1,
	};

	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_WAIT, &w));
}

TEST_F(region, wait_relative_timeout)
{
	int64_t t0 = now_ns(CLOCK_MONOTONIC);

	EXPECT_EQ(-ETIMEDOUT, kr_wait(self->fd, 0, 0, KIPC_F_TIMEOUT,
				      50000000));
	EXPECT_GE(now_ns(CLOCK_MONOTONIC) - t0, 50000000);
	EXPECT_EQ(0, kr_stat_field(self->fd, 0));
}

TEST_F(region, wait_absolute_monotonic_timeout)
{
	int64_t end = now_ns(CLOCK_MONOTONIC) + 50000000;

	EXPECT_EQ(-ETIMEDOUT, kr_wait(self->fd, 0, 0,
				      KIPC_F_TIMEOUT | KIPC_F_ABSTIME, end));
	EXPECT_GE(now_ns(CLOCK_MONOTONIC), end);
}

TEST_F(region, wait_absolute_realtime_timeout)
{
	int64_t end = now_ns(CLOCK_REALTIME) + 50000000;

	EXPECT_EQ(-ETIMEDOUT, kr_wait(self->fd, 0, 0,
				      KIPC_F_TIMEOUT | KIPC_F_ABSTIME |
				      KIPC_F_REALTIME, end));
	EXPECT_GE(now_ns(CLOCK_REALTIME), end);
}

TEST_F(region, wait_negative_timeout_is_einval)
{
	EXPECT_EQ(-EINVAL, kr_wait(self->fd, 0, 0, KIPC_F_TIMEOUT, -1));
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void set_handler(int flags)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

/* Fork a child that signals us once the region has @n waiters. */
static pid_t signal_when_waiting(int fd, uint32_t n)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		if (kr_wait_waiters(fd, n))
			_exit(1);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	return pid;
}

TEST_F(region, timed_wait_interrupted_by_signal_is_eintr)
{
	pid_t pid;

	set_handler(SA_RESTART);
	pid = signal_when_waiting(self->fd, 1);
	ASSERT_GE(pid, 0);
	EXPECT_EQ(-EINTR, kr_wait(self->fd, 0, 0, KIPC_F_TIMEOUT,
				  20000000000LL));
	EXPECT_EQ(SIGUSR1, got_signal);
	EXPECT_EQ(0, child_status(pid));
}

TEST_F(region, untimed_wait_interrupted_without_restart_is_eintr)
{
	pid_t pid;

	set_handler(0);
	pid = signal_when_waiting(self->fd, 1);
	ASSERT_GE(pid, 0);
	EXPECT_EQ(-EINTR, kr_wait(self->fd, 0, 0, 0, 0));
	EXPECT_EQ(SIGUSR1, got_signal);
	EXPECT_EQ(0, child_status(pid));
}

/* With SA_RESTART an untimed WAIT survives the signal and is then woken. */
TEST_F(region, untimed_wait_restarts_after_signal)
{
	pid_t parent = getpid(), pid;

	set_handler(SA_RESTART);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (kr_wait_waiters(self->fd, 1))
			_exit(1);
		kill(parent, SIGUSR1);
		usleep(100000);
		/* Restarted: waiting again. */
		if (kr_wait_waiters(self->fd, 1))
			_exit(2);
		_exit(kr_wake(self->fd, 0, 1) == 1 ? 0 : 3);
	}
	EXPECT_EQ(0, kr_wait(self->fd, 0, 0, 0, 0));
	EXPECT_EQ(SIGUSR1, got_signal);
	EXPECT_EQ(0, child_status(pid));
}

TEST_F(region, wake_flags_is_einval)
{
	struct kipc_wake w = { .size = sizeof(w), .flags = 1, .count = 1 };

	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_WAKE, &w));
}

TEST_F(region, wake_reserved_is_einval)
{
	struct kipc_wake w = { .size = sizeof(w), .count = 1, .__reserved = 1 };

	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_WAKE, &w));
}

TEST_F(region, wake_unaligned_is_einval)
{
	EXPECT_EQ(-EINVAL, kr_wake(self->fd, 6, 1));
}

TEST_F(region, wake_out_of_range_is_einval)
{
	EXPECT_EQ(-EINVAL, kr_wake(self->fd, self->size, 1));
}

TEST_F(region, wake_without_waiters_returns_zero)
{
	EXPECT_EQ(0, kr_wake(self->fd, 0, KIPC_WAKE_ALL));
}

/* Fork a child blocked in WAIT(@off, 0); it exits 0 when woken. */
static pid_t waiter_child(int fd, uint64_t off)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(kr_wait(fd, off, 0, KIPC_F_TIMEOUT, 20000000000LL) ? 1 : 0);
	return pid;
}

TEST_F(region, wake_returns_number_woken)
{
	pid_t pids[3];
	int i;

	for (i = 0; i < 3; i++) {
		pids[i] = waiter_child(self->fd, 16);
		ASSERT_GE(pids[i], 0);
	}
	ASSERT_EQ(0, kr_wait_waiters(self->fd, 3));
	EXPECT_EQ(2, kr_wake(self->fd, 16, 2));
	EXPECT_EQ(1, kr_stat_field(self->fd, 0));
	EXPECT_EQ(1, kr_wake(self->fd, 16, 5));
	EXPECT_EQ(0, kr_wake(self->fd, 16, 5));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, child_status(pids[i]));
}

TEST_F(region, wake_all_wakes_every_waiter)
{
	pid_t pids[4];
	int i;

	for (i = 0; i < 4; i++) {
		pids[i] = waiter_child(self->fd, PAGE + 8);
		ASSERT_GE(pids[i], 0);
	}
	ASSERT_EQ(0, kr_wait_waiters(self->fd, 4));
	EXPECT_EQ(4, kr_wake(self->fd, PAGE + 8, KIPC_WAKE_ALL));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, child_status(pids[i]));
}

TEST_F(region, wake_only_wakes_waiters_of_that_offset)
{
	pid_t a, b;

	/* 0 and 64: the same hash bucket or not, they must not mix. */
	a = waiter_child(self->fd, 0);
	ASSERT_GE(a, 0);
	b = waiter_child(self->fd, 64);
	ASSERT_GE(b, 0);
	ASSERT_EQ(0, kr_wait_waiters(self->fd, 2));
	EXPECT_EQ(0, kr_wake(self->fd, 4, KIPC_WAKE_ALL));
	EXPECT_EQ(1, kr_wake(self->fd, 64, KIPC_WAKE_ALL));
	EXPECT_EQ(0, child_status(b));
	EXPECT_EQ(1, kr_stat_field(self->fd, 0));
	EXPECT_EQ(1, kr_wake(self->fd, 0, KIPC_WAKE_ALL));
	EXPECT_EQ(0, child_status(a));
}

TEST_F(region, wake_count_zero_wakes_nobody)
{
	pid_t a = waiter_child(self->fd, 0);

	ASSERT_GE(a, 0);
	ASSERT_EQ(0, kr_wait_waiters(self->fd, 1));
	EXPECT_EQ(0, kr_wake(self->fd, 0, 0));
	EXPECT_EQ(1, kr_stat_field(self->fd, 0));
	EXPECT_EQ(1, kr_wake(self->fd, 0, 1));
	EXPECT_EQ(0, child_status(a));
}

/* Classic three-state futex mutex (0 free, 1 locked, 2 contended). */
static uint32_t cas(uint32_t *w, uint32_t old, uint32_t new)
{
	__atomic_compare_exchange_n(w, &old, new, 0, __ATOMIC_ACQUIRE,
				    __ATOMIC_RELAXED);
	return old;
}

static int fmutex_lock(int fd, uint32_t *m, uint64_t off, uint32_t *slept)
{
	uint32_t c = cas(m, 0, 1);

	if (!c)
		return 0;
	do {
		if (c == 2 || cas(m, 1, 2) != 0) {
			long r = kr_wait(fd, off, 2, 0, 0);

			if (r && r != -EAGAIN)
				return -1;
			if (!r)
				__atomic_add_fetch(slept, 1, __ATOMIC_RELAXED);
		}
	} while ((c = cas(m, 0, 2)) != 0);
	return 0;
}

static int fmutex_unlock(int fd, uint32_t *m, uint64_t off)
{
	if (__atomic_fetch_sub(m, 1, __ATOMIC_RELEASE) != 1) {
		__atomic_store_n(m, 0, __ATOMIC_RELEASE);
		if (kr_wake(fd, off, 1) < 0)
			return -1;
	}
	return 0;
}

#define STRESS_PROCS	4
#define STRESS_ITERS	250000

/*
 * No lost wake-up: four processes increment a shared counter one million
 * times in all under a mutex built on WAIT/WAKE. A lost wake-up hangs a
 * process (the test times out); a broken mutex loses increments. They start
 * together, and now and then sleep briefly while holding the mutex, so that
 * the others really block in WAIT.
 */
TEST_F_TIMEOUT(region, futex_mutex_million_increments, 600)
{
	uint32_t *p = map(self->fd, PAGE, PROT_READ | PROT_WRITE);
	pid_t pids[STRESS_PROCS];
	int64_t t0 = now_ns(CLOCK_MONOTONIC);
	int i;

	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < STRESS_PROCS; i++) {
		pids[i] = fork();
		ASSERT_GE(pids[i], 0);
		if (pids[i] == 0) {
			volatile uint32_t *counter = &p[16];
			int n;

			__atomic_add_fetch(&p[17], 1, __ATOMIC_SEQ_CST);
			while (__atomic_load_n(&p[17], __ATOMIC_SEQ_CST) <
			       STRESS_PROCS)
				sched_yield();
			for (n = 0; n < STRESS_ITERS; n++) {
				if (fmutex_lock(self->fd, &p[0], 0, &p[18]))
					_exit(1);
				*counter = *counter + 1;
				if (!(n % 128))
					usleep(1);
				if (fmutex_unlock(self->fd, &p[0], 0))
					_exit(2);
			}
			_exit(0);
		}
	}
	for (i = 0; i < STRESS_PROCS; i++)
		EXPECT_EQ(0, child_status(pids[i]));
	EXPECT_EQ(STRESS_PROCS * STRESS_ITERS, p[16]);
	EXPECT_EQ(0, p[0]);
	EXPECT_EQ(0, kr_stat_field(self->fd, 0));
	/* The mutex was contended: processes did sleep in WAIT. */
	EXPECT_GT(p[18], 0);
	TH_LOG("%d increments in %lld ms, %u sleeps in WAIT",
	       STRESS_PROCS * STRESS_ITERS,
	       (long long)(now_ns(CLOCK_MONOTONIC) - t0) / 1000000, p[18]);
	munmap(p, PAGE);
}

/* ---- the robust region lock ---- */

TEST_F(region, lock_and_unlock_exclusive)
{
	uint32_t res;

	EXPECT_EQ(0, kr_lock(self->fd, 0, 0, &res));
	EXPECT_EQ(0, res);
	EXPECT_EQ(1, kr_stat_field(self->fd, 2));
	EXPECT_EQ(KIPC_STAT_LOCK_EXCL, kr_stat_field(self->fd, 3) &
		  (KIPC_STAT_LOCK_EXCL | KIPC_STAT_LOCK_SHARED));
	EXPECT_EQ(0, kr_unlock(self->fd));
	EXPECT_EQ(0, kr_stat_field(self->fd, 2));
	EXPECT_EQ(0, kr_stat_field(self->fd, 3) &
		  (KIPC_STAT_LOCK_EXCL | KIPC_STAT_LOCK_SHARED));
}

TEST_F(region, lock_twice_from_one_handle_is_edeadlk)
{
	EXPECT_EQ(0, kr_lock(self->fd, 0, 0, NULL));
	EXPECT_EQ(-EDEADLK, kr_lock(self->fd, 0, 0, NULL));
	EXPECT_EQ(-EDEADLK, kr_lock(self->fd, KIPC_LOCK_SHARED, 0, NULL));
	EXPECT_EQ(0, kr_unlock(self->fd));
}

TEST_F(region, shared_lock_twice_from_one_handle_is_edeadlk)
{
	EXPECT_EQ(0, kr_lock(self->fd, KIPC_LOCK_SHARED, 0, NULL));
	EXPECT_EQ(-EDEADLK, kr_lock(self->fd, KIPC_LOCK_SHARED, 0, NULL));
	EXPECT_EQ(0, kr_unlock(self->fd));
}

TEST_F(region, unlock_not_held_is_eperm)
{
	int h2 = reopen(self, RW);

	ASSERT_GE(h2, 0);
	EXPECT_EQ(-EPERM, kr_unlock(self->fd));
	/* Held by another handle: still not ours to unlock. */
	ASSERT_EQ(0, kr_lock(h2, 0, 0, NULL));
	EXPECT_EQ(-EPERM, kr_unlock(self->fd));
	EXPECT_EQ(0, kr_unlock(h2));
	close(h2);
}

TEST_F(region, unlock_flags_is_einval)
{
	struct kipc_lock l = { .size = sizeof(l), .flags = KIPC_F_NONBLOCK };

	ASSERT_EQ(0, kr_lock(self->fd, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_UNLOCK, &l));
	EXPECT_EQ(0, kr_unlock(self->fd));
}

TEST_F(region, lock_unknown_flag_is_einval)
{
	EXPECT_EQ(-EINVAL, kr_lock(self->fd, 1u << 20, 0, NULL));
	EXPECT_EQ(0, kr_stat_field(self->fd, 2));
}

TEST_F(region, lock_reserved_is_einval)
{
	struct kipc_lock l = { .size = sizeof(l), .__reserved = 1 };

	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_LOCK, &l));
	EXPECT_EQ(0, kr_stat_field(self->fd, 2));
}

TEST_F(region, trylock_while_held_is_eagain)
{
	int h2 = reopen(self, RW);

	ASSERT_GE(h2, 0);
	ASSERT_EQ(0, kr_lock(self->fd, 0, 0, NULL));
	EXPECT_EQ(-EAGAIN, kr_lock(h2, KIPC_F_NONBLOCK, 0, NULL));
	EXPECT_EQ(-EAGAIN, kr_lock(h2, KIPC_F_NONBLOCK | KIPC_LOCK_SHARED, 0,
				   NULL));
	EXPECT_EQ(0, kr_unlock(self->fd));
	EXPECT_EQ(0, kr_lock(h2, KIPC_F_NONBLOCK, 0, NULL));
	EXPECT_EQ(0, kr_unlock(h2));
	close(h2);
}

TEST_F(region, lock_timeout_is_etimedout)
{
	int h2 = reopen(self, RW);
	int64_t t0;

	ASSERT_GE(h2, 0);
	ASSERT_EQ(0, kr_lock(self->fd, 0, 0, NULL));
	t0 = now_ns(CLOCK_MONOTONIC);
	EXPECT_EQ(-ETIMEDOUT, kr_lock(h2, KIPC_F_TIMEOUT, 50000000, NULL));
	EXPECT_GE(now_ns(CLOCK_MONOTONIC) - t0, 50000000);
	EXPECT_EQ(-ETIMEDOUT, kr_lock(h2, KIPC_F_TIMEOUT | KIPC_F_ABSTIME |
				      KIPC_F_REALTIME,
				      now_ns(CLOCK_REALTIME) + 20000000, NULL));
	EXPECT_EQ(0, kr_stat_field(self->fd, 0));
	EXPECT_EQ(0, kr_unlock(self->fd));
	close(h2);
}

TEST_F(region, timed_lock_interrupted_by_signal_is_eintr)
{
	int h2 = reopen(self, RW);
	pid_t pid;

	ASSERT_GE(h2, 0);
	ASSERT_EQ(0, kr_lock(self->fd, 0, 0, NULL));
	set_handler(SA_RESTART);
	pid = signal_when_waiting(self->fd, 1);
	ASSERT_GE(pid, 0);
	EXPECT_EQ(-EINTR, kr_lock(h2, KIPC_F_TIMEOUT, 20000000000LL, NULL));
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ(0, kr_unlock(self->fd));
	close(h2);
}

/* Fork a child that opens its own handle and takes the lock (@flags). */
static pid_t locker_child(FIXTURE_DATA(region) *self, uint32_t flags,
			  int report)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = reopen(self, RW);
		uint32_t res;

		if (fd < 0)
			_exit(1);
		if (kr_lock(fd, flags, 0, &res))
			_exit(2);
		if (write(report, &res, sizeof(res)) != sizeof(res))
			_exit(3);
		pause();
		_exit(0);
	}
	return pid;
}

static int kill_child(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? 0 : -1;
}

/* Start a child holding the lock through its own handle; kill it. */
static int holder_dies(FIXTURE_DATA(region) *self, uint32_t flags)
{
	uint32_t res = ~0u;
	int pfd[2], ret = -1;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = locker_child(self, flags, pfd[1]);
	if (pid < 0)
		goto out;
	if (read(pfd[0], &res, sizeof(res)) != sizeof(res) || res) {
		kill_child(pid);
		goto out;
	}
	ret = kill_child(pid);
out:
	close(pfd[0]);
	close(pfd[1]);
	return ret;
}

TEST_F(region, holder_killed_makes_next_locker_ownerdead)
{
	uint32_t res;

	ASSERT_EQ(0, holder_dies(self, 0));
	EXPECT_EQ(KIPC_STAT_LOCK_OWNERDEAD, kr_stat_field(self->fd, 3) &
		  (KIPC_STAT_LOCK_OWNERDEAD | KIPC_STAT_LOCK_EXCL));
	EXPECT_EQ(0, kr_stat_field(self->fd, 2));
	EXPECT_EQ(0, kr_lock(self->fd, 0, 0, &res));
	EXPECT_EQ(KIPC_LOCK_OWNERDEAD, res);
	EXPECT_EQ(0, kt_ioctl(self->fd, KIPC_IOC_CONSISTENT, NULL));
	EXPECT_EQ(0, kr_stat_field(self->fd, 3) & KIPC_STAT_LOCK_OWNERDEAD);
	EXPECT_EQ(0, kr_unlock(self->fd));
	EXPECT_EQ(0, kr_lock(self->fd, 0, 0, &res));
	EXPECT_EQ(0, res);
	EXPECT_EQ(0, kr_unlock(self->fd));
}

TEST_F(region, ownerdead_stays_until_consistent)
{
	uint32_t res;

	ASSERT_EQ(0, holder_dies(self, 0));
	EXPECT_EQ(0, kr_lock(self->fd, 0, 0, &res));
	EXPECT_EQ(KIPC_LOCK_OWNERDEAD, res);
	EXPECT_EQ(0, kr_unlock(self->fd));
	/* Not repaired: the next locker, in either mode, is told again. */
	EXPECT_EQ(0, kr_lock(self->fd, KIPC_LOCK_SHARED, 0, &res));
	EXPECT_EQ(KIPC_LOCK_OWNERDEAD, res);
	EXPECT_EQ(0, kr_unlock(self->fd));
	EXPECT_EQ(0, kr_lock(self->fd, 0, 0, &res));
	EXPECT_EQ(KIPC_LOCK_OWNERDEAD, res);
	EXPECT_EQ(0, kt_ioctl(self->fd, KIPC_IOC_CONSISTENT, NULL));
	EXPECT_EQ(0, kr_unlock(self->fd));
}

TEST_F(region, waiter_gets_ownerdead_when_holder_is_killed)
{
	uint32_t res;
	int pfd[2];
	pid_t pid;

	ASSERT_EQ(0, pipe(pfd));
	pid = locker_child(self, 0, pfd[1]);
	ASSERT_GE(pid, 0);
	ASSERT_EQ(sizeof(res), read(pfd[0], &res, sizeof(res)));
	/* Kill the holder while we are blocked in LOCK. */
	if (fork() == 0) {
		if (kr_wait_waiters(self->fd, 1))
			_exit(1);
		kill(pid, SIGKILL);
		_exit(0);
	}
	EXPECT_EQ(0, kr_lock(self->fd, KIPC_F_TIMEOUT, 20000000000LL, &res));
	EXPECT_EQ(KIPC_LOCK_OWNERDEAD, res);
	EXPECT_EQ(0, kr_unlock(self->fd));
	waitpid(pid, NULL, 0);
	wait(NULL);
	close(pfd[0]);
	close(pfd[1]);
}

TEST_F(region, shared_holder_killed_is_not_ownerdead)
{
	uint32_t res;

	ASSERT_EQ(0, holder_dies(self, KIPC_LOCK_SHARED));
	EXPECT_EQ(0, kr_stat_field(self->fd, 3) & KIPC_STAT_LOCK_OWNERDEAD);
	EXPECT_EQ(0, kr_lock(self->fd, 0, 0, &res));
	EXPECT_EQ(0, res);
	EXPECT_EQ(0, kr_unlock(self->fd));
}

TEST_F(region, closing_holding_handle_releases_lock)
{
	int h2 = reopen(self, RW);
	uint32_t res;

	ASSERT_GE(h2, 0);
	ASSERT_EQ(0, kr_lock(h2, 0, 0, NULL));
	EXPECT_EQ(-EAGAIN, kr_lock(self->fd, KIPC_F_NONBLOCK, 0, NULL));
	close(h2);
	EXPECT_EQ(0, kr_lock(self->fd, KIPC_F_NONBLOCK, 0, &res));
	EXPECT_EQ(KIPC_LOCK_OWNERDEAD, res);
	EXPECT_EQ(0, kr_unlock(self->fd));
}

TEST_F(region, consistent_without_lock_is_eperm)
{
	EXPECT_EQ(-EPERM, kt_ioctl(self->fd, KIPC_IOC_CONSISTENT, NULL));
}

TEST_F(region, consistent_with_shared_lock_is_eperm)
{
	uint32_t res;

	ASSERT_EQ(0, holder_dies(self, 0));
	ASSERT_EQ(0, kr_lock(self->fd, KIPC_LOCK_SHARED, 0, &res));
	EXPECT_EQ(KIPC_LOCK_OWNERDEAD, res);
	EXPECT_EQ(-EPERM, kt_ioctl(self->fd, KIPC_IOC_CONSISTENT, NULL));
	EXPECT_EQ(KIPC_STAT_LOCK_OWNERDEAD, kr_stat_field(self->fd, 3) &
		  KIPC_STAT_LOCK_OWNERDEAD);
	EXPECT_EQ(0, kr_unlock(self->fd));
}

TEST_F(region, consistent_by_other_handle_is_eperm)
{
	int h2 = reopen(self, RW);

	ASSERT_GE(h2, 0);
	ASSERT_EQ(0, kr_lock(self->fd, 0, 0, NULL));
	EXPECT_EQ(-EPERM, kt_ioctl(h2, KIPC_IOC_CONSISTENT, NULL));
	EXPECT_EQ(0, kr_unlock(self->fd));
	close(h2);
}

TEST_F(region, shared_lock_is_shared_and_excludes_writers)
{
	int h2 = reopen(self, RW), h3 = reopen(self, RW);
	uint32_t flags;
	pid_t pid;

	ASSERT_GE(h2, 0);
	ASSERT_GE(h3, 0);
	ASSERT_EQ(0, kr_lock(self->fd, KIPC_LOCK_SHARED, 0, NULL));
	ASSERT_EQ(0, kr_lock(h2, KIPC_LOCK_SHARED | KIPC_F_NONBLOCK, 0, NULL));
	EXPECT_EQ(2, kr_stat_field(self->fd, 2));
	flags = kr_stat_field(self->fd, 3);
	EXPECT_EQ(KIPC_STAT_LOCK_SHARED, flags &
		  (KIPC_STAT_LOCK_SHARED | KIPC_STAT_LOCK_EXCL));
	EXPECT_EQ(-EAGAIN, kr_lock(h3, KIPC_F_NONBLOCK, 0, NULL));

	/* A writer blocks until both readers are gone. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		uint32_t res;

		if (kr_lock(h3, KIPC_F_TIMEOUT, 20000000000LL, &res) || res)
			_exit(1);
		if (kr_unlock(h3))
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(0, kr_wait_waiters(self->fd, 1));
	EXPECT_EQ(0, kr_unlock(self->fd));
	usleep(50000);
	EXPECT_EQ(1, kr_stat_field(self->fd, 0));
	EXPECT_EQ(1, kr_stat_field(self->fd, 2));
	EXPECT_EQ(0, kr_unlock(h2));
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ(0, kr_stat_field(self->fd, 2));
	close(h2);
	close(h3);
}

/* A waiting writer keeps new readers out (no writer starvation). */
TEST_F(region, waiting_writer_blocks_new_readers)
{
	int h2 = reopen(self, RW), h3 = reopen(self, RW);
	pid_t pid;

	ASSERT_GE(h2, 0);
	ASSERT_GE(h3, 0);
	ASSERT_EQ(0, kr_lock(self->fd, KIPC_LOCK_SHARED, 0, NULL));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(kr_lock(h2, KIPC_F_TIMEOUT, 20000000000LL, NULL) ? 1 : 0);
	ASSERT_EQ(0, kr_wait_waiters(self->fd, 1));
	EXPECT_EQ(-EAGAIN, kr_lock(h3, KIPC_LOCK_SHARED | KIPC_F_NONBLOCK, 0,
				   NULL));
	EXPECT_EQ(0, kr_unlock(self->fd));
	EXPECT_EQ(0, child_status(pid));
	/* The child's lock is held by h2, which this process still has open. */
	EXPECT_EQ(KIPC_STAT_LOCK_EXCL, kr_stat_field(self->fd, 3) &
		  KIPC_STAT_LOCK_EXCL);
	EXPECT_EQ(0, kr_unlock(h2));
	EXPECT_EQ(0, kr_lock(h3, KIPC_LOCK_SHARED | KIPC_F_NONBLOCK, 0, NULL));
	EXPECT_EQ(0, kr_unlock(h3));
	close(h2);
	close(h3);
}

/* A writer that gives up lets the readers it was keeping out in. */
TEST_F(region, writer_timing_out_lets_readers_in)
{
	int h2 = reopen(self, RW), h3 = reopen(self, RW);
	pid_t writer, reader;

	ASSERT_GE(h2, 0);
	ASSERT_GE(h3, 0);
	ASSERT_EQ(0, kr_lock(self->fd, KIPC_LOCK_SHARED, 0, NULL));
	writer = fork();
	ASSERT_GE(writer, 0);
	if (writer == 0)
		_exit(kr_lock(h2, KIPC_F_TIMEOUT, 300000000, NULL) ==
		      -ETIMEDOUT ? 0 : 1);
	ASSERT_EQ(0, kr_wait_waiters(self->fd, 1));
	reader = fork();
	ASSERT_GE(reader, 0);
	if (reader == 0) {
		if (kr_lock(h3, KIPC_LOCK_SHARED | KIPC_F_TIMEOUT,
			    20000000000LL, NULL))
			_exit(1);
		_exit(kr_unlock(h3) ? 2 : 0);
	}
	EXPECT_EQ(0, child_status(writer));
	EXPECT_EQ(0, child_status(reader));
	EXPECT_EQ(0, kr_unlock(self->fd));
	close(h2);
	close(h3);
}

/* ---- doorbell ---- */

static int epoll_ready(int ep, int timeout_ms)
{
	struct epoll_event ev;
	int n = epoll_wait(ep, &ev, 1, timeout_ms);

	if (n <= 0)
		return n;
	return ev.events & (EPOLLIN | EPOLLRDNORM);
}

TEST_F(region, doorbell_epoll)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDNORM };
	int ep = epoll_create1(EPOLL_CLOEXEC);
	uint64_t count = 99;
	pid_t pid;

	ASSERT_GE(ep, 0);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	EXPECT_EQ(0, epoll_ready(ep, 0));

	/* Another process rings, through its own handle. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd = reopen(self, KIPC_OPEN_WRITE);

		usleep(50000);
		_exit(fd >= 0 && !kt_ioctl(fd, KIPC_IOC_RING, NULL) ? 0 : 1);
	}
	EXPECT_EQ(EPOLLIN | EPOLLRDNORM, epoll_ready(ep, 20000));
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ(0, kr_doorbell(self->fd, &count));
	EXPECT_EQ(1, count);
	EXPECT_EQ(0, epoll_ready(ep, 0));

	EXPECT_EQ(0, kt_ioctl(self->fd, KIPC_IOC_RING, NULL));
	EXPECT_EQ(0, kt_ioctl(self->fd, KIPC_IOC_RING, NULL));
	EXPECT_EQ(EPOLLIN | EPOLLRDNORM, epoll_ready(ep, 0));
	EXPECT_EQ(0, kr_doorbell(self->fd, &count));
	EXPECT_EQ(3, count);
	EXPECT_EQ(0, epoll_ready(ep, 0));
	close(ep);
}

TEST_F(region, doorbell_poll_and_stat)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN | POLLRDNORM };
	struct kipc_stat st;
	int h2;

	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(0, kt_ioctl(self->fd, KIPC_IOC_RING, NULL));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_EQ(POLLIN | POLLRDNORM, pfd.revents);
	ASSERT_EQ(0, kt_stat(self->fd, &st));
	EXPECT_EQ(1, st.doorbell);
	/* A handle opened after the ring starts acknowledged. */
	h2 = reopen(self, KIPC_OPEN_READ);
	ASSERT_GE(h2, 0);
	pfd.fd = h2;
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	close(h2);
}

TEST_F(region, ring_on_readonly_handle_is_ebadf)
{
	int ro = reopen(self, KIPC_OPEN_READ);

	ASSERT_GE(ro, 0);
	EXPECT_EQ(-EBADF, kt_ioctl(ro, KIPC_IOC_RING, NULL));
	/* Reading the counter is fine. */
	EXPECT_EQ(0, kr_doorbell(ro, NULL));
	close(ro);
}

TEST_F(region, doorbell_flags_is_einval)
{
	struct kipc_doorbell d = { .size = sizeof(d), .flags = 1 };

	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_DOORBELL, &d));
}

TEST_F(region, queue_ioctl_on_region_is_enotty)
{
	struct kipc_msg m = { .size = sizeof(m) };

	EXPECT_EQ(-ENOTTY, kt_ioctl(self->fd, KIPC_IOC_SEND, &m));
}

/* ---- permissions ---- */

static int as_nobody(void)
{
	return setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534);
}

TEST_F(region, other_user_cannot_open_0600_region)
{
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (as_nobody())
			_exit(10);
		_exit(-kr_open(self->ctl, self->name, KIPC_OPEN_READ, 0, 0));
	}
	EXPECT_EQ(EACCES, child_status(pid));
}

TEST_F(region, other_user_reads_0644_region_read_only)
{
	struct kipc_perm perm = {
		.size = sizeof(perm), .flags = KIPC_PERM_MODE, .mode = 0644,
	};
	volatile uint32_t *p = map(self->fd, PAGE, PROT_READ | PROT_WRITE);
	pid_t pid;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, kt_ioctl(self->fd, KIPC_IOC_SETPERM, &perm));
	p[7] = 4242;
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		volatile uint32_t *q;
		int fd;

		if (as_nobody())
			_exit(10);
		if (kr_open(self->ctl, self->name, RW, 0, 0) != -EACCES)
			_exit(11);
		fd = kr_open(self->ctl, self->name, KIPC_OPEN_READ, 0, 0);
		if (fd < 0)
			_exit(12);
		q = map(fd, PAGE, PROT_READ);
		if (q == MAP_FAILED)
			_exit(13);
		if (q[7] != 4242)
			_exit(14);
		if (map(fd, PAGE, PROT_READ | PROT_WRITE) != MAP_FAILED ||
		    errno != EACCES)
			_exit(15);
		if (kt_ioctl(fd, KIPC_IOC_RING, NULL) != -EBADF)
			_exit(16);
		_exit(0);
	}
	EXPECT_EQ(0, child_status(pid));
	munmap((void *)p, PAGE);
}

/* ---- module parameters: quota and size limit ---- */

FIXTURE(param) {
	int ctl;
	char saved[64];
	const char *param;
	char name[64];
};

FIXTURE_SETUP(param)
{
	self->ctl = kt_ctl();
	ASSERT_GE(self->ctl, 0);
	snprintf(self->name, sizeof(self->name), "region-param-%d", getpid());
	self->param = NULL;
}

FIXTURE_TEARDOWN(param)
{
	if (self->param)
		kt_param_set(self->param, self->saved);
	kt_unlink(self->ctl, KIPC_TYPE_REGION, self->name);
	close(self->ctl);
}

static int param_override(FIXTURE_DATA(param) *self, const char *param,
			  const char *value)
{
	int ret = kt_param_get(param, self->saved, sizeof(self->saved));

	if (ret)
		return ret;
	self->param = param;
	return kt_param_set(param, value);
}

TEST_F(param, region_over_quota_is_edquot)
{
	int fd;

	ASSERT_EQ(0, param_override(self, "user_quota_bytes", "1048576"));
	EXPECT_EQ(-EDQUOT, kr_open(self->ctl, self->name, CREAT_RW, 0600,
				   2 << 20));
	EXPECT_EQ(-ENOENT, kr_open(self->ctl, self->name, RW, 0, 0));
	/* Within the quota: fine, and it is given back when destroyed. */
	fd = kr_open(self->ctl, self->name, CREAT_RW | KIPC_OPEN_AUTOREMOVE,
		     0600, 512 << 10);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-EDQUOT, kr_open(self->ctl, "region-param-second",
				   CREAT_RW, 0600, 768 << 10));
	close(fd);
	fd = kr_open(self->ctl, "region-param-second",
		     CREAT_RW | KIPC_OPEN_AUTOREMOVE, 0600, 768 << 10);
	EXPECT_GE(fd, 0);
	close(fd);
}

TEST_F(param, max_region_size_is_inclusive)
{
	int fd;

	ASSERT_EQ(0, param_override(self, "max_region_size", "65536"));
	EXPECT_EQ(-EINVAL, kr_open(self->ctl, self->name, CREAT_RW, 0600,
				   65537));
	fd = kr_open(self->ctl, self->name, CREAT_RW | KIPC_OPEN_AUTOREMOVE,
		     0600, 65536);
	EXPECT_GE(fd, 0);
	close(fd);
}

TEST_HARNESS_MAIN
