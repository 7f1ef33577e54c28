/*
 * Unit tests of tickets (core/tickets.c, core/outbound.c, core/notify.c,
 * core/mailer.c and the store's ticket operations) against a real SQLite
 * file in a temporary directory: limits, the customer filter of every
 * portal operation, the separation of notes, agent visibility and
 * assignment rules, the outbound check on replies (notes copied into a
 * reply), the content-free notification and its delivery to .eml files,
 * retries after a failed SMTP delivery, and header injection; replies
 * held when the note-copy check cannot run (notes past its word limit),
 * their release and discard by a supervisor other than the author, and
 * the note mark the reply path re-checks inside its transaction. The DLP
 * engine is compiled once for the program.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/app.h"
#include "util/errors.h"
#include "core/mailer.h"
#include "core/notify.h"
#include "core/outbound.h"
#include "core/tickets.h"

#include "ticket_fixture.h"

static int
setup(void **state)
{
	return fx_setup(state, "/tmp/gh-test-tickets-XXXXXX");
}

static int64_t
new_ticket(struct fx *f, const struct tk_actor *who, const char *subject,
	   const char *body)
{
	struct ticket_rec t;

	assert_int_equal(tickets_portal_create(&f->app, f->c, who, subject,
					       body, &t), 0);
	assert_true(t.id > 0);
	assert_string_equal(t.status, "open");
	return t.id;
}

/* tickets_reply with a throw-away result: its return value only. */
static int
send_reply(struct fx *f, const struct tk_actor *a, int64_t ticket,
	   const char *text)
{
	struct tk_reply r;
	int rc;

	tk_reply_init(&r);
	rc = tickets_reply(&f->app, f->c, a, ticket, text, &r);
	tk_reply_clear(&r);
	return rc;
}

static size_t
count_outbox(struct fx *f)
{
	struct outbox_list l;
	size_t n;

	assert_int_equal(f->c->ops->outbox_due(f->c, INT64_MAX / 2, 1000, &l),
			 0);
	n = l.n;
	outbox_list_clear(&l);
	return n;
}

static size_t
count_messages(struct fx *f, int64_t ticket)
{
	struct thread_list l;
	size_t n;

	assert_int_equal(f->c->ops->staff_messages(f->c, ticket, &l), 0);
	n = l.n;
	thread_list_clear(&l);
	return n;
}


/* ---------------------------------------------------------------------- */

static void
test_limits(void **state)
{
	char subject[202];
	char *body = malloc(TICKET_BODY_MAX + 2);

	(void)state;
	assert_non_null(body);
	memset(subject, 'a', 200);
	subject[200] = '\0';
	assert_int_equal(tickets_check_subject(subject), 0);
	subject[200] = 'a';
	subject[201] = '\0';
	assert_int_equal(tickets_check_subject(subject), -GH_BAD_FIELD);
	assert_int_equal(tickets_check_subject(""), -GH_BAD_FIELD);
	assert_int_equal(tickets_check_subject("two\nlines"), -GH_BAD_UTF8);
	assert_int_equal(tickets_check_subject("bad \xff byte"), -GH_BAD_UTF8);
	/* 200 code points of 2 bytes each are fine. */
	for (int i = 0; i < 200; i++)
		memcpy(body + 2 * i, "\xc3\xa9", 2);
	body[400] = '\0';
	assert_int_equal(tickets_check_subject(body), 0);

	memset(body, 'b', TICKET_BODY_MAX);
	assert_int_equal(tickets_check_body(body, TICKET_BODY_MAX), 0);
	memset(body, 'b', TICKET_BODY_MAX + 1);
	assert_int_equal(tickets_check_body(body, TICKET_BODY_MAX + 1),
			 -GH_BAD_FIELD);
	assert_int_equal(tickets_check_body("", 0), -GH_BAD_FIELD);
	assert_int_equal(tickets_check_body("line\nnext\tcol", 13), 0);
	assert_int_equal(tickets_check_body("x\xff", 2), -GH_BAD_UTF8);
	assert_int_equal(tickets_check_body("a\0b", 3), -GH_BAD_UTF8);
	free(body);
}

/* ASVS 8.2.2: the portal operations filter by the customer. */
static void
test_portal_filter(void **state)
{
	struct fx *f = *state;
	struct ticket_rec t;
	struct ticket_list l;
	struct thread_list m;
	struct thread_item it;
	int64_t ta = new_ticket(f, &f->a_cust, "Card lost", "Please help");

	assert_int_equal(tickets_portal_get(&f->app, f->c, &f->b_cust, ta, &t,
					    &m), -GH_NOT_FOUND);
	assert_int_equal(f->c->ops->portal_messages(f->c, f->cust_b, ta, &m), 0);
	assert_int_equal(m.n, 0);
	thread_list_clear(&m);
	assert_int_equal(tickets_portal_list(&f->app, f->c, &f->b_cust, 100, 0,
					     &l), 0);
	assert_int_equal(l.n, 0);
	ticket_list_clear(&l);
	assert_int_equal(tickets_portal_message(&f->app, f->c, &f->b_cust, ta,
						"let me in", &it),
			 -GH_NOT_FOUND);
	assert_int_equal(count_messages(f, ta), 1);

	assert_int_equal(tickets_portal_list(&f->app, f->c, &f->a_cust, 100, 0,
					     &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, ta);
	assert_string_equal(l.v[0].last_from, "customer");
	ticket_list_clear(&l);
	assert_int_equal(tickets_portal_get(&f->app, f->c, &f->a_cust, ta, &t,
					    &m), 0);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.v[0].body, "Please help");
	thread_list_clear(&m);
	/* A staff actor cannot use the customer side. */
	assert_int_equal(tickets_portal_list(&f->app, f->c, &f->a1, 10, 0, &l),
			 -GH_FORBIDDEN);
	assert_int_equal(tickets_portal_list(&f->app, f->c, &f->a_cust, 0, 0,
					     &l), -GH_BAD_QUERY);
	assert_int_equal(tickets_portal_list(&f->app, f->c, &f->a_cust, 101, 0,
					     &l), -GH_BAD_QUERY);
}

static void
test_notes_never_on_portal(void **state)
{
	struct fx *f = *state;
	const char *marker = "NOTE-MARKER-7f3a9c";
	struct ticket_rec t;
	struct thread_list m, notes;
	struct thread_item it;
	int64_t ta = new_ticket(f, &f->a_cust, "Subject", "Body text");

	assert_int_equal(tickets_note(&f->app, f->c, &f->a1, ta, marker, &it),
			 0);
	assert_true(it.id > 0);
	assert_int_equal(tickets_portal_get(&f->app, f->c, &f->a_cust, ta, &t,
					    &m), 0);
	for (size_t i = 0; i < m.n; i++)
		assert_null(strstr(m.v[i].body, marker));
	assert_int_equal(m.n, 1);
	thread_list_clear(&m);
	assert_int_equal(f->c->ops->portal_messages(f->c, f->cust_a, ta, &m), 0);
	for (size_t i = 0; i < m.n; i++)
		assert_null(strstr(m.v[i].body, marker));
	thread_list_clear(&m);
	/* Staff see both threads, apart. */
	assert_int_equal(tickets_staff_get(&f->app, f->c, &f->a1, ta, &t, &m,
					   &notes), 0);
	assert_int_equal(m.n, 1);
	assert_int_equal(notes.n, 1);
	assert_string_equal(notes.v[0].body, marker);
	assert_string_equal(notes.v[0].author_name, "Alice Agent");
	assert_string_equal(t.customer_name, "Ada Customer");
	thread_list_clear(&m);
	thread_list_clear(&notes);
}

/* ASVS 8.2.2: agents see their own and unassigned tickets only. */
static void
test_agent_visibility(void **state)
{
	struct fx *f = *state;
	struct ticket_rec t;
	struct ticket_list l;
	struct thread_list m, n;
	struct thread_item it;
	int64_t t1 = new_ticket(f, &f->a_cust, "One", "first");
	int64_t t2 = new_ticket(f, &f->b_cust, "Two", "second");

	/* Agents may only assign to themselves, and only what is free. */
	assert_int_equal(tickets_assign(&f->app, f->c, &f->a1, t1, f->agent2,
					&t), -GH_FORBIDDEN);
	assert_int_equal(tickets_assign(&f->app, f->c, &f->a1, t1, f->agent1,
					&t), 0);
	assert_int_equal(t.assignee_id, f->agent1);
	assert_string_equal(t.assignee_name, "Alice Agent");
	assert_int_equal(tickets_assign(&f->app, f->c, &f->a2, t1, f->agent2,
					&t), -GH_NOT_FOUND);
	assert_int_equal(tickets_staff_get(&f->app, f->c, &f->a2, t1, &t, &m,
					   &n), -GH_NOT_FOUND);
	assert_int_equal(send_reply(f, &f->a2, t1, "hello"), -GH_NOT_FOUND);
	assert_int_equal(tickets_note(&f->app, f->c, &f->a2, t1, "hm", &it),
			 -GH_NOT_FOUND);
	assert_int_equal(tickets_set_status(&f->app, f->c, &f->a2, t1,
					    "solved", &t), -GH_NOT_FOUND);
	/* Listing: agent2 never gets t1, whatever the filter. */
	for (int a = TA_ANY; a <= TA_UNASSIGNED; a++) {
		assert_int_equal(tickets_staff_list(&f->app, f->c, &f->a2, NULL,
						    (enum ticket_assigned)a,
						    100, 0, &l), 0);
		for (size_t i = 0; i < l.n; i++)
			assert_int_not_equal(l.v[i].id, t1);
		ticket_list_clear(&l);
	}
	assert_int_equal(tickets_staff_list(&f->app, f->c, &f->a1, NULL, TA_ME,
					    100, 0, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, t1);
	ticket_list_clear(&l);
	/* The supervisor sees everything and reassigns. */
	assert_int_equal(tickets_staff_get(&f->app, f->c, &f->s, t1, &t, &m,
					   &n), 0);
	thread_list_clear(&m);
	thread_list_clear(&n);
	assert_int_equal(tickets_assign(&f->app, f->c, &f->s, t1, f->agent2,
					&t), 0);
	assert_int_equal(tickets_staff_get(&f->app, f->c, &f->a1, t1, &t, &m,
					   &n), -GH_NOT_FOUND);
	assert_int_equal(tickets_assign(&f->app, f->c, &f->s, t1, 99999, &t),
			 -GH_UNKNOWN_STAFF);
	/* Status filter and transitions. */
	assert_int_equal(tickets_set_status(&f->app, f->c, &f->a1, t2,
					    "closed", &t), -GH_BAD_FIELD);
	/* An agent changes the status only of a ticket they hold. */
	assert_int_equal(tickets_set_status(&f->app, f->c, &f->a1, t2,
					    "solved", &t), -GH_NOT_ASSIGNED);
	assert_int_equal(tickets_staff_get(&f->app, f->c, &f->s, t2, &t, &m,
					   &n), 0);
	assert_string_equal(t.status, "open");
	thread_list_clear(&m);
	thread_list_clear(&n);
	assert_int_equal(tickets_assign(&f->app, f->c, &f->a1, t2, f->agent1,
					&t), 0);
	assert_int_equal(tickets_set_status(&f->app, f->c, &f->a1, t2,
					    "solved", &t), 0);
	assert_string_equal(t.status, "solved");
	assert_int_equal(tickets_staff_list(&f->app, f->c, &f->s, "solved",
					    TA_ANY, 100, 0, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, t2);
	ticket_list_clear(&l);
	/* A customer message reopens a solved ticket. */
	assert_int_equal(tickets_portal_message(&f->app, f->c, &f->b_cust, t2,
						"still broken", &it), 0);
	thread_item_clear(&it);
	assert_int_equal(tickets_staff_get(&f->app, f->c, &f->s, t2, &t, &m,
					   &n), 0);
	assert_string_equal(t.status, "open");
	assert_int_equal(m.n, 2);
	thread_list_clear(&m);
	thread_list_clear(&n);
}

static void
test_reply_blocked_by_note(void **state)
{
	struct fx *f = *state;
	const char *note = "Customer called from a new number and sounded "
			   "nervous, do not change the payout account yet.";
	const char *reply = "Hello! We will not change the payout account yet "
			    "because the customer called from a new number and "
			    "sounded nervous today.";
	struct thread_item it;
	struct tk_reply r;
	int64_t tk = new_ticket(f, &f->a_cust, "Payout", "change my payout");

	tk_reply_init(&r);
	assert_int_equal(tickets_note(&f->app, f->c, &f->a1, tk, note, &it), 0);
	assert_int_equal(count_outbox(f), 0);
	assert_int_equal(tickets_reply(&f->app, f->c, &f->a1, tk, reply, &r),
			 -GH_DLP_BLOCKED);
	assert_true(r.findings.n >= 1);
	assert_false(r.held);
	assert_string_equal(r.findings.v[0].type, "internal_note");
	assert_true(r.findings.v[0].end > r.findings.v[0].start);
	/* Nothing stored, nothing queued. */
	assert_int_equal(count_messages(f, tk), 1);
	assert_int_equal(count_outbox(f), 0);
	/* Seven words of the note are fine. */
	assert_int_equal(tickets_reply(&f->app, f->c, &f->a1, tk,
				       "The customer called from a new number "
				       "and we will check.",
				       &r),
			 0);
	assert_int_equal(r.findings.n, 0);
	assert_false(r.held);
	assert_string_equal(r.item.author_name, "Alice Agent");
	tk_reply_clear(&r);
	assert_int_equal(count_messages(f, tk), 2);
	assert_int_equal(count_outbox(f), 1);
}

/* Fails closed without the engine. */
static void
test_outbound_no_engine(void **state)
{
	struct fx *f = *state;
	int64_t tk = new_ticket(f, &f->a_cust, "S", "B");
	struct dlp_findings fd;

	dlp_findings_init(&fd);
	f->app.dlp = NULL;
	assert_int_equal(outbound_check(&f->app, f->c, tk, f->cust_a, "hi", 2,
					&fd), -GH_INTERNAL);
	assert_int_equal(send_reply(f, &f->a1, tk, "hi"), -GH_INTERNAL);
	f->app.dlp = engine;
	assert_int_equal(count_messages(f, tk), 1);
	/* The customer's own address may appear, another one may not. */
	assert_int_equal(outbound_check(&f->app, f->c, tk, f->cust_a,
					"write to ada@example.org", 24, &fd),
			 0);
	assert_int_equal(fd.n, 0);
	assert_int_equal(outbound_check(&f->app, f->c, tk, f->cust_a,
					"write to eve@evil.test now", 26, &fd),
			 -GH_DLP_BLOCKED);
	assert_int_equal(fd.n, 1);
	dlp_findings_free(&fd);
}

static void
test_notification_mail(void **state)
{
	struct fx *f = *state;
	const char *reply = "Your replacement card ships on Monday";
	char *text = NULL;
	char *phrase = NULL;
	int64_t tk = new_ticket(f, &f->a_cust, "Card", "where is my card");
	char num[32];

	assert_int_equal(tickets_set_phrase(&f->app, f->c, &f->a_cust, "x"),
			 -GH_BAD_FIELD);
	assert_int_equal(tickets_set_phrase(&f->app, f->c, &f->a_cust,
					    "purple otter"), 0);
	assert_int_equal(tickets_get_phrase(&f->app, f->c, f->cust_a, &phrase),
			 0);
	assert_string_equal(phrase, "purple otter");
	crypto_secret_free(phrase);
	assert_int_equal(tickets_get_phrase(&f->app, f->c, f->cust_b, &phrase),
			 0);
	assert_null(phrase);

	assert_int_equal(eml_files(f, NULL), 0);
	assert_int_equal(send_reply(f, &f->a1, tk, reply), 0);
	assert_int_equal(mailer_run_once(&f->app, (int64_t)time(NULL)), 1);
	assert_int_equal(mailer_run_once(&f->app, (int64_t)time(NULL)), 0);
	assert_int_equal(eml_files(f, &text), 1);
	assert_non_null(text);
	snprintf(num, sizeof(num), "ticket #%lld", (long long)tk);
	assert_non_null(strstr(text, num));
	assert_non_null(strstr(text, "To: ada@example.org\r\n"));
	assert_non_null(strstr(text, f->app.cfg.portal_url));
	assert_non_null(strstr(text, "purple otter"));
	assert_non_null(strstr(text, "We will never ask for your password"));
	/* The portal's "How we contact you" (web/portal/app.js) promises
	 * that the only address in our e-mails is the portal's: the ticket's
	 * and the contact policy's (issue 11), both under portal_url. */
	{
		const char *p = text;
		size_t plen = strlen(f->app.cfg.portal_url);
		int urls = 0;
		char *subj = NULL, *body = NULL;

		while ((p = strstr(p, "://")) != NULL) {
			const char *u = p - strlen("https");

			assert_true(u >= text);
			assert_int_equal(strncmp(u, f->app.cfg.portal_url, plen),
					 0);
			urls++;
			p += 3;
		}
		assert_int_equal(urls, 2);
		assert_int_equal(notify_text(&f->app.cfg, tk, &subj, &body), 0);
		assert_non_null(strstr(body, "the only address in them is our "
					     "portal's"));
		assert_non_null(strstr(body, "never contain the message "
					     "itself"));
		assert_non_null(strstr(body, "anti-phishing phrase"));
		free(subj);
		free(body);
	}
	assert_null(strstr(text, reply));
	assert_null(strstr(text, "replacement"));
	assert_null(strstr(text, "Ada Customer"));
	assert_null(strstr(text, "7946"));
	assert_null(strstr(text, "where is my card"));
	free(text);
	assert_int_equal(count_outbox(f), 0);
}

/* A failed delivery is kept and retried later. */
static void
test_mail_retry(void **state)
{
	struct fx *f = *state;
	struct outbox_list l;
	int64_t now = (int64_t)time(NULL);
	int64_t tk = new_ticket(f, &f->a_cust, "Retry", "body");

	snprintf(f->app.cfg.smtp_url, sizeof(f->app.cfg.smtp_url),
		 "smtp://127.0.0.1:1");
	assert_int_equal(send_reply(f, &f->a1, tk, "ok"), 0);
	assert_int_equal(mailer_run_once(&f->app, now), 0);
	/* Not due again right away, but still there. */
	assert_int_equal(f->c->ops->outbox_due(f->c, now, 10, &l), 0);
	assert_int_equal(l.n, 0);
	outbox_list_clear(&l);
	assert_int_equal(f->c->ops->outbox_due(f->c, now + 100000, 10, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].attempts, 1);
	assert_non_null(l.v[0].recipient.data);
	outbox_list_clear(&l);
	/* With the relay gone, the file fallback delivers it. */
	f->app.cfg.smtp_url[0] = '\0';
	assert_int_equal(mailer_run_once(&f->app, now + 100000), 1);
	assert_int_equal(eml_files(f, NULL), 1);
}

/* ASVS 1.3.11: header values with CR/LF are refused. */
static void
test_header_injection(void **state)
{
	char *m = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(mailer_format("no-reply@example.com", "a@example.org",
				       "Hi", "ref1", 0, "body\n", &m, &len), 0);
	assert_non_null(strstr(m, "Subject: Hi\r\n"));
	assert_non_null(strstr(m, "\r\n\r\nbody\r\n"));
	free(m);
	assert_int_equal(mailer_format("no-reply@example.com",
				       "a@example.org\r\nBcc: x@evil.test",
				       "Hi", "r", 0, "b", &m, &len),
			 -GH_BAD_FIELD);
	assert_null(m);
	assert_int_equal(mailer_format("no-reply@example.com", "a@example.org",
				       "Hi\r\nBcc: x@evil.test", "r", 0, "b",
				       &m, &len), -GH_BAD_FIELD);
	assert_int_equal(mailer_format("no-reply@example.com", "a@example.org",
				       "Hi\nX: y", "r", 0, "b", &m, &len),
			 -GH_BAD_FIELD);
	assert_int_equal(mailer_format("no-reply@example.com",
				       "<a@example.org>, b@evil.test", "Hi",
				       "r", 0, "b", &m, &len), -GH_BAD_FIELD);
	assert_int_equal(mailer_addr_ok("a b@example.org"), 0);
	assert_int_equal(mailer_addr_ok("ab@example.org"), 1);
	assert_int_equal(mailer_header_ok("tab\there"), 0);
}

/* Audit records whose action is action. */
static int
count_audit(struct fx *f, const char *action)
{
	char needle[96];
	int64_t n = 0;
	int hits = 0;

	snprintf(needle, sizeof(needle), "\"action\":\"%s\"", action);
	assert_int_equal(f->c->ops->audit_count(f->c, &n), 0);
	for (int64_t i = 1; i <= n; i++) {
		unsigned char leaf[32];
		char *rec = NULL;

		assert_int_equal(f->c->ops->audit_get(f->c, i, &rec, leaf), 0);
		if (strstr(rec, needle) != NULL)
			hits++;
		free(rec);
	}
	return hits;
}

static int
listed(struct fx *f, const struct tk_actor *a, const char *queue, int64_t id)
{
	struct ticket_list l;
	int found = 0;

	assert_int_equal(tickets_staff_list_queue(&f->app, f->c, a, NULL,
						  TA_ANY, queue, 100, 0, &l),
			 0);
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].id == id)
			found = 1;
	ticket_list_clear(&l);
	return found;
}

/* Every agent action on a ticket another agent could not see, 404. */
static void
assert_invisible(struct fx *f, const struct tk_actor *a, int64_t id)
{
	struct ticket_rec t;
	struct thread_list m, n;
	struct thread_item it;
	size_t msgs = count_messages(f, id);

	assert_int_equal(tickets_staff_get(&f->app, f->c, a, id, &t, &m, &n),
			 -GH_NOT_FOUND);
	assert_int_equal(send_reply(f, a, id, "hello"),
			 -GH_NOT_FOUND);
	assert_int_equal(tickets_note(&f->app, f->c, a, id, "hm", &it),
			 -GH_NOT_FOUND);
	assert_int_equal(tickets_assign(&f->app, f->c, a, id, a->id, &t),
			 -GH_NOT_FOUND);
	assert_int_equal(tickets_set_status(&f->app, f->c, a, id, "solved", &t),
			 -GH_NOT_FOUND);
	assert_false(listed(f, a, NULL, id));
	assert_int_equal(count_messages(f, id), msgs);
}

/* Least privilege with queues: an agent works the tickets assigned to
 * them, or unassigned in one of their queues; supervisors move tickets
 * between queues, audited; agents may not. */
static void
test_queue_visibility(void **state)
{
	struct fx *f = *state;
	const char *only_billing[] = {"billing"};
	struct ticket_rec t;
	struct thread_list m, n;
	struct thread_item it;
	struct ticket_list l;
	int64_t qid = 0, sid = 0;
	int changed = 0;
	int64_t t1 = new_ticket(f, &f->a_cust, "Invoice", "wrong amount");

	/* Queue names: checked, unique, audited. */
	assert_int_equal(tickets_queue_create(&f->app, f->c, "cli", "Billing",
					      &qid), -GH_BAD_FIELD);
	assert_int_equal(tickets_queue_create(&f->app, f->c, "cli", "", &qid),
			 -GH_BAD_FIELD);
	assert_int_equal(tickets_queue_create(&f->app, f->c, "cli",
					      "-billing", &qid), -GH_BAD_FIELD);
	assert_int_equal(tickets_queue_create(&f->app, f->c, "cli", "billing",
					      &qid), 0);
	assert_true(qid > STORE_QUEUE_GENERAL);
	assert_int_equal(tickets_queue_create(&f->app, f->c, "cli", "billing",
					      &qid), -GH_QUEUE_EXISTS);
	assert_int_equal(count_audit(f, "queue.create"), 1);

	/* agent2 works billing only (removing general is audited). */
	assert_int_equal(tickets_staff_set_queues(&f->app, f->c, "cli",
						  f->agent2, only_billing, 1),
			 0);
	assert_int_equal(count_audit(f, "staff.queue_add"), 1);
	assert_int_equal(count_audit(f, "staff.queue_remove"), 1);

	/* The new ticket is in general: agent1 sees it, agent2 does not. */
	assert_int_equal(tickets_staff_get(&f->app, f->c, &f->a1, t1, &t, &m,
					   &n), 0);
	assert_string_equal(t.queue_name, "general");
	thread_list_clear(&m);
	thread_list_clear(&n);
	assert_true(listed(f, &f->a1, "general", t1));
	assert_false(listed(f, &f->a1, "billing", t1));
	assert_invisible(f, &f->a2, t1);
	/* Filtering on a queue one is not in gives nothing, not an error. */
	assert_false(listed(f, &f->a2, "general", t1));
	assert_int_equal(tickets_staff_list_queue(&f->app, f->c, &f->a2, NULL,
						  TA_ANY, "nope", 100, 0, &l),
			 -GH_UNKNOWN_QUEUE);

	/* Agents may not move tickets; supervisors may, audited. */
	assert_int_equal(tickets_move(&f->app, f->c, &f->a1, t1, "billing", &t),
			 -GH_FORBIDDEN);
	assert_int_equal(tickets_move(&f->app, f->c, &f->s, t1, "nope", &t),
			 -GH_UNKNOWN_QUEUE);
	assert_int_equal(tickets_move(&f->app, f->c, &f->s, 999999, "billing",
				      &t), -GH_NOT_FOUND);
	assert_int_equal(count_audit(f, "ticket.queue"), 0);
	assert_int_equal(tickets_move(&f->app, f->c, &f->s, t1, "billing", &t),
			 0);
	assert_string_equal(t.queue_name, "billing");
	assert_int_equal(t.assignee_id, 0);
	assert_int_equal(count_audit(f, "ticket.queue"), 1);
	/* The same queue again changes nothing. */
	assert_int_equal(tickets_move(&f->app, f->c, &f->s, t1, "billing", &t),
			 0);
	assert_int_equal(count_audit(f, "ticket.queue"), 1);

	/* Now the other way round. */
	assert_invisible(f, &f->a1, t1);
	assert_true(listed(f, &f->a2, "billing", t1));
	assert_true(listed(f, &f->s, "billing", t1));
	assert_false(listed(f, &f->s, "general", t1));
	assert_int_equal(tickets_note(&f->app, f->c, &f->a2, t1, "checking",
				      &it), 0);
	assert_int_equal(send_reply(f, &f->a2, t1, "We are on it."), 0);
	assert_int_equal(tickets_staff_get(&f->app, f->c, &f->a2, t1, &t, &m,
					   &n), 0);
	assert_int_equal(t.assignee_id, f->agent2);
	thread_list_clear(&m);
	thread_list_clear(&n);
	assert_int_equal(tickets_set_status(&f->app, f->c, &f->a2, t1,
					    "pending", &t), 0);

	/* Held by agent2, it stays theirs when moved out of their queues,
	 * but taking it (again) needs the queue. */
	assert_int_equal(tickets_move(&f->app, f->c, &f->s, t1, "general", &t),
			 0);
	assert_int_equal(t.assignee_id, f->agent2);
	assert_true(listed(f, &f->a2, NULL, t1));
	assert_int_equal(tickets_assign(&f->app, f->c, &f->a2, t1, f->agent2,
					&t), -GH_FORBIDDEN);
	assert_invisible(f, &f->a1, t1);

	/* Membership one at a time, idempotent, audited when it changes. */
	assert_int_equal(tickets_staff_queue(&f->app, f->c, "cli",
					     "A1@example.com", "billing", 1,
					     &sid, &changed), 0);
	assert_int_equal(sid, f->agent1);
	assert_int_equal(changed, 1);
	assert_int_equal(tickets_staff_queue(&f->app, f->c, "cli",
					     "a1@example.com", "billing", 1,
					     &sid, &changed), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(count_audit(f, "staff.queue_add"), 2);
	assert_int_equal(tickets_staff_queue(&f->app, f->c, "cli",
					     "nobody@example.com", "billing", 1,
					     &sid, &changed), -GH_NOT_FOUND);
	assert_int_equal(tickets_staff_queue(&f->app, f->c, "cli",
					     "a1@example.com", "nope", 1, &sid,
					     &changed), -GH_UNKNOWN_QUEUE);
	assert_int_equal(tickets_staff_queue(&f->app, f->c, "cli",
					     "a1@example.com", "general", 0,
					     &sid, &changed), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(count_audit(f, "staff.queue_remove"), 2);
}

/* Notes of one ticket past the word limit of the note-copy index
 * (4,194,304 words): 129 real notes of 32,768 one-letter words each
 * (65,536 bytes, the most a note may hold), written through the store. */
static void
add_notes_over_limit(struct fx *f, int64_t ticket)
{
	char *body = malloc(TICKET_BODY_MAX + 1);
	int64_t id = 0;

	assert_non_null(body);
	for (size_t i = 0; i < TICKET_BODY_MAX; i += 2) {
		body[i] = (char)('a' + (i / 2) % 26);
		body[i + 1] = ' ';
	}
	body[TICKET_BODY_MAX] = '\0';
	for (int i = 0; i < 129; i++)
		assert_int_equal(f->c->ops->note_insert(f->c, ticket, f->agent1,
							body, 1, &id), 0);
	free(body);
}

static size_t
count_portal_messages(struct fx *f, int64_t ticket)
{
	struct thread_list l;
	size_t n;

	assert_int_equal(f->c->ops->portal_messages(f->c, f->cust_a, ticket,
						    &l), 0);
	n = l.n;
	thread_list_clear(&l);
	return n;
}

/* Defect 3: past the note index's word limit the note-copy check cannot
 * run. It fails closed: the reply is held (stored, not sent, never in the
 * portal), staff see it with its reason, and a supervisor other than its
 * author releases it (then it is sent and notified) or discards it. */
static void
test_reply_held_when_notes_too_large(void **state)
{
	struct fx *f = *state;
	const char *text = "Your refund is on its way.";
	struct tk_reply r;
	struct held_list hl;
	struct held_reply h;
	struct thread_item msg;
	struct dlp_findings fd;
	struct ticket_rec vt;
	struct thread_list vm, vn;
	int64_t tk = new_ticket(f, &f->a_cust, "Refund", "where is my refund");
	int64_t hid;

	add_notes_over_limit(f, tk);
	/* The check says so; it never answers "no match". */
	assert_int_equal(outbound_check(&f->app, f->c, tk, f->cust_a, text,
					strlen(text), NULL),
			 -GH_NOTES_TOO_LARGE);
	tk_reply_init(&r);
	assert_int_equal(tickets_reply(&f->app, f->c, &f->a1, tk, text, &r), 0);
	assert_true(r.held);
	assert_string_equal(r.reason, "notes_too_large");
	hid = r.item.id;
	assert_true(hid > 0);
	assert_string_equal(r.item.author_name, "Alice Agent");
	/* Fails closed: nothing reached the customer, no mail queued. */
	assert_int_equal(count_portal_messages(f, tk), 1);
	assert_int_equal(count_messages(f, tk), 1);
	assert_int_equal(count_outbox(f), 0);
	assert_int_equal(count_audit(f, "ticket.reply_held"), 1);
	/* What another detector finds is still refused outright. */
	assert_int_equal(tickets_reply(&f->app, f->c, &f->a1, tk,
				       "Write to eve@evil.test now.", &r),
			 -GH_DLP_BLOCKED);
	assert_true(r.findings.n >= 1);
	assert_string_equal(r.findings.v[0].type, "email");
	tk_reply_clear(&r);
	/* Staff see the held reply, with its reason. */
	assert_int_equal(tickets_held_list(&f->app, f->c, &f->a1, tk, &hl), 0);
	assert_int_equal(hl.n, 1);
	assert_int_equal(hl.v[0].id, hid);
	assert_string_equal(hl.v[0].state, "held");
	assert_string_equal(hl.v[0].reason, "notes_too_large");
	assert_string_equal(hl.v[0].body, text);
	held_list_clear(&hl);
	/* The staff view (issue 14 VIEW2) carries the same held replies with
	 * the threads, checking visibility once; what may not be seen gets
	 * nothing, every list empty. */
	assert_int_equal(tickets_staff_view(&f->app, f->c, &f->a1, tk, &vt, &vm,
					    &vn, &hl),
			 0);
	assert_int_equal(vt.id, tk);
	assert_int_equal(vm.n, 1);
	assert_int_equal(hl.n, 1);
	assert_int_equal(hl.v[0].id, hid);
	assert_string_equal(hl.v[0].reason, "notes_too_large");
	held_list_clear(&hl);
	thread_list_clear(&vm);
	thread_list_clear(&vn);
	assert_int_equal(tickets_staff_view(&f->app, f->c, &f->a1, tk + 1000,
					    &vt, &vm, &vn, &hl),
			 -GH_NOT_FOUND);
	assert_int_equal(vm.n + vn.n + hl.n, 0);
	assert_int_equal(tickets_staff_view(&f->app, f->c, &f->a_cust, tk, &vt,
					    &vm, &vn, &hl),
			 -GH_FORBIDDEN);
	assert_int_equal(vm.n + vn.n + hl.n, 0);

	/* Neither its author nor an agent may release it. */
	dlp_findings_init(&fd);
	assert_int_equal(tickets_held_release(&f->app, f->c, &f->a1, tk, hid,
					      "looks fine", &h, &msg, &fd),
			 -GH_FORBIDDEN);
	assert_int_equal(tickets_held_release(&f->app, f->c, &f->s, tk, hid,
					      "x", &h, &msg, &fd),
			 -GH_BAD_FIELD);
	assert_int_equal(tickets_held_release(&f->app, f->c, &f->s, tk,
					      hid + 1000, "checked it", &h,
					      &msg, &fd),
			 -GH_NOT_FOUND);
	assert_int_equal(count_portal_messages(f, tk), 1);
	/* A supervisor releases it: sent as its author wrote it, notified,
	 * audited with the reason. */
	assert_int_equal(tickets_held_release(&f->app, f->c, &f->s, tk, hid,
					      "Checked by hand.", &h, &msg,
					      &fd),
			 0);
	assert_string_equal(h.state, "released");
	assert_int_equal(h.decided_by, f->sup);
	assert_string_equal(h.decision, "Checked by hand.");
	assert_true(msg.id > 0);
	assert_int_equal(h.message_id, msg.id);
	assert_int_equal(msg.author_id, f->agent1);
	held_reply_clear(&h);
	assert_int_equal(count_portal_messages(f, tk), 2);
	assert_int_equal(count_outbox(f), 1);
	assert_int_equal(count_audit(f, "ticket.reply_release"), 1);
	/* Once. */
	assert_int_equal(tickets_held_release(&f->app, f->c, &f->s, tk, hid,
					      "Checked again.", &h, &msg, &fd),
			 -GH_BAD_STATE);
	assert_int_equal(tickets_held_discard(&f->app, f->c, &f->s, tk, hid,
					      "Changed my mind.", &h),
			 -GH_BAD_STATE);
	assert_int_equal(count_portal_messages(f, tk), 2);

	/* The supervisor's own held reply is not theirs to release; the
	 * refusal is audited. */
	tk_reply_init(&r);
	assert_int_equal(tickets_reply(&f->app, f->c, &f->s, tk, "Approved.",
				       &r),
			 0);
	assert_true(r.held);
	hid = r.item.id;
	tk_reply_clear(&r);
	assert_int_equal(tickets_held_discard(&f->app, f->c, &f->s, tk, hid,
					      "My own reply.", &h),
			 -GH_FORBIDDEN);
	assert_int_equal(count_audit(f, "ticket.reply_discard"), 1);
	dlp_findings_free(&fd);
	assert_int_equal(count_portal_messages(f, tk), 2);
}

/* A reply is checked outside the write transaction; inside it the note
 * mark says whether a note came in since (the reply is then checked
 * again), unless the check leaves the notes out (a released reply). */
static void
test_note_mark(void **state)
{
	struct fx *f = *state;
	struct outbound_ctx x;
	struct thread_item it;
	int64_t tk = new_ticket(f, &f->a_cust, "Mark", "body");

	assert_int_equal(tickets_note(&f->app, f->c, &f->a1, tk, "first", &it),
			 0);
	assert_int_equal(outbound_prepare(&f->app, f->c, tk, f->cust_a, &x),
			 0);
	assert_int_equal(x.note_count, 1);
	assert_int_equal(x.note_last, it.id);
	assert_int_equal(outbound_notes_unchanged(f->c, &x), 0);
	assert_int_equal(tickets_note(&f->app, f->c, &f->s, tk, "second", &it),
			 0);
	assert_int_equal(outbound_notes_unchanged(f->c, &x), -GH_CONFLICT);
	x.skip_notes = 1;
	assert_int_equal(outbound_notes_unchanged(f->c, &x), 0);
	outbound_ctx_clear(&x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_header_injection),
		cmocka_unit_test_setup_teardown(test_portal_filter, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_notes_never_on_portal,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_agent_visibility, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_queue_visibility, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reply_blocked_by_note,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbound_no_engine, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_reply_held_when_notes_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_note_mark, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_notification_mail, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mail_retry, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
