/* run.c - `minirun run` top to bottom, and the one undo path that both a
 * failure and a normal exit take:
 *
 *   check image -> claim name + state dir -> clone (the child mounts the
 *   image) -> reserve address/ports -> write /etc files -> "files" (the child
 *   binds them) -> build network -> "go" -> child execs -> wait, forwarding
 *   signals -> undo
 */
#include "run.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/explain.h"
#include "../common/fd.h"
#include "../common/testhook.h"
#include "child.h"
#include "etcfiles.h"
#include "spawn.h"
#include "state.h"
#include "tty.h"
#include "wait.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* What has been done so far, so the undo path knows what to take back. */
struct run {
	int rootfd;
	int statefd;
	struct container c;
	bool created;	    /* state dir + name exist */
	bool reserved;	    /* address/ports leased, maybe links and rules built */
	pid_t pid;	    /* child, until reaped */
	int tty_master;	    /* -t: our end of the container's pty */
	struct mr_err *err; /* where a failure is reported */
	int sync_fd;
	sigset_t old_mask;
	char image[PATH_MAX];
	char statedir[PATH_MAX];
};

/* Docker's environment: PATH, HOSTNAME, HOME, then -e (later wins). */
static int build_env(const struct run_opts *o, const char *hostname, struct strv *env)
{
	char *h = NULL;

	if (strv_push(env, DEFAULT_PATH) < 0 || asprintf(&h, "HOSTNAME=%s", hostname) < 0 ||
	    strv_push_take(env, h) < 0 || strv_push(env, "HOME=/root") < 0 ||
	    (o->tty && strv_push(env, "TERM=xterm") < 0))
		return -1;
	for (size_t i = 0; i < o->env.n; i++) {
		size_t klen = strcspn(o->env.v[i], "=") + 1;
		size_t j;
		for (j = 0; j < env->n; j++)
			if (strncmp(env->v[j], o->env.v[i], klen) == 0)
				break;
		if (j < env->n) {
			char *dup = strdup(o->env.v[i]);
			if (!dup)
				return -1;
			free(env->v[j]);
			env->v[j] = dup;
		} else if (strv_push(env, o->env.v[i]) < 0) {
			return -1;
		}
	}
	return 0;
}

static int write_etc_files(struct run *r, const struct run_opts *o, struct mr_err *err)
{
	char ip[INET_ADDRSTRLEN] = "";
	_cleanup_free_ char *host_hosts = NULL, *host_resolv = NULL, *stub = NULL;
	_cleanup_free_ char *hosts = NULL, *hostname = NULL, *resolv = NULL;
	struct etc_opts eo = {
	    .hostname = r->c.hostname,
	    .ip = NULL,
	    .add_hosts = &o->add_hosts,
	    .dns = &o->dns,
	    .dns_search = &o->dns_search,
	    .dns_opt = &o->dns_opt,
	    .host_network = o->network == NET_HOST,
	};
	const char *src;

	if (r->c.net.mode == NET_BRIDGE)
		eo.ip = inet_ntop(AF_INET, &r->c.net.ip, ip, sizeof(ip));
	if (eo.host_network)
		read_file_at(AT_FDCWD, "/etc/hosts", &host_hosts, NULL);
	read_file_at(AT_FDCWD, "/etc/resolv.conf", &stub, NULL);
	/* In the host's network the host's resolver (even a 127.0.0.53 stub)
	 * is reachable, so host mode starts from /etc/resolv.conf itself. */
	src = eo.host_network ? "/etc/resolv.conf" : etc_resolv_host_path(stub);
	if (strcmp(src, "/etc/resolv.conf") == 0)
		host_resolv = TAKE_PTR(stub);
	else
		read_file_at(AT_FDCWD, src, &host_resolv, NULL);

	hosts = etc_hosts_render(&eo, host_hosts, err);
	hostname = hosts ? etc_hostname_render(&eo, err) : NULL;
	resolv = hostname ? etc_resolv_render(&eo, host_resolv, err) : NULL;
	if (!resolv)
		return -1;
	if (write_file_atomic(r->statefd, "hosts", hosts, strlen(hosts), 0644, err) < 0 ||
	    write_file_atomic(r->statefd, "hostname", hostname, strlen(hostname), 0644, err) < 0 ||
	    write_file_atomic(r->statefd, "resolv.conf", resolv, strlen(resolv), 0644, err) < 0)
		return -1;
	return 0;
}

static int make_layer_dirs(struct run *r, struct mr_err *err)
{
	static const char *const dirs[] = {"upper", "work", "merged"};

	for (size_t i = 0; i < 3; i++)
		if (mkdirat(r->statefd, dirs[i], 0755) < 0)
			return mr_error(err, errno, "create %s", dirs[i]);
	return 0;
}

/* -d: the monitor (and so the container) writes its stdout and stderr to
 * container.log in the state directory, and reads nothing. */
static int detach_stdio(struct run *r, struct mr_err *err)
{
	_cleanup_close_ int logfd =
	    openat(r->statefd, "container.log",
		   O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	_cleanup_close_ int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (logfd < 0 || null < 0)
		return mr_error(err, errno, "container.log");
	if (dup2(null, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0)
		return mr_error(err, errno, "container.log");
	return 0;
}

static unsigned long clone_flags(enum net_mode mode)
{
	unsigned long f = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC;
	return mode == NET_HOST ? f : f | CLONE_NEWNET;
}

/* Every step up to the exec; on failure the caller runs run_undo(). */
static int run_start(struct run *r, const struct run_opts *o, const char *root, struct mr_err *err)
{
	_cleanup_close_ int netns = -1;
	sigset_t fwd;
	int child_fd = -1;

	if (root[0] != '/')
		return mr_error(err, 0, "--root %s: must be an absolute path", root);
	if (rootfs_check_image(o->rootfs, r->image, err) < 0)
		return -1;
	if (state_open_root(root, &r->rootfd, err) < 0)
		return -1;

	r->c.name = o->name ? strdup(o->name) : NULL;
	r->c.owner = getpid();
	r->c.owner_start = pid_start_time(r->c.owner);
	r->c.auto_remove = o->rm;
	r->c.net.mode = o->network;
	/* The whole configuration before the claim, so that the first
	 * state.json already names it (the default hostname is the id's). */
	if (state_new_id(r->c.id, err) < 0)
		return -1;
	if (o->hostname) {
		r->c.hostname = strdup(o->hostname);
	} else if (o->network == NET_HOST) {
		/* Docker: a host-network container has the host's name */
		char host[HOST_NAME_MAX + 1] = "";
		gethostname(host, sizeof(host));
		r->c.hostname = strdup(host);
	} else {
		r->c.hostname = strndup(r->c.id, 12);
	}
	r->c.rootfs = strdup(r->image);
	r->c.workdir = o->workdir ? strdup(o->workdir) : NULL;
	r->c.sec.seccomp = !o->no_seccomp;
	if (security_caps(&o->cap_add, &o->cap_drop, &r->c.sec.caps, err) < 0)
		return -1;
	security_prepare(r->rootfd, &r->c.sec); /* the seccomp program, cached */
	if (!r->c.hostname || !r->c.rootfs || build_env(o, r->c.hostname, &r->c.env) < 0)
		return mr_error(err, ENOMEM, "run");
	for (size_t i = 0; i < o->argv.n; i++)
		if (strv_push(&r->c.argv, o->argv.v[i]) < 0)
			return mr_error(err, ENOMEM, "run");
	if (state_create(r->rootfd, &r->c, err) < 0)
		return -1;
	r->created = true;
	crash_point(1);
	r->statefd = state_dir_open(r->rootfd, r->c.id, err);
	if (r->statefd < 0)
		return -1;
	snprintf(r->statedir, sizeof(r->statedir), "%s/containers/%s", root, r->c.id);
	if (o->detach && detach_stdio(r, err) < 0)
		return -1;
	if (make_layer_dirs(r, err) < 0)
		return -1;
	crash_point(2);

	/* Block the signals we forward before the child exists, so none is
	 * lost between clone and the wait loop. */
	forwarded_signals(&fwd);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&fwd, sig) == 1)
			signal(sig, SIG_DFL); /* an ignored signal would be dropped, not queued */
	sigprocmask(SIG_BLOCK, &fwd, &r->old_mask);
	r->pid = spawn_clone(clone_flags(o->network), &r->sync_fd, &child_fd, err);
	if (r->pid < 0)
		return -1;
	if (r->pid == 0) {
		struct child_cfg cfg = {
		    .fs = {.image = r->image, .statedir = r->statedir, .volatile_upper = o->rm},
		    .hostname = r->c.hostname,
		    .argv = r->c.argv.v,
		    .env = r->c.env.v,
		    .workdir = o->workdir,
		    .interactive = o->interactive,
		    .tty = o->tty,
		    .sec = r->c.sec,
		    .init = o->init,
		    .netns_sysctls = o->network == NET_BRIDGE,
		};
		child_main(&cfg, child_fd);
	}
	r->c.pid = r->pid;
	r->c.pid_start = pid_start_time(r->pid);
	/* Its network namespace at once: held, it outlives a child that fails
	 * early, whose message then comes where it always does (after "go"). */
	if (o->network != NET_HOST) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)r->pid);
		netns = open(path, O_RDONLY | O_CLOEXEC);
		if (netns < 0)
			return mr_error(err, errno, "open %s", path);
	}
	crash_point(3);

	/* The child mounts the image meanwhile, then waits for its /etc files
	 * (they need the address), then for its network. */
	r->reserved = true;
	if (net_reserve(r->rootfd, r->c.id, o->network, o->ip, o->ports, o->n_ports, &r->c.net,
			err) < 0)
		return -1;
	crash_point(4);
	if (write_etc_files(r, o, err) < 0)
		return -1;
	sync_send(r->sync_fd, SYNC_FILES); /* a child gone already is told below */
	crash_point(5);
	r->c.status = ST_CREATED;
	if (state_save(r->rootfd, &r->c, err) < 0)
		return -1;
	crash_point(6);
	if (netns >= 0)
		net_explain_netns(r->c.id, r->pid);
	if (net_attach(r->rootfd, r->c.id, &r->c.net, netns, err) < 0)
		return -1;
	crash_point(7);
	if (o->tty) {
		r->tty_master = tty_recv_master(r->sync_fd, err);
		if (r->tty_master < 0)
			return -1;
	}
	r->c.status = ST_RUNNING;
	if (state_save(r->rootfd, &r->c, err) < 0)
		return -1;
	crash_point(8);
	/* If the child failed already, "go" meets a closed socket but its
	 * message is still queued: read it either way. */
	sync_send(r->sync_fd, SYNC_GO);
	if (sync_expect_exec(r->sync_fd, err) < 0) {
		if (!err->msg)
			mr_error(err, 0, "container exited during setup");
		return -1;
	}
	crash_point(9);
	return 0;
}

/* The one undo path: failure at any step, and the normal end. */
static void run_undo(struct run *r, int status, bool failed)
{
	struct mr_err ignore = {0};

	if (failed && r->sync_fd >= 0 && r->err)
		sync_prefer_child_error(r->sync_fd, r->err);

	if (r->sync_fd >= 0)
		close(r->sync_fd);
	if (r->tty_master >= 0)
		close(r->tty_master);
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
		r->pid = 0;
	}
	crash_point(10);
	if (r->reserved)
		net_release(r->rootfd, r->c.id, &r->c.net);
	crash_point(11);
	if (r->created) {
		if (failed || r->c.auto_remove) {
			state_remove(r->rootfd, &r->c, &ignore);
		} else {
			r->c.status = ST_EXITED;
			r->c.exit_code = status;
			clock_gettime(CLOCK_REALTIME, &r->c.finished);
			state_save(r->rootfd, &r->c, &ignore);
		}
	}
	mr_error_clear(&ignore);
	sigprocmask(SIG_SETMASK, &r->old_mask, NULL);
	if (r->statefd >= 0)
		close(r->statefd);
	if (r->rootfd >= 0)
		close(r->rootfd);
	security_release(&r->c.sec);
	container_free(&r->c);
}

/* What a detached monitor tells the `run -d` that started it. */
struct start_report {
	int status; /* 0: started; else the exit status for the failure */
	char id[ID_LEN + 1];
	char msg[1024];
};

/* -d: a monitor process of our own starts the container, reports, then waits
 * for it and runs the undo path, as the foreground run would. The caller
 * prints the id as soon as the start is known to have worked. */
static int run_detached(const char *root, const struct run_opts *o, struct mr_err *err)
{
	struct start_report rep = {0};
	int p[2];
	pid_t pid;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return mr_error(err, errno, "pipe");
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return mr_error(err, errno, "fork monitor");
	}
	if (pid == 0) {
		struct run r = {.rootfd = -1, .statefd = -1, .sync_fd = -1, .tty_master = -1};
		struct mr_err e = {0};
		int status;

		close(p[0]);
		/* Keep nothing of the caller's but stdio (replaced by the log
		 * soon): a pipe held here would make its reader wait for the
		 * container's end. */
		if (p[1] > 3)
			syscall(SYS_close_range, 3U, (unsigned)p[1] - 1, 0);
		syscall(SYS_close_range, (unsigned)p[1] + 1, ~0U, 0);
		/* --explain goes on to the caller's stderr until the start is known */
		if (explain_on())
			explain_start(STDERR_FILENO);
		setsid(); /* no terminal; a Ctrl-C of the caller's shell does not reach us */
		sigprocmask(SIG_SETMASK, NULL, &r.old_mask);
		r.err = &e;
		if (run_start(&r, o, root, &e) < 0) {
			explain_stop();
			sync_prefer_child_error(r.sync_fd, &e);
			rep.status = e.status ? e.status : 125;
			snprintf(rep.msg, sizeof(rep.msg), "%s", e.msg ? e.msg : "start failed");
			write_all(p[1], &rep, sizeof(rep));
			run_undo(&r, 0, true);
			_exit(rep.status);
		}
		/* the caller ends now: its stderr must not stay open in us */
		explain_stop();
		memcpy(rep.id, r.c.id, sizeof(rep.id));
		write_all(p[1], &rep, sizeof(rep));
		close(p[1]);
		status = wait_container(r.pid);
		r.pid = 0;
		run_undo(&r, status, false);
		_exit(0);
	}
	close(p[1]);
	do
		n = read(p[0], &rep, sizeof(rep));
	while (n < 0 && errno == EINTR);
	close(p[0]);
	if (n != (ssize_t)sizeof(rep)) {
		waitpid(pid, NULL, 0);
		return mr_error(err, 0, "the container monitor died during start");
	}
	if (rep.status) {
		waitpid(pid, NULL, 0);
		rep.msg[sizeof(rep.msg) - 1] = '\0';
		return mr_error_status(err, rep.status, 0, "%s", rep.msg);
	}
	printf("%s\n", rep.id);
	return 0;
}

int run_container(const char *root, const struct run_opts *o, struct mr_err *err)
{
	struct run r = {.rootfd = -1, .statefd = -1, .sync_fd = -1, .tty_master = -1};
	int status;

	/* The caller's umask must not shape the container's files (Docker's
	 * containers see 022 whatever the daemon's caller had). */
	umask(022);
	if (o->detach)
		return run_detached(root, o, err);
	sigprocmask(SIG_SETMASK, NULL, &r.old_mask);
	r.err = err;
	if (run_start(&r, o, root, err) < 0) {
		run_undo(&r, 0, true);
		return -1;
	}
	status = o->tty ? tty_relay(r.pid, r.tty_master, o->interactive) : wait_container(r.pid);
	r.pid = 0; /* reaped */
	run_undo(&r, status, false);
	return status;
}
