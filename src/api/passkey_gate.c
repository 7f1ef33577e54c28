/*
 * Losing a passkey and the staff page's passkeys (issue 17, part GATE;
 * core/passkey_resets.h), and the customer's side of a passkey approval
 * of a verification (core/verify.h, verify_passkey_options):
 *   GET  /api/v1/admin/staff/{id}/passkeys          supervisors, admins
 *   POST /api/v1/admin/staff/{id}/passkeys/reset {reason}       admins
 *   GET  /api/v1/admin/passkey-resets (pending)                  admins
 *   POST /api/v1/admin/passkey-resets/{id}/approve {reason?}     admins
 *   POST /api/v1/admin/passkey-resets/{id}/deny {reason?}        admins
 *   POST /api/v1/portal/verifications/{id}/passkey/options     customer
 * The route table guards the roles; core checks them again (and that the
 * approver is not the requester). A passkey is shown by its name, dates
 * and flags, never by its key or credential id.
 */
#include <string.h>
#include <time.h>

#include "api/common.h"
#include "core/passkey_resets.h"
#include "core/passkeys.h"
#include "core/verify.h"
#include "util/errors.h"

int
api_admin_staff_passkeys(struct request *r)
{
	static const char *const known[] = {NULL};
	struct passkey_list l = {NULL, 0};
	struct tk_actor a;
	json_t *items;
	int rc;

	rc = request_query_only(r, known);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = pkreset_staff_passkeys(request_db(r), &a, r->params[0], &l);
	if (rc < 0)
		return rc;
	items = json_array();
	for (size_t i = 0; items != NULL && i < l.n; i++)
		json_array_append_new(items, passkey_json(&l.v[i])); /* PASSKEY */
	passkey_list_clear(&l);
	return api_ok(r, json_pack("{s:o}", "passkeys", items));
}

static json_t *
reset_json(const struct pkreset_rec *x)
{
	return json_pack(
		"{s:I, s:{s:I, s:s, s:s, s:s}, s:o, s:s, s:s, s:I, s:I, s:o, "
		"s:o, s:o, s:I}",
		"id", (json_int_t)x->id, "staff", "id", (json_int_t)x->staff_id,
		"name", x->staff_name, "email", x->staff_email, "role",
		x->staff_role, "requested_by",
		api_person_json(x->requested_by, x->requested_by_name), "reason",
		x->reason, "state", x->state, "created_at",
		(json_int_t)x->created_at, "expires_at",
		(json_int_t)x->expires_at, "decided_by",
		api_person_json(x->decided_by, x->decided_by_name), "decided_at",
		api_int_or_null(x->decided_at), "decision",
		api_text_or_null(x->decision),
		"passkeys_deleted", (json_int_t)x->passkeys_deleted);
}

int
api_admin_passkey_reset_request(struct request *r)
{
	const char *reason = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("reason", &reason, PKRESET_REASON_MIN,
			  PKRESET_REASON_MAX, JS_REQUIRED | JS_MULTILINE),
		JSPEC_END,
	};
	struct pkreset_rec out;
	struct tk_actor a;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = pkreset_request(r->app, request_db(r), &a, r->params[0], reason,
			     (int64_t)time(NULL), &out);
	if (rc < 0)
		return api_field_error(r, rc, "reason");
	return api_created(r, json_pack("{s:o}", "reset", reset_json(&out)));
}

int
api_admin_passkey_resets_list(struct request *r)
{
	static const char *const known[] = {NULL};
	struct pkreset_list l = {NULL, 0};
	struct tk_actor a;
	json_t *items;
	int rc;

	rc = request_query_only(r, known);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = pkreset_pending(r->app, request_db(r), &a, (int64_t)time(NULL),
			     &l);
	if (rc < 0)
		return rc;
	items = json_array();
	for (size_t i = 0; items != NULL && i < l.n; i++)
		json_array_append_new(items, reset_json(&l.v[i]));
	pkreset_list_clear(&l);
	return api_ok(r, json_pack("{s:o}", "resets", items));
}

static int
decide(struct request *r, int approve)
{
	const char *reason = NULL;
	const struct jspec spec[] = {
		JSPEC_STR("reason", &reason, PKRESET_REASON_MIN,
			  PKRESET_REASON_MAX, JS_MULTILINE),
		JSPEC_END,
	};
	struct pkreset_rec out;
	struct tk_actor a;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = pkreset_decide(r->app, request_db(r), &a, r->params[0], approve,
			    reason, (int64_t)time(NULL), &out);
	if (rc < 0)
		return api_field_error(r, rc, "reason");
	return api_ok(r, json_pack("{s:o}", "reset", reset_json(&out)));
}

int
api_admin_passkey_reset_approve(struct request *r)
{
	return decide(r, 1);
}

int
api_admin_passkey_reset_deny(struct request *r)
{
	return decide(r, 0);
}

int
api_portal_verify_passkey_options(struct request *r)
{
	const struct jspec spec[] = {JSPEC_END};
	json_t *pk = NULL;
	struct tk_actor a;
	int rc;

	rc = api_parse(r, spec);
	if (rc < 0)
		return rc;
	api_actor(r, &a);
	rc = verify_passkey_options(r->app, request_db(r), &a,
				    r->actor.token_hash, r->params[0],
				    (int64_t)time(NULL), &pk);
	if (rc < 0)
		return rc;
	return api_ok(r, json_pack("{s:o}", "publicKey", pk));
}
