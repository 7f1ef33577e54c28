/*
 * The API harness's passkeys (issue 17): supervisors and admins must log
 * in with a passkey, so gh_login gives a staff member who must one (a
 * password login answering passkey_enrollment_required) a software
 * authenticator (tests/softauth), registers its credential in that
 * enrol-only session, ends it, and logs in with the passkey; later
 * gh_login calls for that member log in with the passkey at once. Tests
 * that are about the password login itself send their own requests.
 *
 * The authenticators live as long as the program (kept in a static
 * table, so that they are not reported as leaks).
 */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "softauth.h"

#define GH_PK_MAX 128
static struct softauth *keys[GH_PK_MAX];
static size_t n_keys;

static void
origin_of(const struct gh_server *s, char *out, size_t outsz)
{
	snprintf(out, outsz, "https://localhost:%d", s->staff_port);
}

long
gh_pk_login(struct gh_server *s, struct gh_client *c, struct gh_user *u)
{
	char origin[64];
	struct gh_resp r;
	json_t *cred;
	char *text;
	long st;

	c->csrf[0] = '\0';
	assert_int_equal(gh_req(s, c, "POST",
				"/api/v1/staff/session/passkey/options", "{}",
				NULL, &r),
			 200);
	origin_of(s, origin, sizeof(origin));
	text = softauth_assert_json(
		u->passkey,
		json_string_value(json_object_get(
			json_object_get(r.json, "publicKey"), "challenge")),
		"localhost", origin, NULL);
	gh_resp_free(&r);
	assert_non_null(text);
	cred = json_loads(text, 0, NULL);
	free(text);
	st = gh_send_json(s, c, "POST", "/api/v1/staff/session/passkey",
			  json_pack("{s:o}", "credential", cred), &r);
	if (st == 201)
		snprintf(c->csrf, sizeof(c->csrf), "%s",
			 json_string_value(json_object_get(r.json,
							   "csrf_token")));
	gh_resp_free(&r);
	return st;
}

long
gh_pk_enrol(struct gh_server *s, struct gh_client *c, struct gh_user *u)
{
	char origin[64];
	struct gh_resp r;
	json_t *cred;
	char *text;

	assert_true(n_keys < GH_PK_MAX);
	keys[n_keys] = softauth_new(WA_ES256);
	assert_non_null(keys[n_keys]);
	u->passkey = keys[n_keys++];
	assert_int_equal(gh_req(s, c, "POST", "/api/v1/staff/passkeys/options",
				"{}", NULL, &r),
			 200);
	/* The account's user handle: the authenticator returns it at each
	 * discoverable login, as a browser's does. */
	assert_int_equal(
		softauth_set_user_handle(
			u->passkey,
			json_string_value(json_object_get(
				json_object_get(json_object_get(r.json,
								"publicKey"),
						"user"),
				"id"))),
		0);
	origin_of(s, origin, sizeof(origin));
	text = softauth_register_json(
		u->passkey,
		json_string_value(json_object_get(
			json_object_get(r.json, "publicKey"), "challenge")),
		"localhost", origin, NULL);
	gh_resp_free(&r);
	assert_non_null(text);
	cred = json_loads(text, 0, NULL);
	free(text);
	assert_int_equal(gh_send_json(s, c, "POST", "/api/v1/staff/passkeys",
				      json_pack("{s:o}", "credential", cred),
				      &r),
			 201);
	gh_resp_free(&r);
	assert_int_equal(gh_req(s, c, "DELETE", "/api/v1/staff/session", NULL,
				NULL, &r),
			 200);
	gh_resp_free(&r);
	return gh_pk_login(s, c, u);
}
