/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc-bench: shared declarations.
 *
 * A mechanism moves messages over two one-way channels between two sides:
 * channel 0 goes from side 0 to side 1, channel 1 back. The harness forks the
 * sides (and, for the N x N test, several of each) after create(); every
 * process then calls attach() with its side before using the channels.
 */
#ifndef KIPC_BENCH_H
#define KIPC_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Capabilities of a mechanism. */
#define CAP_RTT		(1u << 0)	/* ping-pong round trip */
#define CAP_TPUT	(1u << 1)	/* one producer, one consumer */
#define CAP_MPMC	(1u << 2)	/* several producers and consumers */

struct chan;

#define UNUSED __attribute__((unused))

struct mech {
	const char *name;
	const char *desc;
	unsigned int caps;
	/* NULL when available, otherwise why not (feature missing, ...). */
	const char *(*avail)(void);
	/* Largest message the mechanism can carry here (0: no limit). */
	size_t (*max_size)(void);
	/* Create both channels for messages up to @size bytes. */
	struct chan *(*create)(size_t size);
	/* In each process after fork(): @side is 0 or 1. */
	int (*attach)(struct chan *c, int side);
	/* Send @len bytes on channel @ch; 0 or -errno. */
	int (*send)(struct chan *c, int ch, const void *buf, size_t len);
	/*
	 * Receive one message from channel @ch; *@data points at it until
	 * recv_done(). Returns the length or -errno.
	 */
	ssize_t (*recv)(struct chan *c, int ch, const void **data);
	void (*recv_done)(struct chan *c, int ch);
	/*
	 * Optional: send on channel @side and receive the answer on channel
	 * !@side in one step (KIPC_IOC_CALL).
	 */
	ssize_t (*call)(struct chan *c, int side, const void *buf, size_t len,
			const void **data);
	/* In the parent after every child is gone. */
	void (*destroy)(struct chan *c);
};

extern const struct mech *const mechs[];
extern const int nmechs;

/* Helpers shared by the mechanisms. */
uint64_t now_ns(void);
void *xzalloc(size_t size);
void *shared_alloc(size_t size);
void shared_free(void *p, size_t size);
void unique_name(char *buf, size_t len, const char *what);
int write_full(int fd, const void *buf, size_t len);
int read_full(int fd, void *buf, size_t len);
/* Raise a system limit file (/proc/sys/...) to at least @value, as root. */
void raise_sysctl(const char *path, unsigned long value);
/* libkipc, initialized on first use; NULL without /dev/kipc. */
struct kipc *bench_kipc(void);
/* NULL when the module implements every bit of @feat, else why not. */
const char *kipc_need(uint64_t feat);

#endif /* KIPC_BENCH_H */
