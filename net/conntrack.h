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
 * original direction has protocol proto and a destination port among
 * ports[0..n) (host order), in one dump. Entries that vanish meanwhile are
 * not an error. Returns the count deleted, or -1 with err set. */
int conntrack_flush_ports(struct nl *nl, uint8_t proto, const uint16_t *ports, size_t n,
			  struct mr_err *err);
