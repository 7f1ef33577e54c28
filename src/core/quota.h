/*
 * Quotas on writes ([quotas] in the config): how many tickets, messages
 * and attachment bytes a customer may write in a window, and how many
 * bytes they may store; the same windows per client address (IPv6: per
 * /64), whichever customers write from it; replies and notes per staff
 * member. A write that would go over a limit is refused with
 * -GH_RATE_LIMITED (429), naming the limit and the seconds until the
 * window frees enough room (Retry-After), before anything is written.
 *
 * Windows slide: a limit of N per hour counts the rows of the last 3600
 * seconds (a row written at t counts while t > now - 3600), and a refusal
 * says when the oldest rows that must leave have left. A customer's and a
 * staff member's usage is counted from the rows that name them (tickets,
 * messages, notes, attachments), so it is exact and survives restarts and
 * retention purges; what no row records, the writes admitted per address,
 * is kept in the store (quota_events) so that every node sees the same
 * counts, and recorded in the same transaction that checks it. Counts of
 * rows are read before the write they guard, so writes a customer sends
 * in parallel can pass the limit by as many as run at once; the address
 * counts cannot.
 *
 * Every refusal is audited as quota.exceeded, summarised: the first one
 * of a subject (customer, staff member or address) and limit in an audit
 * window (the limit's window, at least an hour: a clock hour, or the
 * calendar day for daily limits and the stored total) is recorded at
 * once with count 1; the rest are only counted, and once the window has
 * closed one summary record (detail "summary": true) gives the count of
 * the whole window. Records hold the limit, the subject and counts, never
 * content.
 */
#ifndef GH_CORE_QUOTA_H
#define GH_CORE_QUOTA_H

#include <stdint.h>

#include "core/actor.h"
#include "core/app.h"
#include "store/store.h"

/* What a request is about to write. */
enum quota_act {
	QUOTA_TICKET,     /* a new ticket with its first message */
	QUOTA_MESSAGE,    /* a message (customer) or reply or note (staff) */
	QUOTA_ATTACHMENT, /* an uploaded file */
};

/* Seconds Retry-After says for the stored total, which no window frees
 * (the retention purge or an operator does). */
#define QUOTA_STORED_RETRY 86400
/* Audit windows are at least this long. */
#define QUOTA_AUDIT_MIN 3600

/* Why a write was refused: the limit's name (its [quotas] key, e.g.
 * "tickets_per_hour"), whose ("account" or "address"), the limit and the
 * seconds until the window frees enough room. */
struct quota_refusal {
	const char *limit;
	const char *scope;
	int64_t max;
	int64_t retry_after;
};

/*
 * Checks that actor a may write act at time now, bytes being the largest
 * size the write can have (the request body's, for a file the bytes its
 * base64 can hold). Customers: their own limits and those of their
 * address (a->ip); staff: theirs (messages only); others: none. Runs its
 * own transactions on c (not inside another). Returns 0 when every limit
 * holds (the address's counts then include this write);
 * -GH_RATE_LIMITED with *out filled (the refusal audited, nothing else
 * written); or a store error.
 */
int quota_check(struct app *app, struct store_conn *c,
		const struct tk_actor *a, enum quota_act act, int64_t bytes,
		int64_t now, struct quota_refusal *out);

/*
 * Writes the summary records of the audit windows closed at now that saw
 * more than one refusal, and forgets address counts older than a day and
 * summaries older than a week. quota_check runs it at most once a minute
 * per process; tests call it with their own now. 0 or a store error.
 */
int quota_sweep(struct app *app, struct store_conn *c, int64_t now);

/*
 * The window arithmetic, for tests. quota_audit_window: the audit window
 * [*start, *end) of a limit with window seconds (0: the stored total) at
 * now. quota_retry: the seconds until a row written at free_at leaves a
 * window of window seconds, at least 1 and at most window.
 */
void quota_audit_window(int64_t window, int64_t now, int64_t *start,
			int64_t *end);
int64_t quota_retry(int64_t window, int64_t free_at, int64_t now);

#endif
