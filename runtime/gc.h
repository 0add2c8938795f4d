/* gc.h - `minirun gc`: take back what containers whose processes are gone
 * (after a crash or a reboot) still hold. Running it twice is harmless. */
#pragma once

#include <stdio.h>

#include "../common/err.h"

int gc_run(const char *root, FILE *out, struct mr_err *err);
