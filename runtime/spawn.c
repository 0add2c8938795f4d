/* spawn.c - clone into new namespaces and the sync socket protocol. */
#include "spawn.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/explain.h"

/* --explain: clone with these flags is what `unshare ... --fork sh` does; that
 * shell is where the ctr# commands would be typed. */
static void explain_clone(unsigned long flags)
{
	static const struct {
		unsigned long flag;
		const char *opt;
	} ns[] = {{CLONE_NEWPID, "--pid"},
		  {CLONE_NEWNS, "--mount"},
		  {CLONE_NEWUTS, "--uts"},
		  {CLONE_NEWIPC, "--ipc"},
		  {CLONE_NEWNET, "--net"}};
	const char *w[10];
	size_t n = 0;

	w[n++] = "unshare";
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		if (flags & ns[i].flag)
			w[n++] = ns[i].opt;
	w[n++] = "--fork";
	w[n++] = "sh";
	w[n] = NULL;
	explain_note("clone(): the container's first process, PID 1 in new namespaces. By hand, "
		     "a shell there; the ctr# lines are typed in it:");
	explain_cmdv(EXPLAIN_HOST, w, NULL);
}

pid_t spawn_clone(unsigned long flags, int *parent_fd, int *child_fd, struct mr_err *err)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return mr_error(err, errno, "sync socket");
	if (explain_on())
		explain_clone(flags);
	/* The raw syscall with no new stack behaves like fork(): the child
	 * continues here on a copy of our stack. minirun has no threads. */
	pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return mr_error(err, e, "clone");
	}
	if (pid == 0) {
		close(sv[0]);
		*child_fd = sv[1];
		*parent_fd = -1;
		return 0;
	}
	close(sv[1]);
	*parent_fd = sv[0];
	*child_fd = -1;
	return pid;
}

int sync_send(int fd, enum sync_type type)
{
	struct sync_msg m = {.type = (int)type};
	return send(fd, &m, sizeof(m), MSG_NOSIGNAL) == (ssize_t)sizeof(m) ? 0 : -1;
}

void sync_fail(int fd, const struct mr_err *err)
{
	struct sync_msg m = {
	    .type = SYNC_ERROR, .status = err->status ? err->status : 125, .errnum = err->errnum};

	snprintf(m.text, sizeof(m.text), "%s", err->msg ? err->msg : "container setup failed");
	send(fd, &m, sizeof(m), MSG_NOSIGNAL);
	_exit(m.status);
}

int sync_wait(int fd, enum sync_type type)
{
	struct sync_msg m;
	ssize_t n;

	do
		n = recv(fd, &m, sizeof(m), 0);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(m) && m.type == (int)type ? 0 : -1;
}

int sync_expect_exec(int fd, struct mr_err *err)
{
	struct sync_msg m;
	ssize_t n;

	do
		n = recv(fd, &m, sizeof(m), 0);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n != (ssize_t)sizeof(m) || m.type != SYNC_ERROR)
		return mr_error(err, n < 0 ? errno : EPROTO, "container start");
	m.text[sizeof(m.text) - 1] = '\0';
	mr_error_status(err, m.status, 0, "%s", m.text);
	err->errnum = m.errnum;
	return -1;
}

void sync_prefer_child_error(int fd, struct mr_err *err)
{
	struct sync_msg m;
	ssize_t n = recv(fd, &m, sizeof(m), MSG_DONTWAIT);

	if (n != (ssize_t)sizeof(m) || m.type != SYNC_ERROR)
		return;
	m.text[sizeof(m.text) - 1] = '\0';
	mr_error_clear(err);
	mr_error_status(err, m.status, 0, "%s", m.text);
}
