/*
 * The notice of a login from a new network (see core/hygiene.h): a fixed
 * text with the time and the network of the login and what to do if it
 * was not the reader, queued in the login's transaction and delivered by
 * the mailer like every notification. A staff member's notice goes to
 * their login address; a customer's to the address on file, with their
 * anti-phishing phrase, and names no personal data. Neither contains the
 * full address, the password, the code or the session. The notice of a
 * staff member's own password change is here too: the time, and what to
 * do if it was not them.
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
	int n;

	notify_when(l->now, when, sizeof(when));
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
	if (l->realm == REALM_STAFF)
		return notify_seal(app->keys, l->email, NULL, m);
	return notify_seal_customer(app, c, l->id, m);
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

static const char changed_text[] =
	"Hello,\n\n"
	"The password of your %s staff account was changed on %s. Every "
	"other session of your account was ended.\n\n"
	"If this was you, there is nothing to do.\n\n"
	"If it was not you, tell your administrator or security team at "
	"once: they can force a new password change and end every session "
	"of your account.\n";

int
hygiene_notice_password_changed(struct app *app, struct store_conn *c,
				const char *email, int64_t now)
{
	char when[40];

	notify_when(now, when, sizeof(when));
	return notify_staff_event(app, c, email, "Your password was changed",
				  "password_changed", now, changed_text,
				  app->cfg.company_name, when);
}
