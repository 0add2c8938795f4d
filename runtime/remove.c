/* remove.c - removing a container that is not running, with the same undo
 * functions `run` uses, so a crashed run is cleaned like a finished one. */
#include "remove.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "state.h"
#include "stop.h"

int container_remove(const char *root, const char *ref, bool force, struct mr_err *err)
{
	_cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char id[ID_LEN + 1];
	struct container c;
	int r;

	if (rootfd < 0)
		return mr_error(err, 0, "no such container: %s", ref);
	if (state_lookup(rootfd, ref, id, err) < 0 || state_load(rootfd, id, &c, err) < 0)
		return -1;
	/* Running, still starting (its owner is at work and may not have
	 * recorded the pid yet), or just ended with its owner still taking it
	 * down: in each case the owner writes to its state, so wait for it. */
	if (c.status != ST_EXITED &&
	    (pid_alive(c.pid, c.pid_start) || pid_alive(c.owner, c.owner_start))) {
		if (!force) {
			container_free(&c);
			return mr_error(err, 0,
					"cannot remove container %s: container is running: stop "
					"it first, or use -f",
					ref);
		}
		/* Kill it and let its owner run the undo path; what is left (a
		 * container without --rm) is removed below. */
		if (c.pid > 0 && pid_alive(c.pid, c.pid_start))
			kill(c.pid, SIGKILL);
		wait_owner_gone(&c, 10000);
		container_free(&c);
		if (state_load(rootfd, id, &c, err) < 0) {
			mr_error_clear(err);
			return 0; /* --rm: its owner removed it already */
		}
	}
	net_release(rootfd, c.id, &c.net);
	r = state_remove(rootfd, &c, err);
	container_free(&c);
	return r;
}
