/* nft-tool.c - test-only CLI over net/nft.c and net/conntrack.c, so that the
 * integration tests can drive them inside a throwaway network namespace:
 *
 *   nft-tool ensure BRIDGE SUBNET/PREFIX
 *   nft-tool add PROTO HOSTIP HOSTPORT CIP CPORT [PROTO HOSTIP HOSTPORT CIP CPORT]...
 *   nft-tool del PROTO HOSTIP HOSTPORT CIP CPORT [...]
 *   nft-tool deltable
 *   nft-tool ctflush PROTO PORT
 *   nft-tool handover PROTO HOSTIP HOSTPORT CIP CPORT NEWCIP
 *
 * PROTO is tcp or udp; HOSTIP 0.0.0.0 means every host address. Several
 * five-word groups go into one call (one batch). Exit status: 0 ok, 1 error
 * (the message on stderr), 2 usage; ctflush prints how many entries it
 * deleted. handover publishes the port for one container, takes it away as
 * a removal does (nft_del_many), and at once publishes it for a container
 * at NEWCIP: what a run does when it takes back a dead run's port. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/cleanup.h"
#include "../../common/err.h"
#include "../../net/conntrack.h"
#include "../../net/nft.h"
#include "../../net/nl.h"

static int usage(void)
{
	fprintf(stderr, "usage: nft-tool ensure BRIDGE SUBNET/PREFIX\n"
			"       nft-tool add|del PROTO HOSTIP HOSTPORT CIP CPORT [...]\n"
			"       nft-tool deltable\n"
			"       nft-tool ctflush PROTO PORT\n"
			"       nft-tool handover PROTO HOSTIP HOSTPORT CIP CPORT NEWCIP\n");
	return 2;
}

static int parse_proto(const char *s, uint8_t *proto)
{
	if (strcmp(s, "tcp") == 0)
		*proto = IPPROTO_TCP;
	else if (strcmp(s, "udp") == 0)
		*proto = IPPROTO_UDP;
	else
		return -1;
	return 0;
}

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static int parse_ports(int argc, char **argv, struct nft_port **out, size_t *n)
{
	_cleanup_free_ struct nft_port *v = NULL;
	size_t count;

	if (argc == 0 || argc % 5 != 0)
		return -1;
	count = (size_t)argc / 5;
	v = calloc(count, sizeof(*v));
	if (!v)
		return -1;
	for (size_t i = 0; i < count; i++) {
		char **a = argv + 5 * i;
		if (parse_proto(a[0], &v[i].proto) < 0 ||
		    inet_pton(AF_INET, a[1], &v[i].host_ip) != 1 ||
		    parse_port(a[2], &v[i].host_port) < 0 ||
		    inet_pton(AF_INET, a[3], &v[i].cont_ip) != 1 ||
		    parse_port(a[4], &v[i].cont_port) < 0)
			return -1;
	}
	*out = TAKE_PTR(v);
	*n = count;
	return 0;
}

static int parse_subnet(const char *s, struct in_addr *net, int *prefix)
{
	char buf[INET_ADDRSTRLEN + 4];
	char *slash, *end;
	long v;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	v = strtol(slash + 1, &end, 10);
	if (end == slash + 1 || *end || v < 0 || v > 32 || inet_pton(AF_INET, buf, net) != 1)
		return -1;
	*prefix = (int)v;
	return 0;
}

static int run(struct nl *nl, int argc, char **argv, struct mr_err *err)
{
	const char *cmd = argv[1];

	if (strcmp(cmd, "ensure") == 0 && argc == 4) {
		struct in_addr net;
		int prefix;
		if (parse_subnet(argv[3], &net, &prefix) < 0)
			return usage();
		return nft_ensure(nl, argv[2], net, prefix, err) < 0 ? 1 : 0;
	}
	if ((strcmp(cmd, "add") == 0 || strcmp(cmd, "del") == 0) && argc >= 7) {
		_cleanup_free_ struct nft_port *ports = NULL;
		size_t n = 0;
		int r;
		if (parse_ports(argc - 2, argv + 2, &ports, &n) < 0)
			return usage();
		if (cmd[0] == 'a')
			r = nft_add_ports(nl, ports, n, err);
		else
			r = nft_del_ports(nl, ports, n, err);
		return r < 0 ? 1 : 0;
	}
	if (strcmp(cmd, "handover") == 0 && argc == 8) {
		_cleanup_free_ struct nft_port *ports = NULL;
		size_t n = 0;
		if (parse_ports(5, argv + 2, &ports, &n) < 0)
			return usage();
		struct nft_port next = ports[0];
		if (inet_pton(AF_INET, argv[7], &next.cont_ip) != 1)
			return usage();
		struct nft_container old = {.veth = "mrhand0",
					    .mac = {2, 0, 0, 0, 0, 1},
					    .ip = ports[0].cont_ip,
					    .ports = ports,
					    .n_ports = 1};
		if (nft_add_container(nl, old.veth, old.mac, old.ip, ports, 1, err) < 0 ||
		    nft_del_many(nl, &old, 1, err) < 0)
			return 1;
		const unsigned char mac[6] = {2, 0, 0, 0, 0, 2};
		if (nft_add_container(nl, "mrhand1", mac, next.cont_ip, &next, 1, err) < 0)
			return 1;
		return 0;
	}
	if (strcmp(cmd, "deltable") == 0 && argc == 2)
		return nft_delete_table(nl, err) < 0 ? 1 : 0;
	if (strcmp(cmd, "ctflush") == 0 && argc == 4) {
		uint8_t proto;
		uint16_t port;
		int r;
		if (parse_proto(argv[2], &proto) < 0 || parse_port(argv[3], &port) < 0)
			return usage();
		r = conntrack_flush_ports(nl, proto, &port, 1, err);
		if (r < 0)
			return 1;
		printf("%d\n", r);
		return 0;
	}
	return usage();
}

int main(int argc, char **argv)
{
	struct mr_err err = {0};
	struct nl nl;
	int status;

	if (argc < 2)
		return usage();
	if (nl_open(&nl, NETLINK_NETFILTER, &err) < 0) {
		fprintf(stderr, "nft-tool: %s\n", err.msg);
		mr_error_clear(&err);
		return 1;
	}
	status = run(&nl, argc, argv, &err);
	if (status == 1)
		fprintf(stderr, "nft-tool: %s\n", err.msg ? err.msg : "failed");
	mr_error_clear(&err);
	nl_close(&nl);
	return status;
}
