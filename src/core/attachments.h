/*
 * Attachments: files customers (and staff) add to a ticket. An upload is
 * checked (size limit, a sanitised display name), analysed
 * (core/phish/attach.h: type sniffed with libmagic against the extension,
 * executables, scripts, macro documents, archives holding any of those,
 * optionally clamd) and cleaned: a HAR file has its session material
 * (Authorization, Cookie and similar headers, cookies, and every other
 * place the same values appear) replaced by "[redacted: har_session]",
 * and text files have secrets found by the outbound filter's engine
 * replaced, before anything is stored, so no agent ever sees them. The
 * verdict is taken on what is stored; a dangerous file is quarantined:
 * stored but handed to nobody until an admin releases it with a reason.
 * HAR files are deleted automatically after the configured retention.
 * Every upload, download, refusal, release and purge has its audit record
 * in the same transaction; records never hold file content or names.
 *
 * Content is sealed at rest (AD "attachment:<sha256>:<ticket_id>") and
 * stored under the row id, never under the name the client gave. Files
 * are never opened, unpacked or run here. It does not parse HTTP or JSON
 * bodies.
 */
#ifndef GH_CORE_ATTACHMENTS_H
#define GH_CORE_ATTACHMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/actor.h"
#include "core/app.h"
#include "store/store.h"

#define ATTACH_NAME_MAX 255     /* code points, after stripping the path */
#define ATTACH_RELEASE_MIN 3    /* code points of a release reason */
#define ATTACH_RELEASE_MAX 500
#define ATTACH_NOTICE_MAX 1024
#define ATTACH_PURGE_BATCH 100

/*
 * Writes the display name for name into out (outsz >= 1024): name must
 * be valid UTF-8 without control or bidirectional override characters;
 * everything up to the last '/' or '\' is dropped, and what remains must
 * be 1..255 code points and not "." or "..". Returns 0 or -GH_BAD_FIELD /
 * -GH_BAD_UTF8.
 */
int attachments_clean_name(const char *name, char *out, size_t outsz);

/*
 * Stores data[0, len) (borrowed) sent as filename on ticket ticket_id.
 * A customer may add to their own tickets, staff to tickets they may see;
 * any other ticket is -GH_NOT_FOUND. len must be 1..[attachments]
 * max_bytes (-GH_BAD_FIELD for an empty file, -GH_BODY_TOO_LARGE above).
 * On success *out describes the stored file (content left empty; release
 * with attachment_rec_clear) and notice (ATTACH_NOTICE_MAX bytes) gets a
 * sentence for the uploader in plain words: what was removed and why, or
 * why the file is held back. -GH_INTERNAL when analysis or sealing fails
 * (nothing is stored then).
 */
int attachments_upload(struct app *app, struct store_conn *c,
		       const struct tk_actor *a, int64_t ticket_id,
		       const char *filename, const unsigned char *data,
		       size_t len, struct attachment_rec *out, char *notice);

/* The sentence attachments_upload gives, for a stored record. */
void attachments_notice(const struct attachment_rec *r, char *notice);

/* A ticket's attachments (without content) for staff who may see it. */
int attachments_staff_list(struct app *app, struct store_conn *c,
			   const struct tk_actor *a, int64_t ticket_id,
			   struct attachment_list *out);
/* The customer's own uploads to their own ticket (-GH_NOT_FOUND for a
 * ticket that is not theirs). */
int attachments_portal_list(struct app *app, struct store_conn *c,
			    const struct tk_actor *a, int64_t ticket_id,
			    struct attachment_list *out);

/*
 * The content of attachment id for staff who may see its ticket
 * (-GH_NOT_FOUND otherwise). A quarantined file is -GH_QUARANTINED for
 * everybody, and the refusal is audited. On success *data (malloc'd,
 * caller frees) and *len get the stored bytes, *rec the record (content
 * left empty), and the download is audited.
 */
int attachments_fetch(struct app *app, struct store_conn *c,
		      const struct tk_actor *a, int64_t id,
		      struct attachment_rec *rec, unsigned char **data,
		      size_t *len);

/*
 * Releases a quarantined attachment: admins only (-GH_FORBIDDEN), with a
 * reason of 3..500 code points on one line (-GH_BAD_FIELD/-GH_BAD_UTF8);
 * -GH_BAD_STATE when it is not quarantined. Audited as
 * attachment.release with the reason. *out gets the updated record.
 */
int attachments_release(struct app *app, struct store_conn *c,
			const struct tk_actor *a, int64_t id,
			const char *reason, struct attachment_rec *out);

/*
 * Deletes every attachment whose delete_after <= now (HAR retention),
 * ATTACH_PURGE_BATCH rows per transaction, each with an attachment.purge
 * audit record. *n_out (may be NULL) gets the number deleted.
 */
int attachments_purge(struct app *app, struct store_conn *c, int64_t now,
		      int64_t *n_out);

#endif
