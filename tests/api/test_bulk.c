/*
 * API tests of POST /api/v1/tickets/bulk against the real server (issue
 * 15, part SUPER): a supervisor's bulk change goes through the single
 * change functions, so each ticket gets its own audit records (counted
 * in the database) and the request one "ticket.bulk" summary; a ticket
 * the caller cannot see answers "not_found", exactly as one that does
 * not exist (ASVS 8.2.2); mixed outcomes are reported per id; more ids
 * than [supervisor] bulk_max is 400 naming the limit; agents may change
 * the status, priority and tags of their own tickets only, never move
 * tickets or hand them to others (403, ASVS 8.2.1); bad input is a 4xx
 * that changes nothing (ASVS 5.1.3, 5.1.4).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define BULK_MAX 5

struct world {
	struct gh_server s;
	struct gh_user sup, agent1, agent2, off, cust;
	struct gh_client c_sup, c_agent1, c_agent2, c_cust;
};

static void
cli_ok(struct world *w, const char *const *args)
{
	char *out = NULL;

	assert_int_equal(gh_cli(&w->s, NULL, &out, args), 0);
	free(out);
}

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	const char *add_q[] = {"queue", "add", "--name", "billing", NULL};
	const char *join[] = {"staff", "queue", "--email", "agent2@example.com",
			      "--add", "billing", NULL};
	const char *leave[] = {"staff", "queue", "--email",
			       "agent2@example.com", "--remove", "general",
			       NULL};
	const char *dis[] = {"staff", "disable", "--email", "off@example.com",
			     NULL};

	gh_start(&w->s, "\n[supervisor]\nbulk_max = 5\n");
	gh_add_staff(&w->s, "sup@example.com", "supervisor", &w->sup);
	gh_add_staff(&w->s, "agent1@example.com", "agent", &w->agent1);
	gh_add_staff(&w->s, "agent2@example.com", "agent", &w->agent2);
	gh_add_staff(&w->s, "off@example.com", "agent", &w->off);
	gh_add_customer(&w->s, "cust@example.org", &w->cust);
	cli_ok(w, add_q);
	cli_ok(w, join);
	cli_ok(w, leave);
	cli_ok(w, dis);
	gh_client_init(&w->c_sup, 1);
	gh_client_init(&w->c_agent1, 1);
	gh_client_init(&w->c_agent2, 1);
	gh_client_init(&w->c_cust, 0);
	assert_int_equal(gh_login(&w->s, &w->c_sup, &w->sup), 201);
	assert_int_equal(gh_login(&w->s, &w->c_agent1, &w->agent1), 201);
	assert_int_equal(gh_login(&w->s, &w->c_agent2, &w->agent2), 201);
	assert_int_equal(gh_login(&w->s, &w->c_cust, &w->cust), 201);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	gh_client_free(&w->c_sup);
	gh_client_free(&w->c_agent1);
	gh_client_free(&w->c_agent2);
	gh_client_free(&w->c_cust);
	assert_int_equal(gh_stop(&w->s), 0);
	free(w);
	return 0;
}

/* A new ticket of the customer (queue general, unassigned, open). */
static int64_t
new_ticket(struct world *w, const char *subject)
{
	struct gh_resp r;
	int64_t id;

	assert_int_equal(gh_send_json(&w->s, &w->c_cust, "POST",
				      "/api/v1/portal/tickets",
				      json_pack("{s:s, s:s}", "subject",
						subject, "body",
						"Please help with my order."),
				      &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	assert_true(id > 0);
	gh_resp_free(&r);
	return id;
}

static long
bulk(struct world *w, struct gh_client *c, json_t *body, struct gh_resp *r)
{
	return gh_send_json(&w->s, c, "POST", "/api/v1/tickets/bulk", body, r);
}

static long
bulk_raw(struct world *w, struct gh_client *c, const char *body,
	 struct gh_resp *r)
{
	return gh_req(&w->s, c, "POST", "/api/v1/tickets/bulk", body, NULL, r);
}

/* The result of id in a bulk answer. */
static json_t *
result_of(const struct gh_resp *r, int64_t id)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(r->json, "results"), i, v)
		if (json_integer_value(json_object_get(v, "id")) == id)
			return v;
	return NULL;
}

static const char *
error_of(const struct gh_resp *r, int64_t id)
{
	json_t *v = result_of(r, id);

	assert_non_null(v);
	if (json_is_true(json_object_get(v, "ok")))
		return "ok";
	return json_string_value(json_object_get(v, "error"));
}

/* Audit records of action on ticket id. */
static int64_t
ticket_audits(struct world *w, const char *action, int64_t id)
{
	return gh_db_countf(&w->s,
			    "SELECT COUNT(*) FROM audit WHERE record LIKE "
			    "'%%\"action\":\"%s\"%%' AND record LIKE "
			    "'%%\"target\":\"ticket:%lld\"%%'",
			    action, (long long)id);
}

static int64_t
audit_rows(struct world *w)
{
	return gh_db_count(&w->s, "SELECT COUNT(*) FROM audit");
}

/* ---------------------------------------------------------------------- */

/* A supervisor assigns three tickets and sets them pending in one
 * request: one "ticket.assign" and one "ticket.status" record per ticket
 * (ASVS 7.1.3), one "ticket.bulk" summary, and the tickets changed. */
static void
test_bulk_audited_per_ticket(void **state)
{
	struct world *w = *state;
	int64_t t[3], bulks = gh_audit_count(&w->s, "ticket.bulk", NULL);
	struct gh_resp r;

	for (int i = 0; i < 3; i++)
		t[i] = new_ticket(w, "Bulk me");
	assert_int_equal(bulk(w, &w->c_sup,
			      json_pack("{s:[I,I,I], s:I, s:s}", "ids",
					(json_int_t)t[0], (json_int_t)t[1],
					(json_int_t)t[2], "assign",
					(json_int_t)w->agent1.id, "status",
					"pending"),
			      &r),
			 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "changed")),
			 3);
	assert_int_equal(json_integer_value(json_object_get(r.json, "failed")),
			 0);
	for (int i = 0; i < 3; i++) {
		assert_string_equal(error_of(&r, t[i]), "ok");
		assert_int_equal(ticket_audits(w, "ticket.assign", t[i]), 1);
		assert_int_equal(ticket_audits(w, "ticket.status", t[i]), 1);
		assert_int_equal(
			gh_db_countf(&w->s,
				     "SELECT COUNT(*) FROM tickets WHERE id = "
				     "%lld AND assignee_id = %lld AND status "
				     "= 'pending'",
				     (long long)t[i], (long long)w->agent1.id),
			1);
	}
	gh_resp_free(&r);
	assert_int_equal(gh_audit_count(&w->s, "ticket.bulk", "success"),
			 bulks + 1);
	assert_int_equal(gh_db_count(&w->s,
				     "SELECT COUNT(*) FROM audit WHERE record "
				     "LIKE '%\"action\":\"ticket.bulk\"%' AND "
				     "record LIKE '%\"requested\":3%' AND "
				     "record LIKE '%\"changed\":3%'"),
			 1);
	/* The same change again changes nothing and records no change. */
	assert_int_equal(bulk(w, &w->c_sup,
			      json_pack("{s:[I], s:s}", "ids", (json_int_t)t[0],
					"status", "pending"),
			      &r),
			 200);
	assert_string_equal(error_of(&r, t[0]), "ok");
	gh_resp_free(&r);
	assert_int_equal(ticket_audits(w, "ticket.status", t[0]), 1);
}

/* Queue moves in bulk: one "ticket.queue" record per ticket moved. */
static void
test_bulk_move(void **state)
{
	struct world *w = *state;
	int64_t a = new_ticket(w, "Move A"), b = new_ticket(w, "Move B");
	struct gh_resp r;

	assert_int_equal(bulk(w, &w->c_sup,
			      json_pack("{s:[I,I], s:s}", "ids", (json_int_t)a,
					(json_int_t)b, "queue", "billing"),
			      &r),
			 200);
	assert_string_equal(error_of(&r, a), "ok");
	assert_string_equal(error_of(&r, b), "ok");
	gh_resp_free(&r);
	assert_int_equal(ticket_audits(w, "ticket.queue", a), 1);
	assert_int_equal(ticket_audits(w, "ticket.queue", b), 1);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM tickets WHERE id "
				      "IN (%lld, %lld) AND queue_id = (SELECT "
				      "id FROM queues WHERE name = 'billing')",
				      (long long)a, (long long)b),
			 2);
}

/* An agent's bulk status change: their own ticket changes; an unassigned
 * ticket of their queue is not_assigned (take it first); a ticket of
 * another queue and one that does not exist are both not_found, told
 * apart by nothing (ASVS 8.2.2); nothing of those is changed. */
static void
test_bulk_agent_mixed(void **state)
{
	struct world *w = *state;
	int64_t mine = new_ticket(w, "Mine"), free_t = new_ticket(w, "Free");
	int64_t other = new_ticket(w, "Other queue"), none = 999999;
	struct gh_resp r;
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/assign",
		 (long long)mine);
	assert_int_equal(gh_send_json(&w->s, &w->c_agent1, "POST", path,
				      json_pack("{s:I}", "staff_id",
						(json_int_t)w->agent1.id),
				      &r),
			 200);
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/queue",
		 (long long)other);
	assert_int_equal(gh_send_json(&w->s, &w->c_sup, "POST", path,
				      json_pack("{s:s}", "queue", "billing"),
				      &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(bulk(w, &w->c_agent1,
			      json_pack("{s:[I,I,I,I], s:s}", "ids",
					(json_int_t)mine, (json_int_t)free_t,
					(json_int_t)other, (json_int_t)none,
					"status", "solved"),
			      &r),
			 200);
	assert_string_equal(error_of(&r, mine), "ok");
	assert_string_equal(error_of(&r, free_t), "not_assigned");
	assert_string_equal(error_of(&r, other), "not_found");
	assert_string_equal(error_of(&r, none), "not_found");
	assert_string_equal(json_string_value(json_object_get(
				    result_of(&r, other), "change")),
			    "status");
	/* The answer for an invisible ticket is the one for no ticket. */
	{
		json_t *a = json_deep_copy(result_of(&r, other));
		json_t *b = json_deep_copy(result_of(&r, none));

		json_object_del(a, "id");
		json_object_del(b, "id");
		assert_true(json_equal(a, b));
		json_decref(a);
		json_decref(b);
	}
	assert_int_equal(json_integer_value(json_object_get(r.json, "changed")),
			 1);
	assert_int_equal(json_integer_value(json_object_get(r.json, "failed")),
			 3);
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM tickets WHERE id "
				      "IN (%lld, %lld) AND status = 'open'",
				      (long long)free_t, (long long)other),
			 2);
	assert_int_equal(ticket_audits(w, "ticket.status", mine), 1);
	assert_int_equal(ticket_audits(w, "ticket.status", other), 0);
}

/* Agents may not move tickets or hand them to others in bulk: 403 for
 * the whole request, nothing changed (ASVS 8.2.1); taking tickets of
 * their own queue for themselves is allowed. */
static void
test_bulk_agent_forbidden(void **state)
{
	struct world *w = *state;
	int64_t t = new_ticket(w, "Agent bulk"), before;
	struct gh_resp r;

	before = gh_audit_count(&w->s, "ticket.bulk", NULL);
	assert_int_equal(bulk(w, &w->c_agent1,
			      json_pack("{s:[I], s:s}", "ids", (json_int_t)t,
					"queue", "billing"),
			      &r),
			 403);
	assert_string_equal(gh_error(&r), "forbidden");
	gh_resp_free(&r);
	assert_int_equal(bulk(w, &w->c_agent1,
			      json_pack("{s:[I], s:I}", "ids", (json_int_t)t,
					"assign", (json_int_t)w->agent2.id),
			      &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(gh_audit_count(&w->s, "ticket.bulk", NULL), before);
	assert_int_equal(ticket_audits(w, "ticket.assign", t), 0);
	assert_int_equal(ticket_audits(w, "ticket.queue", t), 0);
	/* Taking it for themself goes through tickets_assign's rule. */
	assert_int_equal(bulk(w, &w->c_agent1,
			      json_pack("{s:[I], s:I}", "ids", (json_int_t)t,
					"assign", (json_int_t)w->agent1.id),
			      &r),
			 200);
	assert_string_equal(error_of(&r, t), "ok");
	gh_resp_free(&r);
	/* agent2 (billing only) cannot even see it. */
	assert_int_equal(bulk(w, &w->c_agent2,
			      json_pack("{s:[I], s:I}", "ids", (json_int_t)t,
					"assign", (json_int_t)w->agent2.id),
			      &r),
			 200);
	assert_string_equal(error_of(&r, t), "not_found");
	gh_resp_free(&r);
	/* Customers have no such route. */
	assert_int_equal(gh_send_json(&w->s, &w->c_cust, "POST",
				      "/api/v1/tickets/bulk",
				      json_pack("{s:[I], s:s}", "ids",
						(json_int_t)t, "status",
						"solved"),
				      &r),
			 404);
	gh_resp_free(&r);
}

/* Priority and tags in bulk: one "ticket.priority" and one
 * "ticket.tags" record per ticket, the tickets' rows changed; an agent
 * changes only the tickets they hold (not_assigned for the others). */
static void
test_bulk_priority_tags(void **state)
{
	struct world *w = *state;
	int64_t a = new_ticket(w, "Attr A"), b = new_ticket(w, "Attr B");
	struct gh_resp r;

	assert_int_equal(bulk(w, &w->c_sup,
			      json_pack("{s:[I,I], s:s, s:{s:[s,s]}}", "ids",
					(json_int_t)a, (json_int_t)b,
					"priority", "urgent", "tags", "add",
					"vip", "refund"),
			      &r),
			 200);
	assert_string_equal(error_of(&r, a), "ok");
	assert_string_equal(error_of(&r, b), "ok");
	gh_resp_free(&r);
	for (int i = 0; i < 2; i++) {
		int64_t id = i == 0 ? a : b;

		assert_int_equal(ticket_audits(w, "ticket.priority", id), 1);
		assert_int_equal(ticket_audits(w, "ticket.tags", id), 1);
		assert_int_equal(gh_db_countf(&w->s,
					      "SELECT COUNT(*) FROM tickets "
					      "WHERE id = %lld AND priority = "
					      "'urgent' AND tags = 'refund vip'",
					      (long long)id),
				 1);
	}
	assert_int_equal(bulk(w, &w->c_sup,
			      json_pack("{s:[I], s:{s:[s]}}", "ids",
					(json_int_t)a, "tags", "remove", "vip"),
			      &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM ticket_tags WHERE "
				      "ticket_id = %lld",
				      (long long)a),
			 1);
	/* An agent: their own ticket changes, another's is not_assigned. */
	{
		char path[96];

		snprintf(path, sizeof(path), "/api/v1/tickets/%lld/assign",
			 (long long)b);
		assert_int_equal(gh_send_json(&w->s, &w->c_agent1, "POST",
					      path,
					      json_pack("{s:I}", "staff_id",
							(json_int_t)w->agent1
								.id),
					      &r),
				 200);
		gh_resp_free(&r);
	}
	assert_int_equal(bulk(w, &w->c_agent1,
			      json_pack("{s:[I,I], s:s}", "ids", (json_int_t)a,
					(json_int_t)b, "priority", "low"),
			      &r),
			 200);
	assert_string_equal(error_of(&r, a), "not_assigned");
	assert_string_equal(error_of(&r, b), "ok");
	gh_resp_free(&r);
	assert_int_equal(ticket_audits(w, "ticket.priority", a), 1);
	assert_int_equal(ticket_audits(w, "ticket.priority", b), 2);
}

/* More ids than [supervisor] bulk_max: 400 naming the limit, nothing
 * changed (ASVS 5.1.4, 11.1.4). */
static void
test_bulk_over_limit(void **state)
{
	struct world *w = *state;
	json_t *ids = json_array();
	int64_t rows;
	struct gh_resp r;

	for (int i = 0; i < BULK_MAX + 1; i++)
		json_array_append_new(ids, json_integer(new_ticket(w, "Many")));
	rows = audit_rows(w);
	assert_int_equal(bulk(w, &w->c_sup,
			      json_pack("{s:O, s:s}", "ids", ids, "status",
					"solved"),
			      &r),
			 400);
	assert_string_equal(gh_error(&r), "bulk_too_many");
	assert_int_equal(json_integer_value(json_object_get(r.json, "max")),
			 BULK_MAX);
	assert_string_equal(json_string_value(json_object_get(r.json, "field")),
			    "ids");
	gh_resp_free(&r);
	assert_int_equal(audit_rows(w), rows);
	assert_int_equal(gh_db_count(&w->s, "SELECT COUNT(*) FROM tickets "
					    "WHERE subject = 'Many' AND "
					    "status = 'solved'"),
			 0);
	/* Exactly bulk_max is fine. */
	json_array_remove(ids, 0);
	assert_int_equal(bulk(w, &w->c_sup,
			      json_pack("{s:O, s:s}", "ids", ids, "status",
					"solved"),
			      &r),
			 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "changed")),
			 BULK_MAX);
	gh_resp_free(&r);
	json_decref(ids);
}

/* tmpl into out with every ID replaced by id and OFF by off. */
static void
fill(char *out, size_t outsz, const char *tmpl, int64_t id, int64_t off)
{
	size_t n = 0;

	for (const char *p = tmpl; *p != '\0';) {
		int w, skip = 1;

		if (strncmp(p, "ID", 2) == 0) {
			w = snprintf(out + n, outsz - n, "%lld", (long long)id);
			skip = 2;
		} else if (strncmp(p, "OFF", 3) == 0) {
			w = snprintf(out + n, outsz - n, "%lld",
				     (long long)off);
			skip = 3;
		} else {
			w = snprintf(out + n, outsz - n, "%c", *p);
		}
		assert_true(w > 0 && (size_t)w < outsz - n);
		n += (size_t)w;
		p += skip;
	}
}

/* Bad input: 4xx from the registry naming the field, nothing changed,
 * not even the summary record (ASVS 5.1.3). */
static void
test_bulk_bad_input(void **state)
{
	struct world *w = *state;
	int64_t t = new_ticket(w, "Bad input"), rows;
	char b[400];
	static const struct {
		const char *tmpl, *error, *field;
	} bad[] = {
		{"{\"status\": \"open\"}", "missing_field", "ids"},
		{"{\"ids\": 5, \"status\": \"open\"}", "bad_field", "ids"},
		{"{\"ids\": [], \"status\": \"open\"}", "bad_field", "ids"},
		{"{\"ids\": [0], \"status\": \"open\"}", "bad_field", "ids"},
		{"{\"ids\": [\"ID\"], \"status\": \"open\"}", "bad_field",
		 "ids"},
		{"{\"ids\": [ID, ID], \"status\": \"solved\"}",
		 "bad_field", "ids"},
		{"{\"ids\": [ID]}", "bulk_nothing", NULL},
		{"{\"ids\": [ID], \"status\": \"closed\"}", "bad_field",
		 "status"},
		{"{\"ids\": [ID], \"queue\": \"nope\"}", "unknown_queue",
		 "queue"},
		{"{\"ids\": [ID], \"assign\": 99999}", "unknown_staff",
		 "assign"},
		{"{\"ids\": [ID], \"assign\": OFF}", "staff_disabled",
		 "assign"},
		{"{\"ids\": [ID], \"status\": \"open\", \"x\": 1}",
		 "unknown_field", "x"},
		{"{\"ids\": [ID], \"assign\": \"me\"}", "bad_field",
		 "assign"},
		{"{\"ids\": [ID], \"status\": \"solved\"", "bad_json", NULL},
		{"{\"ids\": [ID], \"priority\": \"asap\"}", "bad_priority",
		 "priority"},
		{"{\"ids\": [ID], \"tags\": {\"add\": [\"Bad Tag\"]}}",
		 "bad_tag", "tags"},
		{"{\"ids\": [ID], \"tags\": {\"add\": [\"a\"], "
		 "\"remove\": [\"a\"]}}",
		 "bad_tag", "tags"},
		{"{\"ids\": [ID], \"tags\": {\"add\": \"a\"}}", "bad_field",
		 "tags"},
		{"{\"ids\": [ID], \"tags\": {\"drop\": [\"a\"]}}",
		 "bad_field", "tags"},
		{"{\"ids\": [ID], \"tags\": {\"add\": [\"a\", \"b\", \"c\", "
		 "\"d\", \"e\", \"f\", \"g\", \"h\", \"i\", \"j\", \"k\", "
		 "\"l\", \"m\", \"n\", \"o\", \"p\", \"q\", \"r\", \"s\", "
		 "\"t\", \"u\"]}}",
		 "too_many_tags", "tags"},
	};
	struct gh_resp r;

	rows = audit_rows(w);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fill(b, sizeof(b), bad[i].tmpl, t, w->off.id);
		assert_int_equal(bulk_raw(w, &w->c_sup, b, &r),
				 strcmp(bad[i].error, "staff_disabled") == 0
					 ? 409
					 : 400);
		assert_string_equal(gh_error(&r), bad[i].error);
		if (bad[i].field != NULL)
			assert_string_equal(json_string_value(json_object_get(
						    r.json, "field")),
					    bad[i].field);
		gh_resp_free(&r);
	}
	/* A refused request leaves no record and changes no ticket. */
	assert_int_equal(audit_rows(w), rows);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM tickets WHERE id "
				      "= %lld AND status = 'open' AND "
				      "assignee_id IS NULL",
				      (long long)t),
			 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bulk_audited_per_ticket),
		cmocka_unit_test(test_bulk_move),
		cmocka_unit_test(test_bulk_agent_mixed),
		cmocka_unit_test(test_bulk_agent_forbidden),
		cmocka_unit_test(test_bulk_priority_tags),
		cmocka_unit_test(test_bulk_over_limit),
		cmocka_unit_test(test_bulk_bad_input),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
