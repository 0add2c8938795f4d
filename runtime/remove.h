/* remove.h - `minirun rm`: a stopped container's state, lease and rules go. */
#pragma once

#include "../common/err.h"

#include <stdbool.h>
#include <stddef.h>

/* Remove refs[0..n); force (rm -f): kill those that run first. Each ref is
 * reported in order, why = NULL when it was removed, else the error line.
 * Returns 0 when all were removed, -1 if any was not. */
int containers_remove(const char *root, char *const *refs, size_t n, bool force,
		      void (*report)(const char *ref, const char *why, void *data), void *data);
