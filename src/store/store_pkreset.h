/*
 * Staff passkey resets under dual control (issue 17, part GATE; the table
 * passkey_resets of migration 031; the rules are core/passkey_resets.h's):
 * the records and the operations, member `pkreset` of struct store_ops.
 * Kept apart from store/store.h, which includes this header before
 * struct store_ops. Include store/store.h, not this file.
 *
 * Invariant: a request leaves the state "pending" once only (decide
 * matches on state = 'pending'); the schema refuses a request about its
 * own requester, an approval by the requester and a second open request
 * about one member.
 */
#ifndef GH_STORE_STORE_PKRESET_H
#define GH_STORE_STORE_PKRESET_H

#include <stddef.h>
#include <stdint.h>

/* Reasons hold what core enforces: 3..500 code points of UTF-8. */
#define PKRESET_TEXT_BYTES 2004
/* The most requests one listing gives. */
#define PKRESET_LIST_MAX 100

struct pkreset_rec {
	int64_t id;
	int64_t staff_id;         /* whose passkeys */
	char staff_name[404];
	char staff_email[256];
	char staff_role[16];
	int64_t requested_by;
	char requested_by_name[404];
	char reason[PKRESET_TEXT_BYTES];
	char state[12];           /* pending|approved|denied|expired */
	int64_t created_at;
	int64_t expires_at;
	int64_t decided_by;       /* 0: nobody (pending or expired) */
	char decided_by_name[404];
	int64_t decided_at;       /* 0 while pending */
	char decision[PKRESET_TEXT_BYTES]; /* the decider's reason, or "" */
	int64_t passkeys_deleted; /* approved: how many went */
};

struct pkreset_list {
	struct pkreset_rec *v;    /* malloc'd; pkreset_list_clear() */
	size_t n;
};

/*
 * insert: a pending request about staff_id by requested_by at now, open
 * until expires_at; -GH_EXISTS when one is pending for staff_id already.
 * expire: every pending request whose expires_at <= now becomes
 * "expired" (decided_at = now); *n_out (may be NULL) how many.
 * get: request id (-GH_NOT_FOUND). decide: request id from pending to
 * state ("approved", "denied") by decided_by with decision (may be NULL)
 * at now, recording passkeys_deleted; -GH_CONFLICT when it is not
 * pending. list: newest first, at most PKRESET_LIST_MAX, state NULL for
 * any.
 */
struct store_conn;

struct store_pkreset_ops {
	int (*insert)(struct store_conn *c, int64_t staff_id,
		      int64_t requested_by, const char *reason, int64_t now,
		      int64_t expires_at, int64_t *id_out);
	int (*expire)(struct store_conn *c, int64_t now, int64_t *n_out);
	int (*get)(struct store_conn *c, int64_t id, struct pkreset_rec *out);
	int (*decide)(struct store_conn *c, int64_t id, const char *state,
		      int64_t decided_by, const char *decision,
		      int64_t passkeys_deleted, int64_t now);
	int (*list)(struct store_conn *c, const char *state,
		    struct pkreset_list *out);
};

void pkreset_list_clear(struct pkreset_list *l);

#endif
