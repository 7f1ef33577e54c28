/*
 * Unit tests of the outbound filter (core/dlp): each detector with
 * positives and the hard negatives from the evaluation notes (Luhn-valid
 * numbers without an issuer, IBANs followed by a word, SSNs with mixed
 * separators, placeholders in headers, gitleaks allow-lists), the notes
 * and other-customer checks, HAR files, redaction and the JSON form. The
 * engine is compiled once for the whole program.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <hs/hs.h>
#include <jansson.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include "core/dlp/dlp.h"
#include "core/dlp/dlp_int.h"
#include "util/errors.h"

/* The benchmark's realistic support corpus, built into this program too
 * (bench/ has no library): test_corpus_findings scans it. */
#include "../../bench/corpus.c"

static struct dlp_engine *eng;

static int
setup(void **state)
{
	(void)state;
	return dlp_engine_new(&eng);
}

static int
teardown(void **state)
{
	(void)state;
	dlp_engine_free(eng);
	return 0;
}

/* Scans text; returns how many findings have this type (and rule when
 * rule is not NULL); stores the first one's span. */
static size_t
count(const struct dlp_context *ctx, const char *text, const char *type,
      const char *rule, size_t *start, size_t *end)
{
	struct dlp_findings f;
	size_t n = 0;

	dlp_findings_init(&f);
	assert_int_equal(dlp_scan(eng, ctx, text, strlen(text), &f), 0);
	for (size_t i = 0; i < f.n; i++) {
		if (strcmp(f.v[i].type, type) != 0)
			continue;
		if (rule != NULL && strcmp(f.v[i].rule, rule) != 0)
			continue;
		if (n == 0 && start != NULL) {
			*start = f.v[i].start;
			*end = f.v[i].end;
		}
		n++;
	}
	dlp_findings_free(&f);
	return n;
}

#define HAS(text, type) count(NULL, (text), (type), NULL, NULL, NULL)

static void
test_rules_loaded(void **state)
{
	struct dlp_rule_stats st;

	(void)state;
	dlp_engine_stats(eng, &st);
	assert_true(st.total >= 200);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.total,
			 st.hyperscan + st.pcre_only + st.path_only + st.failed);
	assert_true(st.hyperscan >= 200);
}

static void
test_cards(void **state)
{
	size_t s = 0, e = 0;

	(void)state;
	assert_int_equal(count(NULL, "card: 4111 1111 1111 1111 thanks",
			       "credit_card", NULL, &s, &e), 1);
	assert_int_equal(s, 6);
	assert_int_equal(e, 25);
	assert_int_equal(HAS("4012-8888-8888-1881", "credit_card"), 1);
	assert_int_equal(HAS("amex 378282246310005.", "credit_card"), 1);
	assert_int_equal(HAS("my credit card: 122000000000003", "credit_card"),
			 1);
	/* Luhn fails. */
	assert_int_equal(HAS("4111 1111 1111 1112", "credit_card"), 0);
	assert_int_equal(HAS("4012-8888-8888-1882", "credit_card"), 0);
	/* Luhn-valid, but no issuer starts with 17 (13 digits). */
	assert_int_equal(HAS("1748503543012", "credit_card"), 0);
	/* Mixed separators, too many digits, glued to letters. */
	assert_int_equal(HAS("4111-1111 1111 1111", "credit_card"), 0);
	assert_int_equal(HAS("41111111111111111111111", "credit_card"), 0);
	assert_int_equal(HAS("id4111111111111111", "credit_card"), 0);
	/* Wrapped at a line break, double spaces, no-break spaces, dots:
	 * still one card, the whole number. */
	assert_int_equal(count(NULL, "card 4111 1111\n1111 1111 ok",
			       "credit_card", NULL, &s, &e), 1);
	assert_int_equal(s, 5);
	assert_int_equal(e, 24);
	assert_int_equal(count(NULL, "card 4111 1111 1111\n1111 ok",
			       "credit_card", NULL, &s, &e), 1);
	assert_int_equal(e, 24);
	assert_int_equal(HAS("card 4111 1111 1111\n1111 ok", "phone"), 0);
	assert_int_equal(HAS("4111  1111  1111  1111", "credit_card"), 1);
	assert_int_equal(HAS("4111\xc2\xa0" "1111\xc2\xa0" "1111\xc2\xa0" "1111",
			     "credit_card"), 1);
	assert_int_equal(HAS("4111.1111.1111.1111", "credit_card"), 1);
	assert_int_equal(HAS("4111\r\n1111\r\n1111\r\n1111", "credit_card"), 1);
	/* Not across a blank line or a long gap: two separate numbers. */
	assert_int_equal(HAS("4111 1111\n\n1111 1111", "credit_card"), 0);
	assert_int_equal(HAS("4111 1111     1111 1111", "credit_card"), 0);
}

static void
test_iban(void **state)
{
	size_t s = 0, e = 0;
	const char *t = "pay to VG96 VPVG 0000 0123 4567 8901 IN A SENTENCE";

	(void)state;
	assert_int_equal(count(NULL, t, "iban", NULL, &s, &e), 1);
	assert_int_equal(s, 7);
	assert_int_equal(e, 36);	/* the trailing word is not part of it */
	assert_int_equal(HAS("GB29NWBK60161331926819", "iban"), 1);
	assert_int_equal(HAS("DE89 3704 0044 0532 0130 00", "iban"), 1);
	/* Wrong check digits, bad grouping, wrong length, not in registry. */
	assert_int_equal(HAS("GB29 NWBK 6016 1331 9268 18", "iban"), 0);
	assert_int_equal(HAS("EE38 2200 2210  014 5686", "iban"), 0);
	assert_int_equal(HAS("BR9700360305000010009795493P", "iban"), 0);
	assert_int_equal(HAS("AM47212110090000000235698740", "iban"), 0);
	/* BBAN format: Austria is all digits. */
	assert_int_equal(HAS("AT61 1904 A002 3457 3201", "iban"), 0);
	/* Typed in lower case; compact and glued to a currency code where
	 * the registry length says it ends. */
	assert_int_equal(count(NULL, "iban gb29 nwbk 6016 1331 9268 19 ok",
			       "iban", NULL, &s, &e), 1);
	assert_int_equal(s, 5);
	assert_int_equal(e, 32);
	assert_int_equal(count(NULL, "DE89370400440532013000EUR", "iban", NULL,
			       &s, &e), 1);
	assert_int_equal(e, 22);
	assert_int_equal(HAS("gb29 nwbk 6016 1331 9268 18", "iban"), 0);
	/* A longer run of digits is not an IBAN with something after it. */
	assert_int_equal(HAS("GB29NWBK601613319268190", "iban"), 0);
}

static void
test_national_ids(void **state)
{
	(void)state;
	assert_int_equal(HAS("SSN 078-05-1123 on file", "us_ssn"), 1);
	assert_int_equal(HAS("078.05.1123", "us_ssn"), 1);
	assert_int_equal(HAS("078-051121 07805-1121", "us_ssn"), 2);
	assert_int_equal(HAS("078-05-0000", "us_ssn"), 0);
	assert_int_equal(HAS("666-12-3456", "us_ssn"), 0);
	assert_int_equal(HAS("693-09.4444", "us_ssn"), 0);
	assert_int_equal(HAS("order 078051123 shipped", "us_ssn"), 0);
	assert_int_equal(HAS("my ssn is 078051123", "us_ssn"), 1);

	assert_int_equal(HAS("NI: AA 12 34 56 B", "uk_nino"), 1);
	assert_int_equal(HAS("AB123456C", "uk_nino"), 1);
	assert_int_equal(HAS("BG123612A", "uk_nino"), 0);
	assert_int_equal(HAS("UV 98 76 54 B", "uk_nino"), 0);
	assert_int_equal(HAS("AB123456E", "uk_nino"), 0);

	assert_int_equal(HAS("routing 121000358", "aba_routing"), 1);
	assert_int_equal(HAS("121000359", "aba_routing"), 0);
	assert_int_equal(HAS("1234-0000-0", "aba_routing"), 0);
	/* A nine-digit number named as an order, ticket, ... is not a routing
	 * number (4% of such numbers pass the checksum), unless a bank word
	 * names it too. */
	assert_int_equal(HAS("your order number 121000358 has shipped",
			     "aba_routing"), 0);
	assert_int_equal(HAS("ticket #121000358", "aba_routing"), 0);
	assert_int_equal(HAS("bank routing for order 121000358", "aba_routing"),
			 1);
	assert_int_equal(HAS("121000358", "aba_routing"), 1);
	assert_int_equal(HAS("1210-0035-8 is the number", "aba_routing"), 1);
}

static void
test_secrets(void **state)
{
	(void)state;
	assert_int_equal(count(NULL, "aws_key = AKIAZ3MSJV4WPVNYDJ5Q", "secret",
			       "aws-access-token", NULL, NULL), 1);
	/* gitleaks' rule allow-list: the documented example key. */
	assert_int_equal(count(NULL, "AKIAIOSFODNN7EXAMPLE", "secret",
			       "aws-access-token", NULL, NULL), 0);
	assert_int_equal(count(NULL,
			       "token ghp_R4nd0mT0k3nV4lu3Xq9Lm2Pz8Wk5Jh7Ng3Bd1",
			       "secret", "github-pat", NULL, NULL), 1);
	assert_int_equal(count(NULL,
			       "-----BEGIN RSA PRIVATE KEY-----\n"
			       "MIIEowIBAAKCAQEAx3v8Yq1Zk9Jf0QmPq2Lr7Ws5Tn4Vb6Hc8Ud1Xe3"
			       "Gf9Kj2Lm5Np8Qr1St4Uv7Wx0Yz3Ab6Cd9Ef2Gh5Ij8Kl1Mn4Op7Qr0\n"
			       "-----END RSA PRIVATE KEY-----\n",
			       "secret", "private-key", NULL, NULL), 1);
	assert_int_equal(count(NULL,
			       "use eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOi"
			       "IxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF"
			       "2QT4fwpMeJf36POk6yJV_adQssw5c now",
			       "secret", "jwt", NULL, NULL), 1);
	/* A private key cut off before its END line (the half that was
	 * pasted is enough to matter). */
	assert_int_equal(count(NULL,
			       "here: -----BEGIN PRIVATE KEY-----\n"
			       "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n"
			       "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n",
			       "secret", "private-key-truncated", NULL, NULL), 1);
	assert_int_equal(HAS("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\n",
			     "secret"), 0);
	assert_int_equal(count(NULL,
			       "-----BEGIN RSA PRIVATE KEY-----\n"
			       "MIIEowIBAAKCAQEAx3v8Yq1Zk9Jf0QmPq2Lr7Ws5Tn4Vb6Hc8Ud1Xe3"
			       "Gf9Kj2Lm5Np8Qr1St4Uv7Wx0Yz3Ab6Cd9Ef2Gh5Ij8Kl1Mn4Op7Qr0\n"
			       "-----END RSA PRIVATE KEY-----\n",
			       "secret", "private-key-truncated", NULL, NULL), 0);
	/* vault-service-token (its own cheaper Hyperscan expression): legacy and
	 * hvs. forms; the rule's allow-list (letters only) and a word that
	 * merely ends in "s." are not findings. */
	assert_int_equal(count(NULL, "VAULT_TOKEN=s.Abc123Def456Ghi789Jkl012",
			       "secret", "vault-service-token", NULL, NULL), 1);
	assert_int_equal(count(NULL, "token: s.Abc123Def456Ghi789Jkl012\n",
			       "secret", "vault-service-token", NULL, NULL), 1);
	assert_int_equal(count(NULL, "x s.AbcdefGhijklMnopqrStuvwx y",
			       "secret", "vault-service-token", NULL, NULL), 0);
	assert_int_equal(count(NULL, "days.Abc123Def456Ghi789Jkl012",
			       "secret", "vault-service-token", NULL, NULL), 0);
	assert_int_equal(count(NULL,
			       "t hvs.CAESIJlU9JMYEhOPYv4igdhm9PnZDrabYTobQ4Ymnl"
			       "q1qY-ZGh4KHGh2cy5hZ1R4S0t5ZHFNa3FQTXJRenZsUGcwV1"
			       "cQ4mHbGTx2 end",
			       "secret", "vault-service-token", NULL, NULL), 1);
	/* Placeholders and low entropy are not secrets. */
	assert_int_equal(HAS("api_key = \"your_api_key_here\"", "secret"), 0);
	assert_int_equal(HAS("password: xxxxxxxxxxxxxxxx", "secret"), 0);
	assert_int_equal(HAS("Thanks for your patience, we will get back to "
			     "you about the access issue.", "secret"), 0);
}

static void
test_headers(void **state)
{
	(void)state;
	assert_int_equal(HAS("Authorization: Bearer 9f8e7d6c5b4a39281706f5e4",
			     "auth_header"), 1);
	assert_int_equal(HAS("curl -H \"Authorization: Basic dXNlcjpwYXNzd29y\"",
			     "auth_header"), 1);
	assert_int_equal(HAS("Authorization: Bearer $TOKEN", "auth_header"), 0);
	assert_int_equal(HAS("Authorization: Bearer XXXXXXXXXXXX",
			     "auth_header"), 0);
	assert_int_equal(HAS("Cookie: sessionid=8f3a9c2b7d1e4f60a5b3; theme=1",
			     "cookie"), 1);
	assert_int_equal(HAS("Set-Cookie: sid=Zm9vYmFyYmF6cXV4; HttpOnly",
			     "cookie"), 1);
	assert_int_equal(HAS("Cookie: we only use essential ones", "cookie"),
			 0);
}

static void
test_contacts(void **state)
{
	const char *own_e[] = {"alice@example.org"};
	const char *own_p[] = {"+1 (415) 555-0132"};
	const char *dom[] = {"support.example.com"};
	struct dlp_context ctx = {0};

	(void)state;
	ctx.own_emails = own_e;
	ctx.n_own_emails = 1;
	ctx.own_phones = own_p;
	ctx.n_own_phones = 1;
	ctx.allowed_email_domains = dom;
	ctx.n_allowed_email_domains = 1;
	assert_int_equal(count(&ctx, "write to Alice@Example.org", "email",
			       NULL, NULL, NULL), 0);
	assert_int_equal(count(&ctx, "write to help@eu.support.example.com",
			       "email", NULL, NULL, NULL), 0);
	assert_int_equal(count(&ctx, "write to bob@other.net", "email", NULL,
			       NULL, NULL), 1);
	assert_int_equal(HAS("my email is info@presidio.", "email"), 0);
	assert_int_equal(count(&ctx, "call (415) 555-0132", "phone", NULL,
			       NULL, NULL), 0);
	assert_int_equal(count(&ctx, "call (415) 555-0199", "phone", NULL,
			       NULL, NULL), 1);
	assert_int_equal(HAS("+44 20 7123 4567", "phone"), 1);
	/* Dates and SSN-shaped numbers are not phones. */
	assert_int_equal(HAS("on 2024-03-15 at 10:00", "phone"), 0);
	assert_int_equal(HAS("078-05-1123", "phone"), 0);
	/* An IPv4 address and a run of one digit are not phone numbers. */
	assert_int_equal(HAS("broadcast 255.255.255.255 now", "phone"), 0);
	assert_int_equal(HAS("ref 00000000560", "phone"), 0);
	assert_int_equal(HAS("call 020 7946 0958", "phone"), 1);
}

/* Issue 15, defect 7: the company's own numbers ([company] phones, split
 * by dlp_phone_list) are allowed, compared like the customer's own. */
static void
test_company_phones(void **state)
{
	char list[] = " +44 20 7000 1234 ,, (0800) 555-0199 ";
	char bad[] = "+44 20 7000 1234, call us";
	const char *ph[4];
	struct dlp_context ctx = {0};

	(void)state;
	assert_int_equal(dlp_phone_list(list, ph, 4), 2);
	assert_string_equal(ph[0], "+44 20 7000 1234");
	assert_string_equal(ph[1], "(0800) 555-0199");
	assert_int_equal(dlp_phone_list(bad, ph, 4), -1);
	ctx.allowed_phones = ph;
	ctx.n_allowed_phones = 2;
	assert_int_equal(count(&ctx, "call us on 020 7000 1234", "phone", NULL,
			       NULL, NULL), 0);
	assert_int_equal(count(&ctx, "or on 0800 555 0199", "phone", NULL,
			       NULL, NULL), 0);
	assert_int_equal(count(&ctx, "not on +44 20 7000 9876", "phone", NULL,
			       NULL, NULL), 1);
}

static void
test_notes(void **state)
{
	const char *notes[] = {
		"Internal: customer is on the fraud watch list, do not "
		"refund before the chargeback team signs off on it."};
	struct dlp_context ctx = {0};
	size_t s = 0, e = 0;

	(void)state;
	ctx.notes = notes;
	ctx.n_notes = 1;
	/* Case, whitespace and punctuation changed; no pattern involved. */
	assert_int_equal(count(&ctx,
			       "Hello! The CUSTOMER is on the fraud\n  watch list; "
			       "do NOT refund. Regards",
			       "internal_note", NULL, &s, &e), 1);
	assert_int_equal(s, 11);
	/* Seven words are not a copy. */
	assert_int_equal(count(&ctx, "customer is on the fraud watch list.",
			       "internal_note", NULL, NULL, NULL), 0);
	assert_int_equal(count(&ctx, "We will refund you before Friday.",
			       "internal_note", NULL, NULL, NULL), 0);
}

static int
foreign(void *cls, const char *kind, const char *norm, size_t len)
{
	int *calls = cls;

	(*calls)++;
	if (strcmp(kind, "number") == 0 && strcmp(norm, "60161331926819") == 0)
		return 1;
	if (strcmp(kind, "dob") == 0 && strcmp(norm, "1984-07-21") == 0)
		return 1;
	if (strcmp(kind, "address") == 0 &&
	    strcmp(norm, "221b baker street") == 0)
		return 1;
	if (strcmp(kind, "email") == 0 && strcmp(norm, "carol@x.org") == 0)
		return 1;
	(void)len;
	return 0;
}

static void
test_foreign(void **state)
{
	struct dlp_context ctx = {0};
	int calls = 0;

	(void)state;
	ctx.foreign_value = foreign;
	ctx.cls = &calls;
	assert_int_equal(count(&ctx, "account 60-16-13 31926819 ok",
			       "other_customer_data", "number", NULL, NULL), 1);
	assert_int_equal(count(&ctx, "born 21.07.1984", "other_customer_data",
			       "dob", NULL, NULL), 1);
	assert_int_equal(count(&ctx, "lives at 221B Baker Street, London",
			       "other_customer_data", "address", NULL, NULL), 1);
	assert_int_equal(count(&ctx, "mail Carol@X.org", "other_customer_data",
			       "email", NULL, NULL), 1);
	assert_int_equal(count(&ctx, "account 12345678 ok",
			       "other_customer_data", NULL, NULL, NULL), 0);
	assert_true(calls > 0);
}

static void
fp_collect(void *cls, const char *kind, const char *norm, size_t n)
{
	char *buf = cls;

	(void)kind;
	(void)n;
	if (buf[0] == '\0')
		snprintf(buf, 64, "%s", norm);
}

static void
test_fingerprint(void **state)
{
	char buf[64] = "";

	(void)state;
	assert_int_equal(dlp_fingerprint("phone", "+1 (415) 555-0132", 17,
					 fp_collect, buf), 1);
	assert_string_equal(buf, "155550132");
	buf[0] = '\0';
	assert_int_equal(dlp_fingerprint("dob", "1984-07-21", 10, fp_collect,
					 buf), 1);
	assert_string_equal(buf, "1984-07-21");
	buf[0] = '\0';
	assert_int_equal(dlp_fingerprint("address", "221B Baker Street, London",
					 25, fp_collect, buf), 1);
	assert_string_equal(buf, "221b baker street");
	assert_int_equal(dlp_fingerprint("shoe", "x", 1, fp_collect, buf),
			 -GH_BAD_FIELD);
}

static void
test_har(void **state)
{
	const char *har =
		"{\"log\":{\"version\":\"1.2\",\"entries\":[{\"request\":{"
		"\"method\":\"GET\",\"url\":\"https://app.example.com/\","
		"\"headers\":[{\"name\":\"Accept\",\"value\":\"*/*\"},"
		"{\"name\":\"authorization\",\"value\":\"Bearer tok_5b1f2e\"}],"
		"\"cookies\":[{\"name\":\"sid\",\"value\":\"s3ss10n-c00k1e\"},"
		"{\"name\":\"empty\",\"value\":\"\"}]},"
		"\"response\":{\"headers\":[],\"cookies\":[]}}]}}";
	struct dlp_findings f;

	(void)state;
	dlp_findings_init(&f);
	assert_int_equal(dlp_har_scan(har, strlen(har), &f), 1);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.v[0].type, "har_session");
	assert_memory_equal(har + f.v[0].start, "Bearer tok_5b1f2e", 17);
	dlp_findings_free(&f);
	assert_int_equal(dlp_har_scan("{\"a\":1}", 7, &f), 0);
	assert_int_equal(dlp_har_scan("not json", 8, &f), 0);
	assert_int_equal(f.n, 0);
	/* dlp_scan checks HAR files by itself. */
	assert_true(HAS(har, "har_session") >= 2);
	dlp_findings_free(&f);
}

static void
test_redact_json_offsets(void **state)
{
	const char *t = "Grüße, Karte 4111 1111 1111 1111 und sk";
	struct dlp_findings f;
	char *r, *js;
	json_t *j;

	(void)state;
	dlp_findings_init(&f);
	assert_int_equal(dlp_scan(eng, NULL, t, strlen(t), &f), 0);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.v[0].start, 15);	/* ü and ß are 2 bytes */
	assert_int_equal(f.v[0].cstart, 13);
	assert_int_equal(f.v[0].cend - f.v[0].cstart, 19);
	r = dlp_redact(t, strlen(t), &f);
	assert_non_null(r);
	assert_string_equal(r, "Grüße, Karte [redacted: credit_card] und sk");
	free(r);
	j = dlp_findings_json(&f);
	js = json_dumps(j, 0);
	assert_non_null(js);
	assert_null(strstr(js, "4111"));
	assert_non_null(strstr(js, "\"cstart\": 13"));
	free(js);
	json_decref(j);
	dlp_findings_free(&f);
}

/* The first finding of type in text; fails when there is none. */
static struct dlp_finding
first_of(const struct dlp_context *ctx, const char *text, const char *type)
{
	struct dlp_findings f;
	struct dlp_finding x = {0};

	dlp_findings_init(&f);
	assert_int_equal(dlp_scan(eng, ctx, text, strlen(text), &f), 0);
	for (size_t i = 0; i < f.n && x.type == NULL; i++)
		if (strcmp(f.v[i].type, type) == 0)
			x = f.v[i];
	dlp_findings_free(&f);
	assert_non_null(x.type);
	return x;
}

/* Invisible (format, Cf) characters are dropped and full-width forms
 * folded (NFKC) before matching; the places reported are those of the
 * text as written (issue 9, defect 2). */
static void
test_invisible_fullwidth(void **state)
{
	/* U+200B zero width space, U+00AD soft hyphen, U+2060 word
	 * joiner, U+FF20 full-width commercial at, U+FF14/U+FF11 digits. */
	const char *card = "card 4111 1111\xe2\x80\x8b" "1111 1111 thanks";
	const char *mail = "Gr\xc3\xbc\xc3\x9f" "e, bob\xef\xbc\xa0other.net ok";
	const char *wide = "Karte \xef\xbc\x94\xef\xbc\x91\xef\xbc\x91\xef\xbc\x91"
			   " 1111 1111 1111.";
	struct dlp_finding x;
	struct dlp_findings f;
	char *r;

	(void)state;
	x = first_of(NULL, card, "credit_card");
	assert_int_equal(x.start, 5);
	assert_int_equal(x.end, 5 + 18 + 3);	/* the ZWSP is 3 bytes */
	assert_int_equal(x.cstart, 5);
	assert_int_equal(x.cend, 5 + 19);
	assert_int_equal(HAS("4111\xc2\xad" "1111\xe2\x81\xa0" "1111 1111",
			     "credit_card"), 1);
	x = first_of(NULL, mail, "email");
	assert_int_equal(x.start, 9);		/* ü and ß 2 bytes each */
	assert_int_equal(x.end, 9 + 3 + 3 + 9);	/* ＠ 3 */
	assert_int_equal(x.cstart, 7);
	assert_int_equal(x.cend, 7 + 13);
	x = first_of(NULL, wide, "credit_card");
	assert_int_equal(x.start, 6);
	assert_int_equal(x.end, 6 + 12 + 15);
	assert_int_equal(x.cstart, 6);
	assert_int_equal(x.cend, 6 + 19);
	assert_int_equal(count(NULL, "key AKIA\xe2\x80\x8bZ3MSJV4WPVNYDJ5Q",
			       "secret", "aws-access-token", NULL, NULL), 1);
	/* Redaction works on the text as written. */
	dlp_findings_init(&f);
	assert_int_equal(dlp_scan(eng, NULL, card, strlen(card), &f), 0);
	r = dlp_redact(card, strlen(card), &f);
	assert_string_equal(r, "card [redacted: credit_card] thanks");
	free(r);
	dlp_findings_free(&f);
	/* Full-width letters alone are no finding. */
	assert_int_equal(HAS("\xef\xbc\xa1\xef\xbc\xa2 1111", "credit_card"), 0);
}

/* A note copied with zero-width spaces in or between its words, in
 * full-width letters, or a note that has them itself. */
static void
test_notes_invisible(void **state)
{
	const char *notes[] = {
		"Internal: customer is on the fraud watch list, do not "
		"refund before the chargeback team signs off on it."};
	const char *zw_notes[] = {
		"cus\xe2\x80\x8btomer is on the fr\xe2\x80\x8b" "aud watch "
		"list, do not refund before the chargeback team signs off"};
	struct dlp_context ctx = {0};
	struct dlp_finding x;
	const char *inside = "Hi, the cus\xe2\x80\x8btomer is on the fr\xe2\x80\x8b"
			     "aud wat\xe2\x80\x8b" "ch list, do not re\xe2\x80\x8b"
			     "fund.";
	const char *between = "Hi customer\xe2\x80\x8bis\xe2\x80\x8bon\xe2\x80\x8b"
			      "the\xe2\x80\x8b" "fraud\xe2\x80\x8bwatch\xe2\x80\x8b"
			      "list\xe2\x80\x8b" "do\xe2\x80\x8bnot.";
	const char *wide = "\xef\xbd\x83\xef\xbd\x95\xef\xbd\x93\xef\xbd\x94"
			   "\xef\xbd\x8f\xef\xbd\x8d\xef\xbd\x85\xef\xbd\x92"
			   " is on the fraud watch list do not";

	(void)state;
	ctx.notes = notes;
	ctx.n_notes = 1;
	x = first_of(&ctx, inside, "internal_note");
	assert_int_equal(x.start, 8);
	assert_int_equal(x.end, strlen(inside) - 1);
	assert_int_equal(count(&ctx, between, "internal_note", NULL, NULL,
			       NULL), 1);
	x = first_of(&ctx, wide, "internal_note");
	assert_int_equal(x.start, 0);
	assert_int_equal(x.cstart, 0);
	assert_int_equal(x.end, strlen(wide));
	assert_int_equal(x.cend, 8 + 34);
	ctx.notes = zw_notes;
	assert_int_equal(count(&ctx, "yes, the customer is on the fraud watch "
			       "list, do not refund", "internal_note", NULL,
			       NULL, NULL), 1);
}

/* Notes the check cannot index (over the word limit) fail the scan
 * closed: -GH_NOTES_TOO_LARGE, not 0 (issue 9, defect 3). The other
 * detectors still report. */
static void
test_notes_too_large(void **state)
{
	const char *notes[] = {"one two three four five six seven eight nine "
			       "ten eleven twelve"};
	const char *reply = "card 4111 1111 1111 1111, one two three";
	struct dlp_context ctx = {0};
	struct dlp_findings f;

	(void)state;
	ctx.notes = notes;
	ctx.n_notes = 1;
	ctx.max_note_words = 10;
	dlp_findings_init(&f);
	assert_int_equal(dlp_scan(eng, &ctx, reply, strlen(reply), &f),
			 -GH_NOTES_TOO_LARGE);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.v[0].type, "credit_card");
	dlp_findings_free(&f);
	ctx.max_note_words = 12;
	assert_int_equal(dlp_scan(eng, &ctx, reply, strlen(reply), &f), 0);
	dlp_findings_free(&f);
}

/* The normalised view against ICU on the whole text: random texts of
 * ASCII, full-width forms, ligatures, letters with and without combining
 * marks, format characters and invalid bytes. The view must be the NFKC
 * of the text without its format characters, and every span of the view
 * must map to a span of the original whose own view holds it. */
static void
test_normalise_view(void **state)
{
	static const char *const piece[] = {
		"a", "b", "1", " ", ".", "e", "\xcc\x81", "\xcc\xa3",
		"\xc3\xa9", "\xef\xbc\xa0", "\xef\xbc\x94", "\xef\xac\x81",
		"\xe2\x80\x8b", "\xc2\xad", "\xe2\x81\xa0", "\xef\xbb\xbf",
		"\xe2\x80\x8d", "\xd0\xb0", "\xe3\x82\xab", "\xe3\x82\x99",
		"\xe2\x91\xa0", "\xf0\x9d\x90\x80", "\xff", "\xc3",
		"\xef\xb7\xba", "\xe1\x84\x80\xe1\x85\xa1",
	};
	const UNormalizer2 *nfkc;
	UErrorCode st = U_ZERO_ERROR;
	uint64_t rng = 0x2545f4914f6cdd1dull;

	(void)state;
	nfkc = unorm2_getNFKCInstance(&st);
	assert_true(U_SUCCESS(st));
	for (int round = 0; round < 400; round++) {
		char t[512], strip[512];
		size_t n = 0, sn = 0, pieces;
		struct norm_view v;
		int valid = 1;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		pieces = 1 + rng % 60;
		for (size_t k = 0; k < pieces; k++) {
			const char *p = piece[(rng >> (k % 40)) %
					      (sizeof(piece) / sizeof(piece[0]))];
			size_t pl = strlen(p);

			memcpy(t + n, p, pl);
			n += pl;
		}
		assert_int_equal(norm_view_init(&v, t, n, NORM_DROP_CF), 0);
		assert_true(v.len <= 18 * 4 * n);
		/* The reference: format characters out, then NFKC, when the
		 * text is valid UTF-8. */
		for (int32_t i = 0; i < (int32_t)n;) {
			int32_t at = i;
			UChar32 c;

			U8_NEXT(t, i, (int32_t)n, c);
			if (c < 0)
				valid = 0;
			else if (u_charType(c) != U_FORMAT_CHAR) {
				memcpy(strip + sn, t + at, (size_t)(i - at));
				sn += (size_t)(i - at);
			}
		}
		if (valid) {
			UChar u[1024], o[8192];
			char want[16384];
			int32_t nu = 0, no, nw = 0;

			st = U_ZERO_ERROR;
			u_strFromUTF8(u, 1024, &nu, strip, (int32_t)sn, &st);
			no = unorm2_normalize(nfkc, u, nu, o, 8192, &st);
			u_strToUTF8(want, sizeof(want), &nw, o, no, &st);
			assert_true(U_SUCCESS(st));
			assert_int_equal(v.len, (size_t)nw);
			assert_memory_equal(v.text, want, (size_t)nw);
		}
		/* Spans map into the original, in order. */
		for (size_t a = 0, last = 0; a <= v.len; a++) {
			size_t s = norm_orig_start(&v, a),
			       e = norm_orig_end(&v, a);

			assert_true(s <= n && e <= n);
			assert_true(s >= last);
			assert_true(a == 0 || e >= norm_orig_start(&v, a - 1));
			last = s;
		}
		norm_view_free(&v);
	}
	/* Texts longer than one quick-check block: stray continuation bytes
	 * across the cut, a format character far behind it. */
	{
		size_t n = 9000;
		char *t = malloc(n);
		struct norm_view v;

		assert_non_null(t);
		memset(t, 0x80, n);
		memcpy(t + 8000, "\xe2\x80\x8b", 3);
		assert_int_equal(norm_view_init(&v, t, n, NORM_DROP_CF), 0);
		assert_int_equal(v.len, n - 3);
		assert_true(v.had_cf);
		assert_int_equal(norm_orig_start(&v, 8000), 8003);
		assert_int_equal(norm_orig_end(&v, 8000), 8000);
		norm_view_free(&v);
		memset(t + 8000, 'a', 3);
		assert_int_equal(norm_view_init(&v, t, n, NORM_DROP_CF), 0);
		assert_ptr_equal(v.text, t);
		norm_view_free(&v);
		free(t);
	}
}

/* Issue 12: the last misses, each built from its rule (Presidio's regex
 * and validators; gitleaks' rule, keywords and entropy floor). */
static void
test_issue12_rules(void **state)
{
	/* A long-lived Bedrock key: ABSK + 109..269 base64 characters. */
	static const char absk[] =
	    "ABSKQmVkcm9ja0FQSUtleS1" "k3Jd9QzL2mXv8Rt5Wn1Yp4Hc7Gb0Fs6Ea3Ku"
	    "9Ox2Ni5Mh8Lg1Kf4Je7Id0Hc3Gb6Fa9Ez2Dy5Cx8Bw1Av4Uu7Tt0Ss3Rr6Qq9Pp2O"
	    "o5Nn8Mm1Ll4Kk7Jj0Ii3Hh6Gg9Ff2Ee5Dd8=";
	char buf[512];

	(void)state;
	/* Presidio's UK NINO: `\s?` before the suffix in either form (ASVS
	 * V8.3.4: sensitive data identified). */
	assert_int_equal(HAS("nino: AB123456 C", "uk_nino"), 1);
	assert_int_equal(HAS("nino: AB 12 34 56C", "uk_nino"), 1);
	assert_int_equal(HAS("nino:ab 12 34 56 c", "uk_nino"), 1);
	assert_int_equal(HAS("nino: AB123456  C", "uk_nino"), 0);
	/* Full-width digits, dots, spaces and lower-case IBANs. */
	assert_int_equal(HAS("ssn \xef\xbc\x95\xef\xbc\x93\xef\xbc\x96-"
			     "\xef\xbc\x98\xef\xbc\x90-\xef\xbc\x94\xef"
			     "\xbc\x93\xef\xbc\x99\xef\xbc\x98", "us_ssn"), 1);
	assert_int_equal(HAS("ssn 536 80 4398", "us_ssn"), 1);
	assert_int_equal(HAS("card 4111.1111.1111.1111", "credit_card"), 1);
	assert_int_equal(HAS("iban gb82 west 1234 5698 7654 32 ok", "iban"), 1);
	assert_int_equal(HAS("iban gb82 west 1234 5698 7654 33 ok", "iban"), 0);
	/* Presidio's groups of 3-5 with a space or dash between. */
	assert_int_equal(HAS("DE89 370 400 440 532 013 000", "iban"), 1);
	assert_int_equal(HAS("DE89-37040-04405-32013-000", "iban"), 1);
	assert_int_equal(HAS("GB82 WEST 1234 5698 7654 3 2", "iban"), 0);
	assert_int_equal(HAS("GB82 W EST 1234 5698 7654 32", "iban"), 0);
	/* gitleaks aws-amazon-bedrock-api-key-long-lived / -short-lived. */
	snprintf(buf, sizeof(buf), "key %s\n", absk);
	assert_int_equal(count(NULL, buf, "secret",
			       "aws-amazon-bedrock-api-key-long-lived", NULL,
			       NULL), 1);
	assert_int_equal(count(NULL, "ABSKQmVkcm9ja0FQSUtleS1k3Jd9QzL2mXv8",
			       "secret", "aws-amazon-bedrock-api-key-long-lived",
			       NULL, NULL), 0);
	assert_int_equal(count(NULL, "Bearer bedrock-api-key-YmVkcm9jay5hbWF6b2"
			       "5hd3MuY29tLz9BY3Rpb249Q2FsbFdpdGhCZWFyZXJUb2tlbg",
			       "secret", "aws-amazon-bedrock-api-key-short-lived",
			       NULL, NULL), 1);
	assert_int_equal(count(NULL, "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3Mu"
			       "Y29y", "secret",
			       "aws-amazon-bedrock-api-key-short-lived", NULL,
			       NULL), 0);
	/* sonar-api-token with its squ_/sqp_/sqa_ prefixes; square. */
	assert_int_equal(count(NULL, "SONAR_TOKEN = \"squ_a1b2c3d4e5f6a7b8c9d0e1"
			       "f2a3b4c5d6e7f8a9b0\"", "secret", "sonar-api-token",
			       NULL, NULL), 1);
	assert_int_equal(count(NULL, "sonar.login=a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5"
			       "d6e7f8a9b0", "secret", "sonar-api-token", NULL,
			       NULL), 1);
	assert_int_equal(count(NULL, "token=sq0atp-Zx81kq2LmN0pQ7rT5vW3yA",
			       "secret", "square-access-token", NULL, NULL), 1);
	/* generic-api-key: a keyword, a separator, entropy >= 3.5 and a
	 * digit; placeholders and low-entropy words are not secrets. */
	assert_int_equal(count(NULL, "my secret: Xk29fLq8Zr3mPw7Tn4Vb", "secret",
			       "generic-api-key", NULL, NULL), 1);
	assert_int_equal(count(NULL, "my secret: aaaaaaaaaaaa1", "secret",
			       "generic-api-key", NULL, NULL), 0);
	assert_int_equal(count(NULL, "password = \"changeme_please\"", "secret",
			       "generic-api-key", NULL, NULL), 0);
}

static void
test_limits(void **state)
{
	struct dlp_findings f;

	(void)state;
	dlp_findings_init(&f);
	assert_int_equal(dlp_scan(eng, NULL, "x", DLP_MAX_TEXT + 1, &f),
			 -GH_BODY_TOO_LARGE);
	assert_int_equal(dlp_scan(eng, NULL, "", 0, &f), 0);
	assert_int_equal(f.n, 0);
	dlp_findings_free(&f);
}

/*
 * Same findings on the realistic corpus: every message of the benchmark's
 * corpus (bench/corpus.c, 2 MB from its fixed seed) scanned with the
 * server's context, and each finding (message, type, rule, byte and
 * character span) and each return code folded into one hash. The
 * expected count, per-type counts and hash were produced by the scanner
 * before the issue-14 speed work (commit "test_dlp: findings on the
 * realistic corpus"), so any optimisation that adds, drops or moves a
 * finding fails here.
 */
#define CORPUS_TEST_BYTES ((size_t)2 << 20)
#define CORPUS_FINDINGS 1855
#define CORPUS_HASH 0x31759342f7e9071full

static uint64_t
fnv_more(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static void
test_corpus_findings(void **state)
{
	static const char *const types[] = {
		"credit_card", "iban", "us_ssn", "uk_nino", "aba_routing",
		"secret", "auth_header", "cookie", "email", "phone",
		"internal_note", "other_customer_data", "har_session"};
	size_t per_type[sizeof(types) / sizeof(types[0])] = {0}, n = 0;
	uint64_t h = 1469598103934665603ull;
	struct corpus c;

	(void)state;
	assert_int_equal(corpus_new(&c, CORPUS_SEED, CORPUS_TEST_BYTES), 0);
	for (size_t i = 0; i < c.n_msg; i++) {
		struct corpus_ctx_store st;
		struct dlp_context ctx;
		struct dlp_findings f;
		char line[256];
		int rc;

		corpus_ctx(&c, i, &st, &ctx);
		dlp_findings_init(&f);
		rc = dlp_scan(eng, &ctx, c.text + c.off[i], c.off[i + 1] - c.off[i],
			      &f);
		snprintf(line, sizeof(line), "%zu rc %d\n", i, rc);
		h = fnv_more(h, line);
		for (size_t k = 0; k < f.n; k++) {
			snprintf(line, sizeof(line), "%zu %s %s %zu %zu %zu %zu\n",
				 i, f.v[k].type, f.v[k].rule, f.v[k].start,
				 f.v[k].end, f.v[k].cstart, f.v[k].cend);
			h = fnv_more(h, line);
			for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
				per_type[t] += strcmp(f.v[k].type, types[t]) == 0;
		}
		n += f.n;
		dlp_findings_free(&f);
	}
	for (size_t t = 0; (n != CORPUS_FINDINGS || h != CORPUS_HASH) &&
			   t < sizeof(types) / sizeof(types[0]); t++)
		printf("corpus: %-20s %zu\n", types[t], per_type[t]);
	printf("corpus: %zu messages, %zu findings, hash 0x%016llxull\n",
	       c.n_msg, n, (unsigned long long)h);
	corpus_free(&c);
	assert_int_equal(n, CORPUS_FINDINGS);
	assert_true(h == CORPUS_HASH);
}

/* End offsets of one detector's trigger, from Hyperscan or digits.c. */
struct ends {
	size_t v[4096];
	size_t n;
	enum builtin b;
};

static int
hs_end(unsigned int id, unsigned long long from, unsigned long long to,
       unsigned int flags, void *cls)
{
	struct ends *e = cls;

	(void)id;
	(void)from;
	(void)flags;
	if (e->n < sizeof(e->v) / sizeof(e->v[0]))
		e->v[e->n++] = (size_t)to;
	return 0;
}

static int
walk_end(void *cls, enum builtin b, size_t first, size_t last)
{
	struct ends *e = cls;

	for (size_t to = first; b == e->b && to <= last &&
				e->n < sizeof(e->v) / sizeof(e->v[0]); to++)
		e->v[e->n++] = to;
	return 0;
}

/* Both ways over t[0, len) for detector b: the same ends, in order. */
static void
same_ends(enum builtin b, hs_database_t *db, hs_scratch_t *sc, const char *t,
	  size_t len)
{
	static struct ends x, y;

	x.n = y.n = 0;
	x.b = y.b = b;
	assert_int_equal(hs_scan(db, t, (unsigned)len, 0, sc, hs_end, &x),
			 HS_SUCCESS);
	assert_int_equal(digit_triggers(t, len, walk_end, &y), 0);
	if (x.n != y.n)
		printf("builtin %d: %zu ends from Hyperscan, %zu walked in "
		       "\"%.*s\"\n", (int)b, x.n, y.n, (int)len, t);
	assert_int_equal(x.n, y.n);
	for (size_t k = 0; k < x.n; k++)
		assert_int_equal(x.v[k], y.v[k]);
}

/*
 * digits.c finds the digit detectors' trigger ends without Hyperscan; it
 * must find exactly the ends Hyperscan finds for each expression of
 * pii_trigger(): on random text made of digits, separators, brackets,
 * letters (the NINO suffixes among them), underscores and no-break spaces,
 * and on the realistic corpus.
 */
static void
test_digit_triggers(void **state)
{
	static const char *const alpha[] = {
		"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "4", "7",
		" ", " ", "-", ".", "\t", "\n", "\r", "(", "+", ")", "a", "D",
		"e", "Z", "_", "/", "\xc2\xa0", "\xc2", "#"};
	uint64_t rs = 0x1234567887654321ull;
	struct corpus c;

	(void)state;
	assert_int_equal(corpus_new(&c, CORPUS_SEED, (size_t)256 << 10), 0);
	for (unsigned b = 0; b < B_COUNT; b++) {
		hs_database_t *db = NULL;
		hs_compile_error_t *err = NULL;
		hs_scratch_t *sc = NULL;
		unsigned fl;
		size_t back;
		const char *ex = pii_trigger((enum builtin)b, &fl, &back);

		if (!digit_builtin((enum builtin)b))
			continue;
		assert_int_equal(hs_compile(ex, fl, HS_MODE_BLOCK, NULL, &db,
					    &err), HS_SUCCESS);
		assert_int_equal(hs_alloc_scratch(db, &sc), HS_SUCCESS);
		for (int k = 0; k < 3000; k++) {
			char t[256];
			size_t n = 0, want = 1 + (size_t)(k % 200);

			while (n < want) {
				const char *a;

				rs ^= rs << 13;
				rs ^= rs >> 7;
				rs ^= rs << 17;
				a = alpha[(rs >> 33) % (sizeof(alpha) /
							sizeof(alpha[0]))];
				memcpy(t + n, a, strlen(a));
				n += strlen(a);
			}
			same_ends((enum builtin)b, db, sc, t, n);
		}
		for (size_t i = 0; i + 1 < c.n_msg; i++)
			same_ends((enum builtin)b, db, sc, c.text + c.off[i],
				  c.off[i + 1] - c.off[i]);
		hs_free_scratch(sc);
		hs_free_database(db);
	}
	corpus_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_loaded),
		cmocka_unit_test(test_cards),
		cmocka_unit_test(test_iban),
		cmocka_unit_test(test_national_ids),
		cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_contacts),
		cmocka_unit_test(test_company_phones),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_foreign),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_har),
		cmocka_unit_test(test_redact_json_offsets),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_issue12_rules),
		cmocka_unit_test(test_invisible_fullwidth),
		cmocka_unit_test(test_notes_invisible),
		cmocka_unit_test(test_notes_too_large),
		cmocka_unit_test(test_normalise_view),
		cmocka_unit_test(test_corpus_findings),
		cmocka_unit_test(test_digit_triggers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
