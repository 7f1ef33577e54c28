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

/*
 * Signs a checkpoint (tree size and RFC 6962 root over every record so
 * far) with the Ed25519 secret key sk and stores it. Does nothing when no
 * record was added since the last checkpoint. *size_out gets the tree size.
 */
int audit_checkpoint(struct app *app, struct store_conn *c,
		     const unsigned char *sk, int64_t *size_out);

/*
 * Verifies the log: every record's leaf hash, no gap in the sequence, and
 * every checkpoint's root and signature (public key pk) over the records
 * as they are now. Returns 0 when all holds, -1 otherwise; *report (JSON,
 * caller decrefs) says what was checked and names the first bad record or
 * checkpoint.
 */
int audit_verify(struct store_conn *c, const unsigned char pk[32],
		 json_t **report);

#endif
