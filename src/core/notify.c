/*
 * Content-free notifications (see core/notify.h): fixed text, the ticket
 * number, the portal address and the customer's anti-phishing phrase,
 * checked before the transaction; the row goes to the outbox in the
 * caller's transaction. Nothing here logs the address or the phrase.
 */
#include "core/notify.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/drills.h"
#include "core/contact.h"
#include "core/sealed.h"
#include "util/errors.h"
#include "util/log.h"

#define PHRASE_LINE "Your anti-phishing phrase: "

int
notify_text(const struct config *cfg, int64_t ticket_id, char **subject,
	    char **body)
{
	char *s = NULL, *b = NULL;
	char policy[CONFIG_STR_MAX + 16];

	contact_policy_url(cfg, policy, sizeof(policy));
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
		     "phrase. If one does not, do not follow its links.\n"
		     "How we contact you, and how to check that a call is "
		     "really from us: %s\n",
		     (long long)ticket_id, cfg->portal_url, cfg->company_name,
		     policy) <
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

void
notify_mail_clear(struct notify_mail *m)
{
	blob_clear(&m->to);
	blob_clear(&m->phrase);
	free(m->subject);
	free(m->body);
	memset(m, 0, sizeof(*m));
}

/*
 * Checks the mail as the customer will read it: with *phrase, and when the
 * phrase makes the check fail, without it (*phrase is then freed and
 * NULL). The fixed text failing is our bug.
 */
static int
check_text(const struct outbound_ctx *x, const char *body, char **phrase)
{
	char *full = notify_compose(body, *phrase);
	int rc;

	if (full == NULL)
		return -GH_INTERNAL;
	rc = outbound_scan(x, full, strlen(full), NULL);
	crypto_wipe(full, strlen(full));
	free(full);
	if (rc == -GH_DLP_BLOCKED && *phrase != NULL) {
		/* The customer's own phrase trips the filter: send the
		 * notice without it rather than not at all. */
		log_event(LOG_WARN, "notify.phrase_dropped",
			  json_pack("{s:I}", "ticket",
				    (json_int_t)x->ticket_id));
		crypto_secret_free(*phrase);
		*phrase = NULL;
		rc = outbound_scan(x, body, strlen(body), NULL);
	}
	if (rc == -GH_DLP_BLOCKED) {
		LOG_BUG("the fixed notification text is refused by the filter");
		rc = -GH_INTERNAL;
	}
	return rc;
}

int
notify_seal(const struct crypto_keys *keys, const char *email,
	  const char *phrase, struct notify_mail *m)
{
	unsigned char rnd[16];
	char ad[160];

	/* A phishing drill's pseudo-customer is never mailed. */
	if (strcmp(email, DRILL_SENDER_EMAIL) == 0)
		return -GH_FORBIDDEN;
	crypto_random_bytes(rnd, sizeof(rnd));
	if (crypto_hex_encode(rnd, sizeof(rnd), m->ref, sizeof(m->ref)) < 0)
		return -GH_INTERNAL;
	snprintf(ad, sizeof(ad), "outbox.recipient:%s", m->ref);
	if (crypto_seal(keys, ad, email, strlen(email), &m->to.data,
			&m->to.len) < 0)
		return -GH_INTERNAL;
	if (phrase == NULL)
		return 0;
	snprintf(ad, sizeof(ad), "outbox.phrase:%s", m->ref);
	if (crypto_seal(keys, ad, phrase, strlen(phrase), &m->phrase.data,
			&m->phrase.len) < 0)
		return -GH_INTERNAL;
	return 0;
}

int
notify_seal_customer(struct app *app, struct store_conn *c,
		     int64_t customer_id, struct notify_mail *m)
{
	struct customer_contact cc;
	char *email = NULL, *phrase = NULL;
	int rc;

	rc = c->ops->customer_contact(c, customer_id, &cc);
	if (rc < 0)
		return rc;
	rc = sealed_field_open(app->keys, cc.email_idx, "email", &cc.email,
			       &email);
	if (rc == 0 && email == NULL)
		rc = -GH_INTERNAL;
	if (rc == 0)
		rc = sealed_field_open(app->keys, cc.email_idx, "phrase",
				       &cc.phrase, &phrase);
	if (rc == 0)
		rc = notify_seal(app->keys, email, phrase, m);
	crypto_secret_free(email);
	crypto_secret_free(phrase);
	customer_contact_clear(&cc);
	return rc;
}

int
notify_prepare(const struct outbound_ctx *x, struct notify_mail *m)
{
	const struct app *app = x->app;
	char *phrase = NULL;
	int rc;

	memset(m, 0, sizeof(*m));
	/* A reply on a phishing drill is stored and nothing is mailed: the
	 * mail stays empty and notify_queue queues nothing. */
	if (drills_is_sender(x->cc.email_idx))
		return 0;
	if (x->email == NULL) {
		LOG_BUG("customer without an e-mail address");
		return -GH_INTERNAL;
	}
	rc = sealed_field_open(app->keys, x->cc.email_idx, "phrase",
			       &x->cc.phrase, &phrase);
	if (rc == 0)
		rc = notify_text(&app->cfg, x->ticket_id, &m->subject,
				 &m->body);
	if (rc == 0)
		rc = check_text(x, m->body, &phrase);
	if (rc == 0)
		rc = notify_seal(app->keys, x->email, phrase, m);
	crypto_secret_free(phrase);
	if (rc < 0)
		notify_mail_clear(m);
	return rc;
}

int
notify_queue(struct store_conn *c, const struct notify_mail *m, int64_t now)
{
	struct outbox_new o = {.ref = m->ref,
			       .kind = "new_message",
			       .recipient = m->to,
			       .phrase = m->phrase,
			       .subject = m->subject,
			       .body_text = m->body,
			       .now = now};

	if (m->ref[0] == '\0')
		return 0; /* nothing to send (a phishing drill) */
	return c->ops->outbox_insert(c, &o, NULL);
}

int
notify_supervisors(struct app *app, struct store_conn *c, const char *kind,
		   const char *subject, const char *body, int64_t now,
		   int64_t *n_out)
{
	struct staff_contact_list l = {NULL, 0};
	int rc;

	*n_out = 0;
	rc = c->ops->staff_alert_list(c, &l);
	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		struct notify_mail m;

		memset(&m, 0, sizeof(m));
		rc = notify_seal(app->keys, l.v[i].email, NULL, &m);
		if (rc == 0)
			rc = c->ops->outbox_insert(
				c,
				&(struct outbox_new){.ref = m.ref,
						     .kind = kind,
						     .recipient = m.to,
						     .subject = subject,
						     .body_text = body,
						     .now = now},
				NULL);
		if (rc == 0)
			(*n_out)++;
		notify_mail_clear(&m);
	}
	staff_contact_list_clear(&l);
	return rc;
}

void
notify_when(int64_t now, char *out, size_t outsz)
{
	struct tm tm;
	time_t t = (time_t)now;

	gmtime_r(&t, &tm);
	strftime(out, outsz, "%Y-%m-%d %H:%M UTC", &tm);
}

int
notify_staff_event(struct app *app, struct store_conn *c, const char *email,
		   const char *subject, const char *kind, int64_t now,
		   const char *fmt, ...)
{
	struct notify_mail m;
	va_list ap;
	int n, rc = -GH_INTERNAL;

	memset(&m, 0, sizeof(m));
	va_start(ap, fmt);
	n = vasprintf(&m.body, fmt, ap);
	va_end(ap);
	if (n < 0)
		m.body = NULL;
	m.subject = strdup(subject);
	if (m.subject == NULL || m.body == NULL)
		goto out;
	rc = notify_seal(app->keys, email, NULL, &m);
	if (rc == 0)
		rc = c->ops->outbox_insert(
			c,
			&(struct outbox_new){.ref = m.ref,
					     .kind = kind,
					     .recipient = m.to,
					     .phrase = m.phrase,
					     .subject = m.subject,
					     .body_text = m.body,
					     .now = now},
			NULL);
out:
	notify_mail_clear(&m);
	return rc;
}
