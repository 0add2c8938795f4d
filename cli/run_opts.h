/* run_opts.h - the parsed command line of `minirun run`: a plain struct, no
 * side effects while parsing (unit-tested in tests/unit/test_run_opts.c). */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "../common/err.h"
#include "../common/strv.h"
#include "../net/portmap.h"

#include "../net/network.h"

struct run_opts {
	const char *rootfs;   /* as given */
	struct strv argv;     /* CMD [ARG...]; defaults to /bin/sh */
	const char *name;     /* --name, or NULL */
	const char *hostname; /* -h/--hostname, or NULL (first 12 hex of the id) */
	const char *workdir;  /* -w, or NULL ("/") */
	bool rm, interactive, init, detach, tty;
	enum net_mode network;
	struct strv env; /* KEY=VAL, in order given */
	struct port_map *ports;
	size_t n_ports;
	struct in_addr ip; /* --ip, INADDR_ANY when not given */
	struct strv dns, dns_search, dns_opt, add_hosts;
	struct strv cap_add, cap_drop;
	bool no_seccomp; /* --security-opt seccomp=unconfined */
};

/* Parse argv[0..argc) (the words after "run"). environ_lookup resolves a bare
 * `-e KEY` (getenv in production; a stub in tests). Warnings (e.g. -p with
 * --network host) are appended to warnings. */
int run_opts_parse(struct run_opts *o, int argc, char **argv,
		   const char *(*environ_lookup)(const char *key), struct strv *warnings,
		   struct mr_err *err);
void run_opts_free(struct run_opts *o);

/* Shared validators, also used by other verbs. */
bool valid_container_name(const char *name);
bool valid_hostname(const char *name);
