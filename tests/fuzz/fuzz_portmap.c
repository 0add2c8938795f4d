/* fuzz_portmap.c - libFuzzer target: portmap_parse on arbitrary bytes (a
 * NUL-terminated copy), then portmap_format on every mapping it gives. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../net/portmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = malloc(size + 1);
	struct port_map *maps = NULL;
	size_t n = 0;
	struct mr_err err = {0};
	char buf[128];

	if (!spec)
		return 0;
	memcpy(spec, data, size);
	spec[size] = '\0';
	if (portmap_parse(spec, &maps, &n, &err) == 0) {
		for (size_t i = 0; i < n; i++) {
			if (maps[i].cont_port == 0)
				abort(); /* a container port is never 0 */
			portmap_format(&maps[i], buf, sizeof(buf));
			portmap_proto_name(maps[i].proto);
		}
	} else if (n != 0 || !err.msg) {
		abort(); /* on error: nothing appended, and a message */
	}
	mr_error_clear(&err);
	free(maps);
	free(spec);
	return 0;
}
