/* portmap.c - parses Docker's `-p [IP:][HOSTPORT:]CPORT[/tcp|udp]` values (with
 * equal-length port ranges) into struct port_map entries, and prints them back. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memrchr */
#endif
#include "portmap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/cleanup.h"

/* One -p value may expand to at most this many mappings (Docker has no limit;
 * we keep a typo such as 1-65535 from becoming 65535 nft elements). */
#define PORTMAP_MAX_PER_SPEC 1024

struct port_range {
	unsigned lo, hi;
};

/* Fills why (a caller buffer) and returns -1. */
static int why_fail(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int why_fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* A decimal port 1-65535: digits only (no sign, no spaces), leading zeros allowed. */
static int parse_port(const char *s, size_t n, const char *what, unsigned *out, char *why,
		      size_t wlen)
{
	unsigned v = 0;

	if (n == 0)
		return why_fail(why, wlen, "empty %s", what);
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return why_fail(why, wlen, "%s \"%.*s\" is not a number", what, (int)n, s);
		v = v * 10 + (unsigned)(s[i] - '0');
		if (v > 65535)
			return why_fail(why, wlen, "%s %.*s is out of range (1-65535)", what,
					(int)n, s);
	}
	if (v == 0)
		return why_fail(why, wlen, "%s 0 is out of range (1-65535)", what);
	*out = v;
	return 0;
}

/* "N" or "N-M" with N <= M. */
static int parse_range(const char *s, size_t n, const char *what, struct port_range *r, char *why,
		       size_t wlen)
{
	const char *dash = memchr(s, '-', n);

	if (n == 0)
		return why_fail(why, wlen, "empty %s", what);
	if (!dash) {
		if (parse_port(s, n, what, &r->lo, why, wlen) < 0)
			return -1;
		r->hi = r->lo;
		return 0;
	}
	if (dash == s || dash == s + n - 1)
		return why_fail(why, wlen, "%s range \"%.*s\" needs a start and an end", what,
				(int)n, s);
	if (parse_port(s, (size_t)(dash - s), what, &r->lo, why, wlen) < 0 ||
	    parse_port(dash + 1, n - (size_t)(dash - s) - 1, what, &r->hi, why, wlen) < 0)
		return -1;
	if (r->lo > r->hi)
		return why_fail(why, wlen, "%s range %.*s ends before it starts", what, (int)n, s);
	return 0;
}

static int parse_proto(const char *s, uint8_t *proto, char *why, size_t wlen)
{
	if (*s == '\0')
		return why_fail(why, wlen, "empty protocol after '/'");
	if (strcasecmp(s, "tcp") == 0)
		*proto = IPPROTO_TCP;
	else if (strcasecmp(s, "udp") == 0)
		*proto = IPPROTO_UDP;
	else
		return why_fail(why, wlen, "unsupported protocol \"%s\" (use tcp or udp)", s);
	return 0;
}

static int parse_ip(const char *s, size_t n, struct in_addr *ip, char *why, size_t wlen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	struct in6_addr ip6;

	if (n == 0)
		return why_fail(why, wlen, "empty host IP address");
	if (n >= sizeof(buf))
		return why_fail(why, wlen, "invalid host IP address \"%.*s\"", (int)n, s);
	memcpy(buf, s, n);
	buf[n] = '\0';
	/* inet_pton(AF_INET) takes exactly a dotted quad, without leading zeros. */
	if (inet_pton(AF_INET, buf, ip) == 1)
		return 0;
	if (inet_pton(AF_INET6, buf, &ip6) == 1)
		return why_fail(why, wlen, "IPv6 host addresses are not supported yet");
	return why_fail(why, wlen, "invalid host IP address \"%s\" (want an IPv4 dotted quad)",
			buf);
}

/* The whole grammar; on success *out holds the mappings (malloc'd). */
static int parse_spec(const char *spec, struct port_map **out, size_t *count, char *why,
		      size_t wlen)
{
	struct port_range host = {0, 0}, cont;
	struct in_addr ip = {.s_addr = htonl(INADDR_ANY)};
	uint8_t proto = IPPROTO_TCP;
	const char *slash, *c1, *c2, *cport;
	size_t len, ncolons = 0, nmaps;
	bool have_host = false;
	struct port_map *maps;

	if (!spec || *spec == '\0')
		return why_fail(why, wlen, "empty value");
	for (const char *p = spec; *p; p++) {
		if (*p == ' ' || (unsigned char)*p < 0x20 || *p == 0x7f)
			return why_fail(why, wlen, "contains whitespace or control characters");
		if (*p == ':')
			ncolons++;
	}
	if (spec[0] == '+' || spec[0] == '-')
		return why_fail(why, wlen, "leading '%c'", spec[0]);
	if (strchr(spec, '[') || strchr(spec, ']'))
		return why_fail(why, wlen, "IPv6 host addresses are not supported yet");

	slash = strchr(spec, '/');
	if (slash) {
		if (strchr(slash + 1, '/'))
			return why_fail(why, wlen, "more than one '/'");
		if (strchr(slash + 1, ':'))
			return why_fail(why, wlen, "'/PROTO' must come last");
		if (parse_proto(slash + 1, &proto, why, wlen) < 0)
			return -1;
		len = (size_t)(slash - spec);
	} else {
		len = strlen(spec);
	}

	if (ncolons > 2) {
		/* Docker reads "IP6:HOST:CONT" with the IP being everything before
		 * the last two colons; recognise that to say why we refuse it. */
		const char *last = memrchr(spec, ':', len);
		const char *prev = memrchr(spec, ':', (size_t)(last - spec));
		struct in6_addr ip6;
		char buf[INET6_ADDRSTRLEN + 8];
		size_t iplen = (size_t)(prev - spec);

		if (iplen < sizeof(buf)) {
			memcpy(buf, spec, iplen);
			buf[iplen] = '\0';
			if (inet_pton(AF_INET6, buf, &ip6) == 1)
				return why_fail(why, wlen,
						"IPv6 host addresses are not supported yet");
		}
		return why_fail(why, wlen, "too many ':' (want [IP:][HOSTPORT:]CPORT)");
	}

	c2 = memrchr(spec, ':', len); /* before CPORT */
	c1 = c2 ? memrchr(spec, ':', (size_t)(c2 - spec)) : NULL;
	cport = c2 ? c2 + 1 : spec;
	if (parse_range(cport, len - (size_t)(cport - spec), "container port", &cont, why, wlen) <
	    0)
		return -1;

	if (c1) { /* IP:HOSTPORT:CPORT or IP::CPORT */
		if (parse_ip(spec, (size_t)(c1 - spec), &ip, why, wlen) < 0)
			return -1;
		if (c2 > c1 + 1) {
			if (parse_range(c1 + 1, (size_t)(c2 - c1 - 1), "host port", &host, why,
					wlen) < 0)
				return -1;
			have_host = true;
		}
	} else if (c2) { /* HOSTPORT:CPORT */
		struct in_addr maybe_ip;
		char hbuf[INET_ADDRSTRLEN];
		size_t hlen = (size_t)(c2 - spec);

		if (c2 == spec)
			return why_fail(why, wlen, "empty host port before ':'");
		if (hlen < sizeof(hbuf)) {
			memcpy(hbuf, spec, hlen);
			hbuf[hlen] = '\0';
			if (inet_pton(AF_INET, hbuf, &maybe_ip) == 1)
				return why_fail(why, wlen,
						"no host port after the IP address (write %s::PORT "
						"for a free one)",
						hbuf);
		}
		if (parse_range(spec, (size_t)(c2 - spec), "host port", &host, why, wlen) < 0)
			return -1;
		have_host = true;
	}

	nmaps = cont.hi - cont.lo + 1;
	if (have_host && host.hi - host.lo != cont.hi - cont.lo) {
		if (host.lo == host.hi || cont.lo == cont.hi)
			return why_fail(why, wlen,
					"host and container ports must both be single ports or "
					"ranges of the same length");
		return why_fail(why, wlen,
				"host range has %u ports but container range has %zu; they "
				"must be the same length",
				host.hi - host.lo + 1, nmaps);
	}
	if (nmaps > PORTMAP_MAX_PER_SPEC)
		return why_fail(why, wlen, "range of %zu ports is too large (at most %d)", nmaps,
				PORTMAP_MAX_PER_SPEC);

	maps = calloc(nmaps, sizeof(*maps));
	if (!maps)
		return why_fail(why, wlen, "%s", strerror(ENOMEM));
	for (size_t i = 0; i < nmaps; i++) {
		maps[i].proto = proto;
		maps[i].host_ip = ip;
		maps[i].host_port = have_host ? (uint16_t)(host.lo + i) : 0;
		maps[i].cont_port = (uint16_t)(cont.lo + i);
	}
	*out = maps;
	*count = nmaps;
	return 0;
}

int portmap_parse(const char *spec, struct port_map **maps, size_t *n, struct mr_err *err)
{
	_cleanup_free_ struct port_map *parsed = NULL;
	struct port_map *grown;
	size_t count = 0;
	char why[256];

	if (parse_spec(spec, &parsed, &count, why, sizeof(why)) < 0)
		return mr_error(err, 0, "invalid port spec \"%s\": %s", spec ? spec : "", why);
	grown = realloc(*maps, (*n + count) * sizeof(*grown));
	if (!grown)
		return mr_error(err, ENOMEM, "port spec \"%s\"", spec);
	memcpy(grown + *n, parsed, count * sizeof(*grown));
	*maps = grown;
	*n += count;
	return 0;
}

const char *portmap_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	default:
		return "unknown";
	}
}

int portmap_format(const struct port_map *m, char *buf, size_t len)
{
	char ip[INET_ADDRSTRLEN];

	if (!inet_ntop(AF_INET, &m->host_ip, ip, sizeof(ip)))
		snprintf(ip, sizeof(ip), "?");
	return snprintf(buf, len, "%s:%u->%u/%s", ip, (unsigned)m->host_port,
			(unsigned)m->cont_port, portmap_proto_name(m->proto));
}
