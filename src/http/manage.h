/*
 * The management listener (issue 16, Operations): plain HTTP, bound to
 * loopback by default ([server] manage_listen, `serve --manage-listen`),
 * with its own small libmicrohttpd daemon and threads, so it answers
 * while the public and staff listeners are saturated. It serves three
 * read-only endpoints, GET and HEAD only:
 *
 *   /healthz   200 {"status":"alive"} while the process runs;
 *   /readyz    200 {"status":"ready"} when the store answers, its schema
 *              is current and the keys are loaded, otherwise 503
 *              {"status":"not_ready","failed":[...]} (core/health.h);
 *   /metrics   the Prometheus text format 0.0.4 (util/metrics.h, and
 *              the audit gauges read from the store at scrape time).
 *
 * Any other method is 405, any other path 404, as errors of the registry.
 * Nothing it answers holds a secret or personal data.
 */
#ifndef GH_HTTP_MANAGE_H
#define GH_HTTP_MANAGE_H

#include <stddef.h>

#include "core/app.h"

struct manage;

/*
 * Starts the listener on addr ("ADDRESS:PORT"); "off" starts nothing
 * (*out NULL, 0). An address that is not loopback is logged at WARN (the
 * listener is plain HTTP). 0, or -1 with the reason in err.
 */
int manage_start(struct app *app, const char *addr, struct manage **out,
		 char *err, size_t errsz);

/* Stops the listener and frees it (NULL-safe). */
void manage_stop(struct manage *m);

#endif
