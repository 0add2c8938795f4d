/* conntrack.c - deletes the IPv4 conntrack entries of published ports
 * through ctnetlink: dump the table, keep the matching original tuples, then
 * delete them one by one (the socket cannot send while its dump runs). */
#include "conntrack.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "../common/cleanup.h"
#include "../common/explain.h"

/* One entry's original direction, fields kept in network order as received,
 * plus what makes the delete hit exactly that entry. */
struct ct_entry {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint8_t proto;
	bool has_zone, has_id;
	uint16_t zone;
	uint32_t id;
};

struct ct_found {
	uint8_t proto;
	const uint16_t *ports; /* host order */
	size_t n_ports;
	struct ct_entry *v;
	size_t n, cap;
	bool oom;
};

struct attrs {
	const struct nlattr **tb;
	unsigned int max;
};

static int attr_store(const struct nlattr *a, void *data)
{
	struct attrs *at = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type <= at->max)
		at->tb[type] = a;
	return MNL_CB_OK;
}

static bool attr_ok(const struct nlattr *a, enum mnl_attr_data_type t)
{
	return a && mnl_attr_validate(a, t) == 0;
}

static int parse_nested(const struct nlattr *nest, const struct nlattr **tb, unsigned int max)
{
	struct attrs at = {tb, max};

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -1;
	return mnl_attr_parse_nested(nest, attr_store, &at) < 0 ? -1 : 0;
}

/* Fill e from CTA_TUPLE_ORIG; false if it is not an IPv4 tuple with ports. */
static bool parse_orig(const struct nlattr *orig, struct ct_entry *e)
{
	const struct nlattr *tuple[CTA_TUPLE_MAX + 1], *ip[CTA_IP_MAX + 1];
	const struct nlattr *proto[CTA_PROTO_MAX + 1];

	if (parse_nested(orig, tuple, CTA_TUPLE_MAX) < 0 || !tuple[CTA_TUPLE_IP] ||
	    !tuple[CTA_TUPLE_PROTO] || parse_nested(tuple[CTA_TUPLE_IP], ip, CTA_IP_MAX) < 0 ||
	    parse_nested(tuple[CTA_TUPLE_PROTO], proto, CTA_PROTO_MAX) < 0)
		return false;
	if (!attr_ok(ip[CTA_IP_V4_SRC], MNL_TYPE_U32) ||
	    !attr_ok(ip[CTA_IP_V4_DST], MNL_TYPE_U32) ||
	    !attr_ok(proto[CTA_PROTO_NUM], MNL_TYPE_U8) ||
	    !attr_ok(proto[CTA_PROTO_SRC_PORT], MNL_TYPE_U16) ||
	    !attr_ok(proto[CTA_PROTO_DST_PORT], MNL_TYPE_U16))
		return false;
	e->src = mnl_attr_get_u32(ip[CTA_IP_V4_SRC]);
	e->dst = mnl_attr_get_u32(ip[CTA_IP_V4_DST]);
	e->proto = mnl_attr_get_u8(proto[CTA_PROTO_NUM]);
	e->sport = mnl_attr_get_u16(proto[CTA_PROTO_SRC_PORT]);
	e->dport = mnl_attr_get_u16(proto[CTA_PROTO_DST_PORT]);
	return true;
}

/* Dump callback: keep the entries whose original tuple is proto/port. */
static bool port_in(const struct ct_found *f, uint16_t port)
{
	for (size_t i = 0; i < f->n_ports; i++)
		if (f->ports[i] == port)
			return true;
	return false;
}

static int collect(const struct nlmsghdr *nlh, void *data)
{
	struct ct_found *f = data;
	const struct nlattr *tb[CTA_MAX + 1] = {0};
	struct attrs at = {tb, CTA_MAX};
	struct ct_entry e = {0};

	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_store, &at) < 0)
		return MNL_CB_OK; /* not understood: not ours to delete */
	if (!tb[CTA_TUPLE_ORIG] || !parse_orig(tb[CTA_TUPLE_ORIG], &e))
		return MNL_CB_OK;
	if (e.proto != f->proto || !port_in(f, ntohs(e.dport)))
		return MNL_CB_OK;
	if (attr_ok(tb[CTA_ZONE], MNL_TYPE_U16)) {
		e.has_zone = true;
		e.zone = mnl_attr_get_u16(tb[CTA_ZONE]);
	}
	if (attr_ok(tb[CTA_ID], MNL_TYPE_U32)) {
		e.has_id = true;
		e.id = mnl_attr_get_u32(tb[CTA_ID]);
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 16;
		struct ct_entry *v = realloc(f->v, cap * sizeof(*v));
		if (!v) {
			/* Keep reading: a dump left half-read blocks the socket. */
			f->oom = true;
			return MNL_CB_OK;
		}
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n++] = e;
	return MNL_CB_OK;
}

static struct nlmsghdr *ct_msg(struct nl *nl, void *buf, uint8_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = nl_msg(nl, buf, (NFNL_SUBSYS_CTNETLINK << 8) | type, flags);
	struct nfgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->nfgen_family = AF_INET;
	g->version = NFNETLINK_V0;
	g->res_id = 0;
	return nlh;
}

/* Dump all IPv4 entries into f; the transport reads until NLMSG_DONE. */
static int ct_dump(struct nl *nl, struct ct_found *f, struct mr_err *err)
{
	char buf[NL_BUFSZ] = {0}; /* padding goes out as is */
	struct nlmsghdr *nlh = ct_msg(nl, buf, IPCTNL_MSG_CT_GET, NLM_F_DUMP);
	int r;

	r = nl_talk(nl, nlh, collect, f, err);
	if (r < 0) {
		mr_error_wrap(err, "conntrack dump");
		return r;
	}
	if (f->oom)
		return mr_error(err, ENOMEM, "conntrack dump"), -ENOMEM;
	return 0;
}

/* Delete one entry by its original tuple; 1 if deleted, 0 if it was gone. */
static int ct_delete(struct nl *nl, const struct ct_entry *e, struct mr_err *err)
{
	char buf[NL_BUFSZ] = {0}; /* padding goes out as is */
	struct nlmsghdr *nlh = ct_msg(nl, buf, IPCTNL_MSG_CT_DELETE, 0);
	struct nlattr *orig, *nest;
	int r;

	orig = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, e->src);
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, e->dst);
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, e->proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, e->sport);
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, e->dport);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_nest_end(nlh, orig);
	if (e->has_zone)
		mnl_attr_put_u16(nlh, CTA_ZONE, e->zone);
	/* With the id, a new connection that reuses the tuple meanwhile stays. */
	if (e->has_id)
		mnl_attr_put_u32(nlh, CTA_ID, e->id);

	r = nl_talk(nl, nlh, NULL, NULL, err);
	if (r == -ENOENT) {
		mr_error_clear(err);
		return 0;
	}
	return r < 0 ? r : 1;
}

/* --explain: conntrack(8) deletes what matches a filter the same way (one
 * dump, then one delete per entry). */
static void explain_flush(const struct nl *nl, uint8_t proto, const uint16_t *ports, size_t n)
{
	const char *p = proto == IPPROTO_UDP ? "udp" : proto == IPPROTO_TCP ? "tcp" : "?";
	const char *const in_ns[] = {"ip", "netns", "exec", nl->ns, "conntrack", NULL};
	const char *const here[] = {"conntrack", NULL};

	explain_note("forget what conntrack remembers for these %s ports (no connection to close "
		     "for UDP; conntrack exits 1 when there was nothing)",
		     p);
	for (size_t i = 0; i < n; i++) {
		char port[8];
		snprintf(port, sizeof(port), "%u", ports[i]);
		explain_cmdv(EXPLAIN_HOST, nl->ns ? in_ns : here,
			     (const char *const[]){"-D", "-p", p, "--orig-port-dst", port, NULL});
	}
}

/* One dump for all of ports: a dump walks every bucket of the kernel's
 * table, which is one for all namespaces (262,144 buckets on a machine with
 * 24 GiB; ~2 ms here), whatever it keeps. */
int conntrack_flush_ports(struct nl *nl, uint8_t proto, const uint16_t *ports, size_t n,
			  struct mr_err *err)
{
	struct ct_found f = {.proto = proto, .ports = ports, .n_ports = n};
	_cleanup_free_ struct ct_entry *v = NULL;
	int deleted = 0;
	int r;

	if (n == 0)
		return 0;
	if (explain_on())
		explain_flush(nl, proto, ports, n);
	r = ct_dump(nl, &f, err);
	v = f.v; /* freed on every return */
	for (size_t i = 0; r >= 0 && i < f.n; i++) {
		r = ct_delete(nl, &v[i], err);
		deleted += r > 0;
	}
	if (r < 0) {
		mr_error_wrap(err, "forget the connections to the %s ports",
			      proto == IPPROTO_UDP ? "UDP" : "published");
		return -1;
	}
	return deleted;
}
