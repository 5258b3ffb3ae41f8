// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: mechanisms built on shared memory. Each channel is a ring of
 * message slots with a head (messages published) and a tail (messages
 * consumed) word; only the way a side sleeps until a word changes differs:
 *
 *   futex          anonymous MAP_SHARED memory, FUTEX_WAIT/FUTEX_WAKE
 *   eventfd        anonymous MAP_SHARED memory, one eventfd per word
 *   kipc-wait      a kipc region, KIPC_IOC_WAIT/KIPC_IOC_WAKE
 *   kipc-doorbell  a kipc region, KIPC_IOC_RING and poll() on the handle
 *   kipc-lock      a kipc region whose ring is guarded by the region lock;
 *                  a side that finds nothing to do yields the CPU
 *
 * A sleeper announces itself in the word's "sleep" flag, so a side only
 * makes the wake system call when the other side is (about to be) asleep.
 * The consumer reads a message in place, where the producer wrote it.
 */
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"
#include <kipc.h>

struct word {
	_Atomic uint32_t v;
	_Atomic uint32_t sleeping;
	char pad[56];
};

struct ringctl {
	struct word head;	/* messages published */
	struct word tail;	/* messages consumed */
};

#define CTL_STRIDE	4096u
#define SLOTS_OFF	(2 * CTL_STRIDE)

enum shm_kind { K_FUTEX, K_EVENTFD, K_KWAIT, K_DOORBELL, K_LOCK };

struct shm_chan {
	enum shm_kind kind;
	size_t size, stride, total;
	uint32_t nslots;
	char *base;
	int efd[4];			/* eventfd per word */
	int fd;				/* region handle of this process */
	int cfd;			/* the handle create() made */
	char name[64];
	void *rbuf;			/* kipc-lock: messages are copied out */
};

static struct ringctl *ctl(struct shm_chan *c, int ch)
{
	return (struct ringctl *)(c->base + ch * CTL_STRIDE);
}

static char *slot(struct shm_chan *c, int ch, uint32_t seq)
{
	return c->base + SLOTS_OFF +
		((size_t)ch * c->nslots + seq % c->nslots) * c->stride;
}

static int word_index(struct shm_chan *c, struct word *w)
{
	size_t off = (char *)w - c->base;

	return (off / CTL_STRIDE) * 2 + (off % CTL_STRIDE ? 1 : 0);
}

/* Sleep while @w still holds @val (spurious returns are fine). */
static int sleep_on(struct shm_chan *c, struct word *w, uint32_t val)
{
	struct pollfd p;
	uint64_t cnt;

	switch (c->kind) {
	case K_FUTEX:
		if (syscall(SYS_futex, &w->v, FUTEX_WAIT, val, NULL, NULL, 0) &&
		    errno != EAGAIN && errno != EINTR)
			return -errno;
		return 0;
	case K_EVENTFD:
		if (read(c->efd[word_index(c, w)], &cnt, 8) < 0 &&
		    errno != EINTR)
			return -errno;
		return 0;
	case K_KWAIT:
		return kipc_shm_wait(c->fd, (char *)&w->v - c->base, val);
	case K_DOORBELL:
		p.fd = c->fd;
		p.events = POLLIN;
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return -errno;
		return kipc_shm_doorbell(c->fd, NULL);
	default:
		return -EINVAL;
	}
}

static int wake(struct shm_chan *c, struct word *w)
{
	uint64_t one = 1;
	int ret;

	switch (c->kind) {
	case K_FUTEX:
		return syscall(SYS_futex, &w->v, FUTEX_WAKE, 1, NULL, NULL, 0) < 0 ?
			-errno : 0;
	case K_EVENTFD:
		return write(c->efd[word_index(c, w)], &one, 8) < 0 ? -errno : 0;
	case K_KWAIT:
		ret = kipc_shm_wake(c->fd, (char *)&w->v - c->base, 1);
		return ret < 0 ? ret : 0;
	case K_DOORBELL:
		return kipc_shm_ring(c->fd);
	default:
		return 0;
	}
}

/* Wait until @w differs from @val. */
static int wait_change(struct shm_chan *c, struct word *w, uint32_t val)
{
	int ret;

	for (;;) {
		if (atomic_load(&w->v) != val)
			return 0;
		if (c->kind == K_DOORBELL) {
			/* Acknowledge first, so a later ring makes poll() wake. */
			ret = kipc_shm_doorbell(c->fd, NULL);
			if (ret)
				return ret;
		}
		atomic_store(&w->sleeping, 1);
		if (atomic_load(&w->v) != val) {
			atomic_store(&w->sleeping, 0);
			return 0;
		}
		ret = sleep_on(c, w, val);
		atomic_store(&w->sleeping, 0);
		if (ret && ret != -EAGAIN && ret != -EINTR)
			return ret;
	}
}

static int publish(struct shm_chan *c, struct word *w, uint32_t val)
{
	atomic_store(&w->v, val);
	if (atomic_load(&w->sleeping)) {
		atomic_store(&w->sleeping, 0);
		return wake(c, w);
	}
	return 0;
}

static struct shm_chan *shm_new(enum shm_kind kind, size_t size)
{
	struct shm_chan *c = xzalloc(sizeof(*c));
	size_t per = 4u << 20;

	c->kind = kind;
	c->size = size;
	c->fd = -1;
	c->cfd = -1;
	c->stride = (size + 8 + 63) & ~(size_t)63;
	c->nslots = per / c->stride;
	if (c->nslots > 64)
		c->nslots = 64;
	if (c->nslots < 2)
		c->nslots = 2;
	c->total = SLOTS_OFF + 2 * (size_t)c->nslots * c->stride;
	c->total = (c->total + 4095) & ~(size_t)4095;
	for (int i = 0; i < 4; i++)
		c->efd[i] = -1;
	return c;
}

static struct chan *anon_create(enum shm_kind kind, size_t size)
{
	struct shm_chan *c = shm_new(kind, size);

	c->base = shared_alloc(c->total);
	if (!c->base) {
		free(c);
		return NULL;
	}
	if (kind == K_EVENTFD) {
		for (int i = 0; i < 4; i++) {
			c->efd[i] = eventfd(0, EFD_CLOEXEC);
			if (c->efd[i] < 0)
				return NULL;
		}
	}
	return (struct chan *)c;
}

static struct chan *futex_create(size_t size)
{
	return anon_create(K_FUTEX, size);
}

static struct chan *eventfd_create(size_t size)
{
	return anon_create(K_EVENTFD, size);
}

static struct chan *region_create(enum shm_kind kind, size_t size)
{
	struct shm_chan *c = shm_new(kind, size);

	unique_name(c->name, sizeof(c->name), "bench-rg");
	c->cfd = kipc_shm_open(bench_kipc(), c->name,
			       KIPC_OPEN_CREAT | KIPC_OPEN_EXCL | KIPC_OPEN_READ |
			       KIPC_OPEN_WRITE, 0600, c->total);
	if (c->cfd < 0)
		goto fail;
	c->fd = c->cfd;
	c->base = mmap(NULL, c->total, PROT_READ | PROT_WRITE, MAP_SHARED,
		       c->fd, 0);
	if (c->base == MAP_FAILED)
		goto fail_unlink;
	return (struct chan *)c;

fail_unlink:
	kipc_shm_unlink(bench_kipc(), c->name);
	close(c->cfd);
fail:
	free(c);
	return NULL;
}

static struct chan *kwait_create(size_t size)
{
	return region_create(K_KWAIT, size);
}

static struct chan *doorbell_create(size_t size)
{
	return region_create(K_DOORBELL, size);
}

static struct chan *lock_create(size_t size)
{
	return region_create(K_LOCK, size);
}

static int shm_attach(struct chan *ch_, UNUSED int side)
{
	struct shm_chan *c = (struct shm_chan *)ch_;
	int fd;

	if (c->kind != K_DOORBELL && c->kind != K_LOCK)
		return 0;
	/*
	 * The doorbell acknowledgement and the lock belong to a handle: each
	 * process opens its own.
	 */
	fd = kipc_shm_open(bench_kipc(), c->name,
			   KIPC_OPEN_READ | KIPC_OPEN_WRITE, 0, 0);
	if (fd < 0)
		return fd;
	c->fd = fd;
	if (c->kind == K_LOCK)
		c->rbuf = xzalloc(c->size);
	return 0;
}

static int shm_send(struct chan *ch_, int ch, const void *buf, size_t len)
{
	struct shm_chan *c = (struct shm_chan *)ch_;
	struct ringctl *r = ctl(c, ch);
	uint32_t head = atomic_load(&r->head.v), tail;
	char *s;
	int ret;

	for (;;) {
		tail = atomic_load(&r->tail.v);
		if (head - tail < c->nslots)
			break;
		ret = wait_change(c, &r->tail, tail);
		if (ret)
			return ret;
	}
	s = slot(c, ch, head);
	*(uint64_t *)s = len;
	memcpy(s + 8, buf, len);
	return publish(c, &r->head, head + 1);
}

static ssize_t shm_recv(struct chan *ch_, int ch, const void **data)
{
	struct shm_chan *c = (struct shm_chan *)ch_;
	struct ringctl *r = ctl(c, ch);
	uint32_t tail = atomic_load(&r->tail.v);
	char *s;
	int ret;

	ret = wait_change(c, &r->head, tail);
	if (ret)
		return ret;
	s = slot(c, ch, tail);
	*data = s + 8;
	return *(uint64_t *)s;
}

static void shm_recv_done(struct chan *ch_, int ch)
{
	struct shm_chan *c = (struct shm_chan *)ch_;
	struct ringctl *r = ctl(c, ch);

	publish(c, &r->tail, atomic_load(&r->tail.v) + 1);
}

/* kipc-lock: the same ring, every access under the region lock. */
static int lock_send(struct chan *ch_, int ch, const void *buf, size_t len)
{
	struct shm_chan *c = (struct shm_chan *)ch_;
	struct ringctl *r = ctl(c, ch);
	uint32_t head;
	char *s;
	int ret;

	for (;;) {
		ret = kipc_shm_lock(c->fd);
		if (ret)
			return ret;
		head = atomic_load(&r->head.v);
		if (head - atomic_load(&r->tail.v) < c->nslots)
			break;
		kipc_shm_unlock(c->fd);
		sched_yield();
	}
	s = slot(c, ch, head);
	*(uint64_t *)s = len;
	memcpy(s + 8, buf, len);
	atomic_store(&r->head.v, head + 1);
	return kipc_shm_unlock(c->fd);
}

static ssize_t lock_recv(struct chan *ch_, int ch, const void **data)
{
	struct shm_chan *c = (struct shm_chan *)ch_;
	struct ringctl *r = ctl(c, ch);
	uint32_t tail;
	size_t len;
	char *s;
	int ret;

	for (;;) {
		ret = kipc_shm_lock(c->fd);
		if (ret)
			return ret;
		tail = atomic_load(&r->tail.v);
		if (atomic_load(&r->head.v) != tail)
			break;
		kipc_shm_unlock(c->fd);
		sched_yield();
	}
	s = slot(c, ch, tail);
	len = *(uint64_t *)s;
	memcpy(c->rbuf, s + 8, len);
	atomic_store(&r->tail.v, tail + 1);
	ret = kipc_shm_unlock(c->fd);
	*data = c->rbuf;
	return ret ? ret : (ssize_t)len;
}

static void lock_recv_done(UNUSED struct chan *c, UNUSED int ch)
{
}

static void shm_destroy(struct chan *ch_)
{
	struct shm_chan *c = (struct shm_chan *)ch_;

	if (c->kind >= K_KWAIT) {
		munmap(c->base, c->total);
		kipc_shm_unlink(bench_kipc(), c->name);
		if (c->fd != c->cfd)
			close(c->fd);
		close(c->cfd);
	} else {
		shared_free(c->base, c->total);
	}
	for (int i = 0; i < 4; i++)
		if (c->efd[i] >= 0)
			close(c->efd[i]);
	free(c->rbuf);
	free(c);
}

static const char *avail_region_wait(void)
{
	return kipc_need(KIPC_FEAT_REGION | KIPC_FEAT_REGION_WAIT);
}

static const char *avail_doorbell(void)
{
	return kipc_need(KIPC_FEAT_REGION | KIPC_FEAT_DOORBELL);
}

static const char *avail_lock(void)
{
	return kipc_need(KIPC_FEAT_REGION | KIPC_FEAT_REGION_LOCK);
}

#define SHM_OPS .attach = shm_attach, .send = shm_send, .recv = shm_recv, \
	.recv_done = shm_recv_done, .destroy = shm_destroy

const struct mech mech_futex = {
	.name = "futex",
	.desc = "shared memory ring + futex wait/wake",
	.caps = CAP_RTT | CAP_TPUT,
	.create = futex_create,
	SHM_OPS,
};

const struct mech mech_eventfd = {
	.name = "eventfd",
	.desc = "shared memory ring + eventfd",
	.caps = CAP_RTT | CAP_TPUT,
	.create = eventfd_create,
	SHM_OPS,
};

const struct mech mech_kwait = {
	.name = "kipc-region-wait",
	.desc = "kipc region ring + KIPC_IOC_WAIT/WAKE",
	.caps = CAP_RTT | CAP_TPUT,
	.avail = avail_region_wait,
	.create = kwait_create,
	SHM_OPS,
};

const struct mech mech_doorbell = {
	.name = "kipc-region-doorbell",
	.desc = "kipc region ring + doorbell (RING, poll, DOORBELL)",
	.caps = CAP_RTT | CAP_TPUT,
	.avail = avail_doorbell,
	.create = doorbell_create,
	SHM_OPS,
};

const struct mech mech_klock = {
	.name = "kipc-region-lock",
	.desc = "kipc region ring guarded by the region lock (yield when idle)",
	.caps = CAP_RTT | CAP_TPUT,
	.avail = avail_lock,
	.create = lock_create,
	.attach = shm_attach,
	.send = lock_send,
	.recv = lock_recv,
	.recv_done = lock_recv_done,
	.destroy = shm_destroy,
};
