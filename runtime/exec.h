/* exec.h - `minirun exec`: a command inside a running container. */
#pragma once

#include <stdbool.h>

#include "../common/err.h"
#include "../common/strv.h"

struct exec_opts {
	const char *ref;
	char **argv;	 /* CMD [ARG...] */
	struct strv env; /* -e KEY=VAL */
	const char *workdir;
	const char *default_workdir; /* filled from the container's state */
	bool interactive;
	bool tty; /* -t: a pty of the container's devpts */
};

/* Returns the command's exit status (Docker's mapping), or -1 with err
 * (status 126/127 when the command cannot run, 125 otherwise). */
int container_exec(const char *root, struct exec_opts *o, struct mr_err *err);
