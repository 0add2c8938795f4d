/* state.h - containers on disk: one directory per container under the root
 * (default /run/minirun), holding state.json, written atomically, and the
 * container's writable layer and /etc files. Names are claimed atomically as
 * symlinks root/names/NAME -> ID, so two runs cannot take one name. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "../common/err.h"
#include "../common/proc.h"
#include "../common/strv.h"
#include "../net/network.h"
#include "security.h"

#define ID_LEN 64

enum cstatus { ST_CREATED, ST_RUNNING, ST_EXITED };

struct container {
	char id[ID_LEN + 1];
	char *name;
	char *hostname;
	char *rootfs;  /* absolute path of the image directory */
	char *workdir; /* -w, or NULL */
	struct strv argv;
	struct strv env;
	pid_t pid;		      /* container's PID 1, as seen by the host */
	unsigned long long pid_start; /* its start time, to tell a reused pid */
	pid_t owner;		      /* the minirun process that waits for it */
	unsigned long long owner_start;
	struct timespec created, finished;
	enum cstatus status;
	int exit_code;
	bool auto_remove;
	struct net_state net;
	struct security sec; /* what its processes (and exec'd ones) may do */
};

/* Open (creating it 0700) the state root; refuses a symlink. */
int state_open_root(const char *path, int *rootfd, struct mr_err *err);

/* A new random id (ID_LEN hex digits). */
int state_new_id(char id[ID_LEN + 1], struct mr_err *err);
/* Claimed name (given, or generated), directory and a first state.json for
 * c, with a new id unless c->id is set already. On failure nothing is left. */
int state_create(int rootfd, struct container *c, struct mr_err *err);
/* Write state.json atomically. */
int state_save(int rootfd, const struct container *c, struct mr_err *err);
int state_load(int rootfd, const char *id, struct container *c, struct mr_err *err);
/* Remove the directory and the name; missing parts are fine. */
int state_remove(int rootfd, const struct container *c, struct mr_err *err);
/* Find by exact name, full id or unique id prefix; fills id. */
int state_lookup(int rootfd, const char *ref, char id[ID_LEN + 1], struct mr_err *err);
/* All container ids (unsorted). */
int state_list(int rootfd, struct strv *ids, struct mr_err *err);
/* t as UTC in RFC 3339 with nanoseconds (Docker's Created):
 * 2026-11-23T22:57:48.123456789Z. */
#define STATE_TIME_LEN 80
void state_time_text(const struct timespec *t, char out[STATE_TIME_LEN]);
/* Open the container's directory (O_PATH|O_DIRECTORY|O_CLOEXEC). */
int state_dir_open(int rootfd, const char *id, struct mr_err *err);

void container_free(struct container *c);
