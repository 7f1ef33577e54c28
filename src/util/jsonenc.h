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

#endif
