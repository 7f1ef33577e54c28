/*
 * Handlers of the HTTP API, one file per resource. Each parses its
 * declared fields, calls one core function and maps the result to a reply.
 * The route table that names them is api/routes.c.
 */
#ifndef GH_API_API_H
#define GH_API_API_H

#include "http/jspec.h"
#include "http/request.h"

/* Parses r's body against spec; on failure sets error_extra with the
 * field name and returns the error. A broken bound (a string too long or
 * too short, an integer out of range) also names the limit: "max" or
 * "min", "unit" (characters or bytes) for strings, and a "message" that
 * states it ("subject is longer than 200 characters."). */
int api_parse(struct request *r, const struct jspec *spec);
/* Sets error_extra for the bound f broke, as api_parse does, and returns
 * -GH_BAD_FIELD. The message is built from the spec only, never from
 * input. */
int api_bound_error(struct request *r, const struct jspec_fail *f);

/* session.c */
int api_staff_login(struct request *r);
int api_portal_login(struct request *r);
int api_session_get(struct request *r);
int api_session_delete(struct request *r);
int api_enroll_begin(struct request *r);
int api_enroll_confirm(struct request *r);


/* tickets.c (staff) */
struct tk_actor;
/* Reads query argument name as an integer in [lo, hi] (dflt when absent);
 * -GH_BAD_QUERY naming the field otherwise. */
int api_query_int(struct request *r, const char *name, int64_t dflt,
		  int64_t lo, int64_t hi, int64_t *out);
/* Fills a core actor from the request's authenticated actor. */
void api_tk_actor(struct request *r, struct tk_actor *a);
/* A message's stored redaction list (JSON text or NULL) as a JSON array
 * (empty when none). New reference (portal.c). */
json_t *api_redactions(const char *stored);
int api_tickets_list(struct request *r);
int api_tickets_get(struct request *r);
int api_tickets_reply(struct request *r);
int api_tickets_note(struct request *r);
int api_tickets_assign(struct request *r);
int api_tickets_status(struct request *r);
/* POST /tickets/{id}/queue {queue}: supervisors and admins. */
int api_tickets_move(struct request *r);

/* portal.c (customer) */
int api_portal_tickets_create(struct request *r);
int api_portal_tickets_list(struct request *r);
int api_portal_tickets_get(struct request *r);
int api_portal_tickets_message(struct request *r);
int api_portal_phrase_put(struct request *r);
int api_portal_phrase_get(struct request *r);

/* attachments.c (customer and staff) */
int api_portal_attachments_upload(struct request *r);
int api_portal_attachments_list(struct request *r);
int api_tickets_attachments_upload(struct request *r);
int api_tickets_attachments_list(struct request *r);
int api_attachments_download(struct request *r);
int api_attachments_release(struct request *r);

#endif
