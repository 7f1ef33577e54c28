/*
 * Staff passwords after creation (see core/hygiene.h): the gate that
 * holds a session to the password change while the password is too old
 * ([security] password_max_age_days) or its change was forced, the
 * forced change itself (an admin or the CLI, on evidence of compromise:
 * every session of the member ends), and the member's own change (the
 * current password checked under the login throttle, the new one under
 * the policy, every other session ended, a notice mailed), in three
 * steps so that its argon2id work runs on a worker pool without a
 * database connection (begin and finish on a server thread).
 *
 * Invariant: no password, normalised or not, leaves the secret buffers
 * it was normalised into; the audit records and the notice name the
 * member and the sessions ended, never a password.
 */
#include "core/hygiene_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "core/password.h"
#include "core/throttle.h"
#include "util/errors.h"

#define DAY 86400

/* The gate's rule on a password set at changed_at, forced or not. */
static void
pw_due(const struct app *app, int64_t changed_at, int must_change,
       int64_t now, struct hyg_pw_status *out)
{
	int64_t max_age = app->cfg.password_max_age_days;

	memset(out, 0, sizeof(*out));
	out->changed_at = changed_at;
	out->expires_at = max_age > 0 ? changed_at + max_age * DAY : 0;
	if (must_change)
		out->why = "forced";
	else if (max_age > 0 && now >= out->expires_at)
		out->why = "expired";
	out->required = out->why != NULL;
}

int
hygiene_password_status(struct app *app, struct store_conn *c,
			int64_t staff_id, int64_t now,
			struct hyg_pw_status *out)
{
	struct staff_pw_state s;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = c->ops->hygiene.staff_pw_get(c, staff_id, &s);
	if (rc < 0)
		return rc;
	pw_due(app, s.changed_at, s.must_change, now, out);
	return 0;
}

int
hygiene_password_gate(struct app *app, struct store_conn *c, int64_t staff_id,
		      int64_t now)
{
	struct hyg_pw_status st;
	int rc = hygiene_password_status(app, c, staff_id, now, &st);

	if (rc == -GH_NOT_FOUND)
		return -GH_SESSION_REQUIRED;
	if (rc < 0)
		return rc;
	return st.required ? -GH_PASSWORD_CHANGE_REQUIRED : 0;
}

int
hygiene_password_gate_session(const struct app *app,
			      const struct session_rec *s, int64_t now)
{
	struct hyg_pw_status st;

	if (s->realm != REALM_STAFF || s->disabled)
		return -GH_SESSION_REQUIRED;
	pw_due(app, s->pw_changed_at, s->pw_must_change, now, &st);
	return st.required ? -GH_PASSWORD_CHANGE_REQUIRED : 0;
}

/* --- forced change -------------------------------------------------- */

struct force_ctx {
	struct app *app;
	const struct hyg_force *f;
	int64_t id;
	int64_t ended;
};

static int
tx_force(struct store_conn *c, void *cls)
{
	struct force_ctx *x = cls;
	const struct hyg_force *f = x->f;
	char target[48];
	int rc;

	rc = c->ops->hygiene.staff_pw_force(c, x->id, f->reason, f->actor);
	if (rc == 0)
		rc = c->ops->session_delete_principal(c, REALM_STAFF, x->id,
						      &x->ended);
	if (rc < 0)
		return rc;
	hygiene_principal(REALM_STAFF, x->id, target, sizeof(target));
	return audit_log(x->app, c,
			 &(struct audit_ev){
				 .actor = f->actor,
				 .action = "staff.password.force_change",
				 .target = target,
				 .outcome = "success",
				 .ip = f->ip,
				 .request_id = f->request_id,
				 .detail = json_pack("{s:s, s:I}", "reason",
						     f->reason, "sessions_ended",
						     (json_int_t)x->ended),
			 });
}

int
hygiene_password_force(struct app *app, struct store_conn *c,
		       const struct hyg_force *f, int64_t *id_out,
		       int64_t *ended_out)
{
	struct force_ctx x = {app, f, f->staff_id, 0};
	struct account a;
	int rc;

	if (f->email != NULL) {
		rc = c->ops->account_by_login(c, REALM_STAFF, f->email, &a);
		if (rc < 0)
			return rc;
		x.id = a.id;
		account_clear(&a);
	}
	rc = store_transact(c, tx_force, &x);
	if (rc == 0 && id_out != NULL)
		*id_out = x.id;
	if (rc == 0 && ended_out != NULL)
		*ended_out = x.ended;
	return rc;
}

/* --- own change ----------------------------------------------------- */

/* A change on its way (see hygiene.h): begin fills it on a server
 * thread, check on a worker (no database), finish on a server thread. */
struct hyg_pw_job {
	struct app *app;
	struct hyg_who w;         /* borrowed from the request until finish */
	struct account acct;
	char acct_key[80];
	char ip_key[80];
	struct throttle_claim claims[2];
	char name[404];           /* the member's name, a context word */
	char *cur;                /* normalised current password (secret) */
	size_t cur_len;
	char *next;               /* normalised new password (secret) */
	size_t next_len;
	int next_bad;             /* the new one is not valid text */
	char hash[CRYPTO_PWHASH_BYTES];
	int64_t now;
	int64_t ended;
	int current_rc;           /* check's verdict on the current one */
	int next_rc;              /* and on the new one (after a right one) */
	const char *reason;       /* the policy's sentence */
	const char *why;          /* a failure, for the audit record */
};

void
hygiene_password_change_free(struct hyg_pw_job *x)
{
	if (x == NULL)
		return;
	crypto_secret_free(x->cur);
	crypto_secret_free(x->next);
	crypto_wipe(x->hash, sizeof(x->hash));
	account_clear(&x->acct);
	free(x);
}

/* The login throttle's keys for this member and address, reserved. */
static int
reserve(struct store_conn *c, struct hyg_pw_job *x, int64_t *retry_after)
{
	throttle_account_key(x->app, REALM_STAFF, x->acct.login, x->acct_key,
			     sizeof(x->acct_key));
	throttle_ip_key(x->w.ip, x->ip_key, sizeof(x->ip_key));
	x->claims[0] = (struct throttle_claim){.key = x->acct_key,
					       .kind = THROTTLE_ACCOUNT};
	x->claims[1] = (struct throttle_claim){.key = x->ip_key,
					       .kind = THROTTLE_ADDRESS};
	return throttle_reserve(x->app, c, x->claims, 2, x->now, retry_after);
}

/* Both passwords normalised into secret buffers (a current one that is
 * not valid text is simply wrong; a new one is refused once the current
 * one was right, as check says). */
static void
normalise(struct hyg_pw_job *x, const struct hyg_pw_change *in)
{
	if (password_normalize(in->current, in->current_len, &x->cur,
			       &x->cur_len) < 0)
		x->cur = NULL;
	if (password_normalize(in->next, in->next_len, &x->next,
			       &x->next_len) < 0) {
		x->next = NULL;
		x->next_bad = 1;
	}
}

int
hygiene_password_change_begin(struct app *app, struct store_conn *c,
			      const struct hyg_who *w,
			      const struct hyg_pw_change *in, int64_t now,
			      struct hyg_pw_job **out, int64_t *retry_after)
{
	struct hyg_pw_job *x = calloc(1, sizeof(*x));
	int rc;

	*out = NULL;
	*retry_after = 0;
	if (x == NULL)
		return -GH_INTERNAL;
	x->app = app;
	x->w = *w;
	x->now = now;
	rc = c->ops->account_by_id(c, REALM_STAFF, w->id, &x->acct);
	if (rc < 0) {
		rc = rc == -GH_NOT_FOUND ? -GH_SESSION_REQUIRED : rc;
		goto out;
	}
	rc = c->ops->staff_name(c, x->acct.id, x->name, sizeof(x->name));
	if (rc == 0)
		rc = reserve(c, x, retry_after);
	if (rc == 0)
		normalise(x, in);
out:
	if (rc < 0)
		hygiene_password_change_free(x);
	else
		*out = x;
	return rc;
}

/* The new password (core/password.h's password_check_new). */
static int
check_next(struct hyg_pw_job *x)
{
	return password_check_new(&x->app->pw_policy, x->acct.pw_hash, x->next,
				  x->next_len, x->next_bad, x->acct.login,
				  x->name, x->app->cfg.company_name,
				  &x->reason, &x->why);
}

void
hygiene_password_change_check(struct hyg_pw_job *x)
{
	if (x->cur == NULL ||
	    crypto_pw_verify(x->acct.pw_hash, x->cur, x->cur_len) != 0) {
		x->why = "wrong current password";
		x->current_rc = -GH_LOGIN_FAILED;
		return;
	}
	x->next_rc = check_next(x);
	if (x->next_rc == 0 && crypto_pw_hash(x->next, x->next_len,
					      &x->app->pw_params,
					      x->hash) < 0)
		x->next_rc = -GH_INTERNAL;
}

static int
tx_changed(struct store_conn *c, void *cls)
{
	struct hyg_pw_job *x = cls;
	char who[48];
	int rc;

	rc = c->ops->hygiene.staff_pw_set(c, x->acct.id, x->hash, x->now);
	if (rc == 0)
		rc = c->ops->hygiene.session_delete_others(
			c, REALM_STAFF, x->acct.id, x->w.token_hash,
			&x->ended);
	if (rc == 0)
		rc = hygiene_notice_password_changed(x->app, c, x->acct.login,
						     x->now);
	if (rc < 0)
		return rc;
	hygiene_principal(REALM_STAFF, x->acct.id, who, sizeof(who));
	return audit_log(x->app, c,
			 &(struct audit_ev){
				 .actor = who,
				 .action = "staff.password.changed",
				 .target = who,
				 .outcome = "success",
				 .ip = x->w.ip,
				 .request_id = x->w.request_id,
				 .detail = json_pack("{s:I}", "sessions_ended",
						     (json_int_t)x->ended),
			 });
}

static int
tx_refused(struct store_conn *c, void *cls)
{
	struct hyg_pw_job *x = cls;
	char who[48];

	hygiene_principal(REALM_STAFF, x->w.id, who, sizeof(who));
	return audit_log(x->app, c,
			 &(struct audit_ev){
				 .actor = who,
				 .action = "staff.password.change",
				 .target = who,
				 .outcome = "failure",
				 .ip = x->w.ip,
				 .request_id = x->w.request_id,
				 .detail = json_pack("{s:s}", "reason", x->why),
			 });
}

/* A right current password settles the reserved attempt (it was not a
 * guess), whatever the policy then says of the new one. */
int
hygiene_password_change_finish(struct store_conn *c, struct hyg_pw_job *x,
			       const char **reason)
{
	int rc = x->current_rc;

	*reason = NULL;
	if (rc == 0)
		rc = throttle_settle(c, x->claims, 2);
	if (rc == 0)
		rc = x->next_rc;
	if (rc == 0)
		rc = store_transact(c, tx_changed, x);
	else if (x->why != NULL && store_transact(c, tx_refused, x) < 0)
		rc = -GH_INTERNAL;
	if (rc == -GH_WEAK_PASSWORD)
		*reason = x->reason;
	return rc;
}
