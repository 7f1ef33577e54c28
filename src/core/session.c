/*
 * Session creation, authentication and destruction over the store. The
 * cookie carries the token; only crypto_token_hash(token) is stored, so a
 * copy of the database yields no usable session.
 */
#include "core/session.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/errors.h"
#include "util/log.h"

/* last_seen is written at most this often (seconds). */
#define TOUCH_EVERY 10

int
session_create(struct app *app, struct store_conn *c, enum realm realm,
	       int64_t id, int mfa, const char *ip,
	       char token_out[CRYPTO_TOKEN_CHARS + 1],
	       char csrf_out[CRYPTO_TOKEN_CHARS + 1])
{
	return session_create_as(app, c, realm, id, mfa, "password", ip,
				 token_out, csrf_out);
}

int
session_create_as(struct app *app, struct store_conn *c, enum realm realm,
		  int64_t id, int mfa, const char *method, const char *ip,
		  char token_out[CRYPTO_TOKEN_CHARS + 1],
		  char csrf_out[CRYPTO_TOKEN_CHARS + 1])
{
	struct session_rec s;
	int64_t now = (int64_t)time(NULL);
	int rc;

	memset(&s, 0, sizeof(s));
	crypto_token_new(token_out);
	crypto_token_hash(app->keys, token_out, s.token_hash);
	s.realm = realm;
	s.principal_id = id;
	s.created_at = now;
	s.last_seen = now;
	if (realm == REALM_STAFF) {
		s.idle_secs = app->cfg.staff_idle_seconds;
		s.abs_expires = now + app->cfg.staff_absolute_seconds;
	} else {
		s.idle_secs = app->cfg.customer_idle_seconds;
		s.abs_expires = now + app->cfg.customer_absolute_seconds;
	}
	s.mfa = mfa;
	snprintf(s.method, sizeof(s.method), "%s", method);
	snprintf(s.ip, sizeof(s.ip), "%s", ip != NULL ? ip : "");
	rc = c->ops->session_insert(c, &s);
	if (rc < 0) {
		crypto_wipe(token_out, CRYPTO_TOKEN_CHARS + 1);
		return rc;
	}
	crypto_csrf_token(app->keys, s.token_hash, csrf_out);
	return 0;
}

int
session_authenticate(struct app *app, struct store_conn *c, enum realm realm,
		     const char *token, int64_t now, struct session_rec *out)
{
	char hash[CRYPTO_HASH_HEX];
	int rc;

	if (strlen(token) != CRYPTO_TOKEN_CHARS)
		return -GH_SESSION_REQUIRED;
	crypto_token_hash(app->keys, token, hash);
	rc = c->ops->session_get(c, hash, out);
	if (rc == -GH_NOT_FOUND)
		return -GH_SESSION_REQUIRED;
	if (rc < 0)
		return rc;
	/* A token from the other realm is as good as no token. */
	if (out->realm != realm)
		return -GH_SESSION_REQUIRED;
	if (now >= out->abs_expires || now - out->last_seen >= out->idle_secs ||
	    out->disabled) {
		c->ops->session_delete(c, hash);
		log_event(LOG_INFO, "auth.session_expired",
			  json_pack("{s:s, s:I, s:s}", "realm",
				    realm_name(realm), "principal",
				    (json_int_t)out->principal_id, "why",
				    out->disabled ? "account disabled"
						  : "timeout"));
		return -GH_SESSION_REQUIRED;
	}
	if (now - out->last_seen >= TOUCH_EVERY) {
		rc = c->ops->session_touch(c, hash, now);
		if (rc < 0)
			return rc;
		out->last_seen = now;
	}
	return 0;
}

int
session_destroy(struct app *app, struct store_conn *c, const char *token_hash)
{
	(void)app;
	return c->ops->session_delete(c, token_hash);
}

void
session_cookie(enum realm realm, const char *token, int64_t max_age,
	       char *out, size_t outsz)
{
	const char *name = realm == REALM_STAFF ? "__Host-gh_staff"
						: "__Host-gh_portal";

	if (token == NULL)
		snprintf(out, outsz,
			 "%s=; Path=/; Secure; HttpOnly; SameSite=Strict; "
			 "Max-Age=0",
			 name);
	else
		snprintf(out, outsz,
			 "%s=%s; Path=/; Secure; HttpOnly; SameSite=Strict; "
			 "Max-Age=%lld",
			 name, token, (long long)max_age);
}
