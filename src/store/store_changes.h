/*
 * The records of the store's account-change operations (migration 012;
 * the operations are in struct store_ops, the rules in core/changes.h),
 * kept apart from store/store.h, which includes this header, so that
 * header stays readable. Strings are fixed-size fields; records and
 * lists own their blobs and arrays and are released with the *_clear()
 * functions (store_changes.c).
 */
#ifndef GH_STORE_STORE_CHANGES_H
#define GH_STORE_STORE_CHANGES_H

#include <stddef.h>
#include <stdint.h>

/* Account changes under dual control (migration 012). A request moves
 * pending_approval -> cooling_off (approved) -> applied, or from either
 * open state to cancelled (by the customer) or rejected (by a
 * supervisor); failed when it could not be applied (e.g. the new e-mail
 * address was taken meanwhile). value is the new value sealed by core
 * (AD "change.<kind>:<customer_id>:<ref>"), empty for mfa_reset. Texts
 * hold what core enforces: reasons 3..500 code points of UTF-8. */
#define CHANGE_TEXT_BYTES 2004

struct change_new {
	const char *ref;          /* random, unique; part of the sealing AD */
	int64_t customer_id;
	const char *kind;         /* email | phone | mfa_reset | account_number */
	struct blob value;        /* sealed; empty for mfa_reset */
	int64_t requested_by;     /* staff */
	int64_t verification_id;
	int64_t ticket_id;
	const char *reason;
	int64_t now;
};

struct change_rec {
	int64_t id;
	char ref[48];
	int64_t customer_id;
	char customer_name[404];
	char kind[16];
	struct blob value;        /* sealed; only from change_get */
	char state[20];
	int64_t requested_by;
	char requested_by_name[404];
	int64_t verification_id;
	int64_t ticket_id;
	char reason[CHANGE_TEXT_BYTES];
	int64_t created_at;
	int64_t approved_by;      /* 0 until approved */
	char approved_by_name[404];
	int64_t approved_at;
	char approval[CHANGE_TEXT_BYTES];
	int64_t apply_after;      /* 0 until approved */
	int64_t closed_at;        /* 0 while open */
	char closed_by[48];       /* "staff:3", "customer:9", "system" */
	char closing[CHANGE_TEXT_BYTES]; /* reason of a rejection or failure */
};

struct change_list {
	struct change_rec *v;     /* malloc'd; change_list_clear() */
	size_t n;
};

/* Which requests a listing shows, newest first. */
struct change_query {
	int64_t customer_id;      /* 0: every customer */
	const char *state;        /* NULL: any; "open": both open states */
	int64_t limit, offset;
};

/* A customer's sealed fields re-sealed under a new e-mail blind index
 * (a changed e-mail address: every field's AD names the index). */
struct customer_reseal {
	int64_t id;
	const char *old_idx;
	const char *new_idx;
	struct blob email, phone, dob, address, phrase, totp_seed;
};

/* Release what the change operations filled (NULL-safe). */
void change_rec_clear(struct change_rec *r);
void change_list_clear(struct change_list *l);
void customer_reseal_clear(struct customer_reseal *r);

#endif
