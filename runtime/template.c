/* template.c - {{.Field.Path}} and {{json .Field.Path}} over a JSON object,
 * printed the way Go's text/template prints Docker's inspect data. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream */
#endif
#include "template.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Go's %v of a decoded JSON value. */
static void put_value(FILE *f, json_t *v)
{
	const char *key;
	json_t *x;
	size_t i, n = 0;
	const char **keys;

	switch (json_typeof(v)) {
	case JSON_STRING:
		fputs(json_string_value(v), f);
		break;
	case JSON_INTEGER:
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		fprintf(f, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		fputs(json_is_true(v) ? "true" : "false", f);
		break;
	case JSON_NULL:
		fputs("<nil>", f);
		break;
	case JSON_ARRAY:
		fputc('[', f);
		json_array_foreach (v, i, x) {
			if (i)
				fputc(' ', f);
			put_value(f, x);
		}
		fputc(']', f);
		break;
	case JSON_OBJECT: /* Go prints a map's keys sorted */
		keys = calloc(json_object_size(v) + 1, sizeof(*keys));
		if (!keys)
			break;
		json_object_foreach (v, key, x)
			keys[n++] = key;
		qsort(keys, n, sizeof(*keys), key_cmp);
		fputs("map[", f);
		for (i = 0; i < n; i++) {
			fprintf(f, "%s%s:", i ? " " : "", keys[i]);
			put_value(f, json_object_get(v, keys[i]));
		}
		fputc(']', f);
		free(keys);
		break;
	}
}

/* One action (the text between "{{" and "}}", len bytes). */
static int put_action(FILE *f, const char *a, size_t len, json_t *root, struct mr_err *err)
{
	_cleanup_free_ char *s = strndup(a, len);
	char *path, *save = NULL, *end;
	json_t *v = root;
	int json = 0;

	if (!s)
		return mr_error(err, ENOMEM, "template");
	path = s + strspn(s, " ");
	for (end = path + strlen(path); end > path && end[-1] == ' ';)
		*--end = '\0';
	if (strncmp(path, "json ", 5) == 0) {
		json = 1;
		path += 5 + strspn(path + 5, " ");
	}
	if (path[0] != '.' || strchr(path, ' ') || strstr(path, ".."))
		return mr_error(err, 0,
				"template: unsupported action {{%s}}: only {{.Field.Path}} and "
				"{{json .Field.Path}} are supported",
				s);
	for (char *k = strtok_r(path + 1, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
		v = json_is_object(v) ? json_object_get(v, k) : NULL;
		if (!v)
			break;
	}
	if (json) {
		char *text =
		    v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER) : NULL;
		fputs(text ? text : "null", f);
		free(text);
	} else if (v) {
		put_value(f, v);
	} else {
		fputs("<no value>", f);
	}
	return 0;
}

int template_render(const char *tmpl, json_t *v, FILE *out, struct mr_err *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *p = tmpl, *open, *close;

	if (!f)
		return mr_error(err, errno, "template");
	while ((open = strstr(p, "{{"))) {
		close = strstr(open + 2, "}}");
		if (!close) {
			fclose(f);
			return mr_error(err, 0, "template: unclosed action in \"%s\"", tmpl);
		}
		fwrite(p, 1, (size_t)(open - p), f);
		if (put_action(f, open + 2, (size_t)(close - open - 2), v, err) < 0) {
			fclose(f);
			return -1;
		}
		p = close + 2;
	}
	fputs(p, f);
	if (fclose(f) != 0)
		return mr_error(err, ENOMEM, "template");
	fwrite(buf, 1, len, out);
	return 0;
}
