/*
 * Audit records of security-relevant refusals: a throttled login (429), a
 * CSRF failure, a wrong code at authenticator enrolment, a ticket outside
 * the agent's queues (404), a role too low (403) and the like. The HTTP
 * layer calls refusal_record() once for every request it refuses with one
 * of the codes refusal_is_security() names, so no handler can forget it.
 *
 * A flood cannot fill the disk. Records are limited twice, in memory:
 *  - per source (error code, address and actor): the first
 *    REFUSAL_BURST refusals of a window of REFUSAL_WINDOW seconds are
 *    recorded one by one, the rest only counted;
 *  - in all: at most REFUSAL_GLOBAL records per window, whatever the
 *    number of sources (a flood from many addresses), the rest counted.
 * What was counted and not recorded is summarised in one record
 * ("security.refusals_suppressed", with the count and the window) at the
 * next refusal after the window ends and at shutdown (refusal_flush()).
 * The counters are per process, so with N nodes the bound is N times as
 * large; they are a brake on volume, not state that must survive.
 *
 * A record never holds a secret or the request body: the code, the route
 * pattern, the target id, the actor and the address.
 */
#ifndef GH_CORE_REFUSAL_H
#define GH_CORE_REFUSAL_H

#include <stdint.h>

#include "core/app.h"
#include "store/store.h"

#define REFUSAL_WINDOW 60
#define REFUSAL_BURST 5
#define REFUSAL_GLOBAL 120

struct refusal {
	int err;                /* the error replied (negative or positive) */
	const char *actor;      /* "staff:3", "customer:9", "anonymous" */
	const char *route;      /* "POST /api/v1/tickets/{id}/replies" */
	int64_t target_id;      /* the first id in the path, 0: none */
	const char *ip;         /* may be NULL */
	const char *request_id; /* may be NULL */
};

/* Nonzero when a reply with error err is a security-relevant refusal. */
int refusal_is_security(int err);

/*
 * Records rf (when the limits allow; otherwise counts it) in a
 * transaction of its own on c, at time now (seconds). Returns 0, also
 * when the record was only counted, or a store error. Thread-safe.
 */
int refusal_record(struct app *app, struct store_conn *c,
		   const struct refusal *rf, int64_t now);

/* Writes the summaries of what is counted and not yet recorded (at
 * shutdown). Returns 0 or a store error. */
int refusal_flush(struct app *app, struct store_conn *c, int64_t now);

/* Forgets every counter (tests). */
void refusal_reset(void);

#endif
