/*
 * Customer protection endpoints (core/contact.h). Public listener: the
 * contact policy (GET /portal/contact-policy, no session: the link in a
 * mail works before login), the check of a contact code (POST
 * /portal/contact-codes/check {code}) and the security centre (GET
 * /portal/security). Staff listener: an agent who sees a ticket gives
 * its customer a contact code (POST /tickets/{id}/contact-codes).
 *
 * Nothing here returns the anti-phishing phrase (only whether one is
 * set), and a code is returned once, to the agent who asked for it.
 */
#include <string.h>
#include <time.h>

#include "api/common.h"
#include "core/contact.h"
#include "util/errors.h"

/* The items of a "|"-separated policy list as a JSON array. */
static json_t *
policy_list(const char *text)
{
	json_t *arr = json_array();
	const char *p = text;
	char item[CONFIG_STR_MAX];

	while (arr != NULL && contact_list_next(&p, item, sizeof(item)))
		json_array_append_new(arr, json_string(item));
	return arr;
}

int
api_portal_contact_policy(struct request *r)
{
	static const char *const known[] = {NULL};
	const struct config *cfg = &r->app->cfg;
	char url[CONFIG_STR_MAX + 16];
	json_t *o;
	int rc;

	rc = request_query_only(r, known);
	if (rc < 0)
		return rc;
	contact_policy_url(cfg, url, sizeof(url));
	o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:I}", "company",
		      cfg->company_name, "portal_url", cfg->portal_url,
		      "policy_url", url, "channels",
		      policy_list(cfg->contact_channels), "never_ask",
		      policy_list(cfg->contact_never_ask), "in_doubt",
		      policy_list(cfg->contact_in_doubt), "code_minutes",
		      (json_int_t)cfg->contact_code_minutes);
	if (o != NULL)
		json_object_set_new(o, "phone",
				    cfg->contact_phone[0] != '\0'
					    ? json_string(cfg->contact_phone)
					    : json_null());
	return api_ok(r, o);
}

/* A rate limit's answer: Retry-After and retry_after in the body. */
static int
limited(struct request *r, int rc, int64_t retry)
{
	if (rc == -GH_RATE_LIMITED && retry > 0) {
		r->retry_after = retry;
		r->error_extra = json_pack("{s:I}", "retry_after",
					   (json_int_t)retry);
	}
	return rc;
}

int
api_tickets_contact_code(struct request *r)
{
	const struct jspec spec[] = {JSPEC_END};
	struct contact_issued out;
	struct tk_actor a;
	int64_t retry = 0;
	json_t *o;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = contact_code_issue(r->app, request_db(r), &a, r->params[0],
				(int64_t)time(NULL), &out, &retry);
	if (rc < 0)
		return limited(r, rc, retry);
	o = json_pack("{s:s, s:I, s:I, s:I}", "code", out.code, "ticket",
		      (json_int_t)out.ticket_id, "expires_at",
		      (json_int_t)out.expires_at, "minutes",
		      (json_int_t)r->app->cfg.contact_code_minutes);
	crypto_wipe(&out, sizeof(out));
	return api_created(r, o);
}

int
api_portal_contact_check(struct request *r)
{
	const char *code = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("code", &code, 1, CONTACT_INPUT_MAX, JS_REQUIRED),
		JSPEC_END,
	};
	struct contact_check out;
	struct tk_actor a;
	int64_t retry = 0;
	json_t *o;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = contact_code_check(r->app, request_db(r), &a, code,
				(int64_t)time(NULL), &out, &retry);
	if (rc < 0)
		return limited(r, api_field_error(r, rc, "code"), retry);
	if (!out.genuine)
		return api_ok(r, json_pack("{s:b}", "genuine", 0));
	o = json_pack("{s:b, s:s, s:I, s:I}", "genuine", 1, "agent",
		      out.agent, "ticket", (json_int_t)out.ticket_id,
		      "issued_at", (json_int_t)out.issued_at);
	return api_ok(r, o);
}

/* A change as /portal/changes shows it (api/changes.c), open ones only. */
static json_t *
open_change(const struct change_rec *c)
{
	return json_pack("{s:I, s:s, s:s, s:I, s:o, s:b}", "id",
			 (json_int_t)c->id, "kind", c->kind, "state",
			 c->state, "created_at", (json_int_t)c->created_at,
			 "apply_after",
			 c->apply_after > 0 ? json_integer(c->apply_after)
					    : json_null(),
			 "can_cancel", 1);
}

static json_t *
security_json(const struct contact_security *s)
{
	json_t *rev = json_array(), *chg = json_array();
	char first[404];

	for (size_t i = 0; i < s->reveals.n; i++) {
		const struct contact_reveal *v = &s->reveals.v[i];

		contact_first_name(v->agent, first, sizeof(first));
		json_array_append_new(
			rev, json_pack("{s:I, s:s, s:s, s:s}", "at",
				       (json_int_t)v->at, "agent", first,
				       "field", v->field, "reason",
				       v->reason));
	}
	for (size_t i = 0; i < s->changes.n; i++)
		json_array_append_new(chg, open_change(&s->changes.v[i]));
	return json_pack("{s:[{s:s, s:b, s:o}], s:b, s:o, s:o}",
			 "authenticators", "kind", "totp", "enrolled",
			 s->mfa.enrolled, "since",
			 s->mfa.enrolled ? json_integer(s->mfa.since)
					 : json_null(),
			 "phrase_set", s->phrase_set, "reveals", rev,
			 "changes", chg);
}

int
api_portal_security(struct request *r)
{
	static const char *const known[] = {NULL};
	struct contact_security s;
	struct tk_actor a;
	json_t *o;
	int rc;

	rc = request_query_only(r, known);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = contact_security_get(r->app, request_db(r), &a,
				  (int64_t)time(NULL), &s);
	o = rc == 0 ? security_json(&s) : NULL;
	contact_security_clear(&s);
	if (rc < 0)
		return rc;
	return api_ok(r, o);
}
