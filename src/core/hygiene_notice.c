/*
 * The notice of a login from a new network (see core/hygiene.h): a fixed
 * text with the time and the network of the login and what to do if it
 * was not the reader, queued in the login's transaction and delivered by
 * the mailer like every notification. A staff member's notice goes to
 * their login address; a customer's to the address on file, with their
 * anti-phishing phrase, and names no personal data. Neither contains the
 * full address, the password, the code or the session.
 */
#include "core/hygiene_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/notify.h"
#include "core/sealed.h"
#include "util/errors.h"

static const char staff_text[] =
	"Hello,\n\n"
	"Your %s staff account was logged in to on %s from a network it "
	"was not used from before (%s).\n\n"
	"If this was you, there is nothing to do.\n\n"
	"If it was not you, someone knows your password and has your "
	"authenticator: change your password at once under \"My account\" "
	"in the console (this ends every other session), end any session "
	"there that is not yours, and tell your administrator or security "
	"team, who can force a password change.\n";

static const char customer_text[] =
	"Hello,\n\n"
	"Your %s account was logged in to on %s from a network it was not "
	"used from before (%s).\n\n"
	"If this was you, there is nothing to do.\n\n"
	"If it was not you, log in to the portal at %s yourself (type the "
	"address or use your bookmark), end the sessions you do not "
	"recognise in the security centre, and contact us through the "
	"portal.\n\n"
	"We will never ask for your password, authenticator codes or card "
	"details by e-mail or phone. Every genuine e-mail from us shows your "
	"anti-phishing phrase. If one does not, do not follow its links.\n";

static int
compose(const struct app *app, const struct hyg_login *l,
	const char *network, struct notify_mail *m)
{
	char when[40];
	struct tm tm;
	time_t t = (time_t)l->now;
	int n;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	m->subject = strdup("New login to your account from a new network");
	if (m->subject == NULL)
		return -GH_INTERNAL;
	if (l->realm == REALM_STAFF)
		n = asprintf(&m->body, staff_text, app->cfg.company_name, when,
			     network);
	else
		n = asprintf(&m->body, customer_text, app->cfg.company_name,
			     when, network, app->cfg.portal_url);
	if (n < 0) {
		m->body = NULL;
		return -GH_INTERNAL;
	}
	return 0;
}

/* Seals the recipient (and a customer's phrase) into m. */
static int
seal_recipient(struct app *app, struct store_conn *c,
	       const struct hyg_login *l, struct notify_mail *m)
{
	struct customer_contact cc;
	char *email = NULL, *phrase = NULL;
	int rc;

	if (l->realm == REALM_STAFF)
		return notify_seal(app->keys, l->email, NULL, m);
	rc = c->ops->customer_contact(c, l->id, &cc);
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
hygiene_notice_new_network(struct app *app, struct store_conn *c,
			   const struct hyg_login *l, const char *network)
{
	struct notify_mail m;
	int rc;

	memset(&m, 0, sizeof(m));
	if (l->realm == REALM_STAFF && l->email == NULL)
		return -GH_INTERNAL;
	rc = compose(app, l, network, &m);
	if (rc == 0)
		rc = seal_recipient(app, c, l, &m);
	if (rc == 0)
		rc = c->ops->outbox_insert(
			c,
			&(struct outbox_new){.ref = m.ref,
					     .kind = "login_new_network",
					     .recipient = m.to,
					     .phrase = m.phrase,
					     .subject = m.subject,
					     .body_text = m.body,
					     .now = l->now},
			NULL);
	notify_mail_clear(&m);
	return rc;
}
