/*
 * Error codes. Functions across the code base return 0 on success and the
 * negative of one of these on failure, e.g. `return -GH_NOT_FOUND;`. The
 * HTTP layer maps them to a status and a JSON body with err_status(),
 * err_code() and err_message(). The table is util/errors.def.
 */
#ifndef GH_UTIL_ERRORS_H
#define GH_UTIL_ERRORS_H

enum gh_err {
	GH_OK = 0,
#define ERR(name, status, code, msg) GH_##name,
#include "util/errors.def"
#undef ERR
	GH_ERR_COUNT
};

/* Each accepts an error as returned (negative) or as the enum (positive).
 * An unknown value maps to GH_INTERNAL. */
int err_status(int err);
const char *err_code(int err);
const char *err_message(int err);

#endif
