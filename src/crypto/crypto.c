/*
 * The libsodium wrapper: key files, subkey derivation, field encryption
 * (XChaCha20-Poly1305 IETF with a version byte, the id of the ring key it
 * was sealed under and a fresh random nonce; keyring.c keeps the ring),
 * keyed BLAKE2b blind indexes, session and CSRF tokens, argon2id password
 * hashes, Ed25519 signatures, base64url and hex.
 *
 * All long-lived key material sits in sodium_malloc'd pages that are made
 * read-only once derived; temporary copies are wiped with sodium_memzero.
 * This module knows nothing of tables, HTTP or policies, and it never logs.
 */
#include "crypto/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/crypto_int.h"
#include "util/fileio.h"

_Static_assert(CRYPTO_PWHASH_BYTES == crypto_pwhash_STRBYTES,
	       "CRYPTO_PWHASH_BYTES must match libsodium");
_Static_assert(CRYPTO_KEY_BYTES == crypto_kdf_KEYBYTES,
	       "CRYPTO_KEY_BYTES must match crypto_kdf_KEYBYTES");
_Static_assert(CRYPTO_HASH_HEX == crypto_generichash_BYTES * 2 + 1,
	       "CRYPTO_HASH_HEX must hold a hex BLAKE2b-256");
_Static_assert(CRYPTO_TOKEN_CHARS + 1 ==
		       sodium_base64_ENCODED_LEN(
			       32, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
	       "CRYPTO_TOKEN_CHARS must hold base64url of 32 bytes");

_Static_assert(sizeof(CRYPTO_KDF_CONTEXT) == crypto_kdf_CONTEXTBYTES + 1,
	       "KDF context must be 8 characters");
_Static_assert(FIELD_KEY_BYTES == CRYPTO_KEY_BYTES,
	       "a field key is as long as a key of the ring");

/* Sealed fields: version 1 (read only, always key 1) is version byte ||
 * nonce || ciphertext || tag; version 2 puts the key id (4 bytes, big
 * endian) after the version byte, and that 5-byte head is authenticated
 * with the caller's associated data. */
#define SEAL_V1 0x01u
#define SEAL_V2 0x02u
#define SEAL_HEAD_V2 CRYPTO_SEAL_HEAD
#define SEAL_NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SEAL_TAG crypto_aead_xchacha20poly1305_ietf_ABYTES
#define SEAL_OVERHEAD (SEAL_HEAD_V2 + SEAL_NONCE + SEAL_TAG)

int
crypto_init(void)
{
	if (sodium_init() < 0)
		return -1;
	return 0;
}

int
crypto_read_secret_file(const char *path, size_t len, unsigned char **out)
{
	int ret = -1;
	int fd = -1;
	unsigned char *buf = NULL;
	struct stat st;
	size_t done = 0;
	unsigned char extra;

	*out = NULL;
	if (path == NULL || *path == '\0')
		goto out;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			ret = -ENOENT;
		goto out;
	}
	if (fstat(fd, &st) != 0)
		goto out;
	if (!S_ISREG(st.st_mode))
		goto out;
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		goto out;
	if (st.st_size < 0 || (unsigned long long)st.st_size != len)
		goto out;
	buf = sodium_malloc(len);
	if (buf == NULL)
		goto out;
	while (done < len) {
		ssize_t n = read(fd, buf + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		if (n == 0)
			goto out;
		done += (size_t)n;
	}
	/* The file must not have grown since fstat. */
	if (read(fd, &extra, 1) != 0)
		goto out;
	*out = buf;
	buf = NULL;
	ret = 0;
out:
	if (buf != NULL)
		sodium_free(buf);
	if (fd >= 0)
		(void)close(fd);
	return ret;
}

int
crypto_master_key_create(const char *path)
{
	int ret = -1;
	unsigned char *key = NULL;

	if (crypto_init() != 0)
		goto out;
	key = sodium_malloc(CRYPTO_KEY_BYTES);
	if (key == NULL)
		goto out;
	crypto_kdf_keygen(key);
	ret = write_file_atomic(path, key, CRYPTO_KEY_BYTES, 0600);
out:
	if (key != NULL)
		sodium_free(key);
	return ret;
}

int
crypto_derive_field(const unsigned char key[CRYPTO_KEY_BYTES],
		    unsigned char field[FIELD_KEY_BYTES])
{
	return crypto_kdf_derive_from_key(field, FIELD_KEY_BYTES, SUBKEY_FIELD,
					  CRYPTO_KDF_CONTEXT, key) == 0
		       ? 0
		       : -1;
}

/* The keys of master key bytes: the fixed subkeys (read-only pages) and
 * a ring holding key 1 only. */
static int
keys_from_master(const unsigned char master[CRYPTO_KEY_BYTES],
		 struct crypto_keys **out)
{
	int ret = -1;
	struct crypto_keys *k = NULL;
	unsigned char *field = NULL;

	k = sodium_malloc(sizeof(*k));
	field = sodium_malloc(FIELD_KEY_BYTES);
	if (k == NULL || field == NULL)
		goto out;
	k->ring = NULL;
	if (crypto_derive_field(master, field) != 0 ||
	    crypto_kdf_derive_from_key(k->index, sizeof(k->index),
				       SUBKEY_INDEX, CRYPTO_KDF_CONTEXT,
				       master) != 0 ||
	    crypto_kdf_derive_from_key(k->token, sizeof(k->token),
				       SUBKEY_TOKEN, CRYPTO_KDF_CONTEXT,
				       master) != 0 ||
	    crypto_kdf_derive_from_key(k->csrf, sizeof(k->csrf), SUBKEY_CSRF,
				       CRYPTO_KDF_CONTEXT, master) != 0)
		goto out;
	k->ring = ring_new(field);
	if (k->ring == NULL)
		goto out;
	*out = k;
	k = NULL;
	ret = 0;
out:
	if (field != NULL)
		sodium_free(field);
	if (k != NULL) {
		ring_free(k->ring);
		sodium_free(k);
	}
	return ret;
}

int
crypto_keys_from_bytes(const unsigned char master[CRYPTO_KEY_BYTES],
		       struct crypto_keys **out)
{
	if (out == NULL)
		return -1;
	*out = NULL;
	if (master == NULL || crypto_init() != 0)
		return -1;
	if (keys_from_master(master, out) != 0)
		return -1;
	if (sodium_mprotect_readonly(*out) != 0) {
		crypto_keys_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int
crypto_keys_load(const char *path, struct crypto_keys **out)
{
	int ret = -1;
	unsigned char *master = NULL;

	if (out == NULL)
		return -1;
	*out = NULL;
	if (crypto_init() != 0)
		goto out;
	if (crypto_read_secret_file(path, CRYPTO_KEY_BYTES, &master) != 0)
		goto out;
	ret = crypto_keys_from_bytes(master, out);
out:
	if (master != NULL)
		sodium_free(master);
	return ret;
}

int
crypto_keys_open_dir(const char *dir, struct crypto_keys **out)
{
	char path[PATH_MAX];
	unsigned char *master = NULL;
	struct crypto_keys *k = NULL;
	int ret = -1;

	if (out == NULL)
		return -1;
	*out = NULL;
	if (dir == NULL || crypto_init() != 0)
		goto out;
	if ((size_t)snprintf(path, sizeof(path), "%s/master.key", dir) >=
	    sizeof(path))
		goto out;
	if (crypto_read_secret_file(path, CRYPTO_KEY_BYTES, &master) != 0)
		goto out;
	if (keys_from_master(master, &k) != 0)
		goto out;
	if (ring_open_dir(k->ring, dir) != 0)
		goto out;
	if (sodium_mprotect_readonly(k) != 0)
		goto out;
	*out = k;
	k = NULL;
	ret = 0;
out:
	if (master != NULL)
		sodium_free(master);
	crypto_keys_free(k);
	return ret;
}

void
crypto_keys_free(struct crypto_keys *keys)
{
	if (keys == NULL)
		return;
	(void)sodium_mprotect_readwrite(keys);
	ring_free(keys->ring);
	sodium_free(keys);
}

uint32_t
crypto_keys_current(const struct crypto_keys *keys)
{
	unsigned char key[FIELD_KEY_BYTES];
	uint32_t id = 0;

	if (keys == NULL || ring_current_key(keys->ring, key, &id) != 0)
		return 0;
	sodium_memzero(key, sizeof(key));
	return id;
}

int
crypto_sealed_key_id(const unsigned char *sealed, size_t len, uint32_t *id)
{
	uint32_t v;

	*id = 0;
	if (sealed == NULL || len < 1)
		return -1;
	if (sealed[0] == SEAL_V1) {
		*id = 1;
		return 0;
	}
	if (sealed[0] != SEAL_V2 || len < SEAL_HEAD_V2)
		return -1;
	v = (uint32_t)sealed[1] << 24 | (uint32_t)sealed[2] << 16 |
	    (uint32_t)sealed[3] << 8 | (uint32_t)sealed[4];
	if (v < 1 || v > CRYPTO_KEY_ID_MAX)
		return -1;
	*id = v;
	return 0;
}

/* The AEAD's associated data: head || ad, malloc'd into *out. */
static unsigned char *
aead_ad(const unsigned char *head, size_t headlen, const char *ad,
	size_t *outlen)
{
	size_t adlen = strlen(ad);
	unsigned char *buf;

	if (adlen > SIZE_MAX - headlen - 1)
		return NULL;
	buf = malloc(headlen + adlen + 1);
	if (buf == NULL)
		return NULL;
	memcpy(buf, head, headlen);
	memcpy(buf + headlen, ad, adlen);
	*outlen = headlen + adlen;
	return buf;
}

int
crypto_seal(const struct crypto_keys *keys, const char *ad,
	    const void *plain, size_t len, unsigned char **out,
	    size_t *outlen)
{
	int ret = -1;
	unsigned char key[FIELD_KEY_BYTES];
	unsigned char *buf = NULL, *fullad = NULL;
	unsigned long long clen = 0;
	uint32_t id = 0;
	size_t adlen = 0;

	if (out == NULL || outlen == NULL)
		return -1;
	*out = NULL;
	*outlen = 0;
	if (keys == NULL || ad == NULL || (plain == NULL && len != 0))
		goto out;
	if (len > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX ||
	    len > SIZE_MAX - SEAL_OVERHEAD)
		goto out;
	if (ring_current_key(keys->ring, key, &id) != 0)
		goto out;
	buf = malloc(len + SEAL_OVERHEAD);
	if (buf == NULL)
		goto out;
	buf[0] = SEAL_V2;
	buf[1] = (unsigned char)(id >> 24);
	buf[2] = (unsigned char)(id >> 16);
	buf[3] = (unsigned char)(id >> 8);
	buf[4] = (unsigned char)id;
	fullad = aead_ad(buf, SEAL_HEAD_V2, ad, &adlen);
	if (fullad == NULL)
		goto out;
	randombytes_buf(buf + SEAL_HEAD_V2, SEAL_NONCE);
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(
		    buf + SEAL_HEAD_V2 + SEAL_NONCE, &clen, plain, len, fullad,
		    adlen, NULL, buf + SEAL_HEAD_V2, key) != 0 ||
	    clen != len + SEAL_TAG)
		goto out;
	*out = buf;
	*outlen = len + SEAL_OVERHEAD;
	buf = NULL;
	ret = 0;
out:
	sodium_memzero(key, sizeof(key));
	free(fullad);
	free(buf);
	return ret;
}

int
crypto_open(const struct crypto_keys *keys, const char *ad,
	    const unsigned char *sealed, size_t len, char **out,
	    size_t *outlen)
{
	int ret = -1;
	unsigned char key[FIELD_KEY_BYTES];
	unsigned char *buf = NULL, *fullad = NULL;
	unsigned long long plen = 0;
	size_t head, adlen = 0;
	uint32_t id = 0;

	if (out == NULL || outlen == NULL)
		return -1;
	*out = NULL;
	*outlen = 0;
	sodium_memzero(key, sizeof(key));
	if (keys == NULL || ad == NULL ||
	    crypto_sealed_key_id(sealed, len, &id) != 0)
		goto out;
	head = sealed[0] == SEAL_V1 ? 1 : SEAL_HEAD_V2;
	if (len < head + SEAL_NONCE + SEAL_TAG)
		goto out;
	fullad = aead_ad(sealed, head == 1 ? 0 : head, ad, &adlen);
	if (fullad == NULL || ring_key(keys->ring, id, key) != 0)
		goto out;
	buf = sodium_malloc(len - head - SEAL_NONCE - SEAL_TAG + 1);
	if (buf == NULL)
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    buf, &plen, NULL, sealed + head + SEAL_NONCE,
		    len - head - SEAL_NONCE, fullad, adlen, sealed + head,
		    key) != 0 ||
	    plen != len - head - SEAL_NONCE - SEAL_TAG)
		goto out;
	buf[plen] = '\0';
	*out = (char *)buf;
	*outlen = (size_t)plen;
	buf = NULL;
	ret = 0;
out:
	sodium_memzero(key, sizeof(key));
	if (buf != NULL)
		sodium_free(buf);
	free(fullad);
	return ret;
}

void
crypto_secret_free(void *p)
{
	if (p != NULL)
		sodium_free(p);
}

void *
crypto_secret_alloc(size_t len)
{
	void *p;

	if (sodium_init() < 0)
		return NULL;
	p = sodium_malloc(len == 0 ? 1 : len);
	if (p != NULL)
		sodium_memzero(p, len == 0 ? 1 : len);
	return p;
}

void
crypto_wipe(void *p, size_t len)
{
	if (p != NULL && len != 0)
		sodium_memzero(p, len);
}

/* Keyed BLAKE2b-256 over a || b (either may be empty). */
static void
keyed_hash(const unsigned char key[crypto_generichash_KEYBYTES],
	   const void *a, size_t alen, const void *b, size_t blen,
	   unsigned char digest[crypto_generichash_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, key, crypto_generichash_KEYBYTES,
				crypto_generichash_BYTES);
	if (alen != 0)
		crypto_generichash_update(&st, a, alen);
	if (blen != 0)
		crypto_generichash_update(&st, b, blen);
	crypto_generichash_final(&st, digest, crypto_generichash_BYTES);
	sodium_memzero(&st, sizeof(st));
}

void
crypto_index(const struct crypto_keys *keys, const char *domain,
	     const void *value, size_t len, char out[CRYPTO_HASH_HEX])
{
	unsigned char digest[crypto_generichash_BYTES];

	/* domain || 0x00 || value: the NUL is strlen(domain) + 1. */
	keyed_hash(keys->index, domain, strlen(domain) + 1, value,
		   value == NULL ? 0 : len, digest);
	sodium_bin2hex(out, CRYPTO_HASH_HEX, digest, sizeof(digest));
	sodium_memzero(digest, sizeof(digest));
}

void
crypto_token_new(char out[CRYPTO_TOKEN_CHARS + 1])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, CRYPTO_TOKEN_CHARS + 1, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

void
crypto_token_hash(const struct crypto_keys *keys, const char *token,
		  char out[CRYPTO_HASH_HEX])
{
	unsigned char digest[crypto_generichash_BYTES];

	keyed_hash(keys->token, token, strlen(token), NULL, 0, digest);
	sodium_bin2hex(out, CRYPTO_HASH_HEX, digest, sizeof(digest));
	sodium_memzero(digest, sizeof(digest));
}

void
crypto_csrf_token(const struct crypto_keys *keys, const char *token_hash,
		  char out[CRYPTO_TOKEN_CHARS + 1])
{
	unsigned char digest[crypto_generichash_BYTES];

	keyed_hash(keys->csrf, token_hash, strlen(token_hash), NULL, 0,
		   digest);
	sodium_bin2base64(out, CRYPTO_TOKEN_CHARS + 1, digest,
			  sizeof(digest),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(digest, sizeof(digest));
}

int
crypto_equal(const void *a, const void *b, size_t len)
{
	if (len == 0)
		return 1;
	return sodium_memcmp(a, b, len) == 0 ? 1 : 0;
}

uint32_t
crypto_random_uniform(uint32_t upper)
{
	if (upper < 2)
		return 0;
	return randombytes_uniform(upper);
}

void
crypto_random_bytes(void *buf, size_t len)
{
	if (len != 0)
		randombytes_buf(buf, len);
}

/* Parameters raised to the compiled-in floors. */
static void
pw_params_floor(const struct crypto_pw_params *params,
		unsigned long long *ops, size_t *mem)
{
	*ops = CRYPTO_PW_OPS_MIN;
	*mem = CRYPTO_PW_MEM_MIN;
	if (params != NULL) {
		if (params->ops > *ops)
			*ops = params->ops;
		if (params->mem > *mem)
			*mem = params->mem;
	}
}

int
crypto_pw_hash(const char *pw, size_t len,
	       const struct crypto_pw_params *params,
	       char out[CRYPTO_PWHASH_BYTES])
{
	unsigned long long ops;
	size_t mem;

	if (pw == NULL || out == NULL || crypto_init() != 0)
		return -1;
	if (len > crypto_pwhash_PASSWD_MAX)
		return -1;
	pw_params_floor(params, &ops, &mem);
	if (ops > crypto_pwhash_OPSLIMIT_MAX || mem > crypto_pwhash_MEMLIMIT_MAX)
		return -1;
	if (crypto_pwhash_str_alg(out, pw, len, ops, mem,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return -1;
	return 0;
}

int
crypto_pw_verify(const char *encoded, const char *pw, size_t len)
{
	if (encoded == NULL || pw == NULL || crypto_init() != 0)
		return -1;
	if (strnlen(encoded, CRYPTO_PWHASH_BYTES) >= CRYPTO_PWHASH_BYTES)
		return -1;
	if (strncmp(encoded, crypto_pwhash_argon2id_STRPREFIX,
		    strlen(crypto_pwhash_argon2id_STRPREFIX)) != 0)
		return -1;
	if (crypto_pwhash_str_verify(encoded, pw, len) != 0)
		return -1;
	return 0;
}

/* Parses "NAME=digits" at *p, advancing past the digits. */
static int
parse_param(const char **p, const char *name, unsigned long long *val)
{
	size_t nlen = strlen(name);
	char *end = NULL;

	if (strncmp(*p, name, nlen) != 0)
		return -1;
	*p += nlen;
	if (**p < '0' || **p > '9')
		return -1;
	errno = 0;
	*val = strtoull(*p, &end, 10);
	if (errno != 0 || end == *p)
		return -1;
	*p = end;
	return 0;
}

int
crypto_pw_needs_rehash(const char *encoded,
		       const struct crypto_pw_params *params)
{
	static const char prefix[] = "$argon2id$v=19$";
	unsigned long long ops;
	size_t mem;
	unsigned long long m = 0;
	unsigned long long t = 0;
	const char *p;

	if (encoded == NULL ||
	    strnlen(encoded, CRYPTO_PWHASH_BYTES) >= CRYPTO_PWHASH_BYTES)
		return 1;
	if (strncmp(encoded, prefix, sizeof(prefix) - 1) != 0)
		return 1;
	p = encoded + sizeof(prefix) - 1;
	if (parse_param(&p, "m=", &m) != 0 || parse_param(&p, ",t=", &t) != 0)
		return 1;
	if (strncmp(p, ",p=", 3) != 0)
		return 1;
	pw_params_floor(params, &ops, &mem);
	/* m is in KiB. */
	if (t < ops || m < mem / 1024u)
		return 1;
	return 0;
}

int
crypto_ed25519_keys_create(const char *sk_path, const char *pk_path)
{
	int ret = -1;
	unsigned char *sk = NULL;
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	struct stat st;
	int r;

	if (sk_path == NULL || pk_path == NULL || crypto_init() != 0)
		goto out;
	/* Refuse before writing anything when either file exists. */
	if (lstat(sk_path, &st) == 0 || lstat(pk_path, &st) == 0) {
		ret = -EEXIST;
		goto out;
	}
	sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	if (sk == NULL)
		goto out;
	if (crypto_sign_keypair(pk, sk) != 0)
		goto out;
	r = write_file_atomic(sk_path, sk, crypto_sign_SECRETKEYBYTES,
				  0600);
	if (r != 0) {
		ret = r;
		goto out;
	}
	r = write_file_atomic(pk_path, pk, sizeof(pk), 0644);
	if (r != 0) {
		(void)unlink(sk_path);
		ret = r;
		goto out;
	}
	ret = 0;
out:
	if (sk != NULL)
		sodium_free(sk);
	return ret;
}

int
crypto_ed25519_load(const char *sk_path, unsigned char **sk_out)
{
	if (sk_out == NULL)
		return -1;
	*sk_out = NULL;
	if (crypto_init() != 0)
		return -1;
	return crypto_read_secret_file(sk_path, crypto_sign_SECRETKEYBYTES,
				       sk_out);
}

int
crypto_ed25519_sign(const unsigned char *sk, const void *msg, size_t len,
		    unsigned char sig[64])
{
	_Static_assert(crypto_sign_BYTES == 64, "Ed25519 signature size");

	if (sk == NULL || sig == NULL || (msg == NULL && len != 0))
		return -1;
	if (crypto_sign_detached(sig, NULL, msg, len, sk) != 0)
		return -1;
	return 0;
}

int
crypto_ed25519_verify(const unsigned char pk[32], const void *msg,
		      size_t len, const unsigned char sig[64])
{
	_Static_assert(crypto_sign_PUBLICKEYBYTES == 32,
		       "Ed25519 public key size");

	if (pk == NULL || sig == NULL || (msg == NULL && len != 0))
		return -1;
	if (crypto_sign_verify_detached(sig, msg, len, pk) != 0)
		return -1;
	return 0;
}

int
crypto_b64url_encode(const void *in, size_t len, char *out, size_t outsz)
{
	size_t need;

	if (out == NULL || (in == NULL && len != 0))
		return -1;
	if (len > (size_t)INT_MAX / 2)
		return -1;
	need = sodium_base64_ENCODED_LEN(
		len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (outsz < need)
		return -1;
	if (len == 0) {
		out[0] = '\0';
		return 0;
	}
	sodium_bin2base64(out, outsz, in, len,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return (int)strlen(out);
}

int
crypto_b64_decode(const char *in, size_t len, size_t max, unsigned char **out,
		  size_t *outlen)
{
	unsigned char *buf;
	size_t cap, got = 0;
	const char *end = NULL;

	*out = NULL;
	*outlen = 0;
	if (in == NULL || len % 4 != 0)
		return -1;
	if (len == 0)
		return 0;
	cap = len / 4 * 3;
	if (cap - (in[len - 1] == '=') - (in[len - 2] == '=') > max)
		return -1;
	buf = malloc(cap);
	if (buf == NULL)
		return -1;
	if (sodium_base642bin(buf, cap, in, len, NULL, &got, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != in + len || got > max) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = got;
	return 0;
}

void
crypto_sha256_hex(const void *data, size_t len, char out[CRYPTO_HASH_HEX])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, CRYPTO_HASH_HEX, h, sizeof(h));
}

int
crypto_hex_encode(const void *in, size_t len, char *out, size_t outsz)
{
	if (out == NULL || (in == NULL && len != 0))
		return -1;
	if (len > (size_t)INT_MAX / 2 || outsz < len * 2 + 1)
		return -1;
	if (len == 0) {
		out[0] = '\0';
		return 0;
	}
	sodium_bin2hex(out, outsz, in, len);
	return (int)(len * 2);
}
