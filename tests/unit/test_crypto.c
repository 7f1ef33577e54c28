/*
 * Unit tests of crypto/crypto.c: field encryption (round trip, tampering,
 * associated data, fresh nonces), blind indexes, tokens and CSRF tokens,
 * argon2id hashing and rehash decisions, master key files (mode, O_EXCL,
 * refusal of readable or wrong-sized files), the key ring (key ids in
 * sealed values, the format before them, rotation followed while a ring
 * is open, retirement, refusals), Ed25519 key files and signatures, and
 * the encoding helpers. Files go to a mkdtemp directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"

static const unsigned char master_a[CRYPTO_KEY_BYTES] = {
	1,  2,	3,  4,	5,  6,	7,  8,	9,  10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};
static const unsigned char master_b[CRYPTO_KEY_BYTES] = {
	32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17,
	16, 15, 14, 13, 12, 11, 10, 9,	8,  7,	6,  5,	4,  3,	2,  1,
};

struct fixture {
	struct crypto_keys *a;
	struct crypto_keys *b;
	char dir[64];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || crypto_init() != 0)
		return -1;
	if (crypto_keys_from_bytes(master_a, &f->a) != 0 ||
	    crypto_keys_from_bytes(master_b, &f->b) != 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/gh-test-crypto-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	*state = f;
	return 0;
}

static void
rm_in(const char *dir, const char *name)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	(void)unlink(p);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	static const char *const names[] = { "master.key", "readable.key",
					     "short.key",  "long.key",
					     "audit.sk",   "audit.pk",
					     "taken.pk",   "taken.sk" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		rm_in(f->dir, names[i]);
	(void)rmdir(f->dir);
	crypto_keys_free(f->a);
	crypto_keys_free(f->b);
	free(f);
	return 0;
}

static void
path_in(const struct fixture *f, const char *name, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "%s/%s", f->dir, name);

	assert_true(n > 0 && (size_t)n < outsz);
}

/* ASVS 11.3.1: personal fields are sealed with an AEAD (XChaCha20-Poly1305). */
static void
test_seal_open_round_trip(void **state)
{
	struct fixture *f = *state;
	static const char msg[] = "+44 20 7946 0958";
	unsigned char *sealed = NULL;
	size_t slen = 0;
	char *plain = NULL;
	size_t plen = 0;

	assert_int_equal(crypto_seal(f->a, "customer:17:phone", msg,
				     strlen(msg), &sealed, &slen),
			 0);
	/* Version 2: version byte, key id (1, big endian), nonce, tag. */
	assert_int_equal(slen, strlen(msg) + 5 + 24 + 16);
	assert_memory_equal(sealed, "\x02\x00\x00\x00\x01", 5);
	/* The plaintext does not appear in the ciphertext. */
	assert_null(memmem(sealed, slen, msg, strlen(msg)));
	assert_int_equal(crypto_open(f->a, "customer:17:phone", sealed, slen,
				     &plain, &plen),
			 0);
	assert_int_equal(plen, strlen(msg));
	assert_string_equal(plain, msg);
	crypto_secret_free(plain);
	free(sealed);

	/* The empty plaintext round-trips too. */
	assert_int_equal(crypto_seal(f->a, "x", "", 0, &sealed, &slen), 0);
	assert_int_equal(crypto_open(f->a, "x", sealed, slen, &plain, &plen),
			 0);
	assert_int_equal(plen, 0);
	assert_string_equal(plain, "");
	crypto_secret_free(plain);
	free(sealed);
}

/* ASVS 11.3.1: any change to a sealed value is detected. */
static void
test_seal_tamper_fails(void **state)
{
	struct fixture *f = *state;
	static const char msg[] = "1985-04-12";
	unsigned char *sealed = NULL;
	size_t slen = 0;
	char *plain = NULL;
	size_t plen = 0;

	assert_int_equal(crypto_seal(f->a, "customer:1:dob", msg, strlen(msg),
				     &sealed, &slen),
			 0);
	for (size_t i = 0; i < slen; i++) {
		sealed[i] ^= 0x01;
		assert_int_equal(crypto_open(f->a, "customer:1:dob", sealed,
					     slen, &plain, &plen),
				 -1);
		assert_null(plain);
		sealed[i] ^= 0x01;
	}
	/* Truncated. */
	assert_int_equal(crypto_open(f->a, "customer:1:dob", sealed, slen - 1,
				     &plain, &plen),
			 -1);
	assert_int_equal(
		crypto_open(f->a, "customer:1:dob", sealed, 10, &plain, &plen),
		-1);
	/* Wrong key. */
	assert_int_equal(crypto_open(f->b, "customer:1:dob", sealed, slen,
				     &plain, &plen),
			 -1);
	/* Untouched it still opens. */
	assert_int_equal(crypto_open(f->a, "customer:1:dob", sealed, slen,
				     &plain, &plen),
			 0);
	crypto_secret_free(plain);
	free(sealed);
}

/* ASVS 11.3.1: the associated data binds a ciphertext to its row and column. */
static void
test_seal_wrong_ad_fails(void **state)
{
	struct fixture *f = *state;
	static const char msg[] = "alice@example.com";
	unsigned char *sealed = NULL;
	size_t slen = 0;
	char *plain = NULL;
	size_t plen = 0;

	assert_int_equal(crypto_seal(f->a, "customer:17:email", msg,
				     strlen(msg), &sealed, &slen),
			 0);
	assert_int_equal(crypto_open(f->a, "customer:18:email", sealed, slen,
				     &plain, &plen),
			 -1);
	assert_int_equal(crypto_open(f->a, "customer:17:phone", sealed, slen,
				     &plain, &plen),
			 -1);
	assert_int_equal(
		crypto_open(f->a, "", sealed, slen, &plain, &plen), -1);
	assert_null(plain);
	free(sealed);
}

/* ASVS 11.3.4: a fresh nonce each time, so equal plaintexts differ. */
static void
test_seal_twice_differs(void **state)
{
	struct fixture *f = *state;
	static const char msg[] = "same plaintext";
	unsigned char *s1 = NULL;
	unsigned char *s2 = NULL;
	size_t l1 = 0;
	size_t l2 = 0;

	assert_int_equal(
		crypto_seal(f->a, "t:1:c", msg, strlen(msg), &s1, &l1), 0);
	assert_int_equal(
		crypto_seal(f->a, "t:1:c", msg, strlen(msg), &s2, &l2), 0);
	assert_int_equal(l1, l2);
	/* Nonces differ, and so do the ciphertexts. */
	assert_memory_not_equal(s1 + 1, s2 + 1, 24);
	assert_memory_not_equal(s1 + 25, s2 + 25, l1 - 25);
	free(s1);
	free(s2);
}

static void
test_blind_index(void **state)
{
	struct fixture *f = *state;
	char a1[CRYPTO_HASH_HEX];
	char a2[CRYPTO_HASH_HEX];
	char b1[CRYPTO_HASH_HEX];
	char d1[CRYPTO_HASH_HEX];
	char v1[CRYPTO_HASH_HEX];

	crypto_index(f->a, "email", "alice@example.com", 17, a1);
	crypto_index(f->a, "email", "alice@example.com", 17, a2);
	crypto_index(f->b, "email", "alice@example.com", 17, b1);
	crypto_index(f->a, "phone", "alice@example.com", 17, d1);
	crypto_index(f->a, "email", "alice@example.org", 17, v1);
	assert_int_equal(strlen(a1), 64);
	for (size_t i = 0; i < 64; i++)
		assert_non_null(strchr("0123456789abcdef", a1[i]));
	assert_string_equal(a1, a2);
	assert_string_not_equal(a1, b1);
	assert_string_not_equal(a1, d1);
	assert_string_not_equal(a1, v1);
	/* The separator keeps ("ab", "c") apart from ("a", "bc"). */
	crypto_index(f->a, "ab", "c", 1, a1);
	crypto_index(f->a, "a", "bc", 2, a2);
	assert_string_not_equal(a1, a2);
}

static int
cmp_tokens(const void *x, const void *y)
{
	return strcmp(x, y);
}

/* ASVS 7.2.3, 11.5.1: tokens carry 256 bits from the CSPRNG. */
static void
test_tokens(void **state)
{
	struct fixture *f = *state;
	enum { N = 2000 };
	char(*toks)[CRYPTO_TOKEN_CHARS + 1] = calloc(N, sizeof(*toks));
	char h1[CRYPTO_HASH_HEX];
	char h2[CRYPTO_HASH_HEX];
	char h3[CRYPTO_HASH_HEX];

	assert_non_null(toks);
	for (size_t i = 0; i < N; i++) {
		crypto_token_new(toks[i]);
		assert_int_equal(strlen(toks[i]), CRYPTO_TOKEN_CHARS);
		for (size_t k = 0; k < CRYPTO_TOKEN_CHARS; k++)
			assert_non_null(
				strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "abcdefghijklmnopqrstuvwxyz0123456789-_",
				       toks[i][k]));
	}
	qsort(toks, N, sizeof(*toks), cmp_tokens);
	for (size_t i = 1; i < N; i++)
		assert_string_not_equal(toks[i - 1], toks[i]);

	crypto_token_hash(f->a, toks[0], h1);
	crypto_token_hash(f->a, toks[0], h2);
	crypto_token_hash(f->b, toks[0], h3);
	assert_int_equal(strlen(h1), 64);
	assert_string_equal(h1, h2);
	assert_string_not_equal(h1, h3);
	crypto_token_hash(f->a, toks[1], h2);
	assert_string_not_equal(h1, h2);
	free(toks);
}

static void
test_csrf(void **state)
{
	struct fixture *f = *state;
	char c1[CRYPTO_TOKEN_CHARS + 1];
	char c2[CRYPTO_TOKEN_CHARS + 1];
	char c3[CRYPTO_TOKEN_CHARS + 1];
	char c4[CRYPTO_TOKEN_CHARS + 1];
	static const char h[] =
		"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
	static const char h2[] =
		"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a09";

	crypto_csrf_token(f->a, h, c1);
	crypto_csrf_token(f->a, h, c2);
	crypto_csrf_token(f->b, h, c3);
	crypto_csrf_token(f->a, h2, c4);
	assert_int_equal(strlen(c1), CRYPTO_TOKEN_CHARS);
	assert_string_equal(c1, c2);
	assert_string_not_equal(c1, c3);
	assert_string_not_equal(c1, c4);
	assert_int_equal(crypto_equal(c1, c2, CRYPTO_TOKEN_CHARS), 1);
	assert_int_equal(crypto_equal(c1, c4, CRYPTO_TOKEN_CHARS), 0);
}

/* ASVS 11.4.2: argon2id at no less than the OWASP floors. */
static void
test_pw_hash(void **state)
{
	char enc[CRYPTO_PWHASH_BYTES];
	static const char pw[] = "correct horse battery staple";
	struct crypto_pw_params floor = { CRYPTO_PW_OPS_MIN,
					  CRYPTO_PW_MEM_MIN };
	struct crypto_pw_params weak = { 1, 1024 * 1024 };
	struct crypto_pw_params more_ops = { CRYPTO_PW_OPS_MIN + 1,
					     CRYPTO_PW_MEM_MIN };
	struct crypto_pw_params more_mem = { CRYPTO_PW_OPS_MIN,
					     CRYPTO_PW_MEM_MIN * 2 };

	(void)state;
	assert_int_equal(crypto_pw_hash(pw, strlen(pw), &floor, enc), 0);
	assert_true(strncmp(enc, "$argon2id$v=19$", 15) == 0);
	assert_int_equal(crypto_pw_verify(enc, pw, strlen(pw)), 0);
	assert_int_equal(crypto_pw_verify(enc, "correct horse battery stapl",
					  strlen(pw) - 1),
			 -1);
	assert_int_equal(crypto_pw_verify(enc, "Correct horse battery staple",
					  strlen(pw)),
			 -1);
	assert_int_equal(crypto_pw_verify("garbage", pw, strlen(pw)), -1);
	assert_int_equal(crypto_pw_needs_rehash(enc, &floor), 0);
	assert_int_equal(crypto_pw_needs_rehash(enc, &more_ops), 1);
	assert_int_equal(crypto_pw_needs_rehash(enc, &more_mem), 1);
	assert_int_equal(crypto_pw_needs_rehash("garbage", &floor), 1);
	/* Parameters below the floors are raised to them. */
	assert_int_equal(crypto_pw_hash(pw, strlen(pw), &weak, enc), 0);
	assert_int_equal(crypto_pw_needs_rehash(enc, &floor), 0);
	assert_int_equal(crypto_pw_verify(enc, pw, strlen(pw)), 0);
	/* A stronger stored hash needs no rehash at the floor. */
	assert_int_equal(crypto_pw_hash(pw, strlen(pw), &more_ops, enc), 0);
	assert_int_equal(crypto_pw_needs_rehash(enc, &floor), 0);
}

static void
write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

/* ASVS 13.3.1: the master key lives in a 0600 file outside the database. */
static void
test_master_key_file(void **state)
{
	struct fixture *f = *state;
	char path[256];
	struct stat st;
	unsigned char before[CRYPTO_KEY_BYTES];
	unsigned char after[CRYPTO_KEY_BYTES];
	struct crypto_keys *k = NULL;
	struct crypto_keys *k2 = NULL;
	char i1[CRYPTO_HASH_HEX];
	char i2[CRYPTO_HASH_HEX];
	FILE *fp;

	path_in(f, "master.key", path, sizeof(path));
	assert_int_equal(crypto_master_key_create(path), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, CRYPTO_KEY_BYTES);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(before, 1, sizeof(before), fp), sizeof(before));
	fclose(fp);

	/* Never overwritten. */
	assert_int_equal(crypto_master_key_create(path), -EEXIST);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(after, 1, sizeof(after), fp), sizeof(after));
	fclose(fp);
	assert_memory_equal(before, after, sizeof(before));

	/* Loading gives the same keys as the raw bytes. */
	assert_int_equal(crypto_keys_load(path, &k), 0);
	assert_non_null(k);
	assert_int_equal(crypto_keys_from_bytes(before, &k2), 0);
	crypto_index(k, "d", "v", 1, i1);
	crypto_index(k2, "d", "v", 1, i2);
	assert_string_equal(i1, i2);
	crypto_keys_free(k);
	crypto_keys_free(k2);
	crypto_wipe(before, sizeof(before));
	crypto_wipe(after, sizeof(after));
}

/* ASVS 13.3.1: a key file readable by others, or of the wrong size, is refused. */
static void
test_key_load_refuses(void **state)
{
	struct fixture *f = *state;
	char path[256];
	struct crypto_keys *k = NULL;

	path_in(f, "readable.key", path, sizeof(path));
	write_file(path, master_a, sizeof(master_a), 0644);
	assert_int_equal(crypto_keys_load(path, &k), -1);
	assert_null(k);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(crypto_keys_load(path, &k), -1);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(crypto_keys_load(path, &k), 0);
	crypto_keys_free(k);
	k = NULL;

	path_in(f, "short.key", path, sizeof(path));
	write_file(path, master_a, sizeof(master_a) - 1, 0600);
	assert_int_equal(crypto_keys_load(path, &k), -1);
	path_in(f, "long.key", path, sizeof(path));
	{
		unsigned char big[CRYPTO_KEY_BYTES + 1] = { 0 };

		write_file(path, big, sizeof(big), 0600);
	}
	assert_int_equal(crypto_keys_load(path, &k), -1);
	path_in(f, "missing.key", path, sizeof(path));
	assert_int_equal(crypto_keys_load(path, &k), -1);
	assert_null(k);
}

/* A value sealed before key ids existed (version 1, under master_a, AD
 * "customer.email:legacy"), as the earlier code wrote it: existing
 * databases keep opening, as key 1. */
static const char legacy_v1_hex[] =
	"01ac67c5ca00f9674c2f9f5c3d83233a316bdf588e7c5d17523ab79cc371a63b"
	"b4201e45244c7e507d73efedf1869e8a4e8219cf27707df6";

static void
test_legacy_v1_opens(void **state)
{
	struct fixture *f = *state;
	unsigned char v1[sizeof(legacy_v1_hex) / 2];
	char *plain = NULL;
	size_t plen = 0;
	uint32_t id = 0;

	for (size_t i = 0; i < sizeof(v1); i++) {
		unsigned int b = 0;

		assert_int_equal(sscanf(legacy_v1_hex + 2 * i, "%2x", &b), 1);
		v1[i] = (unsigned char)b;
	}
	assert_int_equal(crypto_sealed_key_id(v1, sizeof(v1), &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(crypto_open(f->a, "customer.email:legacy", v1,
				     sizeof(v1), &plain, &plen),
			 0);
	assert_string_equal(plain, "ada@example.org");
	crypto_secret_free(plain);
	plain = NULL;
	assert_int_equal(crypto_open(f->b, "customer.email:legacy", v1,
				     sizeof(v1), &plain, &plen),
			 -1);
	assert_int_equal(crypto_open(f->a, "customer.email:other", v1,
				     sizeof(v1), &plain, &plen),
			 -1);
	assert_null(plain);
	/* Heads that name no key. */
	assert_int_equal(crypto_sealed_key_id((const unsigned char *)"\x02\0\0\0",
					      4, &id),
			 -1);
	assert_int_equal(crypto_sealed_key_id(
				 (const unsigned char *)"\x02\0\0\0\0", 5, &id),
			 -1);
	assert_int_equal(crypto_sealed_key_id((const unsigned char *)"\x03", 1,
					      &id),
			 -1);
}

/* Seals msg under k and returns the key id it names (value in *out). */
static uint32_t
seal_id(struct crypto_keys *k, const char *msg, unsigned char **out,
	size_t *len)
{
	uint32_t id = 0;

	assert_int_equal(crypto_seal(k, "t:1", msg, strlen(msg), out, len), 0);
	assert_int_equal(crypto_sealed_key_id(*out, *len, &id), 0);
	return id;
}

/* 0 when sealed opens under k to msg. */
static int
opens_to(struct crypto_keys *k, const unsigned char *sealed, size_t len,
	 const char *msg)
{
	char *plain = NULL;
	size_t plen = 0;
	int ok;

	if (crypto_open(k, "t:1", sealed, len, &plain, &plen) != 0)
		return -1;
	ok = strcmp(plain, msg) == 0 ? 0 : -1;
	crypto_secret_free(plain);
	return ok;
}

static void
ring_dir(const struct fixture *f, char *dir, size_t sz, char *master,
	 size_t msz)
{
	char cmd[300];

	path_in(f, "ring", dir, sz);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_true((size_t)snprintf(master, msz, "%s/master.key", dir) < msz);
	assert_int_equal(crypto_master_key_create(master), 0);
}

static void
ring_rm(const char *dir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* ASVS 11.1.1 11.1.2 13.3.1: a ring follows rotation while it runs: a new
 * current key is used from the next seal on, values under older keys
 * still open, another process's ring loads a key it meets in a value, and
 * a retired key is forgotten. */
static void
test_ring_rotation(void **state)
{
	struct fixture *f = *state;
	char dir[256], master[300], p[300];
	struct crypto_keys *k = NULL, *other = NULL;
	unsigned char *v1 = NULL, *v2 = NULL;
	size_t l1 = 0, l2 = 0;
	uint32_t id = 0;
	struct stat st;

	ring_dir(f, dir, sizeof(dir), master, sizeof(master));
	assert_int_equal(crypto_keys_open_dir(dir, &k), 0);
	assert_int_equal(crypto_keys_open_dir(dir, &other), 0);
	assert_int_equal(crypto_keys_current(k), 1);
	assert_int_equal(seal_id(k, "first", &v1, &l1), 1);
	/* A new key is not used before it is current. */
	assert_int_equal(crypto_ring_add(dir, &id), 0);
	assert_int_equal(id, 2);
	snprintf(p, sizeof(p), "%s/keys/2.key", dir);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(crypto_keys_current(k), 1);
	assert_int_equal(crypto_ring_set_current(dir, 2), 0);
	assert_int_equal(seal_id(k, "second", &v2, &l2), 2);
	assert_int_equal(opens_to(k, v1, l1, "first"), 0);
	assert_int_equal(opens_to(other, v2, l2, "second"), 0);
	/* The current key cannot be retired; key 1 can: master.key stays
	 * (blind indexes), its field key is gone from every ring. */
	assert_int_equal(crypto_ring_retire(dir, 2), -EBUSY);
	assert_int_equal(crypto_ring_retire(dir, 1), 0);
	assert_int_equal(stat(master, &st), 0);
	assert_int_equal(opens_to(k, v1, l1, "first"), -1);
	assert_int_equal(opens_to(other, v1, l1, "first"), -1);
	assert_int_equal(opens_to(k, v2, l2, "second"), 0);
	assert_int_equal(crypto_ring_retire(dir, 1), -ENOENT);
	assert_int_equal(crypto_ring_set_current(dir, 1), -ENOENT);
	assert_int_equal(crypto_ring_set_current(dir, 7), -ENOENT);
	/* Key ids go on upwards; a retired key file is deleted. */
	assert_int_equal(crypto_ring_add(dir, &id), 0);
	assert_int_equal(id, 3);
	assert_int_equal(crypto_ring_set_current(dir, 3), 0);
	assert_int_equal(crypto_ring_retire(dir, 2), 0);
	snprintf(p, sizeof(p), "%s/keys/2.key", dir);
	assert_int_equal(stat(p, &st), -1);
	assert_int_equal(opens_to(other, v2, l2, "second"), -1);
	assert_int_equal(crypto_keys_current(other), 3);
	free(v1);
	free(v2);
	crypto_keys_free(k);
	crypto_keys_free(other);
	ring_rm(dir);
}

/* ASVS 13.3.1: a ring with a key file others may read, a current marker
 * naming no key, or a malformed marker does not open; only one process
 * holds the ring's lock. */
static void
test_ring_refuses(void **state)
{
	struct fixture *f = *state;
	char dir[256], master[300], p[300];
	struct crypto_ring_entry e[4];
	struct crypto_keys *k = NULL;
	uint32_t id = 0, current = 0;
	size_t n = 0;
	int fd = -1, fd2 = -1;

	ring_dir(f, dir, sizeof(dir), master, sizeof(master));
	assert_int_equal(crypto_ring_lock(dir, &fd), 0);
	assert_int_equal(crypto_ring_lock(dir, &fd2), -EBUSY);
	crypto_ring_unlock(fd);
	assert_int_equal(crypto_ring_lock(dir, &fd2), 0);
	crypto_ring_unlock(fd2);
	assert_int_equal(crypto_ring_add(dir, &id), 0);
	assert_int_equal(crypto_ring_list(dir, e, 4, &n, &current), 0);
	assert_int_equal(n, 2);
	assert_int_equal(current, 1);
	assert_true(e[0].id == 1 && e[0].current && !e[0].retired);
	assert_string_equal(e[1].file, "keys/2.key");
	snprintf(p, sizeof(p), "%s/keys/2.key", dir);
	assert_int_equal(chmod(p, 0640), 0);
	assert_int_equal(crypto_keys_open_dir(dir, &k), -1);
	assert_int_equal(chmod(p, 0600), 0);
	snprintf(p, sizeof(p), "%s/keys/current", dir);
	write_file(p, "9\n", 2, 0600);
	assert_int_equal(crypto_keys_open_dir(dir, &k), -1);
	(void)unlink(p);
	write_file(p, "2x", 2, 0600);
	assert_int_equal(crypto_keys_open_dir(dir, &k), -1);
	(void)unlink(p);
	write_file(p, "2\n", 2, 0600);
	assert_int_equal(crypto_keys_open_dir(dir, &k), 0);
	assert_int_equal(crypto_keys_current(k), 2);
	crypto_keys_free(k);
	ring_rm(dir);
}

static void
test_sign(void **state)
{
	struct fixture *f = *state;
	char sk_path[256];
	char pk_path[256];
	char taken_sk[256];
	char taken_pk[256];
	unsigned char *sk = NULL;
	unsigned char pk[32];
	unsigned char sig[64];
	struct stat st;
	static const char msg[] = "checkpoint 42 root abcd";
	FILE *fp;

	path_in(f, "audit.sk", sk_path, sizeof(sk_path));
	path_in(f, "audit.pk", pk_path, sizeof(pk_path));
	assert_int_equal(crypto_ed25519_keys_create(sk_path, pk_path), 0);
	assert_int_equal(stat(sk_path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 64);
	assert_int_equal(crypto_ed25519_keys_create(sk_path, pk_path),
			 -EEXIST);

	/* When the public key path is taken, no secret key is left behind. */
	path_in(f, "taken.sk", taken_sk, sizeof(taken_sk));
	path_in(f, "taken.pk", taken_pk, sizeof(taken_pk));
	write_file(taken_pk, "x", 1, 0644);
	assert_int_equal(crypto_ed25519_keys_create(taken_sk, taken_pk),
			 -EEXIST);
	assert_int_not_equal(stat(taken_sk, &st), 0);

	fp = fopen(pk_path, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(pk, 1, sizeof(pk), fp), sizeof(pk));
	fclose(fp);
	assert_int_equal(crypto_ed25519_load(sk_path, &sk), 0);
	assert_non_null(sk);
	assert_int_equal(crypto_ed25519_sign(sk, msg, strlen(msg), sig), 0);
	assert_int_equal(crypto_ed25519_verify(pk, msg, strlen(msg), sig), 0);
	assert_int_equal(crypto_ed25519_verify(pk, msg, strlen(msg) - 1, sig),
			 -1);
	sig[0] ^= 1;
	assert_int_equal(crypto_ed25519_verify(pk, msg, strlen(msg), sig), -1);
	crypto_secret_free(sk);

	/* A world-readable secret key is refused. */
	assert_int_equal(chmod(sk_path, 0644), 0);
	assert_int_equal(crypto_ed25519_load(sk_path, &sk), -1);
	assert_null(sk);
}

static void
test_encoders(void **state)
{
	char out[64];
	static const unsigned char in[] = { 0xfb, 0xff, 0x00, 0x10 };

	(void)state;
	assert_int_equal(crypto_hex_encode(in, sizeof(in), out, sizeof(out)),
			 8);
	assert_string_equal(out, "fbff0010");
	assert_int_equal(crypto_hex_encode(in, sizeof(in), out, 8), -1);
	assert_int_equal(crypto_b64url_encode(in, sizeof(in), out,
					      sizeof(out)),
			 6);
	assert_string_equal(out, "-_8AEA");
	assert_int_equal(crypto_b64url_encode(in, sizeof(in), out, 6), -1);
	assert_int_equal(crypto_b64url_encode(in, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void
test_random(void **state)
{
	unsigned seen[10] = { 0 };
	unsigned char buf[32] = { 0 };
	unsigned char zero[32] = { 0 };

	(void)state;
	for (int i = 0; i < 10000; i++) {
		uint32_t r = crypto_random_uniform(10);

		assert_true(r < 10);
		seen[r]++;
	}
	for (int i = 0; i < 10; i++)
		assert_true(seen[i] > 0);
	assert_int_equal(crypto_random_uniform(1), 0);
	crypto_random_bytes(buf, sizeof(buf));
	assert_memory_not_equal(buf, zero, sizeof(buf));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seal_open_round_trip),
		cmocka_unit_test(test_seal_tamper_fails),
		cmocka_unit_test(test_seal_wrong_ad_fails),
		cmocka_unit_test(test_seal_twice_differs),
		cmocka_unit_test(test_blind_index),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_pw_hash),
		cmocka_unit_test(test_master_key_file),
		cmocka_unit_test(test_key_load_refuses),
		cmocka_unit_test(test_legacy_v1_opens),
		cmocka_unit_test(test_ring_rotation),
		cmocka_unit_test(test_ring_refuses),
		cmocka_unit_test(test_sign),
		cmocka_unit_test(test_encoders),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
