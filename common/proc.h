/* proc.h - telling a live process from a dead one whose pid was reused. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* Start time of pid (field 22 of /proc/PID/stat), 0 if there is no such pid. */
unsigned long long pid_start_time(pid_t pid);
/* Is pid alive and still the process that started at start? */
bool pid_alive(pid_t pid, unsigned long long start);
