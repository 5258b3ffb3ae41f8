// SPDX-License-Identifier: GPL-2.0
/*
 * kipc shared-memory regions: named sets of pages that several processes
 * mmap(), a kernel-side wait/wake on a 32-bit word of the region (a futex
 * that works across unrelated processes and mappings), a robust
 * reader/writer lock held by handles, and a pollable doorbell.
 *
 * Pages: all of a region's pages are allocated (zeroed) when it is created
 * and charged to the owner's quota; they are freed with the region. A
 * mapping is populated lazily by the fault handler, which hands out the
 * region's own pages, so every mapping of a region, in any process and at
 * any address, shows the same memory. Only shared mappings are allowed. A
 * mapping holds the handle's file, hence the handle, hence the region: the
 * region stays alive while it is mapped, even after every descriptor is
 * closed and its name removed.
 *
 * Wait/wake: waiters sit in a small hash of lists keyed by the word's
 * offset. WAIT compares the word, read through the kernel's mapping of the
 * page, under kipc_region.lock and queues itself under the same lock; WAKE
 * dequeues waiters under it. A store to the word followed by WAKE therefore
 * cannot slip between a waiter's compare and its sleep. A woken waiter was
 * dequeued by its waker and counted by it: it returns 0 even if a signal or
 * its timeout came at the same time.
 *
 * Region lock: state (exclusive holder, number of shared holders, waiting
 * writers, owner-died mark) under kipc_region.lock; which mode a handle
 * holds is kept in the handle. Writers wait exclusively and readers
 * non-exclusively on lock_wq. A waiting writer keeps new readers out, so a
 * stream of readers cannot starve writers. A waiter that gives up (timeout,
 * signal) passes on any wake-up it might have consumed.
 *
 * Locking:
 *  - kipc_region.lock (spinlock) protects the wait lists and nr_waiters, the
 *    lock state (excl, shared, excl_waiting, lock_waiters, ownerdead) and
 *    kipc_region_handle.held. It nests inside kipc_registry_lock (stat())
 *    and outside lock_wq's internal lock. Nothing sleeps under it.
 *  - pages and npages do not change between create() and destroy().
 *  - doorbell, kipc_region_handle.acked and mappings are atomics; poll_wq
 *    has its own lock.
 */
#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "kipc_internal.h"

#define KIPC_WAIT_HASH_BITS	4

/* What a handle holds of the region lock. */
enum kipc_held {
	KIPC_HELD_NONE,
	KIPC_HELD_SHARED,
	KIPC_HELD_EXCL,
};

/**
 * struct kipc_region - a shared-memory region
 * @obj: the object layer's part
 * @pages: the region's pages
 * @npages: number of pages
 * @lock: see "Locking" above
 * @wait: WAIT waiters, hashed by offset
 * @nr_waiters: number of WAIT waiters
 * @excl: the region lock is held exclusively
 * @shared: number of shared holders
 * @excl_waiting: writers waiting for the lock
 * @lock_waiters: tasks waiting for the lock
 * @ownerdead: an exclusive holder's handle was closed while holding it
 * @lock_wq: lock waiters
 * @doorbell: rings since creation
 * @poll_wq: pollers of the doorbell
 * @mappings: live VMAs
 */
struct kipc_region {
	struct kipc_object obj;
	struct page **pages;
	unsigned long npages;
	spinlock_t lock;	/* see "Locking" above */
	struct list_head wait[1 << KIPC_WAIT_HASH_BITS];
	unsigned int nr_waiters;
	bool excl;
	unsigned int shared;
	unsigned int excl_waiting;
	unsigned int lock_waiters;
	bool ownerdead;
	wait_queue_head_t lock_wq;
	atomic64_t doorbell;
	wait_queue_head_t poll_wq;
	atomic_t mappings;
};

/**
 * struct kipc_region_handle - a handle of a region
 * @h: the object layer's part
 * @acked: doorbell count this handle last acknowledged
 * @held: enum kipc_held (kipc_region.lock)
 */
struct kipc_region_handle {
	struct kipc_handle h;
	atomic64_t acked;
	unsigned int held;
};

/**
 * struct kipc_region_waiter - a task blocked in WAIT (on its stack)
 * @node: entry in a kipc_region.wait list
 * @task: the task
 * @offset: the word waited on
 * @woken: dequeued by WAKE
 */
struct kipc_region_waiter {
	struct list_head node;
	struct task_struct *task;
	u64 offset;
	bool woken;
};

static struct kipc_region *to_region(struct kipc_object *obj)
{
	return container_of(obj, struct kipc_region, obj);
}

static struct kipc_region_handle *to_rh(struct kipc_handle *h)
{
	return container_of(h, struct kipc_region_handle, h);
}

static struct kipc_region *file_region(struct file *file)
{
	return to_region(kipc_handle_get(file)->obj);
}

static struct kipc_object *kipc_region_create(const struct kipc_open *args,
					      struct kipc_user *user)
{
	u64 size = args->region_size;
	struct kipc_region *r;
	unsigned long npages, i;
	int ret, b;

	if (args->max_msgs || args->max_msgsize)
		return ERR_PTR(-EINVAL);
	if (!size || size > READ_ONCE(kipc_max_region_size))
		return ERR_PTR(-EINVAL);
	npages = size >> PAGE_SHIFT;
	if (size & ~PAGE_MASK)
		npages++;
	if (npages > (LONG_MAX >> PAGE_SHIFT))
		return ERR_PTR(-EINVAL);

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return ERR_PTR(-ENOMEM);
	ret = kipc_charge(user, npages << PAGE_SHIFT);
	if (ret)
		goto err_free_region;
	r->pages = kvcalloc(npages, sizeof(*r->pages), GFP_KERNEL_ACCOUNT);
	if (!r->pages) {
		ret = -ENOMEM;
		goto err_uncharge;
	}
	for (i = 0; i < npages; i++) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto err_free_pages;
		}
		r->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!r->pages[i]) {
			ret = -ENOMEM;
			goto err_free_pages;
		}
		cond_resched();
	}
	r->npages = npages;
	spin_lock_init(&r->lock);
	for (b = 0; b < ARRAY_SIZE(r->wait); b++)
		INIT_LIST_HEAD(&r->wait[b]);
	init_waitqueue_head(&r->lock_wq);
	init_waitqueue_head(&r->poll_wq);
	atomic64_set(&r->doorbell, 0);
	atomic_set(&r->mappings, 0);
	return &r->obj;

err_free_pages:
	while (i--)
		__free_page(r->pages[i]);
	kvfree(r->pages);
err_uncharge:
	kipc_uncharge(user, npages << PAGE_SHIFT);
err_free_region:
	kfree(r);
	return ERR_PTR(ret);
}

static void kipc_region_destroy(struct kipc_object *obj)
{
	struct kipc_region *r = to_region(obj);
	unsigned long i;

	WARN_ON_ONCE(r->nr_waiters || r->lock_waiters);
	for (i = 0; i < r->npages; i++)
		__free_page(r->pages[i]);
	kvfree(r->pages);
	kipc_uncharge(obj->user, r->npages << PAGE_SHIFT);
	kfree(r);
}

static void kipc_region_open(struct kipc_handle *h)
{
	struct kipc_region *r = to_region(h->obj);

	/* A new handle reports EPOLLIN only after the next ring. */
	atomic64_set(&to_rh(h)->acked, atomic64_read(&r->doorbell));
}

/* Release what @rh holds of the region lock and wake whom it may concern. */
static void kipc_region_unlock_locked(struct kipc_region *r,
				      struct kipc_region_handle *rh, bool died)
{
	lockdep_assert_held(&r->lock);
	if (rh->held == KIPC_HELD_EXCL) {
		r->excl = false;
		if (died)
			r->ownerdead = true;
		wake_up(&r->lock_wq);
	} else if (rh->held == KIPC_HELD_SHARED) {
		if (!--r->shared)
			wake_up(&r->lock_wq);
	}
	rh->held = KIPC_HELD_NONE;
}

static void kipc_region_release(struct kipc_handle *h)
{
	struct kipc_region *r = to_region(h->obj);
	struct kipc_region_handle *rh = to_rh(h);

	spin_lock(&r->lock);
	kipc_region_unlock_locked(r, rh, true);
	spin_unlock(&r->lock);
}

static __poll_t kipc_region_poll(struct kipc_handle *h,
				 struct poll_table_struct *pt)
{
	struct kipc_region *r = to_region(h->obj);

	poll_wait(h->file, &r->poll_wq, pt);
	if (atomic64_read(&r->doorbell) != atomic64_read(&to_rh(h)->acked))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

static void kipc_region_vm_open(struct vm_area_struct *vma)
{
	struct kipc_region *r = vma->vm_private_data;

	atomic_inc(&r->mappings);
}

static void kipc_region_vm_close(struct vm_area_struct *vma)
{
	struct kipc_region *r = vma->vm_private_data;

	atomic_dec(&r->mappings);
}

static vm_fault_t kipc_region_fault(struct vm_fault *vmf)
{
	struct kipc_region *r = vmf->vma->vm_private_data;
	struct page *page;

	/* mremap() may have grown the mapping past the region. */
	if (vmf->pgoff >= r->npages)
		return VM_FAULT_SIGBUS;
	page = r->pages[array_index_nospec(vmf->pgoff, r->npages)];
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct kipc_region_vm_ops = {
	.open	= kipc_region_vm_open,
	.close	= kipc_region_vm_close,
	.fault	= kipc_region_fault,
};

static int kipc_region_mmap(struct kipc_handle *h, struct vm_area_struct *vma)
{
	struct kipc_region *r = to_region(h->obj);
	unsigned long len = vma_pages(vma);

	/*
	 * MAP_SHARED only. (The VM core clears VM_SHARED, but not VM_MAYSHARE,
	 * of a shared mapping of a read-only file, and has already refused
	 * PROT_WRITE on it and cleared VM_MAYWRITE.)
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff >= r->npages || len > r->npages - vma->vm_pgoff)
		return -EINVAL;
	vma->vm_private_data = r;
	vma->vm_ops = &kipc_region_vm_ops;
	atomic_inc(&r->mappings);
	return 0;
}

static void kipc_region_stat(struct kipc_object *obj, struct kipc_stat *st)
{
	struct kipc_region *r = to_region(obj);

	st->bytes = (u64)r->npages << PAGE_SHIFT;
	st->mappings = atomic_read(&r->mappings);
	st->doorbell = atomic64_read(&r->doorbell);
	spin_lock(&r->lock);
	st->waiters = r->nr_waiters + r->lock_waiters;
	st->lock_holders = r->excl ? 1 : r->shared;
	if (r->excl)
		st->flags |= KIPC_STAT_LOCK_EXCL;
	if (r->shared)
		st->flags |= KIPC_STAT_LOCK_SHARED;
	if (r->ownerdead)
		st->flags |= KIPC_STAT_LOCK_OWNERDEAD;
	spin_unlock(&r->lock);
}

const struct kipc_type_ops kipc_region_ops = {
	.type = KIPC_TYPE_REGION,
	.name = "kipc-region",
	.handle_size = sizeof(struct kipc_region_handle),
	.create = kipc_region_create,
	.destroy = kipc_region_destroy,
	.open = kipc_region_open,
	.release = kipc_region_release,
	.poll = kipc_region_poll,
	.mmap = kipc_region_mmap,
	.stat = kipc_region_stat,
};

/* Is @offset a valid word offset in @r? */
static int kipc_region_check_word(struct kipc_region *r, u64 offset)
{
	if (offset & 3)
		return -EINVAL;
	if (offset >= (u64)r->npages << PAGE_SHIFT)
		return -EINVAL;
	return 0;
}

static u32 kipc_region_read_word(struct kipc_region *r, u64 offset)
{
	u32 *word;

	lockdep_assert_held(&r->lock);
	/* @offset is checked, but a user chose it: no speculation past it. */
	offset = array_index_nospec(offset, (u64)r->npages << PAGE_SHIFT);
	word = page_address(r->pages[offset >> PAGE_SHIFT]) +
	       offset_in_page(offset);
	return READ_ONCE(*word);
}

static struct list_head *kipc_region_wait_list(struct kipc_region *r,
					       u64 offset)
{
	return &r->wait[hash_64(offset >> 2, KIPC_WAIT_HASH_BITS)];
}

/**
 * kipc_ioctl_wait() - %KIPC_IOC_WAIT: sleep while a word of the region is
 * unchanged
 * @file: a region handle
 * @arg: struct kipc_wait
 *
 * Return: 0 when woken by %KIPC_IOC_WAKE, or a negative errno (see the UAPI
 * header).
 */
long kipc_ioctl_wait(struct file *file, void *arg)
{
	struct kipc_region *r = file_region(file);
	const struct kipc_wait *a = arg;
	struct kipc_region_waiter w = {
		.task = current,
		.offset = a->offset,
	};
	struct kipc_timeout t;
	int ret;

	if (a->flags & ~KIPC_F_WAIT_ALL || a->__reserved)
		return -EINVAL;
	ret = kipc_region_check_word(r, a->offset);
	if (ret)
		return ret;
	ret = kipc_timeout_init(&t, file, a->flags, a->timeout_ns);
	if (ret)
		return ret;

	spin_lock(&r->lock);
	if (kipc_region_read_word(r, a->offset) != a->expected || t.nonblock) {
		spin_unlock(&r->lock);
		return -EAGAIN;
	}
	list_add_tail(&w.node, kipc_region_wait_list(r, a->offset));
	r->nr_waiters++;
	spin_unlock(&r->lock);

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (READ_ONCE(w.woken))
			break;
		if (signal_pending(current)) {
			ret = kipc_timeout_signal(&t);
			break;
		}
		ret = kipc_timeout_sleep(&t);
		if (ret)
			break;
	}
	__set_current_state(TASK_RUNNING);

	/* The waker holds the lock until it is done with @w. */
	spin_lock(&r->lock);
	if (w.woken) {
		ret = 0;
	} else {
		list_del(&w.node);
		r->nr_waiters--;
	}
	spin_unlock(&r->lock);
	return ret;
}

/**
 * kipc_ioctl_wake() - %KIPC_IOC_WAKE: wake waiters of a word of the region
 * @file: a region handle
 * @arg: struct kipc_wake
 *
 * Return: the number of waiters woken, or -EINVAL.
 */
long kipc_ioctl_wake(struct file *file, void *arg)
{
	struct kipc_region *r = file_region(file);
	const struct kipc_wake *a = arg;
	struct kipc_region_waiter *w, *tmp;
	struct list_head *head;
	u32 woken = 0;
	int ret;

	if (a->flags || a->__reserved)
		return -EINVAL;
	ret = kipc_region_check_word(r, a->offset);
	if (ret)
		return ret;
	head = kipc_region_wait_list(r, a->offset);

	spin_lock(&r->lock);
	list_for_each_entry_safe(w, tmp, head, node) {
		if (woken >= a->count)
			break;
		if (w->offset != a->offset)
			continue;
		list_del(&w->node);
		r->nr_waiters--;
		WRITE_ONCE(w->woken, true);
		wake_up_process(w->task);
		woken++;
	}
	spin_unlock(&r->lock);
	return woken;
}

/* Could a handle take the region lock in this mode now? */
static bool kipc_region_can_lock(struct kipc_region *r, bool shared)
{
	lockdep_assert_held(&r->lock);
	if (r->excl)
		return false;
	/* A waiting writer keeps new readers out. */
	return shared ? !r->excl_waiting : !r->shared;
}

/* Wait for the region lock; called and returns with r->lock held. */
static int kipc_region_lock_wait(struct kipc_region *r,
				 struct kipc_region_handle *rh, bool shared,
				 struct kipc_timeout *t)
{
	DEFINE_WAIT(wait);
	bool timed_out = false;
	int ret = 0;

	lockdep_assert_held(&r->lock);
	r->lock_waiters++;
	if (!shared)
		r->excl_waiting++;
	for (;;) {
		if (shared)
			prepare_to_wait(&r->lock_wq, &wait, TASK_INTERRUPTIBLE);
		else
			prepare_to_wait_exclusive(&r->lock_wq, &wait,
						  TASK_INTERRUPTIBLE);
		/* Another thread took it through the same handle. */
		if (rh->held) {
			ret = -EDEADLK;
			break;
		}
		if (kipc_region_can_lock(r, shared))
			break;
		if (signal_pending(current)) {
			ret = kipc_timeout_signal(t);
			break;
		}
		if (timed_out) {
			ret = -ETIMEDOUT;
			break;
		}
		spin_unlock(&r->lock);
		timed_out = kipc_timeout_sleep(t) == -ETIMEDOUT;
		spin_lock(&r->lock);
	}
	finish_wait(&r->lock_wq, &wait);
	r->lock_waiters--;
	if (!shared)
		r->excl_waiting--;
	/*
	 * Giving up: pass on a wake-up this task may have taken from another
	 * writer, and let in readers this writer was keeping out.
	 */
	if (ret)
		wake_up(&r->lock_wq);
	return ret;
}

/**
 * kipc_ioctl_lock() - %KIPC_IOC_LOCK: take the region lock
 * @file: a region handle
 * @arg: struct kipc_lock
 *
 * Return: 0 (with @result telling whether the previous holder died), or a
 * negative errno (see the UAPI header).
 */
long kipc_ioctl_lock(struct file *file, void *arg)
{
	struct kipc_handle *h = kipc_handle_get(file);
	struct kipc_region_handle *rh = to_rh(h);
	struct kipc_region *r = to_region(h->obj);
	struct kipc_lock *a = arg;
	bool shared = a->flags & KIPC_LOCK_SHARED;
	struct kipc_timeout t;
	int ret;

	a->result = 0;
	if (a->flags & ~(KIPC_F_WAIT_ALL | KIPC_LOCK_SHARED) || a->__reserved)
		return -EINVAL;
	ret = kipc_timeout_init(&t, file, a->flags, a->timeout_ns);
	if (ret)
		return ret;

	spin_lock(&r->lock);
	if (rh->held) {
		ret = -EDEADLK;
		goto out_unlock;
	}
	if (!kipc_region_can_lock(r, shared)) {
		ret = t.nonblock ? -EAGAIN : kipc_region_lock_wait(r, rh, shared, &t);
		if (ret)
			goto out_unlock;
	}
	if (shared) {
		r->shared++;
		rh->held = KIPC_HELD_SHARED;
	} else {
		r->excl = true;
		rh->held = KIPC_HELD_EXCL;
	}
	if (r->ownerdead)
		a->result = KIPC_LOCK_OWNERDEAD;
out_unlock:
	spin_unlock(&r->lock);
	return ret;
}

/**
 * kipc_ioctl_unlock() - %KIPC_IOC_UNLOCK: release the region lock
 * @file: a region handle
 * @arg: struct kipc_lock
 *
 * Return: 0, -EINVAL, or -EPERM when this handle does not hold the lock.
 */
long kipc_ioctl_unlock(struct file *file, void *arg)
{
	struct kipc_handle *h = kipc_handle_get(file);
	struct kipc_region_handle *rh = to_rh(h);
	struct kipc_region *r = to_region(h->obj);
	const struct kipc_lock *a = arg;
	int ret = 0;

	if (a->flags || a->__reserved)
		return -EINVAL;
	spin_lock(&r->lock);
	if (rh->held)
		kipc_region_unlock_locked(r, rh, false);
	else
		ret = -EPERM;
	spin_unlock(&r->lock);
	return ret;
}

/**
 * kipc_ioctl_consistent() - %KIPC_IOC_CONSISTENT: clear the owner-died mark
 * @file: a region handle holding the lock exclusively
 * @arg: unused
 *
 * Return: 0, or -EPERM when this handle does not hold the lock exclusively.
 */
long kipc_ioctl_consistent(struct file *file, void *arg)
{
	struct kipc_handle *h = kipc_handle_get(file);
	struct kipc_region *r = to_region(h->obj);
	int ret = 0;

	spin_lock(&r->lock);
	if (to_rh(h)->held == KIPC_HELD_EXCL)
		r->ownerdead = false;
	else
		ret = -EPERM;
	spin_unlock(&r->lock);
	return ret;
}

/**
 * kipc_ioctl_ring() - %KIPC_IOC_RING: ring the region's doorbell
 * @file: a region handle opened for writing
 * @arg: unused
 *
 * Return: 0, or -EBADF when the handle was not opened for writing.
 */
long kipc_ioctl_ring(struct file *file, void *arg)
{
	struct kipc_handle *h = kipc_handle_get(file);
	struct kipc_region *r = to_region(h->obj);

	if (!(h->access & KIPC_OPEN_WRITE))
		return -EBADF;
	atomic64_inc(&r->doorbell);
	wake_up_interruptible_poll(&r->poll_wq, EPOLLIN | EPOLLRDNORM);
	return 0;
}

/**
 * kipc_ioctl_doorbell() - %KIPC_IOC_DOORBELL: read and acknowledge the
 * doorbell counter
 * @file: a region handle
 * @arg: struct kipc_doorbell
 *
 * Return: 0, or -EINVAL for non-zero flags.
 */
long kipc_ioctl_doorbell(struct file *file, void *arg)
{
	struct kipc_handle *h = kipc_handle_get(file);
	struct kipc_region *r = to_region(h->obj);
	struct kipc_doorbell *a = arg;

	if (a->flags)
		return -EINVAL;
	a->count = atomic64_read(&r->doorbell);
	atomic64_set(&to_rh(h)->acked, a->count);
	return 0;
}
