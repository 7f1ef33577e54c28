/*
 * Uploads (see core/attachments.h): checked (size, name, the ticket's
 * visibility, before any work), cleaned (HAR session material, secrets in
 * text files), judged on what will be stored, sealed, and written with
 * its audit record in one transaction that checks the visibility again.
 * Nothing is stored when any step fails; cleaned copies are wiped. The
 * analysis (file type, archives, clamd), the cleaning and the sealing run
 * in attachments_upload_work, which touches no database, so a server can
 * run it on a worker pool (attachments_upload.h).
 */
#include "core/attachments.h"
#include "core/attachments_upload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/attachments_int.h"
#include "core/phish/attach.h"
#include "util/errors.h"
#include "util/log.h"
#include "util/metrics.h"

/* An upload on its way: the content as it will be stored (the original
 * or a cleaned copy), what was removed, and the verdict on it. */
struct upload {
	const unsigned char *data;  /* as sent (borrowed) */
	size_t len;
	const unsigned char *stored;
	size_t stored_len;
	char *har, *txt;            /* cleaned copies, wiped when freed */
	struct att_redactions red;
	struct attach_result res;
	int is_har;
};

static void
wipe_free(char *p)
{
	if (p != NULL) {
		crypto_wipe(p, strlen(p));
		free(p);
	}
}

static int
has_ext(const char *name, const char *ext)
{
	const char *dot = strrchr(name, '.');

	return dot != NULL && strcasecmp(dot + 1, ext) == 0;
}

static int
is_text(const char *mime)
{
	return strncmp(mime, "text/", 5) == 0 ||
	       strcmp(mime, "application/json") == 0;
}

/* Removes HAR session material: what is stored from here on. */
static int
clean_har(struct upload *u, const char *name)
{
	size_t n_har = 0;
	int rc = att_har_redact((const char *)u->data, u->len, &u->har, &n_har);

	if (rc < 0)
		return rc;
	u->is_har = rc == 1 || has_ext(name, "har");
	u->red.n[0] = n_har;
	if (u->har != NULL) {
		u->stored = (const unsigned char *)u->har;
		u->stored_len = strlen(u->har);
	}
	return 0;
}

/* Removes secrets from a text file (what it is: the analyser's verdict on
 * the original). */
static int
clean_text(struct upload *u, const struct dlp_engine *e)
{
	int rc;

	if (e == NULL || !is_text(u->res.mime))
		return 0;
	rc = att_text_redact(e, (const char *)u->stored, u->stored_len,
			     &u->txt, &u->red);
	if (rc < 0)
		return rc;
	if (u->txt != NULL) {
		u->stored = (const unsigned char *)u->txt;
		u->stored_len = strlen(u->txt);
	}
	return 0;
}

/*
 * The original goes to the analyser (and clamd) as sent; what is stored
 * is judged again once cleaned: removed session material no longer counts
 * against it, everything else (the name, the content type, programs,
 * macros) is still there to be found, and clamd's finding on the original
 * still stands.
 */
static int
judge(struct upload *u, const struct app *app, const char *name)
{
	struct attach_options opts;
	struct attach_result after;
	int rc;

	memset(&opts, 0, sizeof(opts));
	opts.max_size = (size_t)app->cfg.attach_max_bytes;
	opts.clamd_socket = app->cfg.attach_clamd_socket[0] != '\0'
				    ? app->cfg.attach_clamd_socket
				    : NULL;
	rc = attach_analyse(name, u->data, u->len, &opts, &u->res);
	if (rc == 0)
		rc = clean_text(u, app->dlp);
	if (rc < 0 || u->stored == u->data)
		return rc;
	opts.clamd_socket = NULL;
	rc = attach_analyse(name, u->stored, u->stored_len, &opts, &after);
	if (rc < 0)
		return rc;
	if ((u->res.reasons & AR_MALWARE) != 0) {
		after.reasons |= AR_MALWARE;
		after.verdict = ATTACH_DANGEROUS;
		memcpy(after.malware, u->res.malware, sizeof(after.malware));
	}
	memcpy(after.mime, u->res.mime, sizeof(after.mime));
	u->res = after;
	return 0;
}

/* The verdict's reasons and what was removed, as stored (JSON text). */
static int
verdict_texts(const struct upload *u, char **reasons, char **redactions,
	      char **flagged)
{
	json_t *jr = json_array(), *jd = json_array();
	json_t *jf = attach_result_json(&u->res);

	for (unsigned b = 0; jr != NULL && b < AR_COUNT_BITS; b++)
		if ((u->res.reasons & (1u << b)) != 0)
			json_array_append_new(
				jr, json_string(attach_reason_name(1u << b)));
	for (int i = 0; jd != NULL && i < ATT_REDACT_TYPES; i++)
		if (u->red.n[i] > 0)
			json_array_append_new(
				jd, json_pack("{s:s, s:I}", "type",
					      att_redact_types[i], "count",
					      (json_int_t)u->red.n[i]));
	*reasons = jr != NULL ? json_dumps(jr, JSON_COMPACT) : NULL;
	*redactions = jd != NULL ? json_dumps(jd, JSON_COMPACT) : NULL;
	*flagged = jf != NULL ? json_dumps(json_object_get(jf, "flagged"),
					   JSON_COMPACT)
			      : NULL;
	json_decref(jr);
	json_decref(jd);
	json_decref(jf);
	return *reasons != NULL && *redactions != NULL && *flagged != NULL
		       ? 0
		       : -GH_INTERNAL;
}

struct up_ctx {
	struct app *app;
	const struct tk_actor *a;
	struct attachment_new n;
	char name[1024];
	char sha[CRYPTO_HASH_HEX];
	char *reasons, *redactions, *flagged;
	const char *mime;
	const char *malware;
	int64_t id;
};

/* The row to store for u, its content sealed (AD
 * "attachment:<sha256>:<ticket_id>"). */
static int
record_of(struct up_ctx *x, const struct upload *u, int64_t ticket_id)
{
	const struct app *app = x->app;
	int64_t now = (int64_t)time(NULL);
	int64_t keep = app->cfg.attach_har_retention_days * 86400;
	struct blob sealed = {NULL, 0};
	char ad[128];
	int rc;

	rc = verdict_texts(u, &x->reasons, &x->redactions, &x->flagged);
	if (rc < 0)
		return rc;
	crypto_sha256_hex(u->stored, u->stored_len, x->sha);
	snprintf(ad, sizeof(ad), "attachment:%s:%lld", x->sha,
		 (long long)ticket_id);
	if (crypto_seal(app->keys, ad, u->stored, u->stored_len, &sealed.data,
			&sealed.len) < 0)
		return -GH_INTERNAL;
	x->n = (struct attachment_new){
		.ticket_id = ticket_id,
		.uploader_realm = x->a->realm,
		.uploader_id = x->a->id,
		.filename = x->name,
		.size = (int64_t)u->stored_len,
		.sha256 = x->sha,
		.sniffed_type = u->res.mime,
		.verdict = attach_verdict_name(u->res.verdict),
		.reasons = x->reasons,
		.redactions = x->redactions,
		.flagged = x->flagged,
		.quarantined = u->res.verdict == ATTACH_DANGEROUS,
		.content = sealed,
		.created_at = now,
		.delete_after = u->is_har ? now + keep : 0,
	};
	x->mime = u->res.mime;
	x->malware = u->res.malware[0] != '\0' ? u->res.malware : NULL;
	return 0;
}

static int
tx_upload(struct store_conn *c, void *cls)
{
	struct up_ctx *x = cls;
	int rc;

	rc = actor_ticket(c, x->a, x->n.ticket_id, NULL);
	if (rc < 0)
		return rc;
	rc = c->ops->attachment_insert(c, &x->n, &x->id);
	if (rc < 0)
		return rc;
	return att_audit(
		x->app, c, x->a, "attachment.upload", x->id, "success",
		json_pack("{s:I, s:s, s:o, s:o, s:b, s:I, s:s, s:s, s:o, s:s?}",
			  "ticket", (json_int_t)x->n.ticket_id, "verdict",
			  x->n.verdict, "reasons",
			  json_loads(x->n.reasons, 0, NULL), "redactions",
			  json_loads(x->n.redactions, 0, NULL), "quarantined",
			  x->n.quarantined, "size", (json_int_t)x->n.size,
			  "sha256", x->n.sha256, "type", x->mime,
			  "delete_after",
			  x->n.delete_after > 0
				  ? json_integer(x->n.delete_after)
				  : json_null(),
			  "malware", x->malware));
}

/* An upload between its steps (attachments_upload.h). */
struct att_upload_job {
	struct tk_actor a;          /* borrowed strings, until finish */
	int64_t ticket_id;
	unsigned char *data;        /* as sent (owned, wiped when freed) */
	size_t len;
	struct upload u;
	struct up_ctx x;
	int work_rc;
};

/* Refuses early (before any work): the actor, the size, the name, and a
 * ticket the actor may not see. */
static int
upload_checks(struct app *app, struct store_conn *c, struct up_ctx *x,
	      int64_t ticket_id, const char *filename,
	      const unsigned char *data, size_t len)
{
	int rc;

	if (x->a->id <= 0)
		return -GH_FORBIDDEN;
	if (len > (size_t)app->cfg.attach_max_bytes)
		return -GH_BODY_TOO_LARGE;
	if (data == NULL || len == 0)
		return -GH_BAD_FIELD;
	rc = attachments_clean_name(filename, x->name, sizeof(x->name));
	if (rc < 0)
		return rc;
	return actor_ticket(c, x->a, ticket_id, NULL);
}

void
attachments_upload_free(struct att_upload_job *j)
{
	if (j == NULL)
		return;
	blob_clear(&j->x.n.content);
	free(j->x.reasons);
	free(j->x.redactions);
	free(j->x.flagged);
	wipe_free(j->u.har);
	wipe_free(j->u.txt);
	if (j->data != NULL) {
		crypto_wipe(j->data, j->len);
		free(j->data);
	}
	free(j);
}

int
attachments_upload_begin(struct app *app, struct store_conn *c,
			 const struct tk_actor *a, int64_t ticket_id,
			 const char *filename, unsigned char *data,
			 size_t len, struct att_upload_job **out)
{
	struct att_upload_job *j = calloc(1, sizeof(*j));
	int rc;

	*out = NULL;
	if (j == NULL) {
		if (data != NULL)
			crypto_wipe(data, len);
		free(data);
		return -GH_INTERNAL;
	}
	j->a = *a;
	j->ticket_id = ticket_id;
	j->data = data;
	j->len = len;
	j->u = (struct upload){.data = data, .len = len, .stored = data,
			       .stored_len = len};
	j->x = (struct up_ctx){.app = app, .a = &j->a};
	rc = upload_checks(app, c, &j->x, ticket_id, filename, data, len);
	if (rc < 0)
		attachments_upload_free(j);
	else
		*out = j;
	return rc;
}

void
attachments_upload_work(struct att_upload_job *j)
{
	int rc = clean_har(&j->u, j->x.name);

	if (rc == 0)
		rc = judge(&j->u, j->x.app, j->x.name);
	if (rc == 0)
		rc = record_of(&j->x, &j->u, j->ticket_id);
	j->work_rc = rc;
}

int
attachments_upload_finish(struct store_conn *c, struct att_upload_job *j,
			  struct attachment_rec *out, char *notice)
{
	struct up_ctx *x = &j->x;
	int rc = j->work_rc;

	memset(out, 0, sizeof(*out));
	notice[0] = '\0';
	if (rc == 0)
		rc = store_transact(c, tx_upload, x);
	if (rc == 0)
		rc = c->ops->attachment_get(c, x->id, out);
	if (rc < 0) {
		attachment_rec_clear(out);
		return rc;
	}
	blob_clear(&out->content);
	attachments_notice(out, notice);
	if (x->n.quarantined)
		metrics_inc(METRIC_ATTACHMENTS_QUARANTINED);
	if (x->n.quarantined)
		log_event(LOG_INFO, "attachment.quarantined",
			  json_pack("{s:I, s:I, s:s?}", "attachment",
				    (json_int_t)x->id, "ticket",
				    (json_int_t)j->ticket_id, "request_id",
				    j->a.request_id));
	return 0;
}

int
attachments_upload(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, int64_t ticket_id,
		   const char *filename, const unsigned char *data, size_t len,
		   struct attachment_rec *out, char *notice)
{
	struct att_upload_job *j = NULL;
	unsigned char *copy = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	notice[0] = '\0';
	if (data != NULL && len > 0) {
		copy = malloc(len);
		if (copy == NULL)
			return -GH_INTERNAL;
		memcpy(copy, data, len);
	}
	rc = attachments_upload_begin(app, c, a, ticket_id, filename, copy,
				      copy != NULL ? len : 0, &j);
	if (rc < 0)
		return rc;
	attachments_upload_work(j);
	rc = attachments_upload_finish(c, j, out, notice);
	attachments_upload_free(j);
	return rc;
}
