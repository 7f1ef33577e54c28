/*
 * What the load benchmarks (bench/load_*.c) share: a monotonic clock, the
 * ordering of figures for medians and percentiles, and the server's
 * resident memory. Each benchmark starts its server through the API test
 * harness (tests/api/harness.h).
 */
#ifndef GH_BENCH_LOADLIB_H
#define GH_BENCH_LOADLIB_H

#include <sys/types.h>

/* Seconds on the monotonic clock. */
double load_now_s(void);

/* qsort order of doubles, ascending. */
int load_cmp_double(const void *a, const void *b);

/* The resident memory (VmRSS) of process pid in MiB, 0 when unreadable. */
double load_rss_mib(pid_t pid);

#endif
