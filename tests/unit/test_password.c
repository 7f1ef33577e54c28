/*
 * Unit tests of core/password.c: length bounds in code points after NFKC,
 * the floor of 12 that configuration cannot lower, the common-password
 * list (as typed, with trailing digits removed, repeated), context words,
 * zxcvbn, one character repeated, UTF-8 and control characters, and that
 * nothing is truncated or case-folded on the way to the hash; runs of
 * sequential or repeated characters, short patterns repeated, and the
 * operator's extra blocklist file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/errors.h"
#include "core/password.h"
#include "crypto/crypto.h"

static const struct password_policy policy = { 12, 40.0 };
/* The same without zxcvbn, to prove the other rules on their own. */
static const struct password_policy no_zxcvbn = { 12, 0.0 };

/* Normalises and checks; returns password_check's result. */
static int
check(const struct password_policy *p, const char *pw,
      const char *const *context, const char **reason)
{
	char *norm = NULL;
	size_t nlen = 0;
	int r;

	r = password_normalize(pw, strlen(pw), &norm, &nlen);
	assert_int_equal(r, 0);
	*reason = "unset";
	r = password_check(p, norm, context, reason);
	if (r == 0)
		assert_null(*reason);
	else
		assert_non_null(*reason);
	/* The reason never repeats the password. */
	if (r != 0 && nlen > 0)
		assert_null(strstr(*reason, norm));
	crypto_secret_free(norm);
	return r;
}

/* Appends code point cp as UTF-8. */
static size_t
put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

/* n code points, mostly two- and three-byte ones, in no simple pattern. */
static char *
multibyte_password(size_t n)
{
	static const uint32_t alphabet[] = {
		0x3b1, 0x3b2, 0x3b3, 0x3b4, 0x3b5, 0x3b6, 0x3b7, 0x3b8,
		0x3b9, 0x3ba, 0x3bb, 0x3bc, 0x3bd, 0x3be, 0x3bf, 0x3c0,
		0x3c1, 0x3c3, 0x3c4, 0x3c5, 0x3c6, 0x3c7, 0x3c8, 0x3c9,
		0x4b1, 0x436, 0x44f, 0x2603, 0x263a, 'q',   'Z',   '7',
	};
	char *s = malloc(n * 3 + 1);
	size_t o = 0;
	uint32_t x = 12345;

	assert_non_null(s);
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		o += put_utf8(s + o, alphabet[(x >> 16) % 32]);
	}
	s[o] = '\0';
	return s;
}

/* ASVS 6.2.1: fewer than 12 characters are refused, with a reason. */
static void
test_too_short(void **state)
{
	const char *reason = NULL;
	const struct password_policy lower = { 8, 0.0 };
	const struct password_policy higher = { 16, 0.0 };

	(void)state;
	assert_int_equal(check(&policy, "x7#Kq9!vLm2", NULL, &reason),
			 -GH_WEAK_PASSWORD);
	assert_non_null(strstr(reason, "too short"));
	/* Configuration cannot lower the floor. */
	assert_int_equal(check(&lower, "x7#Kq9!vLm2", NULL, &reason),
			 -GH_WEAK_PASSWORD);
	assert_int_equal(check(&lower, "x7#Kq9!vLm2w", NULL, &reason), 0);
	/* But it can raise it. */
	assert_int_equal(check(&higher, "x7#Kq9!vLm2wPz4", NULL, &reason),
			 -GH_WEAK_PASSWORD);
	assert_int_equal(check(&higher, "x7#Kq9!vLm2wPz4e", NULL, &reason),
			 0);
	/* Eleven characters of three bytes each are still eleven. */
	assert_int_equal(check(&lower, "αβγδεζηθικλ", NULL, &reason),
			 -GH_WEAK_PASSWORD);
	assert_int_equal(check(&lower, "αβγδεζηθικλμ", NULL, &reason), 0);
}

/* ASVS 6.2.1, 6.2.9: a 12+ character passphrase is accepted. */
static void
test_passphrase_accepted(void **state)
{
	const char *reason = NULL;
	static const char *const ctx[] = { "alice.smith@example.com",
					   "Alice Smith", "Gatehouse", NULL };

	(void)state;
	assert_int_equal(check(&policy, "violet-tractor-mango-41", ctx,
			       &reason),
			 0);
	assert_int_equal(check(&policy, "glacier kettle orbit plume", ctx,
			       &reason),
			 0);
	assert_int_equal(check(&policy, "aB3$kLm9!qZ2", NULL, &reason), 0);
}

/* ASVS 6.2.9: 64 and up to 256 code points are accepted; 257 are not. */
static void
test_max_length(void **state)
{
	const char *reason = NULL;
	char *p64 = multibyte_password(64);
	char *p256 = multibyte_password(256);
	char *p257 = multibyte_password(257);

	(void)state;
	assert_true(strlen(p256) > 256);
	assert_int_equal(check(&policy, p64, NULL, &reason), 0);
	assert_int_equal(check(&policy, p256, NULL, &reason), 0);
	assert_int_equal(check(&policy, p257, NULL, &reason),
			 -GH_WEAK_PASSWORD);
	assert_non_null(strstr(reason, "too long"));
	free(p64);
	free(p256);
	free(p257);
}

/* ASVS 6.2.4, 6.2.12: common and breached passwords are refused. */
static void
test_common(void **state)
{
	static const char *const bad[] = {
		"password1234",	    "qwertyuiop123", "Password1234!",
		"QWERTYUIOP!!2024", "passwordpassword", "iloveyouiloveyou",
		"trustno1trustno1", "Baseball12345",
	};
	const char *reason = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* The list alone catches them... */
		assert_int_equal(check(&no_zxcvbn, bad[i], NULL, &reason),
				 -GH_WEAK_PASSWORD);
		assert_string_equal(
			reason,
			"This password is on a list of common or breached "
			"passwords.");
		/* ...and so does the full policy. */
		assert_int_equal(check(&policy, bad[i], NULL, &reason),
				 -GH_WEAK_PASSWORD);
	}
	/* zxcvbn catches what the list does not. */
	assert_int_equal(check(&policy, "abcdefghijkl", NULL, &reason),
			 -GH_WEAK_PASSWORD);
	assert_non_null(strstr(reason, "easy to guess"));
}

static void
test_context(void **state)
{
	static const char *const ctx[] = { "alice.smith@example.com",
					   "Alice Smith", "Gatehouse", NULL };
	const char *reason = NULL;

	(void)state;
	assert_int_equal(check(&no_zxcvbn, "Smith-river-canoe-77", ctx,
			       &reason),
			 -GH_WEAK_PASSWORD);
	assert_non_null(strstr(reason, "e-mail"));
	assert_int_equal(check(&no_zxcvbn, "my GATEHOUSE key 9!", ctx, &reason),
			 -GH_WEAK_PASSWORD);
	assert_int_equal(check(&no_zxcvbn, "xxalice.smith@example.comxx", ctx,
			       &reason),
			 -GH_WEAK_PASSWORD);
	/* Words under four characters ("com") do not count. */
	assert_int_equal(check(&no_zxcvbn, "com-river-canoe-77", ctx, &reason),
			 0);
	assert_int_equal(check(&no_zxcvbn, "Smith-river-canoe-77", NULL,
			       &reason),
			 0);
}

/* ASVS 6.2.8: normalisation is NFKC only, never case folding. */
static void
test_nfkc(void **state)
{
	char *norm = NULL;
	size_t nlen = 0;
	const char *reason = NULL;
	/* Fullwidth "password1234". */
	static const char full[] = "ｐａｓｓｗｏｒｄ１２３４";
	static const char lig[] = "ﬁE\xcc\x81";

	(void)state;
	assert_int_equal(password_normalize(full, strlen(full), &norm, &nlen),
			 0);
	assert_string_equal(norm, "password1234");
	assert_int_equal(nlen, 12);
	crypto_secret_free(norm);
	assert_int_equal(check(&no_zxcvbn, full, NULL, &reason),
			 -GH_WEAK_PASSWORD);

	/* The ligature and the composed e-acute; case is kept. */
	assert_int_equal(password_normalize(lig, strlen(lig), &norm, &nlen), 0);
	assert_string_equal(norm, "fi\xc3\x89");
	crypto_secret_free(norm);

	assert_int_equal(password_normalize("", 0, &norm, &nlen), 0);
	assert_int_equal(nlen, 0);
	crypto_secret_free(norm);
}

static void
test_bad_utf8(void **state)
{
	static const struct {
		const char *s;
		size_t len;
	} bad[] = {
		{ "abc\xc3\x28xyzxyzxyz", 13 },	    /* bad continuation */
		{ "abc\xc0\xafxyzxyzxyz", 13 },	    /* overlong '/' */
		{ "abc\xed\xa0\x80xyzxyzxyz", 14 }, /* surrogate */
		{ "abc\xf4\x90\x80\x80xyzxyz", 13 },  /* past U+10FFFF */
		{ "abcdefghijkl\xe2\x82", 14 },	    /* truncated */
		{ "abc\x01xyzxyzxyz", 13 },	    /* C0 control */
		{ "abc\x7fxyzxyzxyz", 13 },	    /* DEL */
		{ "abc\xc2\x85xyzxyzxyz", 14 },	    /* C1 control (NEL) */
		{ "abcdef\0ghijklm", 14 },	    /* NUL inside */
		{ "abcdefghijkl\n", 13 },	    /* newline */
	};
	char *norm = NULL;
	size_t nlen = 0;
	char *huge;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(password_normalize(bad[i].s, bad[i].len,
						    &norm, &nlen),
				 -GH_BAD_UTF8);
		assert_null(norm);
	}
	huge = malloc(PASSWORD_MAX_BYTES + 2);
	assert_non_null(huge);
	memset(huge, 'a', PASSWORD_MAX_BYTES + 1);
	huge[PASSWORD_MAX_BYTES + 1] = '\0';
	assert_int_equal(password_normalize(huge, PASSWORD_MAX_BYTES + 1,
					    &norm, &nlen),
			 -GH_BAD_FIELD);
	assert_null(norm);
	free(huge);
}

static void
test_repeated_char(void **state)
{
	const char *reason = NULL;

	(void)state;
	assert_int_equal(check(&no_zxcvbn, "aaaaaaaaaaaaaaaa", NULL, &reason),
			 -GH_WEAK_PASSWORD);
	assert_non_null(strstr(reason, "repeated"));
	assert_int_equal(check(&no_zxcvbn, "éééééééééééééé", NULL, &reason),
			 -GH_WEAK_PASSWORD);
	assert_non_null(strstr(reason, "repeated"));
	assert_int_equal(check(&no_zxcvbn, "////////////////", NULL, &reason),
			 -GH_WEAK_PASSWORD);
}

/* ASVS 6.2.8: no truncation: passwords differing at character 200 differ. */
static void
test_no_truncation(void **state)
{
	char *a = multibyte_password(220);
	char *b = NULL;
	char *na = NULL;
	char *nb = NULL;
	size_t la = 0;
	size_t lb = 0;
	size_t off = 0;
	char enc[CRYPTO_PWHASH_BYTES];
	const struct crypto_pw_params params = { CRYPTO_PW_OPS_MIN,
						 CRYPTO_PW_MEM_MIN };
	const char *reason = NULL;

	(void)state;
	assert_int_equal(crypto_init(), 0);
	b = strdup(a);
	assert_non_null(b);
	/* Find the byte offset of code point 200 and change it. */
	for (size_t cp = 0; cp < 199; cp++) {
		off++;
		while (((unsigned char)a[off] & 0xc0) == 0x80)
			off++;
	}
	if ((unsigned char)b[off] == 'q')
		b[off] = 'Z';
	else if ((unsigned char)b[off] < 0x80)
		b[off] = 'q';
	else
		b[off + 1] = (char)(b[off + 1] ^ 0x01);
	assert_memory_not_equal(a, b, strlen(a));
	assert_int_equal(password_normalize(a, strlen(a), &na, &la), 0);
	assert_int_equal(password_normalize(b, strlen(b), &nb, &lb), 0);
	assert_true(la > 200);
	assert_int_equal(password_check(&policy, na, NULL, &reason), 0);
	assert_int_equal(crypto_pw_hash(na, la, &params, enc), 0);
	assert_int_equal(crypto_pw_verify(enc, na, la), 0);
	assert_int_equal(crypto_pw_verify(enc, nb, lb), -1);
	/* And no case folding. */
	assert_int_equal(crypto_pw_hash("violet-tractor-mango-41", 23, &params,
					enc),
			 0);
	assert_int_equal(crypto_pw_verify(enc, "Violet-tractor-mango-41", 23),
			 -1);
	crypto_secret_free(na);
	crypto_secret_free(nb);
	free(a);
	free(b);
}

/* ASVS 6.2.4 / 6.2.12 [2.1.7], NIST SP 800-63B 5.1.1.2 (sequential or
 * repetitive characters): a password made only of runs of the alphabet or the
 * digits, forwards or backwards, or of repeated characters, is refused by
 * that rule alone; a passphrase, and a sequence of non-ASCII letters
 * (test_too_short's Greek), are not. */
static void
test_sequences(void **state)
{
	static const char *const bad[] = {
		"abcdefghijklmn", "12345678abcd",   "zyxwvu987654",
		"aaaabbbbcccc",   "9876543210zyx", "ABCDEFGHIJKLM",
		"mnopqrstuvwxyz0123",
	};
	const char *reason = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(check(&no_zxcvbn, bad[i], NULL, &reason),
				 -GH_WEAK_PASSWORD);
		assert_non_null(strstr(reason, "sequential or repeated"));
	}
	/* One pair that breaks the runs is enough to pass this rule. */
	assert_int_equal(check(&no_zxcvbn, "abcdefghijkm", NULL, &reason), 0);
	assert_int_equal(check(&no_zxcvbn, "12345678abcd!", NULL, &reason),
			 0);
	assert_int_equal(check(&no_zxcvbn, "violet-tractor-mango-41", NULL,
			       &reason),
			 0);
}

/* ASVS 6.2.4 [2.1.7], NIST SP 800-63B 5.1.1.2: a short pattern
 * repeated three times or more is refused. */
static void
test_pattern_repeated(void **state)
{
	static const char *const bad[] = {
		"xq7xq7xq7xq7", "ab12ab12ab12", "Tk9!Tk9!Tk9!Tk9!",
		"ёжикёжикёжик",
	};
	const char *reason = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(check(&no_zxcvbn, bad[i], NULL, &reason),
				 -GH_WEAK_PASSWORD);
		assert_non_null(strstr(reason, "pattern repeated"));
	}
	assert_int_equal(check(&no_zxcvbn, "xq7xq7xq7xq8", NULL, &reason), 0);
}

/* Writes text into a new temporary file; its path goes to path. */
static void
temp_file(char *path, size_t pathsz, const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, pathsz, "/tmp/gh-blocklist-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* ASVS 6.2.12 [2.1.7]: the operator's extra list ([security]
 * password_blocklist_file) is refused like the shipped one: normalised
 * (NFKC) and lower-cased, with trailing digits and symbols, only while
 * installed; comments and empty lines are skipped. */
static void
test_blocklist_file(void **state)
{
	struct password_blocklist *b = NULL;
	const char *reason = NULL;
	char path[64], err[400];

	(void)state;
	temp_file(path, sizeof(path),
		  "# breached at ACME\n\nZebra-Harmonica-Quilt\r\n"
		  "\xef\xbc\xa6\xef\xbc\xb5\xef\xbc\xac\xef\xbc\xac"
		  "-river-secret\n");
	assert_int_equal(check(&no_zxcvbn, "zebra-harmonica-quilt", NULL,
			       &reason),
			 0);
	assert_int_equal(password_blocklist_load(path, &b, err, sizeof(err)),
			 0);
	unlink(path);
	assert_int_equal(password_blocklist_size(b), 2);
	assert_null(password_blocklist_install(b));
	assert_int_equal(check(&no_zxcvbn, "zebra-harmonica-quilt", NULL,
			       &reason),
			 -GH_WEAK_PASSWORD);
	assert_string_equal(reason, "This password is on a list of common or "
				    "breached passwords.");
	assert_int_equal(check(&no_zxcvbn, "ZEBRA-harmonica-QUILT2024!", NULL,
			       &reason),
			 -GH_WEAK_PASSWORD);
	assert_int_equal(check(&no_zxcvbn, "full-river-secret", NULL, &reason),
			 -GH_WEAK_PASSWORD);
	assert_int_equal(check(&no_zxcvbn, "zebra-harmonica-quilts", NULL,
			       &reason),
			 0);
	assert_ptr_equal(password_blocklist_install(NULL), b);
	assert_int_equal(check(&no_zxcvbn, "zebra-harmonica-quilt", NULL,
			       &reason),
			 0);
	password_blocklist_free(b);
}

/* A blocklist file that cannot be read, or has a line that is not valid
 * UTF-8, is an error naming the file (and the line). */
static void
test_blocklist_file_errors(void **state)
{
	struct password_blocklist *b = NULL;
	char path[64], err[400];

	(void)state;
	assert_true(password_blocklist_load("/nonexistent/gh-list", &b, err,
					    sizeof(err)) < 0);
	assert_null(b);
	assert_non_null(strstr(err, "/nonexistent/gh-list"));
	temp_file(path, sizeof(path), "fine-password-one\nok\nbad \xff\n");
	assert_int_equal(password_blocklist_load(path, &b, err, sizeof(err)),
			 -GH_BAD_FIELD);
	unlink(path);
	assert_null(b);
	assert_non_null(strstr(err, "line 3"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_too_short),
		cmocka_unit_test(test_passphrase_accepted),
		cmocka_unit_test(test_max_length),
		cmocka_unit_test(test_common),
		cmocka_unit_test(test_context),
		cmocka_unit_test(test_nfkc),
		cmocka_unit_test(test_bad_utf8),
		cmocka_unit_test(test_repeated_char),
		cmocka_unit_test(test_no_truncation),
		cmocka_unit_test(test_sequences),
		cmocka_unit_test(test_pattern_repeated),
		cmocka_unit_test(test_blocklist_file),
		cmocka_unit_test(test_blocklist_file_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
