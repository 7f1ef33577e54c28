/*
 * Notifications without content: when an agent replies, the customer gets
 * a mail that says a secure message waits in the portal, shows their
 * anti-phishing phrase (if set) and how the company will and will not
 * contact them. It carries no message text, no subject and no personal
 * data; the recipient address and the phrase are sealed in the outbox row
 * and joined with the fixed text only by the mailer (core/mailer.h).
 *
 * The composed text passes the outbound check like every reply, with the
 * reply's own prepared context and before the write transaction
 * (notify_prepare); the row is queued in the caller's transaction
 * (notify_queue), so a reply and its notification are stored together or
 * not at all.
 */
#ifndef GH_CORE_NOTIFY_H
#define GH_CORE_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "core/app.h"
#include "core/outbound.h"
#include "store/store.h"

/* The fixed subject and text (without the phrase) of a new-message
 * notification about ticket_id. Both malloc'd; the caller frees them. */
int notify_text(const struct config *cfg, int64_t ticket_id, char **subject,
		char **body);

/* The body as sent: body_text with the phrase line put in front when
 * phrase is not NULL. malloc'd NUL-ended text; NULL on failure. */
char *notify_compose(const char *body_text, const char *phrase);

/* A notification ready to be queued: the outbox row's reference, the
 * sealed recipient and phrase (empty without one), the fixed subject and
 * text. Release with notify_mail_clear(). */
struct notify_mail {
	char ref[40];
	struct blob to;
	struct blob phrase;
	char *subject;
	char *body;
};

/*
 * Composes the new-message notification for the customer of x's ticket
 * and checks it with outbound_scan(x), outside any write transaction. If
 * the customer's phrase makes the check fail, the mail goes without the
 * phrase; if it still fails, -GH_INTERNAL (the fixed text is ours). 0 or
 * an error; *m holds nothing on error. For a phishing drill's
 * pseudo-customer (core/drills.h) *m stays empty: nothing is mailed.
 */
int notify_prepare(const struct outbound_ctx *x, struct notify_mail *m);

/*
 * Seals email (the recipient) and phrase (may be NULL) into m->to and
 * m->phrase under a new random reference m->ref, as the mailer opens
 * them; the caller fills m->subject and m->body. For other content-free
 * notices (core/changes_notice.c). 0 or -GH_INTERNAL; -GH_FORBIDDEN for
 * a phishing drill's pseudo-customer (DRILL_SENDER_EMAIL), never mailed.
 */
int notify_seal(const struct crypto_keys *keys, const char *email,
		const char *phrase, struct notify_mail *m);

/*
 * Queues a content-free notice of an event on a staff member's account
 * (password changed, passkeys removed) to email, in the caller's
 * transaction: subject as given, the body printf-formatted from fmt.
 * kind names it in the outbox. 0 or an error. notify_when writes now as
 * the notices show it ("2026-12-07 13:04 UTC").
 */
int notify_staff_event(struct app *app, struct store_conn *c,
		       const char *email, const char *subject,
		       const char *kind, int64_t now, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
void notify_when(int64_t now, char *out, size_t outsz);

/* notify_seal for the customer customer_id: the address and phrase on
 * file, opened and sealed into m. 0 or an error. */
int notify_seal_customer(struct app *app, struct store_conn *c,
			 int64_t customer_id, struct notify_mail *m);

/* Queues m in the caller's transaction on c (an empty m, from a drill,
 * queues nothing). 0 or a store error. */
int notify_queue(struct store_conn *c, const struct notify_mail *m,
		 int64_t now);

void notify_mail_clear(struct notify_mail *m);

/*
 * Queues the content-free alert (kind, fixed subject and text naming no
 * customer value) to every supervisor and admin who is not disabled, each
 * recipient sealed under its own reference, in the caller's transaction.
 * *n_out gets how many were queued. 0 or an error. Used for verification
 * locks (core/verify_mail.c) and reveal locks (core/disclosure_locks.c).
 */
int notify_supervisors(struct app *app, struct store_conn *c,
		       const char *kind, const char *subject,
		       const char *body, int64_t now, int64_t *n_out);

#endif
