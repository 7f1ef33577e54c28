/*
 * core/refusal: security-relevant refusals are audited, and a flood is
 * limited per source and in all, with what was not recorded summarised.
 * ASVS 16.3.1 (authentication events: a throttled login), 16.3.2 (failed
 * authorization: CSRF, 403, a ticket outside the agent's queues); the
 * limits keep the log from being flooded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/app.h"
#include "core/refusal.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/errors.h"

static const unsigned char master[CRYPTO_KEY_BYTES] = {1, 2, 3};

struct fx {
	char dir[64];
	struct app app;
	struct store_conn *c;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char url[128];

	if (f == NULL || crypto_init() != 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/gh-test-refusal-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	config_defaults(&f->app.cfg, f->dir);
	if (crypto_keys_from_bytes(master, &f->app.keys) != 0)
		return -1;
	snprintf(url, sizeof(url), "sqlite:%s/db", f->dir);
	if (store_open(url, 2, &f->app.store) != 0)
		return -1;
	f->c = store_acquire(f->app.store);
	refusal_reset();
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

/* The audit records with this action; the last one's detail.count into
 * *count and its whole text into last (when given). */
static int
records(struct fx *f, const char *action, int64_t *count, char **last)
{
	int64_t n = 0;
	int hits = 0;

	assert_int_equal(f->c->ops->audit_count(f->c, &n), 0);
	for (int64_t i = 1; i <= n; i++) {
		unsigned char leaf[32];
		char *rec = NULL;
		json_t *j;

		assert_int_equal(f->c->ops->audit_get(f->c, i, &rec, leaf), 0);
		j = json_loads(rec, 0, NULL);
		assert_non_null(j);
		if (strcmp(json_string_value(json_object_get(j, "action")),
			   action) == 0) {
			hits++;
			if (count != NULL)
				*count = json_integer_value(json_object_get(
					json_object_get(j, "detail"), "count"));
			if (last != NULL) {
				free(*last);
				*last = rec;
				rec = NULL;
			}
		}
		json_decref(j);
		free(rec);
	}
	return hits;
}

static void
refuse(struct fx *f, int err, const char *ip, int64_t now)
{
	struct refusal rf = {
		.err = -err,
		.actor = "staff:7",
		.route = "GET /api/v1/tickets/{id}",
		.target_id = 42,
		.ip = ip,
		.request_id = "00112233445566778899aabbccddeeff",
	};

	assert_int_equal(refusal_record(&f->app, f->c, &rf, now), 0);
}

/* The codes that are refusals worth a record, and some that are not. */
static void
test_security_codes(void **state)
{
	(void)state;
	assert_true(refusal_is_security(-GH_CSRF_FAILED));
	assert_true(refusal_is_security(-GH_TOO_MANY_ATTEMPTS));
	assert_true(refusal_is_security(GH_NOT_FOUND));
	assert_true(refusal_is_security(-GH_BAD_CODE));
	assert_true(refusal_is_security(-GH_FORBIDDEN));
	assert_true(refusal_is_security(-GH_BAD_CURSOR));
	assert_false(refusal_is_security(-GH_BAD_JSON));
	assert_false(refusal_is_security(-GH_INTERNAL));
	assert_false(refusal_is_security(0));
}

/* One record names code, route, id, actor and address; nothing else. */
static void
test_record_fields(void **state)
{
	struct fx *f = *state;
	char *rec = NULL;
	json_t *j, *d;

	refuse(f, GH_CSRF_FAILED, "192.0.2.7", 1000);
	assert_int_equal(records(f, "security.refused", NULL, &rec), 1);
	j = json_loads(rec, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "actor")),
			    "staff:7");
	assert_string_equal(json_string_value(json_object_get(j, "outcome")),
			    "denied");
	assert_string_equal(json_string_value(json_object_get(j, "ip")),
			    "192.0.2.7");
	d = json_object_get(j, "detail");
	assert_string_equal(json_string_value(json_object_get(d, "code")),
			    "csrf_failed");
	assert_string_equal(json_string_value(json_object_get(d, "route")),
			    "GET /api/v1/tickets/{id}");
	assert_int_equal(json_integer_value(json_object_get(d, "id")), 42);
	json_decref(j);
	free(rec);
}

/* A flood from one source: REFUSAL_BURST records, the rest counted and
 * summarised once the window is over. */
static void
test_burst_then_summary(void **state)
{
	struct fx *f = *state;
	int64_t count = 0;

	for (int i = 0; i < 40; i++)
		refuse(f, GH_TOO_MANY_ATTEMPTS, "192.0.2.8", 2000 + i % 30);
	assert_int_equal(records(f, "security.refused", NULL, NULL),
			 REFUSAL_BURST);
	assert_int_equal(records(f, "security.refusals_suppressed", NULL,
				 NULL), 0);
	refuse(f, GH_TOO_MANY_ATTEMPTS, "192.0.2.8", 2000 + REFUSAL_WINDOW);
	assert_int_equal(records(f, "security.refusals_suppressed", &count,
				 NULL), 1);
	assert_int_equal(count, 40 - REFUSAL_BURST);
	assert_int_equal(records(f, "security.refused", NULL, NULL),
			 REFUSAL_BURST + 1);
}

/* A flood from many addresses stops at REFUSAL_GLOBAL records in a
 * window; flushing summarises the rest. */
static void
test_global_cap_and_flush(void **state)
{
	struct fx *f = *state;
	int64_t count = 0;
	char ip[32];

	for (int i = 0; i < REFUSAL_GLOBAL + 80; i++) {
		snprintf(ip, sizeof(ip), "198.51.%d.%d", i / 250, i % 250);
		refuse(f, GH_CSRF_FAILED, ip, 5000);
	}
	assert_int_equal(records(f, "security.refused", NULL, NULL),
			 REFUSAL_GLOBAL);
	assert_int_equal(refusal_flush(&f->app, f->c, 5010), 0);
	assert_int_equal(records(f, "security.refusals_suppressed", &count,
				 NULL), 1);
	assert_int_equal(count, 80);
	/* Nothing is left to summarise. */
	assert_int_equal(refusal_flush(&f->app, f->c, 5020), 0);
	assert_int_equal(records(f, "security.refusals_suppressed", NULL,
				 NULL), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_security_codes),
		cmocka_unit_test_setup_teardown(test_record_fields, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_burst_then_summary, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_global_cap_and_flush,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
