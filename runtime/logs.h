/* logs.h - `minirun logs`: what a detached container wrote. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "../common/err.h"

/* tail < 0: everything. follow: keep printing until the container ends. */
int logs_print(const char *root, const char *ref, long tail, bool follow, FILE *out,
	       struct mr_err *err);
