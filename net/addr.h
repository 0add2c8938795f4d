/* addr.h - IPv4 addresses and routes over rtnetlink. */
#pragma once

#include <netinet/in.h>

#include "../common/err.h"
#include "link.h"
#include "nl.h"

struct addr4 {
	struct in_addr addr;
	int prefix;
};

/* Add addr/prefix to link li; already there = success. */
int addr_add(struct nl *nl, const struct link_info *li, struct in_addr addr, int prefix,
	     struct mr_err *err);
/* The IPv4 addresses of link index (up to max); returns the count. */
int addr_list(struct nl *nl, int index, struct addr4 *out, int max, struct mr_err *err);
/* Default route via gw on link li. */
int route_add_default(struct nl *nl, const struct link_info *li, struct in_addr gw,
		      struct mr_err *err);

struct route4 {
	struct in_addr dst;
	int prefix;
	int oif;
};
/* Routes of the main table (up to max); returns the count. */
int route_list(struct nl *nl, struct route4 *out, int max, struct mr_err *err);
