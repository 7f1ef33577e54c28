/*
 * Cleaning an attachment before it is stored (see core/attachments.h):
 * session material of HAR files (every value dlp_har_scan() reports,
 * wherever it appears) and the secrets the outbound filter finds in text
 * files are replaced by "[redacted: <type>]". When the values cannot all
 * be found in bounded time, or there are more than the scanner reports,
 * the whole content is replaced: it fails closed, never keeping what it
 * could not check.
 */
#include "core/attachments_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/errors.h"

/* Most distinct session values a HAR file may carry and still be kept
 * readable; above it every value cannot be searched for in bounded time,
 * so the whole content is replaced (fail closed). */
#define HAR_MAX_VALUES 512
/* A value this long or longer is also removed where it appears inside a
 * longer string (a URL, a response body); shorter ones only where they
 * are a whole JSON string, to keep the rest of the file readable. */
#define HAR_BARE_MIN 8
#define HAR_PASSES 3

const char *const att_redact_types[ATT_REDACT_TYPES + 1] = {
	"har_session", "secret", "auth_header", "cookie", NULL};

static int
type_index(const char *type)
{
	for (int i = 0; att_redact_types[i] != NULL; i++)
		if (strcmp(type, att_redact_types[i]) == 0)
			return i;
	return -1;
}

static int
add_span(struct dlp_findings *f, size_t a, size_t b)
{
	if (f->n >= DLP_MAX_FINDINGS)
		return -GH_BAD_FIELD;
	if (f->n == f->cap) {
		size_t nc = f->cap ? f->cap * 2 : 16;
		struct dlp_finding *nv = realloc(f->v, nc * sizeof(*nv));

		if (nv == NULL)
			return -GH_INTERNAL;
		f->v = nv;
		f->cap = nc;
	}
	f->v[f->n++] = (struct dlp_finding){"har_session", "har-value", a, b,
					    a, b};
	return 0;
}

static int
cmp_str(const void *x, const void *y)
{
	const char *const *a = x, *const *b = y;

	return strcmp(*a, *b);
}

/*
 * One pass: the values dlp_har_scan() found (as they are written in the
 * text) are removed everywhere they occur. *spans gets every place to
 * redact; a value the scanner could not place spans the whole text.
 */
static int
har_spans(const char *text, size_t len, const struct dlp_findings *found,
	  struct dlp_findings *spans)
{
	char **vals = NULL;
	size_t nv = 0;
	int rc = -GH_INTERNAL;

	if (found->n > 0) {
		vals = calloc(found->n, sizeof(*vals));
		if (vals == NULL)
			goto out;
	}
	for (size_t i = 0; i < found->n; i++) {
		const struct dlp_finding *f = &found->v[i];

		if (f->start == 0 && f->end == len) {
			rc = add_span(spans, 0, len);
			goto out;
		}
		vals[nv] = strndup(text + f->start, f->end - f->start);
		if (vals[nv] == NULL)
			goto out;
		nv++;
	}
	qsort(vals, nv, sizeof(*vals), cmp_str);
	{
		size_t k = 0;

		for (size_t i = 0; i < nv; i++) {
			if (k > 0 && strcmp(vals[k - 1], vals[i]) == 0) {
				free(vals[i]);
				continue;
			}
			vals[k++] = vals[i];
		}
		nv = k;
	}
	if (nv > HAR_MAX_VALUES) {
		rc = add_span(spans, 0, len);
		goto out;
	}
	for (size_t i = 0; i < nv; i++) {
		size_t vl = strlen(vals[i]);
		const char *p = text;

		while (vl > 0 && p + vl <= text + len) {
			const char *at = memmem(p, (size_t)(text + len - p),
						vals[i], vl);
			size_t a;

			if (at == NULL)
				break;
			a = (size_t)(at - text);
			if (vl >= HAR_BARE_MIN ||
			    (a > 0 && a + vl < len && text[a - 1] == '"' &&
			     text[a + vl] == '"')) {
				rc = add_span(spans, a, a + vl);
				if (rc == -GH_BAD_FIELD) {
					/* Too many places: give up on keeping
					 * the file readable. */
					spans->n = 0;
					rc = add_span(spans, 0, len);
					goto out;
				}
				if (rc < 0)
					goto out;
			}
			p = at + vl;
		}
	}
	rc = 0;
out:
	for (size_t i = 0; vals != NULL && i < nv; i++)
		free(vals[i]);
	free(vals);
	return rc;
}

int
att_har_redact(const char *text, size_t len, char **out, size_t *n_found)
{
	struct dlp_findings found, spans;
	char *cur = NULL;
	size_t curlen = len;
	int is_har = 0;
	int rc;

	*out = NULL;
	*n_found = 0;
	dlp_findings_init(&found);
	dlp_findings_init(&spans);
	for (int pass = 0; pass < HAR_PASSES + 1; pass++) {
		const char *t = cur != NULL ? cur : text;
		char *next;

		found.n = 0;
		spans.n = 0;
		rc = dlp_har_scan(t, curlen, &found);
		if (rc == -GH_BAD_FIELD) {
			/* More than the scanner reports: all of it goes. */
			rc = add_span(&spans, 0, curlen);
			is_har = 1;
			if (pass == 0)
				*n_found = DLP_MAX_FINDINGS;
		} else if (rc < 0) {
			goto out;
		} else {
			if (pass == 0)
				is_har = rc;
			if (pass == 0)
				*n_found = found.n;
			if (found.n == 0)
				break;
			rc = pass < HAR_PASSES
				     ? har_spans(t, curlen, &found, &spans)
				     : add_span(&spans, 0, curlen);
		}
		if (rc < 0)
			goto out;
		next = dlp_redact(t, curlen, &spans);
		if (next == NULL) {
			rc = -GH_INTERNAL;
			goto out;
		}
		free(cur);
		cur = next;
		curlen = strlen(cur);
		if (spans.n == 1 && spans.v[0].start == 0)
			break;
	}
	*out = cur;
	cur = NULL;
	rc = is_har;
out:
	free(cur);
	dlp_findings_free(&found);
	dlp_findings_free(&spans);
	return rc;
}

int
att_text_redact(const struct dlp_engine *e, const char *text, size_t len,
		char **out, struct att_redactions *red)
{
	struct dlp_findings all, keep;
	int rc;

	*out = NULL;
	dlp_findings_init(&all);
	dlp_findings_init(&keep);
	rc = dlp_scan(e, NULL, text, len, &all);
	if (rc < 0 && rc != -GH_BAD_FIELD)
		goto out;
	if (rc == -GH_BAD_FIELD) {
		/* Past the finding limit: nothing of it is kept. */
		all.n = 0;
		if (add_span(&all, 0, len) < 0) {
			rc = -GH_INTERNAL;
			goto out;
		}
		all.v[0].type = "secret";
	}
	for (size_t i = 0; i < all.n; i++) {
		int k = type_index(all.v[i].type);

		if (k < 0)
			continue;
		if (keep.n == keep.cap) {
			size_t nc = keep.cap ? keep.cap * 2 : 16;
			struct dlp_finding *nv =
				realloc(keep.v, nc * sizeof(*nv));

			if (nv == NULL) {
				rc = -GH_INTERNAL;
				goto out;
			}
			keep.v = nv;
			keep.cap = nc;
		}
		keep.v[keep.n++] = all.v[i];
		red->n[k]++;
	}
	rc = 0;
	if (keep.n > 0) {
		*out = dlp_redact(text, len, &keep);
		if (*out == NULL)
			rc = -GH_INTERNAL;
	}
out:
	dlp_findings_free(&all);
	dlp_findings_free(&keep);
	return rc;
}

