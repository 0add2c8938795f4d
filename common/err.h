/* err.h - the one error type: an errno and a message, wrapped on the way up,
 * printed once by cli/main.c as "minirun: <context>: <cause>". */
#pragma once

#include <stdarg.h>
#include <stdio.h>

struct mr_err {
	int errnum; /* errno of the cause, 0 if none */
	int status; /* exit status the CLI should use (125 unless set) */
	char *msg;  /* "what: why", without the "minirun: " prefix */
};

/* Fill err (if empty) and return -1; errnum may be 0 for errors without errno. */
int mr_error(struct mr_err *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same as mr_error() but with an explicit exit status (126, 127). */
int mr_error_status(struct mr_err *err, int status, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prefix context to an existing error: "context: old". Returns -1. */
int mr_error_wrap(struct mr_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mr_error_clear(struct mr_err *err);
/* Print "minirun: MSG\n" to f as one line: control characters a user may
 * have typed into a value (newline, ESC...) are shown escaped, never raw. */
void mr_error_print(FILE *f, const char *msg);
/* Move from into err (keeping err's first error if it has one); from is left empty. */
int mr_error_move(struct mr_err *err, struct mr_err *from);
