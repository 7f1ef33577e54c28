/*
 * Session material inside HAR files (HTTP Archive, the browser's network
 * log that support desks ask customers for, and that leaked Okta's
 * customers' sessions in 2023): parses the JSON with jansson and reports
 * every request/response header that carries a credential and every
 * cookie whose value is present. It does not judge whether a session is
 * still valid (that would need the network); a value that is there is
 * treated as live.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/dlp/dlp_int.h"
#include "util/errors.h"

static const char *const secret_headers[] = {
	"authorization", "proxy-authorization", "cookie", "set-cookie",
	"x-api-key", "x-auth-token", "x-csrf-token", "x-amz-security-token",
	NULL,
};

static int
header_is_secret(const char *name)
{
	for (size_t i = 0; secret_headers[i] != NULL; i++)
		if (strcasecmp(name, secret_headers[i]) == 0)
			return 1;
	return 0;
}

static int
add(struct dlp_findings *out, const char *text, size_t len, const char *rule,
    const char *value)
{
	json_t *js = json_string(value);
	char *enc = js ? json_dumps(js, JSON_ENCODE_ANY) : NULL;
	const char *at = NULL;
	size_t start = 0, end = len;
	struct dlp_finding *f;

	json_decref(js);
	if (enc != NULL) {
		at = memmem(text, len, enc, strlen(enc));
		if (at != NULL) {
			start = (size_t)(at - text) + 1;
			end = start + strlen(enc) - 2;
		}
		free(enc);
	}
	if (out->n >= DLP_MAX_FINDINGS)
		return -GH_BAD_FIELD;
	if (out->n == out->cap) {
		size_t nc = out->cap ? out->cap * 2 : 16;
		struct dlp_finding *nv = realloc(out->v, nc * sizeof(*nv));

		if (nv == NULL)
			return -GH_INTERNAL;
		out->v = nv;
		out->cap = nc;
	}
	f = &out->v[out->n++];
	f->type = "har_session";
	f->rule = rule;
	f->start = start;
	f->end = end;
	f->cstart = start;
	f->cend = end;
	return 0;
}

static int
live(const char *v)
{
	if (v == NULL || v[0] == '\0')
		return 0;
	/* Redacted exports (Chrome's "sanitized HAR", our own redaction). */
	return strcasecmp(v, "[redacted]") != 0 && strcasecmp(v, "redacted") != 0 &&
	       strncmp(v, "[redacted:", 10) != 0;
}

static int
scan_msg(json_t *msg, const char *text, size_t len, struct dlp_findings *out)
{
	json_t *h = json_object_get(msg, "headers");
	json_t *c = json_object_get(msg, "cookies");
	json_t *v;
	size_t i;
	int rc;

	json_array_foreach(h, i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));
		const char *val = json_string_value(json_object_get(v, "value"));

		if (name == NULL || !header_is_secret(name) || !live(val))
			continue;
		rc = add(out, text, len, "har-header", val);
		if (rc < 0)
			return rc;
	}
	json_array_foreach(c, i, v) {
		const char *val = json_string_value(json_object_get(v, "value"));

		if (!live(val))
			continue;
		rc = add(out, text, len, "har-cookie", val);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
dlp_har_scan(const char *text, size_t len, struct dlp_findings *out)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_DISABLE_EOF_CHECK, &jerr);
	json_t *entries, *e;
	size_t i, first = out->n;
	int rc = 0;

	if (root == NULL)
		return 0;
	entries = json_object_get(json_object_get(root, "log"), "entries");
	if (!json_is_array(entries))
		goto out;
	rc = 1;
	json_array_foreach(entries, i, e) {
		int r = scan_msg(json_object_get(e, "request"), text, len, out);

		if (r == 0)
			r = scan_msg(json_object_get(e, "response"), text, len,
				     out);
		if (r < 0) {
			rc = r;
			goto out;
		}
	}
	if (out->n > first)
		dlp_char_offsets(text, len, out->v + first, out->n - first);
out:
	json_decref(root);
	return rc;
}
