// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring commands on queue handles (IORING_OP_URING_CMD), through both
 * libkipc layers: the SQE prep helpers on a test-owned ring, and the batch
 * API that owns its ring.
 */
#include <liburing.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <time.h>

/*
 * gcc 12 sees the harness's vfork() in TEST_F wrappers into which it inlines
 * large test bodies, and warns about "child"; the harness does not rely on it.
 */
#pragma GCC diagnostic ignored "-Wclobbered"

#include "kselftest_harness.h"
#include "kipc_test.h"
#include <kipc.h>

#define QNAME "uring-test-q"

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait up to 5 s for a queue's waiter count to be @want (or, with @atleast, >= @want). */
static int wait_waiters_cmp(int qd, unsigned int want, int atleast)
{
	struct kipc_stat st;
	int i;

	for (i = 0; i < 500; i++) {
		if (kipc_stat(qd, &st) < 0)
			return -1;
		if (st.waiters == want || (atleast && st.waiters > want))
			return 0;
		msleep(10);
	}
	return -1;
}

static int wait_waiters(int qd, unsigned int want)
{
	return wait_waiters_cmp(qd, want, 0);
}

FIXTURE(uq) {
	struct kipc k;
	int qd;
};

FIXTURE_SETUP(uq)
{
	struct kipc_mq_attr attr = { .max_msgs = 256, .max_msgsize = 128 };

	ASSERT_EQ(0, kipc_init(&self->k, 0));
	kipc_mq_unlink(&self->k, QNAME);
	self->qd = kipc_mq_open(&self->k, QNAME, KIPC_OPEN_CREAT | KIPC_OPEN_EXCL |
				KIPC_OPEN_READ | KIPC_OPEN_WRITE, 0600, &attr);
	ASSERT_GE(self->qd, 0);
}

FIXTURE_TEARDOWN(uq)
{
	close(self->qd);
	kipc_mq_unlink(&self->k, QNAME);
	kipc_exit(&self->k);
}

TEST_F(uq, feature_bit)
{
	EXPECT_TRUE(kipc_has_feature(&self->k, KIPC_FEAT_URING));
	EXPECT_TRUE(kipc_has_feature(&self->k, KIPC_FEAT_URING_SENDV));
}

/* Batches of 1..256 sends: each completes with 0, in order, with content. */
TEST_F(uq, batch_sends_1_to_256)
{
	static const unsigned int sizes[] = { 1, 2, 7, 32, 100, 255, 256 };
	static struct kipc_msg msgs[256];
	static struct kipc_completion done[256];
	static uint32_t payload[256];
	struct kipc_batch *b;
	unsigned int s, i;

	ASSERT_EQ(0, kipc_batch_create(&b, 256, 0));
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		unsigned int n = sizes[s];

		for (i = 0; i < n; i++) {
			payload[i] = s * 1000 + i;
			kipc_msg_init(&msgs[i], &payload[i], sizeof(payload[i]));
			ASSERT_EQ(0, kipc_batch_send(b, self->qd, &msgs[i],
						     (void *)(uintptr_t)i));
		}
		ASSERT_EQ(n, kipc_batch_run(b, done, 256));
		ASSERT_EQ(0, kipc_batch_inflight(b));
		for (i = 0; i < n; i++) {
			EXPECT_EQ(0, done[i].res);
			EXPECT_EQ(KIPC_URING_SEND, done[i].op);
			EXPECT_EQ(&msgs[(uintptr_t)done[i].user_data], done[i].msg);
		}
		for (i = 0; i < n; i++) {
			uint32_t v = ~0u;

			ASSERT_EQ(sizeof(v), kipc_mq_tryreceive(self->qd, &v,
								sizeof(v), NULL));
			EXPECT_EQ(s * 1000 + i, v);
		}
		EXPECT_EQ(-EAGAIN, kipc_mq_tryreceive(self->qd, payload, 4, NULL));
	}
	kipc_batch_destroy(b);
}

/* A full batch is -EBUSY until it is reaped. */
TEST_F(uq, batch_full_is_ebusy)
{
	struct kipc_completion done[2];
	struct kipc_msg m[3];
	struct kipc_batch *b;
	char c = 'x';

	ASSERT_EQ(0, kipc_batch_create(&b, 2, 0));
	kipc_msg_init(&m[0], &c, 1);
	kipc_msg_init(&m[1], &c, 1);
	kipc_msg_init(&m[2], &c, 1);
	ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[0], NULL));
	ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[1], NULL));
	EXPECT_EQ(-EBUSY, kipc_batch_send(b, self->qd, &m[2], NULL));
	EXPECT_EQ(2, kipc_batch_run(b, done, 2));
	EXPECT_EQ(0, kipc_batch_send(b, self->qd, &m[2], NULL));
	EXPECT_EQ(1, kipc_batch_run(b, done, 2));
	kipc_batch_destroy(b);
}

/* Receives through a batch get length, content and the sender's identity. */
TEST_F(uq, batch_receives)
{
	struct kipc_completion done[16];
	struct kipc_msg m[16];
	char buf[16][32];
	struct kipc_batch *b;
	int i;

	for (i = 0; i < 16; i++) {
		char s[32];
		int len = snprintf(s, sizeof(s), "message %d", i);

		ASSERT_EQ(0, kipc_mq_send(self->qd, s, len, 0));
	}
	ASSERT_EQ(0, kipc_batch_create(&b, 16, 0));
	for (i = 0; i < 16; i++) {
		kipc_msg_init(&m[i], buf[i], sizeof(buf[i]));
		ASSERT_EQ(0, kipc_batch_receive(b, self->qd, &m[i], NULL));
	}
	ASSERT_EQ(16, kipc_batch_run(b, done, 16));
	for (i = 0; i < 16; i++) {
		char s[32];
		int len = snprintf(s, sizeof(s), "message %d", i);

		/* One receive per message, in order (same priority: FIFO). */
		EXPECT_EQ(KIPC_URING_RECV, done[i].op);
		ASSERT_EQ(len, done[i].res);
		EXPECT_EQ(len, done[i].msg->len);
		EXPECT_EQ(getpid(), done[i].msg->pid);
		EXPECT_EQ(geteuid(), done[i].msg->uid);
		EXPECT_EQ(0, memcmp(s, (char *)(uintptr_t)done[i].msg->buf, len));
		/* Flags are given back as the caller set them. */
		EXPECT_EQ(0, done[i].msg->flags);
	}
	kipc_batch_destroy(b);
}

/*
 * One batch mixing success and failure: an oversize send (EMSGSIZE), a
 * non-blocking send to a full queue (EAGAIN), others fine; each entry gets
 * its own status.
 */
TEST_F(uq, mixed_results_in_one_batch)
{
	struct kipc_mq_attr one = { .max_msgs = 1, .max_msgsize = 16 };
	struct kipc_completion done[4];
	struct kipc_msg m[4];
	char big[256] = "big", small[8] = "ok";
	struct kipc_batch *b;
	int full, i, seen = 0;

	kipc_mq_unlink(&self->k, QNAME "-full");
	full = kipc_mq_open(&self->k, QNAME "-full", KIPC_OPEN_CREAT |
			    KIPC_OPEN_AUTOREMOVE | KIPC_OPEN_READ |
			    KIPC_OPEN_WRITE, 0600, &one);
	ASSERT_GE(full, 0);
	ASSERT_EQ(0, kipc_mq_send(full, "x", 1, 0));

	ASSERT_EQ(0, kipc_batch_create(&b, 4, 0));
	kipc_msg_init(&m[0], small, 2);
	kipc_msg_init(&m[1], big, sizeof(big));		/* > 128 */
	kipc_msg_init(&m[2], small, 2);
	m[2].flags = KIPC_F_NONBLOCK;
	kipc_msg_init(&m[3], small, 3);
	ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[0], (void *)0));
	ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[1], (void *)1));
	ASSERT_EQ(0, kipc_batch_send(b, full, &m[2], (void *)2));
	ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[3], (void *)3));
	ASSERT_EQ(4, kipc_batch_run(b, done, 4));
	for (i = 0; i < 4; i++) {
		static const int want[4] = { 0, -EMSGSIZE, -EAGAIN, 0 };
		uintptr_t idx = (uintptr_t)done[i].user_data;

		ASSERT_LT(idx, 4);
		EXPECT_EQ(want[idx], done[i].res);
		seen |= 1 << idx;
	}
	EXPECT_EQ(0xf, seen);
	/* The two good ones arrived, and only them. */
	EXPECT_EQ(2, kipc_mq_tryreceive(self->qd, small, sizeof(small), NULL));
	EXPECT_EQ(3, kipc_mq_tryreceive(self->qd, small, sizeof(small), NULL));
	EXPECT_EQ(-EAGAIN, kipc_mq_tryreceive(self->qd, small, sizeof(small), NULL));
	kipc_batch_destroy(b);
	close(full);
}

struct sender {
	int qd;
	int n;
};

static void *send_later(void *arg)
{
	struct sender *s = arg;
	int i;

	msleep(100);
	for (i = 0; i < s->n; i++) {
		uint32_t v = i;

		if (kipc_mq_send(s->qd, &v, sizeof(v), 0))
			break;
	}
	return NULL;
}

/* Receives queued on an empty queue complete as a sender fills it. */
TEST_F(uq, receives_pending_while_sender_fills)
{
	struct kipc_completion done[32];
	struct sender s = { .qd = self->qd, .n = 32 };
	struct kipc_msg m[32];
	uint32_t v[32];
	unsigned int seen = 0;
	struct kipc_batch *b;
	pthread_t thr;
	int i, got = 0;

	ASSERT_EQ(0, kipc_batch_create(&b, 32, 0));
	for (i = 0; i < 32; i++) {
		kipc_msg_init(&m[i], &v[i], sizeof(v[i]));
		ASSERT_EQ(0, kipc_batch_receive(b, self->qd, &m[i], NULL));
	}
	ASSERT_EQ(32, kipc_batch_submit(b));
	/* Nothing can complete yet. */
	EXPECT_EQ(0, kipc_batch_reap(b, done, 32, 0));
	ASSERT_EQ(0, pthread_create(&thr, NULL, send_later, &s));
	while (got < 32) {
		int n = kipc_batch_reap(b, done, 32, 1);

		ASSERT_GT(n, 0);
		for (i = 0; i < n; i++) {
			uint32_t x = *(uint32_t *)(uintptr_t)done[i].msg->buf;

			ASSERT_EQ(4, done[i].res);
			ASSERT_LT(x, 32);
			EXPECT_FALSE(seen & (1u << x));
			seen |= 1u << x;
		}
		got += n;
	}
	EXPECT_EQ(0xffffffffu, seen);
	pthread_join(thr, NULL);
	kipc_batch_destroy(b);
}

/* A receive waiting in io-wq honours a relative timeout. */
TEST_F(uq, pending_receive_times_out)
{
	struct kipc_completion done[1];
	struct kipc_msg m;
	struct kipc_batch *b;
	char buf[8];

	ASSERT_EQ(0, kipc_batch_create(&b, 1, 0));
	kipc_msg_init(&m, buf, sizeof(buf));
	m.flags = KIPC_F_TIMEOUT;
	m.timeout_ns = 50 * 1000000LL;
	ASSERT_EQ(0, kipc_batch_receive(b, self->qd, &m, NULL));
	ASSERT_EQ(1, kipc_batch_run(b, done, 1));
	EXPECT_EQ(-ETIMEDOUT, done[0].res);
	kipc_batch_destroy(b);
}

/* SQPOLL: the sender credentials are the submitting process's. */
TEST_F(uq, sqpoll_sender_credentials)
{
	struct kipc_completion done[2];
	struct kipc_msg m, r;
	struct kipc_batch *b;
	char buf[16];
	int ret;

	ret = kipc_batch_create(&b, 4, KIPC_BATCH_SQPOLL);
	ASSERT_EQ(0, ret);
	kipc_msg_init(&m, "sqpoll", 6);
	ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m, NULL));
	ASSERT_EQ(1, kipc_batch_run(b, done, 2));
	ASSERT_EQ(0, done[0].res);
	kipc_msg_init(&r, buf, sizeof(buf));
	ASSERT_EQ(6, kipc_mq_receivemsg(self->qd, &r));
	EXPECT_EQ(getpid(), r.pid);
	EXPECT_EQ(geteuid(), r.uid);
	EXPECT_EQ(getegid(), r.gid);

	/* A receive that must wait (io-wq under the SQPOLL thread). */
	kipc_msg_init(&r, buf, sizeof(buf));
	ASSERT_EQ(0, kipc_batch_receive(b, self->qd, &r, NULL));
	ASSERT_EQ(1, kipc_batch_submit(b));
	msleep(50);
	ASSERT_EQ(0, kipc_mq_send(self->qd, "later", 5, 0));
	ASSERT_EQ(1, kipc_batch_reap(b, done, 2, 1));
	EXPECT_EQ(5, done[0].res);
	EXPECT_EQ(getpid(), r.pid);
	kipc_batch_destroy(b);
}

/* A ring closed with receives pending: no hang, the waiters go away. */
TEST_F(uq, ring_exit_with_pending_receives)
{
	struct kipc_msg m[4];
	struct kipc_batch *b;
	char buf[4][8];
	int i;

	/* io-wq runs at most 4 blocking commands per CPU at a time. */
	ASSERT_EQ(0, kipc_batch_create(&b, 4, 0));
	for (i = 0; i < 4; i++) {
		kipc_msg_init(&m[i], buf[i], sizeof(buf[i]));
		ASSERT_EQ(0, kipc_batch_receive(b, self->qd, &m[i], NULL));
	}
	ASSERT_EQ(4, kipc_batch_submit(b));
	ASSERT_EQ(0, wait_waiters(self->qd, 4));
	kipc_batch_destroy(b);
	EXPECT_EQ(0, wait_waiters(self->qd, 0));
	/* The queue is intact and no message was eaten. */
	ASSERT_EQ(0, kipc_mq_send(self->qd, "after", 5, 0));
	EXPECT_EQ(5, kipc_mq_tryreceive(self->qd, buf[0], 8, NULL));
}

/* A process killed with pending receive commands: no hang, no leak. */
TEST_F(uq, sigkill_with_pending_receives)
{
	struct kipc_stat st;
	int pfd[2], status;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		static struct kipc_msg m[16];
		static char buf[16][8];
		struct kipc_batch *b;
		int i;

		if (kipc_batch_create(&b, 16, 0))
			_exit(1);
		for (i = 0; i < 16; i++) {
			kipc_msg_init(&m[i], buf[i], sizeof(buf[i]));
			kipc_batch_receive(b, self->qd, &m[i], NULL);
		}
		if (kipc_batch_submit(b) != 16)
			_exit(1);
		if (write(pfd[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pfd[1]);
	ASSERT_EQ(1, read(pfd[0], &c, 1));
	close(pfd[0]);
	/* Some block in io-wq workers, the rest wait for a worker. */
	if (wait_waiters_cmp(self->qd, 1, 1))
		kill(pid, SIGKILL);
	ASSERT_EQ(0, wait_waiters_cmp(self->qd, 1, 1));
	msleep(100);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(0, wait_waiters(self->qd, 0));
	/* Only the test's own handle is left (the child's went with it). */
	ASSERT_EQ(0, kipc_stat(self->qd, &st));
	EXPECT_EQ(1, st.handles);
	EXPECT_EQ(0, st.msgs);
	ASSERT_EQ(0, kipc_mq_send(self->qd, "alive", 5, 0));
	ASSERT_EQ(0, kipc_stat(self->qd, &st));
	EXPECT_EQ(1, st.msgs);
}

/* Layer 1: the SQE prep helpers on a ring the test owns. */
FIXTURE(raw) {
	struct kipc k;
	struct io_uring ring;
	int qd;
};

FIXTURE_SETUP(raw)
{
	struct kipc_mq_attr attr = { .max_msgs = 4, .max_msgsize = 16 };

	ASSERT_EQ(0, kipc_init(&self->k, 0));
	kipc_mq_unlink(&self->k, QNAME "-raw");
	self->qd = kipc_mq_open(&self->k, QNAME "-raw", KIPC_OPEN_CREAT |
				KIPC_OPEN_AUTOREMOVE | KIPC_OPEN_READ |
				KIPC_OPEN_WRITE, 0600, &attr);
	ASSERT_GE(self->qd, 0);
	ASSERT_EQ(0, io_uring_queue_init(8, &self->ring, 0));
}

FIXTURE_TEARDOWN(raw)
{
	io_uring_queue_exit(&self->ring);
	close(self->qd);
	kipc_exit(&self->k);
}

/* An SQE of a ring that has room (these tests use one at a time). */
static struct io_uring_sqe *get_sqe(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		abort();
	return sqe;
}

/* Submit one prepared SQE and return its CQE's res. */
static int one(struct io_uring *ring, struct io_uring_sqe *sqe)
{
	struct io_uring_cqe *cqe;
	int ret;

	(void)sqe;
	ret = io_uring_submit_and_wait(ring, 1);
	if (ret != 1)
		return -1000 + ret;
	ret = io_uring_wait_cqe(ring, &cqe);
	if (ret)
		return -2000 + ret;
	ret = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return ret;
}

TEST_F(raw, send_and_receive)
{
	struct io_uring_sqe *sqe;
	struct kipc_msg m;
	char buf[16];

	kipc_msg_init(&m, "hello", 5);
	m.prio = 7;
	m.type = 42;
	sqe = get_sqe(&self->ring);
	kipc_prep_uring_send(sqe, self->qd, &m);
	EXPECT_EQ(IORING_OP_URING_CMD, sqe->opcode);
	EXPECT_EQ(KIPC_URING_SEND, sqe->cmd_op);
	EXPECT_EQ(0, one(&self->ring, sqe));

	kipc_msg_init(&m, buf, sizeof(buf));
	sqe = get_sqe(&self->ring);
	kipc_prep_uring_recv(sqe, self->qd, &m);
	EXPECT_EQ(5, one(&self->ring, sqe));
	EXPECT_EQ(5, m.len);
	EXPECT_EQ(7, m.prio);
	EXPECT_EQ(42, m.type);
	EXPECT_EQ(getpid(), m.pid);
	EXPECT_NE(0, m.time_ns);
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
}

TEST_F(raw, unknown_cmd_op_is_enotty)
{
	struct io_uring_sqe *sqe = get_sqe(&self->ring);
	struct kipc_msg m;

	kipc_msg_init(&m, "x", 1);
	kipc_prep_uring_cmd(sqe, self->qd, KIPC_IOC_STAT, &m);
	EXPECT_EQ(-ENOTTY, one(&self->ring, sqe));
}

TEST_F(raw, command_flags_must_be_zero)
{
	struct io_uring_sqe *sqe = get_sqe(&self->ring);
	struct kipc_uring_cmd *c;
	struct kipc_msg m;

	kipc_msg_init(&m, "x", 1);
	kipc_prep_uring_send(sqe, self->qd, &m);
	c = (struct kipc_uring_cmd *)((char *)sqe +
				     offsetof(struct io_uring_sqe, cmd));
	c->flags = 1;
	EXPECT_EQ(-EINVAL, one(&self->ring, sqe));
}

TEST_F(raw, command_reserved_must_be_zero)
{
	struct io_uring_sqe *sqe = get_sqe(&self->ring);
	struct kipc_uring_cmd *c;
	struct kipc_msg m;

	kipc_msg_init(&m, "x", 1);
	kipc_prep_uring_send(sqe, self->qd, &m);
	c = (struct kipc_uring_cmd *)((char *)sqe +
				     offsetof(struct io_uring_sqe, cmd));
	c->__reserved = 1;
	EXPECT_EQ(-EINVAL, one(&self->ring, sqe));
}

TEST_F(raw, bad_msg_pointer_is_efault)
{
	struct io_uring_sqe *sqe = get_sqe(&self->ring);

	kipc_prep_uring_send(sqe, self->qd, (struct kipc_msg *)8);
	EXPECT_EQ(-EFAULT, one(&self->ring, sqe));
}

TEST_F(raw, msg_size_too_small_is_einval)
{
	struct io_uring_sqe *sqe = get_sqe(&self->ring);
	struct kipc_msg m;

	kipc_msg_init(&m, "x", 1);
	m.size = 4;
	kipc_prep_uring_send(sqe, self->qd, &m);
	EXPECT_EQ(-EINVAL, one(&self->ring, sqe));
}

TEST_F(raw, nonblock_with_timeout_is_einval)
{
	struct io_uring_sqe *sqe = get_sqe(&self->ring);
	struct kipc_msg m;

	kipc_msg_init(&m, "x", 1);
	m.flags = KIPC_F_NONBLOCK | KIPC_F_TIMEOUT;
	kipc_prep_uring_send(sqe, self->qd, &m);
	EXPECT_EQ(-EINVAL, one(&self->ring, sqe));
}

TEST_F(raw, receive_small_buffer_is_emsgsize)
{
	struct io_uring_sqe *sqe;
	struct kipc_msg m;
	char buf[4];

	ASSERT_EQ(0, kipc_mq_send(self->qd, "0123456789", 10, 0));
	kipc_msg_init(&m, buf, sizeof(buf));
	sqe = get_sqe(&self->ring);
	kipc_prep_uring_recv(sqe, self->qd, &m);
	EXPECT_EQ(-EMSGSIZE, one(&self->ring, sqe));
	/* The length needed comes back, as from the ioctl. */
	EXPECT_EQ(10, m.len);
}

TEST_F(raw, send_on_read_only_handle_is_ebadf)
{
	struct io_uring_sqe *sqe = get_sqe(&self->ring);
	struct kipc_msg m;
	int ro;

	ro = kipc_mq_open(&self->k, QNAME "-raw", KIPC_OPEN_READ, 0, NULL);
	ASSERT_GE(ro, 0);
	kipc_msg_init(&m, "x", 1);
	kipc_prep_uring_send(sqe, ro, &m);
	EXPECT_EQ(-EBADF, one(&self->ring, sqe));
	close(ro);
}

TEST_F(raw, nonblocking_receive_on_empty_is_eagain)
{
	struct io_uring_sqe *sqe = get_sqe(&self->ring);
	struct kipc_msg m;
	char buf[4];

	kipc_msg_init(&m, buf, sizeof(buf));
	m.flags = KIPC_F_NONBLOCK;
	kipc_prep_uring_recv(sqe, self->qd, &m);
	EXPECT_EQ(-EAGAIN, one(&self->ring, sqe));
}

TEST_F(raw, region_handle_is_eopnotsupp)
{
	struct io_uring_sqe *sqe = get_sqe(&self->ring);
	struct kipc_msg m;
	int rd;

	rd = kipc_shm_open(&self->k, QNAME "-region", KIPC_OPEN_CREAT |
			   KIPC_OPEN_AUTOREMOVE | KIPC_OPEN_READ |
			   KIPC_OPEN_WRITE, 0600, 4096);
	ASSERT_GE(rd, 0);
	kipc_msg_init(&m, "x", 1);
	kipc_prep_uring_send(sqe, rd, &m);
	EXPECT_EQ(-EOPNOTSUPP, one(&self->ring, sqe));
	close(rd);
}

/* ---- KIPC_URING_SEND_BUF: the send held in the SQE ---------------------- */

TEST_F(raw, send_buf_and_receive)
{
	struct io_uring_sqe *sqe;
	struct kipc_uring_send *c;
	struct kipc_msg m;
	char buf[16];

	sqe = get_sqe(&self->ring);
	kipc_prep_uring_send_buf(sqe, self->qd, "hello", 5, 7, 0);
	EXPECT_EQ(IORING_OP_URING_CMD, sqe->opcode);
	EXPECT_EQ(KIPC_URING_SEND_BUF, sqe->cmd_op);
	c = (struct kipc_uring_send *)((char *)sqe +
				      offsetof(struct io_uring_sqe, cmd));
	EXPECT_EQ(5, c->len);
	EXPECT_EQ(7, c->prio);
	EXPECT_EQ(0, one(&self->ring, sqe));

	kipc_msg_init(&m, buf, sizeof(buf));
	m.type = 99;
	ASSERT_EQ(5, kipc_mq_receivemsg(self->qd, &m));
	EXPECT_EQ(7, m.prio);
	EXPECT_EQ(0, m.type);
	EXPECT_EQ(getpid(), m.pid);
	EXPECT_EQ(getuid(), m.uid);
	EXPECT_EQ(0, memcmp(buf, "hello", 5));
}

TEST_F(raw, send_buf_unknown_flag_is_einval)
{
	struct io_uring_sqe *sqe = get_sqe(&self->ring);

	kipc_prep_uring_send_buf(sqe, self->qd, "x", 1, 0, KIPC_F_TIMEOUT);
	EXPECT_EQ(-EINVAL, one(&self->ring, sqe));
	EXPECT_EQ(-EAGAIN, kipc_mq_tryreceive(self->qd, NULL, 0, NULL));
}

TEST_F(raw, send_buf_prio_out_of_range_is_einval)
{
	struct io_uring_sqe *sqe = get_sqe(&self->ring);

	kipc_prep_uring_send_buf(sqe, self->qd, "x", 1, KIPC_PRIO_MAX, 0);
	EXPECT_EQ(-EINVAL, one(&self->ring, sqe));
}

TEST_F(raw, send_buf_too_long_is_emsgsize)
{
	struct io_uring_sqe *sqe = get_sqe(&self->ring);
	char big[17] = "";

	kipc_prep_uring_send_buf(sqe, self->qd, big, sizeof(big), 0, 0);
	EXPECT_EQ(-EMSGSIZE, one(&self->ring, sqe));
}

TEST_F(raw, send_buf_bad_pointer_is_efault)
{
	struct io_uring_sqe *sqe = get_sqe(&self->ring);

	kipc_prep_uring_send_buf(sqe, self->qd, (void *)8, 4, 0, 0);
	EXPECT_EQ(-EFAULT, one(&self->ring, sqe));
	EXPECT_EQ(-EAGAIN, kipc_mq_tryreceive(self->qd, NULL, 0, NULL));
}

TEST_F(raw, send_buf_on_read_only_handle_is_ebadf)
{
	struct io_uring_sqe *sqe = get_sqe(&self->ring);
	int ro;

	ro = kipc_mq_open(&self->k, QNAME "-raw", KIPC_OPEN_READ, 0, NULL);
	ASSERT_GE(ro, 0);
	kipc_prep_uring_send_buf(sqe, ro, "x", 1, 0, 0);
	EXPECT_EQ(-EBADF, one(&self->ring, sqe));
	close(ro);
}

TEST_F(raw, send_buf_on_region_is_eopnotsupp)
{
	struct io_uring_sqe *sqe = get_sqe(&self->ring);
	int rd;

	rd = kipc_shm_open(&self->k, QNAME "-region", KIPC_OPEN_CREAT |
			   KIPC_OPEN_AUTOREMOVE | KIPC_OPEN_READ |
			   KIPC_OPEN_WRITE, 0600, 4096);
	ASSERT_GE(rd, 0);
	kipc_prep_uring_send_buf(sqe, rd, "x", 1, 0, 0);
	EXPECT_EQ(-EOPNOTSUPP, one(&self->ring, sqe));
	close(rd);
}

/* Full queue (max_msgs 4): non-blocking fails, blocking waits in io-wq. */
TEST_F(raw, send_buf_nonblocking_on_full_is_eagain)
{
	struct io_uring_sqe *sqe;
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, kipc_mq_send(self->qd, "f", 1, 0));
	sqe = get_sqe(&self->ring);
	kipc_prep_uring_send_buf(sqe, self->qd, "x", 1, 0, KIPC_F_NONBLOCK);
	EXPECT_EQ(-EAGAIN, one(&self->ring, sqe));
}

TEST_F(raw, send_buf_blocking_on_full_waits_for_room)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	char buf[16];
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, kipc_mq_send(self->qd, "f", 1, 0));
	sqe = get_sqe(&self->ring);
	kipc_prep_uring_send_buf(sqe, self->qd, "late", 4, 3, 0);
	sqe->user_data = 77;
	ASSERT_EQ(1, io_uring_submit(&self->ring));
	ASSERT_EQ(0, wait_waiters(self->qd, 1));
	EXPECT_EQ(-EAGAIN, io_uring_peek_cqe(&self->ring, &cqe));
	ASSERT_EQ(1, kipc_mq_receive(self->qd, buf, sizeof(buf), NULL));
	ASSERT_EQ(0, io_uring_wait_cqe(&self->ring, &cqe));
	EXPECT_EQ(77, cqe->user_data);
	EXPECT_EQ(0, cqe->res);
	io_uring_cqe_seen(&self->ring, cqe);
	/* Priority 3 goes before the three "f" left at priority 0. */
	EXPECT_EQ(4, kipc_mq_receive(self->qd, buf, sizeof(buf), NULL));
	EXPECT_EQ(0, memcmp(buf, "late", 4));
}

/* A batch send with a type goes by pointer and keeps it. */
TEST_F(uq, batch_typed_send_keeps_type)
{
	struct kipc_completion done[2];
	struct kipc_msg m[2], r;
	struct kipc_batch *b;
	char buf[8];

	ASSERT_EQ(0, kipc_batch_create(&b, 2, 0));
	kipc_msg_init(&m[0], "ab", 2);
	m[0].type = 5;
	m[0].prio = 2;
	kipc_msg_init(&m[1], "cde", 3);
	m[1].prio = 1;
	ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[0], NULL));
	ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[1], NULL));
	ASSERT_EQ(2, kipc_batch_run(b, done, 2));
	EXPECT_EQ(0, done[0].res);
	EXPECT_EQ(0, done[1].res);
	kipc_msg_init(&r, buf, sizeof(buf));
	ASSERT_EQ(2, kipc_mq_receivemsg(self->qd, &r));
	EXPECT_EQ(5, r.type);
	EXPECT_EQ(2, r.prio);
	kipc_msg_init(&r, buf, sizeof(buf));
	ASSERT_EQ(3, kipc_mq_receivemsg(self->qd, &r));
	EXPECT_EQ(0, r.type);
	EXPECT_EQ(1, r.prio);
	kipc_batch_destroy(b);
}

/* A registered queue: sends go through the fixed file, even after close. */
TEST_F(uq, batch_registered_queue)
{
	struct kipc_completion done[2];
	struct kipc_msg m[2];
	struct kipc_batch *b;
	char buf[8];
	int dup_qd;

	dup_qd = dup(self->qd);
	ASSERT_GE(dup_qd, 0);
	ASSERT_EQ(0, kipc_batch_create(&b, 2, 0));
	ASSERT_EQ(0, kipc_batch_register(b, dup_qd));
	EXPECT_EQ(0, kipc_batch_register(b, dup_qd));	/* already */
	close(dup_qd);
	kipc_msg_init(&m[0], "r1", 2);
	kipc_msg_init(&m[1], "r22", 3);
	m[1].type = 9;					/* by pointer */
	ASSERT_EQ(0, kipc_batch_send(b, dup_qd, &m[0], NULL));
	ASSERT_EQ(0, kipc_batch_send(b, dup_qd, &m[1], NULL));
	ASSERT_EQ(2, kipc_batch_run(b, done, 2));
	EXPECT_EQ(0, done[0].res);
	EXPECT_EQ(0, done[1].res);
	EXPECT_EQ(2, kipc_mq_tryreceive(self->qd, buf, sizeof(buf), NULL));
	EXPECT_EQ(3, kipc_mq_tryreceive(self->qd, buf, sizeof(buf), NULL));
	EXPECT_EQ(0, kipc_batch_unregister(b, dup_qd));
	/* Unregistered and closed: the descriptor is plain again. */
	ASSERT_EQ(0, kipc_batch_send(b, dup_qd, &m[0], NULL));
	ASSERT_EQ(1, kipc_batch_run(b, done, 2));
	EXPECT_EQ(-EBADF, done[0].res);
	kipc_batch_destroy(b);
}

TEST_F(uq, batch_register_bad_fd_is_ebadf)
{
	struct kipc_batch *b;

	ASSERT_EQ(0, kipc_batch_create(&b, 2, 0));
	EXPECT_EQ(-EBADF, kipc_batch_register(b, -1));
	EXPECT_EQ(-EBADF, kipc_batch_register(b, 4096));
	/* Not open: the kernel refuses it. */
	EXPECT_EQ(-EBADF, kipc_batch_register(b, 4000));
	kipc_batch_destroy(b);
}

TEST_F(uq, batch_register_null_is_einval)
{
	EXPECT_EQ(-EINVAL, kipc_batch_register(NULL, self->qd));
	EXPECT_EQ(-EINVAL, kipc_batch_unregister(NULL, self->qd));
}

TEST_F(uq, batch_register_65th_is_enospc)
{
	struct kipc_batch *b;
	int fds[65], i;

	ASSERT_EQ(0, kipc_batch_create(&b, 2, 0));
	for (i = 0; i < 65; i++) {
		fds[i] = dup(self->qd);
		ASSERT_GE(fds[i], 0);
	}
	for (i = 0; i < 64; i++)
		ASSERT_EQ(0, kipc_batch_register(b, fds[i]));
	EXPECT_EQ(-ENOSPC, kipc_batch_register(b, fds[64]));
	/* A freed index is reused. */
	EXPECT_EQ(0, kipc_batch_unregister(b, fds[3]));
	EXPECT_EQ(0, kipc_batch_register(b, fds[64]));
	kipc_batch_destroy(b);
	for (i = 0; i < 65; i++)
		close(fds[i]);
}

TEST_F(uq, batch_unregister_unknown_is_enoent)
{
	struct kipc_batch *b;

	ASSERT_EQ(0, kipc_batch_create(&b, 2, 0));
	EXPECT_EQ(-ENOENT, kipc_batch_unregister(b, self->qd));
	EXPECT_EQ(-ENOENT, kipc_batch_unregister(b, -1));
	ASSERT_EQ(0, kipc_batch_register(b, self->qd));
	EXPECT_EQ(0, kipc_batch_unregister(b, self->qd));
	EXPECT_EQ(-ENOENT, kipc_batch_unregister(b, self->qd));
	kipc_batch_destroy(b);
}

/*
 * A send that would block is retried from io-wq after io_uring_enter() has
 * returned, when user space may already have refilled its SQ ring slot: the
 * retry must still send what the SQE said at submission. A ring of two
 * entries allows io-wq two bounded workers; two receives pending on an
 * empty queue occupy both, so the punted send is only issued again after
 * the test has rewritten the slot.
 */
TEST(retried_send_uses_the_bytes_it_was_submitted_with)
{
	struct kipc_mq_attr attr = { .max_msgs = 1, .max_msgsize = 16 };
	struct kipc_msg r1, r2;
	char b1[16], b2[16], got[16];
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned int prio;
	int qd, q2, i, done = 0;
	struct kipc k;
	ssize_t n;

	ASSERT_EQ(0, kipc_init(&k, 0));
	kipc_mq_unlink(&k, QNAME "-reuse");
	kipc_mq_unlink(&k, QNAME "-reuse2");
	qd = kipc_mq_open(&k, QNAME "-reuse", KIPC_OPEN_CREAT |
			  KIPC_OPEN_AUTOREMOVE | KIPC_OPEN_READ |
			  KIPC_OPEN_WRITE, 0600, &attr);
	ASSERT_GE(qd, 0);
	q2 = kipc_mq_open(&k, QNAME "-reuse2", KIPC_OPEN_CREAT |
			  KIPC_OPEN_AUTOREMOVE | KIPC_OPEN_READ |
			  KIPC_OPEN_WRITE, 0600, &attr);
	ASSERT_GE(q2, 0);
	ASSERT_EQ(0, io_uring_queue_init(2, &ring, 0));

	/* Two receives that block: both io-wq workers are taken. */
	kipc_msg_init(&r1, b1, sizeof(b1));
	kipc_msg_init(&r2, b2, sizeof(b2));
	kipc_prep_uring_recv(get_sqe(&ring), q2, &r1);
	kipc_prep_uring_recv(get_sqe(&ring), q2, &r2);
	ASSERT_EQ(2, io_uring_submit(&ring));
	ASSERT_EQ(0, wait_waiters(q2, 2));

	/* The queue is full: the send is punted and waits for a worker. */
	ASSERT_EQ(0, kipc_mq_send(qd, "old", 3, 0));
	sqe = get_sqe(&ring);
	kipc_prep_uring_send_buf(sqe, qd, "sent", 4, 0, 0);
	ASSERT_EQ(1, io_uring_submit(&ring));
	/* User space refills the slot, as it may once submit returned. */
	kipc_prep_uring_send_buf(sqe, qd, "WRONG!", 6, 9, 0);

	/* Free a worker, then make room: the send goes through. */
	ASSERT_EQ(0, kipc_mq_send(q2, "x", 1, 0));
	n = kipc_mq_receive(qd, got, sizeof(got), &prio);
	ASSERT_EQ(3, n);
	ASSERT_EQ(0, kipc_mq_send(q2, "y", 1, 0));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
		EXPECT_GE(cqe->res, 0);
		io_uring_cqe_seen(&ring, cqe);
		done++;
	}
	EXPECT_EQ(3, done);
	n = kipc_mq_receive(qd, got, sizeof(got), &prio);
	ASSERT_EQ(4, n);
	EXPECT_EQ(0, memcmp(got, "sent", 4));
	EXPECT_EQ(0, prio);

	io_uring_queue_exit(&ring);
	close(q2);
	close(qd);
	kipc_exit(&k);
}

/* A caller that asked not to block gets EAGAIN in its CQE, at once. */
TEST_F(raw, nonblocking_send_buf_on_full_queue_is_eagain_without_retry)
{
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, kipc_mq_send(self->qd, "f", 1, 0));
	kipc_prep_uring_send_buf(get_sqe(&self->ring), self->qd, "n", 1, 0,
				 KIPC_F_NONBLOCK);
	EXPECT_EQ(-EAGAIN, one(&self->ring, NULL));
	/* Through the handle's O_NONBLOCK too. */
	ASSERT_EQ(0, kipc_set_nonblock(self->qd, 1));
	kipc_prep_uring_send_buf(get_sqe(&self->ring), self->qd, "n", 1, 0, 0);
	EXPECT_EQ(-EAGAIN, one(&self->ring, NULL));
}

/* ---- KIPC_URING_SENDV: many messages for one SQE ----------------------- */

/* Fill @m[0..n) with one-byte payloads "a", "b", ... from @text. */
static void sendv_msgs(struct kipc_msg *m, struct kipc_msgv *v,
		       const char *text, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		kipc_msg_init(&m[i], &text[i], 1);
	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	v->msgs = (uintptr_t)m;
	v->count = n;
	v->msg_size = sizeof(m[0]);
}

/* Receive one byte without blocking; returns it, or -errno. */
static int recv_byte(int qd)
{
	char c;
	int ret = kipc_mq_tryreceive(qd, &c, 1, NULL);

	return ret == 1 ? c : ret < 0 ? ret : -EIO;
}

TEST_F(raw, sendv_sends_all_in_order)
{
	struct io_uring_sqe *sqe;
	struct kipc_msgv v;
	struct kipc_msg m[3];

	sendv_msgs(m, &v, "abc", 3);
	m[2].prio = 1;
	m[2].type = 9;
	sqe = get_sqe(&self->ring);
	kipc_prep_uring_sendv(sqe, self->qd, &v);
	EXPECT_EQ(KIPC_URING_SENDV, sqe->cmd_op);
	EXPECT_EQ(3, one(&self->ring, sqe));
	EXPECT_EQ(3, v.done);
	EXPECT_EQ(0, v.error);
	EXPECT_EQ('c', recv_byte(self->qd));	/* priority 1 first */
	EXPECT_EQ('a', recv_byte(self->qd));
	EXPECT_EQ('b', recv_byte(self->qd));
	EXPECT_EQ(-EAGAIN, recv_byte(self->qd));
}

/* A failure stops the command: the count before it, and its error. */
TEST_F(raw, sendv_stops_at_first_failure)
{
	char big[64] = "big";
	struct io_uring_sqe *sqe;
	struct kipc_msgv v;
	struct kipc_msg m[3];

	sendv_msgs(m, &v, "abc", 3);
	kipc_msg_init(&m[1], big, sizeof(big));		/* > 16 */
	sqe = get_sqe(&self->ring);
	kipc_prep_uring_sendv(sqe, self->qd, &v);
	EXPECT_EQ(1, one(&self->ring, sqe));
	EXPECT_EQ(1, v.done);
	EXPECT_EQ(-EMSGSIZE, v.error);
	EXPECT_EQ('a', recv_byte(self->qd));
	EXPECT_EQ(-EAGAIN, recv_byte(self->qd));
}

TEST_F(raw, sendv_first_failure_is_the_result)
{
	char big[64] = "big";
	struct io_uring_sqe *sqe;
	struct kipc_msgv v;
	struct kipc_msg m[2];

	sendv_msgs(m, &v, "ab", 2);
	kipc_msg_init(&m[0], big, sizeof(big));
	sqe = get_sqe(&self->ring);
	kipc_prep_uring_sendv(sqe, self->qd, &v);
	EXPECT_EQ(-EMSGSIZE, one(&self->ring, sqe));
	EXPECT_EQ(0, v.done);
	EXPECT_EQ(-EMSGSIZE, v.error);
	EXPECT_EQ(-EAGAIN, recv_byte(self->qd));
}

TEST_F(raw, sendv_bad_vector_pointer_is_efault)
{
	struct io_uring_sqe *sqe = get_sqe(&self->ring);

	kipc_prep_uring_sendv(sqe, self->qd, (struct kipc_msgv *)8);
	EXPECT_EQ(-EFAULT, one(&self->ring, sqe));
}

TEST_F(raw, sendv_bad_message_array_is_efault)
{
	struct io_uring_sqe *sqe;
	struct kipc_msgv v;
	struct kipc_msg m[1];

	sendv_msgs(m, &v, "a", 1);
	v.msgs = 8;
	sqe = get_sqe(&self->ring);
	kipc_prep_uring_sendv(sqe, self->qd, &v);
	EXPECT_EQ(-EFAULT, one(&self->ring, sqe));
	EXPECT_EQ(-EFAULT, v.error);
}

TEST_F(raw, sendv_unknown_vector_flag_is_einval)
{
	struct io_uring_sqe *sqe;
	struct kipc_msgv v;
	struct kipc_msg m[1];

	sendv_msgs(m, &v, "a", 1);
	v.flags = 1u << 7;
	sqe = get_sqe(&self->ring);
	kipc_prep_uring_sendv(sqe, self->qd, &v);
	EXPECT_EQ(-EINVAL, one(&self->ring, sqe));
	EXPECT_EQ(-EINVAL, v.error);
	EXPECT_EQ(-EAGAIN, recv_byte(self->qd));
}

TEST_F(raw, sendv_count_zero_or_above_max_is_einval)
{
	struct io_uring_sqe *sqe;
	struct kipc_msgv v;
	struct kipc_msg m[1];

	sendv_msgs(m, &v, "a", 1);
	v.count = 0;
	sqe = get_sqe(&self->ring);
	kipc_prep_uring_sendv(sqe, self->qd, &v);
	EXPECT_EQ(-EINVAL, one(&self->ring, sqe));
	v.count = KIPC_VEC_MAX + 1;
	sqe = get_sqe(&self->ring);
	kipc_prep_uring_sendv(sqe, self->qd, &v);
	EXPECT_EQ(-EINVAL, one(&self->ring, sqe));
	EXPECT_EQ(-EAGAIN, recv_byte(self->qd));
}

TEST_F(raw, sendv_element_size_too_small_is_einval)
{
	struct io_uring_sqe *sqe;
	struct kipc_msgv v;
	struct kipc_msg m[1];

	sendv_msgs(m, &v, "a", 1);
	v.msg_size = sizeof(m[0]) - 8;
	sqe = get_sqe(&self->ring);
	kipc_prep_uring_sendv(sqe, self->qd, &v);
	EXPECT_EQ(-EINVAL, one(&self->ring, sqe));
}

/* A message whose own flags say non-blocking ends the command on a full queue. */
TEST_F(raw, sendv_nonblocking_message_on_full_queue_is_final)
{
	struct io_uring_sqe *sqe;
	struct kipc_msgv v;
	struct kipc_msg m[6];
	int i;

	sendv_msgs(m, &v, "abcdef", 6);
	for (i = 0; i < 6; i++)
		m[i].flags = KIPC_F_NONBLOCK;
	sqe = get_sqe(&self->ring);
	kipc_prep_uring_sendv(sqe, self->qd, &v);
	EXPECT_EQ(4, one(&self->ring, sqe));	/* max_msgs 4 */
	EXPECT_EQ(4, v.done);
	EXPECT_EQ(-EAGAIN, v.error);
}

/* So does any message on an O_NONBLOCK handle. */
TEST_F(raw, sendv_on_nonblocking_handle_full_is_final)
{
	struct io_uring_sqe *sqe;
	struct kipc_msgv v;
	struct kipc_msg m[6];

	ASSERT_EQ(0, kipc_set_nonblock(self->qd, 1));
	sendv_msgs(m, &v, "abcdef", 6);
	sqe = get_sqe(&self->ring);
	kipc_prep_uring_sendv(sqe, self->qd, &v);
	EXPECT_EQ(4, one(&self->ring, sqe));
	EXPECT_EQ(-EAGAIN, v.error);
}

/*
 * A later message that would block ends the command at submission: a short
 * count without an error (what was sent is sent once).
 */
TEST_F(raw, sendv_would_block_later_is_a_short_count)
{
	struct io_uring_sqe *sqe;
	struct kipc_msgv v;
	struct kipc_msg m[7];
	int i;

	ASSERT_EQ(0, kipc_mq_send(self->qd, "0", 1, 0));
	sendv_msgs(m, &v, "abcdefg", 7);
	sqe = get_sqe(&self->ring);
	kipc_prep_uring_sendv(sqe, self->qd, &v);
	EXPECT_EQ(3, one(&self->ring, sqe));	/* max_msgs 4 */
	EXPECT_EQ(3, v.done);
	EXPECT_EQ(0, v.error);
	for (i = 0; i < 4; i++)
		EXPECT_EQ("0abc"[i], recv_byte(self->qd));
	EXPECT_EQ(-EAGAIN, recv_byte(self->qd));
}

/*
 * When the first message would block, the command waits in io-wq, where
 * every later one may wait too: all are sent once, in order.
 */
TEST_F(raw, sendv_blocking_first_waits_for_all)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct kipc_msgv v;
	struct kipc_msg m[6];
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, kipc_mq_send(self->qd, "0", 1, 0));
	sendv_msgs(m, &v, "abcdef", 6);
	sqe = get_sqe(&self->ring);
	kipc_prep_uring_sendv(sqe, self->qd, &v);
	sqe->user_data = 5;
	ASSERT_EQ(1, io_uring_submit(&self->ring));
	ASSERT_EQ(0, wait_waiters(self->qd, 1));
	EXPECT_EQ(-EAGAIN, io_uring_peek_cqe(&self->ring, &cqe));
	/* Each receive makes room for one more. */
	for (i = 0; i < 10; i++) {
		char c;

		ASSERT_EQ(1, kipc_mq_receive(self->qd, &c, 1, NULL));
		EXPECT_EQ("0000abcdef"[i], c);
	}
	ASSERT_EQ(0, io_uring_wait_cqe(&self->ring, &cqe));
	EXPECT_EQ(5, cqe->user_data);
	EXPECT_EQ(6, cqe->res);
	io_uring_cqe_seen(&self->ring, cqe);
	EXPECT_EQ(6, v.done);
	EXPECT_EQ(0, v.error);
	EXPECT_EQ(-EAGAIN, recv_byte(self->qd));
}

struct drainer {
	int qd;
	char got[8];
};

/* After 100 ms, receive 7 one-byte messages, blocking, in order. */
static void *drain_later(void *arg)
{
	struct drainer *d = arg;
	int i;

	msleep(100);
	for (i = 0; i < 7; i++)
		if (kipc_mq_receive(d->qd, &d->got[i], 1, NULL) != 1)
			break;
	return NULL;
}

/* A batch resends the rest after such a short count. */
TEST_F(raw, batch_resends_after_a_short_count)
{
	struct kipc_completion done[6];
	struct kipc_msg m[6];
	struct kipc_batch *b;
	struct drainer d = { 0 };
	char text[] = "abcdef";
	pthread_t thr;
	int i;

	ASSERT_EQ(0, kipc_mq_send(self->qd, "0", 1, 0));
	ASSERT_EQ(0, kipc_batch_create(&b, 6, 0));
	for (i = 0; i < 6; i++) {
		kipc_msg_init(&m[i], &text[i], 1);
		ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[i], NULL));
	}
	/* "0abc" fill the queue: a short count; "def" go again and wait. */
	ASSERT_EQ(6, kipc_batch_submit(b));
	d.qd = self->qd;
	ASSERT_EQ(0, pthread_create(&thr, NULL, drain_later, &d));
	EXPECT_EQ(6, kipc_batch_reap(b, done, 6, 6));
	for (i = 0; i < 6; i++)
		EXPECT_EQ(0, done[i].res);
	pthread_join(thr, NULL);
	EXPECT_EQ(0, memcmp(d.got, "0abcdef", 7));
	EXPECT_EQ(-EAGAIN, recv_byte(self->qd));
	kipc_batch_destroy(b);
}

/* ---- batches: consecutive sends to one queue share an SQE -------------- */

/*
 * Failed messages in the middle of a group: each has its own error, the
 * others are sent, in order, all with the group's one SQE.
 */
TEST_F(uq, batch_group_failure_in_the_middle)
{
	struct kipc_completion done[6];
	char big[256] = "big", text[] = "abcdef";
	struct kipc_msg m[6];
	struct kipc_batch *b;
	int i, seen = 0;

	ASSERT_EQ(0, kipc_batch_create(&b, 6, 0));
	for (i = 0; i < 6; i++)
		kipc_msg_init(&m[i], &text[i], 1);
	kipc_msg_init(&m[1], big, sizeof(big));		/* > 128 */
	kipc_msg_init(&m[3], big, sizeof(big));
	for (i = 0; i < 6; i++)
		ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[i],
					     (void *)(uintptr_t)i));
	/* One SQE for all six: one CQE on the first round. */
	ASSERT_EQ(6, kipc_batch_run(b, done, 6));
	EXPECT_EQ(0, kipc_batch_inflight(b));
	for (i = 0; i < 6; i++) {
		uintptr_t idx = (uintptr_t)done[i].user_data;

		ASSERT_LT(idx, 6);
		EXPECT_EQ(&m[idx], done[i].msg);
		EXPECT_EQ(idx == 1 || idx == 3 ? -EMSGSIZE : 0, done[i].res);
		seen |= 1 << idx;
	}
	EXPECT_EQ(0x3f, seen);
	EXPECT_EQ('a', recv_byte(self->qd));
	EXPECT_EQ('c', recv_byte(self->qd));
	EXPECT_EQ('e', recv_byte(self->qd));
	EXPECT_EQ('f', recv_byte(self->qd));
	EXPECT_EQ(-EAGAIN, recv_byte(self->qd));
	kipc_batch_destroy(b);
}

/* Through io_uring too, KIPC_VEC_RESULTS goes on past failed messages. */
TEST_F(raw, sendv_results_go_on_past_failures)
{
	char big[64] = "big";
	struct io_uring_sqe *sqe;
	struct kipc_msgv v;
	struct kipc_msg m[4];
	int32_t res[4] = { 7, 7, 7, 7 };

	sendv_msgs(m, &v, "abcd", 4);
	kipc_msg_init(&m[1], big, sizeof(big));		/* > 16 */
	v.flags = KIPC_VEC_RESULTS;
	v.results = (uintptr_t)res;
	sqe = get_sqe(&self->ring);
	kipc_prep_uring_sendv(sqe, self->qd, &v);
	EXPECT_EQ(4, one(&self->ring, sqe));
	EXPECT_EQ(4, v.done);
	EXPECT_EQ(-EMSGSIZE, v.error);
	EXPECT_EQ(0, res[0]);
	EXPECT_EQ(-EMSGSIZE, res[1]);
	EXPECT_EQ(0, res[2]);
	EXPECT_EQ(0, res[3]);
	EXPECT_EQ('a', recv_byte(self->qd));
	EXPECT_EQ('c', recv_byte(self->qd));
	EXPECT_EQ('d', recv_byte(self->qd));
	EXPECT_EQ(-EAGAIN, recv_byte(self->qd));
}

/* A struct kipc_msgv of the first ABI version (no @results) still goes. */
TEST_F(raw, sendv_first_abi_size_still_works)
{
	struct io_uring_sqe *sqe;
	struct kipc_msgv v;
	struct kipc_msg m[2];

	sendv_msgs(m, &v, "ab", 2);
	v.size = offsetof(struct kipc_msgv, results);
	sqe = get_sqe(&self->ring);
	kipc_prep_uring_sendv(sqe, self->qd, &v);
	EXPECT_EQ(2, one(&self->ring, sqe));
	EXPECT_EQ(2, v.done);
	EXPECT_EQ('a', recv_byte(self->qd));
	EXPECT_EQ('b', recv_byte(self->qd));
}

/* On an O_NONBLOCK handle, a full queue is each message's own EAGAIN. */
TEST_F(raw, sendv_results_on_nonblocking_handle_full)
{
	struct io_uring_sqe *sqe;
	struct kipc_msgv v;
	struct kipc_msg m[6];
	int32_t res[6];
	int i;

	ASSERT_EQ(0, kipc_set_nonblock(self->qd, 1));
	sendv_msgs(m, &v, "abcdef", 6);
	v.flags = KIPC_VEC_RESULTS;
	v.results = (uintptr_t)res;
	sqe = get_sqe(&self->ring);
	kipc_prep_uring_sendv(sqe, self->qd, &v);
	EXPECT_EQ(6, one(&self->ring, sqe));	/* max_msgs 4 */
	EXPECT_EQ(-EAGAIN, v.error);
	for (i = 0; i < 6; i++)
		EXPECT_EQ(i < 4 ? 0 : -EAGAIN, res[i]);
}

/*
 * Reaping with min 0 (an event loop polling) also resends the rest of a
 * group cut short by a full queue.
 */
TEST_F(raw, batch_short_count_rest_goes_without_a_waiting_reap)
{
	struct kipc_completion done[4];
	char text[] = "abcd", c;
	struct kipc_msg m[4];
	struct kipc_batch *b;
	int i, got = 0, recvd = 0;
	char seen[8];

	ASSERT_EQ(0, kipc_mq_send(self->qd, "0", 1, 0));
	ASSERT_EQ(0, kipc_mq_send(self->qd, "0", 1, 0));
	ASSERT_EQ(0, kipc_batch_create(&b, 4, 0));
	for (i = 0; i < 4; i++) {
		kipc_msg_init(&m[i], &text[i], 1);
		ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[i], NULL));
	}
	/* "ab" fit, "c" would block: a short count, then "cd" again. */
	ASSERT_EQ(4, kipc_batch_submit(b));
	for (i = 0; i < 500 && (got < 4 || recvd < 6); i++) {
		int n = kipc_batch_reap(b, done + got, 4 - got, 0);

		ASSERT_GE(n, 0);
		got += n;
		while (recvd < 6 && kipc_mq_tryreceive(self->qd, &c, 1,
						       NULL) == 1)
			seen[recvd++] = c;
		msleep(10);
	}
	ASSERT_EQ(4, got);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, done[i].res);
	ASSERT_EQ(6, recvd);
	EXPECT_EQ(0, memcmp(seen, "00abcd", 6));
	kipc_batch_destroy(b);
}

/* A group completes at once; a small @out gets it a few at a time. */
TEST_F(uq, batch_group_reaped_in_small_steps)
{
	struct kipc_completion done[3];
	struct kipc_msg m[8];
	struct kipc_batch *b;
	char c = 'x';
	int i, got = 0;

	ASSERT_EQ(0, kipc_batch_create(&b, 8, 0));
	for (i = 0; i < 8; i++) {
		kipc_msg_init(&m[i], &c, 1);
		ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[i],
					     (void *)(uintptr_t)i));
	}
	ASSERT_EQ(8, kipc_batch_submit(b));
	while (got < 8) {
		int n = kipc_batch_reap(b, done, 3, 1);

		ASSERT_GT(n, 0);
		ASSERT_LE(n, 3);
		for (i = 0; i < n; i++) {
			EXPECT_EQ(0, done[i].res);
			/* In the order they were queued. */
			EXPECT_EQ(got + i, (uintptr_t)done[i].user_data);
		}
		got += n;
	}
	EXPECT_EQ(0, kipc_batch_inflight(b));
	EXPECT_EQ(-EINVAL, kipc_batch_reap(b, done, 3, 1));
	kipc_batch_destroy(b);
}

/* Sends to alternating queues and receives in between are not grouped wrongly. */
TEST_F(uq, batch_interleaved_queues_and_receives)
{
	struct kipc_mq_attr attr = { .max_msgs = 8, .max_msgsize = 8 };
	struct kipc_completion done[6];
	struct kipc_msg m[6];
	struct kipc_batch *b;
	char text[] = "abcdef", rbuf[8];
	int other, i;

	kipc_mq_unlink(&self->k, QNAME "-other");
	other = kipc_mq_open(&self->k, QNAME "-other", KIPC_OPEN_CREAT |
			     KIPC_OPEN_AUTOREMOVE | KIPC_OPEN_READ |
			     KIPC_OPEN_WRITE, 0600, &attr);
	ASSERT_GE(other, 0);
	ASSERT_EQ(0, kipc_batch_create(&b, 6, 0));
	for (i = 0; i < 5; i++)
		kipc_msg_init(&m[i], &text[i], 1);
	ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[0], NULL));
	ASSERT_EQ(0, kipc_batch_send(b, other, &m[1], NULL));
	ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[2], NULL));
	ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[3], NULL));
	kipc_msg_init(&m[5], rbuf, sizeof(rbuf));
	ASSERT_EQ(0, kipc_batch_receive(b, other, &m[5], (void *)5));
	/* Were it joined to "b" before the receive, it would be received. */
	m[4].prio = 1;
	ASSERT_EQ(0, kipc_batch_send(b, other, &m[4], NULL));
	ASSERT_EQ(6, kipc_batch_run(b, done, 6));
	for (i = 0; i < 6; i++) {
		int want = done[i].user_data == (void *)5 ? 1 : 0;

		EXPECT_EQ(want, done[i].res);
	}
	EXPECT_EQ('a', recv_byte(self->qd));
	EXPECT_EQ('c', recv_byte(self->qd));
	EXPECT_EQ('d', recv_byte(self->qd));
	EXPECT_EQ(-EAGAIN, recv_byte(self->qd));
	/* The receive ran before "e" was sent: it took "b". */
	EXPECT_EQ('b', rbuf[0]);
	EXPECT_EQ('e', recv_byte(other));
	EXPECT_EQ(-EAGAIN, recv_byte(other));
	kipc_batch_destroy(b);
	close(other);
}

/* A non-blocking send does not share (and wait in) a blocking one's SQE. */
TEST_F(raw, batch_nonblocking_send_does_not_wait_behind_a_blocking_one)
{
	struct kipc_completion done[2];
	struct kipc_msg m[2];
	struct kipc_batch *b;
	int i, n = 0;
	char c;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, kipc_mq_send(self->qd, "0", 1, 0));
	ASSERT_EQ(0, kipc_batch_create(&b, 2, 0));
	kipc_msg_init(&m[0], "a", 1);
	kipc_msg_init(&m[1], "b", 1);
	m[1].flags = KIPC_F_NONBLOCK;
	ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[0], (void *)0));
	ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[1], (void *)1));
	ASSERT_EQ(2, kipc_batch_submit(b));
	for (i = 0; i < 200 && !n; i++) {
		n = kipc_batch_reap(b, done, 2, 0);
		if (!n)
			msleep(10);
	}
	ASSERT_EQ(1, n);
	EXPECT_EQ((void *)1, done[0].user_data);
	EXPECT_EQ(-EAGAIN, done[0].res);
	ASSERT_EQ(0, wait_waiters(self->qd, 1));
	ASSERT_EQ(1, kipc_mq_receive(self->qd, &c, 1, NULL));
	ASSERT_EQ(1, kipc_batch_reap(b, done, 2, 1));
	EXPECT_EQ((void *)0, done[0].user_data);
	EXPECT_EQ(0, done[0].res);
	kipc_batch_destroy(b);
}

/* A registered queue with a send group queued or in flight stays registered. */
TEST_F(uq, batch_unregister_with_a_send_group_is_ebusy)
{
	struct kipc_completion done[2];
	struct kipc_msg m[2];
	struct kipc_batch *b;
	char c = 'x';

	ASSERT_EQ(0, kipc_batch_create(&b, 2, 0));
	ASSERT_EQ(0, kipc_batch_register(b, self->qd));
	kipc_msg_init(&m[0], &c, 1);
	kipc_msg_init(&m[1], &c, 1);
	ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[0], NULL));
	ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[1], NULL));
	EXPECT_EQ(-EBUSY, kipc_batch_unregister(b, self->qd));
	ASSERT_EQ(2, kipc_batch_run(b, done, 2));
	EXPECT_EQ(0, done[0].res);
	EXPECT_EQ(0, done[1].res);
	EXPECT_EQ(0, kipc_batch_unregister(b, self->qd));
	kipc_batch_destroy(b);
}

/*
 * Destroying a batch whose send group waits in io-wq: no hang, nothing of
 * it sent, and what was queued but not submitted is not sent either.
 */
TEST_F(raw, batch_destroy_with_a_send_group_waiting)
{
	struct kipc_mq_attr attr = { .max_msgs = 4, .max_msgsize = 16 };
	struct kipc_stat st;
	struct kipc_msg m[5];
	struct kipc_batch *b;
	int i, other;

	other = kipc_mq_open(&self->k, QNAME "-room", KIPC_OPEN_CREAT |
			     KIPC_OPEN_EXCL | KIPC_OPEN_AUTOREMOVE |
			     KIPC_OPEN_READ | KIPC_OPEN_WRITE, 0600, &attr);
	ASSERT_GE(other, 0);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, kipc_mq_send(self->qd, "0", 1, 0));
	ASSERT_EQ(0, kipc_batch_create(&b, 5, 0));
	for (i = 0; i < 5; i++)
		kipc_msg_init(&m[i], "abcde" + i, 1);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[i], NULL));
	ASSERT_EQ(3, kipc_batch_submit(b));
	ASSERT_EQ(0, wait_waiters(self->qd, 1));
	/* Queued, never submitted: a queue with room must not get them. */
	ASSERT_EQ(0, kipc_batch_send(b, other, &m[3], NULL));
	ASSERT_EQ(0, kipc_batch_send(b, other, &m[4], NULL));
	kipc_batch_destroy(b);
	EXPECT_EQ(0, wait_waiters(self->qd, 0));
	ASSERT_EQ(0, kipc_stat(self->qd, &st));
	EXPECT_EQ(4, st.msgs);
	for (i = 0; i < 4; i++)
		EXPECT_EQ('0', recv_byte(self->qd));
	msleep(50);
	EXPECT_EQ(-EAGAIN, recv_byte(other));
	close(other);
}

/*
 * Sends and the receives of those very messages in one run: the rest of a
 * group cut short by the full queue goes again while the receives wait.
 */
TEST_F(raw, batch_run_with_receives_of_its_own_sends)
{
	struct kipc_completion done[12];
	struct kipc_msg m[12];
	char text[] = "abcdef", rbuf[6][16];
	struct kipc_batch *b;
	int i, sends = 0, seen = 0;

	ASSERT_EQ(0, kipc_batch_create(&b, 12, 0));
	for (i = 0; i < 6; i++) {
		kipc_msg_init(&m[i], &text[i], 1);
		ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[i], NULL));
	}
	for (i = 0; i < 6; i++) {
		kipc_msg_init(&m[6 + i], rbuf[i], sizeof(rbuf[i]));
		ASSERT_EQ(0, kipc_batch_receive(b, self->qd, &m[6 + i], NULL));
	}
	ASSERT_EQ(12, kipc_batch_run(b, done, 12));
	for (i = 0; i < 12; i++) {
		if (done[i].op == KIPC_URING_SEND) {
			EXPECT_EQ(0, done[i].res);
			sends++;
		} else {
			char c = *(char *)(uintptr_t)done[i].msg->buf;

			EXPECT_EQ(1, done[i].res);
			ASSERT_TRUE(c >= 'a' && c <= 'f');
			EXPECT_FALSE(seen & (1 << (c - 'a')));
			seen |= 1 << (c - 'a');
		}
	}
	EXPECT_EQ(6, sends);
	EXPECT_EQ(0x3f, seen);
	EXPECT_EQ(-EAGAIN, recv_byte(self->qd));
	kipc_batch_destroy(b);
}

/* Registering or unregistering between two sends keeps them apart. */
TEST_F(uq, batch_register_between_sends_is_honoured)
{
	struct kipc_completion done[2];
	struct kipc_msg m[2];
	struct kipc_batch *b;
	char c = 'x';

	ASSERT_EQ(0, kipc_batch_create(&b, 2, 0));
	kipc_msg_init(&m[0], &c, 1);
	kipc_msg_init(&m[1], &c, 1);
	ASSERT_EQ(0, kipc_batch_register(b, self->qd));
	ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[0], NULL));
	/* No group yet: allowed; the second send goes by descriptor. */
	ASSERT_EQ(0, kipc_batch_unregister(b, self->qd));
	ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[1], NULL));
	ASSERT_EQ(2, kipc_batch_run(b, done, 2));
	/* The first went to the file index it was queued for, now empty. */
	EXPECT_EQ(-EBADF, done[0].res);
	EXPECT_EQ(0, done[1].res);
	EXPECT_EQ(1, kipc_mq_tryreceive(self->qd, &c, 1, NULL));
	EXPECT_EQ(-EAGAIN, recv_byte(self->qd));
	kipc_batch_destroy(b);
}

/* Send groups on an SQPOLL ring, with a failure in the middle. */
TEST_F(uq, batch_sqpoll_send_groups)
{
	static struct kipc_msg m[40];
	static struct kipc_completion done[40];
	char big[256] = "big", text[41];
	struct kipc_batch *b;
	int i, r;

	for (i = 0; i < 40; i++)
		text[i] = (char)('A' + i);
	ASSERT_EQ(0, kipc_batch_create(&b, 40, KIPC_BATCH_SQPOLL));
	ASSERT_EQ(0, kipc_batch_register(b, self->qd));
	for (r = 0; r < 3; r++) {
		for (i = 0; i < 40; i++) {
			kipc_msg_init(&m[i], &text[i], 1);
			if (i == 5)
				kipc_msg_init(&m[i], big, sizeof(big));
			ASSERT_EQ(0, kipc_batch_send(b, self->qd, &m[i],
						     (void *)(uintptr_t)i));
		}
		ASSERT_EQ(40, kipc_batch_run(b, done, 40));
		EXPECT_EQ(0, kipc_batch_inflight(b));
		for (i = 0; i < 40; i++) {
			uintptr_t idx = (uintptr_t)done[i].user_data;

			EXPECT_EQ(idx == 5 ? -EMSGSIZE : 0, done[i].res);
		}
		for (i = 0; i < 40; i++)
			if (i != 5)
				EXPECT_EQ(text[i], recv_byte(self->qd));
		EXPECT_EQ(-EAGAIN, recv_byte(self->qd));
	}
	kipc_batch_destroy(b);
}

TEST_HARNESS_MAIN
