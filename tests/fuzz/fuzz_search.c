/*
 * libFuzzer harness for the search's parser of query arguments
 * (core/search.c, search_filter_set), which reads the raw text of
 * GET /api/v1/tickets and of saved views. The input is the value; its
 * first byte picks the argument (q most of the time).
 *
 * It asserts the contracts: the answer is 0 or -GH_BAD_QUERY, never
 * another; and an accepted text's FTS5 expression is only quoted terms
 * (each "..." with inner quotes doubled, optionally followed by *, one
 * space apart) that FTS5 itself accepts: the expression is run against
 * an in-memory FTS5 table with the store's tokenizer, and any error
 * there aborts.
 */
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/search.h"
#include "util/errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = {
	"q", "status", "assigned", "queue", "customer", "customer_email",
	"priority", "tag", "created_after", "created_before", "due_before",
	"due_within", "breached", "sort"};

static sqlite3 *db;
static sqlite3_stmt *st;

static void
open_db(void)
{
	if (db != NULL)
		return;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db,
			 "CREATE VIRTUAL TABLE f USING fts5(b, tokenize = "
			 "'unicode61 remove_diacritics 2'); INSERT INTO f "
			 "VALUES ('Herr Müller wants a refund for order 7')",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM f WHERE f MATCH ?",
			       -1, &st, NULL) != SQLITE_OK)
		abort();
}

/* The shape core promises: "term"[*] ( "term"[*])*. */
static void
check_shape(const char *m)
{
	const char *p = m;

	while (*p != '\0') {
		if (*p++ != '"')
			abort();
		for (;;) {
			if (*p == '\0')
				abort();
			if (*p == '"' && p[1] == '"') {
				p += 2;
				continue;
			}
			if (*p++ == '"')
				break;
		}
		if (*p == '*')
			p++;
		if (*p == ' ')
			p++;
		else if (*p != '\0')
			abort();
	}
}

static void
check_match(const char *m)
{
	int rc;

	check_shape(m);
	open_db();
	sqlite3_bind_text(st, 1, m, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct app app;
	struct search_filters f;
	const char *key;
	char *v;
	int rc;

	if (size < 1)
		return 0;
	key = data[0] < 128 ? "q" : keys[data[0] % (sizeof(keys) /
						    sizeof(keys[0]))];
	v = malloc(size);
	if (v == NULL)
		return 0;
	memcpy(v, data + 1, size - 1);
	v[size - 1] = '\0';
	memset(&app, 0, sizeof(app));
	app.cfg.search_max_terms = 32;
	search_filters_init(&f);
	rc = search_filter_set(&app, &f, key, v);
	if (rc != 0 && rc != -GH_BAD_QUERY)
		abort();
	if (rc == 0 && strcmp(key, "q") == 0)
		check_match(f.match);
	free(v);
	return 0;
}
