/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc internals shared by the files of the module.
 *
 * main.c    misc device, module parameters, init/exit, the ioctl table
 * object.c  what queues and regions share: names, registry, references,
 *           permissions, per-user quota, handles, timeouts, listing
 * queue.c   message queues
 * region.c  shared pages, mmap, wait/wake, robust lock, doorbell
 * uring.c   io_uring commands on queue handles
 *
 * Locking: see the comment at the top of each .c file. In short, from
 * outermost to innermost: kipc_registry_lock (mutex, object.c) >
 * per-object locks (queue.c, region.c) > kipc_object.perm_lock (spinlock).
 */
#ifndef _KIPC_INTERNAL_H
#define _KIPC_INTERNAL_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/ktime.h>
#include <linux/kipc.h>

struct io_uring_cmd;
struct seq_file;
struct kipc_user;
struct kipc_object;
struct kipc_handle;

/* Module parameters (main.c); read them with READ_ONCE(). */
extern unsigned int kipc_max_objects;
extern unsigned int kipc_max_msgs;
extern unsigned int kipc_max_msgsize;
extern unsigned int kipc_default_max_msgs;
extern unsigned int kipc_default_max_msgsize;
extern unsigned long kipc_max_region_size;
extern unsigned long kipc_user_quota_bytes;

/**
 * struct kipc_type_ops - what a kind of object plugs into the object layer
 * @type: enum kipc_type value
 * @name: name of the anon inode of its handles ("kipc-queue", ...)
 * @handle_size: size of the handle structure, which embeds struct
 *	kipc_handle first
 * @create: allocate and set up a new object from the open arguments, with
 *	the object layer's fields (struct kipc_object) zeroed; returns the
 *	embedded object or an ERR_PTR
 * @destroy: free the object (the last reference is gone)
 * @open: a new handle of the object is being set up, or NULL (called
 *	under kipc_registry_lock; must not sleep)
 * @release: a handle of the object is being closed
 * @poll: poll() on a handle
 * @mmap: mmap() on a handle, or NULL
 * @stat: fill the type-specific fields of struct kipc_stat
 */
struct kipc_type_ops {
	u32 type;
	const char *name;
	size_t handle_size;
	struct kipc_object *(*create)(const struct kipc_open *args,
				      struct kipc_user *user);
	void (*destroy)(struct kipc_object *obj);
	void (*open)(struct kipc_handle *h);
	void (*release)(struct kipc_handle *h);
	__poll_t (*poll)(struct kipc_handle *h, struct poll_table_struct *pt);
	int (*mmap)(struct kipc_handle *h, struct vm_area_struct *vma);
	void (*stat)(struct kipc_object *obj, struct kipc_stat *st);
};

/**
 * struct kipc_object - the part every queue and region has
 * @ref: references: one per handle, one for the name while linked
 * @ops: the object's kind
 * @hnode: entry in the name hash (kipc_registry_lock)
 * @all: entry in the list of all objects (kipc_registry_lock)
 * @linked: the name is in the registry (kipc_registry_lock)
 * @autoremove: unlink when the last handle closes (set once at create)
 * @handles: open handles; changes from 0 only under kipc_registry_lock
 * @id: unique number, never reused while the module is loaded
 * @user: quota account that pays for the object's memory
 * @perm_lock: protects @uid, @gid, @mode
 * @uid: owner
 * @gid: owner group
 * @cuid: creator
 * @cgid: creator group
 * @mode: permission bits
 * @name: NUL-terminated name (constant after create)
 */
struct kipc_object {
	struct kref ref;
	const struct kipc_type_ops *ops;
	struct hlist_node hnode;
	struct list_head all;
	bool linked;
	bool autoremove;
	atomic_t handles;
	u64 id;
	struct kipc_user *user;
	spinlock_t perm_lock;	/* protects uid, gid, mode */
	kuid_t uid;
	kgid_t gid;
	kuid_t cuid;
	kgid_t cgid;
	umode_t mode;
	char name[KIPC_NAME_MAX];
};

/**
 * struct kipc_handle - an open handle: the private data of its file
 * @obj: the object (one reference held by the handle)
 * @file: the file of the handle
 * @access: %KIPC_OPEN_READ and/or %KIPC_OPEN_WRITE
 */
struct kipc_handle {
	struct kipc_object *obj;
	struct file *file;
	u32 access;
};

/* object.c */
int kipc_object_init(void);
void kipc_object_exit(void);
long kipc_ioctl_open(struct file *file, void *arg);
long kipc_ioctl_unlink(struct file *file, void *arg);
long kipc_ioctl_stat(struct file *file, void *arg);
long kipc_ioctl_setperm(struct file *file, void *arg);
struct kipc_handle *kipc_handle_get(struct file *file);
struct file *kipc_handle_fget(int fd, u32 type, struct kipc_handle **hp);
void kipc_object_put(struct kipc_object *obj);
int kipc_charge(struct kipc_user *user, size_t bytes);
void kipc_uncharge(struct kipc_user *user, size_t bytes);
extern const struct file_operations kipc_handle_fops;

/**
 * struct kipc_timeout - a deadline for a blocking call
 * @expires: absolute expiry time on @clock
 * @clock: CLOCK_MONOTONIC or CLOCK_REALTIME
 * @forever: no deadline: sleep until woken or signalled
 * @nonblock: do not sleep at all
 */
struct kipc_timeout {
	ktime_t expires;
	clockid_t clock;
	bool forever;
	bool nonblock;
};

int kipc_timeout_init(struct kipc_timeout *t, struct file *file, u32 flags,
		      s64 timeout_ns);
int kipc_timeout_sleep(struct kipc_timeout *t);
int kipc_timeout_signal(const struct kipc_timeout *t);

/* queue.c */
extern const struct kipc_type_ops kipc_queue_ops;
long kipc_ioctl_send(struct file *file, void *arg);
long kipc_ioctl_recv(struct file *file, void *arg);
long kipc_ioctl_sendv(struct file *file, void *arg);
int kipc_msgv_check(const struct kipc_msgv *v, bool recv);
long kipc_queue_sendv(struct kipc_handle *h, struct kipc_msgv *v, bool nowait,
		      bool *retry);
long kipc_ioctl_recvv(struct file *file, void *arg);
long kipc_ioctl_call(struct file *file, void *arg);
long kipc_ioctl_notify(struct file *file, void *arg);
long kipc_queue_send(struct kipc_handle *h, struct kipc_msg *m);
long kipc_queue_recv(struct kipc_handle *h, struct kipc_msg *m);

/* region.c */
extern const struct kipc_type_ops kipc_region_ops;
long kipc_ioctl_wait(struct file *file, void *arg);
long kipc_ioctl_wake(struct file *file, void *arg);
long kipc_ioctl_lock(struct file *file, void *arg);
long kipc_ioctl_unlock(struct file *file, void *arg);
long kipc_ioctl_consistent(struct file *file, void *arg);
long kipc_ioctl_ring(struct file *file, void *arg);
long kipc_ioctl_doorbell(struct file *file, void *arg);

/* uring.c */
u64 kipc_uring_features(void);
int kipc_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags);

/* main.c */
long kipc_ioctl(struct file *file, unsigned int cmd, unsigned long uarg);
int kipc_copy_arg_in(void *karg, size_t ksize, size_t minsize,
		     const void __user *uarg);
/* struct kipc_msgv as first released, before @results. */
#define KIPC_MSGV_SIZE_VER0	offsetofend(struct kipc_msgv, error)
u64 kipc_features(void);

#endif /* _KIPC_INTERNAL_H */
