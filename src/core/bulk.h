/*
 * Bulk changes of tickets (the supervisor's console, issue 15): one
 * request names up to [supervisor] bulk_max tickets and the changes to
 * make to each (assignee, status, priority, tags, queue). Every ticket is
 * changed through the same core function as a single change
 * (tickets_move, tickets_assign, tickets_set_status, tickets_set_priority,
 * tickets_set_tags), each in its own transaction with its own audit
 * record, so a bulk change is exactly the sum of single changes: the
 * same rules, the same records. One "ticket.bulk" record sums it up.
 *
 * Invariant: the request is checked whole before any ticket is touched
 * (bounds, values, the caller's right to each kind of change, the target
 * queue and staff member), so bad input changes nothing; after that each
 * ticket succeeds or fails on its own, and a ticket the caller may not
 * see fails as "not found", exactly as if it did not exist.
 */
#ifndef GH_CORE_BULK_H
#define GH_CORE_BULK_H

#include <stddef.h>
#include <stdint.h>

#include "core/actor.h"
#include "core/app.h"
#include "store/store.h"

/* The most tags one bulk change adds or removes (each list): as many as
 * a ticket may have. */
#define BULK_TAGS_MAX TICKET_TAGS_MAX

/* What to change on every ticket; a NULL string or 0 id leaves it. */
struct bulk_change {
	int64_t assign;          /* staff id to assign to */
	const char *status;      /* open | pending | solved */
	const char *priority;    /* low | normal | high | urgent */
	const char *queue;       /* queue name */
	const char *const *tags_add;
	size_t n_add;
	const char *const *tags_remove;
	size_t n_remove;
};

/* What became of one ticket. The changes run in the order queue,
 * assign, status, priority, tags; the first that fails stops that
 * ticket's changes (those before it stay made) and is named in failed. */
struct bulk_result {
	int64_t id;
	int rc;               /* 0, or the -GH_* code of the failed change */
	const char *failed;   /* "queue", "assign", ... (static), or NULL */
};

/*
 * Applies ch to the n tickets ids[] for actor a; out (n entries, the
 * caller's) gets one result per id, in order. Who may do what:
 * supervisors and admins every change; an agent only status, priority
 * and tags (each ticket must be theirs, as for a single change:
 * "not_assigned" otherwise) and assignment to themself (taking tickets
 * free in their queues); an agent naming a queue or another assignee is
 * refused whole (-GH_FORBIDDEN).
 *
 * Whole-request errors (nothing changed, nothing audited but by the
 * caller's refusal path; *field names the offending field):
 * -GH_BAD_FIELD ("ids": none, an id < 1 or named twice; "status"),
 * -GH_BULK_TOO_MANY ("ids": more than [supervisor] bulk_max),
 * -GH_BULK_NOTHING (no change named), -GH_FORBIDDEN,
 * -GH_UNKNOWN_QUEUE ("queue"), -GH_UNKNOWN_STAFF or -GH_STAFF_DISABLED
 * ("assign"), -GH_BAD_PRIORITY ("priority"), -GH_BAD_TAG or
 * -GH_TOO_MANY_TAGS ("tags": as tickets_set_tags checks them).
 * Otherwise returns 0 after writing the summary record "ticket.bulk"
 * (counts and the kinds of change; no ids of failed tickets, which could
 * reveal nothing anyway), whatever each ticket's outcome.
 */
int tickets_bulk(struct app *app, struct store_conn *c,
		 const struct tk_actor *a, const int64_t *ids, size_t n,
		 const struct bulk_change *ch, struct bulk_result *out,
		 const char **field);

#endif
