/*
 * Downloads and releases of attachments (see core/attachments.h). A
 * quarantined file is handed to nobody, and the refusal is audited; a
 * download is audited in the transaction that reads it, and that record
 * commits only when the content opens. Only an admin releases a
 * quarantined file, with a reason, audited.
 */
#include "core/attachments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/attachments_int.h"
#include "util/errors.h"
#include "util/log.h"
#include "util/utf8.h"

/* --- download ----------------------------------------------------------- */

struct fetch_ctx {
	struct app *app;
	const struct tk_actor *a;
	int64_t id;
	int64_t ticket_id;
	struct attachment_rec *rec;
};

static int
tx_fetch(struct store_conn *c, void *cls)
{
	struct fetch_ctx *x = cls;
	int rc;

	attachment_rec_clear(x->rec);
	rc = c->ops->attachment_get(c, x->id, x->rec);
	if (rc < 0)
		return rc;
	rc = actor_ticket(c, x->a, x->rec->ticket_id, NULL);
	if (rc < 0)
		return rc;
	if (x->rec->quarantined)
		return -GH_QUARANTINED;
	return att_audit(x->app, c, x->a, "attachment.download", x->id,
			 "success",
			 json_pack("{s:I, s:s}", "ticket",
				   (json_int_t)x->rec->ticket_id, "sha256",
				   x->rec->sha256));
}

static int
tx_fetch_denied(struct store_conn *c, void *cls)
{
	struct fetch_ctx *x = cls;

	return att_audit(x->app, c, x->a, "attachment.download", x->id,
			 "denied",
			 json_pack("{s:I, s:s}", "ticket",
				   (json_int_t)x->ticket_id, "reason",
				   "quarantined"));
}

int
attachments_fetch(struct app *app, struct store_conn *c,
		  const struct tk_actor *a, int64_t id,
		  struct attachment_rec *rec, unsigned char **data, size_t *len)
{
	struct fetch_ctx x = {app, a, id, 0, rec};
	char ad[128];
	char *plain = NULL;
	size_t plen = 0;
	int rc;

	memset(rec, 0, sizeof(*rec));
	*data = NULL;
	*len = 0;
	if (!actor_is_staff(a))
		return -GH_FORBIDDEN;
	/* The audit record commits only if the content opens below; a
	 * failure to open is our bug and is logged. */
	rc = store_transact(c, tx_fetch, &x);
	if (rc == -GH_QUARANTINED) {
		x.ticket_id = rec->ticket_id;
		attachment_rec_clear(rec);
		rc = store_transact(c, tx_fetch_denied, &x);
		memset(rec, 0, sizeof(*rec));
		return rc < 0 ? rc : -GH_QUARANTINED;
	}
	if (rc < 0)
		goto out;
	snprintf(ad, sizeof(ad), "attachment:%s:%lld", rec->sha256,
		 (long long)rec->ticket_id);
	if (crypto_open(app->keys, ad, rec->content.data, rec->content.len,
			&plain, &plen) < 0) {
		LOG_BUG("attachment content does not open");
		rc = -GH_INTERNAL;
		goto out;
	}
	*data = malloc(plen > 0 ? plen : 1);
	if (*data == NULL) {
		rc = -GH_INTERNAL;
		goto out;
	}
	memcpy(*data, plain, plen);
	*len = plen;
	rc = 0;
out:
	crypto_secret_free(plain);
	blob_clear(&rec->content);
	if (rc < 0)
		memset(rec, 0, sizeof(*rec));
	return rc;
}

/* --- release ------------------------------------------------------------------ */

struct rel_ctx {
	struct app *app;
	const struct tk_actor *a;
	int64_t id;
	const char *reason;
	int64_t now;
};

static int
tx_release(struct store_conn *c, void *cls)
{
	struct rel_ctx *x = cls;
	struct attachment_rec r;
	int rc;

	rc = c->ops->attachment_get(c, x->id, &r);
	if (rc < 0)
		return rc;
	blob_clear(&r.content);
	if (!r.quarantined)
		return -GH_BAD_STATE;
	rc = c->ops->attachment_release(c, x->id, x->a->id, x->now);
	if (rc == -GH_CONFLICT)
		return -GH_BAD_STATE;
	if (rc < 0)
		return rc;
	return att_audit(x->app, c, x->a, "attachment.release", x->id,
			 "success",
			 json_pack("{s:I, s:s, s:o, s:s}", "ticket",
				   (json_int_t)r.ticket_id, "verdict",
				   r.verdict, "reasons",
				   json_loads(r.reasons, 0, NULL), "reason",
				   x->reason));
}

int
attachments_release(struct app *app, struct store_conn *c,
		    const struct tk_actor *a, int64_t id, const char *reason,
		    struct attachment_rec *out)
{
	struct rel_ctx x = {app, a, id, reason, (int64_t)time(NULL)};
	int64_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!actor_is_admin(a))
		return -GH_FORBIDDEN;
	if (reason == NULL)
		return -GH_BAD_FIELD;
	n = utf8_check(reason, strlen(reason), 0);
	if (n < 0)
		return -GH_BAD_UTF8;
	if (n < ATTACH_RELEASE_MIN || n > ATTACH_RELEASE_MAX)
		return -GH_BAD_FIELD;
	rc = store_transact(c, tx_release, &x);
	if (rc < 0)
		return rc;
	rc = c->ops->attachment_get(c, id, out);
	blob_clear(&out->content);
	return rc;
}
