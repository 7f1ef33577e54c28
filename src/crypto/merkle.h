/*
 * RFC 6962 Merkle tree hashing (SHA-256) for the audit log: leaf hash
 * SHA-256(0x00 || data), interior node SHA-256(0x01 || left || right), and
 * the tree head MTH over the first n leaves. Checkpoints sign the tree size
 * and root with Ed25519 (crypto_ed25519_*).
 */
#ifndef GH_CRYPTO_MERKLE_H
#define GH_CRYPTO_MERKLE_H

#include <stddef.h>
#include <stdint.h>

void merkle_leaf_hash(const void *data, size_t len, unsigned char out[32]);
void merkle_node_hash(const unsigned char left[32],
		      const unsigned char right[32], unsigned char out[32]);

/*
 * Root of the tree over leaves[0..n) (leaf hashes, 32 bytes each). The
 * empty tree's root is SHA-256 of the empty string. Returns 0 or -1
 * (allocation).
 */
int merkle_root(const unsigned char (*leaves)[32], size_t n,
		unsigned char out[32]);

/* The message a checkpoint signs: "gatehouse audit v1\n<n>\n<hex root>\n". */
int merkle_checkpoint_text(uint64_t n, const unsigned char root[32],
			   char *out, size_t outsz);

#endif
