/*
 * The mails of customer self-service (core/self_int.h): the content-free
 * notices of a password change or reset, of a recovery code used and of
 * new recovery codes, to the address on file with the anti-phishing
 * phrase; and the mails carrying a password-reset link (also with the
 * phrase) or a sign-up link (no customer, so no phrase, yet).
 *
 * Invariant: a notice names no secret and no personal data; a link's
 * token appears only in the mail that carries it (the outbox row) and
 * opens nothing alone: a reset still needs the authenticator or a
 * recovery code, and a sign-up still needs enrolment.
 */
#include "core/self_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/contact.h"
#include "core/notify.h"
#include "core/sealed.h"
#include "util/errors.h"

#define TAIL \
	"If this was you, there is nothing to do.\n\n" \
	"If it was not you, log in to the portal at %s yourself (type the " \
	"address or use your bookmark), change your password under " \
	"Security settings, and contact us through the portal. If you " \
	"cannot log in, contact support: we restore access only after " \
	"checking who you are, never by e-mail alone.\n\n" \
	"We will never ask for your password, authenticator codes or " \
	"recovery codes by e-mail or phone.\n"

static const char changed_text[] =
	"Hello,\n\nThe password of your %s account was changed on %s. Every "
	"other session of your account was ended.\n\n" TAIL;
static const char reset_done_text[] =
	"Hello,\n\nThe password of your %s account was reset on %s through "
	"a link sent to this address and your second factor. Every session "
	"of your account was ended.\n\n" TAIL;
static const char used_text[] =
	"Hello,\n\nSomeone logged in to your %s account on %s with your "
	"password and one of your recovery codes. That session can only set "
	"up a new authenticator app, which replaces your old one as soon as "
	"it is set up.\n\n" TAIL;
static const char renewed_text[] =
	"Hello,\n\nNew recovery codes were made for your %s account on %s. "
	"The earlier codes no longer work.\n\n" TAIL;

/* The notice's outbox kind, subject and text (*body malloc'd). */
static int
notice_text(const struct app *app, enum self_notice kind, const char *when,
	    const char **what, const char **subject, char **body)
{
	const char *co = app->cfg.company_name, *url = app->cfg.portal_url;
	int n = -1;

	switch (kind) {
	case SELF_NOTICE_PASSWORD_CHANGED:
		*what = "password_changed";
		*subject = "Your password was changed";
		n = asprintf(body, changed_text, co, when, url);
		break;
	case SELF_NOTICE_PASSWORD_RESET:
		*what = "password_reset";
		*subject = "Your password was reset";
		n = asprintf(body, reset_done_text, co, when, url);
		break;
	case SELF_NOTICE_RECOVERY_USED:
		*what = "recovery_code_used";
		*subject = "A recovery code was used to log in";
		n = asprintf(body, used_text, co, when, url);
		break;
	case SELF_NOTICE_CODES_RENEWED:
		*what = "recovery_codes_renewed";
		*subject = "New recovery codes were made";
		n = asprintf(body, renewed_text, co, when, url);
		break;
	}
	if (n < 0) {
		*body = NULL;
		return -GH_INTERNAL;
	}
	return 0;
}

void
self_principal(int64_t id, char *out, size_t outsz)
{
	snprintf(out, outsz, "customer:%lld", (long long)id);
}

int
self_customer_email(struct app *app, struct store_conn *c,
		    int64_t customer_id, char **email, char *name,
		    size_t namesz)
{
	struct customer_contact cc;
	int rc;

	*email = NULL;
	rc = c->ops->customer_contact(c, customer_id, &cc);
	if (rc < 0)
		return rc;
	rc = sealed_field_open(app->keys, cc.email_idx, "email", &cc.email,
			       email);
	if (rc == 0 && *email == NULL)
		rc = -GH_INTERNAL;
	if (rc == 0 && name != NULL)
		snprintf(name, namesz, "%s", cc.name);
	customer_contact_clear(&cc);
	return rc;
}

static int
queue(struct store_conn *c, const char *kind, const struct notify_mail *m,
      int64_t now)
{
	return c->ops->outbox_insert(c,
				     &(struct outbox_new){
					     .ref = m->ref,
					     .kind = kind,
					     .recipient = m->to,
					     .phrase = m->phrase,
					     .subject = m->subject,
					     .body_text = m->body,
					     .now = now},
				     NULL);
}

int
self_notice(struct app *app, struct store_conn *c, int64_t customer_id,
	    enum self_notice kind, int64_t now)
{
	struct notify_mail m;
	const char *what = NULL, *subject = NULL;
	char when[40];
	int rc;

	memset(&m, 0, sizeof(m));
	notify_when(now, when, sizeof(when));
	rc = notice_text(app, kind, when, &what, &subject, &m.body);
	if (rc == 0) {
		m.subject = strdup(subject);
		rc = m.subject != NULL ? 0 : -GH_INTERNAL;
	}
	if (rc == 0)
		rc = notify_seal_customer(app, c, customer_id, &m);
	if (rc == 0)
		rc = queue(c, what, &m, now);
	notify_mail_clear(&m);
	return rc;
}

/* The end of a link mail: where the customer checks how we contact
 * them (the phrase line only where there is a phrase: not yet at
 * sign-up). */
#define PHRASE_ADVICE \
	"Every genuine e-mail from us shows your anti-phishing phrase. If " \
	"one does not, do not follow its links.\n"
#define POLICY_LINE \
	"How we contact you, and how to check that a call is really from " \
	"us: %s\n"

static const char reset_text[] =
	"Hello,\n\n"
	"Someone asked to reset the password of your %s account. To choose "
	"a new password, open this link within %lld minutes:\n\n%s/#/reset/%s"
	"\n\nYou will also need the code from your authenticator app or one "
	"of your recovery codes: this link alone does not open your "
	"account. It works once.\n\n"
	"If you did not ask for this, ignore this mail: your password stays "
	"as it is.\n\n" PHRASE_ADVICE POLICY_LINE;

static const char signup_text[] =
	"Hello,\n\n"
	"Someone asked to open a %s account with this address. To go on, "
	"open this link within %lld minutes:\n\n%s/#/signup/%s\n\n"
	"You will then set up an authenticator app. The link works once.\n\n"
	"If you did not ask for this, ignore this mail: no account is "
	"opened.\n\n" POLICY_LINE;

/* Queues a link mail of kind ("reset" or "signup") with text (its
 * arguments: the company, minutes, the portal, token, the policy page),
 * sealed to the customer customer_id (address and phrase on file) or,
 * for 0, to email without a phrase. */
static int
link_mail(struct app *app, struct store_conn *c, const char *kind,
	  int64_t customer_id, const char *email, const char *token,
	  int64_t minutes, int64_t now)
{
	int reset = strcmp(kind, "reset") == 0;
	char policy[CONFIG_STR_MAX + 16];
	struct notify_mail m;
	int rc = -GH_INTERNAL;
	int n;

	memset(&m, 0, sizeof(m));
	contact_policy_url(&app->cfg, policy, sizeof(policy));
	m.subject = strdup(reset ? "Reset your password"
				 : "Confirm your e-mail address");
	n = asprintf(&m.body, reset ? reset_text : signup_text,
		     app->cfg.company_name, (long long)minutes,
		     app->cfg.portal_url, token, policy);
	if (n < 0)
		m.body = NULL;
	if (m.subject == NULL || m.body == NULL)
		goto out;
	if (customer_id > 0)
		rc = notify_seal_customer(app, c, customer_id, &m);
	else
		rc = notify_seal(app->keys, email, NULL, &m);
	if (rc == 0)
		rc = queue(c, reset ? "password_reset_link" : "signup_link", &m,
			   now);
out:
	if (m.body != NULL)
		crypto_wipe(m.body, strlen(m.body));
	notify_mail_clear(&m);
	return rc;
}

int
self_reset_mail(struct app *app, struct store_conn *c, int64_t customer_id,
		const char *token, int64_t minutes, int64_t now)
{
	return link_mail(app, c, "reset", customer_id, NULL, token, minutes,
			 now);
}

int
self_signup_mail(struct app *app, struct store_conn *c, const char *email,
		 const char *token, int64_t minutes, int64_t now)
{
	return link_mail(app, c, "signup", 0, email, token, minutes, now);
}
