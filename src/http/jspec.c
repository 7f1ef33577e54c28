/*
 * JSON body parsing against a declared field list (see jspec.h). A cheap
 * scan bounds the nesting depth before jansson sees the text, so a body of
 * 64 KiB of '[' costs a linear scan and a 400, not a deep recursion.
 */
#include "http/jspec.h"

#include <stdio.h>
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

	/* An unknown key's name lives in fail, which ends here. */
	*field_out = rc < 0 && fail.field != fail.unknown ? fail.field : NULL;
	return rc;
}

/* The body as a JSON document: an empty body is an empty object. NULL
 * when it is nested too deeply or is not JSON (duplicate keys included). */
static json_t *
load_body(const char *body, size_t len)
{
	json_error_t jerr;

	if (len == 0)
		return json_object();
	if (!depth_ok(body, len, JSPEC_MAX_DEPTH))
		return NULL;
	return json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
}

/* Deny by default: 0 when every key of root is declared in spec; else
 * -GH_UNKNOWN_FIELD with fail naming the key (made printable). */
static int
only_declared(json_t *root, const struct jspec *spec, struct jspec_fail *fail)
{
	const char *key;
	json_t *val;

	json_object_foreach(root, key, val) {
		const struct jspec *f = spec;

		while (f->type != JS_END && strcmp(f->name, key) != 0)
			f++;
		if (f->type != JS_END)
			continue;
		snprintf(fail->unknown, sizeof(fail->unknown), "%s", key);
		for (char *p = fail->unknown; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 ||
			    (unsigned char)*p >= 0x7f || *p == '"' ||
			    *p == '\\')
				*p = '?';
		fail->field = fail->unknown;
		return -GH_UNKNOWN_FIELD;
	}
	return 0;
}

static int
check_string(const struct jspec *f, json_t *val, struct jspec_fail *fail)
{
	const char *s;
	int64_t n;

	if (!json_is_string(val))
		return -GH_BAD_FIELD;
	s = json_string_value(val);
	n = utf8_check(s, json_string_length(val),
		       (f->flags & JS_MULTILINE) != 0);
	if (n < 0 || strlen(s) != json_string_length(val))
		return -GH_BAD_UTF8;
	if (f->flags & JS_BYTES)
		n = (int64_t)json_string_length(val);
	if (n < f->min || n > f->max) {
		fail_at(fail, f, n < f->min ? JSB_MIN : JSB_MAX);
		return -GH_BAD_FIELD;
	}
	return 0;
}

static int
check_int(const struct jspec *f, json_t *val, struct jspec_fail *fail)
{
	json_int_t v;

	if (!json_is_integer(val))
		return -GH_BAD_FIELD;
	v = json_integer_value(val);
	if (v < f->min || v > f->max) {
		fail_at(fail, f, v < f->min ? JSB_MIN : JSB_MAX);
		return -GH_BAD_FIELD;
	}
	return 0;
}

static int
check_array(const struct jspec *f, json_t *val, struct jspec_fail *fail)
{
	int64_t n;

	if (!json_is_array(val))
		return -GH_BAD_FIELD;
	n = (int64_t)json_array_size(val);
	if (n < f->min || n > f->max) {
		fail_at(fail, f, n < f->min ? JSB_MIN : JSB_MAX);
		return -GH_BAD_FIELD;
	}
	return 0;
}

/* Checks each declared field of root: present when required, of its type,
 * within its bounds. 0 or the error, with fail naming the field. */
static int
check_fields(json_t *root, const struct jspec *spec, struct jspec_fail *fail)
{
	int rc = 0;

	for (const struct jspec *f = spec; rc == 0 && f->type != JS_END; f++) {
		json_t *val = json_object_get(root, f->name);

		fail_at(fail, f, JSB_NONE);
		if (val == NULL || json_is_null(val))
			rc = (f->flags & JS_REQUIRED) ? -GH_MISSING_FIELD : 0;
		else if (f->type == JS_STRING)
			rc = check_string(f, val, fail);
		else if (f->type == JS_INT)
			rc = check_int(f, val, fail);
		else if (f->type == JS_BOOL && !json_is_boolean(val))
			rc = -GH_BAD_FIELD;
		else if (f->type == JS_OBJECT &&
			 (!json_is_object(val) ||
			  (int64_t)json_object_size(val) < f->min ||
			  (int64_t)json_object_size(val) > f->max))
			rc = -GH_BAD_FIELD;
		else if (f->type == JS_ARRAY)
			rc = check_array(f, val, fail);
	}
	return rc;
}

/* Writes each given field of root (all checked) to its out. */
static void
write_fields(json_t *root, const struct jspec *spec)
{
	for (const struct jspec *f = spec; f->type != JS_END; f++) {
		json_t *val = json_object_get(root, f->name);

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
		else if (f->type == JS_OBJECT || f->type == JS_ARRAY)
			*(json_t **)f->out = val;
	}
}

int
jspec_parse_ex(const char *body, size_t len, const struct jspec *spec,
	       json_t **root_out, struct jspec_fail *fail)
{
	json_t *root;
	int rc = -GH_BAD_JSON;

	*root_out = NULL;
	memset(fail, 0, sizeof(*fail));
	fail->type = JS_END;
	root = load_body(body, len);
	if (root == NULL)
		return -GH_BAD_JSON;
	if (!json_is_object(root))
		goto out;
	rc = only_declared(root, spec, fail);
	if (rc == 0)
		rc = check_fields(root, spec, fail);
	if (rc < 0)
		goto out;
	/* All checked: now write the outputs. */
	write_fields(root, spec);
	memset(fail, 0, sizeof(*fail));
	fail->type = JS_END;
	*root_out = root;
	root = NULL;
out:
	json_decref(root);
	return rc;
}
