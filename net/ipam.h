/* ipam.h - address and host-port leases of the bridge network, one file per
 * lease under ROOT/ipam/ (see ipam.c for the layout), changed only under
 * flock on ROOT/ipam.lock. Each lease names its container id and the process
 * that owns it (pid + start time), so leases of owners that are gone can be
 * taken back. Addresses are handed out in turn after the last one given, so a
 * freed address is not reused at once (stale ARP and conntrack entries), and
 * so finding a free one does not look at the leases before it. Nothing a
 * start does reads every lease: a lease is found by its address, a held port
 * by its claim file. */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../common/err.h"
#include "nft.h"

struct ipam;

/* Lock and open ROOT/ipam/ (made if missing; an ipam.json of an older
 * minirun is migrated into it once). */
int ipam_open(int rootfd, struct ipam **out, struct mr_err *err);
/* Write the network file (if changed) and unlock; ip is freed either way.
 * Leases and releases are written as they are made. */
int ipam_commit(struct ipam *ip, struct mr_err *err);
void ipam_close(struct ipam *ip); /* unlock without writing the network file */

bool ipam_get_subnet(const struct ipam *ip, struct in_addr *subnet, int *prefix);
int ipam_set_subnet(struct ipam *ip, struct in_addr subnet, int prefix, struct mr_err *err);

/* Lease an address to id (want.s_addr != 0: exactly that one). */
int ipam_lease(struct ipam *ip, const char *id, struct in_addr want, pid_t owner,
	       unsigned long long owner_start, struct in_addr *out, struct mr_err *err);
/* Is proto/host_ip/port held by a lease? (INADDR_ANY overlaps every address.) */
bool ipam_port_taken(const struct ipam *ip, uint8_t proto, struct in_addr host_ip, uint16_t port);
/* Record the published ports of id's lease at addr. */
int ipam_add_ports(struct ipam *ip, const char *id, struct in_addr addr,
		   const struct nft_port *ports, size_t n, struct mr_err *err);
/* Does id hold the lease of addr? */
bool ipam_holds(const struct ipam *ip, const char *id, struct in_addr addr);
/* Drop id's lease of addr (and its port claims); none = fine. */
void ipam_release(struct ipam *ip, const char *id, struct in_addr addr);

#define IPAM_ID_MAX 64
/* One lease, as its file holds it. */
struct ipam_lease {
	char id[IPAM_ID_MAX + 1];
	struct in_addr ip;
	pid_t owner;
	unsigned long long owner_start;
	struct nft_port *ports; /* cont_ip filled */
	size_t n_ports;
};
/* A lease file's text (the lease of addr) into *l (l->ports allocated: free
 * them with ipam_lease_free); -1 with err ("NAME: corrupt: ...") if it is
 * not one. And back into text (malloc'd; NULL: no memory). */
int ipam_lease_parse(const char *text, const char *name, struct in_addr addr, struct ipam_lease *l,
		     struct mr_err *err);
char *ipam_lease_format(const struct ipam_lease *l);
void ipam_lease_free(struct ipam_lease *l);

/* Call cb for every lease; stops at the first cb < 0 and returns it. A
 * corrupt lease file is an error (-1, err names it). */
int ipam_foreach(const struct ipam *ip, int (*cb)(const struct ipam_lease *, void *), void *data,
		 struct mr_err *err);
/* The same for at most max leases, in turn: each call looks at the next
 * max * IPAM_PROBES addresses of the subnet (at most all of them once)
 * after the one where the last call stopped (kept in the network file as
 * "checked"), wrapping around, and stops after max leases; so a bounded
 * check on every start still reaches every lease. cb must not add or drop
 * leases. */
#define IPAM_PROBES 8
int ipam_foreach_some(struct ipam *ip, size_t max, int (*cb)(const struct ipam_lease *, void *),
		      void *data, struct mr_err *err);

/* Number of leases (for tests). */
size_t ipam_count(const struct ipam *ip);
