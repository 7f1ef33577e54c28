/*
 * Unit tests of the sealed personal fields and key rotation
 * (core/sealed.c, core/fields.c, core/keys.c, store/sql/fields.c and
 * sealed.c) on an app opened on a real data directory (configuration,
 * master.key, SQLite) in a mkdtemp directory: the list of a customer's
 * personal fields and their classes, custom field rules, a ciphertext
 * moved to another customer or field that no longer opens, the phone
 * number's blind index, a rotation after which every value of every
 * sealed column opens through the modules that use it and none is under
 * the old key, retirement and its refusals, a value that does not open
 * left where it is, the compare-and-set of the store, and every BLOB
 * column of the schema known to the rotation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/accounts.h"
#include "core/app.h"
#include "core/attachments.h"
#include "core/auth.h"
#include "core/fields.h"
#include "core/keys.h"
#include "core/mailer.h"
#include "core/sealed.h"
#include "crypto/totp.h"
#include "util/errors.h"

#define PASSWORD "marmalade Tuesday kite 3"

struct fx {
	char dir[64];
	struct app app;
	struct store_conn *c;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char p[128], err[512];

	if (f == NULL || crypto_init() != 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/gh-test-fields-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(p, sizeof(p), "%s/gatehouse.conf", f->dir);
	if (config_write_default(p) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/master.key", f->dir);
	if (crypto_master_key_create(p) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/outbox", f->dir);
	if (mkdir(p, 0700) != 0)
		return -1;
	if (app_open(&f->app, f->dir, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	f->c = store_acquire(f->app.store);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	store_release(f->app.store, f->c);
	app_close(&f->app);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	(void)!system(cmd);
	free(f);
	return 0;
}

/* A customer with every built-in field; the TOTP secret (base32) into
 * b32 when not NULL. */
static int64_t
add_customer(struct fx *f, const char *email, const char *acct, char *b32)
{
	struct account_new in = {
		.realm = REALM_CUSTOMER,
		.email = email,
		.name = "Ada Customer",
		.phone = "+44 20 7946 0123",
		.dob = "1980-02-29",
		.address = "1 Test Street, London",
		.account_number = acct,
		.password = PASSWORD,
		.password_len = strlen(PASSWORD),
		.actor = "cli",
	};
	struct account_created out;
	const char *field = NULL, *reason = NULL;

	assert_int_equal(accounts_create(&f->app, f->c, &in, &out, &field,
					 &reason),
			 0);
	if (b32 != NULL)
		snprintf(b32, TOTP_B32_CHARS + 1, "%s", out.totp_secret);
	free(out.otpauth_uri);
	return out.id;
}

static int64_t
add_staff(struct fx *f, const char *email, const char *role, char *b32)
{
	struct account_new in = {
		.realm = REALM_STAFF,
		.email = email,
		.name = "Sue Staff",
		.role = role,
		.password = PASSWORD,
		.password_len = strlen(PASSWORD),
		.actor = "cli",
	};
	struct account_created out;
	const char *field = NULL, *reason = NULL;

	assert_int_equal(accounts_create(&f->app, f->c, &in, &out, &field,
					 &reason),
			 0);
	if (b32 != NULL)
		snprintf(b32, TOTP_B32_CHARS + 1, "%s", out.totp_secret);
	free(out.otpauth_uri);
	return out.id;
}

static int64_t
define(struct fx *f, const char *name, const char *cls)
{
	struct field_def d;
	const char *field = NULL;

	assert_int_equal(fields_create(&f->app, f->c, NULL, name, cls,
				       (int64_t)time(NULL), &d, &field),
			 0);
	return d.id;
}

static void
set_value(struct fx *f, const char *email, const char *field,
	  const char *value)
{
	const char *what = NULL;

	assert_int_equal(fields_set_value(&f->app, f->c, "cli", email, field,
					  value, (int64_t)time(NULL), &what),
			 0);
}

/* Field name of customer id opens to want (NULL: not set); or, with
 * want_rc < 0, does not open. */
static void
assert_field(struct fx *f, int64_t id, const char *name, const char *want,
	     int want_rc)
{
	struct pfield_list l;
	char *plain = NULL;
	size_t i = 0;

	assert_int_equal(customer_fields(&f->app, f->c, id, &l), 0);
	while (i < l.n && strcmp(l.v[i].name, name) != 0)
		i++;
	assert_true(i < l.n);
	assert_int_equal(pfield_open(&f->app, &l.v[i], &plain), want_rc);
	if (want_rc == 0 && want == NULL)
		assert_null(plain);
	if (want_rc == 0 && want != NULL)
		assert_string_equal(plain, want);
	crypto_secret_free(plain);
	pfield_list_clear(&l);
}

/* ASVS 14.1.1 11.3.1: every personal field is listed with its class (C1 contact,
 * C2 personal), sealed, and opens to what was stored. */
static void
test_customer_fields(void **state)
{
	struct fx *f = *state;
	static const char *const names[] = {"email", "phone", "dob",
					    "address", "account_number",
					    "loyalty_tier", "nickname"};
	static const char *const classes[] = {"C1", "C1", "C2", "C2", "C2",
					      "C2", "C1"};
	struct pfield_list l;
	int64_t id = add_customer(f, "ada@example.org", "DE89 3704 0044", NULL);

	define(f, "loyalty_tier", "C2");
	define(f, "nickname", "C1");
	set_value(f, "ADA@example.org", "loyalty_tier", "gold since 2009");
	assert_int_equal(customer_fields(&f->app, f->c, id, &l), 0);
	assert_int_equal(l.n, 7);
	for (size_t i = 0; i < l.n; i++) {
		assert_string_equal(l.v[i].name, names[i]);
		assert_string_equal(l.v[i].cls, classes[i]);
		assert_int_equal(l.v[i].field_id != 0, i >= 5);
	}
	assert_null(l.v[6].sealed.data);
	assert_non_null(l.v[4].sealed.data);
	assert_null(memmem(l.v[4].sealed.data, l.v[4].sealed.len, "3704", 4));
	pfield_list_clear(&l);
	assert_field(f, id, "email", "ada@example.org", 0);
	assert_field(f, id, "phone", "+44 20 7946 0123", 0);
	assert_field(f, id, "dob", "1980-02-29", 0);
	assert_field(f, id, "address", "1 Test Street, London", 0);
	assert_field(f, id, "account_number", "DE89 3704 0044", 0);
	assert_field(f, id, "loyalty_tier", "gold since 2009", 0);
	assert_field(f, id, "nickname", NULL, 0);
	/* A second value replaces the first. */
	set_value(f, "ada@example.org", "loyalty_tier", "platinum");
	assert_field(f, id, "loyalty_tier", "platinum", 0);
	assert_int_equal(customer_fields(&f->app, f->c, id + 100, &l),
			 -GH_NOT_FOUND);
}

/* The rules of custom fields: names, classes, admins only, values of
 * 1..500 characters on one line, audited without the value. */
static void
test_field_rules(void **state)
{
	struct fx *f = *state;
	struct tk_actor agent = {REALM_STAFF, 2, "agent", NULL, NULL};
	struct tk_actor admin = {REALM_STAFF, 3, "admin", "10.0.0.1", "r1"};
	struct field_def d;
	const char *field = NULL, *what = NULL;
	char big[600];
	int64_t n0 = 0, n1 = 0;
	char *rec = NULL;
	unsigned char leaf[32];

	assert_true(fields_valid_name("tier_2"));
	assert_false(fields_valid_name("Tier"));
	assert_false(fields_valid_name("2tier"));
	assert_false(fields_valid_name("_x"));
	assert_false(fields_valid_name("a-b"));
	assert_false(fields_valid_name("account_number"));
	assert_false(fields_valid_name("email"));
	assert_false(fields_valid_name(""));
	assert_false(fields_valid_name("abcdefghijklmnopqrstuvwxyz0123456"));
	assert_true(fields_valid_name("abcdefghijklmnopqrstuvwxyz012345"));
	assert_int_equal(fields_create(&f->app, f->c, &agent, "tier", "C1", 1,
				       &d, &field),
			 -GH_FORBIDDEN);
	assert_int_equal(fields_create(&f->app, f->c, &admin, "tier", "C3", 1,
				       &d, &field),
			 -GH_BAD_FIELD);
	assert_string_equal(field, "class");
	assert_int_equal(fields_create(&f->app, f->c, &admin, "Tier", "C1", 1,
				       &d, &field),
			 -GH_BAD_FIELD);
	assert_string_equal(field, "name");
	assert_int_equal(fields_create(&f->app, f->c, &admin, "tier", "C1", 1,
				       &d, &field),
			 0);
	assert_string_equal(d.created_by, "staff:3");
	assert_int_equal(fields_create(&f->app, f->c, NULL, "tier", "C2", 1, &d,
				       &field),
			 -GH_CONFLICT);
	add_customer(f, "bo@example.org", NULL, NULL);
	assert_int_equal(fields_set_value(&f->app, f->c, "cli", "bo@example.org",
					  "nope", "x", 1, &what),
			 -GH_NOT_FOUND);
	assert_string_equal(what, "field");
	assert_int_equal(fields_set_value(&f->app, f->c, "cli", "no@example.org",
					  "tier", "x", 1, &what),
			 -GH_NOT_FOUND);
	assert_string_equal(what, "customer");
	memset(big, 'x', 501);
	big[501] = '\0';
	assert_int_equal(fields_set_value(&f->app, f->c, "cli", "bo@example.org",
					  "tier", big, 1, &what),
			 -GH_BAD_FIELD);
	assert_string_equal(what, "value");
	assert_int_equal(fields_set_value(&f->app, f->c, "cli", "bo@example.org",
					  "tier", "", 1, &what),
			 -GH_BAD_FIELD);
	assert_int_equal(fields_set_value(&f->app, f->c, "cli", "bo@example.org",
					  "tier", "a\nb", 1, &what),
			 -GH_BAD_FIELD);
	assert_int_equal(f->c->ops->audit_count(f->c, &n0), 0);
	big[500] = '\0';
	assert_int_equal(fields_set_value(&f->app, f->c, "cli", "bo@example.org",
					  "tier", big, 1, &what),
			 0);
	assert_int_equal(f->c->ops->audit_count(f->c, &n1), 0);
	assert_int_equal(n1, n0 + 1);
	assert_int_equal(f->c->ops->audit_get(f->c, n1, &rec, leaf), 0);
	assert_non_null(strstr(rec, "\"customer.field_set\""));
	assert_non_null(strstr(rec, "\"tier\""));
	assert_null(strstr(rec, "xxxx"));
	free(rec);
}

/* An account number that breaks the rule is refused, naming the field. */
static void
test_account_number_rule(void **state)
{
	struct fx *f = *state;
	static const char *const bad[] = {"123", "12a!4567", "ab-cd-ef",
					  "1234567890123456789012345678901234X"};
	struct account_new in = {.realm = REALM_CUSTOMER,
				 .email = "cy@example.org",
				 .name = "Cy",
				 .password = PASSWORD,
				 .password_len = strlen(PASSWORD),
				 .actor = "cli"};
	struct account_created out;
	const char *field = NULL, *reason = NULL;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		in.account_number = bad[i];
		assert_int_equal(accounts_create(&f->app, f->c, &in, &out,
						 &field, &reason),
				 -GH_BAD_FIELD);
		assert_string_equal(field, "account_number");
	}
	assert_true(fields_valid_account_number("GB29 NWBK 6016 1331 9268 19"));
	assert_true(fields_valid_account_number("0044-1234"));
}

/* ASVS 11.3.1: the associated data binds each ciphertext to its customer
 * and field: a value copied to another customer, or to another field of
 * the same customer, does not open. */
static void
test_moved_ciphertext(void **state)
{
	struct fx *f = *state;
	int64_t a = add_customer(f, "ada@example.org", "1111 2222", NULL);
	int64_t b = add_customer(f, "bob@example.org", "3333 4444", NULL);
	int64_t f1 = define(f, "tier", "C2");
	int64_t f2 = define(f, "pet", "C2");
	struct sealed_value v;
	struct sealed_head h[8];
	size_t n = 0;

	set_value(f, "ada@example.org", "tier", "gold");
	assert_int_equal(f->c->ops->sealed_get(f->c,
					       SEALED_CUSTOMER_ACCOUNT_NUMBER,
					       a, &v),
			 0);
	assert_int_equal(f->c->ops->customer_set_account_number(f->c, b,
								 &v.value),
			 0);
	sealed_value_clear(&v);
	assert_field(f, b, "account_number", NULL, -GH_INTERNAL);
	assert_field(f, a, "account_number", "1111 2222", 0);
	/* Ada's tier value, as Ada's pet and as Bob's tier. */
	assert_int_equal(f->c->ops->sealed_heads(f->c, SEALED_FIELD_VALUE, 0, 8,
						 h, &n),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(f->c->ops->sealed_get(f->c, SEALED_FIELD_VALUE,
					       h[0].id, &v),
			 0);
	assert_int_equal(v.num, f1);
	assert_int_equal(f->c->ops->customer_field_put(f->c, a, f2, &v.value, 1),
			 0);
	assert_int_equal(f->c->ops->customer_field_put(f->c, b, f1, &v.value, 1),
			 0);
	sealed_value_clear(&v);
	assert_field(f, a, "pet", NULL, -GH_INTERNAL);
	assert_field(f, b, "tier", NULL, -GH_INTERNAL);
	assert_field(f, a, "tier", "gold", 0);
}

/* The phone number's blind index finds a customer however the number is
 * written, and start-up indexes customers older than the index. */
static void
test_phone_index(void **state)
{
	struct fx *f = *state;
	int64_t a = add_customer(f, "ada@example.org", NULL, NULL);
	int64_t ids[4];
	size_t n = 0;

	assert_int_equal(sealed_find_by_phone(&f->app, f->c, "+442079460123",
					      ids, 4, &n),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], a);
	assert_int_equal(sealed_find_by_phone(&f->app, f->c, "+44-20-7946-0123",
					      ids, 4, &n),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(sealed_find_by_phone(&f->app, f->c, "+44 20 7946 0124",
					      ids, 4, &n),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(sealed_find_by_phone(&f->app, f->c, "call me", ids, 4,
					      &n),
			 -GH_BAD_FIELD);
	/* A row from before migration 013. */
	assert_int_equal(f->c->ops->customer_set_phone_idx(f->c, a, NULL), 0);
	assert_int_equal(sealed_find_by_phone(&f->app, f->c, "+442079460123",
					      ids, 4, &n),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(sealed_phone_ensure(&f->app), 0);
	assert_int_equal(sealed_find_by_phone(&f->app, f->c, "+442079460123",
					      ids, 4, &n),
			 0);
	assert_int_equal(n, 1);
}

/* The store replaces a sealed value only while it is what was read. */
static void
test_replace_compares(void **state)
{
	struct fx *f = *state;
	int64_t a = add_customer(f, "ada@example.org", NULL, NULL);
	struct sealed_value v;
	struct blob other = {(unsigned char *)"other", 5};

	assert_int_equal(f->c->ops->sealed_get(f->c, SEALED_CUSTOMER_DOB, a,
					       &v),
			 0);
	assert_int_equal(f->c->ops->sealed_replace(f->c, SEALED_CUSTOMER_DOB, a,
						   &other, &other),
			 -GH_CONFLICT);
	assert_field(f, a, "dob", "1980-02-29", 0);
	sealed_value_clear(&v);
	assert_int_equal(f->c->ops->sealed_get(f->c, SEALED_CUSTOMER_PHRASE, a,
					       &v),
			 -GH_NOT_FOUND);
}

/* --- rotation ------------------------------------------------------ */

/* A 1x1 PNG: stored as it is by the attachment analyser. */
static const unsigned char png[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00,
	0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89,
	0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63,
	0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89,
	0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44,
	0xae, 0x42, 0x60, 0x82,
};

/* The customer's phrase, sealed as core/tickets.c seals it. */
static void
set_phrase(struct fx *f, int64_t id, const char *phrase)
{
	struct customer_personal p;
	struct blob b;

	assert_int_equal(f->c->ops->customer_personal(f->c, id, &p), 0);
	assert_int_equal(sealed_field_seal(f->app.keys, p.email_idx, "phrase",
					   phrase, &b),
			 0);
	assert_int_equal(f->c->ops->customer_set_phrase(f->c, id, &b), 0);
	blob_clear(&b);
	customer_personal_clear(&p);
}

/* An outbox row sealed as core/notify.c seals it (the mailer opens it). */
static void
queue_mail(struct fx *f, const char *to, const char *phrase)
{
	struct outbox_new o = {.ref = "0123456789abcdef0123456789abcdef",
			       .kind = "new_message",
			       .subject = "New secure message",
			       .body_text = "Log in to read it.",
			       .now = (int64_t)time(NULL) - 10};
	char ad[160];
	int64_t id = 0;

	snprintf(ad, sizeof(ad), "outbox.recipient:%s", o.ref);
	assert_int_equal(crypto_seal(f->app.keys, ad, to, strlen(to),
				     &o.recipient.data, &o.recipient.len),
			 0);
	snprintf(ad, sizeof(ad), "outbox.phrase:%s", o.ref);
	assert_int_equal(crypto_seal(f->app.keys, ad, phrase, strlen(phrase),
				     &o.phrase.data, &o.phrase.len),
			 0);
	assert_int_equal(f->c->ops->outbox_insert(f->c, &o, &id), 0);
	blob_clear(&o.recipient);
	blob_clear(&o.phrase);
}

/* Every value of every sealed column is under key `key` and opens with
 * the associated data of its column; how many there are. */
static int64_t
all_under(struct fx *f, uint32_t key)
{
	struct sealed_head h[64];
	int64_t total = 0;

	for (int col = 0; col < SEALED_COLS; col++) {
		size_t n = 0;

		assert_int_equal(f->c->ops->sealed_heads(f->c, col, 0, 64, h,
							 &n),
				 0);
		for (size_t i = 0; i < n; i++) {
			struct sealed_value v;
			char ad[SEALED_AD_BYTES], *plain = NULL;
			size_t len = 0;
			uint32_t id = 0;

			assert_int_equal(crypto_sealed_key_id(h[i].head,
							      h[i].len, &id),
					 0);
			assert_int_equal(id, key);
			assert_int_equal(f->c->ops->sealed_get(f->c, col,
							       h[i].id, &v),
					 0);
			assert_int_equal(sealed_ad(col, v.ctx, v.num, ad,
						   sizeof(ad)),
					 0);
			assert_int_equal(crypto_open(f->app.keys, ad,
						     v.value.data, v.value.len,
						     &plain, &len),
					 0);
			crypto_secret_free(plain);
			sealed_value_clear(&v);
			total++;
		}
	}
	return total;
}

/* Logs in with the password and a code of the secret (base32). */
static int
login(struct fx *f, enum realm realm, const char *email, const char *b32)
{
	unsigned char secret[TOTP_SECRET_BYTES];
	struct login_req req = {realm, email, PASSWORD, strlen(PASSWORD),
				NULL, "127.0.0.1", "t", NULL};
	struct login_ok ok;
	char code[8];
	size_t n = 0;
	int bits = 0, acc = 0, rc;
	int64_t retry = 0;

	for (const char *p = b32; *p && n < sizeof(secret); p++) {
		acc = ((acc << 5) | (*p >= 'A' ? *p - 'A' : *p - '2' + 26)) &
		      0xffff;
		bits += 5;
		if (bits >= 8) {
			secret[n++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	assert_int_equal(totp_generate(secret, n, time(NULL), code), 0);
	req.code = code;
	rc = auth_login(&f->app, f->c, &req, &ok, &retry);
	crypto_wipe(ok.token, sizeof(ok.token));
	return rc;
}

/* 1 when some audit record holds both needles. */
static int
audited(struct fx *f, const char *a, const char *b)
{
	int64_t n = 0;
	int found = 0;

	assert_int_equal(f->c->ops->audit_count(f->c, &n), 0);
	for (int64_t seq = 1; seq <= n && !found; seq++) {
		unsigned char leaf[32];
		char *rec = NULL;

		assert_int_equal(f->c->ops->audit_get(f->c, seq, &rec, leaf), 0);
		found = strstr(rec, a) != NULL && strstr(rec, b) != NULL;
		free(rec);
	}
	return found;
}

/* Every kind of sealed value, made by the modules that make them. */
static void
fill(struct fx *f, char *cb32, char *sb32, int64_t *att)
{
	int64_t cust = add_customer(f, "ada@example.org", "DE89 3704", cb32);
	int64_t sup = add_staff(f, "sue@example.com", "supervisor", sb32);
	struct tk_actor s = {REALM_STAFF, sup, "supervisor", NULL, NULL};
	struct attachment_rec rec;
	char notice[1024];
	int64_t tk = 0;

	define(f, "tier", "C2");
	set_value(f, "ada@example.org", "tier", "gold");
	set_phrase(f, cust, "blue heron");
	queue_mail(f, "ada@example.org", "blue heron");
	assert_int_equal(f->c->ops->ticket_insert(f->c, cust, "Help",
						  (int64_t)time(NULL), &tk),
			 0);
	assert_int_equal(attachments_upload(&f->app, f->c, &s, tk, "dot.png",
					    png, sizeof(png), &rec, notice),
			 0);
	*att = rec.id;
	attachment_rec_clear(&rec);
}

/* ASVS 11.1.1 11.1.2 11.3.1: after `keys rotate` every sealed value of every
 * column is under the new key and opens through the module that uses it
 * (login seeds, personal fields, the mailer, attachments); the old key
 * can then be retired, the current one cannot. */
static void
test_rotate_everything(void **state)
{
	struct fx *f = *state;
	struct tk_actor s = {REALM_STAFF, 0, "supervisor", NULL, NULL};
	struct attachment_rec rec;
	struct keys_report r;
	char cb32[40], sb32[40];
	unsigned char *data = NULL;
	const char *why = NULL;
	int64_t att = 0, left = 0;
	size_t len = 0;

	fill(f, cb32, sb32, &att);
	assert_int_equal(all_under(f, 1), 12);
	assert_int_equal(keys_retire(&f->app, f->c, "cli", 1, &left, &why),
			 -GH_BAD_STATE);
	assert_int_equal(keys_rotate(&f->app, f->c, "cli", &r, &why), 0);
	assert_int_equal(r.previous, 1);
	assert_int_equal(r.current, 2);
	assert_int_equal(r.resealed, 12);
	assert_int_equal(r.failed, 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.by_key[0].id, 2);
	assert_int_equal(r.by_key[0].values, 12);
	assert_int_equal(all_under(f, 2), 12);
	assert_field(f, 1, "account_number", "DE89 3704", 0);
	assert_field(f, 1, "tier", "gold", 0);
	assert_int_equal(login(f, REALM_CUSTOMER, "ada@example.org", cb32), 0);
	assert_int_equal(login(f, REALM_STAFF, "sue@example.com", sb32), 0);
	s.id = 1;
	assert_int_equal(attachments_fetch(&f->app, f->c, &s, att, &rec, &data,
					   &len),
			 0);
	assert_int_equal(len, sizeof(png));
	assert_memory_equal(data, png, len);
	free(data);
	attachment_rec_clear(&rec);
	assert_int_equal(mailer_run_once(&f->app, (int64_t)time(NULL)), 1);
	assert_true(audited(f, "\"keys.rotate\"", "\"previous\":1"));
	assert_true(audited(f, "\"keys.reseal\"", "\"resealed\":12"));
	/* Retirement: never the current key, never a key not in the ring. */
	assert_int_equal(keys_retire(&f->app, f->c, "cli", 2, &left, &why),
			 -GH_BAD_STATE);
	assert_int_equal(keys_retire(&f->app, f->c, "cli", 9, &left, &why),
			 -GH_NOT_FOUND);
	assert_int_equal(keys_retire(&f->app, f->c, "cli", 1, &left, &why), 0);
	assert_true(audited(f, "\"keys.retire\"", "\"success\""));
	assert_true(audited(f, "\"keys.retire\"", "\"denied\""));
	/* The mailer wiped the delivered row's recipient and phrase. */
	assert_int_equal(all_under(f, 2), 10);
}

/* ASVS 11.1.1 11.1.2: a key is not retired while any value is sealed under it
 * (an interrupted rotation); `keys reseal` finishes the work. Values
 * sealed after the switch are under the new key at once. */
static void
test_retire_refused(void **state)
{
	struct fx *f = *state;
	struct keys_report r;
	const char *why = NULL;
	int64_t left = 0;
	uint32_t id = 0;
	int64_t b;

	add_customer(f, "ada@example.org", "1234 5678", NULL);
	assert_int_equal(crypto_ring_add(f->app.cfg.dir, &id), 0);
	assert_int_equal(crypto_ring_set_current(f->app.cfg.dir, id), 0);
	assert_int_equal(keys_retire(&f->app, f->c, "cli", 1, &left, &why),
			 -GH_CONFLICT);
	assert_int_equal(left, 6);
	assert_non_null(strstr(why, "still sealed"));
	assert_true(audited(f, "\"values_left\":6", "\"denied\""));
	b = add_customer(f, "bob@example.org", NULL, NULL);
	assert_int_equal(keys_tally(&f->app, f->c, &r), 0);
	assert_int_equal(r.n, 2);
	assert_true((r.by_key[0].id == 1 && r.by_key[0].values == 6 &&
		     r.by_key[1].id == 2 && r.by_key[1].values == 5) ||
		    (r.by_key[1].id == 1 && r.by_key[1].values == 6 &&
		     r.by_key[0].id == 2 && r.by_key[0].values == 5));
	assert_int_equal(keys_reseal(&f->app, f->c, "cli", &r, &why), 0);
	assert_int_equal(r.resealed, 6);
	assert_int_equal(all_under(f, 2), 11);
	assert_field(f, b, "dob", "1980-02-29", 0);
	assert_int_equal(keys_retire(&f->app, f->c, "cli", 1, &left, &why), 0);
}

/* A value that does not open is left as it is and counted: the rotation
 * says so, and its key cannot be retired. */
static void
test_unopenable_left(void **state)
{
	struct fx *f = *state;
	struct customer_personal p;
	struct keys_report r;
	struct blob b;
	const char *why = NULL;
	int64_t left = 0;
	int64_t a = add_customer(f, "ada@example.org", NULL, NULL);
	int64_t c = add_customer(f, "cy@example.org", NULL, NULL);

	/* Cy's phrase sealed for Ada. */
	assert_int_equal(f->c->ops->customer_personal(f->c, a, &p), 0);
	assert_int_equal(sealed_field_seal(f->app.keys, p.email_idx, "phrase",
					   "not yours", &b),
			 0);
	customer_personal_clear(&p);
	assert_int_equal(f->c->ops->customer_set_phrase(f->c, c, &b), 0);
	blob_clear(&b);
	assert_int_equal(keys_rotate(&f->app, f->c, "cli", &r, &why),
			 -GH_CONFLICT);
	assert_int_equal(r.failed, 1);
	assert_string_equal(r.failed_column, "customers.phrase");
	assert_int_equal(r.failed_row, c);
	assert_int_equal(r.resealed, 10);
	assert_true(audited(f, "\"keys.reseal\"", "\"failure\""));
	assert_int_equal(keys_retire(&f->app, f->c, "cli", 1, &left, &why),
			 -GH_CONFLICT);
	assert_int_equal(left, 1);
}

/* Every BLOB column of the schema is either a sealed column the rotation
 * walks or one of the known hashes and signatures: a new sealed column
 * that key rotation does not know fails here. */
static void
test_blob_columns_known(void **state)
{
	struct fx *f = *state;
	static const char *const not_sealed[] = {
		"audit.leaf_hash", "audit_checkpoints.root",
		"audit_checkpoints.signature",
		/* a key's check value (migration 029): a keyed hash */
		"key_checks.check_value",
		/* passkeys (migration 030): credential ids, COSE public keys
		 * and random user handles are public, not personal data */
		"passkeys.cred_id", "passkeys.public_key",
		"passkey_users.handle",
		/* FTS5's own tables of the search indexes (migration 021):
		 * tokens of text stored in clear, never a sealed field */
		"search_subjects_data.block", "search_subjects_docsize.sz",
		"search_messages_data.block", "search_messages_docsize.sz",
		"search_notes_data.block", "search_notes_docsize.sz", NULL};
	char path[128];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int n = 0;

	snprintf(path, sizeof(path), "%s/gatehouse.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT m.name || '.' || c.name "
					    "FROM sqlite_master m, "
					    "pragma_table_info(m.name) c "
					    "WHERE m.type = 'table' AND "
					    "upper(c.type) = 'BLOB'",
					    -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *col = (const char *)sqlite3_column_text(st, 0);
		int known = 0;

		for (int i = 0; i < SEALED_COLS; i++)
			known |= strcmp(col, keys_column_name(i)) == 0;
		for (int i = 0; not_sealed[i] != NULL; i++)
			known |= strcmp(col, not_sealed[i]) == 0;
		if (!known)
			fail_msg("BLOB column %s is unknown to key rotation",
				 col);
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	/* Each sealed column and each other known BLOB column, once. */
	assert_int_equal(n, SEALED_COLS + (int)(sizeof(not_sealed) /
						sizeof(not_sealed[0])) - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_customer_fields, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_field_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_account_number_rule, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_moved_ciphertext, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_phone_index, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_replace_compares, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rotate_everything, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_retire_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unopenable_left, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_blob_columns_known, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
