/*
 * Readiness and the audit gauges (health.h). The invariant: every answer
 * comes from a real round trip to the store made now, never from a value
 * remembered at start, so a node whose database went away stops saying
 * it is ready at the next probe.
 */
#include "core/health.h"

#include <string.h>

#include "util/errors.h"

unsigned
health_ready(struct app *app, int timeout_ms)
{
	unsigned failed = 0;
	int version = 0;

	if (app->store == NULL ||
	    store_ping(app->store, timeout_ms, &version) < 0)
		failed |= HEALTH_STORE;
	else if (version != store_schema_newest(app->store))
		failed |= HEALTH_MIGRATIONS;
	if (app->keys == NULL || crypto_keys_current(app->keys) == 0)
		failed |= HEALTH_KEYS;
	return failed;
}

int
health_audit(struct app *app, int timeout_ms, struct health_audit *out)
{
	struct store_conn *c;
	struct audit_cp cp;
	int rc;

	memset(out, 0, sizeof(*out));
	c = store_acquire_within(app->store, timeout_ms);
	if (c == NULL)
		return -GH_UNAVAILABLE;
	rc = c->ops->audit_count(c, &out->records);
	if (rc == 0) {
		rc = c->ops->audit_checkpoint_newest(c, &cp);
		if (rc == 0) {
			out->have_checkpoint = 1;
			out->checkpoint_size = cp.size;
			out->checkpoint_created = cp.created;
		} else if (rc == -GH_NOT_FOUND) {
			rc = 0;
		}
	}
	store_release(app->store, c);
	return rc < 0 ? -GH_UNAVAILABLE : 0;
}
