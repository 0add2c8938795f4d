/* fuzz_ipam.c - libFuzzer target: ipam_lease_parse (a lease file, and each
 * lease of an older minirun's ipam.json when it is moved) on arbitrary
 * bytes; what parses must format, parse back and format the same. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../net/ipam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in_addr addr = {.s_addr = htonl(0x0a630002)};
	char *text = malloc(size + 1), *s1, *s2;
	struct mr_err err = {0};
	struct ipam_lease l, back;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (ipam_lease_parse(text, "fuzz", addr, &l, &err) < 0) {
		free(text);
		if (!err.msg)
			abort(); /* every refusal says why */
		mr_error_clear(&err);
		return 0;
	}
	free(text);
	if (!l.id[0] || strlen(l.id) > IPAM_ID_MAX)
		abort();
	for (size_t i = 0; i < l.n_ports; i++)
		if (l.ports[i].cont_ip.s_addr != addr.s_addr || !l.ports[i].host_port)
			abort();
	s1 = ipam_lease_format(&l);
	if (s1) {
		if (ipam_lease_parse(s1, "again", addr, &back, &err) < 0)
			abort(); /* what we write, we must read back */
		s2 = ipam_lease_format(&back);
		if (!s2 || strcmp(s1, s2) != 0 || back.n_ports != l.n_ports)
			abort();
		free(s2);
		ipam_lease_free(&back);
		free(s1);
	}
	ipam_lease_free(&l);
	return 0;
}
