// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl: list, inspect, create, remove, chmod/chown kipc queues and
 * regions, and send/receive queue messages from the shell (the ipcs/ipcrm of
 * kipc). Built on libkipc. See tools/man/kipcctl.1.
 *
 * Exit status: 0 success, 1 failure (an object could not be opened, created,
 * changed; no message arrived in time; ...), 2 usage error.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <kipc.h>

#ifndef KIPC_VERSION_STRING
#define KIPC_VERSION_STRING "1.0.0"
#endif

#define EXIT_USAGE	2
#define PROC_KIPC	"/proc/kipc"

static const char *prog = "kipcctl";

static struct {
	int json;
	int type;		/* 0: either, else enum kipc_type */
	const char *type_arg;	/* --type: object type, or message type */
	long max_msgs, max_msgsize, prio;
	unsigned long long size;
	long mode;
	long timeout_ms;
	int nonblock;
	int verbose;
} opt = { .max_msgs = -1, .max_msgsize = -1, .prio = -1, .mode = -1,
	  .timeout_ms = -1 };

static struct kipc k;
static int k_ok;

static void usage(FILE *f)
{
	fprintf(f,
"Usage:\n"
" %1$s [--json] ls\n"
" %1$s [--json] stat [-q|-r] NAME\n"
" %1$s create -q [--max-msgs N] [--max-msgsize BYTES] [--mode MODE] NAME\n"
" %1$s create -r --size BYTES [--mode MODE] NAME\n"
" %1$s rm [-q|-r] NAME...\n"
" %1$s chmod [-q|-r] MODE NAME\n"
" %1$s chown [-q|-r] USER[:GROUP] NAME\n"
" %1$s send [--prio N] [--type N] [--timeout MS|--nonblock] NAME [MESSAGE]\n"
" %1$s recv [--type N] [--timeout MS|--nonblock] [-v] NAME\n"
"\n"
"List and manage kipc message queues and shared-memory regions.\n"
"\n"
"Options:\n"
" -j, --json              JSON output (ls, stat)\n"
" -q, --queue             the object is a queue\n"
" -r, --region            the object is a region\n"
" -t, --type TYPE         ls/stat/create/rm/chmod/chown: queue or region;\n"
"                         send: message type; recv: receive only that type\n"
"     --max-msgs N        queue depth limit (create; 0: module default)\n"
"     --max-msgsize BYTES message size limit (create; 0: module default)\n"
" -s, --size BYTES        region size (create; K, M, G suffixes)\n"
" -m, --mode MODE         octal permission bits (create; default 0600)\n"
" -p, --prio N            message priority (send; default 0)\n"
" -T, --timeout MS        give up after MS milliseconds (send, recv)\n"
" -n, --nonblock          do not wait (send, recv)\n"
" -v, --verbose           recv: print the message's metadata on stderr\n"
" -h, --help              display this help\n"
" -V, --version           display version\n"
"\n"
"send reads the message from standard input when MESSAGE is not given;\n"
"recv writes it to standard output as it is.\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n"
"For more details see kipcctl(1).\n", prog);
}

static void __attribute__((format(printf, 1, 2))) warnx_(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int __attribute__((format(printf, 1, 2))) usage_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
	return EXIT_USAGE;
}

static const char *tname(int type)
{
	return type == KIPC_TYPE_QUEUE ? "queue" :
		type == KIPC_TYPE_REGION ? "region" : "object";
}

static int lib_init(void)
{
	int ret = kipc_init(&k, 0);

	k_ok = !ret;
	if (ret) {
		warnx_("cannot open %s: %s%s", KIPC_DEVICE, strerror(-ret),
		       ret == -ENOENT ? " (is kipc.ko loaded?)" : "");
		return 1;
	}
	return 0;
}

/* ---- number parsing ------------------------------------------------------ */

static int parse_ull(const char *s, unsigned long long *v, int suffixes)
{
	char *end;

	if (!*s || *s == '-' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno)
		return -1;
	if (suffixes && *end) {
		int shift = strchr("kK", *end) ? 10 : strchr("mM", *end) ? 20 :
			strchr("gG", *end) ? 30 : -1;

		if (shift < 0 || end[1])
			return -1;
		if (*v > (~0ull >> shift))
			return -1;
		*v <<= shift;
		end++;
	}
	return *end ? -1 : 0;
}

static int parse_long(const char *s, long *v, long max, const char *what)
{
	unsigned long long x;

	if (parse_ull(s, &x, 0) || x > (unsigned long long)max)
		return usage_err("invalid %s: '%s'", what, s);
	*v = x;
	return 0;
}

static int parse_mode(const char *s, long *v)
{
	char *end;

	if (!*s || !isdigit((unsigned char)*s))
		return -1;
	*v = strtol(s, &end, 8);
	return *end || *v > 0777 ? -1 : 0;
}

/* ---- object access ------------------------------------------------------- */

static int open_as(int type, const char *name, unsigned int flags)
{
	if (type == KIPC_TYPE_QUEUE)
		return kipc_mq_open(&k, name, flags, 0, NULL);
	return kipc_shm_open(&k, name, flags, 0, 0);
}

/*
 * Open NAME for inspection or management: read access, else write access.
 * With no type given, a queue or a region of that name; *@type gets which.
 */
static int open_obj(const char *name, int *type, unsigned int want)
{
	int types[2] = { KIPC_TYPE_QUEUE, KIPC_TYPE_REGION };
	int found = -1, err = -ENOENT, fd = -1;

	for (int i = 0; i < 2; i++) {
		int t = types[i], f;

		if (*type && *type != t)
			continue;
		f = open_as(t, name, want ? want : KIPC_OPEN_READ);
		if (f == -EACCES && !want)
			f = open_as(t, name, KIPC_OPEN_WRITE);
		if (f == -ENOENT)
			continue;
		if (found >= 0) {
			if (f >= 0)
				close(f);
			close(fd);
			warnx_("'%s' is both a queue and a region: use -q or -r",
			       name);
			return -EEXIST;
		}
		found = t;
		fd = f;
		err = f;
	}
	if (found < 0 || fd < 0) {
		warnx_("cannot open %s '%s': %s", tname(found < 0 ? *type : found),
		       name, strerror(-err));
		return err;
	}
	*type = found;
	return fd;
}

/* ---- /proc/kipc ---------------------------------------------------------- */

/* Fill @st from one /proc/kipc line, given the header's column names. */
static void proc_row(char **cols, int ncols, char *line, struct kipc_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	for (int i = 0; i < ncols && line; i++) {
		char *next = strchr(line, '\t');
		unsigned long long v;

		if (next)
			*next++ = 0;
		v = strtoull(line, NULL, !strcmp(cols[i], "mode") ? 8 : 10);
		if (!strcmp(cols[i], "type"))
			st->type = !strcmp(line, "queue") ? KIPC_TYPE_QUEUE :
				KIPC_TYPE_REGION;
		else if (!strcmp(cols[i], "name"))
			snprintf((char *)st->name, sizeof(st->name), "%s", line);
		else if (!strcmp(cols[i], "id"))
			st->id = v;
		else if (!strcmp(cols[i], "uid"))
			st->uid = v;
		else if (!strcmp(cols[i], "gid"))
			st->gid = v;
		else if (!strcmp(cols[i], "mode"))
			st->mode = v;
		else if (!strcmp(cols[i], "flags"))
			st->flags = v;
		else if (!strcmp(cols[i], "handles"))
			st->handles = v;
		else if (!strcmp(cols[i], "bytes"))
			st->bytes = v;
		else if (!strcmp(cols[i], "waiters"))
			st->waiters = v;
		else if (!strcmp(cols[i], "max_msgs"))
			st->max_msgs = v;
		else if (!strcmp(cols[i], "max_msgsize"))
			st->max_msgsize = v;
		else if (!strcmp(cols[i], "msgs"))
			st->msgs = v;
		else if (!strcmp(cols[i], "sent"))
			st->total_sent = v;
		else if (!strcmp(cols[i], "received"))
			st->total_received = v;
		else if (!strcmp(cols[i], "mappings"))
			st->mappings = v;
		else if (!strcmp(cols[i], "doorbell"))
			st->doorbell = v;
		else if (!strcmp(cols[i], "lock_holders"))
			st->lock_holders = v;
		line = next;
	}
}

/* Read /proc/kipc into *@out; returns the count or -errno. */
static int proc_list(struct kipc_stat **out)
{
	char *cols[64], header[1024], *line = NULL;
	struct kipc_stat *v = NULL;
	size_t cap = 0;
	int n = 0, ncols = 0;
	FILE *f = fopen(PROC_KIPC, "re");

	if (!f)
		return -errno;
	if (!fgets(header, sizeof(header), f)) {
		fclose(f);
		return -EIO;
	}
	header[strcspn(header, "\n")] = 0;
	for (char *s = strtok(header, "\t"); s && ncols < 64; s = strtok(NULL, "\t"))
		cols[ncols++] = s;
	while (getline(&line, &cap, f) > 0) {
		struct kipc_stat *nv = realloc(v, (n + 1) * sizeof(*v));

		if (!nv)
			break;
		v = nv;
		line[strcspn(line, "\n")] = 0;
		proc_row(cols, ncols, line, &v[n++]);
	}
	free(line);
	fclose(f);
	*out = v;
	return n;
}

/* ---- output -------------------------------------------------------------- */

static const char *user_name(uint32_t uid)
{
	static char buf[4][32];
	static int i;
	struct passwd *pw = getpwuid(uid);

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s", pw ? pw->pw_name : "");
	if (!pw)
		snprintf(buf[i], sizeof(buf[i]), "%u", uid);
	return buf[i];
}

static const char *group_name(uint32_t gid)
{
	static char buf[4][32];
	static int i;
	struct group *gr = getgrgid(gid);

	i = (i + 1) % 4;
	if (gr)
		snprintf(buf[i], sizeof(buf[i]), "%s", gr->gr_name);
	else
		snprintf(buf[i], sizeof(buf[i]), "%u", gid);
	return buf[i];
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void json_obj(const struct kipc_stat *st, const char *indent)
{
	int q = st->type == KIPC_TYPE_QUEUE;

	printf("%s{\n%s  \"type\": \"%s\",\n%s  \"name\": ", indent, indent,
	       tname(st->type), indent);
	json_str((const char *)st->name);
	printf(",\n%s  \"id\": %" PRIu64 ",\n", indent, (uint64_t)st->id);
	printf("%s  \"uid\": %u,\n%s  \"owner\": ", indent, st->uid, indent);
	json_str(user_name(st->uid));
	printf(",\n%s  \"gid\": %u,\n%s  \"group\": ", indent, st->gid, indent);
	json_str(group_name(st->gid));
	printf(",\n%s  \"mode\": \"%04o\",\n", indent, st->mode);
	printf("%s  \"unlinked\": %s,\n", indent,
	       st->flags & KIPC_STAT_UNLINKED ? "true" : "false");
	printf("%s  \"autoremove\": %s,\n", indent,
	       st->flags & KIPC_STAT_AUTOREMOVE ? "true" : "false");
	printf("%s  \"handles\": %u,\n%s  \"waiters\": %u,\n", indent,
	       st->handles, indent, st->waiters);
	if (q) {
		printf("%s  \"max_msgs\": %u,\n%s  \"max_msgsize\": %u,\n",
		       indent, st->max_msgs, indent, st->max_msgsize);
		printf("%s  \"msgs\": %u,\n%s  \"bytes\": %" PRIu64 ",\n",
		       indent, st->msgs, indent, (uint64_t)st->bytes);
		printf("%s  \"sent\": %" PRIu64 ",\n%s  \"received\": %" PRIu64
		       "\n", indent, (uint64_t)st->total_sent, indent,
		       (uint64_t)st->total_received);
	} else {
		printf("%s  \"size\": %" PRIu64 ",\n%s  \"mappings\": %u,\n",
		       indent, (uint64_t)st->bytes, indent, st->mappings);
		printf("%s  \"doorbell\": %" PRIu64 ",\n%s  \"lock_holders\": %u\n",
		       indent, (uint64_t)st->doorbell, indent, st->lock_holders);
	}
	printf("%s}", indent);
}

static const char *human(uint64_t v)
{
	static char buf[4][24];
	static int i;
	const char *u = "KMGT";

	i = (i + 1) % 4;
	if (v < 1024 || v % 1024) {
		snprintf(buf[i], sizeof(buf[i]), "%" PRIu64, v);
		return buf[i];
	}
	v /= 1024;
	while (v >= 1024 && !(v % 1024) && u[1]) {
		v /= 1024;
		u++;
	}
	snprintf(buf[i], sizeof(buf[i]), "%" PRIu64 "%c", v, *u);
	return buf[i];
}

static int cmd_ls(void)
{
	struct kipc_stat *v = NULL;
	int n = proc_list(&v);

	if (n < 0) {
		warnx_("cannot read %s: %s%s", PROC_KIPC, strerror(-n),
		       n == -ENOENT ? " (is kipc.ko loaded?)" : "");
		return 1;
	}
	if (opt.json) {
		int first = 1;

		printf("{\n  \"objects\": [");
		for (int i = 0; i < n; i++) {
			if (opt.type && v[i].type != (uint32_t)opt.type)
				continue;
			printf("%s\n", first ? "" : ",");
			json_obj(&v[i], "    ");
			first = 0;
		}
		printf("%s]\n}\n", first ? "" : "\n  ");
		free(v);
		return 0;
	}
	printf("%-6s %-24s %-8s %-8s %-5s %12s %6s %9s %7s %4s %7s\n", "TYPE",
	       "NAME", "OWNER", "GROUP", "PERMS", "SIZE/LIMIT", "MSGS",
	       "BYTES", "HANDLES", "MAPS", "WAITERS");
	for (int i = 0; i < n; i++) {
		const struct kipc_stat *st = &v[i];
		char lim[32], name[80];

		if (opt.type && st->type != (uint32_t)opt.type)
			continue;
		snprintf(name, sizeof(name), "%s%s", (const char *)st->name,
			 st->flags & KIPC_STAT_UNLINKED ? " (deleted)" : "");
		if (st->type == KIPC_TYPE_QUEUE) {
			snprintf(lim, sizeof(lim), "%ux%s", st->max_msgs,
				 human(st->max_msgsize));
			printf("%-6s %-24s %-8s %-8s %04o  %12s %6u %9" PRIu64
			       " %7u %4s %7u\n", "queue", name,
			       user_name(st->uid), group_name(st->gid), st->mode,
			       lim, st->msgs, (uint64_t)st->bytes, st->handles,
			       "-", st->waiters);
		} else {
			printf("%-6s %-24s %-8s %-8s %04o  %12s %6s %9s %7u %4u %7u\n",
			       "region", name, user_name(st->uid),
			       group_name(st->gid), st->mode, human(st->bytes),
			       "-", "-", st->handles, st->mappings, st->waiters);
		}
	}
	free(v);
	return 0;
}

static void print_stat(const struct kipc_stat *st)
{
	printf("%s %s\n", tname(st->type), (const char *)st->name);
	printf("  id:            %" PRIu64 "\n", (uint64_t)st->id);
	printf("  owner:         %s (%u)\n", user_name(st->uid), st->uid);
	printf("  group:         %s (%u)\n", group_name(st->gid), st->gid);
	printf("  mode:          %04o\n", st->mode);
	printf("  flags:        %s%s%s\n",
	       st->flags & KIPC_STAT_UNLINKED ? " unlinked" : "",
	       st->flags & KIPC_STAT_AUTOREMOVE ? " autoremove" : "",
	       st->flags & (KIPC_STAT_UNLINKED | KIPC_STAT_AUTOREMOVE) ?
	       "" : " -");
	printf("  handles:       %u\n", st->handles);
	printf("  waiters:       %u\n", st->waiters);
	if (st->type == KIPC_TYPE_QUEUE) {
		printf("  max msgs:      %u\n", st->max_msgs);
		printf("  max msgsize:   %u\n", st->max_msgsize);
		printf("  msgs:          %u\n", st->msgs);
		printf("  bytes:         %" PRIu64 "\n", (uint64_t)st->bytes);
		printf("  sent:          %" PRIu64 "\n", (uint64_t)st->total_sent);
		printf("  received:      %" PRIu64 "\n",
		       (uint64_t)st->total_received);
		printf("  send waiters:  %u\n", st->send_waiters);
		if (st->notify_pid)
			printf("  notify pid:    %d\n", st->notify_pid);
	} else {
		printf("  size:          %" PRIu64 "\n", (uint64_t)st->bytes);
		printf("  mappings:      %u\n", st->mappings);
		printf("  doorbell:      %" PRIu64 "\n", (uint64_t)st->doorbell);
		printf("  lock holders:  %u%s%s%s\n", st->lock_holders,
		       st->flags & KIPC_STAT_LOCK_EXCL ? " (exclusive)" : "",
		       st->flags & KIPC_STAT_LOCK_SHARED ? " (shared)" : "",
		       st->flags & KIPC_STAT_LOCK_OWNERDEAD ?
		       " (owner died)" : "");
	}
}

static int cmd_stat(char **args, int nargs)
{
	struct kipc_stat st;
	int type = opt.type, fd, ret;

	if (nargs != 1)
		return usage_err("stat takes one NAME");
	if (lib_init())
		return 1;
	fd = open_obj(args[0], &type, 0);
	if (fd < 0)
		return 1;
	ret = kipc_stat(fd, &st);
	close(fd);
	if (ret) {
		warnx_("cannot stat %s '%s': %s", tname(type), args[0],
		       strerror(-ret));
		return 1;
	}
	if (opt.json) {
		json_obj(&st, "");
		putchar('\n');
	} else {
		print_stat(&st);
	}
	return 0;
}

static int cmd_create(char **args, int nargs)
{
	unsigned int fl = KIPC_OPEN_CREAT | KIPC_OPEN_EXCL | KIPC_OPEN_READ |
		KIPC_OPEN_WRITE;
	mode_t mode = opt.mode >= 0 ? opt.mode : 0600;
	int fd;

	if (nargs != 1)
		return usage_err("create takes one NAME");
	if (!opt.type)
		return usage_err("create needs -q (queue) or -r (region)");
	if (opt.type == KIPC_TYPE_QUEUE && opt.size)
		return usage_err("--size is for regions");
	if (opt.type == KIPC_TYPE_REGION &&
	    (opt.max_msgs >= 0 || opt.max_msgsize >= 0))
		return usage_err("--max-msgs and --max-msgsize are for queues");
	if (opt.type == KIPC_TYPE_REGION && !opt.size)
		return usage_err("a region needs --size");
	if (lib_init())
		return 1;
	if (opt.type == KIPC_TYPE_QUEUE) {
		struct kipc_mq_attr a = {
			.max_msgs = opt.max_msgs > 0 ? opt.max_msgs : 0,
			.max_msgsize = opt.max_msgsize > 0 ? opt.max_msgsize : 0,
		};

		fd = kipc_mq_open(&k, args[0], fl, mode, &a);
	} else {
		fd = kipc_shm_open(&k, args[0], fl, mode, opt.size);
	}
	if (fd < 0) {
		warnx_("cannot create %s '%s': %s", tname(opt.type), args[0],
		       strerror(-fd));
		return 1;
	}
	close(fd);
	return 0;
}

/* The type of the live object called @name; 0 if none, -1 if both. */
static int find_type(const char *name)
{
	struct kipc_stat *v = NULL;
	int n = proc_list(&v), type = 0;

	for (int i = 0; i < n; i++) {
		if (strcmp((const char *)v[i].name, name) ||
		    (v[i].flags & KIPC_STAT_UNLINKED))
			continue;
		type = type && type != (int)v[i].type ? -1 : (int)v[i].type;
	}
	free(v);
	return type;
}

static int cmd_rm(char **args, int nargs)
{
	int rc = 0;

	if (nargs < 1)
		return usage_err("rm takes at least one NAME");
	if (lib_init())
		return 1;
	for (int i = 0; i < nargs; i++) {
		int type = opt.type ? opt.type : find_type(args[i]), ret;

		if (type < 0) {
			warnx_("'%s' is both a queue and a region: use -q or -r",
			       args[i]);
			rc = 1;
			continue;
		}
		if (!type) {
			warnx_("cannot remove '%s': %s", args[i],
			       strerror(ENOENT));
			rc = 1;
			continue;
		}
		ret = type == KIPC_TYPE_QUEUE ? kipc_mq_unlink(&k, args[i]) :
			kipc_shm_unlink(&k, args[i]);
		if (ret) {
			warnx_("cannot remove %s '%s': %s", tname(type), args[i],
			       strerror(-ret));
			rc = 1;
		}
	}
	return rc;
}

static int cmd_chmod(char **args, int nargs)
{
	int type = opt.type, fd, ret;
	long mode;

	if (nargs != 2)
		return usage_err("chmod takes MODE and NAME");
	if (parse_mode(args[0], &mode))
		return usage_err("invalid mode: '%s'", args[0]);
	if (lib_init())
		return 1;
	fd = open_obj(args[1], &type, 0);
	if (fd < 0)
		return 1;
	ret = kipc_fchmod(fd, mode);
	close(fd);
	if (ret) {
		warnx_("cannot change mode of %s '%s': %s", tname(type),
		       args[1], strerror(-ret));
		return 1;
	}
	return 0;
}

static int parse_id(const char *s, int group, uint32_t *id)
{
	unsigned long long v;

	if (!parse_ull(s, &v, 0) && v < 0xffffffffull) {
		*id = v;
		return 0;
	}
	if (group) {
		struct group *g = getgrnam(s);

		if (g) {
			*id = g->gr_gid;
			return 0;
		}
	} else {
		struct passwd *p = getpwnam(s);

		if (p) {
			*id = p->pw_uid;
			return 0;
		}
	}
	return -1;
}

static int cmd_chown(char **args, int nargs)
{
	int type = opt.type, fd, ret;
	char *spec, *colon;
	struct kipc_stat st;
	uint32_t uid, gid;

	if (nargs != 2)
		return usage_err("chown takes USER[:GROUP] and NAME");
	spec = args[0];
	colon = strchr(spec, ':');
	if (colon)
		*colon++ = 0;
	if (parse_id(spec, 0, &uid))
		return usage_err("invalid user: '%s'", spec);
	if (colon && parse_id(colon, 1, &gid))
		return usage_err("invalid group: '%s'", colon);
	if (lib_init())
		return 1;
	fd = open_obj(args[1], &type, 0);
	if (fd < 0)
		return 1;
	ret = colon ? 0 : kipc_stat(fd, &st);
	if (!colon && !ret)
		gid = st.gid;
	if (!ret)
		ret = kipc_fchown(fd, uid, gid);
	close(fd);
	if (ret) {
		warnx_("cannot change owner of %s '%s': %s", tname(type),
		       args[1], strerror(-ret));
		return 1;
	}
	return 0;
}

static uint32_t wait_flags(struct kipc_msg *m)
{
	if (opt.nonblock)
		return KIPC_F_NONBLOCK;
	if (opt.timeout_ms >= 0) {
		m->timeout_ns = opt.timeout_ms * 1000000ll;
		return KIPC_F_TIMEOUT;
	}
	return 0;
}

static int msg_type(uint64_t *type)
{
	unsigned long long v;

	if (!opt.type_arg)
		return 0;
	if (parse_ull(opt.type_arg, &v, 0))
		return usage_err("invalid message type: '%s'", opt.type_arg);
	*type = v;
	return 0;
}

static int cmd_send(char **args, int nargs)
{
	struct kipc_stat st;
	struct kipc_msg m;
	uint64_t type = 0;
	char *buf = NULL;
	size_t len = 0;
	int qd, ret;

	if (nargs < 1 || nargs > 2)
		return usage_err("send takes NAME and an optional MESSAGE");
	if (msg_type(&type))
		return EXIT_USAGE;
	if (lib_init())
		return 1;
	qd = kipc_mq_open(&k, args[0], KIPC_OPEN_WRITE, 0, NULL);
	if (qd < 0) {
		warnx_("cannot open queue '%s': %s", args[0], strerror(-qd));
		return 1;
	}
	if (nargs == 2) {
		buf = strdup(args[1]);
		len = strlen(args[1]);
	} else {
		size_t cap = 0;

		/* Read stdin up to one byte past the queue's limit. */
		if (!kipc_stat(qd, &st))
			cap = st.max_msgsize + 1;
		if (!cap)
			cap = 1 << 20;
		buf = malloc(cap);
		while (buf && len < cap) {
			ssize_t n = read(0, buf + len, cap - len);

			if (n < 0) {
				warnx_("cannot read standard input: %s",
				       strerror(errno));
				close(qd);
				free(buf);
				return 1;
			}
			if (!n)
				break;
			len += n;
		}
	}
	if (!buf) {
		warnx_("out of memory");
		close(qd);
		return 1;
	}
	kipc_msg_init(&m, buf, len);
	m.prio = opt.prio >= 0 ? opt.prio : 0;
	m.type = type;
	m.flags = wait_flags(&m);
	ret = kipc_mq_sendmsg(qd, &m);
	close(qd);
	free(buf);
	if (ret) {
		warnx_("cannot send to queue '%s': %s", args[0],
		       ret == -EAGAIN ? "queue is full" : strerror(-ret));
		return 1;
	}
	return 0;
}

static int cmd_recv(char **args, int nargs)
{
	struct kipc_stat st;
	struct kipc_msg m;
	uint64_t type = 0;
	ssize_t n;
	char *buf;
	int qd, ret;

	if (nargs != 1)
		return usage_err("recv takes one NAME");
	if (msg_type(&type))
		return EXIT_USAGE;
	if (lib_init())
		return 1;
	qd = kipc_mq_open(&k, args[0], KIPC_OPEN_READ, 0, NULL);
	if (qd < 0) {
		warnx_("cannot open queue '%s': %s", args[0], strerror(-qd));
		return 1;
	}
	ret = kipc_stat(qd, &st);
	if (ret) {
		warnx_("cannot stat queue '%s': %s", args[0], strerror(-ret));
		close(qd);
		return 1;
	}
	buf = malloc(st.max_msgsize ? st.max_msgsize : 1);
	if (!buf) {
		close(qd);
		return 1;
	}
	kipc_msg_init(&m, buf, st.max_msgsize);
	m.flags = wait_flags(&m);
	if (opt.type_arg) {
		m.flags |= KIPC_MSG_BYTYPE;
		m.type = type;
	}
	n = kipc_mq_receivemsg(qd, &m);
	close(qd);
	if (n < 0) {
		warnx_("cannot receive from queue '%s': %s", args[0],
		       n == -EAGAIN ? "queue is empty" :
		       n == -ETIMEDOUT ? "timed out" : strerror((int)-n));
		free(buf);
		return 1;
	}
	if (opt.verbose)
		fprintf(stderr, "%s: %zd bytes, prio %u, type %" PRIu64
			", from pid %d uid %u gid %u\n", prog, n, m.prio,
			(uint64_t)m.type, m.pid, m.uid, m.gid);
	if (fwrite(buf, 1, n, stdout) != (size_t)n || fflush(stdout)) {
		warnx_("write error: %s", strerror(errno));
		free(buf);
		return 1;
	}
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	enum { O_MAXMSGS = 256, O_MAXMSGSIZE };
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "queue", no_argument, NULL, 'q' },
		{ "region", no_argument, NULL, 'r' },
		{ "type", required_argument, NULL, 't' },
		{ "max-msgs", required_argument, NULL, O_MAXMSGS },
		{ "max-msgsize", required_argument, NULL, O_MAXMSGSIZE },
		{ "size", required_argument, NULL, 's' },
		{ "mode", required_argument, NULL, 'm' },
		{ "prio", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "nonblock", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		const char *name;
		int (*fn)(char **args, int nargs);
	} cmds[] = {
		{ "stat", cmd_stat }, { "create", cmd_create },
		{ "rm", cmd_rm }, { "chmod", cmd_chmod },
		{ "chown", cmd_chown }, { "send", cmd_send },
		{ "recv", cmd_recv },
	};
	int c, ret;
	const char *cmd;

	while ((c = getopt_long(argc, argv, "jqrt:s:m:p:T:nvhV", lo, NULL)) != -1) {
		unsigned long long v;

		switch (c) {
		case 'j':
			opt.json = 1;
			break;
		case 'q':
		case 'r':
			opt.type = c == 'q' ? KIPC_TYPE_QUEUE : KIPC_TYPE_REGION;
			break;
		case 't':
			opt.type_arg = optarg;
			break;
		case O_MAXMSGS:
			if (parse_long(optarg, &opt.max_msgs, 0xffffffffl,
				       "--max-msgs"))
				return EXIT_USAGE;
			break;
		case O_MAXMSGSIZE:
			if (parse_ull(optarg, &v, 1) || v > 0xffffffffull)
				return usage_err("invalid --max-msgsize: '%s'",
						 optarg);
			opt.max_msgsize = v;
			break;
		case 's':
			if (parse_ull(optarg, &opt.size, 1) || !opt.size)
				return usage_err("invalid size: '%s'", optarg);
			break;
		case 'm':
			if (parse_mode(optarg, &opt.mode))
				return usage_err("invalid mode: '%s'", optarg);
			break;
		case 'p':
			if (parse_long(optarg, &opt.prio, KIPC_PRIO_MAX - 1,
				       "priority"))
				return EXIT_USAGE;
			break;
		case 'T':
			if (parse_long(optarg, &opt.timeout_ms, 0x7fffffffl,
				       "timeout"))
				return EXIT_USAGE;
			break;
		case 'n':
			opt.nonblock = 1;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("%s from kipc %s\n", prog, KIPC_VERSION_STRING);
			return 0;
		default:
			fprintf(stderr, "Try '%s --help' for more information.\n",
				prog);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return usage_err("no command given");
	cmd = argv[optind++];
	if (!strcmp(cmd, "send") || !strcmp(cmd, "recv")) {
		if (opt.type == KIPC_TYPE_REGION)
			return usage_err("%s works on queues only", cmd);
	} else if (opt.type_arg) {
		if (!strcmp(opt.type_arg, "queue"))
			opt.type = KIPC_TYPE_QUEUE;
		else if (!strcmp(opt.type_arg, "region"))
			opt.type = KIPC_TYPE_REGION;
		else
			return usage_err("invalid type: '%s' (queue or region)",
					 opt.type_arg);
	}
	if (opt.json && strcmp(cmd, "ls") && strcmp(cmd, "list") &&
	    strcmp(cmd, "stat"))
		return usage_err("--json is for ls and stat");
	if (!strcmp(cmd, "ls") || !strcmp(cmd, "list")) {
		if (optind < argc)
			return usage_err("ls takes no arguments");
		return cmd_ls();
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(cmd, cmds[i].name))
			continue;
		ret = cmds[i].fn(argv + optind, argc - optind);
		if (k_ok)
			kipc_exit(&k);
		return ret;
	}
	return usage_err("unknown command '%s'", cmd);
}
