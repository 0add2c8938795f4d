/* child.c - runs in the container process only: mounts, hostname, wait for
 * the network, then exec (or, with --init, a small PID 1 that execs the
 * command as its child and reaps everything else). */
#include "child.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/explain.h"
#include "../common/fd.h"
#include "../net/sysctl.h"
#include "spawn.h"
#include "tty.h"

static const char *env_get(char *const *env, const char *key)
{
	size_t len = strlen(key);

	for (; *env; env++)
		if (strncmp(*env, key, len) == 0 && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}

int exec_command(char *const *argv, char *const *env, struct mr_err *err)
{
	const char *path = env_get(env, "PATH");
	_cleanup_free_ char *copy = NULL;
	int saw_eacces = 0;

	if (strchr(argv[0], '/')) {
		execve(argv[0], argv, env);
		return mr_error_status(err, errno == ENOENT ? 127 : 126, errno, "exec \"%s\"",
				       argv[0]);
	}
	copy = strdup(path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	if (!copy)
		return mr_error(err, ENOMEM, "exec");
	for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		char full[4096];
		snprintf(full, sizeof(full), "%s/%s", dir, argv[0]);
		execve(full, argv, env);
		if (errno == EACCES)
			saw_eacces = 1;
		else if (errno != ENOENT && errno != ENOTDIR)
			return mr_error_status(err, 126, errno, "exec \"%s\"", argv[0]);
	}
	if (saw_eacces)
		return mr_error_status(err, 126, EACCES, "exec \"%s\"", argv[0]);
	return mr_error_status(err, 127, 0, "exec: \"%s\": executable file not found in $PATH",
			       argv[0]);
}

/* PID 1 with --init: forward signals to the command, reap orphans, and leave
 * with the command's status. */
static __attribute__((noreturn)) void init_loop(pid_t cmd)
{
	sigset_t all;

	sigfillset(&all);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(cmd, sig);
			continue;
		}
		for (;;) {
			int status;
			pid_t p = waitpid(-1, &status, WNOHANG);
			if (p <= 0)
				break;
			if (p == cmd)
				_exit(WIFEXITED(status) ? WEXITSTATUS(status)
							: 128 + WTERMSIG(status));
		}
	}
}

/* Mark every fd above 2 close-on-exec; without close_range (before 5.11)
 * walk /proc/self/fd. */
static void cloexec_from_3(void)
{
	DIR *d;
	struct dirent *de;

	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	d = opendir("/proc/self/fd");
	if (!d)
		return;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);
		if (fd > 2 && fd != dirfd(d))
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	closedir(d);
}

int setup_stdio(int sync_fd, bool tty, bool interactive, struct mr_err *err)
{
	int null;

	if (tty)
		return tty_setup_child(sync_fd, true, err);
	if (interactive)
		return 0;
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0) {
		int e = errno;
		if (null >= 0)
			close(null);
		return mr_error(err, e, "stdin /dev/null");
	}
	close(null);
	return 0;
}

/* --explain: the exec with the container's whole environment: `env -i`
 * leaves none of the typing shell's (the host's PATH, SUDO_*, ...) and finds
 * the command by the container's PATH, as exec_command() does. */
static void explain_exec(char *const *env, char *const *argv)
{
	_cleanup_free_ const char **w = NULL;
	size_t n = 0;

	if (!explain_on())
		return;
	while (env[n])
		n++;
	w = calloc(n + 4, sizeof(*w));
	if (!w)
		return;
	w[0] = "exec";
	w[1] = "env";
	w[2] = "-i";
	memcpy(w + 3, env, n * sizeof(*w));
	explain_cmdv(EXPLAIN_CTR, w, (const char *const *)argv);
}

void signals_default(void)
{
	/* The raw call: glibc refuses to touch the two real-time signals it
	 * keeps for itself, but a caller may have left them ignored. */
	for (int s = 1; s < NSIG; s++) {
		struct {
			void (*handler)(int);
			unsigned long flags;
			void (*restorer)(void);
			unsigned long mask;
		} dfl = {.handler = SIG_DFL};
		if (s != SIGKILL && s != SIGSTOP)
			syscall(SYS_rt_sigaction, s, &dfl, NULL, sizeof(dfl.mask));
	}
}

void prepare_exec(void)
{
	sigset_t none;

	/* Nothing of minirun's may reach the command: no fd above 2, no
	 * blocked signal (whatever the caller of minirun had; the ignored
	 * ones went with signals_default()). */
	cloexec_from_3();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

void child_main(const struct child_cfg *cfg, int sync_fd)
{
	struct mr_err err = {0};

	/* Our own session: a terminal's Ctrl-C reaches minirun, which forwards
	 * it once, rather than hitting the container directly as well. */
	setsid();
	/* Die with the parent: a minirun killed mid-setup takes the child along. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Not dumpable until exec (which resets it): nothing in the container
	 * can ptrace us or open our /proc/PID/ entries while we still hold
	 * host fds (CVE-2019-5736's lesson). */
	prctl(PR_SET_DUMPABLE, 0);
	/* (If the parent died before that prctl, our recv of "go" sees EOF.) */
	if (rootfs_build(&cfg->fs, &err) < 0)
		sync_fail(sync_fd, &err);
	/* The parent writes the /etc files meanwhile. */
	if (sync_wait(sync_fd, SYNC_FILES) < 0)
		_exit(125); /* the parent gave up; it reports why */
	if (rootfs_bind_etc(&cfg->fs, &err) < 0)
		sync_fail(sync_fd, &err);
	EXPLAIN(EXPLAIN_CTR, "hostname", cfg->hostname);
	if (sethostname(cfg->hostname, strlen(cfg->hostname)) < 0) {
		mr_error(&err, errno, "sethostname");
		sync_fail(sync_fd, &err);
	}
	if (rootfs_pivot(&cfg->fs, &err) < 0)
		sync_fail(sync_fd, &err);
	if (cfg->netns_sysctls && sysctl_netns_defaults(-1, NULL, &err) < 0)
		sync_fail(sync_fd, &err);
	if (rootfs_mask_paths(&err) < 0)
		sync_fail(sync_fd, &err);
	if (cfg->workdir) {
		/* Docker makes a missing working directory. */
		char buf[4096];
		snprintf(buf, sizeof(buf), "%s", cfg->workdir);
		for (char *p = buf + 1; *p; p++)
			if (*p == '/') {
				*p = '\0';
				mkdir(buf, 0755);
				*p = '/';
			}
		mkdir(buf, 0755);
		EXPLAIN(EXPLAIN_CTR, "mkdir", "-p", cfg->workdir);
		EXPLAIN(EXPLAIN_CTR, "cd", cfg->workdir);
		if (chdir(cfg->workdir) < 0) {
			mr_error(&err, errno, "working directory %s", cfg->workdir);
			sync_fail(sync_fd, &err);
		}
	}
	if (setup_stdio(sync_fd, cfg->tty, cfg->interactive, &err) < 0)
		sync_fail(sync_fd, &err);
	/* Last before exec: capabilities, no_new_privs, seccomp (for --init's
	 * reaper too, which is forked below). Before "go": nothing after it
	 * needs a privilege, and the kernel's work on the filter (checking and
	 * compiling it) overlaps the parent's on the network. */
	/* Before the seccomp filter, which every one of these 62 calls would
	 * run through. Nothing here needs the caller's dispositions (the
	 * reaper of --init waits for its signals blocked). */
	signals_default();
	explain_note("then capabilities down to Docker's set, no_new_privs, the seccomp filter "
		     "(docs/security.md), and exec%s:",
		     cfg->init ? " (--init: PID 1 is minirun's reaper, the command its child)"
			       : "");
	if (security_apply(&cfg->sec, &err) < 0)
		sync_fail(sync_fd, &err);
	if (sync_wait(sync_fd, SYNC_GO) < 0)
		_exit(125); /* the parent gave up; it reports why */

	if (cfg->init) {
		sigset_t all;
		pid_t cmd;

		sigfillset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		cmd = fork();
		if (cmd < 0) {
			mr_error(&err, errno, "fork for --init");
			sync_fail(sync_fd, &err);
		}
		if (cmd > 0) {
			/* Our reaper never execs: close every fd above 2 (the sync
			 * socket too, so the command's exec ends the parent's wait). */
			syscall(SYS_close_range, 3U, ~0U, 0);
			init_loop(cmd);
		}
	}
	explain_exec(cfg->env, cfg->argv);
	prepare_exec();
	exec_command(cfg->argv, cfg->env, &err);
	sync_fail(sync_fd, &err);
}
