/*
 * API tests of live updates (issue 15, part LIVE) against the real
 * server: the staff and portal event streams (Server-Sent Events read
 * with libcurl's write callback, under a deadline), unread markers and
 * presence. A customer's message reaches an agent of the ticket's queue
 * as ids and a kind, never its text or subject (the raw stream bytes are
 * searched); an agent outside the queue gets nothing of it; the portal
 * stream carries its own ticket's staff reply but never a note, and
 * nothing of another customer's ticket; Last-Event-ID resumes; a bad one
 * is 400; the streams per session and per listener are bounded (429,
 * 503; a closed client's place is freed once probed); logout ends a
 * stream; the server stops promptly with streams
 * open. ASVS 8.2.2 (object level: events per recipient), 15.3.1 and
 * 14.2.6 (ids only, never text or personal data), 7.4.1 (logout ends
 * the stream), 16.3.2 (refusals audited).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "harness.h"

#define LIVE_CONF "[live]\nheartbeat_seconds = 2\n"

struct world {
	struct gh_server s;
	struct gh_user sup, ann, bob, out, cust_x, cust_y;
	struct gh_client c_sup, c_ann, c_bob, c_out, c_x, c_y;
};

/* One open event stream: its own connection, read in the background of
 * the test's other requests through a multi handle. */
struct stream {
	CURLM *m;
	CURL *e;
	struct curl_slist *h;
	char *buf;
	size_t len;
	long status;
	int done; /* the server ended the transfer */
};

static int64_t
now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static size_t
on_bytes(char *p, size_t size, size_t n, void *ctx)
{
	struct stream *st = ctx;
	size_t add = size * n;
	char *nb = realloc(st->buf, st->len + add + 1);

	if (nb == NULL)
		return 0;
	memcpy(nb + st->len, p, add);
	st->len += add;
	nb[st->len] = '\0';
	st->buf = nb;
	return add;
}

/* Runs the transfer for up to wait_ms or until needle (may be NULL)
 * is in the bytes read or the transfer ended. 1 when needle was found. */
static int
pump(struct stream *st, const char *needle, int wait_ms)
{
	int64_t until = now_ms() + wait_ms;
	int running = 1;

	do {
		CURLMsg *msg;
		int left;

		curl_multi_perform(st->m, &running);
		while ((msg = curl_multi_info_read(st->m, &left)) != NULL)
			if (msg->msg == CURLMSG_DONE)
				st->done = 1;
		curl_easy_getinfo(st->e, CURLINFO_RESPONSE_CODE, &st->status);
		if (needle != NULL && st->buf != NULL &&
		    strstr(st->buf, needle) != NULL)
			return 1;
		if (!running || st->done)
			break;
		curl_multi_poll(st->m, NULL, 0, 50, NULL);
	} while (now_ms() < until);
	curl_easy_getinfo(st->e, CURLINFO_RESPONSE_CODE, &st->status);
	return needle != NULL && st->buf != NULL &&
	       strstr(st->buf, needle) != NULL;
}

/* Opens path on c's listener with c's session (and last_id, unless
 * NULL, as Last-Event-ID); waits for the reply's first bytes. */
static void
stream_open(struct world *w, struct gh_client *c, const char *path,
	    const char *last_id, struct stream *st)
{
	char url[256], cafile[300], cookie[300], token[128], hdr[96];

	memset(st, 0, sizeof(*st));
	assert_int_equal(gh_cookie_token(c, token, sizeof(token)), 0);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d%s",
		 c->staff ? w->s.staff_port : w->s.pub_port, path);
	snprintf(cafile, sizeof(cafile), "%s/tls.crt", w->s.dir);
	snprintf(cookie, sizeof(cookie), "%s=%s",
		 c->staff ? "__Host-gh_staff" : "__Host-gh_portal", token);
	st->e = curl_easy_init();
	curl_easy_setopt(st->e, CURLOPT_URL, url);
	curl_easy_setopt(st->e, CURLOPT_CAINFO, cafile);
	curl_easy_setopt(st->e, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(st->e, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(st->e, CURLOPT_COOKIE, cookie);
	curl_easy_setopt(st->e, CURLOPT_WRITEFUNCTION, on_bytes);
	curl_easy_setopt(st->e, CURLOPT_WRITEDATA, st);
	st->h = curl_slist_append(NULL, "Accept: text/event-stream");
	if (last_id != NULL) {
		snprintf(hdr, sizeof(hdr), "Last-Event-ID: %s", last_id);
		st->h = curl_slist_append(st->h, hdr);
	}
	curl_easy_setopt(st->e, CURLOPT_HTTPHEADER, st->h);
	st->m = curl_multi_init();
	curl_multi_add_handle(st->m, st->e);
	(void)pump(st, "retry:", 5000);
}

static void
stream_close(struct stream *st)
{
	curl_multi_remove_handle(st->m, st->e);
	curl_easy_cleanup(st->e);
	curl_multi_cleanup(st->m);
	curl_slist_free_all(st->h);
	free(st->buf);
	memset(st, 0, sizeof(*st));
}

static void
cli_ok(struct world *w, const char *const *args)
{
	assert_int_equal(gh_cli(&w->s, NULL, NULL, args), 0);
}

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	const char *add_q[] = {"queue", "add", "--name", "billing", NULL};
	const char *join[] = {"staff", "queue", "--email", "out@example.com",
			      "--add", "billing", NULL};
	const char *leave[] = {"staff", "queue", "--email", "out@example.com",
			       "--remove", "general", NULL};

	gh_start(&w->s, LIVE_CONF);
	gh_add_staff(&w->s, "sup@example.com", "supervisor", &w->sup);
	gh_add_staff(&w->s, "ann@example.com", "agent", &w->ann);
	gh_add_staff(&w->s, "bob@example.com", "agent", &w->bob);
	gh_add_staff(&w->s, "out@example.com", "agent", &w->out);
	gh_db_exec(&w->s, "UPDATE staff SET name = 'Ann' WHERE email = "
			  "'ann@example.com'");
	cli_ok(w, add_q);
	cli_ok(w, join);
	cli_ok(w, leave);
	gh_add_customer(&w->s, "x@example.org", &w->cust_x);
	gh_add_customer(&w->s, "y@example.org", &w->cust_y);
	gh_client_init(&w->c_sup, 1);
	gh_client_init(&w->c_ann, 1);
	gh_client_init(&w->c_bob, 1);
	gh_client_init(&w->c_out, 1);
	gh_client_init(&w->c_x, 0);
	gh_client_init(&w->c_y, 0);
	assert_int_equal(gh_login(&w->s, &w->c_sup, &w->sup), 201);
	assert_int_equal(gh_login(&w->s, &w->c_ann, &w->ann), 201);
	assert_int_equal(gh_login(&w->s, &w->c_bob, &w->bob), 201);
	assert_int_equal(gh_login(&w->s, &w->c_out, &w->out), 201);
	assert_int_equal(gh_login(&w->s, &w->c_x, &w->cust_x), 201);
	assert_int_equal(gh_login(&w->s, &w->c_y, &w->cust_y), 201);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	gh_client_free(&w->c_sup);
	gh_client_free(&w->c_ann);
	gh_client_free(&w->c_bob);
	gh_client_free(&w->c_out);
	gh_client_free(&w->c_x);
	gh_client_free(&w->c_y);
	assert_int_equal(gh_stop(&w->s), 0);
	free(w);
	return 0;
}

static int64_t
new_ticket(struct world *w, struct gh_client *c, const char *subject,
	   const char *body)
{
	struct gh_resp r;
	int64_t id;

	assert_int_equal(gh_send_json(&w->s, c, "POST",
				      "/api/v1/portal/tickets",
				      json_pack("{s:s, s:s}", "subject",
						subject, "body", body),
				      &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	assert_true(id > 0);
	return id;
}

static long
post(struct world *w, struct gh_client *c, const char *path, json_t *body)
{
	struct gh_resp r;
	long st = body != NULL ? gh_send_json(&w->s, c, "POST", path, body, &r)
			       : gh_req(&w->s, c, "POST", path, NULL, NULL, &r);

	gh_resp_free(&r);
	return st;
}

static void
customer_says(struct world *w, struct gh_client *c, int64_t t,
	      const char *body)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/messages",
		 (long long)t);
	assert_int_equal(post(w, c, path, json_pack("{s:s}", "body", body)),
			 201);
}

/* ASVS 8.2.2, 15.3.1: an agent of the queue gets ticket.created and
 * message.customer as ids;
 * the stream's bytes hold neither the subject nor the text; an agent
 * outside the queue gets nothing for the ticket. */
static void
test_customer_message_reaches_queue(void **state)
{
	struct world *w = *state;
	struct stream ann, out;
	char want[96];
	int64_t t;

	stream_open(w, &w->c_ann, "/api/v1/events", NULL, &ann);
	stream_open(w, &w->c_out, "/api/v1/events", NULL, &out);
	assert_int_equal(ann.status, 200);
	assert_int_equal(out.status, 200);
	t = new_ticket(w, &w->c_x, "Subject Quokka-991",
		       "First words Wombat-552");
	snprintf(want, sizeof(want),
		 "event: ticket.created\ndata: {\"ticket\":%lld", (long long)t);
	assert_true(pump(&ann, want, 5000));
	customer_says(w, &w->c_x, t, "Second words Platypus-773");
	snprintf(want, sizeof(want),
		 "event: message.customer\ndata: {\"ticket\":%lld",
		 (long long)t);
	assert_true(pump(&ann, want, 5000));
	assert_null(strstr(ann.buf, "Quokka"));
	assert_null(strstr(ann.buf, "Wombat"));
	assert_null(strstr(ann.buf, "Platypus"));
	assert_null(strstr(ann.buf, "x@example.org"));
	/* The other queue's agent: nothing of it (heartbeats only). */
	(void)pump(&out, NULL, 2500);
	assert_null(strstr(out.buf, "event:"));
	stream_close(&ann);
	stream_close(&out);
}

/* The portal stream: the customer's own ticket's staff reply, never a
 * note (nor assignment); another customer's stream gets nothing. */
static void
test_portal_stream_own_visible_kinds(void **state)
{
	struct world *w = *state;
	struct stream x, y;
	char path[96], want[96];
	int64_t t;

	t = new_ticket(w, &w->c_x, "Portal stream", "Hello there.");
	stream_open(w, &w->c_x, "/api/v1/portal/events", NULL, &x);
	stream_open(w, &w->c_y, "/api/v1/portal/events", NULL, &y);
	assert_int_equal(x.status, 200);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/notes", (long long)t);
	assert_int_equal(post(w, &w->c_sup, path,
			      json_pack("{s:s}", "body", "Internal Echidna")),
			 201);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/replies",
		 (long long)t);
	assert_int_equal(post(w, &w->c_sup, path,
			      json_pack("{s:s}", "body", "We are on it.")),
			 201);
	snprintf(want, sizeof(want),
		 "event: message.staff\ndata: {\"ticket\":%lld", (long long)t);
	assert_true(pump(&x, want, 5000));
	assert_null(strstr(x.buf, "note.created"));
	assert_null(strstr(x.buf, "ticket.assigned"));
	assert_null(strstr(x.buf, "Echidna"));
	assert_null(strstr(x.buf, "\"queue\""));
	(void)pump(&y, NULL, 1500);
	assert_null(strstr(y.buf, "event:"));
	stream_close(&x);
	stream_close(&y);
}

/* The id of the last "id: " line of st, into out. */
static void
last_id(const struct stream *st, char *out, size_t outsz)
{
	const char *p = st->buf, *hit = NULL;

	while ((p = strstr(p, "\nid: ")) != NULL)
		hit = ++p;
	if (hit == NULL && strncmp(st->buf, "id: ", 4) == 0)
		hit = st->buf;
	assert_non_null(hit);
	snprintf(out, outsz, "%.*s", (int)strcspn(hit + 4, "\n"), hit + 4);
}

/* Last-Event-ID: a stream opened again gets what happened meanwhile;
 * a malformed one is 400 bad_event_id. */
static void
test_resume_last_event_id(void **state)
{
	struct world *w = *state;
	const char *bad[] = {"Last-Event-ID: 12x", NULL};
	struct stream st;
	struct gh_resp r;
	char id[32], want[96];
	int64_t t;

	t = new_ticket(w, &w->c_x, "Resume", "One.");
	stream_open(w, &w->c_ann, "/api/v1/events", NULL, &st);
	customer_says(w, &w->c_x, t, "Two.");
	assert_true(pump(&st, "event: message.customer", 5000));
	last_id(&st, id, sizeof(id));
	stream_close(&st);
	customer_says(w, &w->c_x, t, "Three, while away.");
	stream_open(w, &w->c_ann, "/api/v1/events", id, &st);
	snprintf(want, sizeof(want),
		 "event: message.customer\ndata: {\"ticket\":%lld", (long long)t);
	assert_true(pump(&st, want, 5000));
	/* Only what came after the id. */
	snprintf(want, sizeof(want), "id: %s\n", id);
	assert_null(strstr(st.buf, want));
	stream_close(&st);
	assert_int_equal(gh_req(&w->s, &w->c_ann, "GET", "/api/v1/events",
				NULL, bad, &r),
			 400);
	assert_string_equal(gh_error(&r), "bad_event_id");
	gh_resp_free(&r);
}

/* Presence: another agent who sees the ticket is told "Ann" is typing;
 * Ann is not; a ticket Ann cannot see is 404. Customers never get it. */
static void
test_typing(void **state)
{
	struct world *w = *state;
	struct stream ann, bob, x;
	char path[96];
	int64_t t, other;

	t = new_ticket(w, &w->c_x, "Typing", "Hi.");
	stream_open(w, &w->c_ann, "/api/v1/events", NULL, &ann);
	stream_open(w, &w->c_bob, "/api/v1/events", NULL, &bob);
	stream_open(w, &w->c_x, "/api/v1/portal/events", NULL, &x);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/typing",
		 (long long)t);
	assert_int_equal(post(w, &w->c_ann, path, NULL), 200);
	assert_true(pump(&bob, "event: typing", 5000));
	assert_non_null(strstr(bob.buf, "\"name\":\"Ann\""));
	(void)pump(&ann, NULL, 500);
	(void)pump(&x, NULL, 500);
	assert_null(strstr(ann.buf, "event: typing"));
	assert_null(strstr(x.buf, "typing"));
	/* A ticket assigned to Bob is invisible to Ann. */
	other = new_ticket(w, &w->c_y, "Bob's", "Hi.");
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/assign",
		 (long long)other);
	assert_int_equal(post(w, &w->c_bob, path,
			      json_pack("{s:I}", "staff_id",
					(json_int_t)w->bob.id)),
			 200);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/typing",
		 (long long)other);
	assert_int_equal(post(w, &w->c_ann, path, NULL), 404);
	stream_close(&ann);
	stream_close(&bob);
	stream_close(&x);
}

/* "unread" in the work list of the one ticket id t, or -1. */
static int
unread_of(struct world *w, struct gh_client *c, int64_t t)
{
	struct gh_resp r;
	json_t *arr, *it;
	size_t i;
	int v = -1;

	assert_int_equal(gh_req(&w->s, c, "GET", "/api/v1/tickets?limit=100",
				NULL, NULL, &r),
			 200);
	arr = json_object_get(r.json, "tickets");
	json_array_foreach(arr, i, it)
		if (json_integer_value(json_object_get(it, "id")) == t)
			v = json_is_true(json_object_get(it, "unread"));
	gh_resp_free(&r);
	return v;
}

/* Unread markers: a customer message is unread for an agent until they
 * open the ticket, and again after the next one; per agent. */
static void
test_unread_markers(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char path[64];
	int64_t t;

	t = new_ticket(w, &w->c_x, "Unread", "Anyone?");
	assert_int_equal(unread_of(w, &w->c_ann, t), 1);
	assert_int_equal(unread_of(w, &w->c_bob, t), 1);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld", (long long)t);
	assert_int_equal(gh_req(&w->s, &w->c_ann, "GET", path, NULL, NULL, &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(unread_of(w, &w->c_ann, t), 0);
	assert_int_equal(unread_of(w, &w->c_bob, t), 1);
	customer_says(w, &w->c_x, t, "Hello again?");
	assert_int_equal(unread_of(w, &w->c_ann, t), 1);
}

/* Who may open which stream: none without a session (401), none with
 * query arguments (400); the staff stream is not on the public listener
 * nor the portal's on the staff one (404); typing needs the CSRF token
 * and a ticket id that exists for the caller. ASVS 8.2.1, 8.3.1. */
static void
test_refusals(void **state)
{
	struct world *w = *state;
	struct gh_client anon_staff, anon_pub;
	struct gh_resp r;
	char csrf[64];

	gh_client_init(&anon_staff, 1);
	gh_client_init(&anon_pub, 0);
	assert_int_equal(gh_req(&w->s, &anon_staff, "GET", "/api/v1/events",
				NULL, NULL, &r),
			 401);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &anon_pub, "GET",
				"/api/v1/portal/events", NULL, NULL, &r),
			 401);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->c_ann, "GET", "/api/v1/events?x=1",
				NULL, NULL, &r),
			 400);
	assert_string_equal(gh_error(&r), "bad_query");
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->c_x, "GET", "/api/v1/events", NULL,
				NULL, &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->c_ann, "GET",
				"/api/v1/portal/events", NULL, NULL, &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(post(w, &w->c_ann, "/api/v1/tickets/999999/typing",
			      NULL),
			 404);
	/* Without the CSRF token: refused, nothing recorded. */
	memcpy(csrf, w->c_ann.csrf, sizeof(csrf));
	w->c_ann.csrf[0] = '\0';
	assert_int_equal(post(w, &w->c_ann, "/api/v1/tickets/1/typing", NULL),
			 403);
	memcpy(w->c_ann.csrf, csrf, sizeof(csrf));
	assert_int_equal(gh_db_count(&w->s, "SELECT COUNT(*) FROM events "
					    "WHERE kind = 'typing' AND "
					    "ticket_id = 1"),
			 0);
	gh_client_free(&anon_staff);
	gh_client_free(&anon_pub);
}

/* ASVS 7.4.1: logout ends the stream (within the session re-check,
 * ~2 s). */
static void
test_logout_ends_stream(void **state)
{
	struct world *w = *state;
	struct gh_client c;
	struct gh_resp r;
	struct stream st;
	int64_t t0;

	gh_client_init(&c, 1);
	assert_int_equal(gh_login(&w->s, &c, &w->bob), 201);
	stream_open(w, &c, "/api/v1/events", NULL, &st);
	assert_int_equal(st.status, 200);
	assert_false(st.done);
	t0 = now_ms();
	assert_int_equal(gh_req(&w->s, &c, "DELETE", "/api/v1/staff/session",
				NULL, NULL, &r),
			 200);
	gh_resp_free(&r);
	(void)pump(&st, NULL, 8000);
	assert_true(st.done);
	assert_true(now_ms() - t0 < 8000);
	stream_close(&st);
	gh_client_free(&c);
}

/* Audit records of refusals with this error code on the events route. */
static int64_t
refused(struct gh_server *s, const char *code)
{
	return gh_db_countf(s,
			    "SELECT COUNT(*) FROM audit WHERE record LIKE "
			    "'%%\"action\":\"security.refused\"%%' AND record "
			    "LIKE '%%\"code\":\"%s\"%%' AND record LIKE "
			    "'%%/api/v1/events%%'",
			    code);
}

/* Opens a stream of c's session again after a 429 (Retry-After set)
 * probed the session's streams; 1 once one is open within 8 s. */
static int
reopen_after_probe(struct world *v, struct gh_client *c, struct stream *st)
{
	int64_t until = now_ms() + 8000;

	while (now_ms() < until) {
		stream_open(v, c, "/api/v1/events", NULL, st);
		if (st->status == 200)
			return 1;
		assert_int_equal(st->status, 429);
		stream_close(st);
		usleep(300000);
	}
	return 0;
}

/* Limits on a server of its own: 3 streams a session (429 for the 4th),
 * 4 a listener (503 beyond, with Retry-After and no http.internal log
 * line); then the server stops promptly with them open. */
static void
test_limits_and_prompt_stop(void **state)
{
	struct gh_server s;
	struct world *w = *state;
	struct world v;
	struct stream st[5];
	struct gh_resp r;
	int64_t t0;
	char *ra;

	(void)w;
	memset(&v, 0, sizeof(v));
	gh_start(&v.s, "[live]\nstreams_per_listener = 4\n");
	s = v.s;
	gh_add_staff(&v.s, "a@example.com", "agent", &v.ann);
	gh_add_staff(&v.s, "b@example.com", "agent", &v.bob);
	gh_client_init(&v.c_ann, 1);
	gh_client_init(&v.c_bob, 1);
	assert_int_equal(gh_login(&v.s, &v.c_ann, &v.ann), 201);
	assert_int_equal(gh_login(&v.s, &v.c_bob, &v.bob), 201);
	for (int i = 0; i < 3; i++) {
		stream_open(&v, &v.c_ann, "/api/v1/events", NULL, &st[i]);
		assert_int_equal(st[i].status, 200);
	}
	assert_int_equal(gh_req(&v.s, &v.c_ann, "GET", "/api/v1/events", NULL,
				NULL, &r),
			 429);
	assert_string_equal(gh_error(&r), "too_many_streams");
	ra = gh_header(&r, "Retry-After");
	assert_non_null(ra);
	free(ra);
	gh_resp_free(&r);
	stream_open(&v, &v.c_bob, "/api/v1/events", NULL, &st[3]);
	assert_int_equal(st[3].status, 200);
	assert_int_equal(gh_req(&v.s, &v.c_bob, "GET", "/api/v1/events", NULL,
				NULL, &r),
			 503);
	assert_string_equal(gh_error(&r), "streams_full");
	/* A chosen refusal: the browser is told when to retry, and it is
	 * no internal error (no ERROR line for each retry). */
	ra = gh_header(&r, "Retry-After");
	assert_non_null(ra);
	assert_string_equal(ra, "5");
	free(ra);
	gh_resp_free(&r);
	assert_false(gh_log_contains(&v.s, "http.internal"));
	/* Both refusals are audited (security.refused, with the code). */
	assert_true(refused(&v.s, "too_many_streams") >= 1);
	assert_int_equal(refused(&v.s, "streams_full"), 1);
	/* A closed tab: its place is freed once the refusal probed it. */
	stream_close(&st[0]);
	assert_true(reopen_after_probe(&v, &v.c_ann, &st[0]));
	gh_client_free(&v.c_ann);
	gh_client_free(&v.c_bob);
	t0 = now_ms();
	assert_int_equal(gh_stop(&s), 0);
	assert_true(now_ms() - t0 < 5000);
	for (int i = 0; i < 4; i++) {
		(void)pump(&st[i], NULL, 2000);
		assert_true(st[i].done);
		stream_close(&st[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_customer_message_reaches_queue),
		cmocka_unit_test(test_portal_stream_own_visible_kinds),
		cmocka_unit_test(test_resume_last_event_id),
		cmocka_unit_test(test_typing),
		cmocka_unit_test(test_unread_markers),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_logout_ends_stream),
		cmocka_unit_test(test_limits_and_prompt_stop),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
