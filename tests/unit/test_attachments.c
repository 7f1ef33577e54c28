/*
 * Unit tests of attachments (core/attachments.c and the store's attachment
 * operations) against a real SQLite file in a temporary directory: display
 * names (paths stripped, control characters refused), the size limit,
 * uploads with their verdicts and audit records, quarantine of a macro
 * document with the admin-only release, HAR files stored without their
 * session values and with a deletion date, secrets removed from text
 * files, who may upload and download (customer's own tickets, agent's
 * visible tickets), content sealed at rest, and the retention purge.
 * The DLP engine is compiled once for the program.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../zipmini.h"
#include "core/app.h"
#include "core/attachments.h"
#include "util/errors.h"
#include "core/tickets.h"

static const unsigned char master[CRYPTO_KEY_BYTES] = {
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

static struct dlp_engine *engine;

struct fx {
	char dir[64];
	struct app app;
	struct store_conn *c;
	int64_t cust_a, cust_b, agent1, agent2, admin;
	struct tk_actor a_cust, b_cust, a1, a2, adm;
	int64_t ticket_a;
};

static int64_t
add_customer(struct fx *f, const char *email)
{
	char idx[CRYPTO_HASH_HEX];
	char ad[160];
	struct customer_new n;
	struct blob e = {NULL, 0}, seed = {NULL, 0};
	int64_t id = 0;

	memset(&n, 0, sizeof(n));
	crypto_index(f->app.keys, "customer.email", email, strlen(email), idx);
	snprintf(ad, sizeof(ad), "customer.email:%s", idx);
	assert_int_equal(crypto_seal(f->app.keys, ad, email, strlen(email),
				     &e.data, &e.len), 0);
	assert_int_equal(crypto_seal(f->app.keys, "x", "seed", 4, &seed.data,
				     &seed.len), 0);
	n.email_idx = idx;
	n.email = e;
	n.name = "Ada Customer";
	n.pw_hash = "x";
	n.totp_seed = seed;
	n.totp_enrolled = 1;
	assert_int_equal(f->c->ops->customer_insert(f->c, &n, &id), 0);
	blob_clear(&e);
	blob_clear(&seed);
	return id;
}

static int64_t
add_staff(struct fx *f, const char *email, const char *role)
{
	struct staff_new n = {email, "Some Staff", role, "x", {NULL, 0}};
	int64_t id = 0;

	assert_int_equal(crypto_seal(f->app.keys, "x", "seed", 4,
				     &n.totp_seed.data, &n.totp_seed.len), 0);
	assert_int_equal(f->c->ops->staff_insert(f->c, &n, &id), 0);
	blob_clear(&n.totp_seed);
	return id;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct ticket_rec t;
	char url[128], err[256];

	if (f == NULL || crypto_init() != 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/gh-test-attachments-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	config_defaults(&f->app.cfg, f->dir);
	f->app.cfg.attach_max_bytes = 65536;
	if (config_validate(&f->app.cfg, err, sizeof(err)) != 0)
		return -1;
	if (crypto_keys_from_bytes(master, &f->app.keys) != 0)
		return -1;
	snprintf(url, sizeof(url), "sqlite:%s/db", f->dir);
	if (store_open(url, 2, &f->app.store) != 0)
		return -1;
	f->app.dlp = engine;
	f->c = store_acquire(f->app.store);
	f->cust_a = add_customer(f, "ada@example.org");
	f->cust_b = add_customer(f, "bob@example.org");
	f->agent1 = add_staff(f, "a1@example.com", "agent");
	f->agent2 = add_staff(f, "a2@example.com", "agent");
	f->admin = add_staff(f, "root@example.com", "admin");
	f->a_cust = (struct tk_actor){REALM_CUSTOMER, f->cust_a, "", NULL, NULL};
	f->b_cust = (struct tk_actor){REALM_CUSTOMER, f->cust_b, "", NULL, NULL};
	f->a1 = (struct tk_actor){REALM_STAFF, f->agent1, "agent", NULL, NULL};
	f->a2 = (struct tk_actor){REALM_STAFF, f->agent2, "agent", NULL, NULL};
	f->adm = (struct tk_actor){REALM_STAFF, f->admin, "admin", NULL, NULL};
	assert_int_equal(tickets_portal_create(&f->app, f->c, &f->a_cust,
					       "Files", "See attached", &t),
			 0);
	f->ticket_a = t.id;
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
	(void)state;
	if (crypto_init() != 0)
		return -1;
	return dlp_engine_new(&engine);
}

static int
group_teardown(void **state)
{
	(void)state;
	dlp_engine_free(engine);
	return 0;
}

/* Audit records with this action (and outcome, when not NULL). */
static int
count_audit(struct fx *f, const char *action, const char *outcome)
{
	int64_t n = 0;
	int found = 0;

	assert_int_equal(f->c->ops->audit_count(f->c, &n), 0);
	for (int64_t i = 1; i <= n; i++) {
		char *rec = NULL;
		unsigned char leaf[32];
		json_t *j;

		assert_int_equal(f->c->ops->audit_get(f->c, i, &rec, leaf), 0);
		j = json_loads(rec, 0, NULL);
		assert_non_null(j);
		if (strcmp(json_string_value(json_object_get(j, "action")),
			   action) == 0 &&
		    (outcome == NULL ||
		     strcmp(json_string_value(json_object_get(j, "outcome")),
			    outcome) == 0))
			found++;
		json_decref(j);
		free(rec);
	}
	return found;
}

/* 1 when needle occurs in any audit record. */
static int
audit_mentions(struct fx *f, const char *needle)
{
	int64_t n = 0;
	int hit = 0;

	assert_int_equal(f->c->ops->audit_count(f->c, &n), 0);
	for (int64_t i = 1; i <= n; i++) {
		char *rec = NULL;
		unsigned char leaf[32];

		assert_int_equal(f->c->ops->audit_get(f->c, i, &rec, leaf), 0);
		if (strstr(rec, needle) != NULL)
			hit = 1;
		free(rec);
	}
	return hit;
}

static int64_t
upload(struct fx *f, const struct tk_actor *who, const char *name,
       const void *data, size_t len, struct attachment_rec *rec,
       char *notice)
{
	int rc = attachments_upload(&f->app, f->c, who, f->ticket_a, name,
				    data, len, rec, notice);

	assert_int_equal(rc, 0);
	assert_true(rec->id > 0);
	return rec->id;
}

static void
test_names(void **state)
{
	char out[1024];
	char longname[300];

	(void)state;
	assert_int_equal(attachments_clean_name("../../etc/passwd", out,
						sizeof(out)), 0);
	assert_string_equal(out, "passwd");
	assert_int_equal(attachments_clean_name("C:\\Users\\x\\report.pdf", out,
						sizeof(out)), 0);
	assert_string_equal(out, "report.pdf");
	assert_int_equal(attachments_clean_name("Grüße.txt", out, sizeof(out)),
			 0);
	assert_string_equal(out, "Grüße.txt");
	assert_int_equal(attachments_clean_name("a\x01.txt", out, sizeof(out)),
			 -GH_BAD_UTF8);
	assert_int_equal(attachments_clean_name("a\nb.txt", out, sizeof(out)),
			 -GH_BAD_UTF8);
	assert_int_equal(attachments_clean_name("bad\xff.txt", out, sizeof(out)),
			 -GH_BAD_UTF8);
	/* U+202E (right-to-left override) disguises "exe.pdf". */
	assert_int_equal(attachments_clean_name("inv\xe2\x80\xaeoice.exe", out,
						sizeof(out)),
			 -GH_BAD_UTF8);
	assert_int_equal(attachments_clean_name("", out, sizeof(out)),
			 -GH_BAD_FIELD);
	assert_int_equal(attachments_clean_name("dir/", out, sizeof(out)),
			 -GH_BAD_FIELD);
	assert_int_equal(attachments_clean_name("a/..", out, sizeof(out)),
			 -GH_BAD_FIELD);
	assert_int_equal(attachments_clean_name("x.exe.", out, sizeof(out)),
			 -GH_BAD_FIELD);
	memset(longname, 'a', 256);
	longname[256] = '\0';
	assert_int_equal(attachments_clean_name(longname, out, sizeof(out)),
			 -GH_BAD_FIELD);
	longname[255] = '\0';
	assert_int_equal(attachments_clean_name(longname, out, sizeof(out)),
			 0);
}

/* ASVS 5.2.1, 5.2.2, 5.4.1 */
static void
test_clean_upload_and_download(void **state)
{
	struct fx *f = *state;
	static const char text[] = "The router shows error 42 since Monday.\n";
	char notice[ATTACH_NOTICE_MAX];
	struct attachment_rec rec, got;
	struct attachment_list l;
	unsigned char *data = NULL;
	size_t len = 0;
	int64_t id;

	id = upload(f, &f->a_cust, "../../notes.txt", text, strlen(text),
		    &rec, notice);
	assert_string_equal(rec.filename, "notes.txt");
	assert_string_equal(rec.verdict, "clean");
	assert_false(rec.quarantined);
	assert_int_equal(rec.delete_after, 0);
	assert_int_equal(rec.size, (int64_t)strlen(text));
	assert_string_equal(rec.redactions, "[]");
	assert_non_null(strstr(notice, "received"));
	attachment_rec_clear(&rec);
	assert_int_equal(count_audit(f, "attachment.upload", "success"), 1);
	/* Never the content, never the name in the audit log. */
	assert_false(audit_mentions(f, "router shows"));
	assert_false(audit_mentions(f, "notes.txt"));

	/* Sealed at rest. */
	assert_int_equal(f->c->ops->attachment_get(f->c, id, &got), 0);
	assert_null(memmem(got.content.data, got.content.len, "router", 6));
	attachment_rec_clear(&got);

	/* The unassigned ticket is in agent 1's queue. */
	assert_int_equal(attachments_fetch(&f->app, f->c, &f->a1, id, &rec,
					   &data, &len), 0);
	assert_int_equal(len, strlen(text));
	assert_memory_equal(data, text, len);
	assert_string_equal(rec.filename, "notes.txt");
	free(data);
	assert_int_equal(count_audit(f, "attachment.download", "success"), 1);

	assert_int_equal(attachments_staff_list(&f->app, f->c, &f->a1,
						f->ticket_a, &l), 0);
	assert_int_equal(l.n, 1);
	assert_null(l.v[0].content.data);
	attachment_list_clear(&l);
	assert_int_equal(attachments_portal_list(&f->app, f->c, &f->a_cust,
						 f->ticket_a, &l), 0);
	assert_int_equal(l.n, 1);
	attachment_list_clear(&l);
}

/* ASVS 8.2.2 */
static void
test_who_may(void **state)
{
	struct fx *f = *state;
	char notice[ATTACH_NOTICE_MAX];
	struct attachment_rec rec;
	struct attachment_list l;
	struct ticket_rec t;
	unsigned char *data = NULL;
	size_t len = 0;
	int64_t id;

	/* Customer B: A's ticket does not exist for them. */
	assert_int_equal(attachments_upload(&f->app, f->c, &f->b_cust,
					    f->ticket_a, "x.txt",
					    (const unsigned char *)"hi", 2,
					    &rec, notice),
			 -GH_NOT_FOUND);
	assert_int_equal(attachments_portal_list(&f->app, f->c, &f->b_cust,
						 f->ticket_a, &l),
			 -GH_NOT_FOUND);
	id = upload(f, &f->a_cust, "x.txt", "hello", 5, &rec, notice);
	attachment_rec_clear(&rec);
	/* Once agent 1 holds the ticket, agent 2 no longer sees it. */
	assert_int_equal(tickets_assign(&f->app, f->c, &f->a1, f->ticket_a,
					f->agent1, &t), 0);
	assert_int_equal(attachments_fetch(&f->app, f->c, &f->a2, id, &rec,
					   &data, &len),
			 -GH_NOT_FOUND);
	assert_null(data);
	assert_int_equal(attachments_staff_list(&f->app, f->c, &f->a2,
						f->ticket_a, &l),
			 -GH_NOT_FOUND);
	assert_int_equal(attachments_upload(&f->app, f->c, &f->a2,
					    f->ticket_a, "y.txt",
					    (const unsigned char *)"hi", 2,
					    &rec, notice),
			 -GH_NOT_FOUND);
	/* A customer is not staff. */
	assert_int_equal(attachments_fetch(&f->app, f->c, &f->a_cust, id,
					   &rec, &data, &len),
			 -GH_FORBIDDEN);
	/* Too large, empty. */
	{
		size_t big = (size_t)f->app.cfg.attach_max_bytes + 1;
		unsigned char *b = calloc(1, big);

		assert_int_equal(attachments_upload(&f->app, f->c, &f->a_cust,
						    f->ticket_a, "b.bin", b,
						    big, &rec, notice),
				 -GH_BODY_TOO_LARGE);
		free(b);
	}
	assert_int_equal(attachments_upload(&f->app, f->c, &f->a_cust,
					    f->ticket_a, "e.txt",
					    (const unsigned char *)"", 0, &rec,
					    notice),
			 -GH_BAD_FIELD);
	assert_int_equal(count_audit(f, "attachment.upload", NULL), 1);
}

/* ASVS 5.2.2, 5.3.1, 5.4.3 */
static void
test_quarantine_and_release(void **state)
{
	struct fx *f = *state;
	char notice[ATTACH_NOTICE_MAX];
	struct attachment_rec rec;
	unsigned char *docm, *data = NULL;
	size_t dlen = 0, len = 0;
	int64_t id;

	docm = zipmini_docm(&dlen);
	id = upload(f, &f->a_cust, "invoice.docm", docm, dlen, &rec, notice);
	assert_string_equal(rec.verdict, "dangerous");
	assert_true(rec.quarantined);
	assert_non_null(strstr(rec.reasons, "ooxml_macros"));
	assert_non_null(strstr(notice, "held back"));
	assert_non_null(strstr(notice, "macros"));
	attachment_rec_clear(&rec);

	/* Nobody gets it, not even an admin, and each refusal is audited. */
	assert_int_equal(attachments_fetch(&f->app, f->c, &f->a1, id, &rec,
					   &data, &len),
			 -GH_QUARANTINED);
	assert_int_equal(attachments_fetch(&f->app, f->c, &f->adm, id, &rec,
					   &data, &len),
			 -GH_QUARANTINED);
	assert_null(data);
	assert_int_equal(count_audit(f, "attachment.download", "denied"), 2);

	/* Release: admins only, with a reason. */
	assert_int_equal(attachments_release(&f->app, f->c, &f->a1, id,
					     "looks fine", &rec),
			 -GH_FORBIDDEN);
	assert_int_equal(attachments_release(&f->app, f->c, &f->adm, id, "ok",
					     &rec),
			 -GH_BAD_FIELD);
	assert_int_equal(attachments_release(&f->app, f->c, &f->adm, id,
					     "line\nbreak", &rec),
			 -GH_BAD_UTF8);
	assert_int_equal(count_audit(f, "attachment.release", NULL), 0);
	assert_int_equal(attachments_release(&f->app, f->c, &f->adm, id,
					     "Checked in a sandbox: template "
					     "macro from the customer's ERP",
					     &rec),
			 0);
	assert_false(rec.quarantined);
	assert_int_equal(rec.released_by, f->admin);
	assert_true(rec.released_at > 0);
	assert_string_equal(rec.verdict, "dangerous");
	attachment_rec_clear(&rec);
	assert_int_equal(count_audit(f, "attachment.release", "success"), 1);
	assert_true(audit_mentions(f, "Checked in a sandbox"));
	assert_int_equal(attachments_release(&f->app, f->c, &f->adm, id,
					     "again please", &rec),
			 -GH_BAD_STATE);

	assert_int_equal(attachments_fetch(&f->app, f->c, &f->a1, id, &rec,
					   &data, &len), 0);
	assert_int_equal(len, dlen);
	assert_memory_equal(data, docm, dlen);
	free(data);
	free(docm);
}

/* An ELF header under a .pdf name. */
static void
test_executable_as_pdf(void **state)
{
	struct fx *f = *state;
	unsigned char elf[256];
	char notice[ATTACH_NOTICE_MAX];
	struct attachment_rec rec;

	memset(elf, 0, sizeof(elf));
	memcpy(elf, "\x7f" "ELF\x02\x01\x01", 7);
	elf[16] = 2;  /* ET_EXEC */
	elf[18] = 62; /* x86-64 */
	upload(f, &f->a_cust, "invoice.pdf", elf, sizeof(elf), &rec, notice);
	assert_string_equal(rec.verdict, "dangerous");
	assert_true(rec.quarantined);
	assert_non_null(strstr(rec.reasons, "executable"));
	assert_non_null(strstr(rec.reasons, "type_mismatch"));
	attachment_rec_clear(&rec);
}

/* An archive holding a program: the entry that was flagged is stored with
 * the verdict (by path, with its reasons), for the console and the admin
 * deciding on a release; never its content. */
static void
test_archive_flagged_entry_stored(void **state)
{
	struct fx *f = *state;
	unsigned char elf[64];
	char notice[ATTACH_NOTICE_MAX];
	struct attachment_rec rec, got;
	const struct zipmini_entry e[] = {
		{"docs/readme.txt", (const unsigned char *)"hello", 5},
		{"tools/setup.exe", elf, sizeof(elf)},
	};
	size_t zlen;
	unsigned char *z;
	json_t *fl, *one;

	memset(elf, 0, sizeof(elf));
	memcpy(elf, "MZ", 2);
	z = zipmini_build(e, 2, &zlen);
	assert_non_null(z);
	upload(f, &f->a_cust, "bundle.zip", z, zlen, &rec, notice);
	assert_string_equal(rec.verdict, "dangerous");
	assert_true(rec.quarantined);
	assert_int_equal(f->c->ops->attachment_get(f->c, rec.id, &got), 0);
	fl = json_loads(got.flagged, 0, NULL);
	assert_non_null(fl);
	assert_int_equal(json_array_size(fl), 1);
	one = json_array_get(fl, 0);
	assert_string_equal(json_string_value(json_object_get(one, "entry")),
			    "tools/setup.exe");
	assert_string_equal(json_string_value(json_object_get(one, "verdict")),
			    "dangerous");
	assert_non_null(strstr(got.flagged, "executable"));
	assert_null(strstr(got.flagged, "hello"));
	json_decref(fl);
	attachment_rec_clear(&got);
	attachment_rec_clear(&rec);
	free(z);
	/* A plain file has none. */
	upload(f, &f->a_cust, "note.txt", (const unsigned char *)"hi", 2, &rec,
	       notice);
	assert_int_equal(f->c->ops->attachment_get(f->c, rec.id, &got), 0);
	assert_string_equal(got.flagged, "[]");
	attachment_rec_clear(&got);
	attachment_rec_clear(&rec);
}

static const char har[] =
	"{\"log\": {\"version\": \"1.2\", \"creator\": {\"name\": \"x\"},\n"
	" \"entries\": [\n"
	"  {\"request\": {\"method\": \"GET\", \"url\": "
	"\"https://app.example.com/home?sid=S3ss10nV4lue-abcdef\",\n"
	"    \"headers\": [{\"name\": \"Cookie\", \"value\": "
	"\"sid=S3ss10nV4lue-abcdef\"},\n"
	"                {\"name\": \"Authorization\", \"value\": \"Bearer "
	"tok-9f8e7d6c5b4a39281706\"},\n"
	"                {\"name\": \"Accept\", \"value\": \"text/html\"}],\n"
	"    \"cookies\": [{\"name\": \"sid\", \"value\": "
	"\"S3ss10nV4lue-abcdef\"}]},\n"
	"   \"response\": {\"status\": 200, \"headers\": [{\"name\": "
	"\"Set-Cookie\", \"value\": \"sid=S3ss10nV4lue-abcdef; Secure\"}],\n"
	"    \"cookies\": []}},\n"
	"  {\"request\": {\"method\": \"GET\", \"url\": "
	"\"https://app.example.com/b\",\n"
	"    \"headers\": [{\"name\": \"Authorization\", \"value\": \"Bearer "
	"tok-9f8e7d6c5b4a39281706\"}],\n"
	"    \"cookies\": [{\"name\": \"sid\", \"value\": "
	"\"S3ss10nV4lue-abcdef\"}]},\n"
	"   \"response\": {\"status\": 204, \"headers\": [], \"cookies\": "
	"[]}}]}}\n";

/* ASVS 14.2.7 and the Okta 2023 case. */
static void
test_har_redacted_and_purged(void **state)
{
	struct fx *f = *state;
	char notice[ATTACH_NOTICE_MAX];
	struct attachment_rec rec;
	unsigned char *data = NULL;
	size_t len = 0;
	int64_t id, n = -1;
	json_t *j;

	id = upload(f, &f->a_cust, "session.har", har, strlen(har), &rec,
		    notice);
	assert_string_not_equal(rec.verdict, "dangerous");
	assert_false(rec.quarantined);
	assert_non_null(strstr(rec.redactions, "har_session"));
	assert_true(rec.delete_after >= rec.created_at + 30 * 86400);
	assert_true(rec.delete_after <= rec.created_at + 30 * 86400 + 5);
	assert_non_null(strstr(notice, "sign-in"));
	assert_non_null(strstr(notice, "30 days"));
	attachment_rec_clear(&rec);

	assert_int_equal(attachments_fetch(&f->app, f->c, &f->a1, id, &rec,
					   &data, &len), 0);
	attachment_rec_clear(&rec);
	/* No value survives anywhere: headers, cookies, the URL, twice. */
	assert_null(memmem(data, len, "S3ss10nV4lue", 12));
	assert_null(memmem(data, len, "tok-9f8e7d6c5b4a", 16));
	assert_non_null(memmem(data, len, "[redacted: har_session]", 23));
	/* Still a HAR file an engineer can read. */
	j = json_loadb((const char *)data, len, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(
				 json_object_get(j, "log"), "entries")),
			 2);
	json_decref(j);
	free(data);
	assert_false(audit_mentions(f, "S3ss10nV4lue"));

	/* Retention: nothing is due yet; after 30 days it goes, audited. */
	assert_int_equal(attachments_purge(&f->app, f->c, (int64_t)time(NULL),
					   &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(attachments_purge(&f->app, f->c,
					   (int64_t)time(NULL) + 31 * 86400,
					   &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(f->c->ops->attachment_get(f->c, id, &rec),
			 -GH_NOT_FOUND);
	assert_int_equal(count_audit(f, "attachment.purge", "success"), 1);
}

/* Secrets in a text file are removed before anyone sees them. */
static void
test_text_secrets(void **state)
{
	struct fx *f = *state;
	static const char text[] =
		"my deploy script uses\n"
		"token = ghp_R8dk2LqP0aZx7WmN4vT1bYc9HsJ3eF6gUoIi\n"
		"thanks\n";
	char notice[ATTACH_NOTICE_MAX];
	struct attachment_rec rec;
	unsigned char *data = NULL;
	size_t len = 0;
	int64_t id;

	id = upload(f, &f->a_cust, "notes.txt", text, strlen(text), &rec,
		    notice);
	assert_non_null(strstr(rec.redactions, "secret"));
	assert_int_equal(rec.delete_after, 0);
	assert_non_null(strstr(notice, "secret"));
	attachment_rec_clear(&rec);
	assert_int_equal(attachments_fetch(&f->app, f->c, &f->a1, id, &rec,
					   &data, &len), 0);
	attachment_rec_clear(&rec);
	assert_null(memmem(data, len, "ghp_R8dk", 8));
	assert_non_null(memmem(data, len, "thanks", 6));
	free(data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_clean_upload_and_download,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_who_may, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quarantine_and_release,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_archive_flagged_entry_stored,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_executable_as_pdf, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_har_redacted_and_purged,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_secrets, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
