/*
 * Account hygiene for both realms (see core/hygiene.h): the principal's
 * own sessions and their ending, the login history and the network of an
 * address. Every read and every ending is scoped to the calling principal
 * in the store's SQL; ending a session deletes its row, so its cookie is
 * refused on the very next request.
 */
#include "core/hygiene.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "core/audit.h"
#include "core/hygiene_int.h"
#include "util/errors.h"

void
hygiene_network(const char *ip, char *out, size_t outsz)
{
	unsigned char a[16];
	char txt[INET6_ADDRSTRLEN];
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0,
						 0, 0, 0, 0, 0xff, 0xff};

	snprintf(out, outsz, "unknown");
	if (ip == NULL)
		return;
	if (inet_pton(AF_INET, ip, a) == 1) {
		snprintf(out, outsz, "%u.%u.%u.0/24", a[0], a[1], a[2]);
		return;
	}
	if (inet_pton(AF_INET6, ip, a) != 1)
		return;
	if (memcmp(a, mapped, sizeof(mapped)) == 0) {
		snprintf(out, outsz, "%u.%u.%u.0/24", a[12], a[13], a[14]);
		return;
	}
	memset(a + 6, 0, sizeof(a) - 6);
	if (inet_ntop(AF_INET6, a, txt, sizeof(txt)) != NULL)
		snprintf(out, outsz, "%s/48", txt);
}

void
hygiene_principal(enum realm realm, int64_t id, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s:%lld", realm_name(realm), (long long)id);
}

/* 1 when session s no longer holds at now (core/session.c's rule). */
static int
expired(const struct session_info *s, int64_t now)
{
	return now >= s->abs_expires || now - s->last_seen >= s->idle_secs;
}

int
hygiene_sessions(struct app *app, struct store_conn *c,
		 const struct hyg_who *w, int64_t now,
		 struct session_info_list *out)
{
	size_t keep = 0;
	int rc;

	(void)app;
	rc = c->ops->hygiene.session_list(c, w->realm, w->id, w->token_hash,
					  out);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < out->n; i++)
		if (out->v[i].current || !expired(&out->v[i], now))
			out->v[keep++] = out->v[i];
	out->n = keep;
	return 0;
}

struct end_ctx {
	struct app *app;
	const struct hyg_who *w;
	int64_t public_id;
	int current;
};

static int
tx_end(struct store_conn *c, void *cls)
{
	struct end_ctx *x = cls;
	const struct hyg_who *w = x->w;
	char hash[65];
	char who[48];
	int rc;

	rc = c->ops->hygiene.session_hash_of(c, w->realm, w->id, x->public_id,
					     hash);
	if (rc < 0)
		return rc;
	x->current = w->token_hash != NULL && strcmp(hash, w->token_hash) == 0;
	rc = c->ops->session_delete(c, hash);
	if (rc < 0)
		return rc;
	hygiene_principal(w->realm, w->id, who, sizeof(who));
	return audit_log(x->app, c,
			 &(struct audit_ev){
				 .actor = who,
				 .action = "session.ended",
				 .target = who,
				 .outcome = "success",
				 .ip = w->ip,
				 .request_id = w->request_id,
				 .detail = json_pack("{s:I, s:b}", "session",
						     (json_int_t)x->public_id,
						     "current", x->current),
			 });
}

int
hygiene_session_end(struct app *app, struct store_conn *c,
		    const struct hyg_who *w, int64_t public_id,
		    int *was_current)
{
	struct end_ctx x = {app, w, public_id, 0};
	int rc = store_transact(c, tx_end, &x);

	*was_current = rc == 0 && x.current;
	return rc;
}

int
hygiene_logins(struct app *app, struct store_conn *c, const struct hyg_who *w,
	       struct login_list *out)
{
	(void)app;
	return c->ops->hygiene.login_list(c, w->realm, w->id,
					  HYGIENE_LOGINS_SHOWN, out);
}

/* Audits the notice of a login from a new network. */
static int
audit_new_network(struct app *app, struct store_conn *c,
		  const struct hyg_login *l, const char *network)
{
	char who[48];

	hygiene_principal(l->realm, l->id, who, sizeof(who));
	return audit_log(app, c,
			 &(struct audit_ev){
				 .actor = who,
				 .action = "login.new_network",
				 .target = who,
				 .outcome = "success",
				 .ip = l->ip,
				 .request_id = l->request_id,
				 .detail = json_pack("{s:s, s:b}", "network",
						     network, "notified", 1),
			 });
}

/* A success from a network new to the principal: the notice. */
static int
check_new_network(struct app *app, struct store_conn *c,
		  const struct hyg_login *l, const char *network)
{
	int64_t seen = 0, earlier = 0;
	int rc;

	if (!l->ok || !app->cfg.notify_new_network)
		return 0;
	rc = c->ops->hygiene.login_network_seen(c, l->realm, l->id, network,
						&seen, &earlier);
	if (rc < 0 || seen > 0 || earlier == 0)
		return rc;
	rc = hygiene_notice_new_network(app, c, l, network);
	if (rc == 0)
		rc = audit_new_network(app, c, l, network);
	return rc;
}

int
hygiene_login_record(struct app *app, struct store_conn *c,
		     const struct hyg_login *l)
{
	char network[HYGIENE_NETWORK_BYTES];
	int rc;

	hygiene_network(l->ip, network, sizeof(network));
	rc = check_new_network(app, c, l, network);
	if (rc < 0)
		return rc;
	return c->ops->hygiene.login_insert(
		c,
		&(struct login_new){.realm = l->realm,
				    .principal_id = l->id,
				    .at = l->now,
				    .ip = l->ip != NULL ? l->ip : "",
				    .network = network,
				    .method = l->method,
				    .ok = l->ok},
		HYGIENE_LOGINS_KEPT);
}
