/* ps.c - `minirun ps`: one line per container, Docker's columns. */
#include "ps.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"

void human_duration(time_t s, char *buf, size_t len)
{
	if (s < 1)
		snprintf(buf, len, "Less than a second");
	else if (s == 1)
		snprintf(buf, len, "1 second");
	else if (s < 60)
		snprintf(buf, len, "%ld seconds", (long)s);
	else if (s / 60 == 1)
		snprintf(buf, len, "About a minute");
	else if (s < 3600)
		snprintf(buf, len, "%ld minutes", (long)s / 60);
	else if (s / 3600 == 1)
		snprintf(buf, len, "About an hour");
	else if (s < 48 * 3600)
		snprintf(buf, len, "%ld hours", (long)s / 3600);
	else
		snprintf(buf, len, "%ld days", (long)s / 86400);
}

void ps_status(const struct container *c, bool alive, time_t now, char *buf, size_t len)
{
	char d[64];

	if (alive) {
		human_duration(now - c->created.tv_sec, d, sizeof(d));
		snprintf(buf, len, "Up %s", d);
	} else if (c->status == ST_EXITED) {
		human_duration(now - c->finished.tv_sec, d, sizeof(d));
		snprintf(buf, len, "Exited (%d) %s ago", c->exit_code, d);
	} else {
		snprintf(buf, len, "Created");
	}
}

/* Docker's COMMAND: the path, then the arguments, those with a space in
 * single quotes; cut to 20 characters with "…"; then quoted the way Go's
 * strconv.Quote does (the caller adds the outer quotes). */
static void command_text(const struct container *c, char *buf, size_t len)
{
	char full[512], cut[512];
	size_t used = 0, n = 0, chars = 0;

	full[0] = '\0';
	for (size_t i = 0; i < c->argv.n && used < sizeof(full); i++) {
		const char *a = c->argv.v[i];
		bool q = i > 0 && strchr(a, ' ');
		used += (size_t)snprintf(full + used, sizeof(full) - used, "%s%s%s%s", i ? " " : "",
					 q ? "'" : "", a, q ? "'" : "");
	}
	/* 20 characters (UTF-8 sequences count once), else 19 and "…" */
	for (const char *p = full; *p; p++)
		chars += ((unsigned char)*p & 0xc0) != 0x80;
	if (chars > 20) {
		size_t keep = 0, seen = 0;
		for (; full[keep]; keep++) {
			if (((unsigned char)full[keep] & 0xc0) != 0x80 && seen++ == 19)
				break;
		}
		snprintf(cut, sizeof(cut), "%.*s…", (int)keep, full);
	} else {
		snprintf(cut, sizeof(cut), "%s", full);
	}
	for (const char *p = cut; *p && n + 3 < len; p++) {
		if (*p == '"' || *p == '\\')
			buf[n++] = '\\';
		buf[n++] = *p;
	}
	buf[n] = '\0';
}

#define PS_COLS 8
/* a row holds the columns, the fields only --format json shows (State,
 * CreatedAt, Networks), then a key to sort by (newest first, as Docker) */
#define PS_JSON_FIELDS (PS_COLS + 3)
#define PS_FIELDS (PS_JSON_FIELDS + 1)

/* Docker aligns columns with a tabwriter: each as wide as its widest cell
 * plus three spaces. */
static void print_rows(FILE *out, char *(*rows)[PS_FIELDS], size_t n)
{
	size_t width[PS_COLS] = {0};

	for (size_t r = 0; r < n; r++)
		for (int c = 0; c < PS_COLS; c++) {
			size_t w = strlen(rows[r][c]);
			/* "…" is three bytes but one column */
			if (strstr(rows[r][c], "…"))
				w -= 2;
			if (w > width[c])
				width[c] = w;
		}
	for (size_t r = 0; r < n; r++) {
		for (int c = 0; c < PS_COLS - 1; c++) {
			size_t w = strlen(rows[r][c]) - (strstr(rows[r][c], "…") ? 2 : 0);
			fprintf(out, "%s%*s", rows[r][c], (int)(width[c] - w + 3), "");
		}
		fprintf(out, "%s\n", rows[r][PS_COLS - 1]);
	}
}

static int add_row(char *(**rows)[PS_FIELDS], size_t *n, char *cells[PS_FIELDS])
{
	char *(*grown)[PS_FIELDS] = realloc(*rows, (*n + 1) * sizeof(**rows));

	if (!grown)
		return -1;
	*rows = grown;
	for (int c = 0; c < PS_FIELDS; c++)
		grown[*n][c] = cells[c] ? cells[c] : strdup("");
	(*n)++;
	return 0;
}

/* One binding as `docker ps` sorts them: by container port, host IP (as
 * text), host port, protocol. */
struct shown_port {
	char ip[INET_ADDRSTRLEN];
	unsigned int host, cont;
	const char *proto;
};

static int shown_port_cmp(const void *a, const void *b)
{
	const struct shown_port *x = a, *y = b;
	int r;

	if (x->cont != y->cont)
		return x->cont < y->cont ? -1 : 1;
	if ((r = strcmp(x->ip, y->ip)) != 0)
		return r;
	if (x->host != y->host)
		return x->host < y->host ? -1 : 1;
	return strcmp(x->proto, y->proto);
}

static void put_text(char *buf, size_t len, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put_text(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;

	if (*used >= len)
		return;
	if (*used > 0)
		*used += (size_t)snprintf(buf + *used, len - *used, ", ");
	if (*used >= len)
		return;
	va_start(ap, fmt);
	*used += (size_t)vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
}

static void put_group(char *buf, size_t len, size_t *used, const struct shown_port *g,
		      unsigned int last)
{
	if (g->cont == last)
		put_text(buf, len, used, "%s:%u->%u/%s", g->ip, last, last, g->proto);
	else
		put_text(buf, len, used, "%s:%u-%u->%u-%u/%s", g->ip, g->cont, last, g->cont, last,
			 g->proto);
}

/* Docker's PORTS: bindings whose host port is the container port are
 * grouped into ranges per host IP and protocol ("0.0.0.0:80-81->80-81/tcp");
 * the others follow one by one ("0.0.0.0:8080->80/tcp"). */
static void ports_text(const struct container *c, char *buf, size_t len)
{
	size_t n = c->net.n_ports, used = 0, ng = 0;
	struct shown_port *v = calloc(n ? n : 1, sizeof(*v));
	struct shown_port *groups = calloc(n ? n : 1, sizeof(*groups));
	unsigned int *last = calloc(n ? n : 1, sizeof(*last));

	buf[0] = '\0';
	if (!v || !groups || !last)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct nft_port *p = &c->net.ports[i];
		inet_ntop(AF_INET, &p->host_ip, v[i].ip, sizeof(v[i].ip));
		v[i].host = p->host_port;
		v[i].cont = p->cont_port;
		v[i].proto = portmap_proto_name(p->proto);
	}
	qsort(v, n, sizeof(*v), shown_port_cmp);
	for (size_t i = 0; i < n; i++) {
		size_t g;
		if (v[i].host != v[i].cont)
			continue;
		for (g = 0; g < ng; g++)
			if (strcmp(groups[g].ip, v[i].ip) == 0 &&
			    strcmp(groups[g].proto, v[i].proto) == 0)
				break;
		if (g == ng) {
			groups[ng] = v[i];
			last[ng++] = v[i].cont;
		} else if (v[i].cont == last[g] + 1) {
			last[g] = v[i].cont;
		} else { /* a gap: the group so far is shown now, a new one starts */
			put_group(buf, len, &used, &groups[g], last[g]);
			groups[g] = v[i];
			last[g] = v[i].cont;
		}
	}
	for (size_t g = 0; g < ng; g++)
		put_group(buf, len, &used, &groups[g], last[g]);
	for (size_t i = 0; i < n; i++)
		if (v[i].host != v[i].cont)
			put_text(buf, len, &used, "%s:%u->%u/%s", v[i].ip, v[i].host, v[i].cont,
				 v[i].proto);
out:
	free(v);
	free(groups);
	free(last);
}

/* --format json: one object per line, with the keys of `docker ps --format json`. */
static void print_json(FILE *out, char *(*rows)[PS_FIELDS], size_t n)
{
	static const char *const keys[PS_JSON_FIELDS] = {
	    "ID", "Image", "Command", "RunningFor", "Status",  "Ports",
	    "IP", "Names", "State",   "CreatedAt",  "Networks"};

	for (size_t r = 1; r < n; r++) {
		json_t *o = json_object();
		char *text;
		for (int c = 0; c < PS_JSON_FIELDS; c++)
			json_object_set_new(o, keys[c], json_string(rows[r][c]));
		text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text)
			fprintf(out, "%s\n", text);
		free(text);
		json_decref(o);
	}
}

static int row_newer_first(const void *a, const void *b)
{
	char *const *x = a, *const *y = b;

	return -strcmp(x[PS_FIELDS - 1], y[PS_FIELDS - 1]);
}

int ps_print(const char *root, bool all, enum ps_format format, FILE *out, struct mr_err *err)
{
	struct strv ids = {0};
	_cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *(*rows)[PS_FIELDS] = NULL;
	size_t n = 0;
	time_t now = time(NULL);
	char *head[PS_FIELDS] = {strdup("CONTAINER ID"), strdup("IMAGE"),  strdup("COMMAND"),
				 strdup("CREATED"),	 strdup("STATUS"), strdup("PORTS"),
				 strdup("IP"),		 strdup("NAMES")};

	add_row(&rows, &n, head);
	if (rootfd >= 0 && state_list(rootfd, &ids, err) < 0)
		return -1;
	for (size_t i = 0; i < ids.n; i++) {
		struct container c;
		struct mr_err e = {0};
		char cmd[64], created[64], status[64], ports[512], ip[INET_ADDRSTRLEN], at[64];
		struct tm tm;
		const char *image;
		bool alive;

		if (state_load(rootfd, ids.v[i], &c, &e) < 0) {
			mr_error_print(stderr, e.msg);
			mr_error_clear(&e);
			continue;
		}
		alive = c.status == ST_RUNNING && pid_alive(c.pid, c.pid_start);
		if (alive || all) {
			char *cells[PS_FIELDS];
			command_text(&c, cmd, sizeof(cmd));
			human_duration(now - c.created.tv_sec, created, sizeof(created));
			ps_status(&c, alive, now, status, sizeof(status));
			ports_text(&c, ports, sizeof(ports));
			image = strrchr(c.rootfs, '/') ? strrchr(c.rootfs, '/') + 1 : c.rootfs;
			cells[0] = strndup(c.id, 12);
			cells[1] = strdup(image);
			if (asprintf(&cells[2], "\"%s\"", cmd) < 0)
				cells[2] = NULL;
			if (asprintf(&cells[3], "%s ago", created) < 0)
				cells[3] = NULL;
			cells[4] = strdup(status);
			cells[5] = strdup(alive ? ports : "");
			cells[6] = strdup(alive && c.net.mode == NET_BRIDGE
					      ? inet_ntop(AF_INET, &c.net.ip, ip, sizeof(ip))
					      : "");
			cells[7] = strdup(c.name);
			cells[8] = strdup(alive			  ? "running"
					  : c.status == ST_EXITED ? "exited"
								  : "created");
			gmtime_r(&c.created.tv_sec, &tm);
			strftime(at, sizeof(at), "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
			cells[9] = strdup(at);
			cells[10] = strdup(net_mode_name(c.net.mode));
			if (asprintf(&cells[11], "%020lld.%09ld", (long long)c.created.tv_sec,
				     c.created.tv_nsec) < 0)
				cells[11] = NULL;
			add_row(&rows, &n, cells);
		}
		container_free(&c);
	}
	strv_free(&ids);
	if (n > 1)
		qsort(rows + 1, n - 1, sizeof(*rows), row_newer_first);
	if (format == PS_JSON)
		print_json(out, rows, n);
	else if (format == PS_QUIET)
		for (size_t r = 1; r < n; r++)
			fprintf(out, "%s\n", rows[r][0]);
	else
		print_rows(out, rows, n);
	for (size_t r = 0; r < n; r++)
		for (int c = 0; c < PS_FIELDS; c++)
			free(rows[r][c]);
	free(rows);
	return 0;
}
