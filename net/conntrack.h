/* conntrack.h - forgetting stale conntrack entries through ctnetlink (libmnl),
 * so a UDP "connection" made before a port was (un)published does not keep
 * sending packets to the old place. */
#pragma once

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "nl.h"

/* nl: a NETLINK_NETFILTER socket. Delete every IPv4 conntrack entry whose
 * original direction has protocol proto and destination port port (host
 * order). Entries that vanish meanwhile are not an error. Returns the count
 * deleted, or -1 with err set. */
int conntrack_flush_port(struct nl *nl, uint8_t proto, uint16_t port, struct mr_err *err);
/* The same for every port of ports[0..n) (host order), in one dump. */
int conntrack_flush_ports(struct nl *nl, uint8_t proto, const uint16_t *ports, size_t n,
			  struct mr_err *err);
