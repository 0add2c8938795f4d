/* nft_elems.h - the element builders of nft.c that its deletion side,
 * nft_del.c, shares: keys of the port maps and of @allowed_src, messages of
 * them in a batch, and one batch of one container's elements. Internal to
 * net/nft*.c; everyone else uses nft.h. */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "nft.h"
#include "nft_batch.h"

#define KEY_SRC_LEN 28 /* ifname (16) . ether_addr (6 + 2) . ipv4_addr */

/* NFT_MSG_DESTROYSETELEM (Linux 6.3): delete an element if it is there, and
 * no error if it is not. Not in Debian 12's kernel headers yet. */
#define MSG_DESTROYSETELEM 30
/* Not a kernel message type: an NFT_MSG_NEWSETELEM of elements as they are (a
 * map's with its data) plus `timeout 1s expires 1ms`, an update that retires
 * them at once (Linux 6.12; see nft_del.c). */
#define MSG_EXPIRESETELEM 0x7fff

/* A container's element of @allowed_src: its veth . MAC . IP, each member in
 * whole 4-byte slots (the name in 16 bytes, zero padded). */
struct src_elem {
	const char *veth;
	uint8_t key[KEY_SRC_LEN];
};

const char *family_name(uint32_t family);
/* "0.0.0.0:8080->10.99.0.2:80/tcp" for messages. */
const char *port_str(const struct nft_port *p, char *buf, size_t len);
/* Ports go to messages in runs of one map, at most ELEMS_PER_MSG long:
 * the end of the run that starts at from. */
size_t run_end(const struct nft_port *ports, size_t n, size_t from);
/* One NEWSETELEM/DELSETELEM/DESTROYSETELEM/MSG_EXPIRESETELEM (type) message
 * of ports [from, to). */
int put_elems(struct batch *bt, uint16_t type, uint16_t flags, const struct nft_port *ports,
	      size_t from, size_t to, struct mr_err *err);
int src_elem_make(struct src_elem *se, const char *veth, const unsigned char mac[6],
		  struct in_addr ip, struct mr_err *err);
int put_src_elem(struct batch *bt, uint16_t type, uint16_t flags, const struct src_elem *se,
		 struct mr_err *err);
/* One batch that adds or deletes src's element (if src) and all of ports. On
 * failure [*bad_from, *bad_to) are the ports of the refused message ([0, n)
 * when unknown; *bad_from is SIZE_MAX when it was src's). */
int send_elems(struct nl *nl, uint16_t type, uint16_t flags, const struct src_elem *src,
	       const struct nft_port *ports, size_t n, size_t *bad_from, size_t *bad_to,
	       struct mr_err *err);
/* Whether the map holds p's key: ELEM_LIVE, ELEM_RETIRED (there until the
 * kernel's next tick: a removal's update gave it an expiration), 0 no (or no
 * map or table), -errno. */
enum { ELEM_LIVE = 1, ELEM_RETIRED = 2 };
int elem_exists(struct nl *nl, const struct nft_port *p);
/* Every port well formed (proto, ports, container address)? */
int check_ports(const struct nft_port *ports, size_t n, struct mr_err *err);
