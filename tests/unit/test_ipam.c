/* test_ipam.c - the lease logic on lease files in a temporary state root. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/fd.h"
#include "../../net/ipam.h"
#include "tap.h"

/* ipam_foreach_some's callback: notes the last byte of each address seen. */
static int note_ip(const struct ipam_lease *l, void *data)
{
	char *s = data;
	size_t n = strlen(s);

	snprintf(s + n, 64 - n, "%u ", (unsigned)(ntohl(l->ip.s_addr) & 0xff));
	return 0;
}

static int stop_now(const struct ipam_lease *l, void *data)
{
	(void)l;
	(void)data;
	return -7;
}

static const char *ip_s(struct in_addr a)
{
	static char buf[INET_ADDRSTRLEN];
	return inet_ntop(AF_INET, &a, buf, sizeof(buf));
}

static struct in_addr addr(const char *s)
{
	struct in_addr a = {0};
	inet_pton(AF_INET, s, &a);
	return a;
}

static void put(int rootfd, const char *name, const char *text)
{
	int fd = openat(rootfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		perror(name);
	close(fd);
}

/* A fresh state root under /tmp. */
static int new_root(char *path)
{
	strcpy(path, "/tmp/test_ipam.XXXXXX");
	return mkdtemp(path) ? open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
}

static void rm_root(const char *path)
{
	char cmd[64];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", path);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", path);
}

static void test_leases(void)
{
	char root[32];
	int rootfd = new_root(root);
	struct mr_err err = {0};
	struct ipam *ip = NULL;
	struct in_addr net, a, any = {0};
	int prefix;

	CHECK(rootfd >= 0 && ipam_open(rootfd, &ip, &err) == 0);
	CHECK(!ipam_get_subnet(ip, &net, &prefix));
	net = addr("10.99.0.0");
	CHECK(ipam_set_subnet(ip, net, 29, &err) == 0); /* hosts .2 - .6 */
	CHECK(ipam_get_subnet(ip, &net, &prefix) && prefix == 29);

	CHECK(ipam_lease(ip, "a", any, 1, 1, &a, &err) == 0);
	CHECK_STR(ip_s(a), "10.99.0.2"); /* .0 network, .1 gateway */
	CHECK(ipam_lease(ip, "b", any, 1, 1, &a, &err) == 0);
	CHECK_STR(ip_s(a), "10.99.0.3");
	CHECK(ipam_holds(ip, "a", addr("10.99.0.2")));
	CHECK(!ipam_holds(ip, "b", addr("10.99.0.2"))); /* another's */
	ipam_release(ip, "b", addr("10.99.0.2"));	/* not b's: stays */
	CHECK(ipam_holds(ip, "a", addr("10.99.0.2")));
	ipam_release(ip, "a", addr("10.99.0.2"));
	CHECK(!ipam_holds(ip, "a", addr("10.99.0.2")));
	CHECK(ipam_lease(ip, "c", any, 1, 1, &a, &err) == 0);
	CHECK_STR(ip_s(a), "10.99.0.4"); /* in turn: the freed .2 is not reused at once */
	/* the turn survives the lock */
	CHECK(ipam_commit(ip, &err) == 0);
	CHECK(ipam_open(rootfd, &ip, &err) == 0);
	CHECK(ipam_lease(ip, "d", any, 1, 1, &a, &err) == 0);
	CHECK_STR(ip_s(a), "10.99.0.5");
	CHECK(ipam_lease(ip, "e", any, 1, 1, &a, &err) == 0);
	CHECK_STR(ip_s(a), "10.99.0.6"); /* .7 is the broadcast address */
	CHECK(ipam_lease(ip, "f", any, 1, 1, &a, &err) == 0);
	CHECK_STR(ip_s(a), "10.99.0.2"); /* wraps around to the freed one */
	CHECK(ipam_lease(ip, "g", any, 1, 1, &a, &err) == -1);
	CHECK_STR(err.msg, "no free address left in 10.99.0.0/29");
	mr_error_clear(&err);
	CHECK(ipam_count(ip) == 5);

	/* --ip */
	ipam_release(ip, "d", addr("10.99.0.5"));
	CHECK(ipam_lease(ip, "h", addr("10.99.0.5"), 1, 1, &a, &err) == 0);
	CHECK_STR(ip_s(a), "10.99.0.5");
	CHECK(ipam_lease(ip, "i", addr("10.99.0.5"), 1, 1, &a, &err) == -1);
	CHECK_STR(err.msg, "--ip 10.99.0.5: address already in use");
	mr_error_clear(&err);
	CHECK(ipam_lease(ip, "i", addr("10.99.0.1"), 1, 1, &a, &err) == -1); /* the gateway */
	mr_error_clear(&err);
	CHECK(ipam_lease(ip, "i", addr("10.98.0.5"), 1, 1, &a, &err) == -1);
	CHECK_STR(err.msg, "--ip 10.98.0.5: not a free host address of 10.99.0.0/29");
	mr_error_clear(&err);

	/* ports: b's lease is gone, c holds .4, h .5 */
	struct in_addr lo = addr("127.0.0.1"), other = addr("192.0.2.1");
	struct nft_port p = {.proto = IPPROTO_TCP, .host_port = 8080, .cont_port = 80};
	CHECK(!ipam_port_taken(ip, IPPROTO_TCP, any, 8080));
	CHECK(ipam_add_ports(ip, "c", addr("10.99.0.4"), &p, 1, &err) == 0);
	CHECK(ipam_port_taken(ip, IPPROTO_TCP, any, 8080));
	CHECK(ipam_port_taken(ip, IPPROTO_TCP, lo, 8080)); /* 0.0.0.0 covers every address */
	CHECK(!ipam_port_taken(ip, IPPROTO_UDP, any, 8080));
	CHECK(!ipam_port_taken(ip, IPPROTO_TCP, any, 8081));
	p.host_ip = lo;
	p.host_port = 9000;
	CHECK(ipam_add_ports(ip, "h", addr("10.99.0.5"), &p, 1, &err) == 0);
	CHECK(ipam_port_taken(ip, IPPROTO_TCP, any, 9000));
	CHECK(ipam_port_taken(ip, IPPROTO_TCP, lo, 9000));
	CHECK(!ipam_port_taken(ip, IPPROTO_TCP, other, 9000)); /* another address is free */
	p.host_ip = other;
	CHECK(ipam_add_ports(ip, "c", addr("10.99.0.4"), &p, 1, &err) == 0); /* so it is taken */
	CHECK(ipam_add_ports(ip, "nobody", addr("10.99.0.4"), &p, 1, &err) == -1);
	CHECK_STR(err.msg, "ipam: no lease for nobody");
	mr_error_clear(&err);
	/* released with their lease: both of c's, and 9000 on 192.0.2.1 too
	 * (the claims of one port by two addresses are apart) */
	ipam_release(ip, "c", addr("10.99.0.4"));
	CHECK(!ipam_port_taken(ip, IPPROTO_TCP, any, 8080));
	CHECK(!ipam_port_taken(ip, IPPROTO_TCP, other, 9000));
	CHECK(ipam_port_taken(ip, IPPROTO_TCP, lo, 9000));	      /* h's */
	CHECK(faccessat(rootfd, "ipam/ports/tcp-8080", F_OK, 0) < 0); /* no empty dirs left */

	/* a claim whose lease does not list its port (a run killed between
	 * the two) holds nothing */
	CHECK(mkdirat(rootfd, "ipam/ports/udp-53", 0700) == 0);
	put(rootfd, "ipam/ports/udp-53/0.0.0.0", "10.99.0.5");
	put(rootfd, "ipam/ports/udp-53/127.0.0.1", "10.99.0.3");
	CHECK(!ipam_port_taken(ip, IPPROTO_UDP, any, 53));
	CHECK(!ipam_port_taken(ip, IPPROTO_UDP, lo, 53));
	p = (struct nft_port){.proto = IPPROTO_UDP, .host_port = 53, .cont_port = 53};
	CHECK(ipam_add_ports(ip, "h", addr("10.99.0.5"), &p, 1, &err) ==
	      0); /* over the stale one */
	CHECK(ipam_port_taken(ip, IPPROTO_UDP, lo, 53));
	ipam_close(ip);
	close(rootfd);
	rm_root(root);
}

static void test_turns(void)
{
	char root[32];
	int rootfd = new_root(root);
	struct mr_err err = {0};
	struct ipam *t = NULL;
	struct in_addr a, any = {0};
	const char *ids[] = {"a", "b", "c", "d", "e"};
	char seen[64] = "";

	/* leases in turn: at most max a call, among the next max * 8 addresses
	 * (at most all once) after the one where the last call stopped,
	 * wrapping; the place survives the lock */
	CHECK(rootfd >= 0 && ipam_open(rootfd, &t, &err) == 0);
	CHECK(ipam_foreach_some(t, 2, note_ip, seen, &err) == 0 && !seen[0]); /* no subnet */
	CHECK(ipam_set_subnet(t, addr("10.99.0.0"), 29, &err) == 0);	      /* hosts .2 - .6 */
	for (size_t i = 0; i < 5; i++)
		CHECK(ipam_lease(t, ids[i], any, 1, 1, &a, &err) == 0); /* .2 - .6 */
	CHECK(ipam_foreach_some(t, 2, note_ip, seen, &err) == 0);
	CHECK_STR(seen, "2 3 ");
	seen[0] = '\0';
	CHECK(ipam_foreach_some(t, 2, note_ip, seen, &err) == 0);
	CHECK_STR(seen, "4 5 ");
	seen[0] = '\0';
	CHECK(ipam_foreach_some(t, 2, note_ip, seen, &err) == 0);
	CHECK_STR(seen, "6 2 "); /* wraps around */
	ipam_release(t, "b", addr("10.99.0.3"));
	seen[0] = '\0';
	CHECK(ipam_foreach_some(t, 2, note_ip, seen, &err) == 0);
	CHECK_STR(seen, "4 5 "); /* on after .2, past the gone .3 */
	seen[0] = '\0';
	CHECK(ipam_foreach_some(t, 9, note_ip, seen, &err) == 0);
	CHECK_STR(seen, "6 2 4 5 "); /* max >= all: every lease, once */
	CHECK(ipam_foreach_some(t, 0, stop_now, NULL, &err) == 0);
	CHECK(ipam_foreach_some(t, 1, stop_now, NULL, &err) == -7);
	CHECK(ipam_commit(t, &err) == 0);
	CHECK(ipam_open(rootfd, &t, &err) == 0);
	seen[0] = '\0';
	CHECK(ipam_foreach_some(t, 1, note_ip, seen, &err) == 0);
	CHECK_STR(seen, "2 "); /* after the .6 the failed call ended at */
	/* sparse leases: a call looks at 8 addresses a lease asked for */
	CHECK(ipam_set_subnet(t, addr("10.99.0.0"), 24, &err) == 0);
	CHECK(ipam_lease(t, "far", addr("10.99.0.40"), 1, 1, &a, &err) == 0);
	seen[0] = '\0';
	CHECK(ipam_foreach_some(t, 2, note_ip, seen, &err) == 0);
	CHECK_STR(seen, "4 5 "); /* after .2 */
	seen[0] = '\0';
	CHECK(ipam_foreach_some(t, 2, note_ip, seen, &err) == 0);
	CHECK_STR(seen, "6 "); /* .6 - .21 */
	seen[0] = '\0';
	CHECK(ipam_foreach_some(t, 2, note_ip, seen, &err) == 0);
	CHECK_STR(seen, ""); /* .22 - .37 */
	seen[0] = '\0';
	CHECK(ipam_foreach_some(t, 2, note_ip, seen, &err) == 0);
	CHECK_STR(seen, "40 "); /* .38 - .53 */
	ipam_release(t, "far", addr("10.99.0.40"));
	CHECK(ipam_set_subnet(t, addr("10.99.0.0"), 29, &err) == 0);

	/* corrupt files are an error that names them, never a silent reset */
	put(rootfd, "ipam/leases/10.99.0.9", "{\"id\": \"x\"");
	seen[0] = '\0';
	CHECK(ipam_foreach(t, note_ip, seen, &err) == -1);
	CHECK(err.msg && strstr(err.msg, "ipam/leases/10.99.0.9: corrupt: ") == err.msg);
	mr_error_clear(&err);
	CHECK(ipam_lease(t, "z", addr("10.99.0.9"), 1, 1, &a, &err) == -1); /* still held */
	mr_error_clear(&err);
	ipam_release(t, "x", addr("10.99.0.9"));
	CHECK(faccessat(rootfd, "ipam/leases/10.99.0.9", F_OK, 0) == 0);
	ipam_close(t);
	put(rootfd, "ipam/network.json", "[1]");
	CHECK(ipam_open(rootfd, &t, &err) == -1);
	CHECK_STR(err.msg, "ipam/network.json: corrupt: not an object");
	mr_error_clear(&err);
	close(rootfd);
	rm_root(root);
}

static void test_migrate(void)
{
	static const char old[] =
	    "{\"subnet\":\"10.98.0.0/16\",\"last\":\"10.98.0.3\",\"checked\":\"10.98.0.2\","
	    "\"leases\":{\"10.98.0.3\":{\"id\":\"abc\",\"owner\":42,\"owner_start\":7,"
	    "\"ports\":[{\"proto\":\"udp\",\"host_ip\":\"0.0.0.0\",\"host_port\":5353,"
	    "\"container_port\":53}]}}}";
	char root[32], cmd[64], *text = NULL;
	int rootfd = new_root(root);
	struct mr_err err = {0};
	struct ipam *ip = NULL;
	struct in_addr net, a;
	int prefix;

	/* a corrupt old file: named, left as it was, nothing moved */
	put(rootfd, "ipam.json", "{\"leases\": [1]}");
	CHECK(rootfd >= 0 && ipam_open(rootfd, &ip, &err) == -1);
	CHECK_STR(err.msg, "ipam.json: corrupt: not a lease file");
	mr_error_clear(&err);
	put(rootfd, "ipam.json", old);
	CHECK(ipam_open(rootfd, &ip, &err) == 0);
	CHECK(ipam_get_subnet(ip, &net, &prefix) && prefix == 16);
	CHECK_STR(ip_s(net), "10.98.0.0");
	CHECK(ipam_holds(ip, "abc", addr("10.98.0.3")));
	CHECK(ipam_port_taken(ip, IPPROTO_UDP, (struct in_addr){0}, 5353));
	CHECK(ipam_lease(ip, "new", (struct in_addr){0}, 1, 1, &a, &err) == 0);
	CHECK_STR(ip_s(a), "10.98.0.4"); /* after the old "last" */
	CHECK(ipam_commit(ip, &err) == 0);
	/* what an older minirun finds now, and refuses as not a lease file */
	CHECK(read_file_at(rootfd, "ipam.json", &text, NULL) == 0 &&
	      strstr(text, "\"leases\": \"moved to ipam/"));
	free(text);
	CHECK(ipam_open(rootfd, &ip, &err) == 0 && ipam_count(ip) == 2); /* moved once */
	ipam_close(ip);
	snprintf(cmd, sizeof(cmd), "rm -r %s/ipam", root); /* after a power cut, say */
	CHECK(system(cmd) == 0);
	CHECK(ipam_open(rootfd, &ip, &err) == 0 && ipam_count(ip) == 0);
	CHECK(!ipam_get_subnet(ip, &net, &prefix)); /* made anew, the note left alone */
	ipam_close(ip);
	close(rootfd);
	rm_root(root);
}

static void test_format(void)
{
	struct nft_port ports[2] = {
	    {.proto = IPPROTO_TCP, .host_port = 8080, .cont_port = 80},
	    {.proto = IPPROTO_UDP, .host_ip = addr("127.0.0.1"), .host_port = 53, .cont_port = 53},
	};
	struct ipam_lease l = {.id = "abc",
			       .owner = 4242,
			       .owner_start = 98765,
			       .ports = ports,
			       .n_ports = 2},
			  back;
	struct mr_err err = {0};
	char *text = ipam_lease_format(&l), *again;

	CHECK_STR(text, "{\"id\":\"abc\",\"owner\":4242,\"owner_start\":98765,\"ports\":[{"
			"\"container_port\":80,\"host_ip\":\"0.0.0.0\",\"host_port\":8080,"
			"\"proto\":\"tcp\"},{\"container_port\":53,\"host_ip\":\"127.0.0.1\","
			"\"host_port\":53,\"proto\":\"udp\"}]}");
	CHECK(ipam_lease_parse(text, "x", addr("10.99.0.2"), &back, &err) == 0);
	CHECK(back.n_ports == 2 && back.ports[1].proto == IPPROTO_UDP &&
	      back.ports[1].cont_ip.s_addr == addr("10.99.0.2").s_addr);
	again = ipam_lease_format(&back);
	CHECK_STR(again, text);
	ipam_lease_free(&back);
	free(again);
	free(text);
	CHECK(ipam_lease_parse("{\"id\":\"a\",\"owner\":1,\"owner_start\":1,\"ports\":[{}]}", "x",
			       addr("10.99.0.2"), &back, &err) == -1);
	CHECK_STR(err.msg, "x: corrupt: port 1");
	mr_error_clear(&err);
	CHECK(ipam_lease_parse("{\"id\":\"a\"}", "x", addr("10.99.0.2"), &back, &err) == -1);
	CHECK_STR(err.msg, "x: corrupt: not a lease");
	mr_error_clear(&err);
}

int main(void)
{
	test_leases();
	test_turns();
	test_migrate();
	test_format();
	return tap_done();
}
