/* security.c - capabilities (libcap), no_new_privs and seccomp (libseccomp).
 *
 * Capabilities: a root process that execs keeps (roughly) its bounding set,
 * so dropping from the bounding set is what limits the command; we also set
 * the effective, permitted and inheritable sets to the same and clear the
 * ambient set, so nothing is left over in any of them.
 *
 * Seccomp: an allowlist. Everything not named here fails with EPERM, as in
 * Docker's default profile: no mount, namespace creation (unshare, setns,
 * clone with CLONE_NEW*), keyctl, bpf, kernel modules, kexec, reboot, swap,
 * acct, perf or userfaultfd. Only the native architecture is allowed. */
#include "security.h"

#include <errno.h>
#include <inttypes.h>
#include <grp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "../common/cleanup.h"
#include "../common/fd.h"

static const cap_value_t docker_default_caps[] = {
    CAP_CHOWN,	 CAP_DAC_OVERRIDE, CAP_FSETID,		 CAP_FOWNER,
    CAP_MKNOD,	 CAP_NET_RAW,	   CAP_SETGID,		 CAP_SETUID,
    CAP_SETFCAP, CAP_SETPCAP,	   CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
    CAP_KILL,	 CAP_AUDIT_WRITE,
};

static int cap_lookup(const char *name, cap_value_t *cap)
{
	char buf[64];

	if (strncasecmp(name, "CAP_", 4) == 0)
		name += 4;
	snprintf(buf, sizeof(buf), "cap_%s", name);
	for (char *p = buf; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	return cap_from_name(buf, cap);
}

static uint64_t all_caps(void)
{
	int n = (int)cap_max_bits();
	return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

static int apply_names(const struct strv *names, bool add, uint64_t *caps, struct mr_err *err)
{
	for (size_t i = 0; i < names->n; i++) {
		cap_value_t c;
		if (strcasecmp(names->v[i], "ALL") == 0) {
			*caps = add ? all_caps() : 0;
			continue;
		}
		if (cap_lookup(names->v[i], &c) < 0 || c < 0 || c >= 64)
			return mr_error(err, 0, "invalid capability \"%s\" for --cap-%s",
					names->v[i], add ? "add" : "drop");
		if (add)
			*caps |= 1ULL << c;
		else
			*caps &= ~(1ULL << c);
	}
	return 0;
}

int security_caps(const struct strv *add, const struct strv *drop, uint64_t *caps,
		  struct mr_err *err)
{
	*caps = 0;
	for (size_t i = 0; i < sizeof(docker_default_caps) / sizeof(docker_default_caps[0]); i++)
		*caps |= 1ULL << docker_default_caps[i];
	/* Docker applies drops, then adds: `--cap-drop ALL --cap-add NET_RAW`. */
	if (apply_names(drop, false, caps, err) < 0 || apply_names(add, true, caps, err) < 0)
		return -1;
	return 0;
}

int security_cap_names(uint64_t caps, struct strv *out)
{
	for (int c = 0; c < 64; c++) {
		char *name, *upper;
		if (!(caps & (1ULL << c)))
			continue;
		name = cap_to_name(c);
		if (!name)
			return -1;
		upper = strdup(name);
		cap_free(name);
		if (!upper)
			return -1;
		for (char *p = upper; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
		if (strv_push_take(out, upper) < 0)
			return -1;
	}
	return 0;
}

int security_caps_from_names(const struct strv *names, uint64_t *caps, struct mr_err *err)
{
	*caps = 0;
	return apply_names(names, true, caps, err);
}

static int set_caps(uint64_t keep, struct mr_err *err)
{
	int last = (int)cap_max_bits();
	cap_value_t list[64];
	int n = 0;
	cap_t c;
	int r;

	for (int i = 0; i < last; i++) {
		if (keep & (1ULL << i)) {
			list[n++] = i;
			continue;
		}
		if (prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0 && errno != EINVAL)
			return mr_error(err, errno, "drop capability %d from the bounding set", i);
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return mr_error(err, errno, "clear ambient capabilities");
	c = cap_init();
	if (!c)
		return mr_error(err, errno, "cap_init");
	if (n && (cap_set_flag(c, CAP_EFFECTIVE, n, list, CAP_SET) < 0 ||
		  cap_set_flag(c, CAP_PERMITTED, n, list, CAP_SET) < 0 ||
		  cap_set_flag(c, CAP_INHERITABLE, n, list, CAP_SET) < 0)) {
		cap_free(c);
		return mr_error(err, errno, "capability sets");
	}
	r = cap_set_proc(c);
	cap_free(c);
	if (r < 0)
		return mr_error(err, errno, "set capabilities");
	return 0;
}

/* The syscalls a container may make. Names unknown to this libseccomp or
 * architecture are skipped. */
static const char *const allowed[] = {
    "accept",
    "accept4",
    "access",
    "adjtimex",
    "alarm",
    "bind",
    "brk",
    "capget",
    "capset",
    "chdir",
    "chmod",
    "chown",
    "chown32",
    "clock_adjtime",
    "clock_getres",
    "clock_gettime",
    "clock_nanosleep",
    "close",
    "close_range",
    "connect",
    "copy_file_range",
    "creat",
    "dup",
    "dup2",
    "dup3",
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_pwait",
    "epoll_pwait2",
    "epoll_wait",
    "eventfd",
    "eventfd2",
    "execve",
    "execveat",
    "exit",
    "exit_group",
    "faccessat",
    "faccessat2",
    "fadvise64",
    "fallocate",
    "fanotify_mark",
    "fchdir",
    "fchmod",
    "fchmodat",
    "fchown",
    "fchownat",
    "fcntl",
    "fdatasync",
    "fgetxattr",
    "flistxattr",
    "flock",
    "fork",
    "fremovexattr",
    "fsetxattr",
    "fstat",
    "fstatfs",
    "fsync",
    "ftruncate",
    "futex",
    "futex_waitv",
    "futimesat",
    "getcpu",
    "getcwd",
    "getdents",
    "getdents64",
    "getegid",
    "geteuid",
    "getgid",
    "getgroups",
    "getitimer",
    "getpeername",
    "getpgid",
    "getpgrp",
    "getpid",
    "getppid",
    "getpriority",
    "getrandom",
    "getresgid",
    "getresuid",
    "getrlimit",
    "get_robust_list",
    "getrusage",
    "getsid",
    "getsockname",
    "getsockopt",
    "get_thread_area",
    "gettid",
    "gettimeofday",
    "getuid",
    "getxattr",
    "inotify_add_watch",
    "inotify_init",
    "inotify_init1",
    "inotify_rm_watch",
    "io_cancel",
    "io_destroy",
    "io_getevents",
    "io_pgetevents",
    "ioprio_get",
    "ioprio_set",
    "io_setup",
    "io_submit",
    "kill",
    "lchown",
    "lgetxattr",
    "link",
    "linkat",
    "listen",
    "listxattr",
    "llistxattr",
    "lremovexattr",
    "lseek",
    "lsetxattr",
    "lstat",
    "madvise",
    "membarrier",
    "memfd_create",
    "mincore",
    "mkdir",
    "mkdirat",
    "mlock",
    "mlock2",
    "mlockall",
    "mmap",
    "mprotect",
    "mq_getsetattr",
    "mq_notify",
    "mq_open",
    "mq_timedreceive",
    "mq_timedsend",
    "mq_unlink",
    "mremap",
    "msgctl",
    "msgget",
    "msgrcv",
    "msgsnd",
    "msync",
    "munlock",
    "munlockall",
    "munmap",
    "nanosleep",
    "newfstatat",
    "open",
    "openat",
    "openat2",
    "pause",
    "pidfd_open",
    "pidfd_send_signal",
    "pipe",
    "pipe2",
    "poll",
    "ppoll",
    "prctl",
    "pread64",
    "preadv",
    "preadv2",
    "prlimit64",
    "pselect6",
    "pwrite64",
    "pwritev",
    "pwritev2",
    "read",
    "readahead",
    "readlink",
    "readlinkat",
    "readv",
    "recvfrom",
    "recvmmsg",
    "recvmsg",
    "remap_file_pages",
    "removexattr",
    "rename",
    "renameat",
    "renameat2",
    "restart_syscall",
    "rmdir",
    "rseq",
    "rt_sigaction",
    "rt_sigpending",
    "rt_sigprocmask",
    "rt_sigqueueinfo",
    "rt_sigreturn",
    "rt_sigsuspend",
    "rt_sigtimedwait",
    "rt_tgsigqueueinfo",
    "sched_getaffinity",
    "sched_getattr",
    "sched_getparam",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "sched_getscheduler",
    "sched_rr_get_interval",
    "sched_setaffinity",
    "sched_setattr",
    "sched_setparam",
    "sched_setscheduler",
    "sched_yield",
    "select",
    "semctl",
    "semget",
    "semop",
    "semtimedop",
    "sendfile",
    "sendmmsg",
    "sendmsg",
    "sendto",
    "setfsgid",
    "setfsuid",
    "setgid",
    "setgroups",
    "setitimer",
    "setpgid",
    "setpriority",
    "setregid",
    "setresgid",
    "setresuid",
    "setreuid",
    "setrlimit",
    "set_robust_list",
    "setsid",
    "setsockopt",
    "set_thread_area",
    "set_tid_address",
    "setuid",
    "setxattr",
    "shmat",
    "shmctl",
    "shmdt",
    "shmget",
    "shutdown",
    "sigaltstack",
    "signalfd",
    "signalfd4",
    "socket",
    "socketpair",
    "splice",
    "stat",
    "statfs",
    "statx",
    "symlink",
    "symlinkat",
    "sync",
    "sync_file_range",
    "syncfs",
    "sysinfo",
    "tee",
    "tgkill",
    "time",
    "timer_create",
    "timer_delete",
    "timer_getoverrun",
    "timer_gettime",
    "timer_settime",
    "timerfd_create",
    "timerfd_gettime",
    "timerfd_settime",
    "times",
    "tkill",
    "truncate",
    "umask",
    "uname",
    "unlink",
    "unlinkat",
    "utime",
    "utimensat",
    "utimes",
    "vfork",
    "vmsplice",
    "wait4",
    "waitid",
    "write",
    "writev",
    "arch_prctl",
    "ioctl",
    "ptrace",
    "fchmodat2",
    "map_shadow_stack",
    "futex_wake",
    "futex_wait",
    "futex_requeue",
    "chroot",
    "sethostname",
    "setdomainname",
};

/* One argument comparison, spelled out (the library's short macros leave
 * fields to the compiler, which clang warns about). */
static struct scmp_arg_cmp arg_is(unsigned int arg, enum scmp_compare op, scmp_datum_t a,
				  scmp_datum_t b)
{
	return (struct scmp_arg_cmp){.arg = arg, .op = op, .datum_a = a, .datum_b = b};
}

/* Calls allowed only with some arguments; rules for one call are
 * alternatives. (ioctl stays open, as in Docker: TIOCSTI into a terminal
 * needs it to be the caller's controlling terminal, and every container
 * process has a session of its own, or CAP_SYS_ADMIN.) */
static int conditional_rules(scmp_filter_ctx ctx)
{
	static const scmp_datum_t personas[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};
	static const scmp_datum_t node_types[] = {0, S_IFREG, S_IFIFO, S_IFSOCK};
	int r = 0;

	/* mknod: files, fifos and sockets, never devices (there is no devices
	 * cgroup here: a block device node would open the host's disk). The
	 * mask looks only at the file-type bits, whatever else is set. */
	for (size_t i = 0; i < sizeof(node_types) / sizeof(node_types[0]); i++) {
		r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mknod), 1,
				      arg_is(1, SCMP_CMP_MASKED_EQ, S_IFMT, node_types[i]));
		r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mknodat), 1,
				      arg_is(2, SCMP_CMP_MASKED_EQ, S_IFMT, node_types[i]));
	}
	/* personality: Docker's values only (no ADDR_NO_RANDOMIZE) */
	for (size_t i = 0; i < sizeof(personas) / sizeof(personas[0]); i++)
		r |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(personality), 1,
				      arg_is(0, SCMP_CMP_EQ, personas[i], 0));
	return r ? -EINVAL : 0;
}

/* Calls newer than this libseccomp knows by name (x86_64 numbers): the ones
 * Docker allows are allowed; for the rest ENOSYS, not EPERM, so that a newer
 * libc falls back to the older call as it does on an older kernel. */
static int newer_syscalls(scmp_filter_ctx ctx)
{
#if defined(__x86_64__)
	static const struct {
		int nr;
		bool allow;
	} newer[] = {
	    {452, true},  /* fchmodat2 */
	    {453, true},  /* map_shadow_stack */
	    {454, true},  /* futex_wake */
	    {455, true},  /* futex_wait */
	    {456, true},  /* futex_requeue */
	    {457, false}, /* statmount */
	    {458, false}, /* listmount */
	    {459, false}, /* lsm_get_self_attr */
	    {460, false}, /* lsm_set_self_attr */
	    {461, false}, /* lsm_list_modules */
	    {462, false}, /* mseal */
	    {463, false}, /* setxattrat */
	    {464, false}, /* getxattrat */
	    {465, false}, /* listxattrat */
	    {466, false}, /* removexattrat */
	    {467, false}, /* open_tree_attr */
	};
	int r = 0;

	if (seccomp_arch_native() != SCMP_ARCH_X86_64)
		return 0;
	for (size_t i = 0; i < sizeof(newer) / sizeof(newer[0]) && r == 0; i++) {
		r = seccomp_rule_add(ctx, newer[i].allow ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(ENOSYS),
				     newer[i].nr, 0);
		if (r == -EEXIST)
			r = 0; /* known by name after all, and listed */
	}
	return r;
#else
	(void)ctx;
	return 0;
#endif
}

/* The allowlist in a libseccomp context; NULL with *r = -errno. */
static scmp_filter_ctx build_filter(int *r)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	const uint64_t ns_flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
				  CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP;

	*r = 0;
	if (!ctx) {
		*r = -ENOMEM;
		return NULL;
	}
	/* Calls of another architecture (e.g. the 32-bit ABI) are refused. */
	seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	/* A binary tree of syscall numbers rather than one long chain: the
	 * same decisions, but the kernel checks and caches the program (it
	 * runs it for every syscall number at load) in a third of the time,
	 * and each syscall takes a few comparisons instead of up to ~300. */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]) && *r == 0; i++) {
		int nr = seccomp_syscall_resolve_name(allowed[i]);
		if (nr != __NR_SCMP_ERROR)
			*r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	}
	/* clone, but never into new namespaces; clone3 says ENOSYS so that
	 * libc falls back to clone, whose flags we can see. */
	if (*r == 0)
		*r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				      arg_is(0, SCMP_CMP_MASKED_EQ, ns_flags, 0));
	if (*r == 0)
		*r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (*r == 0)
		*r = conditional_rules(ctx);
	if (*r == 0)
		*r = newer_syscalls(ctx);
	if (*r < 0) {
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

static int load_seccomp(struct mr_err *err)
{
	int r;
	scmp_filter_ctx ctx = build_filter(&r);

	if (ctx) {
		r = seccomp_load(ctx);
		seccomp_release(ctx);
	}
	if (r < 0)
		return mr_error(err, -r, "load the seccomp filter");
	return 0;
}

/* ---- the compiled filter, cached in the state root ----
 *
 * Building the filter with libseccomp takes about 1 ms on every run, for a
 * program that is the same every time: the same rules, the same libseccomp,
 * the same kernel (libseccomp asks it what it supports). So `run` builds it
 * once, keeps the BPF program in ROOT/seccomp.bpf behind a key naming all
 * three (the binary by device, inode, size and mtime, so a rebuilt minirun
 * builds it again), and later runs load that program as it is. The state
 * root is root's alone (state_open_root refuses one others own or may
 * write; security_prepare looks again, for exec). The file is not fsynced
 * (fd.c), so after a power cut it may come back cut or zeroed: a line after
 * the key gives the program's length and checksum, and a program that does
 * not match them is built again, never loaded (a cut program can still be
 * valid BPF, with its end missing). */

#define FILTER_CACHE "seccomp.bpf"

static int filter_key(char *key, size_t len)
{
	const struct scmp_version *v = seccomp_version();
	struct utsname u;
	struct stat st;
	int n;

	if (!v || uname(&u) < 0 || stat("/proc/self/exe", &st) < 0)
		return -1;
	n = snprintf(key, len,
		     "minirun seccomp 2; libseccomp %u.%u.%u; %s %s; %lu:%lu:%lld:%lld.%09ld\n",
		     v->major, v->minor, v->micro, u.release, u.version, (unsigned long)st.st_dev,
		     (unsigned long)st.st_ino, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
		     st.st_mtim.tv_nsec);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

/* FNV-1a (64 bits): against damage, not forgery (see above). */
static uint64_t checksum(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
	return h;
}

/* The line after the key: "LENGTH CHECKSUM\n" of the program. */
static int sum_line(char *line, size_t len, const char *insns, size_t n)
{
	int k = snprintf(line, len, "%zu %016" PRIx64 "\n", n, checksum(insns, n));
	return k > 0 && (size_t)k < len ? k : -1;
}

/* The program of a cache file's text after its key, if it is whole: *n its
 * length, NULL if the sum line does not match it. */
static const char *whole_program(const char *rest, size_t len, size_t *n)
{
	const char *nl = memchr(rest, '\n', len);
	char want[64];
	size_t hlen;

	if (!nl)
		return NULL;
	hlen = (size_t)(nl - rest) + 1;
	*n = len - hlen;
	if (sum_line(want, sizeof(want), rest + hlen, *n) != (int)hlen ||
	    memcmp(want, rest, hlen) != 0)
		return NULL;
	return rest + hlen;
}

/* s->filter = a copy of the n bytes of BPF at insns (a whole number of
 * instructions, at most the kernel's limit). */
static int set_filter(struct security *s, const char *insns, size_t n)
{
	struct sock_fprog *f;

	if (n == 0 || n % sizeof(struct sock_filter) ||
	    n / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return -1;
	f = calloc(1, sizeof(*f));
	if (!f || !(f->filter = malloc(n))) {
		free(f);
		return -1;
	}
	memcpy(f->filter, insns, n);
	f->len = (unsigned short)(n / sizeof(struct sock_filter));
	s->filter = f;
	return 0;
}

/* Build the filter and write key + its BPF to the cache; s->filter too. */
static void build_and_cache(int rootfd, struct security *s, const char *key)
{
	_cleanup_close_ int fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t klen = strlen(key);
	struct mr_err ignore = {0};
	scmp_filter_ctx ctx;
	char sums[64], *prog;
	int slen;
	struct stat st;
	int r;

	ctx = fd >= 0 ? build_filter(&r) : NULL;
	if (!ctx)
		return;
	r = seccomp_export_bpf(ctx, fd);
	seccomp_release(ctx);
	if (r < 0 || fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > 65536)
		return;
	buf = malloc(klen + sizeof(sums) + (size_t)st.st_size);
	if (!buf)
		return;
	prog = buf + klen + sizeof(sums);
	if (pread(fd, prog, (size_t)st.st_size, 0) != st.st_size ||
	    (slen = sum_line(sums, sizeof(sums), prog, (size_t)st.st_size)) < 0)
		return;
	/* key, sum line, program: one after the other */
	memcpy(buf, key, klen);
	memcpy(buf + klen, sums, (size_t)slen);
	memmove(buf + klen + slen, prog, (size_t)st.st_size);
	if (set_filter(s, buf + klen + slen, (size_t)st.st_size) == 0)
		write_file_atomic(rootfd, FILTER_CACHE, buf,
				  klen + (size_t)slen + (size_t)st.st_size, 0600, &ignore);
	mr_error_clear(&ignore);
}

/* The cache is trusted as far as its root is: ours, and writable by no one
 * else. `run` opens the root through state_open_root, which refuses any
 * other; `exec` opens it plainly, so it is looked at here again. An
 * untrusted root gets no cache, read or written: the filter is built when
 * it is loaded. */
static bool root_trusted(int rootfd)
{
	struct stat st;

	return fstat(rootfd, &st) == 0 && st.st_uid == geteuid() && !(st.st_mode & 0022);
}

void security_prepare(int rootfd, struct security *s)
{
	_cleanup_free_ char *text = NULL;
	const char *prog;
	char key[512];
	size_t len, klen, n;

	if (!s->seccomp || s->filter || !root_trusted(rootfd) || filter_key(key, sizeof(key)) < 0)
		return;
	klen = strlen(key);
	if (read_file_at(rootfd, FILTER_CACHE, &text, &len) == 0 && len > klen &&
	    memcmp(text, key, klen) == 0 && (prog = whole_program(text + klen, len - klen, &n)) &&
	    set_filter(s, prog, n) == 0)
		return;
	build_and_cache(rootfd, s, key); /* missing, stale or damaged */
}

void security_release(struct security *s)
{
	if (s->filter)
		free(s->filter->filter);
	free(s->filter);
	s->filter = NULL;
}

int security_apply(const struct security *s, struct mr_err *err)
{
	/* The container's root has the supplementary group 0, as in Docker,
	 * never whatever groups the caller of minirun had on the host. */
	const gid_t root_group = 0;

	if (setgroups(1, &root_group) < 0)
		return mr_error(err, errno, "setgroups");
	if (set_caps(s->caps, err) < 0)
		return -1;
	/* No exec can gain privileges from here on (setuid files, file caps). */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return mr_error(err, errno, "no_new_privs");
	if (!s->seccomp)
		return 0;
	/* The program security_prepare() made, as libseccomp would load it
	 * (no flags); else build it now. */
	if (s->filter) {
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, s->filter) < 0)
			return mr_error(err, errno, "load the seccomp filter");
		return 0;
	}
	return load_seccomp(err);
}
