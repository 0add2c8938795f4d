/* sysctl.c - /proc/sys writes; they act on the network namespace of the
 * thread that opens the file. */
#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/explain.h"
#include "../common/fd.h"

int sysctl_set(const char *key, const char *value, struct mr_err *err)
{
	char path[256], *p;
	_cleanup_free_ char *old = NULL;

	snprintf(path, sizeof(path), "/proc/sys/%s", key);
	for (p = path + strlen("/proc/sys/"); *p; p++)
		if (*p == '.')
			*p = '/';
	if (read_file_at(AT_FDCWD, path, &old, NULL) == 0 &&
	    strncmp(old, value, strlen(value)) == 0 &&
	    (old[strlen(value)] == '\n' || old[strlen(value)] == '\0'))
		return 0;
	if (explain_on()) {
		char kv[320];
		snprintf(kv, sizeof(kv), "%s=%s", key, value);
		EXPLAIN(EXPLAIN_HOST, "sysctl", "-w", kv);
	}
	if (write_string_file(path, value) < 0)
		return mr_error(err, errno, "sysctl %s=%s", key, value);
	return 0;
}

/* No IPv6 router advertisements are accepted (default: every interface made
 * later; eth0 if it is there already; all). And Docker's: any user may bind
 * ports below 1024 and open ICMP echo sockets (ping without CAP_NET_RAW). */
static const char *const netns_defaults[][2] = {{"net/ipv6/conf/default/accept_ra", "0"},
						{"net/ipv6/conf/all/accept_ra", "0"},
						{"net/ipv6/conf/eth0/accept_ra", "0"},
						{"net/ipv4/ip_unprivileged_port_start", "0"},
						{"net/ipv4/ping_group_range", "0 2147483647"}};

static int write_netns_defaults(const char *ns, struct mr_err *err)
{
	for (size_t i = 0; i < sizeof(netns_defaults) / sizeof(netns_defaults[0]); i++) {
		char path[128], arg[128], *p;
		snprintf(path, sizeof(path), "/proc/sys/%s", netns_defaults[i][0]);
		if (explain_on() && access(path, F_OK) == 0) {
			snprintf(arg, sizeof(arg), "%s=%s", netns_defaults[i][0],
				 netns_defaults[i][1]);
			for (p = arg; *p != '='; p++)
				if (*p == '/')
					*p = '.';
			if (ns)
				EXPLAIN(EXPLAIN_HOST, "ip", "netns", "exec", ns, "sysctl", "-w",
					arg);
			else
				EXPLAIN(EXPLAIN_CTR, "sysctl", "-w", arg);
		}
		/* a missing file: no IPv6, or no eth0 (yet), nothing to do */
		if (write_string_file(path, netns_defaults[i][1]) < 0 && errno != ENOENT)
			return mr_error(err, errno, "write %s", path);
	}
	return 0;
}

int sysctl_netns_defaults(int netns_fd, const char *ns, struct mr_err *err)
{
	_cleanup_close_ int self = -1;
	int r;

	if (netns_fd < 0)
		return write_netns_defaults(NULL, err);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return mr_error(err, errno, "open /proc/self/ns/net");
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return mr_error(err, errno, "enter container network namespace");
	r = write_netns_defaults(ns, err);
	/* minirun is single-threaded; failing to come back would leave us in
	 * the wrong namespace for everything that follows, so that is fatal. */
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	return r;
}
