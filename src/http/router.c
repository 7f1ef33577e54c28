/* Route matching over the declarative table. */
#include "http/router.h"

#include <string.h>

/* The length of the name segment at path: 1..ROUTE_NAME_MAX of a-z, 0-9,
 * - and _ (a queue's name may hold _), not starting with - or _, up to
 * the next / or the end; 0 when there is none. */
static size_t
name_len(const char *path)
{
	size_t n = 0;

	if (*path == '-' || *path == '_')
		return 0;
	while ((path[n] >= 'a' && path[n] <= 'z') ||
	       (path[n] >= '0' && path[n] <= '9') || path[n] == '-' ||
	       path[n] == '_')
		if (++n > ROUTE_NAME_MAX)
			return 0;
	return path[n] == '\0' || path[n] == '/' ? n : 0;
}

/* Matches one pattern; 1 on match with params filled. */
static int
match_pattern(const char *pat, const char *path, int64_t *params,
	      unsigned *n)
{
	*n = 0;
	while (*pat != '\0' && *path != '\0') {
		if (strncmp(pat, "{id}", 4) == 0) {
			int64_t v = 0;
			int digits = 0;

			if (*path < '1' || *path > '9')
				return 0;
			while (*path >= '0' && *path <= '9') {
				if (++digits > 18)
					return 0;
				v = v * 10 + (*path - '0');
				path++;
			}
			if (*n == ROUTE_MAX_PARAMS)
				return 0;
			params[(*n)++] = v;
			pat += 4;
			continue;
		}
		if (strncmp(pat, "{name}", 6) == 0) {
			size_t k = name_len(path);

			if (k == 0)
				return 0;
			path += k;
			pat += 6;
			continue;
		}
		if (*pat != *path)
			return 0;
		pat++;
		path++;
	}
	return *pat == '\0' && *path == '\0';
}

const struct route *
router_match(const struct route *table, enum listener_kind listener,
	     const char *method, const char *path,
	     int64_t params[ROUTE_MAX_PARAMS], unsigned *n_params, char *allow,
	     size_t allowsz)
{
	int64_t tmp[ROUTE_MAX_PARAMS];
	unsigned n;
	size_t used = 0;

	allow[0] = '\0';
	*n_params = 0;
	for (const struct route *rt = table; rt->method != NULL; rt++) {
		if (!(rt->listeners & (unsigned)listener))
			continue;
		if (!match_pattern(rt->pattern, path, tmp, &n))
			continue;
		if (strcmp(rt->method, method) == 0) {
			memcpy(params, tmp, sizeof(tmp));
			*n_params = n;
			allow[0] = '\0';
			return rt;
		}
		if (strstr(allow, rt->method) == NULL) {
			int w = snprintf(allow + used, allowsz - used, "%s%s",
					 used ? ", " : "", rt->method);
			if (w > 0 && (size_t)w < allowsz - used)
				used += (size_t)w;
		}
	}
	return NULL;
}
