/*
 * API tests of SLA (issue 15, part SLA) against the real server, with the
 * test clock of debug builds (GH_TEST_CLOCK_FILE, core/sla.h) to move SLA
 * time: calendars and policies are written by supervisors only (403 for
 * agents), bad ones refused naming the field with nothing stored, writes
 * audited; a new ticket gets its due time from its queue's policy and
 * priority; pending pauses the clock (the due time moves by the time
 * spent pending); a missed target is recorded once and audited, at the
 * next change or by the sweep; a clock that ran in a calendar deleted
 * since still gets its due time from the new one; the supervisors' report counts breaches by
 * queue and agent and lists the tickets at risk.
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
#include <unistd.h>

#include "harness.h"

#define H 3600

struct world {
	struct gh_server s;
	struct gh_user sup, agent, cust;
	struct gh_client c_sup, c_agent, c_cust;
	char clock[64];
	int64_t offset;
};

/* Moves SLA time to offset seconds ahead of the wall clock. */
static void
set_clock(struct world *w, int64_t offset)
{
	FILE *f = fopen(w->clock, "w");

	assert_non_null(f);
	fprintf(f, "%lld\n", (long long)offset);
	fclose(f);
	w->offset = offset;
}

static int64_t
sla_now(struct world *w)
{
	return (int64_t)time(NULL) + w->offset;
}

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	int fd;

	snprintf(w->clock, sizeof(w->clock), "/tmp/gh-sla-clock-XXXXXX");
	fd = mkstemp(w->clock);
	assert_true(fd >= 0);
	close(fd);
	set_clock(w, 0);
	setenv("GH_TEST_CLOCK_FILE", w->clock, 1);
	/* No sweep during the first tests: breaches come from changes. */
	gh_start(&w->s, "[sla]\nsweep_seconds = 3600\n");
	gh_add_staff(&w->s, "sup@example.com", "supervisor", &w->sup);
	gh_add_staff(&w->s, "agent@example.com", "agent", &w->agent);
	gh_add_customer(&w->s, "c@example.org", &w->cust);
	gh_client_init(&w->c_sup, 1);
	gh_client_init(&w->c_agent, 1);
	gh_client_init(&w->c_cust, 0);
	assert_int_equal(gh_login(&w->s, &w->c_sup, &w->sup), 201);
	assert_int_equal(gh_login(&w->s, &w->c_agent, &w->agent), 201);
	assert_int_equal(gh_login(&w->s, &w->c_cust, &w->cust), 201);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	gh_client_free(&w->c_sup);
	gh_client_free(&w->c_agent);
	gh_client_free(&w->c_cust);
	assert_int_equal(gh_stop(&w->s), 0);
	unlink(w->clock);
	unsetenv("GH_TEST_CLOCK_FILE");
	free(w);
	return 0;
}

/* A calendar body; hours {day: [span]} for every day given in days. */
static json_t *
calendar_body(const char *name, const char *tz, const char *span,
	      const char *holiday)
{
	json_t *hours = json_object();
	static const char *const days[] = {"mon", "tue", "wed", "thu",
					   "fri", "sat", "sun"};

	for (size_t i = 0; i < 7; i++)
		json_object_set_new(hours, days[i], json_pack("[s]", span));
	return json_pack("{s:s, s:s, s:o, s:[s]}", "name", name, "time_zone",
			 tz, "hours", hours, "holidays", holiday);
}

static long
call(struct world *w, struct gh_client *c, const char *method,
     const char *path, json_t *body, struct gh_resp *r)
{
	if (body == NULL)
		return gh_req(&w->s, c, method, path, NULL, NULL, r);
	return gh_send_json(&w->s, c, method, path, body, r);
}

/* Expects status and error code and that the response names field. */
static void
expect_field(struct world *w, struct gh_client *c, const char *method,
	     const char *path, json_t *body, long status, const char *code,
	     const char *field)
{
	struct gh_resp r;

	assert_int_equal(call(w, c, method, path, body, &r), status);
	assert_string_equal(gh_error(&r), code);
	if (field != NULL)
		assert_string_equal(json_string_value(json_object_get(
					    r.json, "field")),
				    field);
	gh_resp_free(&r);
}

/* Agents read but never write calendars; bad calendars are refused
 * naming the field and nothing is stored; writes are audited.
 * ASVS 8.2.1 (function-level checks), 2.2.1 (allow-list validation). */
static void
test_calendars(void **state)
{
	struct world *w = *state;
	struct gh_resp r;

	expect_field(w, &w->c_agent, "POST", "/api/v1/calendars",
		     calendar_body("always", "UTC", "00:00-24:00",
				   "2026-12-25"),
		     403, "forbidden", NULL);
	expect_field(w, &w->c_sup, "POST", "/api/v1/calendars",
		     calendar_body("always", "Mars/Olympus", "00:00-24:00",
				   "2026-12-25"),
		     400, "bad_field", "time_zone");
	expect_field(w, &w->c_sup, "POST", "/api/v1/calendars",
		     calendar_body("always", "UTC", "25:00-26:00",
				   "2026-12-25"),
		     400, "bad_field", "hours");
	expect_field(w, &w->c_sup, "POST", "/api/v1/calendars",
		     calendar_body("always", "UTC", "00:00-24:00",
				   "2026-02-30"),
		     400, "bad_field", "holidays");
	expect_field(w, &w->c_sup, "POST", "/api/v1/calendars",
		     calendar_body("Always On", "UTC", "00:00-24:00",
				   "2026-12-25"),
		     400, "bad_field", "name");
	expect_field(w, &w->c_sup, "POST", "/api/v1/calendars",
		     json_pack("{s:s, s:s, s:{s:[s]}, s:i}", "name", "x",
			       "time_zone", "UTC", "hours", "mon",
			       "09:00-17:00", "colour", 1),
		     400, "unknown_field", "colour");
	assert_int_equal(gh_db_count(&w->s,
				     "SELECT COUNT(*) FROM sla_calendars"), 0);
	assert_int_equal(gh_audit_count(&w->s, "sla.calendar_create", NULL),
			 0);
	/* The agent's refusal is audited (ASVS 16.3.2). */
	assert_int_equal(gh_db_count(&w->s,
				     "SELECT COUNT(*) FROM audit WHERE "
				     "record LIKE '%security.refused%' AND "
				     "record LIKE '%/api/v1/calendars%'"),
			 1);
	/* A calendar with every hour: business time is real time. */
	assert_int_equal(call(w, &w->c_sup, "POST", "/api/v1/calendars",
			      calendar_body("always", "UTC", "00:00-24:00",
					    "2030-12-25"),
			      &r),
			 201);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(json_object_get(r.json,
								    "hours"),
						    "sun"),
				    0)),
			    "00:00-24:00");
	gh_resp_free(&r);
	expect_field(w, &w->c_sup, "POST", "/api/v1/calendars",
		     calendar_body("always", "UTC", "00:00-24:00",
				   "2026-12-25"),
		     409, "calendar_exists", "name");
	assert_int_equal(call(w, &w->c_sup, "POST", "/api/v1/calendars",
			      calendar_body("office", "Europe/Berlin",
					    "09:00-17:00", "2026-12-25"),
			      &r),
			 201);
	gh_resp_free(&r);
	/* Agents read them. */
	assert_int_equal(gh_req(&w->s, &w->c_agent, "GET", "/api/v1/calendars",
				NULL, NULL, &r),
			 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "calendars")),
			 2);
	gh_resp_free(&r);
	expect_field(w, &w->c_agent, "PUT", "/api/v1/calendars/office",
		     calendar_body("office", "UTC", "09:00-17:00",
				   "2026-12-25"),
		     403, "forbidden", NULL);
	assert_int_equal(call(w, &w->c_sup, "PUT", "/api/v1/calendars/office",
			      calendar_body("office", "America/New_York",
					    "08:00-16:00", "2026-12-25"),
			      &r),
			 200);
	assert_string_equal(json_string_value(json_object_get(r.json,
							       "time_zone")),
			    "America/New_York");
	gh_resp_free(&r);
	assert_int_equal(gh_audit_count(&w->s, "sla.calendar_create",
					"success"), 2);
	assert_int_equal(gh_audit_count(&w->s, "sla.calendar_update",
					"success"), 1);
	expect_field(w, &w->c_sup, "GET", "/api/v1/calendars/nothing", NULL,
		     404, "not_found", NULL);
}

static json_t *
policy_body(const char *calendar)
{
	return json_pack("{s:s, s:{s:{s:i, s:i}, s:{s:i, s:i}}}", "calendar",
			 calendar, "targets", "urgent", "first_response", 60,
			 "resolution", 240, "normal", "first_response", 480,
			 "resolution", 2400);
}

/* Policies: agents 403, bad ones 400 naming the field, nothing stored;
 * then the policy of `general`, read by agents; a calendar in use is not
 * deleted. */
static void
test_policy(void **state)
{
	struct world *w = *state;
	const char *path = "/api/v1/queues/general/sla";
	struct gh_resp r;

	expect_field(w, &w->c_agent, "PUT", path, policy_body("always"), 403,
		     "forbidden", NULL);
	expect_field(w, &w->c_sup, "PUT", path, policy_body("nope"), 400,
		     "unknown_calendar", "calendar");
	expect_field(w, &w->c_sup, "PUT", path,
		     json_pack("{s:s, s:{s:{s:i}}}", "calendar", "always",
			       "targets", "critical", "first_response", 5),
		     400, "bad_field", "targets");
	expect_field(w, &w->c_sup, "PUT", path,
		     json_pack("{s:s, s:{s:{s:i}}}", "calendar", "always",
			       "targets", "urgent", "first_response", -1),
		     400, "bad_field", "targets");
	expect_field(w, &w->c_sup, "PUT", "/api/v1/queues/nowhere/sla",
		     policy_body("always"), 400, "unknown_queue", NULL);
	assert_int_equal(gh_req(&w->s, &w->c_agent, "GET", path, NULL, NULL,
				&r),
			 200);
	assert_true(json_is_null(json_object_get(r.json, "calendar")));
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&w->s,
				     "SELECT COUNT(*) FROM sla_policies"), 0);
	assert_int_equal(call(w, &w->c_sup, "PUT", path, policy_body("always"),
			      &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->c_agent, "GET", path, NULL, NULL,
				&r),
			 200);
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "calendar")),
			    "always");
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_object_get(r.json,
								 "targets"),
						 "urgent"),
				 "first_response")),
			 60);
	gh_resp_free(&r);
	assert_int_equal(gh_audit_count(&w->s, "sla.policy_put", "success"), 1);
	expect_field(w, &w->c_sup, "DELETE", "/api/v1/calendars/always", NULL,
		     409, "calendar_in_use", NULL);
	assert_int_equal(call(w, &w->c_sup, "DELETE",
			      "/api/v1/calendars/office", NULL, &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(gh_audit_count(&w->s, "sla.calendar_delete",
					"success"), 1);
	expect_field(w, &w->c_sup, "DELETE", "/api/v1/queues/nowhere/sla",
		     NULL, 400, "unknown_queue", NULL);
}

static int64_t
new_ticket(struct world *w, const char *subject)
{
	struct gh_resp r;
	int64_t id;

	assert_int_equal(call(w, &w->c_cust, "POST", "/api/v1/portal/tickets",
			      json_pack("{s:s, s:s}", "subject", subject,
					"body", "Please help."),
			      &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	return id;
}

/* The ticket's due_at (0 for null) and breached, as staff see it. */
static int64_t
due_of(struct world *w, int64_t id, int *breached)
{
	struct gh_resp r;
	char path[64];
	json_t *d;
	int64_t v;

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld", (long long)id);
	assert_int_equal(gh_req(&w->s, &w->c_sup, "GET", path, NULL, NULL, &r),
			 200);
	d = json_object_get(r.json, "due_at");
	v = json_is_null(d) ? 0 : json_integer_value(d);
	if (breached != NULL)
		*breached = json_is_true(json_object_get(r.json, "breached"));
	gh_resp_free(&r);
	return v;
}

static void
ticket_post(struct world *w, struct gh_client *c, int64_t id,
	    const char *what, json_t *body)
{
	struct gh_resp r;
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/%s", (long long)id,
		 what);
	assert_int_equal(call(w, c, "POST", path, body, &r), 200);
	gh_resp_free(&r);
}

static void
assert_near(int64_t got, int64_t want)
{
	if (got < want - 5 || got > want + 5)
		fail_msg("%lld is not within 5 s of %lld", (long long)got,
			 (long long)want);
}

/* Due at creation from the queue's policy (normal: 8 h first response);
 * urgent: 1 hour from creation. */
static void
test_due_by_priority(void **state)
{
	struct world *w = *state;
	int64_t t0 = sla_now(w);
	int64_t id = new_ticket(w, "Due by priority");
	int breached = 1;

	assert_near(due_of(w, id, &breached), t0 + 8 * H);
	assert_false(breached);
	ticket_post(w, &w->c_sup, id, "priority",
		    json_pack("{s:s}", "priority", "urgent"));
	assert_near(due_of(w, id, NULL), t0 + H);
	/* Solved: no due time. */
	ticket_post(w, &w->c_sup, id, "status",
		    json_pack("{s:s}", "status", "solved"));
	assert_int_equal(due_of(w, id, NULL), 0);
}

/* Pending pauses the clock: two hours pending move the due time by two
 * hours. */
static void
test_paused_while_pending(void **state)
{
	struct world *w = *state;
	int64_t id = new_ticket(w, "Paused");
	int64_t d1 = due_of(w, id, NULL);

	assert_true(d1 > 0);
	ticket_post(w, &w->c_sup, id, "status",
		    json_pack("{s:s}", "status", "pending"));
	assert_int_equal(due_of(w, id, NULL), 0);
	set_clock(w, w->offset + 2 * H);
	ticket_post(w, &w->c_sup, id, "status",
		    json_pack("{s:s}", "status", "open"));
	assert_near(due_of(w, id, NULL), d1 + 2 * H);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM sla_breaches "
				      "WHERE ticket_id = %lld",
				      (long long)id),
			 0);
}

/* The queue's calendar changes from A to B and A is deleted: the next
 * change of a ticket whose clock ran in A keeps a due time from B. */
static void
test_old_calendar_deleted(void **state)
{
	struct world *w = *state;
	const char *path = "/api/v1/queues/general/sla";
	struct gh_resp r;
	int64_t id;

	assert_int_equal(call(w, &w->c_sup, "POST", "/api/v1/calendars",
			      calendar_body("cal-a", "UTC", "00:00-24:00",
					    "2030-12-25"),
			      &r),
			 201);
	gh_resp_free(&r);
	assert_int_equal(call(w, &w->c_sup, "PUT", path, policy_body("cal-a"),
			      &r),
			 200);
	gh_resp_free(&r);
	id = new_ticket(w, "Calendar gone");
	assert_true(due_of(w, id, NULL) > 0);
	assert_int_equal(call(w, &w->c_sup, "PUT", path, policy_body("always"),
			      &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(call(w, &w->c_sup, "DELETE",
			      "/api/v1/calendars/cal-a", NULL, &r),
			 200);
	gh_resp_free(&r);
	ticket_post(w, &w->c_sup, id, "priority",
		    json_pack("{s:s}", "priority", "urgent"));
	assert_true(due_of(w, id, NULL) > sla_now(w));
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM ticket_sla WHERE "
				      "ticket_id = %lld AND next_check > 0",
				      (long long)id),
			 1);
	/* Out of the way of the breach counts that follow. */
	ticket_post(w, &w->c_sup, id, "status",
		    json_pack("{s:s}", "status", "solved"));
}

static int64_t
breaches_of(struct world *w, int64_t id)
{
	return gh_db_countf(&w->s,
			    "SELECT COUNT(*) FROM sla_breaches WHERE "
			    "ticket_id = %lld",
			    (long long)id);
}

/* Past the due time, the next change records the breach once, audited;
 * the ticket shows breached; a further change records nothing more. */
static void
test_breach_by_change(void **state)
{
	struct world *w = *state;
	int64_t id = new_ticket(w, "Breach by change");
	int64_t audits = gh_audit_count(&w->s, "ticket.sla_breach", NULL);
	char path[96];
	struct gh_resp r;
	int breached = 0;

	ticket_post(w, &w->c_sup, id, "priority",
		    json_pack("{s:s}", "priority", "urgent"));
	ticket_post(w, &w->c_agent, id, "assign",
		    json_pack("{s:I}", "staff_id", (json_int_t)w->agent.id));
	set_clock(w, w->offset + H + 60);
	assert_int_equal(breaches_of(w, id), 0); /* no sweep in this run */
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/messages",
		 (long long)id);
	assert_int_equal(call(w, &w->c_cust, "POST", path,
			      json_pack("{s:s}", "body", "Anyone?"), &r),
			 201);
	gh_resp_free(&r);
	assert_int_equal(breaches_of(w, id), 1);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM sla_breaches WHERE "
				      "ticket_id = %lld AND kind = "
				      "'first_response' AND assignee_id = %lld",
				      (long long)id, (long long)w->agent.id),
			 1);
	assert_int_equal(gh_audit_count(&w->s, "ticket.sla_breach", NULL),
			 audits + 1);
	assert_true(due_of(w, id, &breached) < sla_now(w)); /* overdue */
	assert_true(breached);
	assert_int_equal(call(w, &w->c_cust, "POST", path,
			      json_pack("{s:s}", "body", "Hello?"), &r),
			 201);
	gh_resp_free(&r);
	assert_int_equal(breaches_of(w, id), 1);
	assert_int_equal(gh_audit_count(&w->s, "ticket.sla_breach", NULL),
			 audits + 1);
}

/* The report: agents 403; an unknown argument 400; the breach of the test before counted for
 * `general` and for the agent; the overdue ticket listed at risk. */
static void
test_report(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	json_t *q, *a;
	size_t i;
	int found = 0;

	expect_field(w, &w->c_agent, "GET", "/api/v1/supervisor/sla", NULL,
		     403, "forbidden", NULL);
	expect_field(w, &w->c_sup, "GET",
		     "/api/v1/supervisor/sla?since=100&until=50", NULL, 400,
		     "bad_query", "since");
	/* A misspelt argument is refused, never ignored. */
	assert_int_equal(gh_req(&w->s, &w->c_sup, "GET",
				"/api/v1/supervisor/sla?horizn=60", NULL,
				NULL, &r),
			 400);
	assert_string_equal(gh_error(&r), "bad_query");
	assert_non_null(strstr(r.body, "horizn"));
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->c_sup, "GET",
				"/api/v1/supervisor/sla", NULL, NULL, &r),
			 200);
	q = json_array_get(json_object_get(r.json, "queues"), 0);
	assert_string_equal(json_string_value(json_object_get(q, "queue")),
			    "general");
	assert_int_equal(json_integer_value(json_object_get(q, "breaches")),
			 1);
	a = json_array_get(json_object_get(r.json, "agents"), 0);
	assert_int_equal(json_integer_value(json_object_get(a, "id")),
			 w->agent.id);
	assert_int_equal(json_integer_value(json_object_get(
				 a, "first_response")),
			 1);
	json_array_foreach(json_object_get(r.json, "at_risk"), i, q)
		found += json_is_true(json_object_get(q, "breached"));
	assert_true(found >= 1);
	gh_resp_free(&r);
}

/* Nobody touches an urgent ticket: the sweep (every second after the
 * restart) records its breach on time, once, audited. */
static void
test_breach_by_sweep(void **state)
{
	struct world *w = *state;
	int64_t id, audits;
	int breached = 0;

	assert_int_equal(gh_restart(&w->s, "[sla]\nsweep_seconds = 1\n"), 0);
	assert_int_equal(gh_login(&w->s, &w->c_sup, &w->sup), 201);
	assert_int_equal(gh_login(&w->s, &w->c_cust, &w->cust), 201);
	id = new_ticket(w, "Breach by sweep");
	ticket_post(w, &w->c_sup, id, "priority",
		    json_pack("{s:s}", "priority", "urgent"));
	audits = gh_audit_count(&w->s, "ticket.sla_breach", NULL);
	sleep(2);
	assert_int_equal(breaches_of(w, id), 0); /* not due yet */
	set_clock(w, w->offset + H + 1);
	for (int i = 0; i < 50 && breaches_of(w, id) == 0; i++)
		usleep(100 * 1000);
	assert_int_equal(breaches_of(w, id), 1);
	sleep(2);
	assert_int_equal(breaches_of(w, id), 1);
	assert_int_equal(gh_audit_count(&w->s, "ticket.sla_breach", NULL),
			 audits + 1);
	due_of(w, id, &breached);
	assert_true(breached);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calendars),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_due_by_priority),
		cmocka_unit_test(test_paused_while_pending),
		cmocka_unit_test(test_old_calendar_deleted),
		cmocka_unit_test(test_breach_by_change),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_breach_by_sweep),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
