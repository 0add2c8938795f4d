/* doctor.h - `minirun doctor`: what on this host would break container
 * networking, each with the fix. Looks only; changes nothing. */
#pragma once

#include <stdio.h>

#include "../common/err.h"

/* rootfd: the state root (for the subnet in ROOT/ipam/network.json), or -1. Returns the
 * number of problems found (lines marked FAIL), or -1 with err. */
int doctor_run(int rootfd, FILE *out, struct mr_err *err);
