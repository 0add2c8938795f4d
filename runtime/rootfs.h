/* rootfs.h - what the container sees as its filesystem, built inside its own
 * mount namespace: an overlay (the image stays untouched), /proc, a read-only
 * /sys, a minimal /dev, the generated /etc files, then pivot_root. */
#pragma once

#include <stdbool.h>

#include "../common/err.h"

struct rootfs_cfg {
	const char *image;    /* ROOTFS directory, absolute: the overlay's lower layer */
	const char *statedir; /* the container's state directory, absolute */
	bool volatile_upper;  /* --rm: the upper layer is never synced (see rootfs.c) */
};

/* The overlay, /proc, /sys and /dev; mounts land in statedir/merged. */
int rootfs_build(const struct rootfs_cfg *cfg, struct mr_err *err);
/* Then the /etc files of the state directory, bound over the image's. */
int rootfs_bind_etc(const struct rootfs_cfg *cfg, struct mr_err *err);
/* Make statedir/merged the root; the host's tree is detached. */
int rootfs_pivot(const struct rootfs_cfg *cfg, struct mr_err *err);
/* After pivot_root: Docker's masked paths (hidden behind /dev/null or an
 * empty read-only tmpfs) and read-only paths. */
int rootfs_mask_paths(struct mr_err *err);
/* Check that an image directory is usable: exists, is a directory, is not "/"
 * and has a path an overlay option can carry. Fills abs (PATH_MAX bytes). */
int rootfs_check_image(const char *path, char *abs, struct mr_err *err);
