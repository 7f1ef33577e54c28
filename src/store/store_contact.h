/*
 * Customer protection's storage operations and their records (migration
 * 017): contact codes an agent gives a customer ("is this really you?"),
 * the customer's checks of codes, and the customer's own view of the
 * reveals of their data and of their authenticator. Kept apart from
 * store/store.h, which includes this header before struct store_ops (whose
 * member `contact` holds the operations). Include store/store.h, not this
 * file.
 *
 * Invariant: a code is stored only as its keyed hash (code_hash, hex);
 * nothing here ever holds the code itself.
 */
#ifndef GH_STORE_STORE_CONTACT_H
#define GH_STORE_STORE_CONTACT_H

#include <stddef.h>
#include <stdint.h>

/* A new code: who gave it to whom, on which ticket, until when. */
struct contact_code_new {
	const char *code_hash;    /* hex keyed hash (CRYPTO_HASH_HEX) */
	int64_t ticket_id;
	int64_t customer_id;
	int64_t staff_id;
	int64_t now;
	int64_t expires_at;
};

/* A stored code, with the first name source (the staff member's name). */
struct contact_code_rec {
	int64_t id;
	int64_t ticket_id;
	int64_t customer_id;
	int64_t staff_id;
	char staff_name[404];
	int64_t created_at;
	int64_t expires_at;
	int64_t used_at;          /* 0 while unused */
};

/* Counts in a window, and the oldest time counted (0 when none): the
 * rate limits say when the window frees a place. */
struct contact_window {
	int64_t n;
	int64_t oldest;
};

/* One reveal of the customer's data, as the customer sees it. */
struct contact_reveal {
	int64_t at;
	char agent[404];          /* the staff member's full name */
	char field[72];
	char reason[2004];
};

struct contact_reveal_list {
	struct contact_reveal *v; /* malloc'd; contact_reveal_list_clear() */
	size_t n;
};

/* The customer's authenticator: enrolled (1/0) and since when (the last
 * enrolment's audit time, else the account's creation). */
struct contact_mfa {
	int enrolled;
	int64_t since;
};

/*
 * The operations, member `contact` of struct store_ops.
 *
 * code_insert: a new code row. code_live: 0 when a code with hash h is
 * unused and expires after now (a new code must not collide), else
 * -GH_NOT_FOUND. code_find: the newest code with hash h (-GH_NOT_FOUND).
 * code_use: marks code id used at now; -GH_CONFLICT when it already was.
 * codes_since: the codes staff_id gave after since. check_insert: a
 * customer's check and its outcome. checks_since: the checks of
 * customer_id after since. reveals: the newest `limit` reveals of
 * customer_id's data, newest first. mfa: the customer's authenticator
 * state (-GH_NOT_FOUND without such a customer).
 */
struct store_conn;

struct store_contact_ops {
	int (*code_insert)(struct store_conn *c,
			   const struct contact_code_new *n, int64_t *id_out);
	int (*code_live)(struct store_conn *c, const char *h, int64_t now);
	int (*code_find)(struct store_conn *c, const char *h,
			 struct contact_code_rec *out);
	int (*code_use)(struct store_conn *c, int64_t id, int64_t now);
	int (*codes_since)(struct store_conn *c, int64_t staff_id,
			   int64_t since, struct contact_window *out);
	int (*check_insert)(struct store_conn *c, int64_t customer_id,
			    int genuine, int64_t now);
	int (*checks_since)(struct store_conn *c, int64_t customer_id,
			    int64_t since, struct contact_window *out);
	int (*reveals)(struct store_conn *c, int64_t customer_id,
		       int64_t limit, struct contact_reveal_list *out);
	int (*mfa)(struct store_conn *c, int64_t customer_id,
		   struct contact_mfa *out);
};

/* Releases what reveals filled (NULL-safe). */
void contact_reveal_list_clear(struct contact_reveal_list *l);

#endif
