/*
 * One request on one connection, from the URL to the handler: the URL
 * checks, the client address, the route, then, as soon as the headers
 * are complete and before any body byte is read, the session, CSRF and
 * the declared length (an answer decided then goes out without the body
 * being read when one is announced, and on the request's last call, the
 * connection kept open, when none is); then the body and its limits, and
 * the handler. A body is capped by the smaller of the route's limit and
 * [server] max_body_bytes whatever its framing: a declared Content-Length
 * far over the cap (over DISCARD_MAX) is refused before anything is read;
 * one nearer, and a chunked body once it passes the cap, are read and
 * dropped (never stored), so the client reliably gets the answer. Either
 * way the answer is 413 body_too_large and the handler never runs. No
 * database connection is held while a body arrives.
 */
#include "http/http_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/app.h"
#include "core/refusal.h"
#include "crypto/crypto.h"
#include "http/defer.h"
#include "http/router.h"
#include "http/static.h"
#include "util/errors.h"
#include "util/log.h"

#define URL_MAX 2048

int64_t
http_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* --- before routing ------------------------------------------------------ */

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * 1 when the URL as received (path and query, before libmicrohttpd
 * decodes it) holds no control character, raw or percent-encoded. The
 * decoded path is a C string: "%00" would cut "/app.js%00x" to "/app.js"
 * and beat the exact matching of routes and static files, so such a URL
 * is refused before anything looks at it.
 */
int
server_uri_clean(const char *uri)
{
	for (const unsigned char *p = (const unsigned char *)uri; *p != '\0';
	     p++) {
		int hi, lo, v;

		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (*p != '%')
			continue;
		hi = hex_value((char)p[1]);
		lo = hi >= 0 ? hex_value((char)p[2]) : -1;
		if (lo < 0)
			continue;
		v = hi * 16 + lo;
		if (v < 0x20 || v == 0x7f)
			return 0;
		p += 2;
	}
	return 1;
}

void *
http_on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct listener *l = cls;
	struct request *r = calloc(1, sizeof(*r));
	unsigned char id[16];

	(void)c;
	if (r == NULL)
		return NULL;
	r->app = l->srv->app;
	r->listener = l->kind;
	r->started_us = http_now_us();
	crypto_random_bytes(id, sizeof(id));
	crypto_hex_encode(id, sizeof(id), r->request_id, sizeof(r->request_id));
	if (strlen(uri) > URL_MAX)
		r->error = GH_URI_TOO_LONG;
	else if (!server_uri_clean(uri))
		r->error = GH_BAD_URL;
	return r;
}

/* Frees r and everything it holds; the body and an owned reply, which
 * may hold passwords or files, are wiped first. */
static void
request_free(struct request *r)
{
	if (r == NULL)
		return;
	defer_free(r);
	if (r->db != NULL)
		store_release(r->app->store, r->db);
	json_decref(r->json);
	json_decref(r->reply);
	json_decref(r->error_extra);
	if (r->body != NULL) {
		crypto_wipe(r->body, r->body_len);
		free(r->body);
	}
	free(r->cookies[0]);
	free(r->cookies[1]);
	if (r->raw_owned != NULL) {
		crypto_wipe(r->raw_owned, r->raw_len);
		free(r->raw_owned);
	}
	free(r->disposition);
	free(r);
}

void
http_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
		  enum MHD_RequestTerminationCode toe)
{
	struct listener *l = cls;

	(void)toe;
	http_watch_request_done(l->srv, c);
	request_free(*con_cls);
	*con_cls = NULL;
}

/* --- routing and the body ---------------------------------------------- */

/* The client's address as text into r->ip ("?" when unknown). */
static void
client_ip(struct request *r, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

	snprintf(r->ip, sizeof(r->ip), "?");
	if (sa != NULL && sa->sa_family == AF_INET)
		inet_ntop(AF_INET,
			  &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
			  r->ip, sizeof(r->ip));
	else if (sa != NULL && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)(const void *)sa)
				   ->sin6_addr,
			  r->ip, sizeof(r->ip));
}

/* The most body bytes r's route takes: the route's own limit, and never
 * more than [server] max_body_bytes. */
static size_t
body_limit(const struct request *r)
{
	size_t cap = (size_t)r->app->cfg.max_body_bytes;

	return r->route->body_max < cap ? r->route->body_max : cap;
}

/* A declared body over the limit but at most this large is read and
 * dropped before the 413 goes out: closing a connection on an unread body
 * resets it, and a client still sending then often loses the answer (the
 * lingering-close problem). A larger one is refused at once. */
#define DISCARD_MAX (4u << 20)

/* A declared Content-Length: 0, or -GH_BAD_REQUEST when it is not a
 * number, -GH_BODY_TOO_LARGE when it is far over the body limit. A body
 * over the limit but within DISCARD_MAX marks the request too large (read,
 * dropped, then answered 413 by dispatch). */
static int
check_declared_length(struct request *r)
{
	const char *cl = request_header(r, "Content-Length");
	char *end = NULL;
	unsigned long long n;

	if (cl == NULL)
		return 0;
	errno = 0;
	n = strtoull(cl, &end, 10);
	if (errno != 0 || end == cl || *end != '\0')
		return -GH_BAD_REQUEST;
	if (n > DISCARD_MAX)
		return -GH_BODY_TOO_LARGE;
	if (n > (unsigned long long)body_limit(r))
		r->body_too_large = 1;
	return 0;
}

/* 1 when the request announces a body: a Content-Length other than 0,
 * or any Transfer-Encoding. */
static int
announces_body(struct request *r)
{
	const char *cl = request_header(r, "Content-Length");

	if (request_header(r, "Transfer-Encoding") != NULL)
		return 1;
	return cl != NULL && strcmp(cl, "0") != 0;
}

/*
 * An answer known from the headers alone (err < 0, or 0 for a reply
 * already built, e.g. a static file). When the request announces a body
 * it goes out now and no body byte is read (libmicrohttpd then closes the
 * connection: the unread body cannot be skipped). Otherwise it is kept
 * for the request's last call, after which the connection stays open for
 * the next request (keep-alive; a reply queued on the first call would
 * close it).
 */
static enum MHD_Result
early_answer(struct request *r, int err)
{
	if (announces_body(r))
		return err < 0 ? http_send_error(r, err) : http_send_reply(r);
	r->early = err < 0 ? err : 1;
	return MHD_YES;
}

/* The checks of a matched route that need only the headers, made before
 * any body byte is read: the session (when the route needs one), CSRF
 * (Origin, fetch metadata and, with a session, the token), then the
 * declared length. 0 or the error. */
static int
check_headers(struct request *r)
{
	int rc = 0;

	if (r->route->auth != AUTH_NONE)
		rc = http_authenticate(r);
	if (rc == 0) {
		rc = http_check_csrf(r);
		if (rc < 0)
			log_event(LOG_WARN, "security.csrf_refused",
				  json_pack("{s:s, s:s}", "request_id",
					    r->request_id, "route",
					    r->route->pattern));
	}
	if (rc == 0)
		rc = check_declared_length(r);
	return rc;
}

static void audit_refusal(struct request *r, int rc);

/* 1 when r's error rc is our bug (logged as http.internal), 0 for a
 * client's error or a 5xx the server chose: a full work queue, no room
 * for one more event stream, a shutdown. Those carry Retry-After, and
 * browsers retry them: an error line for each would be noise. */
static int
internal_error(const struct request *r, int rc)
{
	return err_status(rc) >= 500 && r->retry_after == 0;
}

/* The first call for a request: everything known from the request line
 * and headers is checked here, before any body is read. */
static enum MHD_Result
first_call(struct request *r, struct MHD_Connection *c, const char *url,
	   const char *method)
{
	int rc;

	r->conn = c;
	http_watch_headers_done(c);
	client_ip(r, c);
	snprintf(r->method, sizeof(r->method), "%s", method);
	if (r->error == GH_URI_TOO_LONG || strlen(url) >= sizeof(r->path))
		return early_answer(r, -GH_URI_TOO_LONG);
	if (r->error == GH_BAD_URL)
		return early_answer(r, -GH_BAD_URL);
	snprintf(r->path, sizeof(r->path), "%s", url);
	r->route = router_match(api_routes, r->listener, r->method, r->path,
				r->params, &r->n_params, r->allow,
				sizeof(r->allow));
	if (r->route == NULL) {
		if (r->allow[0] != '\0')
			return early_answer(r, -GH_METHOD_NOT_ALLOWED);
		if (http_safe_method(r->method) && static_lookup(r) == 0)
			return early_answer(r, 0);
		return early_answer(r, -GH_NOT_FOUND);
	}
	rc = check_headers(r);
	if (rc < 0 && internal_error(r, rc))
		log_event(LOG_ERROR, "http.internal",
			  json_pack("{s:s, s:s}", "request_id", r->request_id,
				    "route", r->route->pattern));
	if (rc < 0)
		audit_refusal(r, rc);
	/* The body may be slow to come: no database connection is held
	 * while it does (request_db takes one again when needed). Without
	 * a body the next call follows at once (libmicrohttpd makes it in
	 * the same pass): the connection, and the reads' snapshot, stay
	 * for it, so that a GET takes one read transaction, not two. */
	if (r->db != NULL && announces_body(r)) {
		store_release(r->app->store, r->db);
		r->db = NULL;
	}
	return rc < 0 ? early_answer(r, rc) : MHD_YES;
}

/*
 * Appends n bytes of body. Past the body limit (a chunked body has no
 * declared length) the request is marked too large and the rest is read
 * and dropped; dispatch then answers 413. The buffer holds passwords and
 * messages: an outgrown one is wiped before it is freed. 0, or -1 when
 * memory runs out.
 */
static int
body_append(struct request *r, const char *data, size_t n)
{
	size_t cap;
	char *nb;

	if (r->body_too_large || n > body_limit(r) - r->body_len) {
		r->body_too_large = 1;
		return 0;
	}
	if (r->body_len + n + 1 > r->body_cap) {
		cap = r->body_cap ? r->body_cap : 1024;
		while (cap < r->body_len + n + 1)
			cap *= 2;
		nb = malloc(cap);
		if (nb == NULL)
			return -1;
		if (r->body != NULL) {
			memcpy(nb, r->body, r->body_len);
			crypto_wipe(r->body, r->body_cap);
			free(r->body);
		}
		r->body = nb;
		r->body_cap = cap;
	}
	memcpy(r->body + r->body_len, data, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
	return 0;
}

/* The pipeline once the whole body is in (the session and CSRF were
 * checked on the first call): the body's checks, then the handler. */
static int
dispatch(struct request *r)
{
	int rc;

	if (r->body_too_large)
		return -GH_BODY_TOO_LARGE;
	rc = http_check_content_type(r);
	if (rc < 0)
		return rc;
	return r->route->handler(r);
}

/* A security-relevant refusal of a matched route goes to the audit log
 * (core/refusal.h limits a flood). A failure to record is logged, never
 * turned into another reply: the request is refused either way. */
static void
audit_refusal(struct request *r, int rc)
{
	char actor[48];
	char route[160];
	struct store_conn *db;

	if (r->route == NULL || !refusal_is_security(rc))
		return;
	if (r->actor.authenticated)
		snprintf(actor, sizeof(actor), "%s:%lld",
			 r->actor.realm == REALM_STAFF ? "staff" : "customer",
			 (long long)r->actor.id);
	else
		snprintf(actor, sizeof(actor), "anonymous");
	snprintf(route, sizeof(route), "%s %s", r->route->method,
		 r->route->pattern);
	db = request_db(r);
	if (db == NULL ||
	    refusal_record(r->app, db,
			   &(struct refusal){
				   .err = rc,
				   .actor = actor,
				   .route = route,
				   .target_id = r->n_params > 0 ? r->params[0] : 0,
				   .ip = r->ip,
				   .request_id = r->request_id,
			   },
			   (int64_t)time(NULL)) < 0)
		log_event(LOG_ERROR, "audit.refusal_unrecorded",
			  json_pack("{s:s, s:s}", "request_id", r->request_id,
				    "code", err_code(rc)));
}

enum MHD_Result
http_on_access(void *cls, struct MHD_Connection *c, const char *url,
	       const char *method, const char *version, const char *upload,
	       size_t *upload_size, void **con_cls)
{
	struct request *r = *con_cls;
	size_t n;
	int rc;

	(void)cls;
	(void)version;
	if (r == NULL)
		return MHD_NO;
	if (r->conn == NULL)
		return first_call(r, c, url, method);
	if (*upload_size > 0) {
		n = *upload_size;
		*upload_size = 0;
		http_watch_body(c, n);
		if (r->early != 0)
			return MHD_YES; /* answered already: dropped */
		return body_append(r, upload, n) == 0 ? MHD_YES : MHD_NO;
	}
	http_watch_busy(c);
	if (r->early != 0)
		return r->early < 0 ? http_send_error(r, r->early)
				    : http_send_reply(r);
	rc = r->defer == NULL ? dispatch(r) : 0;
	if (rc == 0 && defer_continue(r, &rc))
		return MHD_YES; /* suspended until its job is done */
	if (rc < 0) {
		if (internal_error(r, rc))
			log_event(LOG_ERROR, "http.internal",
				  json_pack("{s:s, s:s}", "request_id",
					    r->request_id, "route",
					    r->route->pattern));
		audit_refusal(r, rc);
		return http_send_error(r, rc);
	}
	return http_send_reply(r);
}
