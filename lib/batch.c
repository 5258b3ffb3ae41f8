// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libkipc batches: queue many sends and receives (to one or several queue
 * handles) on a private io_uring, submit them with one io_uring_enter() and
 * reap each one's own result.
 *
 * Each queued operation gets a slot holding its message and user data; the
 * SQE's user_data is the slot index. A batch never has more operations
 * queued or in flight than its ring's SQ has entries, so the CQ (twice as
 * large) cannot overflow.
 */
#include <errno.h>
#include <stdlib.h>
#include <liburing.h>

#include "kipc.h"

#define KIPC_EXPORT __attribute__((visibility("default")))

struct kipc_batch_slot {
	struct kipc_msg *msg;
	void *user_data;
	uint32_t op;
	unsigned int next_free;
};

struct kipc_batch {
	struct io_uring ring;
	unsigned int entries;
	unsigned int queued;	/* prepared, not submitted */
	unsigned int inflight;	/* submitted, not reaped */
	unsigned int free_head;	/* free slot list, entries when empty */
	struct kipc_batch_slot *slots;
};

KIPC_EXPORT int kipc_batch_create(struct kipc_batch **bp, unsigned int entries,
				  unsigned int flags)
{
	struct io_uring_params p;
	struct kipc_batch *b;
	unsigned int i;
	int ret;

	if (!bp || !entries || entries > 4096 || flags & ~KIPC_BATCH_SQPOLL)
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->slots = calloc(entries, sizeof(*b->slots));
	if (!b->slots) {
		ret = -ENOMEM;
		goto err_free;
	}
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE;
	p.cq_entries = 2 * entries;
	if (flags & KIPC_BATCH_SQPOLL) {
		p.flags |= IORING_SETUP_SQPOLL;
		p.sq_thread_idle = 100;	/* ms */
	}
	ret = io_uring_queue_init_params(entries, &b->ring, &p);
	if (ret < 0)
		goto err_free;
	b->entries = entries;
	for (i = 0; i < entries; i++)
		b->slots[i].next_free = i + 1;
	b->free_head = 0;
	*bp = b;
	return 0;

err_free:
	free(b->slots);
	free(b);
	return ret;
}

KIPC_EXPORT void kipc_batch_destroy(struct kipc_batch *b)
{
	if (!b)
		return;
	/* Pending operations are cancelled by the kernel with the ring. */
	io_uring_queue_exit(&b->ring);
	free(b->slots);
	free(b);
}

static int kipc_batch_add(struct kipc_batch *b, int qd, struct kipc_msg *m,
			  void *user_data, uint32_t op)
{
	struct io_uring_sqe *sqe;
	unsigned int slot;

	if (!b || !m)
		return -EINVAL;
	if (b->free_head >= b->entries)
		return -EBUSY;
	sqe = io_uring_get_sqe(&b->ring);
	if (!sqe)
		return -EBUSY;
	slot = b->free_head;
	b->free_head = b->slots[slot].next_free;
	b->slots[slot].msg = m;
	b->slots[slot].user_data = user_data;
	b->slots[slot].op = op;
	kipc_prep_uring_cmd(sqe, qd, op, m);
	sqe->user_data = slot;
	b->queued++;
	return 0;
}

KIPC_EXPORT int kipc_batch_send(struct kipc_batch *b, int qd,
				struct kipc_msg *m, void *user_data)
{
	return kipc_batch_add(b, qd, m, user_data, KIPC_URING_SEND);
}

KIPC_EXPORT int kipc_batch_receive(struct kipc_batch *b, int qd,
				   struct kipc_msg *m, void *user_data)
{
	return kipc_batch_add(b, qd, m, user_data, KIPC_URING_RECV);
}

KIPC_EXPORT int kipc_batch_submit(struct kipc_batch *b)
{
	int ret;

	if (!b)
		return -EINVAL;
	if (!b->queued)
		return 0;
	ret = io_uring_submit(&b->ring);
	if (ret < 0)
		return ret;
	b->queued -= ret;
	b->inflight += ret;
	return ret;
}

static void kipc_batch_fill(struct kipc_batch *b, struct io_uring_cqe *cqe,
			    struct kipc_completion *out)
{
	unsigned int slot = (unsigned int)cqe->user_data;
	struct kipc_batch_slot *s = &b->slots[slot];

	out->msg = s->msg;
	out->user_data = s->user_data;
	out->op = s->op;
	out->res = cqe->res;
	s->next_free = b->free_head;
	b->free_head = slot;
	io_uring_cqe_seen(&b->ring, cqe);
	b->inflight--;
}

KIPC_EXPORT int kipc_batch_reap(struct kipc_batch *b,
				struct kipc_completion *out, unsigned int max,
				unsigned int min)
{
	struct io_uring_cqe *cqe;
	unsigned int n = 0;
	int ret;

	if (!b || (max && !out) || min > max)
		return -EINVAL;
	if (min > b->inflight)
		return -EINVAL;
	while (n < max) {
		if (n < min)
			ret = io_uring_wait_cqe(&b->ring, &cqe);
		else
			ret = io_uring_peek_cqe(&b->ring, &cqe);
		if (ret == -EAGAIN && n >= min)
			break;
		if (ret == -EINTR && n)
			break;
		if (ret < 0)
			return n ? (int)n : ret;
		kipc_batch_fill(b, cqe, &out[n++]);
	}
	return n;
}

KIPC_EXPORT int kipc_batch_run(struct kipc_batch *b,
			       struct kipc_completion *out, unsigned int max)
{
	unsigned int want;
	int ret;

	if (!b || (max && !out))
		return -EINVAL;
	want = b->inflight + b->queued;
	if (want > max)
		want = max;
	if (b->queued) {
		/* One io_uring_enter(): submit and wait for @want. */
		ret = io_uring_submit_and_wait(&b->ring, want);
		if (ret < 0 && ret != -EINTR)
			return ret;
		if (ret > 0) {
			b->queued -= ret;
			b->inflight += ret;
		}
		if (want > b->inflight)
			want = b->inflight;
	}
	return kipc_batch_reap(b, out, max, want);
}

KIPC_EXPORT unsigned int kipc_batch_inflight(const struct kipc_batch *b)
{
	return b ? b->inflight : 0;
}

KIPC_EXPORT int kipc_batch_fd(const struct kipc_batch *b)
{
	return b ? b->ring.ring_fd : -EINVAL;
}
