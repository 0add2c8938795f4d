/* fd.h - small file helpers shared by runtime/ and net/. All fds are O_CLOEXEC. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

int write_all(int fd, const void *buf, size_t len);
/* Write path (relative to dirfd) as tmp file + rename: never half written. */
int write_file_atomic(int dirfd, const char *name, const void *buf, size_t len, mode_t mode,
		      struct mr_err *err);
/* Read a whole small file into a NUL-terminated buffer; returns -1 with errno set. */
int read_file_at(int dirfd, const char *name, char **out, size_t *len);
/* Write a short string to a file such as /proc/sys/...; errno on failure. */
int write_string_file(const char *path, const char *s);
