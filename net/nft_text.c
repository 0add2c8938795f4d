/* nft_text.c - nft(8) text for minirun's tables and elements (--explain). */
#include "nft_text.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "../common/explain.h"

/* `table inet minirun`, as nft.c's put_rules() builds it and `nft list`
 * prints it; %1$s the bridge, %2$s the subnet (NET/PREFIX). */
static const char inet_table[] =
    "table inet " NFT_TABLE " {\n"
    "\tmap " NFT_MAP_ANY " {\n"
    "\t\ttype inet_proto . inet_service : ipv4_addr . inet_service\n"
    "\t\tflags timeout\n"
    "\t}\n"
    "\tmap " NFT_MAP_IP " {\n"
    "\t\ttype ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service\n"
    "\t\tflags timeout\n"
    "\t}\n"
    "\tchain guard {\n"
    "\t\ttype filter hook prerouting priority raw; policy accept;\n"
    "\t\tiifname != \"lo\" ip daddr 127.0.0.0/8 drop\n"
    "\t}\n"
    "\tchain prerouting {\n"
    "\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
    "\t\tfib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @" NFT_MAP_IP "\n"
    "\t\tfib daddr type local dnat ip to meta l4proto . th dport map @" NFT_MAP_ANY "\n"
    "\t}\n"
    "\tchain output {\n"
    "\t\ttype nat hook output priority -100; policy accept;\n"
    "\t\tfib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @" NFT_MAP_IP "\n"
    "\t\tfib daddr type local dnat ip to meta l4proto . th dport map @" NFT_MAP_ANY "\n"
    "\t}\n"
    "\tchain postrouting {\n"
    "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
    "\t\tip saddr %2$s oifname != \"%1$s\" masquerade\n"
    "\t\tip saddr 127.0.0.0/8 oifname \"%1$s\" masquerade\n"
    "\t\tct status dnat ip saddr %2$s oifname \"%1$s\" masquerade\n"
    "\t}\n"
    "\tchain forward {\n"
    "\t\ttype filter hook forward priority filter; policy accept;\n"
    "\t\toifname \"%1$s\" ct state established,related accept\n"
    "\t\toifname \"%1$s\" iifname \"%1$s\" accept\n"
    "\t\toifname \"%1$s\" ct status dnat accept\n"
    "\t\toifname \"%1$s\" drop\n"
    "\t}\n"
    "}\n";

/* `table bridge minirun`, as nft.c's put_bridge_rules() builds it. `ether
 * type ip` is written out: nft would otherwise check the protocol with `meta
 * protocol`, where minirun reads the frame's own type field (`nft list`
 * shows neither). */
static const char bridge_table[] =
    "table bridge " NFT_TABLE " {\n"
    "\tset " NFT_SET_SRC " {\n"
    "\t\ttype ifname . ether_addr . ipv4_addr\n"
    "\t\tflags timeout\n"
    "\t}\n"
    "\tchain prerouting {\n"
    "\t\ttype filter hook prerouting priority filter; policy accept;\n"
    "\t\tiifname \"mr*\" ether type ip iifname . ether saddr . ip saddr @" NFT_SET_SRC " accept\n"
    "\t\tiifname \"mr*\" arp htype 1 arp ptype ip arp hlen 6 arp plen 4"
    " iifname . ether saddr . arp saddr ip @" NFT_SET_SRC
    " iifname . arp saddr ether . arp saddr ip @" NFT_SET_SRC " accept\n"
    "\t\tiifname \"mr*\" drop\n"
    "\t}\n"
    "}\n";

void nft_explain_tables(bool inet, bool bridge_family, const char *bridge, struct in_addr subnet,
			int prefix)
{
	struct in_addr net = {subnet.s_addr & htonl(prefix >= 32 ? ~0u : ~(~0u >> prefix))};
	char a[INET_ADDRSTRLEN], sub[INET_ADDRSTRLEN + 4];
	char *body = NULL;
	size_t len = 0;
	FILE *f;

	if (!explain_on() || !(f = open_memstream(&body, &len)))
		return;
	snprintf(sub, sizeof(sub), "%s/%d", inet_ntop(AF_INET, &net, a, sizeof(a)), prefix);
	if (inet)
		fprintf(f, inet_table, bridge, sub);
	if (bridge_family)
		fputs(bridge_table, f);
	if (fclose(f) == 0) {
		explain_note("minirun's tables, one batch (all or nothing); each table only if "
			     "missing, and made exclusively, so two runs cannot both add rules:");
		explain_heredoc(EXPLAIN_HOST, "nft -f -", body);
	}
	free(body);
}

/* How an element is written: whole (key : data), its key alone (as `nft
 * delete element` takes it), or whole with the timeout that retires it. */
enum elem_form { ELEM_WHOLE, ELEM_KEY, ELEM_RETIRE };

#define RETIRE " timeout 1s expires 1ms"

/* A port's element. */
static void port_elem(FILE *f, const struct nft_port *p, enum elem_form form)
{
	char h[INET_ADDRSTRLEN], c[INET_ADDRSTRLEN];
	const char *proto = p->proto == IPPROTO_UDP ? "udp" : "tcp";

	if (p->host_ip.s_addr == htonl(INADDR_ANY))
		fprintf(f, "%s . %u", proto, p->host_port);
	else
		fprintf(f, "%s . %s . %u", inet_ntop(AF_INET, &p->host_ip, h, sizeof(h)), proto,
			p->host_port);
	if (form == ELEM_RETIRE)
		fputs(RETIRE, f);
	if (form != ELEM_KEY)
		fprintf(f, " : %s . %u", inet_ntop(AF_INET, &p->cont_ip, c, sizeof(c)),
			p->cont_port);
}

/* `nft VERB element inet minirun MAP '{ E, E... }'` for the ports of one map. */
static void map_elems(const char *verb, bool any, const struct nft_port *ports, size_t n,
		      enum elem_form form)
{
	char *set = NULL;
	size_t len = 0, k = 0;
	FILE *f = open_memstream(&set, &len);

	if (!f)
		return;
	fputs("{ ", f);
	for (size_t i = 0; i < n; i++) {
		if ((ports[i].host_ip.s_addr == htonl(INADDR_ANY)) != any)
			continue;
		fputs(k++ ? ", " : "", f);
		port_elem(f, &ports[i], form);
	}
	fputs(" }", f);
	if (fclose(f) == 0 && k)
		EXPLAIN(EXPLAIN_HOST, "nft", verb, "element", "inet", NFT_TABLE,
			any ? NFT_MAP_ANY : NFT_MAP_IP, set);
	free(set);
}

/* The source element (when veth), then the ports' elements of both maps. */
static void elems(const char *src_verb, const char *port_verb, enum elem_form form,
		  const char *veth, const unsigned char *mac, struct in_addr ip,
		  const struct nft_port *ports, size_t n)
{
	char elem[128], a[INET_ADDRSTRLEN];

	if (!explain_on())
		return;
	if (veth) {
		snprintf(elem, sizeof(elem), "{ \"%s\" . %02x:%02x:%02x:%02x:%02x:%02x . %s%s }",
			 veth, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
			 inet_ntop(AF_INET, &ip, a, sizeof(a)), form == ELEM_RETIRE ? RETIRE : "");
		EXPLAIN(EXPLAIN_HOST, "nft", src_verb, "element", "bridge", NFT_TABLE, NFT_SET_SRC,
			elem);
	}
	map_elems(port_verb, true, ports, n, form);
	map_elems(port_verb, false, ports, n, form);
}

void nft_explain_elems(const char *veth, const unsigned char *mac, struct in_addr ip,
		       const struct nft_port *ports, size_t n, bool excl)
{
	elems("add", excl ? "create" : "add", ELEM_WHOLE, veth, mac, ip, ports, n);
}

void nft_explain_del(const struct nft_container *cs, size_t n, bool expire)
{
	if (!explain_on())
		return;
	if (expire)
		explain_note("retired by an update that makes them expire now (Linux 6.12): a "
			     "deletion would make closing a netfilter socket wait for an RCU "
			     "grace period");
	for (size_t i = 0; i < n; i++) {
		const struct nft_container *c = &cs[i];

		if (expire)
			elems("add", "add", ELEM_RETIRE, c->veth, c->mac, c->ip, c->ports,
			      c->n_ports);
		else
			elems("delete", "delete", ELEM_KEY, c->veth, c->mac, c->ip, c->ports,
			      c->n_ports);
	}
}

void nft_explain_del_fallback(const struct nft_container *cs, size_t n)
{
	explain_note("the kernel refused that update (tables without `flags timeout`, made by an "
		     "older minirun): deleted instead");
	nft_explain_del(cs, n, false);
}
