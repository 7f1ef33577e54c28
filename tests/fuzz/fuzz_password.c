/*
 * libFuzzer harness for the password policy and the TOTP code check, the
 * two places where a login form's raw bytes reach our code. The input is
 * split at its first NUL byte: the part before goes to password_normalize
 * and, when that accepts it, to password_check with and without context
 * words; the part after (or the whole input when there is no NUL) is
 * passed as a code to totp_check with a fixed secret.
 *
 * It asserts the contracts too: a rejection carries a reason, normalised
 * output is NUL-terminated at its length and is stable under a second
 * normalisation, and totp_check only ever accepts six ASCII digits.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors.h"
#include "core/password.h"
#include "crypto/crypto.h"
#include "crypto/totp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char fixed_secret[TOTP_SECRET_BYTES] =
	"12345678901234567890";

static void
fuzz_password(const char *pw, size_t len)
{
	static const char *const ctx[] = { "alice.smith@example.com",
					   "Alice Smith", "Gatehouse", NULL };
	const struct password_policy policy = { 12, 40.0 };
	const struct password_policy no_zxcvbn = { 14, 0.0 };
	char *norm = NULL;
	char *again = NULL;
	size_t nlen = 0;
	size_t alen = 0;
	const char *reason = NULL;
	int r;

	r = password_normalize(pw, len, &norm, &nlen);
	if (r != 0) {
		if (r != -GH_BAD_UTF8 && r != -GH_BAD_FIELD)
			abort();
		if (norm != NULL)
			abort();
		return;
	}
	if (norm == NULL || norm[nlen] != '\0' || strlen(norm) != nlen)
		abort();
	/* NFKC is idempotent: what is stored matches what is typed again. */
	if (password_normalize(norm, nlen, &again, &alen) == 0) {
		if (alen != nlen || memcmp(again, norm, nlen) != 0)
			abort();
		crypto_secret_free(again);
	} else if (nlen <= PASSWORD_MAX_BYTES) {
		abort();
	}
	r = password_check(&policy, norm, ctx, &reason);
	if ((r == 0) != (reason == NULL))
		abort();
	if (r != 0 && r != -GH_WEAK_PASSWORD)
		abort();
	r = password_check(&no_zxcvbn, norm, NULL, &reason);
	if ((r == 0) != (reason == NULL))
		abort();
	crypto_secret_free(norm);
}

static void
fuzz_totp(const char *code, size_t len)
{
	char buf[16];
	int64_t step;

	/* A C string: the form field as the parser hands it over. */
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, code, len);
	buf[len] = '\0';
	step = totp_check(fixed_secret, sizeof(fixed_secret), 1111111111, buf);
	if (step >= 0) {
		if (strlen(buf) != TOTP_DIGITS)
			abort();
		for (size_t i = 0; i < TOTP_DIGITS; i++)
			if (buf[i] < '0' || buf[i] > '9')
				abort();
		if (step < 1111111111 / 30 - 1 || step > 1111111111 / 30 + 1)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *nul = memchr(data, '\0', size);
	size_t pwlen = nul == NULL ? size : (size_t)(nul - s);

	if (crypto_init() != 0)
		abort();
	fuzz_password(s, pwlen);
	if (nul == NULL)
		fuzz_totp(s, size);
	else
		fuzz_totp(nul + 1, size - pwlen - 1);
	return 0;
}
