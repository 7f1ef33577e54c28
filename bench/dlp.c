/*
 * bench_dlp: throughput and per-message latency of the outbound filter on
 * one core, next to a baseline measured in the same run that does the
 * same job the plain way: every pattern (the same gitleaks rules and the
 * same built-in triggers) through PCRE2-JIT one at a time over the text.
 *
 * The corpus is generated: English-like sentences from a fixed vocabulary
 * (seeded PRNG, so every run scans the same bytes) with a secret or a
 * personal value (card, IBAN, SSN, e-mail, phone, AWS key, GitHub token,
 * JWT, Authorization header) sprinkled in every ~4 KB; a second corpus
 * has a service name (a gitleaks keyword) in one word of 50; a quarter of
 * the first is also scanned with non-ASCII letters and with zero-width
 * spaces in it, to show what the normalisation costs. Usage:
 *   bench_dlp [MEGABYTES] [--no-baseline] [--realistic-only] [--store]
 *             [--ctx-only]
 *   (--ctx-only: one scan of the realistic corpus with the server's
 *   context and nothing else, for callgrind's instructions per byte;
 *   default 64; the baseline scans 2 MB of the same corpus; --store adds
 *   the server path's rows of dlp_store.c: 4 MB of the realistic corpus
 *   with the store's fingerprint lookups, without and with the filter)
 * The realistic section also prints the floor of this machine on the same
 * corpus, reply by reply: the engine's main Hyperscan database alone with
 * a callback that only counts, and one pass over the bytes that reads
 * each byte's class from a table (what any tokenising pass costs at the
 * least); then ROW lines, each figure beside its same-run baseline.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/dlp/dlp.h"
#include "core/dlp/dlp_int.h"
#include "core/dlp/engine_int.h"
#include "corpus.h"
#include "dlp_store.h"

#define RUNS 5

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static const char *const words[] = {
	"the", "customer", "order", "account", "please", "thank", "you",
	"for", "your", "patience", "we", "have", "updated", "delivery",
	"address", "refund", "was", "processed", "today", "and", "should",
	"arrive", "within", "three", "business", "days", "if", "any",
	"questions", "remain", "reply", "to", "this", "message", "our",
	"team", "is", "happy", "help", "with", "invoice", "payment",
	"subscription", "renewal", "password", "reset", "link", "expired",
	"key", "access", "token", "support", "ticket", "number", "issue",
	"resolved", "shipping", "label", "warehouse", "tracking", "status",
	"confirmed", "cancelled", "review", "feedback", "apologies", "delay",
	"billing", "statement", "credit", "card", "bank", "transfer", "on",
	"in", "of", "a", "is", "it", "that", "be", "as", "at", "by", "from",
};

static const char *const secrets[] = {
	" card 4111 1111 1111 1111 ",
	" IBAN GB29 NWBK 6016 1331 9268 19 ",
	" SSN 078-05-1123 ",
	" write to someone.else@example.net ",
	" call +44 20 7946 0958 ",
	" aws AKIAZ3MSJV4WPVNYDJ5Q ",
	" ghp_R4nd0mT0k3nV4lu3Xq9Lm2Pz8Wk5Jh7Ng3Bd1 ",
	" eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
	"SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c ",
	"\nAuthorization: Bearer 9f8e7d6c5b4a39281706f5e4\n",
};

/* Service names that are gitleaks keywords: a support text about
 * integrations mentions them, and each wakes its rule near it. */
static const char *const kwords[] = {
	"github", "gitlab", "slack", "stripe", "twilio", "heroku", "shopify",
	"sendgrid", "mailchimp", "datadog", "twitter", "linkedin", "dropbox",
	"okta", "jira", "atlassian", "bitbucket", "cloudflare", "sentry",
	"zendesk",
};

/* English-like text; with dense != 0 one word in 50 is a service name. */
static char *
corpus_kw(size_t len, int dense)
{
	char *t = malloc(len + 1);
	size_t n = 0, next_secret = 2048 + rnd() % 4096;

	if (t == NULL)
		return NULL;
	while (n < len) {
		const char *w;
		size_t wl;

		if (n >= next_secret) {
			w = secrets[rnd() % (sizeof(secrets) / sizeof(secrets[0]))];
			next_secret = n + 8192 + rnd() % 16384;
		} else if (dense && rnd() % 50 == 0) {
			w = kwords[rnd() % (sizeof(kwords) / sizeof(kwords[0]))];
		} else {
			w = words[rnd() % (sizeof(words) / sizeof(words[0]))];
		}
		wl = strlen(w);
		if (n + wl + 2 > len)
			break;
		memcpy(t + n, w, wl);
		n += wl;
		t[n++] = rnd() % 12 == 0 ? '.' : ' ';
		if (rnd() % 20 == 0)
			t[n++] = '\n';
	}
	while (n < len)
		t[n++] = ' ';
	t[len] = '\0';
	return t;
}

static char *
corpus(size_t len)
{
	return corpus_kw(len, 0);
}

/* The CPU time of this thread: one core's work, whatever else the shared
 * machine runs meanwhile. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The baseline: every pattern compiled by PCRE2 (JIT) and run alone. */
struct baseline {
	pcre2_code **re;
	size_t n;
	pcre2_match_data *md;
};

static char *
go_to_pcre(const char *in)
{
	size_t n = strlen(in), j = 0;
	char *o = malloc(n + 1);

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '\\' && i + 1 < n) {
			o[j++] = in[i + 1] == 'z' ? '$' : in[i];
			if (in[i + 1] != 'z')
				o[j++] = in[i + 1];
			i++;
			continue;
		}
		o[j++] = in[i];
	}
	o[j] = '\0';
	return o;
}

static int
baseline_add(struct baseline *b, const char *re)
{
	int err;
	PCRE2_SIZE off;
	char *t = go_to_pcre(re);
	pcre2_code *c;

	if (t == NULL)
		return -1;
	c = pcre2_compile((PCRE2_SPTR)t, PCRE2_ZERO_TERMINATED,
			  PCRE2_DOLLAR_ENDONLY, &err, &off, NULL);
	free(t);
	if (c == NULL)
		return 0;
	pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
	b->re[b->n++] = c;
	return 0;
}

static int
baseline_new(struct baseline *b)
{
	const struct embedded_file *f = embed_find(dlp_data,
						   "gitleaks-rules.json");
	json_t *root = f ? json_loadb((const char *)f->data, f->len, 0, NULL)
			 : NULL;
	json_t *rules = json_object_get(root, "rules"), *v;
	size_t i;

	if (root == NULL)
		return -1;
	b->re = calloc(json_array_size(rules) + B_COUNT, sizeof(*b->re));
	b->n = 0;
	json_array_foreach(rules, i, v) {
		const char *re = json_string_value(json_object_get(v, "regex"));

		if (re != NULL && json_object_get(v, "path") == NULL &&
		    baseline_add(b, re) < 0)
			return -1;
	}
	for (unsigned k = 0; k < B_COUNT; k++) {
		unsigned fl;
		size_t back;

		if (baseline_add(b, pii_trigger((enum builtin)k, &fl, &back)) < 0)
			return -1;
	}
	json_decref(root);
	b->md = pcre2_match_data_create(64, NULL);
	return 0;
}

static size_t
baseline_scan(const struct baseline *b, const char *t, size_t len)
{
	size_t hits = 0;

	for (size_t i = 0; i < b->n; i++) {
		size_t pos = 0;

		while (pos < len) {
			PCRE2_SIZE *ov;

			if (pcre2_match(b->re[i], (PCRE2_SPTR)t, len, pos, 0,
					b->md, NULL) < 0)
				break;
			ov = pcre2_get_ovector_pointer(b->md);
			hits++;
			pos = ov[1] > pos ? ov[1] : pos + 1;
		}
	}
	return hits;
}

/* Every message of c through dlp_scan() with its context, as
 * outbound_scan() does; seconds taken, findings and lookups counted. */
static double
realistic_run(const struct dlp_engine *e, const struct corpus *c,
	      int with_ctx, size_t *found, size_t *lookups)
{
	double t0 = now();

	*found = 0;
	*lookups = 0;
	for (size_t i = 0; i < c->n_msg; i++) {
		struct corpus_ctx_store st;
		struct dlp_context ctx;
		struct dlp_findings f;

		corpus_ctx(c, i, &st, &ctx);
		dlp_findings_init(&f);
		(void)dlp_scan(e, with_ctx ? &ctx : NULL, c->text + c->off[i],
			       c->off[i + 1] - c->off[i], &f);
		*found += f.n;
		*lookups += st.lookups;
		dlp_findings_free(&f);
	}
	return now() - t0;
}

static int
count_match(unsigned int id, unsigned long long from, unsigned long long to,
	    unsigned int flags, void *cls)
{
	(void)id;
	(void)from;
	(void)to;
	(void)flags;
	(*(size_t *)cls)++;
	return 0;
}

/* The main Hyperscan database alone over every message (no callback
 * work): seconds, matches in *n; negative when Hyperscan fails. */
static double
floor_hyperscan(const struct dlp_engine *e, const struct corpus *c,
		size_t *n)
{
	hs_scratch_t *sc = NULL;
	double t0;

	*n = 0;
	if (hs_alloc_scratch(e->db, &sc) != HS_SUCCESS)
		return -1;
	t0 = now();
	for (size_t i = 0; i < c->n_msg; i++)
		if (hs_scan(e->db, c->text + c->off[i],
			    (unsigned)(c->off[i + 1] - c->off[i]), 0, sc,
			    count_match, n) != HS_SUCCESS) {
			hs_free_scratch(sc);
			return -1;
		}
	t0 = now() - t0;
	hs_free_scratch(sc);
	return t0;
}

/* One pass over every message's bytes, each byte's class read from a
 * table and summed (the sum in *n keeps the loop from being optimised
 * away): seconds. */
static double
floor_bytes(const struct corpus *c, size_t *n)
{
	static unsigned char cls[256];
	size_t sum = 0;
	double t0;

	for (int b = 0; b < 256; b++)
		cls[b] = (unsigned char)((b >= '0' && b <= '9') ? 1 :
					 ((b | 0x20) >= 'a' && (b | 0x20) <= 'z')
						 ? 2 : b >= 0x80 ? 3 : 0);
	t0 = now();
	for (size_t i = 0; i < c->n_msg; i++) {
		const unsigned char *p = (const unsigned char *)c->text +
					 c->off[i];
		size_t len = c->off[i + 1] - c->off[i];

		for (size_t k = 0; k < len; k++)
			sum += cls[p[k]];
	}
	t0 = now() - t0;
	*n = sum;
	return t0;
}

/* The values one scan with context looks up, recorded: kind, message and
 * value, NUL-separated in buf. */
struct lookups_rec {
	int (*fn)(void *, const char *, const char *, size_t);
	void *cls;
	char *buf;
	size_t n, cap, count;
	size_t msg;
};

static int
rec_lookup(void *cls, const char *kind, const char *norm, size_t n)
{
	struct lookups_rec *r = cls;
	size_t need = strlen(kind) + 1 + sizeof(size_t) + n + 1;

	if (r->n + need > r->cap) {
		size_t nc = r->cap ? r->cap * 2 : (size_t)1 << 20;
		char *nb = realloc(r->buf, nc);

		if (nb == NULL)
			return r->fn(r->cls, kind, norm, n);
		r->buf = nb;
		r->cap = nc;
	}
	memcpy(r->buf + r->n, &r->msg, sizeof(size_t));
	r->n += sizeof(size_t);
	memcpy(r->buf + r->n, kind, strlen(kind) + 1);
	r->n += strlen(kind) + 1;
	memcpy(r->buf + r->n, norm, n + 1);
	r->n += n + 1;
	r->count++;
	return r->fn(r->cls, kind, norm, n);
}

/* The lookups of one scan with context, replayed through the corpus's
 * own lookup without any scanning: the floor the context's lookups set.
 * Seconds; the number of lookups in *n. */
static double
floor_lookups(const struct dlp_engine *e, const struct corpus *c, size_t *n)
{
	struct lookups_rec r;
	double t0;

	memset(&r, 0, sizeof(r));
	for (size_t i = 0; i < c->n_msg; i++) {
		struct corpus_ctx_store st;
		struct dlp_context ctx;
		struct dlp_findings f;

		corpus_ctx(c, i, &st, &ctx);
		r.fn = ctx.foreign_value;
		r.cls = ctx.cls;
		r.msg = i;
		ctx.foreign_value = rec_lookup;
		ctx.cls = &r;
		dlp_findings_init(&f);
		(void)dlp_scan(e, &ctx, c->text + c->off[i],
			       c->off[i + 1] - c->off[i], &f);
		dlp_findings_free(&f);
	}
	t0 = now();
	for (size_t p = 0, cur = (size_t)-1; p < r.n;) {
		static struct corpus_ctx_store st;
		static struct dlp_context ctx;
		size_t msg, kl, vl;

		memcpy(&msg, r.buf + p, sizeof(size_t));
		p += sizeof(size_t);
		if (msg != cur)
			corpus_ctx(c, msg, &st, &ctx);
		cur = msg;
		kl = strlen(r.buf + p);
		vl = strlen(r.buf + p + kl + 1);
		(void)ctx.foreign_value(ctx.cls, r.buf + p, r.buf + p + kl + 1,
					vl);
		p += kl + 1 + vl + 1;
	}
	t0 = now() - t0;
	*n = r.count;
	free(r.buf);
	return t0;
}

/* The floor rows: the best of RUNS runs each. */
static void
floors(const struct dlp_engine *e, const struct corpus *c, double *hs_s,
       double *byte_s, double *lk_s)
{
	size_t nh = 0, nb = 0, nl = 0;

	*hs_s = 1e9;
	*byte_s = 1e9;
	for (int run = 0; run < RUNS; run++) {
		double h = floor_hyperscan(e, c, &nh), b = floor_bytes(c, &nb);

		*hs_s = h >= 0 && h < *hs_s ? h : *hs_s;
		*byte_s = b < *byte_s ? b : *byte_s;
	}
	printf("  %-34s %8.1f MB/s  (best of %d; %zu matches, no callback "
	       "work)\n", "floor: Hyperscan main db alone",
	       (double)c->len / *hs_s / 1e6, RUNS, nh);
	printf("  %-34s %8.1f MB/s  (best of %d; checksum %zu)\n",
	       "floor: one pass, byte class table", (double)c->len / *byte_s /
	       1e6, RUNS, nb);
	*lk_s = floor_lookups(e, c, &nl);
	printf("  %-34s %8.1f MB/s  (%zu lookups, replayed without a "
	       "scan)\n", "floor: the context's lookups alone",
	       (double)c->len / *lk_s / 1e6, nl);
}

/* The ROW lines of the realistic section, each beside its baseline. */
static void
realistic_rows(const struct corpus *c, double ctx_s, double noctx_s,
	       const double fl[3], double base_mbs)
{
	double mb = (double)c->len / 1e6;

	if (base_mbs > 0)
		printf("ROW outbound, realistic corpus, server's context: %.1f "
		       "MB/s | PCRE2 one by one %.1f MB/s (aim >= 1000 MB/s)\n",
		       mb / ctx_s, base_mbs);
	printf("ROW engine alone, realistic corpus: %.1f MB/s | outbound %.1f "
	       "MB/s\n", mb / noctx_s, mb / ctx_s);
	printf("ROW floor, Hyperscan main db alone: %.1f MB/s | one byte "
	       "pass %.1f MB/s\n", mb / fl[0], mb / fl[1]);
	printf("ROW floor, the context's lookups alone: %.1f MB/s | outbound "
	       "%.1f MB/s\n", mb / fl[2], mb / ctx_s);
}

/* --ctx-only: the realistic corpus with context, once. */
static void
realistic_once(const struct dlp_engine *e, size_t len)
{
	struct corpus c;
	size_t found = 0, lookups = 0;
	double t;

	if (corpus_new(&c, CORPUS_SEED, len) != 0)
		return;
	t = realistic_run(e, &c, 1, &found, &lookups);
	printf("  %-34s %8.1f MB/s  (once; %zu bytes, %zu findings)\n",
	       "outbound: per message + context", (double)c.len / t / 1e6,
	       c.len, found);
	corpus_free(&c);
}

/* The realistic corpus: the median of RUNS runs, beside the PCRE2
 * baseline over its first 2 MB, and the floor rows. */
static void
realistic(const struct dlp_engine *e, const struct baseline *b, size_t len,
	  int no_base)
{
	struct corpus c;
	double t[RUNS], tn[RUNS], bt, fl[3], base_mbs = 0;
	size_t found = 0, lookups = 0, base_len, nf = 0, nl;

	if (corpus_new(&c, CORPUS_SEED, len) != 0) {
		printf("  (corpus: out of memory)\n");
		return;
	}
	for (int run = 0; run < RUNS; run++) {
		t[run] = realistic_run(e, &c, 1, &found, &lookups);
		tn[run] = realistic_run(e, &c, 0, &nf, &nl);
	}
	qsort(t, RUNS, sizeof(t[0]), cmp_d);
	qsort(tn, RUNS, sizeof(tn[0]), cmp_d);
	printf("== realistic support corpus (bench/corpus.c), one thread\n");
	printf("  %-34s %8.1f MB/s  (median of %d; %zu MB, %zu messages, %zu "
	       "findings, %.0f lookups/MB)\n", "outbound: per message + context",
	       (double)c.len / t[RUNS / 2] / 1e6, RUNS, c.len >> 20, c.n_msg,
	       found, (double)lookups / ((double)c.len / 1e6));
	printf("  %-34s %8.1f MB/s  (median of %d; %zu findings)\n",
	       "engine alone: per message, no ctx",
	       (double)c.len / tn[RUNS / 2] / 1e6, RUNS, nf);
	if (!no_base) {
		base_len = c.len < ((size_t)2 << 20) ? c.len : (size_t)2 << 20;
		bt = now();
		(void)baseline_scan(b, c.text, base_len);
		bt = now() - bt;
		base_mbs = (double)base_len / bt / 1e6;
		printf("  %-34s %8.1f MB/s  (%zu MB)\n",
		       "baseline (PCRE2-JIT one by one)", base_mbs,
		       base_len >> 20);
	}
	floors(e, &c, &fl[0], &fl[1], &fl[2]);
	realistic_rows(&c, t[RUNS / 2], tn[RUNS / 2], fl, base_mbs);
	corpus_free(&c);
}

static void
latency(const char *name, const char *t, size_t n_msg, size_t msg,
	const struct dlp_engine *e, const struct baseline *b)
{
	double *lat = malloc(n_msg * sizeof(*lat));

	for (size_t i = 0; i < n_msg; i++) {
		struct dlp_findings f;
		double t0;

		dlp_findings_init(&f);
		t0 = now();
		if (e != NULL)
			(void)dlp_scan(e, NULL, t + i * msg, msg, &f);
		else
			(void)baseline_scan(b, t + i * msg, msg);
		lat[i] = now() - t0;
		dlp_findings_free(&f);
	}
	qsort(lat, n_msg, sizeof(*lat), cmp_d);
	printf("  %-34s p50 %8.1f us   p99 %8.1f us   (%zu messages of %zu "
	       "bytes)\n", name, lat[n_msg / 2] * 1e6,
	       lat[n_msg * 99 / 100] * 1e6, n_msg, msg);
	free(lat);
}

/* A copy of t[0, len) with ins put after every every-th space; its length
 * in *out_len. */
static char *
with_inserts(const char *t, size_t len, const char *ins, size_t every,
	     size_t *out_len)
{
	size_t il = strlen(ins), n = 0, spaces = 0;
	char *o = malloc(len + (len / every + 1) * il + 1);

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		o[n++] = t[i];
		if (t[i] == ' ' && ++spaces % every == 0) {
			memcpy(o + n, ins, il);
			n += il;
		}
	}
	o[n] = '\0';
	*out_len = n;
	return o;
}

/* What the normalisation costs (core/dlp/normalise.c): the same text with
 * non-ASCII letters that NFKC keeps (ICU's quick check only), and with a
 * zero-width space now and then (copied, mapped back), beside plain ASCII
 * (skipped), in the same run. */
static void
normalised_throughput(const struct dlp_engine *e, const char *t, size_t len)
{
	static const struct {
		const char *what, *ins;
		size_t every;
	} v[] = {
		{"plain ASCII (not normalised)", "", 1},
		{"with \"é\" every 20 words", "\xc3\xa9 ", 20},
		{"with a ZWSP every 20 words", "\xe2\x80\x8b", 20},
	};

	for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
		size_t n;
		char *x = with_inserts(t, len, v[k].ins, v[k].every, &n);
		double b = 1e9;

		for (int run = 0; x != NULL && run < 3; run++) {
			struct dlp_findings f;
			double t0;

			dlp_findings_init(&f);
			t0 = now();
			(void)dlp_scan(e, NULL, x, n, &f);
			t0 = now() - t0;
			b = t0 < b ? t0 : b;
			dlp_findings_free(&f);
		}
		if (x != NULL)
			printf("  %-34s %8.1f MB/s  (%zu MB)\n", v[k].what,
			       (double)n / b / 1e6, n >> 20);
		free(x);
	}
}

int
main(int argc, char **argv)
{
	size_t mb = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 64;
	size_t len = (mb ? mb : 64) << 20, base_len = (size_t)2 << 20;
	struct dlp_engine *e;
	struct dlp_rule_stats st;
	struct baseline b;
	char *t = corpus(len);
	double best, t0, bt, runs[RUNS];
	size_t found = 0, hits;
	int no_base = 0, only = 0, store = 0, once = 0;

	for (int k = 2; k < argc; k++) {
		no_base |= strcmp(argv[k], "--no-baseline") == 0;
		only |= strcmp(argv[k], "--realistic-only") == 0;
		store |= strcmp(argv[k], "--store") == 0;
		once |= strcmp(argv[k], "--ctx-only") == 0;
	}

	if (t == NULL || dlp_engine_new(&e) != 0 || baseline_new(&b) != 0) {
		fprintf(stderr, "bench_dlp: setup failed\n");
		return 2;
	}
	dlp_engine_stats(e, &st);
	printf("rules: %zu (Hyperscan %zu, PCRE2 only %zu, path-only %zu, "
	       "failed %zu); baseline patterns %zu\n", st.total, st.hyperscan,
	       st.pcre_only, st.path_only, st.failed, b.n);
	if (once) {
		realistic_once(e, len);
		goto out;
	}
	realistic(e, &b, len, no_base);
	if (store) /* the server's lookups: a real store, 4 MB */
		dlp_store_rows(e, len < ((size_t)4 << 20) ? len :
				  (size_t)4 << 20);
	if (only)
		goto out;
	printf("== the bench's own text (English-like words), one thread\n");
	for (int run = 0; run < RUNS; run++) {
		struct dlp_findings f;
		int rc;

		dlp_findings_init(&f);
		t0 = now();
		rc = dlp_scan(e, NULL, t, len, &f);
		runs[run] = now() - t0;
		found = f.n;
		if (rc != 0)
			printf("  (scan returned %d)\n", rc);
		dlp_findings_free(&f);
	}
	qsort(runs, RUNS, sizeof(runs[0]), cmp_d);
	best = runs[RUNS / 2];
	printf("  %-34s %8.1f MB/s  (median of %d; %zu MB, %zu findings)\n",
	       "gatehouse (Hyperscan + confirm)", (double)len / best / 1e6,
	       RUNS, len >> 20, found);
	{
		/* The worst case of the keyword prefilter: service names all
		 * over the text, so the gated rules run on most of it. */
		size_t kl = len / 4;
		char *kt = corpus_kw(kl, 1);
		double kb = 1e9;

		for (int run = 0; kt != NULL && run < 2; run++) {
			struct dlp_findings f;

			dlp_findings_init(&f);
			t0 = now();
			(void)dlp_scan(e, NULL, kt, kl, &f);
			t0 = now() - t0;
			kb = t0 < kb ? t0 : kb;
			dlp_findings_free(&f);
		}
		if (kt != NULL)
			printf("  %-34s %8.1f MB/s  (%zu MB, 1 word in 50 a "
			       "service name)\n", "gatehouse, keyword-dense text",
			       (double)kl / kb / 1e6, kl >> 20);
		free(kt);
	}
	if (no_base)
		goto latency_only;
	t0 = now();
	hits = baseline_scan(&b, t, base_len);
	bt = now() - t0;
	printf("  %-34s %8.1f MB/s  (%zu MB, %zu raw matches)\n",
	       "baseline (PCRE2-JIT one by one)", (double)base_len / bt / 1e6,
	       base_len >> 20, hits);
	printf("  speed-up: %.0fx\n", ((double)len / best) /
	       ((double)base_len / bt));
latency_only:
	printf("== normalisation, one thread, same corpus (%zu MB)\n",
	       (len / 4) >> 20);
	normalised_throughput(e, t, len / 4);
	printf("== latency per 4 KB message\n");
	latency("gatehouse", t, len / 4096 < 20000 ? len / 4096 : 20000, 4096, e,
		NULL);
	if (!no_base)
		latency("baseline", t, 200, 4096, NULL, &b);
out:
	for (size_t i = 0; i < b.n; i++)
		pcre2_code_free(b.re[i]);
	free(b.re);
	pcre2_match_data_free(b.md);
	dlp_engine_free(e);
	free(t);
	return 0;
}
