/*
 * Key rotation (see core/keys.h): the passes over every sealed column,
 * batch by batch (read the first bytes of a batch of rows, open and seal
 * again those not under the current key, replace them in one short
 * transaction), the tally of values per key, the retirement of a key, and
 * their audit records.
 *
 * Invariant: a value is only ever replaced by the same plaintext sealed
 * under the current key with the same associated data, and only while it
 * is still the value that was opened; a value that does not open is left
 * as it is and counted, so nothing is ever lost and retire refuses while
 * it is there.
 */
#include "core/keys.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/audit.h"
#include "core/sealed.h"
#include "util/errors.h"
#include "util/log.h"

/* Rows per batch: small fields, attachments (up to megabytes each). */
#define BATCH 32
#define BATCH_LARGE 2
/* Passes before a rotation gives up on values that keep changing. */
#define PASSES 4

_Static_assert(SEALED_HEAD_BYTES >= CRYPTO_SEAL_HEAD,
	       "the store reads enough of a value to name its key");

const char *
keys_column_name(enum sealed_col col)
{
	static const char *const names[SEALED_COLS] = {
		[SEALED_STAFF_TOTP] = "staff.totp_seed",
		[SEALED_CUSTOMER_EMAIL] = "customers.email",
		[SEALED_CUSTOMER_PHONE] = "customers.phone",
		[SEALED_CUSTOMER_DOB] = "customers.dob",
		[SEALED_CUSTOMER_ADDRESS] = "customers.address",
		[SEALED_CUSTOMER_ACCOUNT_NUMBER] = "customers.account_number",
		[SEALED_CUSTOMER_PHRASE] = "customers.phrase",
		[SEALED_CUSTOMER_TOTP] = "customers.totp_seed",
		[SEALED_FIELD_VALUE] = "customer_field_values.value",
		[SEALED_OUTBOX_RECIPIENT] = "outbox.recipient",
		[SEALED_OUTBOX_PHRASE] = "outbox.phrase",
		[SEALED_ATTACHMENT] = "attachments.content",
		[SEALED_CHANGE_VALUE] = "change_requests.value",
	};

	return (int)col >= 0 && col < SEALED_COLS ? names[col] : "?";
}

/* --- the tally ------------------------------------------------------ */

/* Counts one value under key id. The last slot is kept for id 0: more
 * distinct ids than a ring holds are counted as naming no key. */
static void
tally_add(struct keys_report *r, uint32_t id)
{
	size_t cap = sizeof(r->by_key) / sizeof(r->by_key[0]);
	size_t i;

	for (;;) {
		for (i = 0; i < r->n && r->by_key[i].id != id; i++)
			continue;
		if (i < r->n)
			break;
		if (r->n + 1 < cap || (id == 0 && r->n < cap)) {
			r->by_key[r->n++] = (struct keys_tally){id, 0};
			break;
		}
		id = 0;
	}
	r->by_key[i].values++;
}

static int
tally_column(struct store_conn *c, enum sealed_col col, struct keys_report *r)
{
	struct sealed_head heads[BATCH * 4];
	int64_t after = 0;
	size_t n = 0;
	int rc;

	for (;;) {
		rc = c->ops->sealed_heads(c, col, after, BATCH * 4, heads, &n);
		if (rc < 0 || n == 0)
			return rc;
		for (size_t i = 0; i < n; i++) {
			uint32_t id = 0;

			(void)crypto_sealed_key_id(heads[i].head, heads[i].len,
						   &id);
			tally_add(r, id);
		}
		after = heads[n - 1].id;
	}
}

int
keys_tally(struct app *app, struct store_conn *c, struct keys_report *out)
{
	int rc = 0;

	out->n = 0;
	out->current = crypto_keys_current(app->keys);
	for (int col = 0; rc == 0 && col < SEALED_COLS; col++)
		rc = tally_column(c, (enum sealed_col)col, out);
	return rc;
}

/* Values sealed under key id by the tally r. */
static int64_t
tally_of(const struct keys_report *r, uint32_t id)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->by_key[i].id == id)
			return r->by_key[i].values;
	return 0;
}

/* --- resealing ------------------------------------------------------ */

struct reseal_item {
	int64_t id;
	struct blob old, val;
};

struct batch {
	enum sealed_col col;
	struct reseal_item v[BATCH];
	size_t n;
	int64_t changed;
};

static void
failed_at(struct keys_report *r, enum sealed_col col, int64_t row)
{
	if (r->failed++ == 0) {
		r->failed_column = keys_column_name(col);
		r->failed_row = row;
	}
	log_event(LOG_ERROR, "keys.reseal_failed",
		  json_pack("{s:s, s:I}", "column", keys_column_name(col),
			    "row", (json_int_t)row));
}

/* Reads row id of b->col, opens it and seals it under current into the
 * next item of b. -GH_NOT_FOUND when the row or value is gone;
 * -GH_BAD_FIELD when it does not open. */
static int
prepare(struct app *app, struct store_conn *c, struct batch *b, int64_t id,
	uint32_t current)
{
	struct reseal_item *it = &b->v[b->n];
	struct sealed_value v;
	char ad[SEALED_AD_BYTES];
	char *plain = NULL;
	size_t len = 0;
	uint32_t got = 0;
	int rc;

	rc = c->ops->sealed_get(c, b->col, id, &v);
	if (rc == 0)
		rc = sealed_ad(b->col, v.ctx, v.num, ad, sizeof(ad));
	if (rc == 0 &&
	    crypto_open(app->keys, ad, v.value.data, v.value.len, &plain,
			&len) < 0)
		rc = -GH_BAD_FIELD;
	if (rc == 0 && (crypto_seal(app->keys, ad, plain, len, &it->val.data,
				    &it->val.len) < 0 ||
			crypto_sealed_key_id(it->val.data, it->val.len,
					     &got) < 0 ||
			got != current))
		rc = -GH_INTERNAL;
	crypto_secret_free(plain);
	if (rc == 0) {
		it->id = id;
		it->old = v.value;
		v.value = (struct blob){NULL, 0};
		b->n++;
	} else {
		blob_clear(&it->val);
	}
	sealed_value_clear(&v);
	return rc;
}

static int
tx_replace(struct store_conn *c, void *cls)
{
	struct batch *b = cls;
	int rc;

	b->changed = 0;
	for (size_t i = 0; i < b->n; i++) {
		rc = c->ops->sealed_replace(c, b->col, b->v[i].id, &b->v[i].old,
					    &b->v[i].val);
		if (rc == -GH_CONFLICT)
			b->changed++;
		else if (rc < 0)
			return rc;
	}
	return 0;
}

static void
batch_clear(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		blob_clear(&b->v[i].old);
		blob_clear(&b->v[i].val);
	}
	b->n = 0;
}

/* Seals the rows of heads that are not under current again. */
static int
reseal_batch(struct app *app, struct store_conn *c, struct batch *b,
	     const struct sealed_head *heads, size_t n, uint32_t current,
	     struct keys_report *r)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		uint32_t id = 0;

		if (crypto_sealed_key_id(heads[i].head, heads[i].len, &id) ==
			    0 &&
		    id == current)
			continue;
		rc = prepare(app, c, b, heads[i].id, current);
		if (rc == -GH_BAD_FIELD)
			failed_at(r, b->col, heads[i].id);
		if (rc == -GH_NOT_FOUND || rc == -GH_BAD_FIELD)
			rc = 0;
	}
	if (rc == 0 && b->n > 0)
		rc = store_transact(c, tx_replace, b);
	if (rc == 0) {
		r->resealed += (int64_t)b->n - b->changed;
		r->changed += b->changed;
	}
	batch_clear(b);
	return rc;
}

static int
reseal_column(struct app *app, struct store_conn *c, enum sealed_col col,
	      uint32_t current, struct keys_report *r)
{
	struct sealed_head heads[BATCH];
	struct batch b;
	size_t max = col == SEALED_ATTACHMENT ? BATCH_LARGE : BATCH;
	int64_t after = 0;
	size_t n = 0;
	int rc;

	memset(&b, 0, sizeof(b));
	b.col = col;
	for (;;) {
		rc = c->ops->sealed_heads(c, col, after, max, heads, &n);
		if (rc < 0 || n == 0)
			return rc;
		after = heads[n - 1].id;
		rc = reseal_batch(app, c, &b, heads, n, current, r);
		if (rc < 0)
			return rc;
	}
}

/* Passes over every column until one changes nothing. */
static int
reseal_passes(struct app *app, struct store_conn *c, struct keys_report *r)
{
	uint32_t current = crypto_keys_current(app->keys);
	int rc = 0;

	if (current == 0)
		return -GH_INTERNAL;
	r->current = current;
	for (int pass = 0; rc == 0 && pass < PASSES; pass++) {
		int64_t before = r->resealed + r->changed;

		r->failed = 0;
		r->failed_column = NULL;
		for (int col = 0; rc == 0 && col < SEALED_COLS; col++)
			rc = reseal_column(app, c, (enum sealed_col)col,
					   current, r);
		if (r->resealed + r->changed == before)
			break;
	}
	return rc;
}

/* --- the audited operations ---------------------------------------- */

struct audit_ctx {
	struct app *app;
	const char *actor;
	const char *action;
	const char *outcome;
	uint32_t key;
	json_t *detail;
};

static int
tx_audit(struct store_conn *c, void *cls)
{
	struct audit_ctx *x = cls;
	char target[32];

	snprintf(target, sizeof(target), "key:%u", (unsigned)x->key);
	return audit_log(x->app, c,
			 &(struct audit_ev){
				 .actor = x->actor,
				 .action = x->action,
				 .target = target,
				 .outcome = x->outcome,
				 .detail = json_incref(x->detail),
			 });
}

static int
audit_keys(struct app *app, struct store_conn *c, const char *actor,
	   const char *action, const char *outcome, uint32_t key,
	   json_t *detail)
{
	struct audit_ctx x = {app, actor, action, outcome, key, detail};
	int rc = store_transact(c, tx_audit, &x);

	json_decref(detail);
	return rc;
}

/* Takes the ring's lock. 0, or -GH_BAD_STATE with *why. */
static int
lock_ring(struct app *app, int *fd, const char **why)
{
	int rc = crypto_ring_lock(app->cfg.dir, fd);

	if (rc == -EBUSY) {
		*why = "Another `gatehouse keys` command is running.";
		return -GH_BAD_STATE;
	}
	if (rc < 0) {
		*why = "The key directory cannot be locked.";
		return -GH_INTERNAL;
	}
	return 0;
}

/* The passes, their tally and their audit record keys.reseal. */
static int
reseal_audited(struct app *app, struct store_conn *c, const char *actor,
	       struct keys_report *out, const char **why)
{
	int64_t left;
	int rc;

	rc = reseal_passes(app, c, out);
	if (rc == 0)
		rc = keys_tally(app, c, out);
	if (rc < 0) {
		*why = "The sealed values cannot be read or written.";
		return rc;
	}
	left = 0;
	for (size_t i = 0; i < out->n; i++)
		if (out->by_key[i].id != out->current)
			left += out->by_key[i].values;
	rc = audit_keys(app, c, actor, "keys.reseal",
			left == 0 ? "success" : "failure", out->current,
			json_pack("{s:I, s:I, s:I, s:I}", "resealed",
				  (json_int_t)out->resealed, "changed",
				  (json_int_t)out->changed, "failed",
				  (json_int_t)out->failed, "left",
				  (json_int_t)left));
	if (rc == 0 && left > 0) {
		*why = out->failed > 0
			       ? "Some values do not open; they are left "
				 "under their key."
			       : "Some values changed at every pass; run "
				 "`gatehouse keys reseal`.";
		rc = -GH_CONFLICT;
	}
	return rc;
}

int
keys_reseal(struct app *app, struct store_conn *c, const char *actor,
	    struct keys_report *out, const char **why)
{
	int fd = -1;
	int rc;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	rc = lock_ring(app, &fd, why);
	if (rc == 0)
		rc = reseal_audited(app, c, actor, out, why);
	crypto_ring_unlock(fd);
	return rc;
}

/* Stores the check value of this node's key id (crypto_ring_check) in
 * the shared store, or compares it with the one stored: -GH_CONFLICT when
 * the stored key id is another key. Key 1 (master.key) has none. */
static int
key_check(struct app *app, struct store_conn *c, uint32_t id,
	  const char **why)
{
	unsigned char mine[CRYPTO_KEY_CHECK_BYTES], stored[16];
	int rc;

	if (id < 2)
		return 0;
	if (crypto_ring_check(app->cfg.dir, id, mine) != 0) {
		*why = "The key file cannot be read.";
		return -GH_INTERNAL;
	}
	rc = c->ops->key_check_get(c, id, stored);
	if (rc == -GH_NOT_FOUND)
		rc = c->ops->key_check_put(c, id, mine, (int64_t)time(NULL));
	else if (rc == 0 && memcmp(mine, stored, sizeof(stored)) != 0) {
		*why = "This node's keys/N.key is not the key `keys add` "
		       "wrote (its check value differs): copy that node's "
		       "file again.";
		rc = -GH_CONFLICT;
	}
	if (rc < 0 && *why == NULL)
		*why = "The key's check value cannot be read or stored.";
	return rc;
}

/* A new key, made current, audited keys.rotate. */
static int
new_current_key(struct app *app, struct store_conn *c, const char *actor,
		struct keys_report *out, const char **why)
{
	uint32_t id = 0;
	int rc;

	out->previous = crypto_keys_current(app->keys);
	if (crypto_ring_add(app->cfg.dir, &id) != 0 ||
	    crypto_ring_set_current(app->cfg.dir, id) != 0) {
		*why = "A new key cannot be written to the key directory.";
		return -GH_INTERNAL;
	}
	if (crypto_keys_current(app->keys) != id) {
		*why = "The new key does not load.";
		return -GH_INTERNAL;
	}
	out->current = id;
	rc = key_check(app, c, id, why);
	if (rc < 0)
		return rc;
	rc = audit_keys(app, c, actor, "keys.rotate", "success", id,
			json_pack("{s:I, s:I}", "key", (json_int_t)id,
				  "previous", (json_int_t)out->previous));
	if (rc < 0)
		*why = "The audit record cannot be written.";
	return rc;
}

int
keys_rotate(struct app *app, struct store_conn *c, const char *actor,
	    struct keys_report *out, const char **why)
{
	uint32_t previous;
	int fd = -1;
	int rc;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	rc = lock_ring(app, &fd, why);
	if (rc == 0)
		rc = new_current_key(app, c, actor, out, why);
	previous = out->previous;
	if (rc == 0)
		rc = reseal_audited(app, c, actor, out, why);
	out->previous = previous;
	crypto_ring_unlock(fd);
	return rc;
}

/* Whether the ring has key id (key 1 unless retired). */
static int
ring_has(struct app *app, uint32_t id, uint32_t *current)
{
	struct crypto_ring_entry e[CRYPTO_RING_MAX];
	size_t n = 0;

	if (crypto_ring_list(app->cfg.dir, e, CRYPTO_RING_MAX, &n, current) <
	    0)
		return -GH_INTERNAL;
	for (size_t i = 0; i < n; i++)
		if (e[i].id == id && !e[i].retired)
			return 0;
	return -GH_NOT_FOUND;
}

/* Several nodes (docs/operations.md, "Key custody"): each node has its
 * own copy of the ring, so a new key is written (keys_add), copied to
 * every node, then made current on each (keys_use) before one reseal. */
int
keys_add(struct app *app, struct store_conn *c, const char *actor,
	 uint32_t *id_out, const char **why)
{
	int fd = -1;
	int rc;

	*id_out = 0;
	*why = NULL;
	rc = lock_ring(app, &fd, why);
	if (rc == 0 && crypto_ring_add(app->cfg.dir, id_out) != 0) {
		*why = "A new key cannot be written to the key directory.";
		rc = -GH_INTERNAL;
	}
	if (rc == 0)
		rc = key_check(app, c, *id_out, why);
	if (rc == 0) {
		rc = audit_keys(app, c, actor, "keys.add", "success", *id_out,
				json_pack("{s:I}", "key", (json_int_t)*id_out));
		if (rc < 0)
			*why = "The audit record cannot be written.";
	}
	crypto_ring_unlock(fd);
	return rc;
}

int
keys_use(struct app *app, struct store_conn *c, const char *actor,
	 uint32_t id, uint32_t *previous, const char **why)
{
	uint32_t current = 0;
	int fd = -1;
	int rc;

	*why = NULL;
	*previous = crypto_keys_current(app->keys);
	rc = lock_ring(app, &fd, why);
	if (rc == 0)
		rc = ring_has(app, id, &current);
	if (rc == -GH_NOT_FOUND)
		*why = "The key ring has no such key: copy keys/N.key from "
		       "the node where `gatehouse keys add` wrote it first.";
	else if (rc < 0 && *why == NULL)
		*why = "The key ring cannot be read.";
	if (rc == 0)
		rc = key_check(app, c, id, why);
	if (rc == 0 && (crypto_ring_set_current(app->cfg.dir, id) != 0 ||
			crypto_keys_current(app->keys) != id)) {
		*why = "The key cannot be made current (does its file load?).";
		rc = -GH_INTERNAL;
	}
	if (rc == 0) {
		rc = audit_keys(app, c, actor, "keys.use", "success", id,
				json_pack("{s:I, s:I}", "key", (json_int_t)id,
					  "previous", (json_int_t)*previous));
		if (rc < 0)
			*why = "The audit record cannot be written.";
	}
	crypto_ring_unlock(fd);
	return rc;
}

/* The checks of keys_retire, with the ring locked. */
static int
retire_check(struct app *app, struct store_conn *c, uint32_t id,
	     int64_t *left, const char **why)
{
	struct keys_report r;
	uint32_t current = 0;
	int rc;

	rc = ring_has(app, id, &current);
	if (rc == -GH_NOT_FOUND)
		*why = "The key ring has no such key (`gatehouse keys list`).";
	if (rc == 0 && id == current) {
		*why = "This key is the current one: rotate to a new key first.";
		rc = -GH_BAD_STATE;
	}
	memset(&r, 0, sizeof(r));
	if (rc == 0)
		rc = keys_tally(app, c, &r);
	if (rc == 0) {
		*left = tally_of(&r, id);
		if (*left > 0) {
			*why = "Values are still sealed under this key: run "
			       "`gatehouse keys reseal` (or rotate) first.";
			rc = -GH_CONFLICT;
		}
	}
	return rc;
}

int
keys_retire(struct app *app, struct store_conn *c, const char *actor,
	    uint32_t id, int64_t *left, const char **why)
{
	int fd = -1;
	int rc;

	*left = 0;
	*why = NULL;
	rc = lock_ring(app, &fd, why);
	if (rc == 0)
		rc = retire_check(app, c, id, left, why);
	if (rc == 0 && crypto_ring_retire(app->cfg.dir, id) != 0) {
		*why = "The key file cannot be removed.";
		rc = -GH_INTERNAL;
	}
	crypto_ring_unlock(fd);
	if (rc == 0 || rc == -GH_CONFLICT || rc == -GH_BAD_STATE ||
	    rc == -GH_NOT_FOUND) {
		int arc = audit_keys(app, c, actor, "keys.retire",
				     rc == 0 ? "success" : "denied", id,
				     json_pack("{s:I, s:I}", "key",
					       (json_int_t)id, "values_left",
					       (json_int_t)*left));

		if (rc == 0 && arc < 0) {
			*why = "The audit record cannot be written.";
			rc = arc;
		}
	}
	return rc;
}
