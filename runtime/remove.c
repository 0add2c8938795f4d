/* remove.c - `minirun rm [-f] REF...`: containers that are not running (or,
 * with -f, are killed first) lose their state, leases and elements, with the
 * same undo `run` uses, so a crashed run is cleaned like a finished one.
 *
 * Many at once cost about what one does: every container to kill is killed
 * first, detached ones together with their monitor (whose own teardown would
 * take the IPAM lock and make an nftables transaction, and wait for an RCU
 * grace period, one container after another); then the networks of all of
 * them are released in one go (net_release_many: one lock, one batch). */
#include "remove.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/testhook.h"
#include "state.h"
#include "stop.h"

/* One REF of the command line, and what became of it. */
struct target {
	const char *ref;
	char id[ID_LEN + 1];
	struct container c;
	bool loaded;  /* c holds its state */
	bool waiting; /* killed: wait for its processes to be gone */
	char *why;    /* not removed: the message */
};

/* Is c's owner the monitor of a detached run (and not a `run` in someone's
 * terminal)? A monitor writes its stdout to the container's log, nothing else
 * does. Then killing it is safe: it is a crash that rm cleans up at once. */
static bool owner_is_monitor(const char *root, const struct container *c)
{
	char link[64], target[PATH_MAX], want[PATH_MAX];
	ssize_t n;

	if (!pid_alive(c->owner, c->owner_start))
		return false;
	snprintf(link, sizeof(link), "/proc/%d/fd/1", (int)c->owner);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	snprintf(want, sizeof(want), "%s/containers/%s/container.log", root, c->id);
	return strcmp(target, want) == 0;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = ms * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static bool gone(const struct container *c)
{
	return !pid_alive(c->pid, c->pid_start) && !pid_alive(c->owner, c->owner_start);
}

/* A monitor first: killed after its container, it might be halfway
 * through the teardown that is left to us. (The container dies with it,
 * PDEATHSIG; killed here too for certain.) A `run` in a terminal stays: it
 * tears its container down and reports the exit. */
static void kill_it(const char *root, const struct container *c)
{
	if (owner_is_monitor(root, c))
		kill(c->owner, SIGKILL);
	if (c->pid > 0 && pid_alive(c->pid, c->pid_start))
		kill(c->pid, SIGKILL);
}

/* t was still starting when looked at: its owner records the pid only once
 * the network is attached. Look again, and kill what has started since
 * (else rm -f waited for an owner that goes on, and failed). */
static void kill_started(int rootfd, const char *root, struct target *t)
{
	struct mr_err e = {0};
	struct container c;

	if (state_load(rootfd, t->id, &c, &e) < 0) {
		mr_error_clear(&e);
		return; /* removed by its owner: the owner is what is waited for */
	}
	if (c.pid <= 0) {
		container_free(&c);
		return;
	}
	kill_it(root, &c);
	container_free(&t->c);
	t->c = c;
}

/* Until every killed container and its owner are gone (at most timeout_ms). */
static void wait_all_gone(int rootfd, const char *root, struct target *t, size_t n, int timeout_ms)
{
	struct timespec t0, now;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		bool all = true;
		for (size_t i = 0; i < n; i++) {
			if (t[i].waiting && t[i].c.pid <= 0)
				kill_started(rootfd, root, &t[i]);
			if (t[i].waiting && gone(&t[i].c))
				t[i].waiting = false;
			all &= !t[i].waiting;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (all || (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000 >=
			       timeout_ms)
			return;
		sleep_ms(2);
	}
}

static void fail(struct target *t, const char *fmt, const char *arg)
{
	if (asprintf(&t->why, fmt, arg) < 0)
		t->why = NULL;
	if (t->loaded)
		container_free(&t->c);
	t->loaded = false;
}

/* Find and load t; kill it (rm -f) if it runs, its owner too if that is a
 * monitor. Running without -f, or an id named twice: t->why. */
static void prepare(int rootfd, const char *root, struct target *t, size_t i, bool force)
{
	struct mr_err e = {0};

	if (state_lookup(rootfd, t[i].ref, t[i].id, &e) < 0 ||
	    state_load(rootfd, t[i].id, &t[i].c, &e) < 0) {
		t[i].why = TAKE_PTR(e.msg);
		return;
	}
	t[i].loaded = true;
	for (size_t j = 0; j < i; j++)
		if (strcmp(t[j].id, t[i].id) == 0)
			return fail(&t[i], "no such container: %s", t[i].ref);
	/* Running, still starting (its owner is at work and may not have
	 * recorded the pid yet), or just ended with its owner still taking it
	 * down: in each case the owner writes to its state. */
	if (t[i].c.status == ST_EXITED || gone(&t[i].c))
		return;
	if (!force)
		return fail(&t[i],
			    "cannot remove container %s: container is running: stop it "
			    "first, or use -f",
			    t[i].ref);
	kill_it(root, &t[i].c);
	t[i].waiting = true;
}

int containers_remove(const char *root, char *const *refs, size_t n, bool force,
		      void (*report)(const char *ref, const char *why, void *data), void *data)
{
	_cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ struct target *t = calloc(n, sizeof(*t));
	_cleanup_free_ char **ids = calloc(n + 1, sizeof(*ids));
	size_t n_ids = 0;
	int failed = 0;

	if (!t || !ids) {
		for (size_t i = 0; i < n; i++)
			report(refs[i], "rm: out of memory", data);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		t[i].ref = refs[i];
		if (rootfd < 0)
			fail(&t[i], "no such container: %s", refs[i]);
		else
			prepare(rootfd, root, t, i, force);
	}
	wait_all_gone(rootfd, root, t, n, 10000);
	/* What the owners left: a --rm container's owner removed it all. */
	for (size_t i = 0; i < n; i++) {
		struct mr_err e = {0};
		if (!t[i].loaded)
			continue;
		if (t[i].waiting) {
			fail(&t[i], "cannot remove container %s: it did not stop", t[i].ref);
			continue;
		}
		container_free(&t[i].c);
		t[i].loaded = state_load(rootfd, t[i].id, &t[i].c, &e) == 0;
		mr_error_clear(&e);
		if (t[i].loaded && t[i].c.net.mode == NET_BRIDGE)
			ids[n_ids++] = t[i].id;
	}
	if (n_ids) {
		struct mr_err e = {0};
		if (net_release_many(rootfd, ids, n_ids, &e) < 0)
			mr_error_wrap(&e, "rm"), mr_error_print(stderr, e.msg);
		mr_error_clear(&e);
	}
	crash_point(24);
	for (size_t i = 0; i < n; i++) {
		struct mr_err e = {0};
		if (t[i].loaded && state_remove(rootfd, &t[i].c, &e) < 0)
			t[i].why = TAKE_PTR(e.msg);
		if (t[i].loaded)
			crash_point(25); /* after the first: some states gone, some not */
		mr_error_clear(&e);
		report(t[i].ref, t[i].why, data);
		failed |= t[i].why != NULL;
		free(t[i].why);
		if (t[i].loaded)
			container_free(&t[i].c);
	}
	return failed ? -1 : 0;
}
