/*
 * A compact JSON encoder for replies: the same bytes as jansson's
 * json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER), written straight
 * into one growing buffer (no intermediate string buffer, no copy at the
 * end, integers without printf), because every reply is encoded once.
 *
 * Invariant: the output is byte for byte what json_dumps gives with those
 * flags; anything the fast path does not handle the same way (a real
 * number, a string that is not valid UTF-8, a tree deeper than
 * JSONENC_MAX_DEPTH) is handed to json_dumps itself, so the bytes never
 * differ (tests/unit/test_jsonenc.c compares them).
 */
#ifndef GH_UTIL_JSONENC_H
#define GH_UTIL_JSONENC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Nesting the fast path follows; deeper trees go to json_dumps. */
#define JSONENC_MAX_DEPTH 64

/*
 * v encoded as json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) would
 * (v an object or an array), in a malloc'd, NUL-terminated buffer the
 * caller frees; its length (without the NUL) in *len_out when not NULL.
 * NULL exactly when json_dumps would give NULL (v not an object or
 * array, a string that is not UTF-8) or memory ran out.
 */
char *jsonenc_dumps(json_t *v, size_t *len_out);

/*
 * A writer of the same compact JSON without a tree, for a reply whose
 * shape is known (the ticket view): values are appended in order, each
 * with its key inside an object (key NULL in an array or at the top).
 * Keys are ASCII constants. A text that is NULL or not UTF-8, nesting
 * past JSONENC_MAX_DEPTH, or no memory marks the writer failed; the
 * caller then builds the reply another way (jsonw_finish gives NULL).
 */
struct jsonw {
	char *p;
	size_t len;
	size_t cap;
	int failed;
	unsigned depth;
	unsigned char first[JSONENC_MAX_DEPTH + 1]; /* no value yet */
	char close[JSONENC_MAX_DEPTH + 1];          /* '}' or ']' */
};

void jsonw_init(struct jsonw *w);
void jsonw_object(struct jsonw *w, const char *key);
void jsonw_array(struct jsonw *w, const char *key);
/* Ends the innermost object or array. */
void jsonw_end(struct jsonw *w);
void jsonw_string(struct jsonw *w, const char *key, const char *text);
void jsonw_int(struct jsonw *w, const char *key, int64_t v);
void jsonw_bool(struct jsonw *w, const char *key, int v);
void jsonw_null(struct jsonw *w, const char *key);
/* v (borrowed) as jsonenc_dumps would encode it; NULL fails. */
void jsonw_value(struct jsonw *w, const char *key, json_t *v);
/* The text (malloc'd, NUL-terminated, length in *len_out) when nothing
 * failed and every object and array is closed; NULL otherwise. The
 * writer is spent either way. */
char *jsonw_finish(struct jsonw *w, size_t *len_out);

#endif
