/* err.c - building and wrapping struct mr_err. */
#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int vset(struct mr_err *err, int status, int errnum, const char *fmt, va_list ap)
{
	char *what = NULL;

	if (err->msg) /* keep the first, innermost error */
		return -1;
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	err->errnum = errnum;
	err->status = status;
	if (what && errnum) {
		if (asprintf(&err->msg, "%s: %s", what, strerror(errnum)) < 0)
			err->msg = NULL;
		free(what);
	} else {
		err->msg = what;
	}
	if (!err->msg)
		err->msg = strdup("out of memory");
	return -1;
}

int mr_error(struct mr_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, 125, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int mr_error_status(struct mr_err *err, int status, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, status, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int mr_error_wrap(struct mr_err *err, const char *fmt, ...)
{
	char *ctx = NULL, *joined = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&ctx, fmt, ap) < 0)
		ctx = NULL;
	va_end(ap);
	if (ctx && asprintf(&joined, "%s: %s", ctx, err->msg ? err->msg : "unknown error") >= 0) {
		free(err->msg);
		err->msg = joined;
	}
	free(ctx);
	if (!err->status)
		err->status = 125;
	return -1;
}

void mr_error_clear(struct mr_err *err)
{
	free(err->msg);
	err->msg = NULL;
	err->errnum = 0;
	err->status = 0;
}

int mr_error_move(struct mr_err *err, struct mr_err *from)
{
	if (!err->msg) {
		*err = *from;
		from->msg = NULL;
	}
	mr_error_clear(from);
	return -1;
}

void mr_error_print(FILE *f, const char *msg)
{
	fputs("minirun: ", f);
	for (const unsigned char *p = (const unsigned char *)(msg ? msg : "unknown error"); *p;
	     p++) {
		if (*p == '\n')
			fputs("\\n", f);
		else if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('\n', f);
}
