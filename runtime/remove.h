/* remove.h - `minirun rm`: a stopped container's state, lease and rules go. */
#pragma once

#include "../common/err.h"

int container_remove(const char *root, const char *ref, struct mr_err *err);
