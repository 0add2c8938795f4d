/* ipam.c - the leases of the bridge network, one small file each.
 *
 *   ROOT/ipam.lock                  flock'd by every change
 *   ROOT/ipam/network.json          {"subnet": "10.99.0.0/16", "last": "10.99.0.7",
 *                                    "checked": "10.99.0.4"}
 *   ROOT/ipam/leases/10.99.0.2      {"id": "...", "owner": 4242, "owner_start": 98765,
 *                                    "ports": [{"proto": "tcp", "host_ip": "0.0.0.0",
 *                                               "host_port": 8080, "container_port": 80}]}
 *   ROOT/ipam/ports/tcp-8080/0.0.0.0  "10.99.0.2": the lease that holds the port
 *
 * A start reads and writes its own lease and claims only, so its cost does
 * not grow with the number of containers (the one file of all leases it
 * replaced was parsed and written whole on every start: 2.4 ms at 500).
 * The lease file is the truth; a claim is an index to it, and counts only
 * while the lease it names lists its port. So the order of writes makes a
 * crash harmless: claims before their lease, the lease before its claims go.
 * Files are written as a temporary file in ROOT (which `gc` sweeps after a
 * killed writer) and renamed into place; a new lease with RENAME_NOREPLACE.
 */
#include "ipam.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/fd.h"
#include "portmap.h"

#define IPAM_LOCK "ipam.lock"
#define IPAM_DIR "ipam"
#define IPAM_NET "network.json"
#define IPAM_OLD "ipam.json" /* the one file of every lease, before */

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

struct ipam {
	int rootfd;
	int lockfd; /* held flock */
	int dirfd, leasesfd, portsfd;
	json_t *net; /* network.json */
	bool dirty;
};

void ipam_lease_free(struct ipam_lease *l)
{
	free(l->ports);
	l->ports = NULL;
	l->n_ports = 0;
}

static void ipam_free(struct ipam *ip)
{
	if (!ip)
		return;
	json_decref(ip->net);
	for (int *fd = &ip->dirfd; fd <= &ip->portsfd; fd++)
		if (*fd >= 0)
			close(*fd);
	if (ip->lockfd >= 0)
		close(ip->lockfd); /* releases the flock */
	free(ip);
}

/* ---------------------------------------------------------------- files */

/* text into dirfd/name: a temporary file in ROOT renamed into place
 * (noreplace: fails with EEXIST if name exists). */
static int put_file(const struct ipam *ip, int dirfd, const char *name, const char *text,
		    bool noreplace, struct mr_err *err)
{
	char tmp[64];
	_cleanup_close_ int fd = -1;

	snprintf(tmp, sizeof(tmp), ".ipam-%s.tmp.%d", name, (int)getpid());
	fd = openat(ip->rootfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return mr_error(err, errno, "create %s", tmp);
	if (write_all(fd, text, strlen(text)) < 0 ||
	    renameat2(ip->rootfd, tmp, dirfd, name, noreplace ? RENAME_NOREPLACE : 0) < 0) {
		int e = errno;
		unlinkat(ip->rootfd, tmp, 0);
		return e == EEXIST ? -EEXIST : mr_error(err, e, "write %s/%s", IPAM_DIR, name);
	}
	return 0;
}

/* dirfd/name, made if missing. */
static int open_dir(int dirfd, const char *name, struct mr_err *err)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0 && errno == ENOENT) {
		if (mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST)
			return mr_error(err, errno, "mkdir %s", name);
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0)
		return mr_error(err, errno, "open %s", name);
	return fd;
}

/* ---------------------------------------------------------------- a lease */

static const char *addr_s(struct in_addr a, char buf[INET_ADDRSTRLEN])
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static int port_from_json(json_t *p, struct nft_port *np)
{
	const char *proto = json_string_value(json_object_get(p, "proto"));
	const char *hip = json_string_value(json_object_get(p, "host_ip"));
	json_t *hport = json_object_get(p, "host_port"),
	       *cport = json_object_get(p, "container_port");

	if (!proto || !hip || inet_pton(AF_INET, hip, &np->host_ip) != 1 ||
	    (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0) || !json_is_integer(hport) ||
	    !json_is_integer(cport) || json_integer_value(hport) < 1 ||
	    json_integer_value(hport) > 65535 || json_integer_value(cport) < 1 ||
	    json_integer_value(cport) > 65535)
		return -1;
	np->proto = strcmp(proto, "udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP;
	np->host_port = (uint16_t)json_integer_value(hport);
	np->cont_port = (uint16_t)json_integer_value(cport);
	return 0;
}

int ipam_lease_parse(const char *text, const char *name, struct in_addr addr, struct ipam_lease *l,
		     struct mr_err *err)
{
	json_error_t jerr;
	_cleanup_(json_decrefp) json_t *doc = json_loads(text, 0, &jerr);
	json_t *ports, *p, *owner, *start;
	const char *id;
	size_t i;

	memset(l, 0, sizeof(*l));
	if (!doc)
		return mr_error(err, 0, "%s: corrupt: %s (line %d)", name, jerr.text, jerr.line);
	id = json_string_value(json_object_get(doc, "id"));
	owner = json_object_get(doc, "owner");
	start = json_object_get(doc, "owner_start");
	ports = json_object_get(doc, "ports");
	if (!id || !*id || strlen(id) > IPAM_ID_MAX || !json_is_integer(owner) ||
	    json_integer_value(owner) < 0 || json_integer_value(owner) > INT32_MAX ||
	    !json_is_integer(start) || json_integer_value(start) < 0 || !json_is_array(ports))
		return mr_error(err, 0, "%s: corrupt: not a lease", name);
	strcpy(l->id, id);
	l->ip = addr;
	l->owner = (pid_t)json_integer_value(owner);
	l->owner_start = (unsigned long long)json_integer_value(start);
	l->ports = calloc(json_array_size(ports) + 1, sizeof(*l->ports));
	if (!l->ports)
		return mr_error(err, ENOMEM, "%s", name);
	json_array_foreach (ports, i, p) {
		if (port_from_json(p, &l->ports[i]) < 0) {
			ipam_lease_free(l);
			return mr_error(err, 0, "%s: corrupt: port %zu", name, i + 1);
		}
		l->ports[i].cont_ip = addr;
		l->n_ports++;
	}
	return 0;
}

char *ipam_lease_format(const struct ipam_lease *l)
{
	_cleanup_(json_decrefp) json_t *doc = json_object();
	json_t *ports = json_array();
	char a[INET_ADDRSTRLEN];

	if (!doc || !ports || json_object_set_new(doc, "ports", ports) < 0)
		return NULL;
	json_object_set_new(doc, "id", json_string(l->id));
	json_object_set_new(doc, "owner", json_integer(l->owner));
	json_object_set_new(doc, "owner_start", json_integer((json_int_t)l->owner_start));
	for (size_t i = 0; i < l->n_ports; i++) {
		const struct nft_port *np = &l->ports[i];
		json_t *p = json_object();
		json_object_set_new(p, "proto", json_string(portmap_proto_name(np->proto)));
		json_object_set_new(p, "host_ip", json_string(addr_s(np->host_ip, a)));
		json_object_set_new(p, "host_port", json_integer(np->host_port));
		json_object_set_new(p, "container_port", json_integer(np->cont_port));
		if (json_array_append_new(ports, p) < 0)
			return NULL;
	}
	return json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
}

/* The lease of addr: 0, -ENOENT (none), or -1 with err (corrupt, unreadable). */
static int read_lease(const struct ipam *ip, struct in_addr addr, struct ipam_lease *l,
		      struct mr_err *err)
{
	char a[INET_ADDRSTRLEN], name[48];
	_cleanup_free_ char *text = NULL;

	addr_s(addr, a);
	if (read_file_at(ip->leasesfd, a, &text, NULL) < 0) {
		memset(l, 0, sizeof(*l));
		return errno == ENOENT ? -ENOENT : mr_error(err, errno, "read ipam/leases/%s", a);
	}
	snprintf(name, sizeof(name), "ipam/leases/%s", a);
	return ipam_lease_parse(text, name, addr, l, err);
}

static int write_lease(const struct ipam *ip, const struct ipam_lease *l, bool noreplace,
		       struct mr_err *err)
{
	_cleanup_free_ char *text = ipam_lease_format(l);
	char a[INET_ADDRSTRLEN];

	if (!text)
		return mr_error(err, ENOMEM, "ipam");
	return put_file(ip, ip->leasesfd, addr_s(l->ip, a), text, noreplace, err);
}

/* ---------------------------------------------------------------- port claims */

static void claim_dir(uint8_t proto, uint16_t port, char dir[24])
{
	snprintf(dir, 24, "%s-%u", portmap_proto_name(proto), port);
}

static bool same_port(const struct nft_port *a, uint8_t proto, struct in_addr host_ip,
		      uint16_t port)
{
	return a->proto == proto && a->host_port == port && a->host_ip.s_addr == host_ip.s_addr;
}

/* Does the claim dirfd/name of proto/port count: does the lease it names
 * list that port? A corrupt lease counts (its port is not handed out). */
static bool claim_holds(const struct ipam *ip, int dirfd, const char *name, uint8_t proto,
			uint16_t port)
{
	_cleanup_free_ char *text = NULL;
	struct in_addr host_ip, owner;
	struct ipam_lease l;
	struct mr_err ignore = {0};
	bool held = false;
	int r;

	if (inet_pton(AF_INET, name, &host_ip) != 1 || read_file_at(dirfd, name, &text, NULL) < 0 ||
	    inet_pton(AF_INET, text, &owner) != 1)
		return false;
	r = read_lease(ip, owner, &l, &ignore);
	mr_error_clear(&ignore);
	if (r == -1)
		return true;
	for (size_t i = 0; i < l.n_ports && !held; i++)
		held = same_port(&l.ports[i], proto, host_ip, port);
	ipam_lease_free(&l);
	return held;
}

bool ipam_port_taken(const struct ipam *ip, uint8_t proto, struct in_addr host_ip, uint16_t port)
{
	char dir[24], a[INET_ADDRSTRLEN];
	_cleanup_close_ int fd = -1;
	bool taken = false;

	claim_dir(proto, port, dir);
	fd = openat(ip->portsfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno != ENOENT;	  /* no claim of this port at all: the usual case */
	if (host_ip.s_addr != INADDR_ANY) /* this address, or every address */
		return claim_holds(ip, fd, addr_s(host_ip, a), proto, port) ||
		       claim_holds(ip, fd, "0.0.0.0", proto, port);
	/* Every address: any claim of this port overlaps. */
	_cleanup_(closedirp) DIR *d = fdopendir(TAKE_FD(fd));
	struct dirent *de;

	if (!d)
		return true;
	while (!taken && (de = readdir(d)))
		if (de->d_name[0] != '.')
			taken = claim_holds(ip, dirfd(d), de->d_name, proto, port);
	return taken;
}

static int claim_ports(const struct ipam *ip, const struct nft_port *ports, size_t n,
		       struct in_addr owner, struct mr_err *err)
{
	char dir[24], a[INET_ADDRSTRLEN], o[INET_ADDRSTRLEN];

	addr_s(owner, o);
	for (size_t i = 0; i < n; i++) {
		_cleanup_close_ int fd = -1;
		claim_dir(ports[i].proto, ports[i].host_port, dir);
		fd = open_dir(ip->portsfd, dir, err);
		if (fd < 0 || put_file(ip, fd, addr_s(ports[i].host_ip, a), o, false, err) < 0)
			return -1;
	}
	return 0;
}

static void unclaim_ports(const struct ipam *ip, const struct nft_port *ports, size_t n)
{
	char dir[24], a[INET_ADDRSTRLEN];

	for (size_t i = 0; i < n; i++) {
		_cleanup_close_ int fd = -1;
		claim_dir(ports[i].proto, ports[i].host_port, dir);
		fd = openat(ip->portsfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		unlinkat(fd, addr_s(ports[i].host_ip, a), 0);
		unlinkat(ip->portsfd, dir, AT_REMOVEDIR); /* ENOTEMPTY: others hold it too */
	}
}

/* ---------------------------------------------------------------- open / commit */

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

static json_t *parse_json(const char *text, const char *name, struct mr_err *err)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr);

	if (!doc)
		return mr_error(err, 0, "%s: corrupt: %s (line %d)", name, jerr.text, jerr.line),
		       NULL;
	if (!json_is_object(doc)) {
		json_decref(doc);
		return mr_error(err, 0, "%s: corrupt: not an object", name), NULL;
	}
	return doc;
}

static int ipam_commit_net(struct ipam *ip, struct mr_err *err)
{
	_cleanup_free_ char *text = NULL;

	if (!ip->dirty)
		return 0;
	text = json_dumps(ip->net, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text)
		return mr_error(err, ENOMEM, "ipam");
	if (put_file(ip, ip->dirfd, IPAM_NET, text, false, err) < 0)
		return -1;
	ip->dirty = false;
	return 0;
}

/* The one file of an older minirun into files of their own (under the
 * lock, which both take): each lease with its claims, then the network
 * file (whose presence says the move is done, so a move cut short is done
 * again), then ipam.json is replaced by a note an older minirun refuses as
 * corrupt, rather than start afresh and hand out the same addresses again. */
static int migrate(struct ipam *ip, const char *text, struct mr_err *err)
{
	static const char note[] = "{\"leases\": \"moved to ipam/ (one file per lease) by a newer "
				   "minirun; an older one cannot use this root\"}\n";
	_cleanup_(json_decrefp) json_t *doc = parse_json(text, IPAM_OLD, err);
	json_t *leases = doc ? json_object_get(doc, "leases") : NULL, *l;
	const char *key;

	if (!doc)
		return -1;
	if (json_is_string(leases)) { /* our note: moved before, then ipam/ removed */
		ip->net = json_object();
		return ip->net ? 0 : mr_error(err, ENOMEM, "ipam");
	}
	if (leases && !json_is_object(leases))
		return mr_error(err, 0, "%s: corrupt: not a lease file", IPAM_OLD);
	json_object_foreach (leases, key, l) {
		_cleanup_free_ char *one = json_dumps(l, JSON_COMPACT);
		struct ipam_lease lease;
		struct in_addr a;
		char name[64];
		int r;

		snprintf(name, sizeof(name), "%s: lease %.20s", IPAM_OLD, key);
		if (inet_pton(AF_INET, key, &a) != 1)
			return mr_error(err, 0, "%s: corrupt: not an address", name);
		if (!one || ipam_lease_parse(one, name, a, &lease, err) < 0)
			return one ? -1 : mr_error(err, ENOMEM, "ipam");
		r = claim_ports(ip, lease.ports, lease.n_ports, a, err) < 0 ||
			    write_lease(ip, &lease, false, err) < 0
			? -1
			: 0;
		ipam_lease_free(&lease);
		if (r < 0)
			return -1;
	}
	ip->net = json_object();
	for (const char *const *k = (const char *const[]){"subnet", "last", "checked", NULL}; *k;
	     k++)
		if (json_is_string(json_object_get(doc, *k)))
			json_object_set(ip->net, *k, json_object_get(doc, *k));
	ip->dirty = true;
	if (ipam_commit_net(ip, err) < 0)
		return -1;
	return write_file_atomic(ip->rootfd, IPAM_OLD, note, strlen(note), 0600, err);
}

/* network.json, or the move of an older minirun's ipam.json, or nothing yet. */
static int load_net(struct ipam *ip, struct mr_err *err)
{
	_cleanup_free_ char *text = NULL;

	if (read_file_at(ip->dirfd, IPAM_NET, &text, NULL) == 0) {
		ip->net = parse_json(text, IPAM_DIR "/" IPAM_NET, err);
		return ip->net ? 0 : -1;
	}
	if (errno != ENOENT)
		return mr_error(err, errno, "read %s/%s", IPAM_DIR, IPAM_NET);
	if (read_file_at(ip->rootfd, IPAM_OLD, &text, NULL) == 0)
		return migrate(ip, text, err);
	if (errno != ENOENT)
		return mr_error(err, errno, "read %s", IPAM_OLD);
	ip->net = json_object();
	return ip->net ? 0 : mr_error(err, ENOMEM, "ipam");
}

int ipam_open(int rootfd, struct ipam **out, struct mr_err *err)
{
	_cleanup_close_ int lock =
	    openat(rootfd, IPAM_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	struct ipam *ip;

	if (lock < 0)
		return mr_error(err, errno, "open %s", IPAM_LOCK);
	while (flock(lock, LOCK_EX) < 0)
		if (errno != EINTR)
			return mr_error(err, errno, "lock %s", IPAM_LOCK);
	ip = calloc(1, sizeof(*ip));
	if (!ip)
		return mr_error(err, ENOMEM, "ipam");
	ip->rootfd = rootfd;
	ip->lockfd = TAKE_FD(lock);
	ip->leasesfd = ip->portsfd = -1;
	if ((ip->dirfd = open_dir(rootfd, IPAM_DIR, err)) < 0 ||
	    (ip->leasesfd = open_dir(ip->dirfd, "leases", err)) < 0 ||
	    (ip->portsfd = open_dir(ip->dirfd, "ports", err)) < 0 || load_net(ip, err) < 0) {
		ipam_free(ip);
		return -1;
	}
	*out = ip;
	return 0;
}

int ipam_commit(struct ipam *ip, struct mr_err *err)
{
	int r = ipam_commit_net(ip, err);

	ipam_free(ip);
	return r;
}

void ipam_close(struct ipam *ip)
{
	ipam_free(ip);
}

bool ipam_get_subnet(const struct ipam *ip, struct in_addr *subnet, int *prefix)
{
	return parse_cidr(json_string_value(json_object_get(ip->net, "subnet")), subnet, prefix) ==
	       0;
}

static int set_net(struct ipam *ip, const char *key, const char *value, struct mr_err *err)
{
	if (json_object_set_new(ip->net, key, json_string(value)) < 0)
		return mr_error(err, ENOMEM, "ipam");
	ip->dirty = true;
	return 0;
}

int ipam_set_subnet(struct ipam *ip, struct in_addr subnet, int prefix, struct mr_err *err)
{
	char a[INET_ADDRSTRLEN], cidr[48];

	snprintf(cidr, sizeof(cidr), "%s/%d", addr_s(subnet, a), prefix);
	return set_net(ip, "subnet", cidr, err);
}

static bool leased(const struct ipam *ip, struct in_addr addr)
{
	char a[INET_ADDRSTRLEN];
	struct stat st;

	return fstatat(ip->leasesfd, addr_s(addr, a), &st, AT_SYMLINK_NOFOLLOW) == 0 ||
	       errno != ENOENT;
}

/* The lease of addr to id, made with RENAME_NOREPLACE: 1 if addr was leased
 * already, 0 made, -1 err. */
static int add_lease(struct ipam *ip, const char *id, struct in_addr addr, pid_t owner,
		     unsigned long long start, struct mr_err *err)
{
	struct ipam_lease l = {.ip = addr, .owner = owner, .owner_start = start};
	char a[INET_ADDRSTRLEN];
	int r;

	if (strlen(id) > IPAM_ID_MAX || !*id)
		return mr_error(err, EINVAL, "ipam: id \"%.70s\"", id);
	strcpy(l.id, id);
	r = write_lease(ip, &l, true, err);
	if (r == -EEXIST)
		return 1;
	if (r < 0)
		return -1;
	return set_net(ip, "last", addr_s(addr, a), err);
}

/* The subnet's addresses for containers (host order); -1: no subnet yet. */
static int host_range(const struct ipam *ip, uint32_t *first, uint32_t *final)
{
	struct in_addr net;
	int prefix;

	if (!ipam_get_subnet(ip, &net, &prefix))
		return -1;
	*first = ntohl(net.s_addr) + 2; /* skip the network address and the gateway */
	*final = ntohl(net.s_addr) + (1U << (32 - prefix)) - 2; /* and the broadcast address */
	return 0;
}

int ipam_lease(struct ipam *ip, const char *id, struct in_addr want, pid_t owner,
	       unsigned long long owner_start, struct in_addr *out, struct mr_err *err)
{
	struct in_addr net, last;
	int prefix, r;
	uint32_t first, final, cur;
	char a[INET_ADDRSTRLEN];

	if (!ipam_get_subnet(ip, &net, &prefix) || host_range(ip, &first, &final) < 0)
		return mr_error(err, 0, "%s/%s: no subnet", IPAM_DIR, IPAM_NET);
	if (want.s_addr) {
		uint32_t w = ntohl(want.s_addr);
		addr_s(want, a);
		if (w < first || w > final)
			return mr_error(err, 0, "--ip %s: not a free host address of %s/%d", a,
					inet_ntoa(net), prefix);
		r = add_lease(ip, id, want, owner, owner_start, err);
		if (r > 0)
			return mr_error(err, 0, "--ip %s: address already in use", a);
		*out = want;
		return r;
	}
	cur = first;
	if (inet_pton(AF_INET, json_string_value(json_object_get(ip->net, "last")) ?: "", &last) ==
		1 &&
	    ntohl(last.s_addr) >= first && ntohl(last.s_addr) < final)
		cur = ntohl(last.s_addr) + 1;
	for (uint32_t tries = 0; tries <= final - first; tries++) {
		struct in_addr c = {.s_addr = htonl(cur)};
		/* A look first: making a lease costs a file written. */
		if (!leased(ip, c)) {
			r = add_lease(ip, id, c, owner, owner_start, err);
			if (r <= 0) {
				*out = c;
				return r;
			}
		}
		cur = cur >= final ? first : cur + 1;
	}
	return mr_error(err, 0, "no free address left in %s/%d", inet_ntoa(net), prefix);
}

int ipam_add_ports(struct ipam *ip, const char *id, struct in_addr addr,
		   const struct nft_port *ports, size_t n, struct mr_err *err)
{
	struct ipam_lease l;
	struct nft_port *all;
	int r = read_lease(ip, addr, &l, err);

	if (r == -ENOENT || (r == 0 && strcmp(l.id, id) != 0)) {
		ipam_lease_free(&l);
		return mr_error(err, 0, "ipam: no lease for %.12s", id);
	}
	if (r < 0)
		return -1;
	all = realloc(l.ports, (l.n_ports + n + 1) * sizeof(*all));
	if (!all) {
		ipam_lease_free(&l);
		return mr_error(err, ENOMEM, "ipam");
	}
	l.ports = all;
	memcpy(all + l.n_ports, ports, n * sizeof(*ports));
	l.n_ports += n;
	/* Claims first: a claim counts only once its lease lists the port. */
	r = claim_ports(ip, ports, n, addr, err) < 0 || write_lease(ip, &l, false, err) < 0 ? -1
											    : 0;
	ipam_lease_free(&l);
	return r;
}

bool ipam_holds(const struct ipam *ip, const char *id, struct in_addr addr)
{
	struct mr_err ignore = {0};
	struct ipam_lease l;
	bool held = read_lease(ip, addr, &l, &ignore) == 0 && strcmp(l.id, id) == 0;

	mr_error_clear(&ignore);
	ipam_lease_free(&l);
	return held;
}

void ipam_release(struct ipam *ip, const char *id, struct in_addr addr)
{
	struct mr_err ignore = {0};
	char a[INET_ADDRSTRLEN];
	struct ipam_lease l;

	if (read_lease(ip, addr, &l, &ignore) == 0 && strcmp(l.id, id) == 0 &&
	    unlinkat(ip->leasesfd, addr_s(addr, a), 0) == 0)
		unclaim_ports(ip, l.ports, l.n_ports); /* after: see the top */
	mr_error_clear(&ignore);
	ipam_lease_free(&l);
}

/* ---------------------------------------------------------------- every lease */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The leases' addresses (host order), sorted; the number, or -1 with err. */
static ssize_t lease_addrs(const struct ipam *ip, uint32_t **out, struct mr_err *err)
{
	_cleanup_(closedirp) DIR *d = NULL;
	uint32_t *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int fd = openat(ip->leasesfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return mr_error(err, errno, "open %s/leases", IPAM_DIR);
	}
	while ((de = readdir(d))) {
		struct in_addr a;
		if (inet_pton(AF_INET, de->d_name, &a) != 1)
			continue; /* ".", ".." */
		if (n == cap) {
			uint32_t *g = realloc(v, (cap = cap ? 2 * cap : 64) * sizeof(*v));
			if (!g) {
				free(v);
				return mr_error(err, ENOMEM, "ipam");
			}
			v = g;
		}
		v[n++] = ntohl(a.s_addr);
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_u32);
	*out = v;
	return (ssize_t)n;
}

/* cb on the lease of addr (host order); a lease gone meanwhile is skipped. */
static int visit(const struct ipam *ip, uint32_t addr, int (*cb)(const struct ipam_lease *, void *),
		 void *data, struct mr_err *err)
{
	struct ipam_lease l;
	int r = read_lease(ip, (struct in_addr){.s_addr = htonl(addr)}, &l, err);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return -1;
	r = cb(&l, data);
	ipam_lease_free(&l);
	return r;
}

int ipam_foreach(const struct ipam *ip, int (*cb)(const struct ipam_lease *, void *), void *data,
		 struct mr_err *err)
{
	_cleanup_free_ uint32_t *v = NULL;
	ssize_t n = lease_addrs(ip, &v, err);
	int r = 0;

	for (ssize_t i = 0; i < n && r >= 0; i++)
		r = visit(ip, v[i], cb, data, err);
	return n < 0 ? -1 : r;
}

int ipam_foreach_some(struct ipam *ip, size_t max, int (*cb)(const struct ipam_lease *, void *),
		      void *data, struct mr_err *err)
{
	uint32_t first, final, cur;
	size_t span, probes, seen = 0;
	struct in_addr after = {0};
	char a[INET_ADDRSTRLEN];
	int r = 0;

	if (max == 0 || host_range(ip, &first, &final) < 0)
		return 0;
	span = final - first + 1;
	probes = max >= span / IPAM_PROBES ? span : max * IPAM_PROBES;
	/* Go on after the address the last turn ended at; a look at each
	 * address rather than a listing of every lease (which grows with them). */
	inet_pton(AF_INET, json_string_value(json_object_get(ip->net, "checked")) ?: "", &after);
	cur = ntohl(after.s_addr);
	for (size_t i = 0; i < probes && seen < max && r >= 0; i++) {
		cur = cur >= final || cur < first ? first : cur + 1;
		if (leased(ip, (struct in_addr){.s_addr = htonl(cur)})) {
			r = visit(ip, cur, cb, data, err);
			seen++;
		}
	}
	if (set_net(ip, "checked", addr_s((struct in_addr){.s_addr = htonl(cur)}, a), err) < 0)
		return -1;
	return r < 0 ? r : 0;
}

size_t ipam_count(const struct ipam *ip)
{
	_cleanup_free_ uint32_t *v = NULL;
	struct mr_err ignore = {0};
	ssize_t n = lease_addrs(ip, &v, &ignore);

	mr_error_clear(&ignore);
	return n < 0 ? 0 : (size_t)n;
}
