/*
 * Files of phishing drills (core/drills.h): the template's file is
 * analysed like any customer upload (attach_analyse) and stored sealed
 * with the drill ticket, so it looks and is judged like a real one; and
 * opening a file from the console goes through drills_open_attachment,
 * which for a drill's file records "attachment opened", assigns the
 * remedial module and answers the lesson instead of the file.
 *
 * Invariant: a drill's file holds nothing harmful (a short HTML page
 * without script or link), whatever its name says.
 */
#include "core/drills_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/training.h"
#include "crypto/crypto.h"
#include "util/errors.h"
#include "util/log.h"

/* What every drill file holds: an "invoice" page with no script, no form
 * and no link. */
static const char drill_file_body[] =
	"<!doctype html>\n<html><head><meta charset=\"utf-8\">"
	"<title>Invoice</title></head>\n<body><h1>Invoice</h1>\n"
	"<p>Amount due: EUR 4,870.00</p>\n</body></html>\n";

int
drills_file_prepare(const struct app *app, const struct drill_template *t,
		    struct drill_file *f)
{
	json_t *jr = json_array(), *jf = NULL;
	int rc;

	memset(f, 0, sizeof(*f));
	if (jr == NULL)
		return -GH_INTERNAL;
	if (t->attachment == NULL) {
		json_decref(jr);
		return 0;
	}
	f->name = t->attachment;
	f->data = (const unsigned char *)drill_file_body;
	f->len = sizeof(drill_file_body) - 1;
	rc = attach_analyse(f->name, f->data, f->len, NULL, &f->res);
	for (unsigned b = 0; rc == 0 && b < AR_COUNT_BITS; b++)
		if ((f->res.reasons & (1u << b)) != 0)
			json_array_append_new(
				jr, json_string(attach_reason_name(1u << b)));
	if (rc == 0)
		jf = attach_result_json(&f->res);
	f->reasons = json_dumps(jr, JSON_COMPACT);
	f->flagged = jf != NULL ? json_dumps(json_object_get(jf, "flagged"),
					     JSON_COMPACT)
				: NULL;
	json_decref(jr);
	json_decref(jf);
	crypto_sha256_hex(f->data, f->len, f->sha);
	(void)app;
	if (rc == 0 && (f->reasons == NULL || f->flagged == NULL))
		rc = -GH_INTERNAL;
	return rc;
}

int
drills_file_insert(struct app *app, struct store_conn *c,
		   const struct drill_file *f, int64_t ticket_id,
		   int64_t sender, int64_t now)
{
	struct attachment_new n;
	struct blob sealed = {NULL, 0};
	char ad[128];
	int rc;

	if (f->name == NULL)
		return 0;
	snprintf(ad, sizeof(ad), "attachment:%s:%lld", f->sha,
		 (long long)ticket_id);
	if (crypto_seal(app->keys, ad, f->data, f->len, &sealed.data,
			&sealed.len) < 0)
		return -GH_INTERNAL;
	n = (struct attachment_new){
		.ticket_id = ticket_id,
		.uploader_realm = REALM_CUSTOMER,
		.uploader_id = sender,
		.filename = f->name,
		.size = (int64_t)f->len,
		.sha256 = f->sha,
		.sniffed_type = f->res.mime,
		.verdict = attach_verdict_name(f->res.verdict),
		.reasons = f->reasons,
		.redactions = "[]",
		.flagged = f->flagged,
		.quarantined = f->res.verdict == ATTACH_DANGEROUS,
		.content = sealed,
		.created_at = now,
		.delete_after = 0,
	};
	rc = c->ops->attachment_insert(c, &n, NULL);
	blob_clear(&sealed);
	return rc;
}

void
drills_file_clear(struct drill_file *f)
{
	free(f->reasons);
	free(f->flagged);
	memset(f, 0, sizeof(*f));
}

/* --- opening a file -------------------------------------------------- */

struct file_ctx {
	struct app *app;
	const struct tk_actor *a;
	const struct drill_target *d;
	int64_t attachment_id, now;
};

static int
tx_file_open(struct store_conn *c, void *cls)
{
	struct file_ctx *x = cls;
	int target = x->d->staff_id == x->a->id;
	int rc = 0;

	if (target)
		rc = c->ops->drills.target_event(c, x->d->id,
						 DRILL_ATTACHMENT_OPENED,
						 x->now);
	if (rc == -GH_CONFLICT)
		rc = 0;
	if (rc == 0 && target)
		rc = training_assign_tx(x->app, c, x->a->id,
					DRILL_REMEDIAL_MODULE,
					"drill_attachment", x->now);
	if (rc == -GH_UNKNOWN_MODULE) {
		log_event(LOG_WARN, "drill.remedial_missing",
			  json_pack("{s:s}", "module", DRILL_REMEDIAL_MODULE));
		rc = 0;
	}
	if (rc == 0)
		rc = actor_audit(x->app, c, x->a, "drill.attachment_open",
				 "ticket", x->d->ticket_id, "success",
				 json_pack("{s:I, s:I, s:b}", "campaign",
					   (json_int_t)x->d->campaign_id,
					   "attachment",
					   (json_int_t)x->attachment_id,
					   "target", target));
	return rc;
}

int
drills_open_attachment(struct app *app, struct store_conn *c,
		       const struct tk_actor *a, int64_t attachment_id,
		       int64_t now, json_t **out)
{
	struct attachment_rec f;
	struct drill_target d;
	struct ticket_rec t;
	struct file_ctx x = {app, a, &d, attachment_id, now};
	const struct drill_template *tpl;
	int rc;

	*out = NULL;
	memset(&f, 0, sizeof(f));
	rc = c->ops->attachment_get(c, attachment_id, &f);
	if (rc == 0)
		rc = actor_ticket(c, a, f.ticket_id, &t);
	if (rc == 0 && f.quarantined)
		rc = -GH_QUARANTINED;
	if (rc == 0 && (t.drill_id <= 0 || f.uploader_realm != REALM_CUSTOMER))
		*out = json_pack("{s:b}", "drill", 0);
	else if (rc == 0)
		rc = c->ops->drills.target_by_ticket(c, t.id, &d);
	attachment_rec_clear(&f);
	if (rc < 0 || *out != NULL)
		return rc < 0 ? rc : 0;
	tpl = drills_template(d.template_id);
	if (tpl == NULL)
		return -GH_INTERNAL;
	rc = store_transact(c, tx_file_open, &x);
	if (rc == 0)
		*out = json_pack("{s:b, s:o}", "drill", 1, "lesson",
				 drills_lesson(tpl));
	if (rc == 0 && *out == NULL)
		rc = -GH_INTERNAL;
	return rc;
}
