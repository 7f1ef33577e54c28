/*
 * A bounded pool of worker threads for slow work (argon2id, mail, a virus
 * scan) that must not run on a server thread. N workers take jobs from a
 * queue of at most Q waiting jobs, oldest first; a submission to a full
 * queue is refused at once, never waited on, so a flood costs the flooder
 * an error reply instead of everyone a slot.
 *
 * A job is a function and its argument, plus a completion callback; both
 * run on the worker, one after the other. The pool never touches the
 * argument itself. Workers run at a lower priority (nice +10) than the
 * threads that answer requests.
 */
#ifndef GH_CORE_WORKPOOL_H
#define GH_CORE_WORKPOOL_H

#include <stddef.h>

struct workpool;

typedef void (*workpool_fn)(void *arg);

/*
 * Starts workers threads (1..64) over a queue of queue_max waiting jobs
 * (1..65536); name (copied, up to 15 bytes shown) names the threads. 0
 * with *out set, -GH_BAD_FIELD for a size out of range, -GH_INTERNAL when
 * the threads cannot start.
 */
int workpool_create(unsigned workers, unsigned queue_max, const char *name,
		    struct workpool **out);

/*
 * Queues work(arg) followed by done(arg) (done may be NULL). 0 when
 * queued: both will run exactly once, on a worker. -GH_SERVER_BUSY at once
 * when queue_max jobs are already waiting, -GH_UNAVAILABLE once the pool
 * is shutting down; neither function runs then and arg stays the
 * caller's.
 */
int workpool_submit(struct workpool *p, workpool_fn work, workpool_fn done,
		    void *arg);

/* 1 when a job submitted now would be queued (fewer than queue_max
 * waiting and not shutting down), else 0: a hint for refusing early,
 * before costly preparation; workpool_submit still decides. */
int workpool_has_room(struct workpool *p);

/* Jobs waiting plus jobs running at this moment. */
size_t workpool_load(struct workpool *p);

/*
 * Refuses new jobs, runs every job already queued (each work and done
 * exactly once), joins the workers and frees the pool. NULL is a no-op.
 */
void workpool_destroy(struct workpool *p);

#endif
