/*
 * The metrics registry (metrics.h). Each labelled family is a hash table
 * of label sets, rendered once as text ('listener="public",route="/x"')
 * when the set is first seen and kept in order of arrival, so a scrape
 * writes them without sorting. The invariant: a family never holds more
 * than METRICS_MAX_SERIES label sets, and every value in them came
 * through a function of metrics.h whose callers pass fixed-set values
 * only; this file adds no label of its own but "le".
 */
#include "util/metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define TABLE_SIZE 4096 /* a power of two, twice METRICS_MAX_SERIES */
#define LABELS_MAX 512
#define N_BUCKETS 11

/* Prometheus' default latency buckets, in seconds and microseconds. */
static const double bucket_le[N_BUCKETS] = {0.005, 0.01, 0.025, 0.05,
					    0.1,   0.25, 0.5,   1,
					    2.5,   5,    10};
static const int64_t bucket_us[N_BUCKETS] = {
	5000,	10000,	 25000,	  50000,   100000, 250000,
	500000, 1000000, 2500000, 5000000, 10000000};

struct series {
	char *labels;
	uint64_t value; /* a counter's value, a histogram's count */
	uint64_t buckets[N_BUCKETS]; /* histogram: per bucket, not summed */
	uint64_t sum_us;
};

struct family {
	const char *name;
	const char *help;
	int histogram;
	pthread_mutex_t lock;
	struct series *slot[TABLE_SIZE];
	struct series *order[METRICS_MAX_SERIES];
	unsigned n;
};

#define FAMILY(n, h, hist) {n, h, hist, PTHREAD_MUTEX_INITIALIZER, {0}, {0}, 0}

static struct family fam_requests = FAMILY(
	"gatehouse_http_requests_total",
	"HTTP requests answered, by listener, route pattern, method and status.",
	0);
static struct family fam_duration = FAMILY(
	"gatehouse_http_request_duration_seconds",
	"Time from the request line to the queued reply, by listener and route.",
	1);
static struct family fam_logins = FAMILY(
	"gatehouse_logins_total",
	"Login attempts by realm and result (ok, failed, throttled).", 0);
static struct family fam_dlp = FAMILY(
	"gatehouse_dlp_blocks_total",
	"Outbound replies blocked by the outbound filter, by finding kind.", 0);

static struct family *const families[] = {&fam_requests, &fam_duration,
					   &fam_logins, &fam_dlp};

static const struct {
	const char *name;
	const char *help;
} counter_info[METRIC_COUNTER_COUNT] = {
	[METRIC_STORE_POOL_WAITS] = {"gatehouse_store_pool_waits_total",
				     "Times a thread waited for a free "
				     "database connection of the pool."},
	[METRIC_STORE_TX_RETRIES] = {"gatehouse_store_tx_retries_total",
				     "Transactions run again after the "
				     "database reported contention."},
	[METRIC_ATTACHMENTS_QUARANTINED] = {
		"gatehouse_attachments_quarantined_total",
		"Uploaded attachments quarantined as dangerous."},
};

static atomic_uint_fast64_t counters[METRIC_COUNTER_COUNT];
static atomic_uint_fast64_t dropped;

void
metrics_inc(enum metric_counter m)
{
	if ((unsigned)m < METRIC_COUNTER_COUNT)
		atomic_fetch_add(&counters[m], 1);
}

/* Appends name="value" (value escaped as the format asks: backslash,
 * double quote, line feed) at *used. 0, or -1 when it does not fit. */
static int
put_label(char *buf, size_t *used, const char *name, const char *value)
{
	size_t n = *used;

	if (n + strlen(name) + 8 > LABELS_MAX)
		return -1;
	if (n > 0)
		buf[n++] = ',';
	for (const char *p = name; *p != '\0'; p++)
		buf[n++] = *p;
	buf[n++] = '=';
	buf[n++] = '"';
	for (const char *p = value; *p != '\0'; p++) {
		if (n >= LABELS_MAX - 4)
			return -1;
		if (*p == '\\' || *p == '"' || *p == '\n') {
			buf[n++] = '\\';
			buf[n++] = *p == '\n' ? 'n' : *p;
		} else {
			buf[n++] = *p;
		}
	}
	buf[n++] = '"';
	buf[n] = '\0';
	*used = n;
	return 0;
}

/* Renders n label pairs into buf. 0 or -1 (too long). */
static int
render_labels(char buf[LABELS_MAX], const char *const *names,
	      const char *const *values, unsigned n)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n; i++)
		if (put_label(buf, &used, names[i], values[i] ? values[i] : "") <
		    0)
			return -1;
	return 0;
}

static uint32_t
hash_text(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The series of f with these labels, created when new; NULL when the
 * family is full (counted as dropped). Called with f->lock held. */
static struct series *
lookup(struct family *f, const char *labels)
{
	uint32_t i = hash_text(labels) & (TABLE_SIZE - 1);
	struct series *s;

	while (f->slot[i] != NULL) {
		if (strcmp(f->slot[i]->labels, labels) == 0)
			return f->slot[i];
		i = (i + 1) & (TABLE_SIZE - 1);
	}
	if (f->n >= METRICS_MAX_SERIES)
		goto full;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		goto full;
	s->labels = strdup(labels);
	if (s->labels == NULL) {
		free(s);
		goto full;
	}
	f->slot[i] = s;
	f->order[f->n++] = s;
	return s;
full:
	atomic_fetch_add(&dropped, 1);
	return NULL;
}

/* Adds 1 (and, for a histogram, micros) to f's series of these labels. */
static void
observe(struct family *f, const char *const *names, const char *const *values,
	unsigned n, int64_t micros)
{
	char labels[LABELS_MAX];
	struct series *s;

	if (render_labels(labels, names, values, n) < 0) {
		atomic_fetch_add(&dropped, 1);
		return;
	}
	pthread_mutex_lock(&f->lock);
	s = lookup(f, labels);
	if (s != NULL) {
		s->value++;
		if (f->histogram) {
			unsigned b = 0;

			if (micros < 0)
				micros = 0;
			while (b < N_BUCKETS && micros > bucket_us[b])
				b++;
			if (b < N_BUCKETS)
				s->buckets[b]++;
			s->sum_us += (uint64_t)micros;
		}
	}
	pthread_mutex_unlock(&f->lock);
}

/* The method as counted: one of the fixed set, or "other". */
static const char *
method_label(const char *m)
{
	static const char *const known[] = {"GET",   "HEAD",   "POST",
					    "PUT",   "PATCH",  "DELETE",
					    "OPTIONS", NULL};

	for (const char *const *k = known; *k != NULL; k++)
		if (m != NULL && strcmp(*k, m) == 0)
			return *k;
	return "other";
}

void
metrics_request(const char *listener, const char *route, const char *method,
		int status, int64_t micros)
{
	static const char *const rnames[] = {"listener", "route", "method",
					     "status"};
	static const char *const dnames[] = {"listener", "route"};
	char st[8];
	const char *v[4];

	if (status < 100 || status > 599)
		status = 0;
	snprintf(st, sizeof(st), "%d", status);
	v[0] = listener;
	v[1] = route;
	v[2] = method_label(method);
	v[3] = st;
	observe(&fam_requests, rnames, v, 4, 0);
	observe(&fam_duration, dnames, v, 2, micros);
}

void
metrics_login(const char *realm, const char *result)
{
	static const char *const names[] = {"realm", "result"};
	const char *v[2] = {realm, result};

	observe(&fam_logins, names, v, 2, 0);
}

void
metrics_dlp_block(const char *kind)
{
	static const char *const names[] = {"kind"};
	const char *v[1] = {kind};

	observe(&fam_dlp, names, v, 1, 0);
}

/* Writes the samples of histogram series s of f. */
static void
write_histogram(FILE *out, const struct family *f, const struct series *s)
{
	const char *sep = s->labels[0] != '\0' ? "," : "";
	uint64_t cum = 0;

	for (unsigned b = 0; b < N_BUCKETS; b++) {
		cum += s->buckets[b];
		fprintf(out, "%s_bucket{%s%sle=\"%g\"} %llu\n", f->name,
			s->labels, sep, bucket_le[b], (unsigned long long)cum);
	}
	fprintf(out, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", f->name, s->labels,
		sep, (unsigned long long)s->value);
	fprintf(out, "%s_sum{%s} %.6f\n", f->name, s->labels,
		(double)s->sum_us / 1e6);
	fprintf(out, "%s_count{%s} %llu\n", f->name, s->labels,
		(unsigned long long)s->value);
}

static void
write_family(FILE *out, struct family *f)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name,
		f->histogram ? "histogram" : "counter");
	pthread_mutex_lock(&f->lock);
	for (unsigned i = 0; i < f->n; i++) {
		const struct series *s = f->order[i];

		if (f->histogram)
			write_histogram(out, f, s);
		else
			fprintf(out, "%s{%s} %llu\n", f->name, s->labels,
				(unsigned long long)s->value);
	}
	pthread_mutex_unlock(&f->lock);
}

/* A counter without labels. */
static void
write_counter(FILE *out, const char *name, const char *help, uint64_t v)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help,
		name, name, (unsigned long long)v);
}

void
metrics_write_gauge(FILE *out, const char *name, const char *help,
		    double value)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n%s %.17g\n", name, help,
		name, name, value);
}

int
metrics_write(FILE *out)
{
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		write_family(out, families[i]);
	for (unsigned m = 0; m < METRIC_COUNTER_COUNT; m++)
		write_counter(out, counter_info[m].name, counter_info[m].help,
			      atomic_load(&counters[m]));
	write_counter(out, "gatehouse_metrics_series_dropped_total",
		      "Observations not recorded because their family holds "
		      "as many label sets as it may.",
		      atomic_load(&dropped));
	return ferror(out) ? -1 : 0;
}
