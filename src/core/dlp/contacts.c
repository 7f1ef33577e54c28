/*
 * Extractors of the outbound filter's contact values: e-mail addresses
 * (not the ticket customer's own, not at a company domain) and phone
 * numbers (international, with an area code in brackets, grouped national
 * numbers; dates, SSN-shaped numbers, IPv4 addresses and placeholder runs
 * are not phones; the customer's own numbers and the company's are
 * allowed). A value that
 * the fingerprint index says belongs to another customer is reported as
 * "other_customer_data" instead.
 */
#include <ctype.h>
#include <string.h>

#include "core/dlp/dlp_int.h"
#include "core/dlp/pii_int.h"

static int
email_local_char(char c)
{
	return ALNUM(c) || strchr("._%+-", c) != NULL;
}

static int
ieq(const char *a, size_t n, const char *b)
{
	return strlen(b) == n && strncasecmp(a, b, n) == 0;
}

int
email_is_own(const struct dlp_context *ctx, const char *a, size_t n)
{
	const char *at = memchr(a, '@', n);

	if (ctx == NULL)
		return 0;
	for (size_t i = 0; i < ctx->n_own_emails; i++)
		if (ctx->own_emails[i] != NULL && ieq(a, n, ctx->own_emails[i]))
			return 1;
	if (at == NULL)
		return 0;
	at++;
	for (size_t i = 0; i < ctx->n_allowed_email_domains; i++) {
		const char *dom = ctx->allowed_email_domains[i];
		size_t dn = n - (size_t)(at - a), m;

		if (dom == NULL)
			continue;
		m = strlen(dom);
		if (ieq(at, dn, dom))
			return 1;
		if (dn > m + 1 && at[dn - m - 1] == '.' &&
		    strncasecmp(at + dn - m, dom, m) == 0)
			return 1;
	}
	return 0;
}

void
email_extract(struct scan *s, size_t from, size_t to)
{
	const char *t = s->text;

	for (size_t i = from; i < to && i < s->len; i++) {
		size_t a, b, lastdot = 0, tld;
		char norm[320];
		size_t nn;
		int ok = 1;

		if (t[i] != '@')
			continue;
		a = i;
		while (a > 0 && i - a < 64 && email_local_char(t[a - 1]))
			a--;
		while (a < i && t[a] == '.')
			a++;
		b = i + 1;
		while (b < s->len && b - i < 254 &&
		       (ALNUM(t[b]) || t[b] == '.' || t[b] == '-'))
			b++;
		while (b > i + 1 && (t[b - 1] == '.' || t[b - 1] == '-'))
			b--;
		if (a == i || b <= i + 1)
			continue;
		for (size_t k = i + 1; k < b; k++) {
			if (t[k] == '.') {
				if (k == i + 1 || t[k - 1] == '.')
					ok = 0;
				lastdot = k;
			}
		}
		if (!ok || lastdot == 0 || b - lastdot - 1 < 2)
			continue;
		for (tld = lastdot + 1; tld < b; tld++)
			if (!isalpha((unsigned char)t[tld]))
				ok = 0;
		if (!ok)
			continue;
		if (email_is_own(s->ctx, t + a, b - a))
			continue;
		nn = b - a;
		for (size_t k = 0; k < nn; k++)
			norm[k] = (char)tolower((unsigned char)t[a + k]);
		if (foreign_check(s, "email", norm, nn)) {
			if (finding_add(s, "other_customer_data", "email", a,
					b) < 0)
				return;
		} else if (finding_add(s, "email", "email", a, b) < 0) {
			return;
		}
		i = b - 1;
	}
}

/* The last 9 digits of a phone number (all of them when fewer). */
size_t
phone_norm(const char *p, size_t n, char *out)
{
	char d[64];
	size_t k = 0;

	for (size_t i = 0; i < n && k < sizeof(d); i++)
		if (DIGIT(p[i]))
			d[k++] = p[i];
	if (k > 9) {
		memcpy(out, d + k - 9, 9);
		return 9;
	}
	memcpy(out, d, k);
	return k;
}

/* 1 when the normalised number a[0, an) is one of v[0, n). */
static int
phone_in(const char *a, size_t an, const char *const *v, size_t n)
{
	char b[16];

	for (size_t i = 0; i < n; i++) {
		size_t bn;

		if (v[i] == NULL)
			continue;
		bn = phone_norm(v[i], strlen(v[i]), b);
		if (bn >= 7 && an == bn && memcmp(a, b, an) == 0)
			return 1;
	}
	return 0;
}

int
phone_is_own(const struct dlp_context *ctx, const char *p, size_t n)
{
	char a[16];
	size_t an = phone_norm(p, n, a);

	if (ctx == NULL || an < 7)
		return 0;
	return phone_in(a, an, ctx->own_phones, ctx->n_own_phones) ||
	       phone_in(a, an, ctx->allowed_phones, ctx->n_allowed_phones);
}

int
dlp_phone_list(char *buf, const char **out, size_t max)
{
	char *save = NULL;
	size_t n = 0;

	for (char *tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		size_t digits = 0, len;

		tok += strspn(tok, " \t");
		len = strlen(tok);
		while (len > 0 && (tok[len - 1] == ' ' || tok[len - 1] == '\t'))
			tok[--len] = '\0';
		if (len == 0)
			continue;
		for (size_t i = 0; i < len; i++)
			digits += DIGIT(tok[i]) ? 1 : 0;
		if (strspn(tok, "0123456789 +-().") != len || digits < 7 ||
		    digits > 15 || n == max)
			return -1;
		out[n++] = tok;
	}
	return (int)n;
}

/* Decides whether t[i, end) is shaped like a phone number. */
static int
phone_shape_ok(const char *t, size_t i, size_t end)
{
	size_t groups[12], ng = 0, nd = 0, cur = 0;
	int plus = t[i] == '+', paren = 0, seps = 0, dots = 0;

	for (size_t k = i; k < end; k++) {
		if (DIGIT(t[k])) {
			cur++;
			nd++;
			continue;
		}
		if (t[k] == '(')
			paren = 1;
		if (t[k] == '.')
			dots++;
		if (t[k] != '+')
			seps++;
		if (cur > 0) {
			if (ng == 12)
				return 0;
			groups[ng++] = cur;
		}
		cur = 0;
	}
	if (cur > 0) {
		if (ng == 12)
			return 0;
		groups[ng++] = cur;
	}
	if (nd < 7 || nd > 15 || ng == 0)
		return 0;
	/* Seven or more of one digit in a row is a placeholder or an ID
	 * ("00000000560"), not a number anybody answers. */
	for (size_t k = i, run = 0; k < end; k++) {
		run = DIGIT(t[k]) && k > i && t[k] == t[k - 1] ? run + 1 : 1;
		if (run >= 7)
			return 0;
	}
	if (plus)
		return nd >= 8;
	/* A dotted quad is an IPv4 address. */
	if (ng == 4 && dots == 3 && seps == 3 && groups[0] <= 3 &&
	    groups[1] <= 3 && groups[2] <= 3 && groups[3] <= 3)
		return 0;
	if (nd > 12)
		return 0;
	if (ng == 1)	/* bare: national 0XXXXXXXXX(X) or CN mobile */
		return (t[i] == '0' && (nd == 10 || nd == 11)) ||
		       (t[i] == '1' && nd == 11 && t[i + 1] >= '3');
	/* Dates and SSN-shaped numbers are not phones. */
	if (ng == 3 && ((groups[0] == 4 && groups[1] <= 2 && groups[2] <= 2) ||
			(groups[0] <= 2 && groups[1] <= 2 && groups[2] == 4) ||
			(groups[0] == 3 && groups[1] == 2 && groups[2] == 4)))
		return 0;
	if (dots > 0 && ng <= 2)
		return 0;
	if (paren)
		return nd >= 9 && groups[ng - 1] >= 3;
	if (ng == 2)	/* 0X-XXXXXXX, trunk prefix */
		return t[i] == '0' && groups[1] >= 6 && nd >= 9;
	(void)seps;
	return nd >= 9 && groups[0] >= 2 && groups[0] <= 5 &&
	       groups[ng - 1] >= 3;
}

void
phone_extract(struct scan *s, size_t from, size_t to)
{
	const char *t = s->text;

	for (size_t i = from; i < to; i++) {
		size_t j, end, depth = 0, lastsep = 0;
		char norm[16];
		size_t nn;

		if (!(t[i] == '+' || t[i] == '(' || DIGIT(t[i])) ||
		    !starts_token(t, i))
			continue;
		if (i > 0 && (t[i - 1] == '+' || t[i - 1] == '(' ||
			      t[i - 1] == '-' || t[i - 1] == '.'))
			continue;
		if (t[i] != '+' && t[i] != '(' && i > 0 && t[i - 1] == ')')
			continue;
		if ((t[i] == '+' || t[i] == '(') &&
		    (i + 1 >= s->len || !DIGIT(t[i + 1])))
			continue;
		j = i + 1;
		depth = t[i] == '(';
		end = DIGIT(t[i]) ? i + 1 : i;
		while (j < s->len && j - i < 32) {
			char c = t[j];

			if (DIGIT(c)) {
				end = j + 1;
				lastsep = 0;
			} else if (c == ' ' || c == '-' || c == '.') {
				if (lastsep)
					break;
				lastsep = 1;
			} else if (c == '(' && depth == 0) {
				depth = 1;
			} else if (c == ')' && depth == 1) {
				depth = 0;
				end = j + 1;
				lastsep = 0;
			} else {
				break;
			}
			j++;
		}
		if (end <= i || (end < s->len && ALNUM(t[end])))
			continue;
		/* A longer digit run (card, account) is not a phone. */
		if (end < s->len && (t[end] == '-' || t[end] == '.' ||
				     t[end] == ' ') &&
		    end + 1 < s->len && DIGIT(t[end + 1]))
			continue;
		if (!phone_shape_ok(t, i, end)) {
			i = end - 1;
			continue;
		}
		if (!phone_is_own(s->ctx, t + i, end - i)) {
			nn = phone_norm(t + i, end - i, norm);
			if (foreign_check(s, "phone", norm, nn)) {
				if (finding_add(s, "other_customer_data",
						"phone", i, end) < 0)
					return;
			} else if (finding_add(s, "phone", "phone", i, end) < 0) {
				return;
			}
		}
		i = end - 1;
	}
}
