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

int sysctl_set_in_netns(int netns_fd, const char *ns, const char *const (*kv)[2], size_t n,
			struct mr_err *err)
{
	_cleanup_close_ int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int r = 0;

	if (self < 0)
		return mr_error(err, errno, "open /proc/self/ns/net");
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return mr_error(err, errno, "enter container network namespace");
	for (size_t i = 0; i < n && r == 0; i++) {
		char path[256], arg[256], *p;
		snprintf(path, sizeof(path), "/proc/sys/%s", kv[i][0]);
		if (explain_on() && access(path, F_OK) == 0) {
			snprintf(arg, sizeof(arg), "%s=%s", kv[i][0], kv[i][1]);
			for (p = arg; *p != '='; p++)
				if (*p == '/')
					*p = '.';
			EXPLAIN(EXPLAIN_HOST, "ip", "netns", "exec", ns, "sysctl", "-w", arg);
		}
		if (write_string_file(path, kv[i][1]) < 0 && errno != ENOENT)
			r = mr_error(err, errno, "write %s", path);
	}
	/* minirun is single-threaded; failing to come back would leave us in
	 * the wrong namespace for everything that follows, so that is fatal. */
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	return r;
}
