/*
 * Content-free notifications (see core/notify.h): fixed text, the ticket
 * number, the portal address and the customer's anti-phishing phrase; the
 * row goes to the outbox in the caller's transaction.
 */
#include "core/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors.h"
#include "core/outbound.h"
#include "util/log.h"

#define PHRASE_LINE "Your anti-phishing phrase: "

int
notify_text(const struct config *cfg, int64_t ticket_id, char **subject,
	    char **body)
{
	char *s = NULL, *b = NULL;

	*subject = NULL;
	*body = NULL;
	if (asprintf(&s, "New secure message about ticket #%lld",
		     (long long)ticket_id) < 0)
		return -GH_INTERNAL;
	if (asprintf(&b,
		     "Hello,\n"
		     "\n"
		     "You have a new secure message about ticket #%lld "
		     "\xe2\x80\x94 read it at %s\n"
		     "\n"
		     "How %s contacts you: our e-mails only tell you that a "
		     "new secure message is waiting. They never contain the "
		     "message itself, your personal details or attachments, "
		     "and the only address in them is our portal's (above). "
		     "Type that address yourself or use your bookmark, and "
		     "check that it matches.\n"
		     "We will never ask for your password, authenticator codes "
		     "or card details by e-mail or phone.\n"
		     "Every genuine e-mail from us shows your anti-phishing "
		     "phrase. If one does not, do not follow its links.\n",
		     (long long)ticket_id, cfg->portal_url, cfg->company_name) <
	    0) {
		free(s);
		return -GH_INTERNAL;
	}
	*subject = s;
	*body = b;
	return 0;
}

char *
notify_compose(const char *body_text, const char *phrase)
{
	char *out = NULL;

	if (phrase == NULL) {
		out = strdup(body_text);
	} else if (asprintf(&out, "%s\"%s\"\n\n%s", PHRASE_LINE, phrase,
			    body_text) < 0) {
		out = NULL;
	}
	return out;
}

struct sealed_mail {
	struct blob to;
	struct blob phrase;
};

int
notify_new_message(struct app *app, struct store_conn *c, int64_t ticket_id,
		   int64_t customer_id, int64_t now)
{
	struct customer_contact cc;
	struct sealed_mail m = {{NULL, 0}, {NULL, 0}};
	struct outbox_new o;
	unsigned char rnd[16];
	char ref[40];
	char ad[160];
	char *subject = NULL, *body = NULL, *full = NULL;
	char *email = NULL, *phrase = NULL;
	size_t len = 0;
	int rc;

	memset(&cc, 0, sizeof(cc));
	rc = c->ops->customer_contact(c, customer_id, &cc);
	if (rc < 0)
		goto out;
	rc = -GH_INTERNAL;
	snprintf(ad, sizeof(ad), "customer.email:%s", cc.email_idx);
	if (crypto_open(app->keys, ad, cc.email.data, cc.email.len, &email,
			&len) < 0) {
		LOG_BUG("customer e-mail does not open");
		goto out;
	}
	if (cc.phrase.data != NULL) {
		snprintf(ad, sizeof(ad), "customer.phrase:%s", cc.email_idx);
		if (crypto_open(app->keys, ad, cc.phrase.data, cc.phrase.len,
				&phrase, &len) < 0) {
			LOG_BUG("anti-phishing phrase does not open");
			goto out;
		}
	}
	if (notify_text(&app->cfg, ticket_id, &subject, &body) < 0)
		goto out;
	full = notify_compose(body, phrase);
	if (full == NULL)
		goto out;
	rc = outbound_check(app, c, ticket_id, customer_id, full, strlen(full),
			    NULL);
	if (rc == -GH_DLP_BLOCKED && phrase != NULL) {
		/* The customer's own phrase trips the filter: send the
		 * notice without it rather than not at all. */
		log_event(LOG_WARN, "notify.phrase_dropped",
			  json_pack("{s:I}", "ticket", (json_int_t)ticket_id));
		crypto_secret_free(phrase);
		phrase = NULL;
		rc = outbound_check(app, c, ticket_id, customer_id, body,
				    strlen(body), NULL);
	}
	if (rc == -GH_DLP_BLOCKED) {
		LOG_BUG("the fixed notification text is refused by the filter");
		rc = -GH_INTERNAL;
	}
	if (rc < 0)
		goto out;
	rc = -GH_INTERNAL;
	crypto_random_bytes(rnd, sizeof(rnd));
	if (crypto_hex_encode(rnd, sizeof(rnd), ref, sizeof(ref)) < 0)
		goto out;
	snprintf(ad, sizeof(ad), "outbox.recipient:%s", ref);
	if (crypto_seal(app->keys, ad, email, strlen(email), &m.to.data,
			&m.to.len) < 0)
		goto out;
	if (phrase != NULL) {
		snprintf(ad, sizeof(ad), "outbox.phrase:%s", ref);
		if (crypto_seal(app->keys, ad, phrase, strlen(phrase),
				&m.phrase.data, &m.phrase.len) < 0)
			goto out;
	}
	o = (struct outbox_new){.ref = ref,
				.kind = "new_message",
				.recipient = m.to,
				.phrase = m.phrase,
				.subject = subject,
				.body_text = body,
				.now = now};
	rc = c->ops->outbox_insert(c, &o, NULL);
out:
	blob_clear(&m.to);
	blob_clear(&m.phrase);
	customer_contact_clear(&cc);
	crypto_secret_free(email);
	crypto_secret_free(phrase);
	free(subject);
	free(body);
	if (full != NULL) {
		crypto_wipe(full, strlen(full));
		free(full);
	}
	return rc;
}
