/* sysctl.h - the few /proc/sys switches minirun needs, each set only where it
 * must be (never route_localnet for all interfaces). */
#pragma once

#include <stddef.h>

#include "../common/err.h"

/* Write value to /proc/sys/<key> (dots as slashes) unless it already holds it. */
int sysctl_set(const char *key, const char *value, struct mr_err *err);
/* In the network namespace netns_fd (ns: its by-hand name for --explain),
 * write each kv[i][1] to /proc/sys/kv[i][0] (slashes); a file that is missing
 * is skipped (no IPv6). The caller's namespace is back on return. */
int sysctl_set_in_netns(int netns_fd, const char *ns, const char *const (*kv)[2], size_t n,
			struct mr_err *err);
