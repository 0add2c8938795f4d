/* nft_text.h - minirun's nftables tables and elements as nft(8) text, for
 * --explain: what a learner would give `nft` to build the same objects that
 * net/nft.c builds with libnftnl. tests/integration/t-explain.sh feeds this
 * text to nft in a fresh namespace and compares the two rulesets. */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "nft.h"

/* The tables that nft_ensure() is about to make (inet: `inet minirun`,
 * bridge_family: `bridge minirun`), as one `nft -f -` script. */
void nft_explain_tables(bool inet, bool bridge_family, const char *bridge, struct in_addr subnet,
			int prefix);
/* The elements of one container about to be added in one batch: veth . mac .
 * ip in @allowed_src (when veth), and the port-map elements; excl: refused
 * if the key exists (nft's `create element`), else `add element`. */
void nft_explain_elems(const char *veth, const unsigned char *mac, struct in_addr ip,
		       const struct nft_port *ports, size_t n, bool excl);
/* The elements of containers cs[0..n) about to be taken out: expire, retired by
 * `nft add element` of them with `timeout 1s expires 1ms` (see nft_del.c);
 * else `nft delete element` by key (minirun's "destroy" also passes over one
 * already gone; nft 1.0.6, Debian 12's, has no `destroy element`). */
void nft_explain_del(const struct nft_container *cs, size_t n, bool expire);
/* The update was refused: the elements of cs[0..n) deleted instead. */
void nft_explain_del_fallback(const struct nft_container *cs, size_t n);
