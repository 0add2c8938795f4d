/* sysctl.h - the few /proc/sys switches minirun needs, each set only where it
 * must be (never route_localnet for all interfaces). */
#pragma once

#include "../common/err.h"

/* Write value to /proc/sys/<key> (dots as slashes) unless it already holds it. */
int sysctl_set(const char *key, const char *value, struct mr_err *err);
