/*
 * Internal to the outbound filter: what its files share (the rules, the
 * built-in detectors, one scan in progress, the normalised view of a text,
 * the notes index, findings). Nothing here is part of the module's
 * contract. Which file does what:
 *   engine.c, compile.c   the engine and its Hyperscan databases
 *   scan.c                dlp_scan(): one pass, validators, mapping back
 *   normalise.c           NFKC, format characters dropped, offset map
 *   rules.c               gitleaks' rules: loading and confirming
 *   patterns.c            the built-ins' triggers and their dispatch
 *   digits.c              the digit built-ins' triggers, without Hyperscan
 *   checksums.c           Luhn, issuer ranges, IBAN registry, SSA, HMRC, ABA
 *   numbers.c             cards, IBANs, SSNs, NINOs, routing numbers
 *   contacts.c            e-mail addresses and phone numbers
 *   credentials.c         auth/cookie headers, cut-off private keys
 *   foreign.c             other customers' values, dlp_fingerprint()
 *   notes.c               text copied from internal notes
 *   har.c                 session material in HAR files
 *   findings.c            adding, tidying, offsets, redaction
 *   encode.c              the JSON form (the only JSON output)
 */
#ifndef GH_CORE_DLP_INT_H
#define GH_CORE_DLP_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dlp/dlp.h"
#include "util/embed.h"

extern const struct embedded_file dlp_data[];

/* How a gitleaks rule is run. */
enum rule_mode { RULE_HS, RULE_PCRE, RULE_PATH, RULE_FAILED };
/* What an allow-list regex is matched against. */
enum allow_target { TARGET_SECRET, TARGET_MATCH, TARGET_LINE };

struct dlp_allow {
	int cond_and;
	int has_paths;
	enum allow_target target;
	pcre2_code **re;
	size_t n_re;
	char **stop;
	size_t n_stop;
};

struct dlp_rule {
	char *id;
	char *hs_expr;		/* translated for Hyperscan */
	char *hs_trigger;	/* cheaper expression run instead, or NULL */
	pcre2_code *re;
	enum rule_mode mode;
	double entropy;
	int secret_group;
	int generic;		/* id starts with "generic" */
	int jwt;		/* header must decode to a JSON object */
	size_t window;		/* bytes before a hit end to search */
	char **kw;		/* lower-case keywords */
	size_t n_kw;
	size_t kw_max;		/* length of the longest keyword */
	int gated;		/* run only near one of its keywords */
	struct dlp_allow *allow;
	size_t n_allow;
};

/* Built-in detectors, numbered after the rules in the Hyperscan database. */
enum builtin {
	B_CARD, B_IBAN, B_SSN, B_NINO, B_ABA, B_EMAIL, B_PHONE, B_HEADER,
	B_PKEY, B_COUNT
};
#define BUILTIN_BASE 100000u

struct rule_set {
	struct dlp_rule *v;
	size_t n;
	struct dlp_allow global;
};

/* Answers of the caller's foreign_value() in one scan (foreign.c): a slot
 * is filled when its gen is the scan's. */
#define FCACHE_SLOTS 256
struct fcache_slot {
	uint64_t h;
	uint32_t gen, len;
	char kind;		/* the kind's first letter: all differ */
	int res;
};
struct fcache {
	struct fcache_slot v[FCACHE_SLOTS];
	uint32_t gen;
	size_t used;
};

/* One scan in progress. */
struct scan {
	const struct dlp_engine *e;
	const struct dlp_context *ctx;
	const char *text;
	size_t len;
	struct dlp_findings *out;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	/* Where a keyword of kw_rule was last found (rules.c). */
	const struct dlp_rule *kw_rule;
	size_t kw_from, kw_to;
	/* No keyword of nokw_rule lies wholly within [nokw_from, nokw_to). */
	const struct dlp_rule *nokw_rule;
	size_t nokw_from, nokw_to;
	struct fcache *fc;	/* NULL: every value is looked up */
	int err;
};

/* A rule applies only when one of its keywords is this close to a match
 * (gitleaks: anywhere in the text). */
#define DLP_KW_REACH 4096
/* Shortest keyword that gates a rule (shorter ones are in every text). */
#define DLP_GATE_KW_MIN 4
/* A trigger hit (hs_trigger) ends less than this far after the start of
 * the rule's match: PCRE2 searches from there. */
#define DLP_TRIGGER_BACK 256

/* rules.c */
int rules_load(struct rule_set *rs, const char *json, size_t len);
void rules_free(struct rule_set *rs);
/* Confirms rule r over the window [from, to) of the text. */
void rules_confirm(struct scan *s, const struct rule_set *rs,
		   const struct dlp_rule *r, size_t from, size_t to);
double shannon_entropy(const char *s, size_t n);
/* For a trigger hit ending at `to`: whether the text before it can hold
 * the rule's keyword, and where the secret run it starts ends. */
int rules_trigger_ok(const struct dlp_rule *r, const char *t, size_t to);
size_t rules_trigger_end(const char *t, size_t len, size_t to);
/* The window a rule needs before a hit's end, from Hyperscan's width. */
size_t rules_window(size_t hs_max_width);

/* patterns.c: the Hyperscan trigger of each built-in and how far before
 * a hit's end its candidates may start. */
const char *pii_trigger(enum builtin b, unsigned *flags, size_t *back);
/* The phone expression, run only over the runs of phone characters
 * around a B_PHONE trigger hit ending at `to`: see pii_phone_run. */
const char *pii_phone_expr(void);
int pii_phone_run(const char *t, size_t len, size_t to, size_t *ra,
		  size_t *rb);
/* Runs built-in b's extractor and validator over the window [from, to). */
void pii_confirm(struct scan *s, enum builtin b, size_t from, size_t to);

/* digits.c: whether built-in b's trigger is found by digit_triggers()
 * instead of Hyperscan (cards, IBANs, SSNs, NINOs, ABA, phones), and the
 * walk itself: reports every end offset at which b's trigger
 * (pii_trigger()) matches in t[0, len), as Hyperscan would, in increasing
 * order per detector, a run of consecutive ends [first, last] in one call
 * of hit. Stops when hit returns non-zero and returns 1 then, else 0. */
int digit_builtin(enum builtin b);
/* The offset of the first ASCII digit of t[i, len), or len. */
size_t next_digit(const char *t, size_t len, size_t i);
int digit_triggers(const char *t, size_t len,
		   int (*hit)(void *cls, enum builtin b, size_t first,
			      size_t last),
		   void *cls);

/* checksums.c: each takes the compact value (digits, or upper-case letters
 * and digits) and returns 1 when it is valid. */
int luhn_ok(const char *digits, size_t n);
int card_issuer_ok(const char *digits, size_t n);
int iban_ok(const char *compact, size_t n);
/* The IBAN length of country cc (two upper-case letters), 0 when the
 * registry does not know it. */
size_t iban_length(const char *cc);
int ssn_ok(const char *d9);
int nino_ok(const char *compact9);
int aba_ok(const char *d9);
/* 1 when d[0, n) is one character repeated. */
int all_same(const char *d, size_t n);

/* numbers.c, contacts.c, credentials.c: the extractors pii_confirm() runs;
 * each looks for candidate starts in [from, to) and reads the whole
 * candidate, which may run past `to`. */
void card_extract(struct scan *s, size_t from, size_t to);
void iban_extract(struct scan *s, size_t from, size_t to);
void ssn_extract(struct scan *s, size_t from, size_t to);
void nino_extract(struct scan *s, size_t from, size_t to);
void aba_extract(struct scan *s, size_t from, size_t to);
void email_extract(struct scan *s, size_t from, size_t to);
void phone_extract(struct scan *s, size_t from, size_t to);
void header_extract(struct scan *s, size_t from, size_t to);
void pkey_extract(struct scan *s, size_t from, size_t to);
/* Own/foreign checks used by the e-mail and phone detectors. */
int email_is_own(const struct dlp_context *ctx, const char *addr, size_t n);
int phone_is_own(const struct dlp_context *ctx, const char *p, size_t n);
/* The last 9 digits of a phone number (all of them when fewer) into out
 * (16 bytes); returns how many. */
size_t phone_norm(const char *p, size_t n, char *out);

/* foreign.c */
void foreign_scan(struct scan *s);
int foreign_check(struct scan *s, const char *kind, const char *v, size_t n);

/* normalise.c: the view of a text the detectors scan. NORM_DROP_CF drops
 * the format characters, NORM_KEEP_CF keeps them (the note check's second
 * look, where they separate words). */
enum norm_cf { NORM_DROP_CF, NORM_KEEP_CF };

/* View bytes [n, n + nlen) stand for original bytes [o, o + olen). */
struct norm_edit {
	uint32_t n, o, nlen, olen;
};

struct norm_view {
	const char *text;	/* the view: the original text or buf */
	size_t len;
	char *buf;		/* NUL-ended copy, or NULL when unchanged */
	struct norm_edit *ed;	/* in view order */
	size_t n_ed, cap_ed;
	int had_cf;		/* format characters were dropped */
};

/* Makes the view of t[0, len) (which must stay valid while the view is
 * used). 0, -GH_BODY_TOO_LARGE when the view would exceed DLP_MAX_TEXT,
 * or -GH_INTERNAL. Free with norm_view_free(). */
int norm_view_init(struct norm_view *v, const char *t, size_t len,
		   enum norm_cf cf);
void norm_view_free(struct norm_view *v);
/* The original offset of a span's start and of its end p in the view: a
 * span grows to cover every original byte its view bytes came from. */
size_t norm_orig_start(const struct norm_view *v, size_t p);
size_t norm_orig_end(const struct norm_view *v, size_t p);

/* notes.c: the word 8-gram hashes of the ticket's notes (each note's view,
 * and its view with format characters kept when it had any). */
#define NOTE_WORD_BITS 4096

struct note_index {
	uint64_t *slot;		/* NULL: nothing to find */
	size_t mask;
	/* A bit per word hash (mod NOTE_WORD_BITS) of every word of the
	 * notes: a reply's 8-gram is looked up only when its eight words
	 * all have their bit set. */
	uint64_t words[NOTE_WORD_BITS / 64];
};

/* Indexes ctx's notes. 0, -GH_NOTES_TOO_LARGE when they hold more words
 * than ctx->max_note_words (index empty), -GH_INTERNAL. */
int notes_index(const struct dlp_context *ctx, struct note_index *ix);
void notes_index_free(struct note_index *ix);
/* Adds an "internal_note" finding for each run of DLP_NOTE_WORDS or more
 * words of s->text found in ix. 0 or s->err. */
int notes_find(struct scan *s, const struct note_index *ix);

/* findings.c: adds a finding to s->out (0, or -1 with s->err set); sorts
 * v[0, n) by start and drops duplicates and shadowed findings (returns
 * how many stay); fills cstart/cend of v[0, n), sorted by start. */
int finding_add(struct scan *s, const char *type, const char *rule,
		size_t start, size_t end);
size_t findings_tidy(struct dlp_finding *v, size_t n);
void dlp_char_offsets(const char *t, size_t len, struct dlp_finding *v,
		      size_t n);

/* For the evaluation only: 1 when rule_id's own regex matches somewhere in
 * text, 0 when not, -1 for an unknown rule. */
int dlp_rule_matches(const struct dlp_engine *e, const char *rule_id,
		     const char *text, size_t len);

#endif
