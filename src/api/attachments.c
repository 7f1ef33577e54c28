/*
 * Attachment endpoints. Customers (public listener) add files to their own
 * tickets and list their own uploads; staff (staff listener) add files to
 * and list the attachments of tickets they may see, download them as
 * attachments (never rendered inline: octet-stream, Content-Disposition
 * attachment with an RFC 6266 name, CSP sandbox), and admins release
 * quarantined ones. The file travels base64-encoded in a JSON body. What
 * may be seen, stored and handed out is decided in core/attachments.c.
 * An upload's analysis (file type, archives, clamd) runs on the scan
 * worker pool, never on a server thread (http/defer.h).
 */
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/quota.h"
#include "core/attachments.h"
#include "core/attachments_upload.h"
#include "crypto/crypto.h"
#include "http/defer.h"
#include "util/errors.h"
#include "util/log.h"

/* jspec's bound on the base64 text; the configured size limit is checked
 * here so that it answers 413 rather than 400. */
#define B64_FIELD_MAX ((int64_t)64 << 20)

/* What a customer sees of an upload. */
static json_t *
portal_json(const struct attachment_rec *r, int with_notice)
{
	json_t *o = json_pack(
		"{s:I, s:s, s:I, s:s, s:o, s:b, s:o, s:I, s:o}", "id",
		(json_int_t)r->id, "filename", r->filename, "size",
		(json_int_t)r->size, "verdict", r->verdict, "reasons",
		api_stored_array(r->reasons), "quarantined", r->quarantined,
		"redacted", api_stored_array(r->redactions), "created_at",
		(json_int_t)r->created_at,
		"delete_after",
		r->delete_after > 0 ? json_integer(r->delete_after)
				    : json_null());

	if (o != NULL && with_notice) {
		char notice[ATTACH_NOTICE_MAX];

		attachments_notice(r, notice);
		json_object_set_new(o, "notice", json_string(notice));
	}
	return o;
}

static json_t *
staff_json(const struct attachment_rec *r)
{
	json_t *o = portal_json(r, 0);

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "ticket_id", json_integer(r->ticket_id));
	json_object_set_new(o, "sha256", json_string(r->sha256));
	json_object_set_new(o, "type", json_string(r->sniffed_type));
	/* Which files inside an archive were flagged, and why (paths as the
	 * analyser cleaned them, never content). */
	json_object_set_new(o, "flagged", api_stored_array(r->flagged));
	json_object_set_new(
		o, "uploaded_by",
		json_pack("{s:s, s:I}", "realm",
			  r->uploader_realm == REALM_STAFF ? "staff"
							   : "customer",
			  "id", (json_int_t)r->uploader_id));
	json_object_set_new(
		o, "released",
		r->released_by > 0
			? json_pack("{s:I, s:I}", "by",
				    (json_int_t)r->released_by, "at",
				    (json_int_t)r->released_at)
			: json_null());
	return o;
}

/* The file of an upload's body, decoded into *data (malloc'd) within
 * [attachments] max_bytes. */
static int
upload_body(struct request *r, const char **filename, unsigned char **data,
	    size_t *len)
{
	const char *b64 = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("filename", filename, 1, 1024, JS_REQUIRED),
		JSPEC_STR("content_base64", &b64, 0, B64_FIELD_MAX,
			  JS_REQUIRED),
		JSPEC_END,
	};
	size_t max = (size_t)r->app->cfg.attach_max_bytes;
	char name[1024];
	size_t blen;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	rc = attachments_clean_name(*filename, name, sizeof(name));
	if (rc < 0)
		return api_field_error(r, rc, "filename");
	blen = strlen(b64);
	if (blen > (max + 2) / 3 * 4)
		return -GH_BODY_TOO_LARGE;
	if (crypto_b64_decode(b64, blen, max + 2, data, len) < 0)
		return api_field_error(r, -GH_BAD_FIELD, "content_base64");
	if (*len <= max && *len > 0)
		return 0;
	rc = *len > max ? -GH_BODY_TOO_LARGE
			: api_field_error(r, -GH_BAD_FIELD, "content_base64");
	free(*data);
	*data = NULL;
	return rc;
}

/* On the scan pool's worker: analysis, clamd, cleaning, sealing. */
static void
upload_work(void *arg)
{
	attachments_upload_work(arg);
}

/* Back on a server thread: the row and its audit record, the reply. */
static int
upload_finish(struct request *r, void *arg, int portal)
{
	char notice[ATTACH_NOTICE_MAX];
	struct attachment_rec rec;
	json_t *body;
	int rc;

	rc = attachments_upload_finish(request_db(r), arg, &rec, notice);
	if (rc < 0)
		return api_field_error(r, rc, "filename");
	body = portal ? portal_json(&rec, 0) : staff_json(&rec);
	json_object_set_new(body, "notice", json_string(notice));
	attachment_rec_clear(&rec);
	return api_created(r, body);
}

static int
portal_finish(struct request *r, void *arg)
{
	return upload_finish(r, arg, 1);
}

static int
staff_finish(struct request *r, void *arg)
{
	return upload_finish(r, arg, 0);
}

static void
upload_release(void *arg)
{
	attachments_upload_free(arg);
}

/*
 * A full scan queue first (503 server_busy at once: no quota, no parsing,
 * nothing stored), then the quota, the body and the checks of the ticket
 * on this thread; the file's analysis on the scan pool with no database
 * connection held; the row stored in the finish step.
 */
static int
upload(struct request *r, int portal)
{
	struct workpool *pool = r->app->scan_pool;
	struct att_upload_job *job = NULL;
	const char *filename = NULL;
	unsigned char *data = NULL;
	struct tk_actor a;
	size_t len = 0;
	int rc;

	rc = request_defer_room(r, pool);
	if (rc == 0)
		rc = api_quota(r, QUOTA_ATTACHMENT);
	if (rc == 0)
		rc = upload_body(r, &filename, &data, &len);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = attachments_upload_begin(r->app, request_db(r), &a, r->params[0],
				      filename, data, len, &job);
	if (rc < 0)
		return api_field_error(r, rc, "filename");
	rc = request_defer(r, pool, upload_work,
			   portal ? portal_finish : staff_finish,
			   upload_release, job);
	if (rc < 0) {
		attachments_upload_free(job);
		return rc;
	}
	log_event(LOG_DEBUG, "attachment.scan_queued",
		  json_pack("{s:s}", "request_id", r->request_id));
	return 0;
}

static int
list(struct request *r, int portal)
{
	struct attachment_list l = {NULL, 0};
	struct tk_actor a;
	json_t *arr;
	int rc;

	api_actor(r, &a);
	rc = portal ? attachments_portal_list(r->app, request_db(r), &a,
					      r->params[0], &l)
		    : attachments_staff_list(r->app, request_db(r), &a,
					     r->params[0], &l);
	if (rc < 0)
		return rc;
	arr = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(arr, portal ? portal_json(&l.v[i], 1)
						  : staff_json(&l.v[i]));
	attachment_list_clear(&l);
	return api_ok(r, json_pack("{s:o}", "attachments", arr));
}

int
api_portal_attachments_upload(struct request *r)
{
	return upload(r, 1);
}

int
api_portal_attachments_list(struct request *r)
{
	return list(r, 1);
}

int
api_tickets_attachments_upload(struct request *r)
{
	return upload(r, 0);
}

int
api_tickets_attachments_list(struct request *r)
{
	return list(r, 0);
}

int
api_attachments_download(struct request *r)
{
	struct attachment_rec rec;
	struct tk_actor a;
	unsigned char *data = NULL;
	size_t len = 0;
	int rc;

	api_actor(r, &a);
	rc = attachments_fetch(r->app, request_db(r), &a, r->params[0], &rec,
			       &data, &len);
	if (rc < 0)
		return rc;
	rc = reply_download(r, data, len, rec.filename);
	attachment_rec_clear(&rec);
	return rc;
}

int
api_attachments_release(struct request *r)
{
	const char *reason = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("reason", &reason, ATTACH_RELEASE_MIN,
			  ATTACH_RELEASE_MAX, JS_REQUIRED),
		JSPEC_END,
	};
	struct attachment_rec rec;
	struct tk_actor a;
	json_t *body;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = attachments_release(r->app, request_db(r), &a, r->params[0],
				 reason, &rec);
	if (rc < 0)
		return api_field_error(r, rc, "reason");
	body = staff_json(&rec);
	attachment_rec_clear(&rec);
	return api_ok(r, body);
}
