/* ipam.c - the JSON lease file of the bridge network.
 *
 * {
 *   "subnet": "10.99.0.0/16", "last": "10.99.0.7", "checked": "10.99.0.4",
 *   "leases": { "10.99.0.2": { "id": "...", "owner": 4242, "owner_start": 98765,
 *                "ports": [ { "proto": "tcp", "host_ip": "0.0.0.0",
 *                             "host_port": 8080, "container_port": 80 } ] } }
 * }
 */
#include "ipam.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/fd.h"
#include "portmap.h"

#define IPAM_FILE "ipam.json"
#define IPAM_LOCK "ipam.lock"

struct ipam {
	int rootfd;  /* -1 for in-memory */
	int lockfd;  /* held flock */
	json_t *doc; /* the whole file */
	bool dirty;
};

static struct ipam *ipam_new(json_t *doc)
{
	struct ipam *ip = calloc(1, sizeof(*ip));

	if (!ip)
		return NULL;
	ip->rootfd = ip->lockfd = -1;
	ip->doc = doc;
	if (!json_is_object(json_object_get(doc, "leases")))
		json_object_set_new(doc, "leases", json_object());
	return ip;
}

static void ipam_free(struct ipam *ip)
{
	if (!ip)
		return;
	json_decref(ip->doc);
	if (ip->lockfd >= 0)
		close(ip->lockfd); /* releases the flock */
	free(ip);
}

static json_t *parse_doc(const char *text, struct mr_err *err)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr);

	if (!doc)
		return mr_error(err, 0, "%s: corrupt: %s (line %d)", IPAM_FILE, jerr.text,
				jerr.line),
		       NULL;
	if (!json_is_object(doc) ||
	    (json_object_get(doc, "leases") && !json_is_object(json_object_get(doc, "leases")))) {
		json_decref(doc);
		return mr_error(err, 0, "%s: corrupt: not a lease file", IPAM_FILE), NULL;
	}
	return doc;
}

int ipam_open(int rootfd, struct ipam **out, struct mr_err *err)
{
	_cleanup_close_ int lock =
	    openat(rootfd, IPAM_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	_cleanup_free_ char *text = NULL;
	json_t *doc;
	struct ipam *ip;

	if (lock < 0)
		return mr_error(err, errno, "open %s", IPAM_LOCK);
	while (flock(lock, LOCK_EX) < 0)
		if (errno != EINTR)
			return mr_error(err, errno, "lock %s", IPAM_LOCK);
	if (read_file_at(rootfd, IPAM_FILE, &text, NULL) < 0) {
		if (errno != ENOENT)
			return mr_error(err, errno, "read %s", IPAM_FILE);
		doc = json_object();
	} else {
		doc = parse_doc(text, err);
		if (!doc)
			return -1;
	}
	ip = ipam_new(doc);
	if (!ip) {
		json_decref(doc);
		return mr_error(err, ENOMEM, "ipam");
	}
	ip->rootfd = rootfd;
	ip->lockfd = TAKE_FD(lock);
	*out = ip;
	return 0;
}

int ipam_commit(struct ipam *ip, struct mr_err *err)
{
	int r = 0;

	if (ip->dirty && ip->rootfd >= 0) {
		_cleanup_free_ char *text = ipam_to_string(ip);
		r = text ? write_file_atomic(ip->rootfd, IPAM_FILE, text, strlen(text), 0600, err)
			 : mr_error(err, ENOMEM, "ipam");
	}
	ipam_free(ip);
	return r;
}

void ipam_close(struct ipam *ip)
{
	ipam_free(ip);
}

struct ipam *ipam_from_string(const char *text, struct mr_err *err)
{
	json_t *doc = text ? parse_doc(text, err) : json_object();
	struct ipam *ip;

	if (!doc)
		return NULL;
	ip = ipam_new(doc);
	if (!ip)
		json_decref(doc);
	return ip;
}

char *ipam_to_string(const struct ipam *ip)
{
	/* Compact: at 500 leases the indented file is half again as big, and
	 * every start reads and writes it whole (`jq . ipam.json` shows it
	 * indented). */
	return json_dumps(ip->doc, JSON_COMPACT | JSON_SORT_KEYS);
}

static int parse_cidr(const char *s, struct in_addr *net, int *prefix)
{
	char buf[32];
	char *slash, *end;
	long p;

	if (!s || strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	p = strtol(slash + 1, &end, 10);
	if (*end || p < 8 || p > 30 || inet_pton(AF_INET, buf, net) != 1)
		return -1;
	*prefix = (int)p;
	return 0;
}

bool ipam_get_subnet(const struct ipam *ip, struct in_addr *subnet, int *prefix)
{
	return parse_cidr(json_string_value(json_object_get(ip->doc, "subnet")), subnet, prefix) ==
	       0;
}

int ipam_set_subnet(struct ipam *ip, struct in_addr subnet, int prefix, struct mr_err *err)
{
	char a[INET_ADDRSTRLEN], cidr[48];

	inet_ntop(AF_INET, &subnet, a, sizeof(a));
	snprintf(cidr, sizeof(cidr), "%s/%d", a, prefix);
	if (json_object_set_new(ip->doc, "subnet", json_string(cidr)) < 0)
		return mr_error(err, ENOMEM, "ipam");
	ip->dirty = true;
	return 0;
}

static json_t *leases(const struct ipam *ip)
{
	return json_object_get(ip->doc, "leases");
}

static const char *lease_of(const struct ipam *ip, const char *id)
{
	const char *key;
	json_t *l;

	json_object_foreach (leases(ip), key, l) {
		const char *lid = json_string_value(json_object_get(l, "id"));
		if (lid && strcmp(lid, id) == 0)
			return key;
	}
	return NULL;
}

static int add_lease(struct ipam *ip, const char *id, uint32_t addr, pid_t owner,
		     unsigned long long start, struct in_addr *out, struct mr_err *err)
{
	char a[INET_ADDRSTRLEN];
	json_t *l = json_object();

	out->s_addr = htonl(addr);
	inet_ntop(AF_INET, out, a, sizeof(a));
	json_object_set_new(l, "id", json_string(id));
	json_object_set_new(l, "owner", json_integer(owner));
	json_object_set_new(l, "owner_start", json_integer((json_int_t)start));
	json_object_set_new(l, "ports", json_array());
	if (json_object_set_new(leases(ip), a, l) < 0 ||
	    json_object_set_new(ip->doc, "last", json_string(a)) < 0)
		return mr_error(err, ENOMEM, "ipam");
	ip->dirty = true;
	return 0;
}

int ipam_lease(struct ipam *ip, const char *id, struct in_addr want, pid_t owner,
	       unsigned long long owner_start, struct in_addr *out, struct mr_err *err)
{
	struct in_addr net, last;
	int prefix;
	uint32_t first, final, cur, size;
	char a[INET_ADDRSTRLEN];

	if (!ipam_get_subnet(ip, &net, &prefix))
		return mr_error(err, 0, "%s: no subnet", IPAM_FILE);
	size = 1U << (32 - prefix);
	first = ntohl(net.s_addr) + 2;	      /* skip the network address and the gateway */
	final = ntohl(net.s_addr) + size - 2; /* and the broadcast address */
	if (want.s_addr) {
		uint32_t w = ntohl(want.s_addr);
		inet_ntop(AF_INET, &want, a, sizeof(a));
		if (w < first || w > final)
			return mr_error(err, 0, "--ip %s: not a free host address of %s/%d", a,
					inet_ntoa(net), prefix);
		if (json_object_get(leases(ip), a))
			return mr_error(err, 0, "--ip %s: address already in use", a);
		return add_lease(ip, id, w, owner, owner_start, out, err);
	}
	cur = first;
	if (inet_pton(AF_INET, json_string_value(json_object_get(ip->doc, "last")) ?: "", &last) ==
		1 &&
	    ntohl(last.s_addr) >= first && ntohl(last.s_addr) < final)
		cur = ntohl(last.s_addr) + 1;
	for (uint32_t tries = 0; tries <= final - first; tries++) {
		struct in_addr c = {.s_addr = htonl(cur)};
		inet_ntop(AF_INET, &c, a, sizeof(a));
		if (!json_object_get(leases(ip), a))
			return add_lease(ip, id, cur, owner, owner_start, out, err);
		cur = cur >= final ? first : cur + 1;
	}
	return mr_error(err, 0, "no free address left in %s/%d", inet_ntoa(net), prefix);
}

static int port_from_json(json_t *p, struct nft_port *np)
{
	const char *proto = json_string_value(json_object_get(p, "proto"));
	const char *hip = json_string_value(json_object_get(p, "host_ip"));

	if (!proto || !hip || inet_pton(AF_INET, hip, &np->host_ip) != 1)
		return -1;
	np->proto = strcmp(proto, "udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP;
	np->host_port = (uint16_t)json_integer_value(json_object_get(p, "host_port"));
	np->cont_port = (uint16_t)json_integer_value(json_object_get(p, "container_port"));
	return 0;
}

bool ipam_port_taken(const struct ipam *ip, uint8_t proto, struct in_addr host_ip, uint16_t port)
{
	const char *key;
	json_t *l, *p;
	size_t i;

	json_object_foreach (leases(ip), key, l) {
		json_array_foreach (json_object_get(l, "ports"), i, p) {
			struct nft_port np;
			if (port_from_json(p, &np) < 0)
				continue;
			if (np.proto == proto && np.host_port == port &&
			    (np.host_ip.s_addr == INADDR_ANY || host_ip.s_addr == INADDR_ANY ||
			     np.host_ip.s_addr == host_ip.s_addr))
				return true;
		}
	}
	return false;
}

int ipam_add_ports(struct ipam *ip, const char *id, const struct nft_port *ports, size_t n,
		   struct mr_err *err)
{
	const char *key = lease_of(ip, id);
	json_t *arr;

	if (!key)
		return mr_error(err, 0, "ipam: no lease for %.12s", id);
	arr = json_object_get(json_object_get(leases(ip), key), "ports");
	for (size_t i = 0; i < n; i++) {
		char a[INET_ADDRSTRLEN];
		json_t *p = json_object();
		json_object_set_new(p, "proto", json_string(portmap_proto_name(ports[i].proto)));
		json_object_set_new(
		    p, "host_ip", json_string(inet_ntop(AF_INET, &ports[i].host_ip, a, sizeof(a))));
		json_object_set_new(p, "host_port", json_integer(ports[i].host_port));
		json_object_set_new(p, "container_port", json_integer(ports[i].cont_port));
		if (json_array_append_new(arr, p) < 0)
			return mr_error(err, ENOMEM, "ipam");
	}
	ip->dirty = true;
	return 0;
}

bool ipam_holds(const struct ipam *ip, const char *id)
{
	return lease_of(ip, id) != NULL;
}

void ipam_release(struct ipam *ip, const char *id)
{
	const char *key = lease_of(ip, id);

	if (key && json_object_del(leases(ip), key) == 0)
		ip->dirty = true;
}

int ipam_reclaim(struct ipam *ip, bool (*alive)(pid_t, unsigned long long), struct nft_port **stale,
		 size_t *n_stale)
{
	const char *key;
	json_t *l, *p;
	void *tmp;
	size_t i;

	json_object_foreach_safe(leases(ip), tmp, key, l)
	{
		pid_t owner = (pid_t)json_integer_value(json_object_get(l, "owner"));
		unsigned long long start =
		    (unsigned long long)json_integer_value(json_object_get(l, "owner_start"));
		struct in_addr cip;

		if (alive(owner, start))
			continue;
		inet_pton(AF_INET, key, &cip);
		json_array_foreach (json_object_get(l, "ports"), i, p) {
			struct nft_port np = {0}, *grown;
			if (port_from_json(p, &np) < 0)
				continue;
			np.cont_ip = cip;
			grown = realloc(*stale, (*n_stale + 1) * sizeof(**stale));
			if (!grown)
				return -1;
			*stale = grown;
			(*stale)[(*n_stale)++] = np;
		}
		json_object_del(leases(ip), key);
		ip->dirty = true;
	}
	return 0;
}

/* Call cb with the view of one lease (key: its address). 1: not a lease
 * (skipped), else what cb returned. */
static int visit(const char *key, json_t *l, int (*cb)(const struct ipam_lease *, void *),
		 void *data)
{
	json_t *ports = json_object_get(l, "ports"), *p;
	struct nft_port *np = calloc(json_array_size(ports) + 1, sizeof(*np));
	struct ipam_lease view = {
	    .id = json_string_value(json_object_get(l, "id")),
	    .owner = (pid_t)json_integer_value(json_object_get(l, "owner")),
	    .owner_start =
		(unsigned long long)json_integer_value(json_object_get(l, "owner_start")),
	    .ports = np,
	};
	size_t i;
	int r;

	if (!np)
		return -1;
	if (!view.id || inet_pton(AF_INET, key, &view.ip) != 1) {
		free(np);
		return 1;
	}
	json_array_foreach (ports, i, p) {
		if (port_from_json(p, &np[view.n_ports]) == 0)
			np[view.n_ports++].cont_ip = view.ip;
	}
	r = cb(&view, data);
	free(np);
	return r;
}

int ipam_foreach(const struct ipam *ip, int (*cb)(const struct ipam_lease *, void *), void *data)
{
	const char *key;
	json_t *l;

	json_object_foreach (leases(ip), key, l) {
		int r = visit(key, l, cb, data);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A lease's address as a number, for the turn order (0: not an address). */
static uint32_t key_addr(const char *key)
{
	struct in_addr a;
	return inet_pton(AF_INET, key ?: "", &a) == 1 ? ntohl(a.s_addr) : 0;
}

struct turn {
	uint32_t addr;
	const char *key;
};

static int cmp_turn(const void *a, const void *b)
{
	uint32_t x = ((const struct turn *)a)->addr, y = ((const struct turn *)b)->addr;
	return x < y ? -1 : x > y;
}

int ipam_foreach_some(struct ipam *ip, size_t max, int (*cb)(const struct ipam_lease *, void *),
		      void *data)
{
	size_t n = json_object_size(leases(ip)), k = 0, start = 0;
	_cleanup_free_ struct turn *t = NULL;
	const char *key;
	uint32_t after;
	json_t *l;
	int r = 0;

	if (max >= n)
		return ipam_foreach(ip, cb, data);
	if (max == 0)
		return 0;
	t = calloc(n, sizeof(*t));
	if (!t)
		return -1;
	json_object_foreach (leases(ip), key, l)
		t[k++] = (struct turn){key_addr(key), key};
	qsort(t, n, sizeof(*t), cmp_turn);
	/* Go on after the lease the last turn ended at (gone or not). */
	after = key_addr(json_string_value(json_object_get(ip->doc, "checked")));
	while (start < n && t[start].addr <= after)
		start++;
	for (size_t i = 0; i < max && r >= 0; i++) {
		key = t[(start + i) % n].key;
		r = visit(key, json_object_get(leases(ip), key), cb, data);
	}
	if (json_object_set_new(ip->doc, "checked", json_string(t[(start + max - 1) % n].key)) < 0)
		return -1;
	ip->dirty = true;
	return r < 0 ? r : 0;
}

size_t ipam_count(const struct ipam *ip)
{
	return json_object_size(leases(ip));
}
