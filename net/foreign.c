/* foreign.c - living beside other firewalls: find the base chains of other
 * tables that drop forwarded traffic by policy; where the owner offers a chain
 * for others' rules (Docker's DOCKER-USER in table ip filter) put minirun's two
 * rules at its top, in one batch guarded by the ruleset generation so that
 * concurrent runs add them once; anywhere else change nothing and name the
 * chain in a warning. */
#include "foreign.h"
#include "nftnl_cleanup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_conntrack.h>

#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/gen.h>
#include <libnftnl/rule.h>
#include <libnftnl/udata.h>

#include "../common/cleanup.h"
#include "../common/explain.h"

#define DOCKER_TABLE "filter" /* family ip, made by iptables-nft */
#define DOCKER_CHAIN "DOCKER-USER"
#define MAX_BLOCKERS 8
/* Tries of look-then-insert: only runs that race before the rules exist lose
 * one (to a commit between our look and our batch), and a look takes well
 * under a millisecond. */
#define MAX_TRIES 10
#define BATCH_LIMIT 8192

/* Our rules in DOCKER-USER, as bits: -i BRIDGE (accept), -o BRIDGE (accept),
 * -i BRIDGE -o docker0 and -i BRIDGE -o br-+ (return to Docker's rules). */
enum { DIR_IN = 1, DIR_OUT = 2, RET_DOCKER0 = 4, RET_BR = 8, OURS_ALL = 15 };

static const char *family_name(uint32_t family)
{
	return family == NFPROTO_IPV4 ? "ip" : family == NFPROTO_INET ? "inet" : "?";
}

/* ---- reading: generation, chains, rules ---- */

static int gen_cb(const struct nlmsghdr *nlh, void *data)
{
	_cleanup_(nftnl_gen_freep) struct nftnl_gen *g = nftnl_gen_alloc();

	if (!g || nftnl_gen_nlmsg_parse(nlh, g) < 0)
		return MNL_CB_ERROR;
	*(uint32_t *)data = nftnl_gen_get_u32(g, NFTNL_GEN_ID);
	return MNL_CB_OK;
}

/* The ruleset's generation: a batch that carries it is refused (ERESTART) if
 * anything was committed since, which turns "look, then insert" into one
 * atomic step. */
static int get_genid(struct nl *nl, uint32_t *genid, struct mr_err *err)
{
	char buf[NL_BUFSZ] = {0};
	struct nlmsghdr *nlh;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, 0, nl->seq++);
	return nl_talk(nl, nlh, gen_cb, genid, err);
}

struct blocker {
	uint32_t family;
	char table[NFT_TABLE_MAXNAMELEN];
	char chain[NFT_CHAIN_MAXNAMELEN];
	bool handled; /* Docker's table with DOCKER-USER, or the admin named BRIDGE */
};

struct chain_scan {
	struct blocker found[MAX_BLOCKERS];
	size_t n, more;
	bool docker_user; /* table ip filter has a DOCKER-USER chain */
	bool intr;	  /* the ruleset changed during the dump: look again */
};

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	_cleanup_(nftnl_chain_freep) struct nftnl_chain *c = nftnl_chain_alloc();
	struct chain_scan *sc = data;
	const char *table, *name;
	uint32_t family;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		sc->intr = true;
	if (!c || nftnl_chain_nlmsg_parse(nlh, c) < 0)
		return MNL_CB_ERROR;
	family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
	table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
	name = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
	if (!table || !name || (family != NFPROTO_IPV4 && family != NFPROTO_INET))
		return MNL_CB_OK;
	if (family == NFPROTO_IPV4 && strcmp(table, DOCKER_TABLE) == 0 &&
	    strcmp(name, DOCKER_CHAIN) == 0)
		sc->docker_user = true;
	/* Only base chains have a hook and a policy. */
	if (!nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM) ||
	    !nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY) ||
	    nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) != NF_INET_FORWARD ||
	    nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) != NF_DROP)
		return MNL_CB_OK;
	if (sc->n == MAX_BLOCKERS) {
		sc->more++;
		return MNL_CB_OK;
	}
	sc->found[sc->n].family = family;
	snprintf(sc->found[sc->n].table, sizeof(sc->found[0].table), "%s", table);
	snprintf(sc->found[sc->n].chain, sizeof(sc->found[0].chain), "%s", name);
	sc->found[sc->n].handled = false;
	sc->n++;
	return MNL_CB_OK;
}

/* Every chain of every table (all families in one dump). */
static int scan_chains(struct nl *nl, struct chain_scan *sc, struct mr_err *err)
{
	char buf[NL_BUFSZ] = {0};
	struct nlmsghdr *nlh;

	memset(sc, 0, sizeof(*sc));
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC, NLM_F_DUMP, nl->seq++);
	return nl_talk(nl, nlh, chain_cb, sc, err);
}

/* What one rule says about BRIDGE: which of `iifname BRIDGE` / `oifname
 * BRIDGE` it matches on, and whether it carries our tag (as nft and newer
 * iptables write a comment, in userdata, or as iptables 1.8.9 writes it, an
 * xt comment match). */
struct rule_view {
	const char *bridge;
	uint32_t key; /* meta key last loaded into register 1, 0 if none */
	int dirs;
	int to; /* RET_DOCKER0 / RET_BR: -o docker0 / -o br-+ */
	bool tagged;
};

/* data/len is an interface name compare: exactly bridge, then zeros (iptables
 * compares strlen + 1 bytes, nft all IFNAMSIZ). */
static bool is_ifname(const char *data, uint32_t len, const char *bridge)
{
	size_t blen = strlen(bridge);

	if (!data || len < blen + 1 || len > IFNAMSIZ || memcmp(data, bridge, blen) != 0)
		return false;
	for (uint32_t i = (uint32_t)blen; i < len; i++)
		if (data[i])
			return false;
	return true;
}

static int expr_cb(struct nftnl_expr *e, void *data)
{
	struct rule_view *v = data;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	uint32_t key = v->key, len = 0;
	const char *d;

	v->key = 0;
	if (!name)
		return MNL_CB_OK;
	if (strcmp(name, "meta") == 0 && nftnl_expr_is_set(e, NFTNL_EXPR_META_DREG) &&
	    nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG) == NFT_REG_1) {
		v->key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);
	} else if (strcmp(name, "cmp") == 0 &&
		   (key == NFT_META_IIFNAME || key == NFT_META_OIFNAME) &&
		   nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG) == NFT_REG_1 &&
		   nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP) == NFT_CMP_EQ) {
		d = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
		if (is_ifname(d, len, v->bridge))
			v->dirs |= key == NFT_META_IIFNAME ? DIR_IN : DIR_OUT;
		else if (key == NFT_META_OIFNAME && is_ifname(d, len, "docker0"))
			v->to |= RET_DOCKER0;
		else if (key == NFT_META_OIFNAME && d && len == 3 && memcmp(d, "br-", 3) == 0)
			v->to |= RET_BR;
	} else if (strcmp(name, "match") == 0 && nftnl_expr_is_set(e, NFTNL_EXPR_MT_NAME) &&
		   strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME), "comment") == 0) {
		d = nftnl_expr_get(e, NFTNL_EXPR_MT_INFO, &len);
		if (d && len >= sizeof(FOREIGN_TAG) && strnlen(d, len) == strlen(FOREIGN_TAG) &&
		    strcmp(d, FOREIGN_TAG) == 0)
			v->tagged = true;
	}
	return MNL_CB_OK;
}

static int udata_cb(const struct nftnl_udata *attr, void *data)
{
	const char *s = nftnl_udata_get(attr);
	uint8_t len = nftnl_udata_len(attr);

	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT && len == sizeof(FOREIGN_TAG) &&
	    memcmp(s, FOREIGN_TAG, sizeof(FOREIGN_TAG)) == 0)
		*(bool *)data = true;
	return 0;
}

struct rule_scan {
	const char *bridge;
	int ours;      /* DIR_* of our tagged rules found */
	bool named_in; /* some rule matches iifname BRIDGE */
	bool intr;
};

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	_cleanup_(nftnl_rule_freep) struct nftnl_rule *r = nftnl_rule_alloc();
	struct rule_scan *rs = data;
	struct rule_view v = {.bridge = rs->bridge};
	const void *ud;
	uint32_t len = 0;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		rs->intr = true;
	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0)
		return MNL_CB_ERROR;
	nftnl_expr_foreach(r, expr_cb, &v);
	ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
	if (ud && len)
		nftnl_udata_parse(ud, len, udata_cb, &v.tagged);
	if (v.tagged)
		rs->ours |= v.to && v.dirs == DIR_IN ? v.to : v.dirs;
	if ((v.dirs & DIR_IN) && !v.to)
		rs->named_in = true;
	return MNL_CB_OK;
}

/* The rules of one chain, or of a whole table (chain NULL). */
static int scan_rules(struct nl *nl, uint32_t family, const char *table, const char *chain,
		      struct rule_scan *rs, struct mr_err *err)
{
	_cleanup_(nftnl_rule_freep) struct nftnl_rule *r = nftnl_rule_alloc();
	char buf[NL_BUFSZ] = {0};
	struct nlmsghdr *nlh;

	if (!r || nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table) < 0 ||
	    (chain && nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain) < 0))
		return mr_error(err, ENOMEM, "nftables rule dump"), -ENOMEM;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, (uint16_t)family, NLM_F_DUMP, nl->seq++);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	return nl_talk(nl, nlh, rule_cb, rs, err);
}

/* ---- writing: our rules in DOCKER-USER, the way iptables-nft writes them ---- */

/* Expression helpers: each returns false when out of memory. */
static struct nftnl_expr *expr(struct nftnl_rule *r, const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	if (e)
		nftnl_rule_add_expr(r, e); /* the rule owns it now */
	return e;
}

/* -i/-o BRIDGE: meta load into register 1, compare strlen + 1 bytes. */
/* An interface name compare, as iptables-nft writes it: the name and its
 * NUL (exact), or only the prefix's bytes (`-o br-+`). */
static bool put_ifcmp(struct nftnl_rule *r, uint32_t key, const char *name, bool prefix)
{
	struct nftnl_expr *m = expr(r, "meta"), *c;

	if (!m)
		return false;
	nftnl_expr_set_u32(m, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(m, NFTNL_EXPR_META_DREG, NFT_REG_1);
	c = expr(r, "cmp");
	if (!c)
		return false;
	nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	return nftnl_expr_set_data(c, NFTNL_EXPR_CMP_DATA, name,
				   (uint32_t)strlen(name) + (prefix ? 0 : 1)) == 0;
}

static bool put_ifname(struct nftnl_rule *r, uint32_t key, const char *bridge)
{
	return put_ifcmp(r, key, bridge, false);
}

/* -m conntrack --ctstate RELATED,ESTABLISHED,DNAT, as xtables' own match
 * (nft_compat): iptables cannot read nft's native `ct` expressions, and a
 * chain it cannot read breaks `iptables -L/-S/-C`, which Docker relies on.
 * DNAT is xt_conntrack's virtual state "the destination was rewritten", i.e.
 * a connection to a published port. */
static bool put_ctstate(struct nftnl_rule *r)
{
	const uint32_t len = XT_ALIGN(sizeof(struct xt_conntrack_mtinfo3));
	struct nftnl_expr *e = expr(r, "match");
	struct xt_conntrack_mtinfo3 *info;

	if (!e || nftnl_expr_set_str(e, NFTNL_EXPR_MT_NAME, "conntrack") < 0)
		return false;
	nftnl_expr_set_u32(e, NFTNL_EXPR_MT_REV, 3);
	info = calloc(1, len);
	if (!info)
		return false;
	info->match_flags = XT_CONNTRACK_STATE;
	info->state_mask = XT_CONNTRACK_STATE_BIT(IP_CT_RELATED) |
			   XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED) | XT_CONNTRACK_STATE_DNAT;
	/* Unlike other attributes, libnftnl keeps this pointer (no copy) and
	 * frees it with the expression. */
	nftnl_expr_set_data(e, NFTNL_EXPR_MT_INFO, info, len);
	return true;
}

/* counter, then -j ACCEPT. */
static bool put_verdict(struct nftnl_rule *r, int verdict)
{
	struct nftnl_expr *e;

	if (!expr(r, "counter") || !(e = expr(r, "immediate")))
		return false;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	return true;
}

static bool put_oifname(struct nftnl_rule *r, const char *name, bool prefix)
{
	return put_ifcmp(r, NFT_META_OIFNAME, name, prefix);
}

/* -m comment --comment minirun, kept where nft and iptables both read it. */
static bool put_tag(struct nftnl_rule *r)
{
	struct nftnl_udata_buf *ud = nftnl_udata_buf_alloc(64);
	bool ok;

	if (!ud)
		return false;
	ok = nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, FOREIGN_TAG) &&
	     nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud),
				 nftnl_udata_buf_len(ud)) == 0;
	nftnl_udata_buf_free(ud);
	return ok;
}

/* DIR_IN: what the containers send (out, to each other, to published ports).
 * DIR_OUT: answers to that, and new connections to published ports; not a
 * LAN neighbour routing straight to a container's address (issue 5), which
 * falls through to Docker's rules and the policy drop. */
/* to (DIR_IN only): traffic towards Docker's own bridges (docker0, br-*)
 * is handed back to Docker's rules (RETURN) rather than accepted: they
 * decide what reaches Docker's containers (published ports only), as for
 * any other network. */
static struct nftnl_rule *docker_rule(const char *bridge, int dir, const char *to, bool prefix)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		return NULL;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
	if (nftnl_rule_set_str(r, NFTNL_RULE_TABLE, DOCKER_TABLE) < 0 ||
	    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, DOCKER_CHAIN) < 0 ||
	    !put_ifname(r, dir == DIR_IN ? NFT_META_IIFNAME : NFT_META_OIFNAME, bridge) ||
	    (to && !put_oifname(r, to, prefix)) || (dir == DIR_OUT && !put_ctstate(r)) ||
	    !put_verdict(r, to ? NFT_RETURN : NF_ACCEPT) || !put_tag(r)) {
		nftnl_rule_free(r);
		return NULL;
	}
	return r;
}

static void batch_stopp(struct mnl_nlmsg_batch **b)
{
	if (*b)
		mnl_nlmsg_batch_stop(*b);
}

/* --explain: docker_rule() as the iptables command that inserts it at the top. */
static void explain_docker_rule(const char *bridge, int dir, const char *to, bool prefix)
{
	char out[IFNAMSIZ + 1];

	if (dir == DIR_OUT) {
		EXPLAIN(EXPLAIN_HOST, "iptables", "-I", DOCKER_CHAIN, "-o", bridge, "-m",
			"conntrack", "--ctstate", "RELATED,ESTABLISHED,DNAT", "-m", "comment",
			"--comment", FOREIGN_TAG, "-j", "ACCEPT");
	} else if (!to) {
		EXPLAIN(EXPLAIN_HOST, "iptables", "-I", DOCKER_CHAIN, "-i", bridge, "-m", "comment",
			"--comment", FOREIGN_TAG, "-j", "ACCEPT");
	} else {
		snprintf(out, sizeof(out), "%s%s", to, prefix ? "+" : "");
		EXPLAIN(EXPLAIN_HOST, "iptables", "-I", DOCKER_CHAIN, "-i", bridge, "-o", out, "-m",
			"comment", "--comment", FOREIGN_TAG, "-j", "RETURN");
	}
}

/* Insert the rules in missing (DIR_*) at the top of DOCKER-USER, in one batch
 * that the kernel refuses with -ERESTART if the ruleset is no longer
 * generation genid. Final order: the DIR_IN rule, then the DIR_OUT rule. */
static int insert_rules(struct nl *nl, const char *bridge, int missing, uint32_t genid,
			struct mr_err *err)
{
	/* each goes to the top, so the last inserted comes first: the RETURNs
	 * for Docker's bridges, then -i BRIDGE accept, then -o BRIDGE */
	static const struct {
		int dir;
		const char *to;
		bool prefix;
		int bit;
	} order[] = {
	    {DIR_OUT, NULL, false, DIR_OUT},
	    {DIR_IN, NULL, false, DIR_IN},
	    {DIR_IN, "br-", true, RET_BR},
	    {DIR_IN, "docker0", false, RET_DOCKER0},
	};
	_cleanup_free_ char *buf = calloc(2, BATCH_LIMIT); /* zeroed: padding goes out as is */
	_cleanup_(batch_stopp) struct mnl_nlmsg_batch *b = NULL;
	uint32_t first = 0, last = 0;
	struct nlmsghdr *nlh;

	if (!buf || !(b = mnl_nlmsg_batch_start(buf, BATCH_LIMIT)))
		return mr_error(err, ENOMEM, "nftables batch"), -ENOMEM;
	nlh = nftnl_batch_begin(mnl_nlmsg_batch_current(b), nl->seq++);
	mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(genid));
	mnl_nlmsg_batch_next(b);
	explain_note("Docker's FORWARD chain drops by policy; minirun's rules go to the top of "
		     "its " DOCKER_CHAIN " chain (one batch; each -I puts its rule first):");
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		_cleanup_(nftnl_rule_freep) struct nftnl_rule *r = NULL;
		uint32_t seq;

		if (!(missing & order[i].bit))
			continue;
		if (!(r = docker_rule(bridge, order[i].dir, order[i].to, order[i].prefix)))
			return mr_error(err, ENOMEM, "build nftables rule"), -ENOMEM;
		if (explain_on())
			explain_docker_rule(bridge, order[i].dir, order[i].to, order[i].prefix);
		seq = nl->seq++;
		if (!first)
			first = seq;
		last = seq;
		/* CREATE without APPEND and without a position: insert at the top. */
		nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_NEWRULE,
					    NFPROTO_IPV4, NLM_F_CREATE | NLM_F_ACK, seq);
		nftnl_rule_nlmsg_build_payload(nlh, r);
		if (!mnl_nlmsg_batch_next(b))
			return mr_error(err, EMSGSIZE, "nftables batch too large"), -EMSGSIZE;
	}
	nftnl_batch_end(mnl_nlmsg_batch_current(b), nl->seq++);
	mnl_nlmsg_batch_next(b);
	return nl_batch_talk(nl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b), first, last,
			     NULL, err);
}

/* ---- the warning ---- */

static char *warning_text(const struct chain_scan *sc, const char *bridge)
{
	char *text = NULL;
	size_t len = 0, shown = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < sc->n; i++) {
		const struct blocker *b = &sc->found[i];
		bool ipfilter = b->family == NFPROTO_IPV4 && strcmp(b->table, DOCKER_TABLE) == 0;

		if (b->handled)
			continue;
		fprintf(f, "%sthe %s chain of table %s %s drops forwarded traffic (policy drop)%s",
			shown++ ? "; " : "", b->chain, family_name(b->family), b->table,
			ipfilter ? " and offers no " DOCKER_CHAIN " chain" : "");
	}
	if (sc->more)
		fprintf(f, "%s%zu more base chains drop forwarded traffic (policy drop)",
			shown++ ? "; and " : "", sc->more);
	fprintf(f, "; containers on %s cannot reach the outside: allow %s there", bridge, bridge);
	if (fclose(f) != 0 || !shown) {
		free(text);
		return NULL;
	}
	return text;
}

/* ---- the whole step ---- */

/* fix: insert our DOCKER-USER rules where missing; else only say so. */
static int scan_and_fix(struct nl *nl, const char *bridge, bool fix, char **warning,
			struct foreign_docker *docker_seen, struct mr_err *err)
{
	*warning = NULL;
	if (docker_seen)
		*docker_seen = (struct foreign_docker){0};
	if (!bridge || !*bridge || strlen(bridge) >= IFNAMSIZ)
		return mr_error(err, EINVAL, "foreign firewalls: bad bridge name"), -EINVAL;

	for (int tries = 1;; tries++) {
		struct chain_scan sc;
		struct rule_scan docker = {.bridge = bridge};
		bool retry = false, need_docker = false;
		uint32_t genid = 0;
		int r;

		if (tries > MAX_TRIES)
			return mr_error(
				   err, EAGAIN,
				   "foreign firewalls: the ruleset kept changing while we read it"),
			       -EAGAIN;
		if ((r = get_genid(nl, &genid, err)) < 0 || (r = scan_chains(nl, &sc, err)) < 0) {
			mr_error_wrap(err, "read the nftables ruleset");
			return r;
		}
		retry = sc.intr;
		for (size_t i = 0; i < sc.n && !retry; i++) {
			struct blocker *b = &sc.found[i];
			struct rule_scan rs = {.bridge = bridge};

			if (b->family == NFPROTO_IPV4 && strcmp(b->table, DOCKER_TABLE) == 0 &&
			    sc.docker_user) {
				b->handled = need_docker = true;
				continue;
			}
			/* Someone already wrote a rule for the bridge there: their call. */
			if ((r = scan_rules(nl, b->family, b->table, NULL, &rs, err)) < 0) {
				mr_error_wrap(err, "read table %s %s", family_name(b->family),
					      b->table);
				return r;
			}
			b->handled = rs.named_in;
			retry = rs.intr;
		}
		if (!retry && need_docker) {
			r = scan_rules(nl, NFPROTO_IPV4, DOCKER_TABLE, DOCKER_CHAIN, &docker, err);
			if (r < 0) {
				mr_error_wrap(err, "read chain " DOCKER_CHAIN " of table ip %s",
					      DOCKER_TABLE);
				return r;
			}
			retry = docker.intr;
			if (!retry && docker.ours != OURS_ALL && !fix) {
				if (docker_seen)
					docker_seen->missing = true;
			} else if (!retry && docker.ours != OURS_ALL) {
				r = insert_rules(nl, bridge, OURS_ALL & ~docker.ours, genid, err);
				if (r == -ERESTART) { /* the ruleset changed since we looked */
					mr_error_clear(err);
					retry = true;
				} else if (r < 0) {
					mr_error_wrap(err,
						      "allow %s in chain " DOCKER_CHAIN
						      " of table ip %s",
						      bridge, DOCKER_TABLE);
					return r;
				}
			}
		}
		if (retry)
			continue;
		if (docker_seen)
			docker_seen->hop = need_docker;
		*warning = warning_text(&sc, bridge);
		return 0;
	}
}

int foreign_allow_bridge(struct nl *nl, const char *bridge, char **warning, struct mr_err *err)
{
	return scan_and_fix(nl, bridge, true, warning, NULL, err);
}

int foreign_check(struct nl *nl, const char *bridge, char **warning, struct foreign_docker *docker,
		  struct mr_err *err)
{
	return scan_and_fix(nl, bridge, false, warning, docker, err);
}
