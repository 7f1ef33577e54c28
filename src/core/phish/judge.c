/*
 * The judgement of one link (see phish.h for the reasons): the URL parsed
 * by libcurl's URL API, the host checked by hosts.c, the registrable
 * domain (libpsl) compared with the company's own domains, the shortener
 * list and the top domains spelled out in subdomains, the link text
 * compared with the target, a few lexical signals, and the link model
 * (urlmodel.c): its 0..1 score stays on the link, and at or over the
 * alarm threshold adds the reason model_score, enough alone for
 * "suspicious". The score is the
 * sum of the reasons' weights (capped at 100); on the company's own
 * domain only the reasons that still matter there count. It never fetches
 * a URL.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <idn2.h>

#include "core/phish/phish_int.h"
#include "util/errors.h"

static const struct {
	unsigned bit;
	const char *name;
	int weight;
} reasons[] = {
	{PR_IP_HOST, "ip_host", 45},
	{PR_PUNYCODE, "punycode", 15},
	{PR_MIXED_SCRIPT, "mixed_script", 45},
	{PR_CONFUSABLE_OWN, "confusable_own_domain", 70},
	{PR_CONFUSABLE_TOP, "confusable_top_domain", 55},
	{PR_TEXT_MISMATCH, "text_shows_other_domain", 55},
	{PR_SHORTENER, "url_shortener", 25},
	{PR_USERINFO, "userinfo_in_url", 45},
	{PR_NOT_HTTPS, "not_https", 10},
	{PR_UNUSUAL_PORT, "unusual_port", 20},
	{PR_DATA_URL, "data_url", 70},
	{PR_JAVASCRIPT_URL, "javascript_url", 80},
	{PR_INVALID_HOST, "invalid_host", 50},
	{PR_BRAND_IN_SUBDOMAIN, "known_domain_in_subdomain", 45},
	{PR_MANY_SUBDOMAINS, "many_subdomains", 10},
	{PR_SUSPICIOUS_WORDS, "credential_words", 15},
	{PR_LONG_URL, "long_url", 5},
	{PR_HYPHENATED_DOMAIN, "hyphenated_domain", 10},
	{PR_NO_PUBLIC_SUFFIX, "no_public_suffix", 15},
	{PR_OWN_DOMAIN, "own_domain", 0},
	{PR_MODEL_SCORE, "model_score", 30},
};

const char *
phish_reason_name(unsigned bit)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].bit == bit)
			return reasons[i].name;
	return NULL;
}

int
phish_reason_weight(unsigned bit)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].bit == bit)
			return reasons[i].weight;
	return 0;
}

const char *
phish_verdict(int score)
{
	if (score >= 60)
		return "dangerous";
	if (score >= 30)
		return "suspicious";
	return "clean";
}

int
phish_reasons_score(unsigned r)
{
	int s = 0;

	if ((r & PR_OWN_DOMAIN) != 0)
		r &= PR_USERINFO | PR_UNUSUAL_PORT | PR_NOT_HTTPS |
		     PR_TEXT_MISMATCH | PR_OWN_DOMAIN;
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if ((r & reasons[i].bit) != 0)
			s += reasons[i].weight;
	return s > 100 ? 100 : s;
}

/* Registrable domain of a display text like "www.paypal.com/login" or
 * "https://paypal.com", or NULL when the text names no domain. */
static char *
text_domain(const struct phish_engine *e, const char *text)
{
	char buf[256];
	size_t k = 0;
	const char *p = text, *reg;

	while (*p == ' ')
		p++;
	if (strncasecmp(p, "http://", 7) == 0)
		p += 7;
	else if (strncasecmp(p, "https://", 8) == 0)
		p += 8;
	while (*p != '\0' && k + 1 < sizeof(buf) &&
	       (isalnum((unsigned char)*p) || *p == '.' || *p == '-' ||
		(unsigned char)*p >= 0x80))
		buf[k++] = (char)tolower((unsigned char)*p++);
	buf[k] = '\0';
	if (*p != '\0' && *p != '/' && *p != ' ' && *p != ':')
		return NULL;
	if (strchr(buf, '.') == NULL || !is_ascii(buf))
		return NULL;
	reg = psl_registrable_domain(e->psl, buf);
	return reg != NULL ? strdup(reg) : NULL;
}

static int
has_words(const char *url)
{
	static const char *const w[] = {
		"login", "log-in", "signin", "sign-in", "verify", "verif",
		"account", "update", "secure", "banking", "confirm",
		"password", "webscr", "wallet", "suspend", "unlock",
		"billing", "recover", "authenticate", NULL};
	char low[PHISH_MAX_URL + 1];
	size_t n = strlen(url);

	if (n > PHISH_MAX_URL)
		n = PHISH_MAX_URL;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)url[i]);
	low[n] = '\0';
	for (size_t i = 0; w[i] != NULL; i++)
		if (strstr(low, w[i]) != NULL)
			return 1;
	return 0;
}

/* The parts of a URL that are judged (libcurl's strings). */
struct url_parts {
	CURLU *h;
	char *scheme, *host, *port, *user;
};

static void
url_parts_free(struct url_parts *u)
{
	curl_free(u->scheme);
	curl_free(u->host);
	curl_free(u->port);
	curl_free(u->user);
	curl_url_cleanup(u->h);
}

/* Parses url ("www." gets "https://") and sets the scheme, port and
 * userinfo reasons. 0, 1 when it has no host (PR_INVALID_HOST set), or
 * -GH_INTERNAL. */
static int
url_parse(const char *url, struct url_parts *u, unsigned *r)
{
	char *fixed = NULL;
	int rc = 0;

	memset(u, 0, sizeof(*u));
	if (strncasecmp(url, "www.", 4) == 0) {
		size_t n = strlen(url);

		fixed = malloc(n + 9);
		if (fixed == NULL)
			return -GH_INTERNAL;
		memcpy(fixed, "https://", 8);
		memcpy(fixed + 8, url, n + 1);
		url = fixed;
	}
	u->h = curl_url();
	if (u->h == NULL) {
		rc = -GH_INTERNAL;
	} else if (curl_url_set(u->h, CURLUPART_URL, url,
				CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
		   curl_url_get(u->h, CURLUPART_HOST, &u->host, 0) !=
			   CURLUE_OK) {
		*r |= PR_INVALID_HOST;
		rc = 1;
	} else {
		(void)curl_url_get(u->h, CURLUPART_SCHEME, &u->scheme, 0);
		if (u->scheme != NULL && strcasecmp(u->scheme, "https") != 0)
			*r |= PR_NOT_HTTPS;
		if (curl_url_get(u->h, CURLUPART_PORT, &u->port, 0) ==
			    CURLUE_OK && u->port != NULL &&
		    strcmp(u->port, "80") != 0 && strcmp(u->port, "443") != 0)
			*r |= PR_UNUSUAL_PORT;
		if (curl_url_get(u->h, CURLUPART_USER, &u->user, 0) ==
			    CURLUE_OK && u->user != NULL)
			*r |= PR_USERINFO;
	}
	free(fixed);
	return rc;
}

/* ASCII lookalikes of the company's own domains ("paypa1.com", "rn" for
 * "m"): browsers show them as they are, so only we can warn. Top domains
 * are not compared this way: too many honest near-collisions. */
static unsigned
own_lookalike(const struct phish_engine *e, const char *reg)
{
	char sk[1024];
	const char *hit;
	int found;

	if (!is_ascii(reg) || skeleton(e->sc, reg, sk, sizeof(sk)) != 0)
		return 0;
	/* "0" maps to "O": compare case-blind. */
	for (char *q = sk; *q != '\0'; q++)
		*q = (char)tolower((unsigned char)*q);
	hit = sset_get(&e->own_skel, sk, &found);
	return found && strcmp(hit, reg) != 0 ? PR_CONFUSABLE_OWN : 0;
}

/* Hyphens people typed in the registrable domain, not those of "xn--". */
static size_t
typed_hyphens(const char *reg)
{
	size_t hy = 0;

	for (const char *p = reg; *p != '\0'; p++) {
		if ((p == reg || p[-1] == '.') && strncmp(p, "xn--", 4) == 0) {
			p += 3;
			continue;
		}
		hy += *p == '-';
	}
	return hy;
}

/* The subdomain part of host (before the registrable domain reg): many
 * labels, or a run of labels that spells a known domain. */
static unsigned
subdomain_reasons(const struct phish_engine *e, const char *host,
		  const char *reg)
{
	char sub[512];
	size_t sn, labels = 1;
	unsigned r = 0;
	int found;

	if (reg <= host)
		return 0;
	sn = (size_t)(reg - host) - 1;
	memcpy(sub, host, sn);
	sub[sn] = '\0';
	for (size_t i = 0; i < sn; i++)
		labels += sub[i] == '.';
	if (labels >= 4)
		r |= PR_MANY_SUBDOMAINS;
	for (size_t a = 0; a < sn && !(r & PR_BRAND_IN_SUBDOMAIN); a++) {
		if (a > 0 && sub[a - 1] != '.')
			continue;
		for (size_t b = a + 1; b <= sn; b++) {
			char save;

			if (b < sn && sub[b] != '.')
				continue;
			save = sub[b];
			sub[b] = '\0';
			(void)sset_get(&e->top, sub + a, &found);
			if (!found)
				(void)sset_get(&e->own, sub + a, &found);
			if (found && strchr(sub + a, '.') != NULL)
				r |= PR_BRAND_IN_SUBDOMAIN;
			sub[b] = save;
		}
	}
	return r;
}

/* The reasons of the registrable domain reg of the ASCII host. */
static unsigned
domain_reasons(const struct phish_engine *e, const char *host,
	       const char *reg)
{
	unsigned r = 0;
	int found;

	(void)sset_get(&e->own, reg, &found);
	if (found)
		r |= PR_OWN_DOMAIN;
	else
		r |= own_lookalike(e, reg);
	(void)sset_get(&e->short_, reg, &found);
	if (!found)
		(void)sset_get(&e->short_, host, &found);
	if (found)
		r |= PR_SHORTENER;
	if (typed_hyphens(reg) >= 2)
		r |= PR_HYPHENATED_DOMAIN;
	return r | subdomain_reasons(e, host, reg);
}

/* Judges the host (as parsed, any case) of l: fills l->host and
 * l->domain and adds the reasons to *r. 0 or -GH_INTERNAL. */
static int
judge_host(const struct phish_engine *e, struct phish_link *l,
	   const char *host, unsigned *r)
{
	char ascii[512];
	const char *reg;
	size_t hl = strlen(host);
	unsigned hr = 0;

	if (hl == 0 || hl >= sizeof(ascii)) {
		*r |= PR_INVALID_HOST;
		return 0;
	}
	for (size_t i = 0; i <= hl; i++)
		ascii[i] = (char)tolower((unsigned char)host[i]);
	while (hl > 0 && ascii[hl - 1] == '.')
		ascii[--hl] = '\0';
	l->host = strdup(ascii);
	if (l->host == NULL)
		return -GH_INTERNAL;
	if (is_ip_literal(ascii)) {
		*r |= PR_IP_HOST;
		return 0;
	}
	if (phish_host_safe(e, ascii, &hr) < 0)
		*r |= PR_INVALID_HOST;
	*r |= hr;
	if (!is_ascii(ascii)) {
		char *a = NULL;

		if (idn2_to_ascii_8z(ascii, &a, IDN2_NONTRANSITIONAL) !=
		    IDN2_OK) {
			*r |= PR_INVALID_HOST;
			return 0;
		}
		if (strlen(a) < sizeof(ascii))
			memcpy(ascii, a, strlen(a) + 1);
		idn2_free(a);
	}
	reg = psl_registrable_domain(e->psl, ascii);
	if (reg == NULL) {
		*r |= PR_NO_PUBLIC_SUFFIX;
		return 0;
	}
	l->domain = strdup(reg);
	if (l->domain == NULL)
		return -GH_INTERNAL;
	*r |= domain_reasons(e, ascii, reg);
	return 0;
}

int
phish_judge(const struct phish_engine *e, struct phish_link *l)
{
	struct url_parts u;
	unsigned r = 0;
	int rc;

	memset(&u, 0, sizeof(u));
	l->model_score = -1;
	if (strncasecmp(l->url, "javascript:", 11) == 0) {
		r |= PR_JAVASCRIPT_URL;
	} else if (strncasecmp(l->url, "data:", 5) == 0) {
		r |= PR_DATA_URL;
	} else {
		if (strlen(l->url) > 100)
			r |= PR_LONG_URL;
		if (has_words(l->url))
			r |= PR_SUSPICIOUS_WORDS;
		rc = url_parse(l->url, &u, &r);
		if (rc == 0)
			rc = judge_host(e, l, u.host, &r);
		if (rc < 0)
			goto out;
		l->model_score = phish_url_score(e, l->url);
		if (l->model_score >= phish_url_threshold)
			r |= PR_MODEL_SCORE;
	}
	if (l->text != NULL && l->domain != NULL) {
		char *td = text_domain(e, l->text);

		if (td != NULL && strcmp(td, l->domain) != 0)
			r |= PR_TEXT_MISMATCH;
		free(td);
	}
	l->reasons = r;
	l->score = phish_reasons_score(r);
	rc = 0;
out:
	url_parts_free(&u);
	return rc;
}

int
phish_analyse(const struct phish_engine *e, const char *msg, size_t len,
	      int is_html, struct phish_links *out)
{
	size_t first = out->n;
	int rc = is_html ? phish_extract_html(msg, len, out)
			 : phish_extract_text(msg, len, out);

	for (size_t i = first; rc == 0 && i < out->n; i++)
		rc = phish_judge(e, &out->v[i]);
	return rc;
}
