/*
 * The records of the store's verification operations (migration 010;
 * the operations are in struct store_ops, the rules in core/verify.h),
 * kept apart from store/store.h, which includes this header, so that
 * header stays readable. Strings are fixed-size fields; lists own their
 * arrays and are released with the *_clear() functions.
 */
#ifndef GH_STORE_STORE_VERIFY_H
#define GH_STORE_STORE_VERIFY_H

#include <stddef.h>
#include <stdint.h>

/* Verifications of a caller's identity (migration 010; the rules are
 * core/verify.h's). A verification has at most one factor row per method
 * (VERIFY_METHODS of them). code_hash is a keyed hash of a one-time code
 * ("" when none is pending); approver_session the keyed hash of the
 * portal session that approved ("" otherwise). */
#define VERIFY_METHODS 5
#define VERIFY_CHOICES_BYTES 16

struct verification_factor {
	int64_t verification_id;
	char method[16];          /* totp|email_otp|sms_otp|portal_approval|
	                           * passkey (issue 17) */
	char state[8];            /* pending|passed|failed */
	char code_hash[65];
	int64_t code_expires_at;
	int64_t failures;
	int64_t sends;
	int64_t number;           /* portal_approval: the agent's number */
	char choices[VERIFY_CHOICES_BYTES]; /* "12,47,83" */
	char approver_session[65];
	int64_t updated_at;
};

struct verification_new {
	int64_t staff_id;
	const char *session_hash;
	int64_t ticket_id;
	int64_t customer_id;
	int64_t assignee_id;      /* at the start; 0: unassigned */
	int64_t queue_id;
	int64_t now;
	int64_t expires_at;
};

struct verification_rec {
	int64_t id;
	int64_t staff_id;
	char staff_name[404];
	char session_hash[65];
	int64_t ticket_id;
	int64_t customer_id;
	int64_t assignee_id;
	int64_t queue_id;
	char state[8];            /* open|failed|denied|ended */
	int64_t created_at;
	int64_t expires_at;
	int64_t ended_at;         /* 0 while open */
	struct verification_factor f[VERIFY_METHODS];
	size_t n_factors;
};

struct verification_list {
	struct verification_rec *v; /* malloc'd; verification_list_clear() */
	size_t n;
};

/* A lock on verification for one ticket (cleared_by 0 while it holds). */
struct verification_lock {
	int64_t ticket_id;
	int64_t verification_id;
	char reason[32];
	int64_t locked_at;
	int64_t cleared_by;
	int64_t cleared_at;
};

/* Staff members to alert (supervisors and admins not disabled). */
struct staff_contact {
	int64_t id;
	char email[256];
};

struct staff_contact_list {
	struct staff_contact *v;  /* malloc'd; staff_contact_list_clear() */
	size_t n;
};

/* What happened recently (since a time) around a verification: the
 * verifications a staff member started, and about one customer the wrong
 * codes tried, the codes sent and the portal approvals requested (over
 * every verification and agent). */
struct verification_recent {
	int64_t starts;
	int64_t failures;
	int64_t codes;
	int64_t approvals;
};

/* Verifications (NULL-safe). */
void verification_list_clear(struct verification_list *l);
void staff_contact_list_clear(struct staff_contact_list *l);

#endif
