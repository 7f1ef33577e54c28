/*
 * TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps) through liboath.
 * Secrets are 20 random bytes (160 bits), handled raw here; base32 only at
 * the edges (enrolment URI). Replay protection is the caller's: totp_check
 * returns the matched time step, and the caller accepts it only when it is
 * greater than the last step accepted for the account, stored atomically.
 */
#ifndef GH_CRYPTO_TOTP_H
#define GH_CRYPTO_TOTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TOTP_SECRET_BYTES 20
#define TOTP_DIGITS 6
#define TOTP_STEP 30
/* base32 of 20 bytes is 32 characters. */
#define TOTP_B32_CHARS 32

/* Fills secret with TOTP_SECRET_BYTES from the CSPRNG. */
void totp_secret_new(unsigned char secret[TOTP_SECRET_BYTES]);

/* Base32 (RFC 4648, no padding) of secret into out (NUL-terminated).
 * 0 or -1 when outsz is too small. */
int totp_secret_base32(const unsigned char *secret, size_t len, char *out,
		       size_t outsz);

/*
 * otpauth://totp/ISSUER:ACCOUNT?secret=B32&issuer=ISSUER&algorithm=SHA1&
 * digits=6&period=30, with issuer and account percent-encoded. The result
 * is malloc'd; caller frees. NULL on error.
 */
char *totp_uri(const char *issuer, const char *account, const char *b32);

/*
 * Checks code (must be exactly TOTP_DIGITS ASCII digits; anything else is
 * refused without calling liboath) at time now, window +-1 step. Returns
 * the matched absolute time step (>= 0) or -1.
 */
int64_t totp_check(const unsigned char *secret, size_t len, time_t now,
		   const char *code);

/* The code for time now into out (TOTP_DIGITS + NUL). 0 or -1. */
int totp_generate(const unsigned char *secret, size_t len, time_t now,
		  char out[TOTP_DIGITS + 1]);

/* HOTP (RFC 4226) for counter, digits 6..8, into out. 0 or -1. For tests. */
int hotp_generate(const unsigned char *secret, size_t len, uint64_t counter,
		  unsigned digits, char *out);

/*
 * SVG of a QR code (libqrencode, ECC level M) for text: one <path> of unit
 * squares with a 4-module quiet zone, shape-rendering="crispEdges".
 * malloc'd; caller frees. NULL on error.
 */
char *totp_qr_svg(const char *text);

#endif
