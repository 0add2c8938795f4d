/* run_opts.c - parsing `minirun run` flags into struct run_opts, Docker's way:
 * options stop at the first non-option word (ROOTFS), and every value is
 * checked here so that bad input fails before anything is made. */
#include "run_opts.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../runtime/etcfiles.h"
#include "../runtime/security.h"

bool valid_container_name(const char *name)
{
	size_t len = strlen(name);

	if (len < 1 || len > 64 || !isalnum((unsigned char)name[0]))
		return false;
	for (size_t i = 1; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!isalnum(c) && c != '_' && c != '.' && c != '-')
			return false;
	}
	return true;
}

/* RFC 1123: dot-separated labels of letters, digits and inner hyphens; at
 * most 64 characters in all, the kernel's limit for a hostname. */
bool valid_hostname(const char *name)
{
	size_t len = strlen(name), label = 0;

	if (len < 1 || len > 64)
		return false;
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || name[i - 1] == '-')
				return false;
			label = 0;
		} else if (isalnum(c) || c == '-') {
			if (label == 0 && c == '-')
				return false;
			label++;
		} else {
			return false;
		}
	}
	return true;
}

static int add_env(struct run_opts *o, const char *arg, const char *(*lookup)(const char *),
		   struct mr_err *err)
{
	const char *eq = strchr(arg, '=');
	const char *val;
	char *kv;

	if (eq == arg || *arg == '\0')
		return mr_error(err, 0, "invalid argument \"%s\" for -e: variable name is empty",
				arg);
	if (eq)
		return strv_push(&o->env, arg) < 0 ? mr_error(err, ENOMEM, "-e") : 0;
	/* A bare KEY takes its value from our own environment; unset = skipped. */
	val = lookup ? lookup(arg) : NULL;
	if (!val)
		return 0;
	if (asprintf(&kv, "%s=%s", arg, val) < 0)
		return mr_error(err, ENOMEM, "-e");
	return strv_push_take(&o->env, kv) < 0 ? mr_error(err, ENOMEM, "-e") : 0;
}

static int parse_network(struct run_opts *o, const char *v, struct mr_err *err)
{
	if (strcmp(v, "bridge") == 0 || strcmp(v, "default") == 0)
		o->network = NET_BRIDGE;
	else if (strcmp(v, "host") == 0)
		o->network = NET_HOST;
	else if (strcmp(v, "none") == 0)
		o->network = NET_NONE;
	else
		return mr_error(
		    err, 0, "invalid argument \"%s\" for --network: use bridge, host or none", v);
	return 0;
}

static int push_checked(struct strv *s, const char *flag, const char *v, struct mr_err *err)
{
	if (*v == '\0')
		return mr_error(err, 0, "invalid argument \"\" for %s: empty value", flag);
	if (strchr(v, '\n'))
		return mr_error(err, 0, "invalid argument for %s: newline in value", flag);
	return strv_push(s, v) < 0 ? mr_error(err, ENOMEM, "%s", flag) : 0;
}

enum {
	OPT_RM = 1000,
	OPT_NAME,
	OPT_NETWORK,
	OPT_INIT,
	OPT_IP,
	OPT_DNS,
	OPT_DNS_SEARCH,
	OPT_DNS_OPT,
	OPT_ADD_HOST,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_SECURITY_OPT,
};

int run_opts_parse(struct run_opts *o, int argc, char **argv,
		   const char *(*environ_lookup)(const char *key), struct strv *warnings,
		   struct mr_err *err)
{
	static const struct option longopts[] = {
	    {"rm", no_argument, NULL, OPT_RM},
	    {"name", required_argument, NULL, OPT_NAME},
	    {"hostname", required_argument, NULL, 'h'},
	    {"env", required_argument, NULL, 'e'},
	    {"workdir", required_argument, NULL, 'w'},
	    {"interactive", no_argument, NULL, 'i'},
	    {"init", no_argument, NULL, OPT_INIT},
	    {"network", required_argument, NULL, OPT_NETWORK},
	    {"net", required_argument, NULL, OPT_NETWORK},
	    {"publish", required_argument, NULL, 'p'},
	    {"ip", required_argument, NULL, OPT_IP},
	    {"dns", required_argument, NULL, OPT_DNS},
	    {"dns-search", required_argument, NULL, OPT_DNS_SEARCH},
	    {"dns-option", required_argument, NULL, OPT_DNS_OPT},
	    {"add-host", required_argument, NULL, OPT_ADD_HOST},
	    {"cap-add", required_argument, NULL, OPT_CAP_ADD},
	    {"cap-drop", required_argument, NULL, OPT_CAP_DROP},
	    {"security-opt", required_argument, NULL, OPT_SECURITY_OPT},
	    {0},
	};
	struct in_addr a;
	int c;

	memset(o, 0, sizeof(*o));
	o->network = NET_BRIDGE;
	optind = 0; /* reset getopt: "+" stops at the first non-option (ROOTFS) */
	opterr = 0;
	/* argv[0] is "run" so getopt sees options from argv[1]. */
	while ((c = getopt_long(argc, argv, "+:h:e:w:ip:dt", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_RM:
			o->rm = true;
			break;
		case OPT_NAME:
			if (!valid_container_name(optarg))
				return mr_error(err, 0,
						"invalid container name \"%s\": only "
						"[a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at most 64",
						optarg);
			o->name = optarg;
			break;
		case 'h':
			if (!valid_hostname(optarg))
				return mr_error(err, 0, "invalid hostname \"%s\"", optarg);
			o->hostname = optarg;
			break;
		case 'e':
			if (add_env(o, optarg, environ_lookup, err) < 0)
				return -1;
			break;
		case 'w':
			if (optarg[0] != '/')
				return mr_error(
				    err, 0, "invalid working directory \"%s\": must be absolute",
				    optarg);
			o->workdir = optarg;
			break;
		case 'i':
			o->interactive = true;
			break;
		case 'd':
			o->detach = true;
			break;
		case 't':
			o->tty = true;
			break;
		case OPT_INIT:
			o->init = true;
			break;
		case OPT_NETWORK:
			if (parse_network(o, optarg, err) < 0)
				return -1;
			break;
		case 'p':
			if (portmap_parse(optarg, &o->ports, &o->n_ports, err) < 0)
				return -1;
			break;
		case OPT_IP:
			if (inet_pton(AF_INET, optarg, &a) != 1)
				return mr_error(err, 0, "invalid IPv4 address \"%s\" for --ip",
						optarg);
			o->ip = a;
			break;
		case OPT_DNS: {
			struct in6_addr a6;
			bool loopback;
			char *w;
			if (inet_pton(AF_INET, optarg, &a) == 1)
				loopback = (ntohl(a.s_addr) >> 24) == 127;
			else if (inet_pton(AF_INET6, optarg, &a6) == 1)
				loopback = IN6_IS_ADDR_LOOPBACK(&a6);
			else
				return mr_error(err, 0, "invalid IP address \"%s\" for --dns",
						optarg);
			if (push_checked(&o->dns, "--dns", optarg, err) < 0)
				return -1;
			/* Docker's words: it is the container's own loopback */
			if (loopback &&
			    asprintf(&w, "Localhost DNS setting (--dns=%s) may fail in containers.",
				     optarg) >= 0)
				strv_push_take(warnings, w);
			break;
		}
		case OPT_DNS_SEARCH:
			if (push_checked(&o->dns_search, "--dns-search", optarg, err) < 0)
				return -1;
			break;
		case OPT_DNS_OPT:
			if (push_checked(&o->dns_opt, "--dns-option", optarg, err) < 0)
				return -1;
			break;
		case OPT_ADD_HOST:
			if (etc_check_add_host(optarg, err) < 0)
				return -1;
			if (push_checked(&o->add_hosts, "--add-host", optarg, err) < 0)
				return -1;
			break;
		case OPT_CAP_ADD:
		case OPT_CAP_DROP: {
			struct strv *l = c == OPT_CAP_ADD ? &o->cap_add : &o->cap_drop;
			uint64_t ignore;
			if (strv_push(l, optarg) < 0)
				return mr_error(err, ENOMEM, "caps");
			/* check the name now, before anything is made */
			if (security_caps(&o->cap_add, &o->cap_drop, &ignore, err) < 0)
				return -1;
			break;
		}
		case OPT_SECURITY_OPT:
			if (strcmp(optarg, "seccomp=unconfined") == 0)
				o->no_seccomp = true;
			else if (strcmp(optarg, "no-new-privileges") != 0 &&
				 strcmp(optarg, "no-new-privileges=true") != 0)
				return mr_error(
				    err, 0,
				    "invalid --security-opt \"%s\": only seccomp=unconfined "
				    "and no-new-privileges are supported",
				    optarg);
			break;
		case ':':
			return mr_error(err, 0, "flag needs an argument: %s", argv[optind - 1]);
		default:
			if (optopt)
				return mr_error(err, 0, "unknown shorthand flag: '%c' in -%c",
						optopt, optopt);
			return mr_error(err, 0, "unknown flag: %s", argv[optind - 1]);
		}
	}
	if (o->tty && o->detach)
		return mr_error(err, 0, "-t with -d is not supported yet");
	if (optind >= argc)
		return mr_error_status(err, 1, 0, "\"run\" requires at least 1 argument: ROOTFS");
	o->rootfs = argv[optind++];
	if (*o->rootfs == '\0')
		return mr_error(err, 0, "rootfs: empty path");
	if (optind == argc) {
		if (strv_push(&o->argv, "/bin/sh") < 0)
			return mr_error(err, ENOMEM, "argv");
	}
	for (; optind < argc; optind++)
		if (strv_push(&o->argv, argv[optind]) < 0)
			return mr_error(err, ENOMEM, "argv");
	if (o->network != NET_BRIDGE) {
		const char *mode = o->network == NET_HOST ? "host" : "none";
		char *w = NULL;
		if (o->n_ports &&
		    asprintf(&w, "Published ports are discarded when using %s network mode",
			     mode) >= 0)
			strv_push_take(warnings, w);
		free(o->ports);
		o->ports = NULL;
		o->n_ports = 0;
		if (o->ip.s_addr)
			return mr_error(err, 0, "--ip needs the bridge network, not %s", mode);
	}
	return 0;
}

void run_opts_free(struct run_opts *o)
{
	strv_free(&o->argv);
	strv_free(&o->env);
	strv_free(&o->dns);
	strv_free(&o->dns_search);
	strv_free(&o->dns_opt);
	strv_free(&o->add_hosts);
	strv_free(&o->cap_add);
	strv_free(&o->cap_drop);
	free(o->ports);
	o->ports = NULL;
}
