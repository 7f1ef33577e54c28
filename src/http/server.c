/*
 * libmicrohttpd front end. One daemon per listener, a thread per
 * connection (handlers may block on argon2id or the database without
 * stalling other clients), TLS through GnuTLS with an AEAD-only priority
 * string. The request pipeline is fixed here; what a route does is in
 * api/. Responses always carry the security headers; error bodies come
 * from the error registry and carry the request id.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/errors.h"
#include "core/session.h"
#include "crypto/crypto.h"
#include "crypto/x509.h"
#include "http/jspec.h"
#include "http/request.h"
#include "http/router.h"
#include "http/static.h"
#include "util/log.h"

const char server_tls_priority[] =
	"SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:"
	"+AES-256-GCM:+AES-128-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD:"
	"-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:"
	"-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:%SERVER_PRECEDENCE";

#define URL_MAX 2048
#define HEADER_MEMORY (32 * 1024)

static const char csp_api[] =
	"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
	"form-action 'none'";
static const char csp_page[] =
	"default-src 'none'; script-src 'self'; style-src 'self'; "
	"img-src 'self' data:; connect-src 'self'; font-src 'self'; "
	"object-src 'none'; base-uri 'none'; form-action 'self'; "
	"frame-ancestors 'none'";

struct listener {
	struct server *srv;
	enum listener_kind kind;
	struct MHD_Daemon *d;
	struct sockaddr_storage addr;
};

struct server {
	struct app *app;
	struct listener pub;
	struct listener staff;
	char *cert;
	char *key;
	size_t key_len;
};

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* --- request helpers used by handlers ---------------------------------- */

const char *
request_header(struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *
request_cookie(struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *
request_query(struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

struct query_check {
	const char *const *names;
	char unknown[48];
	int bad;
};

static enum MHD_Result
query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
	  const char *value)
{
	struct query_check *q = cls;

	(void)kind;
	(void)value;
	for (const char *const *n = q->names; *n != NULL; n++)
		if (strcmp(*n, key) == 0)
			return MHD_YES;
	q->bad = 1;
	/* The name comes from the client: only a bounded, printable copy
	 * is echoed (control characters never get this far, see
	 * server_uri_clean). */
	snprintf(q->unknown, sizeof(q->unknown), "%s", key);
	for (char *p = q->unknown; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == '"' || *p == '\\')
			*p = '?';
	return MHD_NO;
}

int
request_query_only(struct request *r, const char *const *names)
{
	struct query_check q = {names, "", 0};

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_arg,
				  &q);
	if (!q.bad)
		return 0;
	json_decref(r->error_extra);
	r->error_extra = json_pack("{s:s}", "field", q.unknown);
	return -GH_BAD_QUERY;
}

struct store_conn *
request_db(struct request *r)
{
	if (r->db == NULL)
		r->db = store_acquire(r->app->store);
	return r->db;
}

int
reply_json(struct request *r, int status, json_t *body)
{
	json_decref(r->reply);
	r->status = status;
	r->reply = body;
	return 0;
}

int
reply_download(struct request *r, unsigned char *body, size_t len,
	       const char *filename)
{
	char ascii[128];
	size_t n = 0;
	size_t cap;
	char *disp;

	/* ASCII fallback: letters, digits and .-_ only. */
	for (const char *p = filename; *p != '\0' && n < sizeof(ascii) - 1; p++)
		ascii[n++] = (isalnum((unsigned char)*p) || *p == '.' ||
			      *p == '-' || *p == '_')
				     ? *p
				     : '_';
	ascii[n] = '\0';
	if (n == 0)
		snprintf(ascii, sizeof(ascii), "download");
	/* filename*: UTF-8, percent-encoded (RFC 5987 attr-char only). */
	cap = strlen(filename) * 3 + sizeof(ascii) + 64;
	disp = malloc(cap);
	if (disp == NULL) {
		free(body);
		return -GH_INTERNAL;
	}
	n = (size_t)snprintf(disp, cap,
			     "attachment; filename=\"%s\"; filename*=UTF-8''",
			     ascii);
	for (const unsigned char *p = (const unsigned char *)filename; *p;
	     p++) {
		if (isalnum(*p) || strchr("!#$&+-.^_`|~", *p) != NULL)
			disp[n++] = (char)*p;
		else
			n += (size_t)snprintf(disp + n, cap - n, "%%%02X", *p);
	}
	disp[n] = '\0';
	free(r->raw_owned);
	free(r->disposition);
	json_decref(r->reply);
	r->reply = NULL;
	r->raw_owned = body;
	r->raw = body;
	r->raw_len = len;
	r->content_type = "application/octet-stream";
	r->html = 0;
	r->sandbox = 1;
	r->disposition = disp;
	r->status = 200;
	return 0;
}

int
reply_cookie(struct request *r, const char *value)
{
	for (size_t i = 0; i < 2; i++) {
		if (r->cookies[i] == NULL) {
			r->cookies[i] = strdup(value);
			return r->cookies[i] != NULL ? 0 : -GH_INTERNAL;
		}
	}
	LOG_BUG("too many cookies in one reply");
	return -GH_INTERNAL;
}

static void
reply_error(struct request *r, int err)
{
	json_t *body = json_pack("{s:s, s:s, s:s}", "error", err_code(err),
				 "message", err_message(err), "request_id",
				 r->request_id);

	if (r->error_extra != NULL) {
		/* A message stating a limit (built from declared bounds, never
		 * from input) replaces the registry's general one. */
		json_t *msg = json_object_get(r->error_extra, "message");

		if (json_is_string(msg))
			json_object_set(body, "message", msg);
		json_object_update_missing(body, r->error_extra);
		json_decref(r->error_extra);
		r->error_extra = NULL;
	}
	r->error = err < 0 ? -err : err;
	r->raw = NULL;
	r->sandbox = 0;
	reply_json(r, err_status(err), body);
}

/* --- lifecycle of a request -------------------------------------------- */

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

static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct listener *l = cls;
	struct request *r = calloc(1, sizeof(*r));
	unsigned char id[16];

	(void)c;
	if (r == NULL)
		return NULL;
	r->app = l->srv->app;
	r->listener = l->kind;
	r->started_us = now_us();
	crypto_random_bytes(id, sizeof(id));
	crypto_hex_encode(id, sizeof(id), r->request_id, sizeof(r->request_id));
	if (strlen(uri) > URL_MAX)
		r->error = GH_URI_TOO_LONG;
	else if (!server_uri_clean(uri))
		r->error = GH_BAD_URL;
	return r;
}

static void
request_free(struct request *r)
{
	if (r == NULL)
		return;
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

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	request_free(*con_cls);
	*con_cls = NULL;
}

static void
log_request(struct request *r)
{
	char actor[48] = "-";

	if (r->actor.authenticated)
		snprintf(actor, sizeof(actor), "%s:%lld",
			 realm_name(r->actor.realm), (long long)r->actor.id);
	log_event(r->status >= 500 ? LOG_ERROR : LOG_INFO, "http.request",
		  json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:I, s:s}",
			    "request_id", r->request_id, "listener",
			    r->listener == LISTEN_STAFF ? "staff" : "public",
			    "method", r->method, "route",
			    r->route != NULL ? r->route->pattern
					     : (r->raw != NULL ? "static" : "-"),
			    "status", r->status, "error",
			    r->error ? err_code(r->error) : "", "actor", actor,
			    "us", (json_int_t)(now_us() - r->started_us), "ip",
			    r->ip));
}

static void
add_security_headers(struct MHD_Response *resp, int page)
{
	MHD_add_response_header(resp, "Strict-Transport-Security",
				"max-age=63072000; includeSubDomains");
	MHD_add_response_header(resp, "Content-Security-Policy",
				page ? csp_page : csp_api);
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

static enum MHD_Result
send_reply(struct request *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *text = NULL;

	if (r->raw != NULL) {
		resp = MHD_create_response_from_buffer(
			r->raw_len, (void *)(uintptr_t)r->raw,
			MHD_RESPMEM_PERSISTENT);
	} else {
		if (r->reply == NULL)
			r->reply = json_object();
		text = json_dumps(r->reply, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text == NULL)
			text = strdup("{}");
		resp = MHD_create_response_from_buffer(
			text != NULL ? strlen(text) : 0, text,
			MHD_RESPMEM_MUST_FREE);
	}
	if (resp == NULL)
		return MHD_NO;
	add_security_headers(resp, r->raw != NULL && r->html);
	if (r->raw != NULL && r->sandbox) {
		MHD_del_response_header(resp, "Content-Security-Policy",
					csp_api);
		MHD_add_response_header(resp, "Content-Security-Policy",
					"default-src 'none'; sandbox; "
					"frame-ancestors 'none'");
	}
	if (r->disposition != NULL)
		MHD_add_response_header(resp, "Content-Disposition",
					r->disposition);
	MHD_add_response_header(resp, "Content-Type",
				r->raw != NULL ? r->content_type
					       : "application/json; charset=utf-8");
	MHD_add_response_header(resp, "X-Request-Id", r->request_id);
	for (size_t i = 0; i < 2; i++)
		if (r->cookies[i] != NULL)
			MHD_add_response_header(resp, "Set-Cookie",
						r->cookies[i]);
	if (r->retry_after > 0) {
		char ra[24];

		snprintf(ra, sizeof(ra), "%lld", (long long)r->retry_after);
		MHD_add_response_header(resp, "Retry-After", ra);
	}
	if (r->allow[0] != '\0')
		MHD_add_response_header(resp, "Allow", r->allow);
	if (r->status == 0)
		r->status = 200;
	ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	log_request(r);
	/* The connection goes back to the pool as soon as the reply is
	 * queued. */
	if (r->db != NULL) {
		store_release(r->app->store, r->db);
		r->db = NULL;
	}
	return ret;
}

static enum MHD_Result
send_error(struct request *r, int err)
{
	reply_error(r, err);
	return send_reply(r);
}

/* --- pipeline ---------------------------------------------------------- */

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

static int
authenticate(struct request *r)
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
	if (!s.mfa && !(r->route->flags & ROUTE_ALLOW_NO_MFA))
		return -GH_MFA_NOT_ENROLLED;
	if (r->route->auth == AUTH_CUSTOMER)
		return realm == REALM_CUSTOMER ? 0 : -GH_FORBIDDEN;
	if (realm != REALM_STAFF || role_rank(s.role) < (int)r->route->auth)
		return -GH_FORBIDDEN;
	return 0;
}

static int
is_safe_method(const char *m)
{
	return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

/*
 * CSRF: a state-changing request must not come from another site (Origin
 * and Sec-Fetch-Site, when sent, must be ours) and, once there is a
 * session, must carry the session's X-CSRF-Token.
 */
static int
check_csrf(struct request *r)
{
	const char *origin = request_header(r, "Origin");
	const char *site = request_header(r, "Sec-Fetch-Site");
	const char *ours = r->listener == LISTEN_STAFF
				   ? r->app->cfg.staff_origin
				   : r->app->cfg.public_origin;
	const char *given;
	char want[CRYPTO_TOKEN_CHARS + 1];

	if (is_safe_method(r->method))
		return 0;
	if (origin != NULL && strcmp(origin, ours) != 0)
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

static int
check_content_type(struct request *r)
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

static int
dispatch(struct request *r)
{
	int rc;

	if (r->body_too_large)
		return -GH_BODY_TOO_LARGE;
	rc = check_content_type(r);
	if (rc < 0)
		return rc;
	if (r->route->auth != AUTH_NONE) {
		rc = authenticate(r);
		if (rc < 0)
			return rc;
	}
	rc = check_csrf(r);
	if (rc < 0) {
		log_event(LOG_WARN, "security.csrf_refused",
			  json_pack("{s:s, s:s}", "request_id", r->request_id,
				    "route", r->route->pattern));
		return rc;
	}
	return r->route->handler(r);
}

static enum MHD_Result
first_call(struct request *r, struct MHD_Connection *c, const char *url,
	   const char *method)
{
	const char *cl;

	r->conn = c;
	{
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
			c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

		snprintf(r->ip, sizeof(r->ip), "?");
		if (sa != NULL && sa->sa_family == AF_INET)
			inet_ntop(AF_INET,
				  &((const struct sockaddr_in *)(const void *)sa)
					   ->sin_addr,
				  r->ip, sizeof(r->ip));
		else if (sa != NULL && sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6,
				  &((const struct sockaddr_in6 *)(const void *)sa)
					   ->sin6_addr,
				  r->ip, sizeof(r->ip));
	}
	snprintf(r->method, sizeof(r->method), "%s", method);
	if (r->error == GH_URI_TOO_LONG || strlen(url) >= sizeof(r->path))
		return send_error(r, -GH_URI_TOO_LONG);
	if (r->error == GH_BAD_URL)
		return send_error(r, -GH_BAD_URL);
	snprintf(r->path, sizeof(r->path), "%s", url);
	r->route = router_match(api_routes, r->listener, r->method, r->path,
				r->params, &r->n_params, r->allow,
				sizeof(r->allow));
	if (r->route == NULL) {
		if (r->allow[0] != '\0')
			return send_error(r, -GH_METHOD_NOT_ALLOWED);
		if (is_safe_method(r->method) &&
		    static_lookup(r) == 0)
			return send_reply(r);
		return send_error(r, -GH_NOT_FOUND);
	}
	cl = request_header(r, "Content-Length");
	if (cl != NULL) {
		char *end = NULL;
		unsigned long long n;

		errno = 0;
		n = strtoull(cl, &end, 10);
		if (errno != 0 || end == cl || *end != '\0')
			return send_error(r, -GH_BAD_REQUEST);
		if (n > r->route->body_max ||
		    n > (unsigned long long)r->app->cfg.max_body_bytes)
			return send_error(r, -GH_BODY_TOO_LARGE);
	}
	return MHD_YES;
}

static enum MHD_Result
on_access(void *cls, struct MHD_Connection *c, const char *url,
	  const char *method, const char *version, const char *upload,
	  size_t *upload_size, void **con_cls)
{
	struct request *r = *con_cls;
	int rc;

	(void)cls;
	(void)version;
	if (r == NULL)
		return MHD_NO;
	if (r->conn == NULL)
		return first_call(r, c, url, method);
	if (*upload_size > 0) {
		size_t n = *upload_size;
		size_t limit = r->route->body_max;

		*upload_size = 0;
		if (r->body_too_large || r->body_len + n > limit) {
			/* Chunked body over the limit: read and drop the
			 * rest, answer 413 at the end. */
			r->body_too_large = 1;
			return MHD_YES;
		}
		if (r->body_len + n + 1 > r->body_cap) {
			size_t cap = r->body_cap ? r->body_cap : 1024;
			char *nb;

			while (cap < r->body_len + n + 1)
				cap *= 2;
			nb = realloc(r->body, cap);
			if (nb == NULL)
				return MHD_NO;
			r->body = nb;
			r->body_cap = cap;
		}
		memcpy(r->body + r->body_len, upload, n);
		r->body_len += n;
		r->body[r->body_len] = '\0';
		return MHD_YES;
	}
	rc = dispatch(r);
	if (rc < 0) {
		if (err_status(rc) >= 500)
			log_event(LOG_ERROR, "http.internal",
				  json_pack("{s:s, s:s}", "request_id",
					    r->request_id, "route",
					    r->route->pattern));
		return send_error(r, rc);
	}
	return send_reply(r);
}

/* --- listeners ---------------------------------------------------------- */

static enum MHD_Result
staff_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
	struct server *srv = cls;
	const struct config *cfg = &srv->app->cfg;
	int ok = 0;

	if (addr->sa_family == AF_INET &&
	    len >= (socklen_t)sizeof(struct sockaddr_in))
		ok = cidr_contains(
			cfg->staff_networks, cfg->n_staff_networks, AF_INET,
			(const unsigned char *)&((const struct sockaddr_in *)(const void *)addr)
				->sin_addr);
	else if (addr->sa_family == AF_INET6 &&
		 len >= (socklen_t)sizeof(struct sockaddr_in6))
		ok = cidr_contains(
			cfg->staff_networks, cfg->n_staff_networks, AF_INET6,
			((const struct sockaddr_in6 *)(const void *)addr)
				->sin6_addr.s6_addr);
	if (!ok)
		log_event(LOG_WARN, "security.staff_network_refused", NULL);
	return ok ? MHD_YES : MHD_NO;
}

/* MHD's logger hands us its own printf format: trusted, not input. */
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wformat-nonliteral"
#elif defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_event(LOG_DEBUG, "mhd", json_pack("{s:s}", "msg", msg));
}
#if defined(__clang__)
#pragma clang diagnostic pop
#elif defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

int
server_parse_addr(const char *text, void *out, unsigned *len_out)
{
	struct sockaddr_storage *ss = out;
	char host[128];
	const char *colon;
	const char *port_s;
	char *end = NULL;
	long port;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		hl = (size_t)(close - text - 1);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, text + 1, hl);
		host[hl] = '\0';
		port_s = close + 2;
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL)
			return -1;
		hl = (size_t)(colon - text);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, text, hl);
		host[hl] = '\0';
		port_s = colon + 1;
	}
	errno = 0;
	port = strtol(port_s, &end, 10);
	if (errno != 0 || end == port_s || *end != '\0' || port < 0 ||
	    port > 65535)
		return -1;
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	{
		struct sockaddr_in *v4 = out;
		struct sockaddr_in6 *v6 = out;

		if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
			v4->sin_family = AF_INET;
			v4->sin_port = htons((uint16_t)port);
			*len_out = sizeof(*v4);
			return 0;
		}
		if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
			v6->sin6_family = AF_INET6;
			v6->sin6_port = htons((uint16_t)port);
			*len_out = sizeof(*v6);
			return 0;
		}
	}
	return -1;
}

static int
listener_start(struct server *srv, struct listener *l, const char *addr,
	       char *err, size_t errsz)
{
	const struct config *cfg = &srv->app->cfg;
	unsigned alen = 0;
	unsigned flags = MHD_USE_TLS | MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG;

	l->srv = srv;
	if (server_parse_addr(addr, &l->addr, &alen) < 0) {
		snprintf(err, errsz, "'%s' is not ADDRESS:PORT", addr);
		return -1;
	}
	if (l->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	l->d = MHD_start_daemon(
		flags, 0, l->kind == LISTEN_STAFF ? staff_accept : NULL, srv,
		on_access, l,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&l->addr,
		MHD_OPTION_HTTPS_MEM_KEY, srv->key,
		MHD_OPTION_HTTPS_MEM_CERT, srv->cert,
		MHD_OPTION_HTTPS_PRIORITIES, server_tls_priority,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, l,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HEADER_MEMORY,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned)cfg->per_ip_connections,
		MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)cfg->connection_timeout,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_END);
	if (l->d == NULL) {
		snprintf(err, errsz,
			 "cannot listen on %s (in use, not permitted, or the TLS "
			 "key/certificate is unusable)",
			 addr);
		return -1;
	}
	return 0;
}

int
server_start(struct app *app, const char *listen, const char *staff,
	     struct server **out, char *err, size_t errsz)
{
	struct server *srv = calloc(1, sizeof(*srv));
	char path[CONFIG_STR_MAX + 64];

	*out = NULL;
	if (srv == NULL)
		return -1;
	srv->app = app;
	srv->pub.kind = LISTEN_PUBLIC;
	srv->staff.kind = LISTEN_STAFF;
	if (config_path(&app->cfg, app->cfg.tls_cert, path, sizeof(path)) == 0)
		srv->cert = x509_read_file(path, NULL);
	if (config_path(&app->cfg, app->cfg.tls_key, path, sizeof(path)) == 0)
		srv->key = x509_read_file(path, &srv->key_len);
	if (srv->cert == NULL || srv->key == NULL) {
		snprintf(err, errsz, "cannot read the TLS certificate or key");
		goto fail;
	}
	if (listener_start(srv, &srv->pub, listen, err, errsz) < 0)
		goto fail;
	if (listener_start(srv, &srv->staff, staff, err, errsz) < 0)
		goto fail;
	/* The daemons hold their own copies now. */
	crypto_wipe(srv->key, srv->key_len);
	*out = srv;
	return 0;
fail:
	server_stop(srv);
	return -1;
}

void
server_stop(struct server *srv)
{
	struct listener *ls[2];

	if (srv == NULL)
		return;
	ls[0] = &srv->pub;
	ls[1] = &srv->staff;
	for (int i = 0; i < 2; i++)
		if (ls[i]->d != NULL)
			MHD_quiesce_daemon(ls[i]->d);
	/* Let requests in flight finish: up to 10 s. */
	for (int tries = 0; tries < 100; tries++) {
		unsigned busy = 0;

		for (int i = 0; i < 2; i++) {
			const union MHD_DaemonInfo *di;

			if (ls[i]->d == NULL)
				continue;
			di = MHD_get_daemon_info(ls[i]->d,
						 MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
			if (di != NULL)
				busy += di->num_connections;
		}
		if (busy == 0)
			break;
		usleep(100000);
	}
	for (int i = 0; i < 2; i++)
		if (ls[i]->d != NULL)
			MHD_stop_daemon(ls[i]->d);
	if (srv->key != NULL) {
		crypto_wipe(srv->key, srv->key_len);
		free(srv->key);
	}
	free(srv->cert);
	free(srv);
}
