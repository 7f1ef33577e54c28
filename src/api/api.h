/*
 * Handlers of the HTTP API, one file per resource. Each parses its
 * declared fields, calls one core function and maps the result to a reply.
 * The route table that names them is api/routes.c.
 */
#ifndef GH_API_API_H
#define GH_API_API_H

#include "http/jspec.h"
#include "http/request.h"

/* Parses r's body against spec; on failure sets error_extra with the
 * field name and returns the error. */
int api_parse(struct request *r, const struct jspec *spec);

/* session.c */
int api_staff_login(struct request *r);
int api_portal_login(struct request *r);
int api_session_get(struct request *r);
int api_session_delete(struct request *r);

#endif
