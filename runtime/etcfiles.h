/* etcfiles.h - the content of a container's /etc/hosts, /etc/hostname and
 * /etc/resolv.conf, rendered as strings (pure functions, unit-tested). The
 * files are written into the container's state directory and bind-mounted in;
 * the host's files and the ROOTFS are never modified. */
#pragma once

#include <stdbool.h>

#include "../common/err.h"
#include "../common/strv.h"

struct etc_opts {
	const char *hostname;	       /* container hostname */
	const char *ip;		       /* container IPv4 as text; NULL in none/host mode */
	const struct strv *add_hosts;  /* --add-host NAME:IP entries (may be NULL) */
	const struct strv *dns;	       /* --dns (may be NULL or empty) */
	const struct strv *dns_search; /* --dns-search */
	const struct strv *dns_opt;    /* --dns-option */
	bool host_network;	       /* --network host: start from the host's /etc/hosts */
};

/* /etc/hosts: Docker's localhost/ip6 lines, then --add-host entries, then
 * "IP\tHOSTNAME" when the container has an address. In host mode: host_hosts
 * (the host's /etc/hosts content, may be NULL) followed by --add-host lines.
 * Returns a malloc'd string or NULL with err set (e.g. a bad --add-host). */
char *etc_hosts_render(const struct etc_opts *o, const char *host_hosts, struct mr_err *err);

/* /etc/hostname: "HOSTNAME\n". */
char *etc_hostname_render(const struct etc_opts *o, struct mr_err *err);

/* /etc/resolv.conf from the host's resolv.conf content (may be NULL): lines
 * "nameserver 127.x" (and ::1) dropped unless host_network; --dns replaces all
 * nameservers, --dns-search the search line, --dns-option the options line.
 * When no nameserver is left, Docker's defaults 8.8.8.8 and 8.8.4.4 are used. */
char *etc_resolv_render(const struct etc_opts *o, const char *host_resolv, struct mr_err *err);

/* Which host file to read: /etc/resolv.conf, or, when it names only the
 * systemd-resolved stub 127.0.0.53 and /run/systemd/resolve/resolv.conf
 * exists, that file (the real upstream servers), as Docker does. */
const char *etc_resolv_host_path(const char *etc_resolv_content);

/* --add-host NAME:IP validation (also used by the option parser). */
int etc_check_add_host(const char *spec, struct mr_err *err);
