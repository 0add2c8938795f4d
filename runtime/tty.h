/* tty.h - `-t`: the container's terminal is a pseudo-terminal from its own
 * devpts instance; minirun relays between it and the user's terminal. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "../common/err.h"

/* Child, after pivot_root: open a pty pair on the container's /dev/pts,
 * make the slave our controlling terminal and stdin/stdout/stderr (stdin only
 * if with_stdin), and hand the master to the parent over sync_fd. */
int tty_setup_child(int sync_fd, bool with_stdin, struct mr_err *err);
/* Parent: receive the master fd (or the child's error). */
int tty_recv_master(int sync_fd, struct mr_err *err);
/* Parent: size the pty like our terminal. */
void tty_copy_size(int master);
/* Parent: relay stdin -> master (if interactive) and master -> stdout until
 * pid exits, with our terminal in raw mode meanwhile (restored after);
 * SIGWINCH resizes, other forwarded signals go to pid. Returns Docker's exit
 * status of pid. */
int tty_relay(pid_t pid, int master, bool interactive);
