/*
 * The notices of account changes (see core/changes.h): when a change is
 * approved (it will take effect after the cooling-off unless the customer
 * cancels it) and when it is applied, a mail goes to the e-mail address
 * on file at that moment, that is the old one, never to a value the
 * change brings. The text is fixed: what kind of change in general words,
 * the date it takes effect, the portal address, how the company contacts
 * customers, and the customer's anti-phishing phrase; never the new value,
 * the agent, the ticket or any personal field. The mail is queued in the
 * caller's transaction, so a step and its notice are stored together or
 * not at all; the mailer delivers it like every notification.
 */
#include "core/changes_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/contact.h"
#include "core/notify.h"
#include "core/sealed.h"
#include "util/errors.h"

/* What a kind of change is called in a notice. */
static const char *
kind_words(const char *kind)
{
	if (strcmp(kind, "email") == 0)
		return "a change of the e-mail address of your account";
	if (strcmp(kind, "phone") == 0)
		return "a change of the phone number of your account";
	if (strcmp(kind, "mfa_reset") == 0)
		return "a reset of the authenticator app of your account and "
		       "the removal of its passkeys (you would set up a new "
		       "authenticator at your next login)";
	return "a change of your account number";
}

/* The advice every notice ends with (as core/notify.c words it). */
#define NOTICE_ADVICE                                                         \
	"How %s contacts you: our e-mails never contain your personal "      \
	"details, and the only address in them is our portal's (above). "    \
	"Type that address yourself or use your bookmark, and check that "   \
	"it matches.\n"                                                      \
	"We will never ask for your password, authenticator codes or card "  \
	"details by e-mail or phone.\n"                                      \
	"Every genuine e-mail from us shows your anti-phishing phrase. If "  \
	"one does not, do not follow its links.\n"                           \
	"How we contact you, and how to check that a call is really from "   \
	"us: %s\n"

static int
approved_text(const struct config *cfg, const struct change_rec *r,
	      char **subject, char **body)
{
	char policy[CONFIG_STR_MAX + 16];
	char when[40];

	contact_policy_url(cfg, policy, sizeof(policy));
	notify_when(r->apply_after, when, sizeof(when));
	*subject = strdup("A change to your account was requested");
	if (*subject == NULL)
		return -GH_INTERNAL;
	if (asprintf(body,
		     "Hello,\n\n"
		     "Our support team was asked for %s. It takes effect on %s "
		     "unless you cancel it before.\n\n"
		     "If this was not you, someone may be trying to take over "
		     "your account: log in to the portal at %s and cancel it "
		     "under \"Account changes\" now.\n\n" NOTICE_ADVICE,
		     kind_words(r->kind), when, cfg->portal_url,
		     cfg->company_name, policy) < 0) {
		*body = NULL;
		return -GH_INTERNAL;
	}
	return 0;
}

static int
applied_text(const struct config *cfg, const struct change_rec *r,
	     char **subject, char **body)
{
	char policy[CONFIG_STR_MAX + 16];

	contact_policy_url(cfg, policy, sizeof(policy));
	*subject = strdup("A change to your account was made");
	if (*subject == NULL)
		return -GH_INTERNAL;
	if (asprintf(body,
		     "Hello,\n\n"
		     "As announced, %s has now been made.\n\n"
		     "If this was not you, contact us at once through the "
		     "portal at %s.\n\n" NOTICE_ADVICE,
		     kind_words(r->kind), cfg->portal_url,
		     cfg->company_name, policy) < 0) {
		*body = NULL;
		return -GH_INTERNAL;
	}
	return 0;
}

/* The customer's e-mail address and phrase (may stay NULL) on file. */
static int
open_contact(const struct app *app, const struct customer_contact *cc,
	     char **email, char **phrase)
{
	int rc;

	*email = NULL;
	*phrase = NULL;
	rc = sealed_field_open(app->keys, cc->email_idx, "email", &cc->email,
			       email);
	if (rc == 0 && *email == NULL)
		rc = -GH_INTERNAL;
	if (rc == 0)
		rc = sealed_field_open(app->keys, cc->email_idx, "phrase",
				       &cc->phrase, phrase);
	return rc;
}

int
chg_notice(struct app *app, struct store_conn *c, const struct change_rec *r,
	   int applied, int64_t now)
{
	struct customer_contact cc;
	struct notify_mail m;
	char *email = NULL, *phrase = NULL;
	int rc;

	memset(&m, 0, sizeof(m));
	rc = c->ops->customer_contact(c, r->customer_id, &cc);
	if (rc < 0)
		return rc;
	rc = open_contact(app, &cc, &email, &phrase);
	if (rc == 0)
		rc = applied ? applied_text(&app->cfg, r, &m.subject, &m.body)
			     : approved_text(&app->cfg, r, &m.subject, &m.body);
	if (rc == 0)
		rc = notify_seal(app->keys, email, phrase, &m);
	if (rc == 0)
		rc = c->ops->outbox_insert(
			c,
			&(struct outbox_new){.ref = m.ref,
					     .kind = applied ? "change_applied"
							     : "change_notice",
					     .recipient = m.to,
					     .phrase = m.phrase,
					     .subject = m.subject,
					     .body_text = m.body,
					     .now = now},
			NULL);
	crypto_secret_free(email);
	crypto_secret_free(phrase);
	customer_contact_clear(&cc);
	notify_mail_clear(&m);
	return rc;
}
