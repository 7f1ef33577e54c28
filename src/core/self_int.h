/*
 * Private header of customer self-service (core/recovery*.c,
 * core/portal_password*.c, core/self_notice.c): what those files share
 * and nothing outside them uses.
 */
#ifndef GH_CORE_SELF_INT_H
#define GH_CORE_SELF_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/app.h"
#include "store/store.h"

/* The notices a customer's own security actions send. */
enum self_notice {
	SELF_NOTICE_PASSWORD_CHANGED,
	SELF_NOTICE_PASSWORD_RESET,
	SELF_NOTICE_RECOVERY_USED,
	SELF_NOTICE_CODES_RENEWED,
};

/*
 * Queues notice kind to the customer's address on file (with their
 * anti-phishing phrase) in the caller's transaction: a fixed text with
 * the time and what to do if it was not them, no secret and no personal
 * data. 0 or an error.
 */
int self_notice(struct app *app, struct store_conn *c, int64_t customer_id,
		enum self_notice kind, int64_t now);

/*
 * Queue a mail with a link, in the caller's transaction, ending with the
 * address of the "how we contact you" page. The link is the portal's
 * address with "#/<kind>/<token>". 0 or an error.
 * self_reset_mail: the password-reset link ("reset"), to the customer's
 * address on file with their anti-phishing phrase.
 * self_signup_mail: the sign-up proof ("signup") to the address email
 * (plain; sealed here), without a phrase: there is no customer yet.
 */
int self_reset_mail(struct app *app, struct store_conn *c,
		    int64_t customer_id, const char *token, int64_t minutes,
		    int64_t now);
int self_signup_mail(struct app *app, struct store_conn *c,
		     const char *email, const char *token, int64_t minutes,
		     int64_t now);

/* The customer's address on file, opened (*email: crypto_secret_free),
 * and their name into name. 0 or an error. */
int self_customer_email(struct app *app, struct store_conn *c,
			int64_t customer_id, char **email, char *name,
			size_t namesz);

/* "customer:9" into out. */
void self_principal(int64_t id, char *out, size_t outsz);

#endif
