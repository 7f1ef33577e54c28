/*
 * A software authenticator for the tests (issue 17): one credential (an
 * ES256 or Ed25519 key made with OpenSSL's libcrypto), and the JSON a
 * browser would send for a registration (RegistrationResponseJSON) or a
 * login (AuthenticationResponseJSON). The authenticator data and the CBOR
 * are built by hand here, on purpose without libcbor, so that the tests do
 * not share the parser they test. With zeroed options it is a correct,
 * honest authenticator; each option breaks one thing a test wants broken.
 * Not thread-safe per object; no global state.
 */
#ifndef GH_TESTS_SOFTAUTH_H
#define GH_TESTS_SOFTAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/webauthn.h"

struct softauth; /* holds one credential */

/* alg: WA_ES256 or WA_EDDSA (or WA_RS256, RSA-2048, an addition to the
 * brief's API). A random credential id of 16..64 bytes. NULL on error or
 * another alg. Free with softauth_free. */
struct softauth *softauth_new(int alg);
void softauth_free(struct softauth *a);

struct softauth_opts {          /* zero = a correct, honest authenticator */
	const char *type;       /* clientData type, default webauthn.create / webauthn.get */
	const char *origin;     /* overrides the origin given to the call */
	int cross_origin;       /* 1: "crossOrigin": true */
	const char *top_origin; /* adds "topOrigin" */
	const char *rp_id;      /* rpIdHash of this instead */
	int clear_up, clear_uv; /* clear the flag */
	unsigned extra_flags;   /* e.g. WA_FLAG_BE | WA_FLAG_BS; WA_FLAG_ED adds {"credProtect": 2} */
	int set_counter;        /* 1: use counter below instead of incrementing */
	uint32_t counter;
	const char *fmt;        /* "none" (default), "packed" (self), "bogus" */
	int bad_signature;      /* flip a byte of the signature */
	size_t cred_id_len;     /* 0: as created; else a new id of that length at registration */
	const uint8_t *user_handle; size_t user_handle_len; /* assertion userHandle */
	int no_user_handle;     /* 1: send no userHandle, even a remembered one */
};

/* JSON text (malloc'd, caller frees) of a RegistrationResponseJSON /
 * AuthenticationResponseJSON for the given base64url challenge, rp id and
 * origin; NULL on error. o may be NULL (all zero). The counter starts at
 * 0 at registration and increments by 1 before each assertion (the first
 * assertion says 1) unless set_counter, which uses o->counter for that
 * call only. cred_id_len (1..4096) replaces the credential's id for good. */
char *softauth_register_json(struct softauth *a, const char *challenge_b64url,
			     const char *rp_id, const char *origin,
			     const struct softauth_opts *o);
char *softauth_assert_json(struct softauth *a, const char *challenge_b64url,
			   const char *rp_id, const char *origin,
			   const struct softauth_opts *o);

/* Remembers the user handle (user.id of the creation options, base64url)
 * the credential was registered for: a discoverable credential returns
 * it as userHandle in every assertion (unless o->user_handle or
 * o->no_user_handle says otherwise), as browsers do. 0, or -1 when the
 * text is too long (over 86 characters: 64 bytes). */
int softauth_set_user_handle(struct softauth *a, const char *user_id_b64url);

/* The credential id (borrowed, valid until the next call on a). */
const uint8_t *softauth_cred_id(const struct softauth *a, size_t *len);

/* The credential's COSE_Key, as the registration carries it, into out
 * (at least 300 bytes for RS256); its length or 0. For tests that store a
 * credential without registering it. */
size_t softauth_cose_key(const struct softauth *a, uint8_t *out, size_t outsz);

#endif
