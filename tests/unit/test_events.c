/*
 * Unit tests of core/events.c (issue 15, part LIVE) on a real SQLite
 * store: events are written in the change's transaction (and not at all
 * when it rolls back), with the ticket's queue, assignee and customer;
 * the visibility rule per recipient (an agent's queues and own tickets,
 * a ticket leaving their sight, supervisors, customers' own tickets and
 * visible kinds only, nobody told of their own typing); frames carry ids
 * only; a stream's session check with an injected clock (idle, absolute,
 * logout, disabled); typing recorded at most every few seconds; unread
 * markers per staff member. ASVS 8.2.2 (the rule), 15.3.1 (ids only),
 * 7.4.1 (an ended session ends the stream).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/app.h"
#include "core/events.h"
#include "core/tickets.h"
#include "util/errors.h"

#include "ticket_fixture.h"

static int
setup(void **state)
{
	return fx_setup(state, "/tmp/gh-test-events-XXXXXX");
}

static const struct event_rec *
find_kind(const struct event_list *l, const char *kind)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].kind, kind) == 0)
			return &l->v[i];
	return NULL;
}

static int64_t
new_ticket(struct fx *f)
{
	struct ticket_rec t;

	assert_int_equal(tickets_portal_create(&f->app, f->c, &f->a_cust,
					       "Printer on fire",
					       "It smokes, secret words", &t),
			 0);
	return t.id;
}

/* A new ticket records ticket.created with its queue and customer; the
 * row holds no text. */
static void
test_append_in_transaction(void **state)
{
	struct fx *f = *state;
	struct event_list l;
	const struct event_rec *e;
	int64_t t = new_ticket(f);

	assert_int_equal(events_read(&f->app, 0, 100, &l), 0);
	e = find_kind(&l, EV_TICKET_CREATED);
	assert_non_null(e);
	assert_int_equal(e->ticket_id, t);
	assert_int_equal(e->queue_id, STORE_QUEUE_GENERAL);
	assert_int_equal(e->customer_id, f->cust_a);
	assert_int_equal(e->assignee_id, 0);
	assert_true(e->message_id > 0);
	assert_int_equal(e->actor_realm, REALM_CUSTOMER);
	event_list_clear(&l);
}

static int
tx_fail_after_event(struct store_conn *c, void *cls)
{
	int64_t *t = cls;
	int rc = events_append(c, EV_TICKET_STATUS, *t, 0, REALM_STAFF, 1);

	return rc < 0 ? rc : -GH_CONFLICT;
}

/* A change that rolls back leaves no event; an event on a ticket that
 * does not exist is refused. */
static void
test_rolled_back_leaves_nothing(void **state)
{
	struct fx *f = *state;
	int64_t t = new_ticket(f), before = 0, after = 0;

	assert_int_equal(events_last_id(f->c, &before), 0);
	assert_int_equal(store_transact(f->c, tx_fail_after_event, &t),
			 -GH_CONFLICT);
	assert_int_equal(events_last_id(f->c, &after), 0);
	assert_int_equal(after, before);
	assert_int_equal(events_append(f->c, EV_TICKET_STATUS, 999999, 0,
				       REALM_STAFF, 1),
			 -GH_NOT_FOUND);
}

static struct event_rec
ev(const char *kind, int64_t queue, int64_t assignee, int64_t customer)
{
	struct event_rec e;

	memset(&e, 0, sizeof(e));
	e.id = 7;
	snprintf(e.kind, sizeof(e.kind), "%s", kind);
	e.ticket_id = 42;
	e.queue_id = queue;
	e.assignee_id = assignee;
	e.customer_id = customer;
	e.message_id = 9;
	e.actor_realm = REALM_CUSTOMER;
	e.actor_id = customer;
	return e;
}

/* The lists' rule, per recipient. */
static void
test_visibility_rule(void **state)
{
	struct ev_viewer agent = {REALM_STAFF, 5, 0, {1, 3}, 2, ""};
	struct ev_viewer sup = {REALM_STAFF, 6, 1, {0}, 0, ""};
	struct ev_viewer cust = {REALM_CUSTOMER, 70, 0, {0}, 0, ""};
	struct event_rec e;

	(void)state;
	e = ev(EV_MESSAGE_CUSTOMER, 1, 0, 70);
	assert_true(events_visible(&agent, &e));   /* unassigned, my queue */
	e.queue_id = 2;
	assert_false(events_visible(&agent, &e));  /* another queue */
	assert_true(events_visible(&sup, &e));
	e.assignee_id = 5;
	assert_true(events_visible(&agent, &e));   /* mine, any queue */
	e.assignee_id = 8;
	e.queue_id = 1;
	assert_false(events_visible(&agent, &e));  /* a colleague's */
	/* Taken from me by a colleague: told once. */
	e = ev(EV_TICKET_ASSIGNED, 1, 8, 70);
	e.prev_assignee_id = 5;
	assert_true(events_visible(&agent, &e));
	e.prev_assignee_id = 9;
	assert_false(events_visible(&agent, &e));
	/* Moved out of my queue: told once. */
	e = ev(EV_TICKET_QUEUE, 2, 0, 70);
	e.prev_queue_id = 3;
	assert_true(events_visible(&agent, &e));
	e.prev_queue_id = 4;
	assert_false(events_visible(&agent, &e));
	/* Customers: their own tickets, visible kinds only. */
	e = ev(EV_MESSAGE_STAFF, 1, 5, 70);
	assert_true(events_visible(&cust, &e));
	e.customer_id = 71;
	assert_false(events_visible(&cust, &e));
	e.customer_id = 70;
	snprintf(e.kind, sizeof(e.kind), "%s", EV_NOTE_CREATED);
	assert_false(events_visible(&cust, &e));
	snprintf(e.kind, sizeof(e.kind), "%s", EV_TICKET_ASSIGNED);
	assert_false(events_visible(&cust, &e));
	snprintf(e.kind, sizeof(e.kind), "%s", EV_TYPING);
	assert_false(events_visible(&cust, &e));
	snprintf(e.kind, sizeof(e.kind), "%s", EV_TICKET_STATUS);
	assert_true(events_visible(&cust, &e));
	/* Nobody is told of their own typing. */
	e = ev(EV_TYPING, 1, 0, 70);
	e.actor_realm = REALM_STAFF;
	e.actor_id = 6;
	assert_false(events_visible(&sup, &e));
	assert_true(events_visible(&agent, &e));
}

/* Frames: id, kind, ids; staff get the queue, customers do not; typing
 * carries the name and how long to show it. */
static void
test_frames_ids_only(void **state)
{
	struct ev_viewer agent = {REALM_STAFF, 5, 0, {1}, 1, ""};
	struct ev_viewer cust = {REALM_CUSTOMER, 70, 0, {0}, 0, ""};
	struct event_rec e = ev(EV_MESSAGE_CUSTOMER, 1, 0, 70);
	char out[EVENTS_FRAME_MAX];
	size_t n;

	(void)state;
	n = events_frame(&agent, &e, out, sizeof(out));
	assert_true(n > 0);
	assert_string_equal(out, "id: 7\nevent: message.customer\n"
				 "data: {\"ticket\":42,\"queue\":1,"
				 "\"message\":9}\n\n");
	n = events_frame(&cust, &e, out, sizeof(out));
	assert_string_equal(out, "id: 7\nevent: message.customer\n"
				 "data: {\"ticket\":42,\"message\":9}\n\n");
	/* A staff member's change: staff are told who, customers never. */
	e = ev(EV_MESSAGE_STAFF, 1, 0, 70);
	e.actor_realm = REALM_STAFF;
	e.actor_id = 6;
	n = events_frame(&agent, &e, out, sizeof(out));
	assert_non_null(strstr(out, "\"by\":6"));
	n = events_frame(&cust, &e, out, sizeof(out));
	assert_true(n > 0);
	assert_null(strstr(out, "\"by\""));
	assert_null(strstr(out, ":6"));
	e = ev(EV_TYPING, 1, 0, 70);
	e.message_id = 0;
	e.actor_realm = REALM_STAFF;
	e.actor_id = 6;
	snprintf(e.actor_name, sizeof(e.actor_name), "Ann");
	n = events_frame(&agent, &e, out, sizeof(out));
	assert_true(n > 0);
	assert_non_null(strstr(out, "\"name\":\"Ann\",\"ttl\":10"));
	/* Not visible: no frame. */
	assert_int_equal(events_frame(&cust, &e, out, sizeof(out)), 0);
}

/* A long non-ASCII name, cut by the store to its buffer inside a
 * character, still gives the frame a name: the whole characters. */
static void
test_frame_long_name(void **state)
{
	struct ev_viewer agent = {REALM_STAFF, 5, 0, {1}, 1, ""};
	struct event_rec e = ev(EV_TYPING, 1, 0, 70);
	char out[EVENTS_FRAME_MAX], want[160], name[160] = "";
	size_t n;

	(void)state;
	e.message_id = 0;
	e.actor_realm = REALM_STAFF;
	e.actor_id = 6;
	/* 40 two-byte characters: 63 bytes hold 31 and half of one. */
	for (int i = 0; i < 40; i++)
		memcpy(name + 2 * i, "\xc3\x84", 3);
	memcpy(e.actor_name, name, sizeof(e.actor_name) - 1); /* as stored */
	e.actor_name[sizeof(e.actor_name) - 1] = '\0';
	n = events_frame(&agent, &e, out, sizeof(out));
	assert_true(n > 0);
	snprintf(want, sizeof(want), "\"name\":\"%.62s\",", name);
	assert_non_null(strstr(out, want));
	/* "A" and three-byte characters: 63 bytes end two bytes into one. */
	name[0] = 'A';
	for (int i = 0; i < 30; i++)
		memcpy(name + 1 + 3 * i, "\xe2\x82\xac", 4);
	memcpy(e.actor_name, name, sizeof(e.actor_name) - 1); /* as stored */
	e.actor_name[sizeof(e.actor_name) - 1] = '\0';
	n = events_frame(&agent, &e, out, sizeof(out));
	assert_true(n > 0);
	snprintf(want, sizeof(want), "\"name\":\"%.61s\",", name);
	assert_non_null(strstr(out, want));
}

static void
put_session(struct fx *f, const char *hash, int64_t id, int64_t now)
{
	struct session_rec s;

	memset(&s, 0, sizeof(s));
	snprintf(s.token_hash, sizeof(s.token_hash), "%s", hash);
	s.realm = REALM_STAFF;
	s.principal_id = id;
	s.created_at = now;
	s.last_seen = now;
	s.idle_secs = 900;
	s.abs_expires = now + 3600;
	s.mfa = 1;
	assert_int_equal(f->c->ops->session_insert(f->c, &s), 0);
}

/* The stream's session check, with an injected clock. */
static void
test_viewer_check(void **state)
{
	struct fx *f = *state;
	const int64_t now = 1800000000;
	struct ev_viewer v;

	put_session(f, "aa11", f->agent1, now);
	assert_int_equal(events_viewer_load(f->c, &f->a1, "aa11", &v), 0);
	assert_int_equal(v.n_queues, 1); /* general */
	assert_int_equal(events_viewer_check(f->c, &v, now + 899), 0);
	assert_int_equal(events_viewer_check(f->c, &v, now + 900),
			 -GH_SESSION_REQUIRED); /* idle */
	assert_int_equal(events_viewer_check(f->c, &v, now + 3600),
			 -GH_SESSION_REQUIRED); /* absolute */
	assert_int_equal(f->c->ops->account_set_disabled(f->c, REALM_STAFF,
							 f->agent1, 1),
			 0);
	assert_int_equal(events_viewer_check(f->c, &v, now + 1),
			 -GH_SESSION_REQUIRED); /* disabled */
	assert_int_equal(f->c->ops->session_delete(f->c, "aa11"), 0);
	assert_int_equal(events_viewer_check(f->c, &v, now + 1),
			 -GH_SESSION_REQUIRED); /* logged out */
}

static int64_t
count_kind(struct fx *f, const char *kind)
{
	struct event_list l;
	int64_t n = 0;

	assert_int_equal(events_read(&f->app, 0, 1000, &l), 0);
	for (size_t i = 0; i < l.n; i++)
		n += strcmp(l.v[i].kind, kind) == 0;
	event_list_clear(&l);
	return n;
}

/* Typing: recorded once within EVENTS_TYPING_EVERY seconds; a ticket the
 * agent cannot see is -GH_NOT_FOUND; customers may not. */
static void
test_typing(void **state)
{
	struct fx *f = *state;
	int64_t t = new_ticket(f);
	struct ticket_rec out;

	assert_int_equal(events_typing(&f->app, f->c, &f->a1, t), 0);
	assert_int_equal(events_typing(&f->app, f->c, &f->a1, t), 0);
	assert_int_equal(count_kind(f, EV_TYPING), 1);
	assert_int_equal(events_typing(&f->app, f->c, &f->a_cust, t),
			 -GH_FORBIDDEN);
	assert_int_equal(tickets_assign(&f->app, f->c, &f->s, t, f->agent2,
					&out),
			 0);
	assert_int_equal(events_typing(&f->app, f->c, &f->a1, t),
			 -GH_NOT_FOUND);
	assert_int_equal(count_kind(f, EV_TICKET_ASSIGNED), 1);
}

/* Unread: per staff member, until they open the ticket. */
static void
test_unread(void **state)
{
	struct fx *f = *state;
	int64_t t = new_ticket(f);
	int64_t ids[1] = {t};
	int u[1];
	struct thread_item it;

	assert_int_equal(events_unread(f->c, f->agent1, ids, 1, u), 0);
	assert_int_equal(u[0], 1);
	assert_int_equal(events_seen(f->c, f->agent1, t), 0);
	assert_int_equal(events_unread(f->c, f->agent1, ids, 1, u), 0);
	assert_int_equal(u[0], 0);
	assert_int_equal(events_unread(f->c, f->agent2, ids, 1, u), 0);
	assert_int_equal(u[0], 1);
	assert_int_equal(tickets_portal_message(&f->app, f->c, &f->a_cust, t,
						"More.", &it),
			 0);
	thread_item_clear(&it);
	assert_int_equal(events_unread(f->c, f->agent1, ids, 1, u), 0);
	assert_int_equal(u[0], 1);
	assert_int_equal(count_kind(f, EV_MESSAGE_CUSTOMER), 1);
}

/* Every change of a ticket records its kind: status, assignment, queue
 * (through core/tickets_assign.c), priority and tags
 * (core/tickets_attrs.c); a no-op change records nothing. */
static void
test_changes_record_kinds(void **state)
{
	struct fx *f = *state;
	int64_t t = new_ticket(f);
	const char *add[] = {"vip"};
	struct ticket_rec out;

	assert_int_equal(tickets_set_status(&f->app, f->c, &f->s, t, "pending",
					    &out),
			 0);
	assert_int_equal(tickets_set_status(&f->app, f->c, &f->s, t, "pending",
					    &out),
			 0);
	assert_int_equal(tickets_set_priority(&f->app, f->c, &f->s, t, "high",
					      &out),
			 0);
	assert_int_equal(tickets_set_tags(&f->app, f->c, &f->s, t, add, 1, NULL,
					  0, &out),
			 0);
	assert_int_equal(count_kind(f, EV_TICKET_STATUS), 1);
	assert_int_equal(count_kind(f, EV_TICKET_PRIORITY), 1);
	assert_int_equal(count_kind(f, EV_TICKET_TAGS), 1);
}

/* Last-Event-ID: decimal digits only, at most 18 of them. */
static void
test_parse_id(void **state)
{
	int64_t id;

	(void)state;
	assert_int_equal(events_parse_id(NULL, &id), 0);
	assert_int_equal(id, -1);
	assert_int_equal(events_parse_id("", &id), 0);
	assert_int_equal(id, -1);
	assert_int_equal(events_parse_id("0", &id), 0);
	assert_int_equal(id, 0);
	assert_int_equal(events_parse_id("123456789012345678", &id), 0);
	assert_int_equal(id, 123456789012345678);
	assert_int_equal(events_parse_id("1234567890123456789", &id),
			 -GH_BAD_EVENT_ID);
	assert_int_equal(events_parse_id("12x", &id), -GH_BAD_EVENT_ID);
	assert_int_equal(events_parse_id("-1", &id), -GH_BAD_EVENT_ID);
	assert_int_equal(events_parse_id(" 1", &id), -GH_BAD_EVENT_ID);
	assert_int_equal(events_parse_id("+1", &id), -GH_BAD_EVENT_ID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_in_transaction,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_rolled_back_leaves_nothing,
						setup, teardown),
		cmocka_unit_test(test_visibility_rule),
		cmocka_unit_test(test_frames_ids_only),
		cmocka_unit_test(test_frame_long_name),
		cmocka_unit_test(test_parse_id),
		cmocka_unit_test_setup_teardown(test_viewer_check, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_typing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changes_record_kinds, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
