/* testhook.c - see testhook.h. */
#include "testhook.h"

#include <signal.h>
#include <stdlib.h>

void crash_point(int step)
{
	const char *v = getenv("MINIRUN_TEST_CRASH_AFTER");
	const char *stop = getenv("MINIRUN_TEST_STOP_AFTER");

	if (v && atoi(v) == step)
		raise(SIGKILL);
	if (stop && atoi(stop) == step)
		raise(SIGSTOP);
}
