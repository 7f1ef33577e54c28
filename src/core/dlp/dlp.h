/*
 * The outbound filter (data-loss prevention): finds what must not leave in
 * a reply to a customer. One Hyperscan pass over the text raises candidates
 * for every pattern at once (gitleaks' default secret rules, converted to
 * data/gitleaks-rules.json and embedded, plus our own triggers for card
 * numbers, IBANs, national identifiers, e-mail addresses, phone numbers and
 * auth headers); each candidate is then confirmed by its validator (PCRE2
 * with JIT over a small window for the secret rules, then entropy,
 * stop-words and allow-lists as gitleaks does; Luhn and issuer ranges for
 * cards, the ISO 13616 registry and mod-97 for IBANs, and so on). Text
 * copied from the ticket's internal notes is found by word 8-gram shingles,
 * and values of other customers through a caller-supplied fingerprint
 * lookup, so neither needs a pattern. Everything is matched on the text
 * normalised (Unicode NFKC, format characters such as zero-width spaces
 * and soft hyphens dropped), so "4111 1111<ZWSP>1111 1111" is a card and
 * "bob＠example.net" an address; findings point into the text as given.
 *
 * It does not decide what happens to a reply, store anything, log anything
 * or talk to the network. A finding records the detector and the place
 * (bytes and characters), never the matched value.
 */
#ifndef GH_CORE_DLP_H
#define GH_CORE_DLP_H

#include <stddef.h>

/* jansson's json_t, for dlp_findings_json(); this header does not need
 * jansson.h. */
struct json_t;

/* Largest text dlp_scan() accepts, and most findings it reports. */
#define DLP_MAX_TEXT ((size_t)1 << 30)
#define DLP_MAX_FINDINGS 10000

struct dlp_engine;

/* Compiles the embedded rules into one engine. The engine is read-only
 * after this and may be shared by any number of threads. Returns 0 and
 * sets *out, or -GH_INTERNAL when the embedded data is broken or a
 * library call fails. Free with dlp_engine_free(). */
int dlp_engine_new(struct dlp_engine **out);
void dlp_engine_free(struct dlp_engine *e);

/* What happened to the gitleaks rules when the engine was built:
 * rules in the file, rules in the Hyperscan database, rules only PCRE2
 * could compile (scanned one by one when a keyword is present), rules
 * skipped because they only apply to file paths (gitleaks' `path`), rules
 * that neither engine compiled. The numbers are copied into *st. */
struct dlp_rule_stats {
	size_t total, hyperscan, pcre_only, path_only, failed;
};
void dlp_engine_stats(const struct dlp_engine *e, struct dlp_rule_stats *st);

/* Per reply. Every member may be NULL/0. Strings are borrowed, NUL-ended. */
struct dlp_context {
	/* The ticket's customer: these are allowed in the reply. */
	const char *const *own_emails;
	size_t n_own_emails;
	const char *const *own_phones;
	size_t n_own_phones;
	/* E-mail domains of the company itself (e.g. "example.com"):
	 * addresses at these domains and their subdomains are allowed. */
	const char *const *allowed_email_domains;
	size_t n_allowed_email_domains;
	/* Phone numbers of the company itself ([company] phones): allowed
	 * like the customer's own, compared the same way (last 9 digits). */
	const char *const *allowed_phones;
	size_t n_allowed_phones;
	/* This ticket's internal notes: a run of DLP_NOTE_WORDS or more
	 * words copied from any of them is a finding. Normalised like the
	 * text. */
	const char *const *notes;
	size_t n_notes;
	/* Most words the notes may hold together; 0 means
	 * DLP_MAX_NOTE_WORDS. */
	size_t max_note_words;
	/* Other customers' values. Called with a kind (see dlp_fingerprint()
	 * for the kinds and their normalisation) and the normalised value;
	 * returns 1 when its keyed-hash fingerprint belongs to a customer
	 * other than this ticket's, 0 otherwise. Must not keep the pointer. */
	int (*foreign_value)(void *cls, const char *kind,
			     const char *normalised, size_t len);
	void *cls;
};

#define DLP_NOTE_WORDS 8
#define DLP_MAX_NOTE_WORDS ((size_t)1 << 22)

/* A finding. type is one of "credit_card", "iban", "us_ssn", "uk_nino",
 * "aba_routing", "secret", "auth_header", "cookie", "email", "phone",
 * "internal_note", "other_customer_data", "har_session"; rule names the
 * detector (the gitleaks rule id for "secret"). Both point to static
 * strings owned by the engine. [start, end) are byte offsets, [cstart,
 * cend) the same span in Unicode code points. */
struct dlp_finding {
	const char *type;
	const char *rule;
	size_t start, end;
	size_t cstart, cend;
};

struct dlp_findings {
	struct dlp_finding *v;
	size_t n, cap;
};

/* Empties f (keeps nothing). dlp_findings_free() releases its memory. */
void dlp_findings_init(struct dlp_findings *f);
void dlp_findings_free(struct dlp_findings *f);

/* Scans text[0, len) (UTF-8; invalid bytes are tolerated) and appends the
 * findings to out, sorted by start offset, overlapping duplicates removed.
 * Offsets are those of text as given, though matching is done on its
 * normalised form: a span covers every byte that made up what matched
 * (a zero-width space inside a card number is inside its span).
 * Returns 0 (out->n tells whether anything was found), -GH_BODY_TOO_LARGE
 * when len > DLP_MAX_TEXT (or its normalised form would be),
 * -GH_BAD_FIELD when more than DLP_MAX_FINDINGS were found (out then holds
 * the first DLP_MAX_FINDINGS; treat the text as blocked),
 * -GH_NOTES_TOO_LARGE when ctx's notes hold more than max_note_words
 * words, so the note-copy check could not run (out holds what the other
 * detectors found; treat the text as not checked: fail closed),
 * -GH_INTERNAL on a library failure. ctx may be NULL. */
int dlp_scan(const struct dlp_engine *e, const struct dlp_context *ctx,
	     const char *text, size_t len, struct dlp_findings *out);

/* Parses text as a HAR file (JSON with log.entries) and appends one
 * "har_session" finding per request/response header that carries session
 * material (Authorization, Proxy-Authorization, Cookie, Set-Cookie,
 * X-Api-Key, X-Auth-Token, X-CSRF-Token) and per cookie, with a non-empty
 * value. Offsets point at the value's JSON string where it can be found in
 * the text, else at the whole text. Returns 1 when the text is a HAR file,
 * 0 when it is not (nothing appended), -GH_INTERNAL on allocation failure,
 * -GH_BAD_FIELD when the finding limit is exceeded. */
int dlp_har_scan(const char *text, size_t len, struct dlp_findings *out);

/* Returns a new NUL-ended copy of text where every finding's span is
 * replaced by "[redacted: <type>]" (overlapping spans are merged). NULL on
 * allocation failure. The caller frees it with free(). */
char *dlp_redact(const char *text, size_t len, const struct dlp_findings *f);

/* The findings as a JSON array of {type, rule, start, end, cstart, cend}.
 * Never includes the matched value. NULL on allocation failure. The
 * caller owns the reference. */
struct json_t *dlp_findings_json(const struct dlp_findings *f);

/* Splits the comma-separated phone numbers in buf (changed in place) into
 * out[0, max): each of 7 to 15 digits, with nothing else but spaces and
 * + - ( ) .; blank items are skipped. The count, or -1 when an item is
 * not such a number or there are more than max. */
int dlp_phone_list(char *buf, const char **out, size_t max);

/* The normalisation shared by the scanner and the fingerprint index of
 * other customers' values. kind is "email" (lower-cased address), "phone"
 * (the last 9 digits), "dob" (YYYY-MM-DD; accepts that form, DD.MM.YYYY and
 * DD/MM/YYYY), "number" (an account or card number: its digits and upper-
 * cased letters, 6 to 34 of them) or "address" (the value is split into
 * lower-cased words; every run of 3 consecutive words of which one holds a
 * digit is one fingerprint, e.g. "221b baker street"). cb is called once
 * per normalised form; index them all for a customer's value. Returns the
 * number of forms, or -GH_BAD_FIELD for an unknown kind. */
int dlp_fingerprint(const char *kind, const char *value, size_t len,
		    void (*cb)(void *cls, const char *kind,
			       const char *normalised, size_t nlen),
		    void *cls);

#endif
