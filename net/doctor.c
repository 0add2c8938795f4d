/* doctor.c - host checks for container networking. Each check prints one
 * line, "ok", "WARN" (works, but worth knowing) or "FAIL" (will break), and
 * for the last two the command that fixes it. */
#include "doctor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/fd.h"
#include "addr.h"
#include "foreign.h"
#include "ipam.h"
#include "link.h"
#include "network.h"

enum level { OK, WARN, FAIL };

struct report {
	FILE *out;
	int problems;
};

static void say(struct report *r, enum level l, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void say(struct report *r, enum level l, const char *fix, const char *fmt, ...)
{
	static const char *const tag[] = {"ok  ", "WARN", "FAIL"};
	va_list ap;

	fprintf(r->out, "%s  ", tag[l]);
	va_start(ap, fmt);
	vfprintf(r->out, fmt, ap);
	va_end(ap);
	fputc('\n', r->out);
	if (l != OK && fix)
		fprintf(r->out, "      fix: %s\n", fix);
	if (l == FAIL)
		r->problems++;
}

static bool file_has(const char *path, const char *needle)
{
	_cleanup_free_ char *text = NULL;

	return read_file_at(AT_FDCWD, path, &text, NULL) == 0 && strstr(text, needle);
}

static char *first_line(const char *path)
{
	char *text = NULL;

	if (read_file_at(AT_FDCWD, path, &text, NULL) < 0)
		return NULL;
	text[strcspn(text, "\n")] = '\0';
	return text;
}

/* Loaded or built in (its code is in /proc/kallsyms), or a module the
 * kernel can load on demand. */
static void kernel_feature(struct report *r, const char *kallsyms, const char *name,
			   const char *symbol, const char *module)
{
	struct utsname u;
	char path[256], sym[80];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	snprintf(sym, sizeof(sym), " %s\n", symbol);
	if (access(path, F_OK) == 0 || (kallsyms && strstr(kallsyms, sym))) {
		say(r, OK, NULL, "kernel: %s is there", name);
		return;
	}
	uname(&u);
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.builtin", u.release);
	if (file_has(path, module)) {
		say(r, OK, NULL, "kernel: %s is built in", name);
		return;
	}
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep", u.release);
	if (file_has(path, module)) {
		say(r, OK, NULL, "kernel: %s is a module, loaded when first used", name);
		return;
	}
	say(r, FAIL, "use a kernel with it (Debian's standard kernel has it)",
	    "kernel: %s is neither loaded, built in, nor available as a module", name);
}

static void forwarding(struct report *r, bool have_bridge)
{
	_cleanup_free_ char *v = first_line("/proc/sys/net/ipv4/ip_forward");

	if (v && strcmp(v, "1") == 0)
		say(r, OK, NULL, "IPv4 forwarding is on");
	else if (!have_bridge)
		say(r, OK, NULL, "IPv4 forwarding is off; minirun turns it on when it makes %s",
		    NET_BRIDGE_NAME);
	else
		say(r, FAIL,
		    "sysctl -w net.ipv4.ip_forward=1 (or run a container: minirun sets it)",
		    "IPv4 forwarding is off although %s exists: containers cannot reach the "
		    "outside",
		    NET_BRIDGE_NAME);
}

static void firewalls(struct report *r)
{
	_cleanup_free_ char *warning = NULL;
	struct mr_err e = {0};
	struct nl nf = {0};
	struct foreign_docker docker = {0};

	if (nl_open(&nf, NETLINK_NETFILTER, &e) < 0 ||
	    foreign_check(&nf, NET_BRIDGE_NAME, &warning, &docker, &e) < 0) {
		say(r, WARN, NULL, "could not read the nftables ruleset: %s", e.msg);
		mr_error_clear(&e);
		nl_close(&nf);
		return;
	}
	nl_close(&nf);
	if (warning)
		say(r, FAIL,
		    "allow mini0 in that chain, e.g. nft insert rule TABLE CHAIN iifname mini0 "
		    "accept; and the same with oifname mini0 ct state established,related",
		    "%s", warning);
	else if (docker.missing)
		say(r, WARN, "run any container: minirun adds them to DOCKER-USER",
		    "Docker's FORWARD policy is DROP and DOCKER-USER does not hold minirun's "
		    "rules yet");
	else
		say(r, OK, NULL, "no foreign forward chain drops mini0's traffic");
	if (access("/sys/module/br_netfilter", F_OK) == 0) {
		_cleanup_free_ char *v = first_line("/proc/sys/net/bridge/bridge-nf-call-iptables");
		if (v && strcmp(v, "1") == 0)
			say(r, WARN,
			    "nothing, if no FORWARD chain drops (minirun's DOCKER-USER rules cover "
			    "Docker's); else sysctl -w net.bridge.bridge-nf-call-iptables=0",
			    "br_netfilter is loaded: traffic between containers on one bridge "
			    "also passes iptables' FORWARD chain");
		else
			say(r, OK, NULL, "br_netfilter is loaded but does not call iptables");
	} else {
		say(r, OK, NULL, "br_netfilter is not loaded");
	}
	if (file_has("/etc/nftables.conf", "flush ruleset"))
		say(r, WARN,
		    "after a reload, `minirun gc` (or the next run) restores minirun's tables; "
		    "or delete only your own tables instead of flushing all",
		    "/etc/nftables.conf flushes the whole ruleset: reloading nftables.service "
		    "removes minirun's tables too");
}

static bool overlaps(struct in_addr a, int pa, struct in_addr b, int pb)
{
	int p = pa < pb ? pa : pb;
	uint32_t mask = p ? htonl(~0U << (32 - p)) : 0;
	return (a.s_addr & mask) == (b.s_addr & mask);
}

static void routes_and_mtu(struct report *r, int rootfd, const struct link_info *br,
			   bool have_bridge)
{
	struct route4 routes[256];
	struct mr_err e = {0};
	struct nl rt = {0};
	struct in_addr subnet;
	struct ipam *ip = NULL;
	int prefix = 0, n;
	unsigned int uplink = 0;
	char upname[IF_NAMESIZE] = "";

	if (nl_open(&rt, NETLINK_ROUTE, &e) < 0) {
		say(r, WARN, NULL, "could not read routes: %s", e.msg);
		mr_error_clear(&e);
		return;
	}
	n = route_list(&rt, routes, 256, &e);
	if (rootfd >= 0 && ipam_open(rootfd, &ip, &e) == 0) {
		if (!ipam_get_subnet(ip, &subnet, &prefix))
			prefix = 0;
		ipam_close(ip);
	}
	mr_error_clear(&e);
	for (int i = 0; i < n; i++) {
		if (routes[i].prefix == 0 && routes[i].oif && !uplink) {
			struct link_info up;
			if (if_indextoname((unsigned int)routes[i].oif, upname) &&
			    link_get(&rt, upname, &up, &e) == 0)
				uplink = up.mtu;
			mr_error_clear(&e);
		}
		if (prefix && routes[i].prefix > 0 &&
		    (!have_bridge || routes[i].oif != br->index) &&
		    overlaps(subnet, prefix, routes[i].dst, routes[i].prefix)) {
			char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
			say(r, FAIL,
			    "remove that route, or give minirun another --root (a new root picks a "
			    "free subnet)",
			    "minirun's subnet %s/%d overlaps the host's route to %s/%d",
			    inet_ntop(AF_INET, &subnet, a, sizeof(a)), prefix,
			    inet_ntop(AF_INET, &routes[i].dst, b, sizeof(b)), routes[i].prefix);
			prefix = 0; /* once is enough */
		}
	}
	if (prefix)
		say(r, OK, NULL, "no route of the host overlaps minirun's subnet");
	if (!uplink)
		say(r, WARN, "containers reach only the host and each other until there is one",
		    "no default route: there is no way out for containers");
	else if (have_bridge && br->mtu > uplink)
		say(r, WARN, "ip link set mini0 mtu %u (new containers follow the uplink anyway)",
		    "%s has MTU %u, more than the uplink %s (%u): large packets will be dropped",
		    NET_BRIDGE_NAME, br->mtu, upname, uplink);
	else
		say(r, OK, NULL, "uplink %s has MTU %u%s", upname, uplink,
		    have_bridge ? ", not less than mini0's" : "");
	nl_close(&rt);
}

static void resolver(struct report *r)
{
	_cleanup_free_ char *text = NULL;
	bool any = false, remote = false;

	if (read_file_at(AT_FDCWD, "/etc/resolv.conf", &text, NULL) < 0) {
		say(r, WARN, "--dns IP",
		    "no /etc/resolv.conf: containers get Docker's fallback "
		    "8.8.8.8 and 8.8.4.4");
		return;
	}
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char ns[64];
		if (sscanf(line, " nameserver %63s", ns) != 1)
			continue;
		any = true;
		if (strncmp(ns, "127.", 4) != 0 && strcmp(ns, "::1") != 0)
			remote = true;
	}
	if (remote)
		say(r, OK, NULL, "/etc/resolv.conf names a resolver containers can reach");
	else if (any && access("/run/systemd/resolve/resolv.conf", R_OK) == 0)
		say(r, OK, NULL,
		    "/etc/resolv.conf points at systemd-resolved; containers get its upstream "
		    "servers");
	else
		say(r, WARN, "pass --dns IP, or name a reachable resolver in /etc/resolv.conf",
		    "/etc/resolv.conf has only loopback resolvers, which a container cannot "
		    "reach: containers get Docker's fallback 8.8.8.8 and 8.8.4.4");
}

int doctor_run(int rootfd, FILE *out, struct mr_err *err)
{
	struct report r = {.out = out};
	struct link_info br = {0};
	struct nl rt = {0};
	bool have_bridge = false;

	_cleanup_free_ char *kallsyms = NULL;

	read_file_at(AT_FDCWD, "/proc/kallsyms", &kallsyms, NULL);
	kernel_feature(&r, kallsyms, "overlay", "ovl_fill_super", "fs/overlayfs/overlay.ko");
	kernel_feature(&r, kallsyms, "nf_tables", "nft_register_chain_type",
		       "net/netfilter/nf_tables.ko");
	kernel_feature(&r, kallsyms, "veth", "veth_newlink", "drivers/net/veth.ko");
	kernel_feature(&r, kallsyms, "bridge", "br_dev_setup", "net/bridge/bridge.ko");
	if (nl_open(&rt, NETLINK_ROUTE, err) < 0)
		return -1;
	if (link_get(&rt, NET_BRIDGE_NAME, &br, err) == 0)
		have_bridge = true;
	mr_error_clear(err);
	nl_close(&rt);
	if (have_bridge && strcmp(br.kind, "bridge") != 0)
		say(&r, FAIL, "ip link del mini0 (if nothing else needs it), or rename it",
		    "%s exists and is not a bridge: minirun will refuse to use it",
		    NET_BRIDGE_NAME);
	forwarding(&r, have_bridge);
	firewalls(&r);
	routes_and_mtu(&r, rootfd, &br, have_bridge);
	resolver(&r);
	fprintf(out, "%d problem%s found\n", r.problems, r.problems == 1 ? "" : "s");
	return r.problems;
}
