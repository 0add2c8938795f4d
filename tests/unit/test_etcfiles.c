/* test_etcfiles.c - /etc/hosts, /etc/hostname and /etc/resolv.conf rendering:
 * Docker's layout, --add-host, host mode, loopback/stub filtering, the
 * 8.8.8.8 fallback and the --dns/--dns-search/--dns-option overrides. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/err.h"
#include "../../common/strv.h"
#include "../../runtime/etcfiles.h"
#include "tap.h"

#define DOCKER_HEAD                                                                                \
	"127.0.0.1\tlocalhost\n"                                                                   \
	"::1\tlocalhost ip6-localhost ip6-loopback\n"                                              \
	"fe00::0\tip6-localnet\n"                                                                  \
	"ff00::0\tip6-mcastprefix\n"                                                               \
	"ff02::1\tip6-allnodes\n"                                                                  \
	"ff02::2\tip6-allrouters\n"

/* Keep the last rendering and error so CHECK_STR lines stay short. */
static char *got;
static struct mr_err err;

static const char *hosts(const struct etc_opts *o, const char *host_hosts)
{
	free(got);
	mr_error_clear(&err);
	got = etc_hosts_render(o, host_hosts, &err);
	return got ? got : "(null)";
}

static const char *resolv(const struct etc_opts *o, const char *host_resolv)
{
	free(got);
	mr_error_clear(&err);
	got = etc_resolv_render(o, host_resolv, &err);
	return got ? got : "(null)";
}

static struct strv mkstrv(const char *a, const char *b, const char *c)
{
	struct strv s = {0};
	if (a)
		strv_push(&s, a);
	if (b)
		strv_push(&s, b);
	if (c)
		strv_push(&s, c);
	return s;
}

static int err_is(const char *want_part)
{
	int ok = got == NULL && err.msg && strstr(err.msg, want_part) != NULL;
	if (!ok)
		printf("# err [%s], want part [%s]\n", err.msg ? err.msg : "(none)", want_part);
	return ok;
}

static void test_hosts(void)
{
	struct strv add = mkstrv("db:10.0.0.5", "v6host:2001:db8::1", "loop6:::1");
	struct etc_opts o = {.hostname = "3f2a9c1d7e8b", .ip = "10.99.0.2"};

	CHECK_STR(hosts(&o, NULL), DOCKER_HEAD "10.99.0.2\t3f2a9c1d7e8b\n");
	/* the host's file is ignored outside host mode */
	CHECK_STR(hosts(&o, "1.2.3.4 evil\n"), DOCKER_HEAD "10.99.0.2\t3f2a9c1d7e8b\n");

	o.add_hosts = &add;
	CHECK_STR(hosts(&o, NULL), DOCKER_HEAD "10.0.0.5\tdb\n"
					       "2001:db8::1\tv6host\n"
					       "::1\tloop6\n"
					       "10.99.0.2\t3f2a9c1d7e8b\n");

	/* dotted hostname: FQDN plus its first label, as Docker writes it */
	o.add_hosts = NULL;
	o.hostname = "web.example.com";
	CHECK_STR(hosts(&o, NULL), DOCKER_HEAD "10.99.0.2\tweb.example.com web\n");

	/* no address (network none): no own line */
	o.ip = NULL;
	CHECK_STR(hosts(&o, NULL), DOCKER_HEAD);

	/* host mode: the host's file, then --add-host lines */
	o.host_network = true;
	o.add_hosts = &add;
	CHECK_STR(hosts(&o, "127.0.0.1 localhost\n192.168.1.10 myhost"),
		  "127.0.0.1 localhost\n192.168.1.10 myhost\n"
		  "10.0.0.5\tdb\n2001:db8::1\tv6host\n::1\tloop6\n");
	o.add_hosts = NULL;
	CHECK_STR(hosts(&o, "127.0.0.1 localhost\n"), "127.0.0.1 localhost\n");
	CHECK_STR(hosts(&o, NULL), DOCKER_HEAD); /* no host file: Docker's lines */
	o.ip = "10.99.0.9";			 /* an address is never added in host mode */
	CHECK_STR(hosts(&o, "127.0.0.1 localhost\n"), "127.0.0.1 localhost\n");

	/* errors */
	o = (struct etc_opts){.hostname = "ok", .ip = "10.99.0.300"};
	CHECK_STR(hosts(&o, NULL), "(null)");
	CHECK(err_is("container address \"10.99.0.300\" is not an IPv4 address"));
	o = (struct etc_opts){.hostname = "bad host", .ip = "10.99.0.2"};
	hosts(&o, NULL);
	CHECK(err_is("invalid hostname \"bad host\""));
	o = (struct etc_opts){.hostname = "x\n1.2.3.4\tevil", .ip = "10.99.0.2"};
	hosts(&o, NULL);
	CHECK(err_is("invalid hostname"));
	o = (struct etc_opts){.hostname = NULL, .ip = "10.99.0.2"};
	hosts(&o, NULL);
	CHECK(err_is("invalid hostname \"\": empty name"));
	{
		struct strv bad = mkstrv("good:1.2.3.4", "nocolon", NULL);
		o = (struct etc_opts){.hostname = "h", .ip = "10.99.0.2", .add_hosts = &bad};
		hosts(&o, NULL);
		CHECK(err_is("invalid argument \"nocolon\" for --add-host: want NAME:IP"));
		strv_free(&bad);
	}
	strv_free(&add);
}

static int add_host_refused(const char *spec, const char *why)
{
	struct mr_err e = {0};
	char prefix[512];
	int ok;

	snprintf(prefix, sizeof(prefix), "invalid argument \"%s\" for --add-host: ", spec);
	ok = etc_check_add_host(spec, &e) == -1 && e.msg &&
	     strncmp(e.msg, prefix, strlen(prefix)) == 0 && strstr(e.msg, why);
	if (!ok)
		printf("# [%s] -> [%s]\n", spec, e.msg ? e.msg : "(none)");
	mr_error_clear(&e);
	return ok;
}

static int add_host_ok(const char *spec)
{
	struct mr_err e = {0};
	int ok = etc_check_add_host(spec, &e) == 0 && e.msg == NULL;
	if (!ok)
		printf("# [%s] -> [%s]\n", spec, e.msg ? e.msg : "(none)");
	mr_error_clear(&e);
	return ok;
}

static void test_add_host(void)
{
	CHECK(add_host_ok("db:10.0.0.5"));
	CHECK(add_host_ok("my-db.internal:192.168.0.1"));
	CHECK(add_host_ok("under_score:1.1.1.1"));
	CHECK(add_host_ok("v6:2001:db8::42"));
	CHECK(add_host_ok("lo6:::1"));
	CHECK(add_host_ok("mapped:::ffff:10.0.0.1"));
	CHECK(add_host_ok("A1:0.0.0.0"));

	CHECK(add_host_refused("", "want NAME:IP"));
	CHECK(add_host_refused("db", "want NAME:IP"));
	CHECK(add_host_refused(":10.0.0.5", "want NAME:IP"));
	CHECK(add_host_refused("db:", "\"\" is not an IPv4 or IPv6 address"));
	CHECK(add_host_refused("db:10.0.0", "\"10.0.0\" is not an IPv4 or IPv6 address"));
	CHECK(add_host_refused("db:10.0.0.256", "not an IPv4 or IPv6"));
	CHECK(add_host_refused("db:example.com", "not an IPv4 or IPv6"));
	CHECK(add_host_refused("db: 10.0.0.5", "not an IPv4 or IPv6"));
	CHECK(add_host_refused("db:10.0.0.5 ", "not an IPv4 or IPv6"));
	CHECK(add_host_refused("db:[::1]", "not an IPv4 or IPv6"));
	CHECK(add_host_refused("db:fe80::1%eth0", "not an IPv4 or IPv6"));
	CHECK(add_host_refused("db:host-gateway", "host-gateway is not supported"));
	CHECK(add_host_refused("bad host:1.2.3.4", "\"bad host\" is not a valid hostname"));
	CHECK(add_host_refused("-lead:1.2.3.4", "not a valid hostname"));
	CHECK(add_host_refused("trail-:1.2.3.4", "not a valid hostname"));
	CHECK(add_host_refused("a..b:1.2.3.4", "not a valid hostname"));
	CHECK(add_host_refused(".a:1.2.3.4", "not a valid hostname"));
	CHECK(add_host_refused("a.:1.2.3.4", "not a valid hostname"));
	CHECK(add_host_refused("tab\there:1.2.3.4", "not a valid hostname"));
	CHECK(add_host_refused("new\nline:1.2.3.4", "not a valid hostname"));
	CHECK(add_host_refused("caf\xc3\xa9:1.2.3.4", "not a valid hostname"));
	{
		char spec[400];
		memset(spec, 'a', 64);
		strcpy(spec + 64, ":1.2.3.4");
		CHECK(add_host_refused(spec, "label longer than 63"));
		for (int i = 0; i < 64; i++) /* 64 x "abc." = 256 chars */
			memcpy(spec + 4 * i, "abc.", 4);
		strcpy(spec + 255, ":1.2.3.4");
		CHECK(add_host_refused(spec, "too long"));
	}
	{
		struct mr_err e = {0};
		CHECK(etc_check_add_host(NULL, &e) == -1 && e.msg);
		mr_error_clear(&e);
	}
}

static void test_hostname(void)
{
	struct etc_opts o = {.hostname = "3f2a9c1d7e8b"};
	char *s;

	mr_error_clear(&err);
	s = etc_hostname_render(&o, &err);
	CHECK_STR(s, "3f2a9c1d7e8b\n");
	free(s);
	o.hostname = "web.example.com";
	s = etc_hostname_render(&o, &err);
	CHECK_STR(s, "web.example.com\n");
	free(s);
	/* 64 is the kernel's limit; 65 is refused */
	o.hostname = "a123456789.b123456789.c123456789.d123456789.e123456789.f12345678";
	CHECK(strlen(o.hostname) == 64);
	s = etc_hostname_render(&o, &err);
	CHECK(s != NULL);
	free(s);
	o.hostname = "a123456789.b123456789.c123456789.d123456789.e123456789.f123456789";
	s = etc_hostname_render(&o, &err);
	CHECK(s == NULL && err.msg && strstr(err.msg, "too long"));
	mr_error_clear(&err);
	o.hostname = "";
	s = etc_hostname_render(&o, &err);
	CHECK(s == NULL && err.msg && strstr(err.msg, "invalid hostname \"\""));
	mr_error_clear(&err);
	o.hostname = "a/b";
	s = etc_hostname_render(&o, &err);
	CHECK(s == NULL && err.msg && strstr(err.msg, "invalid hostname \"a/b\""));
	mr_error_clear(&err);
}

static const char debian_resolv[] = "# Generated by NetworkManager\n"
				    "domain corp.example\n"
				    "search corp.example lab.example\n"
				    "nameserver 192.168.1.1\n"
				    "nameserver 127.0.0.1\n"
				    "\n"
				    "options edns0 trust-ad\n"
				    "nameserver 10.0.0.53 # office\n"
				    "options rotate\n"
				    "sortlist 130.155.160.0/255.255.240.0\n";

static void test_resolv(void)
{
	struct etc_opts o = {.hostname = "h", .ip = "10.99.0.2"};

	/* as Docker: the host's file as it is, less the loopback nameserver
	 * line and the blank line after it */
	CHECK_STR(resolv(&o, debian_resolv), "# Generated by NetworkManager\n"
					     "domain corp.example\n"
					     "search corp.example lab.example\n"
					     "nameserver 192.168.1.1\n"
					     "options edns0 trust-ad\n"
					     "nameserver 10.0.0.53 # office\n"
					     "options rotate\n"
					     "sortlist 130.155.160.0/255.255.240.0\n");

	/* the systemd-resolved stub alone: nothing left, Docker's defaults */
	CHECK_STR(resolv(&o, "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n"),
		  "options edns0 trust-ad\nsearch .\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4");
	/* all of 127.0.0.0/8 and ::1 count as loopback; IPv6 servers cannot be
	 * reached from our IPv4-only bridge either (Docker drops them too) */
	CHECK_STR(resolv(&o, "nameserver 127.1.2.3\nnameserver ::1\nnameserver 2001:4860::1\n"
			     "nameserver fe80::1%eth0\nnameserver 1.1.1.1\n"),
		  "nameserver 1.1.1.1\n");
	CHECK_STR(resolv(&o, "nameserver 128.0.0.1\nnameserver 126.255.255.255\n"),
		  "nameserver 128.0.0.1\nnameserver 126.255.255.255\n");
	/* junk nameserver lines are kept as they are (they count for nothing) */
	CHECK_STR(resolv(&o, "nameserver\nnameserver dns.example\nnameserver 9.9.9.9\n"),
		  "nameserver\nnameserver dns.example\nnameserver 9.9.9.9\n");
	CHECK_STR(resolv(&o, "nameserver dns.example\n"),
		  "nameserver dns.example\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4");
	/* a last line without its newline */
	CHECK_STR(resolv(&o, "search lan\nnameserver 9.9.9.9"), "search lan\nnameserver 9.9.9.9");
	/* no host file at all, or an empty one */
	CHECK_STR(resolv(&o, NULL), "\nnameserver 8.8.8.8\nnameserver 8.8.4.4");
	CHECK_STR(resolv(&o, ""), "\nnameserver 8.8.8.8\nnameserver 8.8.4.4");
	/* whitespace variants and CRLF, kept */
	CHECK_STR(resolv(&o, "  nameserver\t9.9.9.9  \r\n;comment\r\nsearch   a.example\r\n"),
		  "  nameserver\t9.9.9.9  \r\n;comment\r\nsearch   a.example\r\n");
	CHECK_STR(resolv(&o, " nameserver\t127.0.0.1\r\nsearch lan\n"),
		  "search lan\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4");

	/* host mode keeps loopback and IPv6 servers */
	o.host_network = true;
	CHECK_STR(resolv(&o, "nameserver 127.0.0.53\nnameserver ::1\nsearch lan\n"),
		  "nameserver 127.0.0.53\nnameserver ::1\nsearch lan\n");
	CHECK_STR(resolv(&o, "search lan\n"), "search lan\n");
	o.host_network = false;
}

static void test_resolv_overrides(void)
{
	struct strv dns = mkstrv("1.1.1.1", "2606:4700:4700::1111", NULL);
	struct strv loop = mkstrv("127.0.0.1", NULL, NULL);
	struct strv search = mkstrv("svc.example", "example", NULL);
	struct strv dot = mkstrv(".", NULL, NULL);
	struct strv opts = mkstrv("ndots:2", "timeout:1", NULL);
	struct etc_opts o = {.hostname = "h", .ip = "10.99.0.2"};

	/* --dns replaces every nameserver, kept as given (even IPv6); a new
	 * file in Docker's order: search, nameservers, options (the host's
	 * last search and options lines), nothing else */
	o.dns = &dns;
	CHECK_STR(resolv(&o, debian_resolv), "search corp.example lab.example\n"
					     "nameserver 1.1.1.1\n"
					     "nameserver 2606:4700:4700::1111\n"
					     "options rotate\n");
	/* --dns 127.0.0.1 means the container's own loopback: not filtered */
	o.dns = &loop;
	CHECK_STR(resolv(&o, "nameserver 10.0.0.1\n"), "nameserver 127.0.0.1\n");

	/* --dns-search and --dns-option replace their lines, nameservers stay filtered */
	o.dns = NULL;
	o.dns_search = &search;
	o.dns_opt = &opts;
	CHECK_STR(resolv(&o, debian_resolv), "search svc.example example\n"
					     "nameserver 192.168.1.1\n"
					     "nameserver 10.0.0.53\n"
					     "options ndots:2 timeout:1\n");
	/* --dns-search . removes the search line */
	o.dns_search = &dot;
	o.dns_opt = NULL;
	CHECK_STR(resolv(&o, "nameserver 127.0.0.53\nsearch lan\n"),
		  "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
	/* all three at once, no host file */
	o.dns = &dns;
	o.dns_search = &search;
	o.dns_opt = &opts;
	CHECK_STR(resolv(&o, NULL), "search svc.example example\n"
				    "nameserver 1.1.1.1\n"
				    "nameserver 2606:4700:4700::1111\n"
				    "options ndots:2 timeout:1\n");
	/* an empty list is "not given" */
	{
		struct strv empty = {0};
		o = (struct etc_opts){
		    .hostname = "h", .dns = &empty, .dns_search = &empty, .dns_opt = &empty};
		CHECK_STR(resolv(&o, "nameserver 9.9.9.9\nsearch lan\noptions edns0\n"),
			  "nameserver 9.9.9.9\nsearch lan\noptions edns0\n");
	}

	/* bad overrides */
	{
		struct strv bad = mkstrv("1.1.1.1", "dns.google", NULL);
		o = (struct etc_opts){.hostname = "h", .dns = &bad};
		resolv(&o, NULL);
		CHECK(err_is("invalid argument \"dns.google\" for --dns: not an IP address"));
		strv_free(&bad);
	}
	{
		struct strv bad = mkstrv("ok.example", "evil\nnameserver 6.6.6.6", NULL);
		o = (struct etc_opts){.hostname = "h", .dns_search = &bad};
		resolv(&o, NULL);
		CHECK(err_is("for --dns-search: whitespace"));
		strv_free(&bad);
	}
	{
		struct strv bad = mkstrv("ndots:1 rotate", NULL, NULL);
		o = (struct etc_opts){.hostname = "h", .dns_opt = &bad};
		resolv(&o, NULL);
		CHECK(err_is("invalid argument \"ndots:1 rotate\" for --dns-option"));
		strv_free(&bad);
	}
	{
		struct strv bad = mkstrv("", NULL, NULL);
		o = (struct etc_opts){.hostname = "h", .dns_opt = &bad};
		resolv(&o, NULL);
		CHECK(err_is("invalid argument \"\" for --dns-option: empty value"));
		strv_free(&bad);
	}
	strv_free(&dns);
	strv_free(&loop);
	strv_free(&search);
	strv_free(&dot);
	strv_free(&opts);
}

static void test_host_path(void)
{
	int have_systemd = access("/run/systemd/resolve/resolv.conf", R_OK) == 0;

	CHECK_STR(etc_resolv_host_path(NULL), "/etc/resolv.conf");
	CHECK_STR(etc_resolv_host_path("nameserver 192.168.1.1\n"), "/etc/resolv.conf");
	CHECK_STR(etc_resolv_host_path("nameserver 127.0.0.53\nnameserver 1.1.1.1\n"),
		  "/etc/resolv.conf");
	CHECK_STR(etc_resolv_host_path("nameserver 127.0.0.1\n"), "/etc/resolv.conf");
	/* only the stub: the systemd file, if this machine has one */
	CHECK_STR(etc_resolv_host_path("# stub\nnameserver 127.0.0.53\noptions edns0\n"),
		  have_systemd ? "/run/systemd/resolve/resolv.conf" : "/etc/resolv.conf");
}

int main(void)
{
	test_hosts();
	test_add_host();
	test_hostname();
	test_resolv();
	test_resolv_overrides();
	test_host_path();
	free(got);
	mr_error_clear(&err);
	return tap_done();
}
