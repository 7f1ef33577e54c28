/*
 * TOTP and HOTP through liboath, plus the enrolment helpers: the base32
 * secret, the otpauth:// URI and its QR code as SVG (libqrencode has no
 * SVG writer, so the path is drawn here).
 *
 * Codes are checked only when they are exactly TOTP_DIGITS ASCII digits,
 * and compared in constant time. Replay protection is not done here: the
 * matched time step is returned and the caller keeps the last one accepted.
 * Nothing here logs; secrets and codes are wiped after use.
 */
#include "crypto/totp.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <liboath/oath.h>
#include <qrencode.h>

#include "crypto/crypto.h"

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int oath_ready;

static void
oath_start(void)
{
	oath_ready = oath_init() == OATH_OK;
}

static int
ensure_oath(void)
{
	if (pthread_once(&oath_once, oath_start) != 0)
		return -1;
	return oath_ready ? 0 : -1;
}

void
totp_secret_new(unsigned char secret[TOTP_SECRET_BYTES])
{
	crypto_random_bytes(secret, TOTP_SECRET_BYTES);
}

int
totp_secret_base32(const unsigned char *secret, size_t len, char *out,
		   size_t outsz)
{
	int ret = -1;
	char *b32 = NULL;
	size_t b32len = 0;

	if (secret == NULL || len == 0 || out == NULL || outsz == 0)
		goto out;
	if (ensure_oath() != 0)
		goto out;
	if (oath_base32_encode((const char *)secret, len, &b32, &b32len) !=
	    OATH_OK)
		goto out;
	/* RFC 4648 without padding. */
	while (b32len > 0 && b32[b32len - 1] == '=')
		b32len--;
	if (b32len + 1 > outsz)
		goto out;
	memcpy(out, b32, b32len);
	out[b32len] = '\0';
	ret = 0;
out:
	if (b32 != NULL) {
		crypto_wipe(b32, strlen(b32));
		free(b32);
	}
	return ret;
}

static int
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

/* Percent-encodes s into out (room for 3 * strlen(s) + 1). */
static void
pct_encode(const char *s, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0';
	     p++) {
		if (is_unreserved(*p)) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 0x0f];
		}
	}
	out[o] = '\0';
}

static int
is_base32(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '2' && *s <= '7')))
			return 0;
	return 1;
}

char *
totp_uri(const char *issuer, const char *account, const char *b32)
{
	char *ret = NULL;
	char *iss = NULL;
	char *acc = NULL;
	char *buf = NULL;
	size_t ilen;
	size_t alen;
	size_t blen;
	size_t cap;
	int n;
	static const char fmt[] =
		"otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&"
		"digits=%d&period=%d";

	if (issuer == NULL || account == NULL || b32 == NULL)
		goto out;
	ilen = strnlen(issuer, 1025);
	alen = strnlen(account, 1025);
	blen = strnlen(b32, 1025);
	if (ilen == 0 || ilen > 1024 || alen == 0 || alen > 1024 ||
	    blen > 1024 || !is_base32(b32))
		goto out;
	iss = malloc(ilen * 3 + 1);
	acc = malloc(alen * 3 + 1);
	if (iss == NULL || acc == NULL)
		goto out;
	pct_encode(issuer, iss);
	pct_encode(account, acc);
	cap = sizeof(fmt) + 2 * strlen(iss) + strlen(acc) + blen + 32;
	buf = malloc(cap);
	if (buf == NULL)
		goto out;
	n = snprintf(buf, cap, fmt, iss, acc, b32, iss, TOTP_DIGITS,
		     TOTP_STEP);
	if (n < 0 || (size_t)n >= cap)
		goto out;
	ret = buf;
	buf = NULL;
out:
	if (buf != NULL) {
		crypto_wipe(buf, cap);
		free(buf);
	}
	free(iss);
	free(acc);
	return ret;
}

/* Exactly TOTP_DIGITS ASCII digits and then the end of the string. */
static int
code_well_formed(const char *code)
{
	size_t i;

	if (code == NULL)
		return 0;
	for (i = 0; i < TOTP_DIGITS; i++)
		if (code[i] < '0' || code[i] > '9')
			return 0;
	return code[TOTP_DIGITS] == '\0';
}

/* liboath's comparison callback: 0 when equal, compared in constant time. */
static int
code_cmp(void *handle, const char *test_otp)
{
	const char *code = handle;

	if (strnlen(test_otp, TOTP_DIGITS + 1) != TOTP_DIGITS)
		return 1;
	return crypto_equal(code, test_otp, TOTP_DIGITS) ? 0 : 1;
}

int64_t
totp_check(const unsigned char *secret, size_t len, time_t now,
	   const char *code)
{
	int64_t ret = -1;
	int pos = 0;
	uint64_t counter = 0;
	char copy[TOTP_DIGITS + 1];
	int r;

	if (!code_well_formed(code))
		return -1;
	if (secret == NULL || len == 0 || now < 0)
		return -1;
	if (ensure_oath() != 0)
		return -1;
	memcpy(copy, code, sizeof(copy));
	r = oath_totp_validate4_callback((const char *)secret, len, now,
					 TOTP_STEP, 0, TOTP_DIGITS, 1, &pos,
					 &counter, 0, code_cmp, copy);
	if (r < 0)
		goto out;
	if (counter > (uint64_t)INT64_MAX)
		goto out;
	ret = (int64_t)counter;
out:
	crypto_wipe(copy, sizeof(copy));
	return ret;
}

int
totp_generate(const unsigned char *secret, size_t len, time_t now,
	      char out[TOTP_DIGITS + 1])
{
	if (secret == NULL || len == 0 || out == NULL || now < 0)
		return -1;
	if (ensure_oath() != 0)
		return -1;
	if (oath_totp_generate2((const char *)secret, len, now, TOTP_STEP, 0,
				TOTP_DIGITS, 0, out) != OATH_OK)
		return -1;
	return 0;
}

int
hotp_generate(const unsigned char *secret, size_t len, uint64_t counter,
	      unsigned digits, char *out)
{
	if (secret == NULL || len == 0 || out == NULL)
		return -1;
	if (digits < 6 || digits > 8)
		return -1;
	if (ensure_oath() != 0)
		return -1;
	if (oath_hotp_generate((const char *)secret, len, counter, digits,
			       false, OATH_HOTP_DYNAMIC_TRUNCATION, out) != OATH_OK)
		return -1;
	return 0;
}

/* An append-only text buffer for the SVG. */
struct svgbuf {
	char *p;
	size_t len;
	size_t cap;
	int failed;
};

static void
svg_add(struct svgbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
svg_add(struct svgbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len) {
		b->failed = 1;
		return;
	}
	b->len += (size_t)n;
}

char *
totp_qr_svg(const char *text)
{
	char *ret = NULL;
	QRcode *qr = NULL;
	struct svgbuf b = { NULL, 0, 0, 0 };
	int w;
	int size;

	if (text == NULL || *text == '\0' || strnlen(text, 4097) > 4096)
		goto out;
	qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (qr == NULL || qr->width <= 0 || qr->width > 177)
		goto out;
	w = qr->width;
	size = w + 8;
	/* At most one run per two modules; "M999 999h999v1h-999z" each. */
	b.cap = 512 + (size_t)w * (size_t)(w / 2 + 1) * 24;
	b.p = malloc(b.cap);
	if (b.p == NULL)
		goto out;
	svg_add(&b,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		"width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\">"
		"<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
		"<path fill=\"#000\" d=\"",
		size, size, size * 4, size * 4, size, size);
	for (int y = 0; y < w; y++) {
		int x = 0;

		while (x < w) {
			int run = 0;

			while (x + run < w && (qr->data[y * w + x + run] & 1))
				run++;
			if (run == 0) {
				x++;
				continue;
			}
			svg_add(&b, "M%d %dh%dv1h-%dz", x + 4, y + 4, run, run);
			x += run;
		}
	}
	svg_add(&b, "\"/></svg>\n");
	if (b.failed)
		goto out;
	ret = b.p;
	b.p = NULL;
out:
	free(b.p);
	if (qr != NULL)
		QRcode_free(qr);
	return ret;
}
