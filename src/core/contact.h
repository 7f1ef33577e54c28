/*
 * Customers who can tell it is really us (issue 11 part D).
 *
 * Contact codes: an agent on a call or chat gives the customer a one-time
 * code from the ticket ("is this really you?"); the customer enters it in
 * the portal and learns whether someone from the company gave it: the
 * agent's first name, the ticket and when, or that nobody did. A code is
 * 8 random digits shown as 4-4, stored only as a keyed hash (crypto
 * blind index, domain "contact.code"), valid for [contact] code_minutes,
 * once, and only for the customer of its ticket. A customer may check
 * [contact] checks_per_hour codes an hour, a staff member give
 * [contact] codes_per_hour; past either the answer is -GH_RATE_LIMITED
 * with the seconds until a place frees. Both sides are audited
 * (contact_code.issue, contact_code.check), never with the code.
 *
 * The contact policy ([contact] in the configuration) is public text; its
 * lists are items separated by "|". The security centre gathers what the
 * portal shows a customer about their own account's security.
 */
#ifndef GH_CORE_CONTACT_H
#define GH_CORE_CONTACT_H

#include <stddef.h>
#include <stdint.h>

#include "core/actor.h"
#include "core/app.h"
#include "store/store.h"

#define CONTACT_CODE_DIGITS 8
/* "1234-5678" and its NUL. */
#define CONTACT_CODE_TEXT (CONTACT_CODE_DIGITS + 2)
/* The longest text a check accepts (a code typed with spaces, dashes). */
#define CONTACT_INPUT_MAX 32
/* The reveals the security centre lists, newest first. */
#define CONTACT_REVEALS_MAX 50

/* A code just given: the code as shown (secret: wipe it when done). */
struct contact_issued {
	int64_t id;
	int64_t ticket_id;
	int64_t expires_at;
	char code[CONTACT_CODE_TEXT];
};

/* The answer to a check. genuine 0: nothing else is set. */
struct contact_check {
	int genuine;
	char agent[404];          /* the giver's first name */
	int64_t ticket_id;
	int64_t issued_at;
};

/*
 * Gives a new code on ticket ticket_id to its customer, as staff member
 * a at now. -GH_NOT_FOUND when a does not see the ticket (or there is
 * none), -GH_FORBIDDEN for a customer, -GH_RATE_LIMITED (committed with
 * its audit record) with *retry_after when a gave codes_per_hour codes
 * in the last hour. 0 with *out filled; the caller wipes out->code.
 */
int contact_code_issue(struct app *app, struct store_conn *c,
		       const struct tk_actor *a, int64_t ticket_id,
		       int64_t now, struct contact_issued *out,
		       int64_t *retry_after);

/*
 * Customer a checks input (a code as they typed it: digits, spaces and
 * dashes) at now. A code counts as genuine when it was given for one of
 * a's tickets, has not expired and was not checked before; the check
 * uses it up. Anything else (unknown, expired, used, another customer's,
 * not a code at all) answers out->genuine 0. Every check counts towards
 * checks_per_hour and is audited with its result; past the limit,
 * -GH_RATE_LIMITED with *retry_after (nothing checked). -GH_BAD_FIELD
 * for input longer than CONTACT_INPUT_MAX; -GH_FORBIDDEN for staff.
 */
int contact_code_check(struct app *app, struct store_conn *c,
		       const struct tk_actor *a, const char *input,
		       int64_t now, struct contact_check *out,
		       int64_t *retry_after);

/*
 * The next item of a "|"-separated list at *p, trimmed, into out (cut at
 * outsz - 1); advances *p. 1 when an item was read, 0 at the end. Empty
 * items are skipped.
 */
int contact_list_next(const char **p, char *out, size_t outsz);

/* The address of the "How we contact you" page: the portal address with
 * "#/contact". */
void contact_policy_url(const struct config *cfg, char *out, size_t outsz);

/* A customer's own security overview (GET /portal/security). */
struct contact_security {
	struct contact_mfa mfa;
	int phrase_set;
	struct contact_reveal_list reveals; /* newest first */
	struct change_list changes;         /* open changes, newest first */
};

/*
 * Fills *out for customer a at now (open changes due by now are applied
 * first, as changes_list does). -GH_FORBIDDEN for staff. Release with
 * contact_security_clear() (also on error).
 */
int contact_security_get(struct app *app, struct store_conn *c,
			 const struct tk_actor *a, int64_t now,
			 struct contact_security *out);
void contact_security_clear(struct contact_security *s);

/* What replaces the customer's anti-phishing phrase in their own
 * messages, and the redaction recorded for it. */
#define CONTACT_PHRASE_MARK "[redacted: anti-phishing phrase]"
#define CONTACT_PHRASE_TYPE "anti_phishing_phrase"

/*
 * The anti-phishing phrase never reaches staff, not even when the
 * customer types it into a message (an impostor's favourite request):
 * *out gets a malloc'd copy of text with every occurrence of customer
 * customer_id's phrase (ASCII letters compared without case) replaced by
 * CONTACT_PHRASE_MARK, or stays NULL when there is none to replace (no
 * phrase set, or not in text). 0 or an error. Run before the inbound
 * analysis, which then sees the text as it will be stored.
 */
int contact_phrase_scrub(struct app *app, struct store_conn *c,
			 int64_t customer_id, const char *text, char **out);

/* Appends {type: CONTACT_PHRASE_TYPE, rule: "customer_phrase"} to the
 * stored redactions JSON text *redactions (replaced). 0 or
 * -GH_INTERNAL. */
int contact_phrase_note(char **redactions);

/* The first word of a staff member's name ("Support" when empty). */
void contact_first_name(const char *name, char *out, size_t outsz);

#endif
