/* sysctl.h - the few /proc/sys switches minirun needs, each set only where it
 * must be (never route_localnet for all interfaces). */
#pragma once

#include <stddef.h>

#include "../common/err.h"

/* Write value to /proc/sys/<key> (dots as slashes) unless it already holds it. */
int sysctl_set(const char *key, const char *value, struct mr_err *err);
/* A container's own network namespace's settings (accept_ra 0; Docker's
 * ip_unprivileged_port_start and ping_group_range), each /proc/sys file that
 * is missing skipped. Written in netns_fd (ns: its by-hand name for
 * --explain), entered for a moment; or with netns_fd -1 in the caller's own
 * (the container's process, before /proc/sys is read-only). */
int sysctl_netns_defaults(int netns_fd, const char *ns, struct mr_err *err);
