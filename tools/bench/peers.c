// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: the systems people use instead of kipc, each as one pair of
 * one-way channels: pipe, Unix SOCK_SEQPACKET, POSIX mq, SysV msg.
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bench.h"

/* What every copying mechanism keeps: a receive buffer per channel. */
struct copy_chan {
	size_t size;
	void *rbuf[2];
	int fd[2][2];		/* pipe / socket ends per channel */
	mqd_t mq[2];
	char name[2][64];
	int msqid[2];
	void *sbuf;		/* SysV: mtype + payload */
};

static struct copy_chan *copy_new(size_t size)
{
	struct copy_chan *c = xzalloc(sizeof(*c));

	c->size = size;
	c->rbuf[0] = xzalloc(size + 16);
	c->rbuf[1] = xzalloc(size + 16);
	return c;
}

static void copy_free(struct copy_chan *c)
{
	free(c->rbuf[0]);
	free(c->rbuf[1]);
	free(c->sbuf);
	free(c);
}

static void noop_done(UNUSED struct chan *c, UNUSED int ch)
{
}

static int noop_attach(UNUSED struct chan *c, UNUSED int side)
{
	return 0;
}

/* --- pipe: a message is a 4-byte length and the payload ---------------- */

static struct chan *pipe_create(size_t size)
{
	struct copy_chan *c = copy_new(size);

	if (pipe2(c->fd[0], O_CLOEXEC) || pipe2(c->fd[1], O_CLOEXEC)) {
		copy_free(c);
		return NULL;
	}
	return (struct chan *)c;
}

static int pipe_send(struct chan *ch_, int ch, const void *buf, size_t len)
{
	struct copy_chan *c = (struct copy_chan *)ch_;
	uint32_t l = len;
	struct iovec iov[2] = {
		{ .iov_base = &l, .iov_len = 4 },
		{ .iov_base = (void *)buf, .iov_len = len },
	};
	ssize_t n = writev(c->fd[ch][1], iov, 2);

	if (n < 0)
		return -errno;
	if ((size_t)n < len + 4) {
		/* Longer than the pipe buffer: the rest goes in pieces. */
		size_t done = n;

		if (done < 4)
			return -EIO;
		return write_full(c->fd[ch][1], (const char *)buf + done - 4,
				  len + 4 - done);
	}
	return 0;
}

static ssize_t pipe_recv(struct chan *ch_, int ch, const void **data)
{
	struct copy_chan *c = (struct copy_chan *)ch_;
	uint32_t l;
	int ret;

	ret = read_full(c->fd[ch][0], &l, 4);
	if (ret)
		return ret;
	if (l > c->size)
		return -EMSGSIZE;
	ret = read_full(c->fd[ch][0], c->rbuf[ch], l);
	if (ret)
		return ret;
	*data = c->rbuf[ch];
	return l;
}

static void fd_destroy(struct chan *ch_)
{
	struct copy_chan *c = (struct copy_chan *)ch_;

	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			close(c->fd[i][j]);
	copy_free(c);
}

const struct mech mech_pipe = {
	.name = "pipe",
	.desc = "pipe(2), length-prefixed messages",
	.caps = CAP_RTT | CAP_TPUT,
	.create = pipe_create,
	.attach = noop_attach,
	.send = pipe_send,
	.recv = pipe_recv,
	.recv_done = noop_done,
	.destroy = fd_destroy,
};

/* --- Unix SOCK_SEQPACKET socketpair ------------------------------------- */

static struct chan *seq_create(size_t size)
{
	struct copy_chan *c = copy_new(size);
	int buf = 4 * size + 65536;

	for (int i = 0; i < 2; i++) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
			       c->fd[i])) {
			copy_free(c);
			return NULL;
		}
		/* Large packets need a large send buffer (root: FORCE). */
		if (setsockopt(c->fd[i][1], SOL_SOCKET, SO_SNDBUFFORCE, &buf,
			       sizeof(buf)))
			setsockopt(c->fd[i][1], SOL_SOCKET, SO_SNDBUF, &buf,
				   sizeof(buf));
		setsockopt(c->fd[i][0], SOL_SOCKET, SO_SNDBUFFORCE, &buf,
			   sizeof(buf));
	}
	return (struct chan *)c;
}

static size_t seq_max_size(void)
{
	int sv[2], buf = 4 << 20, got = 0;
	socklen_t l = sizeof(got);

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv))
		return 1;
	if (setsockopt(sv[0], SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)))
		setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &got, &l);
	close(sv[0]);
	close(sv[1]);
	/* The kernel keeps some of the buffer for its own overhead. */
	return got > 65536 ? (size_t)got / 4 : (size_t)got / 2;
}

static int seq_send(struct chan *ch_, int ch, const void *buf, size_t len)
{
	struct copy_chan *c = (struct copy_chan *)ch_;

	return send(c->fd[ch][1], buf, len, 0) < 0 ? -errno : 0;
}

static ssize_t seq_recv(struct chan *ch_, int ch, const void **data)
{
	struct copy_chan *c = (struct copy_chan *)ch_;
	ssize_t n = recv(c->fd[ch][0], c->rbuf[ch], c->size, 0);

	if (n < 0)
		return -errno;
	*data = c->rbuf[ch];
	return n;
}

const struct mech mech_seqpacket = {
	.name = "seqpacket",
	.desc = "Unix SOCK_SEQPACKET socketpair",
	.caps = CAP_RTT | CAP_TPUT | CAP_MPMC,
	.max_size = seq_max_size,
	.create = seq_create,
	.attach = noop_attach,
	.send = seq_send,
	.recv = seq_recv,
	.recv_done = noop_done,
	.destroy = fd_destroy,
};

/* --- POSIX message queue ------------------------------------------------ */

static unsigned long read_ulong(const char *path)
{
	unsigned long v = 0;
	FILE *f = fopen(path, "re");

	if (f) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static void mq_limits(size_t size, long depth)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

	setrlimit(RLIMIT_MSGQUEUE, &rl);
	raise_sysctl("/proc/sys/fs/mqueue/msgsize_max", size);
	raise_sysctl("/proc/sys/fs/mqueue/msg_max", depth);
}

mqd_t bench_mq_open(char *name, size_t namelen, size_t size, long depth);

/* The largest message size a queue can actually be created with here. */
static size_t mq_max_size(void)
{
	size_t size = 1 << 20;
	char name[64];
	mqd_t q;

	mq_limits(size, 16);
	size = read_ulong("/proc/sys/fs/mqueue/msgsize_max");
	for (; size >= 64; size /= 2) {
		q = bench_mq_open(name, sizeof(name), size, 4);
		if (q != (mqd_t)-1) {
			mq_close(q);
			mq_unlink(name);
			return size;
		}
	}
	return 0;
}

/* Shared with the depth and memory tests in main.c. */
mqd_t bench_mq_open(char *name, size_t namelen, size_t size, long depth)
{
	struct mq_attr a = { .mq_maxmsg = depth, .mq_msgsize = size };

	mq_limits(size, depth);
	unique_name(name + 1, namelen - 1, "mq");
	name[0] = '/';
	return mq_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &a);
}

static struct chan *mq_create(size_t size)
{
	struct copy_chan *c = copy_new(size);

	for (int i = 0; i < 2; i++) {
		c->mq[i] = bench_mq_open(c->name[i], sizeof(c->name[i]), size,
					 size >= 65536 ? 4 : 16);
		if (c->mq[i] == (mqd_t)-1) {
			if (i)
				mq_unlink(c->name[0]);
			copy_free(c);
			return NULL;
		}
	}
	return (struct chan *)c;
}

static int mq_send_(struct chan *ch_, int ch, const void *buf, size_t len)
{
	struct copy_chan *c = (struct copy_chan *)ch_;

	return mq_send(c->mq[ch], buf, len, 0) ? -errno : 0;
}

static ssize_t mq_recv(struct chan *ch_, int ch, const void **data)
{
	struct copy_chan *c = (struct copy_chan *)ch_;
	ssize_t n = mq_receive(c->mq[ch], c->rbuf[ch], c->size, NULL);

	if (n < 0)
		return -errno;
	*data = c->rbuf[ch];
	return n;
}

static void mq_destroy(struct chan *ch_)
{
	struct copy_chan *c = (struct copy_chan *)ch_;

	for (int i = 0; i < 2; i++) {
		mq_close(c->mq[i]);
		mq_unlink(c->name[i]);
	}
	copy_free(c);
}

const struct mech mech_posixmq = {
	.name = "posix-mq",
	.desc = "POSIX message queue (mq_send/mq_receive)",
	.caps = CAP_RTT | CAP_TPUT | CAP_MPMC,
	.max_size = mq_max_size,
	.create = mq_create,
	.attach = noop_attach,
	.send = mq_send_,
	.recv = mq_recv,
	.recv_done = noop_done,
	.destroy = mq_destroy,
};

/* --- SysV message queue ------------------------------------------------- */

static size_t sysv_max_size(void)
{
	raise_sysctl("/proc/sys/kernel/msgmax", 1 << 20);
	raise_sysctl("/proc/sys/kernel/msgmnb", 4 << 20);
	return read_ulong("/proc/sys/kernel/msgmax");
}

/* Shared with the depth and memory tests in main.c. */
int bench_sysv_open(size_t size, unsigned long bytes)
{
	struct msqid_ds ds;
	int id;

	raise_sysctl("/proc/sys/kernel/msgmax", size);
	raise_sysctl("/proc/sys/kernel/msgmnb", bytes);
	id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (id < 0)
		return -errno;
	if (!msgctl(id, IPC_STAT, &ds) && ds.msg_qbytes < bytes) {
		ds.msg_qbytes = bytes;
		msgctl(id, IPC_SET, &ds);
	}
	return id;
}

static struct chan *sysv_create(size_t size)
{
	struct copy_chan *c = copy_new(size);

	c->msqid[0] = c->msqid[1] = -1;
	for (int i = 0; i < 2; i++) {
		c->msqid[i] = bench_sysv_open(size, 4 * size + 65536);
		if (c->msqid[i] < 0) {
			if (i)
				msgctl(c->msqid[0], IPC_RMID, NULL);
			copy_free(c);
			return NULL;
		}
	}
	return (struct chan *)c;
}

static int sysv_attach(struct chan *ch_, UNUSED int side)
{
	struct copy_chan *c = (struct copy_chan *)ch_;

	/* Per process: the send buffer holds mtype before the payload. */
	c->sbuf = xzalloc(c->size + sizeof(long));
	*(long *)c->sbuf = 1;
	return 0;
}

static int sysv_send(struct chan *ch_, int ch, const void *buf, size_t len)
{
	struct copy_chan *c = (struct copy_chan *)ch_;

	memcpy((char *)c->sbuf + sizeof(long), buf, len);
	return msgsnd(c->msqid[ch], c->sbuf, len, 0) ? -errno : 0;
}

static ssize_t sysv_recv(struct chan *ch_, int ch, const void **data)
{
	struct copy_chan *c = (struct copy_chan *)ch_;
	ssize_t n = msgrcv(c->msqid[ch], c->rbuf[ch], c->size, 0, 0);

	if (n < 0)
		return -errno;
	*data = (char *)c->rbuf[ch] + sizeof(long);
	return n;
}

static void sysv_destroy(struct chan *ch_)
{
	struct copy_chan *c = (struct copy_chan *)ch_;

	msgctl(c->msqid[0], IPC_RMID, NULL);
	msgctl(c->msqid[1], IPC_RMID, NULL);
	copy_free(c);
}

const struct mech mech_sysv = {
	.name = "sysv-msg",
	.desc = "SysV message queue (msgsnd/msgrcv)",
	.caps = CAP_RTT | CAP_TPUT | CAP_MPMC,
	.max_size = sysv_max_size,
	.create = sysv_create,
	.attach = sysv_attach,
	.send = sysv_send,
	.recv = sysv_recv,
	.recv_done = noop_done,
	.destroy = sysv_destroy,
};
