/*
 * Saved views (issue 15, part SEARCH): a name and a set of search
 * filters (core/search.h) kept for a staff member (personal) or shared
 * with a queue; and the built-in views every staff member has ("My
 * open", "Unassigned in my queues", "Due within 1 h", "Breached"). A
 * view's tickets and its count are a search as its reader, so a shared
 * view never shows an agent more than their own visibility allows.
 *
 * Rules: anyone on staff keeps personal views (at most [search]
 * views_per_agent); supervisors and admins create, change and delete
 * shared ones (at most [search] views_per_queue a queue); members of the
 * queue see them. A personal view is seen and changed by its owner only:
 * for anyone else it does not exist (-GH_NOT_FOUND); an agent who sees a
 * shared view and tries to change it is refused (-GH_FORBIDDEN, audited
 * "denied"). Creation, changes and deletions are audited ("view.create",
 * "view.update", "view.delete") with the view's kind and queue, never
 * its name or filters.
 *
 * Invariant: a stored view's filters always passed search_filter_set,
 * key by key, when they were saved; they are stored as canonical JSON
 * (sorted keys, strings only).
 */
#ifndef GH_CORE_VIEWS_H
#define GH_CORE_VIEWS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/actor.h"
#include "core/app.h"
#include "core/search.h"
#include "store/store.h"

#define VIEW_NAME_MAX 60         /* code points */
#define VIEW_FILTERS_MAX 12      /* filters in one view */

/* A built-in view: its key ("my-open"...), name and filters (JSON). */
struct view_builtin {
	const char *key;
	const char *name;
	const char *filters;
};

/* The built-in views, *n of them. Static. */
const struct view_builtin *views_builtins(size_t *n);

/*
 * What a new or changed view holds: name (1..VIEW_NAME_MAX code points,
 * no control characters) and filters (a JSON object of at most
 * VIEW_FILTERS_MAX search arguments, each a string search_filter_set
 * accepts; q, status, assigned, queue, priority, tag, customer,
 * created_*, due_*, breached, sort; never customer_email, a sealed
 * field that a stored view would keep and show in clear). *bad_field
 * names what was refused ("name", "filters" or "filters.KEY", the last
 * written into field) with -GH_BAD_FIELD.
 */
struct view_input {
	const char *name;           /* NULL: unchanged (update only) */
	json_t *filters;            /* NULL: unchanged (update only) */
	const char *queue;          /* create: NULL personal, else shared */
	const char *bad_field;      /* out; may point into field */
	char field[80];             /* out: "filters.KEY" */
};

/* Creates a view of a from in (personal, or shared with in->queue:
 * supervisors and admins only), audited. out gets the stored view.
 * -GH_BAD_FIELD, -GH_UNKNOWN_QUEUE, -GH_FORBIDDEN, -GH_TOO_MANY_VIEWS. */
int views_create(struct app *app, struct store_conn *c,
		 const struct tk_actor *a, struct view_input *in,
		 int64_t now, struct view_rec *out);
/* Changes view id's name and/or filters, audited; the rules above. */
int views_update(struct app *app, struct store_conn *c,
		 const struct tk_actor *a, int64_t id, struct view_input *in,
		 int64_t now, struct view_rec *out);
/* Deletes view id, audited; the rules above. */
int views_delete(struct app *app, struct store_conn *c,
		 const struct tk_actor *a, int64_t id);
/* The stored views a sees (their own, and those shared with their
 * queues; supervisors and admins: every shared view). view_list_clear. */
int views_list(struct store_conn *c, const struct tk_actor *a,
	       struct view_list *out);
/* The filters of stored (or built-in) filters text into f. */
int views_filters(struct app *app, const char *text,
		  struct search_filters *f);
/* The number of tickets a sees in the view of filters text, now; 0 for
 * stored filters that no longer pass the search's checks. */
int views_count(struct app *app, struct store_conn *c,
		const struct tk_actor *a, const char *filters, int64_t now,
		int64_t *n_out);

#endif
