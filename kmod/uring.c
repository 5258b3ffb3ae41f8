// SPDX-License-Identifier: GPL-2.0
/*
 * kipc io_uring commands: ``IORING_OP_URING_CMD`` on queue handles.
 *
 * ``sqe->cmd_op`` is %KIPC_URING_SEND or %KIPC_URING_RECV and the 16 command
 * bytes are a struct kipc_uring_cmd pointing to the user's struct kipc_msg;
 * %KIPC_URING_SENDV and they point to a struct kipc_msgv (many messages for
 * one SQE and one CQE: the cheapest way to send in bulk); or
 * %KIPC_URING_SEND_BUF and the 16 bytes are a struct kipc_uring_send, a
 * whole send held in the SQE (no struct kipc_msg to copy in).
 * A command runs synchronously in kipc_uring_cmd(). The result of a receive
 * or a SENDV is posted with io_uring_cmd_done() before returning
 * -EIOCBQUEUED, rather than returned: 6.1's io_uring core never completes a
 * command whose handler returns a positive value (a length or a count) from
 * an io-wq worker, and fails links after one returned inline; the
 * done-then-EIOCBQUEUED pattern (as ublk's) behaves the same on every
 * kernel. A send's result, 0 or a
 * negative errno, is returned directly, which every kernel completes as it
 * should, and the core then posts it with its batched (deferred) completion
 * instead of io_uring_cmd_done()'s locked one-CQE post. Nothing stays queued
 * after the call, so no cancellation hook is needed.
 *
 * On the non-blocking issue path (%IO_URING_F_NONBLOCK: inline submission or
 * the SQPOLL thread) the message is tried with %KIPC_F_NONBLOCK; when it
 * would block, -EAGAIN makes the core retry it from an io-wq worker, a
 * thread of the submitting process, where it may sleep interruptibly, unless
 * the caller itself asked not to block (%KIPC_F_NONBLOCK, or an
 * ``O_NONBLOCK`` handle): then -EAGAIN is its result at once. The retry uses
 * the command bytes read at the first issue (struct kipc_uring_saved). A
 * SENDV retries only when its first message would block: when a later one
 * would, it completes early with a short count instead. A
 * ring torn down (or a process killed) with commands asleep there cancels
 * them by signalling the worker (TIF_NOTIFY_SIGNAL), which ends the sleep
 * with -EINTR. A relative timeout starts counting at that retry.
 *
 * Sender credentials come from ``current``: an io-wq worker belongs to the
 * submitting process and carries the submitter's credentials; the SQPOLL
 * thread belongs to the process that created the ring and runs with the
 * ring creator's credentials (io_uring's model: a ring passed to another
 * process still sends as its creator).
 *
 * Errors besides those of the ioctls: -EOPNOTSUPP for a region handle,
 * -ENOTTY for an unknown ``cmd_op``, -EINVAL for non-zero command flags or
 * reserved bytes. The interrupted-sleep value -ERESTARTSYS is reported as
 * -EINTR, since a CQE cannot be restarted.
 *
 * Locking: this file holds no lock of its own; queue.c takes the queue's.
 */
#include <linux/uaccess.h>

#include "kipc_internal.h"
#include "kipc_compat.h"

#if IS_ENABLED(CONFIG_IO_URING)

#ifdef KIPC_HAVE_IO_URING_CMD_H
#include <linux/io_uring/cmd.h>
#else
#include <linux/io_uring.h>
#endif

/* Where the 16 command bytes are: in the SQ ring, or the core's copy. */
static const void *kipc_uring_payload(struct io_uring_cmd *cmd)
{
#if defined(KIPC_HAVE_IO_URING_SQE_CMD)
	return io_uring_sqe_cmd(cmd->sqe);
#elif defined(KIPC_HAVE_IO_URING_CMD_PTR)
	return cmd->cmd;
#else
#error "kipc: no known way to reach the io_uring command bytes (kmod/kipc_compat.h)"
#endif
}

/* The 16 command bytes, as either command form. */
union kipc_uring_bytes {
	struct kipc_uring_cmd cmd;
	struct kipc_uring_send send;
};

/**
 * struct kipc_uring_saved - the command bytes kept across an -EAGAIN
 * @from: where they were read, or NULL
 * @bytes: what was read there
 *
 * Lives in the command's pdu. When a command returns -EAGAIN, the core
 * copies the SQE for the io-wq retry, but 6.12's core (up to an upstream
 * fix) leaves cmd->sqe pointing at the SQ ring slot, which user space may
 * refill as soon as io_uring_enter() has returned. The bytes read at the
 * first issue are therefore kept here, and the retry (an issue without
 * IO_URING_F_NONBLOCK that finds the same source address) uses them. 6.1
 * points cmd->cmd at its copy, so the addresses differ there and the copy
 * is read. @from is cleared whenever a command completes.
 */
struct kipc_uring_saved {
	const void *from;
	union kipc_uring_bytes bytes;
};

/* Read the command bytes once, into @b; returns where they were read. */
static const void *kipc_uring_read(struct io_uring_cmd *cmd,
				   unsigned int issue_flags,
				   union kipc_uring_bytes *b)
{
	struct kipc_uring_saved *saved = (struct kipc_uring_saved *)cmd->pdu;
	const void *src = kipc_uring_payload(cmd);

	BUILD_BUG_ON(sizeof(*saved) > sizeof(cmd->pdu));
	if (!(issue_flags & IO_URING_F_NONBLOCK) && saved->from == src) {
		*b = saved->bytes;
		return src;
	}
	/* One copy: user space may rewrite the SQE meanwhile. */
	memcpy(b, src, sizeof(*b));
	barrier();
	return src;
}

static void kipc_uring_save(struct io_uring_cmd *cmd, const void *src,
			    const union kipc_uring_bytes *b)
{
	struct kipc_uring_saved *saved = (struct kipc_uring_saved *)cmd->pdu;

	saved->from = src;
	saved->bytes = *b;
}

static void kipc_uring_forget(struct io_uring_cmd *cmd)
{
	((struct kipc_uring_saved *)cmd->pdu)->from = NULL;
}

static void kipc_uring_done(struct io_uring_cmd *cmd, long ret,
			    unsigned int issue_flags)
{
#ifdef KIPC_HAVE_IO_URING_CMD_DONE_4
	io_uring_cmd_done(cmd, ret, 0, issue_flags);
#else
	io_uring_cmd_done(cmd, ret, 0);
#endif
}

/**
 * kipc_uring_features() - io_uring feature bits
 *
 * Return: %KIPC_FEAT_URING and %KIPC_FEAT_URING_SENDV (the kernel has
 * io_uring).
 */
u64 kipc_uring_features(void)
{
	return KIPC_FEAT_URING | KIPC_FEAT_URING_SENDV;
}

static long kipc_uring_msg(struct kipc_handle *h, u32 op,
			   struct kipc_msg __user *umsg, unsigned int issue_flags,
			   bool *nonblock)
{
	struct kipc_msg m;
	u32 uflags;
	long ret;
	int usize;

	usize = kipc_copy_arg_in(&m, sizeof(m), sizeof(m), umsg);
	if (usize < 0)
		return usize;
	uflags = m.flags;
	/* Rejected as the ioctls do; the queue accepts it from kernel callers. */
	if ((uflags & KIPC_F_NONBLOCK) && (uflags & KIPC_F_TIMEOUT))
		return -EINVAL;
	*nonblock = uflags & KIPC_F_NONBLOCK;
	if (issue_flags & IO_URING_F_NONBLOCK)
		m.flags |= KIPC_F_NONBLOCK;

	if (op == KIPC_URING_SEND)
		return kipc_queue_send(h, &m);

	ret = kipc_queue_recv(h, &m);
	/* As the ioctl: the out fields, and the needed length on EMSGSIZE. */
	if (ret >= 0 || ret == -EMSGSIZE) {
		m.flags = uflags;
		if (copy_to_user(umsg, &m, min_t(size_t, usize, sizeof(m))))
			return -EFAULT;
	}
	return ret;
}

/*
 * %KIPC_URING_SENDV: as the ioctl. On the non-blocking issue path, a
 * message that would block, and may block, ends the command early: with
 * -EAGAIN and *@nonblock clear (to be retried from io-wq) when it is the
 * first, else with the count sent so far and ``error`` 0, since a retry
 * would have to know where to resume. Any other result is final.
 * ``done`` and ``error`` are written back with a final result.
 */
static long kipc_uring_sendv(struct kipc_handle *h,
			     struct kipc_msgv __user *uv,
			     unsigned int issue_flags, bool *nonblock)
{
	struct kipc_msgv v;
	bool retry;
	long ret;
	int usize;

	usize = kipc_copy_arg_in(&v, sizeof(v), KIPC_MSGV_SIZE_VER0, uv);
	if (usize < 0)
		return usize;
	v.done = 0;
	ret = kipc_msgv_check(&v, false);
	if (!ret) {
		/* On an O_NONBLOCK handle, every message is non-blocking. */
		ret = kipc_queue_sendv(h, &v,
				       (issue_flags & IO_URING_F_NONBLOCK) &&
				       !(h->file->f_flags & O_NONBLOCK),
				       &retry);
		if (retry) {
			if (!v.done)
				return -EAGAIN;
			ret = 0;	/* a short count: send the rest again */
		}
	}
	*nonblock = true;
	if (ret == -ERESTARTSYS)
		ret = -EINTR;
	v.error = ret;
	/* What was sent is reported even if the vector went away meanwhile. */
	if (copy_to_user(uv, &v, min_t(size_t, usize, sizeof(v))) && !v.done)
		return -EFAULT;
	return v.done ? v.done : ret;
}

/*
 * %KIPC_URING_SEND_BUF: the message is in the command bytes. The flags the
 * ioctl rejects cannot be expressed here except as unknown bits.
 */
static long kipc_uring_send_buf(struct kipc_handle *h,
				const struct kipc_uring_send *c,
				unsigned int issue_flags, bool *nonblock)
{
	struct kipc_msg m = {
		.size = sizeof(m),
		.buf = c->buf,
		.len = c->len,
		.prio = c->prio,
		.flags = c->flags,
	};

	if (m.flags & ~KIPC_F_NONBLOCK)
		return -EINVAL;
	*nonblock = m.flags & KIPC_F_NONBLOCK;
	if (issue_flags & IO_URING_F_NONBLOCK)
		m.flags |= KIPC_F_NONBLOCK;
	return kipc_queue_send(h, &m);
}

/**
 * kipc_uring_cmd() - the ``uring_cmd`` file operation of kipc handles
 * @cmd: the command
 * @issue_flags: IO_URING_F_* bits of this issue attempt
 *
 * Context: process context (the submitter, the SQPOLL thread or an io-wq
 * worker of the submitting process); may sleep unless @issue_flags has
 * %IO_URING_F_NONBLOCK, in which case the command does not wait for the
 * queue.
 *
 * Return: a send's result (0 or a negative errno as the ioctl returns it);
 * for a receive or a SENDV, -EIOCBQUEUED once its result (the length, the
 * count sent or a negative errno) is posted (see the top of this file);
 * -EAGAIN to be retried from io-wq.
 */
int kipc_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	struct kipc_handle *h = kipc_handle_get(cmd->file);
	union kipc_uring_bytes b;
	u32 op = cmd->cmd_op;
	bool nonblock = false;
	const void *src;
	long ret;

	if (h->obj->ops->type != KIPC_TYPE_QUEUE)
		return -EOPNOTSUPP;
	if (op != KIPC_URING_SEND_BUF && op != KIPC_URING_SEND &&
	    op != KIPC_URING_RECV && op != KIPC_URING_SENDV)
		return -ENOTTY;
	src = kipc_uring_read(cmd, issue_flags, &b);
	if (op == KIPC_URING_SEND_BUF) {
		ret = kipc_uring_send_buf(h, &b.send, issue_flags, &nonblock);
	} else if (b.cmd.flags || b.cmd.__reserved) {
		ret = -EINVAL;
	} else if (op == KIPC_URING_SENDV) {
		ret = kipc_uring_sendv(h, u64_to_user_ptr(b.cmd.msg),
				       issue_flags, &nonblock);
	} else {
		ret = kipc_uring_msg(h, op, u64_to_user_ptr(b.cmd.msg),
				     issue_flags, &nonblock);
	}
	nonblock |= cmd->file->f_flags & O_NONBLOCK;
	if (ret == -EAGAIN && (issue_flags & IO_URING_F_NONBLOCK) &&
	    !nonblock) {
		/* Retried from io-wq, with these very bytes. */
		kipc_uring_save(cmd, src, &b);
		return -EAGAIN;
	}
	kipc_uring_forget(cmd);
	if (ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
	    ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK)
		ret = -EINTR;
	/*
	 * A send's 0 or -errno goes back directly (never -EAGAIN, which would
	 * ask for a retry: a final one is posted as a receive's result is).
	 */
	if ((op == KIPC_URING_SEND || op == KIPC_URING_SEND_BUF) &&
	    ret != -EAGAIN)
		return ret;
	kipc_uring_done(cmd, ret, issue_flags);
	return -EIOCBQUEUED;
}

#else /* !CONFIG_IO_URING */

/**
 * kipc_uring_features() - io_uring feature bits
 *
 * Return: 0: the kernel has no io_uring.
 */
u64 kipc_uring_features(void)
{
	return 0;
}

/**
 * kipc_uring_cmd() - the ``uring_cmd`` file operation of kipc handles
 * @cmd: the command
 * @issue_flags: IO_URING_F_* bits
 *
 * Return: -EOPNOTSUPP: the kernel has no io_uring.
 */
int kipc_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	return -EOPNOTSUPP;
}

#endif /* CONFIG_IO_URING */
