/*
 * What the files of http/ share and nobody else sees: the server and
 * listener structures and the steps of the request pipeline, which run in
 * this order for every request:
 *
 *   conn.c      on_uri (request id, URL checks), first call (client
 *               address, route, declared body size), body chunks (the
 *               body cap), then dispatch:
 *   security.c  content type, session, CSRF (origin and token),
 *   api/        the route's handler,
 *   request.c   the reply, with security.c's headers, and one log line.
 *
 * server.c starts and stops the listeners that feed conn.c.
 */
#ifndef GH_HTTP_HTTP_INT_H
#define GH_HTTP_HTTP_INT_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <microhttpd.h>

#include "http/request.h"
#include "http/server.h"

struct listener {
	struct server *srv;
	enum listener_kind kind;
	struct MHD_Daemon *d;
	struct sockaddr_storage addr;
	struct admit *admit; /* admit.h: who is served at accept */
};

struct watch;

struct server {
	struct app *app;
	struct listener pub;
	struct listener staff;
	char *cert;
	char *key;
	size_t key_len;
	struct watch *watch;	   /* watch.c: header and body deadlines */
	unsigned threads;	   /* event-loop threads per listener */
	unsigned max_connections;  /* per listener, after the fd limit */
	atomic_int stopping;	   /* server_stop(): accept nobody new */
};

/* Microseconds of the monotonic clock. */
int64_t http_now_us(void);

/* conn.c: the libmicrohttpd callbacks of one listener (cls is the struct
 * listener). */
void *http_on_uri(void *cls, const char *uri, struct MHD_Connection *c);
enum MHD_Result http_on_access(void *cls, struct MHD_Connection *c,
			       const char *url, const char *method,
			       const char *version, const char *upload,
			       size_t *upload_size, void **con_cls);
void http_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
		       enum MHD_RequestTerminationCode toe);

/* watch.c: the header deadline and the minimum body rate (see there).
 * http_watch_start before the listeners start, http_watch_stop after
 * they stopped; 0 or -1. http_on_connection is the listeners'
 * MHD_OPTION_NOTIFY_CONNECTION (cls is the struct listener). conn.c
 * tells the watch where a request is: its headers are complete (the body
 * phase begins), n body bytes came, it is being handled, it ended (the
 * next request's header deadline begins). */
int http_watch_start(struct server *srv);
void http_watch_stop(struct server *srv);
void http_on_connection(void *cls, struct MHD_Connection *c,
			void **socket_context,
			enum MHD_ConnectionNotificationCode toe);
void http_watch_headers_done(struct MHD_Connection *c);
void http_watch_body(struct MHD_Connection *c, size_t n);
void http_watch_busy(struct MHD_Connection *c);
void http_watch_request_done(struct server *srv, struct MHD_Connection *c);

/* security.c: the checks dispatch runs before the handler. Each returns 0
 * or the error to reply with. */
int http_check_content_type(struct request *r);
int http_authenticate(struct request *r);
int http_check_csrf(struct request *r);
/* 1 for GET and HEAD, the methods that never change state. */
int http_safe_method(const char *method);
/* Adds the headers every reply carries; page selects the CSP of an HTML
 * page, sandbox the CSP of a user's file (never rendered). */
void http_security_headers(struct MHD_Response *resp, int page, int sandbox);

/* request.c: queues r's reply (JSON, or raw bytes) with its headers, logs
 * the request and returns the connection to the pool. */
enum MHD_Result http_send_reply(struct request *r);
/* Replaces r's reply by the registry's error err, then sends it. */
enum MHD_Result http_send_error(struct request *r, int err);

#endif
