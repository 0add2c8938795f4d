/* testhook.h - crash points for the crash-safety tests. */
#pragma once

/* With MINIRUN_TEST_CRASH_AFTER=N, die by SIGKILL right after step N, so
 * tests can show that whatever any step leaves behind is taken back by
 * `minirun gc`, `rm` or the next run. MINIRUN_TEST_STOP_AFTER=N stops there
 * (SIGSTOP) instead, so that a test can race another verb with it. The
 * steps: run's setup and teardown 1-11 (runtime/run.c), the release of
 * many containers 21-23 (net/network.c), rm's removal of their state 24-25
 * (runtime/remove.c). */
void crash_point(int step);
