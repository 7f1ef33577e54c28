/*
 * The reply encoder (jsonenc.h): jansson's compact encoding without its
 * per-node costs. json_dumps checks for loops by formatting every
 * object's and array's address with snprintf into a hash table, dumps
 * strings through a callback a run at a time into a string buffer, formats
 * integers with snprintf and copies the result at the end; here a tree is
 * walked once into one buffer. Strings are copied a run at a time between
 * the bytes that need escaping, and checked as UTF-8 as jansson does.
 *
 * The writer (jsonw_*) appends the same encoding value by value, for a
 * reply built without a tree.
 *
 * Invariant: the bytes are json_dumps(v, JSON_COMPACT |
 * JSON_PRESERVE_ORDER)'s; whatever is not handled here the same way goes
 * to json_dumps (a real number is encoded by jansson, a bad string or a
 * deep tree makes the whole tree go to json_dumps).
 */
#include "util/jsonenc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A growing output buffer; failed is set when memory ran out or the
 * fast path gave up (the caller then asks json_dumps). */
struct out {
	char *p;
	size_t len;
	size_t cap;
	int failed;
};

static int
grow(struct out *o, size_t more)
{
	size_t cap = o->cap != 0 ? o->cap : 1024;
	char *p;

	if (o->failed)
		return -1;
	while (cap - o->len < more + 1) {
		if (cap > SIZE_MAX / 2) {
			o->failed = 1;
			return -1;
		}
		cap *= 2;
	}
	if (cap == o->cap)
		return 0;
	p = realloc(o->p, cap);
	if (p == NULL) {
		o->failed = 1;
		return -1;
	}
	o->p = p;
	o->cap = cap;
	return 0;
}

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->cap - o->len < n + 1 && grow(o, n) < 0)
		return;
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void
putc1(struct out *o, char c)
{
	if (o->cap - o->len < 2 && grow(o, 1) < 0)
		return;
	o->p[o->len++] = c;
}

/* Length of the valid UTF-8 sequence starting at s (n bytes left, s[0]
 * >= 0x80), or 0 when it is not one: jansson's rules (no overlong form,
 * no surrogate, nothing above U+10FFFF). */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* The escape jansson writes for byte c (< 0x20, '"' or '\\'). */
static void
put_escape(struct out *o, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

	switch (c) {
	case '\\':
		put(o, "\\\\", 2);
		break;
	case '"':
		put(o, "\\\"", 2);
		break;
	case '\b':
		put(o, "\\b", 2);
		break;
	case '\f':
		put(o, "\\f", 2);
		break;
	case '\n':
		put(o, "\\n", 2);
		break;
	case '\r':
		put(o, "\\r", 2);
		break;
	case '\t':
		put(o, "\\t", 2);
		break;
	default:
		put(o, u, sizeof(u));
		break;
	}
}

static void
put_string(struct out *o, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0, i = 0;

	putc1(o, '"');
	while (i < len) {
		unsigned char c = s[i];
		size_t n;

		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0x80) {
			n = utf8_seq(s + i, len - i);
			if (n == 0) {
				o->failed = 1;
				return;
			}
			i += n;
			continue;
		}
		put(o, str + run, i - run);
		put_escape(o, c);
		i++;
		run = i;
	}
	put(o, str + run, i - run);
	putc1(o, '"');
}

static void
put_integer(struct out *o, json_int_t v)
{
	char buf[24];
	size_t i = sizeof(buf);
	/* Through unsigned, so that the most negative value has a magnitude. */
	unsigned long long m = v < 0 ? 0ULL - (unsigned long long)v
				     : (unsigned long long)v;

	do {
		buf[--i] = (char)('0' + m % 10);
		m /= 10;
	} while (m != 0);
	if (v < 0)
		buf[--i] = '-';
	put(o, buf + i, sizeof(buf) - i);
}

/* A real as jansson writes it (its own rules for digits and exponent). */
static void
put_real(struct out *o, json_t *v)
{
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

	if (s == NULL) {
		o->failed = 1;
		return;
	}
	put(o, s, strlen(s));
	free(s);
}

static void put_value(struct out *o, json_t *v, int depth);

static void
put_object(struct out *o, json_t *v, int depth)
{
	void *it = json_object_iter(v);
	int first = 1;

	putc1(o, '{');
	for (; it != NULL && !o->failed;
	     it = json_object_iter_next(v, it)) {
		if (!first)
			putc1(o, ',');
		first = 0;
		put_string(o, json_object_iter_key(it),
			   json_object_iter_key_len(it));
		putc1(o, ':');
		put_value(o, json_object_iter_value(it), depth + 1);
	}
	putc1(o, '}');
}

static void
put_array(struct out *o, json_t *v, int depth)
{
	size_t n = json_array_size(v);

	putc1(o, '[');
	for (size_t i = 0; i < n && !o->failed; i++) {
		if (i > 0)
			putc1(o, ',');
		put_value(o, json_array_get(v, i), depth + 1);
	}
	putc1(o, ']');
}

static void
put_value(struct out *o, json_t *v, int depth)
{
	if (o->failed)
		return;
	if (depth > JSONENC_MAX_DEPTH) {
		o->failed = 1;
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		put_object(o, v, depth);
		break;
	case JSON_ARRAY:
		put_array(o, v, depth);
		break;
	case JSON_STRING:
		put_string(o, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		put_integer(o, json_integer_value(v));
		break;
	case JSON_REAL:
		put_real(o, v);
		break;
	case JSON_TRUE:
		put(o, "true", 4);
		break;
	case JSON_FALSE:
		put(o, "false", 5);
		break;
	default:
		put(o, "null", 4);
		break;
	}
}

char *
jsonenc_dumps(json_t *v, size_t *len_out)
{
	struct out o = {NULL, 0, 0, 0};
	char *s;

	if (v == NULL || (!json_is_object(v) && !json_is_array(v)))
		return NULL;
	if (grow(&o, 0) == 0)
		put_value(&o, v, 0);
	if (!o.failed) {
		o.p[o.len] = '\0';
		if (len_out != NULL)
			*len_out = o.len;
		return o.p;
	}
	/* Not the fast path's case (or no memory): jansson decides. */
	free(o.p);
	s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s != NULL && len_out != NULL)
		*len_out = strlen(s);
	return s;
}

/* --- the writer --------------------------------------------------------- */

/* The writer's buffer as the encoder's (the same three fields and flag). */
static struct out *
w_out(struct jsonw *w, struct out *o)
{
	o->p = w->p;
	o->len = w->len;
	o->cap = w->cap;
	o->failed = w->failed;
	return o;
}

static void
w_back(struct jsonw *w, const struct out *o)
{
	w->p = o->p;
	w->len = o->len;
	w->cap = o->cap;
	w->failed = o->failed;
}

/* The separator and key before a value at the current level. */
static void
w_key(struct out *o, struct jsonw *w, const char *key)
{
	if (!w->first[w->depth])
		putc1(o, ',');
	w->first[w->depth] = 0;
	if (key != NULL) {
		put_string(o, key, strlen(key));
		putc1(o, ':');
	}
}

void
jsonw_init(struct jsonw *w)
{
	memset(w, 0, sizeof(*w));
	w->first[0] = 1;
}

static void
w_open(struct jsonw *w, const char *key, char c)
{
	struct out o;

	w_key(w_out(w, &o), w, key);
	putc1(&o, c);
	if (w->depth >= JSONENC_MAX_DEPTH) {
		o.failed = 1;
	} else {
		w->depth++;
		w->first[w->depth] = 1;
		w->close[w->depth] = c == '{' ? '}' : ']';
	}
	w_back(w, &o);
}

void
jsonw_object(struct jsonw *w, const char *key)
{
	w_open(w, key, '{');
}

void
jsonw_array(struct jsonw *w, const char *key)
{
	w_open(w, key, '[');
}

void
jsonw_end(struct jsonw *w)
{
	struct out o;

	w_out(w, &o);
	if (w->depth == 0) {
		o.failed = 1;
	} else {
		putc1(&o, w->close[w->depth]);
		w->depth--;
	}
	w_back(w, &o);
}

void
jsonw_string(struct jsonw *w, const char *key, const char *text)
{
	struct out o;

	w_key(w_out(w, &o), w, key);
	if (text == NULL)
		o.failed = 1;
	else
		put_string(&o, text, strlen(text));
	w_back(w, &o);
}

void
jsonw_int(struct jsonw *w, const char *key, int64_t v)
{
	struct out o;

	w_key(w_out(w, &o), w, key);
	put_integer(&o, (json_int_t)v);
	w_back(w, &o);
}

void
jsonw_bool(struct jsonw *w, const char *key, int v)
{
	struct out o;

	w_key(w_out(w, &o), w, key);
	put(&o, v ? "true" : "false", v ? 4 : 5);
	w_back(w, &o);
}

void
jsonw_null(struct jsonw *w, const char *key)
{
	struct out o;

	w_key(w_out(w, &o), w, key);
	put(&o, "null", 4);
	w_back(w, &o);
}

void
jsonw_value(struct jsonw *w, const char *key, json_t *v)
{
	struct out o;

	w_key(w_out(w, &o), w, key);
	if (v == NULL)
		o.failed = 1;
	else
		put_value(&o, v, (int)w->depth);
	w_back(w, &o);
}

char *
jsonw_finish(struct jsonw *w, size_t *len_out)
{
	char *p = w->p;

	w->p = NULL;
	if (w->failed || w->depth != 0 || p == NULL) {
		free(p);
		return NULL;
	}
	p[w->len] = '\0';
	if (len_out != NULL)
		*len_out = w->len;
	return p;
}
