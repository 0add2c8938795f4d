/* netshow.c - the topology from state: the subnet and gateway from
 * ROOT/ipam/network.json, every running bridge-mode container (its veth
 * pair, address and published ports) from its state.json. */
#include "netshow.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../net/ipam.h"
#include "inspect.h"
#include "state.h"

struct shown {
	struct container *c;
	size_t n;
};

/* By address: the order the IPAM handed them out, the same on every call. */
static int by_ip(const void *a, const void *b)
{
	uint32_t x = ntohl(((const struct container *)a)->net.ip.s_addr);
	uint32_t y = ntohl(((const struct container *)b)->net.ip.s_addr);

	return x < y ? -1 : x > y;
}

static void load_running(int rootfd, struct shown *s)
{
	struct strv ids = {0};
	struct mr_err e = {0};

	if (state_list(rootfd, &ids, &e) < 0) {
		mr_error_clear(&e);
		return;
	}
	s->c = calloc(ids.n + 1, sizeof(*s->c));
	for (size_t i = 0; s->c && i < ids.n; i++) {
		struct container *c = &s->c[s->n];
		if (state_load(rootfd, ids.v[i], c, &e) < 0) {
			mr_error_clear(&e);
			continue;
		}
		if (c->net.mode == NET_BRIDGE && container_running(c))
			s->n++;
		else
			container_free(c);
	}
	strv_free(&ids);
	if (s->n > 1)
		qsort(s->c, s->n, sizeof(*s->c), by_ip);
}

static const char *a4(struct in_addr a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static void port_text(const struct nft_port *p, char *buf, size_t len)
{
	char h[INET_ADDRSTRLEN];

	snprintf(buf, len, "%s:%u -> %u/%s", a4(p->host_ip, h), p->host_port, p->cont_port,
		 portmap_proto_name(p->proto));
}

static void show_text(FILE *out, const char *gw, const char *net, int prefix, const struct shown *s)
{
	fprintf(out, "host\n");
	fprintf(out, "└── %s %s/%d  (bridge; the containers' gateway)\n", NET_BRIDGE_NAME, gw,
		prefix);
	fprintf(out,
		"    NAT: masquerade %s/%d leaving by any other interface; published ports "
		"are DNAT map elements\n",
		net, prefix);
	for (size_t i = 0; i < s->n; i++) {
		const struct container *c = &s->c[i];
		bool last = i + 1 == s->n;
		char ip[INET_ADDRSTRLEN], pt[96];

		fprintf(out, "    %s %s ══ eth0 %s/%d  %s (%.12s)\n", last ? "└──" : "├──",
			c->net.veth, a4(c->net.ip, ip), c->net.prefix, c->name, c->id);
		for (size_t p = 0; p < c->net.n_ports; p++) {
			port_text(&c->net.ports[p], pt, sizeof(pt));
			fprintf(out, "    %s      published: %s\n", last ? " " : "│", pt);
		}
	}
	if (s->n == 0)
		fprintf(out, "    (no running container)\n");
}

static void show_mermaid(FILE *out, const char *gw, int prefix, const struct shown *s)
{
	fprintf(out, "graph LR\n");
	fprintf(out, "  host[\"host\"] ---|masquerade| mini0[\"%s<br/>%s/%d\"]\n", NET_BRIDGE_NAME,
		gw, prefix);
	for (size_t i = 0; i < s->n; i++) {
		const struct container *c = &s->c[i];
		char ip[INET_ADDRSTRLEN], pt[96];

		fprintf(out, "  mini0 --- v%.12s[\"%s\"]\n", c->id, c->net.veth);
		fprintf(out, "  v%.12s ===|veth| c%.12s[\"%s<br/>eth0 %s/%d\"]\n", c->id, c->id,
			c->name, a4(c->net.ip, ip), c->net.prefix);
		for (size_t p = 0; p < c->net.n_ports; p++) {
			port_text(&c->net.ports[p], pt, sizeof(pt));
			fprintf(out, "  p%.12s_%zu([\"%s\"]) -.->|DNAT| c%.12s\n", c->id, p, pt,
				c->id);
		}
	}
}

static void show_dot(FILE *out, const char *gw, int prefix, const struct shown *s)
{
	fprintf(out, "graph minirun {\n  rankdir=LR;\n  node [fontname=\"sans\"];\n");
	fprintf(out, "  host [shape=box3d, label=\"host\"];\n");
	fprintf(out, "  mini0 [shape=box, label=\"%s\\n%s/%d\"];\n", NET_BRIDGE_NAME, gw, prefix);
	fprintf(out, "  host -- mini0 [label=\"masquerade\"];\n");
	for (size_t i = 0; i < s->n; i++) {
		const struct container *c = &s->c[i];
		char ip[INET_ADDRSTRLEN], pt[96];

		fprintf(out, "  v%.12s [shape=ellipse, label=\"%s\"];\n", c->id, c->net.veth);
		fprintf(out, "  c%.12s [shape=box, style=rounded, label=\"%s\\neth0 %s/%d\"];\n",
			c->id, c->name, a4(c->net.ip, ip), c->net.prefix);
		fprintf(out,
			"  mini0 -- v%.12s;\n  v%.12s -- c%.12s [style=bold, label=\"veth\"];\n",
			c->id, c->id, c->id);
		for (size_t p = 0; p < c->net.n_ports; p++) {
			port_text(&c->net.ports[p], pt, sizeof(pt));
			fprintf(out, "  p%.12s_%zu [shape=note, label=\"%s\"];\n", c->id, p, pt);
			fprintf(out, "  p%.12s_%zu -- c%.12s [style=dashed, label=\"DNAT\"];\n",
				c->id, p, c->id);
		}
	}
	fprintf(out, "}\n");
}

int netshow_print(const char *root, enum netshow_format f, FILE *out, struct mr_err *err)
{
	_cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct shown s = {0};
	struct ipam *ip;
	struct in_addr net, gw;
	char gws[INET_ADDRSTRLEN], nets[INET_ADDRSTRLEN];
	int prefix;
	bool have;

	if (rootfd < 0)
		return mr_error(err, 0, "no bridge network yet (no state root %s)", root);
	if (ipam_open(rootfd, &ip, err) < 0)
		return -1;
	have = ipam_get_subnet(ip, &net, &prefix);
	ipam_close(ip);
	if (!have)
		return mr_error(err, 0, "no bridge network yet: run a container first");
	gw.s_addr = htonl(ntohl(net.s_addr) + 1);
	a4(gw, gws);
	a4(net, nets);
	load_running(rootfd, &s);
	if (f == SHOW_TEXT)
		show_text(out, gws, nets, prefix, &s);
	else if (f == SHOW_MERMAID)
		show_mermaid(out, gws, prefix, &s);
	else
		show_dot(out, gws, prefix, &s);
	for (size_t i = 0; i < s.n; i++)
		container_free(&s.c[i]);
	free(s.c);
	return 0;
}
