/* nft_batch.h - one nfnetlink batch of nftables messages: begin, messages
 * (each with its own seq and NLM_F_ACK), end; sent at once, and the ACK of
 * every message checked. Shared by nft.c (tables, elements) and nft_del.c. */
#pragma once

#include <libmnl/libmnl.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "nl.h"

struct batch {
	struct nl *nl;
	char *buf;
	struct mnl_nlmsg_batch *b;
	uint32_t first, last; /* seq of the first and the last message inside begin..end */
	size_t count;	      /* messages inside begin..end */
};

void batch_freep(struct batch *bt);
/* limit bounds the batch's size in bytes. Returns 0 or -errno. */
int batch_start(struct batch *bt, struct nl *nl, size_t limit, struct mr_err *err);
/* Start the next message (family, type, flags | NLM_F_ACK). */
struct nlmsghdr *batch_msg_in(struct batch *bt, uint16_t family, uint16_t type, uint16_t flags);
/* The same in the inet family. */
struct nlmsghdr *batch_msg(struct batch *bt, uint16_t type, uint16_t flags);
/* Close the message batch_msg() started, once its payload is written. */
int batch_next(struct batch *bt, struct mr_err *err);
/* End, send, check every ACK; *failed (may be NULL): the index of the refused
 * message, or SIZE_MAX when the batch was refused as a whole. */
int batch_send(struct batch *bt, size_t *failed, struct mr_err *err);
