/* ipam.h - address and host-port leases of the bridge network, kept in
 * ROOT/ipam.json (jansson), changed only under flock on ROOT/ipam.lock and
 * written atomically. Each lease names its container id and the process that
 * owns it (pid + start time), so leases of owners that are gone can be taken
 * back. Addresses are handed out in turn after the last one given, so a freed
 * address is not reused at once (stale ARP and conntrack entries), and so
 * finding a free one does not look at the leases before it. */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../common/err.h"
#include "nft.h"

struct ipam;

/* Lock and load (or start empty). */
int ipam_open(int rootfd, struct ipam **out, struct mr_err *err);
/* Write (if changed) and unlock; ipam is freed either way. */
int ipam_commit(struct ipam *ip, struct mr_err *err);
void ipam_close(struct ipam *ip); /* unlock without writing */

/* In-memory form, for unit tests: no file, no lock. */
struct ipam *ipam_from_string(const char *json, struct mr_err *err);
char *ipam_to_string(const struct ipam *ip);

bool ipam_get_subnet(const struct ipam *ip, struct in_addr *subnet, int *prefix);
int ipam_set_subnet(struct ipam *ip, struct in_addr subnet, int prefix, struct mr_err *err);

/* Lease an address to id (want.s_addr != 0: exactly that one). */
int ipam_lease(struct ipam *ip, const char *id, struct in_addr want, pid_t owner,
	       unsigned long long owner_start, struct in_addr *out, struct mr_err *err);
/* Is proto/host_ip/port held by a lease? (INADDR_ANY overlaps every address.) */
bool ipam_port_taken(const struct ipam *ip, uint8_t proto, struct in_addr host_ip, uint16_t port);
/* Record id's published ports (cont_ip is filled from the lease). */
int ipam_add_ports(struct ipam *ip, const char *id, const struct nft_port *ports, size_t n,
		   struct mr_err *err);
/* Does id hold a lease? */
bool ipam_holds(const struct ipam *ip, const char *id);
/* Drop id's lease; none = fine. */
void ipam_release(struct ipam *ip, const char *id);
/* Drop every lease whose owner is not alive(owner, start); their ports are
 * appended to *stale / *n_stale (so their map elements can be removed). */
int ipam_reclaim(struct ipam *ip, bool (*alive)(pid_t, unsigned long long), struct nft_port **stale,
		 size_t *n_stale);
/* One lease, as ipam_foreach shows it (valid during the callback). */
struct ipam_lease {
	const char *id;
	struct in_addr ip;
	pid_t owner;
	unsigned long long owner_start;
	const struct nft_port *ports; /* cont_ip filled */
	size_t n_ports;
};
/* Call cb for every lease; stops at the first cb < 0 and returns it. */
int ipam_foreach(const struct ipam *ip, int (*cb)(const struct ipam_lease *, void *), void *data);
/* The same for at most max leases, in turn: each call goes on in address
 * order after the lease where the last one stopped (kept in the file as
 * "checked"), wrapping around; so a bounded check on every start still
 * reaches every lease. max >= the number of leases: all of them. cb must
 * not add or drop leases. */
int ipam_foreach_some(struct ipam *ip, size_t max, int (*cb)(const struct ipam_lease *, void *),
		      void *data);

/* Number of leases (for tests and `network show`). */
size_t ipam_count(const struct ipam *ip);
