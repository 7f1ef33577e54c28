/*
 * Passkeys' storage operations and records (migration 030, issue 17):
 * the WebAuthn credentials of staff and customer accounts, each account's
 * random user handle, and the keyed hashes of the challenges drawn for a
 * ceremony. Kept apart from store/store.h, which includes this header
 * before struct store_ops (whose member `passkeys` points to the
 * operations). Include store/store.h, not this file.
 *
 * Invariant: a credential id is unique across both realms (-GH_EXISTS);
 * a challenge is stored only as the keyed hash core/passkeys.c computes,
 * and taking it deletes it in the same statement, so it is used once.
 * Who may see or change a passkey is core/passkeys.h's rule: every
 * operation here that names a passkey also names its account, and finds
 * nothing of another account.
 */
#ifndef GH_STORE_STORE_PASSKEYS_H
#define GH_STORE_STORE_PASSKEYS_H

#include <stddef.h>
#include <stdint.h>

/* A name: 64 code points of UTF-8. */
#define PASSKEY_NAME_BYTES (64 * 4 + 1)
#define PASSKEY_CRED_ID_MAX 1023
#define PASSKEY_PUBKEY_MAX 600
#define PASSKEY_HANDLE_LEN 32

struct passkey_rec {
	int64_t id;
	enum realm realm;
	int64_t principal_id;
	unsigned char cred_id[PASSKEY_CRED_ID_MAX];
	size_t cred_id_len;
	unsigned char public_key[PASSKEY_PUBKEY_MAX]; /* COSE_Key bytes */
	size_t public_key_len;
	int alg;
	int64_t sign_count;
	char name[PASSKEY_NAME_BYTES];
	char fmt[16];
	char att_type[8];
	char aaguid[33];       /* hex */
	char transports[96];   /* comma-separated, e.g. "hybrid,internal" */
	int uv;
	int backup_eligible;
	int backup_state;
	int counter_flagged;
	int64_t created_at;
	int64_t last_used_at;  /* 0: never */
};

struct passkey_list {
	struct passkey_rec *v; /* malloc'd; passkey_list_clear() */
	size_t n;
};

/* A challenge as stored: hash is the keyed hash (hex) of the challenge's
 * bytes; purpose "register", "login" or "verify"; principal_id 0 when
 * the account is not known (a login without e-mail); bind "" or what
 * the challenge is bound to ("session:<token hash>", "verification:N"). */
struct passkey_challenge {
	char hash[72];
	enum realm realm;
	char purpose[16];
	int64_t principal_id;
	char bind[96];
	int64_t created_at;
	int64_t expires_at;
};

/*
 * The operations, member `passkeys` of struct store_ops (a pointer).
 *
 * handle_get: the account's user handle (-GH_NOT_FOUND: none yet).
 * handle_put: stores it (-GH_EXISTS when the account has one, or the
 * bytes are another account's). handle_owner: the account of a handle in
 * realm r (-GH_NOT_FOUND).
 * insert: a new credential from *p (id, sign_count's history,
 * counter_flagged and last_used_at ignored); *id_out gets its id;
 * -GH_EXISTS when its credential id is registered (in any realm).
 * by_cred: the credential with that id, any realm and account
 * (-GH_NOT_FOUND). get: passkey id of the account (-GH_NOT_FOUND,
 * also for another account's). list: the account's, oldest first.
 * count: how many the account has. rename, remove: -GH_NOT_FOUND when
 * it is not the account's. remove_all: every passkey of the account,
 * *n_out (may be NULL) how many (for a caller's transaction: GATE's
 * dual-controlled reset). used: after an accepted assertion, the new
 * sign count, backup state and last use. flag: marks a counter
 * regression (the credential is refused from then on).
 * challenge_put: stores a challenge, first deleting every expired one
 * (the sweep) and, when keep > 0 and bind is not "", the oldest of the
 * same bind beyond keep - 1 (so at most keep stay open). challenge_take:
 * reads and deletes the challenge with that hash whatever its age
 * (-GH_NOT_FOUND: unknown or already taken); the caller refuses an
 * expired one.
 */
struct store_conn;

struct store_passkeys_ops {
	int (*handle_get)(struct store_conn *c, enum realm r, int64_t pid,
			  unsigned char out[PASSKEY_HANDLE_LEN]);
	int (*handle_put)(struct store_conn *c, enum realm r, int64_t pid,
			  const unsigned char h[PASSKEY_HANDLE_LEN],
			  int64_t now);
	int (*handle_owner)(struct store_conn *c, enum realm r,
			    const unsigned char h[PASSKEY_HANDLE_LEN],
			    int64_t *pid_out);
	int (*insert)(struct store_conn *c, const struct passkey_rec *p,
		      int64_t *id_out);
	int (*by_cred)(struct store_conn *c, const unsigned char *cred_id,
		       size_t len, struct passkey_rec *out);
	int (*get)(struct store_conn *c, enum realm r, int64_t pid, int64_t id,
		   struct passkey_rec *out);
	int (*list)(struct store_conn *c, enum realm r, int64_t pid,
		    struct passkey_list *out);
	int (*count)(struct store_conn *c, enum realm r, int64_t pid,
		     int64_t *n_out);
	int (*rename)(struct store_conn *c, enum realm r, int64_t pid,
		      int64_t id, const char *name);
	int (*remove)(struct store_conn *c, enum realm r, int64_t pid,
		      int64_t id);
	int (*remove_all)(struct store_conn *c, enum realm r, int64_t pid,
			  int64_t *n_out);
	int (*used)(struct store_conn *c, int64_t id, int64_t sign_count,
		    int backup_state, int64_t now);
	int (*flag)(struct store_conn *c, int64_t id);
	int (*challenge_put)(struct store_conn *c,
			     const struct passkey_challenge *ch, int keep);
	int (*challenge_take)(struct store_conn *c, const char *hash,
			      struct passkey_challenge *out);
};

/* Releases what list filled (NULL-safe). */
void passkey_list_clear(struct passkey_list *l);

#endif
