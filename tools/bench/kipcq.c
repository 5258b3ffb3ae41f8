// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: kipc message queues, through libkipc. "kipc-queue" is one
 * KIPC_IOC_SEND and one KIPC_IOC_RECV per message; "kipc-call" does a round
 * trip as one KIPC_IOC_CALL on each side (the server replies and waits for
 * the next request in one call).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kipc.h>
#include "bench.h"

struct kq_chan {
	size_t size;
	int q[2];
	char name[2][64];
	void *rbuf[2];
	void *cbuf[2];		/* call: replies alternate between these */
	int ct;
};

static const char *kq_avail(void)
{
	return kipc_need(KIPC_FEAT_QUEUE);
}

static const char *kcall_avail(void)
{
	return kipc_need(KIPC_FEAT_QUEUE | KIPC_FEAT_QUEUE_CALL);
}

static size_t kq_max_size(void)
{
	return 4u << 20;
}

/* Shared with the single-process tests: a queue that removes its name. */
int bench_kq_open(char *name, size_t namelen, size_t size, unsigned int depth)
{
	struct kipc_mq_attr a = { .max_msgs = depth, .max_msgsize = size };

	unique_name(name, namelen, "bench-q");
	return kipc_mq_open(bench_kipc(), name,
			    KIPC_OPEN_CREAT | KIPC_OPEN_EXCL | KIPC_OPEN_READ |
			    KIPC_OPEN_WRITE | KIPC_OPEN_AUTOREMOVE, 0600, &a);
}

static struct chan *kq_create(size_t size)
{
	struct kq_chan *c = xzalloc(sizeof(*c));
	unsigned int depth = size >= 65536 ? 4 : 16;

	c->size = size;
	for (int i = 0; i < 2; i++) {
		c->q[i] = bench_kq_open(c->name[i], sizeof(c->name[i]), size,
					depth);
		if (c->q[i] < 0) {
			if (i)
				close(c->q[0]);
			free(c);
			return NULL;
		}
		c->rbuf[i] = xzalloc(size);
		c->cbuf[i] = xzalloc(size);
	}
	return (struct chan *)c;
}

static int kq_attach(UNUSED struct chan *c, UNUSED int side)
{
	return 0;
}

static int kq_send(struct chan *ch_, int ch, const void *buf, size_t len)
{
	struct kq_chan *c = (struct kq_chan *)ch_;

	return kipc_mq_send(c->q[ch], buf, len, 0);
}

static ssize_t kq_recv(struct chan *ch_, int ch, const void **data)
{
	struct kq_chan *c = (struct kq_chan *)ch_;

	*data = c->rbuf[ch];
	return kipc_mq_receive(c->q[ch], c->rbuf[ch], c->size, NULL);
}

static void kq_done(UNUSED struct chan *c, UNUSED int ch)
{
}

static ssize_t kq_call(struct chan *ch_, int side, const void *buf,
		       size_t len, const void **data)
{
	struct kq_chan *c = (struct kq_chan *)ch_;
	struct kipc_msg req, rep;
	void *in = c->cbuf[c->ct];

	c->ct ^= 1;	/* @buf may be the previous reply */
	kipc_msg_init(&req, buf, len);
	kipc_msg_init(&rep, in, c->size);
	*data = in;
	return kipc_mq_call(c->q[side], &req, c->q[!side], &rep, NULL);
}

static void kq_destroy(struct chan *ch_)
{
	struct kq_chan *c = (struct kq_chan *)ch_;

	for (int i = 0; i < 2; i++) {
		kipc_mq_unlink(bench_kipc(), c->name[i]);
		close(c->q[i]);
		free(c->rbuf[i]);
		free(c->cbuf[i]);
	}
	free(c);
}

const struct mech mech_kqueue = {
	.name = "kipc-queue",
	.desc = "kipc queue, KIPC_IOC_SEND + KIPC_IOC_RECV",
	.caps = CAP_RTT | CAP_TPUT | CAP_MPMC,
	.avail = kq_avail,
	.max_size = kq_max_size,
	.create = kq_create,
	.attach = kq_attach,
	.send = kq_send,
	.recv = kq_recv,
	.recv_done = kq_done,
	.destroy = kq_destroy,
};

const struct mech mech_kcall = {
	.name = "kipc-call",
	.desc = "kipc queues, one KIPC_IOC_CALL per side per round trip",
	.caps = CAP_RTT,
	.avail = kcall_avail,
	.max_size = kq_max_size,
	.create = kq_create,
	.attach = kq_attach,
	.send = kq_send,
	.recv = kq_recv,
	.recv_done = kq_done,
	.call = kq_call,
	.destroy = kq_destroy,
};
