/*
 * Adding a factor to a verification (see core/verify.h): the customer's
 * TOTP code read out to the agent, a one-time code sent to the e-mail
 * address or phone number on file and read back, or a request for the
 * customer's approval in the portal (number matching), plain or with a
 * passkey (issue 17). Each attempt runs
 * in one transaction: the verification is re-read and checked live, the
 * attempt is counted, the factor row and the audit record are written
 * together, so parallel attempts count exactly as serial ones.
 *
 * Invariant: a code is compared only while its factor has fewer than
 * VERIFY_MAX_FAILURES failures, and a failure is committed before the
 * answer goes out; codes are never logged, audited or stored in clear.
 */
#include "core/verify.h"

#include <stdio.h>
#include <string.h>

#include "core/passkeys.h"
#include "core/training.h"
#include "core/verify_int.h"
#include "crypto/totp.h"
#include "util/errors.h"
#include "util/log.h"

struct factor_ctx {
	struct app *app;
	const struct tk_actor *a;
	const char *session_hash;
	int64_t id;
	const char *method;
	const char *code;
	int64_t now;
	struct verify_factor_out *out;
	struct verification_rec v;
	struct verification_factor f; /* the row as it will be written */
	int result;
};

void
verify_code_hash(const struct app *app, int64_t vid, const char *method,
		 const char *code, char out[CRYPTO_HASH_HEX])
{
	char v[96];

	snprintf(v, sizeof(v), "%lld:%s:%s", (long long)vid, method, code);
	crypto_index(app->keys, "verification.code", v, strlen(v), out);
	crypto_wipe(v, sizeof(v));
}

/* Audits a refused attempt and makes err its outcome (committed). */
static int
refuse(struct store_conn *c, struct factor_ctx *x, int err, const char *why)
{
	x->result = err;
	return verify_audit(x->app, c, x->a, "verification.factor", x->id,
			    "denied",
			    json_pack("{s:s, s:s}", "method", x->method,
				      "reason", why));
}

/* A wrong, expired or replayed code: counted; the last allowed failure
 * fails the factor. */
static int
wrong_code(struct store_conn *c, struct factor_ctx *x, const char *why)
{
	int rc;

	x->f.failures++;
	x->f.updated_at = x->now;
	x->result = -GH_BAD_CODE;
	if (x->f.failures >= VERIFY_MAX_FAILURES) {
		snprintf(x->f.state, sizeof(x->f.state), "failed");
		x->f.code_hash[0] = '\0';
		x->result = -GH_VERIFICATION_FAILED;
	}
	rc = c->ops->verification_factor_put(c, &x->f);
	if (rc < 0)
		return rc;
	return verify_audit(x->app, c, x->a, "verification.factor", x->id,
			    "failure",
			    json_pack("{s:s, s:s, s:I, s:s}", "method",
				      x->method, "reason", why, "failures",
				      (json_int_t)x->f.failures, "factor",
				      x->f.state));
}

static int
passed(struct store_conn *c, struct factor_ctx *x)
{
	int rc;

	snprintf(x->f.state, sizeof(x->f.state), "passed");
	x->f.code_hash[0] = '\0'; /* single use */
	x->f.updated_at = x->now;
	rc = c->ops->verification_factor_put(c, &x->f);
	if (rc < 0)
		return rc;
	return verify_audit(x->app, c, x->a, "verification.factor", x->id,
			    "success", json_pack("{s:s}", "method", x->method));
}

/* The customer's own authenticator code, with the replay guard logins
 * use (the last accepted step). */
static int
factor_totp(struct store_conn *c, struct factor_ctx *x)
{
	struct account acct;
	char ad[300];
	char *seed = NULL;
	size_t len = 0;
	int64_t step;
	int rc;

	rc = c->ops->account_by_id(c, REALM_CUSTOMER, x->v.customer_id, &acct);
	if (rc < 0)
		return rc;
	if (!acct.totp_enrolled || acct.disabled) {
		account_clear(&acct);
		return refuse(c, x, -GH_BAD_STATE, "no authenticator");
	}
	snprintf(ad, sizeof(ad), "customer.totp:%s", acct.login);
	if (crypto_open(x->app->keys, ad, acct.totp_seed.data,
			acct.totp_seed.len, &seed, &len) < 0) {
		account_clear(&acct);
		LOG_BUG("TOTP seed does not open");
		return -GH_INTERNAL;
	}
	step = totp_check((const unsigned char *)seed, len, (time_t)x->now,
			  x->code);
	crypto_secret_free(seed);
	rc = 0;
	if (step >= 0 && step > acct.totp_last_step)
		rc = c->ops->account_advance_totp(c, REALM_CUSTOMER, acct.id,
						  step);
	account_clear(&acct);
	if (step < 0)
		return wrong_code(c, x, "wrong code");
	if (rc == -GH_CONFLICT || step <= acct.totp_last_step)
		return wrong_code(c, x, "replayed code");
	if (rc < 0)
		return rc;
	return passed(c, x);
}

/* A new one-time code to the contact on file; the failure count stays. */
static int
factor_send(struct store_conn *c, struct factor_ctx *x)
{
	char code[VERIFY_CODE_DIGITS + 1];
	int rc;

	if (x->f.sends >= VERIFY_MAX_SENDS)
		return refuse(c, x, -GH_RATE_LIMITED, "too many codes sent");
	snprintf(code, sizeof(code), "%06u",
		 (unsigned)crypto_random_uniform(1000000));
	rc = verify_mail_code(x->app, c, &x->v, x->method, code, x->now,
			      x->out->sent_to, sizeof(x->out->sent_to));
	if (rc == 0)
		verify_code_hash(x->app, x->id, x->method, code,
				 x->f.code_hash);
	crypto_wipe(code, sizeof(code));
	if (rc == -GH_BAD_STATE)
		return refuse(c, x, rc, "no contact on file");
	if (rc < 0)
		return rc;
	x->f.code_expires_at = x->now + VERIFY_CODE_SECS;
	x->f.sends++;
	x->f.updated_at = x->now;
	x->out->accepted = 1;
	rc = c->ops->verification_factor_put(c, &x->f);
	if (rc < 0)
		return rc;
	return verify_audit(x->app, c, x->a, "verification.code_sent", x->id,
			    "success",
			    json_pack("{s:s, s:I}", "method", x->method,
				      "sends", (json_int_t)x->f.sends));
}

static int
six_digits(const char *code)
{
	if (strlen(code) != VERIFY_CODE_DIGITS)
		return 0;
	for (const char *p = code; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

/* The code the customer read back: single use, within its life. */
static int
factor_code(struct store_conn *c, struct factor_ctx *x)
{
	char h[CRYPTO_HASH_HEX];

	if (x->f.code_hash[0] == '\0')
		return refuse(c, x, -GH_BAD_STATE, "no code sent");
	if (x->now >= x->f.code_expires_at)
		return wrong_code(c, x, "code expired");
	verify_code_hash(x->app, x->id, x->method, x->code, h);
	if (!six_digits(x->code) ||
	    strlen(x->f.code_hash) != CRYPTO_HASH_HEX - 1 ||
	    !crypto_equal(h, x->f.code_hash, CRYPTO_HASH_HEX - 1))
		return wrong_code(c, x, "wrong code");
	return passed(c, x);
}

/* Number matching: the number the agent reads out and three choices for
 * the customer, one of them the number, in random order. */
static int
factor_request(struct store_conn *c, struct factor_ctx *x)
{
	int64_t n[3];
	uint32_t at;
	int rc;

	if (x->f.number > 0) { /* asked already: the same number */
		x->out->number = x->f.number;
		x->out->accepted = 1;
		return 0;
	}
	n[0] = 10 + crypto_random_uniform(90);
	do
		n[1] = 10 + crypto_random_uniform(90);
	while (n[1] == n[0]);
	do
		n[2] = 10 + crypto_random_uniform(90);
	while (n[2] == n[0] || n[2] == n[1]);
	x->f.number = n[0];
	at = crypto_random_uniform(3);
	n[0] = n[at];
	n[at] = x->f.number;
	snprintf(x->f.choices, sizeof(x->f.choices), "%lld,%lld,%lld",
		 (long long)n[0], (long long)n[1], (long long)n[2]);
	x->f.updated_at = x->now;
	x->out->number = x->f.number;
	x->out->accepted = 1;
	rc = c->ops->verification_factor_put(c, &x->f);
	if (rc < 0)
		return rc;
	return verify_audit(x->app, c, x->a, "verification.approval_requested",
			    x->id, "success",
			    json_pack("{s:s}", "method", x->method));
}

/* 1 for a method the customer answers in the portal (number matching). */
static int
is_approval(const char *method)
{
	return strcmp(method, "portal_approval") == 0 ||
	       strcmp(method, "passkey") == 0;
}

/* The other approval of the portal (method: portal_approval or passkey)
 * on x's verification: while it waits, this one does not start (the
 * portal shows one request at a time); once it passed, this one would
 * add nothing (the two count as one factor). 0, or the refusal. */
static int
other_approval(struct store_conn *c, struct factor_ctx *x, const char *method)
{
	const struct verification_factor *o = verify_factor_of(&x->v, method);

	if (x->f.number != 0 || o == NULL)
		return 0;
	if (strcmp(o->state, "pending") == 0 && o->number > 0)
		return refuse(c, x, -GH_BAD_STATE, "another approval waits");
	if (strcmp(o->state, "passed") == 0)
		return refuse(c, x, -GH_BAD_STATE,
			      "an approval in the portal passed already");
	return 0;
}

/* A passkey approval: the customer must have a passkey that is not
 * flagged (a counter that went back refuses it at every use). */
static int
factor_passkey(struct store_conn *c, struct factor_ctx *x)
{
	int64_t n = 0;
	int rc = other_approval(c, x, "portal_approval");

	if (rc < 0 || x->result < 0)
		return rc;
	rc = passkey_usable_count(c, REALM_CUSTOMER, x->v.customer_id, &n);
	if (rc < 0)
		return rc;
	if (n == 0)
		return refuse(c, x, -GH_NO_PASSKEY, "no passkey");
	return factor_request(c, x);
}

/* A plain portal approval: as other_approval says. */
static int
factor_portal(struct store_conn *c, struct factor_ctx *x)
{
	int rc = other_approval(c, x, "passkey");

	if (rc < 0 || x->result < 0)
		return rc;
	return factor_request(c, x);
}

/* The hourly limits about the customer (core/verify.h) for this attempt:
 * 0, or the attempt is refused (audited) before anything is checked,
 * sent or requested. */
static int
customer_limits(struct store_conn *c, struct factor_ctx *x)
{
	struct verification_recent r;
	int rc = c->ops->verification_recent(c, x->a->id, x->v.customer_id,
					     x->now - VERIFY_WINDOW_SECS, &r);
	int approval = is_approval(x->method);

	if (rc < 0)
		return rc;
	if (approval && x->f.number == 0 &&
	    r.approvals >= VERIFY_APPROVALS_PER_HOUR)
		return refuse(c, x, -GH_RATE_LIMITED,
			      "too many approval requests this hour");
	if (!approval && x->code == NULL &&
	    strcmp(x->method, "totp") != 0 && r.codes >= VERIFY_CODES_PER_HOUR)
		return refuse(c, x, -GH_RATE_LIMITED,
			      "too many codes sent this hour");
	if (x->code != NULL && r.failures >= VERIFY_FAILURES_PER_HOUR)
		return refuse(c, x, -GH_RATE_LIMITED,
			      "too many wrong codes this hour");
	return 1;
}

/* Reads the verification and its factor row for x->method, checks both
 * may take an attempt, then runs the method's step. */
static int
tx_factor(struct store_conn *c, void *cls)
{
	struct factor_ctx *x = cls;
	const struct verification_factor *had;
	const char *status;
	int rc;

	x->result = 0;
	rc = c->ops->verification_get(c, x->id, &x->v);
	if (rc == 0 && x->v.staff_id != x->a->id)
		rc = -GH_NOT_FOUND;
	if (rc < 0)
		return rc;
	rc = training_gate_check(x->app, c, x->a, "verification.factor",
				 x->now);
	if (rc == -GH_TRAINING_REQUIRED) {
		x->result = rc; /* the refusal's record is committed */
		return 0;
	}
	if (rc < 0)
		return rc;
	rc = verify_live(c, x->a, x->session_hash, &x->v, x->now, &status);
	if (rc == -GH_VERIFICATION_FAILED)
		return refuse(c, x, rc, status);
	if (rc < 0)
		return rc;
	had = verify_factor_of(&x->v, x->method);
	memset(&x->f, 0, sizeof(x->f));
	if (had != NULL)
		x->f = *had;
	x->f.verification_id = x->id;
	snprintf(x->f.method, sizeof(x->f.method), "%s", x->method);
	if (had == NULL)
		snprintf(x->f.state, sizeof(x->f.state), "pending");
	if (strcmp(x->f.state, "failed") == 0)
		return refuse(c, x, -GH_VERIFICATION_FAILED, "factor failed");
	if (strcmp(x->f.state, "passed") == 0)
		return refuse(c, x, -GH_BAD_STATE, "factor passed already");
	rc = customer_limits(c, x);
	if (rc <= 0)
		return rc;
	if (strcmp(x->method, "totp") == 0)
		return factor_totp(c, x);
	if (strcmp(x->method, "portal_approval") == 0)
		return factor_portal(c, x);
	if (strcmp(x->method, "passkey") == 0)
		return factor_passkey(c, x);
	return x->code == NULL ? factor_send(c, x) : factor_code(c, x);
}

int
verify_factor(struct app *app, struct store_conn *c, const struct tk_actor *a,
	      const char *session_hash, int64_t id, const char *method,
	      const char *code, int64_t now, struct verify_factor_out *out)
{
	struct factor_ctx x;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!actor_is_staff(a))
		return -GH_NOT_FOUND;
	if (!verify_method_known(method))
		return -GH_BAD_FIELD; /* knowledge is never a factor */
	if (strcmp(method, "totp") == 0 && code == NULL)
		return -GH_MISSING_FIELD;
	if (is_approval(method) && code != NULL)
		return -GH_BAD_FIELD;
	memset(&x, 0, sizeof(x));
	x = (struct factor_ctx){.app = app, .a = a,
				.session_hash = session_hash, .id = id,
				.method = method, .code = code, .now = now,
				.out = out};
	rc = store_transact(c, tx_factor, &x);
	if (rc == 0)
		rc = x.result;
	if (rc < 0) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	return verify_get(app, c, a, session_hash, id, now, &out->view);
}
