/*
 * The storage interface: every piece of state that matters across requests
 * (accounts, sessions, throttling counters, last accepted TOTP steps, the
 * audit log) goes through the typed operations declared here. A backend
 * (store/sqlite/ now; PostgreSQL later) fills struct store_ops; core/ and
 * api/ see only this header, never sqlite3.h or libpq-fe.h.
 *
 * Threads: a struct store is shared; each thread takes a struct store_conn
 * with store_acquire() for the length of one request and gives it back.
 * Transactions go through store_transact(), which retries when the backend
 * reports contention (SQLITE_BUSY, serialization failures).
 *
 * Strings handed in are borrowed. Records filled by an operation own their
 * memory and are released with the matching *_clear() function.
 * Return values: 0, or -GH_NOT_FOUND / -GH_CONFLICT / -GH_EXISTS for the
 * expected outcomes, -GH_UNAVAILABLE for contention that outlived the
 * retries, -GH_INTERNAL for anything else (logged by the backend).
 */
#ifndef GH_STORE_STORE_H
#define GH_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

enum realm { REALM_STAFF = 0, REALM_CUSTOMER = 1 };
const char *realm_name(enum realm r);

struct store;
struct store_conn;

/* A byte string owned by a record (sealed fields, seeds). */
struct blob {
	unsigned char *data;
	size_t len;
};

/* What login needs of an account, in either realm. */
struct account {
	int64_t id;
	char login[256];    /* staff: e-mail; customer: e-mail blind index */
	char role[16];      /* staff: agent|supervisor|admin; customer: "" */
	char pw_hash[128];
	struct blob totp_seed; /* sealed */
	int64_t totp_last_step;
	int totp_enrolled;
	int disabled;
};

struct staff_new {
	const char *email;
	const char *name;
	const char *role;
	const char *pw_hash;
	struct blob totp_seed; /* sealed */
};

struct customer_new {
	const char *email_idx;
	struct blob email;     /* sealed, as are the optional fields below */
	const char *name;
	struct blob phone, dob, address;
	const char *pw_hash;
	struct blob totp_seed;
	int totp_enrolled;
};

struct session_rec {
	char token_hash[65];
	enum realm realm;
	int64_t principal_id;
	int64_t created_at;
	int64_t last_seen;
	int64_t idle_secs;
	int64_t abs_expires;
	int mfa;
	char ip[64];
	/* Filled by session_get from the principal's row: */
	char role[16];
	int disabled;
	/* Staff only (0 for customers): when the password was last set
	 * (its creation time at first) and its forced-change flag, so that
	 * the password gate needs no statement of its own. */
	int64_t pw_changed_at;
	int pw_must_change;
	/* How the session was opened (issue 17): "password", "passkey" or
	 * "password_enrol" (may only enrol a passkey); session_insert
	 * writes "password" for "". session_get also fills, for staff, how
	 * many passkeys the principal has (0 for customers), so that the
	 * passkey gate needs no statement of its own. */
	char method[16];
	int64_t passkeys;
};

struct throttle_rec {
	char key[80];
	int64_t failures;
	int64_t last_failure;
	int64_t blocked_until;
};

/* blocked_until of a key locked until an operator clears it. */
#define THROTTLE_LOCKED INT64_MAX

/* How throttle_take blocks a key at its n-th failure (the policy is
 * core/throttle.c's; the store applies it in the statement that counts):
 * at lock_failures (0: never) the key is locked (THROTTLE_LOCKED); from
 * free_failures on it is blocked for delay_base seconds doubled per
 * further failure, at most delay_max; before that it is not blocked. */
struct throttle_rule {
	int64_t free_failures;
	int64_t lock_failures;
	int64_t delay_base;
	int64_t delay_max;
};

#include "store/store_tickets.h"

/* What the outbound check and notifications need of a customer. All
 * blobs sealed as accounts.c seals them (AD "customer.<col>:<email_idx>"). */
struct customer_contact {
	int64_t id;
	char email_idx[80];
	char name[404];
	struct blob email, phone, phrase;
};

/* A customer's sealed personal fields (as accounts.c seals them), for
 * rebuilding the fingerprint index. Blobs are empty when a field is not
 * set. Release with customer_sealed_clear(). */
struct customer_sealed {
	int64_t id;
	char email_idx[80];
	struct blob email, phone, dob, address;
};

/* Attachments (migration 005). content is sealed (AD
 * "attachment:<sha256>:<ticket_id>"); filename is the sanitised display
 * name (at most 255 code points); reasons and redactions are JSON arrays
 * built by core/attachments.c. */
struct attachment_new {
	int64_t ticket_id;
	enum realm uploader_realm;
	int64_t uploader_id;
	const char *filename;
	int64_t size;
	const char *sha256;       /* hex of the stored bytes */
	const char *sniffed_type;
	const char *verdict;      /* clean | suspicious | dangerous */
	const char *reasons;
	const char *redactions;
	const char *flagged;      /* JSON array of flagged archive entries */
	int quarantined;
	struct blob content;      /* sealed */
	int64_t created_at;
	int64_t delete_after;     /* 0: keep */
};

struct attachment_rec {
	int64_t id;
	int64_t ticket_id;
	enum realm uploader_realm;
	int64_t uploader_id;
	char filename[1024];
	int64_t size;
	char sha256[65];
	char sniffed_type[96];
	char verdict[16];
	char reasons[1024];
	char redactions[1024];
	char flagged[8192];
	int quarantined;
	int64_t released_by;      /* 0: never released */
	int64_t released_at;
	int64_t created_at;
	int64_t delete_after;     /* 0: keep */
	struct blob content;      /* sealed; only from attachment_get */
};

struct attachment_list {
	struct attachment_rec *v; /* malloc'd; attachment_list_clear() */
	size_t n;
};

#include "store/store_outbox.h"
#include "store/store_held.h"
#include "store/store_verify.h"
#include "store/store_reveals.h"
#include "store/store_training.h"
#include "store/store_drills.h"
/* Audit pages (see audit_page below). A row callback gets one record
 * (record and leaf valid during the call only) and returns 0 to go on,
 * > 0 to stop the read early (the read then returns 0) or a negative
 * error, which the read returns. */
typedef int (*audit_row_fn)(void *ctx, int64_t seq, const char *record,
			    const unsigned char leaf[32]);

/* One signed checkpoint of the audit tree (migration 003). */
struct audit_cp {
	int64_t id;
	int64_t size;            /* tree size: records 1..size */
	unsigned char root[32];  /* RFC 6962 root over them */
	unsigned char sig[64];   /* Ed25519 over merkle_checkpoint_text */
	int64_t created;
};

/* As audit_row_fn, for one checkpoint. */
typedef int (*audit_cp_fn)(void *ctx, const struct audit_cp *cp);

#include "store/store_changes.h"
#include "store/store_fields.h"
#include "store/store_contact.h"
#include "store/store_hygiene.h"
#include "store/store_quota.h"
#include "store/store_super.h"
#include "store/store_macros.h"
#include "store/store_search.h"
#include "store/store_sla.h"
#include "store/store_self.h"
#include "store/store_events.h"
#include "store/store_passkeys.h"
#include "store/store_pkreset.h"


struct store_ops {
	const char *name;

	/* Transactions: use store_transact() rather than these. */
	int (*begin)(struct store_conn *c);
	int (*commit)(struct store_conn *c);
	int (*rollback)(struct store_conn *c);

	/* Accounts. login is the staff e-mail or the customer's e-mail blind
	 * index. */
	int (*account_by_login)(struct store_conn *c, enum realm r,
				const char *login, struct account *out);
	int (*account_by_id)(struct store_conn *c, enum realm r, int64_t id,
			     struct account *out);
	/* Sets totp_last_step = step only when step > the stored value;
	 * -GH_CONFLICT when it is not (a replayed code). */
	int (*account_advance_totp)(struct store_conn *c, enum realm r,
				    int64_t id, int64_t step);
	int (*account_set_pw_hash)(struct store_conn *c, enum realm r,
				   int64_t id, const char *pw_hash);
	/* Replaces the sealed TOTP seed and sets enrolled; the last accepted
	 * step restarts at 0. */
	int (*account_set_totp)(struct store_conn *c, enum realm r, int64_t id,
				const struct blob *seed, int enrolled);
	int (*account_set_disabled)(struct store_conn *c, enum realm r,
				    int64_t id, int disabled);
	/* Also makes the new member part of queue `general`, in the same
	 * transaction (the default membership). */
	int (*staff_insert)(struct store_conn *c, const struct staff_new *s,
			    int64_t *id_out);
	/* A staff member's display name (C0) into out (outsz bytes, cut at
	 * outsz - 1); -GH_NOT_FOUND when there is no such staff member. */
	int (*staff_name)(struct store_conn *c, int64_t id, char *out,
			  size_t outsz);
	int (*customer_insert)(struct store_conn *c,
			       const struct customer_new *s, int64_t *id_out);

	/* Sessions. session_get fills role/disabled from the principal. */
	int (*session_insert)(struct store_conn *c,
			      const struct session_rec *s);
	int (*session_get)(struct store_conn *c, const char *token_hash,
			   struct session_rec *out);
	int (*session_touch)(struct store_conn *c, const char *token_hash,
			     int64_t now);
	int (*session_delete)(struct store_conn *c, const char *token_hash);
	/* Deletes every session of a principal; *n_out gets the count. */
	int (*session_delete_principal)(struct store_conn *c, enum realm r,
					int64_t id, int64_t *n_out);

	/* Throttling. throttle_get: -GH_NOT_FOUND when no row. */
	int (*throttle_get)(struct store_conn *c, const char *key,
			    struct throttle_rec *out);
	int (*throttle_put)(struct store_conn *c,
			    const struct throttle_rec *t);
	int (*throttle_clear)(struct store_conn *c, const char *key);
	/* Reserves an attempt on key before the work it guards, atomically:
	 * when the key is not blocked at now (blocked_until <= now), counts
	 * the attempt as a failure (failures + 1, last_failure = now, the
	 * block rule gives) and fills out with the new row; when it is
	 * blocked, counts nothing, fills out with the row and returns
	 * -GH_CONFLICT. Parallel attempts count exactly as serial ones. */
	int (*throttle_take)(struct store_conn *c, const char *key,
			     int64_t now, const struct throttle_rule *rule,
			     struct throttle_rec *out);
	/* Gives back an attempt throttle_take reserved (t is what it filled)
	 * and that succeeded: failures - 1, and the block it earned lifted
	 * when the key still has it (nothing else was counted since). */
	int (*throttle_refund)(struct store_conn *c,
			       const struct throttle_rec *t);

	/* Audit: append a record; read one by sequence number (1-based);
	 * count. audit_get gives a malloc'd record (caller frees). */
	int (*audit_append)(struct store_conn *c, const char *record,
			    const unsigned char leaf[32], int64_t *seq_out);
	int (*audit_get)(struct store_conn *c, int64_t seq, char **record_out,
			 unsigned char leaf_out[32]);
	int (*audit_count)(struct store_conn *c, int64_t *n_out);
	/* Signed checkpoints of the audit tree. checkpoint_get: the n-th
	 * (1-based, oldest first) or -GH_NOT_FOUND. */
	int (*audit_checkpoint_insert)(struct store_conn *c, int64_t size,
				       const unsigned char root[32],
				       const unsigned char sig[64]);
	int (*audit_checkpoint_get)(struct store_conn *c, int64_t n,
				    int64_t *size_out,
				    unsigned char root_out[32],
				    unsigned char sig_out[64],
				    int64_t *created_out);

	/* Tickets. Operations named portal_* serve the public listener: they
	 * take the customer's id, filter by it in SQL and never read the
	 * notes table; a ticket of another customer is -GH_NOT_FOUND. */
	/* A new ticket is open, unassigned and in queue `general`. */
	int (*ticket_insert)(struct store_conn *c, int64_t customer_id,
			     const char *subject, int64_t now,
			     int64_t *id_out);
	/* Sets status, assignee (0: none) and updated_at. */
	int (*ticket_update)(struct store_conn *c, int64_t id,
			     const char *status, int64_t assignee_id,
			     int64_t now);
	int (*message_insert)(struct store_conn *c, int64_t ticket_id,
			      enum realm author_realm, int64_t author_id,
			      const char *body, int64_t now, int64_t *id_out);
	int (*note_insert)(struct store_conn *c, int64_t ticket_id,
			   int64_t staff_id, const char *body, int64_t now,
			   int64_t *id_out);
	int (*portal_ticket_get)(struct store_conn *c, int64_t customer_id,
				 int64_t ticket_id, struct ticket_rec *out);
	/* Newest last_activity first, ties by id (newest first); one
	 * indexed query. */
	int (*portal_ticket_list)(struct store_conn *c, int64_t customer_id,
				  const struct ticket_page *p,
				  struct ticket_list *out);
	/* The messages of the customer's ticket, oldest first. */
	int (*portal_messages)(struct store_conn *c, int64_t customer_id,
			       int64_t ticket_id, struct thread_list *out);
	/* Staff side: a ticket is visible when q->see_all, or it is assigned
	 * to q->viewer_id, or it is unassigned and in a queue q->viewer_id is
	 * a member of. Invisible is -GH_NOT_FOUND. Lists are newest
	 * updated_at first, ties by id (newest first), from the keyset of q;
	 * q->queue_id > 0 keeps only that queue's tickets. A page is one
	 * indexed query that reads no ticket outside it (sqlite/
	 * tickets_list.c). */
	int (*staff_ticket_get)(struct store_conn *c,
				const struct ticket_query *q,
				int64_t ticket_id, struct ticket_rec *out);
	int (*staff_ticket_list)(struct store_conn *c,
				 const struct ticket_query *q,
				 struct ticket_list *out);
	/* Queues. queue_insert: -GH_EXISTS when the name is taken.
	 * queue_by_name: -GH_NOT_FOUND when there is none. queue_list: all
	 * queues by id, with their member counts. staff_queue_add:
	 * -GH_EXISTS when already a member (a staff member or queue that does
	 * not exist is refused too: callers check both first).
	 * staff_queue_remove: -GH_NOT_FOUND when not a member.
	 * staff_queue_list: the staff member's queues by id (members 0).
	 * staff_in_queue: 0 when a member, -GH_NOT_FOUND otherwise.
	 * ticket_set_queue: moves a ticket and sets updated_at; -GH_NOT_FOUND
	 * when there is no such ticket. */
	int (*queue_insert)(struct store_conn *c, const char *name,
			    int64_t *id_out);
	int (*queue_by_name)(struct store_conn *c, const char *name,
			     struct queue_rec *out);
	int (*queue_list)(struct store_conn *c, struct queue_list *out);
	int (*staff_queue_add)(struct store_conn *c, int64_t staff_id,
			       int64_t queue_id);
	int (*staff_queue_remove)(struct store_conn *c, int64_t staff_id,
				  int64_t queue_id);
	int (*staff_queue_list)(struct store_conn *c, int64_t staff_id,
				struct queue_list *out);
	int (*staff_in_queue)(struct store_conn *c, int64_t staff_id,
			      int64_t queue_id);
	int (*ticket_set_queue)(struct store_conn *c, int64_t ticket_id,
				int64_t queue_id, int64_t now);
	/* ticket_set_priority: sets priority and updated_at. ticket_set_tags:
	 * makes the ticket's tags exactly tags (sorted, space-separated, each
	 * valid; "" for none), in tickets.tags and ticket_tags, and sets
	 * updated_at. Both -GH_NOT_FOUND when there is no such ticket. */
	int (*ticket_set_priority)(struct store_conn *c, int64_t ticket_id,
				   const char *priority, int64_t now);
	int (*ticket_set_tags)(struct store_conn *c, int64_t ticket_id,
			       const char *tags, int64_t now);
	/* Threads of a ticket the caller has already checked (staff). */
	int (*staff_messages)(struct store_conn *c, int64_t ticket_id,
			      struct thread_list *out);
	int (*staff_notes)(struct store_conn *c, int64_t ticket_id,
			   struct thread_list *out);
	/* Customers' contact data (sealed) and anti-phishing phrase. */
	int (*customer_contact)(struct store_conn *c, int64_t customer_id,
				struct customer_contact *out);
	int (*customer_set_phrase)(struct store_conn *c, int64_t customer_id,
				   const struct blob *phrase);
	/* The fingerprint index of customers' personal values (migration
	 * 004; core/fingerprints.h computes fp). fingerprint_add is
	 * idempotent. fingerprint_foreign: 0 when (kind, fp) belongs to a
	 * customer other than customer_id and not to customer_id as well (a
	 * value two customers share, e.g. a family's address, is also this
	 * customer's own), -GH_NOT_FOUND otherwise.
	 * fingerprint_count counts all rows. customer_sealed_next gives the
	 * customer with the smallest id above after_id (-GH_NOT_FOUND past
	 * the last), for rebuilding the index. */
	int (*fingerprint_add)(struct store_conn *c, const char *kind,
			       const char *fp, int64_t customer_id);
	int (*fingerprint_foreign)(struct store_conn *c, const char *kind,
				   const char *fp, int64_t customer_id);
	int (*fingerprint_count)(struct store_conn *c, int64_t *n_out);
	/* Calls fn(cls, row, kind, fp) for each index row whose row id is
	 * >= from_row, in row id order (the row id only grows: the in-memory
	 * filter of core/fingerprints.c catches up with it). fn returns 0 to
	 * go on, a negative error to stop (returned). 0 or a store error. */
	int (*fingerprint_since)(struct store_conn *c, int64_t from_row,
				 int (*fn)(void *cls, int64_t row,
					   const char *kind, const char *fp),
				 void *cls);
	int (*customer_sealed_next)(struct store_conn *c, int64_t after_id,
				    struct customer_sealed *out);
	/* Stores the inbound analysis of a message (JSON texts; NULL leaves
	 * the column NULL). -GH_NOT_FOUND when there is no such message. */
	int (*message_set_analysis)(struct store_conn *c, int64_t message_id,
				    const char *redactions, const char *links);
	/* Outbox. outbox_due gives at most max undelivered rows whose
	 * next_attempt_at <= now, oldest first. outbox_claim moves
	 * next_attempt_at from expected to until (-GH_CONFLICT when another
	 * node changed it first). outbox_delivered sets delivered_at and wipes
	 * the sealed recipient and phrase; outbox_failed counts an attempt
	 * and schedules the next. Rows are never deleted here. */
	int (*outbox_insert)(struct store_conn *c, const struct outbox_new *o,
			     int64_t *id_out);
	int (*outbox_due)(struct store_conn *c, int64_t now, size_t max,
			  struct outbox_list *out);
	int (*outbox_claim)(struct store_conn *c, int64_t id, int64_t expected,
			    int64_t until);
	int (*outbox_delivered)(struct store_conn *c, int64_t id, int64_t now);
	int (*outbox_failed)(struct store_conn *c, int64_t id,
			     int64_t next_attempt_at, const char *error);
	/* Attachments. attachment_get fills the record with its sealed
	 * content (-GH_NOT_FOUND when there is no such row); the caller
	 * checks the ticket's visibility. attachment_list gives a ticket's
	 * attachments without content, oldest first. portal_attachment_list
	 * gives those the customer uploaded to their own ticket (filtered in
	 * SQL; another customer's ticket gives an empty list).
	 * attachment_release clears quarantined and records who and when
	 * (-GH_CONFLICT when the row is not quarantined). attachment_expired
	 * writes up to max ids whose delete_after <= now into ids (*n_out
	 * gets the count); attachment_delete removes one row. */
	int (*attachment_insert)(struct store_conn *c,
				 const struct attachment_new *a,
				 int64_t *id_out);
	int (*attachment_get)(struct store_conn *c, int64_t id,
			      struct attachment_rec *out);
	int (*attachment_list)(struct store_conn *c, int64_t ticket_id,
			       struct attachment_list *out);
	int (*portal_attachment_list)(struct store_conn *c,
				      int64_t customer_id, int64_t ticket_id,
				      struct attachment_list *out);
	int (*attachment_release)(struct store_conn *c, int64_t id,
				  int64_t staff_id, int64_t now);
	int (*attachment_expired)(struct store_conn *c, int64_t now,
				  size_t max, int64_t *ids, size_t *n_out);
	int (*attachment_delete)(struct store_conn *c, int64_t id);
	/* Held replies (migration 009; see struct held_reply). held_insert
	 * stores one in state "held". held_get gives held reply id of ticket
	 * ticket_id (-GH_NOT_FOUND when that ticket has none with this id);
	 * held_list a ticket's held replies in every state, oldest first.
	 * held_decide moves a reply from state "held" to d->state, recording
	 * who, when, why and the message it became; -GH_CONFLICT when it is
	 * no longer held. note_mark gives the number of a ticket's notes and
	 * the largest note id (0 and 0 when it has none): the reply path
	 * checks a reply against the notes outside the write transaction and
	 * writes it only while the mark is still the same. */
	int (*held_insert)(struct store_conn *c, const struct held_new *h,
			   int64_t *id_out);
	int (*held_get)(struct store_conn *c, int64_t ticket_id, int64_t id,
			struct held_reply *out);
	int (*held_list)(struct store_conn *c, int64_t ticket_id,
			 struct held_list *out);
	int (*held_decide)(struct store_conn *c, const struct held_decision *d);
	int (*note_mark)(struct store_conn *c, int64_t ticket_id,
			 int64_t *count_out, int64_t *last_id_out);
	/* Verifications (migration 010; struct verification_rec).
	 * verification_get fills the verification with its factors
	 * (-GH_NOT_FOUND when there is none). verification_open_count counts
	 * staff_id's verifications still open and unexpired at now.
	 * verification_end moves an open one to state ("failed", "denied")
	 * at now; -GH_CONFLICT when it is no longer open.
	 * verification_factor_put writes the factor row of (f->verification_id,
	 * f->method), inserting or replacing it. portal_verification_list
	 * gives the customer's open, unexpired verifications (newest first,
	 * at most max) that wait for their portal approval, each with only
	 * that factor (filtered by customer_id in SQL). */
	int (*verification_insert)(struct store_conn *c,
				   const struct verification_new *v,
				   int64_t *id_out);
	int (*verification_get)(struct store_conn *c, int64_t id,
				struct verification_rec *out);
	int (*verification_open_count)(struct store_conn *c, int64_t staff_id,
				       int64_t now, int64_t *n_out);
	int (*verification_end)(struct store_conn *c, int64_t id,
				const char *state, int64_t now);
	int (*verification_factor_put)(struct store_conn *c,
				       const struct verification_factor *f);
	int (*portal_verification_list)(struct store_conn *c,
					int64_t customer_id, int64_t now,
					size_t max,
					struct verification_list *out);
	/* verification_lock_get: the lock on ticket_id that holds (not
	 * cleared), or -GH_NOT_FOUND. verification_lock_set locks the ticket
	 * (replacing a cleared lock; -GH_EXISTS while one holds).
	 * verification_lock_clear clears the lock that holds, recording who,
	 * when and why; -GH_NOT_FOUND when none holds. */
	int (*verification_lock_get)(struct store_conn *c, int64_t ticket_id,
				     struct verification_lock *out);
	int (*verification_lock_set)(struct store_conn *c, int64_t ticket_id,
				     int64_t verification_id,
				     const char *reason, int64_t now);
	int (*verification_lock_clear)(struct store_conn *c, int64_t ticket_id,
				       int64_t staff_id, const char *reason,
				       int64_t now);
	/* The supervisors and admins who are not disabled, by id. */
	int (*staff_alert_list)(struct store_conn *c,
				struct staff_contact_list *out);
	/* Ends (state "ended") staff_id's open verifications on ticket_id
	 * at now; *n_out gets how many. */
	int (*verification_supersede)(struct store_conn *c, int64_t staff_id,
				      int64_t ticket_id, int64_t now,
				      int64_t *n_out);
	/* The counts of struct verification_recent since `since`. */
	int (*verification_recent)(struct store_conn *c, int64_t staff_id,
				   int64_t customer_id, int64_t since,
				   struct verification_recent *out);

	/* Audit reads in pages, for export and verification without the
	 * whole log in memory. audit_page calls fn for each record with
	 * after < seq <= upto, in seq order, at most limit of them.
	 * audit_checkpoint_page calls fn for each checkpoint with
	 * id > after_id, in id order (oldest first), at most limit.
	 * audit_checkpoint_newest fills out with the newest checkpoint, or
	 * returns -GH_NOT_FOUND when there is none. */
	int (*audit_page)(struct store_conn *c, int64_t after, int64_t upto,
			  int limit, audit_row_fn fn, void *ctx);
	int (*audit_checkpoint_page)(struct store_conn *c, int64_t after_id,
				     int limit, audit_cp_fn fn, void *ctx);
	int (*audit_checkpoint_newest)(struct store_conn *c,
				       struct audit_cp *out);

	/* Account changes (migration 012; see struct change_rec).
	 * change_insert stores one in state pending_approval; -GH_EXISTS when
	 * the customer has an open request of that kind. change_get fills the
	 * record with its sealed value (-GH_NOT_FOUND); change_list gives
	 * records without value, newest first. change_approve moves a
	 * pending request to cooling_off, recording the approver, reason and
	 * apply_after; -GH_CONFLICT when it is not pending or staff_id is its
	 * requester. change_close moves an open request to state (cancelled,
	 * rejected or failed) with who closed it and why; -GH_CONFLICT when
	 * it is no longer open. change_applied moves a request in cooling_off
	 * whose apply_after <= now to applied; -GH_CONFLICT otherwise.
	 * change_due writes up to max ids of requests in cooling_off with
	 * apply_after <= now into ids, oldest first (*n_out the count). */
	int (*change_insert)(struct store_conn *c, const struct change_new *n,
			     int64_t *id_out);
	int (*change_get)(struct store_conn *c, int64_t id,
			  struct change_rec *out);
	int (*change_list)(struct store_conn *c, const struct change_query *q,
			   struct change_list *out);
	int (*change_approve)(struct store_conn *c, int64_t id,
			      int64_t staff_id, const char *reason,
			      int64_t apply_after, int64_t now);
	int (*change_close)(struct store_conn *c, int64_t id, const char *state,
			    const char *closed_by, const char *reason,
			    int64_t now);
	int (*change_applied)(struct store_conn *c, int64_t id, int64_t now);
	int (*change_due)(struct store_conn *c, int64_t now, size_t max,
			  int64_t *ids, size_t *n_out);
	/* The customer's e-mail blind index and every sealed field at once,
	 * where the index is still r->old_idx (-GH_CONFLICT otherwise;
	 * -GH_EXISTS when another customer has r->new_idx); the TOTP replay
	 * guard is kept. customer_set_phone replaces the sealed phone. */
	int (*customer_reseal)(struct store_conn *c,
			       const struct customer_reseal *r);
	int (*customer_set_phone)(struct store_conn *c, int64_t customer_id,
				  const struct blob *phone);
	/* Sealed personal fields (migration 013; core/fields.h and
	 * core/sealed.h seal and open them). field_def_insert adds d
	 * (its id is ignored): -GH_EXISTS when the name is taken.
	 * field_def_by_name: -GH_NOT_FOUND when there is none. field_def_list:
	 * every definition by id. customer_field_put sets a customer's sealed
	 * value of a field (replacing one there was). customer_field_values:
	 * every definition by id, each with this customer's sealed value or
	 * an empty blob. customer_personal: the built-in sealed fields of a
	 * customer (-GH_NOT_FOUND). customer_set_account_number and
	 * customer_set_phone_idx replace one column (an empty blob or NULL
	 * clears it; -GH_NOT_FOUND when there is no such customer).
	 * customer_by_phone_idx writes the ids of at most max customers with
	 * this phone index, by id, into ids (*n_out: how many).
	 * customer_phone_unindexed: the smallest id above after_id of a
	 * customer with a phone number and no phone index (-GH_NOT_FOUND past
	 * the last), for indexing rows older than migration 013. */
	int (*field_def_insert)(struct store_conn *c, const struct field_def *d,
				int64_t *id_out);
	int (*field_def_by_name)(struct store_conn *c, const char *name,
				 struct field_def *out);
	int (*field_def_list)(struct store_conn *c, struct field_def_list *out);
	int (*customer_field_put)(struct store_conn *c, int64_t customer_id,
				  int64_t field_id, const struct blob *value,
				  int64_t now);
	int (*customer_field_values)(struct store_conn *c, int64_t customer_id,
				     struct field_value_list *out);
	int (*customer_personal)(struct store_conn *c, int64_t customer_id,
				 struct customer_personal *out);
	int (*customer_set_account_number)(struct store_conn *c,
					   int64_t customer_id,
					   const struct blob *value);
	int (*customer_set_phone_idx)(struct store_conn *c, int64_t customer_id,
				      const char *phone_idx);
	int (*customer_by_phone_idx)(struct store_conn *c, const char *phone_idx,
				     int64_t *ids, size_t max, size_t *n_out);
	int (*customer_phone_unindexed)(struct store_conn *c, int64_t after_id,
					int64_t *id_out);
	/* Key rotation (core/keys.c) over the sealed columns (enum
	 * sealed_col). sealed_heads writes into out the rows of col with a
	 * value and an id above after_id, at most max, by id, each with the
	 * first bytes of its value (*n_out: how many). sealed_get reads one
	 * row's value and associated-data parts (-GH_NOT_FOUND when the row or
	 * its value is gone). sealed_replace sets the value of row id to val
	 * only while it still is old (-GH_CONFLICT when it changed
	 * meanwhile). */
	int (*sealed_heads)(struct store_conn *c, enum sealed_col col,
			    int64_t after_id, size_t max,
			    struct sealed_head *out, size_t *n_out);
	int (*sealed_get)(struct store_conn *c, enum sealed_col col, int64_t id,
			  struct sealed_value *out);
	int (*sealed_replace)(struct store_conn *c, enum sealed_col col,
			      int64_t id, const struct blob *old,
			      const struct blob *val);
	/* The check values of field keys (migration 029): key_check_put
	 * stores key id's check value (-GH_EXISTS when one is stored: it is
	 * never replaced); key_check_get reads it (-GH_NOT_FOUND: none). */
	int (*key_check_put)(struct store_conn *c, int64_t id,
			     const unsigned char check[16], int64_t now);
	int (*key_check_get)(struct store_conn *c, int64_t id,
			     unsigned char check[16]);
	struct store_disclosure_ops disclosure; /* store/store_reveals.h */
	struct store_training_ops training; /* store/store_training.h */
	struct store_contact_ops contact; /* store/store_contact.h */
	struct store_hygiene_ops hygiene; /* store/store_hygiene.h */
	struct store_drills_ops drills; /* store/store_drills.h */
	struct store_quota_ops quota; /* store/store_quota.h (issue 14) */
	struct store_super_ops super; /* store/store_super.h (issue 15) */
	const struct store_macros_ops *macros; /* store_macros.h (issue 15) */
	struct store_search_ops search; /* store/store_search.h (issue 15) */
	const struct store_sla_ops *sla; /* store/store_sla.h (issue 15) */
	struct store_self_ops self; /* store/store_self.h (issue 15 SELF) */
	/* store/store_events.h (issue 15, part LIVE) */
	const struct store_events_ops *events;
	/* store/store_passkeys.h (issue 17) */
	const struct store_passkeys_ops *passkeys;
	/* store/store_pkreset.h (issue 17 GATE) */
	struct store_pkreset_ops pkreset;
};

/* Every connection starts with the backend's operations table, and the
 * query layer its backend gives the shared operations (store/sql/db.h). */
struct db_vt;
struct store_conn {
	const struct store_ops *ops;
	const struct db_vt *db;
};

/*
 * Opens the database named by url ("sqlite:PATH"), applies pending
 * migrations and prepares a pool of at most max_conns connections.
 * Returns 0 or -GH_INTERNAL (the reason is logged).
 */
int store_open(const char *url, unsigned max_conns, struct store **out);
void store_close(struct store *s);

/* Takes a connection, waiting while all are busy. Never NULL. */
struct store_conn *store_acquire(struct store *s);
/* store_acquire for one request: until store_release, its reads between
 * writes share one snapshot (store_backend.shared_reads). Never hold it
 * across a wait for other work. */
struct store_conn *store_acquire_request(struct store *s);
void store_release(struct store *s, struct store_conn *c);

/*
 * Runs fn(c, cls) inside a transaction: commits when it returns 0, rolls
 * back otherwise and returns its value. When the backend reports
 * contention the whole function runs again (up to a few times, with a short
 * random back-off), so fn must only change state through c.
 */
typedef int (*store_tx_fn)(struct store_conn *c, void *cls);
int store_transact(struct store_conn *c, store_tx_fn fn, void *cls);

/* The schema version after migrations (for `serve --check`, tests). */
int store_schema_version(struct store *s);

/*
 * Readiness (issue 16 MANAGE, http/manage.h): takes a connection of the
 * pool, waiting at most timeout_ms for one, and makes one round trip on
 * it (the backend's ping). 0 with *version_out the schema version the
 * database holds now; -GH_UNAVAILABLE when no connection came in time
 * or the database did not answer.
 */
int store_ping(struct store *s, int timeout_ms, int *version_out);
/* The newest schema version this build's migrations reach. */
int store_schema_newest(const struct store *s);
/* store_acquire waiting at most timeout_ms: NULL when no connection
 * came in time (for the management listener's reads). */
struct store_conn *store_acquire_within(struct store *s, int timeout_ms);

/* The body of a *_list_clear() for a list whose items own nothing:
 * frees the array and empties the list; NULL-safe. */
#define STORE_LIST_FREE(l) \
	do { \
		if ((l) != NULL) { \
			free((l)->v); \
			(l)->v = NULL; \
			(l)->n = 0; \
		} \
	} while (0)

void account_clear(struct account *a);
void blob_clear(struct blob *b);
/* Release what the ticket and outbox operations filled (NULL-safe). */
void ticket_list_clear(struct ticket_list *l);
void queue_list_clear(struct queue_list *l);
void thread_list_clear(struct thread_list *l);
/* Releases what one thread item owns (body, redactions, links). */
void thread_item_clear(struct thread_item *it);
void customer_sealed_clear(struct customer_sealed *cs);
void customer_contact_clear(struct customer_contact *cc);
void outbox_list_clear(struct outbox_list *l);
void attachment_rec_clear(struct attachment_rec *a);
void attachment_list_clear(struct attachment_list *l);
/* Held replies (NULL-safe). */
void held_reply_clear(struct held_reply *h);
void held_list_clear(struct held_list *l);
/* Sealed personal fields and key rotation (NULL-safe). */
void sealed_value_clear(struct sealed_value *v);

/* Backend constructors, used by store_open. */
struct store_backend {
	const char *prefix; /* "sqlite:" */
	int (*open)(const char *path, struct store_conn **out);
	void (*close)(struct store_conn *c);
	int (*migrate)(struct store_conn *c, int *version_out);
	/* With on, reads outside a transaction share one read transaction
	 * (issue 14 VIEW); a write, a transaction or off ends it first, so
	 * no write runs on an old snapshot. */
	void (*shared_reads)(struct store_conn *c, int on);
	/* Readiness (issue 16 MANAGE): one real round trip on c, bounded by
	 * about timeout_ms, reading the schema version the database holds
	 * now into *version_out; -GH_UNAVAILABLE when the database does not
	 * answer, or is no longer the one the store opened. */
	int (*ping)(struct store_conn *c, int timeout_ms, int *version_out);
	/* The newest schema version this build's migrations reach. */
	int (*newest_version)(void);
};
extern const struct store_backend store_sqlite_backend;
/* "postgresql://..." (store/pg/; issue 16). The database password is read
 * from the file named here (NULL or "": libpq's environment and
 * ~/.pgpass) at each connection; call before store_open. */
extern const struct store_backend store_pg_backend;
/* 1 when libpq would read a password from url, however it is written
 * (`user:pw@`, `password=`, a percent-encoded key such as `pass%77ord=`),
 * else 0; a url libpq cannot parse is 0 (connecting to it fails). */
int store_pg_url_has_password(const char *url);
void store_pg_password_file(const char *path);

#endif
