/* UTF-8 validation for every text that comes from outside. */
#include "util/utf8.h"

int64_t
utf8_check(const char *s, size_t len, int multiline)
{
	const unsigned char *p = (const unsigned char *)s;
	int64_t n = 0;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		uint32_t cp;
		size_t need;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f) {
				if (!multiline ||
				    (c != '\n' && c != '\r' && c != '\t'))
					return -1;
			}
			i++;
			n++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return -1;
		}
		if (len - i <= need)
			return -1;
		for (size_t k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates, beyond U+10FFFF. */
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return -1;
		/* C1 controls and the bidi overrides used to disguise text. */
		if (cp >= 0x80 && cp <= 0x9f)
			return -1;
		if ((cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			return -1;
		i += need + 1;
		n++;
	}
	return n;
}
