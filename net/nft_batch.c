/* nft_batch.c - one nfnetlink batch (see nft_batch.h): the buffer, the
 * begin/end markers, socket buffers big enough for the batch and its ACKs. */
#include "nft_batch.h"

#include <errno.h>
#include <limits.h>
#include <linux/netfilter.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <libnftnl/common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

void batch_freep(struct batch *bt)
{
	if (bt->b)
		mnl_nlmsg_batch_stop(bt->b);
	free(bt->buf);
	bt->b = NULL;
	bt->buf = NULL;
}

/* limit bounds the whole batch; the buffer is twice that because libmnl lets
 * the message that crosses the limit be written before it says so. Zeroed:
 * libmnl 1.0.4 leaves attribute padding as it finds it. */
int batch_start(struct batch *bt, struct nl *nl, size_t limit, struct mr_err *err)
{
	bt->nl = nl;
	bt->buf = calloc(2, limit);
	if (!bt->buf)
		return mr_error(err, ENOMEM, "nftables batch"), -ENOMEM;
	bt->b = mnl_nlmsg_batch_start(bt->buf, limit);
	if (!bt->b)
		return mr_error(err, ENOMEM, "nftables batch"), -ENOMEM;
	nftnl_batch_begin(mnl_nlmsg_batch_current(bt->b), nl->seq++);
	mnl_nlmsg_batch_next(bt->b);
	return 0;
}

/* Start the next message: its own seq, NLM_F_ACK so that its answer is read. */
struct nlmsghdr *batch_msg_in(struct batch *bt, uint16_t family, uint16_t type, uint16_t flags)
{
	uint32_t seq = bt->nl->seq++;

	if (bt->count++ == 0)
		bt->first = seq;
	bt->last = seq;
	return nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(bt->b), type, family,
				     flags | NLM_F_ACK, seq);
}

struct nlmsghdr *batch_msg(struct batch *bt, uint16_t type, uint16_t flags)
{
	return batch_msg_in(bt, NFPROTO_INET, type, flags);
}

/* Close the message that batch_msg() started, once its payload is written. */
int batch_next(struct batch *bt, struct mr_err *err)
{
	if (!mnl_nlmsg_batch_next(bt->b))
		return mr_error(err, EMSGSIZE, "nftables batch too large"), -EMSGSIZE;
	return 0;
}

/* Raise a socket buffer to at least want bytes (as the kernel counts them). */
static void sock_buf_grow(int fd, int opt, int force_opt, size_t want)
{
	int cur = 0, val = want > INT_MAX / 2 ? INT_MAX / 2 : (int)want;
	socklen_t len = sizeof(cur);

	if (getsockopt(fd, SOL_SOCKET, opt, &cur, &len) == 0 && cur >= val)
		return;
	/* FORCE passes the sysctl limits (we hold CAP_NET_ADMIN for nftables
	 * anyway); without it the kernel caps at wmem_max/rmem_max. */
	if (setsockopt(fd, SOL_SOCKET, force_opt, &val, sizeof(val)) < 0)
		setsockopt(fd, SOL_SOCKET, opt, &val, sizeof(val));
}

/* The kernel refuses a datagram bigger than the send buffer, and drops
 * answers that do not fit the receive buffer (recv then fails with ENOBUFS).
 * Every message is answered, and an error echoes its whole message, so a batch
 * of thousands of elements outgrows the ~208 KiB defaults. Failure to grow is
 * not fatal: the send or the receive then reports it. */
static void batch_fit_socket(struct batch *bt)
{
	int fd = mnl_socket_get_fd(bt->nl->sock);
	size_t len = mnl_nlmsg_batch_size(bt->b);

	sock_buf_grow(fd, SO_SNDBUF, SO_SNDBUFFORCE, len + 4096);
	sock_buf_grow(fd, SO_RCVBUF, SO_RCVBUFFORCE, 2 * len + (bt->count + 2) * 1024);
}

/* End, send, and check the ACK of every message. On failure *failed (may be
 * NULL) is the index of the refused message, or SIZE_MAX when the kernel
 * refused the batch as a whole. Returns 0 or -errno. */
int batch_send(struct batch *bt, size_t *failed, struct mr_err *err)
{
	uint32_t failed_seq = 0;
	int r;

	nftnl_batch_end(mnl_nlmsg_batch_current(bt->b), bt->nl->seq++);
	r = batch_next(bt, err);
	if (r < 0)
		return r;
	batch_fit_socket(bt);
	r = nl_batch_talk(bt->nl, mnl_nlmsg_batch_head(bt->b), mnl_nlmsg_batch_size(bt->b),
			  bt->first, bt->last, &failed_seq, err);
	if (r < 0 && failed)
		*failed = (failed_seq >= bt->first && failed_seq <= bt->last)
			      ? (size_t)(failed_seq - bt->first)
			      : SIZE_MAX;
	return r;
}
