/* network.c - a container's network by mode. Bridge mode:
 *
 *   reserve:  lease an address and host ports      (ROOT/ipam/, under flock)
 *   attach:   mini0 (once) -> veth pair, peer born as eth0 in the container
 *             -> eth0 address + default route -> nft tables (once) + elements
 *   release:  elements -> veth off mini0 and down -> lease  (each "already gone" is fine)
 */
#include "network.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <net/if.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/explain.h"
#include "../common/proc.h"
#include "../common/strv.h"
#include "../common/testhook.h"
#include "addr.h"
#include "conntrack.h"
#include "foreign.h"
#include "ipam.h"
#include "link.h"
#include "sysctl.h"

const char *net_mode_name(enum net_mode m)
{
	return m == NET_HOST ? "host" : m == NET_NONE ? "none" : "bridge";
}

int net_mode_parse(const char *s, enum net_mode *m)
{
	if (!s)
		return -1;
	if (strcmp(s, "bridge") == 0)
		*m = NET_BRIDGE;
	else if (strcmp(s, "host") == 0)
		*m = NET_HOST;
	else if (strcmp(s, "none") == 0)
		*m = NET_NONE;
	else
		return -1;
	return 0;
}

/* Candidate subnets, in order, like Docker's address pools. */
static const struct {
	const char *net;
	int prefix;
} pools[] = {
    {"10.99.0.0", 16},	{"10.98.0.0", 16},  {"10.97.0.0", 16},	  {"172.29.0.0", 16},
    {"172.30.0.0", 16}, {"172.31.0.0", 16}, {"192.168.99.0", 24}, {"192.168.98.0", 24},
};

static bool overlaps(struct in_addr a, int pa, struct in_addr b, int pb)
{
	int p = pa < pb ? pa : pb;
	uint32_t mask = p ? htonl(~0U << (32 - p)) : 0;
	return (a.s_addr & mask) == (b.s_addr & mask);
}

/* First pool that no route of the host overlaps (the default route aside).
 * Routes through mini0 count too: a mini0 made by another --root is not
 * ours to share, and ensure_bridge then refuses it rather than handing out
 * that root's addresses a second time. */
static int choose_subnet(struct nl *rt, struct in_addr *subnet, int *prefix, struct mr_err *err)
{
	struct route4 routes[256];
	int n = route_list(rt, routes, 256, err);

	if (n < 0)
		return -1;
	for (size_t i = 0; i < sizeof(pools) / sizeof(pools[0]); i++) {
		struct in_addr c;
		bool clash = false;
		inet_pton(AF_INET, pools[i].net, &c);
		for (int j = 0; j < n && !clash; j++)
			clash = routes[j].prefix > 0 &&
				overlaps(c, pools[i].prefix, routes[j].dst, routes[j].prefix);
		if (!clash) {
			*subnet = c;
			*prefix = pools[i].prefix;
			return 0;
		}
	}
	return mr_error(err, 0, "no free subnet for %s: every pool overlaps a route of the host",
			NET_BRIDGE_NAME);
}

/* Is proto/ip/port free on the host? A bind that succeeds says so; with
 * port 0 the kernel picks a free one and tells us which. Returns 0 or -errno
 * (-EADDRNOTAVAIL: ip is not an address of this host). */
static int probe_port(uint8_t proto, struct in_addr ip, uint16_t *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr = ip, .sin_port = htons(*port)};
	socklen_t len = sizeof(sa);
	_cleanup_close_ int fd =
	    socket(AF_INET, (proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return -errno;
	*port = ntohs(sa.sin_port);
	return 0;
}

static int reserve_ports(struct ipam *ip, const struct port_map *req, size_t n,
			 struct net_state *st, struct mr_err *err)
{
	st->ports = calloc(n + 1, sizeof(*st->ports));
	if (!st->ports)
		return mr_error(err, ENOMEM, "ports");
	for (size_t i = 0; i < n; i++) {
		struct nft_port *p = &st->ports[i];
		const char *proto = portmap_proto_name(req[i].proto);
		int tries = 0;

		p->proto = req[i].proto;
		p->host_ip = req[i].host_ip;
		p->cont_ip = st->ip;
		p->cont_port = req[i].cont_port;
		for (;;) {
			uint16_t port = req[i].host_port;
			bool taken_here = false;
			int probe;
			probe = probe_port(p->proto, p->host_ip, &port);
			if (probe == -EADDRNOTAVAIL) {
				char a[INET_ADDRSTRLEN];
				return mr_error(err, 0,
						"cannot publish on %s: not an address of this host",
						inet_ntop(AF_INET, &p->host_ip, a, sizeof(a)));
			}
			/* After the probe: a port the kernel picked may be one this
			 * run took already (the probe's socket is closed). Addresses
			 * overlap as in ipam_port_taken(). */
			for (size_t j = 0; j < i; j++)
				taken_here |= st->ports[j].proto == p->proto &&
					      st->ports[j].host_port == port &&
					      (st->ports[j].host_ip.s_addr == INADDR_ANY ||
					       p->host_ip.s_addr == INADDR_ANY ||
					       st->ports[j].host_ip.s_addr == p->host_ip.s_addr);
			if (probe < 0 || taken_here ||
			    ipam_port_taken(ip, p->proto, p->host_ip, port)) {
				if (req[i].host_port)
					return mr_error(err, 0, "port %u/%s is already in use",
							req[i].host_port, proto);
				if (++tries < 64)
					continue;
				return mr_error(err, 0, "no free host port for %u/%s",
						req[i].cont_port, proto);
			}
			p->host_port = port;
			break;
		}
		st->n_ports++;
	}
	return 0;
}

/* A container's MAC is Docker's: 02:42 followed by its IPv4 address; its
 * veth is "mr" + 12 hex of its id. Both follow from its lease alone. */
static void container_mac(struct in_addr ip, unsigned char mac[6])
{
	mac[0] = 0x02;
	mac[1] = 0x42;
	memcpy(mac + 2, &ip.s_addr, 4);
}

static void container_veth(const char *id, char veth[16])
{
	snprintf(veth, 16, "mr%.12s", id);
}

/* minirun never names the container's network namespace (it holds an fd of
 * it); --explain's by-hand commands call it by the container's short id. */
static void container_netns_name(const char *id, char ns[13])
{
	snprintf(ns, 13, "%.12s", id);
}

void net_explain_netns(const char *id, pid_t pid)
{
	char ns[13], p[16];

	if (!explain_on())
		return;
	container_netns_name(id, ns);
	snprintf(p, sizeof(p), "%d", (int)pid);
	explain_note("the container's network namespace came with clone(); minirun holds "
		     "/proc/%d/ns/net open. To reach it by name (ip netns delete %s when done):",
		     (int)pid, ns);
	EXPLAIN(EXPLAIN_HOST, "ip", "netns", "attach", ns, p);
}

/* --explain, last of a container's teardown: its lease, and the name the
 * by-hand commands gave its network namespace (which itself ended with the
 * container's last process, taking eth0 and its veth peer with it). */
static void explain_released(const char *id, struct in_addr ip)
{
	char ns[13], a[INET_ADDRSTRLEN];

	if (!explain_on())
		return;
	container_netns_name(id, ns);
	explain_note("%s's lease goes back (ROOT/ipam/leases/); the name given to the container's "
		     "network namespace goes too:",
		     inet_ntop(AF_INET, &ip, a, sizeof(a)));
	EXPLAIN(EXPLAIN_HOST, "ip", "netns", "delete", ns);
}

static int count_dead(const struct ipam_lease *l, void *data)
{
	if (!pid_alive(l->owner, l->owner_start))
		(*(size_t *)data)++;
	return 0;
}

/* Leases to take back: those of ids (sorted), or every dead one (ids NULL),
 * at most cap of them, with what is needed to delete their elements. */
struct many_ctx {
	char **ids;
	size_t n_ids, cap;
	struct nft_container *cs; /* the leases found, with their elements */
	char (*veths)[16];
	struct nft_port **ports;
	struct strv found;
	size_t n;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int collect_gone(const struct ipam_lease *l, void *data)
{
	struct many_ctx *c = data;
	struct nft_container *one = &c->cs[c->n];
	const char *id = l->id;

	if ((c->ids && !bsearch(&id, c->ids, c->n_ids, sizeof(*c->ids), cmp_str)) ||
	    pid_alive(l->owner, l->owner_start) || c->n == c->cap)
		return 0; /* not asked for, or its owner releases it itself */
	c->ports[c->n] = calloc(l->n_ports + 1, sizeof(**c->ports));
	if (!c->ports[c->n] || strv_push(&c->found, l->id) < 0) {
		free(c->ports[c->n]);
		return -1;
	}
	memcpy(c->ports[c->n], l->ports, l->n_ports * sizeof(*l->ports));
	container_veth(l->id, c->veths[c->n]);
	one->veth = c->veths[c->n];
	one->ip = l->ip;
	container_mac(l->ip, one->mac);
	one->ports = c->ports[c->n];
	one->n_ports = l->n_ports;
	c->n++;
	return 0;
}

/* UDP "connections" to the ports of cs, made before they were published or
 * still there after, may point elsewhere: one conntrack dump for all. */
static int flush_udp(struct nl *nf, const struct nft_container *cs, size_t n, struct mr_err *err)
{
	_cleanup_free_ uint16_t *udp = NULL;
	size_t n_udp = 0, total = 0;

	for (size_t i = 0; i < n; i++)
		total += cs[i].n_ports;
	if (total == 0)
		return 0;
	udp = calloc(total, sizeof(*udp));
	if (!udp)
		return mr_error(err, ENOMEM, "forget the connections to the UDP ports");
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < cs[i].n_ports; j++)
			if (cs[i].ports[j].proto == IPPROTO_UDP)
				udp[n_udp++] = cs[i].ports[j].host_port;
	return conntrack_flush_ports(nf, IPPROTO_UDP, udp, n_udp, err) < 0 ? -1 : 0;
}

/* A released container's veth: off mini0 and down, not deleted. Its peer,
 * eth0, is in the container's namespace, which ended with its last process;
 * the kernel deletes the pair with that namespace, in a worker, moments
 * later. Deleting it here would wait 10-20 ms for RCU callbacks as the
 * device is freed; off the bridge and down it carries nothing meanwhile
 * (the bridge forgets its MAC, which the next container on this address
 * takes). If someone still holds the namespace, the pair goes when they let
 * go. Already gone is fine. */
static void retire_veth(struct nl *rt, const char *veth)
{
	struct mr_err ignore = {0};

	link_retire(rt, veth, &ignore);
	mr_error_clear(&ignore);
}

/* The elements of c's leases, in one batch if the kernel can; else one
 * container at a time. Those whose elements stay lose their lease from
 * c->found (set to NULL), so that a later try finds them again. */
static void del_elements(struct nl *nf, struct many_ctx *c)
{
	struct mr_err ignore = {0};

	if (nft_del_many(nf, c->cs, c->n, &ignore) < 0) {
		mr_error_clear(&ignore);
		for (size_t i = 0; i < c->n; i++) {
			const struct nft_container *one = &c->cs[i];
			if (nft_del_container(nf, one->veth, one->mac, one->ip, one->ports,
					      one->n_ports, &ignore) < 0) {
				free(c->found.v[i]);
				c->found.v[i] = NULL;
			}
			mr_error_clear(&ignore);
		}
	}
	flush_udp(nf, c->cs, c->n, &ignore);
	mr_error_clear(&ignore);
}

/* Take back the leases that c selects, with their elements (in one batch
 * where the kernel can), under the IPAM lock the caller holds; *nf is opened
 * here if there is anything to delete, and closed by the caller once the
 * lock is let go (see net_release()). "Dead" is decided here, once; a lease
 * whose elements could not be removed stays, so that a later try finds them
 * again. *count: how many leases went. */
static int release_leases(struct ipam *ip, struct many_ctx *c, struct nl *nf, size_t *count,
			  struct mr_err *err)
{
	struct mr_err ignore = {0};
	struct nl rt = {0};
	int r = -1;

	*count = 0;
	c->cs = calloc(c->cap + 1, sizeof(*c->cs));
	c->veths = calloc(c->cap + 1, sizeof(*c->veths));
	c->ports = calloc(c->cap + 1, sizeof(*c->ports));
	if (!c->cs || !c->veths || !c->ports) {
		mr_error(err, ENOMEM, "release");
		goto out;
	}
	if (ipam_foreach(ip, collect_gone, c, err) < 0) {
		if (!err->msg)
			mr_error(err, ENOMEM, "release");
		goto out;
	}
	r = 0;
	if (c->n == 0 || nl_open(nf, NETLINK_NETFILTER, &ignore) < 0)
		goto out;
	del_elements(nf, c);
	crash_point(21);
	if (nl_open(&rt, NETLINK_ROUTE, &ignore) == 0) {
		for (size_t i = 0; i < c->n; i++)
			retire_veth(&rt, c->veths[i]);
		nl_close(&rt);
	}
	crash_point(22);
	for (size_t i = 0; i < c->n; i++)
		if (c->found.v[i]) {
			explain_released(c->found.v[i], c->cs[i].ip);
			ipam_release(ip, c->found.v[i], c->cs[i].ip);
			(*count)++;
			crash_point(23); /* after the first: some leases gone, some not */
		}
out:
	mr_error_clear(&ignore);
	for (size_t i = 0; c->ports && i < c->n; i++)
		free(c->ports[i]);
	strv_free(&c->found);
	free(c->cs);
	free(c->veths);
	free(c->ports);
	return r;
}

static int push_dead(const struct ipam_lease *l, void *data)
{
	return pid_alive(l->owner, l->owner_start) ? 0 : strv_push(data, l->id);
}

/* Leases a start looks at, in turn, for owners that are gone: looking at all
 * of them costs a /proc read each (6 ms at 500). A lease that stands in the
 * way is looked at at once (net_reserve), and gc looks at all. */
#define RECLAIM_TURN 8

/* Take back the leases of owners that are gone (of all leases, or of the
 * next limit of them in turn), with their elements. The elements go while
 * the IPAM lock is still held: once the leases are written away, another run
 * may publish the same ports, and its elements must neither meet (EEXIST)
 * nor lose (deleted by key) the stale ones. */
static int reclaim_dead(struct ipam *ip, size_t limit, size_t *count, struct mr_err *err)
{
	struct many_ctx c = {0};
	struct strv dead = {0};
	struct nl nf = {0};
	int r = 0;

	*count = 0;
	if (limit == SIZE_MAX) {
		r = ipam_foreach(ip, count_dead, &c.cap, err);
	} else {
		r = ipam_foreach_some(ip, limit, push_dead, &dead, err);
		if (dead.n)
			qsort(dead.v, dead.n, sizeof(*dead.v), cmp_str);
		c.ids = dead.v;
		c.n_ids = c.cap = dead.n;
	}
	if (r == 0 && c.cap)
		r = release_leases(ip, &c, &nf, count, err);
	nl_close(&nf);
	if (r < 0 && !err->msg)
		mr_error(err, ENOMEM, "ipam");
	strv_free(&dead);
	return r;
}

int net_reclaim(int rootfd, size_t *count, struct mr_err *err)
{
	struct ipam *ip;

	if (ipam_open(rootfd, &ip, err) < 0)
		return -1;
	if (reclaim_dead(ip, SIZE_MAX, count, err) < 0) {
		ipam_close(ip);
		return -1;
	}
	return ipam_commit(ip, err);
}

struct restore_ctx {
	struct nl *nf;
	const char *skip;
};

static int restore_one(const struct ipam_lease *l, void *data)
{
	const struct restore_ctx *c = data;
	struct mr_err ignore = {0};
	unsigned char mac[6];
	char veth[16];

	if ((c->skip && strcmp(l->id, c->skip) == 0) || !pid_alive(l->owner, l->owner_start))
		return 0;
	container_mac(l->ip, mac);
	container_veth(l->id, veth);
	/* the source element and the ports apart: ports that survived (only
	 * one table was gone) fail with EEXIST and must not stop the rest */
	nft_add_container(c->nf, veth, mac, l->ip, NULL, 0, &ignore);
	mr_error_clear(&ignore);
	nft_add_ports(c->nf, l->ports, l->n_ports, &ignore);
	mr_error_clear(&ignore);
	return 0;
}

int net_restore(int rootfd, struct nl *nf, const char *skip, struct mr_err *err)
{
	struct restore_ctx c = {.nf = nf, .skip = skip};
	struct in_addr subnet;
	struct ipam *ip;
	int prefix, made;

	/* Both there (the usual case): no need to read the leases. */
	made = nft_tables_exist(nf, err);
	if (made != 0)
		return made > 0 ? 0 : -1;
	if (ipam_open(rootfd, &ip, err) < 0)
		return -1;
	if (!ipam_get_subnet(ip, &subnet, &prefix)) {
		ipam_close(ip);
		return 0; /* no bridge network yet: nothing to restore */
	}
	made = nft_ensure(nf, NET_BRIDGE_NAME, subnet, prefix, err);
	/* Tables made now while leases exist: someone flushed the ruleset
	 * (`nft flush ruleset`); put back every running container's elements. */
	if (made > 0 && ipam_foreach(ip, restore_one, &c, err) < 0)
		made = -1;
	ipam_close(ip);
	return made;
}

/* id's address and host ports, in the lease file. */
static int take_lease(struct ipam *ip, const char *id, struct in_addr want,
		      const struct port_map *req, size_t n_req, struct net_state *st,
		      struct mr_err *err)
{
	if (ipam_lease(ip, id, want, getpid(), pid_start_time(getpid()), &st->ip, err) < 0)
		return -1;
	if (reserve_ports(ip, req, n_req, st, err) < 0 ||
	    (st->n_ports && ipam_add_ports(ip, id, st->ip, st->ports, st->n_ports, err) < 0)) {
		ipam_release(ip, id, st->ip); /* written at once: take it back */
		return -1;
	}
	return 0;
}

int net_reserve(int rootfd, const char *id, enum net_mode mode, struct in_addr want,
		const struct port_map *req, size_t n_req, struct net_state *st, struct mr_err *err)
{
	struct ipam *ip = NULL;
	struct nl rt = {0};
	size_t n_stale = 0; /* leases taken back */
	int r = -1;

	memset(st, 0, sizeof(*st));
	st->mode = mode;
	if (mode != NET_BRIDGE)
		return 0;
	if (nl_open(&rt, NETLINK_ROUTE, err) < 0)
		return -1;
	if (ipam_open(rootfd, &ip, err) < 0)
		goto out;
	if (!ipam_get_subnet(ip, &st->subnet, &st->prefix)) {
		if (choose_subnet(&rt, &st->subnet, &st->prefix, err) < 0 ||
		    ipam_set_subnet(ip, st->subnet, st->prefix, err) < 0)
			goto out;
	}
	st->gateway.s_addr = htonl(ntohl(st->subnet.s_addr) + 1);
	if (reclaim_dead(ip, RECLAIM_TURN, &n_stale, err) < 0)
		goto out;
	if (take_lease(ip, id, want, req, n_req, st, err) < 0) {
		/* In the way may be a dead run's lease that no turn has looked
		 * at yet: take back every dead one, then try once more. */
		struct mr_err first = {0};
		net_state_free(st);
		mr_error_move(&first, err);
		if (reclaim_dead(ip, SIZE_MAX, &n_stale, err) < 0) {
			mr_error_clear(&first);
			goto out;
		}
		if (n_stale == 0) {
			mr_error_move(err, &first);
			goto out;
		}
		mr_error_clear(&first);
		if (take_lease(ip, id, want, req, n_req, st, err) < 0)
			goto out;
	}
	r = 0;
out:
	if (r == 0) {
		r = ipam_commit(TAKE_PTR(ip), err);
	} else if (ip) {
		ipam_close(ip);
	}
	nl_close(&rt);
	if (r == 0) {
		unsigned char m[6];
		container_mac(st->ip, m);
		snprintf(st->mac, sizeof(st->mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
			 m[2], m[3], m[4], m[5]);
		container_veth(id, st->veth);
	}
	return r;
}

/* The MTU of the uplink (the default route's link); 1500 when there is none. */
static unsigned int uplink_mtu(struct nl *rt)
{
	struct mr_err ignore = {0};
	struct route4 routes[256];
	unsigned int mtu = 1500;
	int n = route_list(rt, routes, 256, &ignore);

	for (int i = 0; i < n; i++)
		if (routes[i].prefix == 0 && routes[i].oif) {
			struct link_info up;
			char name[IF_NAMESIZE];
			if (if_indextoname((unsigned int)routes[i].oif, name) &&
			    link_get(rt, name, &up, &ignore) == 0 && up.mtu)
				mtu = up.mtu;
			break;
		}
	mr_error_clear(&ignore);
	return mtu;
}

/* mini0 with the gateway address, up; made on first use. An existing mini0
 * that is not a bridge or has another address is left alone and refused. */
static int ensure_bridge(struct nl *rt, const struct net_state *st, unsigned int mtu,
			 struct link_info *br, struct mr_err *err)
{
	struct addr4 addrs[8];
	int n, r;

	r = link_get(rt, NET_BRIDGE_NAME, br, err);
	if (r == -ENODEV) {
		r = link_add_bridge(rt, NET_BRIDGE_NAME, mtu, err);
		if (r == -EEXIST) /* a concurrent run made it first */
			mr_error_clear(err);
		else if (r < 0)
			return -1;
		r = link_get(rt, NET_BRIDGE_NAME, br, err);
	}
	if (r < 0)
		return r == -ENODEV ? mr_error(err, ENODEV, "bridge %s", NET_BRIDGE_NAME) : -1;
	if (strcmp(br->kind, "bridge") != 0)
		return mr_error(err, 0, "%s exists and is not a bridge; leaving it alone",
				NET_BRIDGE_NAME);
	n = addr_list(rt, br->index, addrs, 8, err);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (addrs[i].addr.s_addr != st->gateway.s_addr || addrs[i].prefix != st->prefix)
			return mr_error(
			    err, 0,
			    "%s carries %s/%d, not the gateway of this --root's network "
			    "(another minirun root or another program owns it); leaving "
			    "it alone",
			    NET_BRIDGE_NAME, inet_ntoa(addrs[i].addr), addrs[i].prefix);
	if (n == 0 && addr_add(rt, br, st->gateway, st->prefix, err) < 0)
		return -1;
	if (!(br->flags & IFF_UP) && link_set_up(rt, br, err) < 0)
		return -1;
	/* Routing between containers and the world; and 127.0.0.1 -> container for
	 * published ports, allowed on the bridge only (the guard chain drops any
	 * 127/8 packet that did not come from lo). */
	if (sysctl_set("net.ipv4.ip_forward", "1", err) < 0 ||
	    sysctl_set("net.ipv4.conf." NET_BRIDGE_NAME ".route_localnet", "1", err) < 0)
		return -1;
	return 0;
}

static int setup_container_side(int netns_fd, const char *ns, const struct net_state *st,
				struct mr_err *err)
{
	struct nl cn = {0};
	struct link_info lo, eth0;
	int r = -1;

	if (nl_open_in_netns(&cn, NETLINK_ROUTE, netns_fd, err) < 0)
		return -1;
	cn.ns = ns;
	if (link_get(&cn, "lo", &lo, err) < 0 || link_set_up(&cn, &lo, err) < 0)
		goto out;
	if (st->mode == NET_BRIDGE) {
		if (link_get(&cn, "eth0", &eth0, err) < 0 ||
		    addr_add(&cn, &eth0, st->ip, st->prefix, err) < 0 ||
		    link_set_up(&cn, &eth0, err) < 0 ||
		    route_add_default(&cn, &eth0, st->gateway, err) < 0)
			goto out;
	}
	r = 0;
out:
	nl_close(&cn);
	return r;
}

/* No IPv6 on the host end of a veth (set while it is down, so none is ever
 * made): its link-local address and routes, one set per container, made
 * the kernel's walk of every IPv6 route on each link change grow with
 * them. The bridge forwards IPv6 frames all the same; the container's end
 * keeps its own, as with Docker. A host without IPv6 has nothing to do. */
static int host_end_no_ipv6(const char *veth, struct mr_err *err)
{
	char key[64];

	snprintf(key, sizeof(key), "net.ipv6.conf.%s.disable_ipv6", veth);
	if (sysctl_set(key, "1", err) < 0 && err->errnum != ENOENT)
		return -1;
	mr_error_clear(err);
	return 0;
}

int net_attach(int rootfd, const char *id, struct net_state *st, int netns_fd, struct mr_err *err)
{
	struct nl rt = {0}, nf = {0};
	struct link_info br, host_end;
	_cleanup_free_ char *warning = NULL;
	unsigned char mac[6];
	unsigned int mtu;
	char ns[13];
	int r = -1;

	if (st->mode == NET_HOST)
		return 0;
	container_netns_name(id, ns);
	/* The namespace's settings from here (the container's process waits
	 * for nothing of ours and would pay them on the start's path), but
	 * in bridge mode by the container (runtime/child.c), which waits for
	 * "go" while we build the network: ours is then the longer path. */
	if (st->mode == NET_NONE) {
		if (sysctl_netns_defaults(netns_fd, ns, err) < 0)
			return -1;
		return setup_container_side(netns_fd, ns, st, err);
	}

	if (nl_open(&rt, NETLINK_ROUTE, err) < 0)
		return -1;
	/* Every veth takes the uplink's MTU, and the bridge (the minimum of its
	 * ports) with them: the MTU the bridge was made with does not last, the
	 * kernel sets it back to 1500 when its last port leaves. */
	mtu = uplink_mtu(&rt);
	if (ensure_bridge(&rt, st, mtu, &br, err) < 0)
		goto out;
	container_mac(st->ip, mac);
	if (link_add_veth(&rt, st->veth, &br, mtu, "eth0", netns_fd, ns, mac, &host_end, err) < 0 ||
	    host_end_no_ipv6(st->veth, err) < 0 || link_set_port_up(&rt, &host_end, err) < 0)
		goto out;
	if (setup_container_side(netns_fd, ns, st, err) < 0)
		goto out;
	if (nl_open(&nf, NETLINK_NETFILTER, err) < 0 || net_restore(rootfd, &nf, id, err) < 0 ||
	    foreign_allow_bridge(&nf, NET_BRIDGE_NAME, &warning, err) < 0)
		goto out;
	/* Net code does not print, but a foreign chain that drops our traffic
	 * and may not be changed by us is worth one line to the user. */
	if (warning)
		fprintf(stderr, "WARNING: %s\n", warning);
	r = nft_add_container(&nf, st->veth, mac, st->ip, st->ports, st->n_ports, err);
	if (r == -EEXIST) {
		/* A run that found the tables flushed restores every lease it
		 * sees, ours too if we were starting then: the same elements are
		 * ours; anything else is a real clash. */
		mr_error_clear(err);
		r = nft_readd_container(&nf, st->veth, mac, st->ip, st->ports, st->n_ports, err);
	}
	if (r == -EEXIST)
		mr_error_wrap(err, "publish ports: a port is already published");
	if (r < 0)
		goto out;
	struct nft_container published = {.ports = st->ports, .n_ports = st->n_ports};
	r = flush_udp(&nf, &published, 1, err);
out:
	nl_close(&rt);
	nl_close(&nf);
	return r < 0 ? -1 : 0;
}

void net_release(int rootfd, const char *id, struct net_state *st)
{
	struct mr_err ignore = {0};
	struct nl nf = {0}, rt = {0};
	struct ipam *ip = NULL;

	if (st->mode != NET_BRIDGE)
		return;
	/* All under the IPAM lock: the map elements are this container's only
	 * while its lease holds the ports. Once the lease is gone (a container
	 * that exited earlier, then `rm`), the same keys may already belong to
	 * a newer container, and deleting by key would unpublish its port. */
	if (ipam_open(rootfd, &ip, &ignore) < 0)
		ip = NULL;
	bool keep_lease = false;
	if (ip && ipam_holds(ip, id, st->ip) && nl_open(&nf, NETLINK_NETFILTER, &ignore) == 0) {
		struct nft_container one = {
		    .veth = st->veth, .ip = st->ip, .ports = st->ports, .n_ports = st->n_ports};
		container_mac(st->ip, one.mac);
		/* One batch (an update that retires them, or "destroy");
		 * else the older two. Elements that could not be removed keep
		 * the lease: with the owner gone, `gc` or the next run tries
		 * again. */
		if (nft_del_many(&nf, &one, 1, &ignore) < 0) {
			mr_error_clear(&ignore);
			keep_lease = nft_del_container(&nf, st->veth, one.mac, st->ip, st->ports,
						       st->n_ports, &ignore) < 0;
		}
		flush_udp(&nf, &one, 1, &ignore);
	}
	mr_error_clear(&ignore);
	if (st->veth[0] && nl_open(&rt, NETLINK_ROUTE, &ignore) == 0) {
		retire_veth(&rt, st->veth);
		nl_close(&rt);
	}
	mr_error_clear(&ignore);
	if (ip) {
		if (!keep_lease && ipam_holds(ip, id, st->ip)) {
			explain_released(id, st->ip);
			ipam_release(ip, id, st->ip);
		}
		ipam_commit(ip, &ignore);
	}
	mr_error_clear(&ignore);
	/* Last, outside the lock: closing a netfilter socket after a deletion
	 * (the path of kernels before 6.12) waits in the kernel for the
	 * deleted elements to be freed (an RCU grace period, ~10-20 ms);
	 * others' releases need not wait for it. */
	nl_close(&nf);
}

int net_release_many(int rootfd, char *const *ids, size_t n, struct mr_err *err)
{
	_cleanup_free_ char **sorted = NULL;
	struct many_ctx c = {.n_ids = n, .cap = n};
	struct nl nf = {0};
	struct ipam *ip;
	size_t count;
	int r;

	if (n == 0)
		return 0;
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return mr_error(err, ENOMEM, "release");
	memcpy(sorted, ids, n * sizeof(*ids));
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	c.ids = sorted;
	if (ipam_open(rootfd, &ip, err) < 0)
		return -1;
	if (release_leases(ip, &c, &nf, &count, err) < 0) {
		ipam_close(ip);
		nl_close(&nf);
		return -1;
	}
	r = ipam_commit(ip, err);
	nl_close(&nf); /* last: see net_release() */
	return r;
}

void net_state_free(struct net_state *st)
{
	free(st->ports);
	st->ports = NULL;
	st->n_ports = 0;
}
