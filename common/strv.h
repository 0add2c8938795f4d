/* strv.h - a growable, NULL-terminated array of owned strings (argv, env, -p lists). */
#pragma once

#include <stddef.h>

struct strv {
	char **v; /* NULL-terminated; NULL when empty */
	size_t n;
};

int strv_push(struct strv *s, const char *str); /* copies str; -1 on ENOMEM */
int strv_push_take(struct strv *s, char *str);	/* takes ownership of str */
void strv_free(struct strv *s);
