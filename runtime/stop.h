/* stop.h - signalling running containers: `kill`, `stop`, and the waiting
 * that `rm -f` needs. */
#pragma once

#include <stdbool.h>

#include "../common/err.h"
#include "state.h"

/* "TERM", "SIGTERM", "15" -> 15; -1 if none. */
int parse_signal(const char *s);
int container_kill(const char *root, const char *ref, int sig, struct mr_err *err);
/* SIGTERM, then SIGKILL after timeout seconds; returns once the container's
 * monitor has recorded its end. A stopped container is not an error. */
int container_stop(const char *root, const char *ref, int timeout, struct mr_err *err);
/* Wait (bounded) for the process that owns c (its monitor or foreground
 * minirun) to finish its undo path. */
bool wait_owner_gone(const struct container *c, int timeout_ms);
