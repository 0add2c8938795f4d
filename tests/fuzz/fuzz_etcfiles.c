/* fuzz_etcfiles.c - libFuzzer target: etc_resolv_render and etc_hosts_render
 * with the input as the host's file content (bridge and host mode), and as a
 * --add-host value, a --dns value and a hostname. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/strv.h"
#include "../../runtime/etcfiles.h"

static void render(const struct etc_opts *o, const char *host)
{
	struct mr_err err = {0};
	char *s;

	s = etc_resolv_render(o, host, &err);
	if (!s && !err.msg)
		abort();
	free(s);
	mr_error_clear(&err);
	s = etc_hosts_render(o, host, &err);
	if (!s && !err.msg)
		abort();
	free(s);
	mr_error_clear(&err);
	s = etc_hostname_render(o, &err);
	free(s);
	mr_error_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1);
	struct strv add = {0}, dns = {0}, search = {0};
	struct mr_err err = {0};
	struct etc_opts o = {.hostname = "box", .ip = "10.99.0.2"};

	if (!in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';

	/* the input as the host's /etc/resolv.conf and /etc/hosts */
	render(&o, in);
	o.host_network = true;
	o.ip = NULL;
	render(&o, in);
	etc_resolv_host_path(in);

	/* the input as --add-host, --dns, --dns-search and the hostname */
	if (etc_check_add_host(in, &err) < 0 && !err.msg)
		abort();
	mr_error_clear(&err);
	strv_push(&add, in);
	strv_push(&dns, in);
	strv_push(&search, in);
	o = (struct etc_opts){.hostname = "box", .ip = "10.99.0.2", .add_hosts = &add};
	render(&o, "nameserver 1.1.1.1\n");
	o = (struct etc_opts){.hostname = "box",
			      .ip = "10.99.0.2",
			      .dns = &dns,
			      .dns_search = &search,
			      .dns_opt = &search};
	render(&o, "nameserver 1.1.1.1\nsearch example.com\n");
	o = (struct etc_opts){.hostname = in, .ip = "10.99.0.2"};
	render(&o, NULL);

	strv_free(&add);
	strv_free(&dns);
	strv_free(&search);
	free(in);
	return 0;
}
