/* netexplain.h - `minirun net explain NAME [--port P]`: how packets reach a
 * bridge-mode container and leave it, hop by hop, each hop with the command
 * (ip, bridge, nft, conntrack) that shows it. Reads only. */
#pragma once

#include <stdio.h>

#include "../common/err.h"

/* port: "P" or "P/tcp|udp", a published host port, or NULL for the first. */
int netexplain_print(const char *root, const char *ref, const char *port, FILE *out,
		     struct mr_err *err);
