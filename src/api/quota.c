/*
 * The quota check of the create handlers (see api/quota.h): the caller,
 * the largest size the body can carry, and the refusal's answer.
 */
#include "api/quota.h"

#include <time.h>

#include "api/common.h"
#include "util/errors.h"

int
api_quota(struct request *r, enum quota_act act)
{
	struct quota_refusal q;
	struct tk_actor a;
	int64_t bytes = (int64_t)r->body_len;
	int rc;

	/* base64: 4 bytes of text carry 3 of the file. */
	if (act == QUOTA_ATTACHMENT)
		bytes = bytes / 4 * 3;
	api_actor(r, &a);
	rc = quota_check(r->app, request_db(r), &a, act, bytes,
			 (int64_t)time(NULL), &q);
	if (rc != -GH_RATE_LIMITED)
		return rc;
	r->retry_after = q.retry_after;
	json_decref(r->error_extra);
	r->error_extra = json_pack("{s:s, s:s, s:I, s:I}", "limit", q.limit,
				   "scope", q.scope, "max", (json_int_t)q.max,
				   "retry_after", (json_int_t)q.retry_after);
	return rc;
}
