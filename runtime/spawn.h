/* spawn.h - starting the container process, and the parent<->child protocol
 * on a SOCK_SEQPACKET sync socket: the child mounts the image, waits for
 * "files" (the /etc files it binds are written), finishes its mounts, waits
 * for "go" (the network is ready), then execs. The socket is close-on-exec, so
 * end-of-file after "go" means the exec succeeded; any failure on the way
 * arrives as one message carrying the exit status, errno and text. */
#pragma once

#include <sys/types.h>

#include "../common/err.h"

enum sync_type { SYNC_GO = 1, SYNC_ERROR = 2, SYNC_PTY = 3, SYNC_FILES = 4 };

struct sync_msg {
	int type;
	int status; /* 125, 126 or 127 */
	int errnum;
	char text[1024];
};

/* clone(2) the child into new namespaces (flags: CLONE_NEW*); returns the
 * child's pid in the parent, 0 in the child; *child_fd / *parent_fd are the
 * two ends of the sync socket (each side closes the other's). */
pid_t spawn_clone(unsigned long flags, int *parent_fd, int *child_fd, struct mr_err *err);

/* Parent side: tell the child to go on (SYNC_FILES, SYNC_GO). */
int sync_send(int fd, enum sync_type type);
/* Child side: send err as an error message, then _exit(err->status). */
__attribute__((noreturn)) void sync_fail(int fd, const struct mr_err *err);
/* Child side: block until the parent sends type; -1 if it went away. */
int sync_wait(int fd, enum sync_type type);
/* Parent side, after a failure of its own: if the child has reported an
 * error already, that is the real cause; replace err with it. */
void sync_prefer_child_error(int fd, struct mr_err *err);
/* Parent side: 0 on EOF (the child exec'd), -1 with err from the child. */
int sync_expect_exec(int fd, struct mr_err *err);
