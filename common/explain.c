/* explain.c - prints the by-hand equivalent of each step for --explain. */
#include "explain.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fd.h"

/* The parsed --explain: where to print, -1 when off. */
static int explain_fd = -1;

int explain_start(int fd)
{
	explain_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	return explain_fd < 0 ? -1 : 0;
}

void explain_stop(void)
{
	if (explain_fd >= 0)
		close(explain_fd);
	explain_fd = -1;
}

bool explain_on(void)
{
	return explain_fd >= 0;
}

static const char *prompt(enum explain_where w)
{
	return w == EXPLAIN_CTR ? "ctr# " : "host# ";
}

/* Write the whole line at once; a failure to explain never fails a run. */
static void emit(FILE *f, char **buf, size_t *len)
{
	if (fclose(f) == 0 && *buf)
		(void)write_all(explain_fd, *buf, *len);
	free(*buf);
}

static bool plain_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("_@%+=:,./-", *s)))
			return false;
	return true;
}

/* A word as the shell reads it back: bare, '...', or $'...' when it holds
 * control characters (never sent raw to a terminal). */
static void put_word(FILE *f, const char *s)
{
	bool ctl = false;

	if (plain_word(s)) {
		fputs(s, f);
		return;
	}
	for (const char *p = s; *p; p++)
		ctl |= (unsigned char)*p < 0x20 || *p == 0x7f;
	if (!ctl) {
		fputc('\'', f);
		for (; *s; s++)
			if (*s == '\'')
				fputs("'\\''", f);
			else
				fputc(*s, f);
		fputc('\'', f);
		return;
	}
	fputs("$'", f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else if (c == '\'' || c == '\\')
			fprintf(f, "\\%c", c);
		else
			fputc(c, f);
	}
	fputc('\'', f);
}

void explain_cmdv(enum explain_where w, const char *const *words, const char *const *more)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!explain_on() || !(f = open_memstream(&buf, &len)))
		return;
	fputs(prompt(w), f);
	for (size_t i = 0; words[i]; i++) {
		if (i)
			fputc(' ', f);
		put_word(f, words[i]);
	}
	for (size_t i = 0; more && more[i]; i++) {
		fputc(' ', f);
		put_word(f, more[i]);
	}
	fputc('\n', f);
	emit(f, &buf, &len);
}

void explain_note(const char *fmt, ...)
{
	_cleanup_free_ char *text = NULL;
	char *buf = NULL;
	size_t len = 0;
	va_list ap;
	FILE *f;
	int n;

	if (!explain_on())
		return;
	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0) {
		text = NULL; /* undefined after a failed vasprintf */
		return;
	}
	if (!(f = open_memstream(&buf, &len)))
		return;
	fputs("# ", f);
	for (const char *p = text; *p; p++)
		fputc((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p, f);
	fputc('\n', f);
	emit(f, &buf, &len);
}

void explain_heredoc(enum explain_where w, const char *head, const char *body)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!explain_on() || !(f = open_memstream(&buf, &len)))
		return;
	fprintf(f, "%s%s <<'EOF'\n%sEOF\n", prompt(w), head, body);
	emit(f, &buf, &len);
}
