/*
 * The quota check at the top of the handlers that create (tickets,
 * messages, replies, notes, attachments): one call, before the body is
 * parsed, so a refused request changes nothing and costs no parsing.
 */
#ifndef GH_API_QUOTA_H
#define GH_API_QUOTA_H

#include "core/quota.h"
#include "http/request.h"

/*
 * Checks r's caller against the quotas for act (core/quota.h), the write
 * being at most as large as r's body (a file: the bytes its base64 can
 * hold). 0 when it may go on; -GH_RATE_LIMITED with Retry-After and
 * "limit", "scope", "max" and "retry_after" in the error body; or a
 * store error.
 */
int api_quota(struct request *r, enum quota_act act);

#endif
