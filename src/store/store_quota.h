/*
 * Quotas' storage operations and their records (migration 019): how much
 * a customer, a staff member or a client address wrote in a window, read
 * from the rows themselves where a row records the writer (tickets,
 * messages, notes, attachments) and from quota_events where none does
 * (writes admitted per client address); and the refusals per subject,
 * limit and audit window (quota_hits), so that repeated refusals are
 * audited once with a count. Kept apart from store/store.h, which
 * includes this header before struct store_ops (whose member `quota`
 * holds the operations). Include store/store.h, not this file.
 *
 * Invariant: nothing here reads or returns the content of a message or a
 * file, only its writer, time and size.
 */
#ifndef GH_STORE_STORE_QUOTA_H
#define GH_STORE_STORE_QUOTA_H

#include <stddef.h>
#include <stdint.h>

/* What a usage is counted from. Amounts are 1 a row for the counts and
 * bytes for the sizes. */
enum quota_source {
	QSRC_CUSTOMER_TICKETS,  /* tickets of the customer, by creation */
	QSRC_CUSTOMER_MESSAGES, /* messages the customer wrote */
	QSRC_CUSTOMER_ATTACH,   /* bytes of the customer's uploads */
	QSRC_CUSTOMER_STORED,   /* bytes of their messages and uploads */
	QSRC_STAFF_MESSAGES,    /* replies and notes the staff member wrote */
	QSRC_EVENTS,            /* quota_events of (key, what) */
};

/* Whose usage: id for the account sources, key and what for
 * QSRC_EVENTS. */
struct quota_scope {
	enum quota_source src;
	int64_t id;
	const char *key;  /* "ip:203.0.113.9" */
	const char *what; /* the limit's name */
};

/* Rows and the sum of their amounts. */
struct quota_sum {
	int64_t n;
	int64_t total;
};

/* Called for each row of a window, oldest first: 0 goes on, > 0 stops
 * (success), < 0 stops and is returned. */
typedef int (*quota_row_fn)(void *ctx, int64_t at, int64_t amount);

/* A refusal counted for a subject, limit and audit window. */
struct quota_hit_rec {
	int64_t id;
	char subject[80];
	char limit[40];
	int64_t window_start, window_end;
	int64_t count;
};

struct quota_hit_list {
	struct quota_hit_rec *v; /* malloc'd; quota_hit_list_clear() */
	size_t n;
};

/*
 * The operations, member `quota` of struct store_ops.
 *
 * sum: rows of s created after since (since 0: all rows) and the sum of
 * their amounts. walk: the same rows oldest first, fn called for each.
 * event_add: a write admitted for key (what, at, amount). hit: counts a
 * refusal of subject under limit in the window [start, end), creating
 * its row at 1; *count_out gets the count after it. closed: at most max
 * hits whose window ended at or before now, not yet summarised, oldest
 * first. summarised: marks hit id summarised. prune: forgets events at
 * or before event_before and summarised hits whose window ended at or
 * before hit_before.
 */
struct store_conn;

struct store_quota_ops {
	int (*sum)(struct store_conn *c, const struct quota_scope *s,
		   int64_t since, struct quota_sum *out);
	int (*walk)(struct store_conn *c, const struct quota_scope *s,
		    int64_t since, quota_row_fn fn, void *ctx);
	int (*event_add)(struct store_conn *c, const char *key,
			 const char *what, int64_t at, int64_t amount);
	int (*hit)(struct store_conn *c, const char *subject,
		   const char *limit, int64_t start, int64_t end,
		   int64_t *count_out);
	int (*closed)(struct store_conn *c, int64_t now, size_t max,
		      struct quota_hit_list *out);
	int (*summarised)(struct store_conn *c, int64_t id);
	int (*prune)(struct store_conn *c, int64_t event_before,
		     int64_t hit_before);
};

/* Releases what closed filled (NULL-safe). */
void quota_hit_list_clear(struct quota_hit_list *l);

#endif
