/* remove.h - `minirun rm`: a stopped container's state, lease and rules go. */
#pragma once

#include "../common/err.h"

#include <stdbool.h>

/* force: kill a running container first (rm -f). */
int container_remove(const char *root, const char *ref, bool force, struct mr_err *err);
