/*
 * JSON body parsing against a declared field list (see jspec.h). A cheap
 * scan bounds the nesting depth before jansson sees the text, so a body of
 * 64 KiB of '[' costs a linear scan and a 400, not a deep recursion.
 */
#include "http/jspec.h"

#include <string.h>

#include "util/errors.h"
#include "util/utf8.h"

/* Depth of [ and { outside strings; -1 when over max. */
static int
depth_ok(const char *s, size_t len, int max)
{
	int depth = 0;
	int in_str = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"') {
			in_str = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > max)
				return 0;
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return 1;
}

static void
fail_at(struct jspec_fail *fail, const struct jspec *f, enum jspec_bound b)
{
	fail->field = f->name;
	fail->type = f->type;
	fail->bound = b;
	fail->min = f->min;
	fail->max = f->max;
	fail->bytes = (f->flags & JS_BYTES) != 0;
}

int
jspec_parse(const char *body, size_t len, const struct jspec *spec,
	    json_t **root_out, const char **field_out)
{
	struct jspec_fail fail;
	int rc = jspec_parse_ex(body, len, spec, root_out, &fail);

	*field_out = rc < 0 ? fail.field : NULL;
	return rc;
}

int
jspec_parse_ex(const char *body, size_t len, const struct jspec *spec,
	       json_t **root_out, struct jspec_fail *fail)
{
	json_t *root = NULL;
	json_error_t jerr;
	const char *key;
	json_t *val;
	int rc = -GH_BAD_JSON;

	*root_out = NULL;
	memset(fail, 0, sizeof(*fail));
	fail->type = JS_END;
	if (len == 0) {
		root = json_object();
	} else {
		if (!depth_ok(body, len, JSPEC_MAX_DEPTH))
			return -GH_BAD_JSON;
		root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	}
	if (root == NULL)
		return -GH_BAD_JSON;
	if (!json_is_object(root))
		goto out;

	/* Unknown fields first: deny by default. */
	json_object_foreach(root, key, val) {
		const struct jspec *f = spec;

		while (f->type != JS_END && strcmp(f->name, key) != 0)
			f++;
		if (f->type == JS_END) {
			rc = -GH_UNKNOWN_FIELD;
			goto out;
		}
	}
	for (const struct jspec *f = spec; f->type != JS_END; f++) {
		fail_at(fail, f, JSB_NONE);
		val = json_object_get(root, f->name);
		if (val == NULL || json_is_null(val)) {
			if (f->flags & JS_REQUIRED) {
				rc = -GH_MISSING_FIELD;
				goto out;
			}
			continue;
		}
		switch (f->type) {
		case JS_STRING: {
			const char *s;
			int64_t n;

			if (!json_is_string(val)) {
				rc = -GH_BAD_FIELD;
				goto out;
			}
			s = json_string_value(val);
			n = utf8_check(s, json_string_length(val),
				       (f->flags & JS_MULTILINE) != 0);
			if (n < 0 || strlen(s) != json_string_length(val)) {
				rc = -GH_BAD_UTF8;
				goto out;
			}
			if (f->flags & JS_BYTES)
				n = (int64_t)json_string_length(val);
			if (n < f->min || n > f->max) {
				fail_at(fail, f, n < f->min ? JSB_MIN : JSB_MAX);
				rc = -GH_BAD_FIELD;
				goto out;
			}
			break;
		}
		case JS_INT:
			if (!json_is_integer(val)) {
				rc = -GH_BAD_FIELD;
				goto out;
			}
			if (json_integer_value(val) < f->min ||
			    json_integer_value(val) > f->max) {
				fail_at(fail, f,
					json_integer_value(val) < f->min
						? JSB_MIN
						: JSB_MAX);
				rc = -GH_BAD_FIELD;
				goto out;
			}
			break;
		case JS_BOOL:
			if (!json_is_boolean(val)) {
				rc = -GH_BAD_FIELD;
				goto out;
			}
			break;
		case JS_END:
			break;
		}
	}
	/* All checked: now write the outputs. */
	for (const struct jspec *f = spec; f->type != JS_END; f++) {
		val = json_object_get(root, f->name);
		if (val == NULL || json_is_null(val))
			continue;
		if (f->present != NULL)
			*f->present = 1;
		if (f->type == JS_STRING)
			*(const char **)f->out = json_string_value(val);
		else if (f->type == JS_INT)
			*(int64_t *)f->out = json_integer_value(val);
		else if (f->type == JS_BOOL)
			*(int *)f->out = json_is_true(val);
	}
	memset(fail, 0, sizeof(*fail));
	fail->type = JS_END;
	*root_out = root;
	root = NULL;
	rc = 0;
out:
	json_decref(root);
	return rc;
}
