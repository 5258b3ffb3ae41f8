// SPDX-License-Identifier: GPL-2.0
/* Placeholder: message queues land with the queue issue. */
#include <linux/err.h>
#include "kipc_internal.h"

static struct kipc_object *kipc_queue_create(const struct kipc_open *args,
					     struct kipc_user *user)
{
	return ERR_PTR(-EOPNOTSUPP);
}

const struct kipc_type_ops kipc_queue_ops = {
	.type = KIPC_TYPE_QUEUE,
	.name = "kipc-queue",
	.handle_size = sizeof(struct kipc_handle),
	.create = kipc_queue_create,
};

long kipc_ioctl_send(struct file *file, void *arg) { return -ENOTTY; }
long kipc_ioctl_recv(struct file *file, void *arg) { return -ENOTTY; }
long kipc_ioctl_sendv(struct file *file, void *arg) { return -ENOTTY; }
long kipc_ioctl_recvv(struct file *file, void *arg) { return -ENOTTY; }
long kipc_ioctl_call(struct file *file, void *arg) { return -ENOTTY; }
long kipc_ioctl_notify(struct file *file, void *arg) { return -ENOTTY; }
