/*
 * The request as handlers see it (request.h): headers, cookies and query
 * arguments read through libmicrohttpd, the database connection taken on
 * first use, and the reply, which is built in the request and sent once:
 * a JSON body (or an error from the registry, with the request id) or raw
 * bytes, always with the security headers, then one log line. Handlers
 * never touch libmicrohttpd themselves.
 */
#include "http/http_int.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "crypto/crypto.h"
#include "http/sse.h"
#include "util/errors.h"
#include "util/jsonenc.h"
#include "util/log.h"
#include "util/metrics.h"

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
		r->db = store_acquire_request(r->app->store);
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

/* Sets r's reply to the registry's error err (with the request id and any
 * error_extra). */
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

/* 1 when r's request line goes to the log: always for a server error
 * (security events have lines of their own); otherwise as [log] requests
 * says: off, all, or sample (one request in request_sample, counted
 * over the whole process). */
static int
log_wanted(const struct request *r)
{
	static atomic_ulong seen;
	const struct config *cfg = &r->app->cfg;

	if (r->status >= 500 || strcmp(cfg->log_requests, "all") == 0)
		return 1;
	if (strcmp(cfg->log_requests, "sample") != 0)
		return 0;
	return atomic_fetch_add(&seen, 1) %
		       (unsigned long)cfg->log_request_sample ==
	       0;
}

static void
log_request(struct request *r)
{
	char actor[48] = "-";

	if (!log_wanted(r))
		return;
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
			    "us", (json_int_t)(http_now_us() - r->started_us), "ip",
			    r->ip));
}

/* Counts r in the metrics: by the route's pattern ("static" for a file
 * of the front end, "unmatched" for anything else), never by the path. */
static void
count_request(const struct request *r)
{
	metrics_request(r->listener == LISTEN_STAFF ? "staff" : "public",
			r->route != NULL ? r->route->pattern
			: r->raw != NULL ? "static"
					 : "unmatched",
			r->method, r->status, http_now_us() - r->started_us);
}

enum MHD_Result
http_send_reply(struct request *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *text = NULL;
	size_t len = 0;

	if (r->stream != NULL)
		return sse_send(r) ? MHD_YES : MHD_NO;
	if (r->raw != NULL) {
		resp = MHD_create_response_from_buffer(
			r->raw_len, (void *)(uintptr_t)r->raw,
			MHD_RESPMEM_PERSISTENT);
	} else {
		if (r->reply == NULL)
			r->reply = json_object();
		text = jsonenc_dumps(r->reply, &len);
		if (text == NULL) {
			text = strdup("{}");
			len = text != NULL ? strlen(text) : 0;
		}
		resp = MHD_create_response_from_buffer(len, text,
						       MHD_RESPMEM_MUST_FREE);
	}
	if (resp == NULL)
		return MHD_NO;
	http_security_headers(resp, r->raw != NULL && r->html,
			      r->raw != NULL && r->sandbox);
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
	count_request(r);
	/* The connection goes back to the pool as soon as the reply is
	 * queued. */
	if (r->db != NULL) {
		store_release(r->app->store, r->db);
		r->db = NULL;
	}
	return ret;
}

enum MHD_Result
http_send_error(struct request *r, int err)
{
	reply_error(r, err);
	return http_send_reply(r);
}
