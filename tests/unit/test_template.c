/* test_template.c - the {{.Path}} / {{json .Path}} subset of Go templates
 * that `minirun inspect -f` understands, printed as Go prints it. */
#include <stdlib.h>

#include "../../runtime/template.h"
#include "tap.h"

static json_t *doc;

/* render: the output, or "ERR: message" */
static char *render(const char *tmpl)
{
	struct mr_err err = {0};
	char *buf = NULL, *out;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (template_render(tmpl, doc, f, &err) < 0) {
		fclose(f);
		free(buf);
		if (asprintf(&out, "ERR: %s", err.msg) < 0)
			out = NULL;
		mr_error_clear(&err);
		return out;
	}
	fclose(f);
	return buf;
}

#define RENDERS(tmpl, want)                                                                        \
	do {                                                                                       \
		char *got_ = render(tmpl);                                                         \
		CHECK_STR(got_, want);                                                             \
		free(got_);                                                                        \
	} while (0)

int main(void)
{
	doc = json_loads("{\"Name\": \"/web\", \"State\": {\"Running\": true, \"Pid\": 42, "
			 "\"Status\": \"running\"}, \"Config\": {\"Cmd\": [\"sleep\", \"30\"], "
			 "\"Env\": null}, \"Ports\": {\"b\": 2, \"a\": \"x\"}}",
			 0, NULL);
	CHECK(doc != NULL);
	RENDERS("plain text", "plain text");
	RENDERS("{{.Name}}", "/web");
	RENDERS("{{.State.Status}} {{.State.Pid}} {{.State.Running}}", "running 42 true");
	RENDERS("{{ .State.Status }}", "running");
	RENDERS("[{{.Config.Cmd}}]", "[[sleep 30]]");
	RENDERS("{{.Ports}}", "map[a:x b:2]");
	RENDERS("{{.Config.Env}}", "<nil>");
	RENDERS("{{.Nope}} {{.State.Nope.Deeper}}", "<no value> <no value>");
	RENDERS("{{json .Config.Cmd}}", "[\"sleep\",\"30\"]");
	RENDERS("{{json .State.Status}}", "\"running\"");
	RENDERS("{{json .Nope}}", "null");
	RENDERS("{{.}}", "map[Config:map[Cmd:[sleep 30] Env:<nil>] Name:/web Ports:map[a:x b:2] "
			 "State:map[Pid:42 Running:true Status:running]]");
	RENDERS("{{range .Config.Cmd}}x{{end}}",
		"ERR: template: unsupported action {{range .Config.Cmd}}: only {{.Field.Path}} "
		"and {{json .Field.Path}} are supported");
	RENDERS("{{.Name}", "ERR: template: unclosed action in \"{{.Name}\"");
	RENDERS("{{..Name}}", "ERR: template: unsupported action {{..Name}}: only {{.Field.Path}} "
			      "and {{json .Field.Path}} are supported");
	json_decref(doc);
	return tap_done();
}
