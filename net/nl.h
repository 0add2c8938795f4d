/* nl.h - the single netlink transport: open a socket (CLOEXEC, extended ACKs),
 * send one request and read its answers up to the ACK, or send one nfnetlink
 * batch and check the ACK of every message in it. */
#pragma once

#include <libmnl/libmnl.h>
#include <stdint.h>

#include "../common/err.h"

struct nl {
	struct mnl_socket *sock;
	unsigned int portid;
	uint32_t seq; /* next sequence number; per socket, never global */
	/* --explain only: the name by-hand commands give the network namespace
	 * this socket lives in (`ip -n NS`); NULL: minirun's own. */
	const char *ns;
};

#define NL_BUFSZ 8192

int nl_open(struct nl *nl, int bus, struct mr_err *err);
/* Open a socket that lives in the network namespace netns_fd (the socket keeps
 * that namespace; the caller's namespace is restored before returning). */
int nl_open_in_netns(struct nl *nl, int bus, int netns_fd, struct mr_err *err);
void nl_close(struct nl *nl);
/* --explain: `TOOL [-n NS] WORDS...` for a request about to go out on nl. */
void nl_explain(const struct nl *nl, const char *tool, const char *const *words);
#define NL_EXPLAIN(nl, tool, ...) nl_explain((nl), (tool), (const char *const[]){__VA_ARGS__, NULL})

/* Start a request in buf (NL_BUFSZ bytes) with a fresh sequence number. */
struct nlmsghdr *nl_msg(struct nl *nl, void *buf, uint16_t type, uint16_t flags);

/* Send nlh (NLM_F_ACK is added) and read until its ACK or NLMSG_DONE; each data
 * message goes to cb (may be NULL). Returns 0, or -errno with err filled with
 * the kernel's reason (and its extended-ACK text when there is one). */
int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, struct mr_err *err);

/* Send a complete nfnetlink batch (begin..end) and read one ACK for every
 * sequence number in [first, last]. Returns 0 or -errno of the first failure;
 * *failed_seq (may be NULL) names the message that failed. */
int nl_batch_talk(struct nl *nl, const void *buf, size_t len, uint32_t first, uint32_t last,
		  uint32_t *failed_seq, struct mr_err *err);
