/* test_ipam.c - the lease logic on an in-memory lease file. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "../../net/ipam.h"
#include "tap.h"

static bool all_alive(pid_t p, unsigned long long s)
{
	(void)p;
	(void)s;
	return true;
}

static bool dead_42(pid_t p, unsigned long long s)
{
	(void)s;
	return p != 42;
}

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

int main(void)
{
	struct mr_err err = {0};
	struct ipam *ip = ipam_from_string(NULL, &err);
	struct in_addr net, a, any = {0};
	int prefix;

	CHECK(ip != NULL);
	CHECK(!ipam_get_subnet(ip, &net, &prefix));
	inet_pton(AF_INET, "10.99.0.0", &net);
	CHECK(ipam_set_subnet(ip, net, 29, &err) == 0); /* hosts .2 - .6 */
	CHECK(ipam_get_subnet(ip, &net, &prefix) && prefix == 29);

	CHECK(ipam_lease(ip, "a", any, 1, 1, &a, &err) == 0);
	CHECK_STR(ip_s(a), "10.99.0.2"); /* .0 network, .1 gateway */
	CHECK(ipam_lease(ip, "b", any, 1, 1, &a, &err) == 0);
	CHECK_STR(ip_s(a), "10.99.0.3");
	ipam_release(ip, "a");
	CHECK(ipam_lease(ip, "c", any, 1, 1, &a, &err) == 0);
	CHECK_STR(ip_s(a), "10.99.0.4"); /* in turn: the freed .2 is not reused at once */
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
	ipam_release(ip, "d");
	inet_pton(AF_INET, "10.99.0.5", &a);
	CHECK(ipam_lease(ip, "h", a, 1, 1, &a, &err) == 0);
	CHECK(ipam_lease(ip, "i", a, 1, 1, &a, &err) == -1);
	CHECK_STR(err.msg, "--ip 10.99.0.5: address already in use");
	mr_error_clear(&err);
	inet_pton(AF_INET, "10.99.0.1", &a);
	CHECK(ipam_lease(ip, "i", a, 1, 1, &a, &err) == -1); /* the gateway */
	mr_error_clear(&err);
	inet_pton(AF_INET, "10.98.0.5", &a);
	CHECK(ipam_lease(ip, "i", a, 1, 1, &a, &err) == -1);
	CHECK_STR(err.msg, "--ip 10.98.0.5: not a free host address of 10.99.0.0/29");
	mr_error_clear(&err);

	/* ports */
	struct nft_port p = {.proto = IPPROTO_TCP, .host_port = 8080, .cont_port = 80};
	CHECK(ipam_add_ports(ip, "b", &p, 1, &err) == 0);
	struct in_addr lo;
	inet_pton(AF_INET, "127.0.0.1", &lo);
	CHECK(ipam_port_taken(ip, IPPROTO_TCP, any, 8080));
	CHECK(ipam_port_taken(ip, IPPROTO_TCP, lo, 8080)); /* 0.0.0.0 covers every address */
	CHECK(!ipam_port_taken(ip, IPPROTO_UDP, any, 8080));
	CHECK(!ipam_port_taken(ip, IPPROTO_TCP, any, 8081));
	p.host_ip = lo;
	p.host_port = 9000;
	CHECK(ipam_add_ports(ip, "c", &p, 1, &err) == 0);
	CHECK(ipam_port_taken(ip, IPPROTO_TCP, any, 9000));
	CHECK(ipam_port_taken(ip, IPPROTO_TCP, lo, 9000));
	struct in_addr other;
	inet_pton(AF_INET, "192.0.2.1", &other);
	CHECK(!ipam_port_taken(ip, IPPROTO_TCP, other, 9000)); /* another address is free */
	CHECK(ipam_add_ports(ip, "nobody", &p, 1, &err) == -1);
	mr_error_clear(&err);

	/* reclaim: leases whose owner is gone go, with their ports */
	struct nft_port *stale = NULL;
	size_t n_stale = 0;
	CHECK(ipam_reclaim(ip, all_alive, &stale, &n_stale) == 0 && n_stale == 0);
	CHECK(ipam_lease(ip, "dead", (struct in_addr){0}, 42, 7, &a, &err) == -1); /* full */
	mr_error_clear(&err);
	ipam_release(ip, "e");
	CHECK(ipam_lease(ip, "dead", (struct in_addr){0}, 42, 7, &a, &err) == 0);
	p.host_ip = any;
	p.host_port = 7000;
	CHECK(ipam_add_ports(ip, "dead", &p, 1, &err) == 0);
	size_t before = ipam_count(ip);
	CHECK(ipam_reclaim(ip, dead_42, &stale, &n_stale) == 0);
	CHECK(n_stale == 1 && stale[0].host_port == 7000 && stale[0].cont_ip.s_addr == a.s_addr);
	CHECK(ipam_count(ip) == before - 1);
	CHECK(!ipam_port_taken(ip, IPPROTO_TCP, any, 7000));
	free(stale);

	/* leases in turn: at most max a call, in address order after the lease
	 * where the last call stopped, wrapping; the place survives the file */
	{
		struct ipam *t = ipam_from_string(NULL, &err);
		const char *ids[] = {"a", "b", "c", "d", "e"};
		char seen[64] = "";
		char *saved;

		CHECK(t && ipam_set_subnet(t, net, 24, &err) == 0);
		for (size_t i = 0; i < 5; i++)
			CHECK(ipam_lease(t, ids[i], any, 1, 1, &a, &err) == 0); /* .2 - .6 */
		CHECK(ipam_foreach_some(t, 2, note_ip, seen) == 0);
		CHECK_STR(seen, "2 3 ");
		seen[0] = '\0';
		CHECK(ipam_foreach_some(t, 2, note_ip, seen) == 0);
		CHECK_STR(seen, "4 5 ");
		seen[0] = '\0';
		CHECK(ipam_foreach_some(t, 2, note_ip, seen) == 0);
		CHECK_STR(seen, "6 2 "); /* wraps around */
		ipam_release(t, "b");	 /* .3 */
		seen[0] = '\0';
		CHECK(ipam_foreach_some(t, 2, note_ip, seen) == 0);
		CHECK_STR(seen, "4 5 "); /* on after .2, past the gone .3 */
		seen[0] = '\0';
		CHECK(ipam_foreach_some(t, 9, note_ip, seen) == 0);
		CHECK_STR(seen, "2 4 5 6 "); /* max >= all: every lease */
		CHECK(ipam_foreach_some(t, 0, stop_now, NULL) == 0);
		CHECK(ipam_foreach_some(t, 1, stop_now, NULL) == -7);
		saved = ipam_to_string(t);
		ipam_close(t);
		t = ipam_from_string(saved, &err);
		free(saved);
		seen[0] = '\0';
		CHECK(t && ipam_foreach_some(t, 1, note_ip, seen) == 0);
		CHECK_STR(seen, "2 "); /* after the .6 the failed call ended at */
		ipam_close(t);
	}

	/* round trip through text */
	char *text = ipam_to_string(ip);
	struct ipam *again = ipam_from_string(text, &err);
	CHECK(again && ipam_count(again) == ipam_count(ip));
	CHECK(again && ipam_port_taken(again, IPPROTO_TCP, any, 8080));
	free(text);
	ipam_close(again);
	ipam_close(ip);

	/* corrupt files are an error, never a silent reset */
	CHECK(ipam_from_string("{\"leases\": [", &err) == NULL);
	CHECK(err.msg && strstr(err.msg, "ipam.json: corrupt") == err.msg);
	mr_error_clear(&err);
	CHECK(ipam_from_string("[1,2]", &err) == NULL);
	CHECK_STR(err.msg, "ipam.json: corrupt: not a lease file");
	mr_error_clear(&err);
	return tap_done();
}
