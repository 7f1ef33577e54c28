/* Growing delays for failed logins (see throttle.h). */
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

int
throttle_check(struct store_conn *c, const char *key, int64_t now,
	       int64_t *retry_after)
{
	struct throttle_rec t;
	int rc = c->ops->throttle_get(c, key, &t);

	*retry_after = 0;
	if (rc == -GH_NOT_FOUND)
		return 0;
	if (rc < 0)
		return rc;
	if (t.blocked_until > now) {
		*retry_after = t.blocked_until == THROTTLE_LOCKED
				       ? 3600
				       : t.blocked_until - now;
		return -GH_TOO_MANY_ATTEMPTS;
	}
	return 0;
}

int
throttle_fail(struct app *app, struct store_conn *c, const char *key,
	      int is_account, int64_t now)
{
	const struct config *cfg = &app->cfg;
	struct throttle_rec t;
	int64_t free_n = is_account ? cfg->login_free_failures
				    : cfg->login_ip_free_failures;
	int rc = c->ops->throttle_get(c, key, &t);

	if (rc == -GH_NOT_FOUND) {
		memset(&t, 0, sizeof(t));
		snprintf(t.key, sizeof(t.key), "%s", key);
	} else if (rc < 0) {
		return rc;
	}
	t.failures++;
	t.last_failure = now;
	if (is_account && t.failures >= cfg->login_max_failures) {
		t.blocked_until = THROTTLE_LOCKED;
	} else if (t.failures >= free_n) {
		int64_t shift = t.failures - free_n;
		int64_t delay = cfg->login_delay_max_seconds;

		if (shift < 30) {
			delay = cfg->login_delay_base_seconds << shift;
			if (delay > cfg->login_delay_max_seconds)
				delay = cfg->login_delay_max_seconds;
		}
		t.blocked_until = now + delay;
	}
	return c->ops->throttle_put(c, &t);
}

int
throttle_clear(struct store_conn *c, const char *key)
{
	return c->ops->throttle_clear(c, key);
}
