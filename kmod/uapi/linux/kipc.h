/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * kipc: named message queues and shared-memory regions with kernel-side
 * synchronization, driven through the /dev/kipc character device.
 *
 * This is the one UAPI header of kipc. The module, libkipc, the tools and
 * the selftests all include it as <linux/kipc.h>.
 */
#ifndef _UAPI_LINUX_KIPC_H
#define _UAPI_LINUX_KIPC_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * DOC: ABI conventions
 *
 * Every structure in this header is made of fixed-width types only
 * (``__u8``/``__u32``/``__s32``/``__s64``/``__aligned_u64``); user pointers
 * travel as ``__aligned_u64``; there is no implicit padding: padding is
 * spelled out as ``__reserved`` fields that must be zero.
 *
 * Every ioctl takes a pointer to an argument structure whose first field is
 * ``__u32 size``, set by the caller to the size of the structure it was built
 * against. The ioctl numbers do not encode the size (``_IO``, as iommufd
 * does), so a structure may grow at its end in a later ABI version:
 *
 *  - an older binary passing a shorter structure gets zero for the fields it
 *    does not know;
 *  - a newer binary passing a longer structure works as long as the bytes the
 *    kernel does not know are zero, and gets ``E2BIG`` otherwise;
 *  - a ``size`` smaller than the first ABI version of the structure gives
 *    ``EINVAL``.
 *
 * Output fields are written back only up to the smaller of the two sizes.
 *
 * The errnos every ioctl may return, with the same meaning throughout:
 *
 *  - ``ENOTTY``: the ioctl number is not known, or is not valid on this kind
 *    of file descriptor (a queue ioctl on a region handle, say);
 *  - ``EFAULT``: the argument (or a pointer inside it) is not readable or
 *    writable memory;
 *  - ``E2BIG``: ``size`` is larger than the kernel's structure and the extra
 *    bytes are not zero, or larger than a page;
 *  - ``EINVAL``: ``size`` is too small, an unknown flag bit is set, a
 *    ``__reserved`` field is not zero, or a field is out of range;
 *  - ``EBADF``: the handle was not opened for this direction (a send on a
 *    handle opened only with %KIPC_OPEN_READ, for instance).
 *
 * Each ioctl's kernel-doc lists the errnos particular to it.
 *
 * Blocking calls share one set of flags: %KIPC_F_NONBLOCK, %KIPC_F_TIMEOUT,
 * %KIPC_F_ABSTIME and %KIPC_F_REALTIME. Times are nanoseconds; a relative
 * timeout is measured on ``CLOCK_MONOTONIC``; an absolute one is a
 * ``CLOCK_MONOTONIC`` time, or a ``CLOCK_REALTIME`` time with
 * %KIPC_F_REALTIME (as POSIX mq_timedsend() takes). A handle whose file is
 * ``O_NONBLOCK`` (see %KIPC_OPEN_NONBLOCK, or ``fcntl()``) behaves as if every
 * call on it carried %KIPC_F_NONBLOCK, whatever timeout the call gives.
 * ``EINVAL`` is returned for %KIPC_F_ABSTIME without %KIPC_F_TIMEOUT,
 * %KIPC_F_REALTIME without %KIPC_F_ABSTIME, %KIPC_F_NONBLOCK together with
 * %KIPC_F_TIMEOUT, and a negative ``timeout_ns``. Absolute
 * ``CLOCK_MONOTONIC`` times are the host's: a time namespace's offset is not
 * applied (use a relative timeout there). An expired timeout gives
 * ``ETIMEDOUT``, a would-block in non-blocking mode ``EAGAIN``, a signal
 * ``EINTR`` for a call with a timeout; a call without one is restarted
 * transparently when the signal handler has ``SA_RESTART``.
 */

/** define KIPC_DEVICE - path of the control device. */
#define KIPC_DEVICE		"/dev/kipc"

/** define KIPC_ABI_VERSION - version returned by %KIPC_IOC_GET_VERSION. */
#define KIPC_ABI_VERSION	1

/** define KIPC_IOC_MAGIC - ioctl type byte of kipc (0xB9). */
#define KIPC_IOC_MAGIC		0xB9

/**
 * define KIPC_NAME_MAX - size of a name buffer, the terminating NUL included.
 *
 * Object names are 1 to %KIPC_NAME_MAX - 1 bytes from ``[A-Za-z0-9._-]``, and
 * do not start with a dot. A longer name gives ``ENAMETOOLONG``, an empty one
 * or one with another byte ``EINVAL``.
 */
#define KIPC_NAME_MAX		64

/** define KIPC_PRIO_MAX - message priorities are 0 to %KIPC_PRIO_MAX - 1. */
#define KIPC_PRIO_MAX		32768

/** define KIPC_VEC_MAX - most messages one SENDV or RECVV call moves. */
#define KIPC_VEC_MAX		1024

/**
 * enum kipc_type - kinds of kipc objects.
 * @KIPC_TYPE_QUEUE: a message queue.
 * @KIPC_TYPE_REGION: a shared-memory region.
 *
 * Queues and regions have separate name spaces: a queue and a region may
 * carry the same name.
 */
enum kipc_type {
	KIPC_TYPE_QUEUE = 1,
	KIPC_TYPE_REGION = 2,
};

/*
 * Feature bits reported by %KIPC_IOC_GET_VERSION. A bit is set only when the
 * loaded module implements the feature.
 */
/** define KIPC_FEAT_QUEUE - message queues: OPEN, SEND, RECV, STAT, poll. */
#define KIPC_FEAT_QUEUE		_BITULL(0)
/** define KIPC_FEAT_QUEUE_VEC - %KIPC_IOC_SENDV and %KIPC_IOC_RECVV. */
#define KIPC_FEAT_QUEUE_VEC	_BITULL(1)
/** define KIPC_FEAT_QUEUE_CALL - %KIPC_IOC_CALL. */
#define KIPC_FEAT_QUEUE_CALL	_BITULL(2)
/** define KIPC_FEAT_QUEUE_NOTIFY - %KIPC_IOC_NOTIFY. */
#define KIPC_FEAT_QUEUE_NOTIFY	_BITULL(3)
/** define KIPC_FEAT_REGION - shared-memory regions, mmap, STAT. */
#define KIPC_FEAT_REGION	_BITULL(4)
/** define KIPC_FEAT_REGION_WAIT - %KIPC_IOC_WAIT and %KIPC_IOC_WAKE. */
#define KIPC_FEAT_REGION_WAIT	_BITULL(5)
/** define KIPC_FEAT_REGION_LOCK - the robust region lock. */
#define KIPC_FEAT_REGION_LOCK	_BITULL(6)
/** define KIPC_FEAT_DOORBELL - %KIPC_IOC_RING, %KIPC_IOC_DOORBELL, poll. */
#define KIPC_FEAT_DOORBELL	_BITULL(7)
/** define KIPC_FEAT_URING - ``IORING_OP_URING_CMD`` on queue handles. */
#define KIPC_FEAT_URING		_BITULL(8)
/** define KIPC_FEAT_URING_SENDV - the %KIPC_URING_SENDV io_uring command. */
#define KIPC_FEAT_URING_SENDV	_BITULL(9)
/** define KIPC_FEAT_QUEUE_VEC_RESULTS - SENDV's %KIPC_VEC_RESULTS. */
#define KIPC_FEAT_QUEUE_VEC_RESULTS	_BITULL(10)
/** define KIPC_FEATURES_ALL - every feature bit this header defines. */
#define KIPC_FEATURES_ALL	((KIPC_FEAT_QUEUE_VEC_RESULTS << 1) - 1)

/**
 * struct kipc_version - argument of %KIPC_IOC_GET_VERSION
 * @size: sizeof(struct kipc_version)
 * @abi_version: out: %KIPC_ABI_VERSION of the loaded module
 * @features: out: the KIPC_FEAT_* bits the loaded module implements
 */
struct kipc_version {
	__u32 size;
	__u32 abi_version;
	__aligned_u64 features;
};

/*
 * Flags of struct kipc_open.
 */
/** define KIPC_OPEN_CREAT - create the object if the name is free. */
#define KIPC_OPEN_CREAT		_BITUL(0)
/** define KIPC_OPEN_EXCL - with %KIPC_OPEN_CREAT: fail if it exists. */
#define KIPC_OPEN_EXCL		_BITUL(1)
/** define KIPC_OPEN_READ - receive from the queue / map the region readable. */
#define KIPC_OPEN_READ		_BITUL(2)
/** define KIPC_OPEN_WRITE - send to the queue / map the region writable. */
#define KIPC_OPEN_WRITE		_BITUL(3)
/** define KIPC_OPEN_NONBLOCK - the handle is ``O_NONBLOCK``. */
#define KIPC_OPEN_NONBLOCK	_BITUL(4)
/**
 * define KIPC_OPEN_AUTOREMOVE - remove the name with the last handle
 *
 * With %KIPC_OPEN_CREAT, the name of a new object is removed when its last
 * handle is closed (or the process holding it dies), so no stale name is
 * left behind. Ignored when the object already exists.
 */
#define KIPC_OPEN_AUTOREMOVE	_BITUL(5)
/** define KIPC_OPEN_NOCLOEXEC - do not set ``O_CLOEXEC`` on the new fd. */
#define KIPC_OPEN_NOCLOEXEC	_BITUL(6)
/** define KIPC_OPEN_ALL - every flag struct kipc_open accepts. */
#define KIPC_OPEN_ALL		((KIPC_OPEN_NOCLOEXEC << 1) - 1)

/**
 * struct kipc_open - argument of %KIPC_IOC_OPEN
 * @size: sizeof(struct kipc_open)
 * @type: enum kipc_type of the object
 * @flags: KIPC_OPEN_* bits; at least one of %KIPC_OPEN_READ and
 *	%KIPC_OPEN_WRITE
 * @name: user pointer to the NUL-terminated object name
 * @mode: with %KIPC_OPEN_CREAT, permission bits (``0`` to ``0777``) of a new
 *	object; the creator's umask is not applied
 * @max_msgs: queue created: most messages queued at once (0: the
 *	``default_max_msgs`` module parameter); must be 0 for a region
 * @max_msgsize: queue created: largest message in bytes (0: the
 *	``default_max_msgsize`` module parameter); must be 0 for a region
 * @__reserved: must be zero
 * @__reserved2: must be zero
 * @region_size: region created: size in bytes, rounded up to whole pages;
 *	must be 0 for a queue
 *
 * The attributes (@mode, @max_msgs, @max_msgsize, @region_size) are used
 * only when the call creates the object and are ignored when it opens an
 * existing one, as mq_open() does.
 *
 * A region's pages are allocated, zeroed, when it is created. A region
 * handle is mapped with mmap() and ``MAP_SHARED`` only (``MAP_PRIVATE``
 * gives ``EINVAL``, as does an offset or length reaching past the region);
 * every mapping of a region shows the same memory. A handle opened without
 * %KIPC_OPEN_WRITE maps read-only: ``PROT_WRITE``, or a later mprotect() to
 * it, gives ``EACCES``. A mapping keeps the region alive after its handles
 * are closed and its name removed. A mapping grown with mremap() gets
 * ``SIGBUS`` past the region's end.
 */
struct kipc_open {
	__u32 size;
	__u32 type;
	__u32 flags;
	__u32 mode;
	__aligned_u64 name;
	__u32 max_msgs;
	__u32 max_msgsize;
	__u32 __reserved;
	__u32 __reserved2;
	__aligned_u64 region_size;
};

/**
 * struct kipc_unlink - argument of %KIPC_IOC_UNLINK
 * @size: sizeof(struct kipc_unlink)
 * @type: enum kipc_type of the object
 * @name: user pointer to the NUL-terminated object name
 */
struct kipc_unlink {
	__u32 size;
	__u32 type;
	__aligned_u64 name;
};

/*
 * Flags shared by every blocking call (send, receive, call, wait, lock).
 */
/** define KIPC_F_NONBLOCK - fail with ``EAGAIN`` instead of blocking. */
#define KIPC_F_NONBLOCK		_BITUL(0)
/** define KIPC_F_TIMEOUT - the call's ``timeout_ns`` is valid. */
#define KIPC_F_TIMEOUT		_BITUL(1)
/** define KIPC_F_ABSTIME - with %KIPC_F_TIMEOUT: ``timeout_ns`` is absolute. */
#define KIPC_F_ABSTIME		_BITUL(2)
/** define KIPC_F_REALTIME - with %KIPC_F_ABSTIME: on ``CLOCK_REALTIME``. */
#define KIPC_F_REALTIME		_BITUL(3)
/** define KIPC_F_WAIT_ALL - every KIPC_F_* bit. */
#define KIPC_F_WAIT_ALL		((KIPC_F_REALTIME << 1) - 1)

/*
 * Flags of struct kipc_msg, besides the KIPC_F_* ones.
 */
/** define KIPC_MSG_PEEK - receive: copy the message out but leave it queued. */
#define KIPC_MSG_PEEK		_BITUL(8)
/** define KIPC_MSG_BYTYPE - receive: the first message whose type is @type. */
#define KIPC_MSG_BYTYPE		_BITUL(9)

/**
 * struct kipc_msg - one message, argument of %KIPC_IOC_SEND and %KIPC_IOC_RECV
 * @size: sizeof(struct kipc_msg)
 * @flags: KIPC_F_* and, for a receive, KIPC_MSG_* bits
 * @buf: user pointer to the payload (send) or to the receive buffer
 * @len: send: payload length; receive: in: buffer size, out: message length
 * @prio: send: priority, 0 to %KIPC_PRIO_MAX - 1, higher first, FIFO within a
 *	priority; receive: out
 * @type: send: message type (any value); receive: in, with
 *	%KIPC_MSG_BYTYPE: the type wanted; out: the message's type
 * @timeout_ns: with %KIPC_F_TIMEOUT: relative timeout (>= 0), or absolute
 *	time with %KIPC_F_ABSTIME
 * @time_ns: receive, out: when the message was sent, ``CLOCK_REALTIME`` ns
 * @pid: receive, out: the sender's process id (tgid) in the receiver's pid
 *	namespace, 0 if it is not visible there
 * @uid: receive, out: the sender's euid in the receiver's user namespace
 * @gid: receive, out: the sender's egid in the receiver's user namespace
 * @__reserved: must be zero
 *
 * Errors of %KIPC_IOC_SEND: ``EMSGSIZE`` (@len above the queue's
 * max_msgsize), ``EINVAL`` (@prio out of range, a receive-only flag),
 * ``EAGAIN`` (full and non-blocking), ``ETIMEDOUT``, ``EINTR``, ``EDQUOT``
 * (the queue's owner is over the ``user_quota_bytes`` module parameter;
 * nothing is queued), ``ENOMEM``.
 *
 * Errors of %KIPC_IOC_RECV: ``EMSGSIZE`` (@len smaller than the message,
 * which stays queued; @len is set to the length needed), ``EAGAIN`` (empty
 * and non-blocking), ``ETIMEDOUT``, ``EINTR``.
 */
struct kipc_msg {
	__u32 size;
	__u32 flags;
	__aligned_u64 buf;
	__u32 len;
	__u32 prio;
	__aligned_u64 type;
	__s64 timeout_ns;
	__aligned_u64 time_ns;
	__s32 pid;
	__u32 uid;
	__u32 gid;
	__u32 __reserved;
};

/**
 * define KIPC_VEC_WAITFORONE - block for the first message only
 *
 * For SENDV and RECVV: the first message blocks as its own flags say; the
 * rest are moved without blocking.
 */
#define KIPC_VEC_WAITFORONE	_BITUL(0)
/**
 * define KIPC_VEC_RESULTS - with SENDV, go on past a failed message
 *
 * Each message's result, 0 or a negative errno, is written to the
 * struct kipc_msgv's @results array, and a failed message does not stop
 * the call: the others are sent as if each were a SEND of its own, in
 * order. Only a fault on the arrays, or (through io_uring) a message that
 * would block at submission, ends the call early. Not for RECVV.
 */
#define KIPC_VEC_RESULTS	_BITUL(1)

/**
 * struct kipc_msgv - argument of %KIPC_IOC_SENDV and %KIPC_IOC_RECVV
 * @size: sizeof(struct kipc_msgv)
 * @flags: 0, %KIPC_VEC_WAITFORONE, %KIPC_VEC_RESULTS (SENDV)
 * @msgs: user pointer to an array of @count struct kipc_msg
 * @count: number of messages, 1 to %KIPC_VEC_MAX
 * @msg_size: the stride of @msgs: sizeof(struct kipc_msg) as the caller knows
 *	it; each element's own @size must equal it
 * @done: out: number of messages moved (with %KIPC_VEC_RESULTS: handled,
 *	sent or failed)
 * @error: out: 0, or the negative errno of the first message that failed
 *	(through io_uring, 0 with @done short of @count: see %KIPC_URING_SENDV)
 * @results: with %KIPC_VEC_RESULTS, user pointer to @count __s32, each
 *	message's result (out, for the first @done); else 0. Added after the
 *	first ABI version: a structure of 32 bytes, without it, is accepted.
 *
 * Messages are moved in array order, each as one SEND or RECV with its own
 * flags; the call stops at the first failure, unless %KIPC_VEC_RESULTS. It
 * returns @done when at least one message was moved (handled), and the
 * first error otherwise. Errors of the call itself: ``EINVAL`` (bad
 * @flags, @count, @msg_size, or @results set without %KIPC_VEC_RESULTS or
 * missing with it), ``EFAULT``.
 */
struct kipc_msgv {
	__u32 size;
	__u32 flags;
	__aligned_u64 msgs;
	__u32 count;
	__u32 msg_size;
	__u32 done;
	__s32 error;
	__aligned_u64 results;
};

/**
 * struct kipc_call - argument of %KIPC_IOC_CALL
 * @size: sizeof(struct kipc_call)
 * @flags: must be 0
 * @reply_fd: queue handle, opened with %KIPC_OPEN_READ, the reply is
 *	received from (it may be the handle the request is sent on)
 * @sent: out: 1 once the request is queued, 0 if the call failed before
 * @req: user pointer to the struct kipc_msg sent on the handle the ioctl is
 *	called on
 * @rep: user pointer to the struct kipc_msg received from @reply_fd
 *
 * Sends @req and waits for a reply as @rep says, in one system call: a
 * client's request/response round trip, or a server's "reply to the last
 * request and wait for the next one". Errors: those of %KIPC_IOC_SEND before
 * @sent is 1, those of %KIPC_IOC_RECV after; ``EBADF`` when @reply_fd is not a
 * queue handle opened for receiving.
 */
struct kipc_call {
	__u32 size;
	__u32 flags;
	__s32 reply_fd;
	__u32 sent;
	__aligned_u64 req;
	__aligned_u64 rep;
};

/**
 * struct kipc_notify - argument of %KIPC_IOC_NOTIFY
 * @size: sizeof(struct kipc_notify)
 * @signo: signal to send (1 to 64), or 0 to drop this process's registration
 * @flags: must be 0
 * @__reserved: must be zero
 *
 * As POSIX mq_notify(): one process at a time may be registered to get
 * @signo when a message arrives on an empty queue while no receiver is
 * blocked. The registration is dropped when it fires, when the handle it was
 * made on is closed, or on request. Errors: ``EBUSY`` (another process is
 * registered), ``EBADF`` (handle not opened for receiving), ``EINVAL``.
 */
struct kipc_notify {
	__u32 size;
	__s32 signo;
	__u32 flags;
	__u32 __reserved;
};

/**
 * define KIPC_WAKE_ALL - struct kipc_wake count that wakes every waiter.
 */
#define KIPC_WAKE_ALL		0xffffffffU

/**
 * struct kipc_wait - argument of %KIPC_IOC_WAIT
 * @size: sizeof(struct kipc_wait)
 * @flags: KIPC_F_TIMEOUT, KIPC_F_ABSTIME, KIPC_F_REALTIME, KIPC_F_NONBLOCK
 * @offset: byte offset of a 32-bit word in the region, 4-byte aligned
 * @expected: sleep only while the word equals this value
 * @__reserved: must be zero
 * @timeout_ns: as in struct kipc_msg
 *
 * Returns 0 when woken by %KIPC_IOC_WAKE. Errors: ``EAGAIN`` (the word
 * differs from @expected, or %KIPC_F_NONBLOCK), ``ETIMEDOUT``, ``EINTR``,
 * ``EINVAL`` (@offset unaligned or outside the region).
 */
struct kipc_wait {
	__u32 size;
	__u32 flags;
	__aligned_u64 offset;
	__u32 expected;
	__u32 __reserved;
	__s64 timeout_ns;
};

/**
 * struct kipc_wake - argument of %KIPC_IOC_WAKE
 * @size: sizeof(struct kipc_wake)
 * @flags: must be 0
 * @offset: byte offset of the word, as in struct kipc_wait
 * @count: most waiters to wake, or %KIPC_WAKE_ALL
 * @__reserved: must be zero
 *
 * Returns the number of waiters woken. Errors: ``EINVAL``.
 */
struct kipc_wake {
	__u32 size;
	__u32 flags;
	__aligned_u64 offset;
	__u32 count;
	__u32 __reserved;
};

/** define KIPC_LOCK_SHARED - take the region lock in shared (reader) mode. */
#define KIPC_LOCK_SHARED	_BITUL(8)
/**
 * define KIPC_LOCK_OWNERDEAD - the previous holder died holding the lock
 *
 * Set in struct kipc_lock @result when the lock was taken, but its last
 * exclusive holder's handle was closed while holding it
 * (its process died, say). The data it protects may be inconsistent; repair
 * it and call %KIPC_IOC_CONSISTENT before unlocking, or the next locker is
 * told the same.
 */
#define KIPC_LOCK_OWNERDEAD	_BITUL(0)

/**
 * struct kipc_lock - argument of %KIPC_IOC_LOCK and %KIPC_IOC_UNLOCK
 * @size: sizeof(struct kipc_lock)
 * @flags: lock: %KIPC_LOCK_SHARED and the KIPC_F_* bits (%KIPC_F_NONBLOCK is
 *	a trylock); unlock: must be 0
 * @timeout_ns: as in struct kipc_msg
 * @result: out: 0 or %KIPC_LOCK_OWNERDEAD
 * @__reserved: must be zero
 *
 * Every region has one reader/writer lock, held by handles (a handle holds
 * it at most once; a handle shared through fork() or dup() is one holder).
 * Closing a handle releases what it holds.
 * Errors of LOCK: ``EDEADLK`` (this handle holds it already), ``EAGAIN``,
 * ``ETIMEDOUT``, ``EINTR``. Errors of UNLOCK: ``EPERM`` (this handle does not
 * hold it).
 */
struct kipc_lock {
	__u32 size;
	__u32 flags;
	__s64 timeout_ns;
	__u32 result;
	__u32 __reserved;
};

/**
 * struct kipc_doorbell - argument of %KIPC_IOC_DOORBELL
 * @size: sizeof(struct kipc_doorbell)
 * @flags: must be 0
 * @count: out: the region's doorbell counter (rings since creation)
 *
 * Reading the counter acknowledges it for this handle: poll() reports
 * ``EPOLLIN`` on the handle again only after the next ring.
 */
struct kipc_doorbell {
	__u32 size;
	__u32 flags;
	__aligned_u64 count;
};

/** define KIPC_STAT_UNLINKED - the object's name was removed. */
#define KIPC_STAT_UNLINKED	_BITUL(0)
/** define KIPC_STAT_AUTOREMOVE - the object was made with AUTOREMOVE. */
#define KIPC_STAT_AUTOREMOVE	_BITUL(1)
/** define KIPC_STAT_LOCK_EXCL - region lock held exclusively. */
#define KIPC_STAT_LOCK_EXCL	_BITUL(2)
/** define KIPC_STAT_LOCK_SHARED - region lock held shared. */
#define KIPC_STAT_LOCK_SHARED	_BITUL(3)
/** define KIPC_STAT_LOCK_OWNERDEAD - region lock data marked inconsistent. */
#define KIPC_STAT_LOCK_OWNERDEAD _BITUL(4)

/**
 * struct kipc_stat - argument of %KIPC_IOC_STAT (all fields out)
 * @size: sizeof(struct kipc_stat)
 * @type: enum kipc_type
 * @name: the object's name, NUL-terminated
 * @id: a number unique to the object while the module is loaded
 * @uid: owner user id, in the caller's user namespace
 * @gid: owner group id, in the caller's user namespace
 * @mode: permission bits
 * @flags: KIPC_STAT_* bits
 * @handles: open handles (file descriptions) of the object
 * @waiters: tasks blocked on the object: receivers and senders of a queue,
 *	WAIT and LOCK waiters of a region
 * @max_msgs: queue: depth limit
 * @max_msgsize: queue: message size limit
 * @msgs: queue: messages queued
 * @send_waiters: queue: senders blocked on a full queue
 * @bytes: queue: payload bytes queued; region: size in bytes
 * @total_sent: queue: messages sent since creation
 * @total_received: queue: messages received since creation
 * @notify_pid: queue: process registered with %KIPC_IOC_NOTIFY, or 0
 * @mappings: region: live mappings (VMAs)
 * @doorbell: region: doorbell counter
 * @lock_holders: region: handles holding the lock
 * @__reserved: zero
 */
struct kipc_stat {
	__u32 size;
	__u32 type;
	__u8 name[KIPC_NAME_MAX];
	__aligned_u64 id;
	__u32 uid;
	__u32 gid;
	__u32 mode;
	__u32 flags;
	__u32 handles;
	__u32 waiters;
	__u32 max_msgs;
	__u32 max_msgsize;
	__u32 msgs;
	__u32 send_waiters;
	__aligned_u64 bytes;
	__aligned_u64 total_sent;
	__aligned_u64 total_received;
	__s32 notify_pid;
	__u32 mappings;
	__aligned_u64 doorbell;
	__u32 lock_holders;
	__u32 __reserved;
};

/** define KIPC_PERM_MODE - struct kipc_perm: set @mode. */
#define KIPC_PERM_MODE		_BITUL(0)
/** define KIPC_PERM_OWNER - struct kipc_perm: set @uid and @gid. */
#define KIPC_PERM_OWNER		_BITUL(1)

/**
 * struct kipc_perm - argument of %KIPC_IOC_SETPERM
 * @size: sizeof(struct kipc_perm)
 * @flags: %KIPC_PERM_MODE and/or %KIPC_PERM_OWNER (at least one)
 * @mode: new permission bits, ``0`` to ``0777``
 * @uid: new owner uid, in the caller's user namespace
 * @gid: new owner gid, in the caller's user namespace
 * @__reserved: must be zero
 *
 * As SysV IPC_SET: only the owner or creator, or a caller with
 * ``CAP_IPC_OWNER``, may change an object's mode or owner (``EPERM``). An id
 * that does not map into the kernel gives ``EINVAL``.
 */
struct kipc_perm {
	__u32 size;
	__u32 flags;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u32 __reserved;
};

/**
 * struct kipc_uring_cmd - the 16 command bytes of an ``IORING_OP_URING_CMD``
 * SQE on a queue handle (``sqe->cmd``; a 64-byte SQE is enough)
 * @msg: user pointer to a struct kipc_msg, used as by the ioctl
 * @flags: must be 0
 * @__reserved: must be zero
 *
 * ``sqe->cmd_op`` is %KIPC_URING_SEND or %KIPC_URING_RECV, and @msg points
 * to a struct kipc_msg; or %KIPC_URING_SENDV, and @msg points to a struct
 * kipc_msgv. The CQE's ``res`` is what the ioctl returns: 0 (send), the
 * message length (receive), the number of messages sent (SENDV, whose
 * ``done`` and ``error`` are written back; a count short of ``count`` with
 * ``error`` 0 means "send the rest again", see %KIPC_URING_SENDV), or a
 * negative errno. The
 * structures and the payloads must stay valid until the completion is
 * reaped.
 */
struct kipc_uring_cmd {
	__aligned_u64 msg;
	__u32 flags;
	__u32 __reserved;
};

/**
 * struct kipc_uring_send - the 16 command bytes of a %KIPC_URING_SEND_BUF
 * SQE: a whole send of type 0 without a timeout, held in the SQE itself
 * @buf: user pointer to the payload
 * @len: payload length
 * @prio: priority, 0 to %KIPC_PRIO_MAX - 1
 * @flags: 0 or %KIPC_F_NONBLOCK (no timeout: it would not fit)
 *
 * The leanest send: the kernel reads no struct kipc_msg, only the payload,
 * which must stay valid until the completion is reaped. The CQE's ``res``
 * is 0 or a negative errno as %KIPC_IOC_SEND returns it, plus ``EINVAL``
 * for another bit in @flags.
 */
struct kipc_uring_send {
	__aligned_u64 buf;
	__u32 len;
	__u16 prio;
	__u16 flags;
};

/* Control ioctls, on the /dev/kipc file descriptor. */

/**
 * define KIPC_IOC_GET_VERSION - get the ABI version and feature bits
 *
 * Argument: struct kipc_version. No particular errors.
 */
#define KIPC_IOC_GET_VERSION	_IO(KIPC_IOC_MAGIC, 0x00)
/**
 * define KIPC_IOC_OPEN - open or create a queue or region
 *
 * Argument: struct kipc_open. Returns a new file descriptor, the handle.
 *
 * Errors: ``ENOENT`` (no such object and no %KIPC_OPEN_CREAT), ``EEXIST``
 * (%KIPC_OPEN_CREAT | %KIPC_OPEN_EXCL and it exists), ``EACCES`` (mode bits
 * deny the access asked), ``ENAMETOOLONG``, ``EINVAL`` (bad name, flags,
 * type, or attributes outside the module parameters' limits), ``ENOSPC``
 * (the ``max_objects`` module parameter is reached), ``EDQUOT`` (region pages
 * over the user's quota), ``EMFILE``, ``ENOMEM``.
 */
#define KIPC_IOC_OPEN		_IO(KIPC_IOC_MAGIC, 0x01)
/**
 * define KIPC_IOC_UNLINK - remove a name
 *
 * Argument: struct kipc_unlink. Open handles and mappings keep working; the
 * object is freed with the last of them.
 *
 * Errors: ``ENOENT``, ``EPERM`` (the caller's fsuid is neither the owner's
 * nor the creator's, and it lacks ``CAP_IPC_OWNER``), ``ENAMETOOLONG``,
 * ``EINVAL``.
 */
#define KIPC_IOC_UNLINK		_IO(KIPC_IOC_MAGIC, 0x02)

/* Ioctls on any handle. */

/** define KIPC_IOC_STAT - struct kipc_stat: the object's state. */
#define KIPC_IOC_STAT		_IO(KIPC_IOC_MAGIC, 0x10)
/** define KIPC_IOC_SETPERM - struct kipc_perm: chmod/chown the object. */
#define KIPC_IOC_SETPERM	_IO(KIPC_IOC_MAGIC, 0x11)

/* Ioctls on queue handles. */

/** define KIPC_IOC_SEND - struct kipc_msg: send one message. */
#define KIPC_IOC_SEND		_IO(KIPC_IOC_MAGIC, 0x20)
/** define KIPC_IOC_RECV - struct kipc_msg: receive one; returns its length. */
#define KIPC_IOC_RECV		_IO(KIPC_IOC_MAGIC, 0x21)
/** define KIPC_IOC_SENDV - struct kipc_msgv: send several messages. */
#define KIPC_IOC_SENDV		_IO(KIPC_IOC_MAGIC, 0x22)
/** define KIPC_IOC_RECVV - struct kipc_msgv: receive several messages. */
#define KIPC_IOC_RECVV		_IO(KIPC_IOC_MAGIC, 0x23)
/** define KIPC_IOC_CALL - struct kipc_call: send, then wait for a reply. */
#define KIPC_IOC_CALL		_IO(KIPC_IOC_MAGIC, 0x24)
/** define KIPC_IOC_NOTIFY - struct kipc_notify: arrival signal. */
#define KIPC_IOC_NOTIFY		_IO(KIPC_IOC_MAGIC, 0x25)

/* Ioctls on region handles. */

/** define KIPC_IOC_WAIT - struct kipc_wait: sleep while a word is unchanged. */
#define KIPC_IOC_WAIT		_IO(KIPC_IOC_MAGIC, 0x30)
/** define KIPC_IOC_WAKE - struct kipc_wake: wake waiters of a word. */
#define KIPC_IOC_WAKE		_IO(KIPC_IOC_MAGIC, 0x31)
/** define KIPC_IOC_LOCK - struct kipc_lock: take the region lock. */
#define KIPC_IOC_LOCK		_IO(KIPC_IOC_MAGIC, 0x32)
/** define KIPC_IOC_UNLOCK - struct kipc_lock: release the region lock. */
#define KIPC_IOC_UNLOCK		_IO(KIPC_IOC_MAGIC, 0x33)
/**
 * define KIPC_IOC_CONSISTENT - mark the data behind the lock repaired
 *
 * No argument. Called after a lock returned %KIPC_LOCK_OWNERDEAD.
 * Errors: ``EPERM`` (this handle does not hold the lock exclusively).
 */
#define KIPC_IOC_CONSISTENT	_IO(KIPC_IOC_MAGIC, 0x34)
/**
 * define KIPC_IOC_RING - ring the region's doorbell
 *
 * No argument. Bumps the region's doorbell counter and wakes its pollers.
 * Errors: ``EBADF`` (handle not opened for writing).
 */
#define KIPC_IOC_RING		_IO(KIPC_IOC_MAGIC, 0x35)
/** define KIPC_IOC_DOORBELL - struct kipc_doorbell: read and acknowledge. */
#define KIPC_IOC_DOORBELL	_IO(KIPC_IOC_MAGIC, 0x36)

/* io_uring command opcodes (``sqe->cmd_op``) on queue handles. */

/** define KIPC_URING_SEND - as %KIPC_IOC_SEND, through io_uring. */
#define KIPC_URING_SEND		KIPC_IOC_SEND
/** define KIPC_URING_RECV - as %KIPC_IOC_RECV, through io_uring. */
#define KIPC_URING_RECV		KIPC_IOC_RECV
/**
 * define KIPC_URING_SENDV - as %KIPC_IOC_SENDV, through io_uring
 *
 * One SQE and one CQE for up to %KIPC_VEC_MAX messages. When the first
 * message would block (and may), the command waits for it, and then for
 * every later one, from an io-wq worker. When a later message would block
 * at the submission, the command ends early instead: a short count with
 * ``error`` 0 means "send the rest again" (libkipc's batches do).
 * Reported by %KIPC_FEAT_URING_SENDV.
 */
#define KIPC_URING_SENDV	KIPC_IOC_SENDV
/**
 * define KIPC_URING_SEND_BUF - a send described by a struct kipc_uring_send
 *
 * An io_uring opcode only (no ioctl has this number); part of
 * %KIPC_FEAT_URING.
 */
#define KIPC_URING_SEND_BUF	_IO(KIPC_IOC_MAGIC, 0x2f)

#endif /* _UAPI_LINUX_KIPC_H */
