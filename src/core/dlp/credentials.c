/*
 * Extractors of credentials the gitleaks rules do not cover: the values of
 * Authorization / Proxy-Authorization / Cookie / Set-Cookie headers
 * pasted into a reply (placeholders such as $TOKEN, <token>, XXXX and
 * "redacted" are not findings), and private keys cut off before their END
 * line.
 */
#include <string.h>
#include <strings.h>

#include "core/dlp/dlp_int.h"
#include "core/dlp/pii_int.h"

/* A private key's BEGIN line and this much base64 body is a finding even
 * when the END line was cut off (gitleaks' rule needs the END line). */
#define PKEY_BODY_MIN 64
#define PKEY_END_LOOK 16384

static int
placeholder(const char *v, size_t n)
{
	size_t k;

	if (n == 0 || v[0] == '$' || v[0] == '<' || v[0] == '{' ||
	    v[0] == '%' || v[0] == '[')
		return 1;
	for (k = 0; k + 2 < n; k++)
		if (v[k] == '.' && v[k + 1] == '.' && v[k + 2] == '.')
			return 1;
	for (k = 1; k < n; k++)
		if (v[k] != v[0])
			break;
	if (k == n)
		return 1;
	return (n >= 4 && (strncasecmp(v, "xxxx", 4) == 0 ||
			   strncasecmp(v, "****", 4) == 0)) ||
	       (n >= 8 && strncasecmp(v, "redacted", 8) == 0) ||
	       (n >= 9 && strncasecmp(v, "[redacted", 9) == 0);
}

static int
token_char(char c)
{
	return ALNUM(c) || strchr("+/=._~-", c) != NULL;
}

void
header_extract(struct scan *s, size_t from, size_t to)
{
	static const struct {
		const char *name;
		const char *type;
	} names[] = {
		{"proxy-authorization", "auth_header"},
		{"authorization", "auth_header"},
		{"set-cookie", "cookie"},
		{"cookie", "cookie"},
	};
	const char *t = s->text;

	for (size_t i = from; i < to; i++) {
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			size_t m = strlen(names[k].name), j, vs, ve, ts, te;

			if (i + m > s->len ||
			    strncasecmp(t + i, names[k].name, m) != 0 ||
			    (i > 0 && (ALNUM(t[i - 1]) || t[i - 1] == '-')))
				continue;
			j = i + m;
			while (j < s->len && (t[j] == ' ' || t[j] == '\t'))
				j++;
			if (j >= s->len || t[j] != ':')
				continue;
			j++;
			while (j < s->len && (t[j] == ' ' || t[j] == '\t'))
				j++;
			vs = j;
			while (j < s->len && t[j] != '\n' && t[j] != '\r' &&
			       t[j] != '"' && t[j] != '\'' && t[j] != '`')
				j++;
			ve = j;
			while (ve > vs && (t[ve - 1] == ' ' || t[ve - 1] == '\t'))
				ve--;
			if (names[k].type[0] == 'a') {
				/* [scheme] token */
				ts = vs;
				while (ts < ve && t[ts] != ' ')
					ts++;
				if (ts < ve)
					ts++;
				else
					ts = vs;
				te = ts;
				while (te < ve && token_char(t[te]))
					te++;
				if (te - ts < 8 || placeholder(t + ts, te - ts))
					break;
			} else {
				const char *eq = memchr(t + vs, '=', ve - vs);
				size_t q;

				if (eq == NULL)
					break;
				ts = (size_t)(eq - t) + 1;
				q = ts;
				while (q < ve && t[q] != ';' && t[q] != ' ')
					q++;
				if (q - ts < 8 || placeholder(t + ts, q - ts))
					break;
			}
			if (finding_add(s, names[k].type, names[k].name, vs,
					ve) < 0)
				return;
			i = ve > i ? ve - 1 : i;
			break;
		}
	}
}

/* A private key's BEGIN line ending at or before `to`, followed by
 * PKEY_BODY_MIN+ base64 characters, with no END line after it: a key cut
 * off (pasted half, or truncated by a mail client). With the END line,
 * gitleaks' private-key rule reports it. */
void
pkey_extract(struct scan *s, size_t from, size_t to)
{
	const char *t = s->text;
	size_t at = from;

	while (at < to) {
		const char *b = memmem(t + at, s->len - at, "-----BEGIN", 10);
		const char *kw;
		size_t i, nb = 0, look, start;

		if (b == NULL || (size_t)(b - t) >= to)
			return;
		start = (size_t)(b - t);
		at = start + 10;
		kw = memmem(t + at, s->len - at < 64 ? s->len - at : 64,
			    "PRIVATE KEY", 11);
		if (kw == NULL)
			continue;
		i = (size_t)(kw - t) + 11;
		if (i + 6 <= s->len && memcmp(t + i, " BLOCK", 6) == 0)
			i += 6;
		if (i + 5 > s->len || memcmp(t + i, "-----", 5) != 0)
			continue;
		i += 5;
		look = s->len - i < PKEY_END_LOOK ? s->len - i : PKEY_END_LOOK;
		if (memmem(t + i, look, "-----END", 8) != NULL)
			continue;
		for (size_t k = i; k < s->len; k++) {
			char c = t[k];

			if (ALNUM(c) || c == '+' || c == '/' || c == '=')
				nb++;
			else if (c != '\n' && c != '\r' && c != ' ' &&
				 c != '\t')
				break;
			if (nb >= PKEY_BODY_MIN) {
				size_t e = k + 1;

				while (e < s->len &&
				       (ALNUM(t[e]) || t[e] == '+' ||
					t[e] == '/' || t[e] == '=' ||
					t[e] == '\n' || t[e] == '\r'))
					e++;
				while (e > k + 1 &&
				       (t[e - 1] == '\n' || t[e - 1] == '\r'))
					e--;
				if (finding_add(s, "secret",
						"private-key-truncated", start,
						e) < 0)
					return;
				at = e;
				break;
			}
		}
	}
}
