/* nft_del.c - taking containers' elements out of minirun's tables: many
 * containers' at once (one batch: retired by an update where the kernel can,
 * else deleted in one transaction), one container's by deletion (its source
 * element, then its ports), and the tables themselves. Anything already gone
 * is not an error. */
#include "nft.h"
#include "nft_batch.h"
#include "nft_elems.h"
#include "nft_text.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "../common/cleanup.h"

int nft_del_container(struct nl *nl, const char *veth, const unsigned char mac[6],
		      struct in_addr ip, const struct nft_port *ports, size_t n, struct mr_err *err)
{
	struct src_elem src;
	size_t from, to;
	int r;

	/* Its own batch: a source element already gone (ENOENT) must not make
	 * the kernel refuse the port elements' removal too. */
	r = src_elem_make(&src, veth, mac, ip, err);
	if (r == 0)
		r = send_elems(nl, NFT_MSG_DELSETELEM, 0, &src, NULL, 0, &from, &to, err);
	if (r == -ENOENT) {
		mr_error_clear(err);
		r = 0;
	} else if (r < 0 && r != -EINVAL) {
		mr_error_wrap(err, "forget %s's own addresses", veth);
	}
	struct mr_err second = {0};
	int r2 = nft_del_ports(nl, ports, n, r < 0 ? &second : err);
	mr_error_clear(&second);
	return r < 0 ? r : r2;
}

int nft_del_ports(struct nl *nl, const struct nft_port *ports, size_t n, struct mr_err *err)
{
	size_t from, to;
	char desc[96];
	int r;

	if (n == 0)
		return 0;
	if ((r = check_ports(ports, n, err)) < 0)
		return r;
	r = send_elems(nl, NFT_MSG_DELSETELEM, 0, NULL, ports, n, &from, &to, err);
	if (r == 0)
		return 0;
	if (r != -ENOENT) {
		mr_error_wrap(err, "unpublish %s", port_str(&ports[from], desc, sizeof(desc)));
		return r;
	}
	/* Something is gone already (a half-removed container, a flushed table),
	 * and then the kernel refuses the whole batch. Ask element by element
	 * what is left (cheap reads) and remove that in one batch. Only if that
	 * loses a race too, delete one element per batch and let "gone" pass:
	 * each refused batch costs the kernel ~17 ms, a read some microseconds. */
	mr_error_clear(err);
	_cleanup_free_ struct nft_port *left = calloc(n, sizeof(*left));
	size_t nleft = 0;
	if (!left)
		return mr_error(err, ENOMEM, "unpublish ports"), -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (elem_exists(nl, &ports[i]) != 0) /* errors too: try to delete it */
			left[nleft++] = ports[i];
	if (nleft == 0)
		return 0;
	r = send_elems(nl, NFT_MSG_DELSETELEM, 0, NULL, left, nleft, &from, &to, err);
	if (r == -ENOENT) {
		mr_error_clear(err);
		for (size_t i = 0; i < nleft; i++) {
			r = send_elems(nl, NFT_MSG_DELSETELEM, 0, NULL, &left[i], 1, &from, &to,
				       err);
			if (r == -ENOENT) {
				mr_error_clear(err);
				r = 0;
			}
			if (r < 0) {
				from = i;
				break;
			}
		}
	}
	if (r < 0)
		mr_error_wrap(err, "unpublish %s", port_str(&left[from], desc, sizeof(desc)));
	return r;
}

/* Each table in its own batch: one already gone (ENOENT) would make the
 * kernel refuse the other's deletion too. */
static int delete_table(struct nl *nl, uint32_t family, struct mr_err *err)
{
	_cleanup_(batch_freep) struct batch bt = {0};
	struct nlmsghdr *nlh;
	int r;

	r = batch_start(&bt, nl, 4096, err);
	if (r < 0)
		return r;
	nlh = batch_msg_in(&bt, (uint16_t)family, NFT_MSG_DELTABLE, 0);
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, NFT_TABLE);
	if ((r = batch_next(&bt, err)) < 0)
		return r;
	r = batch_send(&bt, NULL, err);
	if (r == -ENOENT) {
		mr_error_clear(err);
		return 0;
	}
	if (r < 0)
		mr_error_wrap(err, "delete nftables table %s %s", family_name(family), NFT_TABLE);
	return r;
}

int nft_delete_table(struct nl *nl, struct mr_err *err)
{
	int r = delete_table(nl, NFPROTO_INET, err);

	return r < 0 ? r : delete_table(nl, NFPROTO_BRIDGE, err);
}

/* Can the kernel retire an element by an update of its timeout? Linux 6.12
 * ("set element timeout update support"); older kernels accept the update
 * and change nothing, so the version decides, not a try. The test hook
 * MINIRUN_TEST_NFT_DELETE=1 takes the delete path on any kernel. */
static bool can_expire(void)
{
	const char *force = getenv("MINIRUN_TEST_NFT_DELETE");
	unsigned int major, minor;
	struct utsname u;

	if ((force && strcmp(force, "1") == 0) || uname(&u) < 0 ||
	    sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 12);
}

/* One batch of every container's elements, each message of type (the source
 * element, then the ports). */
static int many_batch(struct nl *nl, uint16_t type, const struct nft_container *cs, size_t n,
		      struct mr_err *err)
{
	_cleanup_(batch_freep) struct batch bt = {0};
	/* an update is an add: NLM_F_CREATE, as nft's `add element` sends it */
	uint16_t flags = type == MSG_EXPIRESETELEM ? NLM_F_CREATE : 0;
	size_t size = 4096;
	int r;

	for (size_t i = 0; i < n; i++)
		size += 512 + cs[i].n_ports * 96;
	r = batch_start(&bt, nl, size, err);
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct src_elem src;
		size_t from, to;

		r = src_elem_make(&src, cs[i].veth, cs[i].mac, cs[i].ip, err);
		if (r == 0)
			r = put_src_elem(&bt, type, flags, &src, err);
		if (r == 0)
			r = check_ports(cs[i].ports, cs[i].n_ports, err);
		for (from = 0; r == 0 && from < cs[i].n_ports; from = to) {
			to = run_end(cs[i].ports, cs[i].n_ports, from);
			r = put_elems(&bt, type, flags, cs[i].ports, from, to, err);
		}
	}
	if (r == 0 && bt.count == 0)
		return 0;
	return r < 0 ? r : batch_send(&bt, NULL, err);
}

int nft_del_many(struct nl *nl, const struct nft_container *cs, size_t n, struct mr_err *err)
{
	bool expire = can_expire();
	int r;

	nft_explain_del(cs, n, expire);
	/* Retire them by an update where the kernel can: a deletion leaves the
	 * elements to a worker that frees them after an RCU grace period, and
	 * closing any netfilter socket of this namespace then waits for it
	 * (10-20 ms); an update is done with at its commit. Expired elements
	 * are invisible from the kernel's next tick (lookups, `nft list`, `nft
	 * get`; a create that meets one before waits for it, see nft.c), a new
	 * element with the same key replaces one, and the set's garbage
	 * collector frees them later. Where the update fails (tables made by
	 * an older minirun, without the timeout flag), delete them. */
	if (expire) {
		r = many_batch(nl, MSG_EXPIRESETELEM, cs, n, err);
		if (r == 0)
			return 0;
		mr_error_clear(err);
		nft_explain_del_fallback(cs, n);
	}
	r = many_batch(nl, MSG_DESTROYSETELEM, cs, n, err);
	if (r < 0)
		mr_error_wrap(err, "unpublish the ports of %zu containers", n);
	return r;
}
