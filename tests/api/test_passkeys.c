/*
 * Passkeys (issue 17, part SERVER) against a real `gatehouse serve`, with
 * the software authenticator of tests/softauth playing the browser and
 * the authenticator: registration, list, rename and delete (staff and
 * customers); login with a passkey (the cookie works, the session says
 * how it was opened); the refusals each named in a test (a replayed or
 * expired challenge, one from another session, wrong origin, rp id, UP
 * and UV cleared, an unknown attestation format, a 1024-byte credential
 * id, a counter regression flagged, a credential registered twice); the
 * options of an unknown e-mail the same as a known one's (none lists a
 * credential); the staff
 * policy (a supervisor's password login leads only to enrolment, then is
 * refused once a passkey exists; the last passkey cannot be deleted;
 * [auth] staff_passkeys = required holds agents too; an unknown value
 * stops start-up); bad input on every route; audit records for each and
 * no challenge or session token in the audit log or the server log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "softauth.h"

static struct gh_server srv;
static struct gh_user cust1, cust2, cust3, cust4, cust5, agent1, super1,
	admin1;

static int
setup(void **state)
{
	(void)state;
	gh_start(&srv, NULL);
	gh_add_customer(&srv, "pk-c1@example.org", &cust1);
	gh_add_customer(&srv, "pk-c2@example.org", &cust2);
	gh_add_customer(&srv, "pk-c3@example.org", &cust3);
	gh_add_customer(&srv, "pk-c4@example.org", &cust4);
	gh_add_customer(&srv, "pk-c5@example.org", &cust5);
	gh_add_staff(&srv, "pk-agent@example.org", "agent", &agent1);
	gh_add_staff(&srv, "pk-super@example.org", "supervisor", &super1);
	gh_add_staff(&srv, "pk-admin@example.org", "admin", &admin1);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(gh_stop(&srv), 0);
	return 0;
}

/* --- helpers ------------------------------------------------------------- */

static const char *
prefix(const struct gh_client *c)
{
	return c->staff ? "/api/v1/staff" : "/api/v1/portal";
}

/* The origin a browser would send to the listener of c, on server s. */
static void
origin_of(const struct gh_server *s, const struct gh_client *c, char *out,
	  size_t outsz)
{
	snprintf(out, outsz, "https://localhost:%d",
		 c->staff ? s->staff_port : s->pub_port);
}

static long
post_path(struct gh_server *s, struct gh_client *c, const char *tail,
	  json_t *body, struct gh_resp *r)
{
	char path[160];

	snprintf(path, sizeof(path), "%s%s", prefix(c), tail);
	return gh_send_json(s, c, "POST", path, body, r);
}

/* The user.id (base64url) of the last registration options. */
static char last_user_id[96];

/* Registration options: the challenge into ch (64 bytes). */
static void
reg_options(struct gh_server *s, struct gh_client *c, char *ch)
{
	struct gh_resp r;
	json_t *pk;

	assert_int_equal(post_path(s, c, "/passkeys/options", json_object(),
				   &r),
			 200);
	pk = json_object_get(r.json, "publicKey");
	snprintf(ch, 64, "%s",
		 json_string_value(json_object_get(pk, "challenge")));
	snprintf(last_user_id, sizeof(last_user_id), "%s",
		 json_string_value(
			 json_object_get(json_object_get(pk, "user"), "id")));
	assert_int_equal(strlen(ch), 43);
	gh_resp_free(&r);
}

/* POSTs the registration text (stolen) with name (may be NULL): the
 * status, r filled. */
static long
reg_send(struct gh_server *s, struct gh_client *c, char *text,
	 const char *name, struct gh_resp *r)
{
	json_t *cred = json_loads(text, 0, NULL);
	json_t *body = json_pack("{s:o}", "credential", cred);

	free(text);
	if (name != NULL)
		json_object_set_new(body, "name", json_string(name));
	return post_path(s, c, "/passkeys", body, r);
}

/* A registration made with options o: the status; *reason the refusal's
 * reason or error code (copied into reason, 32 bytes; may be NULL). */
static long
try_register(struct gh_server *s, struct gh_client *c, struct softauth *a,
	     const struct softauth_opts *o, char *reason, int64_t *id)
{
	char ch[64], origin[64];
	struct gh_resp r;
	long st;

	reg_options(s, c, ch);
	/* Returned as userHandle at each discoverable login, as browsers
	 * do. */
	assert_int_equal(softauth_set_user_handle(a, last_user_id), 0);
	origin_of(s, c, origin, sizeof(origin));
	st = reg_send(s, c,
		      softauth_register_json(a, ch, "localhost", origin, o),
		      NULL, &r);
	if (reason != NULL) {
		const char *w = json_string_value(
			json_object_get(r.json, "reason"));

		snprintf(reason, 32, "%s", w != NULL ? w : gh_error(&r));
	}
	if (id != NULL && st == 201)
		*id = json_integer_value(json_object_get(
			json_object_get(r.json, "passkey"), "id"));
	gh_resp_free(&r);
	return st;
}

static int64_t
register_ok(struct gh_server *s, struct gh_client *c, struct softauth *a)
{
	int64_t id = 0;

	assert_int_equal(try_register(s, c, a, NULL, NULL, &id), 201);
	assert_true(id > 0);
	return id;
}

/* Login options (email may be NULL) into *pk (caller decrefs): the
 * status. */
static long
login_options(struct gh_server *s, struct gh_client *c, const char *email,
	      json_t **pk)
{
	json_t *b = json_object();
	struct gh_resp r;
	long st;

	if (email != NULL)
		json_object_set_new(b, "email", json_string(email));
	st = post_path(s, c, "/session/passkey/options", b, &r);
	*pk = json_incref(json_object_get(r.json, "publicKey"));
	gh_resp_free(&r);
	return st;
}

/* Sends the assertion text (stolen) as a login; on 201 c holds the
 * session's CSRF token. */
static long
login_send(struct gh_server *s, struct gh_client *c, char *text,
	   struct gh_resp *r)
{
	json_t *cred = json_loads(text, 0, NULL);
	long st;

	free(text);
	st = post_path(s, c, "/session/passkey",
		       json_pack("{s:o}", "credential", cred), r);
	if (st == 201)
		snprintf(c->csrf, sizeof(c->csrf), "%s",
			 json_string_value(json_object_get(r->json,
							   "csrf_token")));
	return st;
}

/* A passkey login of a on a fresh client c (staff or not), with the
 * options o: the status. */
static long
pk_login(struct gh_server *s, struct gh_client *c, int staff,
	 struct softauth *a, const struct softauth_opts *o, const char *email)
{
	char origin[64];
	struct gh_resp r;
	json_t *pk = NULL;
	long st;

	gh_client_init(c, staff);
	assert_int_equal(login_options(s, c, email, &pk), 200);
	origin_of(s, c, origin, sizeof(origin));
	st = login_send(s, c,
			softauth_assert_json(
				a,
				json_string_value(json_object_get(pk,
								  "challenge")),
				"localhost", origin, o),
			&r);
	json_decref(pk);
	gh_resp_free(&r);
	return st;
}

/* GET {P}/session: the status, *method its auth_method (32 bytes). */
static long
session_method(struct gh_server *s, struct gh_client *c, char *method,
	       int *enrol)
{
	char path[96];
	struct gh_resp r;
	long st;

	snprintf(path, sizeof(path), "%s/session", prefix(c));
	st = gh_req(s, c, "GET", path, NULL, NULL, &r);
	snprintf(method, 32, "%s",
		 st == 200 ? json_string_value(
				     json_object_get(r.json, "auth_method"))
			   : "");
	if (enrol != NULL)
		*enrol = json_is_true(json_object_get(
			r.json, "passkey_enrollment_required"));
	gh_resp_free(&r);
	return st;
}

static int64_t
audit_n(const char *action, const char *outcome)
{
	return gh_audit_count(&srv, action, outcome);
}

static struct softauth *
new_key(int alg)
{
	struct softauth *a = softauth_new(alg);

	assert_non_null(a);
	return a;
}

/* --- registration and management ----------------------------------------- */

static void
test_customer_register_manage(void **state)
{
	struct gh_client c, other;
	struct softauth *a = new_key(WA_ES256), *b = new_key(WA_ES256);
	struct gh_resp r;
	char path[96];
	int64_t id, id_b;
	json_t *l;

	(void)state;
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&srv, &c, &cust1), 201);
	id = register_ok(&srv, &c, a);
	id_b = register_ok(&srv, &c, b);
	assert_int_equal(gh_req(&srv, &c, "GET", "/api/v1/portal/passkeys",
				NULL, NULL, &r),
			 200);
	l = json_object_get(r.json, "passkeys");
	assert_int_equal(json_array_size(l), 2);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(l, 0), "name")),
			    "Passkey 1");
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(l, 0), "fmt")),
			    "none");
	assert_true(json_is_null(json_object_get(json_array_get(l, 0),
						 "last_used_at")));
	assert_true(json_is_false(json_object_get(r.json, "required")));
	gh_resp_free(&r);

	snprintf(path, sizeof(path), "/api/v1/portal/passkeys/%lld",
		 (long long)id);
	assert_int_equal(gh_send_json(&srv, &c, "PUT", path,
				      json_pack("{s:s}", "name", "Laptop"),
				      &r),
			 200);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(r.json, "passkey"), "name")),
			    "Laptop");
	gh_resp_free(&r);

	/* Another customer sees none of them and changes none. */
	gh_client_init(&other, 0);
	assert_int_equal(gh_login(&srv, &other, &cust2), 201);
	assert_int_equal(gh_send_json(&srv, &other, "PUT", path,
				      json_pack("{s:s}", "name", "Mine"), &r),
			 404);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&srv, &other, "DELETE", path, NULL, NULL, &r),
			 404);
	gh_resp_free(&r);
	/* The same credential again, by its owner or by another account. */
	assert_int_equal(try_register(&srv, &other, a, NULL, NULL, NULL), 409);
	assert_int_equal(gh_db_countf(&srv, "SELECT COUNT(*) FROM passkeys "
					    "WHERE principal_id = %lld AND "
					    "realm = 'customer'",
				      (long long)cust2.id),
			 0);

	assert_int_equal(gh_req(&srv, &c, "DELETE", path, NULL, NULL, &r), 200);
	assert_true(json_is_true(json_object_get(r.json, "deleted")));
	gh_resp_free(&r);
	assert_int_equal(gh_req(&srv, &c, "DELETE", path, NULL, NULL, &r), 404);
	gh_resp_free(&r);
	(void)id_b;
	assert_true(audit_n("passkey.register", "success") >= 2);
	assert_true(audit_n("passkey.rename", "success") >= 1);
	assert_true(audit_n("passkey.delete", "success") >= 1);
	assert_true(audit_n("passkey.register_refused", "failure") >= 1);
	gh_client_free(&c);
	gh_client_free(&other);
	softauth_free(a);
	softauth_free(b);
}

/* Each refusal of a registration, with the verifier's reason; nothing
 * stored. An EdDSA key and a 1023-byte id are fine; 1024 bytes is not. */
static void
test_register_refusals(void **state)
{
	struct gh_client c, c2;
	struct softauth *a = new_key(WA_ES256), *ed = new_key(WA_EDDSA);
	struct softauth_opts o;
	char reason[32], ch[64], origin[64];
	struct gh_resp r;
	int64_t before;

	(void)state;
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&srv, &c, &cust3), 201);
	before = gh_db_count(&srv, "SELECT COUNT(*) FROM passkeys");

	o = (struct softauth_opts){.origin = "https://evil.example"};
	assert_int_equal(try_register(&srv, &c, a, &o, reason, NULL), 400);
	assert_string_equal(reason, "origin");
	o = (struct softauth_opts){.rp_id = "example.com"};
	assert_int_equal(try_register(&srv, &c, a, &o, reason, NULL), 400);
	assert_string_equal(reason, "rp_id_hash");
	o = (struct softauth_opts){.clear_up = 1};
	assert_int_equal(try_register(&srv, &c, a, &o, reason, NULL), 400);
	assert_string_equal(reason, "user_present");
	o = (struct softauth_opts){.clear_uv = 1};
	assert_int_equal(try_register(&srv, &c, a, &o, reason, NULL), 400);
	assert_string_equal(reason, "user_verified");
	o = (struct softauth_opts){.fmt = "bogus"};
	assert_int_equal(try_register(&srv, &c, a, &o, reason, NULL), 400);
	assert_string_equal(reason, "attestation_format");
	o = (struct softauth_opts){.type = "webauthn.get"};
	assert_int_equal(try_register(&srv, &c, a, &o, reason, NULL), 400);
	assert_string_equal(reason, "type");
	o = (struct softauth_opts){.cross_origin = 1};
	assert_int_equal(try_register(&srv, &c, a, &o, reason, NULL), 400);
	assert_string_equal(reason, "cross_origin");

	/* A challenge drawn for another session of the same account. */
	gh_client_init(&c2, 0);
	assert_int_equal(gh_login(&srv, &c2, &cust3), 201);
	reg_options(&srv, &c2, ch);
	origin_of(&srv, &c, origin, sizeof(origin));
	assert_int_equal(reg_send(&srv, &c,
				  softauth_register_json(a, ch, "localhost",
							 origin, NULL),
				  NULL, &r),
			 400);
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "reason")),
			    "challenge");
	gh_resp_free(&r);
	/* An expired challenge. */
	reg_options(&srv, &c, ch);
	gh_db_exec(&srv, "UPDATE passkey_challenges SET expires_at = 1");
	assert_int_equal(reg_send(&srv, &c,
				  softauth_register_json(a, ch, "localhost",
							 origin, NULL),
				  NULL, &r),
			 400);
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "reason")),
			    "challenge");
	gh_resp_free(&r);
	/* A used one. */
	reg_options(&srv, &c, ch);
	assert_int_equal(reg_send(&srv, &c,
				  softauth_register_json(a, ch, "localhost",
							 origin, &o),
				  NULL, &r),
			 400);
	gh_resp_free(&r);
	assert_int_equal(reg_send(&srv, &c,
				  softauth_register_json(a, ch, "localhost",
							 origin, NULL),
				  NULL, &r),
			 400);
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "reason")),
			    "challenge");
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM passkeys"),
			 before);

	o = (struct softauth_opts){.cred_id_len = 1024};
	assert_int_equal(try_register(&srv, &c, a, &o, reason, NULL), 400);
	assert_string_equal(reason, "credential_id");
	o = (struct softauth_opts){.cred_id_len = 1023};
	assert_int_equal(try_register(&srv, &c, a, &o, NULL, NULL), 201);
	register_ok(&srv, &c, ed);
	assert_int_equal(gh_db_countf(&srv, "SELECT COUNT(*) FROM passkeys "
					    "WHERE alg = -8 AND principal_id "
					    "= %lld",
				      (long long)cust3.id),
			 1);
	assert_true(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
				      "record LIKE '%passkey.register_refused%'"
				      " AND record LIKE '%user_verified%'") >=
		    1);
	gh_client_free(&c);
	gh_client_free(&c2);
	softauth_free(a);
	softauth_free(ed);
}

/* --- login ----------------------------------------------------------------- */

static void
test_customer_login(void **state)
{
	struct gh_client c, l;
	struct softauth *a = new_key(WA_ES256);
	struct softauth_opts o;
	char method[32], origin[64];
	struct gh_resp r;
	json_t *pk = NULL;
	char *replay;

	(void)state;
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&srv, &c, &cust4), 201);
	assert_int_equal(session_method(&srv, &c, method, NULL), 200);
	assert_string_equal(method, "password");
	register_ok(&srv, &c, a);

	/* Discoverable: no e-mail. */
	assert_int_equal(pk_login(&srv, &l, 0, a, NULL, NULL), 201);
	assert_int_equal(session_method(&srv, &l, method, NULL), 200);
	assert_string_equal(method, "passkey");
	assert_int_equal(gh_req(&srv, &l, "GET", "/api/v1/portal/tickets",
				NULL, NULL, &r),
			 200);
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&srv,
				      "SELECT COUNT(*) FROM sessions WHERE "
				      "method = 'passkey' AND principal_id = "
				      "%lld AND mfa = 1",
				      (long long)cust4.id),
			 1);
	assert_int_equal(gh_db_countf(&srv,
				      "SELECT COUNT(*) FROM passkeys WHERE "
				      "principal_id = %lld AND sign_count = 1 "
				      "AND last_used_at > 0",
				      (long long)cust4.id),
			 1);
	gh_client_free(&l);

	/* With the e-mail: no credential is listed (discoverable), the
	 * challenge is the account's; the assertion replayed is refused
	 * (its challenge is spent). */
	gh_client_init(&l, 0);
	assert_int_equal(login_options(&srv, &l, cust4.email, &pk), 200);
	assert_int_equal(json_array_size(json_object_get(pk,
							 "allowCredentials")),
			 0);
	origin_of(&srv, &l, origin, sizeof(origin));
	replay = softauth_assert_json(
		a, json_string_value(json_object_get(pk, "challenge")),
		"localhost", origin, NULL);
	json_decref(pk);
	assert_int_equal(login_send(&srv, &l, strdup(replay), &r), 201);
	gh_resp_free(&r);
	assert_int_equal(login_send(&srv, &l, replay, &r), 401);
	assert_string_equal(gh_error(&r), "login_failed");
	gh_resp_free(&r);
	gh_client_free(&l);

	/* Wrong origin, bad signature, UV cleared: 401, one answer. */
	o = (struct softauth_opts){.origin = "https://evil.example"};
	assert_int_equal(pk_login(&srv, &l, 0, a, &o, NULL), 401);
	gh_client_free(&l);
	o = (struct softauth_opts){.bad_signature = 1};
	assert_int_equal(pk_login(&srv, &l, 0, a, &o, NULL), 401);
	gh_client_free(&l);
	o = (struct softauth_opts){.clear_uv = 1};
	assert_int_equal(pk_login(&srv, &l, 0, a, &o, NULL), 401);
	gh_client_free(&l);

	/* A passkey of the portal is nobody on the staff listener. */
	assert_int_equal(pk_login(&srv, &l, 1, a, NULL, NULL), 401);
	gh_client_free(&l);

	/* The counter goes back: refused, flagged, audited; refused after. */
	o = (struct softauth_opts){.set_counter = 1, .counter = 1};
	assert_int_equal(pk_login(&srv, &l, 0, a, &o, NULL), 401);
	gh_client_free(&l);
	assert_int_equal(gh_db_countf(&srv,
				      "SELECT COUNT(*) FROM passkeys WHERE "
				      "principal_id = %lld AND "
				      "counter_flagged = 1",
				      (long long)cust4.id),
			 1);
	assert_int_equal(audit_n("passkey.counter_regression", NULL), 1);
	assert_int_equal(pk_login(&srv, &l, 0, a, NULL, NULL), 401);
	gh_client_free(&l);

	assert_true(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
				      "record LIKE '%\"auth.login\"%' AND "
				      "record LIKE '%\"method\":\"passkey\"%'") >=
		    2);
	assert_true(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
				      "record LIKE '%passkey.login_refused%' "
				      "AND record LIKE '%\"origin\"%'") >= 1);
	assert_true(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
				      "record LIKE '%passkey.login_refused%' "
				      "AND record LIKE '%\"challenge\"%'") >= 1);
	gh_client_free(&c);
	softauth_free(a);
}

/* The options tell nothing of the account (issue 17 review): with an
 * unknown address, a known one or none, allowCredentials is empty and the
 * answers are the same but for the challenge. A known address binds the
 * challenge to its account (another account's passkey is refused), an
 * unknown one to no account at all (every passkey is refused). */
static void
test_login_options_unknown(void **state)
{
	struct gh_client c, l;
	struct softauth *k5 = new_key(WA_ES256), *k1 = new_key(WA_ES256);
	struct softauth_opts no_handle = {.no_user_handle = 1};
	json_t *a = NULL, *b = NULL, *k = NULL, *n = NULL;
	struct gh_resp r;

	(void)state;
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&srv, &c, &cust5), 201);
	register_ok(&srv, &c, k5);
	gh_client_free(&c);
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&srv, &c, &cust1), 201);
	register_ok(&srv, &c, k1);
	gh_client_free(&c);

	gh_client_init(&c, 0);
	assert_int_equal(login_options(&srv, &c, "nobody@example.org", &a), 200);
	assert_int_equal(login_options(&srv, &c, "nobody@example.org", &b), 200);
	assert_int_equal(login_options(&srv, &c, cust5.email, &k), 200);
	assert_int_equal(login_options(&srv, &c, NULL, &n), 200);
	assert_false(json_equal(json_object_get(a, "challenge"),
				json_object_get(b, "challenge")));
	assert_string_equal(json_string_value(json_object_get(a, "rpId")),
			    "localhost");
	assert_int_equal(json_array_size(json_object_get(k, "allowCredentials")),
			 0);
	assert_true(json_is_array(json_object_get(a, "allowCredentials")));
	json_object_del(a, "challenge");
	json_object_del(k, "challenge");
	json_object_del(n, "challenge");
	assert_true(json_equal(a, k));
	assert_true(json_equal(a, n));
	json_decref(a);
	json_decref(b);
	json_decref(k);
	json_decref(n);

	/* The known address's challenge: its own passkey logs in, another
	 * account's is refused; the unknown address's: every one is. */
	assert_int_equal(pk_login(&srv, &l, 0, k5, NULL, cust5.email), 201);
	gh_client_free(&l);
	assert_int_equal(pk_login(&srv, &l, 0, k1, NULL, cust5.email), 401);
	gh_client_free(&l);
	assert_int_equal(pk_login(&srv, &l, 0, k5, NULL, "nobody@example.org"),
			 401);
	gh_client_free(&l);
	assert_int_equal(pk_login(&srv, &l, 0, k1, NULL, NULL), 201);
	gh_client_free(&l);

	/* WebAuthn L3 7.2 step 6: a discoverable login (no e-mail) without
	 * userHandle is refused; with the e-mail the account is known. */
	assert_int_equal(pk_login(&srv, &l, 0, k1, &no_handle, NULL), 401);
	gh_client_free(&l);
	assert_true(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
				      "record LIKE '%passkey.login_refused%' "
				      "AND record LIKE '%\"user_handle\"%'") >=
		    1);
	assert_int_equal(pk_login(&srv, &l, 0, k5, &no_handle, cust5.email),
			 201);
	gh_client_free(&l);

	assert_int_equal(post_path(&srv, &c, "/session/passkey/options",
				   json_pack("{s:s}", "email", "not-an-address"),
				   &r),
			 400);
	gh_resp_free(&r);
	gh_client_free(&c);
	softauth_free(k5);
	softauth_free(k1);
}

/* --- bad input -------------------------------------------------------------- */

/* A body on a route: the status and error code expected. */
static void
expect(struct gh_client *c, const char *method, const char *tail,
       const char *body, long status, const char *error)
{
	char path[160];
	struct gh_resp r;

	snprintf(path, sizeof(path), "%s%s", prefix(c), tail);
	if (gh_req(&srv, c, method, path, body, NULL, &r) != status)
		print_message("%s %s %s: %ld %s\n", method, path,
			      body != NULL ? body : "", r.status, gh_error(&r));
	assert_int_equal(r.status, status);
	if (error != NULL)
		assert_string_equal(gh_error(&r), error);
	gh_resp_free(&r);
}

static void
test_bad_input(void **state)
{
	struct gh_client c, anon;
	int64_t before = gh_db_count(&srv, "SELECT COUNT(*) FROM passkeys");
	static const char *const bad_creds[] = {
		"{\"credential\":[]}",
		"{\"credential\":{}}",
		"{\"credential\":{\"id\":\"AAAA\",\"rawId\":\"AAAA\","
		"\"type\":\"public-key\",\"response\":{},\"extra\":1}}",
		"{\"credential\":{\"id\":\"AAAA\",\"rawId\":\"AAAB\","
		"\"type\":\"public-key\",\"response\":{}}}",
		"{\"credential\":{\"id\":\"A+A/\",\"rawId\":\"A+A/\","
		"\"type\":\"public-key\",\"response\":{}}}",
		"{\"credential\":{\"id\":\"AAAA\",\"rawId\":\"AAAA\","
		"\"type\":\"other\",\"response\":{}}}",
		"{\"credential\":{\"id\":\"AAAA\",\"rawId\":\"AAAA\","
		"\"type\":\"public-key\",\"response\":{\"clientDataJSON\":1}}}",
		"{\"credential\":{\"id\":\"AAAA\",\"rawId\":\"AAAA\","
		"\"type\":\"public-key\",\"response\":\"x\"}}",
		"{\"credential\":{\"id\":\"AAAA\",\"rawId\":\"AAAA\","
		"\"type\":\"public-key\",\"response\":{\"clientDataJSON\":"
		"\"AAAA\",\"attestationObject\":\"AAAA\",\"authenticatorData\":"
		"\"AAAA\",\"signature\":\"AAAA\",\"transports\":\"usb\"}}}",
		"{\"credential\":1}",
		"{\"credential\":{},\"x\":1}",
		"not json",
		NULL};

	(void)state;
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&srv, &c, &cust5), 201);
	for (size_t i = 0; bad_creds[i] != NULL; i++) {
		expect(&c, "POST", "/passkeys", bad_creds[i], 400, NULL);
		gh_client_init(&anon, 0);
		/* transports belong to a registration: a login ignores
		 * them, and finds no such credential. */
		expect(&anon, "POST", "/session/passkey", bad_creds[i],
		       strstr(bad_creds[i], "transports") != NULL ? 401 : 400,
		       NULL);
		gh_client_free(&anon);
	}
	expect(&c, "POST", "/passkeys", "{}", 400, "missing_field");
	expect(&c, "POST", "/passkeys/options", "{\"x\":1}", 400,
	       "unknown_field");
	expect(&c, "PUT", "/passkeys/1", "{\"name\":\"\"}", 400, "bad_field");
	expect(&c, "PUT", "/passkeys/1", "{}", 400, "missing_field");
	expect(&c, "PUT", "/passkeys/1",
	       "{\"name\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}",
	       400, "bad_field");
	expect(&c, "PUT", "/passkeys/999999", "{\"name\":\"a\"}", 404, NULL);
	expect(&c, "DELETE", "/passkeys/999999", NULL, 404, NULL);
	expect(&c, "POST", "/passkeys",
	       "{\"name\":\"a\\u0001\",\"credential\":{}}", 400, NULL);
	gh_client_init(&anon, 0);
	expect(&anon, "POST", "/session/passkey/options", "{\"email\":5}", 400,
	       "bad_field");
	expect(&anon, "POST", "/session/passkey", "{}", 400, "missing_field");
	/* No session: the management routes are closed. */
	expect(&anon, "GET", "/passkeys", NULL, 401, NULL);
	expect(&anon, "POST", "/passkeys/options", "{}", 401, NULL);
	gh_client_free(&anon);
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM passkeys"),
			 before);
	gh_client_free(&c);
}

/* --- the staff policy ------------------------------------------------------ */

/* A password login of u on a fresh staff client: the status, and the
 * reply's passkey_enrollment_required. */
static long
staff_pw_login(struct gh_server *s, struct gh_client *c, struct gh_user *u,
	       int *enrol)
{
	char code[7], body[512];
	struct gh_resp r;
	long st;

	gh_client_init(c, 1);
	gh_totp_next(u, code);
	snprintf(body, sizeof(body),
		 "{\"email\":\"%s\",\"password\":\"%s\",\"totp\":\"%s\"}",
		 u->email, u->password, code);
	st = gh_req(s, c, "POST", "/api/v1/staff/session", body, NULL, &r);
	if (st == 201)
		snprintf(c->csrf, sizeof(c->csrf), "%s",
			 json_string_value(json_object_get(r.json,
							   "csrf_token")));
	if (enrol != NULL)
		*enrol = json_is_true(json_object_get(
			r.json, "passkey_enrollment_required"));
	if (st == 403)
		assert_string_equal(gh_error(&r), "passkey_required");
	gh_resp_free(&r);
	return st;
}

/* The enrol-only session of a member who must use a passkey: only its
 * session and the passkey enrolment are open. */
static void
assert_enrol_only(struct gh_server *s, struct gh_client *c)
{
	char method[32];
	struct gh_resp r;
	int enrol = 0;

	assert_int_equal(session_method(s, c, method, &enrol), 200);
	assert_string_equal(method, "password");
	assert_true(enrol);
	assert_int_equal(gh_req(s, c, "GET", "/api/v1/tickets", NULL, NULL, &r),
			 403);
	assert_string_equal(gh_error(&r), "passkey_enrollment_required");
	gh_resp_free(&r);
	assert_int_equal(gh_req(s, c, "GET", "/api/v1/staff/sessions", NULL,
				NULL, &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(gh_req(s, c, "GET", "/api/v1/staff/passkeys", NULL,
				NULL, &r),
			 200);
	assert_true(json_is_true(json_object_get(r.json, "required")));
	gh_resp_free(&r);
}

static void
test_supervisor_policy(void **state)
{
	struct gh_client c, l;
	struct softauth *a = new_key(WA_ES256);
	char method[32], path[96];
	struct gh_resp r;
	int enrol = 0;
	int64_t id;

	(void)state;
	assert_int_equal(staff_pw_login(&srv, &c, &super1, &enrol), 201);
	assert_true(enrol);
	assert_enrol_only(&srv, &c);
	id = register_ok(&srv, &c, a);
	/* The enrol-only session stays enrol-only. */
	assert_int_equal(gh_req(&srv, &c, "GET", "/api/v1/tickets", NULL, NULL,
				&r),
			 403);
	gh_resp_free(&r);
	/* An enrol-only session cannot delete. */
	snprintf(path, sizeof(path), "/api/v1/staff/passkeys/%lld",
		 (long long)id);
	assert_int_equal(gh_req(&srv, &c, "DELETE", path, NULL, NULL, &r), 403);
	gh_resp_free(&r);
	/* Password and code now: refused, audited; a wrong password is
	 * still the usual 401. */
	assert_int_equal(staff_pw_login(&srv, &l, &super1, NULL), 403);
	gh_client_free(&l);
	assert_true(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
				      "record LIKE '%passkey_required%'") >= 1);

	/* The passkey: a full session, as MFA. */
	assert_int_equal(pk_login(&srv, &l, 1, a, NULL, super1.email), 201);
	assert_int_equal(session_method(&srv, &l, method, &enrol), 200);
	assert_string_equal(method, "passkey");
	assert_false(enrol);
	assert_int_equal(gh_req(&srv, &l, "GET", "/api/v1/tickets", NULL, NULL,
				&r),
			 200);
	gh_resp_free(&r);
	/* It counts as MFA (the disclosure gate's staff rule reads it; a
	 * supervisor's reveal through such a session: test_reveal.c). */
	assert_int_equal(gh_db_countf(&srv,
				      "SELECT COUNT(*) FROM sessions WHERE "
				      "realm = 'staff' AND principal_id = %lld "
				      "AND method = 'passkey' AND mfa = 1",
				      (long long)super1.id),
			 1);
	/* Its last passkey cannot go. */
	assert_int_equal(gh_req(&srv, &l, "DELETE", path, NULL, NULL, &r), 409);
	assert_string_equal(gh_error(&r), "passkey_last");
	gh_resp_free(&r);
	assert_true(audit_n("passkey.delete_refused", NULL) >= 1);
	assert_int_equal(gh_db_countf(&srv,
				      "SELECT COUNT(*) FROM passkeys WHERE "
				      "id = %lld",
				      (long long)id),
			 1);
	gh_client_free(&c);
	gh_client_free(&l);
	softauth_free(a);
}

/* GET /staff/session's passkey_enrollment_required and passkey_required
 * into *enrol and *required. */
static void
session_holds(struct gh_server *s, struct gh_client *c, int *enrol,
	      int *required)
{
	struct gh_resp r;

	assert_int_equal(gh_req(s, c, "GET", "/api/v1/staff/session", NULL,
				NULL, &r),
			 200);
	*enrol = json_is_true(
		json_object_get(r.json, "passkey_enrollment_required"));
	assert_true(json_is_boolean(json_object_get(r.json, "passkey_required")));
	*required = json_is_true(json_object_get(r.json, "passkey_required"));
	gh_resp_free(&r);
}

/* Two enrol-only sessions of one admin: once A has registered a passkey,
 * B may enrol no more (403 passkey_required), only see and end itself;
 * GET /staff/session says which gate holds each session. */
static void
test_enrol_session_ends(void **state)
{
	struct gh_client a, b, l;
	struct softauth *k = new_key(WA_ES256), *k2 = new_key(WA_ES256);
	struct gh_resp r;
	int enrol = 0, required = 0;
	char ch[64], origin[64];

	(void)state;
	assert_int_equal(staff_pw_login(&srv, &a, &admin1, &enrol), 201);
	assert_true(enrol);
	assert_int_equal(staff_pw_login(&srv, &b, &admin1, &enrol), 201);
	assert_true(enrol);
	reg_options(&srv, &b, ch); /* B's open challenge, drawn before */
	session_holds(&srv, &b, &enrol, &required);
	assert_true(enrol);
	assert_false(required);
	register_ok(&srv, &a, k);

	session_holds(&srv, &b, &enrol, &required);
	assert_false(enrol);
	assert_true(required);
	assert_int_equal(post_path(&srv, &b, "/passkeys/options", json_object(),
				   &r),
			 403);
	assert_string_equal(gh_error(&r), "passkey_required");
	gh_resp_free(&r);
	origin_of(&srv, &b, origin, sizeof(origin));
	assert_int_equal(reg_send(&srv, &b,
				  softauth_register_json(k2, ch, "localhost",
							 origin, NULL),
				  NULL, &r),
			 403);
	assert_string_equal(gh_error(&r), "passkey_required");
	gh_resp_free(&r);
	assert_int_equal(gh_req(&srv, &b, "GET", "/api/v1/staff/passkeys", NULL,
				NULL, &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&srv,
				      "SELECT COUNT(*) FROM passkeys WHERE "
				      "realm = 'staff' AND principal_id = %lld",
				      (long long)admin1.id),
			 1);
	assert_int_equal(gh_req(&srv, &b, "DELETE", "/api/v1/staff/session",
				NULL, NULL, &r),
			 200);
	gh_resp_free(&r);

	/* The passkey's session is held by neither gate. */
	assert_int_equal(pk_login(&srv, &l, 1, k, NULL, NULL), 201);
	session_holds(&srv, &l, &enrol, &required);
	assert_false(enrol);
	assert_false(required);
	gh_client_free(&a);
	gh_client_free(&b);
	gh_client_free(&l);
	softauth_free(k);
	softauth_free(k2);
}

/* The passkey's "flagged" in the list of the staff member of session c
 * (-1: not listed). */
static int
listed_flagged(struct gh_client *c, int64_t id)
{
	struct gh_resp r;
	json_t *v;
	size_t i;
	int out = -1;

	assert_int_equal(gh_req(&srv, c, "GET", "/api/v1/staff/passkeys", NULL,
				NULL, &r),
			 200);
	json_array_foreach(json_object_get(r.json, "passkeys"), i, v)
	{
		json_t *f = json_object_get(v, "flagged");

		assert_true(json_is_boolean(f));
		if (json_integer_value(json_object_get(v, "id")) == id)
			out = json_is_true(f);
	}
	gh_resp_free(&r);
	return out;
}

/* A passkey whose counter went back (flagged) logs nobody in, so it does
 * not count: with {good, flagged} the good one is the last (409
 * passkey_last) and the flagged one may go; a supervisor whose only
 * passkey is flagged gets the enrol-only session again, not a 403. */
static void
test_flagged_passkeys(void **state)
{
	struct gh_user u;
	struct gh_client c, l, x;
	struct softauth *bad = new_key(WA_ES256), *good = new_key(WA_ES256),
			*fresh = new_key(WA_ES256);
	struct softauth_opts back = {.set_counter = 1, .counter = 1};
	struct gh_resp r;
	int64_t id_bad, id_good;
	int enrol = 0, required = 0;
	char path[96];

	(void)state;
	gh_add_staff(&srv, "pk-flag@example.org", "supervisor", &u);
	assert_int_equal(staff_pw_login(&srv, &c, &u, &enrol), 201);
	assert_true(enrol);
	id_bad = register_ok(&srv, &c, bad);
	gh_client_free(&c);
	assert_int_equal(pk_login(&srv, &l, 1, bad, NULL, NULL), 201);
	id_good = register_ok(&srv, &l, good);
	assert_int_equal(pk_login(&srv, &x, 1, bad, &back, NULL), 401);
	gh_client_free(&x);
	assert_int_equal(listed_flagged(&l, id_bad), 1);
	assert_int_equal(listed_flagged(&l, id_good), 0);

	snprintf(path, sizeof(path), "/api/v1/staff/passkeys/%lld",
		 (long long)id_good);
	assert_int_equal(gh_req(&srv, &l, "DELETE", path, NULL, NULL, &r), 409);
	assert_string_equal(gh_error(&r), "passkey_last");
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/staff/passkeys/%lld",
		 (long long)id_bad);
	assert_int_equal(gh_req(&srv, &l, "DELETE", path, NULL, NULL, &r), 200);
	gh_resp_free(&r);

	/* The good one flagged too: password and code enrol again. */
	assert_int_equal(pk_login(&srv, &x, 1, good, NULL, NULL), 201);
	gh_client_free(&x);
	assert_int_equal(pk_login(&srv, &x, 1, good, &back, NULL), 401);
	gh_client_free(&x);
	assert_int_equal(staff_pw_login(&srv, &c, &u, &enrol), 201);
	assert_true(enrol);
	session_holds(&srv, &c, &enrol, &required);
	assert_true(enrol);
	assert_false(required);
	assert_int_equal(listed_flagged(&c, id_good), 1);
	register_ok(&srv, &c, fresh);
	assert_int_equal(staff_pw_login(&srv, &x, &u, NULL), 403);
	gh_client_free(&x);
	gh_client_free(&c);
	gh_client_free(&l);
	softauth_free(bad);
	softauth_free(good);
	softauth_free(fresh);
}

/* An agent under the default policy logs in with password and code. */
static void
test_agent_allowed(void **state)
{
	struct gh_client c;
	struct softauth *a = new_key(WA_ES256);
	struct softauth_opts o;
	struct gh_resp r;
	int enrol = 1;

	(void)state;
	assert_int_equal(staff_pw_login(&srv, &c, &agent1, &enrol), 201);
	assert_false(enrol);
	register_ok(&srv, &c, a);
	assert_int_equal(gh_req(&srv, &c, "GET", "/api/v1/staff/passkeys", NULL,
				NULL, &r),
			 200);
	assert_true(json_is_false(json_object_get(r.json, "required")));
	gh_resp_free(&r);
	gh_client_free(&c);
	/* A login with UP cleared, or for another rp id: refused (on this
	 * account: the customer's refusals used up its free failures). */
	o = (struct softauth_opts){.clear_up = 1};
	assert_int_equal(pk_login(&srv, &c, 1, a, &o, NULL), 401);
	gh_client_free(&c);
	o = (struct softauth_opts){.rp_id = "example.com"};
	assert_int_equal(pk_login(&srv, &c, 1, a, &o, NULL), 401);
	gh_client_free(&c);
	assert_int_equal(pk_login(&srv, &c, 1, a, NULL, agent1.email), 201);
	gh_client_free(&c);
	softauth_free(a);
}

/* No audit record and no log line holds a challenge or a session token. */
static void
test_no_secrets_logged(void **state)
{
	struct gh_client c;
	char ch[64], token[128];
	int64_t n;

	(void)state;
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&srv, &c, &cust2), 201);
	reg_options(&srv, &c, ch);
	assert_int_equal(gh_cookie_token(&c, token, sizeof(token)), 0);
	assert_false(gh_log_contains(&srv, ch));
	assert_false(gh_log_contains(&srv, token));
	n = gh_db_countf(&srv,
			 "SELECT COUNT(*) FROM audit WHERE record LIKE '%%%s%%'"
			 " OR record LIKE '%%%s%%'",
			 ch, token);
	assert_int_equal(n, 0);
	assert_int_equal(gh_db_countf(&srv,
				      "SELECT COUNT(*) FROM passkey_challenges"
				      " WHERE challenge_hash = '%s'",
				      ch),
			 0);
	gh_client_free(&c);
}

/* --- configuration ---------------------------------------------------------- */

static void
test_staff_required_config(void **state)
{
	struct gh_server s2;
	struct gh_user ag, ad;
	struct gh_client c;
	int enrol = 0;

	(void)state;
	gh_start(&s2, "\n[auth]\nstaff_passkeys = required\n");
	gh_add_staff(&s2, "pk-agent2@example.org", "agent", &ag);
	gh_add_staff(&s2, "pk-admin2@example.org", "admin", &ad);
	assert_int_equal(staff_pw_login(&s2, &c, &ag, &enrol), 201);
	assert_true(enrol);
	assert_enrol_only(&s2, &c);
	gh_client_free(&c);
	assert_int_equal(staff_pw_login(&s2, &c, &ad, &enrol), 201);
	assert_true(enrol);
	gh_client_free(&c);
	assert_int_equal(gh_stop(&s2), 0);
}

/* The policy tightened while password sessions are open: an agent with
 * no passkey may only enrol one, an agent with one must log in with it
 * (only GET and DELETE of the session stay open). */
static void
test_policy_tightened(void **state)
{
	struct gh_server s3;
	struct gh_user a1, a2;
	struct gh_client c1, c2;
	struct softauth *k = new_key(WA_ES256);
	struct gh_resp r;
	char method[32];
	int enrol = 0;

	(void)state;
	gh_start(&s3, NULL);
	gh_add_staff(&s3, "pk-t1@example.org", "agent", &a1);
	gh_add_staff(&s3, "pk-t2@example.org", "agent", &a2);
	assert_int_equal(staff_pw_login(&s3, &c1, &a1, &enrol), 201);
	assert_false(enrol);
	assert_int_equal(staff_pw_login(&s3, &c2, &a2, &enrol), 201);
	register_ok(&s3, &c2, k);
	gh_restart(&s3, "\n[auth]\nstaff_passkeys = required\n");
	assert_int_equal(gh_req(&s3, &c1, "GET", "/api/v1/tickets", NULL, NULL,
				&r),
			 403);
	assert_string_equal(gh_error(&r), "passkey_enrollment_required");
	gh_resp_free(&r);
	assert_int_equal(session_method(&s3, &c1, method, &enrol), 200);
	assert_true(enrol);
	assert_int_equal(gh_req(&s3, &c2, "GET", "/api/v1/tickets", NULL, NULL,
				&r),
			 403);
	assert_string_equal(gh_error(&r), "passkey_required");
	gh_resp_free(&r);
	assert_int_equal(gh_req(&s3, &c2, "GET", "/api/v1/staff/passkeys", NULL,
				NULL, &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(session_method(&s3, &c2, method, &enrol), 200);
	assert_false(enrol);
	gh_client_free(&c1);
	gh_client_free(&c2);
	assert_int_equal(pk_login(&s3, &c2, 1, k, NULL, NULL), 201);
	assert_int_equal(gh_req(&s3, &c2, "GET", "/api/v1/tickets", NULL, NULL,
				&r),
			 200);
	gh_resp_free(&r);
	gh_client_free(&c2);
	softauth_free(k);
	assert_int_equal(gh_stop(&s3), 0);
}

/* Refused passkey logins count in the login throttle: on the account's
 * key, which the password login shares (it is then refused before any
 * check), and on the address's. An EdDSA passkey logs in. */
static void
test_throttle_shared(void **state)
{
	struct gh_server s4;
	struct gh_user u, v;
	struct gh_client c, l;
	struct softauth *k = new_key(WA_EDDSA);
	struct softauth_opts o = {.bad_signature = 1};
	char body[512];
	struct gh_resp r;

	(void)state;
	gh_start(&s4, "\n[security]\nlogin_free_failures = 1\n"
		      "login_delay_base_seconds = 60\n"
		      "login_ip_free_failures = 3\n");
	gh_add_customer(&s4, "pk-thr@example.org", &u);
	gh_add_customer(&s4, "pk-thr2@example.org", &v);
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&s4, &c, &u), 201);
	register_ok(&s4, &c, k);
	assert_int_equal(pk_login(&s4, &l, 0, k, NULL, NULL), 201);
	gh_client_free(&l);
	assert_int_equal(pk_login(&s4, &l, 0, k, &o, NULL), 401);
	gh_client_free(&l);
	/* The account is now held: a password attempt too. */
	gh_client_init(&l, 0);
	snprintf(body, sizeof(body),
		 "{\"email\":\"%s\",\"password\":\"%s\",\"totp\":"
		 "\"000000\"}",
		 u.email, u.password);
	assert_int_equal(gh_req(&s4, &l, "POST", "/api/v1/portal/session",
				body, NULL, &r),
			 429);
	gh_resp_free(&r);
	gh_client_free(&l);
	assert_int_equal(pk_login(&s4, &l, 0, k, NULL, NULL), 429);
	gh_client_free(&l);
	/* The address: three failures, then even the options wait. */
	assert_int_equal(pk_login(&s4, &l, 0, k, NULL, NULL), 429);
	gh_client_free(&l);
	gh_client_init(&l, 0);
	assert_int_equal(gh_req(&s4, &l, "POST",
				"/api/v1/portal/session/passkey/options", "{}",
				NULL, &r),
			 429);
	assert_non_null(json_object_get(r.json, "retry_after"));
	gh_resp_free(&r);
	gh_client_free(&l);
	gh_client_free(&c);
	softauth_free(k);
	(void)v;
	assert_int_equal(gh_stop(&s4), 0);
}

/* A malformed credential (the parser's 400) is audited as a refusal,
 * reason "malformed" with the field, and a login's counts in the
 * address's throttle like a wrong one. */
static void
test_malformed_audited(void **state)
{
	static const char bad[] =
		"{\"credential\":{\"id\":\"AAAA\",\"rawId\":\"AAAA\","
		"\"type\":\"other\",\"response\":{}}}";
	struct gh_server s5;
	struct gh_user u;
	struct gh_client c, l;
	struct gh_resp r;
	long st = 0;
	int n = 0;

	(void)state;
	gh_start(&s5, "\n[security]\nlogin_delay_base_seconds = 60\n"
		      "login_ip_free_failures = 3\n");
	gh_add_customer(&s5, "pk-mal@example.org", &u);
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&s5, &c, &u), 201);
	assert_int_equal(gh_req(&s5, &c, "POST", "/api/v1/portal/passkeys", bad,
				NULL, &r),
			 400);
	assert_string_equal(gh_error(&r), "bad_field");
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&s5, "SELECT COUNT(*) FROM audit WHERE "
				      "record LIKE '%passkey.register_refused%' "
				      "AND record LIKE '%\"malformed\"%' AND "
				      "record LIKE '%credential.type%'"),
			 1);

	gh_client_init(&l, 0);
	while (n < 8 && (st = gh_req(&s5, &l, "POST",
				     "/api/v1/portal/session/passkey", bad,
				     NULL, &r)) == 400) {
		assert_string_equal(gh_error(&r), "bad_field");
		gh_resp_free(&r);
		n++;
	}
	assert_int_equal(st, 429);
	gh_resp_free(&r);
	assert_true(n >= 3 && n < 8);
	assert_int_equal(gh_req(&s5, &l, "POST",
				"/api/v1/portal/session/passkey/options", "{}",
				NULL, &r),
			 429);
	gh_resp_free(&r);
	assert_int_equal(gh_db_countf(&s5,
				      "SELECT COUNT(*) FROM audit WHERE "
				      "record LIKE '%%passkey.login_refused%%' "
				      "AND record LIKE '%%\"malformed\"%%' AND "
				      "record LIKE '%%credential.type%%'"),
			 n);
	gh_client_free(&l);
	gh_client_free(&c);
	assert_int_equal(gh_stop(&s5), 0);
}

/* An unknown value, or an rp id no origin has, stops start-up. */
static void
test_bad_config(void **state)
{
	static const char *const confs[] = {
		"\n[auth]\nstaff_passkeys = optional\n",
		"\n[auth]\npasskey_attestation = none,android-key\n",
		"\n[auth]\nstaff_rp_id = example.org\n",
		"\n[auth]\nportal_rp_id = 127.0.0.1\n",
		NULL};
	const char *args[] = {"serve", "--check", NULL};
	char path[400];

	(void)state;
	for (size_t i = 0; confs[i] != NULL; i++) {
		FILE *f;
		char *out = NULL;

		snprintf(path, sizeof(path), "%s/gatehouse.conf", srv.dir);
		f = fopen(path, "a");
		assert_non_null(f);
		fputs(confs[i], f);
		fclose(f);
		assert_int_not_equal(gh_cli(&srv, NULL, &out, args), 0);
		free(out);
		/* Take the line back off. */
		f = fopen(path, "r+");
		assert_non_null(f);
		fseek(f, 0, SEEK_END);
		assert_int_equal(ftruncate(fileno(f),
					   ftell(f) - (long)strlen(confs[i])),
				 0);
		fclose(f);
	}
	assert_int_equal(gh_cli(&srv, NULL, NULL, args), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_customer_register_manage),
		cmocka_unit_test(test_register_refusals),
		cmocka_unit_test(test_customer_login),
		cmocka_unit_test(test_login_options_unknown),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_supervisor_policy),
		cmocka_unit_test(test_enrol_session_ends),
		cmocka_unit_test(test_flagged_passkeys),
		cmocka_unit_test(test_agent_allowed),
		cmocka_unit_test(test_no_secrets_logged),
		cmocka_unit_test(test_staff_required_config),
		cmocka_unit_test(test_policy_tightened),
		cmocka_unit_test(test_throttle_shared),
		cmocka_unit_test(test_malformed_audited),
		cmocka_unit_test(test_bad_config),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
