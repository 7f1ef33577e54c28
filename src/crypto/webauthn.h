/*
 * WebAuthn relying-party verification (issue 17): the checks of WebAuthn
 * Level 3 sections 7.1 (registration) and 7.2 (authentication) that do
 * not need the database, on the bytes a browser sends. Signatures and
 * attestation statements are verified by libfido2 (fido_cred_verify,
 * fido_cred_verify_self, fido_assert_verify); CBOR is read with libcbor.
 * Pure functions: no I/O, no clock, no global state; safe on any thread.
 *
 * What stays with the caller (core/passkeys.c): the challenge's single
 * use, its binding and its 2-minute life; finding the stored credential;
 * the credential id's uniqueness; storing the new sign count.
 */
#ifndef GH_CRYPTO_WEBAUTHN_H
#define GH_CRYPTO_WEBAUTHN_H

#include <stddef.h>
#include <stdint.h>

#define WA_CHALLENGE_LEN 32       /* bytes the server draws */
#define WA_CRED_ID_MAX 1023       /* longest credential id accepted */
#define WA_PUBKEY_MAX 600         /* longest COSE key kept (RS256 2048 fits) */
#define WA_CLIENT_DATA_MAX 4096   /* longest clientDataJSON accepted */
#define WA_ORIGINS_MAX 8

/* COSE algorithm numbers accepted for credentials. */
enum wa_alg { WA_ES256 = -7, WA_EDDSA = -8, WA_RS256 = -257 };

/* Attestation formats; a bit each in wa_rp.formats. */
#define WA_FMT_NONE 0x1u
#define WA_FMT_PACKED 0x2u   /* self and x5c */
#define WA_FMT_FIDO_U2F 0x4u
#define WA_FMT_TPM 0x8u

/* authenticatorData flags (bits of the flags byte). */
#define WA_FLAG_UP 0x01u
#define WA_FLAG_UV 0x04u
#define WA_FLAG_BE 0x08u
#define WA_FLAG_BS 0x10u
#define WA_FLAG_AT 0x40u
#define WA_FLAG_ED 0x80u

/* The relying party as one listener sees it. */
struct wa_rp {
	const char *rp_id;                  /* "example.org", "localhost" */
	const char *origins[WA_ORIGINS_MAX]; /* exact-match origins */
	size_t n_origins;
	int require_uv;       /* 1: the UV flag must be set */
	int allow_cross_origin; /* 0: "crossOrigin": true is refused */
	/* topOrigins accepted when crossOrigin is allowed (exact match). */
	const char *top_origins[WA_ORIGINS_MAX];
	size_t n_top_origins;
	unsigned formats;     /* WA_FMT_* accepted; others refused */
};

/* Why a ceremony was refused: a short stable word for the audit log and
 * the tests ("type", "challenge", "origin", "cross_origin", "top_origin",
 * "rp_id_hash", "user_present", "user_verified", "attestation_format",
 * "attestation", "algorithm", "credential_id", "public_key", "signature",
 * "counter", "malformed", "flags"). */
struct wa_why {
	char word[32];
};

/* Registration: what the browser sent (raw bytes, already decoded from
 * base64url by the caller) and the challenge the server drew. */
struct wa_reg_in {
	const uint8_t *client_data; size_t client_data_len;
	const uint8_t *att_obj; size_t att_obj_len;
	const uint8_t *challenge; size_t challenge_len;
};

/* A verified new credential, to be stored. */
struct wa_cred {
	uint8_t id[WA_CRED_ID_MAX]; size_t id_len;
	uint8_t pubkey[WA_PUBKEY_MAX]; size_t pubkey_len; /* COSE_Key bytes */
	int alg;              /* enum wa_alg */
	uint32_t sign_count;
	unsigned flags;       /* WA_FLAG_* of the authenticator data */
	uint8_t aaguid[16];
	char fmt[16];         /* "none", "packed", ... */
	char att_type[8];     /* "none", "self", "basic" (x5c) */
};

/* 0 and *out filled, or -1 with why->word set. */
int webauthn_register_verify(const struct wa_rp *rp,
			     const struct wa_reg_in *in, struct wa_cred *out,
			     struct wa_why *why);

/* Authentication: what the browser sent and the challenge drawn. */
struct wa_assert_in {
	const uint8_t *client_data; size_t client_data_len;
	const uint8_t *auth_data; size_t auth_data_len;
	const uint8_t *sig; size_t sig_len;
	const uint8_t *challenge; size_t challenge_len;
};

/* The stored credential the assertion names. */
struct wa_stored {
	const uint8_t *pubkey; size_t pubkey_len; /* COSE_Key bytes */
	int alg;
	uint32_t sign_count;
};

struct wa_assert_out {
	uint32_t sign_count;
	unsigned flags;
	/* 1 when either count is non-zero and the new one is not greater
	 * than the stored one (WebAuthn 7.2 step 22): a possible clone. The
	 * signature was valid; the caller refuses and flags the credential. */
	int counter_regressed;
};

int webauthn_assert_verify(const struct wa_rp *rp,
			   const struct wa_assert_in *in,
			   const struct wa_stored *cred,
			   struct wa_assert_out *out, struct wa_why *why);

/* base64url without padding, as WebAuthn's JSON forms use: encode into
 * out (outsz >= 4 * ((len + 2) / 3) + 1) and return the length; decode
 * into out (at most outsz bytes), return the length or -1 (bad
 * character, padding, or too long). */
size_t webauthn_b64url_encode(const uint8_t *in, size_t len, char *out,
			      size_t outsz);
long webauthn_b64url_decode(const char *in, uint8_t *out, size_t outsz);

/* Reads the credential id, algorithm and flags from a registration's
 * attestationObject without verifying it (for the caller's uniqueness
 * check before the full verify, and for the fuzz harness). 0 or -1. */
int webauthn_parse_att_obj(const uint8_t *att_obj, size_t len,
			   struct wa_cred *out);

#endif
