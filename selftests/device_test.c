// SPDX-License-Identifier: GPL-2.0
/*
 * The control device: node, GET_VERSION, ioctl dispatch and the size-first
 * argument rules every ioctl shares.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "kselftest_harness.h"
#include "kipc_test.h"

TEST(device_node_is_world_usable_char_device)
{
	struct stat st;

	ASSERT_EQ(0, stat(KIPC_DEVICE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	/* Documented: mode 0666, objects carry their own permissions. */
	EXPECT_EQ(0666, st.st_mode & 07777);
	/* misc device: major 10. */
	EXPECT_EQ(10, major(st.st_rdev));
}

TEST(unprivileged_user_can_open_device)
{
	pid_t pid = fork();
	int status;

	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(2);
		fd = kt_ctl();
		_exit(fd >= 0 ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

FIXTURE(ctl) {
	int fd;
};

FIXTURE_SETUP(ctl)
{
	self->fd = kt_ctl();
	ASSERT_GE(self->fd, 0);
}

FIXTURE_TEARDOWN(ctl)
{
	close(self->fd);
}

TEST_F(ctl, get_version)
{
	struct kipc_version v = { .size = sizeof(v) };

	ASSERT_EQ(0, kt_ioctl(self->fd, KIPC_IOC_GET_VERSION, &v));
	EXPECT_EQ(KIPC_ABI_VERSION, v.abi_version);
	EXPECT_EQ(sizeof(v), v.size);
	/* Only bits this header defines. */
	EXPECT_EQ(0, v.features & ~KIPC_FEATURES_ALL);
}

TEST_F(ctl, get_version_bad_pointer_is_efault)
{
	EXPECT_EQ(-EFAULT, kt_ioctl(self->fd, KIPC_IOC_GET_VERSION, (void *)8));
}

TEST_F(ctl, unknown_ioctl_number_is_enotty)
{
	struct kipc_version v = { .size = sizeof(v) };

	EXPECT_EQ(-ENOTTY, kt_ioctl(self->fd, _IO(KIPC_IOC_MAGIC, 0x7f), &v));
	/* A number inside the table's range with no entry. */
	EXPECT_EQ(-ENOTTY, kt_ioctl(self->fd, _IO(KIPC_IOC_MAGIC, 0x03), &v));
}

TEST_F(ctl, wrong_magic_or_encoding_is_enotty)
{
	struct kipc_version v = { .size = sizeof(v) };

	EXPECT_EQ(-ENOTTY, kt_ioctl(self->fd, _IO('x', 0x00), &v));
	/* The right number with size/direction bits is not ours either. */
	EXPECT_EQ(-ENOTTY, kt_ioctl(self->fd,
				    _IOWR(KIPC_IOC_MAGIC, 0x00, struct kipc_version), &v));
}

TEST_F(ctl, handle_ioctl_on_control_device_is_enotty)
{
	struct kipc_stat st = { .size = sizeof(st) };
	struct kipc_msg m = { .size = sizeof(m) };

	EXPECT_EQ(-ENOTTY, kt_ioctl(self->fd, KIPC_IOC_STAT, &st));
	EXPECT_EQ(-ENOTTY, kt_ioctl(self->fd, KIPC_IOC_SEND, &m));
	EXPECT_EQ(-ENOTTY, kt_ioctl(self->fd, KIPC_IOC_RING, NULL));
}

TEST_F(ctl, size_too_small_is_einval)
{
	struct kipc_version v = { .size = sizeof(v) - 1 };

	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_GET_VERSION, &v));
	v.size = 0;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_GET_VERSION, &v));
}

TEST_F(ctl, larger_size_with_zero_tail_is_accepted)
{
	struct {
		struct kipc_version v;
		uint64_t future[4];
	} big;

	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big);
	ASSERT_EQ(0, kt_ioctl(self->fd, KIPC_IOC_GET_VERSION, &big));
	EXPECT_EQ(KIPC_ABI_VERSION, big.v.abi_version);
	/* The kernel writes back only what it knows. */
	EXPECT_EQ(0, big.future[0]);
	EXPECT_EQ(sizeof(big), big.v.size);
}

TEST_F(ctl, larger_size_with_nonzero_tail_is_e2big)
{
	struct {
		struct kipc_version v;
		uint64_t future;
	} big;

	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big);
	big.future = 1;
	EXPECT_EQ(-E2BIG, kt_ioctl(self->fd, KIPC_IOC_GET_VERSION, &big));
}

TEST_F(ctl, size_above_a_page_is_e2big)
{
	static char big[8192];
	struct kipc_version *v = (struct kipc_version *)big;

	memset(big, 0, sizeof(big));
	v->size = sizeof(big);
	EXPECT_EQ(-E2BIG, kt_ioctl(self->fd, KIPC_IOC_GET_VERSION, v));
}

TEST_F(ctl, open_non_ascii_name_is_einval)
{
	/* Latin-1 letters are not in [A-Za-z0-9._-]. */
	EXPECT_EQ(-EINVAL, kt_open(self->fd, KIPC_TYPE_QUEUE, "caf" "\xe9",
				   KIPC_OPEN_CREAT | KIPC_OPEN_READ, 0600));
	EXPECT_EQ(-EINVAL, kt_open(self->fd, KIPC_TYPE_REGION, "\xc0" "bc",
				   KIPC_OPEN_CREAT | KIPC_OPEN_READ, 0600));
}

TEST_F(ctl, open_nonzero_reserved_is_einval)
{
	struct kipc_open a = {
		.size = sizeof(a),
		.type = KIPC_TYPE_QUEUE,
		.flags = KIPC_OPEN_CREAT | KIPC_OPEN_READ,
		.mode = 0600,
		.name = (uintptr_t)"dev-reserved",
		.__reserved = 1,
	};

	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_OPEN, &a));
	a.__reserved = 0;
	a.__reserved2 = 1;
	EXPECT_EQ(-EINVAL, kt_ioctl(self->fd, KIPC_IOC_OPEN, &a));
}

TEST_F(ctl, open_unknown_flag_is_einval)
{
	EXPECT_EQ(-EINVAL, kt_open(self->fd, KIPC_TYPE_QUEUE, "dev-flags",
				   KIPC_OPEN_READ | (KIPC_OPEN_ALL + 1), 0600));
}

TEST_F(ctl, open_unknown_type_is_einval)
{
	EXPECT_EQ(-EINVAL, kt_open(self->fd, 0, "dev-type", KIPC_OPEN_READ, 0));
	EXPECT_EQ(-EINVAL, kt_open(self->fd, 3, "dev-type", KIPC_OPEN_READ, 0));
}

TEST_F(ctl, unlink_unknown_type_is_einval)
{
	EXPECT_EQ(-EINVAL, kt_unlink(self->fd, 7, "dev-type"));
}

TEST_HARNESS_MAIN
