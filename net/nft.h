/* nft.h - minirun's own nftables tables, `inet minirun` (NAT, published
 * ports) and `bridge minirun` (containers send only from their own MAC and
 * IP), built with libnftnl. The rules are fixed (made once); containers only
 * add and remove elements of the port maps and of the source set, so the
 * number of rules does not grow with containers. Every change is one batch,
 * every message's ACK is checked. */
#pragma once

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "nl.h"

#define NFT_TABLE "minirun"
#define NFT_MAP_ANY "ports_any"	  /* inet: proto . port -> cont_ip . cont_port */
#define NFT_MAP_IP "ports_ip"	  /* inet: host_ip . proto . port -> cont_ip . cont_port */
#define NFT_SET_SRC "allowed_src" /* bridge: ifname . ether_addr . ipv4_addr */

/* One published port, after range expansion and host-port choice. */
struct nft_port {
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	struct in_addr host_ip; /* INADDR_ANY = any local address of the host */
	uint16_t host_port;
	struct in_addr cont_ip;
	uint16_t cont_port;
};

/* nl: a NETLINK_NETFILTER socket (nl_open(..., NETLINK_NETFILTER, ...)).
 * Make each table that is missing with its sets, chains and rules (in one
 * batch; a concurrent run that made them first is fine). subnet is in
 * network order. Returns 1 when this call made a table (after a first run,
 * or after someone flushed the ruleset: elements are then missing), 0 when
 * both were there, or -errno. */
int nft_ensure(struct nl *nl, const char *bridge, struct in_addr subnet, int prefix,
	       struct mr_err *err);
/* Are both tables there? 1 yes, 0 no, or -errno. */
int nft_tables_exist(struct nl *nl, struct mr_err *err);
/* Add the DNAT map elements of one container, all in one batch. An element
 * that exists already fails the batch (-EEXIST) and nothing is added. */
int nft_add_ports(struct nl *nl, const struct nft_port *ports, size_t n, struct mr_err *err);
/* Remove them; elements (or a table) already gone are not an error. */
int nft_del_ports(struct nl *nl, const struct nft_port *ports, size_t n, struct mr_err *err);
/* A container's elements in one batch: veth . mac . ip in the bridge table's
 * @allowed_src (the only source its veth may send from) and its ports as
 * nft_add_ports(). */
int nft_add_container(struct nl *nl, const char *veth, const unsigned char mac[6],
		      struct in_addr ip, const struct nft_port *ports, size_t n,
		      struct mr_err *err);
/* The same, where this container's elements may be there already (put back
 * by a run that restored the tables after a flush): identical elements are
 * fine; a key that maps elsewhere still fails with -EEXIST. */
int nft_readd_container(struct nl *nl, const char *veth, const unsigned char mac[6],
			struct in_addr ip, const struct nft_port *ports, size_t n,
			struct mr_err *err);
/* Remove them; anything already gone is not an error. */
int nft_del_container(struct nl *nl, const char *veth, const unsigned char mac[6],
		      struct in_addr ip, const struct nft_port *ports, size_t n,
		      struct mr_err *err);
/* One container's elements, for nft_del_many(). */
struct nft_container {
	const char *veth;
	unsigned char mac[6];
	struct in_addr ip;
	const struct nft_port *ports;
	size_t n_ports;
};
/* Remove the elements of many containers in one batch: one transaction, so
 * the kernel's wait for an RCU grace period after a deletion is paid once
 * for all of them. Elements already gone are fine (Linux 6.3's "destroy");
 * on -errno (an older kernel, a table gone) this batch removed nothing, and
 * nft_del_container() one by one still can. */
int nft_del_many(struct nl *nl, const struct nft_container *cs, size_t n, struct mr_err *err);
/* Remove both tables (tests and `minirun gc` when nothing runs); gone = ok. */
int nft_delete_table(struct nl *nl, struct mr_err *err);
