/*
 * PostgreSQL store, the twin of store/sqlite/search.c: full-text search
 * over tickets (migration 021; the saved views are store/sql/views.c). The three indexes are
 * the generated tsvector columns tickets.subject_tsv, messages.body_tsv and
 * notes.body_tsv (configuration gh_search: simple + unaccent) with their
 * GIN indexes (docs/pg-schema.md); the server fills them in the INSERT of
 * each row, so there is no twin of sq_search_index.
 *
 * A search is two steps, as on SQLite. The first is one statement: the
 * matching documents of each index (ts_rank_cd negated, so lower is
 * better as the contract's bm25; a subject counting twice), the best one
 * per ticket (DISTINCT ON), the ticket row for the visibility rule and
 * the filters, the page in the chosen order and, with count(*) OVER (),
 * the total of every ticket that passed the same WHERE. The second reads,
 * for each ticket of the page, its row as the list shows it and the
 * snippet of its best document (ts_headline with the contract's markers).
 *
 * The text: core hands over an FTS5 expression of quoted phrases (a
 * phrase's own quote doubled, "*" after one for a prefix). It is parsed
 * here into its phrases; each is sent as a parameter to phraseto_tsquery
 * (the prefix appended to the tsquery PostgreSQL printed), and the
 * tsqueries PostgreSQL printed are ANDed and sent back as one tsquery
 * parameter ($1). User text never reaches to_tsquery or the SQL text.
 *
 * Invariant: the portal's statements (portal_*) name neither notes nor
 * any staff view, and are always filtered by the customer ($4) and
 * exclude drill tickets; the staff statements apply DB_STAFF_SEES.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg.h"
#include "util/errors.h"

/*
 * Parameters of the first step (every statement takes all nineteen, and
 * names each with its type; ALL_TYPED for those a statement does not
 * use): $1 the tsquery, $2 whether notes count, $3 "sees all", $4 the
 * viewer (staff) or the customer (portal), $5 status (NULL, a status or
 * 'unsolved'), $6 whose (0 any, 1 the viewer's, 2 unassigned), $7 queue,
 * $8 customer, $9 created at or after, $10 created before, $11 priority,
 * $12 tag, $13 due before, $14 breached (-1 any), $15 the sort, $16
 * limit, $17 offset, $18 the candidates, $19 the documents examined.
 */
#define ALL_TYPED                                                             \
	"(($1::tsquery, $2::boolean, $3::boolean, $4::bigint, $5::text, "    \
	"$6::bigint, $7::bigint, $8::bigint, $9::bigint, $10::bigint, "      \
	"$11::text, $12::text, $13::bigint, $14::bigint, $15::bigint, "      \
	"$16::bigint, $17::bigint, $18::bigint, $19::bigint) IS NULL OR TRUE)"
#define QRY "$1::tsquery"
#define PORTAL_SEES "t.customer_id = $4::bigint AND t.drill_id IS NULL"
#define FILTERS                                                               \
	" AND ($5::text IS NULL OR t.status = $5::text OR ($5::text = "      \
	"'unsolved' AND t.status <> 'solved')) AND ($6::bigint = 0 OR "      \
	"($6::bigint = 1 AND t.assignee_id = $4::bigint) OR ($6::bigint = 2 " \
	"AND t.assignee_id IS NULL)) AND ($7::bigint = 0 OR t.queue_id = "   \
	"$7::bigint) AND ($8::bigint = 0 OR t.customer_id = $8::bigint) "     \
	"AND ($9::bigint = 0 OR t.created_at >= $9::bigint) AND "            \
	"($10::bigint = 0 OR t.created_at < $10::bigint) AND ($11::text IS " \
	"NULL OR t.priority = $11::text) AND ($12::text IS NULL OR EXISTS "  \
	"(SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND "       \
	"tt.tag = $12::text)) AND ($13::bigint = 0 OR t.due_at < "           \
	"$13::bigint) AND ($14::bigint < 0 OR t.breached = $14::bigint)"
/* The bound of an index: the lowest id of its newest $19 documents
 * matching $1, and how many there were (guard: a condition that must
 * hold, "TRUE" for none). */
#define BOUND(name, tbl, col, guard)                                          \
	name "(lo, n) AS (SELECT min(id), count(*) FROM (SELECT id FROM "    \
	tbl " WHERE " guard " AND " col " @@ " QRY " ORDER BY id DESC "      \
	"LIMIT $19::bigint) x)"
#define CAND_SUBJECTS(vis)                                                    \
	", cs(tid, score, doc, did) AS (SELECT t.id, (-2.0 * "               \
	"ts_rank_cd(t.subject_tsv, " QRY "))::float8, 1, t.id FROM tickets " \
	"t WHERE t.subject_tsv @@ " QRY " AND t.id >= (SELECT lo FROM bs) "  \
	"AND " vis FILTERS " ORDER BY t.id DESC LIMIT $18::bigint)"
#define CAND_MESSAGES(vis)                                                    \
	", cm(tid, score, doc, did) AS (SELECT m.ticket_id, "                \
	"(-ts_rank_cd(m.body_tsv, " QRY "))::float8, 2, m.id FROM messages " \
	"m JOIN tickets t ON t.id = m.ticket_id WHERE m.body_tsv @@ " QRY    \
	" AND m.id >= (SELECT lo FROM bm) AND " vis FILTERS " ORDER BY "     \
	"m.id DESC LIMIT $18::bigint)"
#define CAND_NOTES(vis)                                                       \
	", cn(tid, score, doc, did) AS (SELECT n.ticket_id, "                \
	"(-ts_rank_cd(n.body_tsv, " QRY "))::float8, 3, n.id FROM notes n "  \
	"JOIN tickets t ON t.id = n.ticket_id WHERE $2::boolean AND "        \
	"n.body_tsv @@ " QRY " AND n.id >= (SELECT lo FROM bn) AND " vis     \
	FILTERS " ORDER BY n.id DESC LIMIT $18::bigint)"
#define CAPPED(x, c)                                                          \
	"(SELECT n FROM " x ") >= $19::bigint OR (SELECT count(*) FROM " c   \
	") >= $18::bigint"
/* The best document of each ticket: the lowest score, ties the newest. */
#define BEST                                                                  \
	", best(tid, score, doc, did) AS (SELECT DISTINCT ON (tid) tid, "    \
	"score, doc, did FROM hits ORDER BY tid, score, did DESC) SELECT "   \
	"b.tid, b.score, b.doc, b.did, count(*) OVER (), "
#define FROM_BEST " FROM best b JOIN tickets t ON t.id = b.tid"
#define ORDER_KEYS                                                            \
	"CASE WHEN $15::bigint = 2 THEN t.created_at END DESC, CASE WHEN "   \
	"$15::bigint = 3 THEN CASE t.priority WHEN 'urgent' THEN 3 WHEN "    \
	"'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END END DESC, CASE WHEN " \
	"$15::bigint = 4 THEN COALESCE(t.due_at, 9223372036854775807) END, " \
	"t.updated_at DESC, t.id DESC"
#define PORTAL_ORDER_KEYS                                                     \
	"CASE WHEN $15::bigint = 2 THEN t.created_at END DESC, "             \
	"t.last_activity DESC, t.id DESC"
#define PAGE " LIMIT $16::bigint OFFSET $17::bigint"
/* A text search is a WITH statement wrapped in a SELECT (pg.h: a read
 * starts with "SELECT ", so it runs in the request's shared snapshot);
 * its order is carried out of the subquery by row_number() (rn). */
#define BY_SCORE                                                              \
	", row_number() OVER (ORDER BY CASE WHEN $15::bigint = 0 THEN "      \
	"b.score END, "
#define STAFF_VIS DB_STAFF_SEES("$3::boolean", "$4::bigint")
#define UNWRAP ") s ORDER BY rn" PAGE
#define BOUNDS                                                                \
	"WITH " BOUND("bs", "tickets", "subject_tsv", "TRUE") ", "           \
	BOUND("bm", "messages", "body_tsv", "TRUE") ", "                      \
	BOUND("bn", "notes", "body_tsv", "$2::boolean")

static const char staff_text[] =
	"SELECT * FROM (" BOUNDS CAND_SUBJECTS(STAFF_VIS)
	CAND_MESSAGES(STAFF_VIS)
	CAND_NOTES(STAFF_VIS)
	", hits AS (SELECT * FROM cs UNION ALL SELECT * FROM cm UNION ALL "
	"SELECT * FROM cn)" BEST CAPPED("bs", "cs") " OR " CAPPED("bm", "cm")
	" OR " CAPPED("bn", "cn") BY_SCORE ORDER_KEYS ") AS rn" FROM_BEST
	" WHERE " ALL_TYPED UNWRAP;
/* When staff_text gave no row no candidate passed, and the bounds alone
 * say whether it was capped. */
static const char staff_bounds[] =
	"SELECT * FROM (" BOUNDS
	" SELECT (SELECT n FROM bs) >= $19::bigint OR (SELECT n "
	"FROM bm) >= $19::bigint OR (SELECT n FROM bn) >= $19::bigint WHERE "
	ALL_TYPED ") s";
/* The portal starts from the customer's own tickets and their messages
 * (never notes); capped when the customer has $18 matching subjects or
 * messages ($19 < 0 is false: it keeps the parameters alike). */
#define PORTAL_SUBJECTS                                                       \
	"cs(tid, score, doc, did) AS (SELECT t.id, (-2.0 * "                 \
	"ts_rank_cd(t.subject_tsv, " QRY "))::float8, 1, t.id FROM tickets " \
	"t WHERE " PORTAL_SEES FILTERS " AND t.subject_tsv @@ " QRY " ORDER " \
	"BY t.id DESC LIMIT $18::bigint)"
#define PORTAL_MESSAGES                                                       \
	", cm(tid, score, doc, did) AS (SELECT m.ticket_id, "                \
	"(-ts_rank_cd(m.body_tsv, " QRY "))::float8, 2, m.id FROM tickets t " \
	"JOIN messages m ON m.ticket_id = t.id WHERE " PORTAL_SEES FILTERS   \
	" AND m.body_tsv @@ " QRY " ORDER BY m.id DESC LIMIT $18::bigint)"
static const char portal_text[] =
	"SELECT * FROM (WITH " PORTAL_SUBJECTS PORTAL_MESSAGES
	", hits AS (SELECT * FROM cs UNION ALL SELECT * FROM cm)" BEST
	"(SELECT count(*) FROM cs) >= $18::bigint OR (SELECT count(*) FROM "
	"cm) >= $18::bigint OR $19::bigint < 0" BY_SCORE PORTAL_ORDER_KEYS
	") AS rn" FROM_BEST " WHERE " ALL_TYPED UNWRAP;
/* Without a text nothing is capped. */
static const char staff_plain[] =
	"SELECT t.id, 0.0::float8, 0, 0::bigint, count(*) OVER (), FALSE "
	"FROM tickets t WHERE " ALL_TYPED FILTERS " AND " STAFF_VIS
	" ORDER BY " ORDER_KEYS PAGE;
static const char portal_plain[] =
	"SELECT t.id, 0.0::float8, 0, 0::bigint, count(*) OVER (), FALSE "
	"FROM tickets t WHERE " ALL_TYPED " AND " PORTAL_SEES FILTERS
	" ORDER BY " PORTAL_ORDER_KEYS PAGE;

/* One phrase's tsquery as PostgreSQL prints it ("" when it has no
 * lexeme), the prefix on its last word. */
static const char phrase_sql[] =
	"SELECT CASE WHEN numnode(x) = 0 THEN '' WHEN $2::boolean THEN "
	"x::text || ':*' ELSE x::text END FROM (SELECT "
	"phraseto_tsquery('gh_search', $1::text) AS x) s";

/* A growing string. */
struct buf {
	char *s;
	size_t len, cap;
};

static int
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->s, cap);

		if (p == NULL)
			return -GH_INTERNAL;
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

static int
tsq_row(const struct db_row *r, void *ctx)
{
	struct buf *b = ctx;
	char *s = NULL;
	int rc = db_dup(r, 0, &s);

	if (rc == 0 && s != NULL && s[0] != '\0') {
		if (b->len > 0)
			rc = buf_add(b, " & ", 3);
		if (rc == 0)
			rc = buf_add(b, "(", 1);
		if (rc == 0)
			rc = buf_add(b, s, strlen(s));
		if (rc == 0)
			rc = buf_add(b, ")", 1);
	}
	free(s);
	return rc;
}

/* One quoted phrase of match at *p (a doubled quote is a quote) into ph;
 * *p moves past it and its "*". */
static int
next_phrase(const char **p, struct buf *ph, int *prefix)
{
	const char *s = *p;

	if (*s != '"')
		return -GH_BAD_QUERY;
	ph->len = 0;
	for (s++;; s++) {
		if (*s == '\0')
			return -GH_BAD_QUERY;
		if (*s == '"' && s[1] == '"')
			s++;
		else if (*s == '"')
			break;
		if (buf_add(ph, s, 1) < 0)
			return -GH_INTERNAL;
	}
	s++;
	*prefix = *s == '*';
	if (*prefix)
		s++;
	*p = s;
	return buf_add(ph, "", 0);
}

/* The tsquery text of FTS5 expression match into *out (malloc'd; NULL
 * when it holds no lexeme: it matches nothing). */
static int
match_tsquery(struct store_conn *c, const char *match, char **out)
{
	struct buf q = {NULL, 0, 0}, ph = {NULL, 0, 0};
	const char *p = match;
	int rc = 0, n = 0;

	*out = NULL;
	while (rc == 0 && *p != '\0') {
		int prefix = 0;

		if (*p == ' ') {
			p++;
			continue;
		}
		rc = next_phrase(&p, &ph, &prefix);
		if (rc == 0 && ++n > SEARCH_TERMS_MAX)
			rc = -GH_BAD_QUERY;
		if (rc == 0)
			rc = db_row(c, tsq_row, &q, phrase_sql, "tb", ph.s,
				    prefix);
	}
	free(ph.s);
	if (rc == 0 && q.len > 0)
		*out = q.s;
	else
		free(q.s);
	return rc;
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
hit_push(const struct db_row *r, void *ctx)
{
	struct hit_ids *l = ctx;
	struct hit_id *v = db_append(l->v, l->n, sizeof(*v));

	if (v == NULL)
		return -GH_INTERNAL;
	l->v = v;
	v[l->n].tid = db_i64(r, 0);
	v[l->n].score = db_f64(r, 1);
	v[l->n].doc = db_int(r, 2);
	v[l->n].did = db_i64(r, 3);
	l->total = db_i64(r, 4);
	l->capped = db_int(r, 5);
	l->n++;
	return 0;
}

/* Runs sql, a first-step statement, over q's nineteen parameters (tsq:
 * the tsquery text, NULL without a text). */
static int
search_run(struct store_conn *c, const struct search_query *q,
	   const char *tsq, const char *sql, int64_t limit, int64_t offset,
	   db_row_fn row, void *ctx)
{
	int portal = q->portal_customer > 0;

	return db_rows(c, row, ctx, sql, "tbbitiiiiittiiiiiii", tsq,
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
search_ids(struct store_conn *c, const struct search_query *q,
	   const char *tsq, int64_t limit, int64_t offset,
	   struct hit_ids *out)
{
	int portal = q->portal_customer > 0;
	const char *sql;

	if (q->match != NULL && tsq == NULL)
		return 0; /* no lexeme: matches nothing */
	if (q->match != NULL)
		sql = portal ? portal_text : staff_text;
	else
		sql = portal ? portal_plain : staff_plain;
	return search_run(c, q, tsq, sql, limit, offset, hit_push, out);
}

static int
capped_row(const struct db_row *r, void *ctx)
{
	*(int *)ctx = db_int(r, 0);
	return 0;
}

/* Whether q, which found no ticket at all, reached a bound: only a staff
 * text search has one that nothing passing can show. */
static int
empty_capped(struct store_conn *c, const struct search_query *q,
	     const char *tsq, struct hit_ids *ids)
{
	ids->total = 0;
	ids->capped = 0;
	if (tsq == NULL || q->portal_customer > 0)
		return 0;
	return search_run(c, q, tsq, staff_bounds, 1, 0, capped_row,
			  &ids->capped);
}

static int
snippet_row(const struct db_row *r, void *ctx)
{
	struct search_hit *h = ctx;

	db_text(r, 0, h->snippet, sizeof(h->snippet));
	return 0;
}

/* The snippet of a document (col of tbl, its tsvector tsv, row $2): as
 * FTS5's snippet() of 16 tokens, the whole text when it has at most 16
 * words, else one fragment of at most 16 words around the best match
 * with "…" where the text was cut; matched words between $3 and $4. */
#define HEADLINE(col, tbl, tsv)                                               \
	"SELECT CASE WHEN z.short THEN z.h ELSE CASE WHEN "                  \
	"starts_with(z.d, z.s) THEN '' ELSE '…' END || z.h || CASE WHEN "    \
	"right(z.d, length(z.s)) = z.s THEN '' ELSE '…' END END FROM "       \
	"(SELECT y.d, y.short, y.h, replace(replace(y.h, $3::text, ''), "    \
	"$4::text, '') AS s FROM (SELECT x.d, x.short, "                     \
	"ts_headline('gh_search', x.d, $1::tsquery, CASE WHEN x.short THEN " \
	"'HighlightAll=true, ' ELSE 'MaxWords=16, MinWords=5, "             \
	"MaxFragments=1, ' END || 'StartSel=\"' || $3::text || "            \
	"'\", StopSel=\"' || $4::text || '\"') AS h FROM (SELECT " col     \
	" AS d, array_length(regexp_split_to_array(btrim(" col "), "         \
	"'\\s+'), 1) <= 16 AS short FROM " tbl " WHERE id = $2 AND " tsv    \
	" @@ $1::tsquery) x) y) z"

/* The snippet of h's best document (a note's only for staff). */
static int
hit_snippet(struct store_conn *c, const struct search_query *q,
	    const char *tsq, const struct hit_id *id, struct search_hit *h)
{
	const char *sql;
	int rc;

	if (id->doc == SEARCH_DOC_SUBJECT)
		sql = HEADLINE("subject", "tickets", "subject_tsv");
	else if (id->doc == SEARCH_DOC_MESSAGE)
		sql = HEADLINE("body", "messages", "body_tsv");
	else if (id->doc == SEARCH_DOC_NOTE && q->portal_customer == 0)
		sql = HEADLINE("body", "notes", "body_tsv");
	else
		return 0;
	h->doc = (enum search_doc)id->doc;
	rc = db_row(c, snippet_row, h, sql, "titt", tsq, id->did,
		    SEARCH_MARK_START, SEARCH_MARK_END);
	return rc == -GH_NOT_FOUND ? 0 : rc;
}

/* The page's row id as the list shows it, and its snippet. */
static int
hit_fill(struct store_conn *c, const struct search_query *q,
	 const char *tsq, const struct hit_id *id, struct search_hit *h)
{
	int rc;

	memset(h, 0, sizeof(*h));
	h->score = id->score;
	if (q->portal_customer > 0)
		rc = db_row(c, db_ticket_row, &h->t,
			    "SELECT " DB_PORTAL_VIEW "WHERE t.id = $1 AND "
			    "t.customer_id = $2",
			    "ii", id->tid, q->portal_customer);
	else
		rc = db_row(c, db_ticket_row, &h->t,
			    "SELECT " DB_STAFF_VIEW "WHERE t.id = $1", "i",
			    id->tid);
	if (rc == 0 && tsq != NULL)
		rc = hit_snippet(c, q, tsq, id, h);
	return rc;
}

/* The total of q (and whether it was capped) into ids, from a page of
 * one row. */
static int
count_ids(struct store_conn *c, const struct search_query *q,
	  const char *tsq, struct hit_ids *ids)
{
	struct hit_ids one = {NULL, 0, 0, 0};
	int rc = search_ids(c, q, tsq, 1, 0, &one);

	ids->total = one.total;
	ids->capped = one.capped;
	if (rc == 0 && one.n == 0)
		rc = empty_capped(c, q, tsq, ids);
	free(one.v);
	return rc;
}

static int
fill_page(struct store_conn *c, const struct search_query *q,
	  const char *tsq, const struct hit_ids *ids,
	  struct search_result *out)
{
	int rc = 0;

	if (ids->n > 0) {
		out->v = calloc(ids->n, sizeof(*out->v));
		if (out->v == NULL)
			return -GH_INTERNAL;
	}
	for (size_t i = 0; rc == 0 && i < ids->n; i++) {
		rc = hit_fill(c, q, tsq, &ids->v[i], &out->v[i]);
		out->n = i + 1;
	}
	return rc;
}

int
pg_search_tickets(struct store_conn *c, const struct search_query *q,
		  struct search_result *out)
{
	struct hit_ids ids = {NULL, 0, 0, 0};
	char *tsq = NULL;
	int rc = 0;

	*out = (struct search_result){NULL, 0, 0, 0};
	if (q->match != NULL)
		rc = match_tsquery(c, q->match, &tsq);
	if (rc == 0)
		rc = search_ids(c, q, tsq, q->limit, q->offset, &ids);
	/* Past the last page the window has no row to carry the total;
	 * with no ticket at all no row carries the bounds. */
	if (rc == 0 && ids.n == 0)
		rc = q->offset > 0 ? count_ids(c, q, tsq, &ids)
				   : empty_capped(c, q, tsq, &ids);
	if (rc == 0)
		rc = fill_page(c, q, tsq, &ids, out);
	out->total = ids.total;
	out->capped = ids.capped;
	free(ids.v);
	free(tsq);
	if (rc < 0)
		search_result_clear(out);
	return rc;
}

int
pg_search_count(struct store_conn *c, const struct search_query *q,
		int64_t *n_out)
{
	struct hit_ids ids = {NULL, 0, 0, 0};
	char *tsq = NULL;
	int rc = 0;

	if (q->match != NULL)
		rc = match_tsquery(c, q->match, &tsq);
	if (rc == 0)
		rc = count_ids(c, q, tsq, &ids);
	free(tsq);
	*n_out = rc == 0 ? ids.total : 0;
	return rc;
}
