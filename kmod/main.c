// SPDX-License-Identifier: GPL-2.0
/*
 * kipc: the /dev/kipc misc device, module parameters, module init/exit and
 * the ioctl table every kipc ioctl goes through.
 *
 * Locking: this file holds no lock of its own. The ioctl table is constant;
 * module parameters are read with READ_ONCE() and may change at any time
 * (a change applies to objects created afterwards).
 *
 * Argument handling: every ioctl takes a size-first structure (see the UAPI
 * header). kipc_ioctl() copies it in with copy_struct_from_user(), calls the
 * handler with a kernel copy, and copies the copy back for ioctls that have
 * output fields, up to the smaller of the caller's and the kernel's size.
 */
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/nospec.h>
#include <linux/uaccess.h>

#include "kipc_internal.h"

unsigned int kipc_max_objects = 4096;
module_param_named(max_objects, kipc_max_objects, uint, 0644);
MODULE_PARM_DESC(max_objects, "Most queues and regions in existence at once (default 4096)");

unsigned int kipc_max_msgs = 65536;
module_param_named(max_msgs, kipc_max_msgs, uint, 0644);
MODULE_PARM_DESC(max_msgs, "Largest depth a queue may be created with (default 65536)");

unsigned int kipc_max_msgsize = 4 << 20;
module_param_named(max_msgsize, kipc_max_msgsize, uint, 0644);
MODULE_PARM_DESC(max_msgsize, "Largest message size a queue may be created with, bytes (default 4 MiB)");

unsigned int kipc_default_max_msgs = 64;
module_param_named(default_max_msgs, kipc_default_max_msgs, uint, 0644);
MODULE_PARM_DESC(default_max_msgs, "Depth of a queue created with max_msgs 0 (default 64)");

unsigned int kipc_default_max_msgsize = 8192;
module_param_named(default_max_msgsize, kipc_default_max_msgsize, uint, 0644);
MODULE_PARM_DESC(default_max_msgsize, "Message size limit of a queue created with max_msgsize 0 (default 8192)");

unsigned long kipc_max_region_size = 1UL << 30;
module_param_named(max_region_size, kipc_max_region_size, ulong, 0644);
MODULE_PARM_DESC(max_region_size, "Largest region size, bytes (default 1 GiB)");

unsigned long kipc_user_quota_bytes = 256UL << 20;
module_param_named(user_quota_bytes, kipc_user_quota_bytes, ulong, 0644);
MODULE_PARM_DESC(user_quota_bytes, "Kernel memory one user's queued messages and region pages may use, bytes (default 256 MiB)");

/* Handle type of the control device in the ioctl table. */
#define KIPC_CTL	0
/* Any kind of handle (not the control device). */
#define KIPC_ANY	0xff

/**
 * struct kipc_ioctl_desc - one entry of the ioctl table, indexed by _IOC_NR
 * @type: file it is valid on: %KIPC_CTL, a KIPC_TYPE_* or %KIPC_ANY
 * @ksize: size of the argument structure, 0 for no argument
 * @minsize: the structure's first ABI version's size (smaller is EINVAL)
 * @out: the structure has output fields: copy it back
 * @fn: the handler, called with the kernel copy of the argument
 */
struct kipc_ioctl_desc {
	u8 type;
	bool out;
	u16 ksize;
	u16 minsize;
	long (*fn)(struct file *file, void *arg);
};

/* Every kipc ioctl number is _IO(KIPC_IOC_MAGIC, nr): the size is in the
 * argument, so only the number matters.
 */
#define KIPC_IOCTL_V0(_cmd, _type, _struct, _minsize, _out, _fn)	\
	[_IOC_NR(_cmd)] = {						\
		.type = _type, .out = _out,				\
		.ksize = sizeof(_struct), .minsize = _minsize,		\
		.fn = _fn,						\
	}

/* A structure that has not grown since the first ABI version. */
#define KIPC_IOCTL(_cmd, _type, _struct, _out, _fn)			\
	KIPC_IOCTL_V0(_cmd, _type, _struct, sizeof(_struct), _out, _fn)

#define KIPC_IOCTL_NOARG(_cmd, _type, _fn)				\
	[_IOC_NR(_cmd)] = { .type = _type, .fn = _fn }

static long kipc_ioctl_get_version(struct file *file, void *arg)
{
	struct kipc_version *v = arg;

	v->abi_version = KIPC_ABI_VERSION;
	v->features = kipc_features();
	return 0;
}

static const struct kipc_ioctl_desc kipc_ioctls[] = {
	KIPC_IOCTL(KIPC_IOC_GET_VERSION, KIPC_CTL, struct kipc_version, true,
		   kipc_ioctl_get_version),
	KIPC_IOCTL(KIPC_IOC_OPEN, KIPC_CTL, struct kipc_open, false,
		   kipc_ioctl_open),
	KIPC_IOCTL(KIPC_IOC_UNLINK, KIPC_CTL, struct kipc_unlink, false,
		   kipc_ioctl_unlink),
	KIPC_IOCTL(KIPC_IOC_STAT, KIPC_ANY, struct kipc_stat, true,
		   kipc_ioctl_stat),
	KIPC_IOCTL(KIPC_IOC_SETPERM, KIPC_ANY, struct kipc_perm, false,
		   kipc_ioctl_setperm),
	KIPC_IOCTL(KIPC_IOC_SEND, KIPC_TYPE_QUEUE, struct kipc_msg, false,
		   kipc_ioctl_send),
	KIPC_IOCTL(KIPC_IOC_RECV, KIPC_TYPE_QUEUE, struct kipc_msg, true,
		   kipc_ioctl_recv),
	KIPC_IOCTL_V0(KIPC_IOC_SENDV, KIPC_TYPE_QUEUE, struct kipc_msgv,
		      KIPC_MSGV_SIZE_VER0, true, kipc_ioctl_sendv),
	KIPC_IOCTL_V0(KIPC_IOC_RECVV, KIPC_TYPE_QUEUE, struct kipc_msgv,
		      KIPC_MSGV_SIZE_VER0, true, kipc_ioctl_recvv),
	KIPC_IOCTL(KIPC_IOC_CALL, KIPC_TYPE_QUEUE, struct kipc_call, true,
		   kipc_ioctl_call),
	KIPC_IOCTL(KIPC_IOC_NOTIFY, KIPC_TYPE_QUEUE, struct kipc_notify, false,
		   kipc_ioctl_notify),
	KIPC_IOCTL(KIPC_IOC_WAIT, KIPC_TYPE_REGION, struct kipc_wait, false,
		   kipc_ioctl_wait),
	KIPC_IOCTL(KIPC_IOC_WAKE, KIPC_TYPE_REGION, struct kipc_wake, false,
		   kipc_ioctl_wake),
	KIPC_IOCTL(KIPC_IOC_LOCK, KIPC_TYPE_REGION, struct kipc_lock, true,
		   kipc_ioctl_lock),
	KIPC_IOCTL(KIPC_IOC_UNLOCK, KIPC_TYPE_REGION, struct kipc_lock, false,
		   kipc_ioctl_unlock),
	KIPC_IOCTL_NOARG(KIPC_IOC_CONSISTENT, KIPC_TYPE_REGION,
			 kipc_ioctl_consistent),
	KIPC_IOCTL_NOARG(KIPC_IOC_RING, KIPC_TYPE_REGION, kipc_ioctl_ring),
	KIPC_IOCTL(KIPC_IOC_DOORBELL, KIPC_TYPE_REGION, struct kipc_doorbell,
		   true, kipc_ioctl_doorbell),
};

/* Large enough for every argument structure in the table. */
union kipc_ioctl_arg {
	struct kipc_version version;
	struct kipc_open open;
	struct kipc_unlink unlink;
	struct kipc_stat stat;
	struct kipc_perm perm;
	struct kipc_msg msg;
	struct kipc_msgv msgv;
	struct kipc_call call;
	struct kipc_notify notify;
	struct kipc_wait wait;
	struct kipc_wake wake;
	struct kipc_lock lock;
	struct kipc_doorbell doorbell;
};

/**
 * kipc_copy_arg_in() - copy a size-first argument structure from user space
 * @karg: kernel buffer of @ksize bytes
 * @ksize: the kernel's size of the structure
 * @minsize: its smallest valid size, that of its first ABI version: the
 *	fields of a shorter (older) structure are zero in @karg
 * @uarg: the user's structure, whose first __u32 is its size
 *
 * Return: the user's size (> 0), or -EFAULT, -EINVAL (size too small) or
 * -E2BIG (bytes beyond @ksize are not zero, or a size above PAGE_SIZE, which
 * no kipc structure will ever reach).
 */
int kipc_copy_arg_in(void *karg, size_t ksize, size_t minsize,
		     const void __user *uarg)
{
	u32 usize;
	int ret;

	if (get_user(usize, (const u32 __user *)uarg))
		return -EFAULT;
	if (usize < minsize)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	ret = copy_struct_from_user(karg, ksize, uarg, usize);
	if (ret)
		return ret;
	return usize;
}

static u32 kipc_file_type(struct file *file)
{
	if (file->f_op != &kipc_handle_fops)
		return KIPC_CTL;
	return kipc_handle_get(file)->obj->ops->type;
}

/**
 * kipc_ioctl() - entry point of every ioctl on /dev/kipc and on handles
 * @file: the control device or a handle
 * @cmd: ioctl number
 * @uarg: user pointer to the argument structure
 *
 * Return: the handler's result; -ENOTTY for an unknown number or one not
 * valid on this kind of file; the errors of kipc_copy_arg_in().
 */
long kipc_ioctl(struct file *file, unsigned int cmd, unsigned long uarg)
{
	const struct kipc_ioctl_desc *desc;
	void __user *up = (void __user *)uarg;
	/* Filled up to desc->ksize before use: spare the stack zeroing. */
	union kipc_ioctl_arg karg __uninitialized;
	unsigned int nr = _IOC_NR(cmd);
	u32 type;
	long ret;
	int usize;

	if (cmd != _IO(KIPC_IOC_MAGIC, nr) || nr >= ARRAY_SIZE(kipc_ioctls))
		return -ENOTTY;
	nr = array_index_nospec(nr, ARRAY_SIZE(kipc_ioctls));
	desc = &kipc_ioctls[nr];
	if (!desc->fn)
		return -ENOTTY;
	type = kipc_file_type(file);
	if (desc->type == KIPC_ANY ? type == KIPC_CTL : desc->type != type)
		return -ENOTTY;
	if (!desc->ksize)
		return desc->fn(file, NULL);

	/*
	 * The hot path (SEND, RECV): the caller's struct kipc_msg has the
	 * kernel's size. Copying it with a constant size spares a get_user()
	 * and the hardened-usercopy object check; anything else (a fault, a
	 * different size) takes the general path, which has the last word.
	 */
	if (desc->ksize == sizeof(karg.msg) &&
	    !copy_from_user(&karg.msg, up, sizeof(karg.msg)) &&
	    karg.msg.size == sizeof(karg.msg))
		usize = sizeof(karg.msg);
	else
		usize = kipc_copy_arg_in(&karg, desc->ksize, desc->minsize, up);
	if (usize < 0)
		return usize;
	ret = desc->fn(file, &karg);
	/* A restarted call must find the caller's structure as it was. */
	if (!desc->out || ret == -ERESTARTSYS)
		return ret;
	if (desc->ksize == sizeof(karg.msg) && usize == sizeof(karg.msg)) {
		if (copy_to_user(up, &karg.msg, sizeof(karg.msg)))
			return -EFAULT;
	} else if (copy_to_user(up, &karg, min_t(size_t, usize, desc->ksize))) {
		return -EFAULT;
	}
	return ret;
}

static int kipc_ctl_open(struct inode *inode, struct file *file)
{
	/* misc_open() left the miscdevice in private_data: keep it as a tag. */
	return nonseekable_open(inode, file);
}

static const struct file_operations kipc_ctl_fops = {
	.owner		= THIS_MODULE,
	.open		= kipc_ctl_open,
	.unlocked_ioctl	= kipc_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice kipc_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "kipc",
	.fops	= &kipc_ctl_fops,
	.mode	= 0666,
};

/**
 * kipc_features() - the KIPC_FEAT_* bits this module implements
 *
 * Return: the feature mask reported by %KIPC_IOC_GET_VERSION.
 */
u64 kipc_features(void)
{
	return KIPC_FEAT_QUEUE | KIPC_FEAT_QUEUE_VEC | KIPC_FEAT_QUEUE_VEC_RESULTS |
	       KIPC_FEAT_QUEUE_CALL |
	       KIPC_FEAT_QUEUE_NOTIFY | KIPC_FEAT_REGION |
	       KIPC_FEAT_REGION_WAIT | KIPC_FEAT_REGION_LOCK |
	       KIPC_FEAT_DOORBELL | kipc_uring_features();
}

static int __init kipc_init(void)
{
	int ret;

	ret = kipc_object_init();
	if (ret)
		return ret;
	ret = misc_register(&kipc_misc);
	if (ret)
		goto err_object;
	return 0;

err_object:
	kipc_object_exit();
	return ret;
}

static void __exit kipc_exit(void)
{
	misc_deregister(&kipc_misc);
	kipc_object_exit();
}

module_init(kipc_init);
module_exit(kipc_exit);

MODULE_AUTHOR("kipc developers");
MODULE_DESCRIPTION("kipc: message queues and shared-memory regions with kernel-side synchronization");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
