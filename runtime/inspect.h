/* inspect.h - `minirun inspect` (Docker's JSON keys, the fields both have)
 * and `minirun port`. */
#pragma once

#include <stdio.h>

#include "../common/err.h"
#include "state.h"

/* A JSON array with one object per reference, as `docker inspect` prints. */
/* format: NULL for the JSON list, or a template (template.h) */
int inspect_print(const char *root, char **refs, int n, const char *format, FILE *out,
		  struct mr_err *err);
/* "80/tcp -> 0.0.0.0:8080", one line per published port. */
/* which: NULL for every binding, or "CPORT[/PROTO]" (default tcp) */
int port_print(const char *root, const char *ref, const char *which, FILE *out, struct mr_err *err);
/* Open the state root read-only; a missing root means "no such container". */
int open_root_for(const char *root, const char *ref, struct mr_err *err);
/* Look a container up by name or id prefix and load it. */
int container_find(int rootfd, const char *ref, struct container *c, struct mr_err *err);
/* Is the container's process alive? */
bool container_running(const struct container *c);
