// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: measures kipc against pipes, Unix SOCK_SEQPACKET sockets,
 * POSIX and SysV message queues, eventfd and futex over shared memory, in
 * the same run, and prints every kipc figure as a ratio to the pipe and
 * POSIX mq ones. See tools/man/kipc-bench.1.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <mqueue.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>
#include <kipc.h>
#include "bench.h"

#ifndef KIPC_VERSION_STRING
#define KIPC_VERSION_STRING "1.0.0"
#endif

extern const struct mech mech_pipe, mech_seqpacket, mech_posixmq, mech_sysv,
	mech_futex, mech_eventfd, mech_kqueue, mech_kcall, mech_kwait,
	mech_doorbell, mech_klock;

const struct mech *const mechs[] = {
	&mech_kqueue, &mech_kcall, &mech_kwait, &mech_klock, &mech_doorbell,
	&mech_pipe, &mech_seqpacket, &mech_posixmq, &mech_sysv, &mech_eventfd,
	&mech_futex,
};
const int nmechs = sizeof(mechs) / sizeof(mechs[0]);

int bench_kq_open(char *name, size_t namelen, size_t size, unsigned int depth);
mqd_t bench_mq_open(char *name, size_t namelen, size_t size, long depth);
int bench_sysv_open(size_t size, unsigned long bytes);

/* ---- options ------------------------------------------------------------ */

static struct {
	int quick;
	const char *out;
	const char *only;
	double scale;
	int same_cpu;
	int ncpus;
	int verbose;
	size_t sizes[16];
	int nsizes;
} opt = { .scale = 1.0 };

static const char *prog = "kipc-bench";

/* ---- helpers (bench.h) -------------------------------------------------- */

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void *xzalloc(size_t size)
{
	void *p = calloc(1, size ? size : 1);

	if (!p) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(1);
	}
	return p;
}

void *shared_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void shared_free(void *p, size_t size)
{
	munmap(p, size);
}

void unique_name(char *buf, size_t len, const char *what)
{
	static unsigned int n;

	snprintf(buf, len, "%s-%d-%u", what, (int)getpid(), n++);
}

int write_full(int fd, const void *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf = (const char *)buf + n;
		len -= n;
	}
	return 0;
}

int read_full(int fd, void *buf, size_t len)
{
	while (len) {
		ssize_t n = read(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!n)
			return -EPIPE;
		buf = (char *)buf + n;
		len -= n;
	}
	return 0;
}

void raise_sysctl(const char *path, unsigned long value)
{
	unsigned long cur = 0;
	FILE *f = fopen(path, "re");

	if (f) {
		if (fscanf(f, "%lu", &cur) != 1)
			cur = 0;
		fclose(f);
	}
	if (cur >= value)
		return;
	f = fopen(path, "we");
	if (f) {
		fprintf(f, "%lu\n", value);
		fclose(f);
	}
}

static struct kipc kipc_lib;
static int kipc_state;	/* 0 untried, 1 ok, -errno failed */

struct kipc *bench_kipc(void)
{
	if (!kipc_state) {
		int ret = kipc_init(&kipc_lib, 0);

		kipc_state = ret ? ret : 1;
	}
	return kipc_state == 1 ? &kipc_lib : NULL;
}

const char *kipc_need(uint64_t feat)
{
	static char why[128];
	struct kipc *k = bench_kipc();

	if (!k) {
		snprintf(why, sizeof(why), "cannot open %s: %s", KIPC_DEVICE,
			 strerror(-kipc_state));
		return why;
	}
	if (!kipc_has_feature(k, feat)) {
		snprintf(why, sizeof(why),
			 "module lacks feature bits 0x%llx",
			 (unsigned long long)(feat & ~k->features));
		return why;
	}
	return NULL;
}

/* ---- results ------------------------------------------------------------ */

struct rec {
	char mech[32];
	size_t size;
	char metric[32];
	double value;
};

static struct rec *recs;
static int nrecs, caprecs;
static int failures;

static void record(const char *mech, size_t size, const char *metric,
		   double value)
{
	if (nrecs == caprecs) {
		caprecs = caprecs ? 2 * caprecs : 256;
		recs = realloc(recs, caprecs * sizeof(*recs));
		if (!recs)
			exit(1);
	}
	snprintf(recs[nrecs].mech, sizeof(recs[nrecs].mech), "%s", mech);
	recs[nrecs].size = size;
	snprintf(recs[nrecs].metric, sizeof(recs[nrecs].metric), "%s", metric);
	recs[nrecs].value = value;
	nrecs++;
}

/* The value recorded, or -1. */
static double lookup(const char *mech, size_t size, const char *metric)
{
	for (int i = 0; i < nrecs; i++)
		if (!strcmp(recs[i].mech, mech) && recs[i].size == size &&
		    !strcmp(recs[i].metric, metric))
			return recs[i].value;
	return -1;
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	failures++;
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- messages: header, payload pattern, checksum ------------------------ */

struct hdr {
	uint32_t seq;
	uint32_t src;
	uint32_t len;
	uint32_t sum;
};

static uint32_t payload_sum(const void *buf, size_t len)
{
	const uint64_t *w = (const uint64_t *)((const char *)buf + 16);
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < (len - 16) / 8; i++)
		h = (h ^ w[i]) * 0x100000001b3ull;
	return (uint32_t)(h ^ (h >> 32));
}

/* A message of @len (>= 16, a multiple of 8) bytes; @full: new payload. */
static void fill_msg(void *buf, size_t len, uint32_t seq, uint32_t src,
		     int full)
{
	struct hdr *h = buf;

	if (full) {
		uint64_t *w = (uint64_t *)((char *)buf + 16);

		for (size_t i = 0; i < (len - 16) / 8; i++)
			w[i] = (seq + 1) * 0x9e3779b97f4a7c15ull + i;
		h->sum = payload_sum(buf, len);
	}
	h->seq = seq;
	h->src = src;
	h->len = len;
}

/* NULL if @buf holds message (@seq, @src) of @len bytes intact. */
static const char *check_msg(const void *buf, ssize_t got, size_t len,
			     uint32_t seq, uint32_t src)
{
	static char why[96];
	const struct hdr *h = buf;

	if (got < 0) {
		snprintf(why, sizeof(why), "receive failed: %s",
			 strerror((int)-got));
		return why;
	}
	if ((size_t)got != len || h->len != len) {
		snprintf(why, sizeof(why), "length %zd, expected %zu", got, len);
		return why;
	}
	if (h->seq != seq || h->src != src) {
		snprintf(why, sizeof(why),
			 "message %u from %u, expected %u from %u (lost, duplicated or reordered)",
			 h->seq, h->src, seq, src);
		return why;
	}
	if (h->sum != payload_sum(buf, len)) {
		snprintf(why, sizeof(why), "payload checksum mismatch in message %u",
			 seq);
		return why;
	}
	return NULL;
}

/* ---- processes ---------------------------------------------------------- */

static void pin(int cpu)
{
	cpu_set_t set;

	if (opt.ncpus < 2 || opt.same_cpu)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu % opt.ncpus, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Wait for every child; returns how many failed. */
static int reap_children(void)
{
	int status, bad = 0;

	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	return bad;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Iterations for @size: @base for 64 B, fewer for large messages. */
static unsigned int iters(unsigned int base, size_t size)
{
	double n = base * opt.scale;

	if (size > 4096)
		n /= size >= (1 << 20) ? 16 : 4;
	return n < 2 ? 2 : (unsigned int)n;
}

struct shared {
	_Atomic uint64_t t_start, t_end;
	_Atomic int errors;
	char why[200];
	_Atomic uint32_t seen[];	/* N x N: per producer, per message */
};

static void child_error(struct shared *sh, const char *what, const char *why)
{
	if (atomic_fetch_add(&sh->errors, 1) == 0)
		snprintf(sh->why, sizeof(sh->why), "%s: %s", what, why);
}

/* ---- round trip --------------------------------------------------------- */

static void rtt_server(const struct mech *m, struct chan *c, size_t size,
		       unsigned int total, struct shared *sh, int ready)
{
	const void *d;
	const char *why;
	ssize_t n;

	pin(1);
	if (m->attach(c, 1)) {
		child_error(sh, "server", "attach failed");
		_exit(1);
	}
	if (write(ready, "r", 1) != 1)
		_exit(1);
	n = m->recv(c, 0, &d);
	for (unsigned int i = 0; i < total; i++) {
		if (opt.quick && (why = check_msg(d, n, size, i, 0))) {
			child_error(sh, "request", why);
			_exit(1);
		}
		if (n < 0)
			_exit(1);
		if (m->call && i + 1 < total) {
			n = m->call(c, 1, d, n, &d);
			continue;
		}
		if (m->send(c, 1, d, n)) {
			child_error(sh, "reply", "send failed");
			_exit(1);
		}
		m->recv_done(c, 0);
		if (i + 1 < total)
			n = m->recv(c, 0, &d);
	}
	_exit(0);
}

static void test_rtt(const struct mech *m, size_t size)
{
	unsigned int warm, n = opt.quick ? 8 : iters(1000, size), total;
	struct shared *sh = shared_alloc(4096);
	uint64_t *lat = xzalloc(sizeof(uint64_t) * n);
	void *buf = xzalloc(size);
	struct chan *c = m->create(size);
	const char *why = NULL;
	pid_t pid = -1;
	int p[2];
	char x;

	warm = opt.quick ? 0 : n / 10 + 2;
	total = warm + n;
	if (!c || !sh || pipe(p)) {
		fail("%s: %zu B: cannot set up: %s", m->name, size,
		     strerror(errno));
		goto out;
	}
	fill_msg(buf, size, 0, 0, 1);
	pid = fork();
	if (!pid) {
		close(p[0]);
		rtt_server(m, c, size, total, sh, p[1]);
	}
	close(p[1]);
	pin(0);
	if (m->attach(c, 0) || read(p[0], &x, 1) != 1) {
		fail("%s: %zu B: attach failed", m->name, size);
		goto wait;
	}
	for (unsigned int i = 0; i < total; i++) {
		const void *d = NULL;
		uint64_t t0, t1;
		ssize_t r;

		fill_msg(buf, size, i, 0, opt.quick);
		t0 = now_ns();
		if (m->call) {
			r = m->call(c, 0, buf, size, &d);
		} else {
			r = m->send(c, 0, buf, size);
			if (!r)
				r = m->recv(c, 1, &d);
		}
		t1 = now_ns();
		if (opt.quick || r < 0)
			why = check_msg(d, r, size, i, 0);
		if (r >= 0)
			m->recv_done(c, 1);
		if (why)
			break;
		if (i >= warm)
			lat[i - warm] = t1 - t0;
	}
wait:
	close(p[0]);
	if (why && pid > 0)
		kill(pid, SIGKILL);
	if (reap_children() && !why)
		why = sh->errors ? sh->why : "server failed";
	if (why) {
		fail("%s: %zu B round trip: %s", m->name, size, why);
	} else {
		qsort(lat, n, sizeof(*lat), cmp_u64);
		record(m->name, size, "rtt_p50_ns", lat[n / 2]);
		record(m->name, size, "rtt_p99_ns", lat[n * 99 / 100]);
		record(m->name, size, "rtt_p999_ns", lat[n * 999 / 1000]);
		record(m->name, size, "rtt_max_ns", lat[n - 1]);
		record(m->name, size, "oneway_p50_ns", lat[n / 2] / 2.0);
		if (opt.quick)
			record(m->name, size, "rtt_intact", n);
	}
	m->destroy(c);
out:
	free(lat);
	free(buf);
	if (sh)
		shared_free(sh, 4096);
}

/* ---- throughput: P producers, P consumers ------------------------------ */

static void consumer(const struct mech *m, struct chan *c, size_t size,
		     unsigned int count, unsigned int warm, int nprod,
		     unsigned int per_prod, struct shared *sh)
{
	uint32_t next = 0;

	for (unsigned int i = 0; i < count; i++) {
		const void *d;
		const struct hdr *h;
		const char *why;
		ssize_t r = m->recv(c, 0, &d);

		if (r < 0) {
			child_error(sh, "receive", strerror((int)-r));
			_exit(1);
		}
		h = d;
		if (opt.quick) {
			if (nprod == 1)
				why = check_msg(d, r, size, next++, 0);
			else if (h->src >= (unsigned int)nprod || h->seq >= per_prod)
				why = "bad header";
			else
				why = check_msg(d, r, size, h->seq, h->src);
			if (!why && nprod > 1 &&
			    atomic_fetch_add(&sh->seen[h->src * per_prod + h->seq], 1))
				why = "message delivered twice";
			if (why) {
				child_error(sh, "consumer", why);
				_exit(1);
			}
		}
		m->recv_done(c, 0);
		if (i + 1 == warm) {
			uint64_t z = 0;

			atomic_compare_exchange_strong(&sh->t_start, &z, now_ns());
		}
	}
	uint64_t t = now_ns(), e = atomic_load(&sh->t_end);

	while (t > e && !atomic_compare_exchange_weak(&sh->t_end, &e, t))
		;
	_exit(0);
}

static void test_tput(const struct mech *m, size_t size, int np)
{
	unsigned int n = opt.quick ? (size >= (1 << 20) ? 4 : 16) :
		iters(5000, size);
	unsigned int warm = opt.quick || np > 1 ? 0 : n / 10 + 2;
	unsigned int per = (n + np - 1) / np, total;
	size_t shsize = sizeof(struct shared) + 4 * (size_t)np * per + 4096;
	struct shared *sh = shared_alloc(shsize);
	struct chan *c = m->create(size);
	int ready[2], go[2], bad;
	char x;

	n = per * np;
	total = n + warm;
	if (!c || !sh || pipe(ready) || pipe(go)) {
		fail("%s: %zu B: cannot set up: %s", m->name, size,
		     strerror(errno));
		return;
	}
	for (int i = 0; i < 2 * np; i++) {
		if (fork())
			continue;
		int prod = i < np;

		close(ready[0]);
		close(go[1]);
		pin(prod ? 0 : 1);
		if (m->attach(c, prod ? 0 : 1) || write(ready[1], "r", 1) != 1 ||
		    read(go[0], &x, 1) != 1)
			_exit(1);
		if (!prod)
			consumer(m, c, size, total / np, np == 1 ? warm : 0,
				 np, per, sh);
		void *buf = xzalloc(size);

		fill_msg(buf, size, 0, i, 1);
		for (unsigned int s = 0; s < total / np; s++) {
			fill_msg(buf, size, s, i, opt.quick);
			if (m->send(c, 0, buf, size)) {
				child_error(sh, "producer", "send failed");
				_exit(1);
			}
		}
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	for (int i = 0; i < 2 * np; i++)
		if (read(ready[0], &x, 1) != 1)
			break;
	if (!warm)
		atomic_store(&sh->t_start, now_ns());
	for (int i = 0; i < 2 * np; i++)
		if (write(go[1], "g", 1) != 1)
			break;
	close(go[1]);
	close(ready[0]);
	bad = reap_children();
	if (bad || sh->errors) {
		fail("%s: %zu B throughput (%dx%d): %s", m->name, size, np, np,
		     sh->errors ? sh->why : "a process failed");
	} else {
		double sec = (sh->t_end - sh->t_start) / 1e9;
		const char *pre = np > 1 ? "mpmc_" : "tput_";
		char metric[32];

		if (sec <= 0)
			sec = 1e-9;
		snprintf(metric, sizeof(metric), "%smsgs_per_s", pre);
		record(m->name, size, metric, n / sec);
		snprintf(metric, sizeof(metric), "%smb_per_s", pre);
		record(m->name, size, metric, n * (double)size / sec / 1e6);
		if (opt.quick) {
			snprintf(metric, sizeof(metric), "%sintact", pre);
			record(m->name, size, metric, n);
		}
	}
	m->destroy(c);
	shared_free(sh, shsize);
}

/* ---- single-process tests: send cost, depth, kernel memory ------------- */

#define MICRO_SIZE	64

static void drain_kq(int q)
{
	char buf[MICRO_SIZE];

	while (kipc_mq_tryreceive(q, buf, sizeof(buf), NULL) >= 0)
		;
}

/* ns per message sending @total messages @batch at a time with @how. */
enum { SEND_ONE, SEND_VEC, SEND_URING, SEND_SQE };

/*
 * One KIPC_URING_SEND_BUF SQE per message on a ring of the bench's own
 * (layer 1, registered file), @n of them per io_uring_enter(): what a
 * batch would cost without its send groups.
 */
static int send_sqes(struct io_uring *ring, const char *buf, size_t len,
		     unsigned int n)
{
	struct io_uring_cqe *cqes[128];
	unsigned int i, got;
	int ret;

	for (i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

		if (!sqe)
			return -EBUSY;
		kipc_prep_uring_send_buf(sqe, 0, buf, (uint32_t)len, 0, 0);
		sqe->flags |= IOSQE_FIXED_FILE;
	}
	ret = io_uring_submit_and_wait(ring, n);
	if (ret < 0)
		return ret;
	got = io_uring_peek_batch_cqe(ring, cqes, n);
	ret = got == n ? 0 : -EIO;
	for (i = 0; i < got; i++)
		if (cqes[i]->res < 0)
			ret = cqes[i]->res;
	io_uring_cq_advance(ring, got);
	return ret;
}

static double send_cost(int q, int how, unsigned int batch,
			unsigned int total, void *ctx)
{
	static struct kipc_msg msgs[128];
	static struct kipc_completion comp[128];
	char buf[MICRO_SIZE] = "x";
	uint64_t t0, t = 0;

	for (unsigned int i = 0; i < batch; i++)
		kipc_msg_init(&msgs[i], buf, sizeof(buf));
	for (int round = 0; round < 3; round++) {
		t0 = now_ns();
		for (unsigned int done = 0; done < total; done += batch) {
			int ret = 0;

			if (how == SEND_ONE) {
				ret = kipc_mq_send(q, buf, sizeof(buf), 0);
			} else if (how == SEND_VEC) {
				ret = kipc_mq_sendv(q, msgs, batch, 0, NULL);
				if (ret >= 0 && (unsigned int)ret != batch)
					ret = -EIO;
			} else if (how == SEND_SQE) {
				ret = send_sqes(ctx, buf, sizeof(buf), batch);
			} else {
				struct kipc_batch *b = ctx;

				for (unsigned int i = 0; i < batch; i++)
					kipc_batch_send(b, q, &msgs[i], NULL);
				ret = kipc_batch_run(b, comp, batch);
				for (int i = 0; ret > 0 && i < ret; i++)
					if (comp[i].res < 0)
						ret = comp[i].res;
			}
			if (ret < 0) {
				fail("send cost (%d/%u): %s", how, batch,
				     strerror(-ret));
				drain_kq(q);
				return -1;
			}
		}
		if (round)	/* the first round warms up */
			t += now_ns() - t0;
		drain_kq(q);
	}
	return t / 2.0 / total;
}

/* The same 32 sends, one SQE each: the per-SQE floor, for comparison. */
static void send_cost_sqe(int q, unsigned int total)
{
	struct io_uring ring;
	int ret;

	ret = io_uring_queue_init(32, &ring, 0);
	if (ret) {
		fail("io_uring: %s", strerror(-ret));
		return;
	}
	ret = io_uring_register_files(&ring, &q, 1);
	if (ret)
		fail("io_uring: %s", strerror(-ret));
	else
		record("kipc-uring-sqe-32", MICRO_SIZE, "send_ns_per_msg",
		       send_cost(q, SEND_SQE, 32, total, &ring));
	io_uring_queue_exit(&ring);
}

static void test_send_cost(void)
{
	unsigned int total = opt.quick ? 128 : 1024;
	char name[64];
	int q;

	if (kipc_need(KIPC_FEAT_QUEUE))
		return;
	q = bench_kq_open(name, sizeof(name), MICRO_SIZE, total);
	if (q < 0) {
		fail("send cost: cannot create a queue: %s", strerror(-q));
		return;
	}
	record("kipc-send", MICRO_SIZE, "send_ns_per_msg",
	       send_cost(q, SEND_ONE, 1, total, NULL));
	if (!kipc_need(KIPC_FEAT_QUEUE_VEC))
		record("kipc-sendv-32", MICRO_SIZE, "send_ns_per_msg",
		       send_cost(q, SEND_VEC, 32, total, NULL));
	if (!kipc_need(KIPC_FEAT_URING)) {
		static const unsigned int bs[] = { 1, 8, 32, 128 };
		struct kipc_batch *b;

		for (int i = 0; i < 4; i++) {
			char m[32];
			int ret = kipc_batch_create(&b, bs[i], 0);

			if (ret) {
				fail("io_uring batch: %s", strerror(-ret));
				break;
			}
			/* The lean path: SEND_BUF commands on a registered file. */
			ret = kipc_batch_register(b, q);
			if (ret) {
				fail("io_uring batch: %s", strerror(-ret));
				kipc_batch_destroy(b);
				break;
			}
			snprintf(m, sizeof(m), "kipc-uring-%u", bs[i]);
			record(m, MICRO_SIZE, "send_ns_per_msg",
			       send_cost(q, SEND_URING, bs[i], total, b));
			kipc_batch_destroy(b);
		}
		send_cost_sqe(q, total);
	}
	close(q);
}

struct qops {
	const char *name;
	int (*open)(unsigned int depth);
	int (*send)(int q);
	int (*recv)(int q);
	void (*close)(int q);
};

static char qbuf[MICRO_SIZE + 16];
static char mqname[64];

static int kq_open_d(unsigned int depth)
{
	char name[64];

	return bench_kq_open(name, sizeof(name), MICRO_SIZE, depth);
}

static int kq_send1(int q)
{
	return kipc_mq_send(q, qbuf, MICRO_SIZE, 0);
}

static int kq_recv1(int q)
{
	ssize_t n = kipc_mq_receive(q, qbuf, MICRO_SIZE, NULL);

	return n < 0 ? (int)n : 0;
}

static void kq_close1(int q)
{
	close(q);
}

static int mq_open_d(unsigned int depth)
{
	mqd_t q = bench_mq_open(mqname, sizeof(mqname), MICRO_SIZE, depth);

	return q == (mqd_t)-1 ? -errno : (int)q;
}

static int mq_send1(int q)
{
	return mq_send(q, qbuf, MICRO_SIZE, 0) ? -errno : 0;
}

static int mq_recv1(int q)
{
	return mq_receive(q, qbuf, MICRO_SIZE, NULL) < 0 ? -errno : 0;
}

static void mq_close1(int q)
{
	mq_close(q);
	mq_unlink(mqname);
}

static int sv_open_d(unsigned int depth)
{
	return bench_sysv_open(MICRO_SIZE, (unsigned long)depth *
			       (MICRO_SIZE + 64));
}

static int sv_send1(int q)
{
	*(long *)qbuf = 1;
	return msgsnd(q, qbuf, MICRO_SIZE, 0) ? -errno : 0;
}

static int sv_recv1(int q)
{
	return msgrcv(q, qbuf, MICRO_SIZE, 0, 0) < 0 ? -errno : 0;
}

static void sv_close1(int q)
{
	msgctl(q, IPC_RMID, NULL);
}

static const struct qops qops[] = {
	{ "kipc-queue", kq_open_d, kq_send1, kq_recv1, kq_close1 },
	{ "posix-mq", mq_open_d, mq_send1, mq_recv1, mq_close1 },
	{ "sysv-msg", sv_open_d, sv_send1, sv_recv1, sv_close1 },
};

static long slab_kb(void)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

static int selected(const char *name);

static void test_depth_memory(void)
{
	unsigned int deep = opt.quick ? 1000 : 10000, pairs = opt.quick ? 64 :
		iters(2000, 64);

	for (size_t i = 0; i < sizeof(qops) / sizeof(qops[0]); i++) {
		const struct qops *o = &qops[i];
		int q, ret = 0;
		double at[2];
		long s0, s1;

		if (!selected(o->name) ||
		    (i == 0 && kipc_need(KIPC_FEAT_QUEUE)))
			continue;
		q = o->open(deep + 1);
		if (q < 0) {
			/* The peers' limits may be out of reach (not root). */
			if (i == 0)
				fail("%s: depth test: cannot create: %s", o->name,
				     strerror(-q));
			else
				printf("%s: depth test skipped: cannot create a queue %u deep: %s\n",
				       o->name, deep + 1, strerror(-q));
			continue;
		}
		for (int d = 0; d < 2 && !ret; d++) {
			unsigned int fill = d ? deep : 0;
			uint64_t t0;

			s0 = slab_kb();
			for (unsigned int k = 0; k < fill && !ret; k++)
				ret = o->send(q);
			s1 = slab_kb();
			if (d && !ret && s0 >= 0 && !opt.quick)
				record(o->name, MICRO_SIZE, "kmem_bytes_per_msg",
				       (s1 - s0) * 1024.0 / deep);
			t0 = now_ns();
			for (unsigned int k = 0; k < pairs && !ret; k++) {
				ret = o->send(q);
				if (!ret)
					ret = o->recv(q);
			}
			at[d] = (now_ns() - t0) / (double)pairs;
			for (unsigned int k = 0; k < fill && !ret; k++)
				ret = o->recv(q);
		}
		if (ret) {
			fail("%s: depth test: %s", o->name, strerror(-ret));
		} else {
			record(o->name, MICRO_SIZE, "pair_ns_depth1", at[0]);
			record(o->name, MICRO_SIZE, "pair_ns_deep", at[1]);
		}
		o->close(q);
	}
}

/* ---- output ------------------------------------------------------------- */

static const char *hsize(size_t s)
{
	static char b[4][24];
	static int i;

	i = (i + 1) % 4;
	if (s >= (1 << 20) && !(s % (1 << 20)))
		snprintf(b[i], 24, "%zuM", s >> 20);
	else if (s >= 1024 && !(s % 1024))
		snprintf(b[i], 24, "%zuK", s >> 10);
	else
		snprintf(b[i], 24, "%zu", s);
	return b[i];
}

static void ratio(FILE *f, double v, double ref)
{
	if (v > 0 && ref > 0)
		fprintf(f, " %7.2fx", v / ref);
	else
		fprintf(f, " %8s", "-");
}

static int is_kipc(const char *name)
{
	return !strncmp(name, "kipc", 4);
}

static void print_tables(FILE *f)
{
	const char *cpu = opt.ncpus < 2 || opt.same_cpu ?
		"both sides on one CPU" : "sides pinned to CPUs 0 and 1";

	fprintf(f, "\n== Round trip (ping-pong between two processes, %s), ns\n",
		cpu);
	fprintf(f, "   one-way = RTT/2; ratios of p50 RTT, below 1 = faster than the peer\n");
	fprintf(f, "%-22s %5s %9s %9s %9s %9s %9s %8s %8s\n", "mechanism", "size",
		"p50", "p99", "p99.9", "max", "one-way", "/pipe", "/mq");
	for (int s = 0; s < opt.nsizes; s++) {
		size_t sz = opt.sizes[s];

		for (int i = 0; i < nmechs; i++) {
			const char *n = mechs[i]->name;
			double p50 = lookup(n, sz, "rtt_p50_ns");

			if (p50 < 0)
				continue;
			fprintf(f, "%-22s %5s %9.0f %9.0f %9.0f %9.0f %9.0f", n,
				hsize(sz), p50, lookup(n, sz, "rtt_p99_ns"),
				lookup(n, sz, "rtt_p999_ns"),
				lookup(n, sz, "rtt_max_ns"), p50 / 2);
			if (is_kipc(n)) {
				ratio(f, p50, lookup("pipe", sz, "rtt_p50_ns"));
				ratio(f, p50, lookup("posix-mq", sz, "rtt_p50_ns"));
			}
			fputc('\n', f);
		}
	}
	for (int np = 1; np <= 2; np++) {
		const char *pre = np == 1 ? "tput" : "mpmc";
		char m1[32], m2[32];

		snprintf(m1, sizeof(m1), "%s_msgs_per_s", pre);
		snprintf(m2, sizeof(m2), "%s_mb_per_s", pre);
		fprintf(f, "\n== Throughput, %s (%s)\n",
			np == 1 ? "one producer, one consumer" :
			"2 producers, 2 consumers", cpu);
		fprintf(f, "   ratios of MB/s, above 1 = more than the peer\n");
		fprintf(f, "%-22s %5s %12s %10s %8s %8s\n", "mechanism", "size",
			"msgs/s", "MB/s", "/pipe", "/mq");
		for (int s = 0; s < opt.nsizes; s++) {
			size_t sz = opt.sizes[s];

			for (int i = 0; i < nmechs; i++) {
				const char *n = mechs[i]->name;
				double mb = lookup(n, sz, m2);

				if (mb < 0)
					continue;
				fprintf(f, "%-22s %5s %12.0f %10.1f", n,
					hsize(sz), lookup(n, sz, m1), mb);
				if (is_kipc(n)) {
					ratio(f, mb, lookup("pipe", sz, m2));
					ratio(f, mb, lookup("posix-mq", sz, m2));
				}
				fputc('\n', f);
			}
		}
	}
	fprintf(f, "\n== Send cost, one process, 64 B messages into a queue, ns per message\n");
	double one = lookup("kipc-send", MICRO_SIZE, "send_ns_per_msg");

	for (int i = 0; i < nrecs; i++)
		if (!strcmp(recs[i].metric, "send_ns_per_msg")) {
			fprintf(f, "%-22s %9.0f", recs[i].mech, recs[i].value);
			ratio(f, recs[i].value, one);
			fprintf(f, " of one KIPC_IOC_SEND\n");
		}
	fprintf(f, "\n== Queue depth: one send + one receive, 64 B, ns (one process)\n");
	fprintf(f, "%-22s %12s %12s %8s %14s\n", "mechanism", "depth 1",
		opt.quick ? "depth 1000" : "depth 10000", "ratio",
		"kmem B/msg");
	for (size_t i = 0; i < sizeof(qops) / sizeof(qops[0]); i++) {
		const char *n = qops[i].name;
		double a = lookup(n, MICRO_SIZE, "pair_ns_depth1");
		double b = lookup(n, MICRO_SIZE, "pair_ns_deep");
		double k = lookup(n, MICRO_SIZE, "kmem_bytes_per_msg");

		if (a < 0)
			continue;
		fprintf(f, "%-22s %12.0f %12.0f", n, a, b);
		ratio(f, b, a);
		if (k >= 0)
			fprintf(f, " %14.0f", k);
		fputc('\n', f);
	}
	fprintf(f, "   kmem: /proc/meminfo Slab growth while %s 64 B messages are queued, per message\n",
		opt.quick ? "1000" : "10000");
}

struct target {
	const char *what;
	const char *m1, *met1;
	size_t s1;
	const char *m2, *met2;
	size_t s2;
	double limit;
	int at_least;	/* 1: m1/m2 >= limit passes */
};

static const struct target targets[] = {
	{ "CALL round trip <= 0.6x pipe round trip", "kipc-call", "rtt_p50_ns", 64,
	  "pipe", "rtt_p50_ns", 64, 0.6, 0 },
	{ "send+receive round trip <= 0.9x pipe", "kipc-queue", "rtt_p50_ns", 64,
	  "pipe", "rtt_p50_ns", 64, 0.9, 0 },
	{ "send+receive round trip <= 1.0x POSIX mq", "kipc-queue", "rtt_p50_ns", 64,
	  "posix-mq", "rtt_p50_ns", 64, 1.0, 0 },
	{ "io_uring batch-32 send <= 0.8x one SEND ioctl", "kipc-uring-32",
	  "send_ns_per_msg", 64, "kipc-send", "send_ns_per_msg", 64, 0.8, 0 },
	{ "SENDV of 32 <= 0.5x one SEND ioctl", "kipc-sendv-32", "send_ns_per_msg",
	  64, "kipc-send", "send_ns_per_msg", 64, 0.5, 0 },
	{ "region wait/wake round trip <= 1.0x futex", "kipc-region-wait",
	  "rtt_p50_ns", 64, "futex", "rtt_p50_ns", 64, 1.0, 0 },
	{ "1 MiB through a region >= 4x POSIX mq", "kipc-region-wait",
	  "tput_mb_per_s", 1 << 20, "posix-mq", "tput_mb_per_s", 1 << 20, 4, 1 },
	{ "1 MiB through a region >= 4x pipe", "kipc-region-wait",
	  "tput_mb_per_s", 1 << 20, "pipe", "tput_mb_per_s", 1 << 20, 4, 1 },
	{ "send+receive at depth 10000 <= 1.1x depth 1", "kipc-queue",
	  "pair_ns_deep", 64, "kipc-queue", "pair_ns_depth1", 64, 1.1, 0 },
};

static void print_targets(FILE *f)
{
	fprintf(f, "\n== Targets (informational)\n");
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		const struct target *t = &targets[i];
		double a = lookup(t->m1, t->s1, t->met1);
		double b = lookup(t->m2, t->s2, t->met2);

		if (a < 0 || b <= 0) {
			fprintf(f, "  n/a   %-48s (not measured)\n", t->what);
			continue;
		}
		int ok = t->at_least ? a / b >= t->limit : a / b <= t->limit;

		fprintf(f, "  %-5s %-48s %.2fx\n", ok ? "PASS" : "MISS", t->what,
			a / b);
	}
}

static int write_csv(const char *dir)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/bench.csv", dir);
	f = fopen(path, "we");
	if (!f)
		return -errno;
	fprintf(f, "mechanism,size,metric,value\n");
	for (int i = 0; i < nrecs; i++)
		fprintf(f, "%s,%zu,%s,%.3f\n", recs[i].mech, recs[i].size,
			recs[i].metric, recs[i].value);
	return fclose(f) ? -errno : 0;
}

/* ---- main --------------------------------------------------------------- */

static int selected(const char *name)
{
	const char *p = opt.only;
	size_t l = strlen(name);

	if (!p)
		return 1;
	while (*p) {
		if (!strncmp(p, name, l) && (p[l] == ',' || !p[l]))
			return 1;
		p = strchr(p, ',');
		if (!p)
			break;
		p++;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [options]\n"
		"Measure kipc against pipes, Unix sockets, POSIX/SysV mq, eventfd and futex.\n\n"
		"  -q, --quick          check every mechanism delivers every message intact\n"
		"                       (few iterations; speed is not judged)\n"
		"  -o, --out DIR        write DIR/bench.txt and DIR/bench.csv\n"
		"  -m, --only LIST      comma-separated mechanisms (see --list)\n"
		"  -s, --sizes LIST     message sizes in bytes (K, M suffixes;\n"
		"                       default 64,4K,64K,1M)\n"
		"  -x, --scale F        multiply iteration counts by F\n"
		"  -1, --same-cpu       keep both sides on one CPU\n"
		"  -l, --list           list the mechanisms\n"
		"  -h, --help           this text\n"
		"  -V, --version        print the version\n", prog);
}

static size_t parse_size(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	return *end || end == s ? 0 : v;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "out", required_argument, NULL, 'o' },
		{ "only", required_argument, NULL, 'm' },
		{ "sizes", required_argument, NULL, 's' },
		{ "scale", required_argument, NULL, 'x' },
		{ "same-cpu", no_argument, NULL, '1' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *sizes = NULL, *tok, path[4096];
	FILE *txt = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "qo:m:s:x:1lhV", lo, NULL)) != -1) {
		switch (c) {
		case 'q':
			opt.quick = 1;
			break;
		case 'o':
			opt.out = optarg;
			break;
		case 'm':
			opt.only = optarg;
			break;
		case 's':
			sizes = optarg;
			break;
		case 'x':
			opt.scale = atof(optarg);
			if (opt.scale <= 0) {
				fprintf(stderr, "%s: bad --scale '%s'\n", prog,
					optarg);
				return 2;
			}
			break;
		case '1':
			opt.same_cpu = 1;
			break;
		case 'l':
			for (int i = 0; i < nmechs; i++)
				printf("%-22s %s\n", mechs[i]->name,
				       mechs[i]->desc);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("%s %s\n", prog, KIPC_VERSION_STRING);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog,
			argv[optind]);
		usage(stderr);
		return 2;
	}
	if (opt.only) {
		char *dup = strdup(opt.only);

		for (tok = strtok(dup, ","); tok; tok = strtok(NULL, ",")) {
			int found = 0;

			for (int i = 0; i < nmechs; i++)
				found |= !strcmp(tok, mechs[i]->name);
			for (size_t i = 0; i < sizeof(qops) / sizeof(qops[0]); i++)
				found |= !strcmp(tok, qops[i].name);
			if (!found) {
				fprintf(stderr, "%s: unknown mechanism '%s' (see --list)\n",
					prog, tok);
				return 2;
			}
		}
		free(dup);
	}
	if (!sizes)
		sizes = strdup("64,4K,64K,1M");
	for (tok = strtok(sizes, ","); tok && opt.nsizes < 16;
	     tok = strtok(NULL, ",")) {
		size_t s = parse_size(tok);

		if (s < 16 || s % 8 || s > (4u << 20)) {
			fprintf(stderr, "%s: bad size '%s' (16 B to 4 MiB, a multiple of 8)\n",
				prog, tok);
			return 2;
		}
		opt.sizes[opt.nsizes++] = s;
	}
	opt.ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (opt.out) {
		mkdir(opt.out, 0755);
		snprintf(path, sizeof(path), "%s/bench.txt", opt.out);
		txt = fopen(path, "we");
		if (!txt) {
			fprintf(stderr, "%s: cannot open '%s': %s\n", prog, path,
				strerror(errno));
			return 1;
		}
	}

	printf("kipc-bench %s: %s, %d CPU%s online%s\n", KIPC_VERSION_STRING,
	       opt.quick ? "quick delivery check" : "benchmark", opt.ncpus,
	       opt.ncpus > 1 ? "s" : "", opt.same_cpu ? " (--same-cpu)" : "");
	for (int i = 0; i < nmechs; i++) {
		const struct mech *m = mechs[i];
		const char *why = m->avail ? m->avail() : NULL;
		size_t max = m->max_size ? m->max_size() : 0;
		int before = failures, checks = 0;

		if (!selected(m->name))
			continue;
		if (why) {
			printf("%s: skipped: %s\n", m->name, why);
			continue;
		}
		for (int s = 0; s < opt.nsizes; s++) {
			size_t sz = opt.sizes[s];

			if (max && sz > max) {
				printf("%s: size %s: skipped: larger than this system allows (%zu B)\n",
				       m->name, hsize(sz), max);
				continue;
			}
			alarm(opt.quick ? 60 : 600);
			if (m->caps & CAP_RTT)
				test_rtt(m, sz), checks++;
			if (m->caps & CAP_TPUT)
				test_tput(m, sz, 1), checks++;
			if ((m->caps & CAP_MPMC) && sz <= 65536)
				test_tput(m, sz, 2), checks++;
			alarm(0);
		}
		if (opt.quick)
			printf("%s: %s (%d tests: %s)\n", m->name,
			       failures == before ? "intact" : "CORRUPTED",
			       checks, "round trip, throughput, N x N");
		else
			printf("%s: done\n", m->name);
	}
	if (selected("kipc-queue") || selected("posix-mq") ||
	    selected("sysv-msg")) {
		int before = failures;

		if (selected("kipc-queue"))
			test_send_cost();
		test_depth_memory();
		if (opt.quick)
			printf("queue depth and send cost: %s\n",
			       failures == before ? "intact" : "FAILED");
	}
	if (!opt.quick) {
		print_tables(stdout);
		print_targets(stdout);
		if (txt) {
			print_tables(txt);
			print_targets(txt);
		}
	}
	if (txt)
		fclose(txt);
	if (opt.out && write_csv(opt.out))
		fail("cannot write %s/bench.csv", opt.out);
	if (failures) {
		printf("kipc-bench: %d failure%s\n", failures,
		       failures > 1 ? "s" : "");
		return 1;
	}
	printf("kipc-bench: %s\n", opt.quick ? "every message intact" : "ok");
	return 0;
}
