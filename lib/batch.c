// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libkipc batches: queue many sends and receives (to one or several queue
 * handles) on a private io_uring, submit them with one io_uring_enter() and
 * reap each one's own result.
 *
 * Each queued operation gets a slot holding its message, user data and,
 * once finished, its result. Consecutive sends to one queue share an SQE:
 * the first goes alone (KIPC_URING_SEND_BUF when that form expresses it,
 * else by pointer), and a second one turns that SQE into a
 * KIPC_URING_SENDV of a send group, which takes up to KIPC_BATCH_GROUP
 * messages (copies of the caller's struct kipc_msg) for one SQE and one
 * CQE. Only blocking sends without a timeout (flags 0) share a group: a
 * non-blocking message must not wait behind a blocking one. The SENDV goes
 * on past a failed message (KIPC_VEC_RESULTS), so each message has the
 * result, and the place in the queue, it would have had alone. When a
 * message after the first would have blocked at submission, the SENDV ends
 * early (a short count), and the rest is submitted again (a new SENDV on
 * the same group) by the reap that sees the completion.
 *
 * Finished operations wait on a ready list (in completion order) until
 * kipc_batch_reap() returns them. A batch never has more operations queued
 * or in flight than its ring's SQ has entries, and never more SQEs than
 * operations, so the CQ (twice as large) cannot overflow.
 */
#include <errno.h>
#include <stdlib.h>
#include <liburing.h>

#include "kipc.h"

#define KIPC_EXPORT __attribute__((visibility("default")))

/* Most sends one SENDV command of a batch carries. */
#define KIPC_BATCH_GROUP	32
/* In an SQE's user_data: a send group's index, not a slot's. */
#define KIPC_BATCH_TAG		(1ULL << 32)
/* The user_data of the cancellation kipc_batch_destroy() may submit. */
#define KIPC_BATCH_CANCEL	(2ULL << 32)
/* "No slot", "no group". */
#define KIPC_BATCH_NONE		(~0u)

struct kipc_batch_slot {
	struct kipc_msg *msg;
	void *user_data;
	uint32_t op;
	int res;		/* once finished */
	unsigned int next;	/* free list or ready list */
};

struct kipc_batch_group {
	struct kipc_msgv v;
	unsigned int n;			/* messages */
	int fd;				/* the SQE's fd: a file index if fixed */
	uint8_t sqe_flags;		/* IOSQE_FIXED_FILE or 0 */
	uint8_t busy;			/* queued or in flight */
	unsigned int next_free;
	unsigned int slot[KIPC_BATCH_GROUP];
	int32_t res[KIPC_BATCH_GROUP];
	struct kipc_msg m[KIPC_BATCH_GROUP];
};

/* Queue descriptors a batch can register (kipc_batch_register()). */
#define KIPC_BATCH_FILES	64
/* Registered descriptor numbers are below this (the map's size). */
#define KIPC_BATCH_FD_MAX	4096

struct kipc_batch {
	struct io_uring ring;
	unsigned int entries;
	unsigned int queued;	/* operations prepared, not submitted */
	unsigned int inflight;	/* submitted (or finished), not reaped */
	unsigned int free_head;	/* free slot list, NONE when empty */
	unsigned int ready_head, ready_tail;	/* finished, NONE when empty */
	struct kipc_batch_slot *slots;
	/* SQEs prepared and not submitted: their operation counts, a FIFO. */
	unsigned int *pend;
	unsigned int pend_head, pend_n;
	unsigned int sqes;	/* SQEs submitted, CQE not seen */
	unsigned int again;	/* of pend: SQEs resending a group's rest */
	/* The last SQE prepared, while unsubmitted and a send: to extend. */
	struct io_uring_sqe *last_sqe;
	int last_qd;
	unsigned int last_slot;		/* its slot, if a lone send */
	unsigned int last_group;	/* its group, or NONE */
	/* Send groups: allocated on demand, kept until destroy. */
	struct kipc_batch_group **groups;
	unsigned int nr_groups;
	unsigned int group_free;	/* free group list, NONE when empty */
	unsigned int groups_busy;	/* groups queued or in flight */
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
	b->pend = calloc(entries, sizeof(*b->pend));
	b->groups = calloc(entries, sizeof(*b->groups));
	if (!b->slots || !b->pend || !b->groups) {
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
		b->slots[i].next = i + 1 < entries ? i + 1 : KIPC_BATCH_NONE;
	b->free_head = 0;
	b->ready_head = b->ready_tail = KIPC_BATCH_NONE;
	b->group_free = KIPC_BATCH_NONE;
	b->last_group = KIPC_BATCH_NONE;
	*bp = b;
	return 0;

err_free:
	free(b->groups);
	free(b->pend);
	free(b->slots);
	free(b);
	return ret;
}

/*
 * Before freeing send groups the kernel may still read or write: drop what
 * is not submitted, cancel what is, and wait (at most a second) for every
 * completion. Returns 0 when nothing is in flight any more.
 */
static int kipc_batch_quiesce(struct kipc_batch *b)
{
	struct __kernel_timespec ts = { .tv_sec = 1 };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int cancelled = 0, ret;

	/* Unsubmitted SQEs are discarded, as the ring's teardown would. */
	b->ring.sq.sqe_tail = b->ring.sq.sqe_head;
	sqe = io_uring_get_sqe(&b->ring);
	if (!sqe)
		return -1;
	io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
	sqe->user_data = KIPC_BATCH_CANCEL;
	/*
	 * Only the cancellation may go in (else something published and not
	 * yet consumed would run now); with SQPOLL, liburing's count is what
	 * the SQ holds, and that is all accounted for in b->sqes.
	 */
	ret = io_uring_submit(&b->ring);
	if (ret < 0 || (!(b->ring.flags & IORING_SETUP_SQPOLL) && ret != 1))
		return -1;
	while (b->sqes || !cancelled) {
		if (io_uring_wait_cqe_timeout(&b->ring, &cqe, &ts))
			return -1;
		if (cqe->user_data == KIPC_BATCH_CANCEL)
			cancelled = 1;
		else
			b->sqes--;
		io_uring_cqe_seen(&b->ring, cqe);
	}
	return 0;
}

KIPC_EXPORT void kipc_batch_destroy(struct kipc_batch *b)
{
	unsigned int i;

	if (!b)
		return;
	/* A SENDV in flight reads its group: let none outlive it. */
	if (b->groups_busy && b->sqes && kipc_batch_quiesce(b)) {
		b->nr_groups = 0;	/* still in use: leak them */
	}
	/*
	 * Drop registered files now when nothing is in flight (the kernel
	 * would wait for it): the ring itself is torn down asynchronously.
	 * Pending operations are cancelled by the kernel with the ring.
	 */
	if (b->files_ready && !b->sqes)
		io_uring_unregister_files(&b->ring);
	io_uring_queue_exit(&b->ring);
	for (i = 0; i < b->nr_groups; i++)
		free(b->groups[i]);
	free(b->groups);
	free(b->pend);
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
	/* A later send to @qd goes to the registered file: no joining. */
	b->last_sqe = NULL;
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
	unsigned int idx, i;
	int none = -1, ret;

	if (!b)
		return -EINVAL;
	if (qd < 0 || (unsigned int)qd >= b->nr_fd_slot || !b->fd_slot[qd])
		return -ENOENT;
	idx = b->fd_slot[qd] - 1u;
	/* A send group may submit its rest again: it needs the index. */
	for (i = 0; i < b->nr_groups; i++) {
		const struct kipc_batch_group *g = b->groups[i];

		if (g->busy && g->sqe_flags && g->fd == (int)idx)
			return -EBUSY;
	}
	/* A later send to @qd goes by descriptor: no joining. */
	b->last_sqe = NULL;
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

/* Point @sqe at queue @qd: its registered file if it has one. */
static void kipc_batch_target(struct kipc_batch *b, struct io_uring_sqe *sqe,
			      int qd)
{
	if ((unsigned int)qd < b->nr_fd_slot && b->fd_slot[qd]) {
		sqe->fd = b->fd_slot[qd] - 1;
		sqe->flags |= IOSQE_FIXED_FILE;
	}
}

/* Prepare @sqe as the SENDV of group @gi. */
static void kipc_batch_prep_group(struct kipc_batch *b,
				  struct io_uring_sqe *sqe, unsigned int gi)
{
	struct kipc_batch_group *g = b->groups[gi];

	g->v.size = sizeof(g->v);
	g->v.flags = KIPC_VEC_RESULTS;
	g->v.msgs = (uintptr_t)g->m;
	g->v.count = g->n;
	g->v.msg_size = sizeof(struct kipc_msg);
	g->v.done = 0;
	g->v.error = 0;
	g->v.results = (uintptr_t)g->res;
	kipc_prep_uring_sendv(sqe, g->fd, &g->v);
	sqe->flags |= g->sqe_flags;
	sqe->user_data = KIPC_BATCH_TAG | gi;
}

/* A free group, or NONE when memory runs out. */
static unsigned int kipc_batch_group_get(struct kipc_batch *b)
{
	unsigned int gi = b->group_free;

	if (gi != KIPC_BATCH_NONE) {
		b->group_free = b->groups[gi]->next_free;
	} else {
		/* Never more groups than slots: each holds one or more. */
		if (b->nr_groups >= b->entries)
			return KIPC_BATCH_NONE;
		b->groups[b->nr_groups] = malloc(sizeof(struct kipc_batch_group));
		if (!b->groups[b->nr_groups])
			return KIPC_BATCH_NONE;
		gi = b->nr_groups++;
	}
	b->groups[gi]->busy = 1;
	b->groups_busy++;
	return gi;
}

static void kipc_batch_group_put(struct kipc_batch *b, unsigned int gi)
{
	b->groups[gi]->busy = 0;
	b->groups_busy--;
	b->groups[gi]->next_free = b->group_free;
	b->group_free = gi;
}

/*
 * Add send @m (in @slot) to the last SQE prepared, a send to the same
 * queue not submitted yet: turn a lone send into a group, or append to a
 * group with room. Returns 0 when it did, -1 when a new SQE is needed.
 */
static int kipc_batch_extend(struct kipc_batch *b, int qd,
			     const struct kipc_msg *m, unsigned int slot)
{
	struct kipc_batch_group *g;
	unsigned int gi = b->last_group;

	if (!b->last_sqe || b->last_qd != qd || m->size != sizeof(*m) ||
	    m->flags)
		return -1;
	if (gi == KIPC_BATCH_NONE) {
		const struct kipc_msg *first = b->slots[b->last_slot].msg;

		if (first->size != sizeof(*first) || first->flags)
			return -1;
		gi = kipc_batch_group_get(b);
		if (gi == KIPC_BATCH_NONE)
			return -1;
		g = b->groups[gi];
		g->m[0] = *first;
		g->slot[0] = b->last_slot;
		g->n = 1;
		g->fd = b->last_sqe->fd;
		g->sqe_flags = b->last_sqe->flags & IOSQE_FIXED_FILE;
		kipc_batch_prep_group(b, b->last_sqe, gi);
		b->last_group = gi;
	}
	g = b->groups[gi];
	if (g->n == KIPC_BATCH_GROUP)
		return -1;
	g->m[g->n] = *m;
	g->slot[g->n] = slot;
	g->v.count = ++g->n;
	b->pend[(b->pend_head + b->pend_n - 1) % b->entries]++;
	return 0;
}

/* Record a prepared SQE carrying @ops new operations. */
static void kipc_batch_pend(struct kipc_batch *b, unsigned int ops)
{
	b->pend[(b->pend_head + b->pend_n) % b->entries] = ops;
	b->pend_n++;
}

static int kipc_batch_add(struct kipc_batch *b, int qd, struct kipc_msg *m,
			  void *user_data, uint32_t op)
{
	struct io_uring_sqe *sqe;
	unsigned int slot;

	if (!b || !m)
		return -EINVAL;
	slot = b->free_head;
	if (slot == KIPC_BATCH_NONE)
		return -EBUSY;
	b->slots[slot].msg = m;
	b->slots[slot].user_data = user_data;
	b->slots[slot].op = op;
	if (op == KIPC_URING_SEND && !kipc_batch_extend(b, qd, m, slot))
		goto queued;
	/* There is one: no more SQEs than slots in use, and a slot is free. */
	sqe = io_uring_get_sqe(&b->ring);
	if (!sqe)
		return -EBUSY;
	if (op == KIPC_URING_SEND && kipc_batch_lean(m))
		kipc_prep_uring_send_buf(sqe, qd, (const void *)(uintptr_t)m->buf,
					 m->len, (uint16_t)m->prio,
					 (uint16_t)m->flags);
	else
		kipc_prep_uring_cmd(sqe, qd, op, m);
	kipc_batch_target(b, sqe, qd);
	sqe->user_data = slot;
	kipc_batch_pend(b, 1);
	b->last_sqe = op == KIPC_URING_SEND ? sqe : NULL;
	b->last_qd = qd;
	b->last_slot = slot;
	b->last_group = KIPC_BATCH_NONE;
queued:
	b->free_head = b->slots[slot].next;
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

/*
 * Submit the prepared SQEs, waiting for @wait_nr completions in the same
 * io_uring_enter(). Returns how many operations went from queued to in
 * flight, or a negative errno.
 */
static int kipc_batch_flush(struct kipc_batch *b, unsigned int wait_nr)
{
	unsigned int ops = 0;
	int ret, err;

	b->last_sqe = NULL;	/* what is submitted cannot grow */
	err = io_uring_submit_and_wait(&b->ring, wait_nr);
	/*
	 * With SQPOLL, liburing publishes every prepared SQE to the polling
	 * thread before anything can fail, and its count is what the SQ
	 * holds, not what this call added: all of them are the kernel's now.
	 */
	if (b->ring.flags & IORING_SETUP_SQPOLL)
		ret = (int)b->pend_n;
	else if (err < 0)
		return err;
	else
		ret = err > (int)b->pend_n ? (int)b->pend_n : err;
	b->sqes += (unsigned int)ret;
	for (; ret > 0; ret--) {
		if (!b->pend[b->pend_head])
			b->again--;
		ops += b->pend[b->pend_head];
		b->pend_head = (b->pend_head + 1) % b->entries;
		b->pend_n--;
	}
	b->queued -= ops;
	b->inflight += ops;
	return err < 0 ? err : (int)ops;
}

KIPC_EXPORT int kipc_batch_submit(struct kipc_batch *b)
{
	if (!b)
		return -EINVAL;
	if (!b->pend_n)
		return 0;
	return kipc_batch_flush(b, 0);
}

static void kipc_batch_ready(struct kipc_batch *b, unsigned int slot, int res)
{
	b->slots[slot].res = res;
	b->slots[slot].next = KIPC_BATCH_NONE;
	if (b->ready_tail == KIPC_BATCH_NONE)
		b->ready_head = slot;
	else
		b->slots[b->ready_tail].next = slot;
	b->ready_tail = slot;
}

/*
 * A send group's completion: each message handled has its own result (the
 * SENDV goes on past failures, KIPC_VEC_RESULTS); after a short count (a
 * message would have blocked at submission) the rest go again in a new
 * SENDV (submitted by the caller) on the same group.
 */
static void kipc_batch_group_done(struct kipc_batch *b, unsigned int gi,
				  int res)
{
	struct kipc_batch_group *g = b->groups[gi];
	unsigned int done = res > 0 ? (unsigned int)res : 0, i, left;
	struct io_uring_sqe *sqe;

	/* The command itself failed (bad handle, no memory): all of them. */
	if (res < 0) {
		for (i = 0; i < g->n; i++)
			kipc_batch_ready(b, g->slot[i], res);
		kipc_batch_group_put(b, gi);
		return;
	}
	if (done > g->n)	/* never: the kernel handled what we gave it */
		done = g->n;
	for (i = 0; i < done; i++)
		kipc_batch_ready(b, g->slot[i], g->res[i]);
	/* No progress is not a result the kernel gives: -EIO, not a loop. */
	if (!done)
		kipc_batch_ready(b, g->slot[done++], -EIO);
	left = g->n - done;
	if (!left) {
		kipc_batch_group_put(b, gi);
		return;
	}
	memmove(g->m, g->m + done, left * sizeof(g->m[0]));
	memmove(g->slot, g->slot + done, left * sizeof(g->slot[0]));
	g->n = left;
	/* There is room: this group's SQE is gone, its slots still held. */
	sqe = io_uring_get_sqe(&b->ring);
	if (!sqe) {
		for (i = 0; i < left; i++)
			kipc_batch_ready(b, g->slot[i], -EBUSY);
		kipc_batch_group_put(b, gi);
		return;
	}
	kipc_batch_prep_group(b, sqe, gi);
	kipc_batch_pend(b, 0);	/* in flight already */
	b->again++;
	b->last_sqe = NULL;
}

/* Take the completions the CQ holds; returns how many CQEs. */
static unsigned int kipc_batch_cqes(struct kipc_batch *b)
{
	struct io_uring_cqe *cqes[32];
	unsigned int got, i;

	got = io_uring_peek_batch_cqe(&b->ring, cqes, 32);
	for (i = 0; i < got; i++) {
		uint64_t ud = cqes[i]->user_data;

		if (ud & KIPC_BATCH_TAG)
			kipc_batch_group_done(b, (unsigned int)ud, cqes[i]->res);
		else
			kipc_batch_ready(b, (unsigned int)ud, cqes[i]->res);
	}
	io_uring_cq_advance(&b->ring, got);
	b->sqes -= got;
	return got;
}

/* Fill @out from the first ready slot and free it. */
static void kipc_batch_fill(struct kipc_batch *b, struct kipc_completion *out)
{
	unsigned int slot = b->ready_head;
	struct kipc_batch_slot *s = &b->slots[slot];

	b->ready_head = s->next;
	if (b->ready_head == KIPC_BATCH_NONE)
		b->ready_tail = KIPC_BATCH_NONE;
	out->msg = s->msg;
	out->user_data = s->user_data;
	out->op = s->op;
	out->res = s->res;
	s->next = b->free_head;
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
		if (b->ready_head != KIPC_BATCH_NONE) {
			kipc_batch_fill(b, &out[n++]);
			continue;
		}
		if (kipc_batch_cqes(b)) {
			/* The rest of a send group that stopped early. */
			if (b->again) {
				ret = kipc_batch_flush(b, 0);
				if (ret < 0)
					return n ? (int)n : ret;
			}
			continue;
		}
		/* A resend not submitted yet (a failed flush) goes first. */
		if (b->again) {
			ret = kipc_batch_flush(b, n >= min ? 0 : 1);
			if (ret < 0)
				return n ? (int)n : ret;
			if (n < min)
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
	if (b->pend_n) {
		/*
		 * One io_uring_enter(): submit and, when everything in flight
		 * is wanted, wait for all of its completions; but not with a
		 * send group about, whose rest may have to go again before
		 * other operations (receives of those messages) can finish.
		 */
		unsigned int wait_nr = want == b->inflight + b->queued &&
				       !b->groups_busy ?
				       b->sqes + b->pend_n : 1;

		ret = kipc_batch_flush(b, want ? wait_nr : 0);
		if (ret < 0 && ret != -EINTR)
			return ret;
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
