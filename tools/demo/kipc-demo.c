// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-demo: a producer renders frames straight into a kipc shared-memory
 * region and announces each one through a kipc message queue; a consumer
 * receives the announcement, checks the frame's checksum in place (no copy)
 * and hands the slot back through a second queue. Half way through, the
 * parent runs "kipcctl ls" to show the three objects at work. At the end
 * the consumer reports what it verified, the throughput and the latency
 * from announcement to verified frame.
 *
 * Usage: kipc-demo [--frames N] [--frame-size BYTES] [--slots N] [--kipcctl PATH]
 */
#include <errno.h>
#include <getopt.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <kipc.h>

#define REGION	"demo-frames"
#define QREADY	"demo-ready"
#define QFREE	"demo-free"

struct announce {
	uint32_t seq;
	uint32_t slot;
	uint64_t len;
	uint64_t sum;
	uint64_t t_sent;
};

/* The first page of the region; the frame slots follow it. */
struct header {
	_Atomic uint32_t produced;
	_Atomic uint32_t consumed;
};

static unsigned int frames = 300, slots = 8;
static size_t frame_size = 256 << 10;
static const char *kipcctl;
static struct kipc k;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "kipc-demo: %s: %s\n", what, strerror(-err));
	exit(1);
}

static uint64_t checksum(const uint64_t *w, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ w[i]) * 0x100000001b3ull;
	return h;
}

/* A frame: a moving gradient, different in every frame. */
static uint64_t render(uint64_t *w, size_t n, uint32_t seq)
{
	for (size_t i = 0; i < n; i++)
		w[i] = ((uint64_t)seq << 40) ^ (i * 0x9e3779b97f4a7c15ull) ^
			(i + seq);
	return checksum(w, n);
}

static char *slot_addr(char *base, uint32_t slot)
{
	return base + 4096 + (size_t)slot * frame_size;
}

static int producer(char *base, int ready, int freeq)
{
	struct header *h = (struct header *)base;

	for (uint32_t seq = 0; seq < frames; seq++) {
		struct announce a = { .seq = seq, .len = frame_size };
		uint32_t slot;
		ssize_t n;

		if (seq < slots) {
			slot = seq;
		} else {
			n = kipc_mq_receive(freeq, &slot, sizeof(slot), NULL);
			if (n != sizeof(slot))
				die("producer: receive a free slot", n < 0 ? n : -EIO);
		}
		a.slot = slot;
		a.sum = render((uint64_t *)slot_addr(base, slot),
			       frame_size / 8, seq);
		a.t_sent = now_ns();
		n = kipc_mq_send(ready, &a, sizeof(a), 0);
		if (n)
			die("producer: announce a frame", n);
		atomic_fetch_add(&h->produced, 1);
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int consumer(char *base, int ready, int freeq)
{
	struct header *h = (struct header *)base;
	uint64_t *lat = calloc(frames, sizeof(*lat)), t0 = 0, t1;
	unsigned int bad = 0, order = 0;

	if (!lat)
		return 1;
	for (uint32_t i = 0; i < frames; i++) {
		struct announce a;
		ssize_t n = kipc_mq_receive(ready, &a, sizeof(a), NULL);
		const uint64_t *w;

		if (n != sizeof(a))
			die("consumer: receive an announcement", n < 0 ? n : -EIO);
		if (!i)
			t0 = a.t_sent;
		if (a.seq != i)
			order++;
		w = (const uint64_t *)slot_addr(base, a.slot);
		if (a.slot >= slots || a.len != frame_size ||
		    checksum(w, frame_size / 8) != a.sum)
			bad++;
		lat[i] = now_ns() - a.t_sent;
		n = kipc_mq_send(freeq, &a.slot, sizeof(a.slot), 0);
		if (n)
			die("consumer: return a slot", n);
		atomic_fetch_add(&h->consumed, 1);
		if ((i + 1) % (frames / 4 ? frames / 4 : 1) == 0)
			printf("consumer: %4u/%u frames verified\n", i + 1, frames);
	}
	t1 = now_ns();
	qsort(lat, frames, sizeof(*lat), cmp_u64);
	printf("\nconsumer: %u frames of %zu KiB received, %u checksum errors, %u out of order\n",
	       frames, frame_size >> 10, bad, order);
	printf("consumer: throughput %.1f MB/s (%.0f frames/s), zero-copy: frames are read in place\n",
	       (double)frames * frame_size / ((t1 - t0) / 1e3),
	       frames / ((t1 - t0) / 1e9));
	printf("consumer: latency announce -> verified: p50 %.1f us, p99 %.1f us, max %.1f us\n",
	       lat[frames / 2] / 1e3, lat[frames * 99 / 100] / 1e3,
	       lat[frames - 1] / 1e3);
	free(lat);
	return bad || order ? 1 : 0;
}

static void run_kipcctl(void)
{
	char cmd[4200], buf[8192];
	size_t len;
	FILE *p;

	if (!kipcctl)
		return;
	/* Captured, then printed in one piece between the progress lines. */
	snprintf(cmd, sizeof(cmd), "'%s' ls", kipcctl);
	p = popen(cmd, "r");
	if (!p)
		return;
	len = fread(buf, 1, sizeof(buf) - 1, p);
	buf[len] = 0;
	pclose(p);
	printf("\n$ kipcctl ls        # while frames are flowing\n%s\n", buf);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "frames", required_argument, NULL, 'f' },
		{ "frame-size", required_argument, NULL, 's' },
		{ "slots", required_argument, NULL, 'n' },
		{ "kipcctl", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kipc_mq_attr qa;
	struct header *h;
	size_t total, len;
	int c, rg, ready, freeq, status = 0, rc = 0, prod_done = 0;
	pid_t prod, cons;
	void *base;

	while ((c = getopt_long(argc, argv, "f:s:n:k:h", lo, NULL)) != -1) {
		switch (c) {
		case 'f':
			frames = strtoul(optarg, NULL, 0);
			break;
		case 's':
			frame_size = strtoul(optarg, NULL, 0) & ~(size_t)7;
			break;
		case 'n':
			slots = strtoul(optarg, NULL, 0);
			break;
		case 'k':
			kipcctl = optarg;
			break;
		default:
			printf("Usage: %s [--frames N] [--frame-size BYTES] [--slots N] [--kipcctl PATH]\n",
			       argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (!frames || !slots || slots > 1024 || frame_size < 64) {
		fprintf(stderr, "kipc-demo: bad arguments\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	rc = kipc_init(&k, 0);
	if (rc)
		die("open " KIPC_DEVICE, rc);
	total = 4096 + (size_t)slots * frame_size;
	/* AUTOREMOVE: the names go away with the demo, even if it crashes. */
	rg = kipc_shm_open(&k, REGION, KIPC_OPEN_CREAT | KIPC_OPEN_EXCL |
			   KIPC_OPEN_READ | KIPC_OPEN_WRITE |
			   KIPC_OPEN_AUTOREMOVE, 0600, total);
	if (rg < 0)
		die("create region " REGION, rg);
	qa = (struct kipc_mq_attr){ .max_msgs = slots,
				    .max_msgsize = sizeof(struct announce) };
	ready = kipc_mq_open(&k, QREADY, KIPC_OPEN_CREAT | KIPC_OPEN_EXCL |
			     KIPC_OPEN_READ | KIPC_OPEN_WRITE |
			     KIPC_OPEN_AUTOREMOVE, 0600, &qa);
	if (ready < 0)
		die("create queue " QREADY, ready);
	qa.max_msgsize = sizeof(uint32_t);
	freeq = kipc_mq_open(&k, QFREE, KIPC_OPEN_CREAT | KIPC_OPEN_EXCL |
			     KIPC_OPEN_READ | KIPC_OPEN_WRITE |
			     KIPC_OPEN_AUTOREMOVE, 0600, &qa);
	if (freeq < 0)
		die("create queue " QFREE, freeq);
	rc = kipc_shm_map(rg, PROT_READ | PROT_WRITE, &base, &len);
	if (rc)
		die("map region " REGION, rc);
	h = base;
	printf("kipc-demo: region '%s' (%u slots x %zu KiB), queues '%s' and '%s'\n",
	       REGION, slots, frame_size >> 10, QREADY, QFREE);
	printf("kipc-demo: %u frames, producer renders into the region, consumer checks every checksum\n\n",
	       frames);
	cons = fork();
	if (!cons)
		_exit(consumer(base, ready, freeq));
	prod = fork();
	if (!prod)
		_exit(producer(base, ready, freeq));
	/* Show the objects in the middle of the run. */
	while (atomic_load(&h->consumed) < frames / 2) {
		if (waitpid(prod, &status, WNOHANG) == prod) {
			prod_done = 1;
			break;
		}
		usleep(2000);
	}
	run_kipcctl();
	rc = 0;
	if (!prod_done && waitpid(prod, &status, 0) != prod)
		rc = 1;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		rc = 1;
	if (waitpid(cons, &status, 0) != cons ||
	    !WIFEXITED(status) || WEXITSTATUS(status))
		rc = 1;
	kipc_shm_unmap(base, len);
	close(rg);
	close(ready);
	close(freeq);
	kipc_exit(&k);
	printf("kipc-demo: %s\n", rc ? "FAILED" : "every frame arrived intact");
	return rc;
}
