/* tap.h - a tiny TAP producer for the unit tests: "ok N - what" lines that
 * tests/run.sh counts. Include once per test program. */
#pragma once

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int tap_check(int ok, const char *file, int line, const char *what)
{
	tap_n++;
	if (!ok)
		tap_failed++;
	printf("%sok %d - %s\n", ok ? "" : "not ", tap_n, what);
	if (!ok)
		printf("# failed at %s:%d\n", file, line);
	return ok;
}

#define CHECK(cond) tap_check(!!(cond), __FILE__, __LINE__, #cond)
#define CHECK_STR(got, want)                                                                       \
	({                                                                                         \
		const char *g_ = (got), *w_ = (want);                                              \
		int ok_ = tap_check(g_ && w_ && strcmp(g_, w_) == 0, __FILE__, __LINE__,           \
				    #got " == " #want);                                            \
		if (!ok_)                                                                          \
			printf("# got:  [%s]\n# want: [%s]\n", g_ ? g_ : "(null)", w_);            \
		ok_;                                                                               \
	})

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
