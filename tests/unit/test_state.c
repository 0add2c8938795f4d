/* test_state.c - state directories and state.json on a temporary root. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../common/fd.h"
#include "../../runtime/ps.h"
#include "../../runtime/state.h"
#include "tap.h"

int main(void)
{
	char tmpl[] = "/tmp/minirun-state.XXXXXX", path[256], id[ID_LEN + 1];
	struct mr_err err = {0};
	struct container c = {0}, back, other = {0};
	int rootfd;
	char buf[64];

	CHECK(mkdtemp(tmpl) != NULL);
	snprintf(path, sizeof(path), "%s/root", tmpl);
	CHECK(state_open_root(path, &rootfd, &err) == 0);

	c.name = strdup("web");
	c.hostname = strdup("box");
	c.rootfs = strdup("/srv/rootfs");
	strv_push(&c.argv, "httpd");
	strv_push(&c.argv, "-f");
	strv_push(&c.env, "A=1");
	c.net.mode = NET_BRIDGE;
	inet_pton(AF_INET, "10.99.0.2", &c.net.ip);
	inet_pton(AF_INET, "10.99.0.1", &c.net.gateway);
	inet_pton(AF_INET, "10.99.0.0", &c.net.subnet);
	c.net.prefix = 16;
	strcpy(c.net.mac, "02:42:0a:63:00:02");
	strcpy(c.net.veth, "mr0123456789ab");
	c.net.ports = calloc(1, sizeof(*c.net.ports));
	c.net.ports[0] =
	    (struct nft_port){.proto = IPPROTO_UDP, .host_port = 53, .cont_port = 5353};
	c.net.n_ports = 1;
	CHECK(state_create(rootfd, &c, &err) == 0);
	CHECK(strlen(c.id) == ID_LEN);
	c.status = ST_EXITED;
	c.exit_code = 3;
	CHECK(state_save(rootfd, &c, &err) == 0);

	CHECK(state_load(rootfd, c.id, &back, &err) == 0);
	CHECK_STR(back.name, "web");
	CHECK_STR(back.hostname, "box");
	CHECK_STR(back.rootfs, "/srv/rootfs");
	CHECK(back.argv.n == 2 && strcmp(back.argv.v[1], "-f") == 0);
	CHECK(back.status == ST_EXITED && back.exit_code == 3);
	CHECK(back.created.tv_sec == c.created.tv_sec && back.created.tv_nsec == c.created.tv_nsec);
	CHECK(back.net.mode == NET_BRIDGE && back.net.prefix == 16);
	CHECK_STR(back.net.veth, "mr0123456789ab");
	CHECK(back.net.n_ports == 1 && back.net.ports[0].proto == IPPROTO_UDP &&
	      back.net.ports[0].host_port == 53 && back.net.ports[0].cont_port == 5353 &&
	      back.net.ports[0].cont_ip.s_addr == c.net.ip.s_addr);
	container_free(&back);

	/* lookups: name, full id, unique prefix, ambiguous prefix, unknown */
	CHECK(state_lookup(rootfd, "web", id, &err) == 0 && strcmp(id, c.id) == 0);
	CHECK(state_lookup(rootfd, c.id, id, &err) == 0);
	memset(buf, 0, sizeof(buf));
	memcpy(buf, c.id, 5);
	CHECK(state_lookup(rootfd, buf, id, &err) == 0 && strcmp(id, c.id) == 0);
	CHECK(state_lookup(rootfd, "nosuch", id, &err) == -1);
	CHECK_STR(err.msg, "no such container: nosuch");
	mr_error_clear(&err);
	CHECK(state_lookup(rootfd, "", id, &err) == -1);
	mr_error_clear(&err);

	/* a second container cannot take the same name; another name is fine */
	other.name = strdup("web");
	CHECK(state_create(rootfd, &other, &err) == -1);
	CHECK_STR(err.msg, "container name \"web\" is already in use; remove that container or "
			   "choose another name");
	mr_error_clear(&err);
	free(other.name);
	other.name = NULL; /* generated: mr_ + 12 hex */
	CHECK(state_create(rootfd, &other, &err) == 0);
	CHECK(other.name && strncmp(other.name, "mr_", 3) == 0 && strlen(other.name) == 15);
	CHECK(state_lookup(rootfd, "", id, &err) == -1); /* still not a valid reference */
	mr_error_clear(&err);

	/* a corrupt state.json is an error naming the file */
	{
		char p[512];
		int dfd = state_dir_open(rootfd, other.id, &err);
		CHECK(dfd >= 0 &&
		      write_file_atomic(dfd, "state.json", "{\"id\": 1", 8, 0600, &err) == 0);
		close(dfd);
		CHECK(state_load(rootfd, other.id, &back, &err) == -1);
		snprintf(p, sizeof(p), "containers/%s/state.json: corrupt", other.id);
		CHECK(err.msg && strncmp(err.msg, p, strlen(p)) == 0);
		mr_error_clear(&err);
	}

	/* remove: directory and name go; twice is fine */
	CHECK(state_remove(rootfd, &c, &err) == 0);
	CHECK(state_remove(rootfd, &c, &err) == 0);
	CHECK(state_lookup(rootfd, "web", id, &err) == -1);
	mr_error_clear(&err);
	CHECK(state_remove(rootfd, &other, &err) == 0);
	snprintf(path, sizeof(path), "%s/root/containers", tmpl);
	CHECK(rmdir(path) == 0); /* empty */

	/* a world-writable root is refused */
	snprintf(path, sizeof(path), "%s/open", tmpl);
	mkdir(path, 0777);
	chmod(path, 0777);
	int fd2;
	CHECK(state_open_root(path, &fd2, &err) == -1);
	mr_error_clear(&err);

	/* ps wording */
	human_duration(0, buf, sizeof(buf));
	CHECK_STR(buf, "Less than a second");
	human_duration(5, buf, sizeof(buf));
	CHECK_STR(buf, "5 seconds");
	human_duration(61, buf, sizeof(buf));
	CHECK_STR(buf, "About a minute");
	human_duration(7200, buf, sizeof(buf));
	CHECK_STR(buf, "2 hours");

	/* the UTC text made by hand, against the C library's, over 1970-2400
	 * (every 1,000,003 s: all months, leap days, century years) */
	{
		int bad = 0;
		char got[STATE_TIME_LEN], want[STATE_TIME_LEN], ymd[40];
		struct tm tm;

		for (long long s = 0; s < 13569465600LL && bad < 3; s += 1000003) {
			struct timespec t = {.tv_sec = (time_t)s,
					     .tv_nsec = (long)(s % 1000000000)};
			gmtime_r(&t.tv_sec, &tm);
			strftime(ymd, sizeof(ymd), "%Y-%m-%dT%H:%M:%S", &tm);
			snprintf(want, sizeof(want), "%s.%09ldZ", ymd, t.tv_nsec);
			state_time_text(&t, got);
			if (strcmp(got, want) != 0) {
				printf("# %lld: %s, want %s\n", s, got, want);
				bad++;
			}
		}
		CHECK(bad == 0);
		state_time_text(&(struct timespec){.tv_sec = 951782400}, got);
		CHECK_STR(got, "2000-02-29T00:00:00.000000000Z");
		state_time_text(&(struct timespec){.tv_sec = 4107542399, .tv_nsec = 999999999},
				got);
		CHECK_STR(got, "2100-02-28T23:59:59.999999999Z");
	}

	container_free(&c);
	container_free(&other);
	close(rootfd);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
	CHECK(system(cmd) == 0);
	return tap_done();
}
