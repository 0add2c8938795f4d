/* addr.c - RTM_NEWADDR / RTM_GETADDR / RTM_NEWROUTE / RTM_GETROUTE requests. */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <stdio.h>
#include <sys/socket.h>

#include "../common/explain.h"

/* --explain: `ip addr add ADDR/PREFIX [brd BROADCAST] dev NAME` */
static void explain_addr(struct nl *nl, const char *dev, struct in_addr addr, int prefix,
			 struct in_addr brd)
{
	char a[INET_ADDRSTRLEN + 4], b[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &addr, a, INET_ADDRSTRLEN);
	snprintf(a + strlen(a), sizeof(a) - strlen(a), "/%d", prefix);
	inet_ntop(AF_INET, &brd, b, sizeof(b));
	if (prefix < 31)
		NL_EXPLAIN(nl, "ip", "addr", "add", a, "brd", b, "dev", dev);
	else
		NL_EXPLAIN(nl, "ip", "addr", "add", a, "dev", dev);
}

int addr_add(struct nl *nl, const struct link_info *li, struct in_addr addr, int prefix,
	     struct mr_err *err)
{
	char buf[NL_BUFSZ];
	struct nlmsghdr *nlh = nl_msg(nl, buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	struct in_addr brd = {.s_addr = addr.s_addr | htonl(prefix ? ~0U >> prefix : ~0U)};
	struct mr_err e = {0};
	int r;

	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = (unsigned int)li->index;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(addr), &addr);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(addr), &addr);
	if (prefix < 31)
		mnl_attr_put(nlh, IFA_BROADCAST, sizeof(brd), &brd);
	if (explain_on())
		explain_addr(nl, li->name, addr, prefix, brd);
	r = nl_talk(nl, nlh, NULL, NULL, &e);
	if (r == 0 || r == -EEXIST) {
		mr_error_clear(&e);
		return 0;
	}
	mr_error_move(err, &e);
	return mr_error_wrap(err, "add address to link %s", li->name);
}

struct addr_list_ctx {
	int index, n, max;
	struct addr4 *out;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_list_ctx *c = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (ifa->ifa_family != AF_INET || (int)ifa->ifa_index != c->index || c->n >= c->max)
		return MNL_CB_OK;
	mnl_attr_for_each (a, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_type(a) == IFA_LOCAL && mnl_attr_get_payload_len(a) == 4) {
			memcpy(&c->out[c->n].addr, mnl_attr_get_payload(a), 4);
			c->out[c->n].prefix = ifa->ifa_prefixlen;
			c->n++;
		}
	}
	return MNL_CB_OK;
}

int addr_list(struct nl *nl, int index, struct addr4 *out, int max, struct mr_err *err)
{
	char buf[NL_BUFSZ];
	struct nlmsghdr *nlh = nl_msg(nl, buf, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	struct addr_list_ctx c = {.index = index, .max = max, .out = out};
	int on = 1, off = 0, r;

	ifa->ifa_family = AF_INET;
	ifa->ifa_index = (uint32_t)index;
	/* With strict checking the kernel dumps the addresses of that link
	 * only, not of every link (500 veths on the bridge); addr_cb filters
	 * as well, for a kernel without it. Off again after: other requests
	 * on this socket are not written for strict checking. */
	setsockopt(mnl_socket_get_fd(nl->sock), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &on,
		   sizeof(on));
	r = nl_talk(nl, nlh, addr_cb, &c, err);
	setsockopt(mnl_socket_get_fd(nl->sock), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &off,
		   sizeof(off));
	if (r < 0)
		return mr_error_wrap(err, "list addresses");
	return c.n;
}

int route_add_default(struct nl *nl, const struct link_info *li, struct in_addr gw,
		      struct mr_err *err)
{
	char buf[NL_BUFSZ], via[INET_ADDRSTRLEN];
	struct nlmsghdr *nlh = nl_msg(nl, buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_GATEWAY, sizeof(gw), &gw);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)li->index);
	/* ip's defaults are these: table main, proto boot, scope global, unicast */
	NL_EXPLAIN(nl, "ip", "route", "add", "default", "via",
		   inet_ntop(AF_INET, &gw, via, sizeof(via)), "dev", li->name);
	if (nl_talk(nl, nlh, NULL, NULL, err) < 0)
		return mr_error_wrap(err, "add default route");
	return 0;
}

struct route_list_ctx {
	int n, max;
	struct route4 *out;
};

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_list_ctx *c = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	struct route4 r = {.prefix = rtm->rtm_dst_len};
	unsigned int table = rtm->rtm_table;

	if (rtm->rtm_family != AF_INET || c->n >= c->max)
		return MNL_CB_OK;
	mnl_attr_for_each (a, nlh, sizeof(*rtm)) {
		switch (mnl_attr_get_type(a)) {
		case RTA_DST:
			if (mnl_attr_get_payload_len(a) == 4)
				memcpy(&r.dst, mnl_attr_get_payload(a), 4);
			break;
		case RTA_OIF:
			r.oif = (int)mnl_attr_get_u32(a);
			break;
		case RTA_TABLE:
			table = mnl_attr_get_u32(a);
			break;
		}
	}
	if (table == RT_TABLE_MAIN)
		c->out[c->n++] = r;
	return MNL_CB_OK;
}

int route_list(struct nl *nl, struct route4 *out, int max, struct mr_err *err)
{
	char buf[NL_BUFSZ];
	struct nlmsghdr *nlh = nl_msg(nl, buf, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct route_list_ctx c = {.max = max, .out = out};

	rtm->rtm_family = AF_INET;
	if (nl_talk(nl, nlh, route_cb, &c, err) < 0)
		return mr_error_wrap(err, "list routes");
	return c.n;
}
