/*
 * Unit tests of the fingerprint index of customers' values
 * (core/fingerprints.c, the store's fingerprint operations) and of the
 * inbound analysis of customers' messages (core/inbound.c), against a real
 * SQLite file in a temporary directory: the normalisation shared with the
 * DLP engine (differently written phone numbers, dates and e-mail
 * addresses find the same row), the index holding no plaintext, a value
 * two customers share counting as the customer's own, the outbound check
 * naming other customers' values, the rebuild being idempotent; secrets
 * removed from a message and links described defanged. The DLP and link
 * engines are built once for the program.
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
#include <unistd.h>

#include "core/app.h"
#include "util/errors.h"
#include "core/fingerprints.h"
#include "core/inbound.h"
#include "core/outbound.h"
#include "core/tickets.h"

static const unsigned char master[CRYPTO_KEY_BYTES] = {
	1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31,
	2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32,
};

static struct dlp_engine *dlp;
static struct phish_engine *phish;

struct fx {
	char dir[64];
	char db[96];
	struct app app;
	struct store_conn *c;
};

struct person {
	const char *email, *phone, *dob, *address;
};

static const struct person ada = {"ada@example.org", "+44 20 7946 0123",
				   "1985-03-12", "221B Baker Street, London"};
static const struct person bob = {"Bob.Other@Example.net", "+1 415 555 0142",
				   "1975-07-14", "12 Elm Road, Springfield"};

static void
seal(struct fx *f, const char *idx, const char *col, const char *v,
     struct blob *out)
{
	char ad[160];

	snprintf(ad, sizeof(ad), "customer.%s:%s", col, idx);
	assert_int_equal(crypto_seal(f->app.keys, ad, v, strlen(v), &out->data,
				     &out->len), 0);
}

/* A customer row with sealed fields, as accounts.c writes it; indexed
 * only when index is set (otherwise as before migration 004). */
static int64_t
add_customer(struct fx *f, const struct person *p, int index)
{
	char idx[CRYPTO_HASH_HEX];
	struct customer_new n;
	struct blob e = {NULL, 0}, ph = {NULL, 0}, d = {NULL, 0},
		    a = {NULL, 0}, seed = {NULL, 0};
	int64_t id = 0;

	memset(&n, 0, sizeof(n));
	crypto_index(f->app.keys, "customer.email", p->email, strlen(p->email),
		     idx);
	seal(f, idx, "email", p->email, &e);
	seal(f, idx, "phone", p->phone, &ph);
	seal(f, idx, "dob", p->dob, &d);
	seal(f, idx, "address", p->address, &a);
	assert_int_equal(crypto_seal(f->app.keys, "x", "seed", 4, &seed.data,
				     &seed.len), 0);
	n.email_idx = idx;
	n.email = e;
	n.name = "Test Customer";
	n.phone = ph;
	n.dob = d;
	n.address = a;
	n.pw_hash = "x";
	n.totp_seed = seed;
	n.totp_enrolled = 1;
	assert_int_equal(f->c->ops->customer_insert(f->c, &n, &id), 0);
	if (index)
		assert_int_equal(fingerprints_add_customer(
					 f->app.keys, f->c, id, p->email,
					 p->phone, p->dob, p->address),
				 0);
	blob_clear(&e);
	blob_clear(&ph);
	blob_clear(&d);
	blob_clear(&a);
	blob_clear(&seed);
	return id;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char url[128], err[256];

	if (f == NULL || crypto_init() != 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/gh-test-inbound-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	config_defaults(&f->app.cfg, f->dir);
	snprintf(f->app.cfg.company_domains, sizeof(f->app.cfg.company_domains),
		 "example.com");
	if (config_validate(&f->app.cfg, err, sizeof(err)) != 0)
		return -1;
	if (crypto_keys_from_bytes(master, &f->app.keys) != 0)
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/db", f->dir);
	snprintf(url, sizeof(url), "sqlite:%s", f->db);
	if (store_open(url, 2, &f->app.store) != 0)
		return -1;
	f->app.dlp = dlp;
	f->app.phish = phish;
	f->c = store_acquire(f->app.store);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	store_release(f->app.store, f->c);
	store_close(f->app.store);
	crypto_keys_free(f->app.keys);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	(void)!system(cmd);
	free(f);
	return 0;
}

static int
group_setup(void **state)
{
	static const char *const own[] = {"example.com"};
	struct phish_options o = {own, 1, NULL};

	(void)state;
	if (crypto_init() != 0 || dlp_engine_new(&dlp) != 0)
		return -1;
	return phish_engine_new(&o, &phish);
}

static int
group_teardown(void **state)
{
	(void)state;
	dlp_engine_free(dlp);
	phish_engine_free(phish);
	return 0;
}

static int64_t
fp_rows(struct fx *f)
{
	int64_t n = -1;

	assert_int_equal(f->c->ops->fingerprint_count(f->c, &n), 0);
	return n;
}

/* Collects the normalised forms dlp_fingerprint() gives. */
struct forms {
	char v[8][256];
	size_t n;
};

static void
collect(void *cls, const char *kind, const char *norm, size_t len)
{
	struct forms *fs = cls;

	(void)kind;
	assert_true(len < sizeof(fs->v[0]));
	if (fs->n < 8) {
		memcpy(fs->v[fs->n], norm, len);
		fs->v[fs->n][len] = '\0';
		fs->n++;
	}
}

/* 1 when every form of value (written as a reply would) is foreign to
 * viewer, 0 when none is. */
static int
foreign(struct fx *f, int64_t viewer, const char *kind, const char *value)
{
	struct forms fs;
	int hits = 0;

	memset(&fs, 0, sizeof(fs));
	assert_true(dlp_fingerprint(kind, value, strlen(value), collect, &fs) >
		    0);
	for (size_t i = 0; i < fs.n; i++) {
		int rc = fingerprints_foreign(f->app.keys, f->c, viewer, kind,
					      fs.v[i], strlen(fs.v[i]));

		assert_true(rc == 0 || rc == 1);
		hits += rc;
	}
	if (hits == 0)
		return 0;
	assert_int_equal((size_t)hits, fs.n);
	return 1;
}

static void
test_round_trip(void **state)
{
	struct fx *f = *state;
	int64_t a = add_customer(f, &ada, 1);
	int64_t b = add_customer(f, &bob, 1);

	/* e-mail, phone, dob: one row each; the address: one per run of 3
	 * words holding a digit ("221b baker street"; "12 elm road"). */
	assert_int_equal(fp_rows(f), 2 * 4);
	/* Written differently, found the same. */
	assert_int_equal(foreign(f, a, "phone", "(415) 555-0142"), 1);
	assert_int_equal(foreign(f, a, "phone", "+14155550142"), 1);
	assert_int_equal(foreign(f, a, "email", "  bob.other@EXAMPLE.NET "), 1);
	assert_int_equal(foreign(f, a, "dob", "14.07.1975"), 1);
	assert_int_equal(foreign(f, a, "address", "12 ELM road"), 1);
	/* Seen from Bob these are his own; Ada's are foreign to him. */
	assert_int_equal(foreign(f, b, "phone", "415 555 0142"), 0);
	assert_int_equal(foreign(f, b, "dob", "1975-07-14"), 0);
	assert_int_equal(foreign(f, b, "phone", "020 7946 0123"), 1);
	assert_int_equal(foreign(f, b, "address", "221b Baker Street"), 1);
	/* Nobody's. */
	assert_int_equal(foreign(f, a, "phone", "+49 30 1234 5678"), 0);
	assert_int_equal(foreign(f, a, "email", "nobody@example.net"), 0);
	/* Adding again changes nothing. */
	assert_int_equal(fingerprints_add_customer(f->app.keys, f->c, b,
						   bob.email, bob.phone,
						   bob.dob, bob.address),
			 0);
	assert_int_equal(fp_rows(f), 8);
	assert_int_equal(fingerprints_add(f->app.keys, f->c, b, "shoe", "x"),
			 -GH_BAD_FIELD);
}

/* A value two customers share (a family's address) is each one's own. */
static void
test_shared_value(void **state)
{
	struct fx *f = *state;
	struct person carol = {"carol@example.org", "+44 20 7946 0555",
			       "1990-01-01", "221B Baker Street, London"};
	int64_t a = add_customer(f, &ada, 1);
	int64_t c = add_customer(f, &carol, 1);
	int64_t b = add_customer(f, &bob, 1);

	assert_int_equal(foreign(f, a, "address", "221B Baker Street"), 0);
	assert_int_equal(foreign(f, c, "address", "221B Baker Street"), 0);
	assert_int_equal(foreign(f, b, "address", "221B Baker Street"), 1);
}

/* The index holds keyed hashes only: no value, in any form, in the file. */
static void
test_no_plaintext(void **state)
{
	struct fx *f = *state;
	static const char *const needles[] = {
		"bob.other", "example.net", "155550142", "4155550142",
		"1975-07-14", "elm road", "Elm Road", "baker",
	};
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rows = 0;

	add_customer(f, &ada, 1);
	add_customer(f, &bob, 1);
	assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY,
					 NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT kind, fp FROM "
					    "customer_fingerprints",
					    -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *fp = (const char *)sqlite3_column_text(st, 1);

		rows++;
		assert_int_equal(strlen(fp), CRYPTO_HASH_HEX - 1);
		assert_int_equal(strspn(fp, "0123456789abcdef"),
				 CRYPTO_HASH_HEX - 1);
		for (size_t i = 0; i < sizeof(needles) / sizeof(needles[0]);
		     i++)
			assert_null(strstr(fp, needles[i]));
	}
	assert_int_equal(rows, 8);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* Customers created before the index: the rebuild finds them, once. */
static void
test_rebuild_idempotent(void **state)
{
	struct fx *f = *state;
	int64_t a = add_customer(f, &ada, 0);
	int64_t n = 0;

	add_customer(f, &bob, 0);
	assert_int_equal(fp_rows(f), 0);
	assert_int_equal(foreign(f, a, "phone", "415 555 0142"), 0);
	assert_int_equal(fingerprints_ensure(f->app.keys, f->app.store), 0);
	assert_int_equal(fp_rows(f), 8);
	assert_int_equal(foreign(f, a, "phone", "415 555 0142"), 1);
	assert_int_equal(fingerprints_rebuild(f->app.keys, f->c, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(fp_rows(f), 8);
	/* Not empty any more: ensure does nothing. */
	assert_int_equal(fingerprints_ensure(f->app.keys, f->app.store), 0);
	assert_int_equal(fp_rows(f), 8);
}

/* The outbound check names other customers' values; the own pass. */
static void
test_outbound_other_customer(void **state)
{
	struct fx *f = *state;
	int64_t a = add_customer(f, &ada, 1);
	int64_t tk = 0;
	struct dlp_findings fd;
	static const char *const bad[] = {
		"Please call 415 555 0142 about it.",
		"Bob wrote from BOB.OTHER@example.net yesterday.",
		"Customer born 14/07/1975, right?",
		"Shipped to 12 Elm Road as asked.",
	};
	static const char *const good[] = {
		"We will call you on +44 20 7946 0123 today.",
		"We will write to ada@example.org soon.",
		"Your date of birth 12.03.1985 is on file.",
		"Delivery to 221B Baker Street tomorrow.",
	};

	dlp_findings_init(&fd);
	add_customer(f, &bob, 1);
	assert_int_equal(f->c->ops->ticket_insert(f->c, a, "S", 1, &tk), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(outbound_check(&f->app, f->c, tk, a, bad[i],
						strlen(bad[i]), &fd),
				 -GH_DLP_BLOCKED);
		assert_int_equal(fd.n, 1);
		assert_string_equal(fd.v[0].type, "other_customer_data");
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(outbound_check(&f->app, f->c, tk, a, good[i],
						strlen(good[i]), &fd),
				 0);
	dlp_findings_free(&fd);
}

static const char *
str_at(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
has_reason(json_t *link, const char *code)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(link, "reasons"), i, v)
		if (strcmp(json_string_value(v), code) == 0)
			return 1;
	return 0;
}

/* ASVS 14.2.6: secrets removed; own contact data left; links defanged. */
static void
test_inbound_analyse(void **state)
{
	struct fx *f = *state;
	const char *msg = "Key AKIAZ3MSJV4WWNKWW5FG, mail me at ada@example.org "
			  "or +44 20 7946 0123. See http://192.168.10.5:8080/x";
	struct inbound_result in;
	json_t *links, *l;

	assert_int_equal(inbound_analyse(&f->app, msg, strlen(msg), &in), 0);
	assert_null(strstr(in.text, "AKIAZ3MSJV4WWNKWW5FG"));
	assert_non_null(strstr(in.text, "[redacted: secret]"));
	assert_non_null(strstr(in.text, "ada@example.org"));
	assert_non_null(strstr(in.text, "+44 20 7946 0123"));
	assert_int_equal(in.removed.n, 1);
	assert_string_equal(in.removed.v[0].type, "secret");
	/* As stored: the same, serialised. */
	assert_non_null(strstr(in.redactions, "\"type\":\"secret\""));
	links = json_loads(in.links, 0, NULL);
	assert_int_equal(json_array_size(links), 1);
	l = json_array_get(links, 0);
	assert_string_equal(str_at(l, "url_defanged"),
			    "hxxp://192[.]168[.]10[.]5:8080/x");
	assert_true(has_reason(l, "ip_host"));
	assert_true(has_reason(l, "unusual_port"));
	assert_true(has_reason(l, "not_https"));
	assert_string_equal(str_at(l, "verdict"), "dangerous");
	/* Offsets point into the stored (redacted) text. */
	{
		size_t s = (size_t)json_integer_value(json_object_get(l, "start"));
		size_t e = (size_t)json_integer_value(json_object_get(l, "end"));

		assert_true(s < e && e <= in.len);
		assert_memory_equal(in.text + s, "http://192.168.10.5:8080/x",
				    e - s);
	}
	assert_null(json_object_get(l, "url"));
	json_decref(links);
	inbound_result_clear(&in);

	/* Nothing to remove: the text is kept as it is. */
	assert_int_equal(inbound_analyse(&f->app, "hello", 5, &in), 0);
	assert_string_equal(in.text, "hello");
	assert_int_equal(in.removed.n, 0);
	assert_string_equal(in.redactions, "[]");
	assert_string_equal(in.links, "[]");
	inbound_result_clear(&in);

	/* Without the DLP engine nothing is stored (fail closed). */
	f->app.dlp = NULL;
	assert_int_equal(inbound_analyse(&f->app, "hello", 5, &in),
			 -GH_INTERNAL);
	assert_null(in.text);
	f->app.dlp = dlp;
}

/* A customer's message is stored redacted, with its analysis. */
static void
test_message_stored_redacted(void **state)
{
	struct fx *f = *state;
	int64_t a = add_customer(f, &ada, 1);
	struct tk_actor who = {REALM_CUSTOMER, a, "", NULL, NULL};
	const char *body = "token ghp_R2d7kQ9xW4mZ1pL8vN3bT6yH0cJ5sF2aG7eK "
			   "and https://bit.ly/abc";
	struct ticket_rec t;
	struct thread_item first;
	struct thread_list m;

	assert_int_equal(tickets_portal_create_ex(&f->app, f->c, &who, "S",
						  body, &t, &first),
			 0);
	assert_null(strstr(first.body, "ghp_"));
	assert_non_null(strstr(first.redactions, "\"secret\""));
	thread_item_clear(&first);
	assert_int_equal(f->c->ops->staff_messages(f->c, t.id, &m), 0);
	assert_int_equal(m.n, 1);
	assert_null(strstr(m.v[0].body, "ghp_R2d7"));
	assert_non_null(strstr(m.v[0].body, "[redacted: secret]"));
	assert_non_null(m.v[0].links);
	assert_non_null(strstr(m.v[0].links, "url_shortener"));
	assert_non_null(strstr(m.v[0].links, "hxxps://bit[.]ly/abc"));
	thread_list_clear(&m);
	/* The portal side gets the redactions, not the links. */
	assert_int_equal(f->c->ops->portal_messages(f->c, a, t.id, &m), 0);
	assert_int_equal(m.n, 1);
	assert_non_null(m.v[0].redactions);
	assert_null(m.v[0].links);
	thread_list_clear(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_shared_value, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_plaintext, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rebuild_idempotent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_outbound_other_customer,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_inbound_analyse, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_message_stored_redacted,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
