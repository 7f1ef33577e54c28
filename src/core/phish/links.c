/*
 * Finding links in a customer's message: in plain text (http, https, ftp,
 * www., data: and javascript: URLs, ended where a URL cannot go on,
 * trailing punctuation and unbalanced brackets left out) and in HTML (the
 * real target of each <a href>, <area href> and <form action>, with the
 * text the customer sees for <a>, entities decoded; plus the plain-text
 * links outside tags). Also defanging for display. It judges nothing
 * (judge.c does) and parses no more HTML than links need.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/utf8.h>

#include "core/phish/phish_int.h"
#include "util/errors.h"

void
phish_links_init(struct phish_links *l)
{
	memset(l, 0, sizeof(*l));
}

void
phish_links_free(struct phish_links *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].url);
		free(l->v[i].text);
		free(l->v[i].host);
		free(l->v[i].domain);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
link_add(struct phish_links *l, char *url, char *text, size_t a, size_t b)
{
	struct phish_link *k;

	if (l->n >= PHISH_MAX_LINKS) {
		free(url);
		free(text);
		return -GH_TOO_MANY_LINKS;
	}
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 8;
		struct phish_link *nv = realloc(l->v, nc * sizeof(*nv));

		if (nv == NULL) {
			free(url);
			free(text);
			return -GH_INTERNAL;
		}
		l->v = nv;
		l->cap = nc;
	}
	k = &l->v[l->n++];
	memset(k, 0, sizeof(*k));
	k->url = url;
	k->text = text;
	k->start = a;
	k->end = b;
	return 0;
}

static char *
dupn(const char *s, size_t n)
{
	char *o = malloc(n + 1);

	if (o != NULL) {
		memcpy(o, s, n);
		o[n] = '\0';
	}
	return o;
}

static int
url_char(unsigned char c)
{
	return c > 0x20 && c != '<' && c != '>' && c != '"' && c != '`' &&
	       c != 0x7f;
}

static size_t
url_start_at(const char *t, size_t len, size_t i)
{
	static const char *const schemes[] = {"https://", "http://", "ftp://",
					      "data:", "javascript:", "www.",
					      NULL};

	if (i > 0 && (isalnum((unsigned char)t[i - 1]) || t[i - 1] == '.'))
		return 0;
	for (size_t k = 0; schemes[k] != NULL; k++) {
		size_t m = strlen(schemes[k]);

		if (i + m < len && strncasecmp(t + i, schemes[k], m) == 0)
			return m;
	}
	return 0;
}

static int
extract_text_at(const char *t, size_t len, size_t base,
		struct phish_links *out)
{
	for (size_t i = 0; i < len; i++) {
		size_t m = url_start_at(t, len, i), j, depth = 0;
		char *u;
		int rc;

		if (m == 0)
			continue;
		j = i + m;
		while (j < len && j - i < PHISH_MAX_URL &&
		       url_char((unsigned char)t[j]) && t[j] != '\'') {
			if (t[j] == '(')
				depth++;
			if (t[j] == ')') {
				if (depth == 0)
					break;
				depth--;
			}
			j++;
		}
		while (j > i + m && strchr(".,;:!?", t[j - 1]) != NULL)
			j--;
		if (j == i + m)
			continue;
		u = dupn(t + i, j - i);
		if (u == NULL)
			return -GH_INTERNAL;
		rc = link_add(out, u, NULL, base + i, base + j);
		if (rc < 0)
			return rc;
		i = j - 1;
	}
	return 0;
}

int
phish_extract_text(const char *text, size_t len, struct phish_links *out)
{
	return extract_text_at(text, len, 0, out);
}

/* Decodes the HTML entities links use (&amp; &lt; &gt; &quot; &#..;). */
static char *
html_decode(const char *s, size_t n, int collapse)
{
	char *o = malloc(n * 4 + 1);
	size_t k = 0;
	int space = 0;

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '&') {
			const char *semi = memchr(s + i, ';', n - i < 12 ? n - i : 12);
			uint32_t cp = 0;

			if (semi != NULL) {
				size_t el = (size_t)(semi - (s + i));

				if (el == 4 && strncmp(s + i, "&amp", 4) == 0)
					cp = '&';
				else if (el == 3 && strncmp(s + i, "&lt", 3) == 0)
					cp = '<';
				else if (el == 3 && strncmp(s + i, "&gt", 3) == 0)
					cp = '>';
				else if (el == 5 && strncmp(s + i, "&quot", 5) == 0)
					cp = '"';
				else if (el == 5 && strncmp(s + i, "&nbsp", 5) == 0)
					cp = ' ';
				else if (el > 2 && s[i + 1] == '#')
					cp = (uint32_t)strtoul(s + i + 2 +
						(s[i + 2] == 'x' || s[i + 2] == 'X'),
						NULL,
						(s[i + 2] == 'x' || s[i + 2] == 'X') ?
						16 : 10);
				if (cp > 0 && cp <= 0x10ffff) {
					UBool err = 0;

					if (cp == ' ' && collapse) {
						space = 1;
					} else {
						if (space && k > 0)
							o[k++] = ' ';
						space = 0;
						U8_APPEND((uint8_t *)o, k, n * 4,
							  (UChar32)cp, err);
					}
					(void)err;
					i += el;
					continue;
				}
			}
		}
		if (collapse && isspace((unsigned char)s[i])) {
			space = 1;
			continue;
		}
		if (space && k > 0)
			o[k++] = ' ';
		space = 0;
		o[k++] = s[i];
	}
	o[k] = '\0';
	return o;
}

/* Reads attribute name's value in a tag body [p, end). */
static int
attr_value(const char *p, const char *end, const char *name, size_t *vs,
	   size_t *ve, const char *base)
{
	size_t m = strlen(name);

	while (p < end) {
		const char *q;

		while (p < end && (isspace((unsigned char)*p) || *p == '/'))
			p++;
		q = p;
		while (p < end && !isspace((unsigned char)*p) && *p != '=' &&
		       *p != '>')
			p++;
		if (p < end && *p == '=') {
			const char *v = p + 1, *w;
			char quote = 0;

			if (v < end && (*v == '"' || *v == '\'')) {
				quote = *v++;
				w = v;
				while (w < end && *w != quote)
					w++;
			} else {
				w = v;
				while (w < end && !isspace((unsigned char)*w) &&
				       *w != '>')
					w++;
			}
			if ((size_t)(p - q) == m && strncasecmp(q, name, m) == 0) {
				*vs = (size_t)(v - base);
				*ve = (size_t)(w - base);
				return 1;
			}
			p = w + (quote != 0 && w < end);
		} else if (p == q) {
			p++;
		}
	}
	return 0;
}

/* Visible text of [p, end): tags removed, entities decoded. */
static char *
visible_text(const char *p, size_t n)
{
	char *raw = malloc(n + 1), *out;
	size_t k = 0;
	int in_tag = 0;

	if (raw == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '<')
			in_tag = 1;
		else if (p[i] == '>')
			in_tag = 0;
		else if (!in_tag)
			raw[k++] = p[i];
	}
	out = html_decode(raw, k, 1);
	free(raw);
	return out;
}

static const char *
find_ci(const char *p, const char *end, const char *needle)
{
	size_t m = strlen(needle);

	for (; p + m <= end; p++)
		if (strncasecmp(p, needle, m) == 0)
			return p;
	return NULL;
}

int
phish_extract_html(const char *html, size_t len, struct phish_links *out)
{
	const char *end = html + len, *p = html, *text_from = html;
	int rc = 0;

	while (p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p)), *gt, *name;
		size_t nl, vs, ve;
		int is_a;

		if (lt == NULL)
			break;
		gt = memchr(lt, '>', (size_t)(end - lt));
		if (gt == NULL)
			break;
		name = lt + 1;
		nl = 0;
		while (name + nl < gt && isalnum((unsigned char)name[nl]))
			nl++;
		is_a = (nl == 1 && tolower((unsigned char)name[0]) == 'a') ||
		       (nl == 4 && strncasecmp(name, "area", 4) == 0) ||
		       (nl == 4 && strncasecmp(name, "form", 4) == 0);
		if (!is_a) {
			p = gt + 1;
			continue;
		}
		/* Plain-text links before this tag. */
		rc = extract_text_at(text_from, (size_t)(lt - text_from),
				     (size_t)(text_from - html), out);
		if (rc < 0)
			return rc;
		if (attr_value(name + nl, gt, nl == 4 && tolower(
				       (unsigned char)name[0]) == 'f' ?
				       "action" : "href", &vs, &ve, html)) {
			char *url = html_decode(html + vs, ve - vs, 0), *txt = NULL;
			const char *close = NULL;

			if (url == NULL)
				return -GH_INTERNAL;
			if (nl == 1) {
				close = find_ci(gt + 1, end, "</a");
				if (close == NULL)
					close = end;
				txt = visible_text(gt + 1, (size_t)(close - gt - 1));
			}
			rc = link_add(out, url, txt, vs, ve);
			if (rc < 0)
				return rc;
			if (close != NULL) {
				gt = memchr(close, '>', (size_t)(end - close));
				if (gt == NULL)
					gt = end - 1;
			}
		}
		p = gt + 1;
		text_from = p;
	}
	if (text_from < end)
		rc = extract_text_at(text_from, (size_t)(end - text_from),
				     (size_t)(text_from - html), out);
	return rc;
}

char *
phish_defang(const char *url)
{
	size_t n = strlen(url), k = 0, i = 0;
	char *o = malloc(n * 3 + 8);
	const char *host_end;

	if (o == NULL)
		return NULL;
	if (strncasecmp(url, "http", 4) == 0) {
		memcpy(o, "hxxp", 4);
		k = 4;
		i = 4;
	} else {
		/* Script and data URLs: "javascript[:]..." is no longer one. */
		static const char *const inert[] = {"javascript:", "vbscript:",
						    "data:"};

		for (size_t s = 0; s < sizeof(inert) / sizeof(inert[0]); s++) {
			size_t m = strlen(inert[s]);

			if (strncasecmp(url, inert[s], m) == 0) {
				memcpy(o, url, m - 1);
				memcpy(o + m - 1, "[:]", 3);
				k = m + 2;
				i = m;
				break;
			}
		}
	}
	/* Host part: up to the first '/', '?' or '#' after "//". */
	{
		const char *hs = strstr(url, "//");

		hs = hs != NULL ? hs + 2 : url + i;
		host_end = hs + strcspn(hs, "/?#");
		for (; url + i < hs; i++)
			o[k++] = url[i];
	}
	for (; url[i] != '\0'; i++) {
		if (url + i < host_end && url[i] == '.') {
			memcpy(o + k, "[.]", 3);
			k += 3;
		} else if (url + i < host_end && url[i] == '@') {
			memcpy(o + k, "[@]", 3);
			k += 3;
		} else {
			o[k++] = url[i];
		}
	}
	o[k] = '\0';
	return o;
}
