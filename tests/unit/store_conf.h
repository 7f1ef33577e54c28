/*
 * Store conformance tests on both backends (issue 16): a test program of
 * tests/unit/test_store_*.c includes this, writes its tests against
 * sc_open() and ends main with sc_main(). The same program runs twice
 * (tests/unit/meson.build): as the SQLite suite with no argument (each
 * sc_open a new database file in a new directory) and as the PostgreSQL
 * suite with the argument "pg" (each sc_open a new database in the
 * cluster GH_TEST_PG_URL reaches: scripts/run-tests starts one with
 * pg_virtualenv; without a URL the program exits 77, meson's skip).
 *
 * On PostgreSQL the backend is opened with GH_TEST_PG_PARTIAL=1 (debug
 * builds only), so the families translated so far can be tested before
 * the backend has every operation; a test must call only operations of
 * translated families.
 */
#ifndef GH_TESTS_STORE_CONF_H
#define GH_TESTS_STORE_CONF_H

#include <libpq-fe.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/store.h"
#include "util/errors.h"

static int sc_pg;           /* running on PostgreSQL */
static unsigned sc_serial;  /* databases made by this program */
static char sc_last[300];   /* the URL of the last sc_open */

/* Runs sql on the cluster's maintenance database once; 0, -1, or 1 when
 * the connection was lost (test_store's reconnect test ends every other
 * session on that database while suites run side by side). */
static int
sc_admin_once(const char *sql)
{
	PGconn *db = PQconnectdb("postgresql:///postgres");
	PGresult *r = NULL;
	int rc = -1;

	if (PQstatus(db) == CONNECTION_OK) {
		r = PQexec(db, sql);
		if (PQresultStatus(r) == PGRES_COMMAND_OK)
			rc = 0;
		else if (PQstatus(db) != CONNECTION_OK)
			rc = 1;
		else
			print_error("store_conf: %s", PQresultErrorMessage(r));
	} else {
		rc = 1;
	}
	PQclear(r);
	PQfinish(db);
	return rc;
}

/* sc_admin_once, again while the connection is lost (5 tries); 0 or -1. */
static int
sc_admin(const char *sql)
{
	int rc = 1;

	for (int i = 0; i < 5 && rc == 1; i++) {
		if (i > 0)
			usleep(200000);
		rc = sc_admin_once(sql);
	}
	if (rc == 1)
		print_error("store_conf: the maintenance database is "
			    "unreachable");
	return rc == 0 ? 0 : -1;
}

/* A new, empty, migrated store of the backend under test. */
static struct store *
sc_open(void)
{
	struct store *s = NULL;
	char dir[] = "/tmp/gh-store-XXXXXX", sql[160];

	if (sc_pg) {
		snprintf(sql, sizeof(sql), "gh_sc_%ld_%u", (long)getpid(),
			 ++sc_serial);
		{
			char drop[200], make[200];

			snprintf(drop, sizeof(drop), "DROP DATABASE IF EXISTS %s",
				 sql);
			snprintf(make, sizeof(make), "CREATE DATABASE %s", sql);
			assert_int_equal(sc_admin(drop), 0);
			assert_int_equal(sc_admin(make), 0);
		}
		snprintf(sc_last, sizeof(sc_last), "postgresql:///%s", sql);
	} else {
		assert_non_null(mkdtemp(dir));
		snprintf(sc_last, sizeof(sc_last), "sqlite:%s/db", dir);
	}
	assert_int_equal(store_open(sc_last, 4, &s), 0);
	return s;
}

/* Runs the group on the backend argv names; the exit status. */
static int
sc_main(int argc, char **argv, const char *name,
	const struct CMUnitTest *tests, size_t n)
{
	const char *u = getenv("GH_TEST_PG_URL");

	if (argc > 1 && strcmp(argv[1], "pg") == 0) {
		if (u == NULL || u[0] == '\0') {
			printf("%s: GH_TEST_PG_URL is not set: skipped\n", name);
			return 77;
		}
		sc_pg = 1;
		setenv("GH_TEST_PG_PARTIAL", "1", 1);
	}
	return _cmocka_run_group_tests(name, tests, n, NULL, NULL);
}

#endif
