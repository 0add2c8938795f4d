/* link.c - RTM_NEWLINK / RTM_GETLINK requests. */
#include "link.h"

#include <errno.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/if_bridge.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "../common/explain.h"

static struct ifinfomsg *put_ifinfo(struct nlmsghdr *nlh, int family, int index)
{
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = (unsigned char)family;
	ifi->ifi_index = index;
	return ifi;
}

static int check_name(const char *name, struct mr_err *err)
{
	if (strlen(name) == 0 || strlen(name) >= IFNAMSIZ)
		return mr_error(err, EINVAL, "interface name \"%s\"", name);
	return 0;
}

static int parse_kind(const struct nlattr *linkinfo, char *kind, size_t len)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested (a, linkinfo) {
		if (mnl_attr_get_type(a) == IFLA_INFO_KIND &&
		    mnl_attr_validate(a, MNL_TYPE_STRING) == 0) {
			size_t n = mnl_attr_get_payload_len(a);
			if (n >= len)
				n = len - 1;
			memcpy(kind, mnl_attr_get_payload(a), n);
			kind[n] = '\0';
		}
	}
	return 0;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_info *li = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	li->index = ifi->ifi_index;
	li->flags = ifi->ifi_flags;
	mnl_attr_for_each (a, nlh, sizeof(*ifi)) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_MTU:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				li->mtu = mnl_attr_get_u32(a);
			break;
		case IFLA_LINKINFO:
			parse_kind(a, li->kind, sizeof(li->kind));
			break;
		}
	}
	return MNL_CB_OK;
}

int link_get(struct nl *nl, const char *name, struct link_info *li, struct mr_err *err)
{
	char buf[NL_BUFSZ];
	struct nlmsghdr *nlh;
	struct mr_err e = {0};
	int r;

	if (check_name(name, err) < 0)
		return -1;
	memset(li, 0, sizeof(*li));
	snprintf(li->name, sizeof(li->name), "%s", name);
	nlh = nl_msg(nl, buf, RTM_GETLINK, 0);
	put_ifinfo(nlh, AF_UNSPEC, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	r = nl_talk(nl, nlh, link_cb, li, &e);
	if (r == -ENODEV) {
		mr_error_clear(&e);
		return -ENODEV;
	}
	if (r < 0) {
		mr_error_move(err, &e);
		return mr_error_wrap(err, "get link %s", name);
	}
	mr_error_clear(&e);
	return 0;
}

/* Append "key value" to w when value is set. */
static void add_opt(const char **w, size_t *n, const char *key, const char *value)
{
	if (!value)
		return;
	w[(*n)++] = key;
	w[(*n)++] = value;
}

/* "xx:xx:xx:xx:xx:xx" into a (18 bytes). */
static const char *mac_str(const unsigned char *mac, char *a)
{
	snprintf(a, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
	return a;
}

/* --explain: `ip link add NAME [address MAC] [mtu M] [master BR] [up] type KIND
 * [peer name PEER netns NS [mtu M] [address PEER_MAC]]`, as new_link_msg()
 * and the callers build it; a veth's ends have txqueuelen 0 (and the host
 * end comes up later, link_set_port_up). */
static void explain_new_link(struct nl *nl, const char *name, const unsigned char *mac,
			     unsigned int mtu, const struct link_info *master, const char *kind,
			     const char *peer, const char *netns_name,
			     const unsigned char *peer_mac)
{
	const char *w[30] = {"link", "add", name};
	char m[16], a[18], pa[18];
	size_t n = 3;

	snprintf(m, sizeof(m), "%u", mtu);
	add_opt(w, &n, "address", mac ? mac_str(mac, a) : NULL);
	add_opt(w, &n, "mtu", mtu ? m : NULL);
	add_opt(w, &n, "master", master ? master->name : NULL);
	add_opt(w, &n, "txqueuelen", peer ? "0" : NULL);
	if (!peer)
		w[n++] = "up";
	add_opt(w, &n, "type", kind);
	if (peer) {
		w[n++] = "peer";
		add_opt(w, &n, "name", peer);
		add_opt(w, &n, "netns", netns_name);
		add_opt(w, &n, "mtu", mtu ? m : NULL);
		add_opt(w, &n, "txqueuelen", "0");
		add_opt(w, &n, "address", peer_mac ? mac_str(peer_mac, pa) : NULL);
	}
	w[n] = NULL;
	nl_explain(nl, "ip", w);
}

/* RTM_NEWLINK for a new link with name and MTU (up at once if up). */
static struct nlmsghdr *new_link_msg(struct nl *nl, void *buf, const char *name, unsigned int mtu,
				     bool up)
{
	struct nlmsghdr *nlh = nl_msg(nl, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg *ifi = put_ifinfo(nlh, AF_UNSPEC, 0);

	ifi->ifi_flags = up ? IFF_UP : 0;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nlh;
}

int link_add_bridge(struct nl *nl, const char *name, unsigned int mtu, struct mr_err *err)
{
	unsigned char mac[6];
	char buf[NL_BUFSZ];
	struct nlmsghdr *nlh;
	struct nlattr *info;
	int r;

	if (check_name(name, err) < 0)
		return -1;
	/* A MAC of its own, as Docker gives docker0: without one the bridge
	 * takes the lowest MAC of its ports and changes it as containers come
	 * and go, and a container whose neighbour entry for the gateway still
	 * holds the old one loses its way out (and its replies) for seconds. */
	if (getrandom(mac, sizeof(mac), 0) != (ssize_t)sizeof(mac))
		return mr_error(err, errno, "create bridge %s: random MAC", name);
	mac[0] = (unsigned char)((mac[0] & 0xfe) | 0x02); /* unicast, locally administered */
	if (explain_on())
		explain_new_link(nl, name, mac, mtu, NULL, "bridge", NULL, NULL, NULL);
	nlh = new_link_msg(nl, buf, name, mtu, true);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, info);
	r = nl_talk(nl, nlh, NULL, NULL, err);
	if (r < 0 && r != -EEXIST)
		mr_error_wrap(err, "create bridge %s", name);
	return r;
}

int link_set_up(struct nl *nl, const struct link_info *li, struct mr_err *err)
{
	char buf[NL_BUFSZ];
	struct nlmsghdr *nlh = nl_msg(nl, buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = put_ifinfo(nlh, AF_UNSPEC, li->index);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	NL_EXPLAIN(nl, "ip", "link", "set", li->name, "up");
	if (nl_talk(nl, nlh, NULL, NULL, err) < 0)
		return mr_error_wrap(err, "set link %s up", li->name);
	return 0;
}

int link_add_veth(struct nl *nl, const char *host_name, const struct link_info *master,
		  unsigned int mtu, const char *peer_name, int netns_fd, const char *netns_name,
		  const unsigned char *mac, struct link_info *host_end, struct mr_err *err)
{
	char buf[NL_BUFSZ];
	struct nlmsghdr *nlh;
	struct ifinfomsg *peer;
	struct nlattr *info, *data, *peer_nest;

	if (check_name(host_name, err) < 0 || check_name(peer_name, err) < 0)
		return -1;
	if (explain_on())
		explain_new_link(nl, host_name, NULL, mtu, master, "veth", peer_name, netns_name,
				 mac);
	/* Down for now (link_set_port_up), and echoed back: the answer gives
	 * the host end's index, which a look-up by name would cost a getlink
	 * for, and that runs the bridge's pending link events (a walk of all
	 * its ports) on the way. */
	nlh = new_link_msg(nl, buf, host_name, mtu, false);
	nlh->nlmsg_flags |= NLM_F_ECHO;
	/* No transmit queue length on either end, as Docker's veths: a veth
	 * has no qdisc of its own (noqueue) to use one. */
	mnl_attr_put_u32(nlh, IFLA_TXQLEN, 0);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master->index);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer_nest = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* The peer's attributes start with its own ifinfomsg. */
	peer = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer));
	memset(peer, 0, sizeof(*peer));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer_name);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	mnl_attr_put_u32(nlh, IFLA_TXQLEN, 0);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	mnl_attr_nest_end(nlh, peer_nest);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	memset(host_end, 0, sizeof(*host_end));
	if (nl_talk(nl, nlh, link_cb, host_end, err) < 0)
		return mr_error_wrap(err, "create veth %s", host_name);
	snprintf(host_end->name, sizeof(host_end->name), "%s", host_name);
	if (host_end->index == 0) /* a kernel before 6.3 echoes nothing */
		return link_get(nl, host_name, host_end, err) == 0 ? 0 : -1;
	return 0;
}

int link_set_port_up(struct nl *nl, const struct link_info *li, struct mr_err *err)
{
	char buf[NL_BUFSZ];
	struct nlmsghdr *nlh = nl_msg(nl, buf, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = put_ifinfo(nlh, AF_UNSPEC, li->index);
	struct nlattr *info, *data;

	NL_EXPLAIN(nl, "ip", "link", "set", li->name, "up", "type", "bridge_slave", "hairpin",
		   "on");
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_SLAVE_KIND, "bridge");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_SLAVE_DATA);
	mnl_attr_put_u8(nlh, IFLA_BRPORT_MODE, 1);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	if (nl_talk(nl, nlh, NULL, NULL, err) < 0)
		return mr_error_wrap(err, "set up bridge port %s", li->name);
	return 0;
}

int link_retire(struct nl *nl, const char *name, struct mr_err *err)
{
	char buf[NL_BUFSZ];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct mr_err e = {0};
	int r;

	if (check_name(name, err) < 0)
		return -1;
	nlh = nl_msg(nl, buf, RTM_NEWLINK, 0);
	ifi = put_ifinfo(nlh, AF_UNSPEC, 0);
	ifi->ifi_change = IFF_UP; /* and ifi_flags without it: down */
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MASTER, 0);
	r = nl_talk(nl, nlh, NULL, NULL, &e);
	if (r == 0) /* --explain: only a link that was there */
		NL_EXPLAIN(nl, "ip", "link", "set", name, "nomaster", "down");
	if (r == -ENODEV || r == 0) {
		mr_error_clear(&e);
		return 0;
	}
	mr_error_move(err, &e);
	return mr_error_wrap(err, "take link %s off its bridge", name);
}
