// SPDX-License-Identifier: GPL-2.0
/*
 * kipc object layer: what queues and regions have in common.
 *
 * Names and registry, object lifetime, handles (the files user space holds),
 * permissions and ownership, the per-user memory quota, timeouts of blocking
 * calls, and the /proc/kipc listing.
 *
 * Lifetime: an object is reference counted (kipc_object.ref). The name holds
 * one reference while it is in the registry, every handle holds one; a
 * mapping of a region holds its handle's file and so the handle. Unlink drops
 * the name's reference; the last put frees the object through its type's
 * destroy(). A handle is freed when its file is released.
 *
 * Locking:
 *  - kipc_registry_lock (mutex) protects kipc_names, kipc_all,
 *    kipc_nr_objects, kipc_object.linked and the 0 -> 1 transition of
 *    kipc_object.handles (so AUTOREMOVE cannot race with an open by name).
 *    It is the outermost kipc lock; type code is called under it only in
 *    open() and stat() (create() runs without it: a region's pages may
 *    take a while, and nobody else should wait for them).
 *  - kipc_object.perm_lock (spinlock) protects uid, gid and mode.
 *  - kipc_users_lock (spinlock) protects kipc_users; kipc_user.bytes is
 *    atomic.
 */
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/hashtable.h>
#include <linux/hrtimer.h>
#include <linux/proc_fs.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/stringhash.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>

#include "kipc_internal.h"

static DEFINE_MUTEX(kipc_registry_lock);
static DEFINE_HASHTABLE(kipc_names, 8);
static LIST_HEAD(kipc_all);
static unsigned int kipc_nr_objects;
static atomic64_t kipc_next_id = ATOMIC64_INIT(0);

/**
 * struct kipc_user - quota account of one user
 * @hnode: entry in kipc_users (kipc_users_lock)
 * @ref: objects charging this account
 * @uid: the user
 * @bytes: kernel memory charged
 */
struct kipc_user {
	struct hlist_node hnode;
	refcount_t ref;
	kuid_t uid;
	atomic_long_t bytes;
};

static DEFINE_SPINLOCK(kipc_users_lock);
static DEFINE_HASHTABLE(kipc_users, 6);

static struct kipc_user *kipc_user_get(kuid_t uid)
{
	struct kipc_user *u, *new;
	u32 key = __kuid_val(uid);

	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new)
		return NULL;
	spin_lock(&kipc_users_lock);
	hash_for_each_possible(kipc_users, u, hnode, key) {
		if (uid_eq(u->uid, uid)) {
			refcount_inc(&u->ref);
			spin_unlock(&kipc_users_lock);
			kfree(new);
			return u;
		}
	}
	new->uid = uid;
	refcount_set(&new->ref, 1);
	hash_add(kipc_users, &new->hnode, key);
	spin_unlock(&kipc_users_lock);
	return new;
}

static void kipc_user_put(struct kipc_user *u)
{
	if (!u)
		return;
	spin_lock(&kipc_users_lock);
	if (!refcount_dec_and_test(&u->ref)) {
		spin_unlock(&kipc_users_lock);
		return;
	}
	hash_del(&u->hnode);
	spin_unlock(&kipc_users_lock);
	WARN_ON_ONCE(atomic_long_read(&u->bytes));
	kfree(u);
}

/**
 * kipc_charge() - charge kernel memory to a user's quota
 * @user: the account
 * @bytes: how much
 *
 * Return: 0, or -EDQUOT when the user_quota_bytes module parameter (0: no
 * limit) would be exceeded; nothing is charged then.
 */
int kipc_charge(struct kipc_user *user, size_t bytes)
{
	unsigned long limit = READ_ONCE(kipc_user_quota_bytes);
	long now;

	now = atomic_long_add_return(bytes, &user->bytes);
	if (limit && (unsigned long)now > limit) {
		atomic_long_sub(bytes, &user->bytes);
		return -EDQUOT;
	}
	return 0;
}

/**
 * kipc_uncharge() - give back what kipc_charge() took
 * @user: the account
 * @bytes: how much
 */
void kipc_uncharge(struct kipc_user *user, size_t bytes)
{
	atomic_long_sub(bytes, &user->bytes);
}

static const struct kipc_type_ops *kipc_type_ops(u32 type)
{
	switch (type) {
	case KIPC_TYPE_QUEUE:
		return &kipc_queue_ops;
	case KIPC_TYPE_REGION:
		return &kipc_region_ops;
	}
	return NULL;
}

/*
 * Copy and check a name: 1 to KIPC_NAME_MAX - 1 bytes of [A-Za-z0-9._-],
 * not starting with a dot.
 */
static int kipc_name_copy(char *name, u64 uname)
{
	long len;
	int i;

	len = strncpy_from_user(name, u64_to_user_ptr(uname), KIPC_NAME_MAX);
	if (len < 0)
		return len;
	if (len == KIPC_NAME_MAX)
		return -ENAMETOOLONG;
	if (!len || name[0] == '.')
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (!isascii(name[i]) ||
		    (!isalnum(name[i]) && !strchr("._-", name[i])))
			return -EINVAL;
	}
	return 0;
}

static u32 kipc_name_hash(u32 type, const char *name)
{
	return full_name_hash(NULL, name, strlen(name)) ^ type;
}

static struct kipc_object *kipc_lookup(u32 type, const char *name)
{
	struct kipc_object *obj;

	lockdep_assert_held(&kipc_registry_lock);
	hash_for_each_possible(kipc_names, obj, hnode, kipc_name_hash(type, name)) {
		if (obj->ops->type == type && !strcmp(obj->name, name))
			return obj;
	}
	return NULL;
}

/**
 * kipc_object_put() - drop a reference to an object
 * @obj: the object; freed with its last reference
 *
 * Context: process context; must not hold kipc_registry_lock.
 */
void kipc_object_put(struct kipc_object *obj)
{
	struct kipc_user *user = obj->user;

	if (refcount_dec_not_one(&obj->ref.refcount))
		return;
	mutex_lock(&kipc_registry_lock);
	if (!refcount_dec_and_test(&obj->ref.refcount)) {
		mutex_unlock(&kipc_registry_lock);
		return;
	}
	list_del(&obj->all);
	kipc_nr_objects--;
	mutex_unlock(&kipc_registry_lock);
	obj->ops->destroy(obj);
	kipc_user_put(user);
}

/* Remove the name; the caller drops the name's reference after unlocking. */
static void kipc_unlink_locked(struct kipc_object *obj)
{
	lockdep_assert_held(&kipc_registry_lock);
	hash_del(&obj->hnode);
	WRITE_ONCE(obj->linked, false);
}

/* May the caller (fsuid, groups) have @access (KIPC_OPEN_*) to @obj? */
static int kipc_permission(struct kipc_object *obj, u32 access)
{
	umode_t want = 0, granted;

	if (access & KIPC_OPEN_READ)
		want |= 4;
	if (access & KIPC_OPEN_WRITE)
		want |= 2;
	spin_lock(&obj->perm_lock);
	if (uid_eq(current_fsuid(), obj->uid))
		granted = obj->mode >> 6;
	else if (in_group_p(obj->gid))
		granted = obj->mode >> 3;
	else
		granted = obj->mode;
	spin_unlock(&obj->perm_lock);
	if ((granted & want) == want || capable(CAP_IPC_OWNER))
		return 0;
	return -EACCES;
}

/*
 * Is the caller the object's owner or creator, or privileged? The fsuid is
 * the caller's identity for kipc objects, as for files: it is what owns a
 * new object and what open checks.
 */
static bool kipc_is_owner(struct kipc_object *obj)
{
	kuid_t fsuid = current_fsuid();
	bool owner;

	spin_lock(&obj->perm_lock);
	owner = uid_eq(fsuid, obj->uid) || uid_eq(fsuid, obj->cuid);
	spin_unlock(&obj->perm_lock);
	return owner || capable(CAP_IPC_OWNER);
}

/*
 * Look up the object @a names and check the caller may open it as asked.
 * Returns it with a reference taken, or ERR_PTR(-ENOENT, -EEXIST, -EACCES).
 */
static struct kipc_object *kipc_find_locked(const struct kipc_type_ops *ops,
					    const struct kipc_open *a,
					    const char *name)
{
	struct kipc_object *obj;
	int ret;

	lockdep_assert_held(&kipc_registry_lock);
	obj = kipc_lookup(ops->type, name);
	if (!obj)
		return ERR_PTR(-ENOENT);
	if ((a->flags & KIPC_OPEN_CREAT) && (a->flags & KIPC_OPEN_EXCL))
		return ERR_PTR(-EEXIST);
	ret = kipc_permission(obj, a->flags & (KIPC_OPEN_READ | KIPC_OPEN_WRITE));
	if (ret)
		return ERR_PTR(ret);
	kref_get(&obj->ref);
	return obj;
}

/*
 * Make a new object for @a, owned by the caller, not yet in the registry.
 * Runs without kipc_registry_lock: a region's pages may take a while.
 */
static struct kipc_object *kipc_object_new(const struct kipc_type_ops *ops,
					   const struct kipc_open *a,
					   const char *name,
					   struct kipc_user *user)
{
	struct kipc_object *obj;

	obj = ops->create(a, user);
	if (IS_ERR(obj))
		return obj;
	kref_init(&obj->ref);		/* the name's reference */
	obj->ops = ops;
	obj->user = user;
	spin_lock_init(&obj->perm_lock);
	obj->uid = current_fsuid();
	obj->cuid = obj->uid;
	obj->gid = current_fsgid();
	obj->cgid = obj->gid;
	obj->mode = a->mode;
	obj->autoremove = a->flags & KIPC_OPEN_AUTOREMOVE;
	strscpy(obj->name, name, sizeof(obj->name));
	return obj;
}

/* Free an object kipc_object_new() made that never entered the registry. */
static void kipc_object_discard(struct kipc_object *obj)
{
	struct kipc_user *user = obj->user;

	obj->ops->destroy(obj);
	kipc_user_put(user);
}

/* Enter a new object into the registry; takes a reference for the caller. */
static struct kipc_object *kipc_insert_locked(struct kipc_object *obj)
{
	lockdep_assert_held(&kipc_registry_lock);
	if (kipc_nr_objects >= READ_ONCE(kipc_max_objects))
		return ERR_PTR(-ENOSPC);
	obj->id = atomic64_inc_return(&kipc_next_id);
	hash_add(kipc_names, &obj->hnode, kipc_name_hash(obj->ops->type, obj->name));
	list_add_tail(&obj->all, &kipc_all);
	WRITE_ONCE(obj->linked, true);
	kipc_nr_objects++;
	kref_get(&obj->ref);		/* the handle's */
	return obj;
}

/**
 * kipc_ioctl_open() - %KIPC_IOC_OPEN: open or create a queue or region
 * @file: the control device
 * @arg: struct kipc_open
 *
 * Return: a new file descriptor, or a negative errno (see the UAPI header).
 */
long kipc_ioctl_open(struct file *file, void *arg)
{
	const struct kipc_open *a = arg;
	const struct kipc_type_ops *ops;
	struct kipc_user *user = NULL;
	struct kipc_object *obj, *fresh = NULL;
	struct kipc_handle *h;
	char name[KIPC_NAME_MAX];
	bool created = false;
	struct file *hfile;
	int fd, ret, fflags;

	if (a->flags & ~KIPC_OPEN_ALL || a->__reserved || a->__reserved2)
		return -EINVAL;
	if (!(a->flags & (KIPC_OPEN_READ | KIPC_OPEN_WRITE)))
		return -EINVAL;
	if ((a->flags & (KIPC_OPEN_EXCL | KIPC_OPEN_AUTOREMOVE)) &&
	    !(a->flags & KIPC_OPEN_CREAT))
		return -EINVAL;
	if (a->mode & ~0777)
		return -EINVAL;
	ops = kipc_type_ops(a->type);
	if (!ops)
		return -EINVAL;
	ret = kipc_name_copy(name, a->name);
	if (ret)
		return ret;

	h = kzalloc(ops->handle_size, GFP_KERNEL_ACCOUNT);
	if (!h)
		return -ENOMEM;
	h->access = a->flags & (KIPC_OPEN_READ | KIPC_OPEN_WRITE);
	if (a->flags & KIPC_OPEN_CREAT) {
		user = kipc_user_get(current_fsuid());
		if (!user) {
			ret = -ENOMEM;
			goto err_free_handle;
		}
	}
	fd = get_unused_fd_flags(a->flags & KIPC_OPEN_NOCLOEXEC ? 0 : O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_put_user;
	}

	mutex_lock(&kipc_registry_lock);
	obj = kipc_find_locked(ops, a, name);
	if (obj == ERR_PTR(-ENOENT) && (a->flags & KIPC_OPEN_CREAT)) {
		if (kipc_nr_objects >= READ_ONCE(kipc_max_objects)) {
			obj = ERR_PTR(-ENOSPC);
			goto err_unlock;
		}
		mutex_unlock(&kipc_registry_lock);
		fresh = kipc_object_new(ops, a, name, user);
		if (IS_ERR(fresh)) {
			ret = PTR_ERR(fresh);
			goto err_put_fd;
		}
		user = NULL;	/* now the object's */
		mutex_lock(&kipc_registry_lock);
		/* Someone may have made it meanwhile: then open theirs. */
		obj = kipc_find_locked(ops, a, name);
		if (obj == ERR_PTR(-ENOENT)) {
			obj = kipc_insert_locked(fresh);
			if (!IS_ERR(obj)) {
				fresh = NULL;
				created = true;
			}
		}
	}
	if (IS_ERR(obj))
		goto err_unlock;
	h->obj = obj;
	fflags = (h->access & KIPC_OPEN_WRITE) ? O_RDWR : O_RDONLY;
	if (a->flags & KIPC_OPEN_NONBLOCK)
		fflags |= O_NONBLOCK;
	hfile = anon_inode_getfile(ops->name, &kipc_handle_fops, h, fflags);
	if (IS_ERR(hfile)) {
		if (created)
			kipc_unlink_locked(obj);
		mutex_unlock(&kipc_registry_lock);
		if (created)
			kipc_object_put(obj);
		kipc_object_put(obj);
		ret = PTR_ERR(hfile);
		goto err_put_fd;
	}
	h->file = hfile;
	if (ops->open)
		ops->open(h);
	atomic_inc(&obj->handles);
	mutex_unlock(&kipc_registry_lock);
	fd_install(fd, hfile);
	if (fresh)
		kipc_object_discard(fresh);
	/* Taken for a creation that found the object already there. */
	kipc_user_put(user);
	return fd;

err_unlock:
	mutex_unlock(&kipc_registry_lock);
	ret = PTR_ERR(obj);
err_put_fd:
	if (!IS_ERR_OR_NULL(fresh))
		kipc_object_discard(fresh);
	put_unused_fd(fd);
err_put_user:
	kipc_user_put(user);
err_free_handle:
	kfree(h);
	return ret;
}

/**
 * kipc_ioctl_unlink() - %KIPC_IOC_UNLINK: remove an object's name
 * @file: the control device
 * @arg: struct kipc_unlink
 *
 * Return: 0 or a negative errno (see the UAPI header).
 */
long kipc_ioctl_unlink(struct file *file, void *arg)
{
	const struct kipc_unlink *a = arg;
	struct kipc_object *obj;
	char name[KIPC_NAME_MAX];
	int ret;

	if (!kipc_type_ops(a->type))
		return -EINVAL;
	ret = kipc_name_copy(name, a->name);
	if (ret)
		return ret;
	mutex_lock(&kipc_registry_lock);
	obj = kipc_lookup(a->type, name);
	if (!obj) {
		mutex_unlock(&kipc_registry_lock);
		return -ENOENT;
	}
	if (!kipc_is_owner(obj)) {
		mutex_unlock(&kipc_registry_lock);
		return -EPERM;
	}
	kipc_unlink_locked(obj);
	mutex_unlock(&kipc_registry_lock);
	kipc_object_put(obj);
	return 0;
}

/**
 * kipc_handle_get() - the handle behind a handle file
 * @file: a file whose f_op is kipc_handle_fops
 *
 * Return: the handle.
 */
struct kipc_handle *kipc_handle_get(struct file *file)
{
	return file->private_data;
}

/**
 * kipc_handle_fget() - take a reference to another handle by descriptor
 * @fd: the descriptor
 * @type: the kind of object it must be a handle of
 * @hp: out: its handle
 *
 * Return: the file (fput() it when done), or ERR_PTR(-EBADF).
 */
struct file *kipc_handle_fget(int fd, u32 type, struct kipc_handle **hp)
{
	struct file *file = fget(fd);

	if (!file)
		return ERR_PTR(-EBADF);
	if (file->f_op != &kipc_handle_fops ||
	    kipc_handle_get(file)->obj->ops->type != type) {
		fput(file);
		return ERR_PTR(-EBADF);
	}
	*hp = kipc_handle_get(file);
	return file;
}

static void kipc_stat_fill(struct kipc_object *obj, struct kipc_stat *st,
			   struct user_namespace *ns)
{
	u32 size = st->size;

	memset(st, 0, sizeof(*st));
	st->size = size;
	st->type = obj->ops->type;
	strscpy(st->name, obj->name, sizeof(st->name));
	st->id = obj->id;
	spin_lock(&obj->perm_lock);
	st->uid = from_kuid_munged(ns, obj->uid);
	st->gid = from_kgid_munged(ns, obj->gid);
	st->mode = obj->mode;
	spin_unlock(&obj->perm_lock);
	if (!READ_ONCE(obj->linked))
		st->flags |= KIPC_STAT_UNLINKED;
	if (obj->autoremove)
		st->flags |= KIPC_STAT_AUTOREMOVE;
	st->handles = atomic_read(&obj->handles);
	obj->ops->stat(obj, st);
}

/**
 * kipc_ioctl_stat() - %KIPC_IOC_STAT on any handle
 * @file: the handle
 * @arg: struct kipc_stat
 *
 * Return: 0.
 */
long kipc_ioctl_stat(struct file *file, void *arg)
{
	kipc_stat_fill(kipc_handle_get(file)->obj, arg, current_user_ns());
	return 0;
}

/**
 * kipc_ioctl_setperm() - %KIPC_IOC_SETPERM: change mode and owner
 * @file: a handle of the object
 * @arg: struct kipc_perm
 *
 * Return: 0, -EINVAL or -EPERM (see the UAPI header).
 */
long kipc_ioctl_setperm(struct file *file, void *arg)
{
	struct kipc_object *obj = kipc_handle_get(file)->obj;
	const struct kipc_perm *p = arg;
	const u32 all = KIPC_PERM_MODE | KIPC_PERM_OWNER;
	kuid_t uid = INVALID_UID;
	kgid_t gid = INVALID_GID;

	if (!p->flags || p->flags & ~all || p->__reserved)
		return -EINVAL;
	if ((p->flags & KIPC_PERM_MODE) && (p->mode & ~0777))
		return -EINVAL;
	if (p->flags & KIPC_PERM_OWNER) {
		uid = make_kuid(current_user_ns(), p->uid);
		gid = make_kgid(current_user_ns(), p->gid);
		if (!uid_valid(uid) || !gid_valid(gid))
			return -EINVAL;
	}
	if (!kipc_is_owner(obj))
		return -EPERM;
	spin_lock(&obj->perm_lock);
	if (p->flags & KIPC_PERM_MODE)
		obj->mode = p->mode;
	if (p->flags & KIPC_PERM_OWNER) {
		obj->uid = uid;
		obj->gid = gid;
	}
	spin_unlock(&obj->perm_lock);
	return 0;
}

static int kipc_handle_release(struct inode *inode, struct file *file)
{
	struct kipc_handle *h = kipc_handle_get(file);
	struct kipc_object *obj = h->obj;
	bool unlinked = false;

	obj->ops->release(h);
	if (atomic_dec_and_mutex_lock(&obj->handles, &kipc_registry_lock)) {
		if (obj->autoremove && obj->linked) {
			kipc_unlink_locked(obj);
			unlinked = true;
		}
		mutex_unlock(&kipc_registry_lock);
	}
	if (unlinked)
		kipc_object_put(obj);
	kfree(h);
	kipc_object_put(obj);
	return 0;
}

static __poll_t kipc_handle_poll(struct file *file, struct poll_table_struct *pt)
{
	struct kipc_handle *h = kipc_handle_get(file);

	return h->obj->ops->poll(h, pt);
}

static int kipc_handle_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kipc_handle *h = kipc_handle_get(file);

	if (!h->obj->ops->mmap)
		return -ENODEV;
	return h->obj->ops->mmap(h, vma);
}

static void kipc_stat_show(struct seq_file *m, const struct kipc_stat *st,
			   const char *prefix)
{
	seq_printf(m, "%s%s\t%s\t%llu\t%u\t%u\t%04o\t%u\t%u\t%llu\t%u\t%u\t%u\t%u\t%llu\t%llu\t%u\t%llu\t%u\n",
		   prefix, st->type == KIPC_TYPE_QUEUE ? "queue" : "region",
		   st->name[0] ? (const char *)st->name : "-", st->id,
		   st->uid, st->gid, st->mode, st->flags, st->handles,
		   st->bytes, st->waiters, st->max_msgs, st->max_msgsize,
		   st->msgs, st->total_sent, st->total_received, st->mappings,
		   st->doorbell, st->lock_holders);
}

#define KIPC_LIST_HEADER "type\tname\tid\tuid\tgid\tmode\tflags\thandles\tbytes\twaiters\tmax_msgs\tmax_msgsize\tmsgs\tsent\treceived\tmappings\tdoorbell\tlock_holders\n"

static void kipc_handle_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct kipc_handle *h = kipc_handle_get(file);
	struct kipc_stat st = { .size = sizeof(st) };

	kipc_stat_fill(h->obj, &st, seq_user_ns(m));
	seq_printf(m, "kipc-access:\t%s%s\n",
		   h->access & KIPC_OPEN_READ ? "r" : "",
		   h->access & KIPC_OPEN_WRITE ? "w" : "");
	seq_puts(m, "kipc-columns:\t" KIPC_LIST_HEADER);
	kipc_stat_show(m, &st, "kipc-object:\t");
}

const struct file_operations kipc_handle_fops = {
	.owner		= THIS_MODULE,
	.release	= kipc_handle_release,
	.poll		= kipc_handle_poll,
	.mmap		= kipc_handle_mmap,
	.uring_cmd	= kipc_uring_cmd,
	.unlocked_ioctl	= kipc_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.show_fdinfo	= kipc_handle_show_fdinfo,
};

/* /proc/kipc: one line per object, tab-separated, after a header line. */
static int kipc_proc_show(struct seq_file *m, void *v)
{
	struct kipc_stat st = { .size = sizeof(st) };
	struct kipc_object *obj;

	seq_puts(m, KIPC_LIST_HEADER);
	mutex_lock(&kipc_registry_lock);
	list_for_each_entry(obj, &kipc_all, all) {
		kipc_stat_fill(obj, &st, seq_user_ns(m));
		kipc_stat_show(m, &st, "");
	}
	mutex_unlock(&kipc_registry_lock);
	return 0;
}

/**
 * kipc_timeout_init() - turn a blocking call's flags into a deadline
 * @t: the deadline to fill
 * @file: the handle's file (``O_NONBLOCK`` makes every call non-blocking)
 * @flags: the call's flags; only the KIPC_F_* bits are looked at
 * @timeout_ns: the call's timeout
 *
 * Return: 0, or -EINVAL for an inconsistent combination (%KIPC_F_ABSTIME
 * without %KIPC_F_TIMEOUT, %KIPC_F_REALTIME without %KIPC_F_ABSTIME,
 * %KIPC_F_NONBLOCK with %KIPC_F_TIMEOUT) or a negative timeout.
 */
int kipc_timeout_init(struct kipc_timeout *t, struct file *file, u32 flags,
		      s64 timeout_ns)
{
	if ((flags & KIPC_F_ABSTIME) && !(flags & KIPC_F_TIMEOUT))
		return -EINVAL;
	if ((flags & KIPC_F_REALTIME) && !(flags & KIPC_F_ABSTIME))
		return -EINVAL;
	if ((flags & KIPC_F_NONBLOCK) && (flags & KIPC_F_TIMEOUT))
		return -EINVAL;
	t->nonblock = (flags & KIPC_F_NONBLOCK) || (file->f_flags & O_NONBLOCK);
	t->forever = !(flags & KIPC_F_TIMEOUT);
	t->clock = CLOCK_MONOTONIC;
	if (t->forever)
		return 0;
	if (timeout_ns < 0)
		return -EINVAL;
	if (flags & KIPC_F_ABSTIME) {
		t->expires = ns_to_ktime(timeout_ns);
		if (flags & KIPC_F_REALTIME)
			t->clock = CLOCK_REALTIME;
	} else {
		t->expires = ktime_add_safe(ktime_get(), ns_to_ktime(timeout_ns));
	}
	return 0;
}

/**
 * kipc_timeout_sleep() - sleep until woken, signalled or the deadline
 * @t: the deadline
 *
 * Context: the caller has queued itself on a wait queue and set the task
 * state (prepare_to_wait() and friends), and holds no spinlock.
 *
 * Return: 0 when woken (or signalled), -ETIMEDOUT when the deadline passed.
 */
int kipc_timeout_sleep(struct kipc_timeout *t)
{
	if (t->forever) {
		schedule();
		return 0;
	}
	if (!schedule_hrtimeout_range_clock(&t->expires, current->timer_slack_ns,
					    HRTIMER_MODE_ABS, t->clock))
		return -ETIMEDOUT;
	return 0;
}

/**
 * kipc_timeout_signal() - the errno for a wait cut short by a signal
 * @t: the call's deadline
 *
 * Return: -ERESTARTSYS for a call without a timeout (restarted when the
 * handler has SA_RESTART), -EINTR for a timed one (its deadline has been
 * partly spent, and an absolute one may be gone).
 */
int kipc_timeout_signal(const struct kipc_timeout *t)
{
	return t->forever ? -ERESTARTSYS : -EINTR;
}

/**
 * kipc_object_init() - set up the object layer at module load
 *
 * Return: 0 or -ENOMEM.
 */
int kipc_object_init(void)
{
	if (!proc_create_single("kipc", 0444, NULL, kipc_proc_show))
		return -ENOMEM;
	return 0;
}

/**
 * kipc_object_exit() - tear down at module unload
 *
 * No handle can be open (each pins the module), so only named objects
 * without handles remain: drop their names, which frees them.
 */
void kipc_object_exit(void)
{
	struct kipc_object *obj;
	struct hlist_node *tmp;
	int bkt;

	remove_proc_entry("kipc", NULL);
	mutex_lock(&kipc_registry_lock);
	hash_for_each_safe(kipc_names, bkt, tmp, obj, hnode) {
		kipc_unlink_locked(obj);
		mutex_unlock(&kipc_registry_lock);
		kipc_object_put(obj);
		mutex_lock(&kipc_registry_lock);
	}
	mutex_unlock(&kipc_registry_lock);
	WARN_ON(!list_empty(&kipc_all));
}
