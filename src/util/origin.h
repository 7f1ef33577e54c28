/*
 * Web origins as browsers send them in the Origin header: parsing into one
 * canonical text, and a small fixed set of accepted origins. Only https
 * origins exist here; anything else (another scheme, a path, user info,
 * "null") is not an origin and is never accepted.
 */
#ifndef GH_UTIL_ORIGIN_H
#define GH_UTIL_ORIGIN_H

#include <stddef.h>

/* "https://" + a 253-byte host + ":65535" + NUL, rounded up. */
#define ORIGIN_MAX 272
/* The most origins one set holds. */
#define ORIGIN_SET_MAX 20

/* Origins in canonical form, each once, in the order added. */
struct origin_set {
	char v[ORIGIN_SET_MAX][ORIGIN_MAX];
	unsigned n;
};

/*
 * Writes the canonical form of an origin, "https://HOST" or
 * "https://HOST:PORT" with at most one trailing '/', into out: scheme and
 * host lower-cased, an IPv6 host ("[::1]") in its shortest form, the
 * default port 443 left out, as browsers send it. HOST is a DNS name
 * (ASCII letters, digits, '-' and '.'; a non-ASCII name in its xn--
 * form) or an IPv4 address, or a bracketed IPv6 address; PORT is 1 to
 * 65535. Returns 0, or -1 when text is not such an origin.
 */
int origin_canon(const char *text, char *out, size_t outsz);

/* Adds the canonical form of text to s unless it is there already.
 * 0, or -1 when text is not an origin or s is full. */
int origin_set_add(struct origin_set *s, const char *text);

/* 1 when origin (e.g. an Origin header as received; may be NULL) is in
 * s, 0 otherwise, also when it is not an origin at all. */
int origin_set_has(const struct origin_set *s, const char *origin);

#endif
