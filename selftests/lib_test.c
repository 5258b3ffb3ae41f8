// SPDX-License-Identifier: GPL-2.0
/*
 * libkipc: each public function's normal use and the errnos its man page
 * lists.
 */
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#pragma GCC diagnostic ignored "-Wclobbered"	/* harness vfork(), see uring_test.c */

#include "kselftest_harness.h"
#include "kipc_test.h"
#include <kipc.h>

#define QN "lib-test-q"
#define RN "lib-test-r"

static struct timespec in_ms(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

TEST(init_and_version)
{
	unsigned int abi = 0;
	uint64_t feat = 0;
	struct kipc k;

	ASSERT_EQ(0, kipc_init(&k, 0));
	EXPECT_GE(kipc_fd(&k), 0);
	EXPECT_EQ(KIPC_ABI_VERSION, k.abi_version);
	EXPECT_EQ(0, kipc_query_version(&k, &abi, &feat));
	EXPECT_EQ(KIPC_ABI_VERSION, abi);
	EXPECT_EQ(k.features, feat);
	EXPECT_TRUE(kipc_has_feature(&k, KIPC_FEAT_QUEUE));
	/* O_CLOEXEC */
	EXPECT_EQ(FD_CLOEXEC, fcntl(kipc_fd(&k), F_GETFD) & FD_CLOEXEC);
	kipc_exit(&k);
	EXPECT_EQ(-1, kipc_fd(&k));
}

TEST(init_bad_flags_is_einval)
{
	struct kipc k;

	EXPECT_EQ(-EINVAL, kipc_init(&k, 1));
	EXPECT_EQ(-EINVAL, kipc_init(NULL, 0));
}

TEST(query_version_after_exit_is_ebadf)
{
	struct kipc k;

	ASSERT_EQ(0, kipc_init(&k, 0));
	kipc_exit(&k);
	EXPECT_EQ(-EBADF, kipc_query_version(&k, NULL, NULL));
}

TEST(close_bad_fd_is_ebadf)
{
	EXPECT_EQ(-EBADF, kipc_close(-1));
	EXPECT_EQ(-EBADF, kipc_close(1000000));
}

FIXTURE(q) {
	struct kipc k;
	int qd;
};

FIXTURE_SETUP(q)
{
	struct kipc_mq_attr a = { .max_msgs = 4, .max_msgsize = 64 };

	ASSERT_EQ(0, kipc_init(&self->k, 0));
	kipc_mq_unlink(&self->k, QN);
	self->qd = kipc_mq_open(&self->k, QN, KIPC_OPEN_CREAT | KIPC_OPEN_EXCL |
				KIPC_OPEN_READ | KIPC_OPEN_WRITE, 0640, &a);
	ASSERT_GE(self->qd, 0);
}

FIXTURE_TEARDOWN(q)
{
	kipc_mq_close(self->qd);
	kipc_mq_unlink(&self->k, QN);
	kipc_exit(&self->k);
}

TEST_F(q, open_existing_and_getattr)
{
	struct kipc_mq_attr a;
	int fd;

	fd = kipc_mq_open(&self->k, QN, KIPC_OPEN_READ | KIPC_OPEN_NONBLOCK, 0,
			  NULL);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, kipc_mq_getattr(fd, &a));
	EXPECT_EQ(4, a.max_msgs);
	EXPECT_EQ(64, a.max_msgsize);
	EXPECT_EQ(0, a.msgs);
	EXPECT_EQ(1, a.nonblock);
	EXPECT_EQ(0, kipc_set_nonblock(fd, 0));
	ASSERT_EQ(0, kipc_mq_getattr(fd, &a));
	EXPECT_EQ(0, a.nonblock);
	EXPECT_EQ(0, kipc_mq_close(fd));
}

TEST_F(q, open_errors)
{
	EXPECT_EQ(-EEXIST, kipc_mq_open(&self->k, QN, KIPC_OPEN_CREAT |
					KIPC_OPEN_EXCL | KIPC_OPEN_READ, 0600,
					NULL));
	EXPECT_EQ(-ENOENT, kipc_mq_open(&self->k, "lib-nonexistent",
					KIPC_OPEN_READ, 0, NULL));
	EXPECT_EQ(-EINVAL, kipc_mq_open(&self->k, "bad/name", KIPC_OPEN_READ |
					KIPC_OPEN_CREAT, 0600, NULL));
	EXPECT_EQ(-EINVAL, kipc_mq_open(&self->k, QN, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, kipc_mq_open(&self->k, NULL, KIPC_OPEN_READ, 0, NULL));
	EXPECT_EQ(-ENAMETOOLONG, kipc_mq_open(&self->k,
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		KIPC_OPEN_READ, 0, NULL));
}

TEST_F(q, open_without_permission_is_eacces)
{
	pid_t pid = fork();
	int status;

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(kipc_mq_open(&self->k, QN, KIPC_OPEN_READ, 0, NULL) ==
		      -EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(q, unlink)
{
	EXPECT_EQ(0, kipc_mq_unlink(&self->k, QN));
	EXPECT_EQ(-ENOENT, kipc_mq_unlink(&self->k, QN));
	EXPECT_EQ(-EINVAL, kipc_mq_unlink(&self->k, NULL));
	/* The handle keeps working. */
	EXPECT_EQ(0, kipc_mq_send(self->qd, "x", 1, 0));
}

TEST_F(q, send_and_receive)
{
	unsigned int prio = 0;
	char buf[64];

	ASSERT_EQ(0, kipc_mq_send(self->qd, "low", 3, 1));
	ASSERT_EQ(0, kipc_mq_send(self->qd, "high", 4, 9));
	EXPECT_EQ(4, kipc_mq_receive(self->qd, buf, sizeof(buf), &prio));
	EXPECT_EQ(9, prio);
	EXPECT_EQ(0, memcmp(buf, "high", 4));
	EXPECT_EQ(3, kipc_mq_receive(self->qd, buf, sizeof(buf), NULL));
}

TEST_F(q, send_errors)
{
	char big[65] = { 0 };
	int i;

	EXPECT_EQ(-EMSGSIZE, kipc_mq_send(self->qd, big, sizeof(big), 0));
	EXPECT_EQ(-EINVAL, kipc_mq_send(self->qd, "x", 1, KIPC_PRIO_MAX));
	EXPECT_EQ(-EFAULT, kipc_mq_send(self->qd, (void *)8, 4, 0));
	EXPECT_EQ(-ENOTTY, kipc_mq_send(kipc_fd(&self->k), "x", 1, 0));
	EXPECT_EQ(-EBADF, kipc_mq_send(-1, "x", 1, 0));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, kipc_mq_trysend(self->qd, "x", 1, 0));
	EXPECT_EQ(-EAGAIN, kipc_mq_trysend(self->qd, "x", 1, 0));
}

TEST_F(q, send_on_read_only_is_ebadf)
{
	int ro = kipc_mq_open(&self->k, QN, KIPC_OPEN_READ, 0, NULL);

	ASSERT_GE(ro, 0);
	EXPECT_EQ(-EBADF, kipc_mq_send(ro, "x", 1, 0));
	close(ro);
}

TEST_F(q, timed_send_and_receive)
{
	struct timespec ts;
	char buf[64];
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, kipc_mq_send(self->qd, "x", 1, 0));
	ts = in_ms(20);
	EXPECT_EQ(-ETIMEDOUT, kipc_mq_timedsend(self->qd, "x", 1, 0, &ts));
	EXPECT_EQ(-ETIMEDOUT, kipc_mq_send_timeout(self->qd, "x", 1, 0, 20000000));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(1, kipc_mq_tryreceive(self->qd, buf, sizeof(buf), NULL));
	EXPECT_EQ(-EAGAIN, kipc_mq_tryreceive(self->qd, buf, sizeof(buf), NULL));
	ts = in_ms(20);
	EXPECT_EQ(-ETIMEDOUT, kipc_mq_timedreceive(self->qd, buf, sizeof(buf),
						   NULL, &ts));
	EXPECT_EQ(-ETIMEDOUT, kipc_mq_receive_timeout(self->qd, buf, sizeof(buf),
						      NULL, 20000000));
	ts = in_ms(1000);
	EXPECT_EQ(0, kipc_mq_timedsend(self->qd, "y", 1, 0, &ts));
	EXPECT_EQ(0, kipc_mq_send_timeout(self->qd, "z", 1, 0, 1000000000));
	EXPECT_EQ(1, kipc_mq_timedreceive(self->qd, buf, sizeof(buf), NULL, &ts));
	EXPECT_EQ('y', buf[0]);
	EXPECT_EQ(1, kipc_mq_receive_timeout(self->qd, buf, sizeof(buf), NULL,
					     1000000000));
	EXPECT_EQ('z', buf[0]);
}

TEST_F(q, bad_timeouts_are_einval)
{
	struct timespec bad = { .tv_sec = 0, .tv_nsec = 1000000000L };
	char buf[8];

	EXPECT_EQ(-EINVAL, kipc_mq_timedsend(self->qd, "x", 1, 0, &bad));
	EXPECT_EQ(-EINVAL, kipc_mq_timedsend(self->qd, "x", 1, 0, NULL));
	EXPECT_EQ(-EINVAL, kipc_mq_timedreceive(self->qd, buf, 8, NULL, &bad));
	EXPECT_EQ(-EINVAL, kipc_mq_send_timeout(self->qd, "x", 1, 0, -1));
	EXPECT_EQ(-EINVAL, kipc_mq_receive_timeout(self->qd, buf, 8, NULL, -1));
}

TEST_F(q, receive_small_buffer_is_emsgsize)
{
	struct kipc_msg m;
	char buf[2];

	ASSERT_EQ(0, kipc_mq_send(self->qd, "hello", 5, 0));
	EXPECT_EQ(-EMSGSIZE, kipc_mq_receive(self->qd, buf, sizeof(buf), NULL));
	kipc_msg_init(&m, buf, sizeof(buf));
	EXPECT_EQ(-EMSGSIZE, kipc_mq_receivemsg(self->qd, &m));
	EXPECT_EQ(5, m.len);
}

TEST_F(q, receive_on_write_only_is_ebadf)
{
	int wo = kipc_mq_open(&self->k, QN, KIPC_OPEN_WRITE, 0, NULL);
	char buf[8];

	ASSERT_GE(wo, 0);
	EXPECT_EQ(-EBADF, kipc_mq_receive(wo, buf, sizeof(buf), NULL));
	close(wo);
}

TEST_F(q, typed_and_peek)
{
	unsigned int prio;
	char buf[64];

	ASSERT_EQ(0, kipc_mq_send_type(self->qd, "a", 1, 5, 100));
	ASSERT_EQ(0, kipc_mq_send_type(self->qd, "bb", 2, 1, 200));
	EXPECT_EQ(1, kipc_mq_peek(self->qd, buf, sizeof(buf), &prio));
	EXPECT_EQ(5, prio);
	EXPECT_EQ(2, kipc_mq_receive_type(self->qd, buf, sizeof(buf), 200, &prio));
	EXPECT_EQ(1, prio);
	EXPECT_EQ(0, memcmp(buf, "bb", 2));
	EXPECT_EQ(1, kipc_mq_receive(self->qd, buf, sizeof(buf), NULL));
}

TEST_F(q, sendmsg_receivemsg)
{
	struct kipc_msg m;
	char buf[64];

	kipc_msg_init(&m, "msg", 3);
	m.type = 7;
	m.prio = 3;
	ASSERT_EQ(0, kipc_mq_sendmsg(self->qd, &m));
	kipc_msg_init(&m, buf, sizeof(buf));
	ASSERT_EQ(3, kipc_mq_receivemsg(self->qd, &m));
	EXPECT_EQ(7, m.type);
	EXPECT_EQ(3, m.prio);
	EXPECT_EQ(getpid(), m.pid);
	EXPECT_EQ(geteuid(), m.uid);
	EXPECT_EQ(-EINVAL, kipc_mq_sendmsg(self->qd, NULL));
	EXPECT_EQ(-EINVAL, kipc_mq_receivemsg(self->qd, NULL));
	kipc_msg_init(&m, "x", 1);
	m.flags = 1u << 20;
	EXPECT_EQ(-EINVAL, kipc_mq_sendmsg(self->qd, &m));
}

TEST_F(q, call)
{
	struct kipc_msg req, rep;
	unsigned int sent = 9;
	char buf[64];

	/* Request and reply on the same queue: the reply is the request. */
	kipc_msg_init(&req, "ping", 4);
	kipc_msg_init(&rep, buf, sizeof(buf));
	EXPECT_EQ(4, kipc_mq_call(self->qd, &req, self->qd, &rep, &sent));
	EXPECT_EQ(1, sent);
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	EXPECT_EQ(-EINVAL, kipc_mq_call(self->qd, NULL, self->qd, &rep, NULL));
	EXPECT_EQ(-EBADF, kipc_mq_call(self->qd, &req, 1000000, &rep, &sent));
	EXPECT_EQ(0, sent);
}

TEST_F(q, sendv_receivev)
{
	struct kipc_msg m[6];
	char buf[6][8];
	int i, err = 1;

	for (i = 0; i < 6; i++)
		kipc_msg_init(&m[i], "v", 1);
	m[0].flags = m[1].flags = m[2].flags = m[3].flags = m[4].flags =
		m[5].flags = KIPC_F_NONBLOCK;
	EXPECT_EQ(4, kipc_mq_sendv(self->qd, m, 6, 0, &err));
	EXPECT_EQ(-EAGAIN, err);
	for (i = 0; i < 6; i++) {
		kipc_msg_init(&m[i], buf[i], sizeof(buf[i]));
		m[i].flags = KIPC_F_NONBLOCK;
	}
	EXPECT_EQ(4, kipc_mq_receivev(self->qd, m, 6, 0, &err));
	EXPECT_EQ(-EAGAIN, err);
	EXPECT_EQ(-EAGAIN, kipc_mq_receivev(self->qd, m, 1, 0, &err));
	EXPECT_EQ(-EAGAIN, err);
	EXPECT_EQ(-EINVAL, kipc_mq_sendv(self->qd, m, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, kipc_mq_sendv(self->qd, m, 1, 1u << 9, NULL));
}

TEST_F(q, sendv_results)
{
	char big[256] = "big", buf[8];
	struct kipc_msg m[3];
	int32_t res[3] = { 7, 7, 7 };

	EXPECT_TRUE(kipc_has_feature(&self->k, KIPC_FEAT_QUEUE_VEC_RESULTS));
	kipc_msg_init(&m[0], "a", 1);
	kipc_msg_init(&m[1], big, sizeof(big));
	kipc_msg_init(&m[2], "c", 1);
	EXPECT_EQ(3, kipc_mq_sendv_results(self->qd, m, 3, 0, res));
	EXPECT_EQ(0, res[0]);
	EXPECT_EQ(-EMSGSIZE, res[1]);
	EXPECT_EQ(0, res[2]);
	EXPECT_EQ(1, kipc_mq_tryreceive(self->qd, buf, sizeof(buf), NULL));
	EXPECT_EQ('a', buf[0]);
	EXPECT_EQ(1, kipc_mq_tryreceive(self->qd, buf, sizeof(buf), NULL));
	EXPECT_EQ('c', buf[0]);
	EXPECT_EQ(-EINVAL, kipc_mq_sendv_results(self->qd, m, 3, 0, NULL));
	EXPECT_EQ(-EINVAL, kipc_mq_sendv_results(self->qd, m, 0, 0, res));
	EXPECT_EQ(-EFAULT, kipc_mq_sendv_results(self->qd, (void *)8, 1, 0,
						 res));
}

static volatile sig_atomic_t got_signal;

static void on_usr1(int sig)
{
	got_signal = sig;
}

TEST_F(q, notify)
{
	int i;

	signal(SIGUSR1, on_usr1);
	got_signal = 0;
	ASSERT_EQ(0, kipc_mq_notify(self->qd, SIGUSR1));
	EXPECT_EQ(-EINVAL, kipc_mq_notify(self->qd, 65));
	ASSERT_EQ(0, kipc_mq_send(self->qd, "n", 1, 0));
	for (i = 0; i < 100 && !got_signal; i++)
		usleep(10000);
	EXPECT_EQ(SIGUSR1, got_signal);
	ASSERT_EQ(0, kipc_mq_notify(self->qd, SIGUSR1));
	EXPECT_EQ(0, kipc_mq_notify(self->qd, 0));
}

TEST_F(q, notify_busy_is_ebusy)
{
	pid_t pid;
	int status;

	ASSERT_EQ(0, kipc_mq_notify(self->qd, SIGUSR1));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(kipc_mq_notify(self->qd, SIGUSR2) == -EBUSY ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, kipc_mq_notify(self->qd, 0));
}

TEST_F(q, stat_chmod_chown)
{
	struct kipc_stat st;

	ASSERT_EQ(0, kipc_stat(self->qd, &st));
	EXPECT_EQ(KIPC_TYPE_QUEUE, st.type);
	EXPECT_STREQ(QN, (char *)st.name);
	EXPECT_EQ(0640, st.mode);
	EXPECT_EQ(0, kipc_fchmod(self->qd, 0600));
	EXPECT_EQ(0, kipc_fchown(self->qd, 0, 0));
	ASSERT_EQ(0, kipc_stat(self->qd, &st));
	EXPECT_EQ(0600, st.mode);
	EXPECT_EQ(-EINVAL, kipc_fchmod(self->qd, 01000));
	EXPECT_EQ(-EINVAL, kipc_stat(self->qd, NULL));
	EXPECT_EQ(-ENOTTY, kipc_stat(kipc_fd(&self->k), &st));
	EXPECT_EQ(-EBADF, kipc_set_nonblock(-1, 1));
}

TEST_F(q, chmod_by_non_owner_is_eperm)
{
	pid_t pid;
	int status;

	ASSERT_EQ(0, kipc_fchmod(self->qd, 0666));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(kipc_fchmod(self->qd, 0600) == -EPERM &&
		      kipc_fchown(self->qd, 65534, 65534) == -EPERM &&
		      kipc_mq_unlink(&self->k, QN) == -EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(q, getattr_on_region_is_enotty)
{
	struct kipc_mq_attr a;
	int r;

	r = kipc_shm_open(&self->k, RN "-x", KIPC_OPEN_CREAT | KIPC_OPEN_AUTOREMOVE |
			  KIPC_OPEN_READ, 0600, 4096);
	ASSERT_GE(r, 0);
	EXPECT_EQ(-ENOTTY, kipc_mq_getattr(r, &a));
	EXPECT_EQ(-EINVAL, kipc_mq_getattr(self->qd, NULL));
	EXPECT_EQ(-ENOTTY, kipc_shm_size(self->qd));
	close(r);
}

FIXTURE(r) {
	struct kipc k;
	int fd;
};

FIXTURE_SETUP(r)
{
	ASSERT_EQ(0, kipc_init(&self->k, 0));
	kipc_shm_unlink(&self->k, RN);
	self->fd = kipc_shm_open(&self->k, RN, KIPC_OPEN_CREAT | KIPC_OPEN_EXCL |
				 KIPC_OPEN_READ | KIPC_OPEN_WRITE, 0600, 5000);
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(r)
{
	kipc_shm_close(self->fd);
	kipc_shm_unlink(&self->k, RN);
	kipc_exit(&self->k);
}

TEST_F(r, size_map_unmap)
{
	size_t len = 0;
	void *p = NULL;

	EXPECT_EQ(8192, kipc_shm_size(self->fd));
	ASSERT_EQ(0, kipc_shm_map(self->fd, PROT_READ | PROT_WRITE, &p, &len));
	EXPECT_EQ(8192, len);
	memset(p, 0xab, len);
	EXPECT_EQ(0, kipc_shm_unmap(p, len));
	EXPECT_EQ(-EINVAL, kipc_shm_map(self->fd, PROT_EXEC, &p, &len));
	EXPECT_EQ(-EINVAL, kipc_shm_map(self->fd, PROT_READ, NULL, &len));
	EXPECT_EQ(-EINVAL, kipc_shm_unmap((void *)1, 4096));
}

TEST_F(r, map_write_on_read_only_is_eacces)
{
	int ro = kipc_shm_open(&self->k, RN, KIPC_OPEN_READ, 0, 0);
	size_t len;
	void *p;

	ASSERT_GE(ro, 0);
	EXPECT_EQ(-EACCES, kipc_shm_map(ro, PROT_READ | PROT_WRITE, &p, &len));
	ASSERT_EQ(0, kipc_shm_map(ro, PROT_READ, &p, &len));
	kipc_shm_unmap(p, len);
	close(ro);
}

TEST_F(r, open_errors)
{
	EXPECT_EQ(-EEXIST, kipc_shm_open(&self->k, RN, KIPC_OPEN_CREAT |
					 KIPC_OPEN_EXCL | KIPC_OPEN_READ, 0600,
					 4096));
	EXPECT_EQ(-ENOENT, kipc_shm_open(&self->k, "lib-no-region",
					 KIPC_OPEN_READ, 0, 0));
	EXPECT_EQ(0, kipc_shm_unlink(&self->k, RN));
	EXPECT_EQ(-ENOENT, kipc_shm_unlink(&self->k, RN));
}

TEST_F(r, wait_and_wake)
{
	struct timespec ts = in_ms(20);

	/* The word (0) differs from 1: no sleep. */
	EXPECT_EQ(-EAGAIN, kipc_shm_wait(self->fd, 0, 1));
	EXPECT_EQ(-ETIMEDOUT, kipc_shm_timedwait(self->fd, 0, 0, &ts));
	EXPECT_EQ(-ETIMEDOUT, kipc_shm_wait_timeout(self->fd, 0, 0, 20000000));
	EXPECT_EQ(-EINVAL, kipc_shm_wait(self->fd, 2, 0));
	EXPECT_EQ(-EINVAL, kipc_shm_wait(self->fd, 8192, 0));
	EXPECT_EQ(0, kipc_shm_wake(self->fd, 0, KIPC_WAKE_ALL));
	EXPECT_EQ(-EINVAL, kipc_shm_wake(self->fd, 3, 1));
}

TEST_F(r, wake_wakes_a_waiter)
{
	pid_t pid = fork();
	int status, i, woken = 0;

	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(kipc_shm_wait_timeout(self->fd, 64, 0, 5000000000LL) == 0 ?
		      0 : 1);
	for (i = 0; i < 500 && !woken; i++) {
		usleep(10000);
		woken = kipc_shm_wake(self->fd, 64, 1);
	}
	EXPECT_EQ(1, woken);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(r, lock_unlock)
{
	struct timespec ts = in_ms(20);
	int fd2;

	fd2 = kipc_shm_open(&self->k, RN, KIPC_OPEN_READ | KIPC_OPEN_WRITE, 0, 0);
	ASSERT_GE(fd2, 0);
	ASSERT_EQ(0, kipc_shm_lock(self->fd));
	EXPECT_EQ(-EDEADLK, kipc_shm_lock(self->fd));
	EXPECT_EQ(-EAGAIN, kipc_shm_trylock(fd2, 0));
	EXPECT_EQ(-ETIMEDOUT, kipc_shm_timedlock(fd2, 0, &ts));
	EXPECT_EQ(-ETIMEDOUT, kipc_shm_lock_timeout(fd2, KIPC_LOCK_SHARED,
						    20000000));
	EXPECT_EQ(-EPERM, kipc_shm_unlock(fd2));
	EXPECT_EQ(0, kipc_shm_unlock(self->fd));
	EXPECT_EQ(0, kipc_shm_lock_shared(self->fd));
	EXPECT_EQ(0, kipc_shm_trylock(fd2, KIPC_LOCK_SHARED));
	EXPECT_EQ(0, kipc_shm_unlock(fd2));
	EXPECT_EQ(0, kipc_shm_unlock(self->fd));
	ts = in_ms(1000);
	EXPECT_EQ(0, kipc_shm_timedlock(fd2, 0, &ts));
	EXPECT_EQ(0, kipc_shm_unlock(fd2));
	EXPECT_EQ(0, kipc_shm_lock_timeout(fd2, 0, 1000000000));
	EXPECT_EQ(0, kipc_shm_unlock(fd2));
	EXPECT_EQ(-EINVAL, kipc_shm_trylock(fd2, 1));
	EXPECT_EQ(-EINVAL, kipc_shm_timedlock(fd2, 0, NULL));
	EXPECT_EQ(-EPERM, kipc_shm_consistent(fd2));
	close(fd2);
}

TEST_F(r, lock_from_dead_owner_is_eownerdead)
{
	struct kipc_stat st;
	pid_t pid;
	int status;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd = kipc_shm_open(&self->k, RN, KIPC_OPEN_READ |
				       KIPC_OPEN_WRITE, 0, 0);

		/* Dies holding the lock, through its own handle. */
		_exit(fd >= 0 && kipc_shm_lock(fd) == 0 ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	/* Taken, and held, but the data may be inconsistent. */
	ASSERT_EQ(-EOWNERDEAD, kipc_shm_lock(self->fd));
	ASSERT_EQ(0, kipc_stat(self->fd, &st));
	EXPECT_TRUE(st.flags & KIPC_STAT_LOCK_EXCL);
	EXPECT_EQ(0, kipc_shm_consistent(self->fd));
	EXPECT_EQ(0, kipc_shm_unlock(self->fd));
	EXPECT_EQ(0, kipc_shm_lock(self->fd));
	EXPECT_EQ(0, kipc_shm_unlock(self->fd));
}

TEST_F(r, doorbell)
{
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	uint64_t count = 99;
	int ro;

	EXPECT_EQ(0, kipc_shm_doorbell(self->fd, &count));
	EXPECT_EQ(0, count);
	EXPECT_EQ(0, kipc_shm_ring(self->fd));
	EXPECT_EQ(1, poll(&pfd, 1, 1000));
	EXPECT_EQ(0, kipc_shm_doorbell(self->fd, &count));
	EXPECT_EQ(1, count);
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	ro = kipc_shm_open(&self->k, RN, KIPC_OPEN_READ, 0, 0);
	ASSERT_GE(ro, 0);
	EXPECT_EQ(-EBADF, kipc_shm_ring(ro));
	close(ro);
}

TEST_F(r, queue_calls_on_region_are_enotty)
{
	char buf[4];

	EXPECT_EQ(-ENOTTY, kipc_mq_send(self->fd, "x", 1, 0));
	EXPECT_EQ(-ENOTTY, kipc_mq_receive(self->fd, buf, 4, NULL));
	EXPECT_EQ(-ENOTTY, kipc_mq_notify(self->fd, SIGUSR1));
}

TEST(batch_errors)
{
	struct kipc_completion c;
	struct kipc_batch *b;
	struct kipc_msg m;

	EXPECT_EQ(-EINVAL, kipc_batch_create(&b, 0, 0));
	EXPECT_EQ(-EINVAL, kipc_batch_create(&b, 8, 1u << 5));
	EXPECT_EQ(-EINVAL, kipc_batch_create(NULL, 8, 0));
	ASSERT_EQ(0, kipc_batch_create(&b, 2, 0));
	EXPECT_GE(kipc_batch_fd(b), 0);
	EXPECT_EQ(0, kipc_batch_submit(b));
	EXPECT_EQ(0, kipc_batch_inflight(b));
	EXPECT_EQ(-EINVAL, kipc_batch_send(b, 0, NULL, NULL));
	/* Waiting for more than is in flight would never return. */
	EXPECT_EQ(-EINVAL, kipc_batch_reap(b, &c, 1, 1));
	kipc_msg_init(&m, "x", 1);
	/* A bad descriptor fails in the completion, not at queueing time. */
	ASSERT_EQ(0, kipc_batch_receive(b, 1000000, &m, NULL));
	ASSERT_EQ(1, kipc_batch_run(b, &c, 1));
	EXPECT_EQ(-EBADF, c.res);
	kipc_batch_destroy(b);
}

TEST_HARNESS_MAIN
