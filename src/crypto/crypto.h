/*
 * The one wrapper around libsodium. Nothing outside crypto/ includes
 * sodium.h. It holds the process's keys: a key ring of 32-byte keys kept
 * in 0600 files outside the database (key 1 is the master key); encrypts
 * personal fields (XChaCha20-Poly1305 under the ring's current key, whose
 * id each ciphertext carries, a fresh random nonce each time, associated
 * data binding the ciphertext to its row and column); computes keyed blind
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

/* Subkeys derived from the master key and the ring of field keys, in
 * sodium_malloc'd memory. Safe to share between threads. */
struct crypto_keys;

/*
 * The key ring of a data directory DIR. Key 1 is DIR/master.key; keys 2,
 * 3, ... are DIR/keys/N.key (32 bytes, 0600); DIR/keys/current holds the
 * decimal id of the key new values are sealed under (absent: 1). The
 * field key of ring key N is derived from it as key 1's always was. The
 * blind index, session token and CSRF subkeys are derived from key 1
 * only, whatever the ring holds: rotation changes the field keys, never
 * those (so master.key is never deleted; `keys retire --id 1` writes
 * DIR/keys/1.retired instead, after which the ring has no field key 1).
 *
 * A struct crypto_keys opened on DIR follows the ring while it runs:
 * crypto_seal and crypto_open check DIR/keys/current first (one stat) and
 * reload the ring when it changed (`keys rotate` and `keys retire` both
 * write it); crypto_open also reloads it once when a value names a key id
 * the ring does not hold. Key files that are gone at a reload are wiped
 * from memory.
 */
#define CRYPTO_KEY_ID_MAX 9999u
#define CRYPTO_RING_MAX 64
/* Bytes at the start of a sealed value that name its key. */
#define CRYPTO_SEAL_HEAD 5

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

/*
 * Opens the ring of data directory dir as described above. Returns 0 or
 * -1 (a key file missing, unreadable, readable by others or of the wrong
 * size, or a current marker that names no key of the ring).
 */
int crypto_keys_open_dir(const char *dir, struct crypto_keys **out);

/* The id of the key new values are sealed under now (after taking a
 * changed current marker into account); 0 when the ring cannot say. */
uint32_t crypto_keys_current(const struct crypto_keys *keys);

/*
 * The key id a sealed value names, read from its first CRYPTO_SEAL_HEAD
 * bytes (len may be the length of that prefix only): 1 for the format
 * written before key ids existed. 0, or -1 when it names none.
 */
int crypto_sealed_key_id(const unsigned char *sealed, size_t len,
			 uint32_t *id);

/* Builds keys from raw master key bytes (tests, fuzzers): a ring of key 1
 * alone, with no directory to reload from. */
int crypto_keys_from_bytes(const unsigned char master[CRYPTO_KEY_BYTES],
			   struct crypto_keys **out);
void crypto_keys_free(struct crypto_keys *keys);

/*
 * Field encryption. ad is the associated data (e.g. "customer:17:phone"):
 * a ciphertext moved to another row or column no longer opens.
 * crypto_seal: *out (malloc'd; caller frees) = version byte 2 || key id
 * (4 bytes, big endian) || 24-byte nonce || ciphertext || 16-byte tag,
 * under the ring's current key; the version byte and key id are
 * authenticated with ad. crypto_open: opens that format under the key it
 * names, and the format before key ids (version byte 1 || nonce || ct ||
 * tag) under key 1; *out is sodium_malloc'd plaintext followed by a NUL
 * (not counted in *outlen); free it with crypto_secret_free(). Both return
 * 0 or -1 (crypto_open: tampered, wrong or retired key, or wrong ad).
 */
int crypto_seal(const struct crypto_keys *keys, const char *ad,
		const void *plain, size_t len, unsigned char **out,
		size_t *outlen);
int crypto_open(const struct crypto_keys *keys, const char *ad,
		const unsigned char *sealed, size_t len, char **out,
		size_t *outlen);
/*
 * The ring's files, for `gatehouse keys` (one process at a time: take
 * crypto_ring_lock first). crypto_ring_lock takes an exclusive lock on
 * DIR/keys/lock (creating DIR/keys, 0700): *fd_out, released by
 * crypto_ring_unlock; -EBUSY when another process holds it.
 * crypto_ring_add writes a new random key DIR/keys/N.key (N: one above
 * the highest id of the key files and of the current marker) without
 * making it current. crypto_ring_set_current replaces DIR/keys/current
 * atomically (rename) with id, which must have a key file (-ENOENT
 * otherwise). crypto_ring_retire deletes DIR/keys/N.key (N >= 2) or
 * writes DIR/keys/1.retired (N = 1), and rewrites the current marker so
 * running servers reload and forget the key; -EBUSY when N is current,
 * -ENOENT when the ring has no key N. crypto_ring_list fills out (max
 * entries) with the ring's keys by id. All return 0 or a negative value.
 */
struct crypto_ring_entry {
	uint32_t id;
	int current;
	int retired; /* key 1 only: its field key is no longer used */
	char file[32]; /* "master.key" or "keys/N.key" */
};
int crypto_ring_lock(const char *dir, int *fd_out);
void crypto_ring_unlock(int fd);
int crypto_ring_add(const char *dir, uint32_t *id_out);
int crypto_ring_set_current(const char *dir, uint32_t id);
int crypto_ring_retire(const char *dir, uint32_t id);
int crypto_ring_list(const char *dir, struct crypto_ring_entry *out,
		     size_t max, size_t *n_out, uint32_t *current);

/*
 * A key's check value: BLAKE2b-128 keyed with DIR/keys/N.key (N >= 2)
 * over a fixed label. It names the key without revealing it, so nodes
 * can tell whether their copies of key N are the same key (`keys add`
 * stores it, `keys use` compares). 0, or -ENOENT without such a file.
 */
#define CRYPTO_KEY_CHECK_BYTES 16
int crypto_ring_check(const char *dir, uint32_t id,
		      unsigned char out[CRYPTO_KEY_CHECK_BYTES]);

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

/*
 * crypto_index() for many values of one domain (crypto/index_pre.c): the
 * keyed hash's state after the key and the domain is computed once by
 * crypto_index_begin() and copied for each value by crypto_index_of(),
 * whose output is crypto_index()'s for the same keys, domain and value
 * (one BLAKE2b compression per short value instead of two). The state is
 * key material: crypto_index_end() wipes and frees it (NULL ok). begin
 * returns NULL when out of memory.
 */
struct crypto_index_pre;
struct crypto_index_pre *crypto_index_begin(const struct crypto_keys *keys,
					    const char *domain);
void crypto_index_of(const struct crypto_index_pre *p, const void *value,
		     size_t len, char out[CRYPTO_HASH_HEX]);
/* crypto_index_of() in two halves: the digest (whose hex is
 * crypto_index_of()'s output), and its hex. */
#define CRYPTO_INDEX_BYTES 32
void crypto_index_raw(const struct crypto_index_pre *p, const void *value,
		      size_t len, unsigned char out[CRYPTO_INDEX_BYTES]);
void crypto_index_hex(const unsigned char raw[CRYPTO_INDEX_BYTES],
		      char out[CRYPTO_HASH_HEX]);
void crypto_index_end(struct crypto_index_pre *p);

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
