/*
 * The inbound analysis of a customer's message, run once when the message
 * is written (new ticket, portal message), before anything is stored:
 *
 *  - secrets are removed: the DLP engine's findings of the secret kinds
 *    (gitleaks rules incl. private keys, Authorization and Cookie headers,
 *    HAR session material, payment card numbers, national identifiers) are
 *    replaced by "[redacted: <type>]", so the value never reaches the
 *    database or any agent; what was removed is listed by type and rule;
 *    the customer's own contact data (e-mail, phone) and bank details are
 *    left alone, the customer may need to give those;
 *  - links are extracted (plain text and HTML, the visible text of a link
 *    against its real target) and judged by the phishing engine; each is
 *    described with byte offsets into the stored text, a defanged URL,
 *    host, registrable domain, verdict, score and reason codes, never as
 *    a clickable URL.
 *
 * It does not store, audit or log anything, and never returns a removed
 * value; the caller (core/tickets.c) stores the results with the message.
 */
#ifndef GH_CORE_INBOUND_H
#define GH_CORE_INBOUND_H

#include <stddef.h>

#include "core/app.h"
#include "core/dlp/dlp.h"

/* What the analysis gives. removed lists what was taken out (type and
 * rule, static strings of the engine; offsets into the text as sent).
 * redactions and links are the analysis as it is stored with the message,
 * JSON text made in one place (inbound.c, analysis_json):
 * redactions [{type, rule}], links [{start, end, url_defanged,
 * text_defanged?, host, registrable, verdict, score, reasons}]. */
struct inbound_result {
	char *text;        /* the text to store (redacted); malloc'd */
	size_t len;
	struct dlp_findings removed;
	char *redactions;  /* malloc'd JSON text */
	char *links;       /* malloc'd JSON text */
};

/*
 * Analyses text[0, len). Fills *out (release with inbound_result_clear()).
 * Fails closed: without app->dlp, or when the scanner fails or finds more
 * than it can report, returns -GH_INTERNAL, -GH_BAD_FIELD or (more than
 * PHISH_MAX_LINKS links) -GH_TOO_MANY_LINKS and fills nothing (the
 * message must not be stored). Without app->phish (the CLI
 * and unit fixtures build none) links is an empty array.
 */
int inbound_analyse(const struct app *app, const char *text, size_t len,
		    struct inbound_result *out);
void inbound_result_clear(struct inbound_result *r);

/* The plain-language sentence shown to the customer when something was
 * removed (static). */
const char *inbound_notice(void);

/* 1 when a DLP finding type is removed from inbound messages. */
int inbound_is_secret_type(const char *type);

#endif
