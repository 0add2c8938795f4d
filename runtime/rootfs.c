/* rootfs.c - mounts of the container's filesystem. Runs in the child, in its
 * new mount namespace; every mount target inside the image is opened without
 * following symlinks, so a hostile image cannot point a mount elsewhere. */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/explain.h"

/* --explain: mount(2) with these arguments as the mount(8) command. */
static void explain_mount(const char *src, const char *target, const char *type,
			  unsigned long flags, const char *data)
{
	static const struct {
		unsigned long flag;
		const char *name;
	} opts[] = {{MS_REMOUNT, "remount"},	    {MS_BIND, "bind"},	 {MS_RDONLY, "ro"},
		    {MS_NOSUID, "nosuid"},	    {MS_NODEV, "nodev"}, {MS_NOEXEC, "noexec"},
		    {MS_STRICTATIME, "strictatime"}};
	_cleanup_free_ char *o = NULL; /* -o's word: the overlay's holds three paths */
	size_t olen = 0, n = 0;
	const char *w[10];
	FILE *f;

	if (!explain_on())
		return;
	if (flags & MS_PRIVATE) {
		EXPLAIN(EXPLAIN_CTR, "mount", flags & MS_REC ? "--make-rprivate" : "--make-private",
			target);
		return;
	}
	if ((flags & MS_BIND) && !(flags & MS_REMOUNT)) {
		EXPLAIN(EXPLAIN_CTR, "mount", flags & MS_REC ? "--rbind" : "--bind", src, target);
		return;
	}
	if (!(f = open_memstream(&o, &olen)))
		return;
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (flags & opts[i].flag)
			fprintf(f, "%s%s", ftell(f) ? "," : "", opts[i].name);
	if (data)
		fprintf(f, "%s%s", ftell(f) ? "," : "", data);
	if (fclose(f) != 0)
		return;
	w[n++] = "mount";
	if (type) {
		w[n++] = "-t";
		w[n++] = type;
	}
	if (*o) {
		w[n++] = "-o";
		w[n++] = o;
	}
	if (src)
		w[n++] = src;
	w[n++] = target;
	w[n] = NULL;
	explain_cmdv(EXPLAIN_CTR, w, NULL);
}

/* --explain: a mount at shown inside the image, before pivot_root. The
 * by-hand shell works in the state directory (rootfs_build's `cd`), so the
 * image is merged/ and the state directory's files are named as they are. */
static void explain_mount_in(const char *statedir, const char *src, const char *shown,
			     const char *type, unsigned long flags, const char *data)
{
	_cleanup_free_ char *target = NULL;
	size_t len = strlen(statedir);

	if (!explain_on() || asprintf(&target, "merged%s", shown) < 0)
		return;
	if (src && strncmp(src, statedir, len) == 0 && src[len] == '/')
		src += len + 1;
	explain_mount(src, target, type, flags, data);
}

int rootfs_check_image(const char *path, char *abs, struct mr_err *err)
{
	struct stat st;

	if (!realpath(path, abs))
		return mr_error(err, errno, "rootfs %s", path);
	if (stat(abs, &st) < 0)
		return mr_error(err, errno, "rootfs %s", path);
	if (!S_ISDIR(st.st_mode))
		return mr_error(err, ENOTDIR, "rootfs %s", path);
	if (strcmp(abs, "/") == 0)
		return mr_error(err, 0, "rootfs %s: the host's / cannot be a container's root",
				path);
	/* overlayfs splits its options on ',' and ':' */
	if (strpbrk(abs, ",:\\"))
		return mr_error(err, 0, "rootfs %s: path must not contain ',', ':' or '\\'", path);
	return 0;
}

#define DIR_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* A directory's open failed (errno): why, for shown. */
static int dir_error(const char *shown, struct mr_err *err)
{
	if (errno == ENOTDIR || errno == ELOOP)
		return mr_error(err, 0, "rootfs: %s is a symlink or not a directory", shown);
	return mr_error(err, errno, "rootfs: open %s", shown);
}

/* Make directory name below dirfd (one there already will do) and open it,
 * refusing a symlink or non-directory in its place. Returns an O_PATH fd. */
static int dir_new(int dirfd, const char *name, const char *shown, struct mr_err *err)
{
	int fd;

	if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		return mr_error(err, errno, "rootfs: mkdir %s", shown);
	fd = openat(dirfd, name, DIR_FLAGS);
	return fd >= 0 ? fd : dir_error(shown, err);
}

/* The same, opening first: an image has most of them, and a failed mkdir
 * costs a lookup of its own. */
static int dir_below(int dirfd, const char *name, const char *shown, struct mr_err *err)
{
	int fd = openat(dirfd, name, DIR_FLAGS);

	if (fd >= 0)
		return fd;
	return errno == ENOENT ? dir_new(dirfd, name, shown, err) : dir_error(shown, err);
}

/* --explain: `VERB merged/etc/NAME`, a change file_below() makes. */
static void explain_etc(const char *verb, const char *name)
{
	_cleanup_free_ char *path = NULL;

	if (explain_on() && asprintf(&path, "merged/etc/%s", name) >= 0)
		EXPLAIN(EXPLAIN_CTR, verb, path);
}

/* Regular file name below dirfd as an O_PATH fd; a symlink or special file in
 * its place is replaced by an empty file (only in the container's layer). An
 * image's own regular file is only opened O_PATH: opening it for writing would
 * copy it up into the container's layer (a copy and a rename in the overlay's
 * work directory) just to be covered by the bind mount. */
static int file_below(int dirfd, const char *name, struct mr_err *err)
{
	const int flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
	struct stat st;
	/* open first: an image has most of them, as regular files */
	int fd = openat(dirfd, name, flags);

	if (fd >= 0) {
		int e = fstat(fd, &st) < 0 ? errno : 0;

		if (!e && S_ISREG(st.st_mode))
			return fd;
		close(fd);
		if (e)
			return mr_error(err, e, "rootfs: /etc/%s", name);
		if (S_ISDIR(st.st_mode))
			return mr_error(err, 0, "rootfs: /etc/%s is a directory", name);
		explain_etc("rm", name);
		if (unlinkat(dirfd, name, 0) < 0)
			return mr_error(err, errno, "rootfs: replace /etc/%s", name);
	} else if (errno != ENOENT) {
		return mr_error(err, errno, "rootfs: /etc/%s", name);
	}
	/* the bind mount needs a file to mount on */
	explain_etc("touch", name);
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return mr_error(err, errno, "rootfs: /etc/%s", name);
	close(fd);
	fd = openat(dirfd, name, flags);
	if (fd < 0)
		return mr_error(err, errno, "rootfs: /etc/%s", name);
	/* swapped for something else since: not ours to mount on */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return mr_error(err, 0, "rootfs: /etc/%s is not a regular file", name);
	}
	return fd;
}

/* Mount on fd, the place shown inside the image (for messages and --explain,
 * which needs the state directory too). */
static int mount_at_fd(const char *statedir, const char *src, int fd, const char *type,
		       unsigned long flags, const char *data, const char *shown, struct mr_err *err)
{
	char path[64];

	explain_mount_in(statedir, src, shown, type, flags, data);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (mount(src, path, type, flags, data) < 0)
		return mr_error(err, errno, "mount %s", shown);
	return 0;
}

/* --explain: mknod and ln -s of build_dev(), below merged/dev. */
static void explain_dev_entry(const char *name, const char *target, unsigned int major,
			      unsigned int minor)
{
	_cleanup_free_ char *path = NULL;
	char ma[16], mi[16];

	if (!explain_on() || asprintf(&path, "merged/dev/%s", name) < 0)
		return;
	snprintf(ma, sizeof(ma), "%u", major);
	snprintf(mi, sizeof(mi), "%u", minor);
	if (target)
		EXPLAIN(EXPLAIN_CTR, "ln", "-s", target, path);
	else
		EXPLAIN(EXPLAIN_CTR, "mknod", "-m", "666", path, "c", ma, mi);
}

static int build_dev(int devfd, const char *statedir, struct mr_err *err)
{
	static const struct {
		const char *name;
		unsigned int major, minor;
	} nodes[] = {
	    {"null", 1, 3},   {"zero", 1, 5},	 {"full", 1, 7},
	    {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
	};
	static const struct {
		const char *name, *target;
	} links[] = {
	    {"ptmx", "pts/ptmx"},	   {"fd", "/proc/self/fd"},
	    {"stdin", "/proc/self/fd/0"},  {"stdout", "/proc/self/fd/1"},
	    {"stderr", "/proc/self/fd/2"}, {"core", "/proc/kcore"},
	};
	_cleanup_close_ int pts = -1, shm = -1;
	/* mknod is subject to the umask; the nodes must be 0666 */
	mode_t umask_was = umask(0);

	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		explain_dev_entry(nodes[i].name, NULL, nodes[i].major, nodes[i].minor);
		if (mknodat(devfd, nodes[i].name, S_IFCHR | 0666,
			    makedev(nodes[i].major, nodes[i].minor)) < 0) {
			int e = errno;
			umask(umask_was);
			return mr_error(err, e, "mknod /dev/%s", nodes[i].name);
		}
	}
	umask(umask_was);
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		explain_dev_entry(links[i].name, links[i].target, 0, 0);
		if (symlinkat(links[i].target, devfd, links[i].name) < 0)
			return mr_error(err, errno, "symlink /dev/%s", links[i].name);
	}
	pts = dir_new(devfd, "pts", "/dev/pts", err); /* a fresh tmpfs: nothing there */
	if (pts < 0 ||
	    mount_at_fd(statedir, "devpts", pts, "devpts", MS_NOSUID | MS_NOEXEC,
			"newinstance,ptmxmode=0666,mode=0620,gid=5", "/dev/pts", err) < 0)
		return -1;
	shm = dir_new(devfd, "shm", "/dev/shm", err);
	if (shm < 0 || mount_at_fd(statedir, "shm", shm, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
				   "mode=1777,size=65536k", "/dev/shm", err) < 0)
		return -1;
	return 0;
}

static int bind_etc_files(const char *statedir, int rootfd, struct mr_err *err)
{
	/* in Docker's order, so that /proc/mounts reads the same */
	static const char *const files[] = {"resolv.conf", "hostname", "hosts"};
	static const char *const shown[] = {"/etc/resolv.conf", "/etc/hostname", "/etc/hosts"};
	_cleanup_close_ int etc = dir_below(rootfd, "etc", "/etc", err);

	if (etc < 0)
		return -1;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		_cleanup_free_ char *src = NULL;
		_cleanup_close_ int dst = file_below(etc, files[i], err);

		if (dst < 0)
			return -1;
		if (asprintf(&src, "%s/%s", statedir, files[i]) < 0)
			return mr_error(err, ENOMEM, "etc");
		if (mount_at_fd(statedir, src, dst, NULL, MS_BIND, NULL, shown[i], err) < 0)
			return -1;
	}
	return 0;
}

int rootfs_build(const struct rootfs_cfg *cfg, struct mr_err *err)
{
	_cleanup_free_ char *merged = NULL, *opts = NULL;
	_cleanup_close_ int root = -1, proc = -1, sys = -1, dev = -1, devdir = -1;
	int r;

	/* Nothing we mount may propagate back to the host. */
	EXPLAIN(EXPLAIN_CTR, "cd", cfg->statedir);
	explain_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return mr_error(err, errno, "make mounts private");
	/* volatile (--rm): the overlay never syncs its upper layer, neither on
	 * fsync nor at its unmount, which comes with the container's last
	 * process and would otherwise sync the whole filesystem of --root
	 * (a journal commit on a disk). A --rm container's layer is removed
	 * right after, and one left by a crash is only ever removed (gc), never
	 * mounted again. Podman mounts a --rm container's overlay so too;
	 * Docker keeps no --rm difference. */
	if (asprintf(&merged, "%s/merged", cfg->statedir) < 0 ||
	    asprintf(&opts, "lowerdir=%s,upperdir=%s/upper,workdir=%s/work%s", cfg->image,
		     cfg->statedir, cfg->statedir, cfg->volatile_upper ? ",volatile" : "") < 0)
		return mr_error(err, ENOMEM, "rootfs");
	/* nodev: a device node in the image (or made later) opens nothing;
	 * /dev is a tmpfs of its own with just the safe nodes. */
	explain_mount("overlay", "merged", "overlay", MS_NODEV, opts);
	r = mount("overlay", merged, "overlay", MS_NODEV, opts);
	if (r < 0 && errno == EINVAL && cfg->volatile_upper) {
		/* volatile came with Linux 5.10: before it, the overlay as is */
		opts[strlen(opts) - strlen(",volatile")] = '\0';
		r = mount("overlay", merged, "overlay", MS_NODEV, opts);
	}
	if (r < 0)
		return mr_error(err, errno, "mount overlay on %s", cfg->image);
	root = open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return mr_error(err, errno, "open %s", merged);

	proc = dir_below(root, "proc", "/proc", err);
	if (proc < 0 || mount_at_fd(cfg->statedir, "proc", proc, "proc",
				    MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, "/proc", err) < 0)
		return -1;
	sys = dir_below(root, "sys", "/sys", err);
	if (sys < 0 ||
	    mount_at_fd(cfg->statedir, "sysfs", sys, "sysfs",
			MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, "/sys", err) < 0)
		return -1;
	devdir = dir_below(root, "dev", "/dev", err);
	if (devdir < 0 ||
	    mount_at_fd(cfg->statedir, "tmpfs", devdir, "tmpfs", MS_NOSUID | MS_STRICTATIME,
			"mode=755,size=65536k", "/dev", err) < 0)
		return -1;
	/* reopen: the fd we mounted on still names the directory underneath */
	dev = openat(root, "dev", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dev < 0)
		return mr_error(err, errno, "open /dev");
	return build_dev(dev, cfg->statedir, err);
}

/* The container's root, as mounted by rootfs_build(). */
static int open_merged(const struct rootfs_cfg *cfg, struct mr_err *err)
{
	_cleanup_free_ char *merged = NULL;
	int fd;

	if (asprintf(&merged, "%s/merged", cfg->statedir) < 0)
		return mr_error(err, ENOMEM, "rootfs");
	fd = open(merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return mr_error(err, errno, "open %s", merged);
	return fd;
}

int rootfs_bind_etc(const struct rootfs_cfg *cfg, struct mr_err *err)
{
	_cleanup_close_ int root = open_merged(cfg, err);

	return root < 0 ? -1 : bind_etc_files(cfg->statedir, root, err);
}

int rootfs_pivot(const struct rootfs_cfg *cfg, struct mr_err *err)
{
	_cleanup_close_ int newroot = open_merged(cfg, err);

	if (newroot < 0)
		return -1;
	if (fchdir(newroot) < 0)
		return mr_error(err, errno, "open new root");
	EXPLAIN(EXPLAIN_CTR, "cd", "merged"); /* from the state directory */
	/* pivot_root(".", "."): the old root ends up stacked on the new one and
	 * is detached right away, without needing a temporary directory. */
	EXPLAIN(EXPLAIN_CTR, "pivot_root", ".", ".");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return mr_error(err, errno, "pivot_root");
	EXPLAIN(EXPLAIN_CTR, "umount", "-l", ".");
	if (umount2(".", MNT_DETACH) < 0)
		return mr_error(err, errno, "detach old root");
	EXPLAIN(EXPLAIN_CTR, "cd", "/");
	if (chdir("/") < 0)
		return mr_error(err, errno, "chdir /");
	return 0;
}

/* Hide path: a directory behind an empty read-only tmpfs (*empty, the first
 * one made, bound again for the others: a bind keeps its read-only flag, and
 * one superblock is less to make and tear down), a file behind /dev/null.
 * The kind expected is tried first (one mount, no stat), the other one if
 * this kernel's is not that kind. Returns 1 if path is not there at all. */
static int mask_path(const char *path, bool dir, const char **empty, struct mr_err *err)
{
	struct stat st;

	/* --explain shows only the mounts made: it looks first */
	if (explain_on()) {
		if (lstat(path, &st) < 0)
			return 1;
		dir = S_ISDIR(st.st_mode);
	}
	for (int tries = 0; tries < 2; tries++, dir = !dir) {
		const char *src = !dir ? "/dev/null" : *empty ? *empty : "tmpfs";
		const char *type = dir && !*empty ? "tmpfs" : NULL;
		unsigned long flags = type ? MS_RDONLY : MS_BIND;
		const char *data = type ? "size=0" : NULL;

		explain_mount(src, path, type, flags, data);
		if (mount(src, path, type, flags, data) == 0) {
			if (type)
				*empty = path;
			return 0;
		}
		if (errno == ENOENT)
			return 1; /* not on this kernel */
		if (errno != ENOTDIR)
			break;
	}
	return mr_error(err, errno, "mask %s", path);
}

/* Bind path on itself, read-only; 1 if it is not there. */
static int readonly_path(const char *path, struct mr_err *err)
{
	const unsigned long ro =
	    MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	struct stat st;

	/* no stat first (a path this kernel lacks fails the bind), but for
	 * --explain, which shows only the mounts made */
	if (explain_on() && lstat(path, &st) < 0)
		return 1;
	explain_mount(path, path, NULL, MS_BIND | MS_REC, NULL);
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
		if (errno == ENOENT)
			return 1;
		return mr_error(err, errno, "make %s read-only", path);
	}
	explain_mount(NULL, path, NULL, ro, NULL);
	if (mount(NULL, path, NULL, ro, NULL) < 0)
		return mr_error(err, errno, "make %s read-only", path);
	return 0;
}

int rootfs_mask_paths(struct mr_err *err)
{
	/* Docker's lists: kernel memory, keys, timers, hardware and firmware
	 * details are hidden; kernel knobs are read-only. */
	static const struct {
		const char *path;
		bool dir;
	} masked[] = {
	    {"/proc/asound", true},
	    {"/proc/acpi", true},
	    {"/proc/kcore", false},
	    {"/proc/keys", false},
	    {"/proc/latency_stats", false},
	    {"/proc/timer_list", false},
	    {"/proc/timer_stats", false},
	    {"/proc/sched_debug", false},
	    {"/proc/scsi", true},
	    {"/sys/firmware", true},
	    {"/sys/devices/virtual/powercap", true},
	};
	static const char *const readonly[] = {
	    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
	};
	const char *empty = NULL;

	for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++)
		if (mask_path(masked[i].path, masked[i].dir, &empty, err) < 0)
			return -1;
	for (size_t i = 0; i < sizeof(readonly) / sizeof(readonly[0]); i++)
		if (readonly_path(readonly[i], err) < 0)
			return -1;
	return 0;
}
