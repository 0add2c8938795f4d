/* template.h - the part of Go's text/template that `docker inspect -f`
 * users write most: {{.A.B}} and {{json .A.B}} over a JSON object. */
#pragma once

#include <jansson.h>
#include <stdio.h>

#include "../common/err.h"

/* Write tmpl with each {{.PATH}} replaced by the value at PATH in v (Go's
 * fmt: strings bare, [a b] for arrays, map[k:v] for objects, <no value> for
 * a missing key) and each {{json .PATH}} by its compact JSON. Anything
 * else in {{ }} is an error, and then nothing is written. */
int template_render(const char *tmpl, json_t *v, FILE *out, struct mr_err *err);
