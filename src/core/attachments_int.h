/*
 * Private to the attachments module (core/attachments*.c): the cleaning
 * of content before it is stored (attachments_redact.c) and the audit
 * record every file of the module writes.
 */
#ifndef GH_CORE_ATTACHMENTS_INT_H
#define GH_CORE_ATTACHMENTS_INT_H

#include <stddef.h>

#include <jansson.h>

#include "core/attachments.h"
#include "core/dlp/dlp.h"

/* Finding types removed from text files before storing, in this order:
 * har_session, secret, auth_header, cookie. */
#define ATT_REDACT_TYPES 4
extern const char *const att_redact_types[ATT_REDACT_TYPES + 1];

/* How many values of each of att_redact_types were removed. */
struct att_redactions {
	size_t n[ATT_REDACT_TYPES];
};

/*
 * Removes session material from a HAR file. *out gets the new text
 * (malloc'd) when something was removed, NULL otherwise; *n_found the
 * number of headers and cookies that carried a value. Returns 1 when the
 * text is a HAR file, 0 when it is not, or an error.
 */
int att_har_redact(const char *text, size_t len, char **out,
		   size_t *n_found);

/* Removes the secrets the outbound filter's engine e finds in a text
 * file; *out as for att_har_redact, red counts them by type. */
int att_text_redact(const struct dlp_engine *e, const char *text, size_t len,
		    char **out, struct att_redactions *red);

/* The audit record of a's action (a NULL: the server itself) on
 * attachment id; detail stolen. */
int att_audit(struct app *app, struct store_conn *c, const struct tk_actor *a,
	      const char *action, int64_t id, const char *outcome,
	      json_t *detail);

#endif
