/* inspect.c - a container's state.json shown the way Docker shows it. */
#include "inspect.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "template.h"

int open_root_for(const char *root, const char *ref, struct mr_err *err)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return mr_error(err, 0, "no such container: %s", ref);
	return fd;
}

int container_find(int rootfd, const char *ref, struct container *c, struct mr_err *err)
{
	char id[ID_LEN + 1];

	if (state_lookup(rootfd, ref, id, err) < 0 || state_load(rootfd, id, c, err) < 0)
		return -1;
	return 0;
}

bool container_running(const struct container *c)
{
	return c->status == ST_RUNNING && pid_alive(c->pid, c->pid_start);
}

static json_t *time_json(const struct timespec *t)
{
	char out[STATE_TIME_LEN];

	if (!t->tv_sec)
		return json_string("0001-01-01T00:00:00Z"); /* Docker's zero time */
	state_time_text(t, out);
	return json_string(out);
}

static json_t *strv_array(const struct strv *s, size_t from)
{
	json_t *a = json_array();

	for (size_t i = from; i < s->n; i++)
		json_array_append_new(a, json_string(s->v[i]));
	return a;
}

static json_t *ip_json(struct in_addr a)
{
	char buf[INET_ADDRSTRLEN];

	return json_string(a.s_addr ? inet_ntop(AF_INET, &a, buf, sizeof(buf)) : "");
}

static json_t *ports_json(const struct container *c)
{
	json_t *ports = json_object();

	for (size_t i = 0; i < c->net.n_ports; i++) {
		const struct nft_port *p = &c->net.ports[i];
		char key[32], hp[8], hip[INET_ADDRSTRLEN];
		json_t *list, *b = json_object();

		snprintf(key, sizeof(key), "%u/%s", p->cont_port, portmap_proto_name(p->proto));
		snprintf(hp, sizeof(hp), "%u", p->host_port);
		json_object_set_new(b, "HostIp",
				    json_string(inet_ntop(AF_INET, &p->host_ip, hip, sizeof(hip))));
		json_object_set_new(b, "HostPort", json_string(hp));
		list = json_object_get(ports, key);
		if (!list) {
			list = json_array();
			json_object_set_new(ports, key, list);
		}
		json_array_append_new(list, b);
	}
	return ports;
}

static json_t *container_json(const struct container *c)
{
	bool running = container_running(c);
	const char *status = running ? "running" : c->status == ST_CREATED ? "created" : "exited";
	char name[80];
	json_t *o = json_object(), *st = json_object(), *cfg = json_object(), *host = json_object(),
	       *net = json_object();

	snprintf(name, sizeof(name), "/%s", c->name);
	json_object_set_new(o, "Id", json_string(c->id));
	json_object_set_new(o, "Created", time_json(&c->created));
	json_object_set_new(o, "Path", json_string(c->argv.n ? c->argv.v[0] : ""));
	json_object_set_new(o, "Args", strv_array(&c->argv, 1));
	json_object_set_new(st, "Status", json_string(status));
	json_object_set_new(st, "Running", json_boolean(running));
	/* Docker's other states, which minirun has no way into */
	json_object_set_new(st, "Paused", json_false());
	json_object_set_new(st, "Restarting", json_false());
	json_object_set_new(st, "OOMKilled", json_false());
	json_object_set_new(st, "Dead", json_false());
	json_object_set_new(st, "Pid", json_integer(running ? c->pid : 0));
	json_object_set_new(st, "ExitCode", json_integer(c->exit_code));
	json_object_set_new(st, "Error", json_string(""));
	json_object_set_new(st, "StartedAt", time_json(&c->created));
	json_object_set_new(st, "FinishedAt", time_json(&c->finished));
	json_object_set_new(o, "State", st);
	json_object_set_new(o, "Name", json_string(name));
	json_object_set_new(o, "Rootfs", json_string(c->rootfs));
	json_object_set_new(cfg, "Hostname", json_string(c->hostname));
	json_object_set_new(cfg, "Env", strv_array(&c->env, 0));
	json_object_set_new(cfg, "Cmd", strv_array(&c->argv, 0));
	json_object_set_new(cfg, "Image", json_string(c->rootfs));
	json_object_set_new(cfg, "WorkingDir", json_string(c->workdir ? c->workdir : ""));
	json_object_set_new(o, "Config", cfg);
	json_object_set_new(host, "NetworkMode", json_string(net_mode_name(c->net.mode)));
	json_object_set_new(host, "AutoRemove", json_boolean(c->auto_remove));
	{
		struct strv caps = {0};
		security_cap_names(c->sec.caps, &caps);
		json_object_set_new(host, "Capabilities", strv_array(&caps, 0));
		json_object_set_new(host, "SecurityOpt",
				    c->sec.seccomp ? json_array()
						   : json_pack("[s]", "seccomp=unconfined"));
		strv_free(&caps);
	}
	json_object_set_new(o, "HostConfig", host);
	json_object_set_new(net, "IPAddress", ip_json(c->net.ip));
	json_object_set_new(net, "IPPrefixLen", json_integer(c->net.prefix));
	json_object_set_new(net, "Gateway", ip_json(c->net.gateway));
	json_object_set_new(net, "MacAddress", json_string(c->net.mac));
	json_object_set_new(net, "HostVeth", json_string(c->net.veth));
	json_object_set_new(net, "Ports", ports_json(c));
	json_object_set_new(o, "NetworkSettings", net);
	return o;
}

/* Like Docker: every container found is shown (an empty list when none
 * is), and a missing one is an error. With a template, one line each. */
int inspect_print(const char *root, char **refs, int n, const char *format, FILE *out,
		  struct mr_err *err)
{
	json_t *all = json_array();
	struct mr_err missing = {0};
	int r = 0;

	for (int i = 0; i < n; i++) {
		_cleanup_close_ int rootfd = open_root_for(root, refs[i], &missing);
		struct container c;

		if (rootfd < 0 || container_find(rootfd, refs[i], &c, &missing) < 0) {
			if (!err->msg)
				mr_error_move(err, &missing);
			mr_error_clear(&missing);
			r = -1;
			continue;
		}
		json_array_append_new(all, container_json(&c));
		container_free(&c);
	}
	if (format) {
		size_t i;
		json_t *one;
		json_array_foreach (all, i, one) {
			struct mr_err e = {0};
			if (template_render(format, one, out, &e) < 0) {
				mr_error_clear(err);
				mr_error_move(err, &e);
				mr_error_clear(&e);
				r = -1;
				break;
			}
			fputc('\n', out);
		}
	} else {
		char *text = json_dumps(all, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
		fprintf(out, "%s\n", text && json_array_size(all) ? text : "[]");
		free(text);
	}
	json_decref(all);
	return r;
}

/* `port NAME [CPORT[/PROTO]]`, as Docker prints it: every binding as
 * "CPORT/PROTO -> HOSTIP:HOSTPORT", or, for one container port, its
 * "HOSTIP:HOSTPORT" lines (an error when it publishes none). */
int port_print(const char *root, const char *ref, const char *which, FILE *out, struct mr_err *err)
{
	_cleanup_close_ int rootfd = open_root_for(root, ref, err);
	char want[32] = "";
	struct container c;
	int found = 0;

	if (which) {
		const char *slash = strchr(which, '/');
		char *end;
		unsigned long n = strtoul(which, &end, 10);
		if (end == which || n == 0 || n > 65535 || (*end && end != slash) ||
		    (slash && strcmp(slash + 1, "tcp") != 0 && strcmp(slash + 1, "udp") != 0))
			return mr_error(err, 0, "invalid port \"%s\": use PORT or PORT/tcp|udp",
					which);
		snprintf(want, sizeof(want), "%lu/%s", n, slash ? slash + 1 : "tcp");
	}
	if (rootfd < 0 || container_find(rootfd, ref, &c, err) < 0)
		return -1;
	if (container_running(&c))
		for (size_t i = 0; i < c.net.n_ports; i++) {
			const struct nft_port *p = &c.net.ports[i];
			char hip[INET_ADDRSTRLEN], key[32];
			snprintf(key, sizeof(key), "%u/%s", p->cont_port,
				 portmap_proto_name(p->proto));
			inet_ntop(AF_INET, &p->host_ip, hip, sizeof(hip));
			if (!which)
				fprintf(out, "%s -> %s:%u\n", key, hip, p->host_port);
			else if (strcmp(key, want) == 0 && ++found)
				fprintf(out, "%s:%u\n", hip, p->host_port);
		}
	container_free(&c);
	if (which && !found)
		return mr_error(err, 0, "no public port '%s' published for %s", want, ref);
	return 0;
}
