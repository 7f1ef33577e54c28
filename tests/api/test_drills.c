/*
 * API tests of phishing drills and "Report phishing" against the real
 * server (issue 11, part B).
 *
 * Drills: a supervisor schedules a template for agents; the drill ticket
 * is delivered into the target's queue, assigned to them, and is seen by
 * no other agent, by no customer and by the portal never (ASVS 8.2.2);
 * supervisors see it marked. A click on its link records the click with
 * its time, answers the lesson at once and assigns training
 * "phishing-remedial", so verification is refused (403 training_required)
 * until the module is passed; a report records a pass; the campaign view and
 * the statistics give the rates and the median time to report. A reply
 * on a drill ticket is stored and nothing is mailed (the outbox stays
 * empty). Agents cannot use the supervisors' drill routes (ASVS 8.2.1);
 * bad input is a 4xx and writes nothing; the campaign limits hold.
 *
 * Real messages: opening a link goes through the server and is audited
 * (link.open, ASVS 16.2.1); a report flags the message, refuses its links
 * afterwards (403 quarantined), quarantines the ticket's customer
 * attachments and mails supervisors without any message text (ASVS
 * 16.3.2; 14.2.3 no sensitive data in the alert).
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

/* core/drills.h: DRILL_NOTE_MAX. */
#define DRILL_NOTE_TEST 500

struct world {
	struct gh_server s;
	struct gh_user agent1, agent2, sup, cust;
	struct gh_client c1, c2, cs, cc;
};

static void
start_world(void **state, const char *conf)
{
	struct world *w = calloc(1, sizeof(*w));

	gh_start(&w->s, conf);
	gh_add_staff(&w->s, "agent1@example.com", "agent", &w->agent1);
	gh_add_staff(&w->s, "agent2@example.com", "agent", &w->agent2);
	gh_add_staff(&w->s, "sup@example.com", "supervisor", &w->sup);
	gh_add_customer(&w->s, "cust@example.org", &w->cust);
	gh_client_init(&w->c1, 1);
	gh_client_init(&w->c2, 1);
	gh_client_init(&w->cs, 1);
	gh_client_init(&w->cc, 0);
	assert_int_equal(gh_login(&w->s, &w->c1, &w->agent1), 201);
	assert_int_equal(gh_login(&w->s, &w->c2, &w->agent2), 201);
	assert_int_equal(gh_login(&w->s, &w->cs, &w->sup), 201);
	assert_int_equal(gh_login(&w->s, &w->cc, &w->cust), 201);
	*state = w;
}

static int
setup(void **state)
{
	start_world(state, NULL);
	return 0;
}

/* Tight limits: one target per campaign, two campaigns an hour. */
static int
setup_limits(void **state)
{
	start_world(state,
		    "\n[drills]\nmax_targets = 1\ncampaigns_per_hour = 2\n");
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	gh_client_free(&w->c1);
	gh_client_free(&w->c2);
	gh_client_free(&w->cs);
	gh_client_free(&w->cc);
	assert_int_equal(gh_stop(&w->s), 0);
	free(w);
	return 0;
}

static int64_t
audit_count(struct world *w, const char *action)
{
	return gh_audit_count(&w->s, action, NULL);
}

/* Schedules template for the given agents now; the campaign id. */
static int64_t
schedule(struct world *w, const char *tpl, int64_t a, int64_t b)
{
	struct gh_resp r;
	json_t *staff = json_array();
	int64_t id;

	json_array_append_new(staff, json_integer(a));
	if (b > 0)
		json_array_append_new(staff, json_integer(b));
	assert_int_equal(gh_send_json(&w->s, &w->cs, "POST", "/api/v1/drills",
				      json_pack("{s:s, s:o}", "template", tpl,
						"staff", staff),
				      &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	assert_true(id > 0);
	gh_resp_free(&r);
	return id;
}

/* The id of the drill ticket of staff_id in campaign (from the store). */
static int64_t
drill_ticket(struct world *w, int64_t campaign, int64_t staff_id)
{
	return gh_db_countf(&w->s,
			    "SELECT ticket_id FROM drill_targets WHERE "
			    "campaign_id = %lld AND staff_id = %lld",
			    (long long)campaign, (long long)staff_id);
}

/* 1 when the ticket list of c holds ticket id; *drill gets its mark. */
static int
listed(struct world *w, struct gh_client *c, int64_t id, int *drill)
{
	struct gh_resp r;
	json_t *t;
	size_t i;
	int found = 0;

	assert_int_equal(gh_req(&w->s, c, "GET", "/api/v1/tickets?limit=100",
				NULL, NULL, &r),
			 200);
	json_array_foreach(json_object_get(r.json, "tickets"), i, t) {
		if (json_integer_value(json_object_get(t, "id")) != id)
			continue;
		found = 1;
		if (drill != NULL)
			*drill = json_is_true(json_object_get(t, "drill"));
	}
	gh_resp_free(&r);
	return found;
}

/* The first message of ticket id as c sees it (its id into *mid). */
static void
first_message(struct world *w, struct gh_client *c, int64_t id,
	      int64_t *mid, struct gh_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld", (long long)id);
	assert_int_equal(gh_req(&w->s, c, "GET", path, NULL, NULL, r), 200);
	*mid = json_integer_value(json_object_get(
		json_array_get(json_object_get(r->json, "messages"), 0),
		"id"));
	assert_true(*mid > 0);
}

static long
post_msg(struct world *w, struct gh_client *c, int64_t id, int64_t mid,
	 const char *what, json_t *body, struct gh_resp *r)
{
	char path[160];

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/messages/%lld/%s",
		 (long long)id, (long long)mid, what);
	return gh_send_json(&w->s, c, "POST", path,
			    body != NULL ? body : json_object(), r);
}

/* The campaign's target row of staff_id (a new reference). */
static json_t *
target_of(struct world *w, int64_t campaign, int64_t staff_id)
{
	struct gh_resp r;
	char path[64];
	json_t *t, *out = NULL;
	size_t i;

	snprintf(path, sizeof(path), "/api/v1/drills/%lld",
		 (long long)campaign);
	assert_int_equal(gh_req(&w->s, &w->cs, "GET", path, NULL, NULL, &r),
			 200);
	json_array_foreach(json_object_get(r.json, "targets_detail"), i, t)
		if (json_integer_value(json_object_get(t, "staff_id")) ==
		    staff_id)
			out = json_incref(t);
	gh_resp_free(&r);
	assert_non_null(out);
	return out;
}

/* Delivered into the target's queue, assigned to them; other agents and
 * the portal never see it; supervisors see it marked; the first read by
 * the target records "opened". ASVS 8.2.2. */
static void
test_delivery_and_visibility(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t camp, tid, mid;
	int drill = -1;
	char path[96];
	json_t *t;

	camp = schedule(w, "urgent-mfa-reset", w->agent1.id, 0);
	/* Listing delivers what is due (it was delivered at once). */
	assert_true(listed(w, &w->c1, 0, NULL) == 0);
	tid = drill_ticket(w, camp, w->agent1.id);
	assert_true(tid > 0);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM tickets WHERE "
				      "id = %lld AND assignee_id = %lld AND "
				      "drill_id IS NOT NULL",
				      (long long)tid, (long long)w->agent1.id),
			 1);
	/* The target sees it as any ticket: no mark. */
	assert_true(listed(w, &w->c1, tid, &drill));
	assert_int_equal(drill, 0);
	assert_false(listed(w, &w->c2, tid, NULL));
	assert_true(listed(w, &w->cs, tid, &drill));
	assert_int_equal(drill, 1);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld", (long long)tid);
	assert_int_equal(gh_req(&w->s, &w->c2, "GET", path, NULL, NULL, &r),
			 404);
	gh_resp_free(&r);
	/* The portal cannot list or open it, not even its sender. */
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld",
		 (long long)tid);
	assert_int_equal(gh_req(&w->s, &w->cc, "GET", path, NULL, NULL, &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&w->s,
				     "SELECT COUNT(*) FROM customers WHERE "
				     "email_idx LIKE 'drill-sender:%' AND "
				     "disabled = 1"),
			 1);
	t = target_of(w, camp, w->agent1.id);
	assert_true(json_integer_value(json_object_get(t, "delivered")) > 0);
	assert_true(json_is_null(json_object_get(t, "opened")));
	json_decref(t);
	/* A supervisor's read is not the target's. */
	first_message(w, &w->cs, tid, &mid, &r);
	gh_resp_free(&r);
	t = target_of(w, camp, w->agent1.id);
	assert_true(json_is_null(json_object_get(t, "opened")));
	json_decref(t);
	/* The first message looks like a customer's, links analysed. */
	first_message(w, &w->c1, tid, &mid, &r);
	t = json_array_get(json_object_get(r.json, "messages"), 0);
	assert_string_equal(json_string_value(json_object_get(t, "from")),
			    "customer");
	assert_int_equal(json_array_size(json_object_get(t, "links")), 1);
	assert_null(json_object_get(r.json, "drill"));
	gh_resp_free(&r);
	t = target_of(w, camp, w->agent1.id);
	assert_true(json_integer_value(json_object_get(t, "opened")) > 0);
	json_decref(t);
	assert_int_equal(audit_count(w, "drill.delivered"), 1);
	assert_int_equal(audit_count(w, "drill.opened"), 1);
}

/* Starts a verification as agent 1 on a new ticket of the customer:
 * the status; a 403 must be training_required listing module. */
static long
verify_status(struct world *w, const char *module)
{
	struct gh_resp r;
	char path[96];
	int64_t tid;
	long st;
	json_t *m;
	size_t i;
	int listed = 0;

	assert_int_equal(gh_send_json(&w->s, &w->cc, "POST",
				      "/api/v1/portal/tickets",
				      json_pack("{s:s, s:s}", "subject",
						"Call me", "body", "Please"),
				      &r),
			 201);
	tid = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/verifications",
		 (long long)tid);
	st = gh_send_json(&w->s, &w->c1, "POST", path, json_object(), &r);
	if (st == 403) {
		assert_string_equal(gh_error(&r), "training_required");
		json_array_foreach(json_object_get(r.json, "modules"), i, m)
			if (strcmp(json_string_value(json_object_get(m, "id")),
				   module) == 0)
				listed = 1;
		assert_true(listed);
	}
	gh_resp_free(&r);
	return st;
}

/* 1 when agent 1's verification is refused for module. */
static int
gate_refuses(struct world *w, const char *module)
{
	return verify_status(w, module) == 403;
}

/* Agent 1 clicks, agent 2 reports: events with times, the lesson at
 * once, remedial training assigned, the rates and median in stats. */
static void
test_click_vs_report(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t camp, t1, t2, m1, m2;
	json_t *t, *lesson, *c;

	/* Both agents trained: the gate is open before the drill. */
	gh_train(&w->s, "agent1@example.com");
	gh_train(&w->s, "agent2@example.com");
	assert_int_equal(verify_status(w, "phishing-remedial"), 201);
	camp = schedule(w, "fake-invoice", w->agent1.id, w->agent2.id);
	t1 = drill_ticket(w, camp, w->agent1.id);
	t2 = drill_ticket(w, camp, w->agent2.id);
	first_message(w, &w->c1, t1, &m1, &r);
	gh_resp_free(&r);
	first_message(w, &w->c2, t2, &m2, &r);
	gh_resp_free(&r);
	assert_int_equal(post_msg(w, &w->c1, t1, m1, "links/1/open", NULL,
				  &r),
			 200);
	assert_true(json_is_true(json_object_get(r.json, "drill")));
	lesson = json_object_get(r.json, "lesson");
	assert_non_null(json_string_value(json_object_get(lesson, "title")));
	assert_non_null(json_string_value(json_object_get(lesson, "text")));
	assert_true(json_array_size(json_object_get(lesson, "red_flags")) >=
		    3);
	assert_null(json_object_get(r.json, "url"));
	gh_resp_free(&r);
	assert_int_equal(post_msg(w, &w->c2, t2, m2, "report-phishing",
				  json_pack("{s:s}", "note", "odd invoice"),
				  &r),
			 200);
	assert_true(json_is_true(json_object_get(r.json, "drill")));
	gh_resp_free(&r);
	/* Its file is quarantined as a real report's would be. */
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM attachments WHERE "
				      "ticket_id = %lld AND quarantined = 1",
				      (long long)t2),
			 1);
	t = target_of(w, camp, w->agent1.id);
	assert_true(json_integer_value(json_object_get(t, "clicked")) > 0);
	assert_true(json_is_null(json_object_get(t, "reported")));
	json_decref(t);
	t = target_of(w, camp, w->agent2.id);
	assert_true(json_integer_value(json_object_get(t, "reported")) >=
		    json_integer_value(json_object_get(t, "delivered")));
	assert_true(json_is_null(json_object_get(t, "clicked")));
	json_decref(t);
	/* The click assigned the remedial module (training_assign). */
	assert_true(gate_refuses(w, "phishing-remedial"));
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM "
				      "training_assignments WHERE staff_id = "
				      "%lld AND module_id = "
				      "'phishing-remedial' AND reason = "
				      "'drill_click' AND cleared_at IS NULL",
				      (long long)w->agent1.id),
			 1);
	assert_int_equal(audit_count(w, "drill.click"), 1);
	assert_int_equal(audit_count(w, "drill.report"), 1);
	/* Passing the module (here recorded from another platform) opens
	 * the gate again. */
	{
		const char *args[] = {"training", "complete", "--email",
				      "agent1@example.com", "--module",
				      "phishing-remedial", NULL};

		assert_int_equal(gh_cli(&w->s, NULL, NULL, args), 0);
	}
	assert_int_equal(verify_status(w, "phishing-remedial"), 201);
	assert_int_equal(gh_req(&w->s, &w->cs, "GET", "/api/v1/drills/stats",
				NULL, NULL, &r),
			 200);
	c = json_array_get(json_object_get(r.json, "campaigns"), 0);
	assert_int_equal(json_integer_value(json_object_get(c, "delivered")),
			 2);
	assert_true(json_real_value(json_object_get(c, "click_rate")) == 0.5);
	assert_true(json_real_value(json_object_get(c, "report_rate")) == 0.5);
	assert_true(json_integer_value(json_object_get(
			    c, "median_report_seconds")) >= 0);
	c = json_array_get(json_object_get(r.json, "agents"), 0);
	assert_int_equal(json_integer_value(json_object_get(c, "staff_id")),
			 w->agent1.id);
	assert_true(json_real_value(json_object_get(c, "click_rate")) == 1.0);
	assert_true(json_is_null(json_object_get(c, "median_report_seconds")));
	assert_int_equal(json_array_size(json_object_get(r.json, "weeks")), 1);
	gh_resp_free(&r);
}

/* A reply on a drill ticket is stored and nothing is mailed, no code is
 * sent to its sender for a verification; the portal never lists it. */
static void
test_never_reaches_customer(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t camp, tid, vid;
	char path[96];

	camp = schedule(w, "phone-change", w->agent1.id, 0);
	tid = drill_ticket(w, camp, w->agent1.id);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/replies",
		 (long long)tid);
	assert_int_equal(gh_send_json(&w->s, &w->c1, "POST", path,
				      json_pack("{s:s}", "body",
						"We will look into it."),
				      &r),
			 201);
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM messages WHERE "
				      "ticket_id = %lld AND author_realm = "
				      "'staff'",
				      (long long)tid),
			 1);
	assert_int_equal(gh_db_count(&w->s, "SELECT COUNT(*) FROM outbox"), 0);
	/* No code can be sent to the drill's sender either. */
	gh_train(&w->s, "agent1@example.com");
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/verifications",
		 (long long)tid);
	assert_int_equal(gh_send_json(&w->s, &w->c1, "POST", path,
				      json_object(), &r),
			 201);
	vid = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/verifications/%lld/factors",
		 (long long)vid);
	assert_int_equal(gh_send_json(&w->s, &w->c1, "POST", path,
				      json_pack("{s:s}", "method",
						"email_otp"),
				      &r),
			 409);
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&w->s, "SELECT COUNT(*) FROM outbox"), 0);
	assert_int_equal(gh_req(&w->s, &w->cc, "GET",
				"/api/v1/portal/tickets?limit=100", NULL, NULL,
				&r),
			 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "tickets")),
			 0);
	gh_resp_free(&r);
}

/* A real customer message: the link opens through the server (audited
 * with its host), a report flags the message, refuses its links after,
 * quarantines the customer's attachments and alerts supervisors by a
 * mail without the message text. */
static void
test_report_real(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t tid, mid;
	char path[128], *mail = NULL;

	assert_int_equal(gh_send_json(&w->s, &w->cc, "POST",
				      "/api/v1/portal/tickets",
				      json_pack("{s:s, s:s}", "subject",
						"Login problem", "body",
						"Secret words here, see "
						"https://evil-login.example/x"),
				      &r),
			 201);
	tid = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/attachments",
		 (long long)tid);
	assert_int_equal(gh_send_json(&w->s, &w->cc, "POST", path,
				      json_pack("{s:s, s:s}", "filename",
						"notes.txt", "content_base64",
						"aGVsbG8gd29ybGQK"),
				      &r),
			 201);
	gh_resp_free(&r);
	first_message(w, &w->c1, tid, &mid, &r);
	assert_true(json_is_false(json_object_get(
		json_array_get(json_object_get(r.json, "messages"), 0),
		"reported")));
	gh_resp_free(&r);
	assert_int_equal(post_msg(w, &w->c1, tid, mid, "links/1/open", NULL,
				  &r),
			 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "url")),
			    "https://evil-login.example/x");
	gh_resp_free(&r);
	assert_int_equal(audit_count(w, "link.open"), 1);
	assert_int_equal(post_msg(w, &w->c1, tid, mid, "links/2/open", NULL,
				  &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(post_msg(w, &w->c1, tid, mid, "report-phishing",
				  NULL, &r),
			 200);
	assert_true(json_is_false(json_object_get(r.json, "drill")));
	assert_int_equal(json_integer_value(json_object_get(
				 r.json, "attachments_quarantined")),
			 1);
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM attachments WHERE "
				      "ticket_id = %lld AND quarantined = 1",
				      (long long)tid),
			 1);
	first_message(w, &w->c1, tid, &mid, &r);
	assert_true(json_is_true(json_object_get(
		json_array_get(json_object_get(r.json, "messages"), 0),
		"reported")));
	gh_resp_free(&r);
	assert_int_equal(post_msg(w, &w->c1, tid, mid, "links/1/open", NULL,
				  &r),
			 403);
	assert_string_equal(gh_error(&r), "quarantined");
	gh_resp_free(&r);
	assert_int_equal(post_msg(w, &w->c1, tid, mid, "report-phishing",
				  NULL, &r),
			 409);
	gh_resp_free(&r);
	assert_int_equal(audit_count(w, "phish.report"), 1);
	assert_int_equal(gh_take_mail(&w->s, "sup@example.com",
				      "reported a customer message as phishing",
				      10, &mail),
			 0);
	assert_null(strstr(mail, "Secret words"));
	assert_null(strstr(mail, "evil-login"));
	free(mail);
}

/* A drill's file is stored as the customer's upload, analysed like one;
 * opening it through the console's step records "attachment opened",
 * answers the lesson and assigns the remedial module; a real file answers
 * {drill: false} and records nothing. */
static void
test_drill_attachment(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t camp, tid, aid;
	char path[96];
	json_t *a, *t;

	camp = schedule(w, "fake-invoice", w->agent1.id, 0);
	tid = drill_ticket(w, camp, w->agent1.id);
	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/attachments",
		 (long long)tid);
	assert_int_equal(gh_req(&w->s, &w->c1, "GET", path, NULL, NULL, &r),
			 200);
	a = json_array_get(json_object_get(r.json, "attachments"), 0);
	assert_non_null(a);
	assert_string_equal(json_string_value(json_object_get(a, "filename")),
			    "Invoice_INV-20931.pdf.html");
	aid = json_integer_value(json_object_get(a, "id"));
	gh_resp_free(&r);
	/* Another agent cannot open it. */
	snprintf(path, sizeof(path), "/api/v1/attachments/%lld/open",
		 (long long)aid);
	assert_int_equal(gh_send_json(&w->s, &w->c2, "POST", path,
				      json_object(), &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(gh_send_json(&w->s, &w->c1, "POST", path,
				      json_object(), &r),
			 200);
	assert_true(json_is_true(json_object_get(r.json, "drill")));
	assert_non_null(json_object_get(json_object_get(r.json, "lesson"),
					"red_flags"));
	gh_resp_free(&r);
	t = target_of(w, camp, w->agent1.id);
	assert_true(json_integer_value(json_object_get(t, "attachment_opened")) >
		    0);
	assert_true(json_is_null(json_object_get(t, "clicked")));
	json_decref(t);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM "
				      "training_assignments WHERE staff_id = "
				      "%lld AND module_id = "
				      "'phishing-remedial' AND reason = "
				      "'drill_attachment'",
				      (long long)w->agent1.id),
			 1);
	assert_int_equal(audit_count(w, "drill.attachment_open"), 1);
	/* A real customer file: not a drill, nothing recorded. */
	assert_int_equal(gh_send_json(&w->s, &w->cc, "POST",
				      "/api/v1/portal/tickets",
				      json_pack("{s:s, s:s}", "subject", "File",
						"body", "See the file"),
				      &r),
			 201);
	tid = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/attachments",
		 (long long)tid);
	assert_int_equal(gh_send_json(&w->s, &w->cc, "POST", path,
				      json_pack("{s:s, s:s}", "filename",
						"notes.txt", "content_base64",
						"aGVsbG8gd29ybGQK"),
				      &r),
			 201);
	aid = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/attachments/%lld/open",
		 (long long)aid);
	assert_int_equal(gh_send_json(&w->s, &w->c1, "POST", path,
				      json_object(), &r),
			 200);
	assert_true(json_is_false(json_object_get(r.json, "drill")));
	gh_resp_free(&r);
	assert_int_equal(audit_count(w, "drill.attachment_open"), 1);
}

/* A drill scheduled for later is not delivered before its time; the
 * target's next list after it delivers it. */
static void
test_scheduled_later(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t camp, tid;

	assert_int_equal(gh_send_json(&w->s, &w->cs, "POST", "/api/v1/drills",
				      json_pack("{s:s, s:[I], s:I}", "template",
						"phone-change", "staff",
						(json_int_t)w->agent1.id,
						"send_at",
						(json_int_t)time(NULL) + 3),
				      &r),
			 201);
	camp = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	assert_false(listed(w, &w->c1, 0, NULL));
	assert_int_equal(drill_ticket(w, camp, w->agent1.id), 0);
	sleep(4);
	/* Agent 2's list delivers nothing of agent 1's. */
	assert_false(listed(w, &w->c2, 0, NULL));
	assert_int_equal(drill_ticket(w, camp, w->agent1.id), 0);
	assert_false(listed(w, &w->c1, 0, NULL));
	tid = drill_ticket(w, camp, w->agent1.id);
	assert_true(tid > 0);
	assert_true(listed(w, &w->c1, tid, NULL));
}

/* Agents cannot use the supervisors' routes (ASVS 8.2.1). */
static void
test_agent_forbidden(void **state)
{
	struct world *w = *state;
	static const char *const gets[] = {"/api/v1/drills",
					   "/api/v1/drills/stats",
					   "/api/v1/drills/templates",
					   "/api/v1/drills/1"};
	struct gh_resp r;

	for (size_t i = 0; i < sizeof(gets) / sizeof(gets[0]); i++) {
		assert_int_equal(gh_req(&w->s, &w->c1, "GET", gets[i], NULL,
					NULL, &r),
				 403);
		gh_resp_free(&r);
	}
	assert_int_equal(gh_send_json(&w->s, &w->c1, "POST", "/api/v1/drills",
				      json_pack("{s:s, s:[I]}", "template",
						"fake-invoice", "staff",
						(json_int_t)w->agent2.id),
				      &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&w->s,
				     "SELECT COUNT(*) FROM drill_campaigns"),
			 0);
	assert_int_equal(gh_req(&w->s, &w->cs, "GET",
				"/api/v1/drills/templates", NULL, NULL, &r),
			 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "templates")),
			 3);
	gh_resp_free(&r);
}

/* One bad create body: its status and error code, nothing written. */
static void
bad_create(struct world *w, json_t *body, long status, const char *code)
{
	struct gh_resp r;

	assert_int_equal(gh_send_json(&w->s, &w->cs, "POST", "/api/v1/drills",
				      body, &r),
			 status);
	assert_string_equal(gh_error(&r), code);
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&w->s,
				     "SELECT COUNT(*) FROM drill_campaigns"),
			 0);
}

static void
test_bad_input(void **state)
{
	struct world *w = *state;
	json_int_t a1 = (json_int_t)w->agent1.id;
	struct gh_resp r;
	int64_t tid, mid;
	char *note;

	bad_create(w, json_pack("{s:s, s:[I]}", "template", "nope", "staff",
				a1),
		   400, "unknown_template");
	bad_create(w, json_pack("{s:s, s:[I], s:s}", "template",
				"fake-invoice", "staff", a1, "queue",
				"general"),
		   400, "drill_no_targets");
	bad_create(w, json_pack("{s:s}", "template", "fake-invoice"), 400,
		   "drill_no_targets");
	bad_create(w, json_pack("{s:s, s:[i]}", "template", "fake-invoice",
				"staff", 9999),
		   400, "drill_no_targets");
	bad_create(w, json_pack("{s:s, s:[I, I]}", "template", "fake-invoice",
				"staff", a1, a1),
		   400, "drill_no_targets");
	bad_create(w, json_pack("{s:s, s:s}", "template", "fake-invoice",
				"staff", "1,2"),
		   400, "bad_field");
	bad_create(w, json_pack("{s:s, s:[s]}", "template", "fake-invoice",
				"staff", "x"),
		   400, "bad_field");
	bad_create(w, json_pack("{s:s, s:s}", "template", "fake-invoice",
				"queue", "nosuchqueue"),
		   400, "unknown_queue");
	bad_create(w, json_pack("{s:s, s:[I], s:i}", "template",
				"fake-invoice", "staff", a1, "send_at", 1000),
		   400, "bad_field");
	bad_create(w, json_pack("{s:s, s:[I], s:b}", "template",
				"fake-invoice", "staff", a1, "extra", 1),
		   400, "unknown_field");
	/* Report and open: a staff message or an unknown one is 404; a
	 * long note 400; nothing is flagged. */
	assert_int_equal(gh_send_json(&w->s, &w->cc, "POST",
				      "/api/v1/portal/tickets",
				      json_pack("{s:s, s:s}", "subject", "Hi",
						"body", "Hello there"),
				      &r),
			 201);
	tid = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	first_message(w, &w->c1, tid, &mid, &r);
	gh_resp_free(&r);
	note = malloc(DRILL_NOTE_TEST + 2);
	memset(note, 'n', DRILL_NOTE_TEST + 1);
	note[DRILL_NOTE_TEST + 1] = '\0';
	assert_int_equal(post_msg(w, &w->c1, tid, mid, "report-phishing",
				  json_pack("{s:s}", "note", note), &r),
			 400);
	gh_resp_free(&r);
	free(note);
	assert_int_equal(post_msg(w, &w->c1, tid, mid + 1000,
				  "report-phishing", NULL, &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(post_msg(w, &w->c1, tid, mid, "links/1/open", NULL,
				  &r),
			 404);
	gh_resp_free(&r);
	/* Agent 2 cannot see agent 1's drill ticket: no report either. */
	assert_int_equal(post_msg(w, &w->c2, drill_ticket(w, schedule(
					 w, "fake-invoice", w->agent1.id, 0),
					 w->agent1.id),
				  mid, "report-phishing", NULL, &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&w->s,
				     "SELECT COUNT(*) FROM messages WHERE "
				     "phish_reported_at IS NOT NULL"),
			 0);
}

/* [drills] max_targets and campaigns_per_hour. */
static void
test_limits(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char *ra;

	bad_create(w, json_pack("{s:s, s:[I, I]}", "template", "fake-invoice",
				"staff", (json_int_t)w->agent1.id,
				(json_int_t)w->agent2.id),
		   400, "drill_too_many_targets");
	schedule(w, "fake-invoice", w->agent1.id, 0);
	schedule(w, "phone-change", w->agent2.id, 0);
	assert_int_equal(gh_send_json(&w->s, &w->cs, "POST", "/api/v1/drills",
				      json_pack("{s:s, s:[I]}", "template",
						"urgent-mfa-reset", "staff",
						(json_int_t)w->agent1.id),
				      &r),
			 429);
	ra = gh_header(&r, "Retry-After");
	assert_non_null(ra);
	free(ra);
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&w->s,
				     "SELECT COUNT(*) FROM drill_campaigns"),
			 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_delivery_and_visibility,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_click_vs_report, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_never_reaches_customer,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_real, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_drill_attachment, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_scheduled_later, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_agent_forbidden, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup_limits,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
