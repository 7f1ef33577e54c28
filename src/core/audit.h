/*
 * The audit log: one record per security-relevant action, written in the
 * same transaction as the action (no action without its record). Records
 * are canonical JSON (sorted keys) and become leaves of an RFC 6962 Merkle
 * tree, so `gatehouse audit verify` can prove nothing was changed, removed
 * or reordered, and `gatehouse audit export` hands them to a SIEM as
 * stored. Records never hold secrets or personal field values.
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
 * record was added since the newest checkpoint. Refuses (-GH_INTERNAL,
 * logged as audit.checkpoint_refused) when the log is not intact: a gap
 * in the sequence, a record that does not match its leaf hash, or records
 * that no longer match an earlier checkpoint (changed, removed,
 * reordered, or cut below its size). Signatures are not checked here.
 * *size_out gets the tree size.
 */
int audit_checkpoint(struct app *app, struct store_conn *c,
		     const unsigned char *sk, int64_t *size_out);

/*
 * Verifies the log, reading it in pages, in order: the records are
 * numbered 1..n without a gap, every record matches its leaf hash, and
 * every checkpoint (oldest first) has a good signature (public key pk),
 * covers no fewer records than the one before it and no more than exist,
 * and its root matches the records as they are now. Returns 0 when all
 * holds, -1 otherwise. *report (JSON, caller decrefs) holds "ok",
 * "records", "checkpoints" (how many passed), "verified_up_to" and
 * "last_checkpoint" {size, root (hex), created} of the last one passed,
 * and on a fault "error" (a sentence), "first_bad_record" and/or
 * "first_bad_checkpoint" (1-based, oldest first) and, when a checkpoint
 * does not match, "suspect_records" [from, to]: the records after the
 * last good checkpoint, among which one was changed, removed or moved.
 */
int audit_verify(struct store_conn *c, const unsigned char pk[32],
		 json_t **report);

/*
 * Calls fn(ctx, seq, record, leaf) for every record with
 * since < seq <= upto, in seq order, as stored (the record text exactly,
 * its stored leaf hash). Reads a page of records at a time and runs fn
 * with no read open, so a slow fn holds no snapshot of the database.
 * fn returns 0 to go on, > 0 to stop (audit_export then returns 0), < 0
 * an error that audit_export returns. 0 or a store error.
 */
int audit_export(struct store_conn *c, int64_t since, int64_t upto,
		 audit_row_fn fn, void *ctx);

#endif
