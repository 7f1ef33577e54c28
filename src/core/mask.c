/*
 * The masks of personal values (see core/mask.h). Each writer copies only
 * the kept part of the value, by whole UTF-8 sequences or ASCII digits and
 * letters; everything else is fixed text.
 */
#include "core/mask.h"

#include <string.h>

/* Values with fewer kept-kind characters than this are masked whole. */
#define MASK_MIN_CHARS 8
#define TLD_MAX 63

/* The length of the UTF-8 sequence starting at s (1 for a stray byte),
 * never more than max bytes (max >= 1) nor past the end of s. */
static size_t
seq_len(const char *s, size_t max)
{
	unsigned char b = (unsigned char)s[0];
	size_t n = 1;

	if (b >= 0xf0)
		n = 4;
	else if (b >= 0xe0)
		n = 3;
	else if (b >= 0xc0)
		n = 2;
	if (n > max)
		n = max;
	for (size_t i = 1; i < n; i++)
		if (s[i] == '\0')
			return i;
	return n;
}

static int
is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static int
is_alnum(char ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'z') ||
	       (ch >= 'A' && ch <= 'Z');
}

/* The mask being written: out of outsz bytes, n used; err once it did
 * not fit. */
struct buf {
	char *out;
	size_t outsz;
	size_t n;
	int err;
};

static void
add(struct buf *b, const char *s, size_t len)
{
	if (b->err || b->n + len >= b->outsz) {
		b->err = 1;
		return;
	}
	memcpy(b->out + b->n, s, len);
	b->n += len;
	b->out[b->n] = '\0';
}

static void
adds(struct buf *b, const char *s)
{
	add(b, s, strlen(s));
}

static int
done(struct buf *b)
{
	if (b->err) {
		b->out[0] = '\0';
		return -1;
	}
	return 0;
}

static int
whole(struct buf *b, const char *mask)
{
	adds(b, mask);
	return done(b);
}

/* j***@e***.com: the first character of the local part and of the
 * domain, the last label kept. */
static int
mask_email(const char *v, struct buf *b)
{
	const char *at = strrchr(v, '@');
	const char *dom, *tld;
	size_t tl;

	if (at == NULL || at == v || at[1] == '\0' || at[1] == '.')
		return whole(b, "***");
	dom = at + 1;
	tld = strrchr(dom, '.');
	if (tld == NULL || tld == dom)
		return whole(b, "***");
	tld++;
	tl = strlen(tld);
	if (tl == 0 || tl > TLD_MAX)
		return whole(b, "***");
	add(b, v, seq_len(v, (size_t)(at - v)));
	adds(b, "***@");
	add(b, dom, seq_len(dom, (size_t)(tld - 1 - dom)));
	adds(b, "***.");
	add(b, tld, tl);
	return done(b);
}

/* The last 4 characters of v that keep() accepts, into last (5 bytes);
 * the number of such characters in all. */
static size_t
last_four(const char *v, int (*keep)(char), char last[5])
{
	size_t n = 0;

	memset(last, 0, 5);
	for (const char *p = v; *p != '\0'; p++) {
		if (!keep(*p))
			continue;
		memmove(last, last + 1, 3);
		last[3] = *p;
		n++;
	}
	return n;
}

/* head and the last 4 characters keep() accepts; none when v has fewer
 * than MASK_MIN_CHARS of them. */
static int
mask_tail(const char *v, int (*keep)(char), const char *head,
	  const char *none, struct buf *b)
{
	char last[5];

	if (last_four(v, keep, last) < MASK_MIN_CHARS)
		return whole(b, none);
	adds(b, head);
	add(b, last, 4);
	return done(b);
}

int
mask_value(enum mask_kind kind, const char *value, char *out, size_t outsz)
{
	struct buf b = {out, outsz, 0, 0};

	if (outsz < MASK_MAX) {
		if (outsz > 0)
			out[0] = '\0';
		return -1;
	}
	out[0] = '\0';
	switch (kind) {
	case MASK_EMAIL:
		return mask_email(value, &b);
	case MASK_PHONE:
		return mask_tail(value, is_digit, "*** *** ", "*** *** ****",
				 &b);
	case MASK_ACCOUNT:
		return mask_tail(value, is_alnum, "****", "********", &b);
	case MASK_DATE:
		return whole(&b, "****-**-**");
	case MASK_ADDRESS:
	case MASK_OTHER:
	default:
		return whole(&b, "***");
	}
}
