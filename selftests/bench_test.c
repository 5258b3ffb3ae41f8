// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench --quick, one mechanism at a time: every message must arrive
 * intact (payload checksums, sequence numbers) in the round-trip, throughput
 * and N x N tests. Speed is not judged. The kipc-bench binary sits next to
 * this test.
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

static char out[65536];

/* Run kipc-bench --quick --only @mech; returns its exit status. */
static int quick(const char *mech)
{
	char exe[PATH_MAX], dir[PATH_MAX];
	size_t len = 0;
	ssize_t n;
	int p[2], status;
	pid_t pid;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0 || pipe(p))
		return -1;
	exe[n] = 0;
	snprintf(dir, sizeof(dir), "%s/kipc-bench", dirname(exe));
	pid = fork();
	if (!pid) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execl(dir, "kipc-bench", "--quick", "--only", mech, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (len < sizeof(out) - 1 &&
	       (n = read(p[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += n;
	out[len] = 0;
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

#define MECH_TEST(id, name)						\
TEST(id)								\
{									\
	char skipped[96], intact[96];					\
	int rc = quick(name);						\
									\
	snprintf(skipped, sizeof(skipped), "%s: skipped:", name);	\
	snprintf(intact, sizeof(intact), "\n%s: intact", name);	\
	if (strstr(out, skipped))					\
		SKIP(return, "%.200s", strstr(out, skipped));	\
	EXPECT_EQ(0, rc);						\
	EXPECT_NE(NULL, strstr(out, intact));				\
	EXPECT_EQ(NULL, strstr(out, "CORRUPTED"));			\
	if (rc)								\
		TH_LOG("%s", out);					\
}

MECH_TEST(kipc_queue, "kipc-queue")
MECH_TEST(kipc_call, "kipc-call")
MECH_TEST(kipc_region_wait, "kipc-region-wait")
MECH_TEST(kipc_region_lock, "kipc-region-lock")
MECH_TEST(kipc_region_doorbell, "kipc-region-doorbell")
MECH_TEST(pipe_peer, "pipe")
MECH_TEST(seqpacket, "seqpacket")
MECH_TEST(posix_mq, "posix-mq")
MECH_TEST(sysv_msg, "sysv-msg")
MECH_TEST(eventfd_peer, "eventfd")
MECH_TEST(futex_peer, "futex")

TEST(unknown_mechanism_is_usage_error)
{
	EXPECT_EQ(2, quick("no-such-mechanism"));
	EXPECT_NE(NULL, strstr(out, "unknown mechanism 'no-such-mechanism'"));
}

TEST_HARNESS_MAIN
