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
	atomic_uint_fast64_t value; /* a counter's value, a histogram's count */
	atomic_uint_fast64_t buckets[N_BUCKETS]; /* per bucket, not summed */
	atomic_uint_fast64_t sum_us;
};

struct family {
	const char *name;
	const char *help;
	int histogram;
	pthread_mutex_t lock; /* taken to add a series, never to count */
	_Atomic(struct series *) slot[TABLE_SIZE];
	struct series *order[METRICS_MAX_SERIES];
	atomic_uint n;
};

/* The tables and the count start zeroed (static storage): clang refuses
 * {0} for an array of atomic pointers. */
#define FAMILY(n, h, hist)                                                    \
	{.name = n, .help = h, .histogram = hist,                             \
	 .lock = PTHREAD_MUTEX_INITIALIZER}

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

/* The series of f with these labels, or NULL. Lock-free: a slot, once
 * set, never changes. *free_slot gets the first empty slot probed. */
static struct series *
find(struct family *f, const char *labels, uint32_t *free_slot)
{
	uint32_t i = hash_text(labels) & (TABLE_SIZE - 1);
	struct series *s;

	for (;;) {
		s = atomic_load_explicit(&f->slot[i], memory_order_acquire);
		if (s == NULL)
			break;
		if (strcmp(s->labels, labels) == 0)
			return s;
		i = (i + 1) & (TABLE_SIZE - 1);
	}
	*free_slot = i;
	return NULL;
}

/* The series of f with these labels, created when new; NULL when the
 * family is full (the caller counts it as dropped). */
static struct series *
lookup(struct family *f, const char *labels)
{
	uint32_t i = 0;
	struct series *s = find(f, labels, &i);

	if (s != NULL)
		return s;
	pthread_mutex_lock(&f->lock);
	s = find(f, labels, &i); /* another thread may have added it */
	if (s == NULL && atomic_load(&f->n) < METRICS_MAX_SERIES) {
		s = calloc(1, sizeof(*s));
		if (s != NULL)
			s->labels = strdup(labels);
		if (s != NULL && s->labels == NULL) {
			free(s);
			s = NULL;
		}
		if (s != NULL) {
			f->order[atomic_load(&f->n)] = s;
			atomic_fetch_add(&f->n, 1);
			atomic_store_explicit(&f->slot[i], s,
					      memory_order_release);
		}
	}
	pthread_mutex_unlock(&f->lock);
	return s;
}

/* Adds 1 to counter family f's series of these labels (requests and
 * their histogram go through metrics_request's own path). */
static void
count_series(struct family *f, const char *const *names,
	     const char *const *values, unsigned n)
{
	char labels[LABELS_MAX];
	struct series *s;

	if (render_labels(labels, names, values, n) < 0) {
		atomic_fetch_add(&dropped, 1);
		return;
	}
	s = lookup(f, labels);
	if (s == NULL) {
		atomic_fetch_add(&dropped, 1);
		return;
	}
	atomic_fetch_add(&s->value, 1);
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

/* The fast path of metrics_request: the two series of a (listener,
 * route, method, status) seen before, found by the identity of the
 * strings (static, metrics.h) without rendering labels. Entries are only
 * added, with a compare-and-swap into an empty slot; a full neighbourhood
 * just means the slow path. */
struct req_fast {
	const char *listener, *route, *method;
	int status;
	struct series *count, *dur;
};

#define FAST_SIZE 4096
#define FAST_PROBES 8

static _Atomic(struct req_fast *) fast[FAST_SIZE];

static uint32_t
fast_hash(const char *l, const char *r, const char *m, int status)
{
	uint64_t h = (uint64_t)(uintptr_t)l * 0x9E3779B97F4A7C15ull ^
		     (uint64_t)(uintptr_t)r * 0xC2B2AE3D27D4EB4Full ^
		     (uint64_t)(uintptr_t)m * 0x165667B19E3779F9ull ^
		     (uint64_t)status * 0x27D4EB2F165667C5ull;

	return (uint32_t)(h >> 32) & (FAST_SIZE - 1);
}

static struct req_fast *
fast_find(const struct req_fast *k)
{
	uint32_t h = fast_hash(k->listener, k->route, k->method, k->status);

	for (unsigned p = 0; p < FAST_PROBES; p++) {
		struct req_fast *e = atomic_load_explicit(
			&fast[(h + p) & (FAST_SIZE - 1)], memory_order_acquire);

		if (e == NULL)
			return NULL;
		if (e->listener == k->listener && e->route == k->route &&
		    e->method == k->method && e->status == k->status)
			return e;
	}
	return NULL;
}

/* Remembers k (its series found the slow way); dropped when no empty
 * slot is near. */
static void
fast_add(const struct req_fast *k)
{
	uint32_t h = fast_hash(k->listener, k->route, k->method, k->status);
	struct req_fast *e = malloc(sizeof(*e));

	if (e == NULL)
		return;
	*e = *k;
	for (unsigned p = 0; p < FAST_PROBES; p++) {
		struct req_fast *empty = NULL;

		if (atomic_compare_exchange_strong(
			    &fast[(h + p) & (FAST_SIZE - 1)], &empty, e))
			return;
	}
	free(e);
}

/* Counts one request and its duration on the two series. */
static void
count_on(struct series *count, struct series *dur, int64_t micros)
{
	unsigned b = 0;

	atomic_fetch_add(&count->value, 1);
	if (micros < 0)
		micros = 0;
	while (b < N_BUCKETS && micros > bucket_us[b])
		b++;
	if (b < N_BUCKETS)
		atomic_fetch_add(&dur->buckets[b], 1);
	atomic_fetch_add(&dur->sum_us, (uint64_t)micros);
	atomic_fetch_add(&dur->value, 1);
}

void
metrics_request(const char *listener, const char *route, const char *method,
		int status, int64_t micros)
{
	static const char *const rnames[] = {"listener", "route", "method",
					     "status"};
	static const char *const dnames[] = {"listener", "route"};
	struct req_fast k;
	const struct req_fast *e;
	char labels[LABELS_MAX];
	char st[8];
	const char *v[4];

	k.listener = listener;
	k.route = route;
	k.method = method_label(method);
	k.status = status < 100 || status > 599 ? 0 : status;
	e = fast_find(&k);
	if (e != NULL) {
		count_on(e->count, e->dur, micros);
		return;
	}
	snprintf(st, sizeof(st), "%d", k.status);
	v[0] = listener;
	v[1] = route;
	v[2] = k.method;
	v[3] = st;
	/* A label set too long or a full family: counted as dropped. */
	k.count = render_labels(labels, rnames, v, 4) == 0
			  ? lookup(&fam_requests, labels)
			  : NULL;
	if (k.count == NULL) {
		atomic_fetch_add(&dropped, 1);
		return;
	}
	k.dur = render_labels(labels, dnames, v, 2) == 0
			? lookup(&fam_duration, labels)
			: NULL;
	if (k.dur == NULL) {
		atomic_fetch_add(&dropped, 1);
		atomic_fetch_add(&k.count->value, 1);
		return;
	}
	count_on(k.count, k.dur, micros);
	fast_add(&k);
}

void
metrics_login(const char *realm, const char *result)
{
	static const char *const names[] = {"realm", "result"};
	const char *v[2] = {realm, result};

	count_series(&fam_logins, names, v, 2);
}

void
metrics_dlp_block(const char *kind)
{
	static const char *const names[] = {"kind"};
	const char *v[1] = {kind};

	count_series(&fam_dlp, names, v, 1);
}

/* Writes the samples of histogram series s of f. */
static void
write_histogram(FILE *out, const struct family *f, struct series *s)
{
	const char *sep = s->labels[0] != '\0' ? "," : "";
	uint64_t cum = 0;

	uint64_t count = atomic_load(&s->value);

	for (unsigned b = 0; b < N_BUCKETS; b++) {
		cum += atomic_load(&s->buckets[b]);
		fprintf(out, "%s_bucket{%s%sle=\"%g\"} %llu\n", f->name,
			s->labels, sep, bucket_le[b], (unsigned long long)cum);
	}
	/* Counted while this was written: the +Inf bucket is at least the
	 * sum of the others. */
	if (count < cum)
		count = cum;
	fprintf(out, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", f->name, s->labels,
		sep, (unsigned long long)count);
	fprintf(out, "%s_sum{%s} %.6f\n", f->name, s->labels,
		(double)atomic_load(&s->sum_us) / 1e6);
	fprintf(out, "%s_count{%s} %llu\n", f->name, s->labels,
		(unsigned long long)count);
}

static void
write_family(FILE *out, struct family *f)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name,
		f->histogram ? "histogram" : "counter");
	pthread_mutex_lock(&f->lock); /* order[] and n, not the counts */
	for (unsigned i = 0; i < atomic_load(&f->n); i++) {
		struct series *s = f->order[i];

		if (f->histogram)
			write_histogram(out, f, s);
		else
			fprintf(out, "%s{%s} %llu\n", f->name, s->labels,
				(unsigned long long)atomic_load(&s->value));
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
