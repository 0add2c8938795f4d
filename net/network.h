/* network.h - a container's network, by mode: what is reserved before the
 * container exists (address, host ports), what is built once it does (links,
 * addresses, routes, map elements), and the one idempotent way to undo both. */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../common/err.h"
#include "nft.h"
#include "portmap.h"

enum net_mode { NET_BRIDGE, NET_HOST, NET_NONE };

#define NET_BRIDGE_NAME "mini0"

/* What a container's network is; saved in its state.json. */
struct net_state {
	enum net_mode mode;
	struct in_addr ip, gateway, subnet; /* bridge mode only */
	int prefix;
	char mac[18];  /* "02:42:0a:63:00:02", derived from ip as Docker does */
	char veth[16]; /* host end, "mr" + 12 hex of the id */
	struct nft_port *ports;
	size_t n_ports;
};

const char *net_mode_name(enum net_mode m);
int net_mode_parse(const char *s, enum net_mode *m);

/* Bridge mode: under the IPAM lock in root, lease an address (want.s_addr
 * != 0 asks for that one) and host ports for id (host port 0 = pick one).
 * Leases of owners that are gone are reclaimed first. Nothing is built yet. */
int net_reserve(int rootfd, const char *id, enum net_mode mode, struct in_addr want,
		const struct port_map *req, size_t n_req, struct net_state *st, struct mr_err *err);

/* Build what net_reserve planned: bridge, veth with its peer as eth0 in
 * netns_fd, eth0's address and route, lo up (every mode but host), and the
 * published ports' map elements. */
int net_attach(int rootfd, const char *id, struct net_state *st, int netns_fd, struct mr_err *err);
/* --explain: how a learner names the container's network namespace (of
 * pid) for the by-hand commands that net_attach() prints. */
void net_explain_netns(const char *id, pid_t pid);
/* Make minirun's nftables tables if they are missing and, if they were (the
 * ruleset was flushed), put back the elements of every running container but
 * skip (may be NULL). nl: a NETLINK_NETFILTER socket. Returns 1 if tables
 * were made, 0 if not, -1 with err. */
int net_restore(int rootfd, struct nl *nl, const char *skip, struct mr_err *err);

/* Take back the leases (and their map elements) of owners that are gone;
 * *count says how many. */
int net_reclaim(int rootfd, size_t *count, struct mr_err *err);

/* Undo net_attach and net_reserve from st alone; anything already gone is fine. */
void net_release(int rootfd, const char *id, struct net_state *st);

/* The same for many containers whose owners are gone (rm -f, gc), at once:
 * one IPAM lock, one nftables batch, one wait of the kernel's. What goes is
 * what their leases record; a lease whose owner is alive is left to it. */
int net_release_many(int rootfd, char *const *ids, size_t n, struct mr_err *err);

void net_state_free(struct net_state *st);
