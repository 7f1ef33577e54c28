/* Audit records: canonical JSON, leaf hash, append. */
#include "core/audit.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/crypto.h"

#include "util/errors.h"
#include "crypto/merkle.h"
#include "util/log.h"

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

/* Loads every leaf hash (recomputed from the records when recompute is
 * set, else as stored). *bad gets the first sequence number whose stored
 * leaf differs from its record, or is missing (0: none). */
static int
load_leaves(struct store_conn *c, int64_t n, unsigned char (**out)[32],
	    int64_t *bad, const char **why)
{
	unsigned char(*leaves)[32] = calloc((size_t)(n > 0 ? n : 1), 32);
	int rc = 0;

	*bad = 0;
	*out = NULL;
	if (leaves == NULL)
		return -GH_INTERNAL;
	for (int64_t i = 1; i <= n; i++) {
		unsigned char stored[32];
		char *rec = NULL;

		rc = c->ops->audit_get(c, i, &rec, stored);
		if (rc == -GH_NOT_FOUND) {
			if (*bad == 0) {
				*bad = i;
				*why = "missing";
			}
			rc = 0;
			continue;
		}
		if (rc < 0)
			break;
		merkle_leaf_hash(rec, strlen(rec), leaves[i - 1]);
		free(rec);
		if (*bad == 0 && !crypto_equal(stored, leaves[i - 1], 32)) {
			*bad = i;
			*why = "changed";
		}
	}
	if (rc < 0) {
		free(leaves);
		return rc;
	}
	*out = leaves;
	return 0;
}

struct cp_ctx {
	const unsigned char *sk;
	int64_t size;
};

static int
tx_checkpoint(struct store_conn *c, void *cls)
{
	struct cp_ctx *x = cls;
	unsigned char(*leaves)[32] = NULL;
	unsigned char root[32], sig[64], last_root[32];
	char text[160];
	int64_t n = 0, bad = 0, k = 0, last_size = 0, created;
	const char *why = NULL;
	int rc;

	rc = c->ops->audit_count(c, &n);
	if (rc < 0)
		return rc;
	/* The newest checkpoint: skip when nothing is new. */
	while (c->ops->audit_checkpoint_get(c, k + 1, &last_size, last_root,
					    sig, &created) == 0)
		k++;
	if (k > 0) {
		c->ops->audit_checkpoint_get(c, k, &last_size, last_root, sig,
					     &created);
		if (last_size == n) {
			x->size = n;
			return 0;
		}
	}
	rc = load_leaves(c, n, &leaves, &bad, &why);
	if (rc < 0)
		return rc;
	rc = -GH_INTERNAL;
	if (bad != 0) {
		LOG_BUG("audit log inconsistent: checkpoint refused");
		goto out;
	}
	if (merkle_root((const unsigned char(*)[32])leaves, (size_t)n, root) < 0 ||
	    merkle_checkpoint_text((uint64_t)n, root, text, sizeof(text)) < 0 ||
	    crypto_ed25519_sign(x->sk, text, strlen(text), sig) < 0)
		goto out;
	rc = c->ops->audit_checkpoint_insert(c, n, root, sig);
	x->size = n;
out:
	free(leaves);
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

int
audit_verify(struct store_conn *c, const unsigned char pk[32],
	     json_t **report)
{
	unsigned char(*leaves)[32] = NULL;
	unsigned char root[32], want[32], sig[64];
	char text[160];
	char msg[200];
	int64_t n = 0, bad = 0, size, created, k;
	const char *why = NULL;
	int ok = 0;

	*report = json_object();
	if (c->ops->audit_count(c, &n) < 0 ||
	    load_leaves(c, n, &leaves, &bad, &why) < 0) {
		json_object_set_new(*report, "error",
				    json_string("the audit log cannot be read"));
		return -1;
	}
	json_object_set_new(*report, "records", json_integer(n));
	if (bad != 0) {
		snprintf(msg, sizeof(msg), "record %lld was %s", (long long)bad,
			 why);
		json_object_set_new(*report, "first_bad_record",
				    json_integer(bad));
		json_object_set_new(*report, "error", json_string(msg));
		goto out;
	}
	for (k = 1; c->ops->audit_checkpoint_get(c, k, &size, want, sig,
						 &created) == 0;
	     k++) {
		const char *err = NULL;

		if (size > n) {
			err = "covers more records than exist: records were "
			      "removed";
		} else if (merkle_root((const unsigned char(*)[32])leaves,
				       (size_t)size, root) < 0 ||
			   merkle_checkpoint_text((uint64_t)size, want, text,
						  sizeof(text)) < 0) {
			err = "cannot be computed";
		} else if (crypto_ed25519_verify(pk, text, strlen(text), sig) !=
			   0) {
			err = "has a bad signature";
		} else if (!crypto_equal(root, want, 32)) {
			err = "does not match the records: a record among them "
			      "was changed, removed or reordered";
		}
		if (err != NULL) {
			snprintf(msg, sizeof(msg), "checkpoint %lld (%lld records) %s",
				 (long long)k, (long long)size, err);
			json_object_set_new(*report, "first_bad_checkpoint",
					    json_integer(k));
			json_object_set_new(*report, "error", json_string(msg));
			goto out;
		}
		json_object_set_new(*report, "verified_up_to",
				    json_integer(size));
	}
	json_object_set_new(*report, "checkpoints", json_integer(k - 1));
	ok = 1;
out:
	free(leaves);
	json_object_set_new(*report, "ok", json_boolean(ok));
	return ok ? 0 : -1;
}
