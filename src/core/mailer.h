/*
 * Delivery of the outbox: one thread that drains undelivered rows of the
 * outbox table. With no SMTP relay configured ([mail] smtp_url empty) each
 * mail is written as an RFC 5322 .eml file under DATADIR/outbox/ (written
 * to a temporary file, synced, renamed: a reader never sees half a mail;
 * mode 0600). With a relay it is sent with libcurl (implicit TLS for
 * smtps://, STARTTLS required for smtp://). A failed delivery counts an
 * attempt and is retried later with exponential back-off; rows are never
 * deleted, so a notification is never lost. Each row is claimed before
 * delivery, so several nodes can drain one database.
 *
 * Header values are checked: a CR, LF or other control character in any
 * of them refuses the mail instead of letting it add headers.
 *
 * Rows of the kinds MAILER_KIND_CODE_* carry a one-time code: their whole
 * text is sealed in the row's phrase column (wiped once delivered) and
 * body_text is only a placeholder, so no code is stored in clear.
 * MAILER_KIND_CODE_SMS rows go to a phone number: there is no SMS
 * gateway, so they are always written as DIR/outbox/<created>-<ref>.sms
 * files ("To: NUMBER", a blank line, the text) for an operator's gateway
 * to pick up, whatever the SMTP setting.
 */
#ifndef GH_CORE_MAILER_H
#define GH_CORE_MAILER_H

#include <stddef.h>
#include <stdint.h>

#include "core/app.h"

/* Outbox kinds of one-time codes (see above). */
#define MAILER_KIND_CODE_EMAIL "verify_email"
#define MAILER_KIND_CODE_SMS "verify_sms"

/* Starts the delivery thread for app (borrowed until mailer_stop). 0 or
 * -GH_INTERNAL. One mailer per process. */
int mailer_start(struct app *app);
/* Stops it and waits for it; a mail in flight is finished first. Safe to
 * call when not started. */
void mailer_stop(void);

/* Runs one delivery round now (tests): delivers what is due. Returns the
 * number delivered, or a negative error. */
int mailer_run_once(struct app *app, int64_t now);

/* 1 when v may be a header value: printable ASCII or UTF-8, no control
 * characters (CR, LF included). addr: 1 when also a plain addr-spec
 * (no spaces, angle brackets, commas, quotes). */
int mailer_header_ok(const char *v);
int mailer_addr_ok(const char *addr);

/*
 * The RFC 5322 message: From, To, Subject, Date (from date), Message-ID
 * (from ref and the From domain), MIME headers, then body with CRLF line
 * ends. *out malloc'd (caller frees), *len its length. -GH_BAD_FIELD when
 * a header value or address fails the checks above.
 */
int mailer_format(const char *from, const char *to, const char *subject,
		  const char *ref, int64_t date, const char *body, char **out,
		  size_t *len);

#endif
