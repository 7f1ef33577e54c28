/*
 * The one route table: method, path, listener, who may call it, body
 * limit, handler. Staff routes exist only on the staff listener, customer
 * routes only on the public one; a path absent from a listener is 404
 * there.
 */
#include "api/api.h"
#include "http/router.h"

#define KB 1024
#define PUB LISTEN_PUBLIC
#define STAFF LISTEN_STAFF

const struct route api_routes[] = {
	/* staff sessions */
	{"POST", "/api/v1/staff/session", STAFF, AUTH_NONE, 4 * KB,
	 api_staff_login, ROUTE_NO_CSRF_TOKEN},
	{"GET", "/api/v1/staff/session", STAFF, AUTH_AGENT, 0,
	 api_session_get, 0},
	{"DELETE", "/api/v1/staff/session", STAFF, AUTH_AGENT, 0,
	 api_session_delete, 0},
	/* customer sessions */
	{"POST", "/api/v1/portal/session", PUB, AUTH_NONE, 4 * KB,
	 api_portal_login, ROUTE_NO_CSRF_TOKEN},
	{"GET", "/api/v1/portal/session", PUB, AUTH_CUSTOMER, 0,
	 api_session_get, 0},
	{"DELETE", "/api/v1/portal/session", PUB, AUTH_CUSTOMER, 0,
	 api_session_delete, 0},
	{NULL, NULL, 0, AUTH_NONE, 0, NULL, 0},
};
