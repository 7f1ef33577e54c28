/*
 * Ticket search (core/search.h): the filters, parsed one argument at a
 * time; the text turned into an FTS5 expression in which every term is
 * a quoted string; and the query handed to the store with the caller's
 * visibility. The store counts and pages in one statement.
 *
 * Invariant: nothing of the text reaches FTS5 unquoted (a term's own
 * double quotes are doubled inside its quotes), so no input is read as
 * FTS5 syntax; and a search never runs without the caller's actor in
 * the query the store applies.
 */
#include "core/search.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/auth.h"
#include "core/tickets.h"
#include "crypto/crypto.h"
#include "util/errors.h"
#include "util/utf8.h"

void
search_filters_init(struct search_filters *f)
{
	memset(f, 0, sizeof(*f));
	f->assigned = TA_ANY;
	f->breached = -1;
	f->sort = -1;
}

/* --- the text ----------------------------------------------------------- */

/* The expression being built, and its terms so far. */
struct expr {
	char *out;
	size_t len, cap;
	int terms;
};

/* 1 when the bytes [s, s + n) hold a letter or digit (any non-ASCII
 * byte counts: the tokenizer decides about those). */
static int
has_word(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isalnum((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

/* Appends the term [s, s + n) quoted (prefix: followed by *). */
static int
expr_term(struct expr *e, const char *s, size_t n, int prefix)
{
	if (!has_word(s, n))
		return 0;
	if (e->len + 2 * n + 5 >= e->cap)
		return -GH_BAD_QUERY;
	if (e->len > 0)
		e->out[e->len++] = ' ';
	e->out[e->len++] = '"';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			e->out[e->len++] = '"';
		e->out[e->len++] = s[i];
	}
	e->out[e->len++] = '"';
	if (prefix)
		e->out[e->len++] = '*';
	e->out[e->len] = '\0';
	e->terms++;
	return 0;
}

/* The FTS5 expression of text q into f->match: words split on white
 * space, "phrases" kept whole, a trailing * on a word a prefix. */
static int
build_match(const char *q, int max_terms, char *out, size_t outsz)
{
	struct expr e = {out, 0, outsz, 0};
	const char *p = q;
	int rc = 0;

	out[0] = '\0';
	while (rc == 0 && *p != '\0') {
		const char *start, *end;
		int prefix = 0;

		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*p == '"') {
			start = ++p;
			end = strchr(start, '"');
			if (end == NULL)
				end = start + strlen(start);
			p = *end == '"' ? end + 1 : end;
		} else {
			start = p;
			while (*p != '\0' && !isspace((unsigned char)*p) &&
			       *p != '"')
				p++;
			end = p;
			prefix = end - start > 1 && end[-1] == '*';
			if (prefix)
				end--;
		}
		rc = expr_term(&e, start, (size_t)(end - start), prefix);
		if (e.terms > max_terms)
			rc = -GH_BAD_QUERY;
	}
	/* No word at all: an empty phrase, which matches nothing. */
	if (rc == 0 && e.terms == 0)
		snprintf(out, outsz, "\"\"");
	return rc;
}

static int
set_q(struct app *app, struct search_filters *f, const char *v)
{
	int64_t n = utf8_check(v, strlen(v), 0);

	if (n < 1 || n > SEARCH_Q_MAX || strlen(v) >= sizeof(f->q))
		return -GH_BAD_QUERY;
	snprintf(f->q, sizeof(f->q), "%s", v);
	return build_match(v, (int)app->cfg.search_max_terms, f->match,
			   sizeof(f->match));
}

/* --- the other filters ---------------------------------------------------- */

/* A whole number of at most 18 digits into *out. */
static int
parse_digits(const char *v, int64_t *out)
{
	size_t n = strlen(v);

	if (n < 1 || n > 18 || strspn(v, "0123456789") != n)
		return -GH_BAD_QUERY;
	*out = strtoll(v, NULL, 10);
	return 0;
}

/* Unix seconds, or YYYY-MM-DD as UTC midnight, in the accepted range. */
static int
parse_time(const char *v, int64_t *out)
{
	struct tm tm;
	int y, m, d;
	char tail;

	if (strspn(v, "0123456789") == strlen(v)) {
		if (parse_digits(v, out) < 0)
			return -GH_BAD_QUERY;
	} else {
		if (strlen(v) != 10 ||
		    sscanf(v, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
		    v[4] != '-' || v[7] != '-' || m < 1 || m > 12 || d < 1 ||
		    d > 31)
			return -GH_BAD_QUERY;
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = m - 1;
		tm.tm_mday = d;
		*out = (int64_t)timegm(&tm);
		if (tm.tm_mday != d) /* 2026-02-31 */
			return -GH_BAD_QUERY;
	}
	return *out >= SEARCH_TIME_MIN && *out <= SEARCH_TIME_MAX
		       ? 0
		       : -GH_BAD_QUERY;
}

static int
set_status(struct search_filters *f, const char *v)
{
	if (strcmp(v, "any") == 0)
		v = "";
	else if (strcmp(v, "unsolved") != 0 && !tickets_valid_status(v))
		return -GH_BAD_QUERY;
	snprintf(f->status, sizeof(f->status), "%s", v);
	return 0;
}

static int
set_assigned(struct search_filters *f, const char *v)
{
	if (strcmp(v, "any") == 0)
		f->assigned = TA_ANY;
	else if (strcmp(v, "me") == 0)
		f->assigned = TA_ME;
	else if (strcmp(v, "unassigned") == 0)
		f->assigned = TA_UNASSIGNED;
	else
		return -GH_BAD_QUERY;
	return 0;
}

static int
set_priority(struct search_filters *f, const char *v)
{
	if (!tickets_valid_priority(v) || strlen(v) >= sizeof(f->priority))
		return -GH_BAD_QUERY;
	snprintf(f->priority, sizeof(f->priority), "%s", v);
	return 0;
}

static int
set_tag(struct search_filters *f, const char *v)
{
	if (!tickets_valid_tag(v) || strlen(v) >= sizeof(f->tag))
		return -GH_BAD_QUERY;
	snprintf(f->tag, sizeof(f->tag), "%s", v);
	return 0;
}

static int
set_sort(struct search_filters *f, const char *v)
{
	for (int i = SEARCH_SORT_RELEVANCE; i <= SEARCH_SORT_DUE; i++)
		if (strcmp(v, search_sort_name(i)) == 0) {
			f->sort = i;
			return 0;
		}
	return -GH_BAD_QUERY;
}

static int
set_bool(const char *v, int *out)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = 1;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = 0;
	else
		return -GH_BAD_QUERY;
	return 0;
}

/* The filters of values other than text, numbers and times. */
static int
set_named(struct search_filters *f, const char *key, const char *v)
{
	if (strcmp(key, "status") == 0)
		return set_status(f, v);
	if (strcmp(key, "assigned") == 0)
		return set_assigned(f, v);
	if (strcmp(key, "queue") == 0) {
		if (!tickets_valid_queue_name(v))
			return -GH_BAD_QUERY;
		snprintf(f->queue, sizeof(f->queue), "%s", v);
		return 0;
	}
	if (strcmp(key, "customer_email") == 0)
		return auth_normalize_email(v, f->customer_email,
					    sizeof(f->customer_email)) < 0
			       ? -GH_BAD_QUERY
			       : 0;
	if (strcmp(key, "priority") == 0)
		return set_priority(f, v);
	if (strcmp(key, "tag") == 0)
		return set_tag(f, v);
	if (strcmp(key, "sort") == 0)
		return set_sort(f, v);
	if (strcmp(key, "breached") == 0)
		return set_bool(v, &f->breached);
	return 1;
}

/* The filters of numbers and times. */
static int
set_number(struct search_filters *f, const char *key, const char *v)
{
	int64_t n = 0;

	if (strcmp(key, "customer") == 0) {
		if (parse_digits(v, &n) < 0 || n < 1)
			return -GH_BAD_QUERY;
		f->customer_id = n;
		return 0;
	}
	if (strcmp(key, "due_within") == 0) {
		if (parse_digits(v, &n) < 0 || n < 1 ||
		    n > SEARCH_DUE_WITHIN_MAX)
			return -GH_BAD_QUERY;
		f->due_within = n;
		return 0;
	}
	if (strcmp(key, "created_after") == 0)
		return parse_time(v, &f->created_after);
	if (strcmp(key, "created_before") == 0)
		return parse_time(v, &f->created_before);
	if (strcmp(key, "due_before") == 0)
		return parse_time(v, &f->due_before);
	return 1;
}

int
search_filter_set(struct app *app, struct search_filters *f, const char *key,
		  const char *value)
{
	int rc;

	if (strcmp(key, "q") == 0)
		return set_q(app, f, value);
	rc = set_named(f, key, value);
	if (rc == 1)
		rc = set_number(f, key, value);
	return rc;
}

int
search_key_is_new(const char *key)
{
	static const char *const keys[] = {
		"q", "customer", "customer_email", "priority", "tag",
		"created_after", "created_before", "due_before", "due_within",
		"breached", "sort", NULL};

	for (size_t i = 0; keys[i] != NULL; i++)
		if (strcmp(key, keys[i]) == 0)
			return 1;
	return 0;
}

const char *
search_sort_name(int sort)
{
	static const char *const names[] = {"relevance", "updated", "created",
					    "priority", "due"};

	if (sort < SEARCH_SORT_RELEVANCE || sort > SEARCH_SORT_DUE)
		return "";
	return names[sort];
}

const char *
search_doc_name(enum search_doc d)
{
	switch (d) {
	case SEARCH_DOC_SUBJECT:
		return "subject";
	case SEARCH_DOC_MESSAGE:
		return "message";
	case SEARCH_DOC_NOTE:
		return "note";
	default:
		return NULL;
	}
}

/* --- searching ------------------------------------------------------------ */

/* The customer named by e-mail, through the blind index only: its id,
 * or -1 (matches no ticket) when no customer has that address. */
static int
customer_by_email(struct app *app, struct store_conn *c, const char *email,
		  int64_t *id_out)
{
	char idx[CRYPTO_HASH_HEX];
	struct account acc;
	int rc;

	crypto_index(app->keys, "customer.email", email, strlen(email), idx);
	memset(&acc, 0, sizeof(acc));
	rc = c->ops->account_by_login(c, REALM_CUSTOMER, idx, &acc);
	*id_out = rc == 0 ? acc.id : -1;
	account_clear(&acc);
	return rc == -GH_NOT_FOUND ? 0 : rc;
}

/* The store's query for f: the filters resolved (queue, e-mail), the
 * order and the page. Without a customer (-1 from the e-mail look-up)
 * the query names customer id -1, which no ticket has. */
static int
build_query(struct app *app, struct store_conn *c,
	    const struct search_filters *f, int64_t now,
	    struct search_query *q)
{
	struct queue_rec qr;
	int64_t by_email = 0;
	int rc;

	q->match = f->match[0] != '\0' ? f->match : NULL;
	q->status = f->status[0] != '\0' ? f->status : NULL;
	q->assigned = f->assigned;
	q->customer_id = f->customer_id;
	q->priority = f->priority[0] != '\0' ? f->priority : NULL;
	q->tag = f->tag[0] != '\0' ? f->tag : NULL;
	q->candidates = app->cfg.search_candidates;
	q->created_after = f->created_after;
	q->created_before = f->created_before;
	q->due_before = f->due_before;
	if (f->due_within > 0 &&
	    (q->due_before == 0 || now + f->due_within < q->due_before))
		q->due_before = now + f->due_within + 1;
	q->breached = f->breached;
	q->sort = f->sort >= 0 ? (enum search_sort)f->sort
		  : q->match != NULL ? SEARCH_SORT_RELEVANCE
				     : SEARCH_SORT_UPDATED;
	if (f->queue[0] != '\0') {
		rc = tickets_queue_find(c, f->queue, &qr);
		if (rc < 0)
			return rc;
		q->queue_id = qr.id;
	}
	if (f->customer_email[0] == '\0')
		return 0;
	rc = customer_by_email(app, c, f->customer_email, &by_email);
	if (rc == 0 && q->customer_id == 0)
		q->customer_id = by_email;
	else if (rc == 0 && q->customer_id != by_email)
		q->customer_id = -1; /* two customers: no ticket is of both */
	return rc;
}

static int
check_page(int64_t limit, int64_t offset)
{
	if (limit < 1 || limit > TICKET_LIST_MAX || offset < 0 ||
	    offset > TICKET_OFFSET_MAX)
		return -GH_BAD_QUERY;
	return 0;
}

/* The staff query of a with f. */
static int
staff_query(struct app *app, struct store_conn *c, const struct tk_actor *a,
	    const struct search_filters *f, int64_t now,
	    struct search_query *q)
{
	struct ticket_query tq;

	if (!actor_is_staff(a))
		return -GH_FORBIDDEN;
	memset(q, 0, sizeof(*q));
	actor_ticket_query(a, &tq);
	q->viewer_id = tq.viewer_id;
	q->see_all = tq.see_all;
	q->notes = 1;
	return build_query(app, c, f, now, q);
}

int
search_staff(struct app *app, struct store_conn *c, const struct tk_actor *a,
	     const struct search_filters *f, int64_t limit, int64_t offset,
	     int64_t now, struct search_result *out)
{
	struct search_query q;
	int rc;

	*out = (struct search_result){NULL, 0, 0, 0};
	rc = check_page(limit, offset);
	if (rc == 0)
		rc = staff_query(app, c, a, f, now, &q);
	if (rc < 0)
		return rc;
	q.limit = limit;
	q.offset = offset;
	return c->ops->search.tickets(c, &q, out);
}

int
search_staff_count(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, const struct search_filters *f,
		   int64_t now, int64_t *n_out)
{
	struct search_query q;
	int rc;

	*n_out = 0;
	rc = staff_query(app, c, a, f, now, &q);
	if (rc < 0)
		return rc;
	return c->ops->search.count(c, &q, n_out);
}

int
search_portal(struct app *app, struct store_conn *c, const struct tk_actor *a,
	      const struct search_filters *f, int64_t limit, int64_t offset,
	      struct search_result *out)
{
	struct search_query q;
	int rc;

	*out = (struct search_result){NULL, 0, 0, 0};
	if (!actor_is_customer(a))
		return -GH_FORBIDDEN;
	rc = check_page(limit, offset);
	if (rc < 0)
		return rc;
	memset(&q, 0, sizeof(q));
	q.portal_customer = a->id;
	q.candidates = app->cfg.search_candidates;
	q.match = f->match[0] != '\0' ? f->match : NULL;
	q.assigned = TA_ANY;
	q.breached = -1;
	q.sort = f->sort >= 0 ? (enum search_sort)f->sort
		 : q.match != NULL ? SEARCH_SORT_RELEVANCE
				   : SEARCH_SORT_UPDATED;
	q.limit = limit;
	q.offset = offset;
	return c->ops->search.tickets(c, &q, out);
}
