/*
 * gitleaks' default rules as data: loads data/gitleaks-rules.json (embedded
 * at build time), translates each Go (RE2) regex for PCRE2 and for
 * Hyperscan, and confirms a Hyperscan hit the way gitleaks decides a
 * finding: the leftmost match in a window, the secret group (or the first
 * non-empty group), the rule's keywords somewhere in the text, Shannon
 * entropy above the rule's floor (and a digit in generic secrets), then the
 * rule's and the global allow-lists (regexes on the secret, the match or
 * the line; stop-words in the secret).
 *
 * Translation: `\z` becomes `$` compiled with PCRE2_DOLLAR_ENDONLY (Go's
 * `$` without (?m) is the end of the text too); for Hyperscan also
 * `(?P<name>` becomes `(?:` and the optional `[\w.-]{0,50}?` prefix at the
 * start of the generic rules is dropped, which changes no match end.
 * Rules scoped to file paths (gitleaks' `path`) never apply to a message
 * and are counted, not run.
 *
 * Speed: a rule whose keywords are all DLP_GATE_KW_MIN+ characters long is
 * "gated": dlp.c looks for its keywords first (literals) and runs the rule
 * only near them, which is where a finding can be (the keyword check
 * below). `generic-api-key` (short, common keywords) gets a cheaper
 * Hyperscan trigger instead: its separator and the first characters of
 * the secret; the keyword group is checked by hand before the separator,
 * and PCRE2 confirms in a window around the hit. This file does not scan
 * text by itself: dlp.c runs Hyperscan and calls rules_confirm() on the
 * windows it raised.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/dlp/dlp_int.h"
#include "util/errors.h"

#define RULE_WINDOW_CAP 16384
#define PREFIX_SLACK 128

static char *
xstrdup_lower(const char *s)
{
	size_t n = strlen(s);
	char *o = malloc(n + 1);

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		o[i] = (char)tolower((unsigned char)s[i]);
	o[n] = '\0';
	return o;
}

/* Copies a Go regex, rewriting escapes; for Hyperscan also the named
 * groups and the leading optional prefixes. */
static char *
translate(const char *in, int for_hs)
{
	static const char prefix[] = "[\\w.-]{0,50}?";
	size_t n = strlen(in);
	char *o = malloc(n + 1);
	size_t i = 0, j = 0;

	if (o == NULL)
		return NULL;
	if (for_hs) {
		for (;;) {
			if (strncmp(in + i, "(?i)", 4) == 0 ||
			    strncmp(in + i, "(?i:", 4) == 0) {
				memcpy(o + j, in + i, 4);
				i += 4;
				j += 4;
			} else if (strncmp(in + i, prefix,
					   sizeof(prefix) - 1) == 0) {
				i += sizeof(prefix) - 1;
			} else {
				break;
			}
		}
	}
	while (i < n) {
		if (in[i] == '\\' && i + 1 < n) {
			if (in[i + 1] == 'z') {
				o[j++] = '$';
			} else {
				o[j++] = in[i];
				o[j++] = in[i + 1];
			}
			i += 2;
			continue;
		}
		if (for_hs && strncmp(in + i, "(?P<", 4) == 0) {
			const char *close = strchr(in + i + 4, '>');

			if (close != NULL) {
				o[j++] = '(';
				o[j++] = '?';
				o[j++] = ':';
				i = (size_t)(close - in) + 1;
				continue;
			}
		}
		o[j++] = in[i++];
	}
	o[j] = '\0';
	return o;
}

static pcre2_code *
compile_pcre(const char *go_re)
{
	char *t = translate(go_re, 0);
	pcre2_code *re = NULL;
	int errc;
	PCRE2_SIZE erro;

	if (t == NULL)
		return NULL;
	re = pcre2_compile((PCRE2_SPTR)t, PCRE2_ZERO_TERMINATED,
			   PCRE2_DOLLAR_ENDONLY, &errc, &erro, NULL);
	free(t);
	if (re != NULL)
		(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return re;
}

static void
allow_free(struct dlp_allow *a)
{
	for (size_t i = 0; i < a->n_re; i++)
		pcre2_code_free(a->re[i]);
	free(a->re);
	for (size_t i = 0; i < a->n_stop; i++)
		free(a->stop[i]);
	free(a->stop);
	memset(a, 0, sizeof(*a));
}

static int
allow_load(struct dlp_allow *a, json_t *j)
{
	json_t *re = json_object_get(j, "regexes");
	json_t *sw = json_object_get(j, "stopwords");
	const char *cond = json_string_value(json_object_get(j, "condition"));
	const char *tgt = json_string_value(json_object_get(j, "regexTarget"));
	size_t i;
	json_t *v;

	memset(a, 0, sizeof(*a));
	a->cond_and = cond != NULL && strcmp(cond, "AND") == 0;
	a->has_paths = json_array_size(json_object_get(j, "paths")) > 0;
	a->target = TARGET_SECRET;
	if (tgt != NULL && strcmp(tgt, "match") == 0)
		a->target = TARGET_MATCH;
	else if (tgt != NULL && strcmp(tgt, "line") == 0)
		a->target = TARGET_LINE;
	if (json_array_size(re) > 0) {
		a->re = calloc(json_array_size(re), sizeof(*a->re));
		if (a->re == NULL)
			return -GH_INTERNAL;
		json_array_foreach(re, i, v) {
			pcre2_code *c = compile_pcre(json_string_value(v));

			if (c == NULL)
				return -GH_INTERNAL;
			a->re[a->n_re++] = c;
		}
	}
	if (json_array_size(sw) > 0) {
		a->stop = calloc(json_array_size(sw), sizeof(*a->stop));
		if (a->stop == NULL)
			return -GH_INTERNAL;
		json_array_foreach(sw, i, v) {
			char *s = xstrdup_lower(json_string_value(v));

			if (s == NULL)
				return -GH_INTERNAL;
			a->stop[a->n_stop++] = s;
		}
	}
	return 0;
}

/* gitleaks' generic-api-key, and a trigger for it: the separator (its last
 * character), the optional quotes and the first 10 (12) characters of the
 * secret. Every match of the rule ends with a match of the trigger, at
 * most DLP_TRIGGER_BACK after the match starts. */
static const char generic_re[] =
	"(?i)[\\w.-]{0,50}?(?:access|auth|(?-i:[Aa]pi|API)|credential|creds|"
	"key|passw(?:or)?d|secret|token)(?:[ \\t\\w.-]{0,20})[\\s'\"]{0,3}"
	"(?:=|>|:{1,3}=|\\|\\||:|=>|\\?=|,)[\\x60'\"\\s=]{0,5}"
	"([\\w.=-]{10,150}|[a-z0-9][a-z0-9+/]{11,}={0,3})"
	"(?:[\\x60'\"\\s;]|\\\\[nr]|$)";
static const char generic_trigger[] =
	"(?i)[=>|:,][\\x60'\"\\s=]{0,5}(?:[\\w.=-]{10}|[a-z0-9][a-z0-9+/]{11})";
/* vault-service-token: its legacy branch starts with "s.", which ends
 * every other sentence ("...days."), and the word boundary, alternation
 * and trailing class around it made it a tenth of the main database's
 * work. In Hyperscan it runs as the bare tokens instead (a superset:
 * every match of the rule contains one, ending at most 8 bytes before the
 * rule's match ends); PCRE2 confirms the real rule around each hit as
 * for every rule. Matched by the exact regex, so a changed rule keeps
 * its own expression. */
static const char vault_re[] =
	"\\b((?:hvs\\.[\\w-]{90,120}|s\\.(?i:[a-z0-9]{24})))"
	"(?:[\\x60'\"\\s;]|\\\\[nr]|$)";
static const char vault_hs[] = "s\\.[A-Za-z0-9]{24}|hvs\\.[\\w-]{90,120}";
/* What each alternative of its keyword group contains. */
static const char *const generic_kw[] = {
	"access", "auth", "api", "credential", "creds", "key", "passw",
	"secret", "token",
};

static int
rule_load(struct dlp_rule *r, json_t *j)
{
	const char *id = json_string_value(json_object_get(j, "id"));
	const char *re = json_string_value(json_object_get(j, "regex"));
	json_t *kw = json_object_get(j, "keywords");
	json_t *al = json_object_get(j, "allowlists");
	size_t i;
	json_t *v;
	int rc;

	if (id == NULL)
		return -GH_INTERNAL;
	r->id = strdup(id);
	if (r->id == NULL)
		return -GH_INTERNAL;
	r->entropy = json_number_value(json_object_get(j, "entropy"));
	r->secret_group =
		(int)json_integer_value(json_object_get(j, "secretGroup"));
	r->generic = strncmp(id, "generic", 7) == 0;
	r->jwt = strcmp(id, "jwt") == 0;
	if (json_object_get(j, "path") != NULL || re == NULL) {
		r->mode = RULE_PATH;
		return 0;
	}
	r->re = compile_pcre(re);
	r->hs_expr = translate(re, 1);
	if (r->hs_expr == NULL)
		return -GH_INTERNAL;
	r->mode = r->re != NULL ? RULE_HS : RULE_FAILED;
	if (r->re != NULL && strcmp(re, vault_re) == 0) {
		free(r->hs_expr);
		r->hs_expr = strdup(vault_hs);
		if (r->hs_expr == NULL)
			return -GH_INTERNAL;
	}
	if (strcmp(re, generic_re) == 0) {
		r->hs_trigger = strdup(generic_trigger);
		if (r->hs_trigger == NULL)
			return -GH_INTERNAL;
	}
	if (json_array_size(kw) > 0) {
		r->kw = calloc(json_array_size(kw), sizeof(*r->kw));
		if (r->kw == NULL)
			return -GH_INTERNAL;
		json_array_foreach(kw, i, v) {
			char *s = xstrdup_lower(json_string_value(v));

			if (s == NULL)
				return -GH_INTERNAL;
			r->kw[r->n_kw++] = s;
			if (strlen(s) > r->kw_max)
				r->kw_max = strlen(s);
		}
	}
	r->gated = r->n_kw > 0 && r->hs_trigger == NULL;
	for (size_t k = 0; k < r->n_kw; k++)
		if (strlen(r->kw[k]) < DLP_GATE_KW_MIN)
			r->gated = 0;
	if (json_array_size(al) > 0) {
		r->allow = calloc(json_array_size(al), sizeof(*r->allow));
		if (r->allow == NULL)
			return -GH_INTERNAL;
		json_array_foreach(al, i, v) {
			rc = allow_load(&r->allow[r->n_allow], v);
			r->n_allow++;
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

int
rules_load(struct rule_set *rs, const char *text, size_t len)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, 0, &jerr);
	json_t *rules, *v;
	size_t i;
	int rc = -GH_INTERNAL;

	memset(rs, 0, sizeof(*rs));
	if (root == NULL)
		goto out;
	rules = json_object_get(root, "rules");
	if (!json_is_array(rules) || json_array_size(rules) == 0)
		goto out;
	rs->v = calloc(json_array_size(rules), sizeof(*rs->v));
	if (rs->v == NULL)
		goto out;
	json_array_foreach(rules, i, v) {
		rc = rule_load(&rs->v[rs->n], v);
		rs->n++;
		if (rc < 0)
			goto out;
	}
	rc = allow_load(&rs->global, json_object_get(root, "allowlist"));
out:
	json_decref(root);
	return rc;
}

void
rules_free(struct rule_set *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		struct dlp_rule *r = &rs->v[i];

		free(r->id);
		free(r->hs_expr);
		free(r->hs_trigger);
		pcre2_code_free(r->re);
		for (size_t k = 0; k < r->n_kw; k++)
			free(r->kw[k]);
		free(r->kw);
		for (size_t k = 0; k < r->n_allow; k++)
			allow_free(&r->allow[k]);
		free(r->allow);
	}
	free(rs->v);
	allow_free(&rs->global);
	memset(rs, 0, sizeof(*rs));
}

double
shannon_entropy(const char *s, size_t n)
{
	size_t counts[256] = {0};
	double h = 0.0;

	if (n == 0)
		return 0.0;
	for (size_t i = 0; i < n; i++)
		counts[(unsigned char)s[i]]++;
	for (size_t c = 0; c < 256; c++) {
		double p;

		if (counts[c] == 0)
			continue;
		p = (double)counts[c] / (double)n;
		h -= p * log2(p);
	}
	return h;
}

/* Case-insensitive search of a lower-case needle: the offset of the first
 * occurrence in hay[0, n), or n when there is none. */
static size_t
find_ci(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle), last;
	const char *lo, *up;
	unsigned char f, F;

	if (m == 0)
		return 0;
	if (m > n)
		return n;
	last = n - m + 1;	/* candidates start before this */
	f = (unsigned char)needle[0];
	F = (unsigned char)toupper(f);
	lo = memchr(hay, f, last);
	up = F != f ? memchr(hay, F, last) : NULL;
	while (lo != NULL || up != NULL) {
		const char *c = up == NULL || (lo != NULL && lo < up) ? lo : up;
		size_t at = (size_t)(c - hay), k;

		for (k = 1; k < m; k++)
			if (tolower((unsigned char)c[k]) !=
			    (unsigned char)needle[k])
				break;
		if (k == m)
			return at;
		if (c == lo)
			lo = memchr(c + 1, f, last - at - 1);
		else
			up = memchr(c + 1, F, last - at - 1);
	}
	return n;
}

static int
contains_ci(const char *hay, size_t n, const char *needle)
{
	return n == 0 ? needle[0] == '\0' : find_ci(hay, n, needle) < n;
}

/* gitleaks applies a rule only when one of its keywords is in the text;
 * we look in the text around the candidate (DLP_KW_REACH bytes either
 * side), which is the whole text for a reply of ordinary size and keeps
 * the cost bounded on large inputs. */
#define KW_REACH DLP_KW_REACH

static int
keywords_present(struct scan *s, const struct dlp_rule *r, size_t from,
		 size_t to)
{
	size_t a = from > KW_REACH ? from - KW_REACH : 0;
	size_t b = to + KW_REACH < s->len ? to + KW_REACH : s->len;
	size_t sa = a;

	if (r->n_kw == 0)
		return 1;
	/* The keyword found for the previous candidate of this rule. */
	if (s->kw_rule == r && s->kw_from >= a && s->kw_to <= b)
		return 1;
	/* Most rules' keywords are part of what they match ("akia" of an AWS
	 * key): look in the candidate itself first, a few bytes instead of
	 * the whole reach with a memchr stop at every "a". */
	for (size_t k = 0; k < r->n_kw && to > from; k++)
		if (find_ci(s->text + from, to - from, r->kw[k]) < to - from)
			return 1;
	/* Where the previous candidates found none, only the new part of
	 * the reach (with a keyword's length of overlap) is searched: the
	 * candidates of a rule come in order, so this stays linear. */
	if (s->nokw_rule == r && s->nokw_from <= a && a <= s->nokw_to) {
		if (b <= s->nokw_to)
			return 0;
		sa = s->nokw_to + 1 > a + r->kw_max ? s->nokw_to + 1 - r->kw_max
						     : a;
	}
	for (size_t k = 0; k < r->n_kw; k++) {
		size_t at = find_ci(s->text + sa, b - sa, r->kw[k]);

		if (at < b - sa) {
			s->kw_rule = r;
			s->kw_from = sa + at;
			s->kw_to = sa + at + strlen(r->kw[k]);
			return 1;
		}
	}
	if (s->nokw_rule != r || !(s->nokw_from <= a && a <= s->nokw_to))
		s->nokw_from = a;
	s->nokw_rule = r;
	s->nokw_to = b;
	return 0;
}

/* The trigger ends 11-18 bytes after the separator's last character; the
 * keyword ends at most 26 bytes before it (gap, quotes, `:::=`) and is at
 * most 10 long. */
int
rules_trigger_ok(const struct dlp_rule *r, const char *t, size_t to)
{
	size_t a = to > 64 ? to - 64 : 0;
	size_t b = to > 11 ? to - 11 : 0;

	(void)r;
	for (size_t k = 0; k < sizeof(generic_kw) / sizeof(generic_kw[0]); k++)
		if (b > a && contains_ci(t + a, b - a, generic_kw[k]))
			return 1;
	return 0;
}

static int
secret_char(int c)
{
	return isalnum(c) || c == '_' || c == '.' || c == '=' || c == '-' ||
	       c == '+' || c == '/';
}

/* The end of the run of secret characters a trigger hit is in, capped. */
size_t
rules_trigger_end(const char *t, size_t len, size_t to)
{
	size_t cap = to + RULE_WINDOW_CAP < len ? to + RULE_WINDOW_CAP : len;

	while (to < cap && secret_char((unsigned char)t[to]))
		to++;
	return to;
}

static int
re_matches(struct scan *s, const pcre2_code *re, const char *p, size_t n)
{
	int rc = pcre2_match(re, (PCRE2_SPTR)p, n, 0, 0, s->md, s->mctx);

	return rc >= 0 || rc == PCRE2_ERROR_PARTIAL;
}

static int
stopword_in(const struct dlp_allow *a, const char *secret, size_t n)
{
	char buf[512];

	if (a->n_stop == 0)
		return 0;
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)secret[i]);
	buf[n] = '\0';
	for (size_t i = 0; i < a->n_stop; i++)
		if (strstr(buf, a->stop[i]) != NULL)
			return 1;
	return 0;
}

struct cand {
	size_t ms, me;		/* whole match */
	size_t ss, se;		/* secret */
	size_t ls, le;		/* line */
};

static int
allowed_by(struct scan *s, const struct dlp_allow *a, const struct cand *c)
{
	const char *t = s->text;
	int re_hit = 0, stop_hit;
	size_t from = c->ss, to = c->se;

	if (a->target == TARGET_MATCH) {
		from = c->ms;
		to = c->me;
	} else if (a->target == TARGET_LINE) {
		from = c->ls;
		to = c->le;
	}
	for (size_t i = 0; i < a->n_re && !re_hit; i++)
		re_hit = re_matches(s, a->re[i], t + from, to - from);
	stop_hit = stopword_in(a, t + c->ss, c->se - c->ss);
	if (a->cond_and) {
		/* Paths never match a message, so a path condition fails. */
		if (a->has_paths)
			return 0;
		if (a->n_re > 0 && !re_hit)
			return 0;
		if (a->n_stop > 0 && !stop_hit)
			return 0;
		return a->n_re > 0 || a->n_stop > 0;
	}
	return re_hit || stop_hit;
}

static int
b64url_val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-' || c == '+')
		return 62;
	if (c == '_' || c == '/')
		return 63;
	return -1;
}

/* A JWT's first segment must decode to a JSON object. */
static int
jwt_header_ok(const char *p, size_t n)
{
	char out[96];
	size_t o = 0, bits = 0;
	unsigned acc = 0;

	for (size_t i = 0; i < n && p[i] != '.' && o < sizeof(out); i++) {
		int v = b64url_val((unsigned char)p[i]);

		if (v < 0)
			return 0;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	return o >= 2 && out[0] == '{' && out[1] == '"';
}

static int
accept(struct scan *s, const struct rule_set *rs, const struct dlp_rule *r,
       const struct cand *c)
{
	const char *sec = s->text + c->ss;
	size_t n = c->se - c->ss;

	if (!keywords_present(s, r, c->ms, c->me))
		return 0;
	if (r->entropy != 0.0) {
		int digit = 0;

		if (shannon_entropy(sec, n) <= r->entropy)
			return 0;
		for (size_t i = 0; i < n && !digit; i++)
			digit = isdigit((unsigned char)sec[i]) != 0;
		if (r->generic && !digit)
			return 0;
	}
	if (r->jwt && !jwt_header_ok(sec, n))
		return 0;
	for (size_t i = 0; i < r->n_allow; i++)
		if (allowed_by(s, &r->allow[i], c))
			return 0;
	if (allowed_by(s, &rs->global, c))
		return 0;
	return 1;
}

void
rules_confirm(struct scan *s, const struct rule_set *rs,
	      const struct dlp_rule *r, size_t from, size_t to)
{
	size_t pos = from;
	uint32_t opts;

	/* A little past the hit: Hyperscan's `$` also ends before a final
	 * newline, where PCRE2 (DOLLAR_ENDONLY, as Go) wants to consume it. */
	to = to + 8 < s->len ? to + 8 : s->len;
	opts = to < s->len ? PCRE2_NOTEOL : 0;

	while (pos < to) {
		int rc = pcre2_match(r->re, (PCRE2_SPTR)s->text, to, pos,
				     opts, s->md, s->mctx);
		PCRE2_SIZE *ov;
		struct cand c;

		if (rc < 0) {
			if (rc != PCRE2_ERROR_NOMATCH)
				s->err = -GH_INTERNAL;
			return;
		}
		ov = pcre2_get_ovector_pointer(s->md);
		c.ms = c.ss = ov[0];
		c.me = c.se = ov[1];
		if (rc >= 2) {
			if (r->secret_group > 0) {
				if (r->secret_group < rc &&
				    ov[2 * r->secret_group] != PCRE2_UNSET) {
					c.ss = ov[2 * r->secret_group];
					c.se = ov[2 * r->secret_group + 1];
				}
			} else {
				for (int g = 1; g < rc; g++) {
					if (ov[2 * g] != PCRE2_UNSET &&
					    ov[2 * g + 1] > ov[2 * g]) {
						c.ss = ov[2 * g];
						c.se = ov[2 * g + 1];
						break;
					}
				}
			}
		}
		c.ls = c.ms;
		while (c.ls > 0 && s->text[c.ls - 1] != '\n')
			c.ls--;
		c.le = c.me;
		while (c.le < s->len && s->text[c.le] != '\n')
			c.le++;
		if (c.se > c.ss && accept(s, rs, r, &c)) {
			if (finding_add(s, "secret", r->id, c.ss, c.se) < 0)
				return;
		}
		pos = c.me > pos ? c.me : pos + 1;
	}
}

size_t
rules_window(size_t hs_max_width)
{
	if (hs_max_width > RULE_WINDOW_CAP)
		return RULE_WINDOW_CAP + PREFIX_SLACK;
	return hs_max_width + PREFIX_SLACK;
}
