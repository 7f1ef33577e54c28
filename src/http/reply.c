/*
 * Replies whose JSON text a handler wrote itself (issue 14 VIEW2): the
 * ticket view is written straight into its reply buffer (util/jsonenc.h)
 * instead of through a tree. Such a reply goes out as the JSON replies of
 * request.c do: the same status, Content-Type and security headers (the
 * API's CSP: not a page, not a user's file), the request id, the log line.
 *
 * Invariant: the text is the handler's, taken over and freed (wiped, as
 * every owned reply body) with the request; nothing here looks into it.
 */
#include "http/http_int.h"

#include <stdlib.h>

#include "crypto/crypto.h"

int
reply_json_text(struct request *r, int status, char *text, size_t len)
{
	json_decref(r->reply);
	r->reply = NULL;
	if (r->raw_owned != NULL) {
		crypto_wipe(r->raw_owned, r->raw_len);
		free(r->raw_owned);
	}
	r->raw_owned = (unsigned char *)text;
	r->raw = r->raw_owned;
	r->raw_len = len;
	r->content_type = "application/json; charset=utf-8";
	r->html = 0;
	r->sandbox = 0;
	r->status = status;
	return 0;
}
