/* nl.c - netlink request/ACK and batch loops, with seq and portid checked. */
#include "nl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/explain.h"

int nl_open(struct nl *nl, int bus, struct mr_err *err)
{
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->sock = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!nl->sock)
		return mr_error(err, errno, "open netlink socket");
	/* Ask the kernel to explain its refusals, and not to echo a refused
	 * request whole (a large batch message would not fit our buffer). */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		nl_close(nl);
		return mr_error(err, e, "bind netlink socket");
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = 1; /* per socket; answers are matched by seq and our portid */
	return 0;
}

int nl_open_in_netns(struct nl *nl, int bus, int netns_fd, struct mr_err *err)
{
	_cleanup_close_ int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int r;

	if (self < 0)
		return mr_error(err, errno, "open /proc/self/ns/net");
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return mr_error(err, errno, "enter container network namespace");
	r = nl_open(nl, bus, err);
	/* minirun is single-threaded; failing to come back would leave us in the
	 * wrong namespace for everything that follows, so that is fatal. */
	if (setns(self, CLONE_NEWNET) < 0)
		abort();
	return r;
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

void nl_explain(const struct nl *nl, const char *tool, const char *const *words)
{
	/* without a namespace name the list ends after the tool */
	const char *const head[] = {tool, nl->ns ? "-n" : NULL, nl->ns, NULL};

	explain_cmdv(EXPLAIN_HOST, head, words);
}

struct nlmsghdr *nl_msg(struct nl *nl, void *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = nl->seq++;
	return nlh;
}

/* Decode an NLMSG_ERROR: returns its -errno (0 for an ACK) and fills err. */
static int nl_error(const struct nlmsghdr *nlh, struct mr_err *err)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const char *why = NULL;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
		return mr_error(err, EBADMSG, "netlink: truncated error message"), -EBADMSG;
	if (e->error == 0)
		return 0;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* TLVs follow the echoed request header (or the whole request). */
		size_t off = sizeof(*e);
		const struct nlattr *a;
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
		mnl_attr_for_each (a, nlh, off) {
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
			    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
				why = mnl_attr_get_str(a);
		}
	}
	if (why && *why)
		mr_error(err, -e->error, "%s", why);
	else
		mr_error(err, -e->error, "netlink");
	/* The message above reads "why: strerror"; the kernel's text is the why. */
	return e->error;
}

int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, struct mr_err *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = nlh->nlmsg_seq;

	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0) {
		int e = errno;
		return mr_error(err, e, "netlink send"), -e;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		const struct nlmsghdr *m;
		int len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			return mr_error(err, e, "netlink receive"), -e;
		}
		len = (int)n;
		for (m = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(m, len);
		     m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_seq != seq || (m->nlmsg_pid && m->nlmsg_pid != nl->portid))
				continue; /* not ours: a stale answer */
			if (m->nlmsg_type == NLMSG_ERROR)
				return nl_error(m, err);
			if (m->nlmsg_type == NLMSG_DONE) {
				/* A dump ends here (no separate ACK); its payload
				 * carries the dump's error code, if any. */
				const int *code = mnl_nlmsg_get_payload(m);
				if (m->nlmsg_len >= mnl_nlmsg_size(sizeof(int)) && *code < 0)
					return mr_error(err, -*code, "netlink dump"), *code;
				return 0;
			}
			if (cb && cb(m, data) < 0)
				return mr_error(err, errno ? errno : EINVAL, "netlink answer"),
				       -EINVAL;
		}
	}
}

int nl_batch_talk(struct nl *nl, const void *buf, size_t len, uint32_t first, uint32_t last,
		  uint32_t *failed_seq, struct mr_err *err)
{
	char rbuf[MNL_SOCKET_BUFFER_SIZE];
	int fd = mnl_socket_get_fd(nl->sock);
	int result = 0;
	int done = 0;

	if (mnl_socket_sendto(nl->sock, buf, len) < 0) {
		int e = errno;
		return mr_error(err, e, "nftables send"), -e;
	}
	/* The kernel runs the whole batch inside sendto() and queues the answers
	 * in order: one ACK per message (each has NLM_F_ACK), or an error for the
	 * message that failed (then the batch is aborted as a whole). So we read
	 * until the last message's answer, and after a failure only drain. */
	while (!done) {
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), result < 0 ? MSG_DONTWAIT : 0);
		const struct nlmsghdr *m;
		int l;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (result < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			int e = errno;
			return mr_error(err, e, "nftables receive"), -e;
		}
		l = (int)n;
		for (m = (const struct nlmsghdr *)rbuf; mnl_nlmsg_ok(m, l);
		     m = mnl_nlmsg_next(m, &l)) {
			if (m->nlmsg_type != NLMSG_ERROR || m->nlmsg_pid != nl->portid)
				continue;
			if (m->nlmsg_seq < first - 1 || m->nlmsg_seq > last)
				continue; /* first - 1 is the batch-begin message */
			if (result == 0) {
				int r = nl_error(m, err);
				if (r < 0) {
					result = r;
					if (failed_seq)
						*failed_seq = m->nlmsg_seq;
				}
			}
			if (m->nlmsg_seq == last && result == 0)
				done = 1;
		}
	}
	return result;
}
