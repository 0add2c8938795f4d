/* run.h - the `minirun run` lifecycle. */
#pragma once

#include "../cli/run_opts.h"
#include "../common/err.h"

/* Run a container in the foreground. Returns its exit status (Docker's
 * mapping), or -1 with err set (err->status: 125, 126 or 127). */
int run_container(const char *root, const struct run_opts *o, struct mr_err *err);
