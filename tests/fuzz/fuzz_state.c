/* fuzz_state.c - libFuzzer target: state_load on arbitrary state.json bytes.
 * One state root (in /dev/shm, else /tmp) and one container directory are made
 * once per process; each input rewrites containers/ID/state.json. A load that
 * succeeds is saved back and loaded again. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/fd.h"
#include "../../runtime/state.h"

static int rootfd = -1;
static char id[ID_LEN + 1];
static char root_path[128];

static void cleanup(void)
{
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root_path);
	if (system(cmd) != 0)
		return;
}

static void setup(void)
{
	struct mr_err err = {0};
	struct container c = {0};
	char tmpl[] = "/dev/shm/minirun-fuzz-state.XXXXXX";
	char tmpl2[] = "/tmp/minirun-fuzz-state.XXXXXX";
	char *d = mkdtemp(tmpl);

	if (!d)
		d = mkdtemp(tmpl2);
	if (!d)
		abort();
	snprintf(root_path, sizeof(root_path), "%s", d);
	atexit(cleanup);
	snprintf(root_path + strlen(root_path), sizeof(root_path) - strlen(root_path), "/root");
	if (state_open_root(root_path, &rootfd, &err) < 0)
		abort();
	c.name = strdup("fuzz");
	c.hostname = strdup("fuzz");
	c.rootfs = strdup("/nonexistent");
	if (state_create(rootfd, &c, &err) < 0)
		abort();
	memcpy(id, c.id, sizeof(id));
	container_free(&c);
	*strrchr(root_path, '/') = '\0'; /* clean the whole temp dir at exit */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mr_err err = {0};
	struct container c, again;
	char path[ID_LEN + 32];
	int dfd;

	if (rootfd < 0)
		setup();
	snprintf(path, sizeof(path), "containers/%s", id);
	dfd = openat(rootfd, path, O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		abort();
	if (write_file_atomic(dfd, "state.json", data, size, 0600, &err) < 0)
		abort();
	close(dfd);
	if (state_load(rootfd, id, &c, &err) == 0) {
		if (state_save(rootfd, &c, &err) < 0)
			abort();
		if (state_load(rootfd, id, &again, &err) < 0)
			abort(); /* what we save, we must load */
		container_free(&again);
		container_free(&c);
	} else if (!err.msg) {
		abort();
	}
	mr_error_clear(&err);
	return 0;
}
