/*
 * Audit records: canonical JSON, leaf hash, append; and the walk that
 * reads the log back in pages (for checkpoints, verification and export)
 * without holding it in memory.
 *
 * Invariant: a checkpoint is signed only over a log whose records are
 * numbered 1..n without a gap, whose every record matches its leaf hash,
 * and whose prefixes match every checkpoint signed before (the server
 * never signs over a changed, removed, reordered or truncated log).
 */
#include "core/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/crypto.h"
#include "crypto/merkle.h"
#include "util/errors.h"
#include "util/log.h"

/* Records and checkpoints read per page. */
#define AUDIT_PAGE 256

int
audit_log(struct app *app, struct store_conn *c, struct audit_ev *ev)
{
	struct timespec ts;
	struct tm tm;
	char when[40];
	unsigned char leaf[32];
	json_t *rec;
	char *text;
	int rc;

	(void)app;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03ldZ",
		 ts.tv_nsec / 1000000);
	rec = json_pack("{s:i, s:s, s:s, s:s, s:s?, s:s, s:s?, s:s?}", "v", 1,
			"time", when, "actor", ev->actor, "action", ev->action,
			"target", ev->target, "outcome", ev->outcome, "ip",
			ev->ip, "request_id", ev->request_id);
	if (rec == NULL) {
		json_decref(ev->detail);
		ev->detail = NULL;
		return -GH_INTERNAL;
	}
	if (ev->detail != NULL)
		json_object_set_new(rec, "detail", ev->detail);
	ev->detail = NULL;
	text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(rec);
	if (text == NULL)
		return -GH_INTERNAL;
	merkle_leaf_hash(text, strlen(text), leaf);
	rc = c->ops->audit_append(c, text, leaf, NULL);
	free(text);
	return rc;
}

/*
 * The RFC 6962 tree over the records walked so far, in compact form: the
 * roots of its perfect subtrees, largest first (one per set bit of n).
 * Appending a leaf merges equal subtrees; the root folds them from the
 * right, which is MTH with the largest power of two on the left.
 */
struct mstack {
	unsigned char h[64][32];
	int depth;
	int64_t n;
};

static void
mstack_push(struct mstack *m, const unsigned char leaf[32])
{
	memcpy(m->h[m->depth++], leaf, 32);
	m->n++;
	for (int64_t k = m->n; (k & 1) == 0; k >>= 1) {
		merkle_node_hash(m->h[m->depth - 2], m->h[m->depth - 1],
				 m->h[m->depth - 2]);
		m->depth--;
	}
}

static void
mstack_root(const struct mstack *m, unsigned char out[32])
{
	if (m->depth == 0) {
		merkle_root(NULL, 0, out);
		return;
	}
	memcpy(out, m->h[m->depth - 1], 32);
	for (int i = m->depth - 2; i >= 0; i--)
		merkle_node_hash(m->h[i], out, out);
}

/*
 * A walk over the log in order: records 1..m.n are in sequence and match
 * their leaf hashes, and every checkpoint passed so far matches them.
 * The first fault stops it: bad (a record) and/or bad_cp (a checkpoint's
 * position, 1-based) are set and msg says what.
 */
struct walk {
	struct mstack m;
	const unsigned char *pk; /* NULL: signatures are not checked */
	int64_t rows;            /* rows seen in the current page */
	int64_t bad, bad_cp;
	int64_t from, to;        /* records a bad checkpoint suspects */
	int64_t ncp;             /* checkpoints passed */
	struct audit_cp last;    /* the last one passed (ncp > 0) */
	char msg[240];
};

static int
walk_row(void *ctx, int64_t seq, const char *record,
	 const unsigned char leaf[32])
{
	struct walk *w = ctx;
	unsigned char h[32];

	w->rows++;
	if (seq != w->m.n + 1) {
		/* Pages start after m.n, so a smaller seq is one below 1. */
		w->bad = w->m.n + 1;
		snprintf(w->msg, sizeof(w->msg), "record %lld %s",
			 (long long)w->bad,
			 seq > w->bad ? "is missing: it was removed"
				      : "is out of sequence: a row numbered "
					"below 1 stands before it");
		return 1;
	}
	merkle_leaf_hash(record, strlen(record), h);
	if (!crypto_equal(h, leaf, 32)) {
		w->bad = seq;
		snprintf(w->msg, sizeof(w->msg),
			 "record %lld was changed: its leaf hash does not "
			 "match it",
			 (long long)seq);
		return 1;
	}
	mstack_push(&w->m, h);
	return 0;
}

/* Walks the records after m.n up to upto (or the end), page by page. */
static int
walk_records(struct store_conn *c, struct walk *w, int64_t upto)
{
	int64_t after = w->m.n > 0 ? w->m.n : INT64_MIN;
	int rc;

	do {
		w->rows = 0;
		rc = c->ops->audit_page(c, after, upto, AUDIT_PAGE, walk_row,
					w);
		after = w->m.n;
	} while (rc == 0 && w->bad == 0 && w->rows == AUDIT_PAGE);
	return rc;
}

/* Marks checkpoint k (cp) bad for reason why. */
static void
cp_fail(struct walk *w, int64_t k, const struct audit_cp *cp,
	const char *why)
{
	w->bad_cp = k;
	snprintf(w->msg, sizeof(w->msg), "checkpoint %lld (%lld records) %s",
		 (long long)k, (long long)cp->size, why);
}

/* The records up to checkpoint k (cp), then the checkpoint itself: its
 * size, signature (when w->pk) and root over them. */
static int
walk_checkpoint(struct store_conn *c, struct walk *w, int64_t k,
		const struct audit_cp *cp)
{
	unsigned char root[32];
	char text[160];
	int rc;

	if (cp->size < w->m.n) {
		cp_fail(w, k, cp, "covers fewer records than the checkpoint "
				  "before it, but the log only ever grows");
		return 0;
	}
	rc = walk_records(c, w, cp->size);
	/* Short of its size: a gap when a later row exists (the walk of one
	 * more row names it), else the end was cut off. */
	if (rc == 0 && w->bad == 0 && w->m.n < cp->size)
		rc = c->ops->audit_page(c, w->m.n, INT64_MAX, 1, walk_row, w);
	if (rc < 0 || w->bad != 0)
		return rc;
	if (w->m.n < cp->size) {
		w->bad = w->m.n + 1;
		cp_fail(w, k, cp, "covers more records than exist: records "
				  "were removed from the end");
		return 0;
	}
	mstack_root(&w->m, root);
	if (merkle_checkpoint_text((uint64_t)cp->size, cp->root, text,
				   sizeof(text)) < 0)
		return -GH_INTERNAL;
	if (w->pk != NULL &&
	    crypto_ed25519_verify(w->pk, text, strlen(text), cp->sig) != 0) {
		cp_fail(w, k, cp, "has a bad signature");
	} else if (!crypto_equal(root, cp->root, 32)) {
		w->from = (w->ncp > 0 ? w->last.size : 0) + 1;
		w->to = cp->size;
		cp_fail(w, k, cp, "does not match the records: a record among "
				  "them was changed, removed or reordered");
	} else {
		w->ncp++;
		w->last = *cp;
	}
	return 0;
}

/* A page of checkpoints, read before any of them is walked. */
struct cp_page {
	struct audit_cp v[AUDIT_PAGE / 4];
	int n;
};

static int
cp_page_add(void *ctx, const struct audit_cp *cp)
{
	struct cp_page *p = ctx;

	p->v[p->n++] = *cp;
	return 0;
}

/* The whole log: every checkpoint in order with the records it covers,
 * then the records after the last one. 0 (look at w->bad, w->bad_cp) or a
 * store error. */
static int
walk_log(struct store_conn *c, struct walk *w)
{
	struct cp_page *p = malloc(sizeof(*p));
	int64_t after = 0, k = 0;
	int rc = 0;

	if (p == NULL)
		return -GH_INTERNAL;
	do {
		p->n = 0;
		rc = c->ops->audit_checkpoint_page(c, after, AUDIT_PAGE / 4,
						   cp_page_add, p);
		for (int i = 0; i < p->n && rc == 0; i++) {
			after = p->v[i].id;
			rc = walk_checkpoint(c, w, ++k, &p->v[i]);
			if (w->bad != 0 || w->bad_cp != 0)
				goto out;
		}
	} while (rc == 0 && p->n == AUDIT_PAGE / 4);
	if (rc == 0)
		rc = walk_records(c, w, INT64_MAX);
out:
	free(p);
	return rc;
}

struct cp_ctx {
	const unsigned char *sk;
	int64_t size;
};

static int
tx_checkpoint(struct store_conn *c, void *cls)
{
	struct cp_ctx *x = cls;
	struct audit_cp newest;
	struct walk *w = NULL;
	unsigned char root[32], sig[64];
	char text[160];
	int64_t n = 0;
	int rc;

	rc = c->ops->audit_count(c, &n);
	if (rc < 0)
		return rc;
	/* Nothing new since the newest checkpoint: nothing to sign. */
	rc = c->ops->audit_checkpoint_newest(c, &newest);
	if (rc == 0 && newest.size == n) {
		x->size = n;
		return 0;
	}
	if (rc < 0 && rc != -GH_NOT_FOUND)
		return rc;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return -GH_INTERNAL;
	rc = walk_log(c, w);
	if (rc < 0)
		goto out;
	rc = -GH_INTERNAL;
	if (w->bad != 0 || w->bad_cp != 0) {
		/* Tampering (or a broken disk), not our bug: said loudly. */
		log_event(LOG_ERROR, "audit.checkpoint_refused",
			  json_pack("{s:s, s:s}", "reason", w->msg, "action",
				    "run gatehouse audit verify"));
		goto out;
	}
	/* Every row was walked, in sequence: the tree has them all. */
	n = w->m.n;
	mstack_root(&w->m, root);
	if (merkle_checkpoint_text((uint64_t)n, root, text, sizeof(text)) < 0 ||
	    crypto_ed25519_sign(x->sk, text, strlen(text), sig) < 0)
		goto out;
	rc = c->ops->audit_checkpoint_insert(c, n, root, sig);
	x->size = n;
out:
	free(w);
	return rc;
}

int
audit_checkpoint(struct app *app, struct store_conn *c,
		 const unsigned char *sk, int64_t *size_out)
{
	struct cp_ctx x = {sk, 0};
	int rc;

	(void)app;
	rc = store_transact(c, tx_checkpoint, &x);
	if (size_out != NULL)
		*size_out = x.size;
	return rc;
}

/* The report's account of what was checked, and of the first fault. */
static void
verify_report(json_t *report, const struct walk *w)
{
	char hex[65];

	json_object_set_new(report, "checkpoints", json_integer(w->ncp));
	if (w->ncp > 0) {
		crypto_hex_encode(w->last.root, 32, hex, sizeof(hex));
		json_object_set_new(report, "verified_up_to",
				    json_integer(w->last.size));
		json_object_set_new(report, "last_checkpoint",
				    json_pack("{s:I, s:s, s:I}", "size",
					      (json_int_t)w->last.size, "root",
					      hex, "created",
					      (json_int_t)w->last.created));
	}
	if (w->bad != 0)
		json_object_set_new(report, "first_bad_record",
				    json_integer(w->bad));
	if (w->bad_cp != 0)
		json_object_set_new(report, "first_bad_checkpoint",
				    json_integer(w->bad_cp));
	if (w->from != 0)
		json_object_set_new(report, "suspect_records",
				    json_pack("[I, I]", (json_int_t)w->from,
					      (json_int_t)w->to));
	if (w->msg[0] != '\0')
		json_object_set_new(report, "error", json_string(w->msg));
}

int
audit_verify(struct store_conn *c, const unsigned char pk[32],
	     json_t **report)
{
	struct walk *w = calloc(1, sizeof(*w));
	int64_t n = 0;
	int ok = 0;

	*report = json_object();
	if (w == NULL || c->ops->audit_count(c, &n) < 0)
		goto unreadable;
	w->pk = pk;
	if (walk_log(c, w) < 0)
		goto unreadable;
	json_object_set_new(*report, "records", json_integer(n));
	verify_report(*report, w);
	ok = w->bad == 0 && w->bad_cp == 0;
	goto out;
unreadable:
	json_object_set_new(*report, "error",
			    json_string("the audit log cannot be read"));
out:
	free(w);
	json_object_set_new(*report, "ok", json_boolean(ok));
	return ok ? 0 : -1;
}

/* One record copied out of a page. */
struct exp_row {
	int64_t seq;
	char *record;
	unsigned char leaf[32];
};

/* A page of records, copied so that no read is open while the caller's
 * function runs (it may block on a slow reader). */
struct exp_page {
	struct exp_row v[AUDIT_PAGE];
	int n;
};

static int
exp_add(void *ctx, int64_t seq, const char *record,
	const unsigned char leaf[32])
{
	struct exp_page *p = ctx;
	struct exp_row *r = &p->v[p->n];

	r->record = strdup(record);
	if (r->record == NULL)
		return -GH_INTERNAL;
	r->seq = seq;
	memcpy(r->leaf, leaf, 32);
	p->n++;
	return 0;
}

int
audit_export(struct store_conn *c, int64_t since, int64_t upto,
	     audit_row_fn fn, void *ctx)
{
	struct exp_page *p = malloc(sizeof(*p));
	int64_t after = since;
	int full;
	int rc = 0;

	if (p == NULL)
		return -GH_INTERNAL;
	do {
		p->n = 0;
		rc = c->ops->audit_page(c, after, upto, AUDIT_PAGE, exp_add, p);
		full = p->n == AUDIT_PAGE;
		for (int i = 0; i < p->n; i++) {
			if (rc == 0)
				rc = fn(ctx, p->v[i].seq, p->v[i].record,
					p->v[i].leaf);
			after = p->v[i].seq;
			free(p->v[i].record);
		}
	} while (rc == 0 && full);
	free(p);
	return rc > 0 ? 0 : rc;
}
