/*
 * The one wrapper around libsodium. Nothing outside crypto/ includes
 * sodium.h. It holds the process's keys, derived from one 32-byte master
 * key kept in a 0600 file outside the database; encrypts personal fields
 * (XChaCha20-Poly1305, a fresh random nonce each time, associated data
 * binding the ciphertext to its row and column); computes keyed blind
 * indexes (BLAKE2b) so encrypted values can still be looked up; makes and
 * hashes session tokens; hashes passwords with argon2id.
 *
 * It does not know about tables, HTTP or policies.
 */
#ifndef GH_CRYPTO_CRYPTO_H
#define GH_CRYPTO_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_KEY_BYTES 32
/* Session tokens: 32 random bytes, base64url without padding. */
#define CRYPTO_TOKEN_CHARS 43
/* Hex of a 32-byte hash, plus NUL. */
#define CRYPTO_HASH_HEX 65
/* argon2id encoded hash string buffer (crypto_pwhash_STRBYTES). */
#define CRYPTO_PWHASH_BYTES 128

/* Calls sodium_init(); 0 or -1. Safe to call more than once. */
int crypto_init(void);

/* Subkeys derived from the master key, in sodium_malloc'd memory. */
struct crypto_keys;

/*
 * Writes a new random master key to path with mode 0600 (O_EXCL: never
 * overwrites). Returns 0, -EEXIST if the file exists, -1 on other errors.
 */
int crypto_master_key_create(const char *path);

/*
 * Reads the master key at path (refuses a file readable by group/others or
 * not exactly 32 bytes) and derives the subkeys. *out is freed with
 * crypto_keys_free(). Returns 0 or -1.
 */
int crypto_keys_load(const char *path, struct crypto_keys **out);

/* Builds keys from raw master key bytes (tests, fuzzers). */
int crypto_keys_from_bytes(const unsigned char master[CRYPTO_KEY_BYTES],
			   struct crypto_keys **out);
void crypto_keys_free(struct crypto_keys *keys);

/*
 * Field encryption. ad is the associated data (e.g. "customer:17:phone"):
 * a ciphertext moved to another row or column no longer opens.
 * crypto_seal: *out (malloc'd; caller frees) = version byte || 24-byte
 * nonce || ciphertext || 16-byte tag. crypto_open: *out is sodium_malloc'd
 * plaintext followed by a NUL (not counted in *outlen); free it with
 * crypto_secret_free(). Both return 0 or -1 (crypto_open: tampered, wrong
 * key or wrong ad).
 */
int crypto_seal(const struct crypto_keys *keys, const char *ad,
		const void *plain, size_t len, unsigned char **out,
		size_t *outlen);
int crypto_open(const struct crypto_keys *keys, const char *ad,
		const unsigned char *sealed, size_t len, char **out,
		size_t *outlen);
/* Wipes and frees memory from crypto_open / crypto_secret_alloc. NULL ok. */
void crypto_secret_free(void *p);
/* sodium_malloc'd, zeroed; NULL on failure. */
void *crypto_secret_alloc(size_t len);
/* sodium_memzero. */
void crypto_wipe(void *p, size_t len);

/*
 * Blind index: hex of BLAKE2b-256 keyed with the index subkey over
 * domain || 0x00 || value. Same inputs, same output; without the master key
 * the output reveals nothing. out must hold CRYPTO_HASH_HEX bytes.
 */
void crypto_index(const struct crypto_keys *keys, const char *domain,
		  const void *value, size_t len, char out[CRYPTO_HASH_HEX]);

/* A new token: 256 bits from the CSPRNG as base64url, NUL-terminated. */
void crypto_token_new(char out[CRYPTO_TOKEN_CHARS + 1]);
/* Hex BLAKE2b-256 of a token keyed with the token subkey: what is stored. */
void crypto_token_hash(const struct crypto_keys *keys, const char *token,
		       char out[CRYPTO_HASH_HEX]);
/* The CSRF token for a session: base64url of BLAKE2b-256 keyed with the
 * CSRF subkey over the session's token hash. */
void crypto_csrf_token(const struct crypto_keys *keys,
		       const char *token_hash,
		       char out[CRYPTO_TOKEN_CHARS + 1]);
/* Constant-time equality of two buffers of the same length: 1 or 0. */
int crypto_equal(const void *a, const void *b, size_t len);
/* Uniform random integer in [0, upper). */
uint32_t crypto_random_uniform(uint32_t upper);
void crypto_random_bytes(void *buf, size_t len);

/* argon2id parameters. Floors (OWASP): ops >= 2, mem >= 19 MiB. */
struct crypto_pw_params {
	unsigned long long ops;
	size_t mem;
};
#define CRYPTO_PW_OPS_MIN 2ULL
#define CRYPTO_PW_MEM_MIN (19u * 1024u * 1024u)

/* Encoded argon2id hash of pw (len bytes) into out. 0 or -1. */
int crypto_pw_hash(const char *pw, size_t len,
		   const struct crypto_pw_params *params,
		   char out[CRYPTO_PWHASH_BYTES]);
/* 0 when pw matches encoded, -1 otherwise (or malformed encoded). */
int crypto_pw_verify(const char *encoded, const char *pw, size_t len);
/* 1 when encoded was made with weaker parameters than params. */
int crypto_pw_needs_rehash(const char *encoded,
			   const struct crypto_pw_params *params);

/*
 * (Named crypto_ed25519_* because libsodium owns crypto_sign_*.)
 * Ed25519 key pair for signing audit checkpoints: crypto_ed25519_keys_create
 * writes the 64-byte secret key (0600, O_EXCL) and 32-byte public key;
 * -EEXIST if either exists. crypto_ed25519_sign signs msg into sig[64]
 * with the secret key file's contents; crypto_ed25519_verify checks it (0 ok).
 */
int crypto_ed25519_keys_create(const char *sk_path, const char *pk_path);
int crypto_ed25519_load(const char *sk_path, unsigned char **sk_out);
int crypto_ed25519_sign(const unsigned char *sk, const void *msg,
			size_t len, unsigned char sig[64]);
int crypto_ed25519_verify(const unsigned char pk[32], const void *msg,
			  size_t len, const unsigned char sig[64]);

/* Base64url (no padding) and hex helpers. Return chars written or -1. */
int crypto_b64url_encode(const void *in, size_t len, char *out,
			 size_t outsz);
int crypto_hex_encode(const void *in, size_t len, char *out, size_t outsz);
/*
 * Decodes standard base64 (RFC 4648 section 4, with padding; no spaces or
 * other characters) into *out (malloc'd, caller frees; may be NULL for an
 * empty input) and *outlen. Returns 0, or -1 for malformed input or when
 * the decoded size would exceed max (nothing is returned then).
 */
int crypto_b64_decode(const char *in, size_t len, size_t max,
		      unsigned char **out, size_t *outlen);
/* Lower-case hex of SHA-256 over data[0, len) into out (65 bytes). */
void crypto_sha256_hex(const void *data, size_t len,
		       char out[CRYPTO_HASH_HEX]);

#endif
