/*
 * The process's metrics for Prometheus (issue 16, Operations): a small
 * registry of counters and histograms, counted where things happen (one
 * call each) and written out in the text exposition format 0.0.4 by the
 * management listener (http/manage.h).
 *
 * Cardinality is bounded by construction: every family is declared here
 * with its label names, and a family holds at most METRICS_MAX_SERIES
 * label sets. A label set past that limit is not created; it is counted
 * in gatehouse_metrics_series_dropped_total instead. Callers pass only
 * values from fixed sets (a route's pattern, a realm's name, a finding's
 * kind, a listener's name): never an address, an id, an e-mail address,
 * a token or a path as received. The registry copies what it keeps.
 *
 * Thread-safe: one mutex per family guards its table; the work under it
 * is a hash lookup and a few additions.
 */
#ifndef GH_UTIL_METRICS_H
#define GH_UTIL_METRICS_H

#include <stdint.h>
#include <stdio.h>

/* The most label sets one family holds. */
#define METRICS_MAX_SERIES 2048

/* Counters without labels. */
enum metric_counter {
	METRIC_STORE_POOL_WAITS,     /* a request waited for a connection */
	METRIC_STORE_TX_RETRIES,     /* a transaction ran again */
	METRIC_ATTACHMENTS_QUARANTINED,
	METRIC_COUNTER_COUNT
};

/* Adds 1 to counter m. */
void metrics_inc(enum metric_counter m);

/*
 * One HTTP request answered: listener ("public", "staff"), route (the
 * router's pattern, "static" or "unmatched"), method (anything but GET,
 * HEAD, POST, PUT, PATCH, DELETE and OPTIONS is counted as "other"),
 * status (anything outside 100..599 as 0) and how long it took in
 * microseconds. listener and route must live as long as the process
 * (string literals, the route table): a label set seen before is found
 * again by their addresses, without rendering its labels.
 */
void metrics_request(const char *listener, const char *route,
		     const char *method, int status, int64_t micros);

/* One login attempt of realm ("staff", "customer") with result "ok",
 * "failed" or "throttled". */
void metrics_login(const char *realm, const char *result);

/* One reply blocked by the outbound filter for a finding of kind (the
 * finding's type name, a fixed set: core/dlp/dlp.h). */
void metrics_dlp_block(const char *kind);

/*
 * Writes every family to out in the exposition format 0.0.4 (# HELP,
 * # TYPE, then its samples). 0, or -1 when out failed.
 */
int metrics_write(FILE *out);

/* Writes one gauge without labels (# HELP, # TYPE, the sample). */
void metrics_write_gauge(FILE *out, const char *name, const char *help,
			 double value);

#endif
