/* security.h - what the container's processes may do: Docker's default
 * capability set (changed with --cap-add/--cap-drop), no_new_privs, and a
 * seccomp allowlist in the spirit of Docker's default profile. Applied in the
 * container process last, just before exec. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "../common/err.h"
#include "../common/strv.h"

struct security {
	uint64_t caps; /* bit n = capability n kept */
	bool seccomp;  /* false: --security-opt seccomp=unconfined */
};

/* Docker's default set, then each --cap-drop, then each --cap-add ("ALL"
 * allowed in both, names with or without CAP_, any case). */
int security_caps(const struct strv *add, const struct strv *drop, uint64_t *caps,
		  struct mr_err *err);
/* Names of the kept capabilities, for state.json and inspect. */
int security_cap_names(uint64_t caps, struct strv *out);
int security_caps_from_names(const struct strv *names, uint64_t *caps, struct mr_err *err);

/* In the container process: bounding set, then effective/permitted/inheritable,
 * ambient cleared, no_new_privs, then the seccomp filter. */
int security_apply(const struct security *s, struct mr_err *err);
