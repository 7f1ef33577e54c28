/*
 * Recovery codes (see core/recovery.h): making them from the CSPRNG,
 * their canonical form, their salted keyed hash, and matching a typed
 * code against a customer's live ones. Using a code up, and the login
 * that does, are in core/recovery_enrol.c.
 *
 * Invariant: codes in the clear stay in the caller's buffers; what is
 * stored is hex of BLAKE2b keyed with the blind-index key over the
 * domain "customer.recovery", the code's salt and the code.
 */
#include "core/recovery.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/audit.h"
#include "util/errors.h"

#define ALPHABET_N (sizeof(RECOVERY_ALPHABET) - 1)

int
recovery_normalize(const char *in, char out[RECOVERY_CODE_LEN + 1])
{
	size_t n = 0;

	for (const char *p = in; *p != '\0'; p++) {
		int ch = toupper((unsigned char)*p);

		if (ch == ' ' || ch == '-')
			continue;
		if (n == RECOVERY_CODE_LEN || ch == '\0' ||
		    strchr(RECOVERY_ALPHABET, ch) == NULL)
			return -GH_BAD_FIELD;
		out[n++] = (char)ch;
	}
	out[n] = '\0';
	return n == RECOVERY_CODE_LEN ? 0 : -GH_BAD_FIELD;
}

/* One code, uniform over the alphabet (bytes above the last whole
 * multiple of its size are drawn again), grouped "ABCDE-FGHJK". */
static void
code_new(char out[RECOVERY_CODE_TEXT])
{
	const unsigned limit = 256 - 256 % ALPHABET_N;
	size_t n = 0;
	unsigned char b;

	while (n < RECOVERY_CODE_LEN) {
		crypto_random_bytes(&b, 1);
		if (b >= limit)
			continue;
		if (n == RECOVERY_CODE_LEN / 2)
			*out++ = '-';
		*out++ = RECOVERY_ALPHABET[b % ALPHABET_N];
		n++;
	}
	*out = '\0';
	crypto_wipe(&b, sizeof(b));
}

/* The stored hash of canonical code norm under salt (hex). */
static void
code_hash(const struct crypto_keys *keys, const char *salt, const char *norm,
	  char out[CRYPTO_HASH_HEX])
{
	char buf[80];
	int n = snprintf(buf, sizeof(buf), "%s:%s", salt, norm);

	crypto_index(keys, "customer.recovery", buf, (size_t)n, out);
	crypto_wipe(buf, sizeof(buf));
}

int
recovery_issue_tx(struct app *app, struct store_conn *c, int64_t customer_id,
		  int64_t now, struct recovery_codes *out)
{
	struct recovery_code_rec recs[RECOVERY_CODES];
	char norm[RECOVERY_CODE_LEN + 1];
	unsigned char salt[16];
	int rc;

	memset(recs, 0, sizeof(recs));
	for (size_t i = 0; i < RECOVERY_CODES; i++) {
		code_new(out->v[i]);
		crypto_random_bytes(salt, sizeof(salt));
		crypto_hex_encode(salt, sizeof(salt), recs[i].salt,
				  sizeof(recs[i].salt));
		recovery_normalize(out->v[i], norm);
		code_hash(app->keys, recs[i].salt, norm, recs[i].hash);
	}
	crypto_wipe(norm, sizeof(norm));
	rc = c->ops->self.codes_replace(c, customer_id, recs, RECOVERY_CODES,
					now);
	if (rc < 0)
		crypto_wipe(out, sizeof(*out));
	return rc;
}

struct issue_ctx {
	struct app *app;
	int64_t id;
	const char *why;
	const char *ip;
	const char *request_id;
	struct recovery_codes *out;
};

static int
tx_issue(struct store_conn *c, void *cls)
{
	struct issue_ctx *x = cls;
	char who[48];
	int rc = recovery_issue_tx(x->app, c, x->id, (int64_t)time(NULL),
				   x->out);

	if (rc < 0)
		return rc;
	snprintf(who, sizeof(who), "customer:%lld", (long long)x->id);
	return audit_log(x->app, c,
			 &(struct audit_ev){
				 .actor = who,
				 .action = "portal.recovery_codes.issued",
				 .target = who,
				 .outcome = "success",
				 .ip = x->ip,
				 .request_id = x->request_id,
				 .detail = json_pack("{s:s, s:i}", "reason",
						     x->why, "count",
						     RECOVERY_CODES),
			 });
}

int
recovery_issue(struct app *app, struct store_conn *c, int64_t customer_id,
	       const char *why, const char *ip, const char *request_id,
	       struct recovery_codes *out)
{
	struct issue_ctx x = {app, customer_id, why, ip, request_id, out};

	return store_transact(c, tx_issue, &x);
}

int64_t
recovery_match(const struct crypto_keys *keys,
	       const struct recovery_code_list *l, const char *code)
{
	char norm[RECOVERY_CODE_LEN + 1];
	char h[CRYPTO_HASH_HEX];
	int64_t found = 0;

	if (code == NULL || recovery_normalize(code, norm) < 0)
		snprintf(norm, sizeof(norm), "%s", "-");
	for (size_t i = 0; i < l->n; i++) {
		code_hash(keys, l->v[i].salt, norm, h);
		if (strlen(l->v[i].hash) == CRYPTO_HASH_HEX - 1 &&
		    crypto_equal(h, l->v[i].hash, CRYPTO_HASH_HEX - 1) &&
		    found == 0 && norm[0] != '-')
			found = l->v[i].id;
	}
	crypto_wipe(norm, sizeof(norm));
	return found;
}
