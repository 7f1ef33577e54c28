/*
 * Private header of the account-change module (core/changes*.c); nothing
 * outside it includes this. changes.c holds the request after its
 * verification, the decisions and the listings; changes_request.c the
 * verification of a request (core/verify.h); changes_apply.c the
 * application of due changes; changes_notice.c the notices to the old
 * contact.
 */
#ifndef GH_CORE_CHANGES_INT_H
#define GH_CORE_CHANGES_INT_H

#include <jansson.h>

#include "core/changes.h"

/* What the verification of a request established (core/verify.h's
 * struct verify_assurance, as far as a request needs it). */
struct chg_proof {
	int64_t verification_id;
	int64_t ticket_id;
	int level;
	int possession;
};

/*
 * The request of changes_request() once the verification was looked up:
 * p is what it proved (level 0 when it proved nothing). Checks the input
 * and the proof (changes_assurance_ok; a refusal is audited), then stores
 * the request with its audit record. Contract otherwise as
 * changes_request().
 */
int chg_request(struct app *app, struct store_conn *c,
		const struct tk_actor *a, const struct change_request_in *in,
		const struct chg_proof *p, int64_t now, struct change_rec *out,
		const char **field, int *level_held);

/* Appends the audit record of a's action (a NULL: the server) on change
 * id, in the caller's transaction; detail stolen. */
int chg_audit(struct app *app, struct store_conn *c, const struct tk_actor *a,
	      const char *action, int64_t id, const char *outcome,
	      json_t *detail);

/* Queues the notice about r (approved: applied 0; applied: 1) to the
 * customer's e-mail address on file, in the caller's transaction. 0 or
 * an error. */
int chg_notice(struct app *app, struct store_conn *c,
	       const struct change_rec *r, int applied, int64_t now);

/* The AD that seals the new value of a request. */
void chg_value_ad(const char *kind, int64_t customer_id, const char *ref,
		  char *ad, size_t adsz);

#endif
