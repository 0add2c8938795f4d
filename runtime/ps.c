/* ps.c - `minirun ps`: one line per container, Docker's columns. */
#include "ps.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <jansson.h>
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

static void command_text(const struct container *c, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < c->argv.n && used < len; i++)
		used +=
		    (size_t)snprintf(buf + used, len - used, "%s%s", i ? " " : "", c->argv.v[i]);
	if (strlen(buf) > 20)
		strcpy(buf + 19, "…");
}

#define PS_COLS 8

/* Docker aligns columns with a tabwriter: each as wide as its widest cell
 * plus three spaces. */
static void print_rows(FILE *out, char *(*rows)[PS_COLS], size_t n)
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

static int add_row(char *(**rows)[PS_COLS], size_t *n, char *cells[PS_COLS])
{
	char *(*grown)[PS_COLS] = realloc(*rows, (*n + 1) * sizeof(**rows));

	if (!grown)
		return -1;
	*rows = grown;
	for (int c = 0; c < PS_COLS; c++)
		grown[*n][c] = cells[c] ? cells[c] : strdup("");
	(*n)++;
	return 0;
}

static void ports_text(const struct container *c, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t p = 0; p < c->net.n_ports && used < len; p++) {
		char one[64];
		struct port_map m = {.proto = c->net.ports[p].proto,
				     .host_ip = c->net.ports[p].host_ip,
				     .host_port = c->net.ports[p].host_port,
				     .cont_port = c->net.ports[p].cont_port};
		portmap_format(&m, one, sizeof(one));
		used += (size_t)snprintf(buf + used, len - used, "%s%s", p ? ", " : "", one);
	}
}

/* --format json: one object per line, with the keys of `docker ps --format json`. */
static void print_json(FILE *out, char *(*rows)[PS_COLS], size_t n)
{
	static const char *const keys[PS_COLS] = {"ID",	    "Image", "Command", "RunningFor",
						  "Status", "Ports", "IP",	"Names"};

	for (size_t r = 1; r < n; r++) {
		json_t *o = json_object();
		char *text;
		for (int c = 0; c < PS_COLS; c++)
			json_object_set_new(o, keys[c], json_string(rows[r][c]));
		text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text)
			fprintf(out, "%s\n", text);
		free(text);
		json_decref(o);
	}
}

int ps_print(const char *root, bool all, bool json, FILE *out, struct mr_err *err)
{
	struct strv ids = {0};
	_cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *(*rows)[PS_COLS] = NULL;
	size_t n = 0;
	time_t now = time(NULL);
	char *head[PS_COLS] = {strdup("CONTAINER ID"), strdup("IMAGE"),	 strdup("COMMAND"),
			       strdup("CREATED"),      strdup("STATUS"), strdup("PORTS"),
			       strdup("IP"),	       strdup("NAMES")};

	add_row(&rows, &n, head);
	if (rootfd >= 0 && state_list(rootfd, &ids, err) < 0)
		return -1;
	for (size_t i = 0; i < ids.n; i++) {
		struct container c;
		struct mr_err e = {0};
		char cmd[64], created[64], status[64], ports[512], ip[INET_ADDRSTRLEN];
		const char *image;
		bool alive;

		if (state_load(rootfd, ids.v[i], &c, &e) < 0) {
			mr_error_print(stderr, e.msg);
			mr_error_clear(&e);
			continue;
		}
		alive = c.status == ST_RUNNING && pid_alive(c.pid, c.pid_start);
		if (alive || all) {
			char *cells[PS_COLS];
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
			add_row(&rows, &n, cells);
		}
		container_free(&c);
	}
	strv_free(&ids);
	if (json)
		print_json(out, rows, n);
	else
		print_rows(out, rows, n);
	for (size_t r = 0; r < n; r++)
		for (int c = 0; c < PS_COLS; c++)
			free(rows[r][c]);
	free(rows);
	return 0;
}
