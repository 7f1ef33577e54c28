/*
 * SQLite store: the `throttle` table of failed-attempt counters
 * (core/throttle.h has the policy). Besides plain get, put and clear, an
 * attempt is reserved before the work it guards: one upsert counts it as
 * a failure and sets the block that failure earns, but only while the key
 * is not blocked, and returns the new row, so attempts made in parallel on
 * many connections count exactly like attempts made one after another.
 * A reserved attempt that succeeds is refunded.
 *
 * Invariant: a key is counted only when it was not blocked at that
 * moment, and its block is set by the same statement that counts.
 */
#include <stdio.h>
#include <string.h>

#include "store/sqlite/sq.h"
#include "util/errors.h"

static int
throttle_row(sqlite3_stmt *st, void *ctx)
{
	struct throttle_rec *t = ctx;

	t->failures = sqlite3_column_int64(st, 0);
	t->last_failure = sqlite3_column_int64(st, 1);
	t->blocked_until = sqlite3_column_int64(st, 2);
	return 0;
}

int
sq_throttle_get(struct store_conn *c, const char *key,
		struct throttle_rec *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->key, sizeof(out->key), "%s", key);
	return sq_row(c, throttle_row, out,
		      "SELECT failures, last_failure, blocked_until "
		      "FROM throttle WHERE key = ?",
		      "t", key);
}

int
sq_throttle_put(struct store_conn *c, const struct throttle_rec *t)
{
	return sq_exec(c,
		       "INSERT INTO throttle (key, failures, last_failure, "
		       "blocked_until) VALUES (?1, ?2, ?3, ?4) "
		       "ON CONFLICT (key) DO UPDATE SET failures = ?2, "
		       "last_failure = ?3, blocked_until = ?4",
		       "tiii", t->key, t->failures, t->last_failure,
		       t->blocked_until);
}

int
sq_throttle_clear(struct store_conn *c, const char *key)
{
	return sq_exec(c, "DELETE FROM throttle WHERE key = ?", "t", key);
}

/*
 * The blocked_until a key earns at its n-th failure under the rule bound
 * as ?2 now, ?3 lock_failures, ?4 free_failures, ?5 delay_base, ?6
 * delay_max, ?7 THROTTLE_LOCKED: locked at lock_failures (when not 0);
 * from free_failures on, delay_base doubled per further failure, at most
 * delay_max; before that, `before` (no new block).
 */
#define BLOCK_AT(n, before)                                                   \
	"CASE WHEN ?3 > 0 AND " n " >= ?3 THEN ?7 "                          \
	"WHEN " n " >= ?4 THEN ?2 + MIN(?6, ?5 << MIN(" n " - ?4, 30)) "     \
	"ELSE " before " END"

int
sq_throttle_take(struct store_conn *c, const char *key, int64_t now,
		 const struct throttle_rule *rule, struct throttle_rec *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->key, sizeof(out->key), "%s", key);
	rc = sq_row(c, throttle_row, out,
		    "INSERT INTO throttle (key, failures, last_failure, "
		    "blocked_until) VALUES (?1, 1, ?2, " BLOCK_AT("1", "0") ") "
		    "ON CONFLICT (key) DO UPDATE SET "
		    "failures = failures + 1, last_failure = ?2, "
		    "blocked_until = "
		    BLOCK_AT("(failures + 1)", "blocked_until") " "
		    "WHERE throttle.blocked_until <= ?2 "
		    "RETURNING failures, last_failure, blocked_until",
		    "tiiiiii", key, now, rule->lock_failures,
		    rule->free_failures, rule->delay_base, rule->delay_max,
		    (int64_t)THROTTLE_LOCKED);
	if (rc != -GH_NOT_FOUND)
		return rc;
	/* Blocked: nothing counted; the row says until when. A row gone
	 * meanwhile (cleared between the statements, outside a
	 * transaction) is contention: try again. */
	rc = sq_throttle_get(c, key, out);
	if (rc == -GH_NOT_FOUND)
		return -GH_UNAVAILABLE;
	return rc < 0 ? rc : -GH_CONFLICT;
}

int
sq_throttle_refund(struct store_conn *c, const struct throttle_rec *t)
{
	return sq_exec(c,
		       "UPDATE throttle SET failures = MAX(failures - 1, 0), "
		       "blocked_until = CASE WHEN blocked_until = ?2 "
		       "THEN 0 ELSE blocked_until END WHERE key = ?1",
		       "ti", t->key, t->blocked_until);
}
