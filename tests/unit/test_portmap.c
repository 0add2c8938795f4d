/* test_portmap.c - every -p form portmap_parse() accepts, every class of input it
 * refuses, and portmap_format()'s Docker-style output. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/err.h"
#include "../../net/portmap.h"
#include "tap.h"

/* Parse spec into a fresh list and render it as "a,b,c" for one-line comparison. */
static char *parse_fmt(const char *spec)
{
	static char out[8192];
	struct port_map *maps = NULL;
	struct mr_err err = {0};
	size_t n = 0, used = 0;

	if (portmap_parse(spec, &maps, &n, &err) < 0) {
		snprintf(out, sizeof(out), "ERR %s", err.msg ? err.msg : "(no message)");
		mr_error_clear(&err);
		free(maps);
		return out;
	}
	out[0] = '\0';
	for (size_t i = 0; i < n && used < sizeof(out); i++) {
		char one[64];
		portmap_format(&maps[i], one, sizeof(one));
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%s", i ? "," : "", one);
	}
	free(maps);
	return out;
}

/* The error message must be "invalid port spec "SPEC": " followed by why. */
static int refused(const char *spec, const char *why_part)
{
	struct port_map *maps = NULL;
	struct mr_err err = {0};
	size_t n = 0;
	char prefix[512];
	int ok;

	snprintf(prefix, sizeof(prefix), "invalid port spec \"%s\": ", spec);
	ok = portmap_parse(spec, &maps, &n, &err) == -1 && n == 0 && maps == NULL && err.msg &&
	     strncmp(err.msg, prefix, strlen(prefix)) == 0 && strstr(err.msg, why_part) &&
	     err.errnum == 0;
	if (!ok)
		printf("# spec [%s] -> msg [%s]\n", spec, err.msg ? err.msg : "(none)");
	mr_error_clear(&err);
	free(maps);
	return ok;
}

static void test_forms(void)
{
	CHECK_STR(parse_fmt("80"), "0.0.0.0:0->80/tcp");
	CHECK_STR(parse_fmt("8080:80"), "0.0.0.0:8080->80/tcp");
	CHECK_STR(parse_fmt("127.0.0.1:8080:80"), "127.0.0.1:8080->80/tcp");
	CHECK_STR(parse_fmt("10.1.2.3::80"), "10.1.2.3:0->80/tcp");
	CHECK_STR(parse_fmt("53/udp"), "0.0.0.0:0->53/udp");
	CHECK_STR(parse_fmt("5353:53/udp"), "0.0.0.0:5353->53/udp");
	CHECK_STR(parse_fmt("192.168.1.1:5353:53/udp"), "192.168.1.1:5353->53/udp");
	CHECK_STR(parse_fmt("192.168.1.1::53/udp"), "192.168.1.1:0->53/udp");
	CHECK_STR(parse_fmt("8080:80/tcp"), "0.0.0.0:8080->80/tcp");
	CHECK_STR(parse_fmt("8080:80/TCP"), "0.0.0.0:8080->80/tcp"); /* Docker lowercases */
	CHECK_STR(parse_fmt("8080:80/Udp"), "0.0.0.0:8080->80/udp");
	CHECK_STR(parse_fmt("0.0.0.0:8080:80"), "0.0.0.0:8080->80/tcp");
	CHECK_STR(parse_fmt("1:65535"), "0.0.0.0:1->65535/tcp");
	CHECK_STR(parse_fmt("65535:1"), "0.0.0.0:65535->1/tcp");
	CHECK_STR(parse_fmt("08080:080"), "0.0.0.0:8080->80/tcp"); /* leading zeros, as Docker */
}

static void test_ranges(void)
{
	CHECK_STR(parse_fmt("8000-8002:80-82"),
		  "0.0.0.0:8000->80/tcp,0.0.0.0:8001->81/tcp,0.0.0.0:8002->82/tcp");
	CHECK_STR(parse_fmt("80-82"), "0.0.0.0:0->80/tcp,0.0.0.0:0->81/tcp,0.0.0.0:0->82/tcp");
	CHECK_STR(parse_fmt("10.0.0.1::80-81/udp"), "10.0.0.1:0->80/udp,10.0.0.1:0->81/udp");
	CHECK_STR(parse_fmt("10.0.0.1:9000-9001:80-81"),
		  "10.0.0.1:9000->80/tcp,10.0.0.1:9001->81/tcp");
	CHECK_STR(parse_fmt("7000-7000:70-70"), "0.0.0.0:7000->70/tcp");
	CHECK_STR(parse_fmt("65534-65535:65534-65535"),
		  "0.0.0.0:65534->65534/tcp,0.0.0.0:65535->65535/tcp");

	/* the limit: exactly 1024 is fine, 1025 is not */
	{
		struct port_map *maps = NULL;
		struct mr_err err = {0};
		size_t n = 0;

		CHECK(portmap_parse("10000-11023:20000-21023", &maps, &n, &err) == 0);
		CHECK(n == 1024);
		CHECK(n == 1024 && maps[1023].host_port == 11023 && maps[1023].cont_port == 21023);
		free(maps);
		mr_error_clear(&err);
	}
	CHECK(refused("10000-11024:20000-21024", "too large"));
	CHECK(refused("1-65535", "too large"));
}

static void test_append(void)
{
	struct port_map *maps = NULL;
	struct mr_err err = {0};
	size_t n = 0;

	CHECK(portmap_parse("8080:80", &maps, &n, &err) == 0 && n == 1);
	CHECK(portmap_parse("9000-9001:90-91/udp", &maps, &n, &err) == 0 && n == 3);
	CHECK(n == 3 && maps[0].host_port == 8080 && maps[0].cont_port == 80 &&
	      maps[0].proto == IPPROTO_TCP && maps[0].host_ip.s_addr == htonl(INADDR_ANY));
	CHECK(n == 3 && maps[2].host_port == 9001 && maps[2].cont_port == 91 &&
	      maps[2].proto == IPPROTO_UDP);
	/* a refused spec leaves the list as it was */
	CHECK(portmap_parse("99999:80", &maps, &n, &err) == -1 && n == 3 &&
	      maps[0].cont_port == 80);
	CHECK(err.msg != NULL && err.status == 125);
	mr_error_clear(&err);
	CHECK(portmap_parse("127.0.0.1:1:2", &maps, &n, &err) == 0 && n == 4 &&
	      maps[3].host_ip.s_addr == htonl(INADDR_LOOPBACK));
	free(maps);
}

static void test_errors(void)
{
	/* empty things */
	CHECK(refused("", "empty"));
	CHECK(refused(":80", "empty host port"));
	CHECK(refused("8080:", "empty container port"));
	CHECK(refused("::80", "empty host IP"));
	CHECK(refused("1.2.3.4:8080:", "empty container port"));
	CHECK(refused("80/", "empty protocol"));
	CHECK(refused("/tcp", "empty container port"));
	/* port numbers */
	CHECK(refused("0", "out of range"));
	CHECK(refused("0:80", "out of range"));
	CHECK(refused("65536", "out of range"));
	CHECK(refused("8080:65536", "out of range"));
	CHECK(refused("99999999999999999999", "out of range"));
	CHECK(refused("http", "not a number"));
	CHECK(refused("80a", "not a number"));
	CHECK(refused("0x50", "not a number"));
	CHECK(refused("8080:+80", "not a number"));
	CHECK(refused("+80", "leading '+'"));
	CHECK(refused("-80", "leading '-'"));
	CHECK(refused(" 80", "whitespace"));
	CHECK(refused("80 ", "whitespace"));
	CHECK(refused("8080:\t80", "whitespace"));
	CHECK(refused("80\n", "whitespace"));
	/* ranges */
	CHECK(refused("82-80", "ends before it starts"));
	CHECK(refused("8002-8000:80-82", "ends before it starts"));
	CHECK(refused("80-", "needs a start and an end"));
	CHECK(refused("8000-:80", "needs a start and an end"));
	CHECK(refused("80-81-82", "not a number"));
	CHECK(refused("8000-8001:80-82", "same length"));
	CHECK(refused("8000-8002:80", "same length"));
	CHECK(refused("8000:80-82", "same length"));
	CHECK(refused("80-70000", "out of range"));
	/* protocols */
	CHECK(refused("80/sctp", "unsupported protocol \"sctp\""));
	CHECK(refused("80/icmp", "unsupported protocol"));
	CHECK(refused("80/tcp/udp", "more than one '/'"));
	CHECK(refused("80/tcp:90", "must come last"));
	CHECK(refused("80/tcpx", "unsupported protocol"));
	/* addresses */
	CHECK(refused("1.2.3:8080:80", "invalid host IP address \"1.2.3\""));
	CHECK(refused("1.2.3.4.5:8080:80", "invalid host IP address"));
	CHECK(refused("256.1.1.1:8080:80", "invalid host IP address"));
	CHECK(refused("localhost:8080:80", "invalid host IP address"));
	CHECK(refused("01.2.3.4:8080:80", "invalid host IP address"));
	CHECK(refused("1.2.3.4:80", "write 1.2.3.4::PORT")); /* IP without a host port */
	CHECK(refused("[::1]:8080:80", "IPv6"));
	CHECK(refused("::1:8080:80", "IPv6"));
	CHECK(refused("fe80::1::80", "IPv6"));
	CHECK(refused("2001:db8::1:8080:80/udp", "IPv6"));
	CHECK(refused("1:2:3:4", "too many ':'"));
	CHECK(refused("a:b:c:d:e", "too many ':'"));

	/* NULL spec is an error, not a crash */
	{
		struct port_map *maps = NULL;
		struct mr_err err = {0};
		size_t n = 0;
		CHECK(portmap_parse(NULL, &maps, &n, &err) == -1 && n == 0);
		CHECK(err.msg && strstr(err.msg, "empty value"));
		mr_error_clear(&err);
	}
}

static void test_format(void)
{
	struct port_map m = {.proto = IPPROTO_UDP, .host_port = 5353, .cont_port = 53};
	char buf[64];

	inet_pton(AF_INET, "192.0.2.7", &m.host_ip);
	CHECK(portmap_format(&m, buf, sizeof(buf)) == (int)strlen("192.0.2.7:5353->53/udp"));
	CHECK_STR(buf, "192.0.2.7:5353->53/udp");
	m.host_ip.s_addr = htonl(INADDR_ANY);
	m.proto = IPPROTO_TCP;
	m.host_port = 8080;
	m.cont_port = 80;
	portmap_format(&m, buf, sizeof(buf));
	CHECK_STR(buf, "0.0.0.0:8080->80/tcp");
	/* snprintf semantics: truncated, NUL-terminated, full length returned */
	CHECK(portmap_format(&m, buf, 8) == 20 && strcmp(buf, "0.0.0.0") == 0);
	CHECK_STR(portmap_proto_name(IPPROTO_TCP), "tcp");
	CHECK_STR(portmap_proto_name(IPPROTO_UDP), "udp");
	CHECK_STR(portmap_proto_name(IPPROTO_SCTP), "unknown");
}

int main(void)
{
	test_forms();
	test_ranges();
	test_append();
	test_errors();
	test_format();
	return tap_done();
}
