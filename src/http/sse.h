/*
 * Server-Sent Events streams (issue 15, part LIVE) on the epoll event
 * loop, without a thread per stream: a stream's reply is a response
 * whose content callback hands out what is queued for it and, when
 * nothing is, suspends its connection (libmicrohttpd suspend/resume); one
 * hub thread reads new events from the store (woken at once by
 * core/events.h for this node's changes, and every [live] poll_ms for
 * other nodes'), queues each stream the frames its recipient may see
 * (core/events.h's rule) and resumes it. A stream holds no database
 * connection and no server thread while it waits. The hub also sends a
 * heartbeat comment to an idle stream, re-checks each stream's session
 * (logout, expiry, a disabled account end the stream) and prunes old
 * events.
 *
 * Limits: [live] streams_per_session per session (429
 * too_many_streams beyond) and streams_per_listener per listener (503
 * streams_full). server_stop ends every stream before the daemons stop.
 */
#ifndef GH_HTTP_SSE_H
#define GH_HTTP_SSE_H

#include <stdint.h>

#include "core/events.h"
#include "http/request.h"

struct server;
struct sse_stream;

/*
 * Called by a handler as its last step (it then returns 0): r's reply
 * becomes an event stream for viewer v (copied), starting after event id
 * after (-1: from now on, nothing older). -GH_TOO_MANY_STREAMS,
 * -GH_STREAMS_FULL or -GH_UNAVAILABLE (shutting down): nothing changed,
 * the handler returns the error.
 */
int sse_open(struct request *r, const struct ev_viewer *v, int64_t after);

/* --- for http/ only --------------------------------------------------------- */

/* http_send_reply for a request with a stream: queues the stream's
 * response (text/event-stream, the security headers). */
int sse_send(struct request *r);
/* Starts the hub (server_start, before the listeners) and ends every
 * stream and the hub (server_stop, before the daemons stop; returns once
 * every stream has ended, or after a few seconds). 0 or -1. */
int sse_start(struct server *srv);
void sse_stop(struct server *srv);

#endif
