/* etcfiles.c - renders a container's /etc/hosts, /etc/hostname and
 * /etc/resolv.conf the way Docker does for a default-bridge container (pure
 * string functions; writing and bind-mounting them is the caller's job). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream */
#endif
#include "etcfiles.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"

#define RESOLV_ETC "/etc/resolv.conf"
#define RESOLV_SYSTEMD "/run/systemd/resolve/resolv.conf"
#define RESOLVED_STUB "127.0.0.53"

/* Docker's fixed head of /etc/hosts (libnetwork/etchosts defaultContent). */
static const char hosts_default[] = "127.0.0.1\tlocalhost\n"
				    "::1\tlocalhost ip6-localhost ip6-loopback\n"
				    "fe00::0\tip6-localnet\n"
				    "ff00::0\tip6-mcastprefix\n"
				    "ff02::1\tip6-allnodes\n"
				    "ff02::2\tip6-allrouters\n";

/* Docker's fallback when no usable nameserver is left (Google Public DNS).
 * Docker adds 2001:4860:4860::8888/8844 only on IPv6 networks; ours have none. */
static const char *const default_ns[] = {"8.8.8.8", "8.8.4.4"};

static void strv_freep(struct strv *s)
{
	int saved = errno;
	strv_free(s);
	errno = saved;
}
#define _cleanup_strv_ _cleanup_(strv_freep)

/* Replace *dst by *src, leaving src empty. */
static void strv_move(struct strv *dst, struct strv *src)
{
	strv_free(dst);
	*dst = *src;
	*src = (struct strv){0};
}

/* An output string built with stdio; finish() hands over the buffer. */
struct out {
	FILE *f;
	char *buf;
	size_t len;
};

static int out_open(struct out *o, const char *what, struct mr_err *err)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	if (!o->f)
		return mr_error(err, errno, "render %s", what);
	return 0;
}

static char *out_finish(struct out *o, const char *what, struct mr_err *err)
{
	int failed = ferror(o->f);

	if (fclose(o->f) != 0 || failed) {
		free(o->buf);
		mr_error(err, ENOMEM, "render %s", what);
		return NULL;
	}
	return o->buf;
}

/* RFC 1123 labels (letters, digits, '-', plus '_', which Docker users rely
 * on), separated by single dots, no leading/trailing '-' in a label. */
static const char *hostname_problem(const char *name, size_t max)
{
	size_t len, label = 0;

	if (!name || !*name)
		return "empty name";
	len = strlen(name);
	if (len > max)
		return "too long";
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (c == '.') {
			if (label == 0 || name[i - 1] == '-')
				return "empty label or label ending in '-'";
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return "only letters, digits, '-', '_' and '.' are allowed";
		if (c == '-' && label == 0)
			return "label starting with '-'";
		if (++label > 63)
			return "label longer than 63 characters";
	}
	if (label == 0 || name[len - 1] == '-')
		return "empty label or label ending in '-'";
	return NULL;
}

static int check_hostname(const char *name, struct mr_err *err)
{
	/* HOST_NAME_MAX (64) is what sethostname() accepts. */
	const char *why = hostname_problem(name, HOST_NAME_MAX);

	if (why)
		return mr_error(err, 0, "invalid hostname \"%s\": %s", name ? name : "", why);
	return 0;
}

enum addr_kind { ADDR_BAD, ADDR_V4, ADDR_V6 };

/* IPv4 or IPv6 text (an IPv6 "%zone" suffix is allowed, as in resolv.conf). */
static enum addr_kind addr_classify(const char *s, unsigned char bytes[16])
{
	char buf[INET6_ADDRSTRLEN + IF_NAMESIZE];
	const char *pct;

	if (inet_pton(AF_INET, s, bytes) == 1)
		return ADDR_V4;
	pct = strchr(s, '%');
	if (pct) {
		size_t n = (size_t)(pct - s);
		if (n >= sizeof(buf) || pct[1] == '\0')
			return ADDR_BAD;
		memcpy(buf, s, n);
		buf[n] = '\0';
		s = buf;
	}
	return inet_pton(AF_INET6, s, bytes) == 1 ? ADDR_V6 : ADDR_BAD;
}

int etc_check_add_host(const char *spec, struct mr_err *err)
{
	unsigned char bytes[16];
	const char *colon, *ip, *why;
	_cleanup_free_ char *name = NULL;

	if (!spec)
		spec = "";
	/* Split at the first ':' only, so IPv6 addresses need no brackets. */
	colon = strchr(spec, ':');
	if (!colon || colon == spec)
		return mr_error(err, 0, "invalid argument \"%s\" for --add-host: want NAME:IP",
				spec);
	name = strndup(spec, (size_t)(colon - spec));
	if (!name)
		return mr_error(err, ENOMEM, "--add-host");
	why = hostname_problem(name, 253);
	if (why)
		return mr_error(err, 0,
				"invalid argument \"%s\" for --add-host: \"%s\" is not a valid "
				"hostname (%s)",
				spec, name, why);
	ip = colon + 1;
	if (strcmp(ip, "host-gateway") == 0)
		return mr_error(err, 0,
				"invalid argument \"%s\" for --add-host: host-gateway is not "
				"supported, give an address",
				spec);
	if (strchr(ip, '%') || addr_classify(ip, bytes) == ADDR_BAD)
		return mr_error(err, 0,
				"invalid argument \"%s\" for --add-host: \"%s\" is not an IPv4 or "
				"IPv6 address",
				spec, ip);
	return 0;
}

char *etc_hosts_render(const struct etc_opts *o, const char *host_hosts, struct mr_err *err)
{
	size_t n_add = o->add_hosts ? o->add_hosts->n : 0;
	struct in_addr ip;
	struct out out;

	for (size_t i = 0; i < n_add; i++)
		if (etc_check_add_host(o->add_hosts->v[i], err) < 0)
			return NULL;
	if (o->ip && !o->host_network) {
		if (inet_pton(AF_INET, o->ip, &ip) != 1) {
			mr_error(err, 0, "container address \"%s\" is not an IPv4 address", o->ip);
			return NULL;
		}
		if (check_hostname(o->hostname, err) < 0)
			return NULL;
	}

	if (out_open(&out, "/etc/hosts", err) < 0)
		return NULL;
	if (o->host_network && host_hosts) {
		size_t len = strlen(host_hosts);
		fputs(host_hosts, out.f);
		if (len > 0 && host_hosts[len - 1] != '\n')
			fputc('\n', out.f);
	} else {
		fputs(hosts_default, out.f);
	}
	for (size_t i = 0; i < n_add; i++) {
		const char *spec = o->add_hosts->v[i];
		const char *colon = strchr(spec, ':');
		fprintf(out.f, "%s\t%.*s\n", colon + 1, (int)(colon - spec), spec);
	}
	if (o->ip && !o->host_network) {
		/* Like Docker: a dotted hostname also gets its first label as alias. */
		const char *dot = strchr(o->hostname, '.');
		if (dot)
			fprintf(out.f, "%s\t%s %.*s\n", o->ip, o->hostname,
				(int)(dot - o->hostname), o->hostname);
		else
			fprintf(out.f, "%s\t%s\n", o->ip, o->hostname);
	}
	return out_finish(&out, "/etc/hosts", err);
}

char *etc_hostname_render(const struct etc_opts *o, struct mr_err *err)
{
	char *s;

	if (check_hostname(o->hostname, err) < 0)
		return NULL;
	if (asprintf(&s, "%s\n", o->hostname) < 0) {
		mr_error(err, ENOMEM, "render /etc/hostname");
		return NULL;
	}
	return s;
}

/* What we keep from the host's resolv.conf (libnetwork/internal/resolvconf). */
struct resolv {
	struct strv ns;	     /* nameserver addresses, in order */
	struct strv search;  /* the last search line's domains */
	struct strv options; /* the last options line's options */
};

static void resolv_free(struct resolv *r)
{
	strv_free(&r->ns);
	strv_free(&r->search);
	strv_free(&r->options);
}

#define WS " \t\r\v\f"

/* Push the whitespace-separated words of s (a NUL-terminated line) onto v,
 * up to a trailing comment. */
static int push_words(struct strv *v, char *s)
{
	char *save = NULL;

	for (char *w = strtok_r(s, WS, &save); w; w = strtok_r(NULL, WS, &save)) {
		if (w[0] == '#' || w[0] == ';')
			break;
		if (strv_push(v, w) < 0)
			return -1;
	}
	return 0;
}

/* The host's nameservers, search domains and options, for a file that
 * --dns, --dns-search or --dns-option make anew. */
static int resolv_parse(struct resolv *r, const char *content)
{
	_cleanup_free_ char *copy = NULL;
	char *line, *next;

	if (!content)
		return 0;
	copy = strdup(content);
	if (!copy)
		return -1;
	for (line = copy; line; line = next) {
		_cleanup_free_ char *tmp = NULL;
		char *key, *rest, *save = NULL;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		tmp = strdup(line);
		if (!tmp)
			return -1;
		key = strtok_r(tmp, WS, &save);
		if (!key || key[0] == '#' || key[0] == ';')
			continue;
		rest = save;
		if (strcmp(key, "nameserver") == 0) {
			char *addr = strtok_r(NULL, WS, &save);
			unsigned char bytes[16];

			/* Like Docker, drop what is not an address. */
			if (addr && addr_classify(addr, bytes) != ADDR_BAD &&
			    strv_push(&r->ns, addr) < 0)
				return -1;
		} else if (strcmp(key, "search") == 0 || strcmp(key, "options") == 0) {
			/* only the last line of each counts (as in Docker) */
			_cleanup_strv_ struct strv words = {0};
			if (push_words(&words, rest) < 0)
				return -1;
			if (words.n > 0)
				strv_move(key[0] == 's' ? &r->search : &r->options, &words);
		}
		/* (other directives: Docker's rewritten file has none) */
	}
	return 0;
}

/* A nameserver that cannot work from a container on our IPv4-only bridge:
 * the host's loopback (127.0.0.0/8, ::1) and, like Docker on a network
 * without IPv6, any IPv6 server. */
static bool ns_unusable_in_bridge(const char *addr)
{
	unsigned char b[16];

	if (addr_classify(addr, b) == ADDR_V4)
		return b[0] == 127;
	return true;
}

/* One word of --dns-search / --dns-option: it lands on a resolv.conf line,
 * so it must not carry whitespace (or a newline starting another line). */
static int check_word(const char *flag, const char *w, struct mr_err *err)
{
	if (!*w)
		return mr_error(err, 0, "invalid argument \"\" for %s: empty value", flag);
	for (const char *p = w; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '#' || *p == ';')
			return mr_error(err, 0,
					"invalid argument \"%s\" for %s: whitespace, control "
					"characters, '#' and ';' are not allowed",
					w, flag);
	return 0;
}

static int apply_overrides(struct resolv *r, const struct etc_opts *o, struct mr_err *err)
{
	if (o->dns && o->dns->n > 0) {
		/* --dns is taken as given: 127.0.0.1 then means the container's own
		 * loopback, as in Docker. */
		_cleanup_strv_ struct strv ns = {0};
		for (size_t i = 0; i < o->dns->n; i++) {
			unsigned char b[16];
			if (addr_classify(o->dns->v[i], b) == ADDR_BAD)
				return mr_error(
				    err, 0, "invalid argument \"%s\" for --dns: not an IP address",
				    o->dns->v[i]);
			if (strv_push(&ns, o->dns->v[i]) < 0)
				return mr_error(err, ENOMEM, "--dns");
		}
		strv_move(&r->ns, &ns);
	} else if (!o->host_network) {
		_cleanup_strv_ struct strv kept = {0};
		for (size_t i = 0; i < r->ns.n; i++)
			if (!ns_unusable_in_bridge(r->ns.v[i]) && strv_push(&kept, r->ns.v[i]) < 0)
				return mr_error(err, ENOMEM, "resolv.conf");
		strv_move(&r->ns, &kept);
	}
	if (r->ns.n == 0)
		for (size_t i = 0; i < sizeof(default_ns) / sizeof(default_ns[0]); i++)
			if (strv_push(&r->ns, default_ns[i]) < 0)
				return mr_error(err, ENOMEM, "resolv.conf");

	if (o->dns_search && o->dns_search->n > 0) {
		_cleanup_strv_ struct strv search = {0};
		for (size_t i = 0; i < o->dns_search->n; i++) {
			const char *d = o->dns_search->v[i];
			if (check_word("--dns-search", d, err) < 0)
				return -1;
			/* "." means "no search domains" (Docker) */
			if (strcmp(d, ".") != 0 && strv_push(&search, d) < 0)
				return mr_error(err, ENOMEM, "--dns-search");
		}
		strv_move(&r->search, &search);
	}
	if (o->dns_opt && o->dns_opt->n > 0) {
		_cleanup_strv_ struct strv opts = {0};
		for (size_t i = 0; i < o->dns_opt->n; i++) {
			if (check_word("--dns-option", o->dns_opt->v[i], err) < 0)
				return -1;
			if (strv_push(&opts, o->dns_opt->v[i]) < 0)
				return mr_error(err, ENOMEM, "--dns-option");
		}
		strv_move(&r->options, &opts);
	}
	return 0;
}

static void put_words(FILE *f, const char *key, const struct strv *v)
{
	if (v->n == 0)
		return;
	fputs(key, f);
	for (size_t i = 0; i < v->n; i++)
		fprintf(f, " %s", v->v[i]);
	fputc('\n', f);
}

static bool resolv_overridden(const struct etc_opts *o)
{
	return (o->dns && o->dns->n) || (o->dns_search && o->dns_search->n) ||
	       (o->dns_opt && o->dns_opt->n);
}

/* Docker without --dns, --dns-search, --dns-option: the host's file as it
 * is (comments and all), less the nameserver lines a container on our
 * IPv4 bridge cannot use, each with the blank lines after it; Google's
 * servers when no usable one is left. With --network host the host's file
 * is kept whole. */
static char *resolv_filtered(const struct etc_opts *o, const char *host, struct mr_err *err)
{
	_cleanup_free_ char *copy = strdup(host ? host : "");
	bool usable = false, after_dropped = false;
	struct out out;
	char *line, *next;

	if (!copy) {
		mr_error(err, ENOMEM, "render /etc/resolv.conf");
		return NULL;
	}
	if (out_open(&out, "/etc/resolv.conf", err) < 0)
		return NULL;
	for (line = copy; *line; line = next) {
		char key[16], addr[64];
		unsigned char b[16];

		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (sscanf(line, " %15s %63s", key, addr) == 2 && strcmp(key, "nameserver") == 0 &&
		    addr_classify(addr, b) != ADDR_BAD) {
			if (!o->host_network && ns_unusable_in_bridge(addr)) {
				after_dropped = true;
				continue;
			}
			usable = true;
		}
		if (after_dropped && line[strspn(line, WS)] == '\0')
			continue;
		after_dropped = false;
		fprintf(out.f, "%s%s", line, *next || host[strlen(host) - 1] == '\n' ? "\n" : "");
	}
	/* Docker's bytes exactly: a newline, then the lines joined by newlines
	 * (so a blank line before them, and none after the last). */
	if (!usable && !o->host_network)
		for (size_t i = 0; i < sizeof(default_ns) / sizeof(default_ns[0]); i++)
			fprintf(out.f, "\nnameserver %s", default_ns[i]);
	return out_finish(&out, "/etc/resolv.conf", err);
}

char *etc_resolv_render(const struct etc_opts *o, const char *host_resolv, struct mr_err *err)
{
	_cleanup_(resolv_free) struct resolv r = {0};
	struct out out;

	if (!resolv_overridden(o))
		return resolv_filtered(o, host_resolv, err);
	/* With any of them Docker writes a new file, in this order: search,
	 * nameservers, options; what is not given comes from the host's. */
	if (resolv_parse(&r, host_resolv) < 0) {
		mr_error(err, ENOMEM, "parse the host's resolv.conf");
		return NULL;
	}
	if (apply_overrides(&r, o, err) < 0)
		return NULL;
	if (out_open(&out, "/etc/resolv.conf", err) < 0)
		return NULL;
	put_words(out.f, "search", &r.search);
	for (size_t i = 0; i < r.ns.n; i++)
		fprintf(out.f, "nameserver %s\n", r.ns.v[i]);
	put_words(out.f, "options", &r.options);
	return out_finish(&out, "/etc/resolv.conf", err);
}

const char *etc_resolv_host_path(const char *etc_resolv_content)
{
	_cleanup_(resolv_free) struct resolv r = {0};

	if (resolv_parse(&r, etc_resolv_content) < 0)
		return RESOLV_ETC;
	if (r.ns.n == 1 && strcmp(r.ns.v[0], RESOLVED_STUB) == 0 &&
	    access(RESOLV_SYSTEMD, R_OK) == 0)
		return RESOLV_SYSTEMD;
	return RESOLV_ETC;
}
