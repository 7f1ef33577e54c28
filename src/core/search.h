/*
 * Ticket search (issue 15, part SEARCH): full-text over subjects,
 * customer messages, staff replies and (staff only) internal notes, with
 * filters and an order, a page at a time with the total; the same for a
 * customer over their own tickets (never notes). The filters are parsed
 * here, one argument at a time, so the API's query string and a saved
 * view's stored filters (core/views.h) go through the same checks.
 *
 * The text: at most SEARCH_Q_MAX code points and [search] max_terms
 * terms; words are matched without case or diacritics ("muller" finds
 * "Müller"), all of them (AND); "a phrase" in double quotes matches the
 * words in a row, and a word ending in * matches as a prefix. Every term
 * is quoted for FTS5, so no input is read as FTS5 syntax (NEAR, OR,
 * column filters): it is text. A term with no letter or digit is
 * dropped; a text of none matches nothing.
 *
 * A customer is found by e-mail only through the blind index, exact
 * match after the normalisation logins use (customer_email=); never by
 * reading sealed fields.
 *
 * Invariant: the store applies the caller's visibility rule in the
 * statement that counts (store/store_search.h): an agent's results and
 * totals only ever hold tickets they may see.
 */
#ifndef GH_CORE_SEARCH_H
#define GH_CORE_SEARCH_H

#include <stdint.h>

#include "core/actor.h"
#include "core/app.h"
#include "store/store.h"

#define SEARCH_Q_MAX 200         /* code points */
#define SEARCH_Q_BYTES 804
/* An FTS5 expression: every byte of the text at most doubled, three
 * more a term. */
#define SEARCH_MATCH_BYTES (2 * SEARCH_Q_BYTES + 3 * 64 + 8)
/* A date argument: Unix seconds, or YYYY-MM-DD (UTC midnight). Dates
 * before 2000 or after 2100 are refused. */
#define SEARCH_TIME_MIN 946684800LL
#define SEARCH_TIME_MAX 4102444800LL
#define SEARCH_DUE_WITHIN_MAX (30 * 86400)
#define SEARCH_EMAIL_BYTES 256

/* The filters of one search, as parsed. Strings "" and numbers 0 (or
 * -1 where said) for "none". due_within (seconds from now) is how a
 * view says "due within an hour" relative to when it is read. */
struct search_filters {
	char q[SEARCH_Q_BYTES];
	char match[SEARCH_MATCH_BYTES];  /* the FTS5 expression of q */
	char status[16];                 /* a status, "unsolved", or "" */
	enum ticket_assigned assigned;
	char queue[QUEUE_NAME_BYTES];
	int64_t customer_id;
	char customer_email[SEARCH_EMAIL_BYTES]; /* normalised */
	char priority[8];
	char tag[40];
	int64_t created_after, created_before;
	int64_t due_before, due_within;
	int breached;                    /* -1: any */
	int sort;                        /* -1: the default */
};

/* Empty filters: everything the caller may see. */
void search_filters_init(struct search_filters *f);

/*
 * Sets the filter named key (a query argument: q, status, assigned,
 * queue, customer, customer_email, priority, tag, created_after,
 * created_before, due_before, due_within, breached, sort) from value.
 * 0; 1 when key names no filter (the caller decides: paging, or
 * unknown); -GH_BAD_QUERY when the value is out of bounds or malformed
 * (the caller names key). Queues are checked when searching.
 */
int search_filter_set(struct app *app, struct search_filters *f,
		      const char *key, const char *value);

/* 1 when key is one of the search's own arguments, those the plain work
 * list (tickets_staff_page) does not take. */
int search_key_is_new(const char *key);

/*
 * A page of the tickets staff member a may see that match f, in f's
 * order (default: relevance with a text, newest updated without), limit
 * 1..TICKET_LIST_MAX after offset 0..TICKET_OFFSET_MAX, with the total.
 * Notes are searched for staff. now (Unix seconds) anchors due_within.
 * -GH_FORBIDDEN for a non-staff actor, -GH_BAD_QUERY for bad paging,
 * -GH_UNKNOWN_QUEUE for a queue that does not exist. out: release with
 * search_result_clear().
 */
int search_staff(struct app *app, struct store_conn *c,
		 const struct tk_actor *a, const struct search_filters *f,
		 int64_t limit, int64_t offset, int64_t now,
		 struct search_result *out);

/* The total of search_staff alone (saved views' counts). */
int search_staff_count(struct app *app, struct store_conn *c,
		       const struct tk_actor *a,
		       const struct search_filters *f, int64_t now,
		       int64_t *n_out);

/*
 * A page of customer a's own tickets matching text q (subjects and
 * messages, never notes; drills never), ranked, with the total. Only q
 * and sort of f are read. -GH_FORBIDDEN for a non-customer actor.
 */
int search_portal(struct app *app, struct store_conn *c,
		  const struct tk_actor *a, const struct search_filters *f,
		  int64_t limit, int64_t offset, struct search_result *out);

/* The name of an order (enum search_sort) as the API spells it. */
const char *search_sort_name(int sort);
/* The name of a document kind (enum search_doc): "subject", "message",
 * "note", or NULL for none. */
const char *search_doc_name(enum search_doc d);

#endif
