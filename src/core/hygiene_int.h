/*
 * Private header of core/hygiene*.c: what the files of account hygiene
 * share and nothing outside them uses.
 */
#ifndef GH_CORE_HYGIENE_INT_H
#define GH_CORE_HYGIENE_INT_H

#include "core/hygiene.h"

/* "staff:3", "customer:9" into out. */
void hygiene_principal(enum realm realm, int64_t id, char *out,
		       size_t outsz);

/*
 * Queues the notice of login l from network (new to the principal) in
 * the caller's transaction: to a staff member's l->email, or to a
 * customer's address on file with their anti-phishing phrase. Time and
 * network only, no personal data. 0 or an error.
 */
int hygiene_notice_new_network(struct app *app, struct store_conn *c,
			       const struct hyg_login *l,
			       const char *network);

#endif
