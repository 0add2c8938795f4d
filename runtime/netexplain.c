/* netexplain.c - `minirun net explain NAME [--port P]`: the path of a packet
 * to a bridge-mode container (from the LAN, from the host, from 127.0.0.1)
 * and out of it, hop by hop, each hop with the command that shows it. What
 * it says comes from the container's state.json and, for the host's own
 * addresses and default route, from the kernel (rtnetlink); it runs no tool. */
#include "netexplain.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../net/addr.h"
#include "../net/foreign.h"
#include "../net/nl.h"
#include "inspect.h"

/* The host as the paths need it: an address a LAN neighbour would use, and
 * the way out (the default route's link and its address). */
struct host_view {
	char lan_if[IF_NAMESIZE], lan_ip[INET_ADDRSTRLEN];
	char up_if[IF_NAMESIZE], up_ip[INET_ADDRSTRLEN];
};

struct ex {
	FILE *out;
	const struct container *c;
	struct host_view h;
	struct foreign_docker docker; /* Docker's FORWARD, read from the kernel */
	char ip[INET_ADDRSTRLEN], gw[INET_ADDRSTRLEN], subnet[INET_ADDRSTRLEN];
	int step;
};

static void a4(struct in_addr a, char buf[INET_ADDRSTRLEN])
{
	inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* pre, then fmt's text, then post: every line of the explanation. */
static void say(FILE *out, const char *pre, const char *post, const char *fmt, va_list ap)
{
	fputs(pre, out);
	vfprintf(out, fmt, ap);
	fputs(post, out);
}

#define SAY(x, pre, post)                                                                          \
	do {                                                                                       \
		va_list ap;                                                                        \
		va_start(ap, fmt);                                                                 \
		say((x)->out, pre, post, fmt, ap);                                                 \
		va_end(ap);                                                                        \
	} while (0)

static void section(struct ex *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void section(struct ex *x, const char *fmt, ...)
{
	x->step = 0;
	SAY(x, "\n== ", " ==\n");
}

static void hop(struct ex *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void hop(struct ex *x, const char *fmt, ...)
{
	fprintf(x->out, "%2d. ", ++x->step);
	SAY(x, "", "\n");
}

/* A command that shows the hop: "      $ cmd" (the tests run these lines). */
static void cmd(struct ex *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cmd(struct ex *x, const char *fmt, ...)
{
	SAY(x, "      $ ", "\n");
}

/* Fill h from the kernel: the default route's link is the way out; the
 * first other link with an address (not lo, not the bridge, not a veth of
 * ours) stands for the LAN, or the way out itself when there is none. */
static void host_view_read(struct host_view *h)
{
	struct route4 routes[256];
	struct addr4 a;
	struct mr_err e = {0};
	struct nl rt;
	int n;

	snprintf(h->lan_if, sizeof(h->lan_if), "%s", "LAN-IF");
	snprintf(h->lan_ip, sizeof(h->lan_ip), "%s", "HOST-IP");
	snprintf(h->up_if, sizeof(h->up_if), "%s", "UPLINK");
	snprintf(h->up_ip, sizeof(h->up_ip), "%s", "HOST-IP");
	if (nl_open(&rt, NETLINK_ROUTE, &e) < 0) {
		mr_error_clear(&e);
		return;
	}
	n = route_list(&rt, routes, 256, &e);
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n; i++) {
			char name[IF_NAMESIZE];
			bool dflt = routes[i].prefix == 0;

			if ((pass == 0) != dflt || !routes[i].oif ||
			    !if_indextoname((unsigned int)routes[i].oif, name) ||
			    strcmp(name, "lo") == 0 || strcmp(name, NET_BRIDGE_NAME) == 0 ||
			    strncmp(name, "mr", 2) == 0 || (!dflt && strcmp(name, h->up_if) == 0) ||
			    addr_list(&rt, routes[i].oif, &a, 1, &e) != 1)
				continue;
			if (dflt) {
				memcpy(h->up_if, name, sizeof(name));
				a4(a.addr, h->up_ip);
			} else if (strcmp(h->lan_ip, "HOST-IP") == 0) {
				memcpy(h->lan_if, name, sizeof(name));
				a4(a.addr, h->lan_ip);
			}
		}
	if (strcmp(h->lan_ip, "HOST-IP") == 0 && strcmp(h->up_ip, "HOST-IP") != 0) {
		memcpy(h->lan_if, h->up_if, sizeof(h->lan_if));
		memcpy(h->lan_ip, h->up_ip, sizeof(h->lan_ip));
	}
	mr_error_clear(&e);
	nl_close(&rt);
}

/* The map a port's element lives in, and its key as nft writes it. */
static const char *port_map_name(const struct nft_port *p)
{
	return p->host_ip.s_addr == INADDR_ANY ? NFT_MAP_ANY : NFT_MAP_IP;
}

static void port_key(const struct nft_port *p, char *buf, size_t len)
{
	char hip[INET_ADDRSTRLEN];

	a4(p->host_ip, hip);
	if (p->host_ip.s_addr == INADDR_ANY)
		snprintf(buf, len, "%s . %u", portmap_proto_name(p->proto), p->host_port);
	else
		snprintf(buf, len, "%s . %s . %u", hip, portmap_proto_name(p->proto), p->host_port);
}

static bool is_loopback(struct in_addr a)
{
	return (ntohl(a.s_addr) >> 24) == 127;
}

/* The hops every way in shares once the destination is rewritten. */
static void to_bridge_port(struct ex *x, const struct nft_port *p, const char *ct_filter)
{
	const char *proto = portmap_proto_name(p->proto);

	hop(x,
	    "The bridge %s hands the frame to its port %s; the veth carries it to eth0 in the "
	    "container, where the service on port %u gets it.",
	    NET_BRIDGE_NAME, x->c->net.veth, p->cont_port);
	cmd(x, "bridge link show dev %s", x->c->net.veth);
	hop(x,
	    "conntrack remembered the translation: the answer is rewritten back (source "
	    "%s:%u becomes the address and port the client used) without any rule.",
	    x->ip, p->cont_port);
	cmd(x, "conntrack -L -p %s%s --dport %u", proto, ct_filter, p->host_port);
}

static void dnat_hop(struct ex *x, const struct nft_port *p, const char *chain, const char *when)
{
	char key[64];

	port_key(p, key, sizeof(key));
	hop(x,
	    "%s, chain %s of table inet minirun (nat): the destination is a local address of "
	    "the host (fib daddr type local) and { %s } is an element of map %s, so DNAT "
	    "rewrites the destination to %s:%u.",
	    when, chain, key, port_map_name(p), x->ip, p->cont_port);
	cmd(x, "nft list chain inet minirun %s", chain);
	cmd(x, "nft get element inet minirun %s '{ %s }'", port_map_name(p), key);
}

static void route_hop(struct ex *x)
{
	hop(x, "Routing: %s is on the bridge's own subnet %s/%d, so the packet leaves by %s.",
	    x->ip, x->subnet, x->c->net.prefix, NET_BRIDGE_NAME);
	cmd(x, "ip route get %s", x->ip);
}

/* Docker's firewall as the forwarded paths meet it; nothing when it cannot
 * be read (the paths are explained without it). */
static void docker_view_read(struct foreign_docker *d)
{
	_cleanup_free_ char *warning = NULL;
	struct mr_err e = {0};
	struct nl nf;

	*d = (struct foreign_docker){0};
	if (nl_open(&nf, NETLINK_NETFILTER, &e) == 0) {
		foreign_check(&nf, NET_BRIDGE_NAME, &warning, d, &e);
		nl_close(&nf);
	}
	mr_error_clear(&e);
}

/* A forwarded packet also passes Docker's FORWARD (its own table and hook:
 * a drop there is final), which first jumps to DOCKER-USER. */
static void docker_hop(struct ex *x, const char *rule, const char *why)
{
	if (!x->docker.hop)
		return;
	hop(x,
	    "Docker's firewall judges it too: chain FORWARD of table ip filter drops by policy, "
	    "but jumps first to DOCKER-USER, where minirun's rule '%s' accepts it (%s).%s",
	    rule, why,
	    x->docker.missing ? " minirun's rules are not there now: Docker drops it until the "
				"next `minirun run` puts them back."
			      : "");
	cmd(x, "iptables -L DOCKER-USER -n -v");
}

static void from_lan(struct ex *x, const struct nft_port *p)
{
	const char *dst = p->host_ip.s_addr == INADDR_ANY ? x->h.lan_ip : NULL;
	char hip[INET_ADDRSTRLEN];

	if (!dst) {
		a4(p->host_ip, hip);
		dst = hip;
	}
	section(x, "From the LAN: a neighbour connects to %s:%u/%s", dst, p->host_port,
		portmap_proto_name(p->proto));
	if (is_loopback(p->host_ip)) {
		fprintf(x->out,
			"Not reachable: the port is published on %s only, and chain guard drops "
			"every packet for 127.0.0.0/8 that did not come from lo.\n",
			dst);
		cmd(x, "nft list chain inet minirun guard");
		return;
	}
	hop(x, "The packet arrives on %s, addressed to the host (%s).",
	    p->host_ip.s_addr == INADDR_ANY ? x->h.lan_if : "the link of that address", dst);
	dnat_hop(x, p, "prerouting", "Before routing");
	route_hop(x);
	hop(x,
	    "Chain forward (filter) accepts it by its rule 'oifname \"%s\" ct status dnat "
	    "accept': it was DNATed to a published port. The same packet sent straight to %s "
	    "would meet the chain's last rule, 'oifname \"%s\" drop'. The neighbour's own "
	    "address stays the source: the container sees who connected.",
	    NET_BRIDGE_NAME, x->ip, NET_BRIDGE_NAME);
	cmd(x, "nft list chain inet minirun forward");
	docker_hop(
	    x, "-o " NET_BRIDGE_NAME " -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -j ACCEPT",
	    "its destination was rewritten by DNAT");
	to_bridge_port(x, p, "");
}

static void from_host(struct ex *x, const struct nft_port *p)
{
	const char *dst = x->h.lan_ip;
	char hip[INET_ADDRSTRLEN];

	if (p->host_ip.s_addr != INADDR_ANY) {
		a4(p->host_ip, hip);
		dst = hip;
	}
	if (is_loopback(p->host_ip))
		return; /* the 127.0.0.1 path below is the only one */
	section(x, "From the host: a process on the host connects to %s:%u/%s", dst, p->host_port,
		portmap_proto_name(p->proto));
	dnat_hop(x, p, "output",
		 "The host's own packets do not pass prerouting; in the output hook");
	route_hop(x);
	hop(x,
	    "No forward chain: the packet was made on the host. Its source is %s, an address "
	    "the container can answer through its gateway %s, so chain postrouting leaves it "
	    "alone.",
	    dst, x->gw);
	cmd(x, "nft list chain inet minirun postrouting");
	to_bridge_port(x, p, "");
}

static void from_loopback(struct ex *x, const struct nft_port *p)
{
	if (p->host_ip.s_addr != INADDR_ANY && !is_loopback(p->host_ip))
		return;
	section(x, "From 127.0.0.1: a process on the host connects to 127.0.0.1:%u/%s",
		p->host_port, portmap_proto_name(p->proto));
	dnat_hop(x, p, "output", "In the output hook");
	route_hop(x);
	hop(x,
	    "A packet from 127.0.0.1 may leave by %s only because route_localnet is 1 on it "
	    "(and only on it); chain guard drops packets for 127.0.0.0/8 that arrive on any "
	    "other interface than lo, so containers cannot use that opening to reach the host's "
	    "loopback services.",
	    NET_BRIDGE_NAME);
	cmd(x, "sysctl net.ipv4.conf.%s.route_localnet", NET_BRIDGE_NAME);
	cmd(x, "nft list chain inet minirun guard");
	hop(x,
	    "Chain postrouting's rule 'ip saddr 127.0.0.0/8 oifname \"%s\" masquerade' gives "
	    "it the source %s: the container could not answer 127.0.0.1.",
	    NET_BRIDGE_NAME, x->gw);
	cmd(x, "nft list chain inet minirun postrouting");
	to_bridge_port(x, p, " -s 127.0.0.1");
}

static void way_out(struct ex *x)
{
	section(x, "Out: the container connects to an address beyond the host");
	hop(x, "Inside the container, the default route sends it to the gateway %s by eth0.",
	    x->gw);
	cmd(x, "nsenter -t %d -n ip route show default", (int)x->c->pid);
	hop(x,
	    "The frame enters %s from port %s. Table bridge minirun, chain prerouting, lets it "
	    "pass only because \"%s\" . %s . %s is an element of set %s: from this port, no "
	    "other MAC or IPv4 source gets through.",
	    NET_BRIDGE_NAME, x->c->net.veth, x->c->net.veth, x->c->net.mac, x->ip, NFT_SET_SRC);
	cmd(x, "nft list chain bridge minirun prerouting");
	cmd(x, "nft get element bridge minirun %s '{ \"%s\" . %s . %s }'", NFT_SET_SRC,
	    x->c->net.veth, x->c->net.mac, x->ip);
	hop(x,
	    "The host routes it (net.ipv4.ip_forward is 1) by its default route, out of %s. "
	    "Chain forward of table inet minirun only judges packets towards %s, so it passes.",
	    x->h.up_if, NET_BRIDGE_NAME);
	cmd(x, "ip route show default");
	cmd(x, "sysctl net.ipv4.ip_forward");
	docker_hop(x, "-i " NET_BRIDGE_NAME " -j ACCEPT",
		   "after two RETURNs that leave traffic towards docker0 and br-+ to Docker's own "
		   "rules");
	hop(x,
	    "Chain postrouting's rule 'ip saddr %s/%d oifname != \"%s\" masquerade' gives it "
	    "the source %s, the address of %s: the outside has no route back to %s/%d.",
	    x->subnet, x->c->net.prefix, NET_BRIDGE_NAME, x->h.up_ip, x->h.up_if, x->subnet,
	    x->c->net.prefix);
	cmd(x, "nft list chain inet minirun postrouting");
	hop(x, "conntrack keeps the pair, so the answer finds its way back to %s.", x->ip);
	cmd(x, "conntrack -L -s %s", x->ip);
}

/* "8080" or "8080/udp" -> the published port it names. */
static const struct nft_port *find_port(const struct container *c, const char *want,
					struct mr_err *err)
{
	const char *proto = strchr(want, '/');
	char *end;
	long n = strtol(want, &end, 10);

	if (end == want || (*end && end != proto) || n < 1 || n > 65535 ||
	    (proto && strcmp(proto, "/tcp") != 0 && strcmp(proto, "/udp") != 0))
		return mr_error(err, 0, "invalid --port \"%s\": use PORT or PORT/tcp|udp", want),
		       NULL;
	for (size_t i = 0; i < c->net.n_ports; i++) {
		const struct nft_port *p = &c->net.ports[i];
		if (p->host_port == n &&
		    (!proto || strcmp(proto + 1, portmap_proto_name(p->proto)) == 0))
			return p;
	}
	return mr_error(err, 0, "%s does not publish port %s (see `minirun port %s`)", c->name,
			want, c->name),
	       NULL;
}

static void header(struct ex *x)
{
	const struct container *c = x->c;

	fprintf(x->out, "%s (%.12s): eth0 %s/%d, MAC %s, in its own network namespace (pid %d)\n",
		c->name, c->id, x->ip, c->net.prefix, c->net.mac, (int)c->pid);
	fprintf(x->out, "veth pair: %s on the host, a port of bridge %s (%s, its gateway)\n",
		c->net.veth, NET_BRIDGE_NAME, x->gw);
	for (size_t i = 0; i < c->net.n_ports; i++) {
		const struct nft_port *p = &c->net.ports[i];
		char hip[INET_ADDRSTRLEN], key[64];

		a4(p->host_ip, hip);
		port_key(p, key, sizeof(key));
		fprintf(x->out, "published: %s:%u -> %u/%s (map %s, element { %s })\n", hip,
			p->host_port, p->cont_port, portmap_proto_name(p->proto), port_map_name(p),
			key);
	}
	fprintf(x->out, "The host: the LAN side is %s (%s), the way out %s (%s).\n", x->h.lan_if,
		x->h.lan_ip, x->h.up_if, x->h.up_ip);
}

static void no_port(struct ex *x)
{
	section(x, "In: nothing is published");
	hop(x,
	    "From the host, %s is reached directly, by the bridge's route; the container sees "
	    "the source %s.",
	    x->ip, x->gw);
	cmd(x, "ip route get %s", x->ip);
	hop(x,
	    "From the LAN, a packet routed to %s meets chain forward's last rule, 'oifname "
	    "\"%s\" drop': only published ports are reachable (`minirun run -p`).",
	    x->ip, NET_BRIDGE_NAME);
	cmd(x, "nft list chain inet minirun forward");
}

int netexplain_print(const char *root, const char *ref, const char *port, FILE *out,
		     struct mr_err *err)
{
	_cleanup_close_ int rootfd = open_root_for(root, ref, err);
	struct container c = {0};
	const struct nft_port *p = NULL;
	struct ex x = {.out = out, .c = &c};
	int r = -1;

	if (rootfd < 0 || container_find(rootfd, ref, &c, err) < 0)
		return -1;
	if (c.net.mode != NET_BRIDGE)
		mr_error(err, 0,
			 "%s uses --network %s: only bridge-mode containers have a path of their "
			 "own to explain",
			 c.name, net_mode_name(c.net.mode));
	else if (!container_running(&c))
		mr_error(err, 0, "%s is not running: its veth and map elements are gone", c.name);
	else if (port && !(p = find_port(&c, port, err)))
		;
	else
		r = 0;
	if (r < 0) {
		container_free(&c);
		return -1;
	}
	if (!p && c.net.n_ports)
		p = &c.net.ports[0];
	a4(c.net.ip, x.ip);
	a4(c.net.gateway, x.gw);
	a4(c.net.subnet, x.subnet);
	host_view_read(&x.h);
	docker_view_read(&x.docker);
	header(&x);
	if (p) {
		if (!port && c.net.n_ports > 1)
			fprintf(out, "(explaining %u/%s; --port P for another)\n", p->host_port,
				portmap_proto_name(p->proto));
		from_lan(&x, p);
		from_host(&x, p);
		from_loopback(&x, p);
	} else {
		no_port(&x);
	}
	way_out(&x);
	container_free(&c);
	return 0;
}
