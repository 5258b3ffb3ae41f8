// SPDX-License-Identifier: GPL-2.0
/*
 * kipc message queues: named, priority-ordered queues of byte messages with
 * blocking and non-blocking send and receive, timeouts, poll, selective
 * receive by type, vectored send/receive, a one-call RPC round trip and
 * mq_notify()-style arrival signals.
 *
 * Data structure: the queued messages sit in per-priority FIFO lists; the
 * lists hang off nodes of an rb_root_cached keyed by priority, highest
 * leftmost. Send is O(log P) and an untyped receive O(1), P being the number
 * of distinct priorities in use; neither depends on the depth. A receive by
 * type (%KIPC_MSG_BYTYPE) scans the messages in priority order: O(depth).
 * Emptied priority nodes are kept in a small per-queue cache, and freed
 * message buffers of up to a page (header and payload) are kept in a
 * small per-queue pool, reused by a later send whose message fits in the
 * buffer and needs at least half of it, whatever the queue's max_msgsize:
 * a steady stream of messages does not allocate (nor charge the memory
 * cgroup, nor zero the buffer as init_on_alloc would).
 *
 * Copies: a send allocates the message and copies the payload in before it
 * takes the queue lock. A receive takes the message off the queue under the
 * lock and copies it out after dropping it; if that copy faults, the message
 * is put back at the head of its priority (so nothing is lost; the queue may
 * then briefly hold more than max_msgs) and the receive fails with -EFAULT.
 * A receive with %KIPC_MSG_PEEK takes a reference to the message under the
 * lock and copies it out after dropping it (the payload never changes once
 * queued; the message is freed with its last reference). So the queue lock
 * is never held across a user memory access.
 *
 * Quota: a queued message is charged to the queue owner's account
 * (kipc_charge() on obj->user) for its whole allocation (kipc_qmsg.size;
 * at most twice what the message needs), from the moment it is allocated
 * by a send until it is freed by a receive (or the queue is destroyed).
 * Buffers resting in the pool are not charged (they are accounted to the
 * memory cgroup through GFP_KERNEL_ACCOUNT only).
 *
 * Waiting: receivers sleep on recv_wq, senders on send_wq. Plain receivers
 * and all senders wait exclusively: one message (one free slot) wakes one of
 * them. Receivers that would not consume the message that woke them (PEEK,
 * BYTYPE) wait non-exclusively and are woken by every send. A woken waiter
 * always re-checks its condition under the lock before returning an error
 * (timeout, signal), and takes the message or slot if there is one, so no
 * wake-up is lost. Pollers sit on the same wait queues (non-exclusive) and
 * are woken with EPOLLIN/EPOLLOUT keys. Wake-ups happen after the queue lock
 * is dropped and are skipped when a wait queue is empty; a SENDV queues a
 * chunk of messages under one lock hold and wakes up to that many receivers
 * at once; CALL wakes its server with the sync hint, as it is about to sleep.
 *
 * Locking:
 *  - kipc_queue.lock (mutex) protects the priority tree and its lists, the
 *    node cache, every counter (msgs, bytes, waiters, totals) and the notify
 *    registration. It nests inside kipc_registry_lock (stat() is called
 *    under it for /proc/kipc); it is never held across a user memory
 *    access nor while calling into the object layer. A message's payload
 *    and attributes never change once it is queued; its reference count
 *    (kipc_qmsg.ref) lets a peeker copy it without the lock.
 *  - kipc_queue.pool_lock (spinlock) protects the pool of free message
 *    buffers; it is innermost and never held across a sleep.
 *  - recv_wq and send_wq have their own internal locks.
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/rbtree.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/wait.h>

#include "kipc_internal.h"

/* Most emptied priority nodes a queue keeps for reuse. */
#define KIPC_QUEUE_NODE_CACHE	8
/* Most free message buffers a queue keeps for reuse. */
#define KIPC_QUEUE_POOL_MAX	16
/* Largest message buffer (header included) the pool keeps. */
#define KIPC_QUEUE_POOL_SIZE	PAGE_SIZE

/* Flags a send accepts, a receive accepts. */
#define KIPC_SEND_FLAGS		KIPC_F_WAIT_ALL
#define KIPC_RECV_FLAGS		(KIPC_F_WAIT_ALL | KIPC_MSG_PEEK | KIPC_MSG_BYTYPE)
/* The flags that ask for a timed wait. */
#define KIPC_F_TIMED		(KIPC_F_TIMEOUT | KIPC_F_ABSTIME | KIPC_F_REALTIME)

/**
 * struct kipc_qprio - the FIFO list of one priority in use
 * @rb: node in kipc_queue.prios, highest priority leftmost
 * @msgs: the messages of this priority, oldest first; while the node rests
 *	in kipc_queue.node_cache, the link in that list
 * @prio: the priority
 */
struct kipc_qprio {
	struct rb_node rb;
	struct list_head msgs;
	u32 prio;
};

/**
 * struct kipc_qmsg - one message
 * @link: entry in its priority's list, or in the buffer pool
 * @pid: the sending process (a reference is held)
 * @type: message type
 * @time_ns: when it was queued, CLOCK_REALTIME
 * @ref: one for the queue (or the receiver that took it off), one per
 *	peeker copying it out
 * @uid: sender's euid
 * @gid: sender's egid
 * @len: payload length
 * @prio: priority
 * @size: allocation size of the buffer, which is what it is charged; a
 *	buffer of up to %KIPC_QUEUE_POOL_SIZE bytes is kmalloc()ed and may be
 *	pooled, a larger one is kvmalloc()ed
 * @data: the payload
 *
 * The header is kept at 64 bytes so that a message with a 64-byte payload
 * fits a 128-byte slab object.
 */
struct kipc_qmsg {
	struct list_head link;
	struct pid *pid;
	u64 type;
	u64 time_ns;
	refcount_t ref;
	kuid_t uid;
	kgid_t gid;
	u32 len;
	u32 prio;
	u32 size;
	u8 data[];
};

/**
 * struct kipc_queue - a message queue
 * @obj: the object layer's part
 * @lock: protects what the Locking comment of this file says
 * @prios: priority nodes (struct kipc_qprio), highest leftmost
 * @node_cache: emptied priority nodes kept for reuse
 * @nr_node_cache: entries in @node_cache
 * @recv_wq: receivers waiting for a message, and EPOLLIN pollers
 * @send_wq: senders waiting for room, and EPOLLOUT pollers
 * @max_msgs: depth limit
 * @max_msgsize: message size limit
 * @msgs: messages queued
 * @bytes: payload bytes queued
 * @recv_waiters: receivers blocked
 * @send_waiters: senders blocked
 * @total_sent: messages sent since creation
 * @total_received: messages received since creation
 * @notify_pid: process registered with %KIPC_IOC_NOTIFY, or NULL
 * @notify_handle: the handle the registration was made on
 * @notify_signo: the signal it asked for
 * @pool_lock: protects @pool and @nr_pool
 * @pool: free message buffers of up to %KIPC_QUEUE_POOL_SIZE bytes, most
 *	recently freed first
 * @nr_pool: entries in @pool
 */
struct kipc_queue {
	struct kipc_object obj;
	struct mutex lock;	/* see "Locking" above */
	struct rb_root_cached prios;
	struct list_head node_cache;
	unsigned int nr_node_cache;
	wait_queue_head_t recv_wq;
	wait_queue_head_t send_wq;
	u32 max_msgs;
	u32 max_msgsize;
	u32 msgs;
	u64 bytes;
	u32 recv_waiters;
	u32 send_waiters;
	u64 total_sent;
	u64 total_received;
	struct pid *notify_pid;
	struct kipc_handle *notify_handle;
	int notify_signo;
	spinlock_t pool_lock;	/* protects pool, nr_pool */
	struct list_head pool;
	unsigned int nr_pool;
};

static struct kipc_queue *kipc_queue_of(struct kipc_object *obj)
{
	return container_of(obj, struct kipc_queue, obj);
}

/* ---- message buffers ---------------------------------------------------- */

/*
 * Take a buffer of @need to 2 * @need bytes from the pool: the most
 * recently freed one, if it fits. Returns NULL on a miss.
 */
static struct kipc_qmsg *kipc_qmsg_pool_get(struct kipc_queue *q, size_t need)
{
	struct kipc_qmsg *msg;

	spin_lock(&q->pool_lock);
	msg = list_first_entry_or_null(&q->pool, struct kipc_qmsg, link);
	if (msg && msg->size >= need && msg->size / 2 <= need) {
		list_del(&msg->link);
		q->nr_pool--;
	} else {
		msg = NULL;
	}
	spin_unlock(&q->pool_lock);
	return msg;
}

/* Keep a free buffer in the pool if it is small enough and there is room. */
static void kipc_qmsg_pool_put(struct kipc_queue *q, struct kipc_qmsg *msg)
{
	if (msg->size <= KIPC_QUEUE_POOL_SIZE) {
		spin_lock(&q->pool_lock);
		if (q->nr_pool < KIPC_QUEUE_POOL_MAX) {
			list_add(&msg->link, &q->pool);
			q->nr_pool++;
			spin_unlock(&q->pool_lock);
			return;
		}
		spin_unlock(&q->pool_lock);
	}
	kvfree(msg);
}

/* Allocate a message of @len payload bytes and charge it to the owner. */
static struct kipc_qmsg *kipc_qmsg_alloc(struct kipc_queue *q, u32 len)
{
	size_t need = struct_size_t(struct kipc_qmsg, data, len);
	struct kipc_qmsg *msg = NULL;
	size_t size = need;
	int ret;

	if (need <= KIPC_QUEUE_POOL_SIZE) {
		msg = kipc_qmsg_pool_get(q, need);
		if (msg)
			size = msg->size;
	}
	ret = kipc_charge(q->obj.user, size);
	if (ret) {
		if (msg)
			kipc_qmsg_pool_put(q, msg);
		return ERR_PTR(ret);
	}
	if (!msg) {
		if (size <= KIPC_QUEUE_POOL_SIZE)
			msg = kmalloc(size, GFP_KERNEL_ACCOUNT);
		else
			msg = kvmalloc(size, GFP_KERNEL_ACCOUNT);
		if (!msg) {
			kipc_uncharge(q->obj.user, size);
			return ERR_PTR(-ENOMEM);
		}
		msg->size = size;
	}
	refcount_set(&msg->ref, 1);
	msg->len = len;
	msg->pid = NULL;
	return msg;
}

/*
 * Drop a reference to a message that is not queued; the last one uncharges
 * it and keeps its buffer in the pool if there is room.
 */
static void kipc_qmsg_put(struct kipc_queue *q, struct kipc_qmsg *msg)
{
	if (!refcount_dec_and_test(&msg->ref))
		return;
	kipc_uncharge(q->obj.user, msg->size);
	put_pid(msg->pid);
	msg->pid = NULL;
	kipc_qmsg_pool_put(q, msg);
}

/* ---- the priority tree -------------------------------------------------- */

static bool kipc_qprio_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct kipc_qprio, rb)->prio >
	       rb_entry(b, struct kipc_qprio, rb)->prio;
}

static int kipc_qprio_cmp(const void *key, const struct rb_node *n)
{
	u32 prio = *(const u32 *)key;
	u32 nprio = rb_entry(n, struct kipc_qprio, rb)->prio;

	if (prio > nprio)
		return -1;
	return prio < nprio ? 1 : 0;
}

/*
 * The node of priority @prio, created if needed (from the cache, else
 * allocated with @gfp). Returns NULL only when the allocation fails.
 */
static struct kipc_qprio *kipc_qprio_get(struct kipc_queue *q, u32 prio,
					 gfp_t gfp)
{
	struct kipc_qprio *node;
	struct rb_node *rb;

	lockdep_assert_held(&q->lock);
	/* Most queues use one priority: try the highest first. */
	rb = rb_first_cached(&q->prios);
	if (rb && rb_entry(rb, struct kipc_qprio, rb)->prio == prio)
		return rb_entry(rb, struct kipc_qprio, rb);
	rb = rb_find(&prio, &q->prios.rb_root, kipc_qprio_cmp);
	if (rb)
		return rb_entry(rb, struct kipc_qprio, rb);
	node = list_first_entry_or_null(&q->node_cache, struct kipc_qprio, msgs);
	if (node) {
		list_del(&node->msgs);
		q->nr_node_cache--;
	} else {
		node = kmalloc(sizeof(*node), gfp);
		if (!node)
			return NULL;
	}
	node->prio = prio;
	INIT_LIST_HEAD(&node->msgs);
	rb_add_cached(&node->rb, &q->prios, kipc_qprio_less);
	return node;
}

/* Queue @msg at the tail (or, with @head, the head) of its priority. */
static int kipc_qmsg_insert(struct kipc_queue *q, struct kipc_qmsg *msg,
			    bool head)
{
	struct kipc_qprio *node;
	gfp_t gfp = GFP_KERNEL_ACCOUNT;

	lockdep_assert_held(&q->lock);
	/* Putting a message back must not fail: it would be lost. */
	if (head)
		gfp |= __GFP_NOFAIL;
	node = kipc_qprio_get(q, msg->prio, gfp);
	if (!node)
		return -ENOMEM;
	if (head)
		list_add(&msg->link, &node->msgs);
	else
		list_add_tail(&msg->link, &node->msgs);
	WRITE_ONCE(q->msgs, q->msgs + 1);
	q->bytes += msg->len;
	return 0;
}

/* Take @msg, of priority node @node, off the queue. */
static void kipc_qmsg_unlink(struct kipc_queue *q, struct kipc_qprio *node,
			     struct kipc_qmsg *msg)
{
	lockdep_assert_held(&q->lock);
	list_del(&msg->link);
	WRITE_ONCE(q->msgs, q->msgs - 1);
	q->bytes -= msg->len;
	if (!list_empty(&node->msgs))
		return;
	rb_erase_cached(&node->rb, &q->prios);
	if (q->nr_node_cache < KIPC_QUEUE_NODE_CACHE) {
		list_add(&node->msgs, &q->node_cache);
		q->nr_node_cache++;
	} else {
		kfree(node);
	}
}

/*
 * The message a receive would get: the oldest of the highest priority, or
 * with @bytype the first of type @type in that order (a linear scan).
 */
static struct kipc_qmsg *kipc_qmsg_find(struct kipc_queue *q, bool bytype,
					u64 type, struct kipc_qprio **nodep)
{
	struct kipc_qprio *node;
	struct kipc_qmsg *msg;
	struct rb_node *rb;

	lockdep_assert_held(&q->lock);
	rb = rb_first_cached(&q->prios);
	if (!bytype) {
		if (!rb)
			return NULL;
		*nodep = rb_entry(rb, struct kipc_qprio, rb);
		return list_first_entry(&(*nodep)->msgs, struct kipc_qmsg, link);
	}
	for (; rb; rb = rb_next(rb)) {
		node = rb_entry(rb, struct kipc_qprio, rb);
		list_for_each_entry(msg, &node->msgs, link) {
			if (msg->type == type) {
				*nodep = node;
				return msg;
			}
		}
	}
	return NULL;
}

/* ---- waiting ------------------------------------------------------------ */

/*
 * Set up the deadline of a send or receive. Unlike kipc_timeout_init(),
 * %KIPC_F_NONBLOCK together with a timeout is accepted and means "do not
 * block" (kernel callers OR it in); the ioctl paths reject that combination
 * before getting here.
 */
static int kipc_queue_timeout(struct kipc_timeout *t, struct file *file,
			      u32 flags, s64 timeout_ns)
{
	int ret;

	if (!(flags & KIPC_F_NONBLOCK) || !(flags & KIPC_F_TIMEOUT))
		return kipc_timeout_init(t, file, flags, timeout_ns);
	ret = kipc_timeout_init(t, file, flags & ~KIPC_F_NONBLOCK, timeout_ns);
	t->nonblock = true;
	return ret;
}

/*
 * One sleep on @wq, with q->lock held on entry and on return.
 * Returns 0 when woken, or -EAGAIN (non-blocking), -ETIMEDOUT, -EINTR or
 * -ERESTARTSYS; the caller re-checks its condition either way.
 */
static int kipc_queue_sleep(struct kipc_queue *q, wait_queue_head_t *wq,
			    bool exclusive, u32 *waiters,
			    struct kipc_timeout *t)
{
	DEFINE_WAIT(wait);
	int ret;

	lockdep_assert_held(&q->lock);
	if (t->nonblock)
		return -EAGAIN;
	if (signal_pending(current))
		return kipc_timeout_signal(t);
	if (exclusive)
		prepare_to_wait_exclusive(wq, &wait, TASK_INTERRUPTIBLE);
	else
		prepare_to_wait(wq, &wait, TASK_INTERRUPTIBLE);
	(*waiters)++;
	mutex_unlock(&q->lock);
	ret = kipc_timeout_sleep(t);
	finish_wait(wq, &wait);
	mutex_lock(&q->lock);
	(*waiters)--;
	if (!ret && signal_pending(current))
		ret = kipc_timeout_signal(t);
	return ret;
}

/* ---- send and receive --------------------------------------------------- */

/*
 * Wake up to @nr exclusive waiters of @wq (and every non-exclusive one) with
 * poll key @key, after the caller changed the queue under q->lock and
 * dropped it. Skipped when nobody waits: a blocked sender or receiver joins
 * the wait queue under q->lock, so the lock orders it before our change;
 * a poller joins without it, and the smp_mb() in wq_has_sleeper() pairs
 * with the one in kipc_queue_poll(). @sync tells the scheduler that the
 * caller is about to sleep (%KIPC_IOC_CALL), as pipes do.
 */
static void kipc_queue_wake(wait_queue_head_t *wq, __poll_t key, int nr,
			    bool sync)
{
	if (!wq_has_sleeper(wq))
		return;
	if (sync && nr == 1)
		__wake_up_sync_key(wq, TASK_NORMAL, poll_to_key(key));
	else
		__wake_up(wq, TASK_NORMAL, nr, poll_to_key(key));
}

/*
 * The part of a send done without the queue lock: check @m, allocate the
 * message, copy the payload in and fill its attributes. On success *@msgp
 * is the message, to be queued with kipc_queue_enqueue() or dropped with
 * kipc_qmsg_put(). With @nonblock_check, a non-blocking send to a full
 * queue fails early (SENDV asks for it only for the first message of a
 * chunk: it queues the others' predecessors after preparing them).
 */
static int kipc_queue_send_prep(struct kipc_handle *h, struct kipc_msg *m,
				struct kipc_timeout *t, bool nonblock_check,
				struct kipc_qmsg **msgp)
{
	struct kipc_queue *q = kipc_queue_of(h->obj);
	struct kipc_qmsg *msg;
	int ret;

	BUILD_BUG_ON(sizeof(struct kipc_qmsg) > 64);
	if (!(h->access & KIPC_OPEN_WRITE))
		return -EBADF;
	if (m->flags & ~KIPC_SEND_FLAGS || m->__reserved)
		return -EINVAL;
	if (m->prio >= KIPC_PRIO_MAX)
		return -EINVAL;
	ret = kipc_queue_timeout(t, h->file, m->flags, m->timeout_ns);
	if (ret)
		return ret;
	if (m->len > q->max_msgsize)
		return -EMSGSIZE;
	/* Spare a non-blocking sender the copy when it cannot succeed. */
	if (nonblock_check && t->nonblock && READ_ONCE(q->msgs) >= q->max_msgs)
		return -EAGAIN;

	msg = kipc_qmsg_alloc(q, m->len);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	if (copy_from_user(msg->data, u64_to_user_ptr(m->buf), m->len)) {
		kipc_qmsg_put(q, msg);
		return -EFAULT;
	}
	msg->prio = m->prio;
	msg->type = m->type;
	msg->uid = current_euid();
	msg->gid = current_egid();
	msg->pid = get_pid(task_tgid(current));
	*msgp = msg;
	return 0;
}

/*
 * Deliver a notification taken off the queue by kipc_queue_enqueue(), if
 * any, and drop its reference. kill_pid() does not sleep: this may be
 * called with q->lock held.
 */
static void kipc_queue_notify(struct pid **notify, int signo)
{
	if (!*notify)
		return;
	kill_pid(*notify, signo, 1);
	put_pid(*notify);
	*notify = NULL;
}

/*
 * Queue a prepared message, waiting for room as @t says. @woken counts the
 * messages this caller queued under the lock and has not yet woken
 * receivers for; they are woken before sleeping, and the count is
 * increased on success. A notification that fires is handed over in
 * *@notify and *@signo (the caller signals it and drops the reference).
 * A notification still held from an earlier message (SENDV) is delivered
 * before sleeping, the lock dropped, since the registered process may be
 * the one that would make room once signalled, and before a second one
 * would replace it: at most one is ever held. On failure the message is
 * not queued and still the caller's.
 */
static int kipc_queue_enqueue(struct kipc_queue *q, struct kipc_qmsg *msg,
			      struct kipc_timeout *t, int *woken,
			      struct pid **notify, int *signo)
{
	bool fire;
	int ret = 0;

	lockdep_assert_held(&q->lock);
	while (q->msgs >= q->max_msgs) {
		if (ret)
			goto err;
		if (*woken && !t->nonblock) {
			/* Let receivers make room for us. */
			__wake_up(&q->recv_wq, TASK_NORMAL, *woken,
				  poll_to_key(EPOLLIN | EPOLLRDNORM));
			*woken = 0;
		}
		if (*notify && !t->nonblock) {
			/* Signal before sleeping; then check for room again. */
			mutex_unlock(&q->lock);
			kipc_queue_notify(notify, *signo);
			mutex_lock(&q->lock);
			continue;
		}
		ret = kipc_queue_sleep(q, &q->send_wq, true, &q->send_waiters, t);
	}
	/* An arrival on an empty queue nobody waits on fires the notification. */
	fire = q->notify_pid && !q->msgs && !q->recv_waiters;
	msg->time_ns = ktime_get_real_ns();
	ret = kipc_qmsg_insert(q, msg, false);
	if (ret)
		goto err;
	q->total_sent++;
	(*woken)++;
	if (fire) {
		/* Never overwrite (and leak) one already held. */
		kipc_queue_notify(notify, *signo);
		*notify = q->notify_pid;
		*signo = q->notify_signo;
		q->notify_pid = NULL;
		q->notify_handle = NULL;
	}
	return 0;

err:
	/* Leave a free slot to another sender if there is one. */
	if (q->msgs < q->max_msgs && q->send_waiters)
		wake_up(&q->send_wq);
	return ret;
}

/* After queueing @woken messages and dropping q->lock: wake and notify. */
static void kipc_queue_sent(struct kipc_queue *q, int woken, bool sync,
			    struct pid *notify, int signo)
{
	if (woken)
		kipc_queue_wake(&q->recv_wq, EPOLLIN | EPOLLRDNORM, woken, sync);
	kipc_queue_notify(&notify, signo);
}

/* kipc_queue_send(), with @sync: the caller is about to sleep. */
static long __kipc_queue_send(struct kipc_handle *h, struct kipc_msg *m,
			      bool sync)
{
	struct kipc_queue *q = kipc_queue_of(h->obj);
	struct pid *notify = NULL;
	struct kipc_timeout t;
	struct kipc_qmsg *msg;
	int signo = 0, woken = 0;
	int ret;

	ret = kipc_queue_send_prep(h, m, &t, true, &msg);
	if (ret)
		return ret;
	mutex_lock(&q->lock);
	ret = kipc_queue_enqueue(q, msg, &t, &woken, &notify, &signo);
	mutex_unlock(&q->lock);
	if (ret) {
		kipc_qmsg_put(q, msg);
		return ret;
	}
	kipc_queue_sent(q, woken, sync, notify, signo);
	return 0;
}

/**
 * kipc_queue_send() - send one message on a queue handle
 * @h: the handle, opened with %KIPC_OPEN_WRITE
 * @m: kernel copy of the user's struct kipc_msg; @m->buf is a user pointer
 *
 * Copies the payload in, then queues it, blocking while the queue is full as
 * @m->flags and the handle's ``O_NONBLOCK`` say. %KIPC_F_NONBLOCK in
 * @m->flags always means "do not block", even together with
 * %KIPC_F_TIMEOUT: a kernel caller (the io_uring non-blocking issue path)
 * may OR it into the user's flags to get -EAGAIN instead of sleeping. The
 * ioctl paths reject %KIPC_F_NONBLOCK with %KIPC_F_TIMEOUT from user space
 * before calling this.
 *
 * Context: process context, may sleep; takes the queue's mutex.
 *
 * Return: 0, or -EBADF, -EINVAL, -EMSGSIZE, -EAGAIN, -ETIMEDOUT, -EINTR,
 * -ERESTARTSYS, -EDQUOT, -ENOMEM, -EFAULT.
 */
long kipc_queue_send(struct kipc_handle *h, struct kipc_msg *m)
{
	return __kipc_queue_send(h, m, false);
}

/* Fill the receive out fields of @m from @msg. */
static void kipc_qmsg_out(struct kipc_msg *m, const struct kipc_qmsg *msg)
{
	struct user_namespace *ns = current_user_ns();

	m->len = msg->len;
	m->prio = msg->prio;
	m->type = msg->type;
	m->time_ns = msg->time_ns;
	m->pid = pid_vnr(msg->pid);
	/* The initial namespace maps every valid id to itself. */
	if (ns == &init_user_ns && uid_valid(msg->uid) && gid_valid(msg->gid)) {
		m->uid = __kuid_val(msg->uid);
		m->gid = __kgid_val(msg->gid);
		return;
	}
	m->uid = from_kuid_munged(ns, msg->uid);
	m->gid = from_kgid_munged(ns, msg->gid);
}

/**
 * kipc_queue_recv() - receive one message from a queue handle
 * @h: the handle, opened with %KIPC_OPEN_READ
 * @m: kernel copy of the user's struct kipc_msg; @m->buf is a user pointer
 *	to a buffer of @m->len bytes; the out fields are filled on return
 *
 * Takes the highest-priority message (or with %KIPC_MSG_BYTYPE the first of
 * type @m->type), blocking while there is none as @m->flags and the handle's
 * ``O_NONBLOCK`` say, and copies it out. %KIPC_F_NONBLOCK in @m->flags
 * always means "do not block", even with %KIPC_F_TIMEOUT, as for
 * kipc_queue_send(). On -EMSGSIZE, @m->len is set to the length needed and
 * the message stays queued.
 *
 * Context: process context, may sleep; takes the queue's mutex.
 *
 * Return: the message length, or -EBADF, -EINVAL, -EMSGSIZE, -EAGAIN,
 * -ETIMEDOUT, -EINTR, -ERESTARTSYS, -EFAULT.
 */
long kipc_queue_recv(struct kipc_handle *h, struct kipc_msg *m)
{
	struct kipc_queue *q = kipc_queue_of(h->obj);
	bool bytype = m->flags & KIPC_MSG_BYTYPE;
	bool peek = m->flags & KIPC_MSG_PEEK;
	bool exclusive = !bytype && !peek;
	void __user *ubuf = u64_to_user_ptr(m->buf);
	struct kipc_qprio *node = NULL;
	struct kipc_timeout t;
	struct kipc_qmsg *msg;
	long ret;

	if (!(h->access & KIPC_OPEN_READ))
		return -EBADF;
	if (m->flags & ~KIPC_RECV_FLAGS || m->__reserved)
		return -EINVAL;
	ret = kipc_queue_timeout(&t, h->file, m->flags, m->timeout_ns);
	if (ret)
		return ret;

	mutex_lock(&q->lock);
	for (;;) {
		msg = kipc_qmsg_find(q, bytype, m->type, &node);
		if (msg)
			break;
		if (ret)
			goto out_unlock;
		ret = kipc_queue_sleep(q, &q->recv_wq, exclusive,
				       &q->recv_waiters, &t);
	}
	if (msg->len > m->len) {
		m->len = msg->len;
		ret = -EMSGSIZE;
		goto out_unlock;
	}
	if (peek) {
		/* It stays queued; our reference keeps it while we copy. */
		refcount_inc(&msg->ref);
		mutex_unlock(&q->lock);
		ret = -EFAULT;
		if (!copy_to_user(ubuf, msg->data, msg->len)) {
			kipc_qmsg_out(m, msg);
			ret = msg->len;
		}
		kipc_qmsg_put(q, msg);
		return ret;
	}
	kipc_qmsg_unlink(q, node, msg);
	q->total_received++;
	mutex_unlock(&q->lock);
	kipc_queue_wake(&q->send_wq, EPOLLOUT | EPOLLWRNORM, 1, false);

	if (copy_to_user(ubuf, msg->data, msg->len)) {
		/* Put it back where it was, so no data is lost. */
		mutex_lock(&q->lock);
		kipc_qmsg_insert(q, msg, true);
		q->total_received--;
		mutex_unlock(&q->lock);
		kipc_queue_wake(&q->recv_wq, EPOLLIN | EPOLLRDNORM, 1, false);
		return -EFAULT;
	}
	kipc_qmsg_out(m, msg);
	ret = msg->len;
	kipc_qmsg_put(q, msg);
	return ret;

out_unlock:
	/* Failing while a message is queued: pass the wake-up on. */
	if (exclusive && ret < 0 && q->msgs && q->recv_waiters)
		wake_up(&q->recv_wq);
	mutex_unlock(&q->lock);
	return ret;
}

/* A user's flags: NONBLOCK and TIMEOUT together are invalid. */
static bool kipc_msg_flags_ok(const struct kipc_msg *m)
{
	return !((m->flags & KIPC_F_NONBLOCK) && (m->flags & KIPC_F_TIMEOUT));
}

/**
 * kipc_ioctl_send() - %KIPC_IOC_SEND on a queue handle
 * @file: the handle
 * @arg: struct kipc_msg
 *
 * Return: 0 or a negative errno (see kipc_queue_send()).
 */
long kipc_ioctl_send(struct file *file, void *arg)
{
	if (!kipc_msg_flags_ok(arg))
		return -EINVAL;
	return kipc_queue_send(kipc_handle_get(file), arg);
}

/**
 * kipc_ioctl_recv() - %KIPC_IOC_RECV on a queue handle
 * @file: the handle
 * @arg: struct kipc_msg, whose out fields are copied back
 *
 * Return: the message length or a negative errno (see kipc_queue_recv()).
 */
long kipc_ioctl_recv(struct file *file, void *arg)
{
	if (!kipc_msg_flags_ok(arg))
		return -EINVAL;
	return kipc_queue_recv(kipc_handle_get(file), arg);
}

/* Messages a SENDV prepares before taking the queue lock once for them. */
#define KIPC_SENDV_CHUNK	8

/*
 * Read elements @i to @i + @n - 1 of a SENDV array into @m. Returns how many
 * were read, and in *@err the error that stops the call at the next one, if
 * any: a fault, or (without %KIPC_VEC_RESULTS) a malformed element. With
 * %KIPC_VEC_RESULTS a malformed element is that message's failure instead:
 * its bit is set in *@failed and its error put in @res. With @nowait, an
 * element that may block is made non-blocking and its bit set in *@forced.
 */
static unsigned int kipc_sendv_read(const struct kipc_msgv *v, u32 i,
				    unsigned int n, struct kipc_msg *m,
				    bool nowait, unsigned int *forced,
				    unsigned int *failed, s32 *res, int *err)
{
	u8 __user *up = u64_to_user_ptr(v->msgs) + (size_t)i * v->msg_size;
	unsigned int j;

	*err = 0;
	*forced = 0;
	*failed = 0;
	/* The common layout: the whole chunk in one copy. */
	if (v->msg_size != sizeof(*m) || copy_from_user(m, up, n * sizeof(*m))) {
		for (j = 0; j < n; j++, up += v->msg_size) {
			*err = copy_struct_from_user(&m[j], sizeof(*m), up,
						     v->msg_size);
			if (*err == -E2BIG && (v->flags & KIPC_VEC_RESULTS)) {
				*err = 0;
				res[j] = -E2BIG;
				*failed |= BIT(j);
			} else if (*err) {
				/* The ones before it are still checked. */
				n = j;
				break;
			}
		}
	}
	for (j = 0; j < n; j++) {
		if (*failed & BIT(j))
			continue;
		if (m[j].size != v->msg_size || !kipc_msg_flags_ok(&m[j])) {
			if (!(v->flags & KIPC_VEC_RESULTS)) {
				*err = -EINVAL;
				return j;
			}
			res[j] = -EINVAL;
			*failed |= BIT(j);
			continue;
		}
		if ((i || j) && (v->flags & KIPC_VEC_WAITFORONE))
			m[j].flags |= KIPC_F_NONBLOCK;
		if (nowait && !(m[j].flags & KIPC_F_NONBLOCK)) {
			m[j].flags |= KIPC_F_NONBLOCK;
			*forced |= BIT(j);
		}
	}
	return n;
}

/* A message's result as user space sees it: a sleep cannot restart here. */
static s32 kipc_sendv_result(int ret)
{
	return ret == -ERESTARTSYS ? -EINTR : ret;
}

/**
 * kipc_msgv_check() - check a SENDV or RECVV vector's own fields
 * @v: kernel copy of the user's struct kipc_msgv
 * @recv: for RECVV, which has no %KIPC_VEC_RESULTS
 *
 * Return: 0, or -EINVAL for unknown flags, a count of 0 or above
 * %KIPC_VEC_MAX, an element size below the kernel's struct kipc_msg, or
 * @results set without %KIPC_VEC_RESULTS or missing with it.
 */
int kipc_msgv_check(const struct kipc_msgv *v, bool recv)
{
	u32 flags = KIPC_VEC_WAITFORONE | (recv ? 0 : KIPC_VEC_RESULTS);

	if (v->flags & ~flags)
		return -EINVAL;
	if (!v->count || v->count > KIPC_VEC_MAX)
		return -EINVAL;
	if (v->msg_size < sizeof(struct kipc_msg))
		return -EINVAL;
	if (!(v->flags & KIPC_VEC_RESULTS) != !v->results)
		return -EINVAL;
	return 0;
}

/**
 * kipc_queue_sendv() - send the messages of a SENDV vector in order
 * @h: the handle, opened with %KIPC_OPEN_WRITE
 * @v: kernel copy of the user's struct kipc_msgv, passed by
 *	kipc_msgv_check(); @v->done is the index of the first message to send
 *	and is advanced past each one sent (with %KIPC_VEC_RESULTS: each one
 *	sent or failed, its result written to @v->results)
 * @nowait: send without blocking: a message that would block (and whose
 *	own flags allow blocking) stops the call with -EAGAIN and *@retry set
 * @retry: out: set when the call stopped only because of @nowait
 *
 * The messages are read and prepared (copied in) a chunk at a time without
 * the lock, then queued under one lock hold with one wake-up. The outcome
 * is that of sending them one after the other with %KIPC_IOC_SEND: the
 * first failure stops the call, or with %KIPC_VEC_RESULTS is recorded and
 * the call goes on.
 *
 * Context: process context; may sleep unless @nowait.
 *
 * Return: 0 when all were sent; the error of the message that stopped the
 * call (the errors of kipc_queue_send(), -EFAULT or -EINVAL); with
 * %KIPC_VEC_RESULTS, when all were handled, the first message's error.
 */
long kipc_queue_sendv(struct kipc_handle *h, struct kipc_msgv *v, bool nowait,
		      bool *retry)
{
	struct kipc_queue *q = kipc_queue_of(h->obj);
	bool results = v->flags & KIPC_VEC_RESULTS;
	s32 __user *ures = u64_to_user_ptr(v->results);
	/* Filled before use: spare the zeroing of INIT_STACK_ALL_ZERO. */
	struct kipc_timeout t[KIPC_SENDV_CHUNK] __uninitialized;
	struct kipc_qmsg *msg[KIPC_SENDV_CHUNK] __uninitialized;
	struct kipc_msg m[KIPC_SENDV_CHUNK] __uninitialized;
	s32 res[KIPC_SENDV_CHUNK] __uninitialized;
	unsigned int n, j, end, prepared, forced, failed, ok, queued, left;
	int stop, ret, first_err = 0;

	BUILD_BUG_ON(BITS_PER_TYPE(forced) < KIPC_SENDV_CHUNK + 1);
	*retry = false;
	while (v->done < v->count) {
		struct pid *notify = NULL;
		int signo = 0, woken = 0;

		n = min_t(u32, v->count - v->done, KIPC_SENDV_CHUNK);
		if (results)
			memset(res, 0, sizeof(res));
		/* @stop: the error that ends the call, at message @end. */
		n = kipc_sendv_read(v, v->done, n, m, nowait, &forced, &failed,
				    res, &stop);
		/* Results must be writable before anything of the chunk goes. */
		if (results && n && clear_user(ures + v->done, n * sizeof(s32)))
			return -EFAULT;
		/*
		 * Bit j of @ok: message j is prepared, to be queued. Only the
		 * first of them may fail early on a full queue: the earlier
		 * ones are all queued (or failed) by then.
		 */
		ok = 0;
		for (prepared = 0; prepared < n; prepared++) {
			if (failed & BIT(prepared))
				continue;
			ret = kipc_queue_send_prep(h, &m[prepared],
						   &t[prepared], !ok,
						   &msg[prepared]);
			if (!ret) {
				ok |= BIT(prepared);
				continue;
			}
			if (!results || (ret == -EAGAIN &&
					 (forced & BIT(prepared)))) {
				stop = ret;
				break;
			}
			/*
			 * Out of quota or memory with earlier messages of the
			 * chunk holding theirs: try again once they are
			 * queued (or failed and released), as sent alone.
			 */
			if (ok && (ret == -EDQUOT || ret == -ENOMEM)) {
				stop = 0;	/* a read error is after it */
				break;
			}
			res[prepared] = ret;
			failed |= BIT(prepared);
		}
		end = prepared;
		queued = 0;
		if (ok) {
			mutex_lock(&q->lock);
			for (j = 0; j < prepared; j++) {
				if (!(ok & BIT(j)))
					continue;
				/*
				 * A relative timeout starts now, after the
				 * earlier messages' waits, as it would for one
				 * SEND after another (checked by prep).
				 */
				ret = 0;
				if ((m[j].flags & (KIPC_F_TIMEOUT |
						   KIPC_F_ABSTIME)) ==
				    KIPC_F_TIMEOUT)
					ret = kipc_queue_timeout(&t[j], h->file,
								 m[j].flags,
								 m[j].timeout_ns);
				if (!ret)
					ret = kipc_queue_enqueue(q, msg[j], &t[j],
								 &woken, &notify,
								 &signo);
				if (!ret) {
					queued |= BIT(j);
					continue;
				}
				if (!results ||
				    (ret == -EAGAIN && (forced & BIT(j)))) {
					stop = ret;
					end = j;
					break;
				}
				res[j] = kipc_sendv_result(ret);
				failed |= BIT(j);
			}
			mutex_unlock(&q->lock);
			kipc_queue_sent(q, woken, false, notify, signo);
			for (left = ok & ~queued; left; left &= left - 1)
				kipc_qmsg_put(q, msg[__ffs(left)]);
		}
		/*
		 * Messages [0, @end) are handled: queued, or failed with their
		 * result recorded; without results, all of them queued.
		 */
		if (results && end) {
			if (!first_err && (failed & (BIT(end) - 1)))
				first_err = res[__ffs(failed & (BIT(end) - 1))];
			/* A constant size spares the hardened-usercopy check. */
			if (end == KIPC_SENDV_CHUNK ?
			    copy_to_user(ures + v->done, res, sizeof(res)) :
			    copy_to_user(ures + v->done, res,
					 end * sizeof(res[0])))
				stop = -EFAULT;
		}
		v->done += end;
		if (stop) {
			*retry = stop == -EAGAIN && (forced & BIT(end));
			return stop;
		}
	}
	return first_err;
}

/* SENDV and RECVV: move up to count messages, stop at the first failure. */
static long kipc_ioctl_vec(struct file *file, struct kipc_msgv *v, bool recv)
{
	struct kipc_handle *h = kipc_handle_get(file);
	u8 __user *up = u64_to_user_ptr(v->msgs);
	struct kipc_msg m;
	bool retry;
	long ret;
	u32 i;

	v->done = 0;
	v->error = 0;
	ret = kipc_msgv_check(v, recv);
	if (ret)
		return ret;
	if (!recv) {
		ret = kipc_queue_sendv(h, v, false, &retry);
		goto out;
	}
	for (i = 0; i < v->count; i++, up += v->msg_size) {
		/* A constant size spares the hardened-usercopy check. */
		if (v->msg_size == sizeof(m))
			ret = copy_from_user(&m, up, sizeof(m)) ? -EFAULT : 0;
		else
			ret = copy_struct_from_user(&m, sizeof(m), up,
						    v->msg_size);
		if (ret)
			break;
		if (m.size != v->msg_size || !kipc_msg_flags_ok(&m)) {
			ret = -EINVAL;
			break;
		}
		if (i && (v->flags & KIPC_VEC_WAITFORONE))
			m.flags |= KIPC_F_NONBLOCK;
		ret = recv ? kipc_queue_recv(h, &m) : kipc_queue_send(h, &m);
		if (recv && (ret >= 0 || ret == -EMSGSIZE) &&
		    copy_to_user(up, &m, sizeof(m))) {
			/* The message was taken; count it, then stop. */
			if (ret >= 0)
				v->done++;
			ret = -EFAULT;
			break;
		}
		if (ret < 0)
			break;
		v->done++;
		ret = 0;
	}
out:
	v->error = ret == -ERESTARTSYS ? -EINTR : ret;
	return v->done ? v->done : ret;
}

/**
 * kipc_ioctl_sendv() - %KIPC_IOC_SENDV: send several messages
 * @file: the handle
 * @arg: struct kipc_msgv
 *
 * Return: the number of messages sent if any, else the first error.
 */
long kipc_ioctl_sendv(struct file *file, void *arg)
{
	return kipc_ioctl_vec(file, arg, false);
}

/**
 * kipc_ioctl_recvv() - %KIPC_IOC_RECVV: receive several messages
 * @file: the handle
 * @arg: struct kipc_msgv
 *
 * Each element's out fields are written back to the user's array.
 *
 * Return: the number of messages received if any, else the first error.
 */
long kipc_ioctl_recvv(struct file *file, void *arg)
{
	return kipc_ioctl_vec(file, arg, true);
}

/*
 * Copy in a size-first struct kipc_msg: with a constant size when the
 * caller's structure has the kernel's size (sparing the get_user() and the
 * hardened-usercopy object check), else through kipc_copy_arg_in(), which
 * has the last word. Returns the caller's size or a negative errno.
 */
static int kipc_msg_copy_in(struct kipc_msg *m, const void __user *um)
{
	if (!copy_from_user(m, um, sizeof(*m)) && m->size == sizeof(*m))
		return sizeof(*m);
	return kipc_copy_arg_in(m, sizeof(*m), sizeof(*m), um);
}

/**
 * kipc_ioctl_call() - %KIPC_IOC_CALL: send a request, receive the reply
 * @file: the handle the request is sent on
 * @arg: struct kipc_call
 *
 * Both messages are copied in and checked before anything is sent; @sent
 * tells whether the request was queued when the call fails.
 *
 * Return: the reply's length or a negative errno.
 */
long kipc_ioctl_call(struct file *file, void *arg)
{
	struct kipc_call *c = arg;
	void __user *urep = u64_to_user_ptr(c->rep);
	struct kipc_handle *rh;
	/* Filled by kipc_copy_arg_in() before use. */
	struct kipc_msg req __uninitialized, rep __uninitialized;
	struct kipc_timeout rt;
	struct file *rfile;
	long ret;

	c->sent = 0;
	if (c->flags)
		return -EINVAL;
	ret = kipc_msg_copy_in(&req, u64_to_user_ptr(c->req));
	if (ret < 0)
		return ret;
	/* The reply's structure is at least sizeof(rep) bytes from here on. */
	ret = kipc_msg_copy_in(&rep, urep);
	if (ret < 0)
		return ret;
	if (!kipc_msg_flags_ok(&req) || !kipc_msg_flags_ok(&rep))
		return -EINVAL;
	rfile = kipc_handle_fget(c->reply_fd, KIPC_TYPE_QUEUE, &rh);
	if (IS_ERR(rfile))
		return PTR_ERR(rfile);
	if (!(rh->access & KIPC_OPEN_READ)) {
		ret = -EBADF;
		goto out_put;
	}
	if (rep.flags & ~KIPC_RECV_FLAGS || rep.__reserved) {
		ret = -EINVAL;
		goto out_put;
	}
	/* Check the reply's timeout now; its deadline is set by the receive. */
	ret = kipc_queue_timeout(&rt, rfile, rep.flags, rep.timeout_ns);
	if (ret)
		goto out_put;
	ret = __kipc_queue_send(kipc_handle_get(file), &req, true);
	if (ret)
		goto out_put;
	c->sent = 1;
	ret = kipc_queue_recv(rh, &rep);
	if ((ret >= 0 || ret == -EMSGSIZE) &&
	    copy_to_user(urep, &rep, sizeof(rep)))
		ret = -EFAULT;
	/* Interrupted after the request went out: do not send it again. */
	if (ret == -ERESTARTSYS)
		ret = -EINTR;
out_put:
	fput(rfile);
	return ret;
}

/**
 * kipc_ioctl_notify() - %KIPC_IOC_NOTIFY: register for an arrival signal
 * @file: a handle opened with %KIPC_OPEN_READ
 * @arg: struct kipc_notify
 *
 * A process already registered may register again (the new signal and
 * handle replace the old ones). Unregistering (@signo 0) by a process that
 * is not registered does nothing, as mq_notify(NULL) does.
 *
 * Return: 0, -EBADF, -EINVAL or -EBUSY.
 */
long kipc_ioctl_notify(struct file *file, void *arg)
{
	struct kipc_handle *h = kipc_handle_get(file);
	struct kipc_queue *q = kipc_queue_of(h->obj);
	const struct kipc_notify *n = arg;
	struct pid *me = task_tgid(current);
	struct pid *old = NULL;
	long ret = 0;

	if (!(h->access & KIPC_OPEN_READ))
		return -EBADF;
	if (n->flags || n->__reserved)
		return -EINVAL;
	if (n->signo < 0 || n->signo > _NSIG)
		return -EINVAL;

	mutex_lock(&q->lock);
	if (!n->signo) {
		if (q->notify_pid == me) {
			old = q->notify_pid;
			q->notify_pid = NULL;
			q->notify_handle = NULL;
		}
	} else if (q->notify_pid && q->notify_pid != me) {
		ret = -EBUSY;
	} else {
		old = q->notify_pid;
		q->notify_pid = get_pid(me);
		q->notify_handle = h;
		q->notify_signo = n->signo;
	}
	mutex_unlock(&q->lock);
	put_pid(old);
	return ret;
}

/* ---- object operations -------------------------------------------------- */

static struct kipc_object *kipc_queue_create(const struct kipc_open *args,
					     struct kipc_user *user)
{
	u32 max_msgs = args->max_msgs ?: READ_ONCE(kipc_default_max_msgs);
	u32 max_msgsize = args->max_msgsize ?:
			  READ_ONCE(kipc_default_max_msgsize);
	struct kipc_queue *q;

	if (args->region_size)
		return ERR_PTR(-EINVAL);
	if (!max_msgs || max_msgs > READ_ONCE(kipc_max_msgs) ||
	    max_msgsize > READ_ONCE(kipc_max_msgsize))
		return ERR_PTR(-EINVAL);
	q = kzalloc(sizeof(*q), GFP_KERNEL_ACCOUNT);
	if (!q)
		return ERR_PTR(-ENOMEM);
	mutex_init(&q->lock);
	q->prios = RB_ROOT_CACHED;
	INIT_LIST_HEAD(&q->node_cache);
	init_waitqueue_head(&q->recv_wq);
	init_waitqueue_head(&q->send_wq);
	spin_lock_init(&q->pool_lock);
	INIT_LIST_HEAD(&q->pool);
	q->max_msgs = max_msgs;
	q->max_msgsize = max_msgsize;
	return &q->obj;
}

static void kipc_queue_destroy(struct kipc_object *obj)
{
	struct kipc_queue *q = kipc_queue_of(obj);
	struct kipc_qprio *node, *ntmp;
	struct kipc_qmsg *msg, *mtmp;
	struct rb_node *rb;

	/* No handle is left: nobody can touch the queue any more. */
	while ((rb = rb_first_cached(&q->prios))) {
		node = rb_entry(rb, struct kipc_qprio, rb);
		list_for_each_entry_safe(msg, mtmp, &node->msgs, link) {
			list_del(&msg->link);
			kipc_uncharge(q->obj.user, msg->size);
			put_pid(msg->pid);
			kvfree(msg);
		}
		rb_erase_cached(rb, &q->prios);
		kfree(node);
	}
	list_for_each_entry_safe(node, ntmp, &q->node_cache, msgs)
		kfree(node);
	list_for_each_entry_safe(msg, mtmp, &q->pool, link)
		kvfree(msg);
	put_pid(q->notify_pid);
	mutex_destroy(&q->lock);
	kfree(q);
}

static void kipc_queue_release(struct kipc_handle *h)
{
	struct kipc_queue *q = kipc_queue_of(h->obj);
	struct pid *old = NULL;

	mutex_lock(&q->lock);
	if (q->notify_handle == h) {
		old = q->notify_pid;
		q->notify_pid = NULL;
		q->notify_handle = NULL;
	}
	mutex_unlock(&q->lock);
	put_pid(old);
}

static __poll_t kipc_queue_poll(struct kipc_handle *h,
				struct poll_table_struct *pt)
{
	struct kipc_queue *q = kipc_queue_of(h->obj);
	__poll_t mask = 0;
	u32 msgs;

	if (h->access & KIPC_OPEN_READ)
		poll_wait(h->file, &q->recv_wq, pt);
	if (h->access & KIPC_OPEN_WRITE)
		poll_wait(h->file, &q->send_wq, pt);
	/* Pairs with the one in kipc_queue_wake(). */
	smp_mb();
	msgs = READ_ONCE(q->msgs);
	if ((h->access & KIPC_OPEN_READ) && msgs)
		mask |= EPOLLIN | EPOLLRDNORM;
	if ((h->access & KIPC_OPEN_WRITE) && msgs < q->max_msgs)
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static void kipc_queue_stat(struct kipc_object *obj, struct kipc_stat *st)
{
	struct kipc_queue *q = kipc_queue_of(obj);

	mutex_lock(&q->lock);
	st->max_msgs = q->max_msgs;
	st->max_msgsize = q->max_msgsize;
	st->msgs = q->msgs;
	st->bytes = q->bytes;
	st->waiters = q->recv_waiters + q->send_waiters;
	st->send_waiters = q->send_waiters;
	st->total_sent = q->total_sent;
	st->total_received = q->total_received;
	st->notify_pid = q->notify_pid ? pid_vnr(q->notify_pid) : 0;
	mutex_unlock(&q->lock);
}

const struct kipc_type_ops kipc_queue_ops = {
	.type = KIPC_TYPE_QUEUE,
	.name = "kipc-queue",
	.handle_size = sizeof(struct kipc_handle),
	.create = kipc_queue_create,
	.destroy = kipc_queue_destroy,
	.release = kipc_queue_release,
	.poll = kipc_queue_poll,
	.stat = kipc_queue_stat,
};
