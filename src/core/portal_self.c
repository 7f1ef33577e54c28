/*
 * The rest of customer self-service (see core/portal_password.h): the
 * "forgot password" request, the count of recovery codes left, ending
 * every other session, and marking one's own ticket solved.
 *
 * Invariant: the answer to "forgot password" is the same for an address
 * with an account and one without (only the audit log and the mail
 * differ), and is throttled per client address before any look-up; the
 * mails to one address are capped per hour, silently.
 */
#include "core/portal_password.h"

#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/auth.h"
#include "core/events.h"
#include "core/self_int.h"
#include "core/sla.h"
#include "core/throttle.h"
#include "util/errors.h"

struct forgot_ctx {
	struct app *app;
	const char *email;
	const char *ip;
	const char *request_id;
	int64_t now;
	struct account acct;
	int have_acct;
	const char *outcome;      /* for the audit record */
};

/* A live link for x's customer, mailed to the address typed (it is the
 * one on file: its blind index found the account). */
static int
send_link(struct store_conn *c, struct forgot_ctx *x)
{
	struct app *app = x->app;
	char token[CRYPTO_TOKEN_CHARS + 1];
	char hash[CRYPTO_HASH_HEX];
	int64_t recent = 0;
	int rc;

	rc = c->ops->self.tokens_since(c, "reset", x->acct.id, NULL,
				       x->now - 3600, &recent);
	if (rc < 0)
		return rc;
	if (recent >= app->cfg.portal_reset_mails_per_hour) {
		x->outcome = "denied";
		return 0;
	}
	crypto_token_new(token);
	crypto_token_hash(app->keys, token, hash);
	rc = c->ops->self.token_insert(
		c, &(struct portal_token_new){
			   .hash = hash,
			   .kind = "reset",
			   .customer_id = x->acct.id,
			   .now = x->now,
			   .expires_at = x->now +
					 app->cfg.portal_reset_minutes * 60});
	if (rc == 0)
		rc = self_reset_mail(app, c, x->acct.id, token,
				     app->cfg.portal_reset_minutes, x->now);
	crypto_wipe(token, sizeof(token));
	return rc;
}

static int
tx_forgot(struct store_conn *c, void *cls)
{
	struct forgot_ctx *x = cls;
	char who[48] = "customer:unknown";
	int rc = 0;

	x->outcome = "failure";
	if (x->have_acct && !x->acct.disabled) {
		x->outcome = "success";
		rc = send_link(c, x);
	}
	if (rc < 0)
		return rc;
	if (x->have_acct)
		self_principal(x->acct.id, who, sizeof(who));
	return audit_log(x->app, c,
			 &(struct audit_ev){.actor = "anonymous",
					    .action = "portal.password.forgot",
					    .target = who,
					    .outcome = x->outcome,
					    .ip = x->ip,
					    .request_id = x->request_id});
}

int
portal_password_forgot(struct app *app, struct store_conn *c,
		       const char *email, const char *ip,
		       const char *request_id, int64_t now,
		       int64_t *retry_after)
{
	struct forgot_ctx x;
	char norm[256], idx[CRYPTO_HASH_HEX], ipk[80], key[96];
	struct throttle_claim claim = {.key = key, .kind = THROTTLE_ADDRESS};
	int rc;

	*retry_after = 0;
	memset(&x, 0, sizeof(x));
	x = (struct forgot_ctx){.app = app, .ip = ip,
				.request_id = request_id, .now = now};
	if (auth_normalize_email(email, norm, sizeof(norm)) < 0)
		return -GH_BAD_FIELD;
	throttle_ip_key(ip, ipk, sizeof(ipk));
	snprintf(key, sizeof(key), "forgot:%s", ipk);
	rc = throttle_reserve(app, c, &claim, 1, now, retry_after);
	if (rc < 0)
		return rc;
	x.email = norm;
	crypto_index(app->keys, "customer.email", norm, strlen(norm), idx);
	rc = c->ops->account_by_login(c, REALM_CUSTOMER, idx, &x.acct);
	if (rc < 0 && rc != -GH_NOT_FOUND)
		return rc;
	x.have_acct = rc == 0;
	rc = store_transact(c, tx_forgot, &x);
	account_clear(&x.acct);
	crypto_wipe(norm, sizeof(norm));
	return rc;
}

int
portal_recovery_remaining(struct store_conn *c, int64_t customer_id,
			  int64_t *n_out)
{
	return c->ops->self.codes_count(c, customer_id, n_out);
}

struct others_ctx {
	struct app *app;
	int64_t id;
	const char *token_hash;
	const char *ip;
	const char *request_id;
	int64_t ended;
};

static int
tx_others(struct store_conn *c, void *cls)
{
	struct others_ctx *x = cls;
	char who[48];
	int rc = c->ops->hygiene.session_delete_others(
		c, REALM_CUSTOMER, x->id, x->token_hash, &x->ended);

	if (rc < 0)
		return rc;
	self_principal(x->id, who, sizeof(who));
	return audit_log(x->app, c,
			 &(struct audit_ev){
				 .actor = who,
				 .action = "session.others_ended",
				 .target = who,
				 .outcome = "success",
				 .ip = x->ip,
				 .request_id = x->request_id,
				 .detail = json_pack("{s:I}", "sessions_ended",
						     (json_int_t)x->ended),
			 });
}

int
portal_sessions_end_others(struct app *app, struct store_conn *c,
			   int64_t customer_id, const char *token_hash,
			   const char *ip, const char *request_id,
			   int64_t *ended_out)
{
	struct others_ctx x = {app, customer_id, token_hash, ip, request_id, 0};
	int rc = store_transact(c, tx_others, &x);

	*ended_out = x.ended;
	return rc;
}

struct solve_ctx {
	struct app *app;
	int64_t customer_id;
	int64_t ticket_id;
	const char *ip;
	const char *request_id;
	int64_t now;
	struct ticket_rec *t;
	int changed;
};

static int
tx_solve(struct store_conn *c, void *cls)
{
	struct solve_ctx *x = cls;
	char who[48], target[48];
	char before[16];
	int rc = c->ops->portal_ticket_get(c, x->customer_id, x->ticket_id,
					   x->t);

	if (rc < 0 || strcmp(x->t->status, "solved") == 0)
		return rc;
	snprintf(before, sizeof(before), "%s", x->t->status);
	rc = c->ops->ticket_update(c, x->ticket_id, "solved",
				   x->t->assignee_id, x->now);
	/* The same hooks as a staff change of status: the SLA stops, and
	 * the queue and the portal's other tabs hear of it. */
	if (rc == 0)
		rc = sla_on_change(x->app, c, x->ticket_id, x->now);
	if (rc == 0)
		rc = events_append(c, EV_TICKET_STATUS, x->ticket_id, 0,
				   REALM_CUSTOMER, x->customer_id);
	if (rc == 0)
		rc = c->ops->portal_ticket_get(c, x->customer_id, x->ticket_id,
					       x->t);
	if (rc < 0)
		return rc;
	x->changed = 1;
	self_principal(x->customer_id, who, sizeof(who));
	snprintf(target, sizeof(target), "ticket:%lld",
		 (long long)x->ticket_id);
	return audit_log(x->app, c,
			 &(struct audit_ev){
				 .actor = who,
				 .action = "ticket.solved_by_customer",
				 .target = target,
				 .outcome = "success",
				 .ip = x->ip,
				 .request_id = x->request_id,
				 .detail = json_pack("{s:s, s:s}", "from",
						     before, "to", "solved"),
			 });
}

int
portal_ticket_solve(struct app *app, struct store_conn *c,
		    int64_t customer_id, int64_t ticket_id, const char *ip,
		    const char *request_id, int64_t now, struct ticket_rec *out,
		    int *changed)
{
	struct solve_ctx x = {app, customer_id, ticket_id, ip, request_id,
			      now, out, 0};
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_transact(c, tx_solve, &x);
	*changed = x.changed;
	return rc;
}
