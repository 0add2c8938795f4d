/* foreign.h - living beside other firewalls. A drop in any base chain is
 * final, whatever our own table accepts, so a foreign forward chain with policy
 * drop (iptables-nft's `table ip filter` once Docker runs) would cut mini0 off.
 * minirun never changes another table's policy: where the owner offers a place
 * for others' rules (Docker's DOCKER-USER chain) it puts its rules there, and
 * elsewhere it changes nothing and says what blocks. */
#pragma once

#include <stdbool.h>

#include "../common/err.h"
#include "nl.h"

/* The comment (rule userdata, shown by iptables as `-m comment --comment`)
 * that marks minirun's rules in a foreign chain. */
#define FOREIGN_TAG "minirun"

/* nl: a NETLINK_NETFILTER socket. Look at every ip and inet base chain hooked
 * at forward. If a chain drops by policy and it is the FORWARD chain of table
 * ip filter while that table has a DOCKER-USER chain, make sure DOCKER-USER
 * starts with minirun's four rules (inserted at its top in one batch, only those
 * missing, never twice, even with concurrent runs):
 *
 *   -i BRIDGE -o docker0 -m comment --comment minirun -j RETURN
 *   -i BRIDGE -o br-+ -m comment --comment minirun -j RETURN
 *   -i BRIDGE -m comment --comment minirun -j ACCEPT
 *   -o BRIDGE -m conntrack --ctstate RELATED,ESTABLISHED,DNAT
 *             -m comment --comment minirun -j ACCEPT
 *
 * built from the same expressions iptables-nft uses for these matches (the
 * comment is nft's own rule comment, which iptables 1.8.9 reads back as
 * `-m comment`), so that iptables (and so Docker) can still read the table.
 * The second rule is deliberately not a plain `-o BRIDGE -j ACCEPT`: answers and published ports
 * only, so a LAN neighbour routing straight to a container's address still meets Docker's policy
 * drop as well as our own forward chain (issue 5). The RETURNs leave traffic towards Docker's own
 * bridges to Docker's rules (published ports only), so Docker's isolation holds for minirun's
 * containers too.
 *
 * Any other dropping chain is left alone: unless one of its table's rules
 * already names BRIDGE as input interface, *warning gets a malloc'd sentence
 * naming it (the caller prints it, frees it). *warning is NULL when there is
 * nothing to say. Returns 0, or -errno with err filled.
 *
 * The rules are never removed: they accept only what enters or leaves through
 * BRIDGE, match nothing while BRIDGE does not exist, and the second one is no
 * wider than what our own forward chain lets reach the containers anyway. */
int foreign_allow_bridge(struct nl *nl, const char *bridge, char **warning, struct mr_err *err);

/* What foreign_check() saw of Docker's firewall. */
struct foreign_docker {
	bool hop;     /* its FORWARD drops and jumps to DOCKER-USER: mini0's
		       * forwarded packets pass there too (`minirun net explain`) */
	bool missing; /* DOCKER-USER lacks minirun's rules (the next run adds them) */
};

/* The same look, changing nothing (`minirun doctor`, `minirun net explain`):
 * *warning as above, and *docker (may be NULL) filled. */
int foreign_check(struct nl *nl, const char *bridge, char **warning, struct foreign_docker *docker,
		  struct mr_err *err);
