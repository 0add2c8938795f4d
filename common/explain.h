/* explain.h - `minirun --explain`: each step, printed where and when it is
 * done, as the command a learner would type to do the same by hand. Lines go
 * to a close-on-exec copy of minirun's stderr (never stdout, never the
 * container's log), one write each, so that lines of the container's setup
 * and of minirun's own never cut into each other:
 *
 *   host# CMD    typed on the host (minirun's own namespaces)
 *   ctr# CMD     typed in the container's shell, the one the unshare line makes
 *   # why        a comment
 *
 * Whether it is on is part of the parsed command line: set once by cli/main.c
 * (and taken again by the -d monitor, whose fds were swept). */
#pragma once

#include <stdbool.h>

enum explain_where { EXPLAIN_HOST, EXPLAIN_CTR };

/* Print from now on to a close-on-exec copy of fd. An earlier copy is
 * forgotten, not closed: call it again only after the fds were swept. */
int explain_start(int fd);
/* Close the copy and print no more (a process that lives on past the start
 * must not hold the caller's stderr open). */
void explain_stop(void);
bool explain_on(void);

/* One command: words, then more (may be NULL), each quoted for the shell
 * where needed. */
void explain_cmdv(enum explain_where w, const char *const *words, const char *const *more);
#define EXPLAIN(w, ...) explain_cmdv((w), (const char *const[]){__VA_ARGS__, NULL}, NULL)
/* "# " + text (control characters shown as '?'). */
void explain_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "host# HEAD <<'EOF'", body (ending in a newline), "EOF": one write. */
void explain_heredoc(enum explain_where w, const char *head, const char *body);
