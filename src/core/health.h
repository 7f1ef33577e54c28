/*
 * What the management listener (http/manage.h) asks of the rest of the
 * process (issue 16, Operations): whether this node is ready to serve,
 * and the audit log's size and the age of its newest signed checkpoint,
 * read from the store at the time of asking. Nothing here waits longer
 * than the bound it is given, and nothing it returns holds a secret.
 */
#ifndef GH_CORE_HEALTH_H
#define GH_CORE_HEALTH_H

#include <stdint.h>

#include "core/app.h"

/* The checks of readiness, as bits of health_ready's result. */
#define HEALTH_STORE 0x1u      /* the store answered a round trip */
#define HEALTH_MIGRATIONS 0x2u /* its schema is the newest compiled in */
#define HEALTH_KEYS 0x4u       /* the key ring is loaded and usable */

/*
 * Runs the checks: one round trip on a connection of the pool (the wait
 * for one and the round trip each bounded by timeout_ms), the schema
 * version the database holds against the newest this build knows, the
 * key ring. Returns the bits of the checks that failed; 0 when ready.
 * When the store fails, the migrations are not judged (not set).
 */
unsigned health_ready(struct app *app, int timeout_ms);

struct health_audit {
	int64_t records;	   /* audit records in the store */
	int have_checkpoint;	   /* 0: none signed yet */
	int64_t checkpoint_size;   /* tree size of the newest checkpoint */
	int64_t checkpoint_created; /* its time, Unix seconds */
};

/* Reads the audit gauges (waiting at most timeout_ms for a connection).
 * 0, or -GH_UNAVAILABLE. */
int health_audit(struct app *app, int timeout_ms, struct health_audit *out);

#endif
