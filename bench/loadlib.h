/*
 * What the load benchmarks (bench/load_*.c) share: a monotonic clock, the
 * ordering of figures for medians and percentiles, the server's resident
 * memory, and the timing of a run of GETs. Each benchmark starts its
 * server through the API test harness (tests/api/harness.h).
 */
#ifndef GH_BENCH_LOADLIB_H
#define GH_BENCH_LOADLIB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct gh_server;
struct gh_client;
struct gh_user;

/* A run of GETs timed one after the other on one keep-alive client. */
struct load_gets {
	double median_ms, p99_ms, max_ms, rps;
	size_t n;      /* requests made (at most LOAD_MAX_SAMPLES) */
	size_t failed; /* answers other than 200 */
	size_t over;   /* requests that took over_ms or more */
};

#define LOAD_MAX_SAMPLES 400000

/* Adds customer email to s (into *u), logs in as them and opens a ticket
 * through the portal API: its id, or -1. */
int64_t load_seed_ticket(struct gh_server *s, struct gh_user *u,
			 const char *email);

/* GETs path on s through c for secs seconds, one request after the
 * other, into *out (all 0 when the samples cannot be allocated). */
void load_time_gets(struct gh_server *s, struct gh_client *c,
		    const char *path, double secs, double over_ms,
		    struct load_gets *out);

/* Seconds on the monotonic clock. */
double load_now_s(void);

/* qsort order of doubles, ascending. */
int load_cmp_double(const void *a, const void *b);

/* The resident memory (VmRSS) of process pid in MiB, 0 when unreadable. */
double load_rss_mib(pid_t pid);

#endif
