/*
 * An upload (core/attachments.h's attachments_upload) in three steps, so
 * that its slow part runs off the server threads: begin checks the
 * request against the database on a server thread, work (the file type,
 * archive unpacking, the clamd scan, the cleaning and the sealing) runs
 * on a worker with no database connection, and finish stores the row and
 * its audit record on a server thread, checking the ticket's visibility
 * again. Nothing is stored unless finish succeeds.
 */
#ifndef GH_CORE_ATTACHMENTS_UPLOAD_H
#define GH_CORE_ATTACHMENTS_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "core/attachments.h"

struct att_upload_job;

/*
 * The checks of attachments_upload (the actor, the size, the name, the
 * ticket's visibility) with c, before any work: 0 with *out (free with
 * attachments_upload_free), or the same errors. data (malloc'd, len
 * bytes) is taken in every case and wiped when freed; a's strings are
 * borrowed until finish.
 */
int attachments_upload_begin(struct app *app, struct store_conn *c,
			     const struct tk_actor *a, int64_t ticket_id,
			     const char *filename, unsigned char *data,
			     size_t len, struct att_upload_job **out);

/* On a worker, touching only j (and the app's read-only configuration,
 * engines and keys): analysis, clamd, cleaning, sealing. */
void attachments_upload_work(struct att_upload_job *j);

/* After work, with c: stores the file as attachments_upload does, with
 * the same *out and notice, or returns work's error (nothing stored). */
int attachments_upload_finish(struct store_conn *c, struct att_upload_job *j,
			      struct attachment_rec *out, char *notice);

/* Wipes and frees j (NULL is a no-op). */
void attachments_upload_free(struct att_upload_job *j);

#endif
