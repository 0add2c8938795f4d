/* portmap.h - the `-p [IP:][HOSTPORT:]CPORT[/tcp|udp]` syntax, parsed and shown
 * the way Docker does. Pure functions: no sockets, no state. */
#pragma once

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

struct port_map {
	uint8_t proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	struct in_addr host_ip; /* INADDR_ANY: every address of the host */
	uint16_t host_port;	/* 0: let minirun pick a free port */
	uint16_t cont_port;
};

/* Parse one -p value and append its mappings (a range gives several) to
 * *maps and *n (grown with realloc). On error *maps and *n are unchanged in
 * content and count, and err says "invalid port spec "SPEC": why". */
int portmap_parse(const char *spec, struct port_map **maps, size_t *n, struct mr_err *err);

/* Docker's display form, "0.0.0.0:8080->80/tcp"; returns snprintf's result. */
int portmap_format(const struct port_map *m, char *buf, size_t len);

const char *portmap_proto_name(uint8_t proto); /* "tcp" / "udp" */
