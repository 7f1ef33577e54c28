/*
 * Account hygiene for both realms (issue 11 part C): the principal's own
 * sessions (list, end one), the login history (successes and failures of
 * known accounts, bounded per principal) and the new-network notice; for
 * staff also the password's age, the forced change and the own password
 * change (core/hygiene_password.c).
 *
 * Nothing here returns or logs a session token, its hash, a password or a
 * code: a session is named by its public id (store/store_hygiene.h).
 */
#ifndef GH_CORE_HYGIENE_H
#define GH_CORE_HYGIENE_H

#include <stddef.h>
#include <stdint.h>

#include "core/app.h"
#include "store/store.h"

/* Login rows kept per principal (the newest), and the most a list shows. */
#define HYGIENE_LOGINS_KEPT 200
#define HYGIENE_LOGINS_SHOWN 50
#define HYGIENE_NETWORK_BYTES 64

/* Who asks: the principal, the session the request came with, and the
 * request's address and id for the audit log. */
struct hyg_who {
	enum realm realm;
	int64_t id;
	const char *token_hash;   /* the caller's session */
	const char *ip;
	const char *request_id;
};

/* One login attempt of a known account, recorded in the login's own
 * transaction. */
struct hyg_login {
	enum realm realm;
	int64_t id;
	const char *email;        /* staff: the address to notify; else NULL */
	const char *ip;
	const char *request_id;
	const char *method;       /* "password+totp", "password" */
	int ok;
	int64_t now;
};

/*
 * The network of address ip as text: the /24 of an IPv4 address
 * ("203.0.113.0/24"; an IPv4-mapped IPv6 address counts as IPv4), the /48
 * of an IPv6 one ("2001:db8:1::/48"), or "unknown" for anything else.
 * Writes into out (at least HYGIENE_NETWORK_BYTES). Never fails.
 */
void hygiene_network(const char *ip, char *out, size_t outsz);

/*
 * The live sessions of w's principal (expired ones left out), newest
 * first, `current` set on w->token_hash's. Caller clears *out
 * (session_info_list_clear). 0 or a store error.
 */
int hygiene_sessions(struct app *app, struct store_conn *c,
		     const struct hyg_who *w, int64_t now,
		     struct session_info_list *out);

/*
 * Ends session public_id of w's principal at once, audited
 * "session.ended". *was_current is 1 when it was w's own session (the
 * caller clears the cookie: a logout). -GH_NOT_FOUND when the principal
 * has no such session (another principal's id is not found either).
 */
int hygiene_session_end(struct app *app, struct store_conn *c,
			const struct hyg_who *w, int64_t public_id,
			int *was_current);

/* The newest HYGIENE_LOGINS_SHOWN logins of w's principal, newest first.
 * Caller clears *out (login_list_clear). 0 or a store error. */
int hygiene_logins(struct app *app, struct store_conn *c,
		   const struct hyg_who *w, struct login_list *out);

/*
 * Records login attempt l inside the caller's (the login's) transaction,
 * keeping the principal's newest HYGIENE_LOGINS_KEPT rows. A success
 * from a network none of the principal's earlier successful logins came
 * from, when there are earlier ones and [security] notify_new_network is
 * on, queues a notice to the principal (time and network; for customers
 * with their anti-phishing phrase, no personal data) and is audited
 * "login.new_network". 0 or an error.
 */
int hygiene_login_record(struct app *app, struct store_conn *c,
			 const struct hyg_login *l);

#endif
