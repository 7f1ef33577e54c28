/*
 * API tests of canned replies (issue 15, part MACROS) against the real
 * server: personal and shared macros created, listed, changed and
 * deleted; who may see and change which (ASVS 8.2.1, 8.2.2: personal
 * macros only by their owner, shared ones by supervisors and admins,
 * agents see only their queues' shared ones, another queue's macro on a
 * ticket is 404); the placeholder whitelist (400 naming the placeholder);
 * the outbound check at save (422 dlp_blocked with the findings, nothing
 * stored) and again on the expanded text at send (ASVS 8.3.1); the
 * preview; applying (the reply through the reply path, then status,
 * priority and tags, each through its setter); the limits per agent and per queue; audit records
 * of every change and refusal, never with the text (ASVS 7.1.1, 7.2.1);
 * bad input answering 400 and changing nothing (ASVS 5.1.3).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* [macros] limits of this server. */
#define PER_AGENT 8
#define PER_QUEUE 4
#define STR_(x) #x
#define STR(x) STR_(x)

struct world {
	struct gh_server s;
	struct gh_user agent1, agent2, agent3, sup, cust;
	struct gh_client c_agent1, c_agent2, c_agent3, c_sup, c_cust;
};

static struct world *W;

static void
cli(const char *const *args)
{
	assert_int_equal(gh_cli(&W->s, NULL, NULL, args), 0);
}

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	const char *billing[] = {"queue", "add", "--name", "billing", NULL};
	const char *small[] = {"queue", "add", "--name", "small", NULL};
	const char *join[] = {"staff", "queue", "--email",
			      "agent2@example.com", "--add", "billing", NULL};
	const char *leave[] = {"staff", "queue", "--email",
			       "agent2@example.com", "--remove", "general",
			       NULL};

	W = w;
	gh_start(&w->s, "\n[company]\nname = Acme\n"
			"[macros]\nper_agent = " STR(PER_AGENT) "\nper_queue = " STR(PER_QUEUE) "\n");
	gh_add_staff(&w->s, "agent1@example.com", "agent", &w->agent1);
	gh_add_staff(&w->s, "agent2@example.com", "agent", &w->agent2);
	gh_add_staff(&w->s, "agent3@example.com", "agent", &w->agent3);
	gh_add_staff(&w->s, "sup@example.com", "supervisor", &w->sup);
	gh_add_customer(&w->s, "cust@example.org", &w->cust);
	cli(billing);
	cli(small);
	cli(join);
	cli(leave);
	gh_client_init(&w->c_agent1, 1);
	gh_client_init(&w->c_agent2, 1);
	gh_client_init(&w->c_agent3, 1);
	gh_client_init(&w->c_sup, 1);
	gh_client_init(&w->c_cust, 0);
	assert_int_equal(gh_login(&w->s, &w->c_agent1, &w->agent1), 201);
	assert_int_equal(gh_login(&w->s, &w->c_agent2, &w->agent2), 201);
	assert_int_equal(gh_login(&w->s, &w->c_agent3, &w->agent3), 201);
	assert_int_equal(gh_login(&w->s, &w->c_sup, &w->sup), 201);
	assert_int_equal(gh_login(&w->s, &w->c_cust, &w->cust), 201);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	gh_client_free(&w->c_agent1);
	gh_client_free(&w->c_agent2);
	gh_client_free(&w->c_agent3);
	gh_client_free(&w->c_sup);
	gh_client_free(&w->c_cust);
	assert_int_equal(gh_stop(&w->s), 0);
	free(w);
	return 0;
}

/* --- helpers ------------------------------------------------------------------ */

static int64_t
macros_count(void)
{
	return gh_db_count(&W->s, "SELECT COUNT(*) FROM macros");
}

/* POST /macros with obj (stolen); the status, *id the new macro's. */
static long
create(struct gh_client *c, json_t *obj, int64_t *id, struct gh_resp *r)
{
	long st = gh_send_json(&W->s, c, "POST", "/api/v1/macros", obj, r);

	if (id != NULL)
		*id = st == 201 ? json_integer_value(json_object_get(r->json,
								     "id"))
				: 0;
	return st;
}

/* A macro that must be created: its id. queue NULL: personal. */
static int64_t
made(struct gh_client *c, const char *name, const char *text,
     const char *queue, json_t *actions)
{
	json_t *o = json_pack("{s:s, s:s}", "name", name, "text", text);
	struct gh_resp r;
	int64_t id;

	if (queue != NULL)
		json_object_set_new(o, "queue", json_string(queue));
	if (actions != NULL)
		json_object_set_new(o, "actions", actions);
	assert_int_equal(create(c, o, &id, &r), 201);
	assert_true(id > 0);
	gh_resp_free(&r);
	return id;
}

static long
macro_req(struct gh_client *c, const char *method, int64_t id, json_t *obj,
	  struct gh_resp *r)
{
	char path[64];

	snprintf(path, sizeof(path), "/api/v1/macros/%lld", (long long)id);
	if (obj == NULL)
		return gh_req(&W->s, c, method, path, NULL, NULL, r);
	return gh_send_json(&W->s, c, method, path, obj, r);
}

/* POST .../apply or GET .../preview of macro mid on ticket tid. */
static long
on_ticket(struct gh_client *c, int64_t tid, int64_t mid, int apply,
	  struct gh_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/macros/%lld/%s",
		 (long long)tid, (long long)mid, apply ? "apply" : "preview");
	return gh_req(&W->s, c, apply ? "POST" : "GET", path,
		      apply ? "{}" : NULL, NULL, r);
}

static int64_t
customer_ticket(const char *subject)
{
	struct gh_resp r;
	int64_t id;

	assert_int_equal(gh_send_json(&W->s, &W->c_cust, "POST",
				      "/api/v1/portal/tickets",
				      json_pack("{s:s, s:s}", "subject",
						subject, "body", "Hello"),
				      &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	return id;
}

/* 1 when GET /macros (with query, may be "") as c lists macro id. */
static int
lists(struct gh_client *c, const char *query, int64_t id)
{
	char path[96];
	struct gh_resp r;
	size_t i;
	json_t *m;
	int found = 0;

	snprintf(path, sizeof(path), "/api/v1/macros%s", query);
	assert_int_equal(gh_req(&W->s, c, "GET", path, NULL, NULL, &r), 200);
	json_array_foreach(json_object_get(r.json, "macros"), i, m)
		if (json_integer_value(json_object_get(m, "id")) == id)
			found = 1;
	gh_resp_free(&r);
	return found;
}

static void
assert_error(struct gh_resp *r, const char *code, const char *field)
{
	assert_string_equal(gh_error(r), code);
	if (field != NULL)
		assert_string_equal(json_string_value(json_object_get(r->json,
								      "field")),
				    field);
	gh_resp_free(r);
}

/* --- tests ---------------------------------------------------------------------- */

/* A personal macro: created, listed, changed, deleted by its owner only;
 * audited with its name, never its text. */
static void
test_personal_crud(void **state)
{
	struct gh_resp r;
	int64_t id;

	(void)state;
	id = made(&W->c_agent1, "Greeting", "Hello, we are on it (zebra-41).",
		  NULL, json_pack("{s:s}", "status", "pending"));
	assert_true(lists(&W->c_agent1, "", id));
	assert_false(lists(&W->c_agent2, "", id));
	assert_false(lists(&W->c_sup, "", id));
	assert_int_equal(macro_req(&W->c_agent1, "PUT", id,
				   json_pack("{s:s, s:s}", "name", "Hello",
					     "text", "Hi again (zebra-42)."),
				   &r),
			 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "name")),
			    "Hello");
	assert_string_equal(json_string_value(json_object_get(r.json, "scope")),
			    "personal");
	assert_true(json_is_null(json_object_get(
		json_object_get(r.json, "actions"), "status")));
	gh_resp_free(&r);
	/* Another agent, and a supervisor: it does not exist for them. */
	assert_int_equal(macro_req(&W->c_agent2, "PUT", id,
				   json_pack("{s:s, s:s}", "name", "Mine",
					     "text", "x"),
				   &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(macro_req(&W->c_sup, "DELETE", id, NULL, &r), 404);
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&W->s, "SELECT COUNT(*) FROM macros "
					     "WHERE id = %lld AND name = "
					     "'Hello'", (long long)id),
			 1);
	assert_int_equal(macro_req(&W->c_agent1, "DELETE", id, NULL, &r), 200);
	gh_resp_free(&r);
	assert_int_equal(macro_req(&W->c_agent1, "DELETE", id, NULL, &r), 404);
	gh_resp_free(&r);
	assert_true(gh_audit_count(&W->s, "macro.create", "success") >= 1);
	assert_true(gh_audit_count(&W->s, "macro.update", "success") >= 1);
	assert_true(gh_audit_count(&W->s, "macro.delete", "success") >= 1);
	assert_int_equal(gh_db_count(&W->s, "SELECT COUNT(*) FROM audit WHERE "
					    "record LIKE '%zebra-4%'"),
			 0);
	assert_true(gh_db_count(&W->s, "SELECT COUNT(*) FROM audit WHERE "
				       "record LIKE '%\"name\":\"Hello\"%'") >=
		    1);
}

/* Shared macros: supervisors create and change them, agents use those
 * of their queues only and may not change them. */
static void
test_shared_rules(void **state)
{
	struct gh_resp r;
	int64_t general, billing, n = macros_count();
	int64_t denied = gh_audit_count(&W->s, "macro.create", "denied");

	(void)state;
	assert_int_equal(create(&W->c_agent1,
				json_pack("{s:s, s:s, s:s}", "name", "Team",
					  "text", "Thanks!", "queue",
					  "general"),
				NULL, &r),
			 403);
	assert_error(&r, "forbidden", NULL);
	assert_int_equal(macros_count(), n);
	assert_int_equal(gh_audit_count(&W->s, "macro.create", "denied"),
			 denied + 1);
	general = made(&W->c_sup, "Team thanks", "Thanks from the team.",
		       "general", NULL);
	billing = made(&W->c_sup, "Refund", "Your refund is on its way.",
		       "billing", NULL);
	assert_true(lists(&W->c_agent1, "", general));
	assert_false(lists(&W->c_agent1, "", billing));
	assert_true(lists(&W->c_agent2, "", billing));
	assert_false(lists(&W->c_agent2, "", general));
	assert_true(lists(&W->c_sup, "", billing));
	/* Seen but not theirs to change; not seen at all. */
	assert_int_equal(macro_req(&W->c_agent1, "PUT", general,
				   json_pack("{s:s, s:s}", "name", "Mine",
					     "text", "x"),
				   &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(macro_req(&W->c_agent1, "DELETE", general, NULL, &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(macro_req(&W->c_agent1, "PUT", billing,
				   json_pack("{s:s, s:s}", "name", "Mine",
					     "text", "x"),
				   &r),
			 404);
	gh_resp_free(&r);
	assert_true(gh_audit_count(&W->s, "macro.update", "denied") >= 1);
	assert_int_equal(macro_req(&W->c_sup, "PUT", general,
				   json_pack("{s:s, s:s}", "name",
					     "Team thanks", "text",
					     "Thanks from all of us."),
				   &r),
			 200);
	gh_resp_free(&r);
	/* A name is unique in its queue; an unknown queue is named. */
	assert_int_equal(create(&W->c_sup,
				json_pack("{s:s, s:s, s:s}", "name",
					  "Team thanks", "text", "Again",
					  "queue", "general"),
				NULL, &r),
			 409);
	assert_error(&r, "macro_exists", "name");
	assert_int_equal(create(&W->c_sup,
				json_pack("{s:s, s:s, s:s}", "name", "Other",
					  "text", "Again", "queue", "nope"),
				NULL, &r),
			 400);
	assert_error(&r, "unknown_queue", "queue");
	assert_int_equal(macros_count(), n + 2);
}

/* Only the four placeholders; any other {{...}} is refused, named. */
static void
test_placeholders(void **state)
{
	static const struct {
		const char *text, *name;
	} bad[] = {
		{"Dear {{customer.email}}, hello", "customer.email"},
		{"Dear {{customer.last_name}}", "customer.last_name"},
		{"Ticket {{ ticket.id }}", " ticket.id "},
		{"Born {{customer.dob}}", "customer.dob"},
		{"Open {{ticket.id", ""},
	};
	struct gh_resp r;
	int64_t n = macros_count();

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(create(&W->c_agent1,
					json_pack("{s:s, s:s}", "name", "P",
						  "text", bad[i].text),
					NULL, &r),
				 400);
		assert_string_equal(
			json_string_value(json_object_get(r.json,
							  "placeholder")),
			bad[i].name);
		assert_error(&r, "bad_placeholder", "text");
	}
	assert_int_equal(macros_count(), n);
}

/* A text the outbound check would block is refused at save with the
 * findings: a card number, an API key. Nothing is stored; the refusal
 * is audited with the finding types only. */
static void
test_save_blocked(void **state)
{
	static const struct {
		const char *text, *type;
	} bad[] = {
		{"Pay with card 4111 1111 1111 1111 please", "credit_card"},
		{"Use the key AKIAZ3MSJV4WWNKWW5FG to log in", "secret"},
	};
	struct gh_resp r;
	int64_t n = macros_count(), id;
	json_t *f;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(create(&W->c_agent1,
					json_pack("{s:s, s:s}", "name", "Bad",
						  "text", bad[i].text),
					NULL, &r),
				 422);
		f = json_array_get(json_object_get(r.json, "findings"), 0);
		assert_string_equal(json_string_value(json_object_get(f,
								      "type")),
				    bad[i].type);
		/* The whole values: a short run such as "4111" can stand in a
		 * hash or a time by chance. */
		assert_null(strstr(r.body, "4111 1111"));
		assert_null(strstr(r.body, "4111111111"));
		assert_null(strstr(r.body, "AKIAZ3MSJV4W"));
		assert_error(&r, "dlp_blocked", "text");
	}
	assert_int_equal(macros_count(), n);
	/* An update to a blocked text changes nothing either. */
	id = made(&W->c_agent1, "Safe", "Nothing secret here.", NULL, NULL);
	assert_int_equal(macro_req(&W->c_agent1, "PUT", id,
				   json_pack("{s:s, s:s}", "name", "Safe",
					     "text", bad[0].text),
				   &r),
			 422);
	assert_error(&r, "dlp_blocked", "text");
	assert_int_equal(gh_db_countf(&W->s, "SELECT COUNT(*) FROM macros "
					     "WHERE id = %lld AND body = "
					     "'Nothing secret here.'",
				      (long long)id),
			 1);
	assert_true(gh_audit_count(&W->s, "macro.create", "denied") >= 2);
	assert_int_equal(gh_db_count(&W->s, "SELECT COUNT(*) FROM audit WHERE "
					    "record LIKE '%4111 1111%' OR "
					    "record LIKE '%4111111111%' OR "
					    "record LIKE '%AKIAZ3MSJV4W%'"),
			 0);
	assert_int_equal(macro_req(&W->c_agent1, "DELETE", id, NULL, &r), 200);
	gh_resp_free(&r);
}

/* Preview and apply: the placeholders expand to the non-personal values;
 * the reply goes through the reply path (message, assignment, audit) and
 * the status follows. Another queue's macro, another agent's: 404. */
static void
test_apply(void **state)
{
	struct gh_resp r;
	int64_t tid = customer_ticket("Where is my parcel"), mine, shared;
	int64_t billing, other, msgs;
	char want[256];

	(void)state;
	mine = made(&W->c_agent1, "Parcel",
		    "Hi {{customer.first_name}}, ticket {{ticket.id}}: "
		    "{{agent.first_name}} at {{company.name}}.",
		    NULL, NULL);
	shared = made(&W->c_sup, "Pending parcel", "We are checking, "
		      "{{customer.first_name}}.", "general",
		      json_pack("{s:s}", "status", "pending"));
	billing = made(&W->c_sup, "Billing only", "About your bill.",
		       "billing", NULL);
	other = made(&W->c_agent2, "Theirs", "Not yours.", NULL, NULL);
	snprintf(want, sizeof(want), "?ticket=%lld", (long long)tid);
	assert_true(lists(&W->c_sup, want, shared));
	assert_false(lists(&W->c_sup, want, billing));
	assert_int_equal(on_ticket(&W->c_agent1, tid, mine, 0, &r), 200);
	snprintf(want, sizeof(want), "Hi Test, ticket %lld: Test at Acme.",
		 (long long)tid);
	assert_string_equal(json_string_value(json_object_get(r.json, "text")),
			    want);
	gh_resp_free(&r);
	msgs = gh_db_count(&W->s, "SELECT COUNT(*) FROM messages");
	assert_int_equal(on_ticket(&W->c_sup, tid, billing, 1, &r), 404);
	gh_resp_free(&r);
	assert_int_equal(on_ticket(&W->c_agent1, tid, other, 1, &r), 404);
	gh_resp_free(&r);
	assert_int_equal(on_ticket(&W->c_agent1, tid, other, 0, &r), 404);
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&W->s, "SELECT COUNT(*) FROM messages"),
			 msgs);
	assert_int_equal(on_ticket(&W->c_agent1, tid, shared, 1, &r), 201);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(r.json, "reply"), "body")),
			    "We are checking, Test.");
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(r.json, "ticket"),
				    "status")),
			    "pending");
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&W->s, "SELECT COUNT(*) FROM tickets "
					     "WHERE id = %lld AND status = "
					     "'pending' AND assignee_id = %lld",
				      (long long)tid,
				      (long long)W->agent1.id),
			 1);
	assert_int_equal(gh_db_count(&W->s, "SELECT COUNT(*) FROM messages"),
			 msgs + 1);
	assert_true(gh_audit_count(&W->s, "macro.apply", "success") >= 1);
	assert_true(gh_audit_count(&W->s, "ticket.reply", "success") >= 1);
	assert_true(gh_audit_count(&W->s, "ticket.status", NULL) >= 1);
	/* agent2 sees neither the ticket (general) nor its macros. */
	assert_int_equal(on_ticket(&W->c_agent2, tid, shared, 0, &r), 404);
	gh_resp_free(&r);
}

/* A macro saved clean is checked again, expanded, at every send: a text
 * copied from the ticket's internal note is blocked there, with the
 * findings, and nothing is sent or changed. */
static void
test_apply_blocked(void **state)
{
	const char *sentence = "the caller could not confirm the last "
			       "payment amount on the account";
	struct gh_resp r;
	char text[256], path[64];
	int64_t tid = customer_ticket("Account question"), mid, msgs;

	(void)state;
	snprintf(text, sizeof(text), "Hello {{customer.first_name}}, %s.",
		 sentence);
	mid = made(&W->c_agent1, "Unconfirmed", text, NULL,
		   json_pack("{s:s}", "status", "solved"));
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/notes",
		 (long long)tid);
	snprintf(text, sizeof(text), "Note: %s.", sentence);
	assert_int_equal(gh_send_json(&W->s, &W->c_agent1, "POST", path,
				      json_pack("{s:s}", "body", text), &r),
			 201);
	gh_resp_free(&r);
	msgs = gh_db_count(&W->s, "SELECT COUNT(*) FROM messages");
	assert_int_equal(on_ticket(&W->c_agent1, tid, mid, 1, &r), 422);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(r.json,
								   "findings"),
						   0),
				    "type")),
			    "internal_note");
	assert_null(strstr(r.body, "payment amount"));
	assert_error(&r, "dlp_blocked", "text");
	assert_int_equal(gh_db_count(&W->s, "SELECT COUNT(*) FROM messages"),
			 msgs);
	assert_int_equal(gh_db_countf(&W->s, "SELECT COUNT(*) FROM tickets "
					     "WHERE id = %lld AND status = "
					     "'open'", (long long)tid),
			 1);
	assert_true(gh_audit_count(&W->s, "macro.apply", "denied") >= 1);
}

/* A macro applied where the outbound check cannot run in full (the
 * ticket's notes are past the note index's 4,194,304 words: 129 notes of
 * 32,768 words written straight into the database) is held like any
 * reply: 202, not sent, and its actions are not applied (ASVS 8.3.1). */
static void
test_apply_held(void **state)
{
	char sql[512];
	struct gh_resp r;
	int64_t tid = customer_ticket("Long history"), mid, msgs;

	(void)state;
	mid = made(&W->c_agent1, "Solve it", "Solved, {{customer.first_name}}.",
		   NULL, json_pack("{s:s}", "status", "solved"));
	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
		 "FROM n WHERE i < 129) INSERT INTO notes (ticket_id, "
		 "staff_id, body, created_at) SELECT %lld, %lld, "
		 "%s, 1 FROM n",
		 (long long)tid, (long long)W->agent1.id,
		 gh_db_pg() ? "repeat('w ', 32768)"
			    : "replace(hex(zeroblob(32768)), '00', 'w ')");
	gh_db_exec(&W->s, sql);
	msgs = gh_db_count(&W->s, "SELECT COUNT(*) FROM messages");
	assert_int_equal(on_ticket(&W->c_agent1, tid, mid, 1, &r), 202);
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "status")),
			    "held");
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "reason")),
			    "notes_too_large");
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(r.json, "ticket"),
				    "status")),
			    "open");
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&W->s, "SELECT COUNT(*) FROM messages"),
			 msgs);
	assert_int_equal(gh_db_countf(&W->s, "SELECT COUNT(*) FROM "
					     "held_replies WHERE ticket_id = "
					     "%lld AND body = 'Solved, Test.'",
				      (long long)tid),
			 1);
	assert_int_equal(gh_db_countf(&W->s, "SELECT COUNT(*) FROM tickets "
					     "WHERE id = %lld AND status = "
					     "'open'", (long long)tid),
			 1);
}

/* Bad input: 400 naming the field, nothing stored or changed. */
static void
test_bad_input(void **state)
{
	static const struct {
		const char *body, *code, *field;
	} bad[] = {
		{"{\"text\":\"x\"}", "missing_field", "name"},
		{"{\"name\":\"x\"}", "missing_field", "text"},
		{"{\"name\":\"\",\"text\":\"x\"}", "bad_field", "name"},
		{"{\"name\":\"a\\nb\",\"text\":\"x\"}", "bad_utf8", "name"},
		{"{\"name\":\"x\",\"text\":\"\"}", "bad_field", "text"},
		{"{\"name\":\"x\",\"text\":\"y\",\"actions\":{\"status\":"
		 "\"closed\"}}", "bad_field", "status"},
		{"{\"name\":\"x\",\"text\":\"y\",\"actions\":{\"colour\":"
		 "\"red\"}}", "unknown_field", "actions"},
		{"{\"name\":\"x\",\"text\":\"y\",\"actions\":{\"status\":1}}",
		 "bad_field", "status"},
		{"{\"name\":\"x\",\"text\":\"y\",\"actions\":[]}", "bad_field",
		 "actions"},
		{"{\"name\":\"x\",\"text\":\"y\",\"owner\":3}", "unknown_field",
		 NULL},
		{"{\"name\":\"x\",\"text\":\"y\",\"queue\":\"\"}", "bad_field",
		 "queue"},
	};
	char name[200];
	struct gh_resp r;
	int64_t n = macros_count(), id;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(gh_req(&W->s, &W->c_sup, "POST",
					"/api/v1/macros", bad[i].body, NULL,
					&r),
				 400);
		assert_error(&r, bad[i].code, bad[i].field);
	}
	memset(name, 'n', 81);
	name[81] = '\0';
	assert_int_equal(create(&W->c_agent1,
				json_pack("{s:s, s:s}", "name", name, "text",
					  "x"),
				NULL, &r),
			 400);
	assert_error(&r, "bad_field", "name");
	assert_int_equal(macros_count(), n);
	/* The scope of a macro does not change; unknown ids and queries. */
	id = made(&W->c_agent1, "Keep", "Kept.", NULL, NULL);
	assert_int_equal(gh_req(&W->s, &W->c_agent1, "PUT",
				"/api/v1/macros/999999",
				"{\"name\":\"x\",\"text\":\"y\"}", NULL, &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(macro_req(&W->c_agent1, "PUT", id,
				   json_pack("{s:s, s:s, s:s}", "name", "x",
					     "text", "y", "queue", "general"),
				   &r),
			 400);
	assert_error(&r, "unknown_field", NULL);
	assert_int_equal(gh_req(&W->s, &W->c_agent1, "GET",
				"/api/v1/macros?ticket=abc", NULL, NULL, &r),
			 400);
	assert_error(&r, "bad_query", NULL);
	assert_int_equal(gh_req(&W->s, &W->c_agent1, "GET",
				"/api/v1/macros?q=x", NULL, NULL, &r),
			 400);
	assert_error(&r, "bad_query", NULL);
	assert_int_equal(gh_req(&W->s, &W->c_agent1, "GET",
				"/api/v1/macros?ticket=999999", NULL, NULL,
				&r),
			 404);
	gh_resp_free(&r);
	/* apply takes no field. */
	assert_int_equal(gh_req(&W->s, &W->c_agent1, "POST",
				"/api/v1/tickets/1/macros/1/apply",
				"{\"text\":\"x\"}", NULL, &r),
			 400);
	assert_error(&r, "unknown_field", NULL);
	/* Customers have no macros (staff listener only). */
	assert_int_equal(gh_req(&W->s, &W->c_cust, "GET", "/api/v1/macros",
				NULL, NULL, &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&W->s, "SELECT COUNT(*) FROM macros "
					     "WHERE id = %lld AND name = "
					     "'Keep' AND owner_id = %lld",
				      (long long)id, (long long)W->agent1.id),
			 1);
}

/* The actions: status, priority and tags follow a sent reply, each
 * through its own setter (audited by it); bad actions are refused at
 * save, naming the field. */
static void
test_actions(void **state)
{
	static const struct {
		const char *actions, *field;
	} bad[] = {
		{"{\"priority\":\"critical\"}", "priority"},
		{"{\"add_tags\":[\"Bad Tag\"]}", "add_tags"},
		{"{\"add_tags\":[\"vip\"],\"remove_tags\":[\"vip\"]}",
		 "remove_tags"},
		{"{\"add_tags\":\"vip\"}", "add_tags"},
		{"{\"remove_tags\":[1]}", "remove_tags"},
		{"{\"add_tags\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\","
		 "\"h\",\"i\",\"j\",\"k\",\"l\",\"m\",\"n\",\"o\",\"p\",\"q\","
		 "\"r\",\"s\",\"t\",\"u\"]}", "add_tags"},
	};
	struct gh_resp r;
	char body[512];
	int64_t tid = customer_ticket("Refund please"), mid, n = macros_count();
	json_t *tags, *tk;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body),
			 "{\"name\":\"A\",\"text\":\"B\",\"actions\":%s}",
			 bad[i].actions);
		assert_int_equal(gh_req(&W->s, &W->c_agent1, "POST",
					"/api/v1/macros", body, NULL, &r),
				 400);
		assert_error(&r, "bad_field", bad[i].field);
	}
	assert_int_equal(macros_count(), n);
	mid = made(&W->c_agent1, "Refund escalated",
		   "We are escalating your refund.", NULL,
		   json_pack("{s:s, s:s, s:[s, s, s], s:[s]}", "status",
			     "pending", "priority", "high", "add_tags", "vip",
			     "refund", "vip", "remove_tags", "new"));
	assert_int_equal(on_ticket(&W->c_agent1, tid, mid, 1, &r), 201);
	tk = json_object_get(r.json, "ticket");
	assert_string_equal(json_string_value(json_object_get(tk, "status")),
			    "pending");
	assert_string_equal(json_string_value(json_object_get(tk,
							      "priority")),
			    "high");
	tags = json_object_get(tk, "tags");
	assert_int_equal(json_array_size(tags), 2);
	assert_string_equal(json_string_value(json_array_get(tags, 0)),
			    "refund");
	assert_string_equal(json_string_value(json_array_get(tags, 1)),
			    "vip");
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&W->s, "SELECT COUNT(*) FROM tickets "
					     "WHERE id = %lld AND priority = "
					     "'high' AND tags = 'refund vip'",
				      (long long)tid),
			 1);
	assert_true(gh_audit_count(&W->s, "ticket.priority", "success") >= 1);
	assert_true(gh_audit_count(&W->s, "ticket.tags", "success") >= 1);
}

/* [macros] per_agent and per_queue (PER_AGENT, PER_QUEUE here): the next
 * is refused, nothing stored. */
static void
test_limits(void **state)
{
	struct gh_resp r;
	char name[32];
	int64_t n;

	(void)state;
	for (int i = 0; i < PER_AGENT; i++) {
		snprintf(name, sizeof(name), "Mine %d", i);
		(void)made(&W->c_agent3, name, "Text.", NULL, NULL);
	}
	for (int i = 0; i < PER_QUEUE; i++) {
		snprintf(name, sizeof(name), "Small %d", i);
		(void)made(&W->c_sup, name, "Text.", "small", NULL);
	}
	n = macros_count();
	assert_int_equal(create(&W->c_agent3,
				json_pack("{s:s, s:s}", "name", "Five",
					  "text", "Text."),
				NULL, &r),
			 409);
	assert_error(&r, "too_many_macros", NULL);
	assert_int_equal(create(&W->c_sup,
				json_pack("{s:s, s:s, s:s}", "name", "Five",
					  "text", "Text.", "queue", "small"),
				NULL, &r),
			 409);
	assert_error(&r, "too_many_macros", NULL);
	assert_int_equal(macros_count(), n);
	/* Another scope still has room. */
	(void)made(&W->c_sup, "Five", "Text.", NULL, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_personal_crud),
		cmocka_unit_test(test_shared_rules),
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_save_blocked),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_apply_blocked),
		cmocka_unit_test(test_apply_held),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
