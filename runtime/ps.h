/* ps.h - listing containers the way `docker ps` shows them. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "../common/err.h"
#include "state.h"

enum ps_format { PS_TABLE, PS_JSON, PS_QUIET /* -q: ids only */ };

int ps_print(const char *root, bool all, enum ps_format format, FILE *out, struct mr_err *err);
/* "Up 5 seconds" / "Exited (0) 3 seconds ago" / "Created" */
void ps_status(const struct container *c, bool alive, time_t now, char *buf, size_t len);
/* "About a minute", "5 seconds", "2 hours" (Docker's HumanDuration) */
void human_duration(time_t secs, char *buf, size_t len);
