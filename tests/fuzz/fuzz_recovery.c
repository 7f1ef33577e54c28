/*
 * libFuzzer harness for recovery codes as a login, password-change or
 * reset form hands them over (core/recovery.h): recovery_normalize and
 * recovery_match on raw bytes (cut at the first NUL, as the JSON parser
 * never passes one on).
 *
 * It asserts the contracts: a code is accepted only as exactly
 * RECOVERY_CODE_LEN characters of RECOVERY_ALPHABET, normalising is
 * idempotent, and recovery_match finds the one stored code exactly when
 * the input normalises to it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/recovery.h"
#include "crypto/crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char stored[] = "ABCDEFGHJK";

/* One live code, "ABCDE-FGHJK", hashed as core/recovery.c stores it. */
static void
one_code(const struct crypto_keys *keys, struct recovery_code_rec *rec)
{
	char buf[80];

	memset(rec, 0, sizeof(*rec));
	rec->id = 7;
	snprintf(rec->salt, sizeof(rec->salt), "%s",
		 "00112233445566778899aabbccddeeff");
	snprintf(buf, sizeof(buf), "%s:%s", rec->salt, stored);
	crypto_index(keys, "customer.recovery", buf, strlen(buf), rec->hash);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct crypto_keys *keys;
	static const unsigned char master[CRYPTO_KEY_BYTES] = {1, 2, 3};
	struct recovery_code_rec rec;
	struct recovery_code_list l = {&rec, 1};
	char in[64], norm[RECOVERY_CODE_LEN + 1], again[RECOVERY_CODE_LEN + 1];
	size_t n = size < sizeof(in) - 1 ? size : sizeof(in) - 1;
	int rc;

	if (keys == NULL &&
	    (crypto_init() != 0 || crypto_keys_from_bytes(master, &keys) != 0))
		abort();
	memcpy(in, data, n);
	in[n] = '\0';
	rc = recovery_normalize(in, norm);
	if (rc == 0) {
		if (strlen(norm) != RECOVERY_CODE_LEN)
			abort();
		for (size_t i = 0; i < RECOVERY_CODE_LEN; i++)
			if (strchr(RECOVERY_ALPHABET, norm[i]) == NULL ||
			    norm[i] == '\0')
				abort();
		if (recovery_normalize(norm, again) != 0 ||
		    strcmp(norm, again) != 0)
			abort();
	}
	one_code(keys, &rec);
	if ((recovery_match(keys, &l, in) == 7) !=
	    (rc == 0 && strcmp(norm, stored) == 0))
		abort();
	return 0;
}
