/*
 * Sessions, logins and passwords (issue 11 part C, core/hygiene.h), on
 * both listeners: GET .../sessions (the caller's live sessions), DELETE
 * .../sessions/{id} (end one of them, 204; the caller's own session is a
 * logout), GET .../logins (the caller's newest logins). A session is
 * named by its public id, never by its token or the token's hash.
 */
#include <string.h>
#include <time.h>

#include "api/common.h"
#include "core/hygiene.h"
#include "core/session.h"
#include "util/errors.h"

static void
who_of(struct request *r, struct hyg_who *w)
{
	*w = (struct hyg_who){.realm = r->actor.realm,
			      .id = r->actor.id,
			      .token_hash = r->actor.token_hash,
			      .ip = r->ip,
			      .request_id = r->request_id};
}

/* 204 No Content. */
static int
reply_no_content(struct request *r)
{
	json_decref(r->reply);
	r->reply = NULL;
	r->status = 204;
	r->raw = (const unsigned char *)"";
	r->raw_len = 0;
	r->content_type = "application/json; charset=utf-8";
	return 0;
}

static json_t *
session_json(const struct session_info *s)
{
	char net[HYGIENE_NETWORK_BYTES];

	hygiene_network(s->ip, net, sizeof(net));
	return json_pack("{s:I, s:I, s:I, s:s, s:s, s:b, s:b}", "id",
			 (json_int_t)s->id, "created_at",
			 (json_int_t)s->created_at, "last_seen",
			 (json_int_t)s->last_seen, "ip", s->ip, "network", net,
			 "current", s->current, "mfa", s->mfa);
}

int
api_hyg_sessions(struct request *r)
{
	struct session_info_list l;
	struct hyg_who w;
	json_t *items;
	int rc;

	who_of(r, &w);
	rc = hygiene_sessions(r->app, request_db(r), &w, (int64_t)time(NULL),
			      &l);
	if (rc < 0)
		return rc;
	items = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(items, session_json(&l.v[i]));
	session_info_list_clear(&l);
	return api_ok(r, json_pack("{s:o}", "sessions", items));
}

int
api_hyg_session_end(struct request *r)
{
	struct hyg_who w;
	char cookie[128];
	int current = 0;
	int rc;

	who_of(r, &w);
	rc = hygiene_session_end(r->app, request_db(r), &w, r->params[0],
				 &current);
	if (rc < 0)
		return rc;
	if (current) {
		session_cookie(r->actor.realm, NULL, 0, cookie, sizeof(cookie));
		rc = reply_cookie(r, cookie);
		if (rc < 0)
			return rc;
	}
	return reply_no_content(r);
}

int
api_hyg_logins(struct request *r)
{
	struct login_list l;
	struct hyg_who w;
	json_t *items;
	int rc;

	who_of(r, &w);
	rc = hygiene_logins(r->app, request_db(r), &w, &l);
	if (rc < 0)
		return rc;
	items = json_array();
	for (size_t i = 0; i < l.n; i++)
		json_array_append_new(
			items, json_pack("{s:I, s:s, s:s, s:s, s:b}", "at",
					 (json_int_t)l.v[i].at, "ip",
					 l.v[i].ip, "network",
					 l.v[i].network, "method",
					 l.v[i].method, "ok", l.v[i].ok));
	login_list_clear(&l);
	return api_ok(r, json_pack("{s:o}", "logins", items));
}
