/*
 * SQLite store: full-text search over tickets (migration 021; the saved
 * views are store/sql/views.c). Three FTS5 indexes (subjects, messages, notes; each
 * an external-content table over its rows) are kept by the writes that
 * add the rows (sq_search_index, called by tickets.c and threads.c right
 * after their INSERT, in the caller's transaction).
 *
 * A search is two steps. The first is one statement: the matching
 * documents of each index (bm25, a subject counting twice), the best one
 * per ticket, the ticket row for the visibility rule and the filters,
 * the page in the chosen order and, with count(*) OVER (), the total of
 * every ticket that passed the same WHERE; so what is counted is what
 * may be shown. Without a text the first step reads tickets alone. The
 * second reads, for each ticket of the page only, its row as the list
 * shows it (db.h's views) and the snippet of its best document.
 *
 * Invariant: the portal's statements (PORTAL_*) name neither the notes'
 * index nor any staff view, and are always filtered by the customer
 * (?4) and exclude drill tickets; the staff statements apply DB_STAFF_SEES.
 * Every value is bound, never formatted into the text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sq.h"
#include "util/errors.h"

/*
 * Parameters of the first step (every statement takes all nineteen,
 * some unused): ?1 the FTS5 expression, ?2 whether notes count, ?3
 * "sees all", ?4 the viewer (staff) or the customer (portal), ?5 status
 * (NULL, a status or 'unsolved'), ?6 whose (0 any, 1 the viewer's, 2
 * unassigned), ?7 queue, ?8 customer, ?9 created at or after, ?10
 * created before, ?11 priority, ?12 tag, ?13 due before, ?14 breached
 * (-1 any), ?15 the sort (enum search_sort), ?16 limit, ?17 offset, ?18
 * the candidates, ?19 the documents examined.
 *
 * Staff: each index is read newest document first (FTS5 walks its
 * rowids in order), no further back than its newest ?19 matching documents (b*),
 * joined to the ticket for the visibility rule and the filters, and
 * stops after ?18 that pass (c*); only those are scored (gh_rank). So a
 * word in every other message costs at most ?19 index entries and ?18
 * rows, not a million. When an index reached either bound the total
 * counts the tickets among the candidates only, and the last column
 * says so; with no row at all, staff_bounds does. The portal has no
 * desk-wide bound (portal_text below).
 */
#define PORTAL_SEES "t.customer_id = ?4 AND t.drill_id IS NULL"
#define FILTERS                                                               \
	" AND (?5 IS NULL OR t.status = ?5 OR (?5 = 'unsolved' AND "         \
	"t.status <> 'solved')) AND (?6 = 0 OR (?6 = 1 AND "                 \
	"t.assignee_id = ?4) OR (?6 = 2 AND t.assignee_id IS NULL)) "        \
	"AND (?7 = 0 OR t.queue_id = ?7) AND (?8 = 0 OR "                    \
	"t.customer_id = ?8) AND (?9 = 0 OR t.created_at >= ?9) "            \
	"AND (?10 = 0 OR t.created_at < ?10) AND (?11 IS NULL OR "           \
	"t.priority = ?11) AND (?12 IS NULL OR EXISTS (SELECT 1 FROM "       \
	"ticket_tags tt WHERE tt.ticket_id = t.id AND tt.tag = ?12)) "       \
	"AND (?13 = 0 OR t.due_at < ?13) AND (?14 < 0 OR "                   \
	"t.breached = ?14)"
/* The bound of index tbl: the lowest rowid of its newest ?19 documents
 * matching ?1, and how many there were (a walk of the index alone, no
 * row read; guard: a condition that must hold, "1" for none). */
#define BOUND(name, tbl, guard)                                               \
	name "(lo, n) AS (SELECT min(rowid), count(*) FROM (SELECT rowid "   \
	"FROM " tbl " WHERE " guard " AND " tbl " MATCH ?1 ORDER BY rowid "  \
	"DESC LIMIT ?19))"
#define CAND_SUBJECTS(vis)                                                    \
	", cs(tid, score, doc, did) AS (SELECT t.id, "                       \
	"2.0 * gh_rank(search_subjects), 1, t.id FROM search_subjects "      \
	"JOIN tickets t ON t.id = search_subjects.rowid WHERE "              \
	"search_subjects MATCH ?1 AND search_subjects.rowid >= (SELECT lo "  \
	"FROM bs) AND " vis FILTERS " ORDER BY search_subjects.rowid DESC "  \
	"LIMIT ?18)"
#define CAND_MESSAGES(vis)                                                    \
	", cm(tid, score, doc, did) AS (SELECT m.ticket_id, "                \
	"gh_rank(search_messages), 2, m.id FROM search_messages "            \
	"JOIN messages m ON m.id = search_messages.rowid JOIN tickets t "    \
	"ON t.id = m.ticket_id WHERE search_messages MATCH ?1 AND "          \
	"search_messages.rowid >= (SELECT lo FROM bm) AND " vis FILTERS      \
	" ORDER BY search_messages.rowid DESC LIMIT ?18)"
#define CAND_NOTES(vis)                                                       \
	", cn(tid, score, doc, did) AS (SELECT n.ticket_id, "                \
	"gh_rank(search_notes), 3, n.id FROM search_notes JOIN notes n "     \
	"ON n.id = search_notes.rowid JOIN tickets t ON t.id = n.ticket_id " \
	"WHERE ?2 AND search_notes MATCH ?1 AND search_notes.rowid >= "      \
	"(SELECT lo FROM bn) AND " vis FILTERS " ORDER BY "                  \
	"search_notes.rowid DESC LIMIT ?18)"
#define CAPPED(x, c)                                                          \
	"(SELECT n FROM " x ") >= ?19 OR (SELECT count(*) FROM " c           \
	") >= ?18"
/* The best document of each ticket: SQLite takes the bare columns of a
 * min() aggregate from the row of the minimum. */
#define BEST                                                                  \
	", best(tid, score, doc, did) AS (SELECT tid, min(score), doc, did " \
	"FROM hits GROUP BY tid) SELECT b.tid, b.score, b.doc, b.did, "      \
	"count(*) OVER (), "
#define FROM_BEST " FROM best b JOIN tickets t ON t.id = b.tid"
#define ORDER_TAIL                                                            \
	"CASE WHEN ?15 = 2 THEN t.created_at END DESC, CASE WHEN ?15 = 3 "   \
	"THEN CASE t.priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 "      \
	"WHEN 'normal' THEN 1 ELSE 0 END END DESC, CASE WHEN ?15 = 4 THEN "  \
	"COALESCE(t.due_at, 9223372036854775807) END, "                       \
	"t.updated_at DESC, t.id DESC LIMIT ?16 OFFSET ?17"
#define PORTAL_ORDER_TAIL                                                     \
	"CASE WHEN ?15 = 2 THEN t.created_at END DESC, "                     \
	"t.last_activity DESC, t.id DESC LIMIT ?16 OFFSET ?17"
#define BY_SCORE " ORDER BY CASE WHEN ?15 = 0 THEN b.score END, "
#define STAFF_VIS DB_STAFF_SEES("?3", "?4")

static const char staff_text[] =
	"WITH " BOUND("bs", "search_subjects", "1") ", "
	BOUND("bm", "search_messages", "1") ", "
	BOUND("bn", "search_notes", "?2") CAND_SUBJECTS(STAFF_VIS)
	CAND_MESSAGES(STAFF_VIS) CAND_NOTES(STAFF_VIS)
	", hits AS (SELECT * FROM cs UNION ALL SELECT * FROM cm UNION ALL "
	"SELECT * FROM cn)" BEST CAPPED("bs", "cs") " OR " CAPPED("bm", "cm")
	" OR " CAPPED("bn", "cn") FROM_BEST BY_SCORE ORDER_TAIL;
/* When staff_text gave no row no candidate passed, and the bounds alone
 * say whether it was capped (a row carries it otherwise). */
static const char staff_bounds[] =
	"WITH " BOUND("bs", "search_subjects", "1") ", "
	BOUND("bm", "search_messages", "1") ", "
	BOUND("bn", "search_notes", "?2") " SELECT (SELECT n FROM bs) >= ?19 "
	"OR (SELECT n FROM bm) >= ?19 OR (SELECT n FROM bn) >= ?19";
/* The portal starts from the customer's own tickets (tickets_by_customer,
 * then messages_by_ticket; "+t.drill_id": never the drill index, which
 * holds every customer's tickets) and asks each index for that row
 * only: its cost and its answer depend on that customer's tickets alone,
 * never on how much the rest of the desk wrote. Capped when the customer
 * has ?18 matching subjects or messages (?19 < 0 is false: it keeps the
 * parameters alike). */
#define PORTAL_OWN "t.customer_id = ?4 AND +t.drill_id IS NULL"
#define PORTAL_SUBJECTS                                                       \
	"cs(tid, score, doc, did) AS (SELECT t.id, "                         \
	"2.0 * gh_rank(search_subjects), 1, t.id FROM tickets t CROSS JOIN " \
	"search_subjects WHERE " PORTAL_OWN FILTERS " AND "                  \
	"search_subjects MATCH ?1 AND search_subjects.rowid = t.id ORDER "   \
	"BY t.id DESC LIMIT ?18)"
#define PORTAL_MESSAGES                                                       \
	", cm(tid, score, doc, did) AS (SELECT m.ticket_id, "                \
	"gh_rank(search_messages), 2, m.id FROM tickets t CROSS JOIN "       \
	"messages m CROSS JOIN search_messages WHERE " PORTAL_OWN FILTERS    \
	" AND m.ticket_id = t.id AND search_messages MATCH ?1 AND "          \
	"search_messages.rowid = m.id ORDER BY m.id DESC LIMIT ?18)"
static const char portal_text[] =
	"WITH " PORTAL_SUBJECTS PORTAL_MESSAGES
	", hits AS (SELECT * FROM cs UNION ALL SELECT * FROM cm)" BEST
	"(SELECT count(*) FROM cs) >= ?18 OR (SELECT count(*) FROM cm) >= ?18 "
	"OR ?19 < 0"
	FROM_BEST BY_SCORE PORTAL_ORDER_TAIL;
/* Without a text nothing is capped (?18 + ?19 < 0 is false: it keeps
 * the parameters alike); the filters come before the visibility rule,
 * whose subquery is the dearer test. */
static const char staff_plain[] =
	"SELECT t.id, 0.0, 0, 0, count(*) OVER (), ?18 + ?19 < 0 "
	"FROM tickets t WHERE 1" FILTERS " AND " STAFF_VIS " ORDER BY "
	ORDER_TAIL;
static const char portal_plain[] =
	"SELECT t.id, 0.0, 0, 0, count(*) OVER (), ?18 + ?19 < 0 "
	"FROM tickets t WHERE " PORTAL_SEES FILTERS " ORDER BY "
	PORTAL_ORDER_TAIL;

/* gh_rank(index): BM25's term-frequency saturation and length
 * normalisation (k1 = 1.2, b = 0.75) over the document's phrases, each
 * weighing the same; negative, lower is better, as bm25(). FTS5's own
 * bm25() also weighs each term by its rarity, which it counts by reading
 * every document holding the term: for a common word, hundreds of
 * thousands per query. Every term must match here, so that weight
 * changes little of the order, and this costs only the document. */
static void
rank_fn(const Fts5ExtensionApi *x, Fts5Context *fc, sqlite3_context *ctx,
	int nval, sqlite3_value **val)
{
	double tf[SEARCH_TERMS_MAX] = {0}, score = 0, avg = 1, norm;
	int nphrase = x->xPhraseCount(fc), ninst = 0, dl = 0;
	sqlite3_int64 rows = 0, total = 0;

	(void)nval;
	(void)val;
	if (x->xInstCount(fc, &ninst) == SQLITE_OK) {
		for (int i = 0; i < ninst; i++) {
			int ph = 0, col = 0, off = 0;

			if (x->xInst(fc, i, &ph, &col, &off) == SQLITE_OK &&
			    ph >= 0 && ph < SEARCH_TERMS_MAX)
				tf[ph] += 1;
		}
	}
	if (x->xRowCount(fc, &rows) == SQLITE_OK && rows > 0 &&
	    x->xColumnTotalSize(fc, -1, &total) == SQLITE_OK && total > 0)
		avg = (double)total / (double)rows;
	(void)x->xColumnSize(fc, -1, &dl);
	norm = 1.2 * (0.25 + 0.75 * (double)dl / avg);
	for (int p = 0; p < nphrase && p < SEARCH_TERMS_MAX; p++)
		score += tf[p] * 2.2 / (tf[p] + norm);
	sqlite3_result_double(ctx, -score);
}

int
sq_search_register(sqlite3 *db)
{
	fts5_api *api = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		return -GH_INTERNAL;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	(void)sqlite3_step(st);
	sqlite3_finalize(st);
	if (api == NULL || api->iVersion < 2)
		return -GH_INTERNAL;
	rc = api->xCreateFunction(api, "gh_rank", NULL, rank_fn, NULL);
	return rc == SQLITE_OK ? 0 : -GH_INTERNAL;
}

/* One row of the first step. */
struct hit_id {
	int64_t tid, did;
	double score;
	int doc;
};

struct hit_ids {
	struct hit_id *v;
	size_t n;
	int64_t total;
	int capped;
};

static int
hit_push(const struct db_row *st, void *ctx)
{
	struct hit_ids *l = ctx;
	struct hit_id *v = db_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	v[l->n].tid = db_i64(st, 0);
	v[l->n].score = db_f64(st, 1);
	v[l->n].doc = db_int(st, 2);
	v[l->n].did = db_i64(st, 3);
	l->total = db_i64(st, 4);
	l->capped = db_int(st, 5);
	l->n++;
	return 0;
}

/* Runs sql, a first-step statement, over q's nineteen parameters. */
static int
search_run(struct store_conn *c, const struct search_query *q,
	   const char *sql, int64_t limit, int64_t offset,
	   db_row_fn row, void *ctx)
{
	int portal = q->portal_customer > 0;

	return db_rows(c, row, ctx, sql, "tbbitiiiiittiiiiiii", q->match,
		       q->notes && !portal, q->see_all,
		       portal ? q->portal_customer : q->viewer_id, q->status,
		       (int64_t)q->assigned, q->queue_id, q->customer_id,
		       q->created_after, q->created_before, q->priority,
		       q->tag, q->due_before, (int64_t)q->breached,
		       (int64_t)q->sort, limit, offset, q->candidates,
		       q->candidates * SEARCH_EXAMINE_FACTOR);
}

/* The first step of q: at most limit ids after offset into out. */
static int
search_ids(struct store_conn *c, const struct search_query *q, int64_t limit,
	   int64_t offset, struct hit_ids *out)
{
	int portal = q->portal_customer > 0;
	const char *sql;

	if (q->match != NULL)
		sql = portal ? portal_text : staff_text;
	else
		sql = portal ? portal_plain : staff_plain;
	return search_run(c, q, sql, limit, offset, hit_push, out);
}

static int
capped_row(const struct db_row *st, void *ctx)
{
	*(int *)ctx = db_int(st, 0);
	return 0;
}

/* Whether q, which found no ticket at all, reached a bound: only a
 * staff text search has one that nothing passing can show. */
static int
empty_capped(struct store_conn *c, const struct search_query *q,
	     struct hit_ids *ids)
{
	ids->total = 0;
	ids->capped = 0;
	if (q->match == NULL || q->portal_customer > 0)
		return 0;
	return search_run(c, q, staff_bounds, 1, 0, capped_row, &ids->capped);
}

static int
snippet_row(const struct db_row *st, void *ctx)
{
	struct search_hit *h = ctx;

	db_text(st, 0, h->snippet, sizeof(h->snippet));
	return 0;
}

/* The snippet of h's best document (a note's only for staff). */
static int
hit_snippet(struct store_conn *c, const struct search_query *q,
	    const struct hit_id *id, struct search_hit *h)
{
	const char *sql;
	int rc;

	if (id->doc == SEARCH_DOC_SUBJECT)
		sql = "SELECT snippet(search_subjects, 0, ?3, ?4, '…', 16) "
		      "FROM search_subjects WHERE search_subjects MATCH ?1 "
		      "AND rowid = ?2";
	else if (id->doc == SEARCH_DOC_MESSAGE)
		sql = "SELECT snippet(search_messages, 0, ?3, ?4, '…', 16) "
		      "FROM search_messages WHERE search_messages MATCH ?1 "
		      "AND rowid = ?2";
	else if (id->doc == SEARCH_DOC_NOTE && q->portal_customer == 0)
		sql = "SELECT snippet(search_notes, 0, ?3, ?4, '…', 16) "
		      "FROM search_notes WHERE search_notes MATCH ?1 "
		      "AND rowid = ?2";
	else
		return 0;
	h->doc = (enum search_doc)id->doc;
	rc = db_row(c, snippet_row, h, sql, "titt", q->match, id->did,
		    SEARCH_MARK_START, SEARCH_MARK_END);
	return rc == -GH_NOT_FOUND ? 0 : rc;
}

/* The page's row id as the list shows it, and its snippet. */
static int
hit_fill(struct store_conn *c, const struct search_query *q,
	 const struct hit_id *id, struct search_hit *h)
{
	int rc;

	memset(h, 0, sizeof(*h));
	h->score = id->score;
	if (q->portal_customer > 0)
		rc = db_row(c, db_ticket_row, &h->t,
			    "SELECT " DB_PORTAL_VIEW "WHERE t.id = ? AND "
			    "t.customer_id = ?",
			    "ii", id->tid, q->portal_customer);
	else
		rc = db_row(c, db_ticket_row, &h->t,
			    "SELECT " DB_STAFF_VIEW "WHERE t.id = ?", "i",
			    id->tid);
	if (rc == 0 && q->match != NULL)
		rc = hit_snippet(c, q, id, h);
	return rc;
}

/* The total of q (and whether it was capped) into ids, from a page of
 * one row. */
static int
count_ids(struct store_conn *c, const struct search_query *q,
	  struct hit_ids *ids)
{
	struct hit_ids one = {NULL, 0, 0, 0};
	int rc = search_ids(c, q, 1, 0, &one);

	ids->total = one.total;
	ids->capped = one.capped;
	if (rc == 0 && one.n == 0)
		rc = empty_capped(c, q, ids);
	free(one.v);
	return rc;
}

int
sq_search_tickets(struct store_conn *c, const struct search_query *q,
		  struct search_result *out)
{
	struct hit_ids ids = {NULL, 0, 0, 0};
	int rc;

	*out = (struct search_result){NULL, 0, 0, 0};
	rc = search_ids(c, q, q->limit, q->offset, &ids);
	/* Past the last page the window has no row to carry the total;
	 * with no ticket at all no row carries the bounds. */
	if (rc == 0 && ids.n == 0)
		rc = q->offset > 0 ? count_ids(c, q, &ids)
				   : empty_capped(c, q, &ids);
	if (rc == 0 && ids.n > 0) {
		out->v = calloc(ids.n, sizeof(*out->v));
		if (out->v == NULL)
			rc = -GH_INTERNAL;
	}
	for (size_t i = 0; rc == 0 && i < ids.n; i++) {
		rc = hit_fill(c, q, &ids.v[i], &out->v[i]);
		out->n = i + 1;
	}
	out->total = ids.total;
	out->capped = ids.capped;
	free(ids.v);
	if (rc < 0)
		search_result_clear(out);
	return rc;
}

int
sq_search_count(struct store_conn *c, const struct search_query *q,
		int64_t *n_out)
{
	struct hit_ids ids = {NULL, 0, 0, 0};
	int rc = count_ids(c, q, &ids);

	*n_out = rc == 0 ? ids.total : 0;
	return rc;
}

/* The index of each kind of row, filled right after the row's INSERT
 * (its rowid is the connection's last insert rowid). */
int
sq_search_index(struct store_conn *c, enum search_doc doc, const char *text)
{
	switch (doc) {
	case SEARCH_DOC_SUBJECT:
		return db_exec(c,
			       "INSERT INTO search_subjects (rowid, subject) "
			       "VALUES (last_insert_rowid(), ?)",
			       "t", text);
	case SEARCH_DOC_MESSAGE:
		return db_exec(c,
			       "INSERT INTO search_messages (rowid, body) "
			       "VALUES (last_insert_rowid(), ?)",
			       "t", text);
	case SEARCH_DOC_NOTE:
		return db_exec(c,
			       "INSERT INTO search_notes (rowid, body) "
			       "VALUES (last_insert_rowid(), ?)",
			       "t", text);
	default:
		return -GH_INTERNAL;
	}
}
