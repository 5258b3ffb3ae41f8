// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libkipc: thin wrappers around the kipc ioctls (see kipc.h and kipc(7)).
 * Every function returns -errno on failure and never touches errno's
 * caller-visible meaning beyond what the system calls do.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kipc.h"

#define KIPC_EXPORT __attribute__((visibility("default")))

static long kipc_ioctl(int fd, unsigned long cmd, void *arg)
{
	long ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* A struct timespec on CLOCK_REALTIME as absolute nanoseconds. */
static int kipc_abs_ns(const struct timespec *ts, int64_t *ns)
{
	if (!ts || ts->tv_sec < 0 || ts->tv_nsec < 0 ||
	    ts->tv_nsec >= 1000000000L)
		return -EINVAL;
	if (ts->tv_sec > (INT64_MAX - 999999999) / 1000000000)
		*ns = INT64_MAX;
	else
		*ns = (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
	return 0;
}

/* ---- Library and module ------------------------------------------------ */

KIPC_EXPORT int kipc_query_version(struct kipc *k, unsigned int *abi_version,
				   uint64_t *features)
{
	struct kipc_version v = { .size = sizeof(v) };
	long ret;

	if (!k)
		return -EINVAL;
	ret = kipc_ioctl(k->ctl_fd, KIPC_IOC_GET_VERSION, &v);
	if (ret < 0)
		return ret;
	k->abi_version = v.abi_version;
	k->features = v.features;
	if (abi_version)
		*abi_version = v.abi_version;
	if (features)
		*features = v.features;
	return 0;
}

KIPC_EXPORT int kipc_init(struct kipc *k, unsigned int flags)
{
	int ret;

	if (!k || flags)
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	k->ctl_fd = open(KIPC_DEVICE, O_RDWR | O_CLOEXEC);
	if (k->ctl_fd < 0) {
		ret = -errno;
		k->ctl_fd = -1;
		return ret;
	}
	ret = kipc_query_version(k, NULL, NULL);
	if (ret < 0) {
		close(k->ctl_fd);
		k->ctl_fd = -1;
	}
	return ret;
}

KIPC_EXPORT void kipc_exit(struct kipc *k)
{
	if (k && k->ctl_fd >= 0) {
		close(k->ctl_fd);
		k->ctl_fd = -1;
	}
}

KIPC_EXPORT int kipc_fd(const struct kipc *k)
{
	return k ? k->ctl_fd : -EINVAL;
}

/* ---- Any handle -------------------------------------------------------- */

KIPC_EXPORT int kipc_close(int fd)
{
	if (fd < 0)
		return -EBADF;
	/* As POSIX says for close() on EINTR on Linux: the fd is gone. */
	if (close(fd) < 0 && errno != EINTR)
		return -errno;
	return 0;
}

KIPC_EXPORT int kipc_stat(int fd, struct kipc_stat *st)
{
	if (!st)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return kipc_ioctl(fd, KIPC_IOC_STAT, st);
}

KIPC_EXPORT int kipc_fchmod(int fd, mode_t mode)
{
	struct kipc_perm p = {
		.size = sizeof(p), .flags = KIPC_PERM_MODE, .mode = mode,
	};

	return kipc_ioctl(fd, KIPC_IOC_SETPERM, &p);
}

KIPC_EXPORT int kipc_fchown(int fd, uid_t uid, gid_t gid)
{
	struct kipc_perm p = {
		.size = sizeof(p), .flags = KIPC_PERM_OWNER,
		.uid = uid, .gid = gid,
	};

	return kipc_ioctl(fd, KIPC_IOC_SETPERM, &p);
}

KIPC_EXPORT int kipc_set_nonblock(int fd, int nonblock)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	fl = nonblock ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	if (fcntl(fd, F_SETFL, fl) < 0)
		return -errno;
	return 0;
}

/* ---- Objects ------------------------------------------------------------ */

static int kipc_open_obj(struct kipc *k, uint32_t type, const char *name,
			 unsigned int oflag, mode_t mode,
			 const struct kipc_mq_attr *attr, size_t size)
{
	struct kipc_open a = {
		.size = sizeof(a), .type = type, .flags = oflag, .mode = mode,
		.name = (uintptr_t)name, .region_size = size,
	};

	if (!k || !name)
		return -EINVAL;
	if (attr) {
		a.max_msgs = attr->max_msgs;
		a.max_msgsize = attr->max_msgsize;
	}
	return kipc_ioctl(k->ctl_fd, KIPC_IOC_OPEN, &a);
}

static int kipc_unlink_obj(struct kipc *k, uint32_t type, const char *name)
{
	struct kipc_unlink u = {
		.size = sizeof(u), .type = type, .name = (uintptr_t)name,
	};

	if (!k || !name)
		return -EINVAL;
	return kipc_ioctl(k->ctl_fd, KIPC_IOC_UNLINK, &u);
}

/* ---- Message queues ---------------------------------------------------- */

KIPC_EXPORT int kipc_mq_open(struct kipc *k, const char *name,
			     unsigned int oflag, mode_t mode,
			     const struct kipc_mq_attr *attr)
{
	return kipc_open_obj(k, KIPC_TYPE_QUEUE, name, oflag, mode, attr, 0);
}

KIPC_EXPORT int kipc_mq_close(int qd)
{
	return kipc_close(qd);
}

KIPC_EXPORT int kipc_mq_unlink(struct kipc *k, const char *name)
{
	return kipc_unlink_obj(k, KIPC_TYPE_QUEUE, name);
}

KIPC_EXPORT int kipc_mq_getattr(int qd, struct kipc_mq_attr *attr)
{
	struct kipc_stat st;
	int ret, fl;

	if (!attr)
		return -EINVAL;
	ret = kipc_stat(qd, &st);
	if (ret < 0)
		return ret;
	if (st.type != KIPC_TYPE_QUEUE)
		return -ENOTTY;
	fl = fcntl(qd, F_GETFL);
	if (fl < 0)
		return -errno;
	attr->max_msgs = st.max_msgs;
	attr->max_msgsize = st.max_msgsize;
	attr->msgs = st.msgs;
	attr->nonblock = !!(fl & O_NONBLOCK);
	return 0;
}

static int kipc_send_flags(int qd, const void *buf, size_t len,
			   unsigned int prio, uint32_t flags, int64_t tmo,
			   uint64_t type)
{
	struct kipc_msg m;

	if (len > UINT32_MAX)
		return -EMSGSIZE;
	kipc_msg_init(&m, buf, len);
	m.prio = prio;
	m.flags = flags;
	m.timeout_ns = tmo;
	m.type = type;
	return kipc_ioctl(qd, KIPC_IOC_SEND, &m);
}

KIPC_EXPORT int kipc_mq_send(int qd, const void *buf, size_t len,
			     unsigned int prio)
{
	return kipc_send_flags(qd, buf, len, prio, 0, 0, 0);
}

KIPC_EXPORT int kipc_mq_trysend(int qd, const void *buf, size_t len,
				unsigned int prio)
{
	return kipc_send_flags(qd, buf, len, prio, KIPC_F_NONBLOCK, 0, 0);
}

KIPC_EXPORT int kipc_mq_timedsend(int qd, const void *buf, size_t len,
				  unsigned int prio,
				  const struct timespec *abs_timeout)
{
	int64_t ns;
	int ret = kipc_abs_ns(abs_timeout, &ns);

	if (ret < 0)
		return ret;
	return kipc_send_flags(qd, buf, len, prio, KIPC_F_TIMEOUT |
			       KIPC_F_ABSTIME | KIPC_F_REALTIME, ns, 0);
}

KIPC_EXPORT int kipc_mq_send_timeout(int qd, const void *buf, size_t len,
				     unsigned int prio, int64_t timeout_ns)
{
	return kipc_send_flags(qd, buf, len, prio, KIPC_F_TIMEOUT, timeout_ns,
			       0);
}

KIPC_EXPORT int kipc_mq_send_type(int qd, const void *buf, size_t len,
				  unsigned int prio, uint64_t type)
{
	return kipc_send_flags(qd, buf, len, prio, 0, 0, type);
}

KIPC_EXPORT int kipc_mq_sendmsg(int qd, struct kipc_msg *m)
{
	if (!m)
		return -EINVAL;
	return kipc_ioctl(qd, KIPC_IOC_SEND, m);
}

static ssize_t kipc_recv_flags(int qd, void *buf, size_t len,
			       unsigned int *prio, uint32_t flags, int64_t tmo,
			       uint64_t type)
{
	struct kipc_msg m;
	long ret;

	kipc_msg_init(&m, buf, len > UINT32_MAX ? UINT32_MAX : len);
	m.flags = flags;
	m.timeout_ns = tmo;
	m.type = type;
	ret = kipc_ioctl(qd, KIPC_IOC_RECV, &m);
	if (ret >= 0 && prio)
		*prio = m.prio;
	return ret;
}

KIPC_EXPORT ssize_t kipc_mq_receive(int qd, void *buf, size_t len,
				    unsigned int *prio)
{
	return kipc_recv_flags(qd, buf, len, prio, 0, 0, 0);
}

KIPC_EXPORT ssize_t kipc_mq_tryreceive(int qd, void *buf, size_t len,
				       unsigned int *prio)
{
	return kipc_recv_flags(qd, buf, len, prio, KIPC_F_NONBLOCK, 0, 0);
}

KIPC_EXPORT ssize_t kipc_mq_timedreceive(int qd, void *buf, size_t len,
					 unsigned int *prio,
					 const struct timespec *abs_timeout)
{
	int64_t ns;
	int ret = kipc_abs_ns(abs_timeout, &ns);

	if (ret < 0)
		return ret;
	return kipc_recv_flags(qd, buf, len, prio, KIPC_F_TIMEOUT |
			       KIPC_F_ABSTIME | KIPC_F_REALTIME, ns, 0);
}

KIPC_EXPORT ssize_t kipc_mq_receive_timeout(int qd, void *buf, size_t len,
					    unsigned int *prio,
					    int64_t timeout_ns)
{
	return kipc_recv_flags(qd, buf, len, prio, KIPC_F_TIMEOUT, timeout_ns,
			       0);
}

KIPC_EXPORT ssize_t kipc_mq_receive_type(int qd, void *buf, size_t len,
					 uint64_t type, unsigned int *prio)
{
	return kipc_recv_flags(qd, buf, len, prio, KIPC_MSG_BYTYPE, 0, type);
}

KIPC_EXPORT ssize_t kipc_mq_peek(int qd, void *buf, size_t len,
				 unsigned int *prio)
{
	return kipc_recv_flags(qd, buf, len, prio, KIPC_MSG_PEEK, 0, 0);
}

KIPC_EXPORT ssize_t kipc_mq_receivemsg(int qd, struct kipc_msg *m)
{
	if (!m)
		return -EINVAL;
	return kipc_ioctl(qd, KIPC_IOC_RECV, m);
}

KIPC_EXPORT ssize_t kipc_mq_call(int qd, struct kipc_msg *req, int reply_qd,
				 struct kipc_msg *rep, unsigned int *sent)
{
	struct kipc_call c = {
		.size = sizeof(c), .reply_fd = reply_qd,
		.req = (uintptr_t)req, .rep = (uintptr_t)rep,
	};
	long ret;

	if (!req || !rep)
		return -EINVAL;
	ret = kipc_ioctl(qd, KIPC_IOC_CALL, &c);
	if (sent)
		*sent = c.sent;
	return ret;
}

static int kipc_vec(int qd, unsigned long cmd, struct kipc_msg *msgs,
		    unsigned int count, unsigned int flags, int *error)
{
	struct kipc_msgv v = {
		.size = sizeof(v), .flags = flags, .msgs = (uintptr_t)msgs,
		.count = count, .msg_size = sizeof(*msgs),
	};
	long ret;

	ret = kipc_ioctl(qd, cmd, &v);
	if (error)
		*error = ret < 0 ? (int)ret : v.error;
	return ret;
}

KIPC_EXPORT int kipc_mq_sendv(int qd, struct kipc_msg *msgs,
			      unsigned int count, unsigned int flags,
			      int *error)
{
	return kipc_vec(qd, KIPC_IOC_SENDV, msgs, count, flags, error);
}

KIPC_EXPORT int kipc_mq_sendv_results(int qd, struct kipc_msg *msgs,
				      unsigned int count, unsigned int flags,
				      int32_t *results)
{
	struct kipc_msgv v = {
		.size = sizeof(v), .flags = flags | KIPC_VEC_RESULTS,
		.msgs = (uintptr_t)msgs, .count = count,
		.msg_size = sizeof(*msgs), .results = (uintptr_t)results,
	};

	if (!results)
		return -EINVAL;
	return kipc_ioctl(qd, KIPC_IOC_SENDV, &v);
}

KIPC_EXPORT int kipc_mq_receivev(int qd, struct kipc_msg *msgs,
				 unsigned int count, unsigned int flags,
				 int *error)
{
	return kipc_vec(qd, KIPC_IOC_RECVV, msgs, count, flags, error);
}

KIPC_EXPORT int kipc_mq_notify(int qd, int signo)
{
	struct kipc_notify n = { .size = sizeof(n), .signo = signo };

	return kipc_ioctl(qd, KIPC_IOC_NOTIFY, &n);
}

/* ---- Shared-memory regions --------------------------------------------- */

KIPC_EXPORT int kipc_shm_open(struct kipc *k, const char *name,
			      unsigned int oflag, mode_t mode, size_t size)
{
	return kipc_open_obj(k, KIPC_TYPE_REGION, name, oflag, mode, NULL,
			     size);
}

KIPC_EXPORT int kipc_shm_close(int fd)
{
	return kipc_close(fd);
}

KIPC_EXPORT int kipc_shm_unlink(struct kipc *k, const char *name)
{
	return kipc_unlink_obj(k, KIPC_TYPE_REGION, name);
}

KIPC_EXPORT ssize_t kipc_shm_size(int fd)
{
	struct kipc_stat st;
	int ret = kipc_stat(fd, &st);

	if (ret < 0)
		return ret;
	if (st.type != KIPC_TYPE_REGION)
		return -ENOTTY;
	return (ssize_t)st.bytes;
}

KIPC_EXPORT int kipc_shm_map(int fd, int prot, void **addrp, size_t *lenp)
{
	ssize_t size;
	void *p;

	if (!addrp || !lenp || prot & ~(PROT_READ | PROT_WRITE) || !prot)
		return -EINVAL;
	size = kipc_shm_size(fd);
	if (size < 0)
		return size;
	p = mmap(NULL, size, prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	*addrp = p;
	*lenp = size;
	return 0;
}

KIPC_EXPORT int kipc_shm_unmap(void *addr, size_t len)
{
	if (munmap(addr, len) < 0)
		return -errno;
	return 0;
}

static int kipc_wait_flags(int fd, uint64_t offset, uint32_t expected,
			   uint32_t flags, int64_t tmo)
{
	struct kipc_wait w = {
		.size = sizeof(w), .flags = flags, .offset = offset,
		.expected = expected, .timeout_ns = tmo,
	};

	return kipc_ioctl(fd, KIPC_IOC_WAIT, &w);
}

KIPC_EXPORT int kipc_shm_wait(int fd, uint64_t offset, uint32_t expected)
{
	return kipc_wait_flags(fd, offset, expected, 0, 0);
}

KIPC_EXPORT int kipc_shm_timedwait(int fd, uint64_t offset, uint32_t expected,
				   const struct timespec *abs_timeout)
{
	int64_t ns;
	int ret = kipc_abs_ns(abs_timeout, &ns);

	if (ret < 0)
		return ret;
	return kipc_wait_flags(fd, offset, expected, KIPC_F_TIMEOUT |
			       KIPC_F_ABSTIME | KIPC_F_REALTIME, ns);
}

KIPC_EXPORT int kipc_shm_wait_timeout(int fd, uint64_t offset,
				      uint32_t expected, int64_t timeout_ns)
{
	return kipc_wait_flags(fd, offset, expected, KIPC_F_TIMEOUT,
			       timeout_ns);
}

KIPC_EXPORT int kipc_shm_wake(int fd, uint64_t offset, uint32_t count)
{
	struct kipc_wake w = {
		.size = sizeof(w), .offset = offset, .count = count,
	};

	return kipc_ioctl(fd, KIPC_IOC_WAKE, &w);
}

static int kipc_lock_flags(int fd, uint32_t flags, int64_t tmo)
{
	struct kipc_lock l = {
		.size = sizeof(l), .flags = flags, .timeout_ns = tmo,
	};
	long ret;

	ret = kipc_ioctl(fd, KIPC_IOC_LOCK, &l);
	if (ret >= 0 && (l.result & KIPC_LOCK_OWNERDEAD))
		return -EOWNERDEAD;
	return ret;
}

KIPC_EXPORT int kipc_shm_lock(int fd)
{
	return kipc_lock_flags(fd, 0, 0);
}

KIPC_EXPORT int kipc_shm_lock_shared(int fd)
{
	return kipc_lock_flags(fd, KIPC_LOCK_SHARED, 0);
}

KIPC_EXPORT int kipc_shm_trylock(int fd, unsigned int flags)
{
	if (flags & ~KIPC_LOCK_SHARED)
		return -EINVAL;
	return kipc_lock_flags(fd, flags | KIPC_F_NONBLOCK, 0);
}

KIPC_EXPORT int kipc_shm_timedlock(int fd, unsigned int flags,
				   const struct timespec *abs_timeout)
{
	int64_t ns;
	int ret;

	if (flags & ~KIPC_LOCK_SHARED)
		return -EINVAL;
	ret = kipc_abs_ns(abs_timeout, &ns);
	if (ret < 0)
		return ret;
	return kipc_lock_flags(fd, flags | KIPC_F_TIMEOUT | KIPC_F_ABSTIME |
			       KIPC_F_REALTIME, ns);
}

KIPC_EXPORT int kipc_shm_lock_timeout(int fd, unsigned int flags,
				      int64_t timeout_ns)
{
	if (flags & ~KIPC_LOCK_SHARED)
		return -EINVAL;
	return kipc_lock_flags(fd, flags | KIPC_F_TIMEOUT, timeout_ns);
}

KIPC_EXPORT int kipc_shm_unlock(int fd)
{
	struct kipc_lock l = { .size = sizeof(l) };

	return kipc_ioctl(fd, KIPC_IOC_UNLOCK, &l);
}

KIPC_EXPORT int kipc_shm_consistent(int fd)
{
	return kipc_ioctl(fd, KIPC_IOC_CONSISTENT, NULL);
}

KIPC_EXPORT int kipc_shm_ring(int fd)
{
	return kipc_ioctl(fd, KIPC_IOC_RING, NULL);
}

KIPC_EXPORT int kipc_shm_doorbell(int fd, uint64_t *count)
{
	struct kipc_doorbell d = { .size = sizeof(d) };
	long ret;

	ret = kipc_ioctl(fd, KIPC_IOC_DOORBELL, &d);
	if (ret >= 0 && count)
		*count = d.count;
	return ret;
}
