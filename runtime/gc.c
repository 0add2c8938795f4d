/* gc.c - a container is stale when neither its process nor the minirun that
 * owned it is alive but its state says it runs. Its network is released with
 * the same undo functions `run` uses; then it is marked exited, or removed if
 * it was started with --rm. */
#include "gc.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "state.h"

/* A directory with no state.json is a run that died right after making it;
 * a young one may be a run that is starting now, so leave that alone. */
static bool abandoned_dir(int rootfd, const char *id)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "containers/%s/state.json", id);
	if (fstatat(rootfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return false;
	snprintf(path, sizeof(path), "containers/%s", id);
	return fstatat(rootfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       time(NULL) - st.st_mtime > 60;
}

/* A directory of the root to read, or NULL. */
static DIR *dir_at(int rootfd, const char *path)
{
	int fd = openat(rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d && fd >= 0)
		close(fd);
	return d;
}

static void gc_names(int rootfd, FILE *out)
{
	DIR *d = dir_at(rootfd, "names");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char target[ID_LEN + 2], path[160];
		ssize_t n = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
		struct stat st;

		if (n != ID_LEN)
			continue;
		target[n] = '\0';
		snprintf(path, sizeof(path), "containers/%s", target);
		if (fstatat(rootfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT &&
		    unlinkat(dirfd(d), de->d_name, 0) == 0)
			fprintf(out, "removed name %s (its container is gone)\n", de->d_name);
	}
	closedir(d);
}

/* A writer killed between making its temporary file and renaming it over
 * the real one (`rm -f` kills monitors, which may be writing a lease or a
 * state file) leaves ".NAME.tmp.PID" in the root: remove those whose writer is gone. */
static void gc_tmp_files(int rootfd, FILE *out)
{
	DIR *d = dir_at(rootfd, ".");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *tmp = de->d_name[0] == '.' ? strstr(de->d_name, ".tmp.") : NULL;
		char *end;
		long pid = tmp ? strtol(tmp + 5, &end, 10) : 0;

		if (!tmp || pid <= 0 || *end || de->d_type != DT_REG ||
		    (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			fprintf(out, "removed %s (its writer is gone)\n", de->d_name);
	}
	closedir(d);
}

/* Mark c exited, or remove it if it was started with --rm: its process is gone. */
static void gc_settle(int rootfd, struct container *c, FILE *out)
{
	struct mr_err e = {0};

	if (c->auto_remove || c->status == ST_CREATED) {
		state_remove(rootfd, c, &e);
		fprintf(out, "removed %.12s (%s): its process is gone\n", c->id, c->name);
	} else {
		c->status = ST_EXITED;
		c->exit_code = 137; /* it was killed; Docker shows the same */
		clock_gettime(CLOCK_REALTIME, &c->finished);
		state_save(rootfd, c, &e);
		fprintf(out, "released %.12s (%s): its process is gone\n", c->id, c->name);
	}
	mr_error_clear(&e);
}

int gc_run(const char *root, FILE *out, struct mr_err *err)
{
	_cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ struct container *stale = NULL;
	_cleanup_free_ char **stale_ids = NULL;
	struct strv ids = {0};
	size_t n_stale = 0;

	if (rootfd < 0)
		return errno == ENOENT ? 0 : mr_error(err, errno, "state root %s", root);
	if (state_list(rootfd, &ids, err) < 0)
		return -1;
	stale = calloc(ids.n + 1, sizeof(*stale));
	stale_ids = calloc(ids.n + 1, sizeof(*stale_ids));
	if (!stale || !stale_ids) {
		strv_free(&ids);
		return mr_error(err, ENOMEM, "gc");
	}
	for (size_t i = 0; i < ids.n; i++) {
		struct container *c = &stale[n_stale];
		struct mr_err e = {0};

		if (abandoned_dir(rootfd, ids.v[i])) {
			struct container bare = {0};
			memcpy(bare.id, ids.v[i], ID_LEN + 1);
			if (state_remove(rootfd, &bare, &e) == 0)
				fprintf(out, "removed %.12s (never started)\n", ids.v[i]);
			mr_error_clear(&e);
			continue;
		}
		if (state_load(rootfd, ids.v[i], c, &e) < 0) {
			mr_error_wrap(&e, "gc"), mr_error_print(stderr, e.msg);
			mr_error_clear(&e);
			continue;
		}
		if (c->status != ST_EXITED && !pid_alive(c->pid, c->pid_start) &&
		    !pid_alive(c->owner, c->owner_start)) {
			stale_ids[n_stale++] = c->id;
			continue;
		}
		container_free(c);
	}
	strv_free(&ids);
	/* Their networks all at once: one lock, one nftables batch. */
	if (n_stale) {
		struct mr_err e = {0};
		if (net_release_many(rootfd, stale_ids, n_stale, &e) < 0)
			mr_error_wrap(&e, "gc"), mr_error_print(stderr, e.msg);
		mr_error_clear(&e);
	}
	for (size_t i = 0; i < n_stale; i++) {
		gc_settle(rootfd, &stale[i], out);
		container_free(&stale[i]);
	}
	gc_names(rootfd, out);
	gc_tmp_files(rootfd, out);
	{
		/* Leases of runs that died before their state said anything;
		 * then the tables, if someone flushed the ruleset. */
		struct mr_err e = {0};
		struct nl nf = {0};
		size_t n = 0;
		if (nl_open(&nf, NETLINK_NETFILTER, &e) == 0) {
			if (net_restore(rootfd, &nf, NULL, &e) > 0)
				fprintf(out, "restored the nftables tables and their elements\n");
			nl_close(&nf);
		}
		if (e.msg) {
			mr_error_wrap(&e, "gc"), mr_error_print(stderr, e.msg);
			mr_error_clear(&e);
		}
		if (net_reclaim(rootfd, &n, &e) < 0)
			mr_error_wrap(&e, "gc"), mr_error_print(stderr, e.msg);
		else if (n)
			fprintf(out, "released %zu address lease%s of processes that are gone\n", n,
				n == 1 ? "" : "s");
		mr_error_clear(&e);
	}
	return 0;
}
