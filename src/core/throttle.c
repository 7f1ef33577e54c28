/*
 * Growing delays for failed logins (see throttle.h): the keys, and the
 * reservation of attempts. The rule of delays and the lock is turned into
 * a struct throttle_rule here and applied by the store in the statement
 * that counts (store.h, throttle_take).
 *
 * Invariant: an attempt is counted before it is checked, and is refused
 * without being counted while any of its keys is blocked.
 */
#include "core/throttle.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "util/errors.h"

void
throttle_account_key(struct app *app, enum realm realm, const char *login,
		     char *key, size_t keysz)
{
	char idx[CRYPTO_HASH_HEX];

	crypto_index(app->keys,
		     realm == REALM_STAFF ? "throttle.staff" : "throttle.customer",
		     login, strlen(login), idx);
	snprintf(key, keysz, "acct:%.40s", idx);
}

void
throttle_ip_key(const char *ip, char *key, size_t keysz)
{
	unsigned char a6[16];

	/* IPv6 clients usually own a /64: count them as one. */
	if (strchr(ip, ':') != NULL && inet_pton(AF_INET6, ip, a6) == 1) {
		char text[INET6_ADDRSTRLEN];

		memset(a6 + 8, 0, 8);
		inet_ntop(AF_INET6, a6, text, sizeof(text));
		snprintf(key, keysz, "ip:%s/64", text);
		return;
	}
	snprintf(key, keysz, "ip:%.60s", ip);
}

static struct throttle_rule
rule_of(const struct config *cfg, enum throttle_kind kind)
{
	return (struct throttle_rule){
		.free_failures = kind == THROTTLE_ACCOUNT
					 ? cfg->login_free_failures
					 : cfg->login_ip_free_failures,
		.lock_failures = kind == THROTTLE_ACCOUNT
					 ? cfg->login_max_failures
					 : 0,
		.delay_base = cfg->login_delay_base_seconds,
		.delay_max = cfg->login_delay_max_seconds,
	};
}

struct reservation {
	struct app *app;
	struct throttle_claim *claims;
	size_t n;
	int64_t now;
	int64_t retry_after;
};

static int
tx_reserve(struct store_conn *c, void *cls)
{
	struct reservation *r = cls;

	for (size_t i = 0; i < r->n; i++) {
		struct throttle_claim *k = &r->claims[i];
		struct throttle_rule rule = rule_of(&r->app->cfg, k->kind);
		int rc = c->ops->throttle_take(c, k->key, r->now, &rule,
					       &k->held);

		if (rc == -GH_CONFLICT) {
			/* Blocked: the transaction is rolled back, so the
			 * keys taken before this one count nothing either. */
			r->retry_after = k->held.blocked_until == THROTTLE_LOCKED
						 ? 3600
						 : k->held.blocked_until - r->now;
			return -GH_TOO_MANY_ATTEMPTS;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
throttle_reserve(struct app *app, struct store_conn *c,
		 struct throttle_claim *claims, size_t n, int64_t now,
		 int64_t *retry_after)
{
	struct reservation r = {app, claims, n, now, 0};
	int rc = store_transact(c, tx_reserve, &r);

	*retry_after = rc == -GH_TOO_MANY_ATTEMPTS ? r.retry_after : 0;
	return rc;
}

int
throttle_settle(struct store_conn *c, const struct throttle_claim *claims,
		size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		if (claims[i].kind == THROTTLE_ACCOUNT)
			rc = c->ops->throttle_clear(c, claims[i].key);
		else
			rc = c->ops->throttle_refund(c, &claims[i].held);
	}
	return rc;
}

int
throttle_clear(struct store_conn *c, const char *key)
{
	return c->ops->throttle_clear(c, key);
}
