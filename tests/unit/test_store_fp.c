/*
 * Store conformance, on SQLite and PostgreSQL (tests/unit/store_conf.h):
 * customer_fingerprints (store.h: fingerprint_add, _foreign, _count,
 * _since). Adding is idempotent; a value is foreign only when another
 * customer has it and the asking one does not; fingerprint_since gives
 * the rows from a row number on, in the order they were added, with
 * numbers that only grow (core/fingerprints.c catches up by them).
 */
#include "store_conf.h"

static int64_t
customer(struct store_conn *c, const char *idx)
{
	unsigned char b[4] = {1, 2, 3, 4};
	struct customer_new n = {idx, {b, 4}, "Name", {NULL, 0}, {NULL, 0},
				 {NULL, 0}, "h", {b, 4}, 1};
	int64_t id = 0;

	assert_int_equal(c->ops->begin(c), 0);
	assert_int_equal(c->ops->customer_insert(c, &n, &id), 0);
	assert_int_equal(c->ops->commit(c), 0);
	return id;
}

static void
add(struct store_conn *c, const char *kind, const char *fp, int64_t cust)
{
	assert_int_equal(c->ops->begin(c), 0);
	assert_int_equal(c->ops->fingerprint_add(c, kind, fp, cust), 0);
	assert_int_equal(c->ops->commit(c), 0);
}

struct seen {
	int64_t row[8];
	char fp[8][16];
	size_t n;
};

static int
collect(void *cls, int64_t row, const char *kind, const char *fp)
{
	struct seen *s = cls;

	(void)kind;
	if (s->n >= 8)
		return -GH_INTERNAL;
	s->row[s->n] = row;
	snprintf(s->fp[s->n], sizeof(s->fp[0]), "%s", fp);
	s->n++;
	return 0;
}

static void
test_add_foreign_count(void **state)
{
	struct store *s = sc_open();
	struct store_conn *c = store_acquire(s);
	int64_t a = customer(c, "idx-a"), b = customer(c, "idx-b"), n = 0;

	(void)state;
	add(c, "email", "f1", a);
	add(c, "email", "f1", a); /* idempotent */
	add(c, "phone", "f2", a);
	add(c, "email", "f1", b); /* shared by a and b */
	assert_int_equal(c->ops->fingerprint_count(c, &n), 0);
	assert_int_equal(n, 3);
	/* f2 is a's: foreign to b, not to a. */
	assert_int_equal(c->ops->fingerprint_foreign(c, "phone", "f2", b), 0);
	assert_int_equal(c->ops->fingerprint_foreign(c, "phone", "f2", a),
			 -GH_NOT_FOUND);
	/* f1 is shared: foreign to neither; and kinds are apart. */
	assert_int_equal(c->ops->fingerprint_foreign(c, "email", "f1", b),
			 -GH_NOT_FOUND);
	assert_int_equal(c->ops->fingerprint_foreign(c, "phone", "f1", b),
			 -GH_NOT_FOUND);
	store_release(s, c);
	store_close(s);
}

static void
test_since_in_order(void **state)
{
	struct store *s = sc_open();
	struct store_conn *c = store_acquire(s);
	int64_t a = customer(c, "idx-a");
	struct seen all = {0}, tail = {0};

	(void)state;
	add(c, "email", "k1", a);
	add(c, "email", "k2", a);
	add(c, "email", "k2", a); /* a repeat takes no number */
	add(c, "phone", "k3", a);
	assert_int_equal(c->ops->fingerprint_since(c, 0, collect, &all), 0);
	assert_int_equal(all.n, 3);
	assert_string_equal(all.fp[0], "k1");
	assert_string_equal(all.fp[1], "k2");
	assert_string_equal(all.fp[2], "k3");
	assert_true(all.row[0] < all.row[1] && all.row[1] < all.row[2]);
	/* From the newest row seen: that row again, then what came after. */
	add(c, "dob", "k4", a);
	assert_int_equal(c->ops->fingerprint_since(c, all.row[2], collect,
						   &tail),
			 0);
	assert_int_equal(tail.n, 2);
	assert_int_equal(tail.row[0], all.row[2]);
	assert_string_equal(tail.fp[1], "k4");
	assert_true(tail.row[1] > all.row[2]);
	store_release(s, c);
	store_close(s);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_foreign_count),
		cmocka_unit_test(test_since_in_order),
	};

	return sc_main(argc, argv, "store_fp", tests,
		       sizeof(tests) / sizeof(tests[0]));
}
