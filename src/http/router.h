/*
 * Matches a request line against the one route table (api/routes.c). A
 * path segment "{id}" in a pattern matches a positive decimal integer of at
 * most 18 digits and is returned in params; a segment "{name}" matches 1
 * to ROUTE_NAME_MAX of a-z, 0-9, - and _ (neither first), such as a
 * training module's id or a queue's name, and is not captured (the handler reads it from r->path).
 * Matching is exact: no prefix
 * matches, no trailing-slash folding, no dot segments.
 */
#ifndef GH_HTTP_ROUTER_H
#define GH_HTTP_ROUTER_H

#include "http/request.h"

#define ROUTE_NAME_MAX 64

/* The table, ended by an entry with a NULL method. */
extern const struct route api_routes[];

/*
 * Returns the route for method and path on listener, filling params. When
 * the path exists for other methods only, returns NULL and writes them
 * (comma-separated) into allow; otherwise allow is "".
 */
const struct route *router_match(const struct route *table,
				 enum listener_kind listener,
				 const char *method, const char *path,
				 int64_t params[ROUTE_MAX_PARAMS],
				 unsigned *n_params, char *allow,
				 size_t allowsz);

#endif
