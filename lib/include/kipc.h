/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libkipc: the C library of kipc (named message queues and shared-memory
 * regions with kernel-side synchronization, see kipc(7)).
 *
 * Conventions (as liburing's):
 *  - every function returns 0 or a non-negative value (a descriptor, a
 *    length, a count) on success and a negative errno on failure; none sets
 *    errno, prints, exits or aborts;
 *  - there is no hidden global state: a struct kipc holds the descriptor of
 *    /dev/kipc; queue and region handles are plain file descriptors (they go
 *    into poll/epoll, and close() or kipc_close() releases them);
 *  - structures of <linux/kipc.h> are used as they are (struct kipc_msg,
 *    struct kipc_stat, ...); kipc_msg_init() prepares a struct kipc_msg.
 *
 * Threads: a handle may be used by several threads at once (the kernel
 * serializes); a struct kipc may be shared once kipc_init() has returned, and
 * must not be used after kipc_exit(). A struct kipc_batch belongs to one
 * thread at a time.
 *
 * fork(): descriptors are inherited (handles are opened O_CLOEXEC unless
 * KIPC_OPEN_NOCLOEXEC is given, so exec() drops them); parent and child share
 * the same open handle (the same file description), so a region lock taken
 * through it is held by both, and closing it in one does not release it in
 * the other. A struct kipc_batch's ring must not be used by the child.
 */
#ifndef KIPC_H
#define KIPC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <linux/io_uring.h>
#include <linux/kipc.h>

#ifdef __cplusplus
extern "C" {
#endif

/** LIBKIPC_VERSION_MAJOR/MINOR - the library's version (1.0). */
#define LIBKIPC_VERSION_MAJOR	1
#define LIBKIPC_VERSION_MINOR	0

/**
 * struct kipc - a connection to /dev/kipc
 * @ctl_fd: the descriptor of /dev/kipc (O_CLOEXEC)
 * @abi_version: KIPC_ABI_VERSION of the loaded module
 * @features: KIPC_FEAT_* bits of the loaded module
 *
 * Caller-allocated (as struct io_uring is); filled by kipc_init().
 */
struct kipc {
	int ctl_fd;
	unsigned int abi_version;
	uint64_t features;
	unsigned int __resv[8];
};

/**
 * struct kipc_mq_attr - queue attributes (kipc_mq_open(), kipc_mq_getattr())
 * @max_msgs: depth limit (0 at creation: module default)
 * @max_msgsize: message size limit in bytes (0 at creation: module default)
 * @msgs: getattr: messages currently queued
 * @nonblock: getattr: 1 when the handle is O_NONBLOCK
 */
struct kipc_mq_attr {
	uint32_t max_msgs;
	uint32_t max_msgsize;
	uint32_t msgs;
	uint32_t nonblock;
};

/* ---- Library and module ------------------------------------------------ */

/* Open /dev/kipc (O_CLOEXEC) and query the module's version; flags: 0. */
int kipc_init(struct kipc *k, unsigned int flags);
/* Close what kipc_init() opened. Handles stay valid. */
void kipc_exit(struct kipc *k);
/* Query the loaded module again: ABI version and KIPC_FEAT_* bits. */
int kipc_query_version(struct kipc *k, unsigned int *abi_version,
		       uint64_t *features);
/* The descriptor of /dev/kipc. */
int kipc_fd(const struct kipc *k);

/* 1 if every bit of @feat is implemented by the loaded module. */
static inline int kipc_has_feature(const struct kipc *k, uint64_t feat)
{
	return (k->features & feat) == feat;
}

/* ---- Any handle -------------------------------------------------------- */

/* close() a queue or region handle. */
int kipc_close(int fd);
/* KIPC_IOC_STAT: the object's state. */
int kipc_stat(int fd, struct kipc_stat *st);
/* KIPC_IOC_SETPERM: change the object's mode bits (0 to 0777). */
int kipc_fchmod(int fd, mode_t mode);
/* KIPC_IOC_SETPERM: change the object's owner and group. */
int kipc_fchown(int fd, uid_t uid, gid_t gid);
/* Set or clear O_NONBLOCK on a handle (every blocking call then EAGAINs). */
int kipc_set_nonblock(int fd, int nonblock);

/* ---- Message queues ---------------------------------------------------- */

/* Prepare a struct kipc_msg: zeroed, size set. */
static inline void kipc_msg_init(struct kipc_msg *m, const void *buf,
				 size_t len)
{
	memset(m, 0, sizeof(*m));
	m->size = sizeof(*m);
	m->buf = (uintptr_t)buf;
	m->len = (uint32_t)len;
}

/*
 * Open or create a queue. @oflag: KIPC_OPEN_* bits (READ and/or WRITE,
 * CREAT, EXCL, NONBLOCK, AUTOREMOVE, NOCLOEXEC); @mode and @attr (may be
 * NULL) are used only when the queue is created. Returns the handle.
 */
int kipc_mq_open(struct kipc *k, const char *name, unsigned int oflag,
		 mode_t mode, const struct kipc_mq_attr *attr);
int kipc_mq_close(int qd);
int kipc_mq_unlink(struct kipc *k, const char *name);
int kipc_mq_getattr(int qd, struct kipc_mq_attr *attr);

/* Send @len bytes at priority @prio; blocks while the queue is full. */
int kipc_mq_send(int qd, const void *buf, size_t len, unsigned int prio);
/* ... without blocking (EAGAIN when full). */
int kipc_mq_trysend(int qd, const void *buf, size_t len, unsigned int prio);
/* ... until @abs_timeout, CLOCK_REALTIME (as mq_timedsend()). */
int kipc_mq_timedsend(int qd, const void *buf, size_t len, unsigned int prio,
		      const struct timespec *abs_timeout);
/* ... for at most @timeout_ns nanoseconds (CLOCK_MONOTONIC). */
int kipc_mq_send_timeout(int qd, const void *buf, size_t len,
			 unsigned int prio, int64_t timeout_ns);
/* ... carrying message type @type. */
int kipc_mq_send_type(int qd, const void *buf, size_t len, unsigned int prio,
		      uint64_t type);
/* Full control: every field of @m as KIPC_IOC_SEND takes it. */
int kipc_mq_sendmsg(int qd, struct kipc_msg *m);

/*
 * Receive the highest-priority message into @buf (@len bytes); returns its
 * length and stores its priority in *@prio (if not NULL).
 */
ssize_t kipc_mq_receive(int qd, void *buf, size_t len, unsigned int *prio);
ssize_t kipc_mq_tryreceive(int qd, void *buf, size_t len, unsigned int *prio);
ssize_t kipc_mq_timedreceive(int qd, void *buf, size_t len, unsigned int *prio,
			     const struct timespec *abs_timeout);
ssize_t kipc_mq_receive_timeout(int qd, void *buf, size_t len,
				unsigned int *prio, int64_t timeout_ns);
/* The first message whose type is @type. */
ssize_t kipc_mq_receive_type(int qd, void *buf, size_t len, uint64_t type,
			     unsigned int *prio);
/* Copy the next message out without removing it. */
ssize_t kipc_mq_peek(int qd, void *buf, size_t len, unsigned int *prio);
/* Full control; the out fields (len, prio, type, time_ns, pid, uid, gid). */
ssize_t kipc_mq_receivemsg(int qd, struct kipc_msg *m);

/*
 * KIPC_IOC_CALL: send @req on @qd, then receive @rep from @reply_qd, in one
 * system call. Returns the reply's length; *@sent (if not NULL) is 1 once
 * the request was queued.
 */
ssize_t kipc_mq_call(int qd, struct kipc_msg *req, int reply_qd,
		     struct kipc_msg *rep, unsigned int *sent);
/*
 * KIPC_IOC_SENDV / RECVV: move up to @count messages (each with its own
 * flags); @flags: 0 or KIPC_VEC_WAITFORONE. Returns how many moved; *@error
 * (if not NULL) gets 0 or the errno of the message that stopped the call.
 */
int kipc_mq_sendv(int qd, struct kipc_msg *msgs, unsigned int count,
		  unsigned int flags, int *error);
int kipc_mq_receivev(int qd, struct kipc_msg *msgs, unsigned int count,
		     unsigned int flags, int *error);
/*
 * SENDV with KIPC_VEC_RESULTS: send all @count messages, in order, as if
 * each were a send of its own; @results[i] gets message i's result (0 or
 * -errno). Returns how many were handled (@count unless the results array
 * faults), or -errno for the call itself. @flags: 0 or KIPC_VEC_WAITFORONE.
 */
int kipc_mq_sendv_results(int qd, struct kipc_msg *msgs, unsigned int count,
			  unsigned int flags, int32_t *results);
/* As mq_notify(): signal @signo on arrival; 0 drops the registration. */
int kipc_mq_notify(int qd, int signo);

/* ---- Shared-memory regions --------------------------------------------- */

/*
 * Open or create a region of @size bytes (rounded up to pages; used only
 * when it is created). @oflag as kipc_mq_open(). Returns the handle.
 */
int kipc_shm_open(struct kipc *k, const char *name, unsigned int oflag,
		  mode_t mode, size_t size);
int kipc_shm_close(int fd);
int kipc_shm_unlink(struct kipc *k, const char *name);
/* The region's size in bytes. */
ssize_t kipc_shm_size(int fd);
/*
 * Map the whole region shared; @prot: PROT_READ and/or PROT_WRITE. Stores
 * the address and length in *@addrp and *@lenp.
 */
int kipc_shm_map(int fd, int prot, void **addrp, size_t *lenp);
int kipc_shm_unmap(void *addr, size_t len);

/* Sleep while the 32-bit word at @offset equals @expected (as futex). */
int kipc_shm_wait(int fd, uint64_t offset, uint32_t expected);
int kipc_shm_timedwait(int fd, uint64_t offset, uint32_t expected,
		       const struct timespec *abs_timeout);
int kipc_shm_wait_timeout(int fd, uint64_t offset, uint32_t expected,
			  int64_t timeout_ns);
/* Wake up to @count (KIPC_WAKE_ALL: all) waiters; returns how many woke. */
int kipc_shm_wake(int fd, uint64_t offset, uint32_t count);

/*
 * The region's robust reader/writer lock. Every lock call returns 0, or
 * -EOWNERDEAD when the lock was taken but its previous exclusive holder died
 * holding it (the lock IS held: repair the data, then kipc_shm_consistent()
 * before unlocking, as pthread_mutex_consistent()), or another -errno.
 * @flags: 0 (exclusive) or KIPC_LOCK_SHARED.
 */
int kipc_shm_lock(int fd);
int kipc_shm_lock_shared(int fd);
int kipc_shm_trylock(int fd, unsigned int flags);
int kipc_shm_timedlock(int fd, unsigned int flags,
		       const struct timespec *abs_timeout);
int kipc_shm_lock_timeout(int fd, unsigned int flags, int64_t timeout_ns);
int kipc_shm_unlock(int fd);
int kipc_shm_consistent(int fd);

/* Doorbell: ring it (wakes pollers), read and acknowledge its counter. */
int kipc_shm_ring(int fd);
int kipc_shm_doorbell(int fd, uint64_t *count);

/* ---- io_uring, layer 1: fill an SQE of the caller's own ring ----------- */

/*
 * Prepare @sqe as an IORING_OP_URING_CMD sending (receiving) @m on queue
 * handle @qd. @m must stay valid until the completion is reaped; the CQE's
 * res is 0 (send) or the message length (receive), or -errno. Set
 * sqe->user_data afterwards (io_uring_sqe_set_data()).
 */
static inline void kipc_prep_uring_cmd(struct io_uring_sqe *sqe, int qd,
				       uint32_t cmd_op, struct kipc_msg *m)
{
	struct kipc_uring_cmd c;

	memset(&c, 0, sizeof(c));
	c.msg = (uintptr_t)m;
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = qd;
	sqe->cmd_op = cmd_op;
	memcpy((unsigned char *)sqe + offsetof(struct io_uring_sqe, cmd), &c,
	       sizeof(c));
}

static inline void kipc_prep_uring_send(struct io_uring_sqe *sqe, int qd,
					struct kipc_msg *m)
{
	kipc_prep_uring_cmd(sqe, qd, KIPC_URING_SEND, m);
}

static inline void kipc_prep_uring_recv(struct io_uring_sqe *sqe, int qd,
					struct kipc_msg *m)
{
	kipc_prep_uring_cmd(sqe, qd, KIPC_URING_RECV, m);
}

/*
 * Prepare @sqe as KIPC_URING_SENDV (KIPC_FEAT_URING_SENDV): the messages of
 * @v (as for kipc_mq_sendv()) with one SQE and one CQE, whose res is the
 * number sent, or the first error when none was; @v->done and @v->error
 * are written back. A count short of @v->count with @v->error 0 means a
 * later message would have blocked at submission: send the rest again.
 * @v, its messages and their payloads must stay valid until the completion
 * is reaped.
 */
static inline void kipc_prep_uring_sendv(struct io_uring_sqe *sqe, int qd,
					 struct kipc_msgv *v)
{
	kipc_prep_uring_cmd(sqe, qd, KIPC_URING_SENDV, (struct kipc_msg *)v);
}

/*
 * The lean send: prepare @sqe as KIPC_URING_SEND_BUF, a send of @len bytes
 * at @buf with priority @prio (type 0, no timeout) held in the SQE itself;
 * @flags: 0 or KIPC_F_NONBLOCK. @buf must stay valid until the completion
 * is reaped.
 */
static inline void kipc_prep_uring_send_buf(struct io_uring_sqe *sqe, int qd,
					    const void *buf, uint32_t len,
					    uint16_t prio, uint16_t flags)
{
	struct kipc_uring_send c;

	c.buf = (uintptr_t)buf;
	c.len = len;
	c.prio = prio;
	c.flags = flags;
	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = qd;
	sqe->cmd_op = KIPC_URING_SEND_BUF;
	memcpy((unsigned char *)sqe + offsetof(struct io_uring_sqe, cmd), &c,
	       sizeof(c));
}

/* ---- io_uring, layer 2: a batch that owns its ring --------------------- */

struct kipc_batch;

/** KIPC_BATCH_SQPOLL - kipc_batch_create(): use a kernel SQ polling thread. */
#define KIPC_BATCH_SQPOLL	(1U << 0)

/**
 * struct kipc_completion - one finished batch entry
 * @msg: the struct kipc_msg it was queued with
 * @user_data: the value it was queued with
 * @res: 0 (send) or the message length (receive), or -errno
 * @op: KIPC_URING_SEND or KIPC_URING_RECV
 */
struct kipc_completion {
	struct kipc_msg *msg;
	void *user_data;
	int res;
	uint32_t op;
};

/* A batch holding up to @entries operations in flight; flags KIPC_BATCH_*. */
int kipc_batch_create(struct kipc_batch **bp, unsigned int entries,
		      unsigned int flags);
void kipc_batch_destroy(struct kipc_batch *b);
/*
 * Register queue handle @qd (0 to 4095; up to 64 per batch) with the
 * batch's ring: later operations on @qd skip the kernel's per-operation
 * descriptor lookup. Until kipc_batch_unregister(), they go to the queue @qd
 * referred to when registered, even if @qd is closed or reused meanwhile.
 */
int kipc_batch_register(struct kipc_batch *b, int qd);
/* -EBUSY while a send group to @qd is queued or in flight. */
int kipc_batch_unregister(struct kipc_batch *b, int qd);
/*
 * Queue one send / receive (not submitted yet); -EBUSY when full.
 * Consecutive blocking sends (flags 0) to one queue without a timeout share
 * one KIPC_URING_SENDV SQE (up to 32, KIPC_VEC_RESULTS); each still gets
 * its own result. The rest of a group cut short at submission (a message
 * that would block) is submitted again by the reap that sees it.
 * Keep @m unchanged, and a plain @qd open, until the operation is reaped.
 */
int kipc_batch_send(struct kipc_batch *b, int qd, struct kipc_msg *m,
		    void *user_data);
int kipc_batch_receive(struct kipc_batch *b, int qd, struct kipc_msg *m,
		       void *user_data);
/* Submit what is queued in one io_uring_enter(); returns how many. */
int kipc_batch_submit(struct kipc_batch *b);
/*
 * Reap finished operations into @out (up to @max), waiting until at least
 * @min are available; returns how many were stored.
 */
int kipc_batch_reap(struct kipc_batch *b, struct kipc_completion *out,
		    unsigned int max, unsigned int min);
/* Submit, then wait for every operation in flight; returns how many. */
int kipc_batch_run(struct kipc_batch *b, struct kipc_completion *out,
		   unsigned int max);
/* Operations submitted and not reaped yet. */
unsigned int kipc_batch_inflight(const struct kipc_batch *b);
/* The ring's descriptor (readable in poll/epoll when completions wait). */
int kipc_batch_fd(const struct kipc_batch *b);

#ifdef __cplusplus
}
#endif

#endif /* KIPC_H */
