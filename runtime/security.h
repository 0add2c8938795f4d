/* security.h - what the container's processes may do: Docker's default
 * capability set (changed with --cap-add/--cap-drop), no_new_privs, and a
 * seccomp allowlist in the spirit of Docker's default profile. Applied in the
 * container process last, just before exec. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "../common/err.h"
#include "../common/strv.h"

struct sock_fprog;

struct security {
	uint64_t caps; /* bit n = capability n kept */
	bool seccomp;  /* false: --security-opt seccomp=unconfined */
	/* The seccomp filter as a BPF program (security_prepare), or NULL:
	 * security_apply builds it then. Not saved in state.json. */
	struct sock_fprog *filter;
};

/* Docker's default set, then each --cap-drop, then each --cap-add ("ALL"
 * allowed in both, names with or without CAP_, any case). */
int security_caps(const struct strv *add, const struct strv *drop, uint64_t *caps,
		  struct mr_err *err);
/* Names of the kept capabilities, for state.json and inspect. */
int security_cap_names(uint64_t caps, struct strv *out);
int security_caps_from_names(const struct strv *names, uint64_t *caps, struct mr_err *err);

/* Before the container process exists: s->filter, the seccomp filter as a
 * program, from ROOT/seccomp.bpf (rootfd) if this same minirun, libseccomp
 * and kernel made it there, else built (and written there for next time).
 * Nothing made (an error): security_apply builds the filter itself. */
void security_prepare(int rootfd, struct security *s);
void security_release(struct security *s);

/* In the container process: bounding set, then effective/permitted/inheritable,
 * ambient cleared, no_new_privs, then the seccomp filter. */
int security_apply(const struct security *s, struct mr_err *err);
