/*
 * The security rules every request and reply passes, in one place: the
 * headers each reply carries (HSTS, CSP per kind of body, no sniffing, no
 * framing, no referrer, no caching), the JSON-only content type of a
 * body, the session and role a route needs, and CSRF (origin, fetch
 * metadata, token). Nothing here reads a body or writes a reply.
 */
#include "http/http_int.h"

#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/app.h"
#include "core/hygiene.h"
#include "core/passkeys.h"
#include "core/session.h"
#include "crypto/crypto.h"
#include "util/errors.h"
#include "util/origin.h"

static const char csp_api[] =
	"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
	"form-action 'none'";
static const char csp_page[] =
	"default-src 'none'; script-src 'self'; style-src 'self'; "
	"img-src 'self' data:; connect-src 'self'; font-src 'self'; "
	"object-src 'none'; base-uri 'none'; form-action 'self'; "
	"frame-ancestors 'none'";
/* A file a user uploaded: never rendered, never scripted. */
static const char csp_sandbox[] =
	"default-src 'none'; sandbox; frame-ancestors 'none'";

void
http_security_headers(struct MHD_Response *resp, int page, int sandbox)
{
	MHD_add_response_header(resp, "Strict-Transport-Security",
				"max-age=63072000; includeSubDomains");
	MHD_add_response_header(resp, "Content-Security-Policy",
				sandbox ? csp_sandbox : page ? csp_page : csp_api);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy",
				"same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy",
				"same-origin");
	MHD_add_response_header(resp, "Permissions-Policy",
				"camera=(), microphone=(), geolocation=(), "
				"payment=(), usb=()");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
}

static int
role_rank(const char *role)
{
	if (strcmp(role, "admin") == 0)
		return AUTH_ADMIN;
	if (strcmp(role, "supervisor") == 0)
		return AUTH_SUPERVISOR;
	if (strcmp(role, "agent") == 0)
		return AUTH_AGENT;
	return AUTH_NONE;
}

/*
 * The passkey gate (issue 17) of a staff session (core/passkeys.h,
 * passkey_session_hold): one that may only enrol a passkey reaches only
 * the routes that enrol one; one whose member must use the passkey they
 * have reaches only its own GET and DELETE (logging in again with the
 * passkey is the way on). An enrol-only session ends its use as soon as
 * a passkey exists, so a second enrol-only session cannot add more. A
 * session without MFA is the authenticator enrolment's, which comes
 * first. 1 when the session is held by this gate and the route is open
 * to it, 0 when the gate does not hold it, or an error.
 */
static int
passkey_gate(struct request *r, const struct session_rec *s)
{
	switch (passkey_session_hold(r->app, s->method, s->mfa, s->role,
				     s->passkeys)) {
	case PK_HOLD_ENROL:
		return (r->route->flags & ROUTE_ALLOW_PASSKEY_ENROL)
			       ? 1
			       : -GH_PASSKEY_ENROLLMENT_REQUIRED;
	case PK_HOLD_PASSKEY:
		return strcmp(r->route->pattern, "/api/v1/staff/session") == 0
			       ? 1
			       : -GH_PASSKEY_REQUIRED;
	default:
		return 0;
	}
}

int
http_authenticate(struct request *r)
{
	enum realm realm = r->listener == LISTEN_STAFF ? REALM_STAFF
						       : REALM_CUSTOMER;
	const char *token = request_cookie(
		r, realm == REALM_STAFF ? COOKIE_STAFF : COOKIE_CUSTOMER);
	struct session_rec s;
	int rc;

	if (token == NULL)
		return -GH_SESSION_REQUIRED;
	rc = session_authenticate(r->app, request_db(r), realm, token,
				  (int64_t)time(NULL), &s);
	if (rc < 0)
		return rc;
	r->actor.authenticated = 1;
	r->actor.realm = s.realm;
	r->actor.id = s.principal_id;
	r->actor.mfa = s.mfa;
	r->actor.session_created = s.created_at;
	memcpy(r->actor.token_hash, s.token_hash, sizeof(r->actor.token_hash));
	memcpy(r->actor.role, s.role, sizeof(r->actor.role));
	memcpy(r->actor.method, s.method, sizeof(r->actor.method));
	r->actor.passkeys = s.passkeys;
	if (!s.mfa && !(r->route->flags & ROUTE_ALLOW_NO_MFA))
		return -GH_MFA_NOT_ENROLLED;
	if (r->route->auth == AUTH_CUSTOMER)
		return realm == REALM_CUSTOMER ? 0 : -GH_FORBIDDEN;
	if (realm != REALM_STAFF || role_rank(s.role) < (int)r->route->auth)
		return -GH_FORBIDDEN;
	/* An enrol-only session passed: the password gate comes after the
	 * passkey login it leads to. */
	rc = passkey_gate(r, &s);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (r->route->flags & ROUTE_ALLOW_PW_CHANGE)
		return 0;
	return hygiene_password_gate_session(r->app, &s, (int64_t)time(NULL));
}

int
http_safe_method(const char *m)
{
	return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

/*
 * CSRF: a state-changing request must not come from another site (Origin,
 * when sent, must be one the listener accepts: config.h derives them from
 * its address and [server] origins; Sec-Fetch-Site, when sent, must be
 * same-origin or none) and, once there is a session, must carry the
 * session's X-CSRF-Token.
 */
int
http_check_csrf(struct request *r)
{
	const char *origin = request_header(r, "Origin");
	const char *site = request_header(r, "Sec-Fetch-Site");
	const struct origin_set *ours = r->listener == LISTEN_STAFF
						? &r->app->cfg.staff_origins
						: &r->app->cfg.public_origins;
	const char *given;
	char want[CRYPTO_TOKEN_CHARS + 1];

	if (http_safe_method(r->method))
		return 0;
	if (origin != NULL && !origin_set_has(ours, origin))
		return -GH_CSRF_FAILED;
	if (site != NULL && strcmp(site, "same-origin") != 0 &&
	    strcmp(site, "none") != 0)
		return -GH_CSRF_FAILED;
	if (!r->actor.authenticated ||
	    (r->route->flags & ROUTE_NO_CSRF_TOKEN))
		return 0;
	given = request_header(r, "X-CSRF-Token");
	if (given == NULL || strlen(given) != CRYPTO_TOKEN_CHARS)
		return -GH_CSRF_FAILED;
	crypto_csrf_token(r->app->keys, r->actor.token_hash, want);
	if (!crypto_equal(given, want, CRYPTO_TOKEN_CHARS))
		return -GH_CSRF_FAILED;
	return 0;
}

int
http_check_content_type(struct request *r)
{
	const char *ct = request_header(r, "Content-Type");

	if (r->body_len == 0)
		return 0;
	if (ct == NULL)
		return -GH_UNSUPPORTED_TYPE;
	if (strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';'))
		return -GH_UNSUPPORTED_TYPE;
	return 0;
}
