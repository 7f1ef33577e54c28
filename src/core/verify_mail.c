/*
 * The mails of verification (see core/verify_int.h): a one-time code to
 * the customer's e-mail address or phone number on file, and the alert
 * to supervisors and admins when a customer refuses a verification. Both
 * are outbox rows written in the caller's transaction and delivered by
 * core/mailer.c.
 *
 * Invariant: a code is never stored in clear. Its text (the code and the
 * customer's anti-phishing phrase, nothing else) is sealed in the row's
 * phrase column under the row's reference (kinds MAILER_KIND_CODE_*),
 * which the mailer opens to deliver and wipes once delivered; the clear
 * columns hold only fixed text. The alert names the ticket number and
 * nothing about the customer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/drills.h"
#include "core/contact.h"
#include "core/mailer.h"
#include "core/mask.h"
#include "core/notify.h"
#include "core/sealed.h"
#include "core/verify_int.h"
#include "util/errors.h"

/* A row's reference and its sealed recipient and (may be NULL) text. */
struct sealed_row {
	char ref[40];
	struct blob to;
	struct blob text;
};

static void
sealed_row_clear(struct sealed_row *r)
{
	blob_clear(&r->to);
	blob_clear(&r->text);
}

static int
seal_row(const struct crypto_keys *keys, const char *to, const char *text,
	 struct sealed_row *r)
{
	unsigned char rnd[16];
	char ad[160];

	memset(r, 0, sizeof(*r));
	crypto_random_bytes(rnd, sizeof(rnd));
	if (crypto_hex_encode(rnd, sizeof(rnd), r->ref, sizeof(r->ref)) < 0)
		return -GH_INTERNAL;
	snprintf(ad, sizeof(ad), "outbox.recipient:%s", r->ref);
	if (crypto_seal(keys, ad, to, strlen(to), &r->to.data, &r->to.len) < 0)
		return -GH_INTERNAL;
	if (text == NULL)
		return 0;
	snprintf(ad, sizeof(ad), "outbox.phrase:%s", r->ref);
	if (crypto_seal(keys, ad, text, strlen(text), &r->text.data,
			&r->text.len) < 0)
		return -GH_INTERNAL;
	return 0;
}

/* The text of a code message, with the phrase line when there is one
 * and the address of the contact policy. malloc'd; the caller wipes and
 * frees it. */
static char *
code_text(const struct config *cfg, const char *code, const char *phrase)
{
	char policy[CONFIG_STR_MAX + 16];
	char body[CONFIG_STR_MAX + 240];
	char *full;

	contact_policy_url(cfg, policy, sizeof(policy));
	snprintf(body, sizeof(body),
		 "Your verification code: %s\n"
		 "It is valid for %d minutes.\n"
		 "How we contact you: %s\n",
		 code, VERIFY_CODE_SECS / 60, policy);
	full = notify_compose(body, phrase);
	crypto_wipe(body, sizeof(body));
	return full;
}

/* Seals and queues the code message to `to` (e-mail or phone). */
static int
queue_code(struct app *app, struct store_conn *c, const char *kind,
	   const char *to, const char *code, const char *phrase,
	   int64_t now)
{
	struct sealed_row r;
	char *text = code_text(&app->cfg, code, phrase);
	int rc;

	if (text == NULL)
		return -GH_INTERNAL;
	rc = seal_row(app->keys, to, text, &r);
	crypto_wipe(text, strlen(text));
	free(text);
	if (rc == 0)
		rc = c->ops->outbox_insert(
			c,
			&(struct outbox_new){
				.ref = r.ref,
				.kind = kind,
				.recipient = r.to,
				.phrase = r.text,
				.subject = "Your verification code",
				.body_text = "(sealed: a verification code)",
				.now = now,
			},
			NULL);
	sealed_row_clear(&r);
	return rc;
}

int
verify_mail_code(struct app *app, struct store_conn *c,
		 const struct verification_rec *v, const char *method,
		 const char *code, int64_t now, char *sent_to,
		 size_t sent_to_sz)
{
	int email = strcmp(method, "email_otp") == 0;
	struct customer_contact cc;
	char *to = NULL, *phrase = NULL;
	int rc;

	sent_to[0] = '\0';
	rc = c->ops->customer_contact(c, v->customer_id, &cc);
	/* A phishing drill's sender: nothing on file to send a code to. */
	if (rc == 0 && drills_is_sender(cc.email_idx))
		rc = -GH_BAD_STATE;
	if (rc == 0)
		rc = sealed_field_open(app->keys, cc.email_idx,
				       email ? "email" : "phone",
				       email ? &cc.email : &cc.phone, &to);
	if (rc == 0 && to == NULL)
		rc = -GH_BAD_STATE; /* nothing on file to send it to */
	if (rc == 0)
		rc = sealed_field_open(app->keys, cc.email_idx, "phrase",
				       &cc.phrase, &phrase);
	if (rc == 0)
		rc = queue_code(app, c,
				email ? MAILER_KIND_CODE_EMAIL
				      : MAILER_KIND_CODE_SMS,
				to, code, phrase, now);
	if (rc == 0 && mask_value(email ? MASK_EMAIL : MASK_PHONE, to, sent_to,
				  sent_to_sz) < 0)
		rc = -GH_INTERNAL;
	crypto_secret_free(to);
	crypto_secret_free(phrase);
	customer_contact_clear(&cc);
	return rc;
}

int
verify_mail_alert(struct app *app, struct store_conn *c, int64_t ticket_id,
		  int64_t now, int64_t *n_out)
{
	char subject[96], body[600];

	snprintf(subject, sizeof(subject),
		 "Verification refused on ticket #%lld", (long long)ticket_id);
	snprintf(body, sizeof(body),
		 "A customer refused an identity verification on ticket "
		 "#%lld: they denied the request in the portal or chose a "
		 "number other than the one the agent read out. Someone may "
		 "be impersonating the customer.\n"
		 "Verification on this ticket is locked until a supervisor "
		 "clears it. Review the ticket in the console.\n",
		 (long long)ticket_id);
	return notify_supervisors(app, c, "verify_alert", subject, body, now,
				  n_out);
}
