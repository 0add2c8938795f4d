/* stop.c - kill and stop: signals go to the container's PID 1 from outside
 * its PID namespace, so SIGKILL always works and others reach it if it
 * handles them, as with Docker. */
#include "stop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "inspect.h"

int parse_signal(const char *s)
{
	char *end;
	long n;

	if (!s || !*s)
		return -1;
	n = strtol(s, &end, 10);
	if (*end == '\0')
		return n > 0 && n < NSIG ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int sig = 1; sig < NSIG; sig++) {
		const char *abbrev = sigabbrev_np(sig);
		if (abbrev && strcasecmp(abbrev, s) == 0)
			return sig;
	}
	return -1;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

bool wait_owner_gone(const struct container *c, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 10) {
		if (!pid_alive(c->owner, c->owner_start))
			return true;
		sleep_ms(10);
	}
	return !pid_alive(c->owner, c->owner_start);
}

int container_kill(const char *root, const char *ref, int sig, struct mr_err *err)
{
	_cleanup_close_ int rootfd = open_root_for(root, ref, err);
	struct container c;
	int r = 0;

	if (rootfd < 0 || container_find(rootfd, ref, &c, err) < 0)
		return -1;
	if (!container_running(&c))
		r = mr_error(err, 0, "cannot kill container %s: container is not running", ref);
	else if (kill(c.pid, sig) < 0)
		r = mr_error(err, errno, "kill %s", ref);
	container_free(&c);
	return r;
}

int container_stop(const char *root, const char *ref, int timeout, struct mr_err *err)
{
	_cleanup_close_ int rootfd = open_root_for(root, ref, err);
	struct container c;

	if (rootfd < 0 || container_find(rootfd, ref, &c, err) < 0)
		return -1;
	if (container_running(&c)) {
		int waited = 0;
		kill(c.pid, SIGTERM);
		while (waited < timeout * 1000 && pid_alive(c.pid, c.pid_start)) {
			sleep_ms(20);
			waited += 20;
		}
		if (pid_alive(c.pid, c.pid_start))
			kill(c.pid, SIGKILL);
		/* The monitor records the exit and tears the network down. */
		wait_owner_gone(&c, 10000);
	}
	container_free(&c);
	return 0;
}
