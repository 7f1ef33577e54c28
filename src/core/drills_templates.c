/*
 * The built-in phishing-drill templates (core/drills.h), each modelled on
 * a real help-desk lure, with the red flags an agent should have seen and
 * the short lesson shown the moment a link of it is opened.
 *
 * Invariant: every link a template carries is on a reserved top-level
 * domain (.example, RFC 2606), so a drill can never send anyone to a
 * real site, and every body holds exactly one "{link}".
 */
#include "core/drills.h"

#include <stdlib.h>
#include <string.h>

static const struct drill_template templates[] = {
	{
		.id = "urgent-mfa-reset",
		.title = "Urgent password and MFA reset",
		.sender = "Jordan Ellis",
		.subject = "URGENT: locked out before the board call, reset "
			   "my MFA now",
		.body = "Hi, Jordan from the regional office here. I present "
			"to the board in ten minutes and my authenticator "
			"stopped working after I changed phones. Please reset "
			"my password and MFA right away and confirm the new "
			"code on this page:\n{link}\n\nI have no time for "
			"the usual checks, my manager already approved it. "
			"Thanks!",
		.url = "https://sso-helpdesk-reset.example/verify?u=jellis",
		.attachment = NULL,
		.red_flags = {"Urgency and pressure (\"ten minutes\", "
			      "\"right away\").",
			      "Asks you to skip the usual verification.",
			      "Claims someone else already approved it.",
			      "A link to a look-alike sign-in page that is "
			      "not one of our domains.",
			      NULL},
		.lesson_title = "This was a phishing drill: the urgent reset",
		.lesson_text = "In 2023 attackers phoned MGM Resorts' help "
			       "desk posing as an employee they had found "
			       "online and talked an agent into resetting "
			       "the account's credentials; the breach that "
			       "followed shut down hotels and casinos for "
			       "days. Urgency and \"it's already approved\" "
			       "are the tools of that attack. Never open a "
			       "link from a request like this, never skip "
			       "verification, and report the message with "
			       "\"Report phishing\".",
		.modelled_on = "MGM Resorts help-desk social engineering, "
			       "2023",
	},
	{
		.id = "fake-invoice",
		.title = "Overdue invoice with an attachment",
		.sender = "Northwind Supplies Accounts",
		.subject = "Overdue invoice INV-20931: payment due today",
		.body = "Hello,\n\nour records show invoice INV-20931 "
			"(EUR 4,870.00) is 30 days overdue. Please see the "
			"attached Invoice_INV-20931.pdf.html or view it "
			"online:\n{link}\n\nIf payment is not received "
			"today the account will be passed to collections.\n"
			"\nAccounts Receivable",
		.url = "https://northwind-invoices.example/view/INV-20931",
		.attachment = "Invoice_INV-20931.pdf.html",
		.red_flags = {"An invoice we never ordered, sent to a support "
			      "queue.",
			      "A threat (\"passed to collections\") and a "
			      "deadline of today.",
			      "An attachment with a double extension "
			      "(.pdf.html) that is really a web page.",
			      "A link to a domain that is not the supplier's "
			      "known site.",
			      NULL},
		.lesson_title = "This was a phishing drill: the fake invoice",
		.lesson_text = "Fake invoices are the most common lure of "
			       "business e-mail compromise: a file or link "
			       "that opens a fake sign-in page or installs "
			       "malware. Invoices are never paid or opened "
			       "from a support ticket. Check the sender and "
			       "the file type, do not open it, and report "
			       "the message with \"Report phishing\".",
		.modelled_on = "Invoice fraud and HTML-attachment phishing "
			       "(business e-mail compromise)",
	},
	{
		.id = "phone-change",
		.title = "Caller asks to change the phone number",
		.sender = "Sam Porter",
		.subject = "Please update my phone number today",
		.body = "Hi, I called about this earlier. I lost my phone "
			"and have a new number: +44 7700 900123. Please "
			"change the number on my account today, I can't get "
			"my codes on the old one. I filled in your form as "
			"well:\n{link}\n\nPlease don't send anything to the "
			"old number, it's not mine any more.",
		.url = "https://account-update-form.example/phone?ref=88213",
		.attachment = NULL,
		.red_flags = {"A change of the very number codes are sent "
			      "to, asked before any verification.",
			      "\"Don't contact the old number\": it cuts out "
			      "the real customer.",
			      "Claims an earlier call you cannot check.",
			      "A \"form\" on a domain that is not ours.",
			      NULL},
		.lesson_title = "This was a phishing drill: the phone-number "
				"change",
		.lesson_text = "Changing the phone number is the first step "
			       "of a SIM-swap account takeover: with the "
			       "number changed, the attacker receives every "
			       "code. A phone change goes only through an "
			       "account-change request under dual control "
			       "after the customer is verified, never through "
			       "a link. Report such messages with \"Report "
			       "phishing\".",
		.modelled_on = "SIM-swap and contact-detail takeover via "
			       "customer support",
	},
};

#define N_TEMPLATES (sizeof(templates) / sizeof(templates[0]))

int
drills_is_sender(const char *email_idx)
{
	return email_idx != NULL &&
	       strncmp(email_idx, DRILL_SENDER_PREFIX,
		       strlen(DRILL_SENDER_PREFIX)) == 0;
}

const struct drill_template *
drills_templates(size_t *n_out)
{
	*n_out = N_TEMPLATES;
	return templates;
}

const struct drill_template *
drills_template(const char *id)
{
	if (id == NULL)
		return NULL;
	for (size_t i = 0; i < N_TEMPLATES; i++)
		if (strcmp(templates[i].id, id) == 0)
			return &templates[i];
	return NULL;
}

char *
drills_template_body(const struct drill_template *t)
{
	const char *at = strstr(t->body, "{link}");
	size_t pre, url, post;
	char *o;

	if (at == NULL)
		return NULL;
	pre = (size_t)(at - t->body);
	url = strlen(t->url);
	post = strlen(at + 6);
	o = malloc(pre + url + post + 1);
	if (o == NULL)
		return NULL;
	memcpy(o, t->body, pre);
	memcpy(o + pre, t->url, url);
	memcpy(o + pre + url, at + 6, post + 1);
	return o;
}

json_t *
drills_lesson(const struct drill_template *t)
{
	json_t *flags = json_array();

	if (flags == NULL)
		return NULL;
	for (size_t i = 0; i < DRILL_MAX_FLAGS && t->red_flags[i] != NULL; i++)
		json_array_append_new(flags, json_string(t->red_flags[i]));
	return json_pack("{s:s, s:s, s:o}", "title", t->lesson_title, "text",
			 t->lesson_text, "red_flags", flags);
}
