/*
 * Search's storage operations and their records (issue 15, part SEARCH;
 * migration 021): a page of tickets matching a full-text expression
 * and filters, ranked, with the total in the same statement, and the
 * saved views. Kept apart from store/store.h, which includes this header
 * before struct store_ops (whose member `search` holds the operations).
 * Include store/store.h, not this file.
 *
 * Invariant: every read of tickets here applies the visibility rule of
 * the caller in the statement that counts them: a staff query the
 * tickets_staff_* rule (theirs, or unassigned in their queues;
 * supervisors and admins all), a portal query the customer's own
 * tickets. The portal's statements never name the notes' index.
 */
#ifndef GH_STORE_STORE_SEARCH_H
#define GH_STORE_STORE_SEARCH_H

#include <stddef.h>
#include <stdint.h>

/* The order of a result: relevance (bm25; without a text, as updated),
 * newest updated, newest created, highest priority, soonest due. Each
 * ends with updated_at then id, newest first. */
enum search_sort {
	SEARCH_SORT_RELEVANCE = 0,
	SEARCH_SORT_UPDATED,
	SEARCH_SORT_CREATED,
	SEARCH_SORT_PRIORITY,
	SEARCH_SORT_DUE,
};

/* Where a hit's snippet comes from. */
enum search_doc { SEARCH_DOC_NONE = 0, SEARCH_DOC_SUBJECT, SEARCH_DOC_MESSAGE,
		  SEARCH_DOC_NOTE };

/* The snippet's markers: the start and end of a matched term (ASCII STX
 * and ETX, never in stored text the console shows: it splits on them
 * and builds text nodes), and the ellipsis where text was cut. */
#define SEARCH_MARK_START "\x02"
#define SEARCH_MARK_END "\x03"
#define SEARCH_SNIPPET_BYTES 1024
/* The most terms an expression may hold (core caps it lower). */
#define SEARCH_TERMS_MAX 32
/* Documents of each index examined for a search: this many times its
 * candidates. */
#define SEARCH_EXAMINE_FACTOR 10

/*
 * What a search reads. Staff (customer_id of the portal 0): viewer_id
 * and see_all as struct ticket_query; notes 1 searches internal notes
 * too. Portal: portal_customer > 0 reads that customer's tickets only
 * (not drills), never notes. match: an FTS5 expression core built
 * (every term quoted), NULL for no text. Filters: NULL / 0 / -1 for
 * none; status "unsolved" is open or pending; times are Unix seconds
 * (created_after inclusive, created_before and due_before exclusive).
 */
struct search_query {
	int64_t viewer_id;
	int see_all;
	int notes;
	int64_t portal_customer;
	const char *match;
	const char *status;
	enum ticket_assigned assigned;
	int64_t queue_id;
	int64_t customer_id;
	const char *priority;
	const char *tag;
	int64_t created_after, created_before;
	int64_t due_before;      /* 0: none */
	int breached;            /* -1: any, 0 or 1 */
	enum search_sort sort;
	int64_t limit, offset;
	/* With a text: at most this many matching documents of each index
	 * (the newest the caller may see, filters applied) are ranked and
	 * counted; for staff out of at most SEARCH_EXAMINE_FACTOR times as
	 * many of the newest matching ones examined, for the portal out of
	 * the customer's own documents only. */
	int64_t candidates;
};

/* One ticket of a result: the row as the list shows it (the staff view,
 * or the portal's for a portal query), its score (bm25, lower is
 * better; 0 without a text) and the snippet of its best document with
 * the markers above ("" without a text). */
struct search_hit {
	struct ticket_rec t;
	double score;
	enum search_doc doc;
	char snippet[SEARCH_SNIPPET_BYTES];
};

struct search_result {
	struct search_hit *v; /* malloc'd; search_result_clear() */
	size_t n;
	int64_t total;        /* every match, not only the page */
	int capped;           /* total counts the candidates only */
};

/* A saved view (migration 021): personal (owner_id) or shared with a
 * queue (queue_id); filters is the JSON object of its query arguments. */
#define VIEW_NAME_BYTES 244   /* 60 code points in UTF-8, and the NUL */
#define VIEW_FILTERS_BYTES 2048
struct view_rec {
	int64_t id;
	int64_t owner_id;        /* 0: shared */
	int64_t queue_id;        /* 0: personal */
	char queue_name[QUEUE_NAME_BYTES];
	char name[VIEW_NAME_BYTES];
	char filters[VIEW_FILTERS_BYTES];
	int64_t created_by;
	int64_t created_at, updated_at;
};

struct view_list {
	struct view_rec *v;   /* malloc'd; view_list_clear() */
	size_t n;
};

/*
 * The operations, member `search` of struct store_ops.
 *
 * tickets: the page of q (limit rows after offset) in q's order, and in
 * out->total the number of every ticket matching q (with a text: among
 * the candidates; out->capped when an index had more); each hit's row
 * and, with a text, its snippet. count: that total alone.
 * view_insert / view_update (name and filters of view id) / view_delete
 * / view_get. view_list: the views staff_id sees: their own and those
 * shared with a queue they are in (all_shared: every shared view), by
 * id. view_count: views owned by owner_id, or shared with queue_id.
 */
struct store_conn;

struct store_search_ops {
	int (*tickets)(struct store_conn *c, const struct search_query *q,
		       struct search_result *out);
	int (*count)(struct store_conn *c, const struct search_query *q,
		     int64_t *n_out);
	int (*view_insert)(struct store_conn *c, const struct view_rec *v,
			   int64_t *id_out);
	int (*view_update)(struct store_conn *c, const struct view_rec *v);
	int (*view_delete)(struct store_conn *c, int64_t id);
	int (*view_get)(struct store_conn *c, int64_t id, struct view_rec *out);
	int (*view_list)(struct store_conn *c, int64_t staff_id,
			 int all_shared, struct view_list *out);
	int (*view_count)(struct store_conn *c, int64_t owner_id,
			  int64_t queue_id, int64_t *n_out);
};

void search_result_clear(struct search_result *r);
void view_list_clear(struct view_list *l);

#endif
