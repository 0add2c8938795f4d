/* wait.h - waiting for the container while passing signals on to it. */
#pragma once

#include <signal.h>
#include <sys/types.h>

/* The signals minirun passes on to the container (blocked in minirun). */
void forwarded_signals(sigset_t *set);
/* Wait for pid, forwarding the signals of forwarded_signals() (which the
 * caller blocked before clone) to it; returns Docker's exit status:
 * the exit code, or 128 + the signal that killed it. */
int wait_container(pid_t pid);
