/*
 * `store copy`: what to copy, read from both schemas at run time and
 * compared, so that a table or a column added on one side only is an
 * error naming it, never a silent loss (store/store_copy.h).
 *
 * SQLite side: every table of sqlite_schema except SQLite's own
 * (sqlite_*), the migration bookkeeping (schema_migrations) and the
 * full-text tables (FTS5 virtual tables and their shadow tables
 * NAME_data, _idx, _content, _docsize, _config), which are derived. Each
 * full-text table must have its PostgreSQL counterpart, the GIN index of
 * the same name over a generated column (docs/pg-schema.md), or the copy
 * stops. PostgreSQL side: the base tables of the current schema except
 * schema_migrations.
 *
 * Columns: each SQLite column must exist on PostgreSQL and not be
 * generated; each PostgreSQL column SQLite lacks must be generated (the
 * tsvector columns) or one of the PostgreSQL-only columns listed below,
 * which the target fills itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/copy_int.h"
#include "util/errors.h"

/* Columns only PostgreSQL has, filled by the target:
 * customer_fingerprints.seq (numbered by a trigger in insert order:
 * SQLite's rowid order, so the rows are read in it). */
static const struct {
	const char *table, *column;
	int by_rowid;
} pg_only[] = {
	{"customer_fingerprints", "seq", 1},
};

/* FTS5's shadow tables of a virtual table NAME are NAME_<suffix>. */
static const char *const fts_shadow[] = {"data", "idx", "content", "docsize",
					 "config"};

/* Names, growable. */
struct names {
	char (*v)[COPY_NAME_MAX];
	size_t n, max;
};

int
copy_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= COPY_NAME_MAX || (name[0] >= '0' && name[0] <= '9'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return 0;
	return 1;
}

static int
names_add(struct names *l, const char *name)
{
	if (l->n == l->max) {
		size_t max = l->max ? l->max * 2 : 64;
		void *v = realloc(l->v, max * sizeof(*l->v));

		if (v == NULL)
			return -1;
		l->v = v;
		l->max = max;
	}
	snprintf(l->v[l->n++], COPY_NAME_MAX, "%s", name);
	return 0;
}

static int
names_has(const struct names *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], name) == 0)
			return 1;
	return 0;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* 1 when name is a shadow table of one of the virtual tables vt. */
static int
is_shadow(const struct names *vt, const char *name)
{
	for (size_t i = 0; i < vt->n; i++) {
		size_t k = strlen(vt->v[i]);

		if (strncmp(name, vt->v[i], k) != 0 || name[k] != '_')
			continue;
		for (size_t j = 0; j < sizeof(fts_shadow) / sizeof(*fts_shadow);
		     j++)
			if (strcmp(name + k + 1, fts_shadow[j]) == 0)
				return 1;
	}
	return 0;
}

/* The SQLite tables to copy into tabs, the virtual ones into vt. */
static int
sqlite_tables(struct copy_ctx *x, struct names *tabs, struct names *vt)
{
	struct names all = {0};
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(
		x->src, "SELECT name, coalesce(sql, '') FROM sqlite_schema "
			"WHERE type = 'table' ORDER BY name",
		-1, &st, NULL);

	while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *sql = (const char *)sqlite3_column_text(st, 1);

		if (name == NULL || strncmp(name, "sqlite_", 7) == 0 ||
		    strcmp(name, "schema_migrations") == 0)
			continue;
		if (!copy_name_ok(name)) {
			snprintf(x->err, x->errsz, "the SQLite database has a "
				 "table whose name is not a Gatehouse name");
			rc = SQLITE_ERROR;
		} else if (strncmp(sql, "CREATE VIRTUAL TABLE", 20) == 0) {
			rc = names_add(vt, name) == 0 ? SQLITE_OK : SQLITE_NOMEM;
		} else {
			rc = names_add(&all, name) == 0 ? SQLITE_OK
							: SQLITE_NOMEM;
		}
	}
	sqlite3_finalize(st);
	for (size_t i = 0; rc == SQLITE_OK && i < all.n; i++)
		if (!is_shadow(vt, all.v[i]) && names_add(tabs, all.v[i]) < 0)
			rc = SQLITE_NOMEM;
	free(all.v);
	if (rc != SQLITE_OK && x->err[0] == '\0')
		snprintf(x->err, x->errsz, "the SQLite schema cannot be read");
	return rc == SQLITE_OK ? 0 : -GH_INTERNAL;
}

/* The base tables of the target's current schema into tabs. */
static int
pg_tables(struct copy_ctx *x, struct names *tabs)
{
	PGresult *res = PQexec(
		x->pq, "SELECT c.relname FROM pg_class c JOIN pg_namespace n "
		       "ON n.oid = c.relnamespace WHERE n.nspname = "
		       "current_schema() AND c.relkind IN ('r', 'p') AND "
		       "c.relname <> 'schema_migrations' ORDER BY 1");
	int rc = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = copy_pg_fail(x, res, "reading the PostgreSQL tables");
	for (int i = 0; rc == 0 && i < PQntuples(res); i++)
		if (names_add(tabs, PQgetvalue(res, i, 0)) < 0)
			rc = -GH_INTERNAL;
	PQclear(res);
	return rc;
}

/* Each full-text table has its GIN index of the same name on the target. */
static int
check_derived(struct copy_ctx *x, const struct names *vt)
{
	size_t used = 0;

	x->derived[0] = '\0';
	for (size_t i = 0; i < vt->n; i++) {
		const char *p[1] = {vt->v[i]};
		PGresult *res = PQexecParams(
			x->pq, "SELECT count(*) FROM pg_class c JOIN "
			       "pg_namespace n ON n.oid = c.relnamespace WHERE "
			       "n.nspname = current_schema() AND c.relkind = "
			       "'i' AND c.relname = $1",
			1, NULL, p, NULL, NULL, 0);
		int ok = PQresultStatus(res) == PGRES_TUPLES_OK &&
			 strcmp(PQgetvalue(res, 0, 0), "1") == 0;

		PQclear(res);
		if (!ok) {
			snprintf(x->err, x->errsz,
				 "the SQLite full-text table %s has no "
				 "counterpart in PostgreSQL (an index of that "
				 "name): the copy would lose it",
				 vt->v[i]);
			return -GH_INTERNAL;
		}
		used += (size_t)snprintf(x->derived + used,
					 sizeof(x->derived) - used, "%s%s",
					 i ? ", " : "", vt->v[i]);
		if (used >= sizeof(x->derived))
			used = sizeof(x->derived) - 1;
	}
	return 0;
}

/* The same table names on both sides, or an error naming one that is
 * not. */
static int
compare_tables(struct copy_ctx *x, const struct names *s,
	       const struct names *p)
{
	for (size_t i = 0; i < s->n; i++)
		if (!names_has(p, s->v[i])) {
			snprintf(x->err, x->errsz,
				 "table %s is in the SQLite desk but not in "
				 "the PostgreSQL schema: it would not be "
				 "copied",
				 s->v[i]);
			return -GH_INTERNAL;
		}
	for (size_t i = 0; i < p->n; i++)
		if (!names_has(s, p->v[i])) {
			snprintf(x->err, x->errsz,
				 "table %s is in the PostgreSQL schema but not "
				 "in the SQLite desk: the desk and this "
				 "gatehouse's schemas differ",
				 p->v[i]);
			return -GH_INTERNAL;
		}
	return 0;
}

/* The SQLite columns of t into t->cols (names only). */
static int
sqlite_cols(struct copy_ctx *x, struct copy_table *t)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(x->src, "SELECT name FROM "
					    "pragma_table_info(?1) ORDER BY cid",
				    -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	t->ncols = 0;
	while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		if (name == NULL || !copy_name_ok(name) ||
		    t->ncols == COPY_COLS_MAX) {
			rc = SQLITE_ERROR;
			break;
		}
		snprintf(t->cols[t->ncols++].name, COPY_NAME_MAX, "%s", name);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK || t->ncols == 0) {
		snprintf(x->err, x->errsz, "the SQLite columns of table %s "
					   "cannot be read", t->name);
		return -GH_INTERNAL;
	}
	return 0;
}

/* t's column called name, or NULL. */
static struct copy_col *
col_of(struct copy_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return &t->cols[i];
	return NULL;
}

/* A PostgreSQL column SQLite lacks: allowed when generated or listed in
 * pg_only (which may ask for rowid order). 0 or -GH_INTERNAL. */
static int
pg_extra_col(struct copy_ctx *x, struct copy_table *t, const char *col,
	     int generated)
{
	if (generated)
		return 0;
	for (size_t i = 0; i < sizeof(pg_only) / sizeof(*pg_only); i++)
		if (strcmp(pg_only[i].table, t->name) == 0 &&
		    strcmp(pg_only[i].column, col) == 0) {
			t->by_rowid |= pg_only[i].by_rowid;
			return 0;
		}
	snprintf(x->err, x->errsz, "column %s.%s is in the PostgreSQL schema "
				   "but not in the SQLite desk",
		 t->name, col);
	return -GH_INTERNAL;
}

/* Matches t's SQLite columns with the target's: types and flags. */
static int
pg_cols(struct copy_ctx *x, struct copy_table *t)
{
	const char *p[1] = {t->name};
	int matched[COPY_COLS_MAX] = {0};
	PGresult *res = PQexecParams(
		x->pq, "SELECT a.attname, format_type(a.atttypid, NULL), "
		       "a.attgenerated <> '', pg_get_serial_sequence(quote_ident("
		       "current_schema()) || '.' || quote_ident($1), a.attname) "
		       "IS NOT NULL FROM "
		       "pg_attribute a WHERE a.attrelid = (quote_ident("
		       "current_schema()) || '.' || quote_ident($1))::regclass "
		       "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY "
		       "a.attnum",
		1, NULL, p, NULL, NULL, 0);
	int rc = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = copy_pg_fail(x, res, "reading the PostgreSQL columns");
	for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
		const char *name = PQgetvalue(res, i, 0);
		int gen = PQgetvalue(res, i, 2)[0] == 't';
		struct copy_col *c = col_of(t, name);

		if (c == NULL) {
			rc = pg_extra_col(x, t, name, gen);
			continue;
		}
		if (gen) {
			snprintf(x->err, x->errsz, "column %s.%s is generated "
				 "in PostgreSQL: it cannot be copied",
				 t->name, name);
			rc = -GH_INTERNAL;
		}
		c->bytea = strcmp(PQgetvalue(res, i, 1), "bytea") == 0;
		c->identity = PQgetvalue(res, i, 3)[0] == 't';
		matched[c - t->cols] = 1;
	}
	PQclear(res);
	for (size_t i = 0; rc == 0 && i < t->ncols; i++)
		if (!matched[i]) {
			snprintf(x->err, x->errsz, "column %s.%s is in the "
				 "SQLite desk but not in the PostgreSQL schema",
				 t->name, t->cols[i].name);
			rc = -GH_INTERNAL;
		}
	return rc;
}

/* SQLite's AUTOINCREMENT high-water mark of t (0 without one). */
static void
sqlite_seq(struct copy_ctx *x, struct copy_table *t)
{
	sqlite3_stmt *st = NULL;

	t->sqlite_seq = 0;
	if (sqlite3_prepare_v2(x->src, "SELECT seq FROM sqlite_sequence "
				       "WHERE name = ?1",
			       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		t->sqlite_seq = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
}

/* Fills x->t from the table names both sides share. */
static int
plan_tables(struct copy_ctx *x, const struct names *tabs)
{
	int rc = 0;

	x->t = calloc(tabs->n ? tabs->n : 1, sizeof(*x->t));
	if (x->t == NULL)
		return -GH_INTERNAL;
	x->nt = tabs->n;
	for (size_t i = 0; rc == 0 && i < tabs->n; i++) {
		struct copy_table *t = &x->t[i];

		snprintf(t->name, sizeof(t->name), "%s", tabs->v[i]);
		rc = sqlite_cols(x, t);
		if (rc == 0)
			rc = pg_cols(x, t);
		sqlite_seq(x, t);
	}
	return rc;
}

int
copy_plan(struct copy_ctx *x)
{
	struct names s = {0}, vt = {0}, p = {0};
	int rc = sqlite_tables(x, &s, &vt);

	if (rc == 0)
		rc = pg_tables(x, &p);
	if (rc == 0) {
		qsort(s.v, s.n, sizeof(*s.v), cmp_name);
		qsort(p.v, p.n, sizeof(*p.v), cmp_name);
		rc = compare_tables(x, &s, &p);
	}
	if (rc == 0)
		rc = check_derived(x, &vt);
	if (rc == 0)
		rc = plan_tables(x, &s);
	free(s.v);
	free(vt.v);
	free(p.v);
	return rc;
}
