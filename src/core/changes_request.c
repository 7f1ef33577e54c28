/*
 * The verification of an account-change request (see core/changes.h):
 * the agent's verification, looked up through core/verify.h at the time
 * of the request, must belong to this agent and this very session, be
 * fresh, still on a live ticket of this customer, and give level 2 with a
 * possession factor; what it proved is then judged and the request
 * stored by chg_request (changes.c). A verification that proves nothing
 * counts as level 0: the refusal is audited like any other.
 */
#include "core/changes_int.h"

#include <string.h>

#include "core/verify.h"
#include "util/errors.h"

int
changes_request(struct app *app, struct store_conn *c,
		const struct tk_actor *a, const struct change_request_in *in,
		int64_t now, struct change_rec *out, const char **field,
		int *level_held)
{
	struct verify_assurance v;
	struct chg_proof p = {in->verification_id, 0, 0, 0};
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&v, 0, sizeof(v));
	*field = NULL;
	*level_held = 0;
	if (!actor_is_staff(a) || in->session_hash == NULL)
		return -GH_FORBIDDEN;
	rc = verify_assurance(app, c, a, in->session_hash, in->verification_id,
			      in->customer_id, now, &v);
	if (rc == 0) {
		p.ticket_id = v.ticket_id;
		p.level = v.level;
		p.possession = v.possession;
	} else if (rc != -GH_VERIFICATION_REQUIRED) {
		return rc;
	}
	return chg_request(app, c, a, in, &p, now, out, field, level_held);
}
