/* ps.c - `minirun ps`: one line per container, Docker's columns. */
#include "ps.h"

#include <fcntl.h>
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

int ps_print(const char *root, bool all, FILE *out, struct mr_err *err)
{
	struct strv ids = {0};
	_cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	time_t now = time(NULL);

	fprintf(out, "%-15s%-22s%-25s%-20s%-28s%-24s%s\n", "CONTAINER ID", "IMAGE", "COMMAND",
		"CREATED", "STATUS", "PORTS", "NAMES");
	if (rootfd < 0)
		return 0; /* no state root yet: no containers */
	if (state_list(rootfd, &ids, err) < 0)
		return -1;
	for (size_t i = 0; i < ids.n; i++) {
		struct container c;
		struct mr_err e = {0};
		char cmd[64], created[64], status[64], ports[256] = "", quoted[80];
		const char *image;
		bool alive;

		if (state_load(rootfd, ids.v[i], &c, &e) < 0) {
			fprintf(stderr, "minirun: %s\n", e.msg);
			mr_error_clear(&e);
			continue;
		}
		alive = c.status == ST_RUNNING && pid_alive(c.pid, c.pid_start);
		if (alive || all) {
			size_t used = 0;
			command_text(&c, cmd, sizeof(cmd));
			snprintf(quoted, sizeof(quoted), "\"%s\"", cmd);
			human_duration(now - c.created.tv_sec, created, sizeof(created));
			strcat(created, " ago");
			ps_status(&c, alive, now, status, sizeof(status));
			for (size_t p = 0; alive && p < c.net.n_ports && used < sizeof(ports);
			     p++) {
				char one[64];
				struct port_map m = {.proto = c.net.ports[p].proto,
						     .host_ip = c.net.ports[p].host_ip,
						     .host_port = c.net.ports[p].host_port,
						     .cont_port = c.net.ports[p].cont_port};
				portmap_format(&m, one, sizeof(one));
				used += (size_t)snprintf(ports + used, sizeof(ports) - used, "%s%s",
							 p ? ", " : "", one);
			}
			image = strrchr(c.rootfs, '/') ? strrchr(c.rootfs, '/') + 1 : c.rootfs;
			fprintf(out, "%-15.12s%-22s%-25s%-20s%-28s%-24s%s\n", c.id, image, quoted,
				created, status, ports, c.name);
		}
		container_free(&c);
	}
	strv_free(&ids);
	return 0;
}
