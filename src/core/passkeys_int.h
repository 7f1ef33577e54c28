/*
 * Internal to the passkeys module (core/passkeys*.c): the credentials as
 * decoded from their JSON forms, the challenge helpers and the audit
 * helper the ceremonies share.
 */
#ifndef GH_CORE_PASSKEYS_INT_H
#define GH_CORE_PASSKEYS_INT_H

#include "core/passkeys.h"

/* Largest decoded sizes accepted (api.md; SERVER brief): a credential id
 * one byte over the verifier's limit gets through decoding so that it is
 * refused with the reason "credential_id". */
#define PK_RAW_ID_MAX (WA_CRED_ID_MAX + 1)
#define PK_ATT_OBJ_MAX 8192
#define PK_AUTH_DATA_MAX 1024
#define PK_SIG_MAX 1024
#define PK_USER_HANDLE_MAX 64
/* Room for the base64url text of n bytes, with its NUL (a little more
 * than crypto_b64url_encode needs). */
#define B64URL_CHARS(n) ((n) / 3 * 4 + 5)
/* The challenge's base64url text: 32 bytes are 43 characters. */
#define PK_CHALLENGE_B64 44

/* A RegistrationResponseJSON, decoded. */
struct pk_reg_resp {
	uint8_t raw_id[PK_RAW_ID_MAX];
	size_t raw_id_len;
	uint8_t client_data[WA_CLIENT_DATA_MAX];
	size_t client_data_len;
	uint8_t att_obj[PK_ATT_OBJ_MAX];
	size_t att_obj_len;
	char transports[96]; /* known ones, comma-separated */
};

/* An AuthenticationResponseJSON, decoded. */
struct pk_assert_resp {
	uint8_t raw_id[PK_RAW_ID_MAX];
	size_t raw_id_len;
	uint8_t client_data[WA_CLIENT_DATA_MAX];
	size_t client_data_len;
	uint8_t auth_data[PK_AUTH_DATA_MAX];
	size_t auth_data_len;
	uint8_t sig[PK_SIG_MAX];
	size_t sig_len;
	uint8_t user_handle[PK_USER_HANDLE_MAX];
	size_t user_handle_len; /* 0: none given */
};

/* Strict readers (passkeys_parse.c): 0, or -GH_BAD_FIELD /
 * -GH_MISSING_FIELD / -GH_UNKNOWN_FIELD with *field naming the member. */
int pk_parse_registration(const json_t *cred, struct pk_reg_resp *out,
			  const char **field);
int pk_parse_assertion(const json_t *cred, struct pk_assert_resp *out,
		       const char **field);

/* 1 when rc is a strict reader's refusal of a malformed credential. */
#define pk_malformed(rc)                                                     \
	((rc) == -GH_BAD_FIELD || (rc) == -GH_MISSING_FIELD ||               \
	 (rc) == -GH_UNKNOWN_FIELD)

/* The challenge clientDataJSON carries, as its base64url text, into out
 * (PK_CHALLENGE_B64 bytes); -1 when there is none of that form. */
int pk_client_challenge(const uint8_t *client_data, size_t len,
			char out[PK_CHALLENGE_B64]);

/* The keyed hash (hex) under which challenge text b64 is stored. */
void pk_challenge_hash(const struct app *app, const char *b64,
		       char out[72]);

/* Draws a challenge, stores it (purpose, principal, bind; keep as
 * challenge_put) and writes its base64url text into b64. 0 or a store
 * error. */
int pk_challenge_new(struct app *app, struct store_conn *c, enum realm realm,
		     const char *purpose, int64_t principal_id,
		     const char *bind, int keep, char b64[PK_CHALLENGE_B64]);

/* Takes the challenge clientDataJSON names: it must exist, be unexpired
 * and match realm, purpose and bind. 0 with *out and its bytes in raw
 * (WA_CHALLENGE_LEN); -GH_PASSKEY_REFUSED with why "challenge"; or a
 * store error. */
int pk_challenge_take(struct app *app, struct store_conn *c,
		      enum realm realm, const char *purpose, const char *bind,
		      const uint8_t *client_data, size_t client_data_len,
		      struct passkey_challenge *out,
		      uint8_t raw[WA_CHALLENGE_LEN], struct wa_why *why);

/* A short name of a credential id for logs and audit records: the first
 * 12 hex digits of its SHA-256 (never the id itself). */
void pk_cred_tag(const uint8_t *id, size_t len, char out[16]);

/* "staff:3" into out. */
void pk_principal(enum realm realm, int64_t id, char *out, size_t outsz);

/* Sets why->word. */
void pk_why(struct wa_why *why, const char *word);

#endif
