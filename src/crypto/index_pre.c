/*
 * crypto_index() in two steps (see crypto.h): the BLAKE2b state keyed
 * with the index subkey that has absorbed "domain\0" is kept, and each
 * value is hashed from a copy of it. The invariant: crypto_index_of(
 * crypto_index_begin(keys, d), v) is crypto_index(keys, d, v), byte for
 * byte; the kept state is key material, wiped when it is freed and every
 * copy wiped after use.
 */
#include "crypto/crypto.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/crypto_int.h"

_Static_assert(CRYPTO_INDEX_BYTES == crypto_generichash_BYTES,
	       "crypto_index's digest is BLAKE2b-256");

struct crypto_index_pre {
	crypto_generichash_state st;
};

struct crypto_index_pre *
crypto_index_begin(const struct crypto_keys *keys, const char *domain)
{
	/* libsodium wants the state 64-byte aligned; the struct's size is a
	 * multiple of its alignment, as aligned_alloc() requires. */
	struct crypto_index_pre *p = aligned_alloc(
		_Alignof(struct crypto_index_pre), sizeof(*p));

	if (p == NULL)
		return NULL;
	crypto_generichash_init(&p->st, keys->index,
				crypto_generichash_KEYBYTES,
				crypto_generichash_BYTES);
	crypto_generichash_update(&p->st, (const unsigned char *)domain,
				  strlen(domain) + 1);
	return p;
}

void
crypto_index_raw(const struct crypto_index_pre *p, const void *value,
		 size_t len, unsigned char out[CRYPTO_INDEX_BYTES])
{
	crypto_generichash_state st;

	memcpy(&st, &p->st, sizeof(st));
	if (value != NULL && len != 0)
		crypto_generichash_update(&st, value, len);
	crypto_generichash_final(&st, out, CRYPTO_INDEX_BYTES);
	sodium_memzero(&st, sizeof(st));
}

void
crypto_index_hex(const unsigned char raw[CRYPTO_INDEX_BYTES],
		 char out[CRYPTO_HASH_HEX])
{
	sodium_bin2hex(out, CRYPTO_HASH_HEX, raw, CRYPTO_INDEX_BYTES);
}

void
crypto_index_of(const struct crypto_index_pre *p, const void *value,
		size_t len, char out[CRYPTO_HASH_HEX])
{
	unsigned char digest[CRYPTO_INDEX_BYTES];

	crypto_index_raw(p, value, len, digest);
	crypto_index_hex(digest, out);
	sodium_memzero(digest, sizeof(digest));
}

void
crypto_index_end(struct crypto_index_pre *p)
{
	if (p == NULL)
		return;
	sodium_memzero(p, sizeof(*p));
	free(p);
}
