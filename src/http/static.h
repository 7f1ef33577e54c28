/*
 * The web front end (web/portal on the public listener, web/console on the
 * staff listener), compiled into the binary and served from memory: a path
 * is matched exactly against the table built at compile time, so there is
 * no file-system access per request and no path traversal.
 */
#ifndef GH_HTTP_STATIC_H
#define GH_HTTP_STATIC_H

#include "http/request.h"

/* Sets r's reply to the asset for r->path ("/" is "/index.html") of r's
 * listener. 0 when found, -1 otherwise (r untouched). */
int static_lookup(struct request *r);

#endif
