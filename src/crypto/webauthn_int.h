/*
 * Private header of webauthn.c and webauthn_cbor.c: the parsed forms of
 * an attestation object and of authenticator data, and the CBOR and
 * libfido2 helpers the ceremonies share. Every pointer here borrows from
 * the caller's input bytes. Nothing outside src/crypto/ includes it.
 */
#ifndef GH_CRYPTO_WEBAUTHN_INT_H
#define GH_CRYPTO_WEBAUTHN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/webauthn.h"

/* Longest attestation object read: a packed or TPM statement with a
 * certificate chain fits in a few KiB; more is refused, not truncated. */
#define WA_ATT_OBJ_MAX 16384
/* Longest authenticatorData of an assertion (extensions included). */
#define WA_AUTH_DATA_MAX 2048
/* Longest signature: RS256 with a 4096-bit key. */
#define WA_SIG_MAX 512
/* Deepest CBOR nesting read (a COSE key is 1, an attStmt with x5c 2). */
#define WA_CBOR_DEPTH 8

/* Authenticator data (WebAuthn 6.1), pointers into the input. */
struct wa_auth {
	const uint8_t *rp_hash;  /* 32 bytes */
	unsigned flags;
	uint32_t count;
	/* With the AT flag (registration) only: */
	const uint8_t *aaguid;   /* 16 bytes */
	const uint8_t *cred_id;
	size_t cred_id_len;
	const uint8_t *cose;     /* credentialPublicKey */
	size_t cose_len;
	/* With the ED flag: the extension outputs (one CBOR map). */
	const uint8_t *ext;
	size_t ext_len;
};

/* An attestation object: fmt, authData and the attStmt, re-encoded as
 * CBOR for libfido2 (malloc'd, freed by wa_att_clear). */
struct wa_att {
	char fmt[16];
	uint8_t *auth;      /* authData (malloc'd) */
	size_t auth_len;
	uint8_t *stmt;
	size_t stmt_len;
	size_t stmt_pairs;  /* members of the attStmt map */
	int stmt_alg;       /* its "alg", 0 when absent */
	int stmt_x5c;       /* 1: it has "x5c" */
};

void wa_why_set(struct wa_why *why, const char *word);

/* Length of the one well-formed CBOR item at p (definite lengths only,
 * nesting <= WA_CBOR_DEPTH, every length within len), or 0. */
size_t wa_cbor_span(const uint8_t *p, size_t len);

/* Parses the attestation object (the whole input must be one map with
 * text "fmt", map "attStmt" and bytes "authData"). 0 or -1 with why. */
int wa_att_parse(const uint8_t *p, size_t len, struct wa_att *att,
		 struct wa_why *why);
void wa_att_clear(struct wa_att *att);

/* Parses authenticator data; need_at: 1 at registration (the attested
 * credential data must be there). 0 or -1 with why. */
int wa_auth_parse(const uint8_t *p, size_t len, int need_at,
		  struct wa_auth *a, struct wa_why *why);

/* Reads a COSE_Key: its algorithm (one of enum wa_alg, else "algorithm")
 * and checks it can be used ("public_key"). 0 or -1 with why. */
int wa_cose_check(const uint8_t *cose, size_t len, int *alg,
		  struct wa_why *why);

/* The signature over authData || clientDataHash by the COSE key, through
 * fido_assert_verify. 0 or -1 with why ("public_key", "signature"). */
int wa_sig_verify(const char *rp_id, int alg, const uint8_t *cose,
		  size_t cose_len, const uint8_t *auth, size_t auth_len,
		  const uint8_t cdh[32], const uint8_t *sig, size_t sig_len,
		  struct wa_why *why);

/* The attestation statement through fido_cred_verify (x5c) or
 * fido_cred_verify_self; att_type gets "self" or "basic". a is att's
 * parsed authData (its extension outputs are shown to libfido2 as if
 * requested). 0 or -1 with why "attestation". */
int wa_att_verify(const char *rp_id, int alg, const struct wa_att *att,
		  const struct wa_auth *a, const uint8_t cdh[32],
		  char att_type[8], struct wa_why *why);

#endif
