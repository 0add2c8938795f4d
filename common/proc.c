/* proc.c - process identity from /proc/PID/stat. */
#include "proc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"

/* Field 3 (state) and field 22 (start time) of /proc/PID/stat. */
static int read_stat(pid_t pid, char *state, unsigned long long *start)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* comm may contain spaces and parens: fields restart after the last ')' */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -1;
	*state = p[2];
	/* p + 1 is the space before field 3; field 22 is 19 spaces further */
	for (int field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p)
		return -1;
	*start = strtoull(p + 1, NULL, 10);
	return 0;
}

unsigned long long pid_start_time(pid_t pid)
{
	unsigned long long start = 0;
	char state;

	return read_stat(pid, &state, &start) == 0 ? start : 0;
}

bool pid_alive(pid_t pid, unsigned long long start)
{
	unsigned long long now;
	char state;

	/* A zombie has ended; it only waits for its parent to notice. */
	return pid > 0 && start && read_stat(pid, &state, &now) == 0 && now == start &&
	       state != 'Z' && state != 'X';
}
