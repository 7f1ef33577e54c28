/*
 * The optional extra blocklist of the password policy ([security]
 * password_blocklist_file): a text file of passwords to refuse, one a
 * line, read once at start-up. Each line is NFKC-normalised and its ASCII
 * letters lower-cased, as password_check compares them; the entries are
 * kept sorted for a binary search. Empty lines and lines starting with
 * '#' are skipped; a line that is not valid UTF-8 stops the load with its
 * number (the file is the operator's, so a broken one is a start-up
 * error, never a silent gap). app_open installs the loaded list for every
 * password_check of the process.
 */
#include "core/password.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "util/errors.h"

/* At most this many entries (a few million breached passwords fit). */
#define LIST_MAX_ENTRIES 10000000u

struct password_blocklist {
	char **v;
	size_t n;
	size_t cap;
};

/* The list password_check consults: written at start-up only. */
static const struct password_blocklist *installed;

const struct password_blocklist *
password_blocklist_install(const struct password_blocklist *b)
{
	const struct password_blocklist *old = installed;

	installed = b;
	return old;
}

const struct password_blocklist *
password_blocklist_installed(void)
{
	return installed;
}

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The normalised, ASCII-lower-cased form of line (len bytes), malloc'd. */
static char *
entry_of(const char *line, size_t len)
{
	char *norm = NULL;
	size_t nlen = 0;
	char *e;

	if (password_normalize(line, len, &norm, &nlen) < 0)
		return NULL;
	e = malloc(nlen + 1);
	if (e != NULL) {
		for (size_t i = 0; i <= nlen; i++)
			e[i] = (norm[i] >= 'A' && norm[i] <= 'Z')
				       ? (char)(norm[i] - 'A' + 'a')
				       : norm[i];
	}
	crypto_secret_free(norm);
	return e;
}

static int
add_entry(struct password_blocklist *b, char *e)
{
	if (b->n == b->cap) {
		size_t cap = b->cap == 0 ? 256 : b->cap * 2;
		char **v = realloc(b->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = e;
	return 0;
}

/* Reads every line of f into b; *lineno gets the line of a failure. */
static int
read_lines(FILE *f, struct password_blocklist *b, size_t *lineno)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	*lineno = 0;
	while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
		char *e;

		(*lineno)++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (n == 0 || line[0] == '#')
			continue;
		e = entry_of(line, (size_t)n);
		if (e == NULL || b->n >= LIST_MAX_ENTRIES ||
		    add_entry(b, e) < 0) {
			free(e);
			rc = -1;
		}
	}
	free(line);
	return rc;
}

int
password_blocklist_load(const char *path, struct password_blocklist **out,
			char *err, size_t errsz)
{
	struct password_blocklist *b = calloc(1, sizeof(*b));
	size_t lineno = 0;
	FILE *f;

	*out = NULL;
	if (b == NULL) {
		snprintf(err, errsz, "out of memory");
		return -GH_INTERNAL;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errsz, "%.300s: cannot be read", path);
		password_blocklist_free(b);
		return -GH_NOT_FOUND;
	}
	if (read_lines(f, b, &lineno) < 0) {
		snprintf(err, errsz,
			 "%.300s line %zu: not valid text of at most 256 "
			 "characters (or too many lines)",
			 path, lineno);
		fclose(f);
		password_blocklist_free(b);
		return -GH_BAD_FIELD;
	}
	fclose(f);
	qsort(b->v, b->n, sizeof(*b->v), cmp_entry);
	*out = b;
	return 0;
}

int
password_blocklist_has(const struct password_blocklist *b, const char *lower,
		       size_t len)
{
	size_t lo = 0, hi;

	if (b == NULL)
		return 0;
	hi = b->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *e = b->v[mid];
		size_t el = strlen(e);
		int c = memcmp(lower, e, len < el ? len : el);

		if (c == 0 && len != el)
			c = len < el ? -1 : 1;
		if (c == 0)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

size_t
password_blocklist_size(const struct password_blocklist *b)
{
	return b != NULL ? b->n : 0;
}

void
password_blocklist_free(struct password_blocklist *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->n; i++)
		free(b->v[i]);
	free(b->v);
	free(b);
}
