/* nft.c - minirun's nftables tables through libnftnl: `inet minirun` (two port
 * maps, five base chains, their rules) and `bridge minirun` (the set of each
 * container's own veth . MAC . IP, one chain that drops anything else sent
 * from a container's veth), made once in one batch; the elements of each
 * container added and removed in one batch per change.
 * tests/integration/t-nft-ruleset.sh holds the exact `nft list ruleset` this
 * makes. */
#include "nft.h"
#include "nft_batch.h"
#include "nft_elems.h"
#include "nft_text.h"
#include "nftnl_cleanup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter_bridge.h>
#include <linux/netfilter_ipv4.h>
#include <linux/rtnetlink.h>

#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "../common/cleanup.h"

#define MAP_ANY NFT_MAP_ANY
#define MAP_IP NFT_MAP_IP
#define MAP_ANY_ID 1 /* batch-local ids, so rules can name a map made in the same batch */
#define MAP_IP_ID 2
#define SET_SRC NFT_SET_SRC
#define SET_SRC_ID 3

/* nft's datatype numbers (nftables src/datatype.h). A concatenation's type is
 * its members' types, 6 bits each, first member highest; `nft list` reads the
 * map types back from them. */
#define TYPE_IPADDR 7
#define TYPE_INET_PROTOCOL 12
#define TYPE_INET_SERVICE 13
#define TYPE_CONCAT(a, b) ((uint32_t)(a) << 6 | (uint32_t)(b))
#define KEY_ANY_TYPE TYPE_CONCAT(TYPE_INET_PROTOCOL, TYPE_INET_SERVICE)
#define KEY_IP_TYPE TYPE_CONCAT(TYPE_CONCAT(TYPE_IPADDR, TYPE_INET_PROTOCOL), TYPE_INET_SERVICE)
#define DATA_TYPE TYPE_CONCAT(TYPE_IPADDR, TYPE_INET_SERVICE)
#define TYPE_ETHERADDR 9
#define TYPE_IFNAME 41
#define KEY_SRC_TYPE TYPE_CONCAT(TYPE_CONCAT(TYPE_IFNAME, TYPE_ETHERADDR), TYPE_IPADDR)

/* Every member of a concatenated key or value takes a whole 4-byte register. */
#define KEY_ANY_LEN 8 /* inet_proto . inet_service */
#define KEY_IP_LEN 12 /* ipv4_addr . inet_proto . inet_service */
#define DATA_LEN 8    /* ipv4_addr . inet_service */

/* Offsets in the IPv4 header and the transport header. */
#define IP_SADDR 12
#define IP_DADDR 16
#define TH_DPORT 2
/* ... and in the Ethernet and ARP headers (ARP for Ethernet and IPv4). */
#define ETH_SADDR 6
#define ETH_TYPE 12
#define ARP_SHA 8
#define ARP_SPA 14

/* Elements per NEWSETELEM/DELSETELEM message. Few messages keep the ACKs few
 * (they must all fit the socket's receive buffer), and small messages keep an
 * error answer, which echoes the whole message, inside one page-sized read. */
#define ELEMS_PER_MSG 64

/* ---- rules, expression by expression, as `nft --debug=netlink` shows them ---- */

/* A rule being built. Expression helpers do nothing once something failed;
 * rule_put() reports it, so rule code reads as a plain list of expressions. */
struct rb {
	struct nftnl_rule *r;
	bool failed;
};

static void rule_new_in(struct rb *rb, uint32_t family, const char *chain)
{
	rb->failed = false;
	rb->r = nftnl_rule_alloc();
	if (!rb->r) {
		rb->failed = true;
		return;
	}
	nftnl_rule_set_u32(rb->r, NFTNL_RULE_FAMILY, family);
	if (nftnl_rule_set_str(rb->r, NFTNL_RULE_TABLE, NFT_TABLE) < 0 ||
	    nftnl_rule_set_str(rb->r, NFTNL_RULE_CHAIN, chain) < 0)
		rb->failed = true;
}

static void rule_new(struct rb *rb, const char *chain)
{
	rule_new_in(rb, NFPROTO_INET, chain);
}

static struct nftnl_expr *expr_add(struct rb *rb, const char *name)
{
	struct nftnl_expr *e;

	if (rb->failed)
		return NULL;
	e = nftnl_expr_alloc(name);
	if (!e) {
		rb->failed = true;
		return NULL;
	}
	nftnl_rule_add_expr(rb->r, e); /* the rule owns it now */
	return e;
}

static void expr_data(struct rb *rb, struct nftnl_expr *e, uint16_t attr, const void *data,
		      uint32_t len)
{
	if (nftnl_expr_set_data(e, attr, data, len) < 0)
		rb->failed = true;
}

static void meta(struct rb *rb, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = expr_add(rb, "meta");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
}

static void payload(struct rb *rb, uint32_t base, uint32_t offset, uint32_t len, uint32_t dreg)
{
	struct nftnl_expr *e = expr_add(rb, "payload");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
}

/* Compare register 1 with data. */
static void cmp(struct rb *rb, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = expr_add(rb, "cmp");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	expr_data(rb, e, NFTNL_EXPR_CMP_DATA, data, len);
}

/* reg1 = (reg1 & mask) ^ 0 */
static void bitwise_and(struct rb *rb, const void *mask, uint32_t len)
{
	static const uint8_t zero[16];
	struct nftnl_expr *e = expr_add(rb, "bitwise");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	expr_data(rb, e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	expr_data(rb, e, NFTNL_EXPR_BITWISE_XOR, zero, len);
}

static void verdict(struct rb *rb, int v)
{
	struct nftnl_expr *e = expr_add(rb, "immediate");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
}

static void masquerade(struct rb *rb)
{
	expr_add(rb, "masq");
}

/* meta nfproto ipv4: an inet chain sees IPv6 too, so nft puts this before any
 * IPv4 header match (and `nft list` hides it again). */
static void match_ipv4(struct rb *rb)
{
	uint8_t proto = NFPROTO_IPV4;

	meta(rb, NFT_META_NFPROTO, NFT_REG_1);
	cmp(rb, NFT_CMP_EQ, &proto, sizeof(proto));
}

/* iifname/oifname OP "name": compared over all IFNAMSIZ bytes, zero padded. */
static void match_ifname(struct rb *rb, uint32_t key, uint32_t op, const char *name)
{
	char buf[IFNAMSIZ] = {0};

	memcpy(buf, name, strnlen(name, IFNAMSIZ - 1));
	meta(rb, key, NFT_REG_1);
	cmp(rb, op, buf, sizeof(buf));
}

/* ip saddr/daddr NET/PREFIX the way nft writes it: whole bytes compared
 * directly, a prefix that ends inside a byte through a mask. */
static void match_ip_prefix(struct rb *rb, uint32_t offset, struct in_addr addr, int prefix)
{
	uint32_t mask = htonl(prefix >= 32 ? ~0u : ~(~0u >> prefix));
	uint32_t net = addr.s_addr & mask;

	match_ipv4(rb);
	if (prefix % 8 == 0) {
		payload(rb, NFT_PAYLOAD_NETWORK_HEADER, offset, (uint32_t)prefix / 8, NFT_REG_1);
		cmp(rb, NFT_CMP_EQ, &net, (uint32_t)prefix / 8);
	} else {
		payload(rb, NFT_PAYLOAD_NETWORK_HEADER, offset, 4, NFT_REG_1);
		bitwise_and(rb, &mask, 4);
		cmp(rb, NFT_CMP_EQ, &net, 4);
	}
}

/* ct state/status has any of bits. */
static void match_ct_bits(struct rb *rb, uint32_t key, uint32_t bits)
{
	struct nftnl_expr *e = expr_add(rb, "ct");
	uint32_t zero = 0;

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	}
	bitwise_and(rb, &bits, sizeof(bits));
	cmp(rb, NFT_CMP_NEQ, &zero, sizeof(zero));
}

/* fib daddr type local: the packet is for one of this host's addresses. */
static void match_local_daddr(struct rb *rb)
{
	struct nftnl_expr *e = expr_add(rb, "fib");
	uint32_t local = RTN_LOCAL;

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
	}
	cmp(rb, NFT_CMP_EQ, &local, sizeof(local));
}

/* dnat ip to [ip daddr .] meta l4proto . th dport map @MAP: the key is built in
 * consecutive 4-byte registers from reg 1 on; the map's value lands in reg 1
 * (address) and the next 4-byte register (port). */
static void dnat_by_map(struct rb *rb, const char *map, uint32_t map_id, bool with_daddr)
{
	uint32_t proto_reg = NFT_REG_1, port_reg = NFT_REG32_01;
	struct nftnl_expr *e;

	if (with_daddr) {
		match_ipv4(rb);
		payload(rb, NFT_PAYLOAD_NETWORK_HEADER, IP_DADDR, 4, NFT_REG_1);
		proto_reg = NFT_REG32_01;
		port_reg = NFT_REG32_02;
	}
	meta(rb, NFT_META_L4PROTO, proto_reg);
	payload(rb, NFT_PAYLOAD_TRANSPORT_HEADER, TH_DPORT, 2, port_reg);

	e = expr_add(rb, "lookup");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_1);
		if (nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, map) < 0)
			rb->failed = true;
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, map_id);
	}
	e = expr_add(rb, "nat");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG32_01);
	}
}

/* Append the finished rule to the batch; frees it in every case. */
static int rule_put(struct batch *bt, struct rb *rb, struct mr_err *err)
{
	bool failed = rb->failed;

	if (!failed) {
		struct nlmsghdr *nlh =
		    batch_msg_in(bt, (uint16_t)nftnl_rule_get_u32(rb->r, NFTNL_RULE_FAMILY),
				 NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
		nftnl_rule_nlmsg_build_payload(nlh, rb->r);
	}
	if (rb->r)
		nftnl_rule_free(rb->r);
	rb->r = NULL;
	if (failed)
		return mr_error(err, ENOMEM, "build nftables rule"), -ENOMEM;
	return batch_next(bt, err);
}

/* The DNAT pair shared by prerouting (traffic from outside) and output (the
 * host's own connections, 127.0.0.1 included). The host-IP map comes first so
 * that `-p IP:HOSTPORT:CPORT` wins over a catch-all on the same port. */
static int put_dnat_rules(struct batch *bt, const char *chain, struct mr_err *err)
{
	struct rb rb;

	rule_new(&rb, chain);
	match_local_daddr(&rb);
	dnat_by_map(&rb, MAP_IP, MAP_IP_ID, true);
	if (rule_put(bt, &rb, err) < 0)
		return -1;

	rule_new(&rb, chain);
	match_local_daddr(&rb);
	dnat_by_map(&rb, MAP_ANY, MAP_ANY_ID, false);
	return rule_put(bt, &rb, err);
}

static int put_rules(struct batch *bt, const char *bridge, struct in_addr subnet, int prefix,
		     struct mr_err *err)
{
	struct in_addr loopback = {htonl(INADDR_LOOPBACK)};
	struct rb rb;

	/* guard: with route_localnet on the bridge, a container could send packets
	 * to 127.0.0.0/8 and reach services bound to the host's loopback
	 * (CVE-2020-8558). Only lo may carry them. */
	rule_new(&rb, "guard");
	match_ifname(&rb, NFT_META_IIFNAME, NFT_CMP_NEQ, "lo");
	match_ip_prefix(&rb, IP_DADDR, loopback, 8);
	verdict(&rb, NF_DROP);
	if (rule_put(bt, &rb, err) < 0)
		return -1;

	/* prerouting/output: published ports, to whichever local address. */
	if (put_dnat_rules(bt, "prerouting", err) < 0 || put_dnat_rules(bt, "output", err) < 0)
		return -1;

	/* postrouting 1: containers going out (not to each other) leave with the
	 * host's address; the outside has no route to the bridge subnet. */
	rule_new(&rb, "postrouting");
	match_ip_prefix(&rb, IP_SADDR, subnet, prefix);
	match_ifname(&rb, NFT_META_OIFNAME, NFT_CMP_NEQ, bridge);
	masquerade(&rb);
	if (rule_put(bt, &rb, err) < 0)
		return -1;

	/* postrouting 2: `curl 127.0.0.1:PORT` on the host was DNATed to a
	 * container; a 127.0.0.1 source cannot be answered from the bridge. */
	rule_new(&rb, "postrouting");
	match_ip_prefix(&rb, IP_SADDR, loopback, 8);
	match_ifname(&rb, NFT_META_OIFNAME, NFT_CMP_EQ, bridge);
	masquerade(&rb);
	if (rule_put(bt, &rb, err) < 0)
		return -1;

	/* postrouting 3: a container reaching a published port (its own or a
	 * neighbour's) through the host address: without this the answer would go
	 * straight back over the bridge, bypassing the reverse DNAT. */
	rule_new(&rb, "postrouting");
	match_ct_bits(&rb, NFT_CT_STATUS, IPS_DST_NAT);
	match_ip_prefix(&rb, IP_SADDR, subnet, prefix);
	match_ifname(&rb, NFT_META_OIFNAME, NFT_CMP_EQ, bridge);
	masquerade(&rb);
	if (rule_put(bt, &rb, err) < 0)
		return -1;

	/* forward 1: answers to connections the containers opened. */
	rule_new(&rb, "forward");
	match_ifname(&rb, NFT_META_OIFNAME, NFT_CMP_EQ, bridge);
	match_ct_bits(&rb, NFT_CT_STATE,
		      NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED));
	verdict(&rb, NF_ACCEPT);
	if (rule_put(bt, &rb, err) < 0)
		return -1;

	/* forward 2: container to container. Bridged frames only pass this hook
	 * when br_netfilter is loaded (Docker loads it); rule 4 must not drop them. */
	rule_new(&rb, "forward");
	match_ifname(&rb, NFT_META_OIFNAME, NFT_CMP_EQ, bridge);
	match_ifname(&rb, NFT_META_IIFNAME, NFT_CMP_EQ, bridge);
	verdict(&rb, NF_ACCEPT);
	if (rule_put(bt, &rb, err) < 0)
		return -1;

	/* forward 3: new connections to published ports (DNATed in prerouting). */
	rule_new(&rb, "forward");
	match_ifname(&rb, NFT_META_OIFNAME, NFT_CMP_EQ, bridge);
	match_ct_bits(&rb, NFT_CT_STATUS, IPS_DST_NAT);
	verdict(&rb, NF_ACCEPT);
	if (rule_put(bt, &rb, err) < 0)
		return -1;

	/* forward 4: anything else towards the containers, e.g. a LAN neighbour
	 * routing straight to 10.99.0.2: only published ports are reachable. */
	rule_new(&rb, "forward");
	match_ifname(&rb, NFT_META_OIFNAME, NFT_CMP_EQ, bridge);
	verdict(&rb, NF_DROP);
	return rule_put(bt, &rb, err);
}

/* ---- bridge minirun: each container sends only from its own addresses ---- */

/* payload(base, offset, len) == data */
static void match_payload(struct rb *rb, uint32_t base, uint32_t offset, const void *data,
			  uint32_t len)
{
	payload(rb, base, offset, len, NFT_REG_1);
	cmp(rb, NFT_CMP_EQ, data, len);
}

/* iifname . MAC at link header + mac_off (or network header + mac_off for ARP)
 * . IPv4 at network header + ip_off in @allowed_src: the key's members in
 * registers 1 (16 bytes), 2 (6 of 8) and 32-bit register 6, as nft puts them. */
static void match_allowed_src(struct rb *rb, uint32_t mac_base, uint32_t mac_off, uint32_t ip_off)
{
	struct nftnl_expr *e;

	meta(rb, NFT_META_IIFNAME, NFT_REG_1);
	payload(rb, mac_base, mac_off, 6, NFT_REG_2);
	payload(rb, NFT_PAYLOAD_NETWORK_HEADER, ip_off, 4, NFT_REG32_06);
	e = expr_add(rb, "lookup");
	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	if (nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, SET_SRC) < 0)
		rb->failed = true;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, SET_SRC_ID);
}

/* Frames that enter the bridge from a container's veth (mr*): IPv4 from the
 * veth's own MAC and IP, and ARP for Ethernet/IPv4 whose sender (frame and
 * ARP header alike) is that MAC and IP, pass; anything else (another
 * container's address, another MAC, IPv6 and so router advertisements, other
 * protocols) is dropped. Frames of the host and its uplinks never match. */
/* A new rule of the bridge table's prerouting chain, for frames that enter
 * from a container's veth (iifname "mr*"). */
static void from_container(struct rb *rb)
{
	rule_new_in(rb, NFPROTO_BRIDGE, "prerouting");
	meta(rb, NFT_META_IIFNAME, NFT_REG_1);
	cmp(rb, NFT_CMP_EQ, "mr", 2);
}

static int put_bridge_rules(struct batch *bt, struct mr_err *err)
{
	static const uint8_t arp_eth_ipv4[4] = {0x00, 0x01, 0x08, 0x00}; /* htype 1, ptype ip */
	static const uint8_t arp_lens[2] = {6, 4};			 /* hlen 6, plen 4 */
	uint16_t ip = htons(0x0800), arp = htons(0x0806);
	struct rb rb;

	from_container(&rb);
	match_payload(&rb, NFT_PAYLOAD_LL_HEADER, ETH_TYPE, &ip, sizeof(ip));
	match_allowed_src(&rb, NFT_PAYLOAD_LL_HEADER, ETH_SADDR, IP_SADDR);
	verdict(&rb, NF_ACCEPT);
	if (rule_put(bt, &rb, err) < 0)
		return -1;

	from_container(&rb);
	match_payload(&rb, NFT_PAYLOAD_LL_HEADER, ETH_TYPE, &arp, sizeof(arp));
	match_payload(&rb, NFT_PAYLOAD_NETWORK_HEADER, 0, arp_eth_ipv4, sizeof(arp_eth_ipv4));
	match_payload(&rb, NFT_PAYLOAD_NETWORK_HEADER, 4, arp_lens, sizeof(arp_lens));
	match_allowed_src(&rb, NFT_PAYLOAD_LL_HEADER, ETH_SADDR, ARP_SPA);
	match_allowed_src(&rb, NFT_PAYLOAD_NETWORK_HEADER, ARP_SHA, ARP_SPA);
	verdict(&rb, NF_ACCEPT);
	if (rule_put(bt, &rb, err) < 0)
		return -1;

	from_container(&rb);
	verdict(&rb, NF_DROP);
	return rule_put(bt, &rb, err);
}

/* ---- tables, maps, chains ---- */

const char *family_name(uint32_t family)
{
	return family == NFPROTO_BRIDGE ? "bridge" : "inet";
}

static int put_table(struct batch *bt, uint32_t family, struct mr_err *err)
{
	_cleanup_(nftnl_table_freep) struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t || nftnl_table_set_str(t, NFTNL_TABLE_NAME, NFT_TABLE) < 0)
		return mr_error(err, ENOMEM, "build nftables table"), -ENOMEM;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, family);
	nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, 0);
	/* EXCL: of two runs that both found no table, the second fails here, and
	 * its whole batch with it, instead of appending a second set of rules. */
	nlh = batch_msg_in(bt, (uint16_t)family, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL);
	nftnl_table_nlmsg_build_payload(nlh, t);
	return batch_next(bt, err);
}

struct set_def {
	uint32_t family;
	const char *name;
	uint32_t id, key_type, key_len, data_type, data_len; /* data_len 0: a set */
};

static const struct set_def sets[] = {
    {NFPROTO_INET, MAP_ANY, MAP_ANY_ID, KEY_ANY_TYPE, KEY_ANY_LEN, DATA_TYPE, DATA_LEN},
    {NFPROTO_INET, MAP_IP, MAP_IP_ID, KEY_IP_TYPE, KEY_IP_LEN, DATA_TYPE, DATA_LEN},
    {NFPROTO_BRIDGE, SET_SRC, SET_SRC_ID, KEY_SRC_TYPE, KEY_SRC_LEN, 0, 0},
};

static int put_set(struct batch *bt, const struct set_def *def, struct mr_err *err)
{
	_cleanup_(nftnl_set_freep) struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;

	if (!s || nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE) < 0 ||
	    nftnl_set_set_str(s, NFTNL_SET_NAME, def->name) < 0)
		return mr_error(err, ENOMEM, "build nftables map"), -ENOMEM;
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, def->family);
	nftnl_set_set_u32(s, NFTNL_SET_ID, def->id);
	/* timeout: elements are added without one (they never expire), and
	 * retired by an update that gives them one (see nft_del.c). */
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, (def->data_len ? NFT_SET_MAP : 0) | NFT_SET_TIMEOUT);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, def->key_type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, def->key_len);
	if (def->data_len) {
		nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, def->data_type);
		nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, def->data_len);
	}
	nlh = batch_msg_in(bt, (uint16_t)def->family, NFT_MSG_NEWSET, NLM_F_CREATE);
	nftnl_set_nlmsg_build_payload(nlh, s);
	return batch_next(bt, err);
}

struct chain_def {
	uint32_t family;
	const char *name;
	const char *type;
	uint32_t hook;
	int32_t prio;
};

/* Named priorities as nft spells them: raw -300, dstnat -100, srcnat 100,
 * filter 0 (-200 in the bridge family). The output nat hook needs dstnat too,
 * so that the host's own connections to 127.0.0.1:PORT are rewritten before
 * routing. */
static const struct chain_def chains[] = {
    {NFPROTO_INET, "guard", "filter", NF_INET_PRE_ROUTING, NF_IP_PRI_RAW},
    {NFPROTO_INET, "prerouting", "nat", NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST},
    {NFPROTO_INET, "output", "nat", NF_INET_LOCAL_OUT, NF_IP_PRI_NAT_DST},
    {NFPROTO_INET, "postrouting", "nat", NF_INET_POST_ROUTING, NF_IP_PRI_NAT_SRC},
    {NFPROTO_INET, "forward", "filter", NF_INET_FORWARD, NF_IP_PRI_FILTER},
    {NFPROTO_BRIDGE, "prerouting", "filter", NF_BR_PRE_ROUTING, NF_BR_PRI_FILTER_BRIDGED},
};

static int put_chain(struct batch *bt, const struct chain_def *def, struct mr_err *err)
{
	_cleanup_(nftnl_chain_freep) struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!c || nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NFT_TABLE) < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, def->name) < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, def->type) < 0)
		return mr_error(err, ENOMEM, "build nftables chain"), -ENOMEM;
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, def->family);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, def->hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, def->prio);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nlh = batch_msg_in(bt, (uint16_t)def->family, NFT_MSG_NEWCHAIN, NLM_F_CREATE);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	return batch_next(bt, err);
}

/* One family's table, its sets and chains, then its rules. Returns 0 or -errno. */
static int put_skeleton(struct batch *bt, uint32_t family, const char *bridge,
			struct in_addr subnet, int prefix, struct mr_err *err)
{
	int r;

	if ((r = put_table(bt, family, err)) < 0)
		return r;
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		if (sets[i].family == family && (r = put_set(bt, &sets[i], err)) < 0)
			return r;
	for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++)
		if (chains[i].family == family && (r = put_chain(bt, &chains[i], err)) < 0)
			return r;
	r = family == NFPROTO_BRIDGE ? put_bridge_rules(bt, err)
				     : put_rules(bt, bridge, subnet, prefix, err);
	if (r < 0)
		return err->errnum ? -err->errnum : -EINVAL;
	return 0;
}

/* 1 if the table exists, 0 if not, -errno on error. */
static int table_exists(struct nl *nl, uint32_t family, struct mr_err *err)
{
	char buf[NL_BUFSZ] = {0}; /* padding goes out as is */
	struct nlmsghdr *nlh;
	int r;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, (uint16_t)family, NLM_F_ACK, nl->seq++);
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, NFT_TABLE);
	r = nl_talk(nl, nlh, NULL, NULL, err);
	if (r == -ENOENT) {
		mr_error_clear(err);
		return 0;
	}
	if (r < 0)
		mr_error_wrap(err, "look for nftables table %s %s", family_name(family), NFT_TABLE);
	return r < 0 ? r : 1;
}

int nft_ensure(struct nl *nl, const char *bridge, struct in_addr subnet, int prefix,
	       struct mr_err *err)
{
	static const uint32_t families[] = {NFPROTO_INET, NFPROTO_BRIDGE};

	if (!bridge || !*bridge || strlen(bridge) >= IFNAMSIZ)
		return mr_error(err, EINVAL, "nftables: bad bridge name"), -EINVAL;
	if (prefix < 1 || prefix > 32)
		return mr_error(err, EINVAL, "nftables: bad subnet prefix /%d", prefix), -EINVAL;

	/* Each missing table with all it holds, both in one batch: all or
	 * nothing. A table message refused with EEXIST means a concurrent run
	 * made that table first; look again and make what is still missing. */
	for (int attempt = 0; attempt < 3; attempt++) {
		_cleanup_(batch_freep) struct batch bt = {0};
		size_t table_msg[2] = {SIZE_MAX, SIZE_MAX}, failed = SIZE_MAX;
		int missing[2], r;

		for (size_t i = 0; i < 2; i++) {
			if ((r = table_exists(nl, families[i], err)) < 0)
				return r;
			missing[i] = r == 0;
		}
		if (!missing[0] && !missing[1])
			return 0;
		if ((r = batch_start(&bt, nl, 32768, err)) < 0)
			return r;
		for (size_t i = 0; i < 2; i++) {
			if (!missing[i])
				continue;
			table_msg[i] = bt.count;
			if ((r = put_skeleton(&bt, families[i], bridge, subnet, prefix, err)) < 0)
				return r;
		}
		nft_explain_tables(missing[0], missing[1], bridge, subnet, prefix);
		r = batch_send(&bt, &failed, err);
		if (r == -EEXIST && (failed == table_msg[0] || failed == table_msg[1])) {
			mr_error_clear(err);
			continue;
		}
		if (r < 0)
			return mr_error_wrap(err, "create nftables tables %s", NFT_TABLE), r;
		return 1;
	}
	return mr_error(err, EEXIST, "create nftables tables %s: made and gone again", NFT_TABLE),
	       -EEXIST;
}

int nft_tables_exist(struct nl *nl, struct mr_err *err)
{
	int r = table_exists(nl, NFPROTO_INET, err);

	return r <= 0 ? r : table_exists(nl, NFPROTO_BRIDGE, err);
}

/* ---- port-map elements ---- */

static bool on_any_address(const struct nft_port *p)
{
	return p->host_ip.s_addr == htonl(INADDR_ANY);
}

/* The key as the kernel stores a concatenation: each member in its own
 * 4-byte slot, network order, zero padded. Returns its length. */
static uint32_t elem_key(const struct nft_port *p, uint8_t key[KEY_IP_LEN])
{
	uint16_t port = htons(p->host_port);
	uint32_t off = 0;

	memset(key, 0, KEY_IP_LEN);
	if (!on_any_address(p)) {
		memcpy(key, &p->host_ip, 4);
		off = 4;
	}
	key[off] = p->proto;
	memcpy(key + off + 4, &port, sizeof(port));
	return off + 8;
}

static void elem_data(const struct nft_port *p, uint8_t data[DATA_LEN])
{
	uint16_t port = htons(p->cont_port);

	memset(data, 0, DATA_LEN);
	memcpy(data, &p->cont_ip, 4);
	memcpy(data + 4, &port, sizeof(port));
}

/* "0.0.0.0:8080->10.99.0.2:80/tcp" for messages. */
const char *port_str(const struct nft_port *p, char *buf, size_t len)
{
	char host[INET_ADDRSTRLEN], cont[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &p->host_ip, host, sizeof(host));
	inet_ntop(AF_INET, &p->cont_ip, cont, sizeof(cont));
	snprintf(buf, len, "%s:%u->%s:%u/%s", host, p->host_port, cont, p->cont_port,
		 p->proto == IPPROTO_UDP ? "udp" : "tcp");
	return buf;
}

/* Messages split ports into runs that go to the same map, at most
 * ELEMS_PER_MSG long. Returns the end of the run starting at from. */
size_t run_end(const struct nft_port *ports, size_t n, size_t from)
{
	size_t to = from + 1;

	while (to < n && to - from < ELEMS_PER_MSG &&
	       on_any_address(&ports[to]) == on_any_address(&ports[from]))
		to++;
	return to;
}

/* `timeout 1s expires 1ms` (in ms, as the kernel takes them): the element
 * expires now; the timeout only has to be there for an expiration. */
static void elem_retire(struct nftnl_set_elem *e)
{
	nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT, 1000);
	nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_EXPIRATION, 1);
}

static uint16_t msg_type(uint16_t type)
{
	return type == MSG_EXPIRESETELEM ? NFT_MSG_NEWSETELEM : type;
}

int put_elems(struct batch *bt, uint16_t type, uint16_t flags, const struct nft_port *ports,
	      size_t from, size_t to, struct mr_err *err)
{
	_cleanup_(nftnl_set_freep) struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;

	if (!s || nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE) < 0 ||
	    nftnl_set_set_str(s, NFTNL_SET_NAME, on_any_address(&ports[from]) ? MAP_ANY : MAP_IP) <
		0)
		return mr_error(err, ENOMEM, "build nftables map elements"), -ENOMEM;
	for (size_t i = from; i < to; i++) {
		struct nftnl_set_elem *e = nftnl_set_elem_alloc();
		uint8_t key[KEY_IP_LEN], data[DATA_LEN];
		uint32_t key_len = elem_key(&ports[i], key);

		if (!e)
			return mr_error(err, ENOMEM, "build nftables map elements"), -ENOMEM;
		nftnl_set_elem_add(s, e); /* the set owns it now */
		if (nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, key_len) < 0)
			return mr_error(err, EINVAL, "build nftables map elements"), -EINVAL;
		/* an update carries the data too: the kernel refuses other data */
		if (msg_type(type) == NFT_MSG_NEWSETELEM) {
			elem_data(&ports[i], data);
			if (nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, data, DATA_LEN) < 0)
				return mr_error(err, EINVAL, "build nftables map elements"),
				       -EINVAL;
		}
		if (type == MSG_EXPIRESETELEM)
			elem_retire(e);
	}
	nlh = batch_msg(bt, msg_type(type), flags);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	return batch_next(bt, err);
}

int src_elem_make(struct src_elem *se, const char *veth, const unsigned char mac[6],
		  struct in_addr ip, struct mr_err *err)
{
	if (!veth || !*veth || strlen(veth) >= IFNAMSIZ || ip.s_addr == htonl(INADDR_ANY))
		return mr_error(err, EINVAL, "nftables: bad container source %s",
				veth ? veth : "(none)"),
		       -EINVAL;
	se->veth = veth;
	memset(se->key, 0, sizeof(se->key));
	memcpy(se->key, veth, strlen(veth));
	memcpy(se->key + IFNAMSIZ, mac, 6);
	memcpy(se->key + IFNAMSIZ + 8, &ip, 4);
	return 0;
}

int put_src_elem(struct batch *bt, uint16_t type, uint16_t flags, const struct src_elem *se,
		 struct mr_err *err)
{
	_cleanup_(nftnl_set_freep) struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	struct nlmsghdr *nlh;

	if (!s || !e) {
		if (e)
			nftnl_set_elem_free(e);
		return mr_error(err, ENOMEM, "build nftables set element"), -ENOMEM;
	}
	nftnl_set_elem_add(s, e); /* the set owns it now */
	if (nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE) < 0 ||
	    nftnl_set_set_str(s, NFTNL_SET_NAME, SET_SRC) < 0 ||
	    nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, se->key, KEY_SRC_LEN) < 0)
		return mr_error(err, ENOMEM, "build nftables set element"), -ENOMEM;
	if (type == MSG_EXPIRESETELEM)
		elem_retire(e);
	nlh = batch_msg_in(bt, NFPROTO_BRIDGE, msg_type(type), flags);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	return batch_next(bt, err);
}

/* One batch that adds or deletes src's element (if src) and all of ports. On
 * failure [*bad_from, *bad_to) are the ports of the refused message ([0, n)
 * when unknown; *bad_from is SIZE_MAX when it was src's). */
int send_elems(struct nl *nl, uint16_t type, uint16_t flags, const struct src_elem *src,
	       const struct nft_port *ports, size_t n, size_t *bad_from, size_t *bad_to,
	       struct mr_err *err)
{
	_cleanup_(batch_freep) struct batch bt = {0};
	size_t msgs = (n + ELEMS_PER_MSG - 1) / ELEMS_PER_MSG + 3; /* + map changes, src */
	size_t failed = SIZE_MAX, k = src ? 1 : 0, from, to;
	int r;

	*bad_from = 0;
	*bad_to = n;
	/* About 40 bytes an element, about 60 a message header: generous bounds.
	 * The source element is no duplicate of anyone's (its veth is the
	 * container's own): no EXCL, adding it again is fine. */
	r = batch_start(&bt, nl, 4096 + n * 64 + msgs * 128, err);
	if (r == 0 && src)
		r = put_src_elem(&bt, type, flags & ~NLM_F_EXCL, src, err);
	for (from = 0; r == 0 && from < n; from = to) {
		to = run_end(ports, n, from);
		r = put_elems(&bt, type, flags, ports, from, to, err);
	}
	if (r < 0)
		return r;
	r = batch_send(&bt, &failed, err);
	if (r < 0 && src && failed == 0) {
		*bad_from = SIZE_MAX;
		return r;
	}
	for (from = 0; r < 0 && failed != SIZE_MAX && from < n; from = to, k++) {
		to = run_end(ports, n, from);
		if (k == failed) {
			*bad_from = from;
			*bad_to = to;
			break;
		}
	}
	return r;
}

/* Our elements never expire; one that carries an expiration was retired
 * (nft_del.c). */
static int elem_state_cb(const struct nlmsghdr *nlh, void *data)
{
	_cleanup_(nftnl_set_freep) struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *e;
	int *state = data;

	if (!s || nftnl_set_elems_nlmsg_parse(nlh, s) < 0)
		return MNL_CB_ERROR;
	it = nftnl_set_elems_iter_create(s);
	if (!it)
		return MNL_CB_ERROR;
	for (e = nftnl_set_elems_iter_next(it); e; e = nftnl_set_elems_iter_next(it))
		if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_EXPIRATION))
			*state = ELEM_RETIRED;
	nftnl_set_elems_iter_destroy(it);
	return MNL_CB_OK;
}

/* Whether the map holds p's key (ELEM_LIVE or ELEM_RETIRED), 0 if not (or no
 * such map or table), -errno if the kernel would not say. A read-only
 * request, no transaction. */
int elem_exists(struct nl *nl, const struct nft_port *p)
{
	_cleanup_(nftnl_set_freep) struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	struct mr_err scratch = {0};
	uint8_t key[KEY_IP_LEN];
	char buf[NL_BUFSZ] = {0}; /* padding goes out as is */
	struct nlmsghdr *nlh;
	int r;

	if (!s || !e) {
		if (e)
			nftnl_set_elem_free(e);
		return -ENOMEM;
	}
	nftnl_set_elem_add(s, e);
	if (nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE) < 0 ||
	    nftnl_set_set_str(s, NFTNL_SET_NAME, on_any_address(p) ? MAP_ANY : MAP_IP) < 0 ||
	    nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, elem_key(p, key)) < 0)
		return -ENOMEM;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_INET, NLM_F_ACK, nl->seq++);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	int state = ELEM_LIVE;
	r = nl_talk(nl, nlh, elem_state_cb, &state, &scratch);
	mr_error_clear(&scratch);
	if (r == -ENOENT)
		return 0;
	return r < 0 ? r : state;
}

int check_ports(const struct nft_port *ports, size_t n, struct mr_err *err)
{
	for (size_t i = 0; i < n; i++) {
		const struct nft_port *p = &ports[i];
		char desc[96];

		if ((p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP) || !p->host_port ||
		    !p->cont_port || p->cont_ip.s_addr == htonl(INADDR_ANY))
			return mr_error(err, EINVAL, "nftables: bad published port %s",
					port_str(p, desc, sizeof(desc))),
			       -EINVAL;
	}
	return 0;
}

/* After EEXIST for ports [*from, *to) (a message holds up to 64): narrow
 * them to the live element in the way, to name it. False when there is
 * none: what clashed was retired (gone at the kernel's next tick, or gone
 * already), and sending again then succeeds. */
static bool clash_is_live(struct nl *nl, const struct nft_port *ports, size_t *from, size_t *to)
{
	for (size_t i = *from; i < *to; i++)
		if (elem_exists(nl, &ports[i]) == ELEM_LIVE) {
			*from = i;
			*to = i + 1;
			return true;
		}
	return false;
}

/* Until the retired elements among ports [from, to) are gone: at most one
 * tick (1-10 ms by the kernel's HZ). Each look costs microseconds; 50 of
 * them 1 ms apart is more than any tick. */
static void wait_retired(struct nl *nl, const struct nft_port *ports, size_t from, size_t to)
{
	for (int tries = 0; tries < 50; tries++) {
		bool left = false;
		for (size_t i = from; i < to && !left; i++)
			left = elem_exists(nl, &ports[i]) == ELEM_RETIRED;
		if (!left)
			return;
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	}
}

static int add_elems(struct nl *nl, const struct src_elem *src, const struct nft_port *ports,
		     size_t n, bool excl, struct mr_err *err)
{
	size_t from, to;
	char desc[96];
	int r;

	if (n == 0 && !src)
		return 0;
	if ((r = check_ports(ports, n, err)) < 0)
		return r;
	/* EXCL: a port someone else published already fails the whole batch.
	 * Without it, an element that is there with the same data is fine and
	 * one with other data still fails. */
	uint16_t flags = NLM_F_CREATE | (excl ? NLM_F_EXCL : 0);
	r = send_elems(nl, NFT_MSG_NEWSETELEM, flags, src, ports, n, &from, &to, err);
	if (r == -EEXIST && from != SIZE_MAX && !clash_is_live(nl, ports, &from, &to)) {
		/* A port taken back from a dead or removed container a moment
		 * ago: its element lasts until the kernel's next tick. */
		wait_retired(nl, ports, from, to);
		mr_error_clear(err);
		r = send_elems(nl, NFT_MSG_NEWSETELEM, flags, src, ports, n, &from, &to, err);
		if (r == -EEXIST && from != SIZE_MAX)
			clash_is_live(nl, ports, &from, &to);
	}
	if (r == 0)
		return 0;
	if (from == SIZE_MAX) {
		mr_error_wrap(err, "allow %s's own addresses", src->veth);
		return r;
	}
	if (to - from == 1)
		mr_error_wrap(err, "publish %s", port_str(&ports[from], desc, sizeof(desc)));
	else
		mr_error_wrap(err, "publish %s and %zu more",
			      port_str(&ports[from], desc, sizeof(desc)), to - from - 1);
	return r;
}

int nft_add_ports(struct nl *nl, const struct nft_port *ports, size_t n, struct mr_err *err)
{
	nft_explain_elems(NULL, NULL, (struct in_addr){0}, ports, n, true);
	return add_elems(nl, NULL, ports, n, true, err);
}

static int add_container(struct nl *nl, const char *veth, const unsigned char mac[6],
			 struct in_addr ip, const struct nft_port *ports, size_t n, bool excl,
			 struct mr_err *err)
{
	struct src_elem src;
	int r;

	if ((r = src_elem_make(&src, veth, mac, ip, err)) < 0)
		return r;
	nft_explain_elems(veth, mac, ip, ports, n, excl);
	return add_elems(nl, &src, ports, n, excl, err);
}

int nft_add_container(struct nl *nl, const char *veth, const unsigned char mac[6],
		      struct in_addr ip, const struct nft_port *ports, size_t n, struct mr_err *err)
{
	return add_container(nl, veth, mac, ip, ports, n, true, err);
}

int nft_readd_container(struct nl *nl, const char *veth, const unsigned char mac[6],
			struct in_addr ip, const struct nft_port *ports, size_t n,
			struct mr_err *err)
{
	return add_container(nl, veth, mac, ip, ports, n, false, err);
}
