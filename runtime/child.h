/* child.h - the container side of `run`: everything the cloned process does
 * between clone and exec. It never returns. */
#pragma once

#include <signal.h>
#include <stdbool.h>

#include "rootfs.h"
#include "security.h"

struct child_cfg {
	/* the network namespace's settings are ours to write (bridge mode) */
	bool netns_sysctls;
	struct rootfs_cfg fs;
	const char *hostname;
	char *const *argv;
	char *const *env; /* complete environment, PATH included */
	const char *workdir;
	bool interactive;
	bool tty;  /* -t: a pty from the container's devpts as stdio */
	bool init; /* --init: our own reaper is PID 1 */
	struct security sec;
};

__attribute__((noreturn)) void child_main(const struct child_cfg *cfg, int sync_fd);

/* stdin/stdout/stderr of a container process: -t: a pty of the container's
 * devpts (its master goes to the parent over sync_fd); else stdin is
 * /dev/null unless -i. We must be a session leader for -t. */
int setup_stdio(int sync_fd, bool tty, bool interactive, struct mr_err *err);

/* Before the seccomp filter of a container process: every signal's
 * disposition the default (exec keeps an ignored one). */
void signals_default(void);
/* Just before exec in a container: every fd above 2 close-on-exec, every
 * signal unblocked. */
void prepare_exec(void);

/* Exec argv with PATH taken from env, Docker's way: 127 when not found, 126
 * when found but not executable. Returns only on failure, with err set. */
int exec_command(char *const *argv, char *const *env, struct mr_err *err);
