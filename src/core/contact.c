/*
 * Contact codes, the contact policy's lists and the customer's security
 * centre (see core/contact.h). A code is made from the CSPRNG, shown once
 * to the agent who asked for it and kept only as its keyed hash; its
 * check and its use are one write transaction, so a code is genuine for
 * one check at most. A refusal by a rate limit is committed with its
 * audit record before the error is returned.
 *
 * Invariant: no code, and nothing a customer typed, is stored, logged or
 * audited; records name the code's row id at most.
 */
#include "core/contact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/changes.h"
#include "core/sealed.h"
#include "util/errors.h"

#define HOUR 3600
/* Fresh codes tried when one collides with a live code. */
#define CODE_TRIES 8

void
contact_first_name(const char *name, char *out, size_t outsz)
{
	if (outsz == 0)
		return;
	snprintf(out, outsz, "%s", name);
	out[strcspn(out, " \t")] = '\0';
	if (out[0] == '\0')
		snprintf(out, outsz, "%s", "Support");
}

void
contact_policy_url(const struct config *cfg, char *out, size_t outsz)
{
	size_t n = strlen(cfg->portal_url);
	int slash = n > 0 && cfg->portal_url[n - 1] == '/';

	snprintf(out, outsz, "%s%s#/contact", cfg->portal_url,
		 slash ? "" : "/");
}

int
contact_list_next(const char **p, char *out, size_t outsz)
{
	while (**p != '\0') {
		const char *s = *p, *e = strchr(s, '|');
		size_t n;

		if (e == NULL)
			e = s + strlen(s);
		*p = *e == '|' ? e + 1 : e;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		n = (size_t)(e - s);
		if (n == 0)
			continue;
		if (n >= outsz)
			n = outsz - 1;
		memcpy(out, s, n);
		out[n] = '\0';
		return 1;
	}
	return 0;
}

/* The keyed hash of 8 digits. */
static void
code_hash(const struct app *app, const char *digits, char out[CRYPTO_HASH_HEX])
{
	crypto_index(app->keys, "contact.code", digits, CONTACT_CODE_DIGITS,
		     out);
}

/* Seconds until the oldest of a full window leaves it (at least 1). */
static int64_t
window_wait(const struct contact_window *w, int64_t now)
{
	int64_t wait = w->oldest + HOUR - now;

	return wait > 0 ? wait : 1;
}

/* --- issuing -------------------------------------------------------- */

struct issue_ctx {
	struct app *app;
	const struct tk_actor *a;
	int64_t ticket_id;
	int64_t now;
	struct contact_issued *out;
	int64_t retry_after;
	int refused;
};

/* 8 fresh digits whose hash is no live code's; out gets "1234-5678". */
static int
fresh_code(struct store_conn *c, struct issue_ctx *x, char h[CRYPTO_HASH_HEX])
{
	char digits[CONTACT_CODE_DIGITS + 1];
	int rc = -GH_INTERNAL;

	for (int i = 0; i < CODE_TRIES && rc != -GH_NOT_FOUND; i++) {
		snprintf(digits, sizeof(digits), "%08u",
			 (unsigned)crypto_random_uniform(100000000u));
		code_hash(x->app, digits, h);
		rc = c->ops->contact.code_live(c, h, x->now);
		if (rc < 0 && rc != -GH_NOT_FOUND)
			break;
	}
	if (rc == -GH_NOT_FOUND) {
		snprintf(x->out->code, sizeof(x->out->code), "%.4s-%.4s",
			 digits, digits + 4);
		rc = 0;
	} else if (rc == 0) {
		rc = -GH_INTERNAL; /* CODE_TRIES collisions: not random */
	}
	crypto_wipe(digits, sizeof(digits));
	return rc;
}

static int
tx_issue(struct store_conn *c, void *cls)
{
	struct issue_ctx *x = cls;
	struct contact_window w;
	struct customer_contact cc;
	struct ticket_rec t;
	char h[CRYPTO_HASH_HEX];
	int rc;

	x->refused = 0;
	rc = actor_ticket(c, x->a, x->ticket_id, &t);
	if (rc < 0)
		return rc; /* -GH_NOT_FOUND: audited as a refusal by http/ */
	/* A phishing drill's sender is no customer: no code vouches for it. */
	if (t.drill_id != 0)
		return -GH_NOT_FOUND;
	/* The code is for the ticket's customer: there must be one. */
	rc = c->ops->customer_contact(c, t.customer_id, &cc);
	customer_contact_clear(&cc);
	if (rc == 0)
		rc = c->ops->contact.codes_since(c, x->a->id, x->now - HOUR,
						  &w);
	if (rc < 0)
		return rc;
	if (w.n >= x->app->cfg.contact_codes_per_hour) {
		x->refused = -GH_RATE_LIMITED;
		x->retry_after = window_wait(&w, x->now);
		return actor_audit(x->app, c, x->a, "contact_code.issue",
				   "ticket", t.id, "denied",
				   json_pack("{s:s}", "reason",
					     "too many codes this hour"));
	}
	rc = fresh_code(c, x, h);
	x->out->ticket_id = t.id;
	x->out->expires_at =
		x->now + x->app->cfg.contact_code_minutes * 60;
	if (rc == 0)
		rc = c->ops->contact.code_insert(
			c,
			&(struct contact_code_new){
				.code_hash = h,
				.ticket_id = t.id,
				.customer_id = t.customer_id,
				.staff_id = x->a->id,
				.now = x->now,
				.expires_at = x->out->expires_at,
			},
			&x->out->id);
	if (rc == 0)
		rc = actor_audit(x->app, c, x->a, "contact_code.issue",
				 "ticket", t.id, "success",
				 json_pack("{s:I, s:I, s:I}", "code_id",
					   (json_int_t)x->out->id, "customer",
					   (json_int_t)t.customer_id,
					   "expires_at",
					   (json_int_t)x->out->expires_at));
	return rc;
}

int
contact_code_issue(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, int64_t ticket_id, int64_t now,
		   struct contact_issued *out, int64_t *retry_after)
{
	struct issue_ctx x = {app, a, ticket_id, now, out, 0, 0};
	int rc;

	memset(out, 0, sizeof(*out));
	*retry_after = 0;
	if (!actor_is_staff(a))
		return -GH_FORBIDDEN;
	rc = store_transact(c, tx_issue, &x);
	if (rc == 0 && x.refused < 0) {
		*retry_after = x.retry_after;
		rc = x.refused;
	}
	if (rc < 0)
		crypto_wipe(out, sizeof(*out));
	return rc;
}

/* --- checking ------------------------------------------------------- */

struct check_ctx {
	struct app *app;
	const struct tk_actor *a;
	const char *digits;       /* 8 digits, or NULL: not a code */
	int64_t now;
	struct contact_check *out;
	int64_t retry_after;
	int refused;
};

/* Why a code found is not genuine for x's customer, or NULL when it is. */
static const char *
code_fault(const struct check_ctx *x, const struct contact_code_rec *k)
{
	if (k->customer_id != x->a->id)
		return "other_customer";
	if (k->used_at != 0)
		return "used";
	if (k->expires_at <= x->now)
		return "expired";
	return NULL;
}

/* Looks the code up and uses it when genuine; *result names the outcome
 * for the audit record, *code_id the row (0 when none). */
static int
judge(struct store_conn *c, struct check_ctx *x, const char **result,
      int64_t *code_id)
{
	struct contact_code_rec k;
	char h[CRYPTO_HASH_HEX];
	int rc;

	*code_id = 0;
	if (x->digits == NULL) {
		*result = "malformed";
		return 0;
	}
	code_hash(x->app, x->digits, h);
	rc = c->ops->contact.code_find(c, h, &k);
	if (rc == -GH_NOT_FOUND) {
		*result = "unknown";
		return 0;
	}
	if (rc < 0)
		return rc;
	*code_id = k.id;
	*result = code_fault(x, &k);
	if (*result != NULL)
		return 0;
	rc = c->ops->contact.code_use(c, k.id, x->now);
	if (rc == -GH_CONFLICT) {
		*result = "used";
		return 0;
	}
	*result = "genuine";
	x->out->genuine = 1;
	contact_first_name(k.staff_name, x->out->agent,
			   sizeof(x->out->agent));
	x->out->ticket_id = k.ticket_id;
	x->out->issued_at = k.created_at;
	return rc;
}

static int
tx_check(struct store_conn *c, void *cls)
{
	struct check_ctx *x = cls;
	struct contact_window w;
	const char *result = NULL;
	int64_t code_id = 0;
	int rc;

	x->refused = 0;
	memset(x->out, 0, sizeof(*x->out));
	rc = c->ops->contact.checks_since(c, x->a->id, x->now - HOUR, &w);
	if (rc < 0)
		return rc;
	if (w.n >= x->app->cfg.contact_checks_per_hour) {
		x->refused = -GH_RATE_LIMITED;
		x->retry_after = window_wait(&w, x->now);
		return actor_audit(x->app, c, x->a, "contact_code.check",
				   "customer", x->a->id, "denied",
				   json_pack("{s:s}", "reason",
					     "too many checks this hour"));
	}
	rc = judge(c, x, &result, &code_id);
	if (rc == 0)
		rc = c->ops->contact.check_insert(c, x->a->id,
						  x->out->genuine, x->now);
	if (rc == 0)
		rc = actor_audit(
			x->app, c, x->a, "contact_code.check", "customer",
			x->a->id, x->out->genuine ? "success" : "failure",
			json_pack("{s:s, s:I}", "result", result, "code_id",
				  (json_int_t)code_id));
	return rc;
}

/* The 8 digits of input without spaces and dashes into out; -1 when
 * input is anything else. */
static int
normalise(const char *input, char out[CONTACT_CODE_DIGITS + 1])
{
	size_t n = 0;

	for (const char *p = input; *p != '\0'; p++) {
		if (*p == ' ' || *p == '-')
			continue;
		if (*p < '0' || *p > '9' || n == CONTACT_CODE_DIGITS)
			return -1;
		out[n++] = *p;
	}
	out[n] = '\0';
	return n == CONTACT_CODE_DIGITS ? 0 : -1;
}

int
contact_code_check(struct app *app, struct store_conn *c,
		   const struct tk_actor *a, const char *input, int64_t now,
		   struct contact_check *out, int64_t *retry_after)
{
	char digits[CONTACT_CODE_DIGITS + 1];
	struct check_ctx x = {app, a, NULL, now, out, 0, 0};
	int rc;

	memset(out, 0, sizeof(*out));
	*retry_after = 0;
	if (!actor_is_customer(a))
		return -GH_FORBIDDEN;
	if (input == NULL || strlen(input) > CONTACT_INPUT_MAX)
		return -GH_BAD_FIELD;
	if (normalise(input, digits) == 0)
		x.digits = digits;
	rc = store_transact(c, tx_check, &x);
	crypto_wipe(digits, sizeof(digits));
	if (rc == 0 && x.refused < 0) {
		*retry_after = x.retry_after;
		rc = x.refused;
	}
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* --- the phrase in a customer's own message ------------------------- */

/* text with every occurrence of phrase (ASCII case folded) replaced by
 * CONTACT_PHRASE_MARK into *out; *out stays NULL when none occurs. */
static int
replace_all(const char *text, const char *phrase, char **out)
{
	size_t plen = strlen(phrase), mlen = strlen(CONTACT_PHRASE_MARK);
	size_t n = 0, len;
	const char *p, *hit;
	char *w;

	for (p = text; (hit = strcasestr(p, phrase)) != NULL; p = hit + plen)
		n++;
	if (n == 0)
		return 0;
	len = strlen(text) - n * plen + n * mlen;
	*out = malloc(len + 1);
	if (*out == NULL)
		return -GH_INTERNAL;
	w = *out;
	for (p = text; (hit = strcasestr(p, phrase)) != NULL; p = hit + plen) {
		memcpy(w, p, (size_t)(hit - p));
		w += hit - p;
		memcpy(w, CONTACT_PHRASE_MARK, mlen);
		w += mlen;
	}
	memcpy(w, p, strlen(p) + 1);
	return 0;
}

int
contact_phrase_scrub(struct app *app, struct store_conn *c,
		     int64_t customer_id, const char *text, char **out)
{
	struct customer_contact cc;
	char *phrase = NULL;
	int rc;

	*out = NULL;
	rc = c->ops->customer_contact(c, customer_id, &cc);
	if (rc < 0)
		return rc;
	rc = sealed_field_open(app->keys, cc.email_idx, "phrase", &cc.phrase,
			       &phrase);
	customer_contact_clear(&cc);
	if (rc == 0 && phrase != NULL && phrase[0] != '\0')
		rc = replace_all(text, phrase, out);
	crypto_secret_free(phrase);
	return rc;
}

int
contact_phrase_note(char **redactions)
{
	json_t *arr = json_loads(*redactions != NULL ? *redactions : "[]", 0,
				 NULL);
	char *text = NULL;

	if (json_is_array(arr) &&
	    json_array_append_new(arr, json_pack("{s:s, s:s}", "type",
						 CONTACT_PHRASE_TYPE, "rule",
						 "customer_phrase")) == 0)
		text = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	if (text == NULL)
		return -GH_INTERNAL;
	free(*redactions);
	*redactions = text;
	return 0;
}

/* --- the security centre ------------------------------------------ */

int
contact_security_get(struct app *app, struct store_conn *c,
		     const struct tk_actor *a, int64_t now,
		     struct contact_security *out)
{
	struct customer_contact cc;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!actor_is_customer(a))
		return -GH_FORBIDDEN;
	rc = c->ops->customer_contact(c, a->id, &cc);
	if (rc < 0)
		return rc;
	out->phrase_set = cc.phrase.len > 0;
	customer_contact_clear(&cc);
	rc = c->ops->contact.mfa(c, a->id, &out->mfa);
	if (rc == 0)
		rc = c->ops->contact.reveals(c, a->id, CONTACT_REVEALS_MAX,
					     &out->reveals);
	if (rc == 0)
		rc = changes_list(app, c, a, "open", CHANGE_LIST_MAX, 0, now,
				  &out->changes);
	return rc;
}

void
contact_security_clear(struct contact_security *s)
{
	contact_reveal_list_clear(&s->reveals);
	change_list_clear(&s->changes);
	memset(s, 0, sizeof(*s));
}
