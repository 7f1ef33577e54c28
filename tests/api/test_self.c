/*
 * Customer self-service (issue 15, part SELF) against a real `gatehouse
 * serve`: the password change (current password and a second factor,
 * each refusal changing nothing, other sessions ended, a notice queued),
 * recovery codes (ten, shown once, single use; a login with one opens an
 * enrolment-only session, queues a notice and leads to a new
 * authenticator), "forgot password" (one answer whatever the address,
 * throttled) and the reset from its link (impossible without the second
 * factor, single use, expiring), ending every other session, sign-up off
 * by default, and a customer solving their own ticket and reopening it
 * by replying.
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

#define NEW_PW "heron Quartz lantern 4417"

static struct gh_server srv;
static struct gh_user chg, chg_rc, rcv, rst, rst2, solver, other, ends;

static int
setup(void **state)
{
	(void)state;
	gh_start(&srv, NULL);
	gh_add_customer(&srv, "self-chg@example.org", &chg);
	gh_add_customer(&srv, "self-chg-rc@example.org", &chg_rc);
	gh_add_customer(&srv, "self-rcv@example.org", &rcv);
	gh_add_customer(&srv, "self-rst@example.org", &rst);
	gh_add_customer(&srv, "self-rst2@example.org", &rst2);
	gh_add_customer(&srv, "self-solve@example.org", &solver);
	gh_add_customer(&srv, "self-other@example.org", &other);
	gh_add_customer(&srv, "self-ends@example.org", &ends);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(gh_stop(&srv), 0);
	return 0;
}

static void
portal_login(struct gh_client *c, struct gh_user *u)
{
	gh_client_init(c, 0);
	assert_int_equal(gh_login(&srv, c, u), 201);
}

static long
whoami(struct gh_client *c)
{
	struct gh_resp r;
	long st = gh_req(&srv, c, "GET", "/api/v1/portal/session", NULL, NULL,
			 &r);

	gh_resp_free(&r);
	return st;
}

/* POST path with obj (stolen); the status, r filled. */
static long
post(struct gh_client *c, const char *path, json_t *obj, struct gh_resp *r)
{
	return gh_send_json(&srv, c, "POST", path, obj, r);
}

/* post that checks the status and the error code (NULL: none). */
static void
expect(struct gh_client *c, const char *path, json_t *obj, long status,
       const char *error, const char *field)
{
	struct gh_resp r;

	assert_int_equal(post(c, path, obj, &r), status);
	if (error != NULL)
		assert_string_equal(gh_error(&r), error);
	if (field != NULL)
		assert_string_equal(json_string_value(json_object_get(r.json,
								      "field")),
				    field);
	gh_resp_free(&r);
}

/* A fresh login with the password pw and a new code: the status. */
static long
login_with(struct gh_user *u, const char *pw)
{
	struct gh_client c;
	char code[7], body[512];
	struct gh_resp r;
	long st;

	gh_client_init(&c, 0);
	gh_totp_next(u, code);
	snprintf(body, sizeof(body),
		 "{\"email\":\"%s\",\"password\":\"%s\",\"totp\":\"%s\"}",
		 u->email, pw, code);
	st = gh_req(&srv, &c, "POST", "/api/v1/portal/session", body, NULL,
		    &r);
	if (st != 201)
		u->last_step--; /* a refused login used no step */
	gh_resp_free(&r);
	gh_client_free(&c);
	return st;
}

static int64_t
outbox(const char *kind)
{
	return gh_db_countf(&srv, "SELECT COUNT(*) FROM outbox WHERE kind = '%s'",
			    kind);
}

/* ASVS 7.5.1 6.3.1: each missing or wrong part of a password change
 * (full re-authentication: password and second factor) is refused, names
 * its field and changes nothing. */
static void
test_change_refusals(void **state)
{
	const char *path = "/api/v1/portal/password";
	struct gh_client c;
	char code[7];

	(void)state;
	portal_login(&c, &chg);
	/* No second factor: 400 before any work. */
	expect(&c, path, json_pack("{s:s, s:s}", "current", chg.password, "new",
				   NEW_PW),
	       400, "second_factor_required", "totp");
	/* Both factors at once. */
	expect(&c, path, json_pack("{s:s, s:s, s:s, s:s}", "current",
				   chg.password, "totp", "123456",
				   "recovery_code", "ABCDE-FGHJK", "new", NEW_PW),
	       400, "bad_field", "recovery_code");
	/* No new password, an unknown field. */
	expect(&c, path, json_pack("{s:s, s:s}", "current", chg.password,
				   "totp", "123456"),
	       400, "missing_field", "new");
	expect(&c, path, json_pack("{s:s, s:s, s:s, s:s}", "current",
				   chg.password, "totp", "123456", "new",
				   NEW_PW, "x", "y"),
	       400, NULL, NULL);
	/* A wrong current password with the right code. */
	gh_totp_next(&chg, code);
	expect(&c, path, json_pack("{s:s, s:s, s:s}", "current",
				   "not the password 1", "totp", code, "new",
				   NEW_PW),
	       403, "forbidden", "current");
	/* The right password with a wrong code. */
	expect(&c, path, json_pack("{s:s, s:s, s:s}", "current", chg.password,
				   "totp", "000000", "new", NEW_PW),
	       422, "bad_code", "totp");
	/* A wrong recovery code. */
	expect(&c, path, json_pack("{s:s, s:s, s:s}", "current", chg.password,
				   "recovery_code", "ABCDE-FGHJK", "new",
				   NEW_PW),
	       422, "bad_code", "recovery_code");
	/* The policy and reuse, with right factors (the code is not used
	 * up by a refusal). */
	expect(&c, path, json_pack("{s:s, s:s, s:s}", "current", chg.password,
				   "totp", code, "new", "password"),
	       422, "weak_password", "new");
	expect(&c, path, json_pack("{s:s, s:s, s:s}", "current", chg.password,
				   "totp", code, "new", chg.password),
	       422, "password_reused", "new");
	chg.last_step--;
	/* Nothing changed: the old password still logs in; every refusal
	 * after the parse is audited. */
	assert_int_equal(login_with(&chg, chg.password), 201);
	assert_int_equal(gh_audit_count(&srv, "portal.password.changed",
					"success"),
			 0);
	assert_true(gh_audit_count(&srv, "portal.password.changed",
				   "failure") >= 5);
	assert_int_equal(outbox("password_changed"), 0);
	gh_client_free(&c);
}

/* ASVS 6.3.7 7.5.2 6.5.1: the change with the authenticator's code:
 * other sessions end, this one stays, the code cannot be replayed, the
 * new password works and the old one not, a notice is queued. */
static void
test_change(void **state)
{
	struct gh_client c, c2;
	struct gh_resp r;
	char code[7];

	(void)state;
	portal_login(&c, &chg);
	portal_login(&c2, &chg);
	gh_totp_next(&chg, code);
	assert_int_equal(post(&c, "/api/v1/portal/password",
			      json_pack("{s:s, s:s, s:s}", "current",
					chg.password, "totp", code, "new",
					NEW_PW),
			      &r),
			 200);
	assert_true(json_integer_value(json_object_get(r.json,
						       "sessions_ended")) >= 1);
	gh_resp_free(&r);
	/* The same code again is a replay. */
	expect(&c, "/api/v1/portal/password",
	       json_pack("{s:s, s:s, s:s}", "current", NEW_PW, "totp", code,
			 "new", "another Heron quartz 99"),
	       422, "bad_code", "totp");
	assert_int_equal(whoami(&c), 200);
	assert_int_equal(whoami(&c2), 401);
	assert_int_equal(login_with(&chg, chg.password), 401);
	assert_int_equal(login_with(&chg, NEW_PW), 201);
	assert_int_equal(gh_audit_count(&srv, "portal.password.changed",
					"success"),
			 1);
	assert_int_equal(outbox("password_changed"), 1);
	snprintf(chg.password, sizeof(chg.password), "%s", NEW_PW);
	gh_client_free(&c);
	gh_client_free(&c2);
}

/* Ten new codes for u (password and code); *r holds them. */
static json_t *
new_codes(struct gh_client *c, struct gh_user *u, struct gh_resp *r)
{
	char code[7];
	json_t *codes;

	gh_totp_next(u, code);
	assert_int_equal(post(c, "/api/v1/portal/recovery-codes",
			      json_pack("{s:s, s:s}", "password", u->password,
					"totp", code),
			      r),
			 200);
	codes = json_object_get(r->json, "recovery_codes");
	assert_int_equal(json_array_size(codes), 10);
	return codes;
}

/* A password change with a recovery code instead of the code. */
static void
test_change_with_recovery_code(void **state)
{
	struct gh_client c;
	struct gh_resp r;
	char rc1[16];

	(void)state;
	portal_login(&c, &chg_rc);
	snprintf(rc1, sizeof(rc1), "%s",
		 json_string_value(json_array_get(new_codes(&c, &chg_rc, &r),
						  0)));
	gh_resp_free(&r);
	expect(&c, "/api/v1/portal/password",
	       json_pack("{s:s, s:s, s:s}", "current", chg_rc.password,
			 "recovery_code", rc1, "new", NEW_PW),
	       200, NULL, NULL);
	/* Used once: the same code again is refused. */
	expect(&c, "/api/v1/portal/password",
	       json_pack("{s:s, s:s, s:s}", "current", NEW_PW,
			 "recovery_code", rc1, "new", "another Heron quartz 99"),
	       422, "bad_code", "recovery_code");
	snprintf(chg_rc.password, sizeof(chg_rc.password), "%s", NEW_PW);
	gh_client_free(&c);
}

/* Shape: ten distinct codes "XXXXX-XXXXX" of the unambiguous alphabet;
 * stored hashed; making them needs password and code. */
static void
check_code_shapes(json_t *codes)
{
	for (size_t i = 0; i < json_array_size(codes); i++) {
		const char *s = json_string_value(json_array_get(codes, i));

		assert_int_equal(strlen(s), 11);
		assert_int_equal(s[5], '-');
		for (size_t k = 0; k < 11; k++)
			if (k != 5)
				assert_non_null(strchr(
					"23456789ABCDEFGHJKMNPQRSTUVWXYZ", s[k]));
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(
				s, json_string_value(json_array_get(codes, j)));
		assert_int_equal(gh_db_countf(&srv,
					      "SELECT COUNT(*) FROM recovery_codes "
					      "WHERE hash LIKE '%%%.5s%%' OR "
					      "salt LIKE '%%%.5s%%'",
					      s, s),
				 0);
	}
}

/* Login with password and recovery code u->... : the reply. */
static long
login_recovery(struct gh_client *c, struct gh_user *u, const char *code,
	       struct gh_resp *r)
{
	char body[512];

	snprintf(body, sizeof(body),
		 "{\"email\":\"%s\",\"password\":\"%s\",\"recovery_code\":\"%s\"}",
		 u->email, u->password, code);
	c->csrf[0] = '\0';
	return gh_req(&srv, c, "POST", "/api/v1/portal/session", body, NULL,
		      r);
}

static void
decode_b32(const char *b32, unsigned char *out)
{
	int bits = 0, acc = 0;
	size_t n = 0;

	for (const char *p = b32; *p && n < 20; p++) {
		acc = ((acc << 5) |
		       (*p >= 'A' && *p <= 'Z' ? *p - 'A' : *p - '2' + 26)) &
		      0xffff;
		bits += 5;
		if (bits >= 8) {
			out[n++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
	}
}

/* The recovery session sets up a new authenticator; its confirmation
 * gives ten new codes and a full session. */
static void
reenrol(struct gh_client *c, struct gh_user *u)
{
	struct gh_resp r;
	char code[7], body[64];

	assert_int_equal(gh_req(&srv, c, "POST", "/api/v1/portal/enrollment",
				NULL, NULL, &r),
			 201);
	decode_b32(json_string_value(json_object_get(r.json, "secret")),
		   u->secret);
	gh_resp_free(&r);
	u->last_step = 0;
	gh_totp_next(u, code);
	snprintf(body, sizeof(body), "{\"totp\":\"%s\"}", code);
	assert_int_equal(gh_req(&srv, c, "POST",
				"/api/v1/portal/enrollment/confirm", body, NULL,
				&r),
			 200);
	assert_int_equal(json_array_size(json_object_get(r.json,
							 "recovery_codes")),
			 10);
	snprintf(c->csrf, sizeof(c->csrf), "%s",
		 json_string_value(json_object_get(r.json, "csrf_token")));
	gh_resp_free(&r);
	assert_int_equal(gh_req(&srv, c, "GET", "/api/v1/portal/tickets", NULL,
				NULL, &r),
			 200);
	gh_resp_free(&r);
}

/* ASVS 6.5.1 6.3.7 16.3.1: recovery codes are single use; a login with
 * one opens an enrolment-only session, queues a notice and is audited. */
static void
test_recovery_login(void **state)
{
	struct gh_client c, c2;
	struct gh_resp r, rl;
	unsigned char old_secret[20];
	char code1[16];
	int64_t notices = outbox("recovery_code_used");

	(void)state;
	portal_login(&c, &rcv);
	expect(&c, "/api/v1/portal/recovery-codes",
	       json_pack("{s:s}", "password", rcv.password), 400,
	       "second_factor_required", "totp");
	expect(&c, "/api/v1/portal/recovery-codes",
	       json_pack("{s:s, s:s}", "password", "not the password 1",
			 "totp", "123456"),
	       403, "forbidden", "password");
	check_code_shapes(new_codes(&c, &rcv, &r));
	snprintf(code1, sizeof(code1), "%s",
		 json_string_value(json_array_get(json_object_get(r.json,
							  "recovery_codes"),
						  3)));
	gh_resp_free(&r);
	assert_int_equal(gh_req(&srv, &c, "GET", "/api/v1/portal/recovery-codes",
				NULL, NULL, &r),
			 200);
	assert_int_equal(json_integer_value(json_object_get(r.json, "remaining")),
			 10);
	gh_resp_free(&r);
	gh_client_init(&c2, 0);
	/* A code typed in lower case with spaces is the same code. */
	{
		char typed[24];

		snprintf(typed, sizeof(typed), " %.5s %s", code1, code1 + 6);
		for (char *p = typed; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		assert_int_equal(login_recovery(&c2, &rcv, typed, &rl), 201);
	}
	assert_true(json_is_true(json_object_get(rl.json, "enrollment_required")));
	snprintf(c2.csrf, sizeof(c2.csrf), "%s",
		 json_string_value(json_object_get(rl.json, "csrf_token")));
	gh_resp_free(&rl);
	assert_int_equal(outbox("recovery_code_used"), notices + 1);
	assert_int_equal(gh_audit_count(&srv, "auth.recovery_code_used",
					"success"),
			 1);
	/* Enrolment only. */
	assert_int_equal(gh_req(&srv, &c2, "GET", "/api/v1/portal/tickets",
				NULL, NULL, &r),
			 403);
	gh_resp_free(&r);
	/* Single use: the same code again fails like a wrong one. */
	{
		struct gh_client c3;

		gh_client_init(&c3, 0);
		assert_int_equal(login_recovery(&c3, &rcv, code1, &r), 401);
		gh_resp_free(&r);
		assert_int_equal(login_recovery(&c3, &rcv, "zzzzz", &r), 401);
		gh_resp_free(&r);
		gh_client_free(&c3);
	}
	assert_int_equal(gh_db_countf(&srv,
				      "SELECT COUNT(*) FROM recovery_codes "
				      "WHERE used_at IS NULL AND customer_id = %lld",
				      (long long)rcv.id),
			 9);
	/* Setting up a new authenticator replaces the old one:
	 * from then on only the new one works. */
	memcpy(old_secret, rcv.secret, sizeof(old_secret));
	reenrol(&c2, &rcv);
	{
		struct gh_user old = rcv;

		memcpy(old.secret, old_secret, sizeof(old_secret));
		old.last_step = 0;
		assert_int_equal(login_with(&old, rcv.password), 401);
	}
	assert_int_equal(login_with(&rcv, rcv.password), 201);
	/* A plain session cannot start a new enrolment. */
	assert_int_equal(gh_req(&srv, &c, "POST", "/api/v1/portal/enrollment",
				NULL, NULL, &r),
			 409);
	gh_resp_free(&r);
	gh_client_free(&c);
	gh_client_free(&c2);
}

/* The token of the newest reset link mailed to u; the mail shows phrase
 * (unless NULL) as a genuine one does, and the contact policy's page. */
static void
take_link(struct gh_user *u, const char *phrase, char *token, size_t tsz)
{
	char *text = NULL;
	const char *p;

	assert_int_equal(gh_take_mail(&srv, u->email, "#/reset/", 10, &text),
			 0);
	p = strstr(text, "#/reset/") + strlen("#/reset/");
	snprintf(token, tsz, "%.*s", (int)strcspn(p, "\r\n \t"), p);
	assert_int_equal(strlen(token), 43);
	/* The mail is content-free otherwise: it names no password. */
	assert_null(strstr(text, u->password));
	if (phrase != NULL)
		assert_non_null(strstr(text, phrase));
	assert_non_null(strstr(text, "#/contact"));
	free(text);
}

static void
forgot(struct gh_client *c, const char *email, char **body)
{
	struct gh_resp r;

	assert_int_equal(post(c, "/api/v1/portal/password/forgot",
			      json_pack("{s:s}", "email", email), &r),
			 202);
	*body = strdup(r.body);
	gh_resp_free(&r);
}

/* ASVS 6.3.8 6.4.3 6.5.1: "forgot" answers alike for an unknown address;
 * the link alone resets nothing (a reset does not bypass MFA), its mail
 * shows the anti-phishing phrase, it ends every session, and its link
 * works once. */
static void
test_reset(void **state)
{
	const char *path = "/api/v1/portal/password/reset";
	struct gh_client anon, c;
	struct gh_resp r;
	char token[64], code[7];
	char *known = NULL, *unknown = NULL;

	(void)state;
	gh_client_init(&anon, 0);
	portal_login(&c, &rst);
	/* The reset mail is a genuine mail: it shows the phrase. */
	assert_int_equal(gh_send_json(&srv, &c, "PUT", "/api/v1/portal/phrase",
				      json_pack("{s:s}", "phrase",
						"purple walrus"),
				      &r),
			 200);
	gh_resp_free(&r);
	forgot(&anon, rst.email, &known);
	forgot(&anon, "nobody-here@example.org", &unknown);
	assert_string_equal(known, unknown);
	free(known);
	free(unknown);
	expect(&anon, "/api/v1/portal/password/forgot",
	       json_pack("{s:s}", "email", "not an address"), 400, "bad_field",
	       "email");
	assert_int_equal(gh_audit_count(&srv, "portal.password.forgot", NULL),
			 2);
	take_link(&rst, "purple walrus", token, sizeof(token));
	/* The token alone: refused, nothing used. */
	expect(&anon, path, json_pack("{s:s, s:s}", "token", token, "new",
				      NEW_PW),
	       400, "second_factor_required", "totp");
	expect(&anon, path, json_pack("{s:s, s:s, s:s}", "token", token, "totp",
				      "000000", "new", NEW_PW),
	       422, "bad_code", "totp");
	gh_totp_next(&rst, code);
	expect(&anon, path, json_pack("{s:s, s:s, s:s}", "token",
				      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
				      "totp", code, "new", NEW_PW),
	       400, "link_invalid", "token");
	assert_int_equal(gh_audit_count(&srv, "portal.password.reset",
					"success"),
			 0);
	assert_int_equal(whoami(&c), 200);
	expect(&anon, path, json_pack("{s:s, s:s, s:s}", "token", token, "totp",
				      code, "new", NEW_PW),
	       200, NULL, NULL);
	assert_int_equal(whoami(&c), 401);
	/* Single use. */
	gh_totp_next(&rst, code);
	expect(&anon, path, json_pack("{s:s, s:s, s:s}", "token", token, "totp",
				      code, "new", "another Heron quartz 99"),
	       400, "link_invalid", "token");
	rst.last_step--;
	assert_int_equal(login_with(&rst, rst.password), 401);
	assert_int_equal(login_with(&rst, NEW_PW), 201);
	assert_int_equal(outbox("password_reset"), 1);
	gh_client_free(&anon);
	gh_client_free(&c);
}

/* ASVS 6.3.1 6.3.8: a link past its time is refused; links to one
 * address are capped per hour without the answer changing. */
static void
test_reset_expiry_and_cap(void **state)
{
	struct gh_client anon;
	char token[64], code[7];
	char *body = NULL;
	int64_t links;

	(void)state;
	gh_client_init(&anon, 0);
	forgot(&anon, rst2.email, &body);
	free(body);
	take_link(&rst2, NULL, token, sizeof(token));
	gh_db_exec(&srv, "UPDATE portal_tokens SET expires_at = 1 "
			 "WHERE used_at IS NULL");
	gh_totp_next(&rst2, code);
	expect(&anon, "/api/v1/portal/password/reset",
	       json_pack("{s:s, s:s, s:s}", "token", token, "totp", code, "new",
			 NEW_PW),
	       400, "link_invalid", "token");
	rst2.last_step--;
	for (int i = 0; i < 4; i++) {
		forgot(&anon, rst2.email, &body);
		free(body);
	}
	links = gh_db_countf(&srv, "SELECT COUNT(*) FROM portal_tokens WHERE "
				   "customer_id = %lld",
			     (long long)rst2.id);
	assert_int_equal(links, 3); /* [portal] reset_mails_per_hour */
	assert_true(gh_audit_count(&srv, "portal.password.forgot", "denied") >=
		    2);
	assert_int_equal(login_with(&rst2, rst2.password), 201);
	gh_client_free(&anon);
}

/* Ending every other session; the caller's stays. */
static void
test_end_others(void **state)
{
	struct gh_client a, b, c;
	struct gh_resp r;

	(void)state;
	portal_login(&a, &ends);
	portal_login(&b, &ends);
	portal_login(&c, &ends);
	assert_int_equal(post(&a, "/api/v1/portal/sessions/end-others",
			      json_object(), &r),
			 200);
	assert_int_equal(json_integer_value(json_object_get(r.json,
							    "sessions_ended")),
			 2);
	gh_resp_free(&r);
	assert_int_equal(whoami(&a), 200);
	assert_int_equal(whoami(&b), 401);
	assert_int_equal(whoami(&c), 401);
	assert_int_equal(gh_audit_count(&srv, "session.others_ended", "success"),
			 1);
	gh_client_free(&a);
	gh_client_free(&b);
	gh_client_free(&c);
}

static json_t *
ticket_get(struct gh_client *c, int64_t id, struct gh_resp *r)
{
	char path[96];

	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld",
		 (long long)id);
	assert_int_equal(gh_req(&srv, c, "GET", path, NULL, NULL, r), 200);
	return r->json;
}

/* A customer marks their own ticket solved (not another's), and a
 * message of theirs opens it again. */
static void
test_solve_and_reopen(void **state)
{
	struct gh_client c, o;
	struct gh_resp r;
	char path[96];
	int64_t id;

	(void)state;
	portal_login(&c, &solver);
	portal_login(&o, &other);
	assert_int_equal(post(&c, "/api/v1/portal/tickets",
			      json_pack("{s:s, s:s}", "subject", "Solve me",
					"body", "Something to solve."),
			      &r),
			 201);
	id = json_integer_value(json_object_get(r.json, "id"));
	gh_resp_free(&r);
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/solve",
		 (long long)id);
	expect(&o, path, json_object(), 404, "not_found", NULL);
	expect(&c, "/api/v1/portal/tickets/999999/solve", json_object(), 404,
	       "not_found", NULL);
	assert_int_equal(post(&c, path, json_object(), &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "status")),
			    "solved");
	gh_resp_free(&r);
	assert_string_equal(json_string_value(json_object_get(
				    ticket_get(&c, id, &r), "status")),
			    "solved");
	gh_resp_free(&r);
	assert_int_equal(gh_audit_count(&srv, "ticket.solved_by_customer",
					"success"),
			 1);
	/* The change reaches live streams as a staff change of status does
	 * (an event with ids only, in the same transaction). */
	assert_int_equal(gh_db_countf(&srv,
				      "SELECT count(*) FROM events WHERE "
				      "kind = 'ticket.status' AND "
				      "ticket_id = %lld AND "
				      "actor_realm = 'customer'",
				      (long long)id),
			 1);
	/* Solving again changes nothing and audits nothing. */
	expect(&c, path, json_object(), 200, NULL, NULL);
	assert_int_equal(gh_audit_count(&srv, "ticket.solved_by_customer",
					NULL),
			 1);
	snprintf(path, sizeof(path), "/api/v1/portal/tickets/%lld/messages",
		 (long long)id);
	expect(&c, path, json_pack("{s:s}", "body", "It is back, sorry."), 201,
	       NULL, NULL);
	assert_string_equal(json_string_value(json_object_get(
				    ticket_get(&c, id, &r), "status")),
			    "open");
	gh_resp_free(&r);
	gh_client_free(&c);
	gh_client_free(&o);
}

/* Sign-up is off by default: the portal is told, its endpoints answer
 * 404. */
static void
test_signup_off(void **state)
{
	struct gh_client anon;
	struct gh_resp r;

	(void)state;
	gh_client_init(&anon, 0);
	assert_int_equal(gh_req(&srv, &anon, "GET", "/api/v1/portal/signup",
				NULL, NULL, &r),
			 200);
	assert_true(json_is_false(json_object_get(r.json, "open")));
	gh_resp_free(&r);
	expect(&anon, "/api/v1/portal/signup",
	       json_pack("{s:s}", "email", "new-person@example.org"), 404,
	       "not_found", NULL);
	expect(&anon, "/api/v1/portal/signup/confirm",
	       json_pack("{s:s, s:s, s:s, s:s}", "token", "x", "email",
			 "new-person@example.org", "name", "New Person",
			 "password", NEW_PW),
	       404, "not_found", NULL);
	assert_int_equal(gh_audit_count(&srv, "portal.signup.requested", NULL),
			 0);
	gh_client_free(&anon);
}

static struct gh_server on;

/* POST on the sign-up server; status, r filled. */
static long
on_post(struct gh_client *c, const char *path, json_t *obj,
	struct gh_resp *r)
{
	return gh_send_json(&on, c, "POST", path, obj, r);
}

/* The token of the sign-up link mailed to email. */
static void
signup_link(const char *email, char *token, size_t tsz)
{
	char *text = NULL;
	const char *p;

	assert_int_equal(gh_take_mail(&on, email, "#/signup/", 10, &text), 0);
	p = strstr(text, "#/signup/") + strlen("#/signup/");
	snprintf(token, tsz, "%.*s", (int)strcspn(p, "\r\n \t"), p);
	assert_int_equal(strlen(token), 43);
	/* No customer, so no phrase yet; the contact policy's page all the
	 * same. */
	assert_null(strstr(text, "anti-phishing phrase:"));
	assert_non_null(strstr(text, "#/contact"));
	free(text);
}

static json_t *
confirm_body(const char *token, const char *email, const char *pw)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "token", token, "email", email,
			 "name", "Nina New", "password", pw);
}

/* ASVS 6.3.8: with [portal] signup = on: the same answer for a known
 * address (no mail), the link proves the address, the account starts
 * without an authenticator and its session may only enrol one; the
 * account, the link used and the session are written together (a failed
 * confirmation leaves no account and the link live); the link works
 * once. */
static void
test_signup_on(void **state)
{
	const char *path = "/api/v1/portal/signup/confirm";
	struct gh_client c;
	struct gh_resp r, r2;
	struct gh_user known;
	char token[64];

	(void)state;
	gh_start(&on, "\n[portal]\nsignup = on\n");
	gh_add_customer(&on, "known@example.org", &known);
	gh_client_init(&c, 0);
	assert_int_equal(on_post(&c, "/api/v1/portal/signup",
				 json_pack("{s:s}", "email", "nina@example.org"),
				 &r),
			 202);
	assert_int_equal(on_post(&c, "/api/v1/portal/signup",
				 json_pack("{s:s}", "email", known.email), &r2),
			 202);
	assert_string_equal(r.body, r2.body);
	gh_resp_free(&r);
	gh_resp_free(&r2);
	assert_int_equal(gh_audit_count(&on, "portal.signup.requested",
					"denied"),
			 1);
	signup_link("nina@example.org", token, sizeof(token));
	assert_int_equal(on_post(&c, path,
				 confirm_body(token, "other@example.org", NEW_PW),
				 &r),
			 400);
	assert_string_equal(gh_error(&r), "link_invalid");
	gh_resp_free(&r);
	assert_int_equal(on_post(&c, path,
				 confirm_body(token, "nina@example.org",
					      "password"),
				 &r),
			 422);
	assert_string_equal(gh_error(&r), "weak_password");
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&on, "SELECT COUNT(*) FROM customers"), 1);
	/* The first session cannot be written: nothing is, neither the
	 * account nor the link used, so the same link works afterwards. */
	gh_db_exec(&on, gh_db_pg()
			? "CREATE FUNCTION no_session() RETURNS trigger "
			  "LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION "
			  "'test: no session'; END$$; CREATE TRIGGER "
			  "no_session BEFORE INSERT ON sessions FOR EACH ROW "
			  "WHEN (NEW.realm = 'customer') EXECUTE FUNCTION "
			  "no_session()"
			: "CREATE TRIGGER no_session BEFORE INSERT ON sessions "
			  "WHEN NEW.realm = 'customer' BEGIN SELECT "
			  "RAISE(ABORT, 'test: no session'); END");
	assert_true(on_post(&c, path,
			    confirm_body(token, "nina@example.org", NEW_PW),
			    &r) != 201);
	gh_resp_free(&r);
	gh_db_exec(&on, gh_db_pg() ? "DROP TRIGGER no_session ON sessions; "
				     "DROP FUNCTION no_session()"
				   : "DROP TRIGGER no_session");
	assert_int_equal(gh_db_count(&on, "SELECT COUNT(*) FROM customers"), 1);
	assert_int_equal(gh_audit_count(&on, "portal.signup.confirmed", NULL),
			 0);
	assert_int_equal(on_post(&c, path,
				 confirm_body(token, "Nina@Example.org", NEW_PW),
				 &r),
			 201);
	assert_true(json_is_true(json_object_get(r.json, "enrollment_required")));
	snprintf(c.csrf, sizeof(c.csrf), "%s",
		 json_string_value(json_object_get(r.json, "csrf_token")));
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&on, "SELECT COUNT(*) FROM customers"), 2);
	assert_int_equal(gh_audit_count(&on, "portal.signup.confirmed",
					"success"),
			 1);
	/* Enrolment only, and the enrolment works. */
	assert_int_equal(gh_req(&on, &c, "GET", "/api/v1/portal/tickets", NULL,
				NULL, &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&on, &c, "POST", "/api/v1/portal/enrollment",
				NULL, NULL, &r),
			 201);
	gh_resp_free(&r);
	/* The link works once. */
	assert_int_equal(on_post(&c, path,
				 confirm_body(token, "nina@example.org", NEW_PW),
				 &r),
			 400);
	assert_string_equal(gh_error(&r), "link_invalid");
	gh_resp_free(&r);
	gh_client_free(&c);
	assert_int_equal(gh_stop(&on), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_change_refusals),
		cmocka_unit_test(test_change),
		cmocka_unit_test(test_change_with_recovery_code),
		cmocka_unit_test(test_recovery_login),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_reset_expiry_and_cap),
		cmocka_unit_test(test_end_others),
		cmocka_unit_test(test_solve_and_reopen),
		cmocka_unit_test(test_signup_off),
		cmocka_unit_test(test_signup_on),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
