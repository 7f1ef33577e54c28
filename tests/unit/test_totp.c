/*
 * Unit tests of crypto/totp.c: every HOTP value of RFC 4226 Appendix D,
 * every SHA-1 vector of RFC 6238 Appendix B (and the SHA-256 and SHA-512
 * rows against liboath itself, see test_rfc6238_sha256_sha512), the +-1
 * step window, refusal
 * of malformed codes, the returned time step (the caller's replay guard),
 * the otpauth:// URI and the QR code SVG.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <liboath/oath.h>

#include "crypto/totp.h"

/* The RFC test secret, ASCII "12345678901234567890". */
static const unsigned char rfc_secret[] = "12345678901234567890";
#define RFC_LEN 20

static void
test_rfc4226_hotp(void **state)
{
	static const char *const want[10] = {
		"755224", "287082", "359152", "969429", "338314",
		"254676", "287922", "162583", "399871", "520489",
	};
	char out[16];

	(void)state;
	for (uint64_t c = 0; c < 10; c++) {
		assert_int_equal(hotp_generate(rfc_secret, RFC_LEN, c, 6, out),
				 0);
		assert_string_equal(out, want[c]);
	}
	assert_int_equal(hotp_generate(rfc_secret, RFC_LEN, 0, 5, out), -1);
	assert_int_equal(hotp_generate(rfc_secret, RFC_LEN, 0, 9, out), -1);
}

/* ASVS 6.5.5: TOTP uses 30-second steps (RFC 6238 SHA-1 vectors). */
static void
test_rfc6238_sha1(void **state)
{
	static const struct {
		int64_t t;
		const char *code;
	} v[] = {
		{ 59, "94287082" },	    { 1111111109, "07081804" },
		{ 1111111111, "14050471" }, { 1234567890, "89005924" },
		{ 2000000000, "69279037" }, { 20000000000, "65353130" },
	};
	char out[16];
	char six[TOTP_DIGITS + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint64_t step = (uint64_t)v[i].t / 30;

		assert_int_equal(
			hotp_generate(rfc_secret, RFC_LEN, step, 8, out), 0);
		assert_string_equal(out, v[i].code);
		/* The 6-digit code is the last six digits of the 8-digit one. */
		memcpy(six, v[i].code + 2, sizeof(six));
		assert_int_equal(totp_check(rfc_secret, RFC_LEN,
					    (time_t)v[i].t, six),
				 (int64_t)step);
		assert_int_equal(totp_generate(rfc_secret, RFC_LEN,
					       (time_t)v[i].t, out),
				 0);
		assert_string_equal(out, six);
	}
}

/*
 * The SHA-256 and SHA-512 rows of RFC 6238 Appendix B. The product uses
 * SHA-1 only (crypto/totp.c passes no algorithm flag; the otpauth URI says
 * algorithm=SHA1), so crypto/totp.h has no way to select another HMAC:
 * these twelve vectors are checked against liboath directly, with its
 * OATH_TOTP_HMAC_SHA256/512 flags, to prove the library the product relies
 * on reproduces the whole appendix. Seeds per the RFC's reference code:
 * 32 bytes for SHA-256, 64 bytes for SHA-512.
 */
static void
test_rfc6238_sha256_sha512(void **state)
{
	static const char seed32[] = "12345678901234567890123456789012";
	static const char seed64[] = "1234567890123456789012345678901234567890"
				     "123456789012345678901234";
	static const struct {
		int64_t t;
		const char *sha256;
		const char *sha512;
	} v[] = {
		{ 59, "46119246", "90693936" },
		{ 1111111109, "68084774", "25091201" },
		{ 1111111111, "67062674", "99943326" },
		{ 1234567890, "91819424", "93441116" },
		{ 2000000000, "90698825", "38618901" },
		{ 20000000000, "77737706", "47863826" },
	};
	char out[16];

	(void)state;
	assert_int_equal(oath_init(), OATH_OK);
	assert_int_equal(sizeof(seed32) - 1, 32);
	assert_int_equal(sizeof(seed64) - 1, 64);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(out, 0, sizeof(out));
		assert_int_equal(oath_totp_generate2(seed32, 32, (time_t)v[i].t,
						     TOTP_STEP, 0, 8,
						     OATH_TOTP_HMAC_SHA256, out),
				 OATH_OK);
		assert_string_equal(out, v[i].sha256);
		memset(out, 0, sizeof(out));
		assert_int_equal(oath_totp_generate2(seed64, 64, (time_t)v[i].t,
						     TOTP_STEP, 0, 8,
						     OATH_TOTP_HMAC_SHA512, out),
				 OATH_OK);
		assert_string_equal(out, v[i].sha512);
	}
}

/* ASVS 6.5.5: codes are valid one step either side, never two. */
static void
test_window(void **state)
{
	const time_t now = 1111111111;
	const int64_t step = 1111111111 / 30;
	char code[TOTP_DIGITS + 1];

	(void)state;
	for (int d = -2; d <= 2; d++) {
		assert_int_equal(totp_generate(rfc_secret, RFC_LEN,
					       now + d * TOTP_STEP, code),
				 0);
		if (d >= -1 && d <= 1)
			assert_int_equal(totp_check(rfc_secret, RFC_LEN, now,
						    code),
					 step + d);
		else
			assert_int_equal(totp_check(rfc_secret, RFC_LEN, now,
						    code),
					 -1);
	}
}

/* ASVS 6.5.1: the matched step is returned so a code is used only once. */
static void
test_returned_step(void **state)
{
	char code[TOTP_DIGITS + 1];

	(void)state;
	for (time_t t = 1700000000; t < 1700000000 + 95; t += 7) {
		int64_t got;

		assert_int_equal(totp_generate(rfc_secret, RFC_LEN, t, code),
				 0);
		got = totp_check(rfc_secret, RFC_LEN, t, code);
		assert_int_equal(got, (int64_t)(t / 30));
	}
	/* A code from the previous step, checked now, reports that step. */
	assert_int_equal(totp_generate(rfc_secret, RFC_LEN, 1700000000 - 30,
				       code),
			 0);
	assert_int_equal(totp_check(rfc_secret, RFC_LEN, 1700000000, code),
			 (int64_t)(1700000000 / 30 - 1));
}

static void
test_malformed(void **state)
{
	static const char *const bad[] = {
		"12345",   "1234567", "12a456",  " 123456", "",
		"123456 ", "+12345",  "-12345",  "12345\n", "１２３４５６",
		"0x1234",  "12 456",
	};
	char code[TOTP_DIGITS + 1];
	char longer[16];
	const time_t now = 1234567890;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(totp_check(rfc_secret, RFC_LEN, now, bad[i]),
				 -1);
	assert_int_equal(totp_check(rfc_secret, RFC_LEN, now, NULL), -1);
	/* The right code with anything appended is refused. */
	assert_int_equal(totp_generate(rfc_secret, RFC_LEN, now, code), 0);
	assert_true(totp_check(rfc_secret, RFC_LEN, now, code) >= 0);
	memcpy(longer, code, TOTP_DIGITS);
	longer[TOTP_DIGITS] = '0';
	longer[TOTP_DIGITS + 1] = '\0';
	assert_int_equal(totp_check(rfc_secret, RFC_LEN, now, longer), -1);
	/* The 8-digit RFC code is refused: only 6 digits are accepted. */
	assert_int_equal(totp_check(rfc_secret, RFC_LEN, 1234567890,
				    "89005924"),
			 -1);
	/* A wrong secret refuses. */
	assert_int_equal(totp_check((const unsigned char *)"another secret!!!!!!",
				    RFC_LEN, now, code),
			 -1);
}

/* ASVS 11.5.1: TOTP secrets are 160 bits from the CSPRNG. */
static void
test_secret_and_base32(void **state)
{
	unsigned char s1[TOTP_SECRET_BYTES];
	unsigned char s2[TOTP_SECRET_BYTES];
	char b32[TOTP_B32_CHARS + 1];

	(void)state;
	totp_secret_new(s1);
	totp_secret_new(s2);
	assert_memory_not_equal(s1, s2, TOTP_SECRET_BYTES);
	assert_int_equal(totp_secret_base32(rfc_secret, RFC_LEN, b32,
					    sizeof(b32)),
			 0);
	assert_string_equal(b32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	assert_int_equal(totp_secret_base32(s1, sizeof(s1), b32, sizeof(b32)),
			 0);
	assert_int_equal(strlen(b32), TOTP_B32_CHARS);
	assert_int_equal(totp_secret_base32(s1, sizeof(s1), b32, TOTP_B32_CHARS),
			 -1);
}

static void
test_uri(void **state)
{
	char *uri;

	(void)state;
	uri = totp_uri("Gatehouse Desk", "alice+1@example.com",
		       "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	assert_non_null(uri);
	assert_string_equal(
		uri, "otpauth://totp/Gatehouse%20Desk:alice%2B1%40example.com"
		     "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
		     "&issuer=Gatehouse%20Desk&algorithm=SHA1&digits=6&period=30");
	free(uri);
	/* A colon or ampersand in a name cannot break the URI apart. */
	uri = totp_uri("A&B:C", "x?y#z", "GEZDGNBV");
	assert_non_null(uri);
	assert_string_equal(uri, "otpauth://totp/A%26B%3AC:x%3Fy%23z"
				 "?secret=GEZDGNBV&issuer=A%26B%3AC"
				 "&algorithm=SHA1&digits=6&period=30");
	free(uri);
	assert_null(totp_uri("Gatehouse", "a@b", "not base32!"));
	assert_null(totp_uri("Gatehouse", "", "GEZDGNBV"));
	assert_null(totp_uri(NULL, "a@b", "GEZDGNBV"));
}

static void
test_qr_svg(void **state)
{
	char *uri;
	char *svg;

	(void)state;
	uri = totp_uri("Gatehouse", "alice@example.com",
		       "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	assert_non_null(uri);
	svg = totp_qr_svg(uri);
	assert_non_null(svg);
	assert_true(strncmp(svg, "<svg", 4) == 0);
	assert_non_null(strstr(svg, "<path"));
	assert_non_null(strstr(svg, " d=\"M"));
	assert_non_null(strstr(svg, "shape-rendering=\"crispEdges\""));
	assert_non_null(strstr(svg, "</svg>"));
	/* The URI (and so the secret) is not copied into the SVG as text. */
	assert_null(strstr(svg, "GEZDGNBV"));
	free(svg);
	free(uri);
	assert_null(totp_qr_svg(""));
	assert_null(totp_qr_svg(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4226_hotp),
		cmocka_unit_test(test_rfc6238_sha1),
		cmocka_unit_test(test_rfc6238_sha256_sha512),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_returned_step),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_secret_and_base32),
		cmocka_unit_test(test_uri),
		cmocka_unit_test(test_qr_svg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
