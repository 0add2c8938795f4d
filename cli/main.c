/* main.c - minirun's command line: global flags, the verb table, and the one
 * place where an error is printed ("minirun: what: why") and turned into an
 * exit status (125 for minirun's own failures, as Docker does). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/err.h"
#include "../common/explain.h"
#include "../runtime/ps.h"
#include "../net/doctor.h"
#include "../runtime/exec.h"
#include "../runtime/gc.h"
#include "../runtime/inspect.h"
#include "../runtime/logs.h"
#include "../runtime/netexplain.h"
#include "../runtime/netshow.h"
#include "../runtime/remove.h"
#include "../runtime/stop.h"
#include "../runtime/run.h"
#include "../runtime/state.h"
#include "run_opts.h"

#define DEFAULT_ROOT "/run/minirun"

struct global_opts {
	const char *root;
};

static const char usage[] =
    "Usage: minirun [--root DIR] [--explain] COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  run [OPTIONS] ROOTFS [CMD [ARG...]]   run a command in a new container\n"
    "  ps [-a] [-q] [--format json]          list containers\n"
    "  rm NAME|ID...                         remove stopped containers\n"
    "  net explain NAME [--port P]           how packets reach the container and leave it\n"
    "\n"
    "run options:\n"
    "  --rm                     remove the container when it exits\n"
    "  --name NAME              name the container\n"
    "  -h, --hostname NAME      container hostname (default: first 12 hex of its id)\n"
    "  -e, --env KEY[=VAL]      set an environment variable\n"
    "  -w, --workdir DIR        working directory inside the container\n"
    "  -i, --interactive        keep stdin open\n"
    "  -t, --tty                give the container a terminal\n"
    "  --init                   run minirun's own reaper as PID 1\n"
    "  --network bridge|host|none\n"
    "  -p, --publish [IP:][HOSTPORT:]CPORT[/tcp|udp]\n"
    "  --ip ADDR                address on the bridge network\n"
    "  --dns IP, --dns-search DOMAIN, --dns-option OPT, --add-host NAME:IP\n"
    "\n"
    "The state root is --root, or $MINIRUN_ROOT, or " DEFAULT_ROOT ".\n"
    "--explain prints to stderr, as each step is done, the command that would do it by hand.\n";

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
	if (o.tty && o.interactive && !isatty(STDIN_FILENO)) {
		run_opts_free(&o);
		strv_free(&warnings);
		/* Docker's words and status for the same mistake */
		return mr_error_status(err, 1, 0, "the input device is not a TTY");
	}
	for (size_t i = 0; i < warnings.n; i++)
		fprintf(stderr, "WARNING: %s\n", warnings.v[i]);
	strv_free(&warnings);
	status = run_container(g->root, &o, err);
	run_opts_free(&o);
	return status;
}

/* getopt over a verb's own words (argv[0] is the verb). */
static int verb_opt(int argc, char **argv, const char *shortopts, const struct option *longopts,
		    struct mr_err *err)
{
	int c = getopt_long(argc, argv, shortopts, longopts, NULL);

	if (c == ':')
		return mr_error(err, 0, "flag needs an argument: %s", argv[optind - 1]), -2;
	if (c == '?') {
		if (optopt)
			return mr_error(err, 0, "unknown shorthand flag: '%c' in -%c", optopt,
					optopt),
			       -2;
		return mr_error(err, 0, "unknown flag: %s", argv[optind - 1]), -2;
	}
	return c;
}

/* Docker's verbs other than `run` exit 1 when what they act on fails (no
 * such container, not running, a bad signal); 125 stays for bad flags and
 * 126/127 for a command exec cannot start. */
static int as_docker_verb(int r, struct mr_err *err)
{
	if (r < 0 && (err->status == 0 || err->status == 125))
		err->status = 1;
	return r;
}

static void verb_reset(void)
{
	optind = 0;
	opterr = 0;
}

static int cmd_ps(const struct global_opts *g, int argc, char **argv, struct mr_err *err)
{
	static const struct option lo[] = {{"all", no_argument, NULL, 'a'},
					   {"quiet", no_argument, NULL, 'q'},
					   {"format", required_argument, NULL, 'f'},
					   {0}};
	bool all = false, json = false, quiet = false;
	int c;

	verb_reset();
	while ((c = verb_opt(argc, argv, "+:aq", lo, err)) != -1) {
		if (c == -2)
			return -1;
		if (c == 'a')
			all = true;
		if (c == 'q')
			quiet = true;
		if (c == 'f') {
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "table") != 0)
				return mr_error(
				    err, 0, "unknown --format \"%s\": use json or table", optarg);
			json = strcmp(optarg, "json") == 0;
		}
	}
	if (optind < argc)
		return mr_error(err, 0, "\"ps\" accepts no arguments");
	return ps_print(g->root, all,
			quiet  ? PS_QUIET
			: json ? PS_JSON
			       : PS_TABLE,
			stdout, err) < 0
		   ? -1
		   : 0;
}

/* Run fn on each NAME|ID; errors are printed one by one (as Docker does) and
 * make the exit status 1; each success prints the reference given. */
static int for_each_ref(const struct global_opts *g, int argc, char **argv, int first,
			int (*fn)(const struct global_opts *, const char *, void *,
				  struct mr_err *),
			void *data, struct mr_err *err)
{
	int failed = 0;

	if (first >= argc)
		return mr_error(err, 0, "\"%s\" requires at least 1 argument", argv[0]);
	for (int i = first; i < argc; i++) {
		struct mr_err e = {0};
		if (fn(g, argv[i], data, &e) < 0) {
			mr_error_print(stderr, e.msg);
			failed = 1;
		} else {
			printf("%s\n", argv[i]);
		}
		mr_error_clear(&e);
	}
	return failed ? -2 : 0;
}

/* Each REF as for_each_ref() reports it: the error line, or the REF. */
static void rm_report(const char *ref, const char *why, void *data)
{
	(void)data;
	if (why)
		mr_error_print(stderr, why);
	else
		printf("%s\n", ref);
}

static int cmd_rm(const struct global_opts *g, int argc, char **argv, struct mr_err *err)
{
	static const struct option lo[] = {{"force", no_argument, NULL, 'f'}, {0}};
	bool force = false;
	int c;

	verb_reset();
	while ((c = verb_opt(argc, argv, "+:f", lo, err)) != -1) {
		if (c == -2)
			return -1;
		force = true;
	}
	if (optind >= argc)
		return mr_error(err, 0, "\"%s\" requires at least 1 argument", argv[0]);
	/* All at once: many cost about what one does (see runtime/remove.c). */
	return containers_remove(g->root, argv + optind, (size_t)(argc - optind), force, rm_report,
				 NULL) < 0
		   ? -2
		   : 0;
}

static int do_stop(const struct global_opts *g, const char *ref, void *t, struct mr_err *err)
{
	return container_stop(g->root, ref, *(int *)t, err);
}

static int cmd_stop(const struct global_opts *g, int argc, char **argv, struct mr_err *err)
{
	static const struct option lo[] = {{"time", required_argument, NULL, 't'}, {0}};
	int timeout = 10, c;
	char *end;

	verb_reset();
	while ((c = verb_opt(argc, argv, "+:t:", lo, err)) != -1) {
		if (c == -2)
			return -1;
		timeout = (int)strtol(optarg, &end, 10);
		if (*end || !*optarg || timeout < 0)
			return mr_error(err, 0,
					"invalid argument \"%s\" for -t: not a number of "
					"seconds",
					optarg);
	}
	return for_each_ref(g, argc, argv, optind, do_stop, &timeout, err);
}

static int do_kill(const struct global_opts *g, const char *ref, void *sig, struct mr_err *err)
{
	return container_kill(g->root, ref, *(int *)sig, err);
}

static int cmd_kill(const struct global_opts *g, int argc, char **argv, struct mr_err *err)
{
	static const struct option lo[] = {{"signal", required_argument, NULL, 's'}, {0}};
	int sig = SIGKILL, c;

	verb_reset();
	while ((c = verb_opt(argc, argv, "+:s:", lo, err)) != -1) {
		if (c == -2)
			return -1;
		sig = parse_signal(optarg);
		if (sig < 0)
			return mr_error_status(err, 1, 0, "invalid signal: %s", optarg);
	}
	return for_each_ref(g, argc, argv, optind, do_kill, &sig, err);
}

static int cmd_inspect(const struct global_opts *g, int argc, char **argv, struct mr_err *err)
{
	static const struct option lo[] = {{"format", required_argument, NULL, 'f'}, {0}};
	const char *format = NULL;
	int c;

	verb_reset();
	while ((c = verb_opt(argc, argv, "+:f:", lo, err)) != -1) {
		if (c == -2)
			return -1;
		format = optarg;
	}
	if (optind >= argc)
		return mr_error_status(err, 1, 0, "\"inspect\" requires at least 1 argument");
	return as_docker_verb(
	    inspect_print(g->root, argv + optind, argc - optind, format, stdout, err), err);
}

static int cmd_port(const struct global_opts *g, int argc, char **argv, struct mr_err *err)
{
	if (argc != 2 && argc != 3)
		return mr_error(err, 0, "\"port\" requires 1 or 2 arguments: NAME [CPORT[/PROTO]]");
	return as_docker_verb(port_print(g->root, argv[1], argc == 3 ? argv[2] : NULL, stdout, err),
			      err);
}

static int cmd_logs(const struct global_opts *g, int argc, char **argv, struct mr_err *err)
{
	static const struct option lo[] = {
	    {"follow", no_argument, NULL, 'f'}, {"tail", required_argument, NULL, 'n'}, {0}};
	bool follow = false;
	long tail = -1;
	char *end;
	int c;

	verb_reset();
	while ((c = verb_opt(argc, argv, "+:fn:", lo, err)) != -1) {
		if (c == -2)
			return -1;
		if (c == 'f')
			follow = true;
		if (c == 'n') {
			if (strcmp(optarg, "all") == 0)
				continue;
			tail = strtol(optarg, &end, 10);
			if (*end || !*optarg || tail < 0)
				return mr_error(err, 0, "invalid argument \"%s\" for --tail",
						optarg);
		}
	}
	if (argc - optind != 1)
		return mr_error(err, 0, "\"logs\" requires exactly 1 argument");
	return as_docker_verb(logs_print(g->root, argv[optind], tail, follow, stdout, err), err);
}

static int cmd_exec(const struct global_opts *g, int argc, char **argv, struct mr_err *err)
{
	static const struct option lo[] = {{"interactive", no_argument, NULL, 'i'},
					   {"tty", no_argument, NULL, 't'},
					   {"env", required_argument, NULL, 'e'},
					   {"workdir", required_argument, NULL, 'w'},
					   {0}};
	struct exec_opts o = {0};
	int c, r;

	verb_reset();
	while ((c = verb_opt(argc, argv, "+:ite:w:", lo, err)) != -1) {
		switch (c) {
		case -2:
			strv_free(&o.env);
			return -1;
		case 'i':
			o.interactive = true;
			break;
		case 't':
			o.tty = true;
			break;
		case 'e':
			if (!strchr(optarg, '=') || optarg[0] == '=') {
				const char *v = optarg[0] != '=' ? getenv(optarg) : NULL;
				char *kv;
				if (optarg[0] == '=' || !*optarg) {
					strv_free(&o.env);
					return mr_error(err, 0,
							"invalid argument \"%s\" for -e: variable "
							"name is empty",
							optarg);
				}
				if (v && asprintf(&kv, "%s=%s", optarg, v) >= 0)
					strv_push_take(&o.env, kv);
				break;
			}
			strv_push(&o.env, optarg);
			break;
		case 'w':
			o.workdir = optarg;
			break;
		}
	}
	if (argc - optind < 2) {
		strv_free(&o.env);
		return mr_error_status(err, 1, 0,
				       "\"exec\" requires at least 2 arguments: NAME CMD");
	}
	if (o.tty && o.interactive && !isatty(STDIN_FILENO)) {
		strv_free(&o.env);
		return mr_error_status(err, 1, 0, "the input device is not a TTY");
	}
	o.ref = argv[optind];
	o.argv = argv + optind + 1;
	r = as_docker_verb(container_exec(g->root, &o, err), err);
	strv_free(&o.env);
	return r;
}

static int cmd_doctor(const struct global_opts *g, int argc, char **argv, struct mr_err *err)
{
	int rootfd = open(g->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	(void)argv;
	if (argc != 1) {
		if (rootfd >= 0)
			close(rootfd);
		return mr_error(err, 0, "\"doctor\" accepts no arguments");
	}
	r = doctor_run(rootfd, stdout, err);
	if (rootfd >= 0)
		close(rootfd);
	if (r > 0)
		return mr_error_status(err, 1, 0, "doctor: %d problem%s", r, r == 1 ? "" : "s");
	return r;
}

static int cmd_net_explain(const struct global_opts *g, int argc, char **argv, struct mr_err *err)
{
	static const struct option lo[] = {{"port", required_argument, NULL, 'p'}, {0}};
	const char *port = NULL;
	int c;

	verb_reset();
	while ((c = verb_opt(argc, argv, ":", lo, err)) != -1) {
		if (c == -2)
			return -1;
		port = optarg;
	}
	if (argc - optind != 1)
		return mr_error(err, 0, "\"net explain\" requires exactly 1 argument: NAME");
	return netexplain_print(g->root, argv[optind], port, stdout, err);
}

static int cmd_network(const struct global_opts *g, int argc, char **argv, struct mr_err *err)
{
	static const struct option lo[] = {{"format", required_argument, NULL, 'f'}, {0}};
	enum netshow_format f = SHOW_TEXT;
	int c;

	if (argc >= 2 && strcmp(argv[1], "explain") == 0)
		return cmd_net_explain(g, argc - 1, argv + 1, err);
	if (argc < 2 || strcmp(argv[1], "show") != 0)
		return mr_error(err, 0,
				"usage: network show [--format text|mermaid|dot] | network explain "
				"NAME [--port P]");
	verb_reset();
	while ((c = verb_opt(argc - 1, argv + 1, "+:", lo, err)) != -1) {
		if (c == -2)
			return -1;
		if (strcmp(optarg, "text") == 0)
			f = SHOW_TEXT;
		else if (strcmp(optarg, "mermaid") == 0)
			f = SHOW_MERMAID;
		else if (strcmp(optarg, "dot") == 0)
			f = SHOW_DOT;
		else
			return mr_error(err, 0, "unknown --format \"%s\": use text, mermaid or dot",
					optarg);
	}
	if (optind < argc - 1)
		return mr_error(err, 0, "\"network show\" accepts no arguments");
	return netshow_print(g->root, f, stdout, err);
}

static int cmd_gc(const struct global_opts *g, int argc, char **argv, struct mr_err *err)
{
	(void)argv;
	if (argc != 1)
		return mr_error(err, 0, "\"gc\" accepts no arguments");
	return gc_run(g->root, stdout, err);
}

static const struct verb {
	const char *name;
	int (*fn)(const struct global_opts *, int, char **, struct mr_err *);
} verbs[] = {
    {"run", cmd_run},	  {"ps", cmd_ps},	  {"rm", cmd_rm},
    {"stop", cmd_stop},	  {"kill", cmd_kill},	  {"inspect", cmd_inspect},
    {"port", cmd_port},	  {"logs", cmd_logs},	  {"exec", cmd_exec},
    {"gc", cmd_gc},	  {"doctor", cmd_doctor}, {"network", cmd_network},
    {"net", cmd_network},
};

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"root", required_argument, NULL, 'r'},
	    {"explain", no_argument, NULL, 'x'},
	    {"help", no_argument, NULL, 'H'},
	    {0},
	};
	struct global_opts g = {.root = getenv("MINIRUN_ROOT")};
	struct mr_err err = {0};
	int c, r;

	if (!g.root || !*g.root)
		g.root = DEFAULT_ROOT;
	/* A closed pipe is an error to handle (EPIPE), not a reason to die
	 * halfway, with a terminal left raw and a container left behind.
	 * (Containers get every signal back at its default before exec.) */
	signal(SIGPIPE, SIG_IGN);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			g.root = optarg;
			break;
		case 'x':
			if (explain_start(STDERR_FILENO) < 0) {
				fprintf(stderr, "minirun: --explain: %s\n", strerror(errno));
				return 125;
			}
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
			mr_error_print(stderr, err.msg);
			r = err.status ? err.status : 125;
			mr_error_clear(&err);
		}
		return r;
	}
	fprintf(stderr, "minirun: unknown command: %s\n", argv[optind]);
	return 125;
}
