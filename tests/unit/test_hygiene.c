/*
 * Unit tests of core/hygiene*.c over a real SQLite store, with injected
 * times: the network of an address (/24, /48, IPv4-mapped, garbage), the
 * password gate (forced, the maximum age to the second, off at 0, cleared
 * by a change), the login history (bounded per principal) and the
 * new-network decision (no notice on a first login, on a failure, on a
 * known network, or when turned off), and the session list (expired
 * sessions left out, the caller's marked).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/app.h"
#include "core/hygiene.h"
#include "util/errors.h"

#define T0 ((int64_t)1700000000)
#define DAY ((int64_t)86400)

static const unsigned char master[CRYPTO_KEY_BYTES] = {
	3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3,
	2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9, 5,
};

struct fx {
	char dir[64];
	struct app app;
	struct store_conn *c;
	int64_t staff;
};

static int64_t
add_staff(struct fx *f, const char *email)
{
	struct staff_new n = {email, "Sam Staff", "agent", "x", {NULL, 0}};
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
	char url[128], err[256];

	if (f == NULL || crypto_init() != 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/gh-test-hygiene-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	config_defaults(&f->app.cfg, f->dir);
	if (config_validate(&f->app.cfg, err, sizeof(err)) != 0 ||
	    crypto_keys_from_bytes(master, &f->app.keys) != 0)
		return -1;
	snprintf(url, sizeof(url), "sqlite:%s/db", f->dir);
	if (store_open(url, 2, &f->app.store) != 0)
		return -1;
	f->c = store_acquire(f->app.store);
	f->staff = add_staff(f, "sam@example.com");
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

static void
test_network(void **state)
{
	static const char *const cases[][2] = {
		{"203.0.113.77", "203.0.113.0/24"},
		{"127.0.1.1", "127.0.1.0/24"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1::/48"},
		{"2001:db8:ffff::1", "2001:db8:ffff::/48"},
		{"::ffff:198.51.100.9", "198.51.100.0/24"},
		{"::1", "::/48"},
		{"not an address", "unknown"},
		{"", "unknown"},
		{"203.0.113.999", "unknown"},
	};
	char out[HYGIENE_NETWORK_BYTES];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hygiene_network(cases[i][0], out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
	}
	hygiene_network(NULL, out, sizeof(out));
	assert_string_equal(out, "unknown");
}

static int
required(struct fx *f, int64_t now, const char **why)
{
	struct hyg_pw_status st;

	assert_int_equal(hygiene_password_status(&f->app, f->c, f->staff, now,
						 &st),
			 0);
	*why = st.why;
	return st.required;
}

/* The gate: off at 0; with a maximum age the password is due at exactly
 * changed_at + N days; a forced change holds whatever the age; a change
 * clears both. ASVS [2.1.10]. */
static void
test_password_gate(void **state)
{
	struct fx *f = *state;
	const char *why;

	assert_int_equal(f->c->ops->hygiene.staff_pw_set(f->c, f->staff, "x",
							 T0),
			 0);
	f->app.cfg.password_max_age_days = 0;
	assert_false(required(f, T0 + 3650 * DAY, &why));
	assert_int_equal(hygiene_password_gate(&f->app, f->c, f->staff,
					       T0 + 3650 * DAY),
			 0);
	f->app.cfg.password_max_age_days = 90;
	assert_false(required(f, T0 + 90 * DAY - 1, &why));
	assert_true(required(f, T0 + 90 * DAY, &why));
	assert_string_equal(why, "expired");
	assert_int_equal(hygiene_password_gate(&f->app, f->c, f->staff,
					       T0 + 90 * DAY),
			 -GH_PASSWORD_CHANGE_REQUIRED);
	assert_int_equal(f->c->ops->hygiene.staff_pw_set(f->c, f->staff, "y",
							 T0 + 90 * DAY),
			 0);
	assert_false(required(f, T0 + 90 * DAY, &why));
	assert_int_equal(f->c->ops->hygiene.staff_pw_force(f->c, f->staff,
							   "phished", "cli"),
			 0);
	assert_true(required(f, T0 + 90 * DAY, &why));
	assert_string_equal(why, "forced");
	f->app.cfg.password_max_age_days = 0;
	assert_true(required(f, T0 + 90 * DAY, &why));
	assert_int_equal(f->c->ops->hygiene.staff_pw_set(f->c, f->staff, "z",
							 T0 + 91 * DAY),
			 0);
	assert_false(required(f, T0 + 91 * DAY, &why));
	assert_int_equal(hygiene_password_gate(&f->app, f->c, 999999, T0),
			 -GH_SESSION_REQUIRED);
}

static void
record(struct fx *f, int64_t id, const char *ip, int ok, int64_t now)
{
	assert_int_equal(
		hygiene_login_record(&f->app, f->c,
				     &(struct hyg_login){
					     .realm = REALM_STAFF,
					     .id = id,
					     .email = "new@example.com",
					     .ip = ip,
					     .request_id = "r",
					     .method = "password+totp",
					     .ok = ok,
					     .now = now}),
		0);
}

static int64_t
notices(struct fx *f)
{
	int64_t n = 0;
	struct outbox_list l;

	assert_int_equal(f->c->ops->outbox_due(f->c, T0 + 365 * DAY, 1000, &l),
			 0);
	for (size_t i = 0; i < l.n; i++)
		n += strcmp(l.v[i].kind, "login_new_network") == 0;
	outbox_list_clear(&l);
	return n;
}

/* No notice for a first login, a failure or a known network; one for a
 * success from a new network; none when turned off. */
static void
test_new_network(void **state)
{
	struct fx *f = *state;
	int64_t id = add_staff(f, "new@example.com");
	int64_t n0 = notices(f);

	f->app.cfg.notify_new_network = 1;
	record(f, id, "192.0.2.10", 1, T0);
	assert_int_equal(notices(f), n0);
	record(f, id, "192.0.2.99", 1, T0 + 1);
	assert_int_equal(notices(f), n0);
	record(f, id, "198.51.100.1", 0, T0 + 2);
	assert_int_equal(notices(f), n0);
	record(f, id, "198.51.100.1", 1, T0 + 3);
	assert_int_equal(notices(f), n0 + 1);
	record(f, id, "198.51.100.200", 1, T0 + 4);
	assert_int_equal(notices(f), n0 + 1);
	f->app.cfg.notify_new_network = 0;
	record(f, id, "203.0.113.5", 1, T0 + 5);
	assert_int_equal(notices(f), n0 + 1);
}

/* The history keeps the newest HYGIENE_LOGINS_KEPT rows of a principal
 * (another principal's rows untouched) and lists the newest
 * HYGIENE_LOGINS_SHOWN, newest first. */
static void
test_logins_bounded(void **state)
{
	struct fx *f = *state;
	int64_t a = add_staff(f, "a@example.com");
	int64_t b = add_staff(f, "b@example.com");
	struct hyg_who w = {REALM_STAFF, a, NULL, NULL, NULL};
	struct login_list l;

	f->app.cfg.notify_new_network = 0;
	record(f, b, "192.0.2.1", 0, T0);
	for (int i = 0; i < HYGIENE_LOGINS_KEPT + 5; i++)
		record(f, a, "192.0.2.1", i % 2, T0 + i);
	assert_int_equal(f->c->ops->hygiene.login_list(f->c, REALM_STAFF, a,
						       1000, &l),
			 0);
	assert_int_equal(l.n, HYGIENE_LOGINS_KEPT);
	assert_int_equal(l.v[l.n - 1].at, T0 + 5);
	login_list_clear(&l);
	assert_int_equal(hygiene_logins(&f->app, f->c, &w, &l), 0);
	assert_int_equal(l.n, HYGIENE_LOGINS_SHOWN);
	assert_int_equal(l.v[0].at, T0 + HYGIENE_LOGINS_KEPT + 4);
	assert_string_equal(l.v[0].network, "192.0.2.0/24");
	login_list_clear(&l);
	assert_int_equal(f->c->ops->hygiene.login_list(f->c, REALM_STAFF, b,
						       1000, &l),
			 0);
	assert_int_equal(l.n, 1);
	login_list_clear(&l);
}

static void
add_session(struct fx *f, const char *hash, int64_t created, int64_t seen)
{
	struct session_rec s;

	memset(&s, 0, sizeof(s));
	snprintf(s.token_hash, sizeof(s.token_hash), "%s", hash);
	s.realm = REALM_STAFF;
	s.principal_id = f->staff;
	s.created_at = created;
	s.last_seen = seen;
	s.idle_secs = 900;
	s.abs_expires = created + 28800;
	s.mfa = 1;
	snprintf(s.ip, sizeof(s.ip), "192.0.2.7");
	assert_int_equal(f->c->ops->session_insert(f->c, &s), 0);
}

/* Live sessions only, newest first, the caller's marked; ending another
 * principal's session id is -GH_NOT_FOUND. */
static void
test_sessions(void **state)
{
	struct fx *f = *state;
	struct hyg_who w = {REALM_STAFF, f->staff, "h-live", NULL, NULL};
	struct hyg_who other = {REALM_STAFF, 999999, "h-x", NULL, NULL};
	struct session_info_list l;
	int current = 0;

	add_session(f, "h-old", T0 - 100, T0 - 100);   /* long idle */
	add_session(f, "h-live", T0 - 50, T0 - 10);
	add_session(f, "h-new", T0 - 20, T0 - 20);
	assert_int_equal(hygiene_sessions(&f->app, f->c, &w, T0 + 850, &l), 0);
	assert_int_equal(l.n, 2);
	assert_true(l.v[0].created_at == T0 - 20 && !l.v[0].current);
	assert_true(l.v[1].created_at == T0 - 50 && l.v[1].current);
	assert_true(l.v[0].id >= 1000000000000000LL &&
		    l.v[0].id < 9000000000000000LL);
	assert_int_equal(hygiene_session_end(&f->app, f->c, &other, l.v[0].id,
					     &current),
			 -GH_NOT_FOUND);
	assert_int_equal(hygiene_session_end(&f->app, f->c, &w, l.v[0].id,
					     &current),
			 0);
	assert_false(current);
	assert_int_equal(hygiene_session_end(&f->app, f->c, &w, l.v[1].id,
					     &current),
			 0);
	assert_true(current);
	session_info_list_clear(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_password_gate),
		cmocka_unit_test(test_new_network),
		cmocka_unit_test(test_logins_bounded),
		cmocka_unit_test(test_sessions),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
