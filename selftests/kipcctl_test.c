// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl: every subcommand and its error exits, run as a program (the
 * kipcctl binary sits next to this test). Exit status: 0 success, 1
 * failure, 2 usage error (tools/man/kipcctl.1).
 */
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kipc_test.h"

#define OUT_MAX 16384

struct run {
	int status;
	char out[OUT_MAX];
	char err[OUT_MAX];
};

static void drain(int fd, char *buf)
{
	size_t len = 0;
	ssize_t n;

	while (len < OUT_MAX - 1 && (n = read(fd, buf + len, OUT_MAX - 1 - len)) > 0)
		len += n;
	buf[len] = 0;
}

/* Run kipcctl with the NULL-terminated arguments, @in on its stdin. */
static int kctl(struct run *r, const char *in, ...)
{
	char exe[PATH_MAX], path[PATH_MAX + 16], *argv[32];
	int i = 0, pin[2], pout[2], perr[2];
	ssize_t n;
	va_list ap;
	pid_t pid;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -1;
	exe[n] = 0;
	snprintf(path, sizeof(path), "%s/kipcctl", dirname(exe));
	argv[i++] = "kipcctl";
	va_start(ap, in);
	while (i < 31 && (argv[i] = va_arg(ap, char *)))
		i++;
	va_end(ap);
	argv[i] = NULL;
	if (pipe(pin) || pipe(pout) || pipe(perr))
		return -1;
	pid = fork();
	if (!pid) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		dup2(perr[1], 2);
		close(pin[1]);
		close(pout[0]);
		close(perr[0]);
		execv(path, argv);
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	if (in && write(pin[1], in, strlen(in)) < 0)
		return -1;
	close(pin[1]);
	drain(pout[0], r->out);
	drain(perr[0], r->err);
	close(pout[0]);
	close(perr[0]);
	if (waitpid(pid, &r->status, 0) != pid || !WIFEXITED(r->status))
		return -1;
	r->status = WEXITSTATUS(r->status);
	return r->status;
}

static uint64_t features(void)
{
	struct kipc_version v = { .size = sizeof(v) };
	int ctl = kt_ctl();

	if (ctl < 0)
		return 0;
	if (kt_ioctl(ctl, KIPC_IOC_GET_VERSION, &v))
		v.features = 0;
	close(ctl);
	return v.features;
}

FIXTURE(kctl) {
	char q[64];
	char rg[64];
	struct run r;
};

FIXTURE_SETUP(kctl)
{
	snprintf(self->q, sizeof(self->q), "kctl-q-%d", getpid());
	snprintf(self->rg, sizeof(self->rg), "kctl-r-%d", getpid());
	if (!(features() & KIPC_FEAT_QUEUE))
		SKIP(return, "module has no queues");
	ASSERT_EQ(0, kctl(&self->r, NULL, "create", "-q", "--max-msgs", "5",
			  "--max-msgsize", "100", "--mode", "0640", self->q,
			  NULL)) TH_LOG("%s", self->r.err);
}

FIXTURE_TEARDOWN(kctl)
{
	struct run r;

	kctl(&r, NULL, "rm", "-q", self->q, NULL);
	kctl(&r, NULL, "rm", "-r", self->rg, NULL);
}

TEST(help)
{
	struct run r;

	ASSERT_EQ(0, kctl(&r, NULL, "--help", NULL));
	ASSERT_NE(NULL, strstr(r.out, "Usage:"));
	ASSERT_NE(NULL, strstr(r.out, "kipcctl [--json] ls"));
}

TEST(version)
{
	struct run r;

	ASSERT_EQ(0, kctl(&r, NULL, "--version", NULL));
	ASSERT_NE(NULL, strstr(r.out, "kipcctl from kipc "));
}

TEST(no_command_is_usage_error)
{
	struct run r;

	ASSERT_EQ(2, kctl(&r, NULL, NULL));
	ASSERT_NE(NULL, strstr(r.err, "kipcctl: no command given"));
	ASSERT_NE(NULL, strstr(r.err, "Try 'kipcctl --help'"));
}

TEST(unknown_command_is_usage_error)
{
	struct run r;

	ASSERT_EQ(2, kctl(&r, NULL, "frobnicate", NULL));
	ASSERT_NE(NULL, strstr(r.err, "unknown command 'frobnicate'"));
}

TEST(unknown_option_is_usage_error)
{
	struct run r;

	ASSERT_EQ(2, kctl(&r, NULL, "ls", "--bogus", NULL));
}

TEST(bad_mode_is_usage_error)
{
	struct run r;

	ASSERT_EQ(2, kctl(&r, NULL, "create", "-q", "--mode", "999", "x", NULL));
	ASSERT_NE(NULL, strstr(r.err, "invalid mode: '999'"));
}

TEST(create_needs_a_type)
{
	struct run r;

	ASSERT_EQ(2, kctl(&r, NULL, "create", "x", NULL));
	ASSERT_NE(NULL, strstr(r.err, "create needs -q"));
}

TEST(region_needs_a_size)
{
	struct run r;

	ASSERT_EQ(2, kctl(&r, NULL, "create", "-r", "x", NULL));
	ASSERT_NE(NULL, strstr(r.err, "a region needs --size"));
}

TEST(json_only_for_listings)
{
	struct run r;

	ASSERT_EQ(2, kctl(&r, NULL, "--json", "rm", "x", NULL));
}

TEST(bad_priority_is_usage_error)
{
	struct run r;

	ASSERT_EQ(2, kctl(&r, NULL, "send", "--prio", "32768", "x", "m", NULL));
	ASSERT_NE(NULL, strstr(r.err, "invalid priority"));
}

TEST(stat_nonexistent)
{
	struct run r;

	if (!(features() & KIPC_FEAT_QUEUE))
		SKIP(return, "module has no queues");
	ASSERT_EQ(1, kctl(&r, NULL, "stat", "-q", "kctl-no-such", NULL));
	ASSERT_NE(NULL, strstr(r.err,
		"kipcctl: cannot open queue 'kctl-no-such': No such file or directory"));
	ASSERT_EQ(0, r.out[0]);
}

TEST(recv_nonexistent)
{
	struct run r;

	if (!(features() & KIPC_FEAT_QUEUE))
		SKIP(return, "module has no queues");
	ASSERT_EQ(1, kctl(&r, NULL, "recv", "kctl-no-such", NULL));
	ASSERT_NE(NULL, strstr(r.err, "cannot open queue 'kctl-no-such'"));
}

TEST(rm_nonexistent)
{
	struct run r;

	ASSERT_EQ(1, kctl(&r, NULL, "rm", "kctl-no-such", NULL));
	ASSERT_NE(NULL, strstr(r.err, "cannot remove 'kctl-no-such'"));
}

TEST_F(kctl, create_existing_fails)
{
	ASSERT_EQ(1, kctl(&self->r, NULL, "create", "-q", self->q, NULL));
	ASSERT_NE(NULL, strstr(self->r.err, "File exists"));
}

TEST_F(kctl, stat_shows_attributes)
{
	ASSERT_EQ(0, kctl(&self->r, NULL, "stat", self->q, NULL));
	ASSERT_NE(NULL, strstr(self->r.out, "queue "));
	ASSERT_NE(NULL, strstr(self->r.out, "max msgs:      5\n"));
	ASSERT_NE(NULL, strstr(self->r.out, "max msgsize:   100\n"));
	ASSERT_NE(NULL, strstr(self->r.out, "mode:          0640\n"));
}

TEST_F(kctl, stat_json)
{
	ASSERT_EQ(0, kctl(&self->r, NULL, "--json", "stat", "-q", self->q, NULL));
	ASSERT_EQ('{', self->r.out[0]);
	ASSERT_NE(NULL, strstr(self->r.out, "\"type\": \"queue\""));
	ASSERT_NE(NULL, strstr(self->r.out, "\"max_msgs\": 5,"));
	ASSERT_NE(NULL, strstr(self->r.out, "\"mode\": \"0640\""));
	ASSERT_NE(NULL, strstr(self->r.out, "\"msgs\": 0,"));
}

TEST_F(kctl, ls_lists_it)
{
	ASSERT_EQ(0, kctl(&self->r, NULL, "ls", NULL));
	ASSERT_NE(NULL, strstr(self->r.out, "TYPE"));
	ASSERT_NE(NULL, strstr(self->r.out, self->q));
	ASSERT_NE(NULL, strstr(self->r.out, "5x100"));
}

TEST_F(kctl, ls_json)
{
	char want[128];

	ASSERT_EQ(0, kctl(&self->r, NULL, "ls", "--json", NULL));
	ASSERT_NE(NULL, strstr(self->r.out, "\"objects\": ["));
	snprintf(want, sizeof(want), "\"name\": \"%s\"", self->q);
	ASSERT_NE(NULL, strstr(self->r.out, want));
}

TEST_F(kctl, send_recv_argument)
{
	ASSERT_EQ(0, kctl(&self->r, NULL, "send", self->q, "hello kipc", NULL));
	ASSERT_EQ(0, kctl(&self->r, NULL, "stat", "--json", self->q, NULL));
	ASSERT_NE(NULL, strstr(self->r.out, "\"msgs\": 1,"));
	ASSERT_EQ(0, kctl(&self->r, NULL, "recv", self->q, NULL));
	ASSERT_STREQ("hello kipc", self->r.out);
}

TEST_F(kctl, send_recv_stdin)
{
	ASSERT_EQ(0, kctl(&self->r, "line one\nline two\n", "send", self->q,
			  NULL));
	ASSERT_EQ(0, kctl(&self->r, NULL, "recv", "-v", self->q, NULL));
	ASSERT_STREQ("line one\nline two\n", self->r.out);
	ASSERT_NE(NULL, strstr(self->r.err, "18 bytes, prio 0"));
}

TEST_F(kctl, priority_order)
{
	ASSERT_EQ(0, kctl(&self->r, NULL, "send", "--prio", "1", self->q, "low",
			  NULL));
	ASSERT_EQ(0, kctl(&self->r, NULL, "send", "-p", "7", self->q, "high",
			  NULL));
	ASSERT_EQ(0, kctl(&self->r, NULL, "recv", self->q, NULL));
	ASSERT_STREQ("high", self->r.out);
	ASSERT_EQ(0, kctl(&self->r, NULL, "recv", self->q, NULL));
	ASSERT_STREQ("low", self->r.out);
}

TEST_F(kctl, recv_by_type)
{
	ASSERT_EQ(0, kctl(&self->r, NULL, "send", "--type", "1", self->q, "one",
			  NULL));
	ASSERT_EQ(0, kctl(&self->r, NULL, "send", "--type", "2", self->q, "two",
			  NULL));
	ASSERT_EQ(0, kctl(&self->r, NULL, "recv", "--type", "2", self->q, NULL));
	ASSERT_STREQ("two", self->r.out);
}

TEST_F(kctl, recv_nonblock_empty)
{
	ASSERT_EQ(1, kctl(&self->r, NULL, "recv", "--nonblock", self->q, NULL));
	ASSERT_NE(NULL, strstr(self->r.err, "queue is empty"));
	ASSERT_EQ(0, self->r.out[0]);
}

TEST_F(kctl, recv_timeout)
{
	ASSERT_EQ(1, kctl(&self->r, NULL, "recv", "--timeout", "50", self->q,
			  NULL));
	ASSERT_NE(NULL, strstr(self->r.err, "timed out"));
}

TEST_F(kctl, send_full_nonblock)
{
	for (int i = 0; i < 5; i++)
		ASSERT_EQ(0, kctl(&self->r, NULL, "send", self->q, "x", NULL));
	ASSERT_EQ(1, kctl(&self->r, NULL, "send", "-n", self->q, "x", NULL));
	ASSERT_NE(NULL, strstr(self->r.err, "queue is full"));
}

TEST_F(kctl, send_too_long)
{
	char big[201];

	memset(big, 'a', 200);
	big[200] = 0;
	ASSERT_EQ(1, kctl(&self->r, big, "send", self->q, NULL));
	ASSERT_NE(NULL, strstr(self->r.err, "Message too long"));
}

TEST_F(kctl, chmod_visible_in_stat)
{
	ASSERT_EQ(0, kctl(&self->r, NULL, "chmod", "604", self->q, NULL));
	ASSERT_EQ(0, kctl(&self->r, NULL, "stat", self->q, NULL));
	ASSERT_NE(NULL, strstr(self->r.out, "mode:          0604\n"));
}

TEST_F(kctl, chmod_bad_mode)
{
	ASSERT_EQ(2, kctl(&self->r, NULL, "chmod", "abc", self->q, NULL));
}

TEST_F(kctl, chown_visible_in_stat)
{
	ASSERT_EQ(0, kctl(&self->r, NULL, "chown", "65534:65534", self->q, NULL));
	ASSERT_EQ(0, kctl(&self->r, NULL, "--json", "stat", self->q, NULL));
	ASSERT_NE(NULL, strstr(self->r.out, "\"uid\": 65534,"));
	ASSERT_NE(NULL, strstr(self->r.out, "\"gid\": 65534,"));
}

TEST_F(kctl, chown_user_only_keeps_group)
{
	ASSERT_EQ(0, kctl(&self->r, NULL, "chown", "65534", self->q, NULL));
	ASSERT_EQ(0, kctl(&self->r, NULL, "--json", "stat", self->q, NULL));
	ASSERT_NE(NULL, strstr(self->r.out, "\"uid\": 65534,"));
	ASSERT_NE(NULL, strstr(self->r.out, "\"gid\": 0,"));
}

TEST_F(kctl, chown_bad_user)
{
	ASSERT_EQ(2, kctl(&self->r, NULL, "chown", "no-such-user-x", self->q,
			  NULL));
	ASSERT_NE(NULL, strstr(self->r.err, "invalid user"));
}

TEST_F(kctl, rm_then_gone)
{
	ASSERT_EQ(0, kctl(&self->r, NULL, "rm", self->q, NULL));
	ASSERT_EQ(0, kctl(&self->r, NULL, "ls", NULL));
	ASSERT_EQ(NULL, strstr(self->r.out, self->q));
	ASSERT_EQ(1, kctl(&self->r, NULL, "stat", "-q", self->q, NULL));
	ASSERT_EQ(1, kctl(&self->r, NULL, "rm", "-q", self->q, NULL));
	ASSERT_NE(NULL, strstr(self->r.err, "No such file or directory"));
}

TEST_F(kctl, region_create_stat_rm)
{
	if (!(features() & KIPC_FEAT_REGION))
		SKIP(return, "module has no regions");
	ASSERT_EQ(0, kctl(&self->r, NULL, "create", "-r", "--size", "8K",
			  self->rg, NULL)) TH_LOG("%s", self->r.err);
	ASSERT_EQ(0, kctl(&self->r, NULL, "stat", "--type", "region", "--json",
			  self->rg, NULL));
	ASSERT_NE(NULL, strstr(self->r.out, "\"type\": \"region\""));
	ASSERT_NE(NULL, strstr(self->r.out, "\"size\": 8192,"));
	ASSERT_EQ(0, kctl(&self->r, NULL, "ls", NULL));
	ASSERT_NE(NULL, strstr(self->r.out, self->rg));
	ASSERT_EQ(0, kctl(&self->r, NULL, "rm", self->rg, NULL));
	ASSERT_EQ(1, kctl(&self->r, NULL, "stat", "-r", self->rg, NULL));
}

TEST_F(kctl, same_name_needs_a_type)
{
	if (!(features() & KIPC_FEAT_REGION))
		SKIP(return, "module has no regions");
	ASSERT_EQ(0, kctl(&self->r, NULL, "create", "-r", "--size", "4096",
			  self->q, NULL));
	ASSERT_EQ(1, kctl(&self->r, NULL, "stat", self->q, NULL));
	ASSERT_NE(NULL, strstr(self->r.err, "both a queue and a region"));
	ASSERT_EQ(0, kctl(&self->r, NULL, "rm", "-r", self->q, NULL));
}

TEST_F(kctl, send_to_region_is_usage_error)
{
	ASSERT_EQ(2, kctl(&self->r, NULL, "send", "-r", self->q, "x", NULL));
}

TEST_HARNESS_MAIN
