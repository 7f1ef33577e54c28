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

/* --- staff passwords (core/hygiene_password.c) ------------------------ */

/* A staff member's password as the gate sees it. */
struct hyg_pw_status {
	int required;             /* the session is held to the change */
	const char *why;          /* "forced", "expired" or NULL */
	int64_t changed_at;
	int64_t expires_at;       /* 0: no maximum age configured */
};

/* 0 with *out filled; -GH_NOT_FOUND when there is no such member. */
int hygiene_password_status(struct app *app, struct store_conn *c,
			    int64_t staff_id, int64_t now,
			    struct hyg_pw_status *out);

/*
 * The password gate of a staff request at now: 0 when the member may use
 * the route, -GH_PASSWORD_CHANGE_REQUIRED while their change was forced
 * or their password is older than [security] password_max_age_days (the
 * routes that stay open are marked in api/routes.c), -GH_SESSION_REQUIRED
 * when the member is gone.
 */
int hygiene_password_gate(struct app *app, struct store_conn *c,
			  int64_t staff_id, int64_t now);

/*
 * The same gate on the staff session s as session_authenticate() read it
 * (session_get reads the member's password time and forced-change flag
 * in the session's own statement): no statement of its own, and nothing
 * cached, so a change of the flag or of [security] password_max_age_days
 * applies to the very next request. -GH_SESSION_REQUIRED for a session
 * that is not a live staff one.
 */
int hygiene_password_gate_session(const struct app *app,
				  const struct session_rec *s, int64_t now);

/* A forced password change: the member by staff_id, or by email when
 * that is not NULL; who forces it ("staff:3", "cli") and why. */
struct hyg_force {
	int64_t staff_id;
	const char *email;
	const char *reason;
	const char *actor;
	const char *ip;
	const char *request_id;
};

/*
 * Sets the member's forced-change flag and ends every session of theirs,
 * audited "staff.password.force_change" with who forced it and why.
 * *id_out and *ended_out (may be NULL) get the member's id and the number
 * of sessions ended. -GH_NOT_FOUND when there is no such member.
 */
int hygiene_password_force(struct app *app, struct store_conn *c,
			   const struct hyg_force *f, int64_t *id_out,
			   int64_t *ended_out);

struct hyg_pw_change {
	const char *current;
	size_t current_len;
	const char *next;
	size_t next_len;
};

/*
 * The staff member w changes their own password, in three steps so that
 * the argon2id work (two verifications and the new hash) runs on a worker
 * without a database connection (api/hygiene.c defers it, http/defer.h).
 *
 * begin, on a server thread with c: loads the member, counts the attempt
 * on the login throttle's keys (-GH_TOO_MANY_ATTEMPTS with *retry_after)
 * and normalises both passwords into the job *out (free with
 * hygiene_password_change_free); -GH_SESSION_REQUIRED when the member is
 * gone. w's strings are borrowed until finish; in's are not kept.
 */
struct hyg_pw_job;

int hygiene_password_change_begin(struct app *app, struct store_conn *c,
				  const struct hyg_who *w,
				  const struct hyg_pw_change *in, int64_t now,
				  struct hyg_pw_job **out,
				  int64_t *retry_after);

/* On a worker, touching only x: the current password, then the new one
 * (not the current one, within the policy), then its hash. */
void hygiene_password_change_check(struct hyg_pw_job *x);

/*
 * On a server thread with c, after check: a wrong current password is
 * -GH_LOGIN_FAILED (the attempt stays counted); otherwise the attempt is
 * settled, and a new password equal to the current one is
 * -GH_PASSWORD_REUSED, one the policy refuses -GH_WEAK_PASSWORD with
 * *reason (a static sentence). On success the hash, its time and a
 * cleared forced-change flag are stored, every other session of the
 * member ends, a notice is mailed to the member (no secret in it) and
 * "staff.password.changed" is audited; refusals are audited
 * "staff.password.change" (failure) with the reason.
 */
int hygiene_password_change_finish(struct store_conn *c,
				   struct hyg_pw_job *x, const char **reason);

/* Wipes and frees x (NULL is a no-op). */
void hygiene_password_change_free(struct hyg_pw_job *x);

#endif
