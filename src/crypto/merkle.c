/* RFC 6962 tree hashing over libsodium's SHA-256. */
#include "crypto/merkle.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
merkle_leaf_hash(const void *data, size_t len, unsigned char out[32])
{
	crypto_hash_sha256_state st;
	const unsigned char prefix = 0x00;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, data, len);
	crypto_hash_sha256_final(&st, out);
}

void
merkle_node_hash(const unsigned char left[32], const unsigned char right[32],
		 unsigned char out[32])
{
	crypto_hash_sha256_state st;
	const unsigned char prefix = 0x01;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, left, 32);
	crypto_hash_sha256_update(&st, right, 32);
	crypto_hash_sha256_final(&st, out);
}

/* MTH(D[n]) by RFC 6962 section 2.1, computed bottom-up: the tree with
 * the largest power of two on the left is what pairing levels gives when
 * an odd node is carried up unchanged. */
int
merkle_root(const unsigned char (*leaves)[32], size_t n, unsigned char out[32])
{
	unsigned char(*level)[32];
	size_t m = n;

	if (n == 0) {
		crypto_hash_sha256(out, (const unsigned char *)"", 0);
		return 0;
	}
	level = malloc(n * 32);
	if (level == NULL)
		return -1;
	memcpy(level, leaves, n * 32);
	while (m > 1) {
		size_t k = 0;

		for (size_t i = 0; i + 1 < m; i += 2)
			merkle_node_hash(level[i], level[i + 1], level[k++]);
		if (m % 2 == 1)
			memmove(level[k++], level[m - 1], 32);
		m = k;
	}
	memcpy(out, level[0], 32);
	free(level);
	return 0;
}

int
merkle_checkpoint_text(uint64_t n, const unsigned char root[32], char *out,
		       size_t outsz)
{
	char hex[65];
	int w;

	sodium_bin2hex(hex, sizeof(hex), root, 32);
	w = snprintf(out, outsz, "gatehouse audit v1\n%llu\n%s\n",
		     (unsigned long long)n, hex);
	return w < 0 || (size_t)w >= outsz ? -1 : 0;
}
