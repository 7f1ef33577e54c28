/*
 * Internal to the built-in detectors (numbers.c, contacts.c,
 * credentials.c, foreign.c, patterns.c): the ASCII byte classes they
 * share. The text they read is NFKC already (normalise.c), so full-width
 * digits and letters are ASCII here.
 */
#ifndef GH_CORE_DLP_PII_INT_H
#define GH_CORE_DLP_PII_INT_H

#include <ctype.h>
#include <stddef.h>

/* isalnum() of the C locale (the program never changes it), without the
 * call: ASCII letters and digits. */
#define ALNUM(c) ascii_alnum((unsigned char)(c))
#define DIGIT(c) ((c) >= '0' && (c) <= '9')
#define UPPER(c) ((c) >= 'A' && (c) <= 'Z')
/* Bytes of white space between two digit groups of a card number. */
#define CARD_GAP_MAX 3

static inline int
ascii_alnum(unsigned char c)
{
	return (unsigned)((c | 0x20) - 'a') < 26 || (unsigned)(c - '0') < 10;
}

/* Byte classes for the word readers (foreign.c): CL_ALNUM an ASCII letter
 * or digit, CL_WORD that or any byte of a non-ASCII character, CL_DIGIT
 * an ASCII digit. */
#define CL_ALNUM 1
#define CL_WORD 2
#define CL_DIGIT 4
static const unsigned char byte_class[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 0, 0, 0, 0, 0, 0,
	0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0,
	0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* tolower() and toupper() of the C locale, without the call. */
static inline char
ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static inline char
ascii_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
}

/* Whether a token may start at t[i]: the byte before is no letter or
 * digit. */
static inline int
starts_token(const char *t, size_t i)
{
	return i == 0 || !ALNUM(t[i - 1]);
}

/* Digits from t[j] on, up to max. */
static inline size_t
digits_at(const char *t, size_t len, size_t j, size_t max)
{
	size_t k = 0;

	while (j + k < len && k < max && DIGIT(t[j + k]))
		k++;
	return k;
}

#endif
