/*
 * Personal data sealed at rest and the key ring, against a real server
 * and its command line: no personal value (e-mail, phone, date of birth,
 * address, account number, a custom field, the anti-phishing phrase, the
 * TOTP secret raw, in hex and in base32) is anywhere in the database file
 * or its WAL, before and after `keys rotate`; a rotation while the server
 * runs, which keeps opening old values and seals new ones under the new
 * key; `keys retire` and its refusals; and the admin API of custom
 * fields with its refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "harness.h"

#define PASSWORD "marmalade Tuesday kite 3"

static struct gh_server srv;

/* Customers whose phrase is sealed under key 2 (its first bytes). */
#define KEY2_PHRASES                                                       \
	(gh_db_pg() ? "SELECT COUNT(*) FROM customers WHERE "               \
		      "encode(substr(phrase, 1, 5), 'hex') = '0200000002'" \
		    : "SELECT COUNT(*) FROM customers WHERE "               \
		      "hex(substr(phrase, 1, 5)) = '0200000002'")

static int
setup(void **state)
{
	(void)state;
	gh_start(&srv, NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	gh_stop(&srv);
	return 0;
}

/* The personal values of the test customer. */
static const char *const values[] = {
	"ada.lovelace@example.org", "+44 20 7946 0123", "+442079460123",
	"1980-02-29", "12 Analytical Row, London", "DE89 3704 0044 0532",
	"DE89370400440532", "Gold since 2009", "Blue heron at dawn",
	"Heron again at noon", NULL,
};

/* Adds the customer with every field, defines and sets a custom field;
 * u gets the login and TOTP secret. */
static void
add_ada(struct gh_user *u)
{
	const char *field[] = {"field", "add", "--name", "loyalty_tier",
			       "--class", "C2", NULL};
	const char *add[] = {"customer", "add", "--email", values[0],
			     "--name", "Ada", "--phone", values[1], "--dob",
			     values[3], "--address", values[4],
			     "--account-number", values[5], "--password-stdin",
			     NULL};
	const char *set[] = {"customer", "set-field", "--email", values[0],
			     "--field", "loyalty_tier", "--value-stdin", NULL};
	char *out = NULL;
	json_t *j;
	size_t n = 0;
	int bits = 0, acc = 0;

	assert_int_equal(gh_cli(&srv, NULL, NULL, field), 0);
	assert_int_equal(gh_cli(&srv, PASSWORD, &out, add), 0);
	memset(u, 0, sizeof(*u));
	snprintf(u->email, sizeof(u->email), "%s", values[0]);
	snprintf(u->password, sizeof(u->password), PASSWORD);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	u->id = json_integer_value(json_object_get(j, "id"));
	snprintf(u->b32, sizeof(u->b32), "%s",
		 json_string_value(json_object_get(j, "totp_secret")));
	json_decref(j);
	free(out);
	for (const char *p = u->b32; *p && n < sizeof(u->secret); p++) {
		acc = ((acc << 5) | (*p >= 'A' ? *p - 'A' : *p - '2' + 26)) &
		      0xffff;
		bits += 5;
		if (bits >= 8) {
			u->secret[n++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	assert_int_equal(n, sizeof(u->secret));
	assert_int_equal(gh_cli(&srv, "Gold since 2009\n", NULL, set), 0);
}

/* The bytes of DIR/name (empty when it does not exist). */
static unsigned char *
slurp(const char *name, size_t *len)
{
	char path[400];
	unsigned char *buf;
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", srv.dir, name);
	*len = 0;
	if (stat(path, &st) != 0)
		return NULL;
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	f = fopen(path, "rb");
	assert_non_null(f);
	*len = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	return buf;
}

/* None of the customer's values, nor the TOTP secret in any form, is in
 * the database file or its WAL; on PostgreSQL, in a dump of the
 * database's data (bytea as hex). */
static void
assert_sealed_at_rest(const struct gh_user *u)
{
	static const char *const files[] = {"gatehouse.db", "gatehouse.db-wal"};
	static const char *const dump[] = {"data.dump"};
	const char *const *names = gh_db_pg() ? dump : files;
	size_t n_files = gh_db_pg() ? 1 : 2;
	char hex[41], HEX[41], path[400];
	int seen_wal = 0;

	for (size_t i = 0; i < sizeof(u->secret); i++) {
		snprintf(hex + 2 * i, 3, "%02x", u->secret[i]);
		snprintf(HEX + 2 * i, 3, "%02X", u->secret[i]);
	}
	if (gh_db_pg()) {
		snprintf(path, sizeof(path), "%s/%s", srv.dir, dump[0]);
		gh_db_pg_dump(&srv, path);
	}
	for (size_t f = 0; f < n_files; f++) {
		size_t len = 0;
		unsigned char *buf = slurp(names[f], &len);

		if (f == 0)
			assert_true(len > 0);
		seen_wal |= f == 1 && len > 0;
		for (size_t v = 0; values[v] != NULL; v++)
			if (memmem(buf, len, values[v], strlen(values[v])))
				fail_msg("\"%s\" is in %s", values[v], names[f]);
		assert_null(memmem(buf, len, u->secret, sizeof(u->secret)));
		assert_null(memmem(buf, len, hex, 40));
		assert_null(memmem(buf, len, HEX, 40));
		assert_null(memmem(buf, len, u->b32, strlen(u->b32)));
		free(buf);
	}
	/* The server holds the database open: its WAL exists. */
	assert_true(seen_wal || gh_db_pg());
}

static long
put_phrase(struct gh_client *c, const char *phrase)
{
	struct gh_resp r;
	long st = gh_send_json(&srv, c, "PUT", "/api/v1/portal/phrase",
			       json_pack("{s:s}", "phrase", phrase), &r);

	gh_resp_free(&r);
	return st;
}

/* GET /portal/phrase gives want. */
static void
assert_phrase(struct gh_client *c, const char *want)
{
	struct gh_resp r;

	assert_int_equal(gh_req(&srv, c, "GET", "/api/v1/portal/phrase", NULL,
				NULL, &r),
			 200);
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "phrase")),
			    want);
	gh_resp_free(&r);
}

/* `keys rotate` (or another verb): exit status, and the key it names. */
static int
keys(const char *verb, const char *id, int64_t *key)
{
	const char *args[] = {"keys", verb, id != NULL ? "--id" : NULL, id,
			      NULL};
	char *out = NULL;
	int rc = gh_cli(&srv, NULL, &out, args);

	if (key != NULL && rc == 0) {
		json_t *j = json_loads(out, 0, NULL);

		assert_non_null(j);
		*key = json_integer_value(json_object_get(j, "key"));
		assert_int_equal(json_integer_value(json_object_get(j, "failed")),
				 0);
		json_decref(j);
	}
	free(out);
	return rc;
}

/* ASVS 11.3.1 11.3.2 14.1.1: every personal value is sealed at rest, in
 * the database and in its WAL, before and after a rotation; the server
 * keeps working through `keys rotate` and `keys retire` (it opens values
 * under keys it had not loaded and seals new ones under the new key). */
static void
test_sealed_at_rest_and_rotation(void **state)
{
	struct gh_client c;
	struct gh_user u;
	char path[400];
	struct stat st;
	int64_t key = 0;

	(void)state;
	add_ada(&u);
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&srv, &c, &u), 201);
	assert_int_equal(put_phrase(&c, values[8]), 200);
	assert_sealed_at_rest(&u);
	assert_int_equal(keys("rotate", NULL, &key), 0);
	assert_int_equal(key, 2);
	assert_sealed_at_rest(&u);
	/* Sealed under key 2 by the rotation; the server had never seen it. */
	assert_int_equal(gh_db_count(&srv, KEY2_PHRASES), 1);
	assert_phrase(&c, values[8]);
	/* A value the server seals now is under key 2. */
	assert_int_equal(put_phrase(&c, values[9]), 200);
	assert_int_equal(gh_db_count(&srv, KEY2_PHRASES), 1);
	assert_sealed_at_rest(&u);
	/* The TOTP seed opens under key 2 at the next login. */
	gh_client_free(&c);
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&srv, &c, &u), 201);
	assert_int_equal(keys("retire", "1", NULL), 0);
	assert_phrase(&c, values[9]);
	assert_int_equal(keys("rotate", NULL, &key), 0);
	assert_int_equal(key, 3);
	assert_int_equal(keys("retire", "2", NULL), 0);
	snprintf(path, sizeof(path), "%s/keys/2.key", srv.dir);
	assert_int_equal(stat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/master.key", srv.dir);
	assert_int_equal(stat(path, &st), 0);
	assert_phrase(&c, values[9]);
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
					   "record LIKE '%\"keys.rotate\"%'"),
			 2);
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
					   "record LIKE '%\"keys.retire\"%'"),
			 2);
	gh_client_free(&c);
}

/* ASVS 11.1.1 11.1.2: a key is not retired while it is current, while
 * any value is sealed under it, or when the ring has no such key; each
 * refusal exits 1, says why, is audited and changes nothing. */
static void
test_retire_refusals(void **state)
{
	struct gh_user u;
	char path[400];
	struct stat st;
	int64_t key = 0;

	(void)state;
	add_ada(&u);
	assert_int_equal(keys("retire", "1", NULL), 1);
	assert_true(gh_log_contains(&srv, "This key is the current one"));
	assert_int_equal(keys("retire", "9", NULL), 1);
	assert_true(gh_log_contains(&srv, "has no such key"));
	assert_int_equal(keys("retire", "0", NULL), 2);
	assert_int_equal(keys("retire", NULL, NULL), 2);
	assert_int_equal(keys("frob", NULL, NULL), 2);
	/* A value left under key 1: its sealed date of birth put back. */
	gh_db_exec(&srv, "CREATE TABLE saved AS SELECT id, dob FROM customers");
	assert_int_equal(keys("rotate", NULL, &key), 0);
	gh_db_exec(&srv, "UPDATE customers SET dob = (SELECT dob FROM saved "
			 "WHERE saved.id = customers.id); DROP TABLE saved");
	assert_int_equal(keys("retire", "1", NULL), 1);
	assert_true(gh_log_contains(&srv, "1 values are still sealed under "
					  "key 1"));
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
					   "record LIKE '%\"keys.retire\"%' "
					   "AND record LIKE '%\"denied\"%'"),
			 3);
	snprintf(path, sizeof(path), "%s/keys/1.retired", srv.dir);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(keys("reseal", NULL, &key), 0);
	assert_int_equal(key, 2);
	assert_int_equal(keys("retire", "1", NULL), 0);
	assert_int_equal(stat(path, &st), 0);
}

/* Exchanges the 32 bytes of key file path with buf (twice: back). */
static int
swap_key_file(const char *path, unsigned char buf[32])
{
	unsigned char was[32];
	FILE *f = fopen(path, "r+b");
	int ok;

	if (f == NULL)
		return -1;
	ok = fread(was, 1, sizeof(was), f) == sizeof(was) &&
	     fseek(f, 0, SEEK_SET) == 0 &&
	     fwrite(buf, 1, 32, f) == 32;
	ok = fclose(f) == 0 && ok;
	memcpy(buf, was, sizeof(was));
	return ok ? 0 : -1;
}

/* ASVS 11.1.1 11.1.2: the staged rotation of several nodes. `keys add`
 * writes key 2 without making it current (the server still seals under
 * key 1); `keys use` refuses a key this node's ring lacks, then makes
 * key 2 current (the server seals under it at once); `keys reseal` moves
 * the rest; key 1 retires. Each step is audited. */
static void
test_staged_rotation(void **state)
{
	struct gh_client c;
	struct gh_user u;
	char path[400];
	struct stat st;
	int64_t key = 0;
	const char *under2 = KEY2_PHRASES;
	const char *add[] = {"keys", "add", NULL};
	unsigned char other[32];
	char *out = NULL;
	json_t *j;

	(void)state;
	memset(other, 0x5a, sizeof(other));
	add_ada(&u);
	gh_client_init(&c, 0);
	assert_int_equal(gh_login(&srv, &c, &u), 201);
	assert_int_equal(gh_cli(&srv, NULL, &out, add), 0);
	j = json_loads(out, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "key")), 2);
	assert_true(json_is_false(json_object_get(j, "current")));
	assert_string_equal(json_string_value(json_object_get(j, "file")),
			    "keys/2.key");
	json_decref(j);
	free(out);
	snprintf(path, sizeof(path), "%s/keys/2.key", srv.dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(put_phrase(&c, values[8]), 200);
	assert_int_equal(gh_db_count(&srv, under2), 0); /* not current yet */
	assert_int_equal(keys("use", "5", NULL), 1);
	assert_true(gh_log_contains(&srv, "copy keys/N.key"));
	assert_int_equal(keys("use", NULL, NULL), 2);
	assert_int_equal(keys("use", "x", NULL), 2);
	/* Another key of the same number (`keys add` run again on another
	 * node) is refused: it would seal what no other node opens. */
	assert_int_equal(swap_key_file(path, other), 0);
	assert_int_equal(keys("use", "2", NULL), 1);
	assert_true(gh_log_contains(&srv, "is not the key `keys add` wrote"));
	assert_int_equal(swap_key_file(path, other), 0);
	assert_int_equal(keys("use", "2", &key), 0);
	assert_int_equal(key, 2);
	assert_int_equal(put_phrase(&c, values[9]), 200);
	assert_int_equal(gh_db_count(&srv, under2), 1);
	assert_phrase(&c, values[9]);
	assert_int_equal(keys("retire", "1", NULL), 1); /* the seed, e-mail */
	assert_int_equal(keys("reseal", NULL, &key), 0);
	assert_int_equal(keys("retire", "1", NULL), 0);
	assert_phrase(&c, values[9]);
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
					   "record LIKE '%\"keys.add\"%'"),
			 1);
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
					   "record LIKE '%\"keys.use\"%'"),
			 1);
	gh_client_free(&c);
}

/* ASVS 14.1.1 8.2.1: admins define custom fields through the API; other
 * roles are refused; bad names, classes and duplicates are refused and
 * change nothing; creation is audited. */
static void
test_admin_fields(void **state)
{
	struct gh_user admin, sup;
	struct gh_client ca, cs;
	struct gh_resp r;

	(void)state;
	gh_add_staff(&srv, "admin@example.com", "admin", &admin);
	gh_add_staff(&srv, "sup@example.com", "supervisor", &sup);
	gh_client_init(&ca, 1);
	gh_client_init(&cs, 1);
	assert_int_equal(gh_login(&srv, &ca, &admin), 201);
	assert_int_equal(gh_login(&srv, &cs, &sup), 201);
	assert_int_equal(gh_send_json(&srv, &ca, "POST", "/api/v1/admin/fields",
				      json_pack("{s:s, s:s}", "name",
						"loyalty_tier", "class", "C2"),
				      &r),
			 201);
	assert_string_equal(json_string_value(json_object_get(r.json, "name")),
			    "loyalty_tier");
	assert_string_equal(json_string_value(json_object_get(r.json,
							      "class")),
			    "C2");
	assert_non_null(strstr(json_string_value(json_object_get(
				       r.json, "created_by")),
			       "staff:"));
	gh_resp_free(&r);
	{
		struct {
			json_t *body;
			long status;
			const char *error, *field;
		} bad[] = {
			{json_pack("{s:s, s:s}", "name", "loyalty_tier",
				   "class", "C1"),
			 409, "conflict", "name"},
			{json_pack("{s:s, s:s}", "name", "Tier", "class", "C1"),
			 400, "bad_field", "name"},
			{json_pack("{s:s, s:s}", "name", "email", "class",
				   "C1"),
			 400, "bad_field", "name"},
			{json_pack("{s:s, s:s}", "name", "tier", "class", "C3"),
			 400, "bad_field", "class"},
			{json_pack("{s:s}", "name", "tier"), 400,
			 "missing_field", "class"},
			{json_pack("{s:s, s:s, s:b}", "name", "tier", "class",
				   "C1", "urgent", 1),
			 400, "unknown_field", NULL},
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			assert_int_equal(gh_send_json(&srv, &ca, "POST",
						      "/api/v1/admin/fields",
						      bad[i].body, &r),
					 bad[i].status);
			assert_string_equal(gh_error(&r), bad[i].error);
			if (bad[i].field != NULL)
				assert_string_equal(
					json_string_value(json_object_get(
						r.json, "field")),
					bad[i].field);
			gh_resp_free(&r);
		}
	}
	assert_int_equal(gh_send_json(&srv, &cs, "POST", "/api/v1/admin/fields",
				      json_pack("{s:s, s:s}", "name", "pet",
						"class", "C1"),
				      &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&srv, &cs, "GET", "/api/v1/admin/fields", NULL,
				NULL, &r),
			 403);
	gh_resp_free(&r);
	assert_int_equal(gh_req(&srv, &ca, "GET", "/api/v1/admin/fields", NULL,
				NULL, &r),
			 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	gh_resp_free(&r);
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM "
					   "customer_field_defs"),
			 1);
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM audit WHERE "
					   "record LIKE '%\"field.create\"%'"),
			 1);
	gh_client_free(&ca);
	gh_client_free(&cs);
}

/* The command line of custom fields and account numbers refuses what
 * breaks a rule, with exit 1 (a refusal) or 2 (a usage error). */
static void
test_cli_refusals(void **state)
{
	const char *no_class[] = {"field", "add", "--name", "tier", NULL};
	const char *bad_name[] = {"field", "add", "--name", "Tier", "--class",
				  "C1", NULL};
	const char *bad_acct[] = {"customer", "add", "--email",
				  "cy@example.org", "--name", "Cy",
				  "--account-number", "12!", "--password-stdin",
				  NULL};
	const char *no_field[] = {"customer", "set-field", "--email",
				  values[0], "--field", "nope", "--value-stdin",
				  NULL};
	const char *set[] = {"customer", "set-field", "--email", values[0],
			     "--field", "loyalty_tier", "--value-stdin", NULL};
	const char *no_stdin[] = {"customer", "set-field", "--email",
				  values[0], "--field", "loyalty_tier", NULL};
	const char *staff_acct[] = {"staff", "add", "--email", "s@example.com",
				    "--name", "S", "--role", "agent",
				    "--account-number", "1234",
				    "--password-stdin", NULL};
	struct gh_user u;

	(void)state;
	add_ada(&u);
	assert_int_equal(gh_cli(&srv, NULL, NULL, no_class), 2);
	assert_int_equal(gh_cli(&srv, NULL, NULL, bad_name), 1);
	assert_int_equal(gh_cli(&srv, PASSWORD, NULL, bad_acct), 1);
	assert_true(gh_log_contains(&srv, "\"field\":\"account_number\""));
	assert_int_equal(gh_cli(&srv, "x", NULL, no_field), 1);
	assert_int_equal(gh_cli(&srv, "", NULL, set), 1);
	assert_int_equal(gh_cli(&srv, "x", NULL, no_stdin), 2);
	assert_int_equal(gh_cli(&srv, PASSWORD, NULL, staff_acct), 2);
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM customers"), 1);
	assert_int_equal(gh_db_count(&srv, "SELECT COUNT(*) FROM "
					   "customer_field_values"),
			 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_sealed_at_rest_and_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staged_rotation, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_retire_refusals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_admin_fields, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cli_refusals, setup,
						teardown),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
