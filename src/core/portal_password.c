/*
 * A customer's password change, password reset and new recovery codes
 * (see core/portal_password.h), in three steps: begin and finish on a
 * server thread with the store, check on the portal's login pool with
 * none. Every attempt is counted before any password is checked, on the
 * account's self-service key ("self:customer:<id>", the login
 * throttle's account rule) and the client address ("self:ip:...", its
 * address rule); an attempt whose factors were all right is given back.
 *
 * Invariant: a change is written only by the transaction that also uses
 * up its TOTP step or recovery code (and, for a reset, its link), so a
 * code or a link replayed in parallel is refused, and a refusal changes
 * nothing but the throttle and the audit log.
 */
#include "core/portal_password.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/audit.h"
#include "core/password.h"
#include "core/self_int.h"
#include "core/throttle.h"
#include "crypto/totp.h"
#include "util/errors.h"

struct self_job {
	struct app *app;
	struct self_req q;        /* strings borrowed until finish */
	struct account acct;
	char link_hash[CRYPTO_HASH_HEX];
	char acct_key[80];
	char ip_key[96];
	struct throttle_claim claims[2];
	struct recovery_code_list codes;
	char name[404];
	char *email;              /* the address on file (secret) */
	char *cur;                /* normalised current password (secret) */
	size_t cur_len;
	char *next;               /* normalised new password (secret) */
	size_t next_len;
	int next_bad;
	char hash[CRYPTO_PWHASH_BYTES];
	int64_t now;
	int64_t step;             /* the accepted TOTP step */
	int64_t code_id;          /* or the recovery code that matched */
	int factor_rc;            /* check's verdict on the factors */
	int next_rc;              /* and on the new password */
	const char *field;        /* the field a refusal is about */
	const char *reason;       /* the policy's sentence */
	const char *why;          /* a refusal, for the audit record */
	int64_t ended;
	struct recovery_codes out;
};

static const char *const actions[] = {
	[SELF_CHANGE] = "portal.password.changed",
	[SELF_CODES] = "portal.recovery_codes.issued",
	[SELF_RESET] = "portal.password.reset",
};

void
self_free(struct self_job *x)
{
	if (x == NULL)
		return;
	crypto_secret_free(x->email);
	crypto_secret_free(x->cur);
	crypto_secret_free(x->next);
	crypto_wipe(x->hash, sizeof(x->hash));
	crypto_wipe(&x->out, sizeof(x->out));
	recovery_code_list_clear(&x->codes);
	account_clear(&x->acct);
	free(x);
}

/* RESET: the customer the live link names. */
static int
load_link(struct store_conn *c, struct self_job *x)
{
	struct portal_token_rec t;
	int rc;

	crypto_token_hash(x->app->keys, x->q.link_token, x->link_hash);
	rc = c->ops->self.token_get(c, x->link_hash, "reset", x->now, &t);
	if (rc == -GH_NOT_FOUND)
		return -GH_LINK_INVALID;
	if (rc < 0)
		return rc;
	x->q.customer_id = t.customer_id;
	return 0;
}

static int
load_account(struct store_conn *c, struct self_job *x)
{
	int gone = x->q.op == SELF_RESET ? -GH_LINK_INVALID
					 : -GH_SESSION_REQUIRED;
	int rc = c->ops->account_by_id(c, REALM_CUSTOMER, x->q.customer_id,
				       &x->acct);

	if (rc == -GH_NOT_FOUND || (rc == 0 && x->acct.disabled))
		return gone;
	if (rc < 0)
		return rc;
	return self_customer_email(x->app, c, x->acct.id, &x->email, x->name,
				   sizeof(x->name));
}

static int
reserve(struct store_conn *c, struct self_job *x, int64_t *retry_after)
{
	char ip[80];

	snprintf(x->acct_key, sizeof(x->acct_key), "self:customer:%lld",
		 (long long)x->acct.id);
	throttle_ip_key(x->q.ip, ip, sizeof(ip));
	snprintf(x->ip_key, sizeof(x->ip_key), "self:%s", ip);
	x->claims[0] = (struct throttle_claim){.key = x->acct_key,
					       .kind = THROTTLE_ACCOUNT};
	x->claims[1] = (struct throttle_claim){.key = x->ip_key,
					       .kind = THROTTLE_ADDRESS};
	return throttle_reserve(x->app, c, x->claims, 2, x->now, retry_after);
}

static void
normalise(struct self_job *x)
{
	if (x->q.current != NULL &&
	    password_normalize(x->q.current, x->q.current_len, &x->cur,
			       &x->cur_len) < 0)
		x->cur = NULL;
	if (x->q.next != NULL &&
	    password_normalize(x->q.next, x->q.next_len, &x->next,
			       &x->next_len) < 0) {
		x->next = NULL;
		x->next_bad = 1;
	}
}

int
self_begin(struct app *app, struct store_conn *c, const struct self_req *q,
	   int64_t now, struct self_job **out, int64_t *retry_after)
{
	struct self_job *x = calloc(1, sizeof(*x));
	int rc = 0;

	*out = NULL;
	*retry_after = 0;
	if (x == NULL)
		return -GH_INTERNAL;
	x->app = app;
	x->q = *q;
	x->now = now;
	if (q->op == SELF_RESET)
		rc = load_link(c, x);
	if (rc == 0)
		rc = load_account(c, x);
	if (rc == 0)
		rc = reserve(c, x, retry_after);
	if (rc == 0 && q->recovery_code != NULL)
		rc = c->ops->self.codes_live(c, x->acct.id, &x->codes);
	if (rc == 0)
		normalise(x);
	if (rc < 0)
		self_free(x);
	else
		*out = x;
	return rc;
}

static int
factor_failed(struct self_job *x, int rc, const char *field, const char *why)
{
	x->field = field;
	x->why = why;
	return rc;
}

/* The second factor: a recovery code, or the authenticator's code. */
static int
check_factor(struct self_job *x)
{
	char ad[300];
	char *seed = NULL;
	size_t len = 0;

	if (x->q.recovery_code != NULL) {
		x->code_id = recovery_match(x->app->keys, &x->codes,
					    x->q.recovery_code);
		return x->code_id > 0
			       ? 0
			       : factor_failed(x, -GH_BAD_CODE, "recovery_code",
					       "wrong recovery code");
	}
	if (!x->acct.totp_enrolled)
		return factor_failed(x, -GH_BAD_CODE, "totp",
				     "no authenticator enrolled");
	snprintf(ad, sizeof(ad), "customer.totp:%s", x->acct.login);
	if (crypto_open(x->app->keys, ad, x->acct.totp_seed.data,
			x->acct.totp_seed.len, &seed, &len) < 0)
		return factor_failed(x, -GH_INTERNAL, "totp", "seed unreadable");
	x->step = x->q.totp == NULL ? -1
				    : totp_check((const unsigned char *)seed,
						 len, time(NULL), x->q.totp);
	crypto_secret_free(seed);
	return x->step < 0 ? factor_failed(x, -GH_BAD_CODE, "totp", "wrong code")
			   : 0;
}

/* The new password (core/password.h's password_check_new). */
static int
check_next(struct self_job *x)
{
	x->field = "new";
	return password_check_new(&x->app->pw_policy, x->acct.pw_hash, x->next,
				  x->next_len, x->next_bad, x->email, x->name,
				  x->app->cfg.company_name, &x->reason,
				  &x->why);
}

void
self_check(struct self_job *x)
{
	if (x->q.op != SELF_RESET &&
	    (x->cur == NULL ||
	     crypto_pw_verify(x->acct.pw_hash, x->cur, x->cur_len) != 0)) {
		x->factor_rc = factor_failed(
			x, -GH_FORBIDDEN,
			x->q.op == SELF_CODES ? "password" : "current",
			"wrong current password");
		return;
	}
	x->factor_rc = check_factor(x);
	if (x->factor_rc < 0 || x->q.op == SELF_CODES)
		return;
	x->next_rc = check_next(x);
	if (x->next_rc == 0 && crypto_pw_hash(x->next, x->next_len,
					      &x->app->pw_params,
					      x->hash) < 0)
		x->next_rc = -GH_INTERNAL;
}

/* Uses up the factor (and the link): replays are refused here. */
static int
use_factors(struct store_conn *c, struct self_job *x)
{
	int rc;

	if (x->code_id > 0)
		rc = c->ops->self.code_use(c, x->acct.id, x->code_id, x->now);
	else
		rc = c->ops->account_advance_totp(c, REALM_CUSTOMER, x->acct.id,
						  x->step);
	if (rc == -GH_CONFLICT)
		return factor_failed(x, -GH_BAD_CODE,
				     x->code_id > 0 ? "recovery_code" : "totp",
				     "replayed code");
	if (rc == 0 && x->q.op == SELF_RESET) {
		rc = c->ops->self.token_use(c, x->link_hash, x->now);
		if (rc == -GH_CONFLICT)
			return factor_failed(x, -GH_LINK_INVALID, "token",
					     "link used meanwhile");
	}
	return rc;
}

/* The change itself, after its factors were used up. */
static int
apply(struct store_conn *c, struct self_job *x)
{
	int64_t id = x->acct.id;
	int rc;

	switch (x->q.op) {
	case SELF_CHANGE:
		rc = c->ops->account_set_pw_hash(c, REALM_CUSTOMER, id, x->hash);
		if (rc == 0)
			rc = c->ops->hygiene.session_delete_others(
				c, REALM_CUSTOMER, id, x->q.token_hash,
				&x->ended);
		return rc == 0 ? self_notice(x->app, c, id,
					     SELF_NOTICE_PASSWORD_CHANGED,
					     x->now)
			       : rc;
	case SELF_RESET:
		rc = c->ops->account_set_pw_hash(c, REALM_CUSTOMER, id, x->hash);
		if (rc == 0)
			rc = c->ops->session_delete_principal(
				c, REALM_CUSTOMER, id, &x->ended);
		return rc == 0 ? self_notice(x->app, c, id,
					     SELF_NOTICE_PASSWORD_RESET, x->now)
			       : rc;
	case SELF_CODES:
		rc = recovery_issue_tx(x->app, c, id, x->now, &x->out);
		return rc == 0 ? self_notice(x->app, c, id,
					     SELF_NOTICE_CODES_RENEWED, x->now)
			       : rc;
	}
	return -GH_INTERNAL;
}

static int
audit_self(struct store_conn *c, struct self_job *x, const char *outcome,
	   json_t *detail)
{
	char who[48];

	self_principal(x->acct.id, who, sizeof(who));
	return audit_log(x->app, c,
			 &(struct audit_ev){
				 .actor = x->q.op == SELF_RESET ? "anonymous"
								: who,
				 .action = actions[x->q.op],
				 .target = who,
				 .outcome = outcome,
				 .ip = x->q.ip,
				 .request_id = x->q.request_id,
				 .detail = detail,
			 });
}

static int
tx_apply(struct store_conn *c, void *cls)
{
	struct self_job *x = cls;
	int rc = use_factors(c, x);

	if (rc == 0)
		rc = apply(c, x);
	if (rc < 0)
		return rc;
	return audit_self(c, x, "success",
			  json_pack("{s:s, s:I}", "factor",
				    x->code_id > 0 ? "recovery_code" : "totp",
				    "sessions_ended", (json_int_t)x->ended));
}

static int
tx_refused(struct store_conn *c, void *cls)
{
	struct self_job *x = cls;

	return audit_self(c, x, "failure",
			  json_pack("{s:s}", "reason", x->why));
}

int
self_finish(struct store_conn *c, struct self_job *x, struct self_result *res)
{
	int rc = x->factor_rc;

	memset(res, 0, sizeof(*res));
	res->op = x->q.op;
	if (rc == 0)
		rc = throttle_settle(c, x->claims, 2);
	if (rc == 0)
		rc = x->next_rc;
	if (rc == 0)
		rc = store_transact(c, tx_apply, x);
	if (rc < 0 && x->why != NULL && store_transact(c, tx_refused, x) < 0)
		rc = -GH_INTERNAL;
	res->field = x->field;
	if (rc == -GH_WEAK_PASSWORD)
		res->reason = x->reason;
	res->sessions_ended = x->ended;
	if (rc == 0 && x->q.op == SELF_CODES)
		res->codes = x->out;
	return rc;
}
