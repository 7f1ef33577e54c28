/*
 * Slow work off the server threads: a handler hands a job to a worker
 * pool (core/workpool.h) and returns; its connection is suspended
 * (libmicrohttpd's suspend/resume) until the job is done, then resumed,
 * and the next call for the request runs the job's finish step on a
 * server thread, which builds the reply as a handler would. While the job
 * runs the request holds no database connection and no server thread
 * (in the thread-per-connection mode only its own connection's thread).
 */
#ifndef GH_HTTP_DEFER_H
#define GH_HTTP_DEFER_H

#include "http/request.h"

struct workpool;

/* On a worker: the slow part. It must not touch the request, the
 * database or the reply; only its own argument. */
typedef void (*defer_work_fn)(void *arg);
/* On a server thread once the work is done: builds the reply like a
 * handler (0, or a -GH_* error to reply with). */
typedef int (*defer_finish_fn)(struct request *r, void *arg);
/* Frees arg; called exactly once, after finish or instead of it. */
typedef void (*defer_release_fn)(void *arg);

/*
 * Called by a handler, which then returns request_defer's result at once
 * without touching the reply. 0: the job is queued on pool, r's database
 * connection has been given back, and finish(r, arg) will build the reply
 * once work(arg) has run; release(arg) follows. -GH_SERVER_BUSY (the
 * pool's queue is full; Retry-After set on r) or -GH_UNAVAILABLE
 * (shutting down): nothing was queued and arg stays the caller's.
 */
int request_defer(struct request *r, struct workpool *pool,
		  defer_work_fn work, defer_finish_fn finish,
		  defer_release_fn release, void *arg);

/*
 * Before costly preparation (database work) for request_defer: 0 when
 * pool has room for a job now, else -GH_SERVER_BUSY with Retry-After set
 * on r (or -GH_INTERNAL without a pool). A flood that would be refused
 * anyway is refused before it touches the database.
 */
int request_defer_room(struct request *r, struct workpool *pool);

/* --- for http/conn.c and http/server.c only ----------------------------- */

/*
 * After the handler (or when a resumed request is called again): 0 when
 * r has no job or its job is done, the finish step having then run and
 * set *rc; 1 when the job still runs: r's connection is now suspended and
 * the access handler returns MHD_YES without a reply. (With a thread per
 * connection it waits for the job instead and never returns 1.)
 */
int defer_continue(struct request *r, int *rc);
/* Frees r's job state when the request ends (a job still running frees
 * its own when it completes). */
void defer_free(struct request *r);
/* Refuses new jobs (-GH_UNAVAILABLE) and waits until every job handed to
 * a pool has completed: before the daemons stop, so no job resumes a
 * connection that is gone. */
void defer_shutdown(void);

#endif
