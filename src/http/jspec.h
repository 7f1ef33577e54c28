/*
 * Declarative JSON body parsing. A handler lists the fields it accepts
 * (name, type, required, bounds) and where to put them; jspec_parse()
 * checks the body against the list and fails closed: malformed JSON,
 * duplicate keys, nesting deeper than the spec allows, unknown fields,
 * missing required fields, wrong types, strings that are not valid UTF-8,
 * contain control characters (other than newline and tab where allowed)
 * or fall outside their length bounds (counted in code points, or bytes
 * with JS_BYTES), integers
 * outside their range: each gives its own error and nothing is written.
 *
 * String outputs point into the parsed document, which the caller keeps
 * alive (*root_out) and releases with json_decref.
 */
#ifndef GH_HTTP_JSPEC_H
#define GH_HTTP_JSPEC_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "util/utf8.h"

enum jspec_type { JS_END = 0, JS_STRING, JS_INT, JS_BOOL, JS_OBJECT, JS_ARRAY };

#define JS_REQUIRED 0x1u
#define JS_MULTILINE 0x2u /* allow \n, \r and \t in a string */
#define JS_BYTES 0x4u     /* string bounds count UTF-8 bytes, not code points */

struct jspec {
	const char *name;
	enum jspec_type type;
	unsigned flags;
	int64_t min, max; /* string: code points; int: value */
	void *out;        /* const char **, int64_t *, int *, json_t ** */
	int *present;     /* optional: set to 1 when the field was given */
};

#define JSPEC_STR(n, o, lo, hi, fl) {n, JS_STRING, fl, lo, hi, o, NULL}
#define JSPEC_INT(n, o, lo, hi, fl) {n, JS_INT, fl, lo, hi, o, NULL}
#define JSPEC_BOOL(n, o, fl) {n, JS_BOOL, fl, 0, 1, o, NULL}
/* An object of lo..hi members, handed over as it is (borrowed from the
 * document: valid while the root is); its members are the handler's to
 * check. */
#define JSPEC_OBJ(n, o, lo, hi, fl) {n, JS_OBJECT, fl, lo, hi, o, NULL}
/* An array of lo..hi elements, handed over as JSPEC_OBJ's object is; its
 * elements are the handler's to check. */
#define JSPEC_ARR(n, o, lo, hi, fl) {n, JS_ARRAY, fl, lo, hi, o, NULL}
#define JSPEC_END {NULL, JS_END, 0, 0, 0, NULL, NULL}

/* Deepest nesting any body may have before it is parsed. */
#define JSPEC_MAX_DEPTH 8

/*
 * Parses body (len bytes) against spec. An empty body is an empty object.
 * On success *root_out holds the document (caller decrefs) and each given
 * field is written to its out. On failure returns -GH_BAD_JSON,
 * -GH_UNKNOWN_FIELD, -GH_MISSING_FIELD, -GH_BAD_FIELD or -GH_BAD_UTF8, and
 * *field_out names the offending field (static or from spec; may be NULL,
 * as for an unknown key: jspec_parse_ex names that one).
 */
int jspec_parse(const char *body, size_t len, const struct jspec *spec,
		json_t **root_out, const char **field_out);

/* Why jspec_parse_ex failed, so that a reply can state the limit. */
enum jspec_bound {
	JSB_NONE = 0, /* not a bound (type, UTF-8, unknown, missing, JSON) */
	JSB_MIN,      /* a string shorter than min, or an integer below it */
	JSB_MAX,      /* a string longer than max, or an integer above it */
};

struct jspec_fail {
	const char *field;    /* the offending field (from spec), or NULL */
	enum jspec_type type; /* its declared type; JS_END when none */
	enum jspec_bound bound;
	int64_t min, max;     /* the field's declared bounds */
	int bytes;            /* string bounds count bytes (JS_BYTES) */
	/* -GH_UNKNOWN_FIELD: the first undeclared key, cut to fit, every
	 * byte outside printable ASCII (and " and \\) as '?'; field points
	 * here. */
	char unknown[48];
};

/* jspec_parse, and on failure *fail (always written) says which field
 * broke which bound. */
int jspec_parse_ex(const char *body, size_t len, const struct jspec *spec,
		   json_t **root_out, struct jspec_fail *fail);

#endif
