// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libkipc batches: queue many sends and receives (to one or several queue
 * handles) on a private io_uring, submit them with one io_uring_enter() and
 * reap each one's own result.
 *
 * Each queued operation gets a slot holding its message and user data; the
 * SQE's user_data is the slot index. A send that needs no more than
 * KIPC_URING_SEND_BUF expresses (the common case: type 0, no timeout) goes
 * in that lean form, its struct kipc_msg read here; any other by pointer. A batch never has more operations
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

/* Queue descriptors a batch can register (kipc_batch_register()). */
#define KIPC_BATCH_FILES	64
/* Registered descriptor numbers are below this (the map's size). */
#define KIPC_BATCH_FD_MAX	4096

struct kipc_batch {
	struct io_uring ring;
	unsigned int entries;
	unsigned int queued;	/* prepared, not submitted */
	unsigned int inflight;	/* submitted, not reaped */
	unsigned int free_head;	/* free slot list, entries when empty */
	struct kipc_batch_slot *slots;
	/* Registered files: fd_slot[qd] is the file index + 1, or 0. */
	uint8_t *fd_slot;
	unsigned int nr_fd_slot;	/* entries of fd_slot */
	uint64_t files_used;		/* bit i: file index i in use */
	int files_ready;		/* the sparse table is registered */
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
	/*
	 * Drop registered files now when nothing is in flight (the kernel
	 * would wait for it): the ring itself is torn down asynchronously.
	 * Pending operations are cancelled by the kernel with the ring.
	 */
	if (b->files_ready && !b->inflight)
		io_uring_unregister_files(&b->ring);
	io_uring_queue_exit(&b->ring);
	free(b->fd_slot);
	free(b->slots);
	free(b);
}

KIPC_EXPORT int kipc_batch_register(struct kipc_batch *b, int qd)
{
	unsigned int idx;
	int ret;

	if (!b)
		return -EINVAL;
	if (qd < 0 || qd >= KIPC_BATCH_FD_MAX)
		return -EBADF;
	if ((unsigned int)qd < b->nr_fd_slot && b->fd_slot[qd])
		return 0;
	if (!~b->files_used)
		return -ENOSPC;
	if ((unsigned int)qd >= b->nr_fd_slot) {
		unsigned int n = (unsigned int)qd + 64 > KIPC_BATCH_FD_MAX ?
				 KIPC_BATCH_FD_MAX : (unsigned int)qd + 64;
		uint8_t *map = realloc(b->fd_slot, n);

		if (!map)
			return -ENOMEM;
		memset(map + b->nr_fd_slot, 0, n - b->nr_fd_slot);
		b->fd_slot = map;
		b->nr_fd_slot = n;
	}
	if (!b->files_ready) {
		ret = io_uring_register_files_sparse(&b->ring, KIPC_BATCH_FILES);
		if (ret < 0)
			return ret;
		b->files_ready = 1;
	}
	idx = (unsigned int)__builtin_ctzll(~b->files_used);
	ret = io_uring_register_files_update(&b->ring, idx, &qd, 1);
	if (ret < 0)
		return ret;
	if (ret != 1)
		return -EIO;
	b->files_used |= 1ULL << idx;
	b->fd_slot[qd] = (uint8_t)(idx + 1);
	return 0;
}

KIPC_EXPORT int kipc_batch_unregister(struct kipc_batch *b, int qd)
{
	unsigned int idx;
	int none = -1, ret;

	if (!b)
		return -EINVAL;
	if (qd < 0 || (unsigned int)qd >= b->nr_fd_slot || !b->fd_slot[qd])
		return -ENOENT;
	idx = b->fd_slot[qd] - 1u;
	/* Operations in flight keep their own reference to the file. */
	ret = io_uring_register_files_update(&b->ring, idx, &none, 1);
	if (ret < 0)
		return ret;
	b->files_used &= ~(1ULL << idx);
	b->fd_slot[qd] = 0;
	return 0;
}

/*
 * A send that KIPC_URING_SEND_BUF expresses: type 0, no flag but
 * KIPC_F_NONBLOCK, a valid priority, nothing reserved. Anything else goes
 * by pointer, and the kernel judges it as the ioctl would.
 */
static int kipc_batch_lean(const struct kipc_msg *m)
{
	return m->size == sizeof(*m) && !(m->flags & ~KIPC_F_NONBLOCK) &&
	       !m->type && m->prio < KIPC_PRIO_MAX && !m->__reserved;
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
	if (op == KIPC_URING_SEND && kipc_batch_lean(m))
		kipc_prep_uring_send_buf(sqe, qd, (const void *)(uintptr_t)m->buf,
					 m->len, (uint16_t)m->prio,
					 (uint16_t)m->flags);
	else
		kipc_prep_uring_cmd(sqe, qd, op, m);
	if ((unsigned int)qd < b->nr_fd_slot && b->fd_slot[qd]) {
		sqe->fd = b->fd_slot[qd] - 1;
		sqe->flags |= IOSQE_FIXED_FILE;
	}
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

/* Fill @out from @cqe and free its slot; the caller advances the CQ. */
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
		struct io_uring_cqe *cqes[32];
		unsigned int got, i;

		/* Whatever is there, in one pass and one CQ head update. */
		got = max - n < 32 ? max - n : 32;
		got = io_uring_peek_batch_cqe(&b->ring, cqes, got);
		if (got) {
			for (i = 0; i < got; i++)
				kipc_batch_fill(b, cqes[i], &out[n++]);
			io_uring_cq_advance(&b->ring, got);
			continue;
		}
		if (n >= min)
			break;
		ret = io_uring_wait_cqe(&b->ring, &cqe);
		if (ret == -EINTR && n)
			break;
		if (ret < 0)
			return n ? (int)n : ret;
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
