/*
 * The audit log: one record per security-relevant action, written in the
 * same transaction as the action (no action without its record). Records
 * are canonical JSON (sorted keys) and become leaves of an RFC 6962 Merkle
 * tree, so `gatehouse audit verify` can prove nothing was changed, removed
 * or reordered. Records never hold secrets or personal field values.
 */
#ifndef GH_CORE_AUDIT_H
#define GH_CORE_AUDIT_H

#include <jansson.h>

#include "core/app.h"
#include "store/store.h"

struct audit_ev {
	const char *actor;      /* "staff:3", "customer:9", "cli", "anonymous" */
	const char *action;     /* "auth.login", "staff.create", ... */
	const char *target;     /* "staff:3", "ticket:12", NULL */
	const char *outcome;    /* "success", "failure", "denied" */
	const char *ip;         /* may be NULL */
	const char *request_id; /* may be NULL */
	json_t *detail;         /* stolen; may be NULL */
};

/* Appends ev inside the caller's transaction. 0 or a store error. */
int audit_log(struct app *app, struct store_conn *c, struct audit_ev *ev);

#endif
