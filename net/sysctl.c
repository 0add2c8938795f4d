/* sysctl.c - /proc/sys writes; they act on the caller's network namespace. */
#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

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
