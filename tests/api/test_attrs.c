/*
 * API tests of tickets' priority and tags (issue 15) against the real
 * server: POST /tickets/{id}/priority and /tickets/{id}/tags change the
 * ticket, show in the view and the list, are audited once per change and
 * not at all for a change that changes nothing; an agent must hold the
 * ticket (409 not_assigned) and never reaches another queue's ticket
 * (404); bad values, too many tags, a tag both added and removed and
 * wrong types answer 400 naming the field, and change nothing.
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

struct world {
	struct gh_server s;
	struct gh_user sup, agent, other, cust;
	struct gh_client c_sup, c_agent, c_other, c_cust;
	int64_t ticket;
};

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	struct gh_resp r;

	gh_start(&w->s, NULL);
	gh_add_staff(&w->s, "sup@example.com", "supervisor", &w->sup);
	gh_add_staff(&w->s, "agent@example.com", "agent", &w->agent);
	gh_add_staff(&w->s, "other@example.com", "agent", &w->other);
	gh_add_customer(&w->s, "c@example.org", &w->cust);
	{
		const char *add_q[] = {"queue", "add", "--name", "billing",
				       NULL};
		const char *join[] = {"staff", "queue", "--email",
				      "other@example.com", "--add", "billing",
				      NULL};
		const char *leave[] = {"staff", "queue", "--email",
				       "other@example.com", "--remove",
				       "general", NULL};

		assert_int_equal(gh_cli(&w->s, NULL, NULL, add_q), 0);
		assert_int_equal(gh_cli(&w->s, NULL, NULL, join), 0);
		assert_int_equal(gh_cli(&w->s, NULL, NULL, leave), 0);
	}
	gh_client_init(&w->c_sup, 1);
	gh_client_init(&w->c_agent, 1);
	gh_client_init(&w->c_other, 1);
	gh_client_init(&w->c_cust, 0);
	assert_int_equal(gh_login(&w->s, &w->c_sup, &w->sup), 201);
	assert_int_equal(gh_login(&w->s, &w->c_agent, &w->agent), 201);
	assert_int_equal(gh_login(&w->s, &w->c_other, &w->other), 201);
	assert_int_equal(gh_login(&w->s, &w->c_cust, &w->cust), 201);
	assert_int_equal(gh_send_json(&w->s, &w->c_cust, "POST",
				      "/api/v1/portal/tickets",
				      json_pack("{s:s, s:s}", "subject",
						"Printer", "body", "Hello."),
				      &r),
			 201);
	w->ticket = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	gh_client_free(&w->c_sup);
	gh_client_free(&w->c_agent);
	gh_client_free(&w->c_other);
	gh_client_free(&w->c_cust);
	assert_int_equal(gh_stop(&w->s), 0);
	free(w);
	return 0;
}

static long
post(struct world *w, struct gh_client *c, const char *what, json_t *body,
     struct gh_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/%s",
		 (long long)w->ticket, what);
	return gh_send_json(&w->s, c, "POST", path, body, r);
}

/* The ticket's tags as the view shows them, joined by spaces. */
static void
view_tags(struct world *w, char *out, size_t outsz, char *prio,
	  size_t priosz)
{
	struct gh_resp r;
	char path[64];
	size_t i;
	json_t *e;

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld",
		 (long long)w->ticket);
	assert_int_equal(gh_req(&w->s, &w->c_sup, "GET", path, NULL, NULL,
				&r), 200);
	out[0] = '\0';
	json_array_foreach(json_object_get(r.json, "tags"), i, e) {
		strncat(out, i > 0 ? " " : "", outsz - strlen(out) - 1);
		strncat(out, json_string_value(e), outsz - strlen(out) - 1);
	}
	snprintf(prio, priosz, "%s",
		 json_string_value(json_object_get(r.json, "priority")));
	assert_true(json_is_null(json_object_get(r.json, "due_at")));
	assert_true(json_is_false(json_object_get(r.json, "breached")));
	gh_resp_free(&r);
}

static void
assign_agent(struct world *w)
{
	struct gh_resp r;

	assert_int_equal(post(w, &w->c_agent, "assign",
			      json_pack("{s:I}", "staff_id",
					(json_int_t)w->agent.id),
			      &r),
			 200);
	gh_resp_free(&r);
}

/* Priority: the default is normal; a change is audited once, the same
 * value again writes nothing; an agent must hold the ticket. */
static void
test_priority(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char tags[256], prio[16];

	view_tags(w, tags, sizeof(tags), prio, sizeof(prio));
	assert_string_equal(prio, "normal");
	assert_int_equal(post(w, &w->c_agent, "priority",
			      json_pack("{s:s}", "priority", "high"), &r),
			 409);
	assert_string_equal(gh_error(&r), "not_assigned");
	gh_resp_free(&r);
	assign_agent(w);
	assert_int_equal(post(w, &w->c_agent, "priority",
			      json_pack("{s:s}", "priority", "urgent"), &r),
			 200);
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "priority")),
			    "urgent");
	gh_resp_free(&r);
	assert_int_equal(post(w, &w->c_sup, "priority",
			      json_pack("{s:s}", "priority", "urgent"), &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(gh_audit_count(&w->s, "ticket.priority", "success"),
			 1);
	/* Another queue's agent: the ticket does not exist for them. */
	assert_int_equal(post(w, &w->c_other, "priority",
			      json_pack("{s:s}", "priority", "low"), &r),
			 404);
	gh_resp_free(&r);
	view_tags(w, tags, sizeof(tags), prio, sizeof(prio));
	assert_string_equal(prio, "urgent");
}

/* Tags: added and removed as a set, kept sorted; the list filter table
 * holds the same tags as the ticket row. */
static void
test_tags(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char tags[256], prio[16];

	assign_agent(w);
	assert_int_equal(post(w, &w->c_agent, "tags",
			      json_pack("{s:[sss]}", "add", "vip", "billing",
					"vip"),
			      &r),
			 200);
	gh_resp_free(&r);
	view_tags(w, tags, sizeof(tags), prio, sizeof(prio));
	assert_string_equal(tags, "billing vip");
	assert_int_equal(post(w, &w->c_agent, "tags",
			      json_pack("{s:[s], s:[s]}", "add", "refund",
					"remove", "billing"),
			      &r),
			 200);
	gh_resp_free(&r);
	view_tags(w, tags, sizeof(tags), prio, sizeof(prio));
	assert_string_equal(tags, "refund vip");
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT count(*) FROM ticket_tags WHERE "
				      "ticket_id = %lld",
				      (long long)w->ticket),
			 2);
	/* Removing what is not there and adding what is: no change. */
	assert_int_equal(post(w, &w->c_agent, "tags",
			      json_pack("{s:[s], s:[s]}", "add", "vip",
					"remove", "nothere"),
			      &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(gh_audit_count(&w->s, "ticket.tags", "success"), 2);
	/* The list shows them too. */
	assert_int_equal(gh_req(&w->s, &w->c_sup, "GET", "/api/v1/tickets",
				NULL, NULL, &r), 200);
	assert_int_equal(json_array_size(json_object_get(
				 json_array_get(json_object_get(r.json,
								"tickets"),
						0),
				 "tags")),
			 2);
	gh_resp_free(&r);
}

/* Bad input: 400 naming the field, nothing changed, nothing audited. */
static void
test_bad_input(void **state)
{
	struct world *w = *state;
	static const char *const bad[] = {
		"{\"priority\": \"highest\"}", "{\"priority\": 3}",
		"{\"priority\": \"\"}",        "{}",
	};
	static const char *const bad_tags[] = {
		"{\"add\": [\"VIP\"]}",        "{\"add\": [\"-x\"]}",
		"{\"add\": [\"a b\"]}",        "{\"add\": [7]}",
		"{\"add\": \"vip\"}",          "{\"add\": [\"x\"], \"remove\": [\"x\"]}",
		"{\"add\": [\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]}",
		"{\"tags\": [\"x\"]}",
	};
	char path[96], many[512];
	struct gh_resp r;
	size_t len;

	assign_agent(w);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/priority",
		 (long long)w->ticket);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(gh_req(&w->s, &w->c_agent, "POST", path,
					bad[i], NULL, &r), 400);
		gh_resp_free(&r);
	}
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/tags",
		 (long long)w->ticket);
	for (size_t i = 0; i < sizeof(bad_tags) / sizeof(bad_tags[0]); i++) {
		assert_int_equal(gh_req(&w->s, &w->c_agent, "POST", path,
					bad_tags[i], NULL, &r), 400);
		gh_resp_free(&r);
	}
	/* 21 tags in one request: the array's bound; 20 then 1 more: the
	 * ticket's. */
	len = (size_t)snprintf(many, sizeof(many), "{\"add\": [");
	for (int i = 0; i < 21; i++)
		len += (size_t)snprintf(many + len, sizeof(many) - len,
					"%s\"t%d\"", i ? ", " : "", i);
	snprintf(many + len, sizeof(many) - len, "]}");
	assert_int_equal(gh_req(&w->s, &w->c_agent, "POST", path, many, NULL,
				&r), 400);
	gh_resp_free(&r);
	memcpy(strstr(many, ", \"t20\""), "]}", 3);
	assert_int_equal(gh_req(&w->s, &w->c_agent, "POST", path, many, NULL,
				&r), 200);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->c_agent, "POST", path,
				"{\"add\": [\"one-more\"]}", NULL, &r), 400);
	assert_string_equal(gh_error(&r), "too_many_tags");
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&w->s, "SELECT count(*) FROM ticket_tags"),
			 20);
	assert_int_equal(gh_audit_count(&w->s, "ticket.priority", "success"),
			 0);
	assert_int_equal(gh_audit_count(&w->s, "ticket.tags", "success"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_priority, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
