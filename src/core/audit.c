/* Audit records: canonical JSON, leaf hash, append. */
#include "core/audit.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/errors.h"
#include "crypto/merkle.h"

int
audit_log(struct app *app, struct store_conn *c, struct audit_ev *ev)
{
	struct timespec ts;
	struct tm tm;
	char when[40];
	unsigned char leaf[32];
	json_t *rec;
	char *text;
	int rc;

	(void)app;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03ldZ",
		 ts.tv_nsec / 1000000);
	rec = json_pack("{s:i, s:s, s:s, s:s, s:s?, s:s, s:s?, s:s?}", "v", 1,
			"time", when, "actor", ev->actor, "action", ev->action,
			"target", ev->target, "outcome", ev->outcome, "ip",
			ev->ip, "request_id", ev->request_id);
	if (rec == NULL) {
		json_decref(ev->detail);
		ev->detail = NULL;
		return -GH_INTERNAL;
	}
	if (ev->detail != NULL)
		json_object_set_new(rec, "detail", ev->detail);
	ev->detail = NULL;
	text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(rec);
	if (text == NULL)
		return -GH_INTERNAL;
	merkle_leaf_hash(text, strlen(text), leaf);
	rc = c->ops->audit_append(c, text, leaf, NULL);
	free(text);
	return rc;
}
