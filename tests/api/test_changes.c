/*
 * API tests of account changes under dual control against the real
 * server (ASVS 2.3.5 multi-user approval, 6.3.7 notice of a change to the
 * old contact, 6.4.4 MFA reset, 8.2.1 function-level checks): a request
 * needs a real level-2 verification with a possession factor (portal
 * number matching and an e-mail code, through core/verify's endpoints),
 * a level-1 one or none is 403 verification_required; the requester
 * cannot approve (403 self_approval), an agent cannot (403 forbidden);
 * approval mails the OLD address (read from DIR/outbox) without the new
 * value; the customer sees and cancels the change in the portal during
 * the cooling-off and it never applies; a change applies after the
 * period (an MFA reset then ends the customer's sessions and the next
 * login must enrol; an e-mail change moves the login to the new
 * address); a configured cooling-off below the floor stops start-up.
 *
 * Time: the server has no clock override and no back door. Where a test
 * needs the cooling-off to be over, it edits its own test database row
 * (approved_at and apply_after moved back by 25 hours, as if the approval
 * had been given a day ago) as test setup; the server then finds the
 * change due on its next read, exactly as it would a day later. The time
 * rules themselves are unit-tested with an injected clock
 * (tests/unit/test_changes.c).
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

#include "harness.h"

#define PORTAL_URL "https://portal.example.test/"

struct world {
	struct gh_server s;
	struct gh_user agent1, agent2, sup1, sup2;
	struct gh_client c_agent1, c_agent2, c_sup1, c_sup2;
	int n_cust;
};

/* A customer of one test, logged in to the portal. */
struct cust {
	struct gh_user u;
	struct gh_client c;
	int64_t ticket;
};

static struct world *W;

static int
group_setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	gh_start(&w->s, "\n[company]\nportal_url = " PORTAL_URL "\n");
	gh_add_staff(&w->s, "agent1@example.com", "agent", &w->agent1);
	gh_add_staff(&w->s, "agent2@example.com", "agent", &w->agent2);
	gh_add_staff(&w->s, "sup1@example.com", "supervisor", &w->sup1);
	gh_add_staff(&w->s, "sup2@example.com", "admin", &w->sup2);
	/* The training gate (issue 11) needs them trained to verify and
	 * reveal. */
	gh_train(&w->s, "agent1@example.com");
	gh_train(&w->s, "agent2@example.com");
	gh_train(&w->s, "sup1@example.com");
	gh_train(&w->s, "sup2@example.com");
	gh_client_init(&w->c_agent1, 1);
	gh_client_init(&w->c_agent2, 1);
	gh_client_init(&w->c_sup1, 1);
	gh_client_init(&w->c_sup2, 1);
	assert_int_equal(gh_login(&w->s, &w->c_agent1, &w->agent1), 201);
	assert_int_equal(gh_login(&w->s, &w->c_agent2, &w->agent2), 201);
	assert_int_equal(gh_login(&w->s, &w->c_sup1, &w->sup1), 201);
	assert_int_equal(gh_login(&w->s, &w->c_sup2, &w->sup2), 201);
	W = w;
	*state = w;
	return 0;
}

static int
group_teardown(void **state)
{
	struct world *w = *state;

	gh_client_free(&w->c_agent1);
	gh_client_free(&w->c_agent2);
	gh_client_free(&w->c_sup1);
	gh_client_free(&w->c_sup2);
	assert_int_equal(gh_stop(&w->s), 0);
	free(w);
	return 0;
}

/* --- helpers ---------------------------------------------------------- */

static long
post(struct gh_client *c, const char *path, json_t *body, struct gh_resp *r)
{
	return gh_send_json(&W->s, c, "POST", path, body, r);
}

/* A new customer (cust<N>@example.org), logged in, with one ticket. */
static void
new_cust(struct cust *k)
{
	char email[64];
	struct gh_resp r;

	snprintf(email, sizeof(email), "cust%d@example.org", ++W->n_cust);
	gh_add_customer(&W->s, email, &k->u);
	gh_client_init(&k->c, 0);
	assert_int_equal(gh_login(&W->s, &k->c, &k->u), 201);
	assert_int_equal(post(&k->c, "/api/v1/portal/tickets",
			      json_pack("{s:s, s:s}", "subject", "Lost phone",
					"body", "Please help"),
			      &r),
			 201);
	k->ticket = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
}

static void
cust_free(struct cust *k)
{
	gh_client_free(&k->c);
}

/* The mail to `to` containing needle (see gh_take_mail). */
static int
take_mail(const char *to, const char *needle, int wait_s, char **text)
{
	return gh_take_mail(&W->s, to, needle, wait_s, text);
}

/* A verification by staff client c on k's ticket: level 1 (portal
 * number matching) or 2 (and an e-mail code to the address on file,
 * read from the outbox). Returns its id. */
static int64_t
verified(struct gh_client *c, struct cust *k, int level)
{
	char path[128], code[7];
	struct gh_resp r;
	char *mail = NULL;
	const char *p;
	int64_t v, n;

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/verifications",
		 (long long)k->ticket);
	assert_int_equal(post(c, path, json_object(), &r), 201);
	v = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/verifications/%lld/factors",
		 (long long)v);
	assert_int_equal(post(c, path, json_pack("{s:s}", "method",
						 "portal_approval"), &r), 202);
	n = json_integer_value(json_object_get(r.json, "number"));
	gh_resp_free(&r);
	snprintf(path, sizeof(path),
		 "/api/v1/portal/verifications/%lld/approve", (long long)v);
	assert_int_equal(post(&k->c, path, json_pack("{s:I}", "number",
						     (json_int_t)n), &r), 200);
	gh_resp_free(&r);
	if (level < 2)
		return v;
	snprintf(path, sizeof(path), "/api/v1/verifications/%lld/factors",
		 (long long)v);
	assert_int_equal(post(c, path, json_pack("{s:s}", "method",
						 "email_otp"), &r), 202);
	gh_resp_free(&r);
	assert_int_equal(take_mail(k->u.email, "Your verification code: ", 10,
				   &mail), 0);
	p = strstr(mail, "Your verification code: ");
	memcpy(code, p + strlen("Your verification code: "), 6);
	code[6] = '\0';
	free(mail);
	assert_int_equal(post(c, path, json_pack("{s:s, s:s}", "method",
						 "email_otp", "code", code),
			      &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "level")),
			 2);
	gh_resp_free(&r);
	return v;
}

/* POST /customers/{k}/changes by c; value may be NULL. */
static long
request_change(struct gh_client *c, struct cust *k, const char *kind,
	       const char *value, int64_t v, struct gh_resp *r)
{
	char path[128];
	json_t *body = json_pack("{s:s, s:s, s:I}", "kind", kind, "reason",
				 "caller lost their phone", "verification",
				 (json_int_t)v);

	if (value != NULL)
		json_object_set_new(body, "value", json_string(value));
	snprintf(path, sizeof(path), "/api/v1/customers/%lld/changes",
		 (long long)k->u.id);
	return post(c, path, body, r);
}

/* A change requested by c (level 2) on k; its id. */
static int64_t
requested(struct gh_client *c, struct cust *k, const char *kind,
	  const char *value)
{
	struct gh_resp r;
	int64_t id;

	assert_int_equal(request_change(c, k, kind, value, verified(c, k, 2),
					&r),
			 201);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")),
			    "pending_approval");
	assert_null(json_object_get(r.json, "value"));
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	return id;
}

/* POST /changes/{id}/approve|reject by c with a reason. */
static long
decide(struct gh_client *c, int64_t id, const char *what, struct gh_resp *r)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/changes/%lld/%s", (long long)id,
		 what);
	return post(c, path, json_pack("{s:s}", "reason",
				       "called the customer back"), r);
}

static void
approved(int64_t id)
{
	struct gh_resp r;
	int64_t now = (int64_t)time(NULL), after;

	assert_int_equal(decide(&W->c_sup2, id, "approve", &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")),
			    "cooling_off");
	after = json_integer_value(json_object_get(r.json, "apply_after"));
	assert_true(after >= now + 86400 && after <= now + 86400 + 5);
	gh_resp_free(&r);
}

/* Test setup, not a server feature: moves the change's approval back by
 * 25 hours in this test's own database, as if it had been approved a
 * day ago (the schema keeps apply_after >= approved_at + 24 h). */
static void
a_day_passes(int64_t id)
{
	char sql[200];

	snprintf(sql, sizeof(sql),
		 "UPDATE change_requests SET approved_at = approved_at - 90000, "
		 "apply_after = apply_after - 90000 WHERE id = %lld",
		 (long long)id);
	gh_db_exec(&W->s, sql);
}

/* The state of change id as a supervisor's list shows it (the list
 * applies what is due first). */
static void
state_is(int64_t id, const char *want)
{
	struct gh_resp r;
	size_t i;
	json_t *c;
	int seen = 0;

	assert_int_equal(gh_req(&W->s, &W->c_sup1, "GET",
				"/api/v1/changes?limit=100", NULL, NULL, &r),
			 200);
	json_array_foreach(json_object_get(r.json, "changes"), i, c) {
		if (json_integer_value(json_object_get(c, "id")) != id)
			continue;
		assert_string_equal(
			json_string_value(json_object_get(c, "state")), want);
		seen = 1;
	}
	assert_true(seen);
	gh_resp_free(&r);
}

static int64_t
audits(const char *action, const char *outcome)
{
	return gh_audit_count(&W->s, action, outcome);
}

/* --- tests ------------------------------------------------------------ */

/* ASVS 2.3.5: no request without a level-2 verification with a
 * possession factor of this agent: none, a bogus one, a level-1 one and
 * another agent's level-2 one are 403 verification_required (with the
 * levels), audited, and store nothing. */
static void
test_request_needs_verification(void **state)
{
	struct gh_resp r;
	struct cust k;
	int64_t v1, v2, denied = audits("change.request", "denied");

	(void)state;
	new_cust(&k);
	assert_int_equal(request_change(&W->c_agent1, &k, "mfa_reset", NULL,
					999999, &r), 403);
	assert_string_equal(gh_error(&r), "verification_required");
	assert_int_equal(json_integer_value(json_object_get(r.json,
							    "level_needed")), 2);
	assert_int_equal(json_integer_value(json_object_get(r.json,
							    "level_held")), 0);
	gh_resp_free(&r);
	v1 = verified(&W->c_agent1, &k, 1);
	assert_int_equal(request_change(&W->c_agent1, &k, "mfa_reset", NULL,
					v1, &r), 403);
	assert_string_equal(gh_error(&r), "verification_required");
	assert_int_equal(json_integer_value(json_object_get(r.json,
							    "level_held")), 1);
	gh_resp_free(&r);
	v2 = verified(&W->c_agent2, &k, 2);
	assert_int_equal(request_change(&W->c_agent1, &k, "mfa_reset", NULL,
					v2, &r), 403);
	assert_string_equal(gh_error(&r), "verification_required");
	gh_resp_free(&r);
	assert_int_equal(audits("change.request", "denied"), denied + 3);
	assert_int_equal(gh_db_countf(&W->s, "SELECT COUNT(*) FROM "
				      "change_requests WHERE customer_id = "
				      "%lld", (long long)k.u.id), 0);
	/* With it, agent 2 may (once per kind). */
	assert_int_equal(request_change(&W->c_agent2, &k, "mfa_reset", NULL,
					v2, &r), 201);
	gh_resp_free(&r);
	assert_int_equal(request_change(&W->c_agent2, &k, "mfa_reset", NULL,
					v2, &r), 409);
	assert_string_equal(gh_error(&r), "change_not_allowed");
	gh_resp_free(&r);
	cust_free(&k);
}

/* Bad input changes nothing: unknown kind, a value for mfa_reset, no
 * value for phone, a malformed phone, a short reason, an unknown field,
 * account numbers (not stored by this version). */
static void
test_bad_input(void **state)
{
	struct gh_resp r;
	struct cust k;
	int64_t v;
	char path[128];

	(void)state;
	new_cust(&k);
	v = verified(&W->c_agent1, &k, 2);
	assert_int_equal(request_change(&W->c_agent1, &k, "password", "x", v,
					&r), 400);
	assert_string_equal(gh_error(&r), "bad_field");
	gh_resp_free(&r);
	assert_int_equal(request_change(&W->c_agent1, &k, "mfa_reset", "x", v,
					&r), 400);
	gh_resp_free(&r);
	assert_int_equal(request_change(&W->c_agent1, &k, "phone", NULL, v, &r),
			 400);
	assert_string_equal(gh_error(&r), "missing_field");
	gh_resp_free(&r);
	assert_int_equal(request_change(&W->c_agent1, &k, "phone", "12345", v,
					&r), 400);
	assert_string_equal(json_string_value(json_object_get(r.json, "field")),
			    "value");
	gh_resp_free(&r);
	assert_int_equal(request_change(&W->c_agent1, &k, "account_number",
					"12", v, &r), 400);
	assert_string_equal(json_string_value(json_object_get(r.json, "field")),
			    "value");
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/customers/%lld/changes",
		 (long long)k.u.id);
	assert_int_equal(post(&W->c_agent1, path,
			      json_pack("{s:s, s:s, s:I, s:b}", "kind",
					"mfa_reset", "reason", "ok",
					"verification", (json_int_t)v,
					"urgent", 1), &r), 400);
	assert_string_equal(gh_error(&r), "unknown_field");
	gh_resp_free(&r);
	assert_int_equal(post(&W->c_agent1, path,
			      json_pack("{s:s, s:s, s:I}", "kind", "mfa_reset",
					"reason", "ok", "verification",
					(json_int_t)v), &r), 400);
	assert_string_equal(json_string_value(json_object_get(r.json, "field")),
			    "reason");
	gh_resp_free(&r);
	assert_int_equal(gh_req(&W->s, &W->c_sup1, "GET",
				"/api/v1/changes?state=bogus", NULL, NULL, &r),
			 400);
	assert_string_equal(gh_error(&r), "bad_query");
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&W->s, "SELECT COUNT(*) FROM "
				      "change_requests WHERE customer_id = "
				      "%lld", (long long)k.u.id), 0);
	cust_free(&k);
}

/* ASVS 2.3.5, 8.2.1: a supervisor cannot approve their own request (403
 * self_approval, audited), an agent cannot approve at all (403
 * forbidden) nor list; another supervisor or admin can, once. */
static void
test_self_approval(void **state)
{
	struct gh_resp r;
	struct cust k;
	int64_t id, denied = audits("change.approve", "denied");

	(void)state;
	new_cust(&k);
	id = requested(&W->c_sup1, &k, "phone", "+44 20 7946 0555");
	assert_int_equal(decide(&W->c_sup1, id, "approve", &r), 403);
	assert_string_equal(gh_error(&r), "self_approval");
	gh_resp_free(&r);
	assert_int_equal(audits("change.approve", "denied"), denied + 1);
	assert_int_equal(decide(&W->c_agent1, id, "approve", &r), 403);
	assert_string_equal(gh_error(&r), "forbidden");
	gh_resp_free(&r);
	assert_int_equal(gh_req(&W->s, &W->c_agent1, "GET", "/api/v1/changes",
				NULL, NULL, &r), 403);
	gh_resp_free(&r);
	state_is(id, "pending_approval");
	approved(id);
	assert_int_equal(decide(&W->c_sup2, id, "approve", &r), 409);
	assert_string_equal(gh_error(&r), "change_not_allowed");
	gh_resp_free(&r);
	cust_free(&k);
}

/* ASVS 6.3.7: the approval mails the OLD address (the one on file), with
 * the anti-phishing phrase and the portal address, never the new value;
 * nothing goes to the new address; the request itself mails nothing. */
static void
test_notice_to_old_address(void **state)
{
	struct gh_resp r;
	struct cust k;
	char *mail = NULL;
	int64_t id;

	(void)state;
	new_cust(&k);
	assert_int_equal(gh_send_json(&W->s, &k.c, "PUT", "/api/v1/portal/phrase",
				      json_pack("{s:s}", "phrase",
						"purple walrus"), &r),
			 200);
	gh_resp_free(&r);
	id = requested(&W->c_agent1, &k, "email", "new.address@example.net");
	assert_int_equal(take_mail(k.u.email, "account was requested", 1,
				   &mail), -1);
	approved(id);
	assert_int_equal(take_mail(k.u.email, "account was requested", 10,
				   &mail), 0);
	assert_non_null(strstr(mail, "purple walrus"));
	assert_non_null(strstr(mail, PORTAL_URL));
	assert_non_null(strstr(mail, "If this was not you"));
	assert_non_null(strstr(mail, "cancel it"));
	assert_null(strstr(mail, "new.address"));
	assert_null(strstr(mail, "example.net"));
	assert_null(strstr(mail, "lost their phone"));
	assert_null(strstr(mail, "Test Customer"));
	assert_null(strstr(mail, "7946"));
	free(mail);
	assert_int_equal(take_mail("new.address@example.net", "", 1, &mail),
			 -1);
	assert_false(gh_log_contains(&W->s, "new.address@example.net"));
	cust_free(&k);
}

/* The customer sees the change in the portal and cancels it during the
 * cooling-off; it never applies, even once its time has passed. Another
 * customer cannot cancel it. */
static void
test_customer_cancels(void **state)
{
	struct gh_resp r;
	struct cust k, other;
	json_t *c;
	char path[128];
	int64_t id;

	(void)state;
	new_cust(&k);
	new_cust(&other);
	id = requested(&W->c_agent1, &k, "mfa_reset", NULL);
	approved(id);
	assert_int_equal(gh_req(&W->s, &k.c, "GET", "/api/v1/portal/changes",
				NULL, NULL, &r), 200);
	c = json_array_get(json_object_get(r.json, "changes"), 0);
	assert_int_equal(json_integer_value(json_object_get(c, "id")), id);
	assert_string_equal(json_string_value(json_object_get(c, "kind")),
			    "mfa_reset");
	assert_string_equal(json_string_value(json_object_get(c, "state")),
			    "cooling_off");
	assert_true(json_is_true(json_object_get(c, "can_cancel")));
	assert_null(json_object_get(c, "reason"));
	gh_resp_free(&r);
	assert_int_equal(gh_req(&W->s, &other.c, "GET", "/api/v1/portal/changes",
				NULL, NULL, &r), 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "changes")), 0);
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/portal/changes/%lld/cancel",
		 (long long)id);
	assert_int_equal(post(&other.c, path, json_object(), &r), 404);
	gh_resp_free(&r);
	assert_int_equal(post(&k.c, path, json_object(), &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")),
			    "cancelled");
	assert_false(json_is_true(json_object_get(r.json, "can_cancel")));
	gh_resp_free(&r);
	assert_int_equal(post(&k.c, path, json_object(), &r), 409);
	gh_resp_free(&r);
	a_day_passes(id);
	state_is(id, "cancelled");
	/* The customer's session and authenticator are untouched. */
	assert_int_equal(gh_req(&W->s, &k.c, "GET", "/api/v1/portal/session",
				NULL, NULL, &r), 200);
	assert_false(json_is_true(json_object_get(r.json,
						  "enrollment_required")));
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&W->s, "SELECT COUNT(*) FROM audit WHERE "
				      "record LIKE '%%\"target\":\"change:%lld\"%%'"
				      " AND record LIKE '%%change.applied%%'",
				      (long long)id), 0);
	cust_free(&k);
	cust_free(&other);
}

/* ASVS 6.4.4: an MFA reset applies only after the cooling-off; then
 * every session of the customer is over, their old codes no longer log
 * in, and a password-only login must enrol a new authenticator. */
static void
test_mfa_reset_applied(void **state)
{
	struct gh_resp r;
	struct gh_client fresh;
	struct cust k;
	int64_t id, applied = audits("change.applied", "success");
	char body[300];

	(void)state;
	new_cust(&k);
	id = requested(&W->c_agent1, &k, "mfa_reset", NULL);
	approved(id);
	state_is(id, "cooling_off");
	assert_int_equal(gh_req(&W->s, &k.c, "GET", "/api/v1/portal/session",
				NULL, NULL, &r), 200);
	gh_resp_free(&r);
	a_day_passes(id);
	state_is(id, "applied");
	assert_int_equal(audits("change.applied", "success"), applied + 1);
	assert_int_equal(gh_req(&W->s, &k.c, "GET", "/api/v1/portal/session",
				NULL, NULL, &r), 401);
	gh_resp_free(&r);
	gh_client_init(&fresh, 0);
	assert_int_equal(gh_login(&W->s, &fresh, &k.u), 401);
	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\"}",
		 k.u.email, k.u.password);
	assert_int_equal(gh_req(&W->s, &fresh, "POST", "/api/v1/portal/session",
				body, NULL, &r), 201);
	assert_true(json_is_true(json_object_get(r.json,
						 "enrollment_required")));
	gh_resp_free(&r);
	gh_client_free(&fresh);
	cust_free(&k);
}

/* An e-mail change after the cooling-off: the old address is told it
 * was made, and the customer logs in with the new address (same
 * password and authenticator), no longer with the old one. */
static void
test_email_change_applied(void **state)
{
	struct gh_resp r;
	struct gh_client fresh;
	struct cust k;
	char *mail = NULL, old[128];
	int64_t id;

	(void)state;
	new_cust(&k);
	snprintf(old, sizeof(old), "%s", k.u.email);
	id = requested(&W->c_agent1, &k, "email", "moved@example.net");
	approved(id);
	assert_int_equal(take_mail(old, "account was requested", 10, &mail), 0);
	free(mail);
	a_day_passes(id);
	assert_int_equal(gh_req(&W->s, &k.c, "GET", "/api/v1/portal/changes",
				NULL, NULL, &r), 200);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(r.json,
								   "changes"),
						   0),
				    "state")),
			    "applied");
	gh_resp_free(&r);
	assert_int_equal(take_mail(old, "has now been made", 10, &mail), 0);
	assert_null(strstr(mail, "moved@"));
	free(mail);
	gh_client_init(&fresh, 0);
	assert_int_equal(gh_login(&W->s, &fresh, &k.u), 401);
	snprintf(k.u.email, sizeof(k.u.email), "moved@example.net");
	assert_int_equal(gh_login(&W->s, &fresh, &k.u), 201);
	gh_client_free(&fresh);
	cust_free(&k);
}

/* A supervisor rejects; the change is closed with the reason and cannot
 * be approved or cancelled any more. */
static void
test_reject(void **state)
{
	struct gh_resp r;
	struct cust k;
	char path[128];
	int64_t id;

	(void)state;
	new_cust(&k);
	id = requested(&W->c_agent1, &k, "phone", "+44 20 7946 0555");
	assert_int_equal(decide(&W->c_agent2, id, "reject", &r), 403);
	gh_resp_free(&r);
	assert_int_equal(decide(&W->c_sup1, id, "reject", &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")),
			    "rejected");
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "closing")),
			    "called the customer back");
	gh_resp_free(&r);
	assert_int_equal(decide(&W->c_sup2, id, "approve", &r), 409);
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/portal/changes/%lld/cancel",
		 (long long)id);
	assert_int_equal(post(&k.c, path, json_object(), &r), 409);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&W->s, &W->c_sup1, "GET",
				"/api/v1/changes?state=rejected", NULL, NULL,
				&r), 200);
	assert_true(json_array_size(json_object_get(r.json, "changes")) >= 1);
	gh_resp_free(&r);
	cust_free(&k);
}

/* Writes the instance's configuration: base, then extra. */
static void
write_conf(const char *base, const char *extra)
{
	char path[400];
	FILE *f;

	snprintf(path, sizeof(path), "%s/gatehouse.conf", W->s.dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(base, f);
	fputs(extra, f);
	assert_int_equal(fclose(f), 0);
}

/* [disclosure] cooling_off_hours below the floor stops start-up with the
 * key and its bounds named; the maximum is accepted. The file is put
 * back as it was. */
static void
test_config_floor(void **state)
{
	const char *args[] = {"serve", "--check", NULL};
	char path[400], *base;
	struct stat st;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/gatehouse.conf", W->s.dir);
	assert_int_equal(stat(path, &st), 0);
	base = calloc(1, (size_t)st.st_size + 1);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fread(base, 1, (size_t)st.st_size, f),
			 (size_t)st.st_size);
	fclose(f);
	write_conf(base, "\n[disclosure]\ncooling_off_hours = 23\n");
	assert_int_not_equal(gh_cli(&W->s, NULL, NULL, args), 0);
	assert_true(gh_log_contains(&W->s, "[disclosure] cooling_off_hours = "
					   "23 is outside 24..168"));
	write_conf(base, "\n[disclosure]\ncooling_off_hours = 168\n");
	assert_int_equal(gh_cli(&W->s, NULL, NULL, args), 0);
	write_conf(base, "");
	free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_needs_verification),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_self_approval),
		cmocka_unit_test(test_notice_to_old_address),
		cmocka_unit_test(test_customer_cancels),
		cmocka_unit_test(test_mfa_reset_applied),
		cmocka_unit_test(test_email_change_applied),
		cmocka_unit_test(test_reject),
		cmocka_unit_test(test_config_floor),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
