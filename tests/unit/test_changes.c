/*
 * Unit tests of account changes under dual control (core/changes*.c) on a
 * real SQLite store in a temporary directory, with customers created by
 * accounts_create (real sealed fields and authenticator secret). Time is
 * injected: each step takes `now` from the test, so the cooling-off is
 * tested at its edges without waiting and without any back door in the
 * server.
 *
 * The verification of a request is core/verify.h's (part V); these tests
 * enter after it (chg_request, core/changes_int.h) with what a
 * verification proved, so the policy that judges it is the real one. The
 * API tests (tests/api/test_changes.c) run the whole path with real
 * verifications.
 *
 * ASVS 2.3.5 (multi-user approval of high-value flows), 6.3.7 (notice of
 * an e-mail or phone change), 6.4.4 (an MFA reset is not a shortcut).
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

#include "core/accounts.h"
#include "core/app.h"
#include "core/auth.h"
#include "core/changes.h"
#include "core/changes_int.h"
#include "core/sealed.h"
#include "core/session.h"
#include "crypto/totp.h"
#include "util/errors.h"

#define PASSWORD "marmalade Tuesday kite 3"
#define T0 ((int64_t)1700000000)
#define DAY ((int64_t)86400)
#define ADA "ada@example.org"
#define ADA_NEW "ada.new@example.net"

static const unsigned char master[CRYPTO_KEY_BYTES] = {
	2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5, 9, 0, 4, 5,
	2, 3, 5, 3, 6, 0, 2, 8, 7, 4, 7, 1, 3, 5, 2, 6,
};

struct fx {
	char dir[64];
	struct app app;
	struct store_conn *c;
	int64_t ada, bob, ticket;
	struct tk_actor cust, other, agent, sup1, sup2;
};

static int64_t
add_customer(struct fx *f, const char *email, const char *phone)
{
	struct account_new in = {.realm = REALM_CUSTOMER, .email = email,
				 .name = "Ada Lovelace", .phone = phone,
				 .dob = "1980-12-10",
				 .address = "12 Test Street, Testville",
				 .password = PASSWORD,
				 .password_len = strlen(PASSWORD),
				 .actor = "cli"};
	struct account_created out;
	const char *field, *reason;

	assert_int_equal(accounts_create(&f->app, f->c, &in, &out, &field,
					 &reason),
			 0);
	free(out.otpauth_uri);
	return out.id;
}

static int64_t
add_staff(struct fx *f, const char *email, const char *role)
{
	struct staff_new n = {email, "Sam Staff", role, "x", {NULL, 0}};
	int64_t id = 0;

	assert_int_equal(crypto_seal(f->app.keys, "x", "seed", 4,
				     &n.totp_seed.data, &n.totp_seed.len), 0);
	assert_int_equal(f->c->ops->staff_insert(f->c, &n, &id), 0);
	blob_clear(&n.totp_seed);
	return id;
}

static int
app_setup(struct fx *f)
{
	char url[128], err[256];

	snprintf(f->dir, sizeof(f->dir), "/tmp/gh-test-changes-XXXXXX");
	if (crypto_init() != 0 || mkdtemp(f->dir) == NULL)
		return -1;
	config_defaults(&f->app.cfg, f->dir);
	snprintf(f->app.cfg.portal_url, sizeof(f->app.cfg.portal_url),
		 "https://portal.example.test/");
	if (config_validate(&f->app.cfg, err, sizeof(err)) != 0 ||
	    crypto_keys_from_bytes(master, &f->app.keys) != 0)
		return -1;
	snprintf(url, sizeof(url), "sqlite:%s/db", f->dir);
	if (store_open(url, 2, &f->app.store) != 0)
		return -1;
	f->app.pw_params.ops = (unsigned long long)f->app.cfg.argon2_ops;
	f->app.pw_params.mem = (size_t)f->app.cfg.argon2_mem_mib << 20;
	f->app.pw_policy = (struct password_policy){12, 0.0};
	return crypto_pw_hash("dummy password 0", 16, &f->app.pw_params,
			      f->app.dummy_hash);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	int64_t agent, s1, s2;

	if (f == NULL || app_setup(f) != 0)
		return -1;
	f->c = store_acquire(f->app.store);
	f->ada = add_customer(f, ADA, "+44 20 7946 0123");
	f->bob = add_customer(f, "bob@example.org", "+44 20 7946 0999");
	agent = add_staff(f, "agent@example.com", "agent");
	s1 = add_staff(f, "sup1@example.com", "supervisor");
	s2 = add_staff(f, "sup2@example.com", "admin");
	assert_int_equal(f->c->ops->ticket_insert(f->c, f->ada, "Help", T0,
						  &f->ticket), 0);
	f->cust = (struct tk_actor){REALM_CUSTOMER, f->ada, "", NULL, NULL};
	f->other = (struct tk_actor){REALM_CUSTOMER, f->bob, "", NULL, NULL};
	f->agent = (struct tk_actor){REALM_STAFF, agent, "agent", NULL, NULL};
	f->sup1 = (struct tk_actor){REALM_STAFF, s1, "supervisor", NULL, NULL};
	f->sup2 = (struct tk_actor){REALM_STAFF, s2, "admin", NULL, NULL};
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

/* --- helpers ---------------------------------------------------------- */

/* A request by a with what a verification proved (level, possession). */
static int
request_as(struct fx *f, const struct tk_actor *a, const char *kind,
	   const char *value, int level, int possession, int64_t now,
	   struct change_rec *out)
{
	struct change_request_in in = {f->ada, kind, value,
				       "caller lost their phone", 7, "hash"};
	struct chg_proof p = {7, f->ticket, level, possession};
	const char *field = NULL;
	int held = -1;
	int rc = chg_request(&f->app, f->c, a, &in, &p, now, out, &field,
			     &held);

	assert_int_equal(held, level);
	return rc;
}

/* A request of the agent at level 2 with possession; its id. */
static int64_t
request_ok(struct fx *f, const char *kind, const char *value, int64_t now)
{
	struct change_rec r;

	assert_int_equal(request_as(f, &f->agent, kind, value, 2, 1, now, &r),
			 0);
	assert_string_equal(r.state, "pending_approval");
	assert_null(r.value.data);
	return r.id;
}

static void
approve_ok(struct fx *f, int64_t id, int64_t now)
{
	struct change_rec r;

	assert_int_equal(changes_approve(&f->app, f->c, &f->sup1, id,
					 "called the customer back", now, &r),
			 0);
	assert_string_equal(r.state, "cooling_off");
	assert_int_equal(r.apply_after, now + DAY);
}

static void
state_is(struct fx *f, int64_t id, const char *state)
{
	struct change_rec r;

	assert_int_equal(f->c->ops->change_get(f->c, id, &r), 0);
	assert_string_equal(r.state, state);
	change_rec_clear(&r);
}

static int64_t
n_changes(struct fx *f)
{
	struct change_list l;
	struct change_query q = {0, NULL, 100, 0};
	int64_t n;

	assert_int_equal(f->c->ops->change_list(f->c, &q, &l), 0);
	n = (int64_t)l.n;
	change_list_clear(&l);
	return n;
}

/* Audit records whose text holds every one of the NULL-ended needles. */
static int
audited(struct fx *f, const char *const *needles)
{
	int64_t n = 0;
	int hits = 0;

	assert_int_equal(f->c->ops->audit_count(f->c, &n), 0);
	for (int64_t seq = 1; seq <= n; seq++) {
		unsigned char leaf[32];
		char *rec = NULL;
		int all = 1;

		assert_int_equal(f->c->ops->audit_get(f->c, seq, &rec, leaf), 0);
		for (size_t i = 0; needles[i] != NULL; i++)
			if (strstr(rec, needles[i]) == NULL)
				all = 0;
		hits += all;
		free(rec);
	}
	return hits;
}

/* The customer's sealed field col, opened under their current index
 * (NULL when it does not open or is not set); caller frees. */
static char *
field_of(struct fx *f, int64_t id, const char *col)
{
	struct customer_sealed cs;
	struct customer_contact cc;
	const struct blob *b;
	char *v = NULL;

	assert_int_equal(f->c->ops->customer_sealed_next(f->c, id - 1, &cs), 0);
	assert_int_equal(f->c->ops->customer_contact(f->c, id, &cc), 0);
	b = strcmp(col, "email") == 0	? &cs.email
	    : strcmp(col, "phone") == 0 ? &cs.phone
	    : strcmp(col, "dob") == 0	? &cs.dob
	    : strcmp(col, "address") == 0 ? &cs.address
					  : &cc.phrase;
	if (sealed_field_open(f->app.keys, cs.email_idx, col, b, &v) < 0)
		v = NULL;
	customer_sealed_clear(&cs);
	customer_contact_clear(&cc);
	return v;
}

/* Undelivered outbox rows: their number; the last one's opened recipient
 * and text into to / body (malloc'd, may be NULL). */
static size_t
outbox(struct fx *f, char **to, char **body)
{
	struct outbox_list l;
	size_t n;

	assert_int_equal(f->c->ops->outbox_due(f->c, INT64_MAX, 100, &l), 0);
	n = l.n;
	if (n > 0 && to != NULL) {
		const struct outbox_rec *o = &l.v[n - 1];
		char ad[160], *plain = NULL;
		size_t len = 0;

		snprintf(ad, sizeof(ad), "outbox.recipient:%s", o->ref);
		assert_int_equal(crypto_open(f->app.keys, ad, o->recipient.data,
					     o->recipient.len, &plain, &len),
				 0);
		*to = strndup(plain, len);
		crypto_secret_free(plain);
		*body = strdup(o->body_text);
	}
	outbox_list_clear(&l);
	return n;
}

/* --- policy ----------------------------------------------------------- */

static int
load_conf(const char *text, struct config *cfg, char *err, size_t errsz)
{
	char path[] = "/tmp/gh-test-changes-conf-XXXXXX";
	int fd = mkstemp(path);
	int rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	config_defaults(cfg, "/tmp");
	rc = config_load(cfg, path, err, errsz);
	unlink(path);
	return rc;
}

/* The cooling-off: 24 hours by default, configurable only longer (a lower
 * value stops start-up naming the key and its bounds), and never shorter
 * than the floor even in a configuration filled by hand. */
static void
test_policy_floor(void **state)
{
	struct config cfg;
	char err[256];

	(void)state;
	assert_int_equal(load_conf("", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.cooling_off_hours, 24);
	assert_int_equal(changes_cooling_off_secs(&cfg), DAY);
	assert_int_equal(load_conf("[disclosure]\ncooling_off_hours = 23\n",
				   &cfg, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "[disclosure] cooling_off_hours = 23 is "
				    "outside 24..168"));
	assert_int_equal(load_conf("[disclosure]\ncooling_off_hours = 0\n",
				   &cfg, err, sizeof(err)),
			 -1);
	assert_int_equal(load_conf("[disclosure]\ncooling_off_hours = 169\n",
				   &cfg, err, sizeof(err)),
			 -1);
	assert_int_equal(load_conf("[disclosure]\ncooling_off_hours = 48\n",
				   &cfg, err, sizeof(err)),
			 0);
	assert_int_equal(changes_cooling_off_secs(&cfg), 2 * DAY);
	cfg.cooling_off_hours = 1; /* past the loader: the floor holds */
	assert_int_equal(changes_cooling_off_secs(&cfg), DAY);
	cfg.cooling_off_hours = 100000;
	assert_int_equal(changes_cooling_off_secs(&cfg), 7 * DAY);
	/* Level 2 with a possession factor, nothing less. */
	assert_false(changes_assurance_ok(0, 0));
	assert_false(changes_assurance_ok(1, 1));
	assert_false(changes_assurance_ok(2, 0));
	assert_true(changes_assurance_ok(2, 1));
	assert_true(changes_valid_kind("mfa_reset"));
	assert_false(changes_valid_kind("password"));
	assert_false(changes_valid_kind(NULL));
}

/* An approval under a hand-filled config of 1 hour still waits 24. */
static void
test_floor_applies_to_approval(void **state)
{
	struct fx *f = *state;
	int64_t id = request_ok(f, "phone", "+44 20 7946 0555", T0);
	struct change_rec r;

	f->app.cfg.cooling_off_hours = 1;
	assert_int_equal(changes_approve(&f->app, f->c, &f->sup1, id,
					 "checked twice", T0 + 10, &r),
			 0);
	assert_int_equal(r.apply_after, T0 + 10 + DAY);
	assert_int_equal(changes_apply_due(&f->app, f->c, T0 + 10 + 3600,
					   NULL), 0);
	state_is(f, id, "cooling_off");
}

/* ASVS 2.3.5: a request needs a level-2 verification with possession;
 * a refusal is audited and stores nothing. Bad input is refused. */
static void
test_request_refusals(void **state)
{
	struct fx *f = *state;
	struct change_request_in in = {f->ada, "email", ADA_NEW, "ok", 7, "h"};
	struct chg_proof p = {7, f->ticket, 2, 1};
	const char *field = NULL;
	const char *need[] = {"change.request", "denied",
			      "verification_required", NULL};
	struct change_rec r;
	int held;

	assert_int_equal(request_as(f, &f->agent, "email", ADA_NEW, 0, 0, T0,
				    &r), -GH_VERIFICATION_REQUIRED);
	assert_int_equal(request_as(f, &f->agent, "email", ADA_NEW, 1, 1, T0,
				    &r), -GH_VERIFICATION_REQUIRED);
	assert_int_equal(request_as(f, &f->agent, "email", ADA_NEW, 2, 0, T0,
				    &r), -GH_VERIFICATION_REQUIRED);
	assert_int_equal(audited(f, need), 3);
	assert_int_equal(chg_request(&f->app, f->c, &f->agent, &in, &p, T0, &r,
				     &field, &held), -GH_BAD_FIELD);
	assert_string_equal(field, "reason");
	assert_int_equal(request_as(f, &f->agent, "password", "x", 2, 1, T0,
				    &r), -GH_BAD_FIELD);
	assert_int_equal(request_as(f, &f->agent, "mfa_reset", "x", 2, 1, T0,
				    &r), -GH_BAD_FIELD);
	assert_int_equal(request_as(f, &f->agent, "email", NULL, 2, 1, T0, &r),
			 -GH_MISSING_FIELD);
	assert_int_equal(request_as(f, &f->agent, "email", "not-an-address",
				    2, 1, T0, &r), -GH_BAD_FIELD);
	assert_int_equal(request_as(f, &f->agent, "email", "ADA@example.org",
				    2, 1, T0, &r), -GH_BAD_FIELD);
	assert_int_equal(request_as(f, &f->agent, "email", "bob@example.org",
				    2, 1, T0, &r), -GH_EXISTS);
	assert_int_equal(request_as(f, &f->agent, "phone", "0207 946", 2, 1,
				    T0, &r), -GH_BAD_FIELD);
	assert_int_equal(request_as(f, &f->agent, "account_number", "12",
				    2, 1, T0, &r), -GH_BAD_FIELD);
	assert_int_equal(request_as(f, &f->cust, "email", ADA_NEW, 2, 1, T0,
				    &r), -GH_FORBIDDEN);
	/* Without a proof nothing is said about the customer. */
	in = (struct change_request_in){9999, "mfa_reset", NULL, "lost it", 7,
					"h"};
	p.level = 1;
	assert_int_equal(chg_request(&f->app, f->c, &f->agent, &in, &p, T0, &r,
				     &field, &held), -GH_VERIFICATION_REQUIRED);
	p.level = 2;
	assert_int_equal(chg_request(&f->app, f->c, &f->agent, &in, &p, T0, &r,
				     &field, &held), -GH_NOT_FOUND);
	assert_int_equal(n_changes(f), 0);
}

/* One open request per customer and kind; another kind may be open. */
static void
test_one_open_per_kind(void **state)
{
	struct fx *f = *state;
	int64_t id = request_ok(f, "email", ADA_NEW, T0);
	struct change_rec r;
	const char *need[] = {"change.request", "success", "\"kind\":\"email\"",
			      NULL};

	assert_int_equal(request_as(f, &f->agent, "email", "ada3@example.net",
				    2, 1, T0 + 1, &r),
			 -GH_CHANGE_NOT_ALLOWED);
	(void)request_ok(f, "mfa_reset", NULL, T0 + 2);
	assert_int_equal(n_changes(f), 2);
	assert_int_equal(audited(f, need), 1);
	/* Once closed, a new one may be made. */
	assert_int_equal(changes_cancel(&f->app, f->c, &f->cust, id, T0 + 3,
					&r), 0);
	(void)request_ok(f, "email", "ada3@example.net", T0 + 4);
}

/* ASVS 2.3.5: only a supervisor or admin other than the requester
 * approves; the requester's attempt is refused and audited; a decided
 * change is not approved again. */
static void
test_approval_rules(void **state)
{
	struct fx *f = *state;
	struct change_rec r;
	int64_t own, id = request_ok(f, "phone", "+44 20 7946 0555", T0);
	const char *self[] = {"change.approve", "denied", "self_approval",
			      NULL};

	assert_int_equal(changes_approve(&f->app, f->c, &f->agent, id,
					 "looks fine", T0, &r),
			 -GH_FORBIDDEN);
	assert_int_equal(changes_approve(&f->app, f->c, &f->sup1, id, "ok",
					 T0, &r),
			 -GH_BAD_FIELD);
	assert_int_equal(changes_approve(&f->app, f->c, &f->cust, id,
					 "looks fine", T0, &r),
			 -GH_FORBIDDEN);
	assert_int_equal(changes_approve(&f->app, f->c, &f->sup1, id + 99,
					 "looks fine", T0, &r),
			 -GH_NOT_FOUND);
	state_is(f, id, "pending_approval");
	/* A supervisor's own request. */
	assert_int_equal(request_as(f, &f->sup1, "mfa_reset", NULL, 2, 1, T0,
				    &r), 0);
	own = r.id;
	assert_int_equal(changes_approve(&f->app, f->c, &f->sup1, own,
					 "it is mine", T0, &r),
			 -GH_SELF_APPROVAL);
	assert_int_equal(audited(f, self), 1);
	state_is(f, own, "pending_approval");
	/* The store refuses it too, whatever calls it. */
	assert_int_equal(f->c->ops->change_approve(f->c, own, f->sup1.id, "x",
						   T0 + DAY, T0),
			 -GH_CONFLICT);
	assert_int_equal(changes_approve(&f->app, f->c, &f->sup2, own,
					 "second pair of eyes", T0, &r),
			 0);
	assert_int_equal(r.approved_by, f->sup2.id);
	approve_ok(f, id, T0);
	assert_int_equal(changes_approve(&f->app, f->c, &f->sup2, id,
					 "once more", T0 + 5, &r),
			 -GH_CHANGE_NOT_ALLOWED);
}

/* ASVS 6.3.7: the approval mails the address on file (the old one), with
 * the portal address and no new value; nothing is mailed at the request. */
static void
test_approval_notice(void **state)
{
	struct fx *f = *state;
	int64_t id = request_ok(f, "email", ADA_NEW, T0);
	char *to = NULL, *body = NULL;

	assert_int_equal(outbox(f, NULL, NULL), 0);
	approve_ok(f, id, T0);
	assert_int_equal(outbox(f, &to, &body), 1);
	assert_string_equal(to, ADA);
	assert_non_null(strstr(body, "https://portal.example.test/"));
	assert_non_null(strstr(body, "cancel it"));
	assert_non_null(strstr(body, "e-mail address"));
	assert_non_null(strstr(body, "2023-11-15 22:13 UTC"));
	assert_null(strstr(body, "ada.new"));
	assert_null(strstr(body, "example.net"));
	assert_null(strstr(body, "lost their phone"));
	assert_null(strstr(body, "Ada"));
	free(to);
	free(body);
}

/* An e-mail change re-seals every value bound to the old e-mail index,
 * also the account number and custom field values (migration 013): after
 * it they still open, under the new index. */
static void
test_email_change_keeps_all_fields(void **state)
{
	struct fx *f = *state;
	struct field_def d = {.name = "loyalty_id", .cls = "C2"};
	struct customer_sealed cs;
	struct pfield_list l = {NULL, 0};
	struct blob an = {NULL, 0}, fv = {NULL, 0};
	char ad[SEALED_AD_BYTES];
	int64_t n = -1, id, fid = 0;
	int seen = 0;

	assert_int_equal(f->c->ops->customer_sealed_next(f->c, f->ada - 1, &cs),
			 0);
	assert_int_equal(sealed_field_seal(f->app.keys, cs.email_idx,
					   "account_number", "DE44 5001 0517",
					   &an), 0);
	assert_int_equal(f->c->ops->customer_set_account_number(f->c, f->ada,
								&an), 0);
	assert_int_equal(f->c->ops->field_def_insert(f->c, &d, &fid), 0);
	assert_int_equal(sealed_ad(SEALED_FIELD_VALUE, cs.email_idx, fid, ad,
				   sizeof(ad)), 0);
	assert_int_equal(crypto_seal(f->app.keys, ad, "gold-7731", 9, &fv.data,
				     &fv.len), 0);
	assert_int_equal(f->c->ops->customer_field_put(f->c, f->ada, fid, &fv,
						       T0), 0);
	customer_sealed_clear(&cs);
	blob_clear(&an);
	blob_clear(&fv);
	id = request_ok(f, "email", ADA_NEW, T0);
	approve_ok(f, id, T0);
	assert_int_equal(changes_apply_due(&f->app, f->c, T0 + 2 * DAY, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(customer_fields(&f->app, f->c, f->ada, &l), 0);
	for (size_t i = 0; i < l.n; i++) {
		char *v = NULL;

		if (l.v[i].sealed.data == NULL)
			continue;
		assert_int_equal(pfield_open(&f->app, &l.v[i], &v), 0);
		if (strcmp(l.v[i].name, "account_number") == 0)
			seen += strcmp(v, "DE44 5001 0517") == 0;
		if (strcmp(l.v[i].name, "loyalty_id") == 0)
			seen += strcmp(v, "gold-7731") == 0;
		crypto_secret_free(v);
	}
	pfield_list_clear(&l);
	assert_int_equal(seen, 2);
}

/* The state machine in time: not applied a second before apply_after,
 * applied at it, once, audited, with a notice to the old address. */
static void
test_applies_only_when_due(void **state)
{
	struct fx *f = *state;
	int64_t n = -1, id = request_ok(f, "email", ADA_NEW, T0);
	const char *need[] = {"change.applied", "success", "\"system\"", NULL};
	char *to = NULL, *body = NULL;
	char *v;

	assert_int_equal(changes_apply_due(&f->app, f->c, T0 + 30 * DAY, &n),
			 0);
	assert_int_equal(n, 0); /* not approved: never due */
	approve_ok(f, id, T0 + 60);
	assert_int_equal(changes_apply_due(&f->app, f->c, T0 + 60 + DAY - 1,
					   &n), 0);
	assert_int_equal(n, 0);
	state_is(f, id, "cooling_off");
	assert_int_equal(f->c->ops->change_applied(f->c, id, T0 + DAY), -GH_CONFLICT);
	v = field_of(f, f->ada, "email");
	assert_string_equal(v, ADA);
	crypto_secret_free(v);
	assert_int_equal(changes_apply_due(&f->app, f->c, T0 + 60 + DAY, &n),
			 0);
	assert_int_equal(n, 1);
	state_is(f, id, "applied");
	assert_int_equal(audited(f, need), 1);
	assert_int_equal(outbox(f, &to, &body), 2);
	assert_string_equal(to, ADA);
	assert_non_null(strstr(body, "has now been made"));
	assert_null(strstr(body, "ada.new"));
	free(to);
	free(body);
	assert_int_equal(changes_apply_due(&f->app, f->c, T0 + 9 * DAY, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(audited(f, need), 1);
}

/* The customer's authenticator secret, opened under their current
 * index, into out (*len bytes); -1 when it does not open. */
static int
secret_of(struct fx *f, int64_t id, unsigned char *out, size_t *len)
{
	struct account acct;
	char ad[300], *raw = NULL;
	int rc = -1;

	assert_int_equal(f->c->ops->account_by_id(f->c, REALM_CUSTOMER, id,
						  &acct), 0);
	snprintf(ad, sizeof(ad), "customer.totp:%s", acct.login);
	if (crypto_open(f->app.keys, ad, acct.totp_seed.data,
			acct.totp_seed.len, &raw, len) == 0 &&
	    *len <= TOTP_SECRET_BYTES) {
		memcpy(out, raw, *len);
		rc = 0;
	}
	crypto_secret_free(raw);
	account_clear(&acct);
	return rc;
}

static void
set_phrase(struct fx *f, int64_t id, const char *phrase)
{
	struct customer_contact cc;
	struct blob b = {NULL, 0};

	assert_int_equal(f->c->ops->customer_contact(f->c, id, &cc), 0);
	assert_int_equal(sealed_field_seal(f->app.keys, cc.email_idx, "phrase",
					   phrase, &b), 0);
	assert_int_equal(f->c->ops->customer_set_phrase(f->c, id, &b), 0);
	blob_clear(&b);
	customer_contact_clear(&cc);
}

static void
field_is(struct fx *f, int64_t id, const char *col, const char *want)
{
	char *v = field_of(f, id, col);

	assert_non_null(v);
	assert_string_equal(v, want);
	crypto_secret_free(v);
}

/* An applied e-mail change: login finds the new address only, every
 * sealed field opens under its index, and the same authenticator works. */
static void
test_email_applied_reseals(void **state)
{
	struct fx *f = *state;
	int64_t id = request_ok(f, "email", ADA_NEW, T0);
	struct login_req req = {REALM_CUSTOMER, ADA_NEW, PASSWORD,
				strlen(PASSWORD), NULL, "192.0.2.1", "t", NULL};
	unsigned char before[TOTP_SECRET_BYTES], after[TOTP_SECRET_BYTES];
	size_t lb = 0, la = 0;
	char code[TOTP_DIGITS + 1];
	struct login_ok ok;
	int64_t retry = 0;

	set_phrase(f, f->ada, "blue otter");
	assert_int_equal(secret_of(f, f->ada, before, &lb), 0);
	approve_ok(f, id, T0);
	assert_int_equal(changes_apply_due(&f->app, f->c, T0 + DAY, NULL), 0);
	field_is(f, f->ada, "email", ADA_NEW);
	field_is(f, f->ada, "phone", "+44 20 7946 0123");
	field_is(f, f->ada, "address", "12 Test Street, Testville");
	field_is(f, f->ada, "dob", "1980-12-10");
	field_is(f, f->ada, "phrase", "blue otter");
	assert_int_equal(secret_of(f, f->ada, after, &la), 0);
	assert_int_equal(la, lb);
	assert_memory_equal(before, after, lb);
	assert_int_equal(totp_generate(after, la, time(NULL), code), 0);
	req.code = code;
	assert_int_equal(auth_login(&f->app, f->c, &req, &ok, &retry), 0);
	assert_false(ok.enrollment_required);
	req.email = ADA;
	assert_int_equal(auth_login(&f->app, f->c, &req, &ok, &retry),
			 -GH_LOGIN_FAILED);
	/* Bob is untouched. */
	field_is(f, f->bob, "email", "bob@example.org");
}

/* The customer cancels during the cooling-off: cancelled, audited, and
 * never applied however much time passes. Another customer cannot
 * cancel it (not found), and neither can anyone once it is due. */
static void
test_cancel_never_applies(void **state)
{
	struct fx *f = *state;
	int64_t n = -1, id = request_ok(f, "email", ADA_NEW, T0);
	const char *need[] = {"change.cancel", "success", "customer:", NULL};
	struct change_rec r;

	approve_ok(f, id, T0);
	assert_int_equal(changes_cancel(&f->app, f->c, &f->other, id, T0 + 5,
					&r), -GH_NOT_FOUND);
	assert_int_equal(changes_cancel(&f->app, f->c, &f->agent, id, T0 + 5,
					&r), -GH_FORBIDDEN);
	assert_int_equal(changes_cancel(&f->app, f->c, &f->cust, id, T0 + 5,
					&r), 0);
	assert_string_equal(r.state, "cancelled");
	assert_int_equal(audited(f, need), 1);
	assert_int_equal(changes_apply_due(&f->app, f->c, T0 + 365 * DAY, &n),
			 0);
	assert_int_equal(n, 0);
	state_is(f, id, "cancelled");
	field_is(f, f->ada, "email", ADA);
	assert_int_equal(changes_cancel(&f->app, f->c, &f->cust, id, T0 + 6,
					&r), -GH_CHANGE_NOT_ALLOWED);
	/* A change past its cooling-off is applied before a cancel. */
	id = request_ok(f, "phone", "+44 20 7946 0555", T0 + 10);
	approve_ok(f, id, T0 + 10);
	assert_int_equal(changes_cancel(&f->app, f->c, &f->cust, id,
					T0 + 10 + DAY, &r),
			 -GH_CHANGE_NOT_ALLOWED);
	state_is(f, id, "applied");
	field_is(f, f->ada, "phone", "+44 20 7946 0555");
}

/* An account-number change (C3) applies like the others: sealed under
 * the customer's index, opened by the reveal path; a phone change moves
 * the phone blind index with the number. */
static void
test_account_number_and_phone_index(void **state)
{
	struct fx *f = *state;
	int64_t a = request_ok(f, "account_number", "GB29 NWBK 6016", T0);
	int64_t p = request_ok(f, "phone", "+44 20 7946 0555", T0);
	struct pfield_list l = {NULL, 0};
	int64_t ids[4];
	size_t n = 0;
	int seen = 0;

	approve_ok(f, a, T0);
	approve_ok(f, p, T0);
	assert_int_equal(changes_apply_due(&f->app, f->c, T0 + 2 * DAY, NULL),
			 0);
	state_is(f, a, "applied");
	state_is(f, p, "applied");
	assert_int_equal(customer_fields(&f->app, f->c, f->ada, &l), 0);
	for (size_t i = 0; i < l.n; i++) {
		char *v = NULL;

		if (strcmp(l.v[i].name, "account_number") != 0)
			continue;
		assert_int_equal(pfield_open(&f->app, &l.v[i], &v), 0);
		assert_non_null(v);
		seen = strcmp(v, "GB29 NWBK 6016") == 0;
		crypto_secret_free(v);
	}
	pfield_list_clear(&l);
	assert_int_equal(seen, 1);
	assert_int_equal(sealed_find_by_phone(&f->app, f->c, "+442079460555",
					      ids, 4, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], f->ada);
}

/* A supervisor rejects while pending or cooling off; nothing applies. */
static void
test_reject(void **state)
{
	struct fx *f = *state;
	int64_t a = request_ok(f, "phone", "+44 20 7946 0555", T0);
	int64_t b = request_ok(f, "mfa_reset", NULL, T0);
	struct change_rec r;

	assert_int_equal(changes_reject(&f->app, f->c, &f->agent, a,
					"not plausible", T0, &r),
			 -GH_FORBIDDEN);
	assert_int_equal(changes_reject(&f->app, f->c, &f->sup1, a,
					"not plausible", T0, &r),
			 0);
	assert_string_equal(r.state, "rejected");
	assert_string_equal(r.closing, "not plausible");
	approve_ok(f, b, T0);
	assert_int_equal(changes_reject(&f->app, f->c, &f->sup2, b,
					"customer called us", T0 + 100, &r),
			 0);
	assert_int_equal(changes_approve(&f->app, f->c, &f->sup2, a,
					 "changed my mind", T0 + 200, &r),
			 -GH_CHANGE_NOT_ALLOWED);
	assert_int_equal(changes_apply_due(&f->app, f->c, T0 + 9 * DAY, NULL),
			 0);
	state_is(f, a, "rejected");
	state_is(f, b, "rejected");
	field_is(f, f->ada, "phone", "+44 20 7946 0123");
}

/* ASVS 6.4.4: an MFA reset, once applied, ends every session of the
 * customer and leaves no authenticator: the old codes fail and the next
 * login (password only) must enrol a new one. */
static void
test_mfa_reset(void **state)
{
	struct fx *f = *state;
	int64_t id = request_ok(f, "mfa_reset", NULL, T0);
	struct login_req req = {REALM_CUSTOMER, ADA, PASSWORD,
				strlen(PASSWORD), NULL, "192.0.2.1", "t", NULL};
	unsigned char old[TOTP_SECRET_BYTES], now[TOTP_SECRET_BYTES];
	size_t lo = 0, ln = 0;
	char token[CRYPTO_TOKEN_CHARS + 1], csrf[CRYPTO_TOKEN_CHARS + 1];
	char code[TOTP_DIGITS + 1];
	const char *need[] = {"change.applied", "\"sessions_ended\":1", NULL};
	struct session_rec s;
	struct login_ok ok;
	int64_t retry = 0;

	assert_int_equal(secret_of(f, f->ada, old, &lo), 0);
	assert_int_equal(session_create(&f->app, f->c, REALM_CUSTOMER, f->ada,
					1, "192.0.2.1", token, csrf), 0);
	approve_ok(f, id, T0);
	assert_int_equal(changes_apply_due(&f->app, f->c, T0 + DAY - 1, NULL),
			 0);
	assert_int_equal(session_authenticate(&f->app, f->c, REALM_CUSTOMER,
					      token, time(NULL), &s), 0);
	assert_int_equal(changes_apply_due(&f->app, f->c, T0 + DAY, NULL), 0);
	assert_int_equal(audited(f, need), 1);
	assert_int_equal(session_authenticate(&f->app, f->c, REALM_CUSTOMER,
					      token, time(NULL), &s),
			 -GH_SESSION_REQUIRED);
	assert_int_equal(secret_of(f, f->ada, now, &ln), 0);
	assert_false(ln == lo && memcmp(old, now, lo) == 0);
	assert_int_equal(totp_generate(old, lo, time(NULL), code), 0);
	req.code = code;
	assert_int_equal(auth_login(&f->app, f->c, &req, &ok, &retry),
			 -GH_LOGIN_FAILED);
	req.code = NULL;
	assert_int_equal(auth_login(&f->app, f->c, &req, &ok, &retry), 0);
	assert_true(ok.enrollment_required);
}

/* An address another customer took during the cooling-off fails the
 * change (audited), and changes nothing. */
static void
test_email_taken_meanwhile(void **state)
{
	struct fx *f = *state;
	int64_t n = -1, id = request_ok(f, "email", ADA_NEW, T0);
	const char *need[] = {"change.applied", "failure", "email_taken", NULL};
	struct change_rec r;

	approve_ok(f, id, T0);
	(void)add_customer(f, ADA_NEW, "+44 20 7946 0777");
	assert_int_equal(changes_apply_due(&f->app, f->c, T0 + DAY, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(f->c->ops->change_get(f->c, id, &r), 0);
	assert_string_equal(r.state, "failed");
	assert_string_equal(r.closing, "email_taken");
	change_rec_clear(&r);
	assert_int_equal(audited(f, need), 1);
	field_is(f, f->ada, "email", ADA);
}

/* Listings: supervisors see all (by state), a customer their own, an
 * agent nothing; a listing applies what is due first. */
static void
test_listings(void **state)
{
	struct fx *f = *state;
	int64_t a = request_ok(f, "phone", "+44 20 7946 0555", T0);
	int64_t b = request_ok(f, "mfa_reset", NULL, T0 + 1);
	struct change_list l;

	approve_ok(f, a, T0 + 2);
	assert_int_equal(changes_list(&f->app, f->c, &f->agent, NULL, 10, 0,
				      T0 + 3, &l), -GH_FORBIDDEN);
	assert_int_equal(changes_list(&f->app, f->c, &f->sup1, "bogus", 10, 0,
				      T0 + 3, &l), -GH_BAD_FIELD);
	assert_int_equal(changes_list(&f->app, f->c, &f->sup1, "open", 10, 0,
				      T0 + 3, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].id, b);
	assert_null(l.v[1].value.data);
	change_list_clear(&l);
	assert_int_equal(changes_list(&f->app, f->c, &f->other, NULL, 10, 0,
				      T0 + 3, &l), 0);
	assert_int_equal(l.n, 0);
	change_list_clear(&l);
	assert_int_equal(changes_list(&f->app, f->c, &f->cust, "applied", 10,
				      0, T0 + 2 + DAY, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, a);
	change_list_clear(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_floor),
		cmocka_unit_test_setup_teardown(test_floor_applies_to_approval,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_refusals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_one_open_per_kind, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_approval_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_approval_notice, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_account_number_and_phone_index,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_email_change_keeps_all_fields,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_applies_only_when_due,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_email_applied_reseals,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_never_applies, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reject, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mfa_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_email_taken_meanwhile,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_listings, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
