/*
 * The inbound link analyser: extracts links from a customer's plain-text
 * or HTML message (for HTML, the real target of each <a href> and the text
 * the customer sees) and judges each with a score and reason codes: IP
 * literal hosts, punycode and mixed-script or confusable hosts (ICU
 * uspoof skeletons against the company's own domains and the top-domains
 * list browsers use, restriction levels as Chromium applies them), the
 * registrable domain (libpsl), link text naming another domain than the
 * target, URL shorteners, user@host tricks, plain http, unusual ports,
 * data: and javascript: URLs, a few lexical signals, and the link model
 * (a logistic regression over URL-text features, urlmodel.c) whose 0..1
 * score each http(s) link carries. It never fetches anything. Defanging
 * for display is here too.
 *
 * It does not store, log or block anything; the caller decides what a
 * verdict means (the console shows links defanged with their reasons).
 */
#ifndef GH_CORE_PHISH_H
#define GH_CORE_PHISH_H

#include <stddef.h>
#include <stdint.h>

/* jansson's json_t, for the JSON form below; this header does not need
 * jansson.h. */
struct json_t;

/* Reason codes, one bit each. */
enum phish_reason {
	PR_IP_HOST = 1u << 0,		/* host is an IPv4/IPv6 literal */
	PR_PUNYCODE = 1u << 1,		/* host has an xn-- label */
	PR_MIXED_SCRIPT = 1u << 2,	/* uspoof: scripts mixed, invisible
					 * chars, digit lookalikes, letters
					 * outside the recommended set */
	PR_CONFUSABLE_OWN = 1u << 3,	/* looks like a company domain */
	PR_CONFUSABLE_TOP = 1u << 4,	/* looks like a well-known domain */
	PR_TEXT_MISMATCH = 1u << 5,	/* link text shows another domain */
	PR_SHORTENER = 1u << 6,		/* URL-shortening service */
	PR_USERINFO = 1u << 7,		/* user@host */
	PR_NOT_HTTPS = 1u << 8,
	PR_UNUSUAL_PORT = 1u << 9,
	PR_DATA_URL = 1u << 10,
	PR_JAVASCRIPT_URL = 1u << 11,
	PR_INVALID_HOST = 1u << 12,	/* unparsable or invalid IDN */
	PR_BRAND_IN_SUBDOMAIN = 1u << 13, /* e.g. paypal.com.evil.example */
	PR_MANY_SUBDOMAINS = 1u << 14,	/* 4+ labels before the domain */
	PR_SUSPICIOUS_WORDS = 1u << 15,	/* login, verify, account, ... */
	PR_LONG_URL = 1u << 16,		/* over 100 characters */
	PR_HYPHENATED_DOMAIN = 1u << 17, /* 2+ hyphens in the domain */
	PR_NO_PUBLIC_SUFFIX = 1u << 18,	/* not under a known suffix */
	PR_OWN_DOMAIN = 1u << 19,	/* the company's own (not a risk) */
	PR_MODEL_SCORE = 1u << 20,	/* link model score over the alarm
					 * threshold (urlmodel.c) */
	PR_COUNT_BITS = 21
};

struct phish_options {
	/* The company's own domains, lower-case ASCII (e.g. "example.com"). */
	const char *const *own_domains;
	size_t n_own_domains;
	/* A file of top domains (one a line, # comments) matched against
	 * instead of the built-in list; NULL for the built-in one. */
	const char *top_domains_file;
};

struct phish_engine;

/* Loads the public suffix list, the top-domains list (embedded, or
 * o->top_domains_file) and the shortener list and prepares the spoof
 * checker. Copies what it needs from *o (which may be NULL). Returns 0,
 * -GH_BAD_FIELD when the top-domains file cannot be read, or
 * -GH_INTERNAL. Thread-safe after. */
int phish_engine_new(const struct phish_options *o, struct phish_engine **out);
void phish_engine_free(struct phish_engine *e);

struct phish_link {
	char *url;		/* as written (entities decoded for HTML) */
	char *text;		/* visible text of an HTML link, or NULL */
	size_t start, end;	/* byte span of the URL in the message */
	char *host;		/* lower-case host as written, or NULL */
	char *domain;		/* registrable domain, or NULL */
	int score;		/* 0-100 */
	unsigned reasons;	/* enum phish_reason bits */
	double model_score;	/* link model, 0..1; -1 when not scored
				 * (not http(s), unparsable) */
};

struct phish_links {
	struct phish_link *v;
	size_t n, cap;
};

#define PHISH_MAX_LINKS 1000
#define PHISH_MAX_URL 8192

void phish_links_init(struct phish_links *l);
void phish_links_free(struct phish_links *l);

/* Appends the links found in text (http, https, www., data:, javascript:)
 * or in HTML (a and area href, with visible text; plus links in the text
 * outside tags). Returns 0, -GH_TOO_MANY_LINKS past PHISH_MAX_LINKS, or
 * -GH_INTERNAL. */
int phish_extract_text(const char *text, size_t len, struct phish_links *out);
int phish_extract_html(const char *html, size_t len, struct phish_links *out);

/* Fills host, domain, score and reasons of l. Returns 0 or -GH_INTERNAL. */
int phish_judge(const struct phish_engine *e, struct phish_link *l);

/* Extracts (HTML when is_html) and judges every link. */
int phish_analyse(const struct phish_engine *e, const char *msg, size_t len,
		  int is_html, struct phish_links *out);

/* Judges a host name alone, as browsers do before showing it in Unicode:
 * 1 safe, 0 unsafe (a homograph risk; *reasons says why), -1 invalid. */
int phish_host_safe(const struct phish_engine *e, const char *host,
		    unsigned *reasons);

/* Verdict for a score: "clean" below 30, "suspicious" below 60, else
 * "dangerous". */
const char *phish_verdict(int score);

/* Name of one reason bit ("ip_host", ...), NULL for an unknown bit. */
const char *phish_reason_name(unsigned bit);

/* The weight of one reason bit in the score. */
int phish_reason_weight(unsigned bit);

/* Defanged copy for display: "hxxps://evil[.]example/..." (scheme and
 * every dot of the host). The caller frees it; NULL on failure. */
char *phish_defang(const char *url);

/* The links as JSON: [{url (defanged), text, host, domain, score, verdict,
 * reasons: [...], start, end}]. NULL on allocation failure; the caller owns
 * the reference. */
struct json_t *phish_links_json(const struct phish_links *l);

/* The link model (urlmodel.c): a logistic regression over features of
 * the URL text and its hashed character n-grams, trained by
 * tools/train_url_model.py on the dev set only. */
#define PHISH_URL_NFEAT 34
/* The n-grams: every run of 3, 4 and 5 bytes of "^" + the URL, ASCII
 * lower-cased and without "http://" or "https://", + "$", hashed by
 * CRC-32 into 2^PHISH_URL_NGRAM_BITS buckets; each bucket counts once. */
#define PHISH_URL_NGRAM_BITS 16
#define PHISH_URL_NGRAMS ((size_t)1 << PHISH_URL_NGRAM_BITS)

/* The alarm threshold: at or above it a link gets PR_MODEL_SCORE. */
extern const double phish_url_threshold;

/* Fills f with the features of an http(s) URL ("www." is https). Returns
 * 0, or -1 for another scheme or an unparsable URL (f is then zeros). */
int phish_url_features(const struct phish_engine *e, const char *url,
		       double f[PHISH_URL_NFEAT]);

/* The name of feature i ("log_url_len", ...), NULL past the end. */
const char *phish_url_feature_name(size_t i);

/* The distinct n-gram buckets of url (see PHISH_URL_NGRAM_BITS) in
 * ascending order, at most max of them written to out; returns how many
 * there are (may exceed max). Any string is accepted. */
size_t phish_url_ngrams(const char *url, uint32_t *out, size_t max);

/* The model's probability (0..1) that a URL with features f and the
 * n-grams of url is a phishing URL. */
double phish_url_model_score(const double f[PHISH_URL_NFEAT],
			     const char *url);

/* The verdict score (0..100) of a set of reasons, as phish_judge() sets
 * it on a link: the training script asks what a link's verdict would be
 * with and without PR_MODEL_SCORE. */
int phish_reasons_score(unsigned reasons);

/* phish_url_features() then phish_url_model_score(); -1 when the URL has
 * no features. */
double phish_url_score(const struct phish_engine *e, const char *url);

#endif
