/* test_run_opts.c - parsing `minirun run` flags (no side effects). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "../../cli/run_opts.h"
#include "tap.h"

static const char *fake_env(const char *key)
{
	return strcmp(key, "FROMENV") == 0 ? "yes" : NULL;
}

/* parse a NULL-terminated word list; returns parse result, fills o and err. */
static int parse(struct run_opts *o, struct mr_err *err, struct strv *warn, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;

	argv[argc++] = "run";
	va_start(ap, warn);
	for (char *w; (w = va_arg(ap, char *));)
		argv[argc++] = w;
	va_end(ap);
	argv[argc] = NULL;
	return run_opts_parse(o, argc, argv, fake_env, warn, err);
}

#define PARSE_OK(o, ...)                                                                           \
	({                                                                                         \
		struct mr_err e_ = {0};                                                            \
		struct strv w_ = {0};                                                              \
		int r_ = parse(o, &e_, &w_, __VA_ARGS__, NULL);                                    \
		if (r_ < 0)                                                                        \
			printf("# unexpected error: %s\n", e_.msg);                                \
		mr_error_clear(&e_);                                                               \
		strv_free(&w_);                                                                    \
		r_ == 0;                                                                           \
	})

static int last_status; /* the exit status parse_err's error asked for */

static char *parse_err(const char *first, ...)
{
	struct run_opts o;
	struct mr_err e = {0};
	struct strv w = {0};
	char *argv[64];
	int argc = 0;
	va_list ap;

	argv[argc++] = "run";
	argv[argc++] = (char *)first;
	va_start(ap, first);
	for (char *x; (x = va_arg(ap, char *));)
		argv[argc++] = x;
	va_end(ap);
	argv[argc] = NULL;
	if (run_opts_parse(&o, argc, argv, fake_env, &w, &e) == 0) {
		run_opts_free(&o);
		strv_free(&w);
		return strdup("(no error)");
	}
	run_opts_free(&o);
	strv_free(&w);
	last_status = e.status;
	return e.msg;
}

int main(void)
{
	struct run_opts o;
	char *m;

	CHECK(PARSE_OK(&o, "rootfs"));
	CHECK_STR(o.rootfs, "rootfs");
	CHECK(o.argv.n == 1);
	CHECK_STR(o.argv.v[0], "/bin/sh");
	CHECK(o.network == NET_BRIDGE);
	CHECK(!o.rm && !o.interactive && !o.init);
	run_opts_free(&o);

	CHECK(PARSE_OK(&o, "--rm", "-i", "--init", "--name", "web", "-h", "box", "-w", "/srv",
		       "rootfs", "echo", "-h", "--rm"));
	CHECK(o.rm && o.interactive && o.init);
	CHECK_STR(o.name, "web");
	CHECK_STR(o.hostname, "box");
	CHECK_STR(o.workdir, "/srv");
	CHECK(o.argv.n == 3);
	CHECK_STR(o.argv.v[1], "-h"); /* options stop at ROOTFS */
	CHECK_STR(o.argv.v[2], "--rm");
	run_opts_free(&o);

	CHECK(PARSE_OK(&o, "--name=web2", "--hostname=h2", "--network=none", "rootfs"));
	CHECK_STR(o.name, "web2");
	CHECK(o.network == NET_NONE);
	run_opts_free(&o);

	CHECK(PARSE_OK(&o, "-e", "A=1", "-e", "FROMENV", "-e", "UNSET", "--env", "B=x=y", "r"));
	CHECK(o.env.n == 3);
	CHECK_STR(o.env.v[0], "A=1");
	CHECK_STR(o.env.v[1], "FROMENV=yes");
	CHECK_STR(o.env.v[2], "B=x=y");
	run_opts_free(&o);

	CHECK(PARSE_OK(&o, "-p", "8080:80", "-p", "127.0.0.1:53:53/udp", "-p", "9000-9001:90-91",
		       "r"));
	CHECK(o.n_ports == 4);
	CHECK(o.ports[0].host_port == 8080 && o.ports[0].cont_port == 80);
	CHECK(o.ports[1].proto == IPPROTO_UDP && o.ports[1].host_ip.s_addr == htonl(0x7f000001));
	CHECK(o.ports[3].host_port == 9001 && o.ports[3].cont_port == 91);
	run_opts_free(&o);

	{
		struct mr_err e = {0};
		struct strv w = {0};
		CHECK(parse(&o, &e, &w, "--network", "host", "-p", "80:80", "r", NULL) == 0);
		CHECK(o.n_ports == 0);
		CHECK(w.n == 1);
		CHECK_STR(w.v[0], "Published ports are discarded when using host network mode");
		strv_free(&w);
		run_opts_free(&o);
	}
	{
		struct mr_err e = {0};
		struct strv w = {0};
		CHECK(parse(&o, &e, &w, "--dns", "127.0.0.1", "--dns", "1.1.1.1", "--dns", "::1",
			    "r", NULL) == 0);
		CHECK(w.n == 2); /* Docker's warning, for each loopback server */
		CHECK_STR(w.v[0],
			  "Localhost DNS setting (--dns=127.0.0.1) may fail in containers.");
		CHECK_STR(w.v[1], "Localhost DNS setting (--dns=::1) may fail in containers.");
		strv_free(&w);
		run_opts_free(&o);
	}

	CHECK(PARSE_OK(&o, "--ip", "10.99.0.50", "--dns", "192.0.2.1", "--dns-search", "ex.org",
		       "--dns-option", "ndots:2", "--add-host", "db:10.0.0.5", "r"));
	CHECK(o.ip.s_addr == inet_addr("10.99.0.50"));
	CHECK(o.dns.n == 1 && o.dns_search.n == 1 && o.dns_opt.n == 1 && o.add_hosts.n == 1);
	run_opts_free(&o);

	CHECK_STR(m = parse_err("--bogus", "r", NULL), "unknown flag: --bogus"), free(m);
	CHECK_STR(m = parse_err("-z", "r", NULL), "unknown shorthand flag: 'z' in -z"), free(m);
	CHECK_STR(m = parse_err("--name", NULL), "flag needs an argument: --name"), free(m);
	CHECK_STR(m = parse_err("-e", "=x", "r", NULL),
		  "invalid argument \"=x\" for -e: variable name is empty"),
	    free(m);
	CHECK_STR(m = parse_err("--rm", NULL), "\"run\" requires at least 1 argument: ROOTFS"),
	    free(m);
	CHECK(last_status == 1); /* as `docker run` without an image */
	free(parse_err("--bogus", "r", NULL));
	CHECK(last_status != 1); /* a bad flag: 125 */
	CHECK_STR(m = parse_err("--network", "bridge0", "r", NULL),
		  "invalid argument \"bridge0\" for --network: use bridge, host or none"),
	    free(m);
	CHECK_STR(m = parse_err("-w", "rel", "r", NULL),
		  "invalid working directory \"rel\": must be absolute"),
	    free(m);
	CHECK_STR(m = parse_err("--ip", "300.1.1.1", "r", NULL),
		  "invalid IPv4 address \"300.1.1.1\" for --ip"),
	    free(m);
	CHECK_STR(m = parse_err("--network", "none", "--ip", "10.99.0.2", "r", NULL),
		  "--ip needs the bridge network, not none"),
	    free(m);

	CHECK(valid_container_name("a"));
	CHECK(valid_container_name("web_1.x-y"));
	CHECK(!valid_container_name(""));
	CHECK(!valid_container_name("_a"));
	CHECK(!valid_container_name("a b"));
	CHECK(!valid_container_name("a/b"));
	CHECK(valid_hostname("box"));
	CHECK(valid_hostname("a-b.example.org"));
	CHECK(!valid_hostname("-a"));
	CHECK(!valid_hostname("a-"));
	CHECK(!valid_hostname("a..b"));
	CHECK(!valid_hostname("a_b"));
	CHECK(!valid_hostname("a.b."));
	return tap_done();
}
