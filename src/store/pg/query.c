/*
 * The PostgreSQL side of the query layer (store/sql/db.h's struct db_vt;
 * the value types are described in pg.h): turns the typed values into
 * libpq parameters (integers, booleans and text as text, byte strings as
 * binary), runs the statement prepared once on this connection, asks for
 * binary results and hands each row to the row callback. Also the column
 * readers, which decode the binary forms after checking the column's type
 * (PQftype).
 *
 * Invariant: a statement runs only with as many values as its highest $N
 * (a mismatch is a bug, refused before sending), values always travel
 * apart from the text, and every failed result goes through pg_err() once.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg/pg.h"
#include "util/errors.h"
#include "util/log.h"

/* The most parameters a statement of this directory takes. */
#define PG_MAX_PARAMS 32

/* Type OIDs (pg_type.h; stable across versions). */
enum {
	OID_BOOL = 16,
	OID_BYTEA = 17,
	OID_INT8 = 20,
	OID_INT2 = 21,
	OID_INT4 = 23,
	OID_TEXT = 25,
	OID_FLOAT4 = 700,
	OID_FLOAT8 = 701,
	OID_BPCHAR = 1042,
	OID_VARCHAR = 1043,
	OID_NAME = 19,
};

/* The parameters of one call, as libpq takes them. */
struct params {
	int n;
	const char *values[PG_MAX_PARAMS];
	int lengths[PG_MAX_PARAMS];
	int formats[PG_MAX_PARAMS];
	char num[PG_MAX_PARAMS][24];
};

/* The highest parameter of sql, outside quoted text: $N, and with qmarks
 * also ? and ?N (a bare ? is one more than the highest before it, as in
 * SQLite). When out is not NULL, writes sql there with each parameter
 * made $N (out has room for 4 bytes per byte of sql, plus 1). */
static int
scan_params(const char *sql, int qmarks, char *out)
{
	int max = 0;
	char quote = 0;

	for (const char *p = sql; *p != '\0'; p++) {
		int v;

		if (quote != 0 || *p == '\'' || *p == '"' ||
		    (*p != '$' && !(qmarks && *p == '?'))) {
			if (quote != 0 && *p == quote)
				quote = 0;
			else if (quote == 0 && (*p == '\'' || *p == '"'))
				quote = *p;
			if (out != NULL)
				*out++ = *p;
			continue;
		}
		if (p[1] >= '0' && p[1] <= '9') {
			char *end;

			v = (int)strtol(p + 1, &end, 10);
			p = end - 1;
		} else if (*p == '?') {
			v = max + 1;
		} else {
			if (out != NULL)
				*out++ = *p;
			continue;
		}
		if (v > max)
			max = v;
		if (out != NULL)
			out += snprintf(out, 12, "$%d", v);
	}
	if (out != NULL)
		*out = '\0';
	return max;
}

char *
pg_dollar(const char *sql, int returning)
{
	static const char ret[] = " RETURNING id";
	size_t len = strlen(sql);
	char *out;

	if (len > (SIZE_MAX - sizeof(ret) - 1) / 4)
		return NULL;
	out = malloc(4 * len + sizeof(ret) + 1);
	if (out == NULL)
		return NULL;
	(void)scan_params(sql, 1, out);
	if (returning)
		memcpy(out + strlen(out), ret, sizeof(ret));
	return out;
}

static void
set_text(struct params *pp, int i, const char *s)
{
	pp->values[i] = s;
	pp->lengths[i] = 0;
	pp->formats[i] = 0;
}

static void
set_int(struct params *pp, int i, int64_t v)
{
	snprintf(pp->num[i], sizeof(pp->num[i]), "%" PRId64, v);
	set_text(pp, i, pp->num[i]);
}

static int
set_bytes(struct params *pp, int i, const void *p, size_t len)
{
	if (len > INT32_MAX)
		return -1;
	/* NULL only for no data, as SQLite binds it: an empty value (a
	 * non-NULL pointer, length 0) is an empty bytea, not NULL. */
	pp->values[i] = p == NULL ? NULL : len == 0 ? "" : (const char *)p;
	pp->lengths[i] = (int)len;
	pp->formats[i] = 1;
	return 0;
}

/* Parameter i from the next value(s) of ap, read as type says. */
static int
param_one(struct params *pp, int i, char type, va_list *ap)
{
	const struct blob *b;
	const void *p;
	int64_t v;

	switch (type) {
	case 'i':
		set_int(pp, i, va_arg(*ap, int64_t));
		return 0;
	case 'I':
		v = va_arg(*ap, int64_t);
		if (v > 0)
			set_int(pp, i, v);
		else
			set_text(pp, i, NULL);
		return 0;
	case 'b':
		set_text(pp, i, va_arg(*ap, int) != 0 ? "1" : "0");
		return 0;
	case 't':
		set_text(pp, i, va_arg(*ap, const char *));
		return 0;
	case 'r':
		set_text(pp, i, realm_name((enum realm)va_arg(*ap, int)));
		return 0;
	case 'B':
		b = va_arg(*ap, const struct blob *);
		return set_bytes(pp, i, b->data, b->len);
	case 'x':
		p = va_arg(*ap, const void *);
		return set_bytes(pp, i, p, va_arg(*ap, size_t));
	default:
		return -1;
	}
}

static int
params_fill(struct params *pp, const char *sql, int qmarks,
	    const char *types, va_list *ap)
{
	size_t n = strlen(types);

	if (n > PG_MAX_PARAMS || (int)n != scan_params(sql, qmarks, NULL)) {
		db_misuse("store.pg", sql,
			  "parameter types do not match the statement");
		return -GH_INTERNAL;
	}
	pp->n = (int)n;
	for (int i = 0; i < pp->n; i++)
		if (param_one(pp, i, types[i], ap) < 0) {
			db_misuse("store.pg", sql,
				  "unknown parameter type or value too big");
			return -GH_INTERNAL;
		}
	return 0;
}

static int64_t pg_i64(const struct db_row *r, int i);

/* Runs the rows of a result through r; 0 or the callback's negative. */
static int
take_rows(PGresult *res, struct db_run *r)
{
	int n = PQntuples(res);

	for (int i = 0; i < n && !(r->one && r->rows > 0); i++) {
		struct db_row row = {&pg_db_vt, res, i};
		int out = 0;

		r->rows++;
		if (r->insert && i == 0)
			r->id = pg_i64(&row, 0);
		if (r->fn != NULL)
			out = r->fn(&row, r->ctx);
		if (out != 0)
			return out < 0 ? out : 0;
	}
	return 0;
}

/* Runs sql, written in form (enum pg_text_form), with the values of ap;
 * r says what to do with the rows. */
static int
run_form(struct store_conn *c, struct db_run *r, const char *sql, int form,
	 const char *types, va_list *ap)
{
	struct pg_conn *q = pg_conn_of(c);
	int was_in_tx = q->in_tx;
	struct params pp;
	PGresult *res;
	int rc;

	if (q->tx_lost)
		return -GH_UNAVAILABLE;
	memset(&pp, 0, sizeof(pp));
	rc = params_fill(&pp, sql, form != PG_TEXT_AS_IS, types, ap);
	if (rc < 0)
		return rc;
	/* A read outside a transaction that found the connection lost is
	 * sent once more on the reset one. Never a write: it may have
	 * committed before the connection went (the caller gets
	 * -GH_UNAVAILABLE; inside store_transact the whole transaction is
	 * run again, which is safe). */
	rc = pg_run_as(q, sql, form, pp.n, pp.values, pp.lengths, pp.formats,
		       &res);
	if (rc == -GH_UNAVAILABLE && pg_was_reset(q) && !was_in_tx &&
	    strncmp(sql, "SELECT ", 7) == 0)
		rc = pg_run_as(q, sql, form, pp.n, pp.values, pp.lengths,
			       pp.formats, &res);
	if (rc < 0)
		return rc;
	q->changes = strtoll(PQcmdTuples(res), NULL, 10);
	rc = take_rows(res, r);
	PQclear(res);
	return rc;
}

/* The query layer's run (store/sql/db.h): ? parameters. */
static int
pg_db_run(struct store_conn *c, struct db_run *r, const char *sql,
	  const char *types, va_list *ap)
{
	return run_form(c, r, sql, r->insert ? PG_TEXT_INSERT : PG_TEXT_QMARKS,
			types, ap);
}

/* Rows changed by the last statement on c (the query layer's changes). */
static int64_t
pg_changes(struct store_conn *c)
{
	return pg_conn_of(c)->changes;
}

/* --- column readers ------------------------------------------------- */

/* Logs a reader asked for a column it cannot decode (our bug). */
static int
wrong_type(const struct db_row *r, int i, const char *want)
{
	log_event(LOG_ERROR, "store.pg",
		  json_pack("{s:s, s:i, s:i}", "bug", want, "column", i,
			    "oid", (int)PQftype(r->res, i)));
	LOG_BUG("a column read as a type it does not have");
	return 0;
}

static int
pg_null(const struct db_row *r, int i)
{
	return PQgetisnull(r->res, r->row, i);
}

static uint64_t
be_bytes(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int k = 0; k < n; k++)
		v = (v << 8) | p[k];
	return v;
}

static int64_t
pg_i64(const struct db_row *r, int i)
{
	const unsigned char *p;
	int len;

	if (PQgetisnull(r->res, r->row, i))
		return 0;
	p = (const unsigned char *)PQgetvalue(r->res, r->row, i);
	len = PQgetlength(r->res, r->row, i);
	switch (PQftype(r->res, i)) {
	case OID_INT8:
		return len == 8 ? (int64_t)be_bytes(p, 8) : 0;
	case OID_INT4:
		return len == 4 ? (int64_t)(int32_t)(uint32_t)be_bytes(p, 4)
				: 0;
	case OID_INT2:
		return len == 2 ? (int64_t)(int16_t)(uint16_t)be_bytes(p, 2)
				: 0;
	case OID_BOOL:
		return len == 1 ? p[0] != 0 : 0;
	default:
		return wrong_type(r, i, "integer");
	}
}

static double
pg_f64(const struct db_row *r, int i)
{
	const unsigned char *p;
	uint64_t u;
	uint32_t w;
	double d;
	float f;

	if (PQgetisnull(r->res, r->row, i))
		return 0;
	p = (const unsigned char *)PQgetvalue(r->res, r->row, i);
	if (PQftype(r->res, i) == OID_FLOAT8 &&
	    PQgetlength(r->res, r->row, i) == 8) {
		u = be_bytes(p, 8);
		memcpy(&d, &u, sizeof(d));
		return d;
	}
	if (PQftype(r->res, i) == OID_FLOAT4 &&
	    PQgetlength(r->res, r->row, i) == 4) {
		w = (uint32_t)be_bytes(p, 4);
		memcpy(&f, &w, sizeof(f));
		return f;
	}
	if (PQftype(r->res, i) == OID_INT8 || PQftype(r->res, i) == OID_INT4 ||
	    PQftype(r->res, i) == OID_INT2)
		return (double)pg_i64(r, i);
	return wrong_type(r, i, "float");
}

static int
is_text(Oid t)
{
	return t == OID_TEXT || t == OID_VARCHAR || t == OID_BPCHAR ||
	       t == OID_NAME;
}

static void
pg_text(const struct db_row *r, int i, char *out, size_t outsz)
{
	size_t len;

	if (outsz == 0)
		return;
	out[0] = '\0';
	if (PQgetisnull(r->res, r->row, i))
		return;
	if (!is_text(PQftype(r->res, i))) {
		wrong_type(r, i, "text");
		return;
	}
	len = (size_t)PQgetlength(r->res, r->row, i);
	if (len >= outsz)
		len = outsz - 1;
	memcpy(out, PQgetvalue(r->res, r->row, i), len);
	out[len] = '\0';
}

static int
pg_blob(const struct db_row *r, int i, struct blob *out)
{
	size_t len;

	out->data = NULL;
	out->len = 0;
	if (PQgetisnull(r->res, r->row, i))
		return 0;
	if (PQftype(r->res, i) != OID_BYTEA) {
		wrong_type(r, i, "bytea");
		return 0;
	}
	len = (size_t)PQgetlength(r->res, r->row, i);
	out->data = malloc(len > 0 ? len : 1);
	if (out->data == NULL)
		return -GH_INTERNAL;
	memcpy(out->data, PQgetvalue(r->res, r->row, i), len);
	out->len = len;
	return 0;
}

static int
pg_dup(const struct db_row *r, int i, char **out)
{
	size_t len;

	*out = NULL;
	if (PQgetisnull(r->res, r->row, i))
		return 0;
	if (!is_text(PQftype(r->res, i))) {
		wrong_type(r, i, "text");
		return 0;
	}
	len = (size_t)PQgetlength(r->res, r->row, i);
	*out = malloc(len + 1);
	if (*out == NULL)
		return -GH_INTERNAL;
	memcpy(*out, PQgetvalue(r->res, r->row, i), len);
	(*out)[len] = '\0';
	return 0;
}

static void
pg_bytes(const struct db_row *r, int i, unsigned char *out, size_t n)
{
	memset(out, 0, n);
	if (PQgetisnull(r->res, r->row, i))
		return;
	if (PQftype(r->res, i) != OID_BYTEA) {
		wrong_type(r, i, "bytea");
		return;
	}
	if ((size_t)PQgetlength(r->res, r->row, i) == n)
		memcpy(out, PQgetvalue(r->res, r->row, i), n);
}

/* --- the query layer's view of this backend (store/sql/db.h) ------- */

static int
vt_ncols(const struct db_row *r)
{
	return PQnfields(r->res);
}

const struct db_vt pg_db_vt = {
	.dialect = DB_PG,
	.run = pg_db_run,
	.changes = pg_changes,
	.null = pg_null,
	.i64 = pg_i64,
	.f64 = pg_f64,
	.text = pg_text,
	.blob = pg_blob,
	.dup = pg_dup,
	.bytes = pg_bytes,
	.ncols = vt_ncols,
	.search_index = NULL,
};
