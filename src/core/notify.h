/*
 * Notifications without content: when an agent replies, the customer gets
 * a mail that says a secure message waits in the portal, shows their
 * anti-phishing phrase (if set) and how the company will and will not
 * contact them. It carries no message text, no subject and no personal
 * data; the recipient address and the phrase are sealed in the outbox row
 * and joined with the fixed text only by the mailer (core/mailer.h).
 *
 * The composed text passes the outbound check like every reply. Queueing
 * happens in the caller's transaction, so a reply and its notification are
 * stored together or not at all.
 */
#ifndef GH_CORE_NOTIFY_H
#define GH_CORE_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "core/app.h"
#include "store/store.h"

/* The fixed subject and text (without the phrase) of a new-message
 * notification about ticket_id. Both malloc'd; the caller frees them. */
int notify_text(const struct config *cfg, int64_t ticket_id, char **subject,
		char **body);

/* The body as sent: body_text with the phrase line put in front when
 * phrase is not NULL. malloc'd NUL-ended text; NULL on failure. */
char *notify_compose(const char *body_text, const char *phrase);

/*
 * Queues the new-message notification for the customer of ticket_id,
 * inside the caller's transaction on c. The composed text passes
 * outbound_check(); if the customer's phrase makes it fail, the mail goes
 * without the phrase; if it still fails, -GH_INTERNAL. 0 or an error.
 */
int notify_new_message(struct app *app, struct store_conn *c,
		       int64_t ticket_id, int64_t customer_id, int64_t now);

#endif
