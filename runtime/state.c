/* state.c - the per-container state directory and state.json (jansson). */
#include "state.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/fd.h"

/* jansson's own json_decrefp() accepts NULL */
#define _cleanup_json_ _cleanup_(json_decrefp)

int state_open_root(const char *path, int *rootfd, struct mr_err *err)
{
	struct stat st;
	int fd;

	/* open first: a root is made once, and opened on every run */
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return mr_error(err, errno, "state root %s", path);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return mr_error(err, errno == ELOOP ? ELOOP : errno, "state root %s", path);
	if (fstat(fd, &st) < 0 || (st.st_mode & 0022)) {
		close(fd);
		return mr_error(err, 0, "state root %s: writable by others, refusing", path);
	}
	/* Its owner may write it whatever the mode says, and what is in it is
	 * trusted: leases, pids to kill, the cached seccomp program. */
	if (st.st_uid != geteuid()) {
		close(fd);
		return mr_error(err, 0, "state root %s: owned by uid %u, not by us, refusing", path,
				(unsigned)st.st_uid);
	}
	if ((mkdirat(fd, "containers", 0700) < 0 && errno != EEXIST) ||
	    (mkdirat(fd, "names", 0700) < 0 && errno != EEXIST)) {
		int e = errno;
		close(fd);
		return mr_error(err, e, "state root %s", path);
	}
	*rootfd = fd;
	return 0;
}

int state_new_id(char id[ID_LEN + 1], struct mr_err *err)
{
	unsigned char raw[ID_LEN / 2];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return mr_error(err, errno, "getrandom");
	for (size_t i = 0; i < sizeof(raw); i++)
		sprintf(id + 2 * i, "%02x", raw[i]);
	return 0;
}

static char *cdir(const char *id)
{
	char *p = NULL;
	if (asprintf(&p, "containers/%s", id) < 0)
		return NULL;
	return p;
}

static int rm_rf_at(int parent, const char *name);

int state_create(int rootfd, struct container *c, struct mr_err *err)
{
	_cleanup_free_ char *dir = NULL;

	if (!c->id[0] && state_new_id(c->id, err) < 0)
		return -1;
	if (!c->name) {
		/* Docker makes up a name; ours is the short id, which is unique enough
		 * and easy to tell apart from user-given names. */
		if (asprintf(&c->name, "mr_%.12s", c->id) < 0)
			return mr_error(err, ENOMEM, "name");
	}
	/* The directory first, then the name: `gc` drops names whose directory
	 * is missing, and must never see a claim that is still being made. */
	dir = cdir(c->id);
	if (!dir || mkdirat(rootfd, dir, 0700) < 0)
		return mr_error(err, dir ? errno : ENOMEM, "create state directory");
	/* A first state.json at once: it names the owner, so if that process
	 * dies from here on, `gc` can tell and take everything back. */
	clock_gettime(CLOCK_REALTIME, &c->created);
	if (state_save(rootfd, c, err) < 0) {
		struct container bare = {0};
		memcpy(bare.id, c->id, sizeof(bare.id));
		state_remove(rootfd, &bare, &(struct mr_err){0});
		return -1;
	}
	{
		_cleanup_free_ char *link = NULL;
		int e;
		if (asprintf(&link, "names/%s", c->name) < 0 ||
		    symlinkat(c->id, rootfd, link) < 0) {
			e = link ? errno : ENOMEM;
			rm_rf_at(rootfd, dir);
			if (e == EEXIST)
				return mr_error(err, 0,
						"container name \"%s\" is already in use; remove "
						"that container or choose another name",
						c->name);
			return mr_error(err, e, "claim name %s", c->name);
		}
	}
	return 0;
}

int state_dir_open(int rootfd, const char *id, struct mr_err *err)
{
	_cleanup_free_ char *dir = cdir(id);
	int fd;

	if (!dir)
		return mr_error(err, ENOMEM, "state");
	fd = openat(rootfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return mr_error(err, errno, "state directory of %.12s", id);
	return fd;
}

static const char *status_name(enum cstatus s)
{
	return s == ST_RUNNING ? "running" : s == ST_EXITED ? "exited" : "created";
}

static json_t *strv_json(const struct strv *s)
{
	json_t *a = json_array();
	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(a, json_string(s->v[i]));
	return a;
}

void state_time_text(const struct timespec *t, char out[STATE_TIME_LEN])
{
	/* By hand from the day count, not gmtime_r(): glibc's loads the time
	 * zone file (/etc/localtime: an open, two stats and two reads) on its
	 * first call, and in a run every call is a first one. Days since
	 * 1970-01-01 become a date in a calendar whose years start on 1 March,
	 * so that the leap day is a year's last: every 400 years (146097 days)
	 * repeat, as do the 4-year groups (1461 days) within a century. */
	long long days = t->tv_sec / 86400, secs = t->tv_sec % 86400;
	long long z, era, doe, yoe, doy, mp, y, m, d;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	z = days + 719468; /* days since 0000-03-01 */
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;					     /* [0, 146096] */
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);		     /* [0, 365] */
	mp = (5 * doy + 2) / 153;				     /* March = 0 */
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = yoe + era * 400 + (m <= 2);
	snprintf(out, STATE_TIME_LEN, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%09ldZ", y, m, d,
		 secs / 3600, secs / 60 % 60, secs % 60, t->tv_nsec);
}

static json_t *ts_json(const struct timespec *t)
{
	char out[STATE_TIME_LEN];

	if (!t->tv_sec)
		return json_null();
	state_time_text(t, out);
	return json_string(out);
}

static json_t *addr_json(struct in_addr a)
{
	char buf[INET_ADDRSTRLEN];
	return json_string(inet_ntop(AF_INET, &a, buf, sizeof(buf)));
}

static json_t *net_json(const struct net_state *n)
{
	json_t *o = json_object(), *ports = json_array();

	json_object_set_new(o, "mode", json_string(net_mode_name(n->mode)));
	if (n->mode == NET_BRIDGE) {
		json_object_set_new(o, "ip", addr_json(n->ip));
		json_object_set_new(o, "prefix", json_integer(n->prefix));
		json_object_set_new(o, "gateway", addr_json(n->gateway));
		json_object_set_new(o, "subnet", addr_json(n->subnet));
		json_object_set_new(o, "mac", json_string(n->mac));
		json_object_set_new(o, "veth", json_string(n->veth));
	}
	for (size_t i = 0; i < n->n_ports; i++) {
		const struct nft_port *p = &n->ports[i];
		json_t *j = json_object();
		json_object_set_new(j, "proto", json_string(portmap_proto_name(p->proto)));
		json_object_set_new(j, "host_ip", addr_json(p->host_ip));
		json_object_set_new(j, "host_port", json_integer(p->host_port));
		json_object_set_new(j, "container_port", json_integer(p->cont_port));
		json_array_append_new(ports, j);
	}
	json_object_set_new(o, "ports", ports);
	return o;
}

/* jansson seeds its hash function on its first object from /dev/urandom (an
 * open, a read, a close); a new id's random bits serve as well (the seed is
 * against crafted keys, and a state file's keys are ours). */
static void seed_json(const char *id)
{
	uint32_t seed = 0;

	for (int i = 0; i < 8 && id[i]; i++)
		seed =
		    seed << 4 | (uint32_t)(id[i] <= '9' ? id[i] - '0' : (id[i] | 0x20) - 'a' + 10);
	json_object_seed(seed ? seed : 1); /* 0 would read /dev/urandom */
}

int state_save(int rootfd, const struct container *c, struct mr_err *err)
{
	_cleanup_json_ json_t *o = NULL;
	_cleanup_free_ char *text = NULL, *dir = cdir(c->id);
	_cleanup_close_ int dfd = -1;

	seed_json(c->id);
	o = json_object();

	json_object_set_new(o, "id", json_string(c->id));
	json_object_set_new(o, "name", json_string(c->name));
	json_object_set_new(o, "hostname", json_string(c->hostname ? c->hostname : ""));
	json_object_set_new(o, "rootfs", json_string(c->rootfs ? c->rootfs : ""));
	json_object_set_new(o, "workdir", json_string(c->workdir ? c->workdir : ""));
	json_object_set_new(o, "command", strv_json(&c->argv));
	json_object_set_new(o, "env", strv_json(&c->env));
	json_object_set_new(o, "status", json_string(status_name(c->status)));
	json_object_set_new(o, "pid", json_integer(c->pid));
	json_object_set_new(o, "pid_start", json_integer((json_int_t)c->pid_start));
	json_object_set_new(o, "owner", json_integer(c->owner));
	json_object_set_new(o, "owner_start", json_integer((json_int_t)c->owner_start));
	json_object_set_new(o, "created", ts_json(&c->created));
	json_object_set_new(
	    o, "created_ns",
	    json_integer((json_int_t)c->created.tv_sec * 1000000000 + c->created.tv_nsec));
	json_object_set_new(o, "finished", ts_json(&c->finished));
	json_object_set_new(
	    o, "finished_ns",
	    json_integer((json_int_t)c->finished.tv_sec * 1000000000 + c->finished.tv_nsec));
	json_object_set_new(o, "exit_code", json_integer(c->exit_code));
	json_object_set_new(o, "auto_remove", json_boolean(c->auto_remove));
	json_object_set_new(o, "network", net_json(&c->net));
	{
		struct strv caps = {0};
		json_t *sec = json_object();
		security_cap_names(c->sec.caps, &caps);
		json_object_set_new(sec, "capabilities", strv_json(&caps));
		json_object_set_new(sec, "seccomp", json_boolean(c->sec.seccomp));
		json_object_set_new(o, "security", sec);
		strv_free(&caps);
	}
	text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text || !dir)
		return mr_error(err, ENOMEM, "state.json");
	dfd = openat(rootfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return mr_error(err, errno, "state directory of %.12s", c->id);
	return write_file_atomic(dfd, "state.json", text, strlen(text), 0600, err);
}

static int json_strv(json_t *a, struct strv *s)
{
	size_t i;
	json_t *v;

	json_array_foreach (a, i, v) {
		if (!json_is_string(v) || strv_push(s, json_string_value(v)) < 0)
			return -1;
	}
	return 0;
}

static struct timespec ns_ts(json_t *j)
{
	long long ns = json_integer_value(j);
	return (struct timespec){.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
}

static int json_addr(json_t *o, const char *key, struct in_addr *a)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s && inet_pton(AF_INET, s, a) == 1 ? 0 : -1;
}

static int net_load(json_t *o, struct net_state *n)
{
	json_t *ports, *p;
	size_t i;

	if (!json_is_object(o) ||
	    net_mode_parse(json_string_value(json_object_get(o, "mode")), &n->mode) < 0)
		return -1;
	if (n->mode == NET_BRIDGE) {
		const char *mac = json_string_value(json_object_get(o, "mac"));
		const char *veth = json_string_value(json_object_get(o, "veth"));
		if (json_addr(o, "ip", &n->ip) < 0 || json_addr(o, "gateway", &n->gateway) < 0 ||
		    json_addr(o, "subnet", &n->subnet) < 0 || !mac || !veth ||
		    strlen(mac) >= sizeof(n->mac) || strlen(veth) >= sizeof(n->veth))
			return -1;
		n->prefix = (int)json_integer_value(json_object_get(o, "prefix"));
		strcpy(n->mac, mac);
		strcpy(n->veth, veth);
	}
	ports = json_object_get(o, "ports");
	if (!json_is_array(ports))
		return -1;
	n->ports = calloc(json_array_size(ports) + 1, sizeof(*n->ports));
	if (!n->ports)
		return -1;
	json_array_foreach (ports, i, p) {
		struct nft_port *np = &n->ports[n->n_ports++];
		const char *proto = json_string_value(json_object_get(p, "proto"));
		np->proto = proto && strcmp(proto, "udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP;
		if (json_addr(p, "host_ip", &np->host_ip) < 0)
			return -1;
		np->host_port = (uint16_t)json_integer_value(json_object_get(p, "host_port"));
		np->cont_port = (uint16_t)json_integer_value(json_object_get(p, "container_port"));
		np->cont_ip = n->ip;
	}
	return 0;
}

int state_load(int rootfd, const char *id, struct container *c, struct mr_err *err)
{
	_cleanup_json_ json_t *o = NULL;
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int dfd = state_dir_open(rootfd, id, err);
	json_error_t jerr;
	const char *s;

	if (dfd < 0)
		return -1;
	if (read_file_at(dfd, "state.json", &text, NULL) < 0)
		return mr_error(err, errno, "containers/%s/state.json", id);
	o = json_loads(text, 0, &jerr);
	if (!o)
		return mr_error(err, 0, "containers/%s/state.json: corrupt: %s (line %d)", id,
				jerr.text, jerr.line);
	memset(c, 0, sizeof(*c));
	s = json_string_value(json_object_get(o, "id"));
	if (!s || strlen(s) != ID_LEN || strcmp(s, id) != 0)
		return mr_error(err, 0, "containers/%s/state.json: corrupt: bad id", id);
	strcpy(c->id, s);
	c->name = strdup(json_string_value(json_object_get(o, "name")) ?: "");
	c->hostname = strdup(json_string_value(json_object_get(o, "hostname")) ?: "");
	c->rootfs = strdup(json_string_value(json_object_get(o, "rootfs")) ?: "");
	c->workdir = strdup(json_string_value(json_object_get(o, "workdir")) ?: "");
	s = json_string_value(json_object_get(o, "status"));
	c->status = !s				? ST_CREATED
		    : strcmp(s, "running") == 0 ? ST_RUNNING
		    : strcmp(s, "exited") == 0	? ST_EXITED
						: ST_CREATED;
	c->pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
	c->pid_start = (unsigned long long)json_integer_value(json_object_get(o, "pid_start"));
	c->owner = (pid_t)json_integer_value(json_object_get(o, "owner"));
	c->owner_start = (unsigned long long)json_integer_value(json_object_get(o, "owner_start"));
	c->created = ns_ts(json_object_get(o, "created_ns"));
	c->finished = ns_ts(json_object_get(o, "finished_ns"));
	c->exit_code = (int)json_integer_value(json_object_get(o, "exit_code"));
	c->auto_remove = json_is_true(json_object_get(o, "auto_remove"));
	{
		json_t *sec = json_object_get(o, "security");
		struct strv caps = {0};
		struct mr_err e = {0};
		if (json_strv(json_object_get(sec, "capabilities"), &caps) == 0)
			security_caps_from_names(&caps, &c->sec.caps, &e);
		c->sec.seccomp = !json_is_false(json_object_get(sec, "seccomp"));
		strv_free(&caps);
		mr_error_clear(&e);
	}
	if (json_strv(json_object_get(o, "command"), &c->argv) < 0 ||
	    json_strv(json_object_get(o, "env"), &c->env) < 0 ||
	    net_load(json_object_get(o, "network"), &c->net) < 0 || !c->name || !c->hostname ||
	    !c->rootfs) {
		container_free(c);
		return mr_error(err, 0, "containers/%s/state.json: corrupt: missing fields", id);
	}
	return 0;
}

/* Remove a directory tree below dirfd without following symlinks. */
static int rm_rf_at(int parent, const char *name)
{
	_cleanup_close_ int fd =
	    openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d;
	struct dirent *de;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ENOTDIR || errno == ELOOP)
			return unlinkat(parent, name, 0);
		return -1;
	}
	d = fdopendir(fd);
	if (!d)
		return -1;
	fd = -1; /* now owned by d */
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_type == DT_DIR) {
			if (rm_rf_at(dirfd(d), de->d_name) < 0 && errno != ENOENT)
				break;
		} else if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno == EISDIR) {
			rm_rf_at(dirfd(d), de->d_name);
		}
	}
	closedir(d);
	return unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT ? -1 : 0;
}

/* What `run` makes in a container's directory, removed by name (a run --rm
 * pays for this on its way out, and reading each directory costs more);
 * state.json last of them, so that a removal cut short leaves a container
 * `gc` knows (or, past it, a directory gc drops as abandoned, as before).
 * Whatever else is there (the container's own files in upper/, a log, an
 * overlay index) is left to rm_rf_at(). True if the directory is gone. */
static bool remove_known(int rootfd, const char *dir)
{
	/* (volatile's marker in the work directory: see rootfs.c) */
	static const char *const files[] = {"hosts", "hostname", "resolv.conf",
					    "work/work/incompat/volatile/dirty"};
	static const char *const dirs[] = {
	    "upper", "work/work/incompat/volatile", "work/work/incompat", "work/work", "work",
	    "merged"};
	_cleanup_close_ int fd =
	    openat(rootfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return false;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlinkat(fd, files[i], 0);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		unlinkat(fd, dirs[i], AT_REMOVEDIR);
	unlinkat(fd, "state.json", 0);
	return unlinkat(rootfd, dir, AT_REMOVEDIR) == 0;
}

int state_remove(int rootfd, const struct container *c, struct mr_err *err)
{
	_cleanup_free_ char *dir = cdir(c->id), *link = NULL;
	char target[ID_LEN + 2];
	ssize_t n;

	if (!dir)
		return mr_error(err, ENOMEM, "remove");
	if (c->name && asprintf(&link, "names/%s", c->name) >= 0) {
		/* Only drop the name if it still points at us. */
		n = readlinkat(rootfd, link, target, sizeof(target) - 1);
		if (n == ID_LEN && memcmp(target, c->id, ID_LEN) == 0)
			unlinkat(rootfd, link, 0);
	}
	if (!remove_known(rootfd, dir) && rm_rf_at(rootfd, dir) < 0)
		return mr_error(err, errno, "remove state of %.12s", c->id);
	return 0;
}

int state_list(int rootfd, struct strv *ids, struct mr_err *err)
{
	_cleanup_close_ int fd = openat(rootfd, "containers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;

	if (fd < 0) {
		if (errno == ENOENT)
			return 0; /* a root no run has used yet: no containers */
		return mr_error(err, errno, "list containers");
	}
	d = fdopendir(fd);
	if (!d)
		return mr_error(err, errno, "list containers");
	fd = -1;
	while ((de = readdir(d)))
		if (strlen(de->d_name) == ID_LEN && strv_push(ids, de->d_name) < 0) {
			closedir(d);
			return mr_error(err, ENOMEM, "list containers");
		}
	closedir(d);
	return 0;
}

int state_lookup(int rootfd, const char *ref, char id[ID_LEN + 1], struct mr_err *err)
{
	struct strv ids = {0};
	_cleanup_free_ char *link = NULL;
	size_t len = strlen(ref), matches = 0;
	ssize_t n;

	if (asprintf(&link, "names/%s", ref) >= 0 && !strchr(ref, '/')) {
		n = readlinkat(rootfd, link, id, ID_LEN + 1);
		if (n == ID_LEN) {
			id[ID_LEN] = '\0';
			return 0;
		}
	}
	if (len == 0 || len > ID_LEN || state_list(rootfd, &ids, err) < 0)
		goto none;
	for (size_t i = 0; i < ids.n; i++)
		if (strncmp(ids.v[i], ref, len) == 0) {
			if (matches++ == 0)
				memcpy(id, ids.v[i], ID_LEN + 1);
		}
	strv_free(&ids);
	if (matches == 1)
		return 0;
	if (matches > 1)
		return mr_error(err, 0, "multiple containers match \"%s\": give more of the id",
				ref);
none:
	strv_free(&ids);
	return mr_error(err, 0, "no such container: %s", ref);
}

void container_free(struct container *c)
{
	free(c->name);
	free(c->hostname);
	free(c->rootfs);
	free(c->workdir);
	strv_free(&c->argv);
	strv_free(&c->env);
	net_state_free(&c->net);
	c->name = c->hostname = c->rootfs = c->workdir = NULL;
}
