/*
 * The HAR retention purge (see core/attachments.h): every attachment past
 * its delete_after goes, ATTACH_PURGE_BATCH rows per transaction, each
 * with its audit record in the transaction that deletes it, so a purge
 * stopped midway leaves no file deleted without its record.
 */
#include "core/attachments.h"

#include "core/attachments_int.h"
#include "util/log.h"

struct purge_ctx {
	struct app *app;
	int64_t now;
	size_t n;
};

static int
tx_purge(struct store_conn *c, void *cls)
{
	struct purge_ctx *x = cls;
	int64_t ids[ATTACH_PURGE_BATCH];
	int rc;

	x->n = 0;
	rc = c->ops->attachment_expired(c, x->now, ATTACH_PURGE_BATCH, ids,
					&x->n);
	for (size_t i = 0; rc == 0 && i < x->n; i++) {
		rc = c->ops->attachment_delete(c, ids[i]);
		if (rc == 0)
			rc = att_audit(x->app, c, NULL, "attachment.purge",
				       ids[i], "success",
				       json_pack("{s:s}", "reason",
						 "retention"));
	}
	return rc;
}

int
attachments_purge(struct app *app, struct store_conn *c, int64_t now,
		  int64_t *n_out)
{
	struct purge_ctx x = {app, now, 0};
	int64_t total = 0;
	int rc;

	if (n_out != NULL)
		*n_out = 0;
	do {
		rc = store_transact(c, tx_purge, &x);
		if (rc < 0)
			return rc;
		total += (int64_t)x.n;
	} while (x.n == ATTACH_PURGE_BATCH);
	if (total > 0)
		log_event(LOG_INFO, "attachment.purged",
			  json_pack("{s:I}", "count", (json_int_t)total));
	if (n_out != NULL)
		*n_out = total;
	return 0;
}
