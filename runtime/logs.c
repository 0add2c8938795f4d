/* logs.c - container.log in the state directory, printed whole, tailed, or
 * followed until the container ends. */
#include "logs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "inspect.h"

/* Offset where the last `tail` lines of fd begin. */
static off_t tail_offset(int fd, long tail)
{
	char buf[4096];
	off_t end = lseek(fd, 0, SEEK_END), pos = end;
	long lines = 0;

	if (tail < 0 || end <= 0)
		return 0;
	if (tail == 0)
		return end;
	while (pos > 0) {
		size_t chunk = pos > (off_t)sizeof(buf) ? sizeof(buf) : (size_t)pos;
		ssize_t n = pread(fd, buf, chunk, pos - (off_t)chunk);
		if (n <= 0)
			return 0;
		for (ssize_t i = n - 1; i >= 0; i--) {
			off_t at = pos - (off_t)chunk + i;
			/* a newline that ends the file does not start a line */
			if (buf[i] == '\n' && at != end - 1 && ++lines == tail)
				return at + 1;
		}
		pos -= (off_t)chunk;
	}
	return 0;
}

static int copy_from(int fd, off_t *pos, FILE *out)
{
	char buf[65536];
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), *pos)) > 0) {
		if (fwrite(buf, 1, (size_t)n, out) != (size_t)n)
			return -1;
		*pos += n;
	}
	fflush(out);
	return n < 0 ? -1 : 0;
}

int logs_print(const char *root, const char *ref, long tail, bool follow, FILE *out,
	       struct mr_err *err)
{
	_cleanup_close_ int rootfd = open_root_for(root, ref, err);
	_cleanup_close_ int dfd = -1, fd = -1;
	struct container c;
	off_t pos;
	int r = 0;

	if (rootfd < 0 || container_find(rootfd, ref, &c, err) < 0)
		return -1;
	dfd = state_dir_open(rootfd, c.id, err);
	if (dfd >= 0)
		fd = openat(dfd, "container.log", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		/* a foreground container wrote to its terminal: nothing to show */
		container_free(&c);
		return dfd < 0 ? -1 : 0;
	}
	pos = tail_offset(fd, tail);
	r = copy_from(fd, &pos, out);
	while (r == 0 && follow && pid_alive(c.owner, c.owner_start)) {
		struct timespec ts = {.tv_nsec = 100 * 1000000L};
		nanosleep(&ts, NULL);
		r = copy_from(fd, &pos, out);
	}
	if (r == 0 && follow)
		r = copy_from(fd, &pos, out);
	if (r < 0)
		mr_error(err, errno, "logs of %s", ref);
	container_free(&c);
	return r;
}
