// SPDX-License-Identifier: GPL-2.0
/* Placeholder: regions land with the region issue. */
#include <linux/err.h>
#include "kipc_internal.h"

static struct kipc_object *kipc_region_create(const struct kipc_open *args,
					      struct kipc_user *user)
{
	return ERR_PTR(-EOPNOTSUPP);
}

const struct kipc_type_ops kipc_region_ops = {
	.type = KIPC_TYPE_REGION,
	.name = "kipc-region",
	.handle_size = sizeof(struct kipc_handle),
	.create = kipc_region_create,
};

long kipc_ioctl_wait(struct file *file, void *arg) { return -ENOTTY; }
long kipc_ioctl_wake(struct file *file, void *arg) { return -ENOTTY; }
long kipc_ioctl_lock(struct file *file, void *arg) { return -ENOTTY; }
long kipc_ioctl_unlock(struct file *file, void *arg) { return -ENOTTY; }
long kipc_ioctl_consistent(struct file *file, void *arg) { return -ENOTTY; }
long kipc_ioctl_ring(struct file *file, void *arg) { return -ENOTTY; }
long kipc_ioctl_doorbell(struct file *file, void *arg) { return -ENOTTY; }
