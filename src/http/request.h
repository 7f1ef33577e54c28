/*
 * One HTTP request as the api/ handlers see it: the matched route, path
 * parameters, the parsed JSON body, the authenticated actor, a database
 * connection, and the reply being built. libmicrohttpd stays behind this
 * header (the connection is an opaque pointer), so handlers are plain C.
 */
#ifndef GH_HTTP_REQUEST_H
#define GH_HTTP_REQUEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/app.h"

/* A database connection from the pool: opaque to http/ and api/, which
 * hand it to core/ functions. */
struct store_conn;

enum listener_kind { LISTEN_PUBLIC = 1, LISTEN_STAFF = 2 };

/* Who may call a route. Staff roles are ordered: agent < supervisor <
 * admin. */
enum auth_need {
	AUTH_NONE = 0,
	AUTH_CUSTOMER,
	AUTH_AGENT,
	AUTH_SUPERVISOR,
	AUTH_ADMIN,
};

#define ROUTE_MAX_PARAMS 4
/* The route sets its own CSRF rules (login: Origin checked, no token). */
#define ROUTE_NO_CSRF_TOKEN 0x1u
/* Open to a password-only session that still has to enrol its
 * authenticator (every other route needs a session that used MFA). */
#define ROUTE_ALLOW_NO_MFA 0x2u
/* Open to a staff session held to a password change (core/hygiene.h):
 * who is logged in, the change itself, logout. */
#define ROUTE_ALLOW_PW_CHANGE 0x100u
/* Open to a staff session that may only enrol a passkey (issue 17,
 * method "password_enrol"): who is logged in, logout, the passkey
 * registration and list. */
#define ROUTE_ALLOW_PASSKEY_ENROL 0x200u

struct request;
typedef int (*route_handler)(struct request *r);

struct route {
	const char *method;
	const char *pattern; /* "/api/v1/tickets/{id}" */
	unsigned listeners;  /* LISTEN_PUBLIC | LISTEN_STAFF */
	enum auth_need auth;
	size_t body_max;     /* 0: no body accepted */
	route_handler handler;
	unsigned flags;
};

struct actor {
	int authenticated;
	enum realm realm;
	int64_t id;
	char role[16];
	char token_hash[65];
	int mfa;
	int64_t session_created;
	/* How the session was opened (issue 17): "password", "passkey",
	 * "password_enrol"; and a staff member's passkey count. */
	char method[16];
	int64_t passkeys;
};

struct request {
	struct app *app;
	void *conn; /* struct MHD_Connection * */
	enum listener_kind listener;
	const struct route *route;
	char method[16];
	char path[2048];
	int64_t params[ROUTE_MAX_PARAMS];
	unsigned n_params;
	char ip[64];
	char request_id[33];
	int64_t started_us;

	char *body;
	size_t body_len;
	size_t body_cap;
	int body_too_large;
	json_t *json;

	struct actor actor;
	struct store_conn *db;

	/* The reply. */
	int status;
	json_t *reply;              /* JSON body, or */
	const unsigned char *raw;   /* a static body (not freed) */
	size_t raw_len;
	unsigned char *raw_owned;   /* or a malloc'd body (freed; wiped) */
	char *disposition;          /* Content-Disposition, malloc'd */
	int sandbox;                /* user file: CSP sandbox */
	const char *content_type;   /* for raw */
	int html;                   /* raw is a page: page CSP */
	char *cookies[2];           /* Set-Cookie values, malloc'd */
	int64_t retry_after;        /* > 0: Retry-After header */
	json_t *error_extra;        /* merged into an error body */
	char allow[64];             /* Allow header for 405 */
	int error;                  /* the error code replied, for the log */

	/* http/conn.c: an answer decided from the headers, sent on the
	 * request's last call: a negative error, or 1 for a built reply. */
	int early;
	struct defer *defer;        /* a job on a worker pool (http/defer.h) */
	struct sse_stream *stream;  /* an event stream (http/sse.h) */
};

/* A request header, or NULL. */
const char *request_header(struct request *r, const char *name);
/* A cookie, or NULL. */
const char *request_cookie(struct request *r, const char *name);
/* A query argument, or NULL. */
const char *request_query(struct request *r, const char *name);
/* 0 when every query argument of r is one of names (NULL-terminated);
 * otherwise -GH_BAD_QUERY with error_extra naming the first unknown one
 * (deny by default: a search or filter the route does not declare is an
 * error, never silently ignored). */
int request_query_only(struct request *r, const char *const *names);
/* The request's database connection, taken from the pool on first use. */
struct store_conn *request_db(struct request *r);

/* Sets the reply to status and body (ownership of body taken). Returns 0. */
int reply_json(struct request *r, int status, json_t *body);
/* Sets the reply to status and the JSON text text of len bytes, written
 * by the handler (malloc'd; ownership taken), sent as reply_json's would
 * be (http/reply.c). Returns 0. */
int reply_json_text(struct request *r, int status, char *text, size_t len);
/*
 * Replies with a file the user uploaded: body (ownership taken, freed),
 * Content-Type application/octet-stream, Content-Disposition attachment
 * with the (already sanitised) filename in RFC 6266 form, and a CSP
 * sandbox, so it is never rendered inline. Returns 0.
 */
int reply_download(struct request *r, unsigned char *body, size_t len,
		   const char *filename);

/* Adds a Set-Cookie header value (copied). */
int reply_cookie(struct request *r, const char *value);

/* Names of the session cookies per realm. */
#define COOKIE_STAFF "__Host-gh_staff"
#define COOKIE_CUSTOMER "__Host-gh_portal"

#endif
