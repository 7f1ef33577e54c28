/*
 * Customer self-service's storage operations and records (migration 026,
 * issue 15 part SELF): recovery codes (salted keyed hashes, each used
 * once), the pending new authenticator of a recovery login, and the
 * single-use tokens of links sent by mail (password reset, sign-up
 * proof). Kept apart from store/store.h, which includes this header
 * before struct store_ops (whose member `self` holds the operations).
 * Include store/store.h, not this file.
 *
 * Invariant: no code or token is stored or returned in the clear, only
 * the keyed hashes core/recovery.c and core/portal_password.c compute.
 */
#ifndef GH_STORE_STORE_SELF_H
#define GH_STORE_STORE_SELF_H

#include <stddef.h>
#include <stdint.h>

/* A recovery code as stored: its salt and keyed hash (hex). */
struct recovery_code_rec {
	int64_t id;
	char salt[40];
	char hash[72];
};

struct recovery_code_list {
	struct recovery_code_rec *v; /* malloc'd; recovery_code_list_clear() */
	size_t n;
};

/* The new authenticator of a recovery login: the session allowed to set
 * it up, and whether it started (a new secret replaced the old one). */
struct reenrol_rec {
	int64_t customer_id;
	char token_hash[72];
	int started;
	int64_t created_at;
};

/* A link's token: kind "reset" (customer_id set) or "signup" (email_idx,
 * the blind index of the address, set). */
struct portal_token_new {
	const char *hash;
	const char *kind;
	int64_t customer_id;      /* 0: none */
	const char *email_idx;    /* NULL: none */
	int64_t now;
	int64_t expires_at;
};

struct portal_token_rec {
	char kind[16];
	int64_t customer_id;
	char email_idx[80];
	int64_t created_at;
	int64_t expires_at;
};

/*
 * The operations, member `self` of struct store_ops.
 *
 * codes_replace: deletes every recovery code of the customer and stores
 * the n given (salt, hash) pairs at now. codes_live: the customer's
 * unused codes by id. code_use: marks code id of the customer used at
 * now; -GH_CONFLICT when it is not an unused code of theirs (used
 * meanwhile). codes_count: the customer's unused codes.
 * reenrol_put: the pending authenticator of the customer (replacing one
 * there was); reenrol_get: -GH_NOT_FOUND when none; reenrol_delete: none
 * is an error neither.
 * token_insert: stores a token (-GH_EXISTS on a hash collision).
 * token_get: the token with hash of kind, unused and expires_at > now,
 * or -GH_NOT_FOUND. token_use: marks that token used at now; -GH_CONFLICT
 * when it is no longer usable. tokens_since: how many tokens of kind
 * were made for the customer (customer_id > 0) or the address index
 * (otherwise) after since.
 */
struct store_conn;

struct store_self_ops {
	int (*codes_replace)(struct store_conn *c, int64_t customer_id,
			     const struct recovery_code_rec *v, size_t n,
			     int64_t now);
	int (*codes_live)(struct store_conn *c, int64_t customer_id,
			  struct recovery_code_list *out);
	int (*code_use)(struct store_conn *c, int64_t customer_id, int64_t id,
			int64_t now);
	int (*codes_count)(struct store_conn *c, int64_t customer_id,
			   int64_t *n_out);
	int (*reenrol_put)(struct store_conn *c, const struct reenrol_rec *r);
	int (*reenrol_get)(struct store_conn *c, int64_t customer_id,
			   struct reenrol_rec *out);
	int (*reenrol_delete)(struct store_conn *c, int64_t customer_id);
	int (*token_insert)(struct store_conn *c,
			    const struct portal_token_new *t);
	int (*token_get)(struct store_conn *c, const char *hash,
			 const char *kind, int64_t now,
			 struct portal_token_rec *out);
	int (*token_use)(struct store_conn *c, const char *hash, int64_t now);
	int (*tokens_since)(struct store_conn *c, const char *kind,
			    int64_t customer_id, const char *email_idx,
			    int64_t since, int64_t *n_out);
};

/* Releases what codes_live filled (NULL-safe). */
void recovery_code_list_clear(struct recovery_code_list *l);

#endif
