/*
 * core/mask and core/disclosure: the masks of personal values keep only
 * their fixed part and never tell a value's length (ASVS 14.2.6 [8.3.x]:
 * minimum data, last 4 only; 8.2.3: field-level access, masked PII unless
 * permitted); the data classes and the reveal rule (C1 needs level 1, C2
 * level 2, and the staff session must have used MFA); the reason rule;
 * the hourly window and limit of reveals per staff member with injected
 * times (ASVS 2.4.1 [11.1.4]: anti-automation against mass exfiltration),
 * through the real store: the window, the lock the reveal past the limit
 * sets, its alert, its clearance by another supervisor and the new count
 * after it; a verification past its expiry reveals nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/app.h"
#include "core/disclosure.h"
#include "core/fields.h"
#include "core/mask.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/errors.h"

#include "ticket_fixture.h"

static void
expect_mask(enum mask_kind kind, const char *value, const char *want)
{
	char out[MASK_MAX];

	assert_int_equal(mask_value(kind, value, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void
test_mask_email(void **state)
{
	(void)state;
	expect_mask(MASK_EMAIL, "john@example.com", "j***@e***.com");
	expect_mask(MASK_EMAIL, "j@e.com", "j***@e***.com");
	expect_mask(MASK_EMAIL, "jonathan.smith.long@examplecorp.com",
		    "j***@e***.com");
	/* The first label of the domain, the last label (TLD) kept. */
	expect_mask(MASK_EMAIL, "ada@mail.example.co.uk", "a***@m***.uk");
	/* Whole UTF-8 characters, never a cut sequence. */
	expect_mask(MASK_EMAIL, "\xc3\xa9lise@\xc3\xa9xample.fr",
		    "\xc3\xa9***@\xc3\xa9***.fr");
	/* The last @ separates the domain. */
	expect_mask(MASK_EMAIL, "\"a@b\"@example.org", "\"***@e***.org");
	/* Nothing to keep safely: masked whole. */
	expect_mask(MASK_EMAIL, "no-at-sign", "***");
	expect_mask(MASK_EMAIL, "@example.com", "***");
	expect_mask(MASK_EMAIL, "user@localhost", "***");
	expect_mask(MASK_EMAIL, "user@.com", "***");
	expect_mask(MASK_EMAIL, "user@example.", "***");
	expect_mask(MASK_EMAIL, "", "***");
}

static void
test_mask_phone_account(void **state)
{
	(void)state;
	expect_mask(MASK_PHONE, "+44 20 7946 0123", "*** *** 0123");
	expect_mask(MASK_PHONE, "(555) 010-9876", "*** *** 9876");
	expect_mask(MASK_PHONE, "12345678", "*** *** 5678");
	/* Fewer than 8 digits: the last 4 would be most of it. */
	expect_mask(MASK_PHONE, "1234567", "*** *** ****");
	expect_mask(MASK_PHONE, "", "*** *** ****");
	expect_mask(MASK_ACCOUNT, "GB29 NWBK 6016 1331 9268 19",
		    "****6819");
	expect_mask(MASK_ACCOUNT, "12345678", "****5678");
	expect_mask(MASK_ACCOUNT, "1234567", "********");
	expect_mask(MASK_ACCOUNT, "ab-12", "********");
}

static void
test_mask_fixed(void **state)
{
	(void)state;
	expect_mask(MASK_DATE, "1980-02-29", "****-**-**");
	expect_mask(MASK_DATE, "x", "****-**-**");
	expect_mask(MASK_ADDRESS, "1 Test Street, London", "***");
	expect_mask(MASK_OTHER, "anything at all", "***");
}

/* Two values of different lengths mask the same: the mask tells no
 * length. */
static void
test_mask_no_length(void **state)
{
	char a[MASK_MAX], b[MASK_MAX];
	static const enum mask_kind kinds[] = {MASK_EMAIL, MASK_PHONE,
					       MASK_DATE, MASK_ADDRESS,
					       MASK_ACCOUNT, MASK_OTHER};
	static const char *const pairs[][2] = {
		{"j@e.com", "jjjjjjjjjjjjjjjjjjjj@eeeeeeeeeeeeeeee.com"},
		{"+1 555 010 1234", "+44 (0) 20 7946 0000 1234"},
		{"1980-02-29", "19800229"},
		{"1 A St", "Flat 2, 10 Very Long Road Name, Some Town, XY1 2ZZ"},
		{"00001234", "GB00 0000 0000 0000 0000 1234"},
		{"a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		assert_int_equal(mask_value(kinds[i], pairs[i][0], a,
					    sizeof(a)), 0);
		assert_int_equal(mask_value(kinds[i], pairs[i][1], b,
					    sizeof(b)), 0);
		assert_string_equal(a, b);
	}
}

static void
test_mask_small_buffer(void **state)
{
	char out[MASK_MAX - 1];

	(void)state;
	out[0] = 'x';
	assert_int_equal(mask_value(MASK_EMAIL, "john@example.com", out,
				    sizeof(out)),
			 -1);
	assert_string_equal(out, "");
}

/* A TLD of 63 bytes is kept and fits; a longer last label is masked
 * whole. */
static void
test_mask_long_tld(void **state)
{
	char v[160], want[MASK_MAX], tld[70];

	(void)state;
	memset(tld, 'x', 63);
	tld[63] = '\0';
	snprintf(v, sizeof(v), "a@b.%s", tld);
	snprintf(want, sizeof(want), "a***@b***.%s", tld);
	expect_mask(MASK_EMAIL, v, want);
	snprintf(v, sizeof(v), "a@b.%sx", tld);
	expect_mask(MASK_EMAIL, v, "***");
}

static void
test_classes(void **state)
{
	const struct disclosure_field *f;
	size_t n = 0;

	(void)state;
	f = disclosure_field_find("email");
	assert_non_null(f);
	assert_string_equal(f->cls, "C1");
	assert_int_equal(f->mask, MASK_EMAIL);
	assert_string_equal(disclosure_field_find("phone")->cls, "C1");
	f = disclosure_field_find("dob");
	assert_non_null(f);
	assert_string_equal(f->cls, "C2");
	assert_string_equal(disclosure_field_find("address")->cls, "C2");
	f = disclosure_field_find("account_number");
	assert_non_null(f);
	assert_string_equal(f->cls, "C2");
	assert_int_equal(f->mask, MASK_ACCOUNT);
	/* Secrets and unknown names are no built-in field; a custom field
	 * masks whole. */
	assert_null(disclosure_field_find("password"));
	assert_null(disclosure_field_find("totp_seed"));
	assert_null(disclosure_field_find("Email"));
	assert_null(disclosure_field_find(""));
	assert_null(disclosure_field_find(NULL));
	assert_int_equal(disclosure_mask_of("loyalty_tier"), MASK_OTHER);
	assert_int_equal(disclosure_mask_of("phone"), MASK_PHONE);
	f = disclosure_fields(&n);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_true(disclosure_class_level(f[i].cls) >= 1);
	assert_int_equal(disclosure_class_level("C1"), 1);
	assert_int_equal(disclosure_class_level("C2"), 2);
	assert_int_equal(disclosure_class_level("C3"), 0);
	assert_int_equal(disclosure_class_level(NULL), 0);
}

/* C1 needs level 1, C2 level 2, and the staff session must have used
 * MFA. ASVS 8.2.3. */
static void
test_rule(void **state)
{
	(void)state;
	assert_int_equal(disclosure_rule(1, 1, 1), 0);
	assert_int_equal(disclosure_rule(1, 2, 1), 0);
	assert_int_equal(disclosure_rule(2, 2, 1), 0);
	assert_int_equal(disclosure_rule(1, 0, 1), -GH_VERIFICATION_REQUIRED);
	assert_int_equal(disclosure_rule(2, 1, 1), -GH_VERIFICATION_REQUIRED);
	assert_int_equal(disclosure_rule(2, 0, 1), -GH_VERIFICATION_REQUIRED);
	/* Without MFA on the staff session, no level is enough. */
	assert_int_equal(disclosure_rule(1, 2, 0), -GH_VERIFICATION_REQUIRED);
	/* An unknown class (level 0) is never revealed. */
	assert_int_equal(disclosure_rule(0, 2, 1), -GH_VERIFICATION_REQUIRED);
}

static void
test_reason(void **state)
{
	char long_reason[DISCLOSURE_REASON_MAX + 2];

	(void)state;
	assert_int_equal(disclosure_reason_check("Caller asked for it"), 0);
	assert_int_equal(disclosure_reason_check("abc"), 0);
	assert_int_equal(disclosure_reason_check("ab"), -GH_BAD_FIELD);
	assert_int_equal(disclosure_reason_check(NULL), -GH_BAD_FIELD);
	assert_int_equal(disclosure_reason_check("two\nlines"), -GH_BAD_UTF8);
	assert_int_equal(disclosure_reason_check("bad \xff byte"),
			 -GH_BAD_UTF8);
	memset(long_reason, 'r', DISCLOSURE_REASON_MAX);
	long_reason[DISCLOSURE_REASON_MAX] = '\0';
	assert_int_equal(disclosure_reason_check(long_reason), 0);
	long_reason[DISCLOSURE_REASON_MAX] = 'r';
	long_reason[DISCLOSURE_REASON_MAX + 1] = '\0';
	assert_int_equal(disclosure_reason_check(long_reason), -GH_BAD_FIELD);
}

/* The window is the last hour, or less when a lock was cleared within it;
 * the limit allows per_hour reveals and refuses the next. ASVS 2.4.1. */
static void
test_window_and_quota(void **state)
{
	const int64_t now = 1700000000;

	(void)state;
	assert_int_equal(disclosure_window_start(now, 0), now - 3600);
	assert_int_equal(disclosure_window_start(now, now - 7200), now - 3600);
	assert_int_equal(disclosure_window_start(now, now - 60), now - 60);
	assert_int_equal(disclosure_quota(0, 1), 0);
	assert_int_equal(disclosure_quota(1, 1), -GH_REVEALS_LOCKED);
	assert_int_equal(disclosure_quota(19, 20), 0);
	assert_int_equal(disclosure_quota(20, 20), -GH_REVEALS_LOCKED);
	assert_int_equal(disclosure_quota(21, 20), -GH_REVEALS_LOCKED);
}

/* --- the hourly limit through the store, with injected times ---------- */

#define T0 ((int64_t)1700000000)
#define HASH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static int
setup(void **state)
{
	return fx_setup(state, "/tmp/gh-test-disclosure-XXXXXX");
}

/* A live staff session of agent 1 (MFA), a ticket of customer A in the
 * agent's queue and a verification of the agent on it with a passed
 * TOTP factor, valid until T0 + 1000000: *vid. */
static void
verified(struct fx *f, int64_t *vid)
{
	struct session_rec s;
	struct verification_new vn;
	struct verification_factor vf;
	int64_t tid = 0;

	memset(&s, 0, sizeof(s));
	snprintf(s.token_hash, sizeof(s.token_hash), "%s", HASH);
	s.realm = REALM_STAFF;
	s.principal_id = f->agent1;
	s.created_at = T0;
	s.last_seen = T0;
	s.idle_secs = 100000000;
	s.abs_expires = T0 + 100000000;
	s.mfa = 1;
	snprintf(s.ip, sizeof(s.ip), "127.0.0.1");
	assert_int_equal(f->c->ops->session_insert(f->c, &s), 0);
	assert_int_equal(f->c->ops->ticket_insert(f->c, f->cust_a, "Help", T0,
						  &tid),
			 0);
	vn = (struct verification_new){f->agent1, HASH, tid, f->cust_a, 0,
				       STORE_QUEUE_GENERAL, T0, T0 + 1000000};
	assert_int_equal(f->c->ops->verification_insert(f->c, &vn, vid), 0);
	memset(&vf, 0, sizeof(vf));
	vf.verification_id = *vid;
	snprintf(vf.method, sizeof(vf.method), "totp");
	snprintf(vf.state, sizeof(vf.state), "passed");
	vf.updated_at = T0;
	assert_int_equal(f->c->ops->verification_factor_put(f->c, &vf), 0);
}

/* Agent 1 reveals customer A's e-mail under verification vid at now. */
static int
reveal_at(struct fx *f, int64_t vid, int64_t now)
{
	struct disclosure_ask q = {f->cust_a, "email", "Caller asked", vid,
				   HASH, 1, now};
	struct disclosure_reveal r;
	int rc = disclosure_reveal(&f->app, f->c, &f->a1, &q, &r);

	if (rc == 0)
		assert_string_equal(r.value, "ada@example.org");
	else
		assert_null(r.value);
	disclosure_reveal_clear(&r);
	return rc;
}

static int64_t
limit_count(struct fx *f, int64_t now, int *locked)
{
	struct disclosure_limit l;

	assert_int_equal(disclosure_limit(&f->app, f->c, f->agent1, now, &l),
			 0);
	*locked = l.locked;
	return l.count;
}

/* The window is the hour before now: reveals older than that no longer
 * count. ASVS 2.4.1. */
static void
test_limit_window(void **state)
{
	struct fx *f = *state;
	int64_t vid = 0;
	int locked = 1;

	f->app.cfg.reveals_per_hour = 3;
	verified(f, &vid);
	assert_int_equal(reveal_at(f, vid, T0), 0);
	assert_int_equal(reveal_at(f, vid, T0 + 10), 0);
	assert_int_equal(limit_count(f, T0 + 20, &locked), 2);
	assert_false(locked);
	/* An hour later the first one has left the window. */
	assert_int_equal(limit_count(f, T0 + 3600, &locked), 1);
	assert_int_equal(limit_count(f, T0 + 3610, &locked), 0);
	/* So three more fit there. */
	assert_int_equal(reveal_at(f, vid, T0 + 3611), 0);
	assert_int_equal(reveal_at(f, vid, T0 + 3612), 0);
	assert_int_equal(reveal_at(f, vid, T0 + 3613), 0);
	assert_int_equal(limit_count(f, T0 + 3614, &locked), 3);
	assert_false(locked);
}

/* The reveal past the limit is refused and locks: later reveals are
 * refused however much time passes, until another supervisor clears the
 * lock; a new count starts at the clearance. Supervisors are alerted
 * (outbox) and each step is audited. ASVS 2.4.1. */
static void
test_limit_lock(void **state)
{
	struct fx *f = *state;
	struct outbox_list ob = {NULL, 0};
	int64_t vid = 0, n = 0, before = 0;
	int locked = 0;

	f->app.cfg.reveals_per_hour = 3;
	verified(f, &vid);
	assert_int_equal(f->c->ops->audit_count(f->c, &before), 0);
	for (int64_t i = 0; i < 3; i++)
		assert_int_equal(reveal_at(f, vid, T0 + i), 0);
	assert_int_equal(reveal_at(f, vid, T0 + 3), -GH_REVEALS_LOCKED);
	assert_int_equal(limit_count(f, T0 + 4, &locked), 3);
	assert_true(locked);
	/* 3 reveals, 1 refusal, 1 lock. */
	assert_int_equal(f->c->ops->audit_count(f->c, &n), 0);
	assert_int_equal(n, before + 5);
	/* One content-free alert to the one supervisor. */
	assert_int_equal(f->c->ops->outbox_due(f->c, T0 + 10, 16, &ob), 0);
	assert_int_equal(ob.n, 1);
	assert_string_equal(ob.v[0].kind, "reveal_alert");
	assert_null(strstr(ob.v[0].body_text, "ada@"));
	outbox_list_clear(&ob);
	assert_int_equal(reveal_at(f, vid, T0 + 7200), -GH_REVEALS_LOCKED);
	assert_int_equal(limit_count(f, T0 + 7200, &locked), 0);
	assert_true(locked);
	/* Agent 2 is no supervisor; agent 1 may not clear their own. */
	assert_int_equal(disclosure_lock_clear(&f->app, f->c, &f->a2, f->agent1,
					       "Fine by me", T0 + 7300),
			 -GH_FORBIDDEN);
	assert_int_equal(disclosure_lock_clear(&f->app, f->c, &f->s, f->agent1,
					       "ab", T0 + 7300),
			 -GH_BAD_FIELD);
	assert_int_equal(disclosure_lock_clear(&f->app, f->c, &f->s, f->agent1,
					       "Reviewed", T0 + 7300),
			 0);
	assert_int_equal(disclosure_lock_clear(&f->app, f->c, &f->s, f->agent1,
					       "Reviewed", T0 + 7301),
			 -GH_BAD_STATE);
	/* A new count from the clearance. */
	assert_int_equal(limit_count(f, T0 + 7300, &locked), 0);
	assert_false(locked);
	for (int64_t i = 1; i <= 3; i++)
		assert_int_equal(reveal_at(f, vid, T0 + 7300 + i), 0);
	assert_int_equal(reveal_at(f, vid, T0 + 7304), -GH_REVEALS_LOCKED);
	assert_int_equal(limit_count(f, T0 + 7305, &locked), 3);
	assert_true(locked);
}

/* The verification's own time rule: past its expiry it gives level 0. */
static void
test_reveal_expiry(void **state)
{
	struct fx *f = *state;
	int64_t vid = 0;

	verified(f, &vid);
	assert_int_equal(reveal_at(f, vid, T0 + 1000000 - 1), 0);
	assert_int_equal(reveal_at(f, vid, T0 + 1000000),
			 -GH_VERIFICATION_REQUIRED);
}

/* The staff session must have used MFA, whatever the verification
 * holds; a field the customer has no value in is not found, and neither
 * refusal records a reveal. */
static void
test_reveal_mfa_and_unset(void **state)
{
	struct fx *f = *state;
	struct disclosure_ask q = {f->cust_a, "email", "Caller asked", 0,
				   HASH, 0, T0 + 5};
	struct disclosure_reveal r;
	struct verification_factor vf;
	int64_t vid = 0, n = 0;

	verified(f, &vid);
	q.verification_id = vid;
	assert_int_equal(disclosure_reveal(&f->app, f->c, &f->a1, &q, &r),
			 -GH_VERIFICATION_REQUIRED);
	assert_null(r.value);
	assert_int_equal(r.level_needed, 1);
	disclosure_reveal_clear(&r);
	/* Level 2 (a second factor of another method), no address on
	 * file. */
	memset(&vf, 0, sizeof(vf));
	vf.verification_id = vid;
	snprintf(vf.method, sizeof(vf.method), "email_otp");
	snprintf(vf.state, sizeof(vf.state), "passed");
	vf.updated_at = T0;
	assert_int_equal(f->c->ops->verification_factor_put(f->c, &vf), 0);
	q.staff_mfa = 1;
	q.field = "address";
	assert_int_equal(disclosure_reveal(&f->app, f->c, &f->a1, &q, &r),
			 -GH_NOT_FOUND);
	assert_null(r.value);
	disclosure_reveal_clear(&r);
	q.field = "phone";
	assert_int_equal(disclosure_reveal(&f->app, f->c, &f->a1, &q, &r), 0);
	assert_string_equal(r.value, "+44 20 7946 0123");
	assert_int_equal(r.hide_after, 60);
	assert_int_equal(r.staff_id, f->agent1);
	assert_string_equal(r.staff_name, "Alice Agent");
	disclosure_reveal_clear(&r);
	assert_int_equal(f->c->ops->disclosure.reveal_count(f->c, f->agent1, 0, &n), 0);
	assert_int_equal(n, 1);
	/* A customer actor never reveals. */
	assert_int_equal(disclosure_reveal(&f->app, f->c, &f->a_cust, &q, &r),
			 -GH_FORBIDDEN);
	disclosure_reveal_clear(&r);
}

/* A custom field an admin defined: in the view with its class, masked
 * whole; revealed at its class's level; an undefined name is no field. */
static void
test_custom_field(void **state)
{
	struct fx *f = *state;
	struct disclosure_ask q = {f->cust_a, "loyalty_tier", "Caller asked",
				   0, HASH, 1, T0 + 5};
	struct disclosure_reveal r;
	struct disclosure_view v;
	struct verification_factor vf;
	struct field_def d;
	const char *what = NULL;
	int64_t vid = 0;
	size_t i;

	assert_int_equal(fields_create(&f->app, f->c, NULL, "loyalty_tier",
				       "C2", T0, &d, &what),
			 0);
	assert_int_equal(fields_set_value(&f->app, f->c, "cli",
					  "ada@example.org", "loyalty_tier",
					  "Gold member", T0, &what),
			 0);
	verified(f, &vid);
	q.verification_id = vid;
	assert_int_equal(disclosure_view(&f->app, f->c, &f->a1, f->cust_a, &v),
			 0);
	assert_int_equal(v.n, 6);
	for (i = 0; i < v.n; i++)
		if (strcmp(v.items[i].name, "loyalty_tier") == 0)
			break;
	assert_true(i < v.n);
	assert_string_equal(v.items[i].cls, "C2");
	assert_int_equal(v.items[i].level, 2);
	assert_true(v.items[i].custom);
	assert_string_equal(v.items[i].masked, "***");
	/* Built-ins first; unset ones are not set. */
	assert_string_equal(v.items[0].name, "email");
	assert_string_equal(v.items[0].masked, "a***@e***.org");
	assert_string_equal(v.items[4].name, "account_number");
	assert_false(v.items[4].set);
	disclosure_view_clear(&v);
	/* Level 1 is not enough for C2. */
	assert_int_equal(disclosure_reveal(&f->app, f->c, &f->a1, &q, &r),
			 -GH_VERIFICATION_REQUIRED);
	assert_int_equal(r.level_needed, 2);
	assert_int_equal(r.level_held, 1);
	disclosure_reveal_clear(&r);
	memset(&vf, 0, sizeof(vf));
	vf.verification_id = vid;
	snprintf(vf.method, sizeof(vf.method), "email_otp");
	snprintf(vf.state, sizeof(vf.state), "passed");
	vf.updated_at = T0;
	assert_int_equal(f->c->ops->verification_factor_put(f->c, &vf), 0);
	assert_int_equal(disclosure_reveal(&f->app, f->c, &f->a1, &q, &r), 0);
	assert_string_equal(r.value, "Gold member");
	assert_string_equal(r.field, "loyalty_tier");
	disclosure_reveal_clear(&r);
	q.field = "loyalty_level";
	assert_int_equal(disclosure_reveal(&f->app, f->c, &f->a1, &q, &r),
			 -GH_BAD_FIELD);
	assert_string_equal(r.field, "");
	disclosure_reveal_clear(&r);
}

/* Loads "[disclosure]\nKEY = VALUE" over the defaults: config_load's
 * result; err names the problem. */
static int
load_one(const char *key, const char *value, struct config *cfg, char *err,
	 size_t errsz)
{
	char dir[] = "/tmp/gh-test-disclosure-conf-XXXXXX";
	char path[96];
	FILE *fp;
	int rc;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/gatehouse.conf", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "[disclosure]\n%s = %s\n", key, value);
	fclose(fp);
	config_defaults(cfg, dir);
	err[0] = '\0';
	rc = config_load(cfg, path, err, errsz);
	unlink(path);
	rmdir(dir);
	return rc;
}

/* The policy floors: the limit and the display time may only be made
 * stricter (at most 20 reveals an hour, at most 60 s shown); a value
 * outside stops start-up naming the key. */
static void
test_config_bounds(void **state)
{
	static const char *const bad_limit[] = {"21", "0", "100", "-1", "x"};
	static const char *const bad_hide[] = {"61", "9", "0", "3600", "x"};
	struct config cfg;
	char err[256];

	(void)state;
	config_defaults(&cfg, "/tmp");
	assert_int_equal(cfg.reveals_per_hour, 20);
	assert_int_equal(cfg.reveal_hide_seconds, 60);
	for (size_t i = 0; i < sizeof(bad_limit) / sizeof(bad_limit[0]); i++) {
		assert_int_equal(load_one("reveals_per_hour", bad_limit[i], &cfg,
					  err, sizeof(err)),
				 -1);
		assert_non_null(strstr(err, "reveals_per_hour"));
	}
	for (size_t i = 0; i < sizeof(bad_hide) / sizeof(bad_hide[0]); i++) {
		assert_int_equal(load_one("reveal_hide_seconds", bad_hide[i],
					  &cfg, err, sizeof(err)),
				 -1);
		assert_non_null(strstr(err, "reveal_hide_seconds"));
	}
	assert_int_equal(load_one("reveals_per_hour", "1", &cfg, err,
				  sizeof(err)),
			 0);
	assert_int_equal(cfg.reveals_per_hour, 1);
	assert_int_equal(load_one("reveal_hide_seconds", "10", &cfg, err,
				  sizeof(err)),
			 0);
	assert_int_equal(cfg.reveal_hide_seconds, 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_email),
		cmocka_unit_test(test_mask_phone_account),
		cmocka_unit_test(test_mask_fixed),
		cmocka_unit_test(test_mask_no_length),
		cmocka_unit_test(test_mask_small_buffer),
		cmocka_unit_test(test_mask_long_tld),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_rule),
		cmocka_unit_test(test_reason),
		cmocka_unit_test(test_window_and_quota),
		cmocka_unit_test(test_config_bounds),
		cmocka_unit_test_setup_teardown(test_limit_window, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_limit_lock, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reveal_expiry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reveal_mfa_and_unset,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_custom_field, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
