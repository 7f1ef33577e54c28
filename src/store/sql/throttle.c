/*
 * The store, both backends: the `throttle` table of failed-attempt counters
 * (core/throttle.h has the policy). Besides plain get, put and clear, an
 * attempt is reserved before the work it guards: one upsert counts it as a
 * failure and sets the block that failure earns, but only while the key is
 * not blocked, and returns the new row, so attempts made in parallel on
 * many connections (and nodes) count exactly like attempts made one after
 * another. A reserved attempt that succeeds is refunded.
 *
 * Invariant: a key is counted only when it was not blocked at that
 * moment, and its block is set by the same statement that counts.
 */
#include <stdio.h>
#include <string.h>

#include "store/sql/db.h"
#include "util/errors.h"

static int
throttle_row(const struct db_row *st, void *ctx)
{
	struct throttle_rec *t = ctx;

	t->failures = db_i64(st, 0);
	t->last_failure = db_i64(st, 1);
	t->blocked_until = db_i64(st, 2);
	return 0;
}

int
db_throttle_get(struct store_conn *c, const char *key,
		struct throttle_rec *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->key, sizeof(out->key), "%s", key);
	return db_row(c, throttle_row, out,
		      "SELECT failures, last_failure, blocked_until "
		      "FROM throttle WHERE key = ?1",
		      "t", key);
}

int
db_throttle_put(struct store_conn *c, const struct throttle_rec *t)
{
	return db_exec(c,
		       "INSERT INTO throttle (key, failures, last_failure, "
		       "blocked_until) VALUES (?1, ?2, ?3, ?4) "
		       "ON CONFLICT (key) DO UPDATE SET failures = ?2, "
		       "last_failure = ?3, blocked_until = ?4",
		       "tiii", t->key, t->failures, t->last_failure,
		       t->blocked_until);
}

int
db_throttle_clear(struct store_conn *c, const char *key)
{
	return db_exec(c, "DELETE FROM throttle WHERE key = ?1", "t", key);
}

/*
 * The blocked_until a key earns at its n-th failure under the rule bound
 * as ?2 now, ?3 lock_failures, ?4 free_failures, ?5 delay_base, ?6
 * delay_max, ?7 THROTTLE_LOCKED: locked at lock_failures (when not 0);
 * from free_failures on, delay_base doubled per further failure, at most
 * delay_max; before that, `before` (no new block). `least` is the
 * dialect's smaller-of-two function (SQLite MIN, PostgreSQL LEAST).
 */
#define BLOCK_AT(n, before, least)                                            \
	"CASE WHEN CAST(?3 AS BIGINT) > 0 AND " n " >= CAST(?3 AS BIGINT) "   \
	"THEN CAST(?7 AS BIGINT) WHEN " n " >= CAST(?4 AS BIGINT) "          \
	"THEN CAST(?2 AS BIGINT) + " least "(CAST(?6 AS BIGINT), "           \
	"CAST(?5 AS BIGINT) << CAST(" least "(" n " - CAST(?4 AS BIGINT), "  \
	"30) AS INTEGER)) ELSE " before " END"

/* One upsert counts the failure unless the key is blocked, and returns
 * the row it made. */
#define TAKE(least)                                                           \
	"(key, failures, last_failure, blocked_until) "                      \
	"VALUES (?1, 1, CAST(?2 AS BIGINT), " BLOCK_AT("1", "0", least) ") " \
	"ON CONFLICT (key) DO UPDATE SET "                                   \
	"failures = t.failures + 1, last_failure = CAST(?2 AS BIGINT), "     \
	"blocked_until = "                                                   \
	BLOCK_AT("(t.failures + 1)", "t.blocked_until", least) " "           \
	"WHERE t.blocked_until <= CAST(?2 AS BIGINT) "                       \
	"RETURNING failures, last_failure, blocked_until"

static const char *const take[2] = {
	"INSERT INTO throttle AS t " TAKE("MIN"),
	"INSERT INTO throttle AS t " TAKE("LEAST"),
};

int
db_throttle_take(struct store_conn *c, const char *key, int64_t now,
		 const struct throttle_rule *rule, struct throttle_rec *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->key, sizeof(out->key), "%s", key);
	rc = db_row(c, throttle_row, out, DB_SQL(c, take), "tiiiiii", key,
		    now, rule->lock_failures, rule->free_failures,
		    rule->delay_base, rule->delay_max,
		    (int64_t)THROTTLE_LOCKED);
	if (rc != -GH_NOT_FOUND)
		return rc;
	/* Blocked: nothing counted; the row says until when. A row gone
	 * meanwhile (cleared between the statements, outside a
	 * transaction) is contention: try again. */
	rc = db_throttle_get(c, key, out);
	if (rc == -GH_NOT_FOUND)
		return -GH_UNAVAILABLE;
	return rc < 0 ? rc : -GH_CONFLICT;
}

int
db_throttle_refund(struct store_conn *c, const struct throttle_rec *t)
{
	return db_exec(c,
		       "UPDATE throttle SET failures = CASE WHEN failures > 0 "
		       "THEN failures - 1 ELSE 0 END, blocked_until = CASE "
		       "WHEN blocked_until = CAST(?2 AS BIGINT) THEN 0 "
		       "ELSE blocked_until END WHERE key = ?1",
		       "ti", t->key, t->blocked_until);
}
