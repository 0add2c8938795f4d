/* strv.c - growable NULL-terminated string arrays. */
#include "strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int strv_push_take(struct strv *s, char *str)
{
	char **nv;

	if (!str)
		return -1;
	nv = realloc(s->v, (s->n + 2) * sizeof(*nv));
	if (!nv) {
		free(str);
		errno = ENOMEM;
		return -1;
	}
	nv[s->n++] = str;
	nv[s->n] = NULL;
	s->v = nv;
	return 0;
}

int strv_push(struct strv *s, const char *str)
{
	return strv_push_take(s, strdup(str));
}

void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
