/*
 * The two HTTPS listeners of one process (libmicrohttpd with GnuTLS): the
 * public one serves the customer portal and API, the staff one the console
 * and staff API and accepts connections only from cfg.staff_networks. Both
 * run the same pipeline: route, body limit, session, CSRF, handler, reply
 * with security headers, one log line.
 */
#ifndef GH_HTTP_SERVER_H
#define GH_HTTP_SERVER_H

#include "core/app.h"

struct server;

/*
 * Starts both listeners with the TLS key and certificate named in the
 * config. Returns 0 or -1 with a reason in err.
 */
int server_start(struct app *app, const char *listen, const char *staff,
		 struct server **out, char *err, size_t errsz);

/* Stops accepting, lets requests in flight finish (up to a few seconds),
 * then stops both listeners and frees the server. */
void server_stop(struct server *srv);

/* Parses "HOST:PORT" or "[V6]:PORT" into a socket address. 0 or -1. */
int server_parse_addr(const char *text, void *sockaddr_storage_out,
		      unsigned *len_out);

/* 1 when a URL as received (before percent-decoding) holds no control
 * character (0x00-0x1f, 0x7f), neither raw nor percent-encoded; 0
 * otherwise. Such a URL is answered 400 bad_url before routing. */
int server_uri_clean(const char *uri);

/* The TLS 1.3 + 1.2, AEAD-only GnuTLS priority string the listeners use. */
extern const char server_tls_priority[];

#endif
