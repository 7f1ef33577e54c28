/*
 * The link model: a logistic regression over features of the URL text
 * alone (never fetched). This file is the ONE implementation of the
 * features: the server scores links with it, and the training script
 * (tools/train_url_model.py) reads the same vectors through the
 * gh-url-features tool, so training and serving cannot drift apart. The
 * weights are the generated table in urlmodel_weights.c.
 *
 * Invariant: phish_url_features() fills exactly PHISH_URL_NFEAT values in
 * the order of feat_names[], and the weight table has that many entries.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <zlib.h>

#include "core/phish/phish_int.h"
#include "core/phish/urlmodel_int.h"
#include "util/errors.h"

static const char *const feat_names[PHISH_URL_NFEAT] = {
	"log_url_len", "log_host_len", "path_depth", "host_digits",
	"host_entropy", "path_words", "subdomain_words", "brand_outside",
	"ip_literal", "shortener", "risky_tld", "punycode", "subdomains",
	"at_sign", "host_hyphens", "path_hyphens", "log_query_len",
	"not_https", "no_public_suffix", "path_digits", "unusual_port",
	"php_page", "double_slash", "top_domain", "www_prefix",
	"user_content_host", "document_path", "log_path_len", "url_digit_ratio",
	"url_specials", "url_dots", "domain_label_len", "consonant_run",
	"tld_com",
};

const char *
phish_url_feature_name(size_t i)
{
	return i < PHISH_URL_NFEAT ? feat_names[i] : NULL;
}

/* Services where anyone can publish a page or a file under the
 * service's own domain: the registrable domain says nothing about the
 * author. A host equal to or under one of these counts. */
static const char *const user_hosts[] = {
	"sites.google.com", "docs.google.com", "drive.google.com",
	"forms.gle", "storage.googleapis.com", "firebaseapp.com", "web.app",
	"dropbox.com", "box.com", "weebly.com", "wixsite.com", "wix.com",
	"000webhostapp.com", "tumblr.com", "blogspot.com", "github.io",
	"herokuapp.com", "netlify.app", "vercel.app", "pages.dev",
	"workers.dev", "codesandbox.io", "csb.app", "glitch.me", "ngrok.io",
	"azurewebsites.net", "godaddysites.com", "yolasite.com", "webflow.io",
	"square.site", "typeform.com", "jimdo.com", "jimdosite.com",
	"repl.co", "surge.sh", "sharepoint.com", "onedrive.live.com",
	"1drv.ms", "wordpress.com", "myshopify.com", "blogger.com",
	"imcreator.com", "strikingly.com", "mystrikingly.com", "carrd.co",
	"linktr.ee", "ipfs.io", NULL};

/* Words phishing pages put in paths and subdomains. */
static const char *const sus_words[] = {
	"login", "log-in", "signin", "sign-in", "verif", "account",
	"update", "secure", "banking", "confirm", "password", "webscr",
	"wallet", "suspend", "unlock", "billing", "recover", "authenticate",
	"support", "service", "payment", "invoice", "alert", NULL};

/* Top-level domains the abuse reports (Spamhaus, Interisle) rank as most
 * abused; a prior, not taken from the data set. */
static const char *const risky_tlds[] = {
	"tk", "ml", "ga", "cf", "gq", "xyz", "top", "club", "online", "site",
	"buzz", "icu", "live", "work", "info", "ru", "cn", "su", "pw", "cc",
	"biz", "rest", "fit", "monster", "shop", "store", "vip", NULL};

static int
user_host(const char *h)
{
	size_t hl = strlen(h);

	for (size_t i = 0; user_hosts[i] != NULL; i++) {
		size_t n = strlen(user_hosts[i]);

		if (hl >= n && strcmp(h + hl - n, user_hosts[i]) == 0 &&
		    (hl == n || h[hl - n - 1] == '.'))
			return 1;
	}
	return 0;
}

/* Length of the longest run of consonants (letters other than aeiouy):
 * generated host names have long ones. */
static size_t
consonant_run(const char *s)
{
	size_t run = 0, best = 0;

	for (; *s != '\0'; s++) {
		if (isalpha((unsigned char)*s) && strchr("aeiouy", *s) == NULL)
			run++;
		else
			run = 0;
		if (run > best)
			best = run;
	}
	return best;
}

static size_t
count_words(const char *s)
{
	size_t n = 0;

	for (size_t i = 0; sus_words[i] != NULL; i++)
		n += strstr(s, sus_words[i]) != NULL;
	return n;
}

static double
entropy(const char *s)
{
	size_t cnt[256] = {0}, n = strlen(s);
	double h = 0;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		cnt[(unsigned char)s[i]]++;
	for (size_t i = 0; i < 256; i++)
		if (cnt[i] != 0) {
			double p = (double)cnt[i] / (double)n;

			h -= p * log2(p);
		}
	return h;
}

static size_t
count_ch(const char *s, const char *set)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += strchr(set, *s) != NULL;
	return n;
}

/* 1 when a token of s (letters and digits, 4+ long) is the first label of
 * a top domain under .com ("paypal" in "/paypal/login"): a brand named
 * outside the registrable domain. */
static int
brand_in(const struct phish_engine *e, const char *s)
{
	char tok[64];
	size_t k = 0;
	int found = 0;

	for (const char *p = s;; p++) {
		if (isalnum((unsigned char)*p) && k + 5 < sizeof(tok)) {
			tok[k++] = *p;
			continue;
		}
		if (k >= 4) {
			memcpy(tok + k, ".com", 5);
			(void)sset_get(&e->top, tok, &found);
			if (found)
				return 1;
		}
		k = 0;
		if (*p == '\0')
			return 0;
	}
}

/* The lower-case parts of a URL the features read. */
struct url_text {
	char scheme[16], host[512], path[PHISH_MAX_URL + 1];
	char query[PHISH_MAX_URL + 1];
	int port_unusual, has_user;
};

static void
copy_lower(char *dst, size_t cap, const char *src)
{
	size_t i = 0;

	for (; src != NULL && src[i] != '\0' && i + 1 < cap; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

/* Splits url with libcurl ("www." gets "https://"). 0 or -1. */
static int
url_split(const char *url, struct url_text *t)
{
	CURLU *h = curl_url();
	char *s = NULL, *ho = NULL, *pa = NULL, *q = NULL, *po = NULL;
	char *us = NULL, fixed[PHISH_MAX_URL + 16];
	int rc = -1;

	memset(t, 0, sizeof(*t));
	if (h == NULL || strlen(url) > PHISH_MAX_URL)
		goto out;
	if (strncasecmp(url, "www.", 4) == 0) {
		memcpy(fixed, "https://", 8);
		memcpy(fixed + 8, url, strlen(url) + 1);
		url = fixed;
	}
	if (curl_url_set(h, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) !=
		    CURLUE_OK ||
	    curl_url_get(h, CURLUPART_HOST, &ho, 0) != CURLUE_OK)
		goto out;
	(void)curl_url_get(h, CURLUPART_SCHEME, &s, 0);
	(void)curl_url_get(h, CURLUPART_PATH, &pa, 0);
	(void)curl_url_get(h, CURLUPART_QUERY, &q, 0);
	if (curl_url_get(h, CURLUPART_PORT, &po, 0) == CURLUE_OK && po != NULL)
		t->port_unusual = strcmp(po, "80") != 0 && strcmp(po, "443") != 0;
	t->has_user = curl_url_get(h, CURLUPART_USER, &us, 0) == CURLUE_OK;
	copy_lower(t->scheme, sizeof(t->scheme), s);
	copy_lower(t->host, sizeof(t->host), ho);
	copy_lower(t->path, sizeof(t->path), pa);
	copy_lower(t->query, sizeof(t->query), q);
	rc = 0;
out:
	curl_free(s);
	curl_free(ho);
	curl_free(pa);
	curl_free(q);
	curl_free(po);
	curl_free(us);
	curl_url_cleanup(h);
	return rc;
}

/* Features of the host and its registrable domain. */
static void
host_features(const struct phish_engine *e, const struct url_text *t,
	      double *f)
{
	const char *h = t->host, *reg = NULL, *dot = strrchr(h, '.');
	char sub[512] = "";
	int found = 0;

	f[F_LOG_HOST_LEN] = log1p((double)strlen(h));
	f[F_HOST_DIGITS] = (double)count_ch(h, "0123456789");
	f[F_HOST_ENTROPY] = entropy(h);
	f[F_IP_LITERAL] = is_ip_literal(h);
	f[F_PUNYCODE] = strstr(h, "xn--") != NULL;
	f[F_HOST_HYPHENS] = (double)count_ch(h, "-");
	f[F_WWW] = strncmp(h, "www.", 4) == 0;
	f[F_USER_HOST] = user_host(h);
	f[F_CONSONANTS] = (double)consonant_run(h);
	f[F_TLD_COM] = dot != NULL && strcmp(dot, ".com") == 0;
	for (size_t i = 0; dot != NULL && risky_tlds[i] != NULL; i++)
		if (strcmp(dot + 1, risky_tlds[i]) == 0)
			f[F_RISKY_TLD] = 1;
	if (f[F_IP_LITERAL] != 0)
		return;
	reg = psl_registrable_domain(e->psl, h);
	if (reg == NULL) {
		f[F_NO_SUFFIX] = 1;
		return;
	}
	(void)sset_get(&e->short_, reg, &found);
	f[F_SHORTENER] = found;
	(void)sset_get(&e->top, reg, &found);
	f[F_TOP_DOMAIN] = found;
	f[F_LABEL_LEN] = (double)strcspn(reg, ".");
	if (reg > h && (size_t)(reg - h) <= sizeof(sub)) {
		memcpy(sub, h, (size_t)(reg - h) - 1);
		sub[reg - h - 1] = '\0';
	}
	f[F_SUBDOMAINS] = sub[0] == '\0' ? 0 : 1 + (double)count_ch(sub, ".");
	f[F_SUB_WORDS] = (double)count_words(sub);
	f[F_BRAND_OUTSIDE] = brand_in(e, sub);
}

int
phish_url_features(const struct phish_engine *e, const char *url,
		   double f[PHISH_URL_NFEAT])
{
	struct url_text *t = malloc(sizeof(*t));
	int rc = -1;

	memset(f, 0, PHISH_URL_NFEAT * sizeof(f[0]));
	if (t == NULL || url_split(url, t) != 0)
		goto out;
	if (strcmp(t->scheme, "http") != 0 && strcmp(t->scheme, "https") != 0)
		goto out;
	f[F_LOG_URL_LEN] = log1p((double)strlen(url));
	f[F_PATH_DEPTH] = (double)count_ch(t->path, "/");
	f[F_PATH_WORDS] = (double)(count_words(t->path) +
				   count_words(t->query));
	f[F_AT_SIGN] = t->has_user || strchr(url, '@') != NULL;
	f[F_PATH_HYPHENS] = (double)count_ch(t->path, "-");
	f[F_LOG_QUERY_LEN] = log1p((double)strlen(t->query));
	f[F_NOT_HTTPS] = strcmp(t->scheme, "https") != 0;
	f[F_PATH_DIGITS] = (double)count_ch(t->path, "0123456789");
	f[F_UNUSUAL_PORT] = t->port_unusual;
	f[F_PHP] = strstr(t->path, ".php") != NULL;
	f[F_DOUBLE_SLASH] = strstr(t->path, "//") != NULL;
	f[F_DOCUMENT] = strstr(t->path, ".pdf") != NULL ||
			strstr(t->path, ".doc") != NULL;
	f[F_LOG_PATH_LEN] = log1p((double)strlen(t->path));
	f[F_DIGIT_RATIO] = (double)count_ch(url, "0123456789") /
			   (double)strlen(url);
	f[F_SPECIALS] = (double)count_ch(url, "=&%_~+!*$,;");
	f[F_DOTS] = (double)count_ch(url, ".");
	host_features(e, t, f);
	if (f[F_BRAND_OUTSIDE] == 0)
		f[F_BRAND_OUTSIDE] = brand_in(e, t->path);
	rc = 0;
out:
	free(t);
	return rc;
}

/* Marks in bm the n-gram buckets of url (phish.h, PHISH_URL_NGRAM_BITS). */
static void
ngram_marks(const char *url, uint64_t bm[PHISH_URL_NGRAMS / 64])
{
	size_t n = strlen(url), skip = 0;
	unsigned char *s = malloc(n + 3);

	memset(bm, 0, PHISH_URL_NGRAMS / 8);
	if (s == NULL)
		return;
	if (strncasecmp(url, "https://", 8) == 0)
		skip = 8;
	else if (strncasecmp(url, "http://", 7) == 0)
		skip = 7;
	n -= skip;
	s[0] = '^';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)url[skip + i];

		s[i + 1] = c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
	}
	s[n + 1] = '$';
	for (size_t g = 3; g <= 5; g++)
		for (size_t i = 0; i + g <= n + 2; i++) {
			uint32_t h = (uint32_t)crc32(0L, s + i, (uInt)g) &
				     (PHISH_URL_NGRAMS - 1);

			bm[h / 64] |= (uint64_t)1 << (h % 64);
		}
	free(s);
}

size_t
phish_url_ngrams(const char *url, uint32_t *out, size_t max)
{
	uint64_t bm[PHISH_URL_NGRAMS / 64];
	size_t k = 0;

	ngram_marks(url, bm);
	for (size_t w = 0; w < PHISH_URL_NGRAMS / 64; w++)
		for (uint64_t b = bm[w]; b != 0; b &= b - 1) {
			if (k < max)
				out[k] = (uint32_t)(w * 64 +
					 (size_t)__builtin_ctzll(b));
			k++;
		}
	return k;
}

double
phish_url_model_score(const double f[PHISH_URL_NFEAT], const char *url)
{
	uint64_t bm[PHISH_URL_NGRAMS / 64];
	double z = urlmodel_bias;
	long q = 0;

	for (size_t i = 0; i < PHISH_URL_NFEAT; i++)
		z += urlmodel_weights[i] * f[i];
	ngram_marks(url, bm);
	for (size_t w = 0; w < PHISH_URL_NGRAMS / 64; w++)
		for (uint64_t b = bm[w]; b != 0; b &= b - 1)
			q += urlmodel_ngram[w * 64 +
					    (size_t)__builtin_ctzll(b)];
	z += (double)q * urlmodel_ngram_scale;
	return 1.0 / (1.0 + exp(-z));
}

double
phish_url_score(const struct phish_engine *e, const char *url)
{
	double f[PHISH_URL_NFEAT];

	if (phish_url_features(e, url, f) != 0)
		return -1;
	return phish_url_model_score(f, url);
}
