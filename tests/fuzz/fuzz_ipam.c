/* fuzz_ipam.c - libFuzzer target: ipam_from_string on arbitrary bytes, then a
 * to_string / from_string round trip (which must parse and give the same text),
 * a lease, a port record, a reclaim, leases in turn and a release. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../net/ipam.h"

static int count_lease(const struct ipam_lease *l, void *data)
{
	(void)l;
	(*(size_t *)data)++;
	return 0;
}

static bool alive_pid1(pid_t pid, unsigned long long start)
{
	(void)start;
	return pid == 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char id[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char *text = malloc(size + 1);
	struct mr_err err = {0};
	struct ipam *ip, *back;
	char *s1, *s2;
	struct in_addr want = {0}, out, subnet;
	int prefix;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	ip = ipam_from_string(text, &err);
	free(text);
	if (!ip) {
		if (!err.msg)
			abort();
		mr_error_clear(&err);
		return 0;
	}
	s1 = ipam_to_string(ip);
	if (s1) {
		back = ipam_from_string(s1, &err);
		if (!back)
			abort(); /* what we write, we must read back */
		s2 = ipam_to_string(back);
		if (!s2 || strcmp(s1, s2) != 0)
			abort();
		free(s2);
		ipam_close(back);
		free(s1);
	}
	ipam_get_subnet(ip, &subnet, &prefix);
	ipam_count(ip);
	if (ipam_lease(ip, id, want, 1, 1, &out, &err) == 0) {
		struct nft_port p = {.proto = 6, .host_port = 8080, .cont_port = 80};
		if (!ipam_holds(ip, id))
			abort();
		ipam_add_ports(ip, id, &p, 1, &err);
		mr_error_clear(&err);
		ipam_port_taken(ip, 6, (struct in_addr){0}, 8080);
	}
	mr_error_clear(&err);
	{
		struct nft_port *stale = NULL;
		size_t n_stale = 0;
		ipam_reclaim(ip, alive_pid1, &stale, &n_stale);
		free(stale);
	}
	{
		/* in turn: never more than asked, all when asked for more */
		size_t seen = 0, n = ipam_count(ip);
		if (ipam_foreach_some(ip, 2, count_lease, &seen) == 0 && seen > (n < 2 ? n : 2))
			abort();
		seen = 0;
		if (ipam_foreach_some(ip, n + 1, count_lease, &seen) == 0 && seen > n)
			abort();
	}
	ipam_release(ip, id);
	s1 = ipam_to_string(ip);
	free(s1);
	ipam_close(ip);
	return 0;
}
