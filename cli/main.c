/* main.c - minirun's command line: global flags, the verb table, and the one
 * place where an error is printed ("minirun: what: why") and turned into an
 * exit status (125 for minirun's own failures, as Docker does). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/err.h"
#include "../runtime/ps.h"
#include "../runtime/remove.h"
#include "../runtime/run.h"
#include "../runtime/state.h"
#include "run_opts.h"

#define DEFAULT_ROOT "/run/minirun"

struct global_opts {
	const char *root;
};

static const char usage[] =
    "Usage: minirun [--root DIR] COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  run [OPTIONS] ROOTFS [CMD [ARG...]]   run a command in a new container\n"
    "  ps [-a]                               list containers\n"
    "  rm NAME|ID...                         remove stopped containers\n"
    "\n"
    "run options:\n"
    "  --rm                     remove the container when it exits\n"
    "  --name NAME              name the container\n"
    "  -h, --hostname NAME      container hostname (default: first 12 hex of its id)\n"
    "  -e, --env KEY[=VAL]      set an environment variable\n"
    "  -w, --workdir DIR        working directory inside the container\n"
    "  -i, --interactive        keep stdin open\n"
    "  --init                   run minirun's own reaper as PID 1\n"
    "  --network bridge|host|none\n"
    "  -p, --publish [IP:][HOSTPORT:]CPORT[/tcp|udp]\n"
    "  --ip ADDR                address on the bridge network\n"
    "  --dns IP, --dns-search DOMAIN, --dns-option OPT, --add-host NAME:IP\n"
    "\n"
    "The state root is --root, or $MINIRUN_ROOT, or " DEFAULT_ROOT ".\n";

static const char *env_lookup(const char *key)
{
	return getenv(key);
}

static int cmd_run(const struct global_opts *g, int argc, char **argv, struct mr_err *err)
{
	struct run_opts o;
	struct strv warnings = {0};
	int status;

	if (run_opts_parse(&o, argc, argv, env_lookup, &warnings, err) < 0) {
		run_opts_free(&o);
		strv_free(&warnings);
		return -1;
	}
	for (size_t i = 0; i < warnings.n; i++)
		fprintf(stderr, "WARNING: %s\n", warnings.v[i]);
	strv_free(&warnings);
	status = run_container(g->root, &o, err);
	run_opts_free(&o);
	return status;
}

static int cmd_ps(const struct global_opts *g, int argc, char **argv, struct mr_err *err)
{
	bool all = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-a") == 0 || strcmp(argv[i], "--all") == 0)
			all = true;
		else
			return mr_error(err, 0, "unknown flag: %s", argv[i]);
	}
	return ps_print(g->root, all, stdout, err) < 0 ? -1 : 0;
}

static int cmd_rm(const struct global_opts *g, int argc, char **argv, struct mr_err *err)
{
	int failed = 0;

	if (argc < 2)
		return mr_error(err, 0, "\"rm\" requires at least 1 argument");
	for (int i = 1; i < argc; i++) {
		struct mr_err e = {0};
		if (container_remove(g->root, argv[i], &e) < 0) {
			fprintf(stderr, "minirun: %s\n", e.msg);
			failed = 1;
		} else {
			printf("%s\n", argv[i]);
		}
		mr_error_clear(&e);
	}
	if (failed)
		err->status = 1;
	return failed ? -2 : 0;
}

static const struct verb {
	const char *name;
	int (*fn)(const struct global_opts *, int, char **, struct mr_err *);
} verbs[] = {
    {"run", cmd_run},
    {"ps", cmd_ps},
    {"rm", cmd_rm},
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"root", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'H'},
	    {0},
	};
	struct global_opts g = {.root = getenv("MINIRUN_ROOT")};
	struct mr_err err = {0};
	int c, r;

	if (!g.root || !*g.root)
		g.root = DEFAULT_ROOT;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			g.root = optarg;
			break;
		case 'H':
			fputs(usage, stdout);
			return 0;
		default:
			fprintf(stderr, "minirun: unknown flag: %s\n", argv[optind - 1]);
			return 125;
		}
	}
	if (optind >= argc) {
		fputs(usage, stderr);
		return 125;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[optind], verbs[i].name) != 0)
			continue;
		r = verbs[i].fn(&g, argc - optind, argv + optind, &err);
		if (r == -2) { /* errors already printed one by one */
			mr_error_clear(&err);
			return 1;
		}
		if (r < 0) {
			fprintf(stderr, "minirun: %s\n", err.msg ? err.msg : "unknown error");
			r = err.status ? err.status : 125;
			mr_error_clear(&err);
		}
		return r;
	}
	fprintf(stderr, "minirun: unknown command: %s\n", argv[optind]);
	return 125;
}
