/*
 * API tests of the disclosure gate against the real server: the masked
 * customer view (GET /customers/{id}) for staff with one of the
 * customer's tickets in view, 404 for everyone else, and no raw personal
 * value anywhere in a reply (ASVS 8.2.2 object level, 8.2.3 field level,
 * 14.2.6 masked, last 4 only; 16.3.2 the supervisors' view audited).
 *
 * The reveal (POST /customers/{id}/reveal) with real verifications built
 * through the verification endpoints (the customer's own TOTP code from
 * the harness, an e-mail code read from the outbox): refused with no
 * verification, with another agent's, with an expired one, at too low a
 * level (C2 with level 1), with bad input; given at level 1 for the
 * e-mail and level 2 for the date of birth, the account number and a
 * custom C2 field, audited without the value
 * (ASVS 8.2.3, 16.2.5, 16.3.2; 7.5.3 step-up before a PII reveal). The
 * hourly limit (ASVS 2.4.1): the reveal past it is refused and locks the
 * agent's reveals (423), supervisors are alerted by a content-free mail,
 * and only another supervisor clears the lock; the supervisors' view of
 * reveals per agent.
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
#include <unistd.h>

#include "harness.h"

/* The personal values gh_add_customer gives every customer. */
#define PHONE "+44 20 7946 0123"
#define DOB "1980-02-29"
#define ADDRESS "1 Test Street, London"
/* Ada's account number and custom field (add_ada). */
#define ACCOUNT "GB29 NWBK 6016 1331 9268 19"
#define LOYALTY "Gold since 2009"

struct world {
	struct gh_server s;
	struct gh_user agent1, agent2, sup, cust_a, cust_b;
	struct gh_client c_agent1, c_agent2, c_sup, c_a, c_b;
};

static void
start_world(void **state, const char *conf)
{
	struct world *w = calloc(1, sizeof(*w));

	gh_start(&w->s, conf);
	gh_add_staff(&w->s, "agent1@example.com", "agent", &w->agent1);
	gh_add_staff(&w->s, "agent2@example.com", "agent", &w->agent2);
	gh_add_staff(&w->s, "sup@example.com", "supervisor", &w->sup);
	/* The training gate (issue 11) needs them trained to verify and
	 * reveal. */
	gh_train(&w->s, "agent1@example.com");
	gh_train(&w->s, "agent2@example.com");
	gh_train(&w->s, "sup@example.com");
	gh_add_customer(&w->s, "cust.a@example.org", &w->cust_a);
	gh_add_customer(&w->s, "cust.b@example.org", &w->cust_b);
	gh_client_init(&w->c_agent1, 1);
	gh_client_init(&w->c_agent2, 1);
	gh_client_init(&w->c_sup, 1);
	gh_client_init(&w->c_a, 0);
	gh_client_init(&w->c_b, 0);
	assert_int_equal(gh_login(&w->s, &w->c_agent1, &w->agent1), 201);
	assert_int_equal(gh_login(&w->s, &w->c_agent2, &w->agent2), 201);
	assert_int_equal(gh_login(&w->s, &w->c_sup, &w->sup), 201);
	assert_int_equal(gh_login(&w->s, &w->c_a, &w->cust_a), 201);
	assert_int_equal(gh_login(&w->s, &w->c_b, &w->cust_b), 201);
	*state = w;
}

static int
setup(void **state)
{
	start_world(state, NULL);
	return 0;
}

/* A low hourly limit, to reach it. */
static int
setup_limit(void **state)
{
	start_world(state, "\n[disclosure]\nreveals_per_hour = 2\n");
	return 0;
}

/* Verifications that last one minute, to outlive one. */
static int
setup_short(void **state)
{
	start_world(state, "\n[disclosure]\nverification_minutes = 1\n");
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	gh_client_free(&w->c_agent1);
	gh_client_free(&w->c_agent2);
	gh_client_free(&w->c_sup);
	gh_client_free(&w->c_a);
	gh_client_free(&w->c_b);
	assert_int_equal(gh_stop(&w->s), 0);
	free(w);
	return 0;
}

static int64_t
count(struct world *w, const char *sql)
{
	return gh_db_count(&w->s, sql);
}

static int64_t
audit_count(struct world *w, const char *action)
{
	return gh_db_countf(&w->s,
			    "SELECT COUNT(*) FROM audit WHERE record LIKE "
			    "'%%\"action\":\"%s\"%%'",
			    action);
}

/* A ticket of the customer logged in on c. */
static int64_t
customer_ticket(struct world *w, struct gh_client *c)
{
	struct gh_resp r;
	int64_t id;

	assert_int_equal(gh_send_json(&w->s, c, "POST", "/api/v1/portal/tickets",
				      json_pack("{s:s, s:s}", "subject",
						"Help", "body", "Please call"),
				      &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	assert_true(id > 0);
	gh_resp_free(&r);
	return id;
}

static void
assign(struct world *w, struct gh_client *c, int64_t ticket, int64_t staff)
{
	struct gh_resp r;
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/assign",
		 (long long)ticket);
	assert_int_equal(gh_send_json(&w->s, c, "POST", path,
				      json_pack("{s:I}", "staff_id",
						(json_int_t)staff),
				      &r),
			 200);
	gh_resp_free(&r);
}

static long
get_customer(struct world *w, struct gh_client *c, int64_t id,
	     struct gh_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/customers/%lld", (long long)id);
	return gh_req(&w->s, c, "GET", path, NULL, NULL, r);
}

/* No personal value of the test customers, whole, in the reply. */
static void
assert_no_raw(const struct gh_resp *r, const struct gh_user *u)
{
	const char *raw[] = {u->email, PHONE, "7946", DOB, "1980", ADDRESS,
			     "Test Street", "London"};

	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
		if (r->body != NULL && strstr(r->body, raw[i]) != NULL)
			fail_msg("a raw value is in the reply: %s", raw[i]);
}

static json_t *
field_of(const struct gh_resp *r, const char *name)
{
	size_t i;
	json_t *f;

	json_array_foreach(json_object_get(r->json, "fields"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "name")),
			   name) == 0)
			return f;
	return NULL;
}

static void
assert_field(const struct gh_resp *r, const char *name, const char *cls,
	     const char *masked)
{
	json_t *f = field_of(r, name);

	assert_non_null(f);
	assert_string_equal(json_string_value(json_object_get(f, "class")),
			    cls);
	assert_string_equal(json_string_value(json_object_get(f, "masked")),
			    masked);
}

/* --- verifications and reveals ------------------------------------------ */

static long
post(struct world *w, struct gh_client *c, const char *path, json_t *body,
     struct gh_resp *r)
{
	return gh_send_json(&w->s, c, "POST", path, body, r);
}

/* Agent client c starts a verification on ticket t: its id. */
static int64_t
verification(struct world *w, struct gh_client *c, int64_t t)
{
	struct gh_resp r;
	char path[96];
	int64_t id;

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/verifications",
		 (long long)t);
	assert_int_equal(post(w, c, path, json_object(), &r), 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	assert_true(id > 0);
	gh_resp_free(&r);
	return id;
}

static long
factor(struct world *w, struct gh_client *c, int64_t v, const char *method,
       const char *code, struct gh_resp *r)
{
	json_t *b = json_pack("{s:s}", "method", method);
	char path[96];

	if (code != NULL)
		json_object_set_new(b, "code", json_string(code));
	snprintf(path, sizeof(path), "/api/v1/verifications/%lld/factors",
		 (long long)v);
	return post(w, c, path, b, r);
}

/* The level verification v gives now, as its agent sees it. */
static int
level_of(struct world *w, struct gh_client *c, int64_t v)
{
	struct gh_resp r;
	char path[96];
	int level;

	snprintf(path, sizeof(path), "/api/v1/verifications/%lld",
		 (long long)v);
	assert_int_equal(gh_req(&w->s, c, "GET", path, NULL, NULL, &r), 200);
	level = (int)json_integer_value(json_object_get(r.json, "level"));
	gh_resp_free(&r);
	return level;
}

/* The customer reads out their authenticator's code: a strong factor. */
static void
pass_totp(struct world *w, struct gh_client *c, int64_t v,
	  struct gh_user *cust)
{
	struct gh_resp r;
	char code[7];

	gh_totp_next(cust, code);
	assert_int_equal(factor(w, c, v, "totp", code, &r), 200);
	gh_resp_free(&r);
}

static void
wait_mail(struct world *w, const char *to, const char *needle, char **text)
{
	if (gh_take_mail(&w->s, to, needle, 10, text) < 0)
		fail_msg("no mail to %s", to);
}

/* A code sent to the customer's e-mail address on file, read from the
 * outbox and given back: a second, weak factor. */
static void
pass_email(struct world *w, struct gh_client *c, int64_t v,
	   const struct gh_user *cust)
{
	static const char lead[] = "Your verification code: ";
	struct gh_resp r;
	char *text = NULL, code[7];
	const char *p;

	assert_int_equal(factor(w, c, v, "email_otp", NULL, &r), 202);
	gh_resp_free(&r);
	wait_mail(w, cust->email, lead, &text);
	p = strstr(text, lead);
	memcpy(code, p + strlen(lead), 6);
	code[6] = '\0';
	free(text);
	assert_int_equal(factor(w, c, v, "email_otp", code, &r), 200);
	gh_resp_free(&r);
}

static long
reveal(struct world *w, struct gh_client *c, int64_t customer,
       const char *field, int64_t v, struct gh_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/customers/%lld/reveal",
		 (long long)customer);
	return post(w, c, path,
		    json_pack("{s:s, s:s, s:I}", "field", field, "reason",
			      "Caller asked to confirm it", "verification",
			      (json_int_t)v),
		    r);
}

/* A 403 verification_required naming the levels. */
static void
assert_refused(const struct gh_resp *r, int needed, int held)
{
	assert_int_equal(r->status, 403);
	assert_string_equal(gh_error(r), "verification_required");
	assert_int_equal(json_integer_value(json_object_get(r->json,
							    "level_needed")),
			 needed);
	assert_int_equal(json_integer_value(json_object_get(r->json,
							    "level_held")),
			 held);
	assert_null(json_object_get(r->json, "value"));
}

/* A 200 with the clear value, who revealed it and for how long. */
static void
assert_revealed(const struct gh_resp *r, const char *field,
		const char *value, const struct gh_user *staff)
{
	json_t *by = json_object_get(r->json, "revealed_by");
	char *cc = gh_header(r, "Cache-Control");

	assert_int_equal(r->status, 200);
	assert_string_equal(json_string_value(json_object_get(r->json,
							      "field")),
			    field);
	assert_string_equal(json_string_value(json_object_get(r->json,
							      "value")),
			    value);
	assert_int_equal(json_integer_value(json_object_get(by, "id")),
			 staff->id);
	assert_string_equal(json_string_value(json_object_get(by, "name")),
			    "Test Staff");
	assert_int_equal(json_integer_value(json_object_get(r->json,
							    "hide_after")),
			 60);
	assert_non_null(cc);
	assert_non_null(strstr(cc, "no-store"));
	free(cc);
}

/* No record of the audit log holds one of the customer's values. */
static void
assert_audit_clean(struct world *w, const struct gh_user *u)
{
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM audit WHERE "
				      "record LIKE '%%%s%%' OR record LIKE "
				      "'%%7946 0123%%' OR record LIKE "
				      "'%%1980-02-29%%' OR record LIKE "
				      "'%%Test Street%%'",
				      u->email),
			 0);
}

/* Adds customer Ada with an account number and a custom C2 field
 * (loyalty_tier) an admin defined; u gets her login and TOTP secret. */
static void
add_ada(struct world *w, struct gh_user *u)
{
	const char *field[] = {"field", "add", "--name", "loyalty_tier",
			       "--class", "C2", NULL};
	const char *add[] = {"customer", "add", "--email", "ada@example.org",
			     "--name", "Ada", "--phone", PHONE,
			     "--account-number", ACCOUNT, "--password-stdin",
			     NULL};
	const char *set[] = {"customer", "set-field", "--email",
			     "ada@example.org", "--field", "loyalty_tier",
			     "--value-stdin", NULL};
	char *out = NULL;
	json_t *j;
	size_t n = 0;
	int bits = 0, acc = 0;

	memset(u, 0, sizeof(*u));
	snprintf(u->email, sizeof(u->email), "ada@example.org");
	snprintf(u->password, sizeof(u->password), "marmalade Tuesday kite 3");
	assert_int_equal(gh_cli(&w->s, NULL, NULL, field), 0);
	assert_int_equal(gh_cli(&w->s, u->password, &out, add), 0);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	u->id = json_integer_value(json_object_get(j, "id"));
	snprintf(u->b32, sizeof(u->b32), "%s",
		 json_string_value(json_object_get(j, "totp_secret")));
	json_decref(j);
	free(out);
	for (const char *p = u->b32; *p && n < sizeof(u->secret); p++) {
		acc = ((acc << 5) | (*p >= 'A' ? *p - 'A' : *p - '2' + 26)) &
		      0xffff;
		bits += 5;
		if (bits >= 8) {
			u->secret[n++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	assert_int_equal(n, sizeof(u->secret));
	assert_int_equal(gh_cli(&w->s, LOYALTY "\n", NULL, set), 0);
}

/* ---------------------------------------------------------------------- */

/* An agent on a ticket of the customer sees every personal field masked
 * with its class, the name in clear, and no raw value. ASVS 8.2.3,
 * 14.2.6. */
static void
test_view_masked(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t t = customer_ticket(w, &w->c_a);
	char *cc;

	/* Unassigned in the agent's queue: visible. */
	assert_int_equal(get_customer(w, &w->c_agent1, w->cust_a.id, &r), 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "id")),
			 w->cust_a.id);
	assert_string_equal(json_string_value(json_object_get(r.json, "name")),
			    "Test Customer");
	assert_field(&r, "email", "C1", "c***@e***.org");
	assert_field(&r, "phone", "C1", "*** *** 0123");
	assert_field(&r, "dob", "C2", "****-**-**");
	assert_field(&r, "address", "C2", "***");
	assert_int_equal(json_integer_value(json_object_get(
				 field_of(&r, "dob"), "level")),
			 2);
	assert_no_raw(&r, &w->cust_a);
	cc = gh_header(&r, "Cache-Control");
	assert_non_null(cc);
	assert_non_null(strstr(cc, "no-store"));
	free(cc);
	gh_resp_free(&r);
	/* An agent's view is not a reveal: nothing recorded as one. */
	assert_int_equal(audit_count(w, "customer.reveal"), 0);
	/* Assigned to the agent: still visible to them. */
	assign(w, &w->c_agent1, t, w->agent1.id);
	assert_int_equal(get_customer(w, &w->c_agent1, w->cust_a.id, &r), 200);
	assert_no_raw(&r, &w->cust_a);
	gh_resp_free(&r);
}

/* Staff without a ticket of the customer in view get 404, as for a
 * customer that does not exist; customers have no such route. ASVS
 * 8.2.1, 8.2.2. */
static void
test_view_not_visible(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t t = customer_ticket(w, &w->c_a);

	/* Customer B has no ticket at all. */
	assert_int_equal(get_customer(w, &w->c_agent1, w->cust_b.id, &r), 404);
	assert_string_equal(gh_error(&r), "not_found");
	assert_no_raw(&r, &w->cust_b);
	gh_resp_free(&r);
	/* Unassigned in their queue, agent 2 sees A; once A's only ticket
	 * is assigned to agent 1, agent 2 no longer does. */
	assert_int_equal(get_customer(w, &w->c_agent2, w->cust_a.id, &r), 200);
	gh_resp_free(&r);
	assign(w, &w->c_agent1, t, w->agent1.id);
	assert_int_equal(get_customer(w, &w->c_agent2, w->cust_a.id, &r), 404);
	assert_no_raw(&r, &w->cust_a);
	gh_resp_free(&r);
	assert_int_equal(get_customer(w, &w->c_agent1, 999999, &r), 404);
	gh_resp_free(&r);
	/* The public listener has no customer route: 404 for a customer
	 * asking about themselves too. */
	assert_int_equal(get_customer(w, &w->c_a, w->cust_a.id, &r), 404);
	gh_resp_free(&r);
	/* There is no list or search of customers. */
	assert_int_equal(gh_req(&w->s, &w->c_agent1, "GET",
				"/api/v1/customers", NULL, NULL, &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->c_agent1, "GET",
				"/api/v1/customers?email=cust.a%40example.org",
				NULL, NULL, &r),
			 404);
	gh_resp_free(&r);
}

/* Supervisors see any customer, masked too, and each view is audited
 * (customer.view, without values). ASVS 16.3.2. */
static void
test_view_supervisor(void **state)
{
	struct world *w = *state;
	struct gh_resp r;

	assert_int_equal(audit_count(w, "customer.view"), 0);
	assert_int_equal(get_customer(w, &w->c_sup, w->cust_b.id, &r), 200);
	assert_field(&r, "email", "C1", "c***@e***.org");
	assert_field(&r, "phone", "C1", "*** *** 0123");
	assert_no_raw(&r, &w->cust_b);
	gh_resp_free(&r);
	assert_int_equal(audit_count(w, "customer.view"), 1);
	assert_int_equal(count(w, "SELECT COUNT(*) FROM audit WHERE record "
				  "LIKE '%7946 0123%' OR record LIKE "
				  "'%1980-02-29%' OR record LIKE '%cust.b@%'"),
			 0);
	assert_int_equal(get_customer(w, &w->c_sup, 999999, &r), 404);
	gh_resp_free(&r);
	assert_int_equal(audit_count(w, "customer.view"), 1);
}

/* Without a verification, or with an id that is no verification: 403
 * with the level needed and held, nothing revealed, the refusal audited.
 * Bad input is 400 and changes nothing. ASVS 8.2.3. */
static void
test_reveal_unverified(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char path[96];
	int64_t t = customer_ticket(w, &w->c_a);
	int64_t v = verification(w, &w->c_agent1, t);

	/* A verification without a factor passed: level 0. */
	reveal(w, &w->c_agent1, w->cust_a.id, "email", v, &r);
	assert_refused(&r, 1, 0);
	gh_resp_free(&r);
	/* An id that is no verification at all. */
	reveal(w, &w->c_agent1, w->cust_a.id, "dob", 999999, &r);
	assert_refused(&r, 2, 0);
	gh_resp_free(&r);
	assert_int_equal(count(w, "SELECT COUNT(*) FROM reveals"), 0);
	assert_int_equal(count(w, "SELECT COUNT(*) FROM audit WHERE record "
				  "LIKE '%\"action\":\"customer.reveal\"%' "
				  "AND record LIKE '%\"outcome\":\"denied\"%'"),
			 2);
	/* A customer the agent does not see: 404, as for none. */
	reveal(w, &w->c_agent1, w->cust_b.id, "email", v, &r);
	assert_int_equal(r.status, 404);
	gh_resp_free(&r);
	/* Unknown fields (knowledge, secrets) and bad reasons: 400. */
	reveal(w, &w->c_agent1, w->cust_a.id, "password", v, &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(gh_error(&r), "bad_field");
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "field")),
			    "field");
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/customers/%lld/reveal",
		 (long long)w->cust_a.id);
	assert_int_equal(post(w, &w->c_agent1, path,
			      json_pack("{s:s, s:s, s:I}", "field", "email",
					"reason", "ab", "verification",
					(json_int_t)v),
			      &r),
			 400);
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "field")),
			    "reason");
	gh_resp_free(&r);
	assert_int_equal(post(w, &w->c_agent1, path,
			      json_pack("{s:s, s:s, s:I}", "field", "email",
					"reason", "two\nlines", "verification",
					(json_int_t)v),
			      &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(post(w, &w->c_agent1, path,
			      json_pack("{s:s, s:s}", "field", "email",
					"reason", "Caller asked"),
			      &r),
			 400);
	assert_string_equal(gh_error(&r), "missing_field");
	gh_resp_free(&r);
	assert_int_equal(post(w, &w->c_agent1, path,
			      json_pack("{s:s, s:s, s:I, s:s}", "field",
					"email", "reason", "Caller asked",
					"verification", (json_int_t)v, "value",
					"x"),
			      &r),
			 400);
	assert_string_equal(gh_error(&r), "unknown_field");
	gh_resp_free(&r);
	/* Customers have no such route. */
	assert_int_equal(reveal(w, &w->c_a, w->cust_a.id, "email", v, &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(count(w, "SELECT COUNT(*) FROM reveals"), 0);
}

/* Level 1 (the customer's TOTP code) opens C1 but not C2; a second,
 * independent factor (an e-mail code) opens C2. Each reveal is recorded
 * and audited with field, reason and verification, never the value.
 * ASVS 8.2.3, 16.2.5, 16.3.2. */
static void
test_reveal_levels(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t t = customer_ticket(w, &w->c_a);
	int64_t v = verification(w, &w->c_agent1, t);

	pass_totp(w, &w->c_agent1, v, &w->cust_a);
	assert_int_equal(level_of(w, &w->c_agent1, v), 1);
	/* C2 at level 1: refused. */
	reveal(w, &w->c_agent1, w->cust_a.id, "dob", v, &r);
	assert_refused(&r, 2, 1);
	gh_resp_free(&r);
	reveal(w, &w->c_agent1, w->cust_a.id, "address", v, &r);
	assert_refused(&r, 2, 1);
	gh_resp_free(&r);
	/* C1 at level 1: given. */
	reveal(w, &w->c_agent1, w->cust_a.id, "email", v, &r);
	assert_revealed(&r, "email", w->cust_a.email, &w->agent1);
	gh_resp_free(&r);
	reveal(w, &w->c_agent1, w->cust_a.id, "phone", v, &r);
	assert_revealed(&r, "phone", PHONE, &w->agent1);
	gh_resp_free(&r);
	/* Level 2: C2 too. */
	pass_email(w, &w->c_agent1, v, &w->cust_a);
	assert_int_equal(level_of(w, &w->c_agent1, v), 2);
	reveal(w, &w->c_agent1, w->cust_a.id, "dob", v, &r);
	assert_revealed(&r, "dob", DOB, &w->agent1);
	gh_resp_free(&r);
	reveal(w, &w->c_agent1, w->cust_a.id, "address", v, &r);
	assert_revealed(&r, "address", ADDRESS, &w->agent1);
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM reveals WHERE "
				      "staff_id = %lld AND customer_id = %lld "
				      "AND ticket_id = %lld AND "
				      "verification_id = %lld AND reason = "
				      "'Caller asked to confirm it'",
				      (long long)w->agent1.id,
				      (long long)w->cust_a.id, (long long)t,
				      (long long)v),
			 4);
	assert_int_equal(count(w, "SELECT COUNT(*) FROM audit WHERE record "
				  "LIKE '%\"action\":\"customer.reveal\"%' "
				  "AND record LIKE '%\"outcome\":\"success\"%' "
				  "AND record LIKE '%\"reason\":\"Caller asked "
				  "to confirm it\"%'"),
			 4);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM audit WHERE record "
				      "LIKE '%%\"field\":\"dob\"%%' AND "
				      "record LIKE '%%\"verification\":%lld%%' "
				      "AND record LIKE '%%success%%'",
				      (long long)v),
			 1);
	assert_audit_clean(w, &w->cust_a);
	/* The server log holds no value either. */
	assert_false(gh_log_contains(&w->s, DOB));
	assert_false(gh_log_contains(&w->s, ADDRESS));
	assert_false(gh_log_contains(&w->s, w->cust_a.email));
}

/* A verification binds its agent: another agent's, even at level 1 on a
 * ticket both see, gives nothing (level 0) to anyone else. ASVS 8.2.2. */
static void
test_reveal_other_agents(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t t = customer_ticket(w, &w->c_a);
	int64_t v2 = verification(w, &w->c_agent2, t);

	pass_totp(w, &w->c_agent2, v2, &w->cust_a);
	reveal(w, &w->c_agent1, w->cust_a.id, "email", v2, &r);
	assert_refused(&r, 1, 0);
	gh_resp_free(&r);
	/* Nor to a supervisor, who sees every ticket. */
	reveal(w, &w->c_sup, w->cust_a.id, "email", v2, &r);
	assert_refused(&r, 1, 0);
	gh_resp_free(&r);
	/* Nor about another customer: B, whose ticket agent 2 sees too,
	 * with the verification of A. */
	customer_ticket(w, &w->c_b);
	reveal(w, &w->c_agent2, w->cust_b.id, "email", v2, &r);
	assert_refused(&r, 1, 0);
	gh_resp_free(&r);
	assert_int_equal(count(w, "SELECT COUNT(*) FROM reveals"), 0);
	/* Its own agent gets the value: the verification itself holds. */
	reveal(w, &w->c_agent2, w->cust_a.id, "email", v2, &r);
	assert_revealed(&r, "email", w->cust_a.email, &w->agent2);
	gh_resp_free(&r);
	assert_int_equal(count(w, "SELECT COUNT(*) FROM reveals"), 1);
}

/* A verification lasts [disclosure] verification_minutes (1 here): after
 * that it gives nothing. */
static void
test_reveal_expired(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t t = customer_ticket(w, &w->c_a);
	int64_t v = verification(w, &w->c_agent1, t);
	time_t started = time(NULL);

	pass_totp(w, &w->c_agent1, v, &w->cust_a);
	reveal(w, &w->c_agent1, w->cust_a.id, "email", v, &r);
	assert_revealed(&r, "email", w->cust_a.email, &w->agent1);
	gh_resp_free(&r);
	while (time(NULL) < started + 62)
		sleep(1);
	reveal(w, &w->c_agent1, w->cust_a.id, "email", v, &r);
	assert_refused(&r, 1, 0);
	gh_resp_free(&r);
	assert_int_equal(count(w, "SELECT COUNT(*) FROM reveals"), 1);
}

static long
clear_lock(struct world *w, struct gh_client *c, int64_t staff,
	   const char *reason, struct gh_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/staff/%lld/reveal-lock/clear",
		 (long long)staff);
	return post(w, c, path, json_pack("{s:s}", "reason", reason), r);
}

/* The supervisors' view entry of staff member id, or NULL. */
static json_t *
agent_entry(const struct gh_resp *r, int64_t id)
{
	size_t i;
	json_t *a;

	json_array_foreach(json_object_get(r->json, "agents"), i, a)
		if (json_integer_value(json_object_get(a, "id")) == id)
			return a;
	return NULL;
}

/* The supervisors' view shows agent 1 with n reveals and locked or not. */
static void
assert_view(struct world *w, int64_t n, int locked)
{
	struct gh_resp r;
	json_t *a;

	assert_int_equal(gh_req(&w->s, &w->c_sup, "GET",
				"/api/v1/supervisor/reveals?hours=1", NULL,
				NULL, &r),
			 200);
	assert_int_equal(json_integer_value(json_object_get(r.json,
							    "per_hour")),
			 2);
	a = agent_entry(&r, w->agent1.id);
	assert_non_null(a);
	assert_string_equal(json_string_value(json_object_get(a, "name")),
			    "Test Staff");
	assert_int_equal(json_integer_value(json_object_get(a, "reveals")),
			 n);
	assert_true(json_integer_value(json_object_get(a, "last_reveal_at")) >
		    0);
	assert_int_equal(json_is_true(json_object_get(a, "locked")), locked);
	/* Agent 2 revealed nothing and is not locked: not listed. */
	assert_null(agent_entry(&r, w->agent2.id));
	gh_resp_free(&r);
}

/* With reveals_per_hour = 2, the third reveal within the hour is refused
 * and locks the agent's reveals (423 reveals_locked from then on),
 * audited, and every supervisor gets a content-free alert. Only a
 * supervisor other than the locked one clears it, with a reason. ASVS
 * 2.4.1 (per-agent quota against mass exfiltration), 8.2.1, 16.3.2. */
static void
test_reveal_limit(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char *mail = NULL;
	int64_t t = customer_ticket(w, &w->c_a);
	int64_t v = verification(w, &w->c_agent1, t);

	pass_totp(w, &w->c_agent1, v, &w->cust_a);
	reveal(w, &w->c_agent1, w->cust_a.id, "email", v, &r);
	assert_revealed(&r, "email", w->cust_a.email, &w->agent1);
	gh_resp_free(&r);
	reveal(w, &w->c_agent1, w->cust_a.id, "phone", v, &r);
	assert_revealed(&r, "phone", PHONE, &w->agent1);
	gh_resp_free(&r);
	assert_int_equal(count(w, "SELECT COUNT(*) FROM reveal_locks"), 0);
	/* The third: refused, and the agent is locked. */
	assert_int_equal(reveal(w, &w->c_agent1, w->cust_a.id, "email", v, &r),
			 423);
	assert_string_equal(gh_error(&r), "reveals_locked");
	assert_null(json_object_get(r.json, "value"));
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM reveal_locks WHERE "
				      "staff_id = %lld AND cleared_at IS NULL",
				      (long long)w->agent1.id),
			 1);
	assert_int_equal(audit_count(w, "reveal.lock"), 1);
	assert_int_equal(count(w, "SELECT COUNT(*) FROM reveals"), 2);
	/* The supervisor's alert: fixed text, no name, no customer data. */
	wait_mail(w, "sup@example.com", "Reveals of customer data locked",
		  &mail);
	assert_null(strstr(mail, w->cust_a.email));
	assert_null(strstr(mail, "Test Staff"));
	assert_null(strstr(mail, "Test Customer"));
	assert_null(strstr(mail, "7946"));
	free(mail);
	/* Locked: every reveal answers 423, whatever the verification. */
	assert_int_equal(reveal(w, &w->c_agent1, w->cust_a.id, "phone", v, &r),
			 423);
	gh_resp_free(&r);
	assert_int_equal(count(w, "SELECT COUNT(*) FROM reveals"), 2);
	assert_view(w, 2, 1);
	/* Agents can neither see the view nor clear a lock. */
	assert_int_equal(gh_req(&w->s, &w->c_agent1, "GET",
				"/api/v1/supervisor/reveals", NULL, NULL, &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(clear_lock(w, &w->c_agent1, w->agent1.id,
				    "I am fine", &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(clear_lock(w, &w->c_agent2, w->agent1.id,
				    "Looks fine", &r),
			 403);
	gh_resp_free(&r);
	/* A supervisor: a reason is needed; then the lock is cleared. */
	assert_int_equal(clear_lock(w, &w->c_sup, w->agent1.id, "ok", &r), 400);
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "field")),
			    "reason");
	gh_resp_free(&r);
	assert_int_equal(audit_count(w, "reveal.unlock"), 0);
	assert_int_equal(clear_lock(w, &w->c_sup, w->agent1.id,
				    "Checked with the agent's team lead", &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(audit_count(w, "reveal.unlock"), 1);
	assert_int_equal(count(w, "SELECT COUNT(*) FROM reveal_locks WHERE "
				  "cleared_at IS NOT NULL"),
			 1);
	assert_view(w, 2, 0);
	/* Cleared: the agent reveals again (a new count starts). */
	reveal(w, &w->c_agent1, w->cust_a.id, "phone", v, &r);
	assert_revealed(&r, "phone", PHONE, &w->agent1);
	gh_resp_free(&r);
	/* Nothing left to clear; no such staff member. */
	assert_int_equal(clear_lock(w, &w->c_sup, w->agent1.id,
				    "Once more please", &r),
			 409);
	assert_string_equal(gh_error(&r), "bad_state");
	gh_resp_free(&r);
	assert_int_equal(clear_lock(w, &w->c_sup, 999999, "Nobody there", &r),
			 404);
	gh_resp_free(&r);
	assert_audit_clean(w, &w->cust_a);
}

/* A supervisor can never clear their own lock (audited), and the view's
 * query is checked. */
static void
test_reveal_lock_own(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t t = customer_ticket(w, &w->c_a);
	int64_t v = verification(w, &w->c_sup, t);

	pass_totp(w, &w->c_sup, v, &w->cust_a);
	for (int i = 0; i < 2; i++) {
		reveal(w, &w->c_sup, w->cust_a.id, "email", v, &r);
		assert_revealed(&r, "email", w->cust_a.email, &w->sup);
		gh_resp_free(&r);
	}
	assert_int_equal(reveal(w, &w->c_sup, w->cust_a.id, "email", v, &r),
			 423);
	gh_resp_free(&r);
	assert_int_equal(clear_lock(w, &w->c_sup, w->sup.id,
				    "Clearing my own lock", &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(count(w, "SELECT COUNT(*) FROM audit WHERE record "
				  "LIKE '%\"action\":\"reveal.unlock\"%' AND "
				  "record LIKE '%own_lock%'"),
			 1);
	assert_int_equal(reveal(w, &w->c_sup, w->cust_a.id, "email", v, &r),
			 423);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->c_sup, "GET",
				"/api/v1/supervisor/reveals?hours=0", NULL,
				NULL, &r),
			 400);
	assert_string_equal(gh_error(&r), "bad_query");
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->c_sup, "GET",
				"/api/v1/supervisor/reveals?agent=1", NULL,
				NULL, &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->c_sup, "GET",
				"/api/v1/supervisor/reveals", NULL, NULL, &r),
			 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "hours")),
			 24);
	assert_true(json_is_true(json_object_get(agent_entry(&r, w->sup.id),
						 "locked")));
	gh_resp_free(&r);
}

/* The account number (C2, last 4 kept) and a custom field an admin
 * defined (its own class, masked whole) are in the view and revealed at
 * level 2 only. ASVS 8.2.3, 14.2.6. */
static void
test_reveal_account_and_custom(void **state)
{
	struct world *w = *state;
	struct gh_user ada;
	struct gh_client c_ada;
	struct gh_resp r;
	json_t *f;
	int64_t t, v;

	add_ada(w, &ada);
	gh_client_init(&c_ada, 0);
	assert_int_equal(gh_login(&w->s, &c_ada, &ada), 201);
	t = customer_ticket(w, &c_ada);
	assert_int_equal(get_customer(w, &w->c_agent1, ada.id, &r), 200);
	assert_field(&r, "account_number", "C2", "****6819");
	assert_field(&r, "loyalty_tier", "C2", "***");
	f = field_of(&r, "loyalty_tier");
	assert_true(json_is_true(json_object_get(f, "custom")));
	assert_int_equal(json_integer_value(json_object_get(f, "level")), 2);
	assert_true(json_is_null(json_object_get(field_of(&r, "dob"),
						 "masked")));
	assert_null(strstr(r.body, "NWBK"));
	assert_null(strstr(r.body, "Gold"));
	gh_resp_free(&r);
	v = verification(w, &w->c_agent1, t);
	pass_totp(w, &w->c_agent1, v, &ada);
	reveal(w, &w->c_agent1, ada.id, "account_number", v, &r);
	assert_refused(&r, 2, 1);
	gh_resp_free(&r);
	reveal(w, &w->c_agent1, ada.id, "loyalty_tier", v, &r);
	assert_refused(&r, 2, 1);
	gh_resp_free(&r);
	/* A field nobody defined: 400, whatever the level. */
	reveal(w, &w->c_agent1, ada.id, "loyalty_level", v, &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(gh_error(&r), "bad_field");
	gh_resp_free(&r);
	pass_email(w, &w->c_agent1, v, &ada);
	reveal(w, &w->c_agent1, ada.id, "account_number", v, &r);
	assert_revealed(&r, "account_number", ACCOUNT, &w->agent1);
	gh_resp_free(&r);
	reveal(w, &w->c_agent1, ada.id, "loyalty_tier", v, &r);
	assert_revealed(&r, "loyalty_tier", LOYALTY, &w->agent1);
	gh_resp_free(&r);
	/* No date of birth on file: nothing to reveal. */
	assert_int_equal(reveal(w, &w->c_agent1, ada.id, "dob", v, &r), 404);
	gh_resp_free(&r);
	assert_int_equal(count(w, "SELECT COUNT(*) FROM audit WHERE record "
				  "LIKE '%NWBK%' OR record LIKE '%Gold since%'"),
			 0);
	assert_int_equal(count(w, "SELECT COUNT(*) FROM reveals"), 2);
	gh_client_free(&c_ada);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_view_masked, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_view_not_visible, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_view_supervisor, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reveal_unverified, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reveal_levels, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reveal_other_agents,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reveal_account_and_custom,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reveal_limit,
						setup_limit, teardown),
		cmocka_unit_test_setup_teardown(test_reveal_lock_own,
						setup_limit, teardown),
		cmocka_unit_test_setup_teardown(test_reveal_expired,
						setup_short, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
