/*
 * API tests of issue 17, part GATE, against the real server, with the
 * software authenticator of tests/softauth:
 *  - losing a passkey, staff: a reset needs two different admins (one
 *    asks with a reason, another approves); the requester cannot approve
 *    (403 self_approval, audited); nobody asks for their own reset;
 *    agents and supervisors cannot ask or approve; on approval the
 *    member's passkeys are gone, their sessions ended, they are mailed,
 *    and their password login gives the enrol-only session; a request
 *    expires after 24 h; a denial changes nothing;
 *  - the staff page: a member's passkeys (supervisors), the count in the
 *    staff list;
 *  - losing a passkey, customers: the dual-controlled mfa_reset deletes
 *    the customer's passkeys;
 *  - the passkey as a verification factor: refused for a customer without
 *    a passkey (409 no_passkey); number + assertion pass it (level 1, a
 *    reveal works); a replayed assertion, another customer's credential
 *    and a wrong number are refused, the first two counted like wrong
 *    codes;
 *  - bad input on every new route: a 4xx that changes nothing.
 * ASVS 6.3.3 (phishing-resistant staff logins stay so: recovery is never
 * one person), 6.4.4 (MFA reset under dual control), 8.2.1 (roles).
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

#include "harness.h"
#include "softauth.h"

struct member {
	struct gh_user u;
	struct gh_client c;
	struct softauth *key;     /* NULL: no passkey */
};

struct world {
	struct gh_server s;
	struct member admin1, admin2, sup, agent, target, plain;
	struct member cust_a, cust_b, cust_c;
};

static struct world *W;
/* An assertion accepted once (test_factor_passkey), to replay. */
static char *used_cred;

/* --- the ceremonies, as a browser makes them ---------------------------- */

/* The origin a browser would send to listener staff (1) or portal (0):
 * the rp id is localhost (the harness's origins are IP literals). */
static void
origin_of(int staff, char *out, size_t sz)
{
	snprintf(out, sz, "https://localhost:%d",
		 staff ? W->s.staff_port : W->s.pub_port);
}

static const char *
prefix(const struct gh_client *c)
{
	return c->staff ? "/api/v1/staff" : "/api/v1/portal";
}

static long
post(struct gh_client *c, const char *path, json_t *body, struct gh_resp *r)
{
	return gh_send_json(&W->s, c, "POST", path, body, r);
}

/* The challenge and rp id of a {"publicKey": ...} answer. */
static void
challenge_of(const struct gh_resp *r, char *ch, size_t chsz, char *rp,
	     size_t rpsz)
{
	json_t *pk = json_object_get(r->json, "publicKey");
	const char *c = json_string_value(json_object_get(pk, "challenge"));
	const char *id = json_string_value(json_object_get(pk, "rpId"));

	if (id == NULL)
		id = json_string_value(
			json_object_get(json_object_get(pk, "rp"), "id"));
	assert_non_null(c);
	assert_non_null(id);
	snprintf(ch, chsz, "%s", c);
	snprintf(rp, rpsz, "%s", id);
}

/* Registers a new ES256 passkey for the account logged in on m->c. */
static void
enrol(struct member *m)
{
	char path[96], ch[128], rp[128], origin[96];
	struct gh_resp r;
	char *cred;

	m->key = softauth_new(WA_ES256);
	assert_non_null(m->key);
	snprintf(path, sizeof(path), "%s/passkeys/options", prefix(&m->c));
	assert_int_equal(post(&m->c, path, json_object(), &r), 200);
	challenge_of(&r, ch, sizeof(ch), rp, sizeof(rp));
	gh_resp_free(&r);
	origin_of(m->c.staff, origin, sizeof(origin));
	cred = softauth_register_json(m->key, ch, rp, origin, NULL);
	assert_non_null(cred);
	snprintf(path, sizeof(path), "%s/passkeys", prefix(&m->c));
	assert_int_equal(post(&m->c, path,
			      json_pack("{s:s, s:o}", "name", "Laptop key",
					"credential", json_loads(cred, 0, NULL)),
			      &r),
			 201);
	free(cred);
	gh_resp_free(&r);
}

/* Logs m in with its passkey: 201 with the cookie and CSRF token. */
static long
passkey_login(struct member *m)
{
	char path[96], ch[128], rp[128], origin[96];
	struct gh_resp r;
	char *cred;
	long st;

	snprintf(path, sizeof(path), "%s/session/passkey/options",
		 prefix(&m->c));
	assert_int_equal(post(&m->c, path,
			      json_pack("{s:s}", "email", m->u.email), &r),
			 200);
	challenge_of(&r, ch, sizeof(ch), rp, sizeof(rp));
	gh_resp_free(&r);
	origin_of(m->c.staff, origin, sizeof(origin));
	cred = softauth_assert_json(m->key, ch, rp, origin, NULL);
	assert_non_null(cred);
	m->c.csrf[0] = '\0';
	snprintf(path, sizeof(path), "%s/session/passkey", prefix(&m->c));
	st = post(&m->c, path,
		  json_pack("{s:o}", "credential", json_loads(cred, 0, NULL)),
		  &r);
	free(cred);
	if (st == 201)
		snprintf(m->c.csrf, sizeof(m->c.csrf), "%s",
			 json_string_value(
				 json_object_get(r.json, "csrf_token")));
	gh_resp_free(&r);
	return st;
}

/* A staff member (role) or customer (role NULL) with a client, logged
 * in: a supervisor or admin by the passkey the harness makes and
 * registers at their first login (harness_pk.c); a customer with
 * passkey gets one registered here too. */
static void
member_new(struct member *m, const char *email, const char *role,
	   int passkey)
{
	if (role != NULL)
		gh_add_staff(&W->s, email, role, &m->u);
	else
		gh_add_customer(&W->s, email, &m->u);
	gh_client_init(&m->c, role != NULL);
	assert_int_equal(gh_login(&W->s, &m->c, &m->u), 201);
	if (passkey && role == NULL)
		enrol(m);
}

/* The password login of staff member m as it is (gh_login would enrol
 * a passkey at once): the status; on 201 the client holds the session
 * and *enrol_only says whether it may only register a passkey. */
static long
password_login(struct member *m, int *enrol_only)
{
	struct gh_resp r;
	char code[7];
	long st;

	gh_totp_next(&m->u, code);
	m->c.csrf[0] = '\0';
	st = post(&m->c, "/api/v1/staff/session",
		  json_pack("{s:s, s:s, s:s}", "email", m->u.email, "password",
			    m->u.password, "totp", code),
		  &r);
	if (st == 201) {
		snprintf(m->c.csrf, sizeof(m->c.csrf), "%s",
			 json_string_value(
				 json_object_get(r.json, "csrf_token")));
		*enrol_only = json_is_true(json_object_get(
			r.json, "passkey_enrollment_required"));
	}
	gh_resp_free(&r);
	return st;
}

static void
member_free(struct member *m)
{
	gh_client_free(&m->c);
	softauth_free(m->key);
	m->key = NULL;
}

static int
group_setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	W = w;
	gh_start(&w->s, NULL);
	member_new(&w->admin1, "admin1@example.com", "admin", 1);
	member_new(&w->admin2, "admin2@example.com", "admin", 1);
	member_new(&w->sup, "sup@example.com", "supervisor", 1);
	member_new(&w->agent, "agent@example.com", "agent", 0);
	member_new(&w->target, "target@example.com", "supervisor", 1);
	member_new(&w->plain, "plain@example.com", "agent", 0);
	gh_train(&w->s, "agent@example.com");
	member_new(&w->cust_a, "cust.a@example.org", NULL, 1);
	member_new(&w->cust_b, "cust.b@example.org", NULL, 1);
	member_new(&w->cust_c, "cust.c@example.org", NULL, 0);
	*state = w;
	return 0;
}

static int
group_teardown(void **state)
{
	struct world *w = *state;

	member_free(&w->admin1);
	member_free(&w->admin2);
	member_free(&w->sup);
	member_free(&w->agent);
	member_free(&w->target);
	member_free(&w->plain);
	member_free(&w->cust_a);
	member_free(&w->cust_b);
	member_free(&w->cust_c);
	assert_int_equal(gh_stop(&w->s), 0);
	free(w);
	return 0;
}

static int64_t
passkeys_of(const char *realm, int64_t id)
{
	return gh_db_countf(&W->s,
			    "SELECT COUNT(*) FROM passkeys WHERE realm = '%s' "
			    "AND principal_id = %lld",
			    realm, (long long)id);
}

static int64_t
audits(const char *action, const char *outcome)
{
	return gh_audit_count(&W->s, action, outcome);
}

static int64_t
resets(void)
{
	return gh_db_count(&W->s, "SELECT COUNT(*) FROM passkey_resets");
}

/* --- staff: a reset by two admins ---------------------------------------- */

static long
ask_reset(struct member *by, int64_t staff_id, json_t *body,
	  struct gh_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/admin/staff/%lld/passkeys/reset",
		 (long long)staff_id);
	return post(&by->c, path, body, r);
}

static long
decide(struct member *by, int64_t id, const char *verb, json_t *body,
       struct gh_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/admin/passkey-resets/%lld/%s",
		 (long long)id, verb);
	return post(&by->c, path, body != NULL ? body : json_object(), r);
}

/* admin1 asks for the reset of m: the request's id. */
static int64_t
asked(struct member *m)
{
	struct gh_resp r;
	int64_t id;

	assert_int_equal(ask_reset(&W->admin1, m->u.id,
				   json_pack("{s:s}", "reason",
					     "Lost her laptop on the train"),
				   &r),
			 201);
	id = json_integer_value(
		json_object_get(json_object_get(r.json, "reset"), "id"));
	assert_true(id > 0);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(r.json, "reset"), "state")),
			    "pending");
	gh_resp_free(&r);
	return id;
}

/* 1 when the pending list seen by admin2 holds request id. */
static int
pending_has(int64_t id)
{
	struct gh_resp r;
	json_t *v;
	size_t i;
	int found = 0;

	assert_int_equal(gh_req(&W->s, &W->admin2.c, "GET",
				"/api/v1/admin/passkey-resets", NULL, NULL, &r),
			 200);
	json_array_foreach(json_object_get(r.json, "resets"), i, v)
		found |= json_integer_value(json_object_get(v, "id")) == id;
	gh_resp_free(&r);
	return found;
}

/* Two admins: one asks, the same cannot approve, another approves once;
 * the member's passkeys and sessions are gone, the member is mailed, the
 * steps audited, and the password login then gives the enrol-only
 * session. */
static void
test_reset_two_admins(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char *mail = NULL;
	int enrol_only = 0;
	int64_t id;

	assert_int_equal(passkeys_of("staff", w->target.u.id), 1);
	id = asked(&w->target);
	assert_int_equal(audits("passkey.reset_requested", "success"), 1);
	assert_true(pending_has(id));
	/* One open request per member. */
	assert_int_equal(ask_reset(&w->admin2, w->target.u.id,
				   json_pack("{s:s}", "reason", "again"), &r),
			 409);
	assert_string_equal(gh_error(&r), "reset_pending");
	gh_resp_free(&r);
	/* The requester cannot approve: audited, nothing changed. */
	assert_int_equal(decide(&w->admin1, id, "approve", NULL, &r), 403);
	assert_string_equal(gh_error(&r), "self_approval");
	gh_resp_free(&r);
	assert_int_equal(audits("passkey.reset", "denied"), 1);
	assert_int_equal(passkeys_of("staff", w->target.u.id), 1);
	assert_int_equal(gh_req(&W->s, &w->target.c, "GET",
				"/api/v1/staff/session", NULL, NULL, &r),
			 200);
	gh_resp_free(&r);
	/* A supervisor cannot approve either (the route is the admins'). */
	assert_int_equal(decide(&w->sup, id, "approve", NULL, &r), 403);
	gh_resp_free(&r);
	/* The second admin approves. */
	assert_int_equal(decide(&w->admin2, id, "approve",
				json_pack("{s:s}", "reason",
					  "Called her back on file"),
				&r),
			 200);
	json_t *x = json_object_get(r.json, "reset");
	assert_string_equal(json_string_value(json_object_get(x, "state")),
			    "approved");
	assert_int_equal(json_integer_value(
				 json_object_get(x, "passkeys_deleted")),
			 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(x, "decided_by"), "id")),
			 w->admin2.u.id);
	gh_resp_free(&r);
	assert_int_equal(passkeys_of("staff", w->target.u.id), 0);
	assert_int_equal(audits("passkey.reset", "success"), 1);
	assert_false(pending_has(id));
	/* Their session ended at once. */
	assert_int_equal(gh_req(&W->s, &w->target.c, "GET",
				"/api/v1/staff/session", NULL, NULL, &r),
			 401);
	gh_resp_free(&r);
	/* Told by a content-free mail. */
	assert_int_equal(gh_take_mail(&w->s, w->target.u.email,
				      "removed every passkey", 10, &mail),
			 0);
	assert_null(strstr(mail, "Lost her laptop"));
	free(mail);
	/* Decided once. */
	assert_int_equal(decide(&w->admin2, id, "approve", NULL, &r), 409);
	assert_string_equal(gh_error(&r), "reset_closed");
	gh_resp_free(&r);
	assert_int_equal(decide(&w->admin1, id, "deny", NULL, &r), 409);
	gh_resp_free(&r);
	/* Password and code now give the session that only enrols. */
	assert_int_equal(gh_req(&W->s, &w->target.c, "DELETE",
				"/api/v1/staff/session", NULL, NULL, &r) > 0,
			 1);
	gh_resp_free(&r);
	w->target.u.passkey = NULL; /* the harness's is gone */
	assert_int_equal(password_login(&w->target, &enrol_only), 201);
	assert_true(enrol_only);
	assert_int_equal(gh_req(&W->s, &w->target.c, "GET",
				"/api/v1/staff/session", NULL, NULL, &r),
			 200);
	assert_true(json_is_true(
		json_object_get(r.json, "passkey_enrollment_required")));
	gh_resp_free(&r);
	assert_int_equal(gh_req(&W->s, &w->target.c, "GET", "/api/v1/tickets",
				NULL, NULL, &r),
			 403);
	assert_string_equal(gh_error(&r), "passkey_enrollment_required");
	gh_resp_free(&r);
	/* And may enrol a new passkey, then log in with it. */
	enrol(&w->target);
	assert_int_equal(passkey_login(&w->target), 201);
}

/* Nobody asks for their own reset; agents and supervisors cannot ask or
 * list; a member without a passkey has nothing to reset; a denial (by
 * either admin) and an expired request change nothing. */
static void
test_reset_refusals(void **state)
{
	struct world *w = *state;
	json_t *why = json_pack("{s:s}", "reason", "Lost the key");
	int64_t n = resets(), id;
	int64_t denied = audits("passkey.reset_requested", "denied");
	struct gh_resp r;

	assert_int_equal(ask_reset(&w->admin1, w->admin1.u.id,
				   json_deep_copy(why), &r),
			 403);
	assert_string_equal(gh_error(&r), "self_reset");
	gh_resp_free(&r);
	assert_int_equal(audits("passkey.reset_requested", "denied"),
			 denied + 1);
	assert_int_equal(ask_reset(&w->sup, w->admin1.u.id,
				   json_deep_copy(why), &r),
			 403);
	assert_string_equal(gh_error(&r), "forbidden");
	gh_resp_free(&r);
	assert_int_equal(ask_reset(&w->agent, w->sup.u.id, json_deep_copy(why),
				   &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&W->s, &w->sup.c, "GET",
				"/api/v1/admin/passkey-resets", NULL, NULL, &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(ask_reset(&w->admin1, w->plain.u.id,
				   json_deep_copy(why), &r),
			 409);
	assert_string_equal(gh_error(&r), "no_passkey");
	gh_resp_free(&r);
	assert_int_equal(audits("passkey.reset_requested", "denied"),
			 denied + 2);
	assert_int_equal(resets(), n);
	/* The member never decides about their own passkeys. */
	assert_int_equal(ask_reset(&w->admin2, w->admin1.u.id,
				   json_deep_copy(why), &r),
			 201);
	id = json_integer_value(
		json_object_get(json_object_get(r.json, "reset"), "id"));
	gh_resp_free(&r);
	assert_int_equal(decide(&w->admin1, id, "approve", NULL, &r), 403);
	assert_string_equal(gh_error(&r), "self_approval");
	gh_resp_free(&r);
	assert_int_equal(decide(&w->admin1, id, "deny", NULL, &r), 403);
	gh_resp_free(&r);
	assert_int_equal(decide(&w->admin2, id, "deny", NULL, &r), 200);
	gh_resp_free(&r);
	assert_int_equal(passkeys_of("staff", w->admin1.u.id), 1);
	/* Withdrawn by its requester: denied, the passkey stays. */
	id = asked(&w->sup);
	assert_int_equal(decide(&w->admin1, id, "deny",
				json_pack("{s:s}", "reason", "Found it"), &r),
			 200);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(r.json, "reset"), "state")),
			    "denied");
	gh_resp_free(&r);
	assert_int_equal(audits("passkey.reset_denied", "success"), 2);
	assert_int_equal(audits("passkey.reset_denied", "denied"), 1);
	assert_int_equal(passkeys_of("staff", w->sup.u.id), 1);
	/* Expired after 24 hours: not listed, not approvable. */
	id = asked(&w->sup);
	gh_db_exec(&w->s, "UPDATE passkey_resets SET created_at = "
			  "created_at - 90000, expires_at = expires_at - 90000 "
			  "WHERE state = 'pending'");
	assert_false(pending_has(id));
	assert_int_equal(decide(&w->admin2, id, "approve", NULL, &r), 409);
	assert_string_equal(gh_error(&r), "reset_closed");
	gh_resp_free(&r);
	assert_int_equal(passkeys_of("staff", w->sup.u.id), 1);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM passkey_resets "
				      "WHERE id = %lld AND state = 'expired'",
				      (long long)id),
			 1);
	json_decref(why);
}

/* Bad input on the reset routes: a 4xx, nothing changed. */
static void
test_reset_bad_input(void **state)
{
	struct world *w = *state;
	int64_t n = resets();
	struct gh_resp r;
	char big[600];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(ask_reset(&w->admin1, w->sup.u.id, json_object(), &r),
			 400);
	assert_string_equal(gh_error(&r), "missing_field");
	gh_resp_free(&r);
	assert_int_equal(ask_reset(&w->admin1, w->sup.u.id,
				   json_pack("{s:s}", "reason", "ab"), &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(ask_reset(&w->admin1, w->sup.u.id,
				   json_pack("{s:s}", "reason", big), &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(ask_reset(&w->admin1, w->sup.u.id,
				   json_pack("{s:i}", "reason", 12345), &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(ask_reset(&w->admin1, w->sup.u.id,
				   json_pack("{s:s, s:b}", "reason", "Lost it",
					     "urgent", 1),
				   &r),
			 400);
	assert_string_equal(gh_error(&r), "unknown_field");
	gh_resp_free(&r);
	assert_int_equal(ask_reset(&w->admin1, 999999,
				   json_pack("{s:s}", "reason", "Lost it"), &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->admin1.c, "POST",
				"/api/v1/admin/staff/x/passkeys/reset",
				"{\"reason\":\"Lost it\"}", NULL, &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->admin1.c, "POST",
				"/api/v1/admin/passkey-resets/1/approve",
				"{\"reason\":", NULL, &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(decide(&w->admin2, 999999, "approve", NULL, &r), 404);
	gh_resp_free(&r);
	assert_int_equal(decide(&w->admin2, 999999, "deny",
				json_pack("{s:s}", "reason", "x"), &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->admin1.c, "GET",
				"/api/v1/admin/passkey-resets?state=all", NULL,
				NULL, &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(resets(), n);
}

/* --- the staff page ------------------------------------------------------- */

/* Supervisors read a member's passkeys (names and dates, no key); agents
 * cannot; the staff list counts them. */
static void
test_staff_passkeys(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char path[96];
	json_t *p, *v;
	size_t i;
	int seen = 0;

	snprintf(path, sizeof(path), "/api/v1/admin/staff/%lld/passkeys",
		 (long long)w->admin1.u.id);
	assert_int_equal(gh_req(&w->s, &w->sup.c, "GET", path, NULL, NULL, &r),
			 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "passkeys")),
			 1);
	p = json_array_get(json_object_get(r.json, "passkeys"), 0);
	assert_true(json_string_length(json_object_get(p, "name")) > 0);
	assert_true(json_integer_value(json_object_get(p, "created_at")) > 0);
	assert_true(json_integer_value(json_object_get(p, "last_used_at")) > 0);
	assert_non_null(json_object_get(p, "backed_up"));
	assert_null(json_object_get(p, "public_key"));
	assert_null(json_object_get(p, "cred_id"));
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->agent.c, "GET", path, NULL, NULL,
				&r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->sup.c, "GET",
				"/api/v1/admin/staff/999999/passkeys", NULL,
				NULL, &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->sup.c, "GET",
				"/api/v1/admin/staff/1/passkeys?x=1", NULL,
				NULL, &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&w->s, &w->sup.c, "GET", "/api/v1/admin/staff",
				NULL, NULL, &r),
			 200);
	json_array_foreach(json_object_get(r.json, "staff"), i, v) {
		int64_t id = json_integer_value(json_object_get(v, "id"));
		int64_t n = json_integer_value(json_object_get(v, "passkeys"));

		assert_non_null(json_object_get(v, "passkeys"));
		if (id == w->admin1.u.id || id == w->plain.u.id) {
			assert_int_equal(n, id == w->admin1.u.id ? 1 : 0);
			seen++;
		}
	}
	assert_int_equal(seen, 2);
	gh_resp_free(&r);
}

/* --- customers: mfa_reset ------------------------------------------------- */

/* An MFA reset applied (dual control, cooling-off passed) deletes the
 * customer's passkeys too, says so in its audit record, and the
 * recovery by password and a new authenticator stays. */
static void
test_mfa_reset_deletes_passkeys(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	char sql[900];
	int64_t t;

	assert_int_equal(passkeys_of("customer", w->cust_b.u.id), 1);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO tickets (customer_id, subject, created_at, "
		 "updated_at) VALUES (%lld, 'Lost phone', %s, %s)",
		 (long long)w->cust_b.u.id, gh_db_now(&w->s),
		 gh_db_now(&w->s));
	gh_db_exec(&w->s, sql);
	t = gh_db_count(&w->s, "SELECT MAX(id) FROM tickets");
	snprintf(sql, sizeof(sql),
		 "INSERT INTO change_requests (ref, customer_id, kind, state, "
		 "requested_by, verification_id, ticket_id, reason, "
		 "created_at, approved_by, approved_at, approval, apply_after) "
		 "VALUES ('gate-mfa-1', %lld, 'mfa_reset', 'cooling_off', "
		 "%lld, 0, %lld, 'Lost phone and key', %s - 90000, %lld, "
		 "%s - 90000, 'Called back', %s - 3600)",
		 (long long)w->cust_b.u.id, (long long)w->agent.u.id,
		 (long long)t, gh_db_now(&w->s), (long long)w->sup.u.id,
		 gh_db_now(&w->s), gh_db_now(&w->s));
	gh_db_exec(&w->s, sql);
	/* Any listing applies what is due. */
	assert_int_equal(gh_req(&w->s, &w->cust_b.c, "GET",
				"/api/v1/portal/changes", NULL, NULL, &r) > 0,
			 1);
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&w->s, "SELECT COUNT(*) FROM "
					    "change_requests WHERE ref = "
					    "'gate-mfa-1' AND state = "
					    "'applied'"),
			 1);
	assert_int_equal(passkeys_of("customer", w->cust_b.u.id), 0);
	assert_int_equal(gh_db_count(&w->s,
				     "SELECT COUNT(*) FROM audit WHERE record "
				     "LIKE '%\"action\":\"change.applied\"%' "
				     "AND record LIKE "
				     "'%\"passkeys_deleted\":1%'"),
			 1);
	/* The customer's sessions ended with it. */
	assert_int_equal(gh_req(&w->s, &w->cust_b.c, "GET",
				"/api/v1/portal/session", NULL, NULL, &r),
			 401);
	gh_resp_free(&r);
}

/* --- the passkey as a verification factor -------------------------------- */

/* A new ticket of customer m, assigned to nobody, in queue general. */
static int64_t
ticket_of(struct member *m)
{
	char sql[300];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO tickets (customer_id, subject, created_at, "
		 "updated_at) VALUES (%lld, 'Card lost', %s, %s)",
		 (long long)m->u.id, gh_db_now(&W->s), gh_db_now(&W->s));
	gh_db_exec(&W->s, sql);
	return gh_db_count(&W->s, "SELECT MAX(id) FROM tickets");
}

static int64_t
verification(int64_t ticket)
{
	struct gh_resp r;
	char path[96];
	int64_t id;

	snprintf(path, sizeof(path), "/api/v1/tickets/%lld/verifications",
		 (long long)ticket);
	assert_int_equal(post(&W->agent.c, path, json_object(), &r), 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	return id;
}

/* The agent asks for the passkey factor: the status; *number the number
 * to read out (202). */
static long
ask_passkey(int64_t v, int64_t *number, struct gh_resp *r)
{
	char path[96];
	long st;

	snprintf(path, sizeof(path), "/api/v1/verifications/%lld/factors",
		 (long long)v);
	st = post(&W->agent.c, path, json_pack("{s:s}", "method", "passkey"),
		  r);
	if (number != NULL)
		*number = json_integer_value(json_object_get(r->json, "number"));
	return st;
}

static int
level_of(int64_t v)
{
	struct gh_resp r;
	char path[96];
	int level;

	snprintf(path, sizeof(path), "/api/v1/verifications/%lld",
		 (long long)v);
	assert_int_equal(gh_req(&W->s, &W->agent.c, "GET", path, NULL, NULL,
				&r),
			 200);
	level = (int)json_integer_value(json_object_get(r.json, "level"));
	gh_resp_free(&r);
	return level;
}

/* The options customer m's portal gets for verification v: the
 * challenge and rp id (200 expected). */
static void
options(struct member *m, int64_t v, char *ch, size_t chsz, char *rp,
	size_t rpsz)
{
	struct gh_resp r;
	char path[96];

	snprintf(path, sizeof(path),
		 "/api/v1/portal/verifications/%lld/passkey/options",
		 (long long)v);
	assert_int_equal(post(&m->c, path, json_object(), &r), 200);
	challenge_of(&r, ch, chsz, rp, rpsz);
	assert_true(json_array_size(json_object_get(
			    json_object_get(r.json, "publicKey"),
			    "allowCredentials")) >= 1);
	gh_resp_free(&r);
}

/* Customer m approves v with number and the assertion text cred. */
static long
approve(struct member *m, int64_t v, int64_t number, const char *cred,
	struct gh_resp *r)
{
	char path[96];
	json_t *b = json_pack("{s:I}", "number", (json_int_t)number);

	if (cred != NULL)
		json_object_set_new(b, "credential", json_loads(cred, 0, NULL));
	snprintf(path, sizeof(path), "/api/v1/portal/verifications/%lld/approve",
		 (long long)v);
	return post(&m->c, path, b, r);
}

/* key's assertion for the challenge ch, as a browser at the portal. */
static char *
assertion(struct softauth *key, const char *ch, const char *rp)
{
	char origin[96];

	origin_of(0, origin, sizeof(origin));
	return softauth_assert_json(key, ch, rp, origin, NULL);
}

/* Refused for a customer without a passkey; the request shows in the
 * portal as a passkey request; number + assertion pass it: level 1, and
 * the e-mail address can be revealed. */
static void
test_factor_passkey(void **state)
{
	struct world *w = *state;
	char ch[128], rp[128];
	struct gh_resp r;
	int64_t v, number = 0;
	char *cred;
	char path[160];

	v = verification(ticket_of(&w->cust_c));
	assert_int_equal(ask_passkey(v, NULL, &r), 409);
	assert_string_equal(gh_error(&r), "no_passkey");
	gh_resp_free(&r);
	/* A passkey whose counter went back is refused at every use: a
	 * customer with only such passkeys has none to approve with. */
	snprintf(path, sizeof(path),
		 "UPDATE passkeys SET counter_flagged = 1 WHERE realm = "
		 "'customer' AND principal_id = %lld",
		 (long long)w->cust_a.u.id);
	gh_db_exec(&w->s, path);
	v = verification(ticket_of(&w->cust_a));
	assert_int_equal(ask_passkey(v, NULL, &r), 409);
	assert_string_equal(gh_error(&r), "no_passkey");
	gh_resp_free(&r);
	snprintf(path, sizeof(path),
		 "UPDATE passkeys SET counter_flagged = 0 WHERE realm = "
		 "'customer' AND principal_id = %lld",
		 (long long)w->cust_a.u.id);
	gh_db_exec(&w->s, path);
	v = verification(ticket_of(&w->cust_a));
	assert_int_equal(ask_passkey(v, &number, &r), 202);
	gh_resp_free(&r);
	assert_true(number >= 10 && number <= 99);
	assert_int_equal(gh_req(&w->s, &w->cust_a.c, "GET",
				"/api/v1/portal/verifications", NULL, NULL, &r),
			 200);
	json_t *it = json_array_get(json_object_get(r.json, "items"), 0);
	assert_int_equal(json_integer_value(json_object_get(it, "id")), v);
	assert_string_equal(json_string_value(json_object_get(it, "method")),
			    "passkey");
	assert_null(strstr(r.body, "\"number\""));
	gh_resp_free(&r);
	/* The number alone does not pass it. */
	assert_int_equal(approve(&w->cust_a, v, number, NULL, &r), 400);
	assert_string_equal(gh_error(&r), "missing_field");
	gh_resp_free(&r);
	options(&w->cust_a, v, ch, sizeof(ch), rp, sizeof(rp));
	cred = assertion(w->cust_a.key, ch, rp);
	assert_int_equal(approve(&w->cust_a, v, number, cred, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")),
			    "approved");
	gh_resp_free(&r);
	assert_int_equal(level_of(v), 1);
	assert_int_equal(audits("verification.factor", "success"), 1);
	snprintf(path, sizeof(path), "/api/v1/customers/%lld/reveal",
		 (long long)w->cust_a.u.id);
	assert_int_equal(post(&w->agent.c, path,
			      json_pack("{s:s, s:s, s:I}", "field", "email",
					"reason", "Caller asked to confirm it",
					"verification", (json_int_t)v),
			      &r),
			 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "value")),
			    w->cust_a.u.email);
	gh_resp_free(&r);
	/* The same assertion again: the request is answered. */
	assert_int_equal(approve(&w->cust_a, v, number, cred, &r), 409);
	gh_resp_free(&r);
	used_cred = cred; /* replayed in test_factor_refusals */
}

/* A replayed assertion and another customer's credential are refused and
 * counted on the factor like wrong codes; a wrong number with a good
 * assertion ends the verification (the scam notice). */
static void
test_factor_refusals(void **state)
{
	struct world *w = *state;
	char ch[128], rp[128];
	struct gh_resp r;
	int64_t v, number = 0;
	char *cred, *other;

	v = verification(ticket_of(&w->cust_a));
	assert_int_equal(ask_passkey(v, &number, &r), 202);
	gh_resp_free(&r);
	/* Customer B's passkey on A's challenge. */
	options(&w->cust_a, v, ch, sizeof(ch), rp, sizeof(rp));
	other = assertion(w->cust_b.key, ch, rp);
	assert_int_equal(approve(&w->cust_a, v, number, other, &r), 400);
	assert_string_equal(gh_error(&r), "passkey_refused");
	gh_resp_free(&r);
	free(other);
	/* A's own assertion, accepted before on another verification:
	 * replayed. */
	assert_non_null(used_cred);
	assert_int_equal(approve(&w->cust_a, v, number, used_cred, &r), 400);
	assert_string_equal(gh_error(&r), "passkey_refused");
	gh_resp_free(&r);
	free(used_cred);
	used_cred = NULL;
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT failures FROM verification_factors "
				      "WHERE verification_id = %lld AND method "
				      "= 'passkey'",
				      (long long)v),
			 2);
	assert_int_equal(level_of(v), 0);
	/* A good assertion with the wrong number: refused, locked. */
	options(&w->cust_a, v, ch, sizeof(ch), rp, sizeof(rp));
	cred = assertion(w->cust_a.key, ch, rp);
	assert_int_equal(approve(&w->cust_a, v, number == 99 ? 98 : number + 1,
				 cred, &r),
			 409);
	assert_string_equal(gh_error(&r), "verification_failed");
	assert_non_null(json_object_get(r.json, "notice"));
	gh_resp_free(&r);
	free(cred);
	assert_int_equal(level_of(v), 0);
}

/* Bad input on the customer's routes: a 4xx, nothing passed. */
static void
test_factor_bad_input(void **state)
{
	struct world *w = *state;
	struct gh_resp r;
	int64_t v, number = 0;
	char path[96];

	assert_int_equal(post(&w->cust_a.c,
			      "/api/v1/portal/verifications/999999/passkey/"
			      "options",
			      json_object(), &r),
			 404);
	gh_resp_free(&r);
	v = verification(ticket_of(&w->cust_a));
	/* Not yet asked for: nothing to answer. */
	snprintf(path, sizeof(path),
		 "/api/v1/portal/verifications/%lld/passkey/options",
		 (long long)v);
	assert_int_equal(post(&w->cust_a.c, path, json_object(), &r), 404);
	gh_resp_free(&r);
	assert_int_equal(ask_passkey(v, &number, &r), 202);
	gh_resp_free(&r);
	/* Another customer's verification. */
	assert_int_equal(post(&w->cust_c.c, path, json_object(), &r), 404);
	gh_resp_free(&r);
	assert_int_equal(post(&w->cust_a.c, path, json_pack("{s:i}", "x", 1),
			      &r),
			 400);
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/portal/verifications/%lld/approve",
		 (long long)v);
	assert_int_equal(post(&w->cust_a.c, path,
			      json_pack("{s:I, s:s}", "number",
					(json_int_t)number, "credential", "x"),
			      &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(post(&w->cust_a.c, path,
			      json_pack("{s:I, s:{s:s}}", "number",
					(json_int_t)number, "credential", "id",
					"AAAA"),
			      &r),
			 400);
	/* A malformed credential: bad input, named, not counted. */
	assert_true(strcmp(gh_error(&r), "bad_field") == 0 ||
		    strcmp(gh_error(&r), "missing_field") == 0);
	assert_true(strncmp(json_string_value(json_object_get(r.json, "field")),
			    "credential", 10) == 0);
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT failures FROM verification_factors "
				      "WHERE verification_id = %lld AND method "
				      "= 'passkey'",
				      (long long)v),
			 0);
	assert_int_equal(post(&w->cust_a.c, path,
			      json_pack("{s:{s:s}}", "credential", "id",
					"AAAA"),
			      &r),
			 400);
	assert_string_equal(gh_error(&r), "missing_field");
	gh_resp_free(&r);
	/* The agent cannot add a code to it. */
	snprintf(path, sizeof(path), "/api/v1/verifications/%lld/factors",
		 (long long)v);
	assert_int_equal(post(&w->agent.c, path,
			      json_pack("{s:s, s:s}", "method", "passkey",
					"code", "123456"),
			      &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(level_of(v), 0);
	/* "This isn't me" answers a passkey request like any: the
	 * verification ends, its ticket is locked. */
	snprintf(path, sizeof(path), "/api/v1/portal/verifications/%lld/deny",
		 (long long)v);
	assert_int_equal(post(&w->cust_a.c, path, json_object(), &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")),
			    "denied");
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&w->s,
				      "SELECT COUNT(*) FROM verifications "
				      "WHERE id = %lld AND state = 'denied'",
				      (long long)v),
			 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_staff_passkeys),
		cmocka_unit_test(test_reset_bad_input),
		cmocka_unit_test(test_reset_two_admins),
		cmocka_unit_test(test_reset_refusals),
		cmocka_unit_test(test_factor_passkey),
		cmocka_unit_test(test_factor_refusals),
		cmocka_unit_test(test_factor_bad_input),
		cmocka_unit_test(test_mfa_reset_deletes_passkeys),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
