/*
 * The two ticket lists (see core/tickets.h): the staff work list and the
 * customer's own tickets, a page at a time. A page starts at the start of
 * the list or after an opaque cursor that the previous page handed out,
 * skips `offset` rows (capped: deep pages are for cursors) and holds up to
 * `limit`; it comes with the cursor of the page after it, or none at the
 * end. The store reads a page with one indexed query (migration 018), so
 * a page costs the same at ten tickets or a million.
 *
 * A cursor is base64url (no padding) of 32 bytes: a version, the list,
 * the sort key and id of the last row shown, and a MAC (BLAKE2b keyed
 * with the blind-index subkey, crypto_index) over them and over who asked
 * and which filters they used. So a cursor made by hand, changed,
 * truncated, or taken to another list, another filter or another account
 * is refused (-GH_BAD_CURSOR) before anything is read; it reveals only
 * the sort key and id of a ticket its holder was shown.
 *
 * Invariant: a list never reads beyond limit + 1 rows past its offset;
 * next is set exactly when a row follows the page.
 */
#include "core/tickets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/drills.h"
#include "crypto/crypto.h"
#include "util/errors.h"

#define CURSOR_VERSION 1
#define CURSOR_BYTES 32
#define CURSOR_HEAD 18                  /* version, list, key, id */
#define CURSOR_MAC (CURSOR_BYTES - CURSOR_HEAD)

enum cursor_list { CURSOR_STAFF = 1, CURSOR_PORTAL = 2 };

/* What a cursor is made for: its list, who asked, with which filters. */
struct cursor_scope {
	enum cursor_list list;
	const struct tk_actor *a;
	const char *status;      /* staff: NULL for any */
	int assigned;            /* staff: enum ticket_assigned */
	const char *queue;       /* staff: NULL for any */
};

static void
put64(unsigned char *p, int64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (unsigned char)((uint64_t)v & 0xff);
		v = (int64_t)((uint64_t)v >> 8);
	}
}

static int64_t
get64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return (int64_t)v;
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* The MAC of head (CURSOR_HEAD bytes) in scope s into mac. */
static void
cursor_mac(struct app *app, const struct cursor_scope *s,
	   const unsigned char *head, unsigned char mac[CURSOR_MAC])
{
	unsigned char in[CURSOR_HEAD + 160];
	char hex[CRYPTO_HASH_HEX];
	int n;

	memcpy(in, head, CURSOR_HEAD);
	n = snprintf((char *)in + CURSOR_HEAD, sizeof(in) - CURSOR_HEAD,
		     "%s:%lld|%s|%d|%s", realm_name(s->a->realm),
		     (long long)s->a->id, s->status != NULL ? s->status : "*",
		     s->assigned, s->queue != NULL ? s->queue : "*");
	if (n < 0 || (size_t)n >= sizeof(in) - CURSOR_HEAD)
		n = (int)(sizeof(in) - CURSOR_HEAD - 1);
	crypto_index(app->keys, "tickets.cursor", in, CURSOR_HEAD + (size_t)n,
		     hex);
	for (size_t i = 0; i < CURSOR_MAC; i++)
		mac[i] = (unsigned char)(hexval(hex[2 * i]) << 4 |
					 hexval(hex[2 * i + 1]));
}

/* The cursor after the row (key, id) into out (TICKET_CURSOR_BYTES). */
static void
cursor_make(struct app *app, const struct cursor_scope *s, int64_t key,
	    int64_t id, char *out)
{
	unsigned char raw[CURSOR_BYTES];

	raw[0] = CURSOR_VERSION;
	raw[1] = (unsigned char)s->list;
	put64(raw + 2, key);
	put64(raw + 10, id);
	cursor_mac(app, s, raw, raw + CURSOR_HEAD);
	if (crypto_b64url_encode(raw, sizeof(raw), out, TICKET_CURSOR_BYTES) <
	    0)
		out[0] = '\0';
}

/* The 32 bytes of a well-formed cursor text into raw: exactly the
 * canonical base64url of 32 bytes, nothing else. */
static int
cursor_bytes(const char *text, unsigned char raw[CURSOR_BYTES])
{
	char std[TICKET_CURSOR_BYTES + 4], again[TICKET_CURSOR_BYTES];
	unsigned char *dec = NULL;
	size_t n = strlen(text), len = 0;
	int rc = -GH_BAD_CURSOR;

	if (n != TICKET_CURSOR_BYTES - 1)
		return rc;
	for (size_t i = 0; i < n; i++) {
		char ch = text[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return rc;
		std[i] = ch == '-' ? '+' : ch == '_' ? '/' : ch;
	}
	std[n] = '=';
	std[n + 1] = '\0';
	if (crypto_b64_decode(std, n + 1, CURSOR_BYTES, &dec, &len) == 0 &&
	    len == CURSOR_BYTES &&
	    crypto_b64url_encode(dec, len, again, sizeof(again)) > 0 &&
	    strcmp(again, text) == 0) {
		memcpy(raw, dec, CURSOR_BYTES);
		rc = 0;
	}
	free(dec);
	return rc;
}

/* Reads cursor text made for scope s into *key, *id; -GH_BAD_CURSOR for
 * anything but a cursor this list handed out to this caller. */
static int
cursor_read(struct app *app, const struct cursor_scope *s, const char *text,
	    int64_t *key, int64_t *id)
{
	unsigned char raw[CURSOR_BYTES], mac[CURSOR_MAC];

	if (cursor_bytes(text, raw) < 0)
		return -GH_BAD_CURSOR;
	cursor_mac(app, s, raw, mac);
	if (!crypto_equal(mac, raw + CURSOR_HEAD, CURSOR_MAC) ||
	    raw[0] != CURSOR_VERSION || raw[1] != (unsigned char)s->list)
		return -GH_BAD_CURSOR;
	*key = get64(raw + 2);
	*id = get64(raw + 10);
	if (*key < 0 || *id <= 0)
		return -GH_BAD_CURSOR;
	return 0;
}

/* Checks the page's bounds and reads its cursor (none: from the start). */
static int
page_start(struct app *app, const struct cursor_scope *s, struct tk_page *pg,
	   int64_t *key, int64_t *id)
{
	pg->next[0] = '\0';
	*key = 0;
	*id = 0;
	if (pg->limit < 1 || pg->limit > TICKET_LIST_MAX || pg->offset < 0 ||
	    pg->offset > TICKET_OFFSET_MAX)
		return -GH_BAD_QUERY;
	if (pg->cursor == NULL)
		return 0;
	return cursor_read(app, s, pg->cursor, key, id);
}

/* The store read limit + 1 rows: when it found the extra one, the page is
 * the first limit and the cursor after it is set. The sort key is the
 * row's updated_at (in the portal's view, that is last_activity). */
static void
page_end(struct app *app, const struct cursor_scope *s, struct tk_page *pg,
	 struct ticket_list *l)
{
	const struct ticket_rec *last;

	if (l->n <= (size_t)pg->limit)
		return;
	l->n = (size_t)pg->limit;
	last = &l->v[l->n - 1];
	cursor_make(app, s, last->updated_at, last->id, pg->next);
}

int
tickets_portal_page(struct app *app, struct store_conn *c,
		    const struct tk_actor *a, struct tk_page *pg,
		    struct ticket_list *out)
{
	struct cursor_scope s = {CURSOR_PORTAL, a, NULL, 0, NULL};
	struct ticket_page p;
	int rc;

	out->v = NULL;
	out->n = 0;
	if (!actor_is_customer(a))
		return -GH_FORBIDDEN;
	memset(&p, 0, sizeof(p));
	rc = page_start(app, &s, pg, &p.after_key, &p.after_id);
	if (rc < 0)
		return rc;
	p.limit = pg->limit + 1;
	p.offset = pg->offset;
	rc = c->ops->portal_ticket_list(c, a->id, &p, out);
	if (rc == 0)
		page_end(app, &s, pg, out);
	return rc;
}

int
tickets_portal_list(struct app *app, struct store_conn *c,
		    const struct tk_actor *a, int64_t limit, int64_t offset,
		    struct ticket_list *out)
{
	struct tk_page pg = {limit, offset, NULL, ""};

	return tickets_portal_page(app, c, a, &pg, out);
}

/* The staff query for a filtered page, or an error for a bad filter. */
static int
staff_query(struct store_conn *c, const struct tk_actor *a,
	    const char *status, enum ticket_assigned assigned,
	    const char *queue, struct ticket_query *q)
{
	struct queue_rec qr;
	int rc;

	if (!actor_is_staff(a))
		return -GH_FORBIDDEN;
	if (status != NULL && !tickets_valid_status(status))
		return -GH_BAD_QUERY;
	if (assigned != TA_ANY && assigned != TA_ME &&
	    assigned != TA_UNASSIGNED)
		return -GH_BAD_QUERY;
	memset(&qr, 0, sizeof(qr));
	if (queue != NULL) {
		rc = tickets_queue_find(c, queue, &qr);
		if (rc < 0)
			return rc;
	}
	actor_ticket_query(a, q);
	q->status = status;
	q->assigned = assigned;
	q->queue_id = qr.id;
	return 0;
}

int
tickets_staff_page(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, const char *status,
		   enum ticket_assigned assigned, const char *queue,
		   struct tk_page *pg, struct ticket_list *out)
{
	struct cursor_scope s = {CURSOR_STAFF, a, status, (int)assigned,
				 queue};
	struct ticket_query q;
	int rc;

	out->v = NULL;
	out->n = 0;
	rc = staff_query(c, a, status, assigned, queue, &q);
	if (rc == 0)
		rc = page_start(app, &s, pg, &q.after_key, &q.after_id);
	if (rc < 0)
		return rc;
	/* Phishing drills due for this agent (for a supervisor: all) become
	 * tickets before the list is read; a failure is logged there and
	 * leaves them due. */
	(void)drills_deliver_due(app, c, actor_is_supervisor(a) ? 0 : a->id,
				 (int64_t)time(NULL));
	q.limit = pg->limit + 1;
	q.offset = pg->offset;
	rc = c->ops->staff_ticket_list(c, &q, out);
	if (rc == 0)
		page_end(app, &s, pg, out);
	return rc;
}

int
tickets_staff_list_queue(struct app *app, struct store_conn *c,
			 const struct tk_actor *a, const char *status,
			 enum ticket_assigned assigned, const char *queue,
			 int64_t limit, int64_t offset, struct ticket_list *out)
{
	struct tk_page pg = {limit, offset, NULL, ""};

	return tickets_staff_page(app, c, a, status, assigned, queue, &pg,
				  out);
}

int
tickets_staff_list(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, const char *status,
		   enum ticket_assigned assigned, int64_t limit, int64_t offset,
		   struct ticket_list *out)
{
	return tickets_staff_list_queue(app, c, a, status, assigned, NULL,
					limit, offset, out);
}
