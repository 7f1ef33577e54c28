/*
 * Importing training modules (see core/training.h): a set of files, two
 * per module (ID.md and ID.quiz.json), is parsed whole before anything
 * is written, then stored in one transaction with one audit record. The
 * starter course (training/starter/) is compiled into the binary, so
 * `gatehouse init` has it wherever the binary runs.
 *
 * Invariant: an import stores every module of its set or none.
 */
#include "core/training.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/audit.h"
#include "util/embed.h"
#include "util/errors.h"

extern const struct embedded_file training_starter[];

static int bad(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
bad(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -GH_BAD_MODULE;
}

static int
has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);

	return n > k && strcmp(s + n - k, suf) == 0;
}

/* The file called name in files, or NULL. */
static const struct training_file *
file_find(const struct training_file *files, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(files[i].name, name) == 0)
			return &files[i];
	return NULL;
}

/* Every file must be one half of a pair. */
static int
pairs_check(const struct training_file *files, size_t n, char *err,
	    size_t errsz)
{
	char other[TRAINING_ID_MAX + 32];

	for (size_t i = 0; i < n; i++) {
		const char *nm = files[i].name;
		size_t len = strlen(nm);

		if (nm[0] == '.')
			continue;
		if (has_suffix(nm, ".quiz.json") && len < sizeof(other)) {
			snprintf(other, sizeof(other), "%.*s.md",
				 (int)(len - 10), nm);
			if (file_find(files, n, other) == NULL)
				return bad(err, errsz, "%s: no %s beside it",
					   nm, other);
		} else if (!has_suffix(nm, ".md") || len >= sizeof(other)) {
			return bad(err, errsz, "%s: not a module file (ID.md "
				   "or ID.quiz.json)", nm);
		}
	}
	return 0;
}

/* Room for one more module in l (zeroed); NULL when out of memory. */
static struct training_module *
grow(struct training_module_list *l)
{
	struct training_module *v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (v == NULL)
		return NULL;
	l->v = v;
	memset(&v[l->n], 0, sizeof(v[l->n]));
	return &v[l->n];
}

/* Parses every module of files into mods (training_module_list_clear()
 * it). */
static int
parse_all(const struct training_file *files, size_t n,
	  struct training_module_list *mods, char *err, size_t errsz)
{
	char id[TRAINING_ID_MAX + 32], qname[TRAINING_ID_MAX + 48];
	const struct training_file *q;
	struct training_module *m;
	int rc = pairs_check(files, n, err, errsz);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		const char *nm = files[i].name;

		if (nm[0] == '.' || has_suffix(nm, ".quiz.json"))
			continue;
		if (mods->n >= TRAINING_MODULES_MAX)
			return bad(err, errsz, "%s: more than %d modules", nm,
				   TRAINING_MODULES_MAX);
		snprintf(id, sizeof(id), "%.*s", (int)(strlen(nm) - 3), nm);
		snprintf(qname, sizeof(qname), "%s.quiz.json", id);
		q = file_find(files, n, qname);
		m = grow(mods);
		if (m == NULL)
			return -GH_INTERNAL;
		rc = training_module_parse(id, files[i].data, files[i].len,
					   q != NULL ? q->data : NULL,
					   q != NULL ? q->len : 0, m, err,
					   errsz);
		if (rc == 0)
			mods->n++;
	}
	if (rc == 0 && mods->n == 0)
		rc = bad(err, errsz, "no module files (ID.md and ID.quiz.json)");
	return rc;
}

struct import_ctx {
	struct app *app;
	const char *by;
	struct training_module_list *mods;
	int64_t now;
};

static int
tx_import(struct store_conn *c, void *cls)
{
	struct import_ctx *x = cls;
	json_t *ids = json_array();
	int rc = ids != NULL ? 0 : -GH_INTERNAL;

	for (size_t i = 0; rc == 0 && i < x->mods->n; i++) {
		struct training_module *m = &x->mods->v[i];

		snprintf(m->updated_by, sizeof(m->updated_by), "%s", x->by);
		m->updated_at = x->now;
		rc = c->ops->training.module_put(c, m);
		if (rc == 0)
			rc = json_array_append_new(ids, json_string(m->id)) == 0
				     ? 0
				     : -GH_INTERNAL;
	}
	if (rc < 0) {
		json_decref(ids);
		return rc;
	}
	return audit_log(x->app, c,
			 &(struct audit_ev){
				 .actor = x->by,
				 .action = "training.imported",
				 .target = NULL,
				 .outcome = "success",
				 .detail = json_pack("{s:o}", "modules", ids),
			 });
}

int
training_import(struct app *app, struct store_conn *c, const char *by,
		const struct training_file *files, size_t n, int64_t now,
		char *err, size_t errsz, size_t *n_out)
{
	struct training_module_list mods = {NULL, 0};
	struct import_ctx x = {app, by, &mods, now};
	int rc;

	*n_out = 0;
	err[0] = '\0';
	rc = parse_all(files, n, &mods, err, errsz);
	if (rc == 0)
		rc = store_transact(c, tx_import, &x);
	if (rc == 0)
		*n_out = mods.n;
	training_module_list_clear(&mods);
	return rc;
}

int
training_import_starter(struct app *app, struct store_conn *c,
			const char *by, int64_t now, char *err, size_t errsz,
			size_t *n_out)
{
	struct training_file files[2 * TRAINING_MODULES_MAX];
	size_t n = 0;

	for (const struct embedded_file *e = training_starter;
	     e->name != NULL && n < sizeof(files) / sizeof(files[0]); e++)
		files[n++] = (struct training_file){
			e->name, (const char *)e->data, e->len};
	return training_import(app, c, by, files, n, now, err, errsz, n_out);
}

int
training_init(struct app *app, struct store_conn *c, const char *by,
	      int64_t now, int *imported_out)
{
	struct training_module_list l = {NULL, 0};
	char err[256];
	size_t n = 0;
	int rc;

	*imported_out = 0;
	rc = c->ops->training.module_list(c, &l);
	if (rc == 0 && l.n == 0) {
		rc = training_import_starter(app, c, by, now, err, sizeof(err),
					     &n);
		*imported_out = rc == 0;
	}
	training_module_list_clear(&l);
	return rc;
}
