/* exec.c - joining a running container's namespaces (setns) and running a
 * command there, with the container's environment and root:
 *
 *   minirun ── fork ──> joiner: setns(ipc, uts, net, pid, mnt) ── fork ──> command
 *                       (waits, passes signals on)                  (PID in the container)
 *
 * The second fork is needed because joining a PID namespace only applies to
 * children. Errors from the command side come back on a sync socket. */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "child.h"
#include "inspect.h"
#include "spawn.h"
#include "tty.h"
#include "wait.h"

static const struct {
	const char *name;
	int type;
} namespaces[] = {
    {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET},
    {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS},
};
#define N_NS (sizeof(namespaces) / sizeof(namespaces[0]))

/* The container's env, then -e (later wins). */
static int merge_env(const struct strv *base, const struct strv *extra, struct strv *out)
{
	for (size_t i = 0; i < base->n; i++)
		if (strv_push(out, base->v[i]) < 0)
			return -1;
	for (size_t i = 0; i < extra->n; i++) {
		size_t klen = strcspn(extra->v[i], "=") + 1, j;
		for (j = 0; j < out->n; j++)
			if (strncmp(out->v[j], extra->v[i], klen) == 0)
				break;
		if (j < out->n) {
			char *dup = strdup(extra->v[i]);
			if (!dup)
				return -1;
			free(out->v[j]);
			out->v[j] = dup;
		} else if (strv_push(out, extra->v[i]) < 0) {
			return -1;
		}
	}
	return 0;
}

static __attribute__((noreturn)) void joiner(const int *nsfd, const struct exec_opts *o,
					     char *const *env, const struct security *sec,
					     int sync_fd)
{
	struct mr_err err = {0};
	/* Docker's default: the container's own working directory */
	const char *workdir = o->workdir ? o->workdir : o->default_workdir;
	pid_t cmd;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_DUMPABLE, 0); /* as in child.c: until exec */
	for (size_t i = 0; i < N_NS; i++)
		if (setns(nsfd[i], namespaces[i].type) < 0) {
			mr_error(&err, errno, "join the container's %s namespace",
				 namespaces[i].name);
			sync_fail(sync_fd, &err);
		}
	cmd = fork();
	if (cmd < 0) {
		mr_error(&err, errno, "fork");
		sync_fail(sync_fd, &err);
	}
	if (cmd == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* setns(mnt) put us at the container's root; now its directory */
		if (chdir(workdir) < 0) {
			mr_error(&err, errno, "working directory %s", workdir);
			sync_fail(sync_fd, &err);
		}
		/* Always a session of its own: with the caller's controlling
		 * terminal it could push input into the user's shell (TIOCSTI). */
		setsid();
		if (setup_stdio(sync_fd, o->tty, o->interactive, &err) < 0)
			sync_fail(sync_fd, &err);
		signals_default();
		if (security_apply(sec, &err) < 0)
			sync_fail(sync_fd, &err);
		prepare_exec();
		exec_command(o->argv, env, &err);
		sync_fail(sync_fd, &err);
	}
	close(sync_fd);
	_exit(wait_container(cmd));
}

int container_exec(const char *root, struct exec_opts *o, struct mr_err *err)
{
	_cleanup_close_ int rootfd = open_root_for(root, o->ref, err);
	struct container c;
	struct strv env = {0};
	int nsfd[N_NS];
	int parent_fd = -1, child_fd = -1, status = -1;
	sigset_t fwd, old;
	pid_t pid;

	for (size_t i = 0; i < N_NS; i++)
		nsfd[i] = -1;
	if (rootfd < 0 || container_find(rootfd, o->ref, &c, err) < 0)
		return -1;
	if (!container_running(&c)) {
		mr_error(err, 0, "container %s is not running", o->ref);
		goto out;
	}
	for (size_t i = 0; i < N_NS; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)c.pid, namespaces[i].name);
		nsfd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (nsfd[i] < 0) {
			mr_error(err, errno, "open %s", path);
			goto out;
		}
	}
	/* The same program as `run`'s, from the root's cache (built once). */
	security_prepare(rootfd, &c.sec);
	o->default_workdir = c.workdir && *c.workdir ? c.workdir : "/";
	if (merge_env(&c.env, &o->env, &env) < 0) {
		mr_error(err, ENOMEM, "exec");
		goto out;
	}
	forwarded_signals(&fwd);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&fwd, sig) == 1)
			signal(sig,
			       SIG_DFL); /* an ignored signal would be dropped, not passed on */
	sigprocmask(SIG_BLOCK, &fwd, &old);
	pid = spawn_clone(0, &parent_fd, &child_fd, err);
	if (pid == 0)
		joiner(nsfd, o, env.v, &c.sec, child_fd);
	if (pid > 0) {
		int master = o->tty ? tty_recv_master(parent_fd, err) : -1;
		if ((!o->tty || master >= 0) && sync_expect_exec(parent_fd, err) == 0)
			status =
			    o->tty ? tty_relay(pid, master, o->interactive) : wait_container(pid);
		else
			waitpid(pid, NULL, 0);
		if (master >= 0)
			close(master);
		close(parent_fd);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
out:
	for (size_t i = 0; i < N_NS; i++)
		if (nsfd[i] >= 0)
			close(nsfd[i]);
	strv_free(&env);
	security_release(&c.sec);
	container_free(&c);
	return status;
}
