/* link.h - rtnetlink links: the bridge, veth pairs, up/down, off a bridge. */
#pragma once

#include <net/if.h>
#include <stdbool.h>

#include "../common/err.h"
#include "nl.h"

struct link_info {
	int index;
	unsigned int mtu, flags; /* flags: IFF_UP, ... */
	char kind[16];		 /* "bridge", "veth", ... ; "" for none */
	char name[IF_NAMESIZE];
};

/* 0 and *li filled, or -ENODEV (err untouched) when there is no such link. */
int link_get(struct nl *nl, const char *name, struct link_info *li, struct mr_err *err);
/* Make a bridge, up, with this MTU. -EEXIST when it exists already. */
int link_add_bridge(struct nl *nl, const char *name, unsigned int mtu, struct mr_err *err);
int link_set_up(struct nl *nl, const struct link_info *li, struct mr_err *err);
/* One request: veth host_name (enslaved to bridge master, down until
 * link_set_port_up) whose peer is born in netns_fd as peer_name with MAC
 * mac (6 bytes); *host_end filled. netns_name: what --explain calls that
 * namespace. */
int link_add_veth(struct nl *nl, const char *host_name, const struct link_info *master,
		  unsigned int mtu, const char *peer_name, int netns_fd, const char *netns_name,
		  const unsigned char *mac, struct link_info *host_end, struct mr_err *err);
/* One request: a bridge port up, in hairpin mode (it may send frames back where they came from: a
 * container reaching its own published port through the host). */
int link_set_port_up(struct nl *nl, const struct link_info *li, struct mr_err *err);
/* Take a link off its bridge (`nomaster`) and down, without deleting it;
 * a link already gone is success. */
int link_retire(struct nl *nl, const char *name, struct mr_err *err);
