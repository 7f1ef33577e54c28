/*
 * Failed-login throttling with growing delays, kept in the store so every
 * node sees the same counters. Two keys per attempt: the account (a blind
 * index of the login name, so unknown names are throttled exactly like
 * real ones and reveal nothing) and the source address (IPv6 by /64).
 *
 * After `free` failures each further failure blocks the key for
 * base * 2^(n - free) seconds, capped at max; at `lock` consecutive
 * failures the account key is blocked until an operator clears it
 * (`gatehouse staff|customer unlock`).
 *
 * An attempt is reserved before the work it guards (the password check):
 * throttle_reserve counts it as a failure on every key at once, in one
 * statement per key, and refuses it when a key is blocked, so attempts
 * made in parallel count exactly like attempts made one after another and
 * no more than the configured number of guesses is ever checked. When the
 * attempt succeeds, throttle_settle clears the account key and gives the
 * address its attempt back; a failure needs nothing more.
 */
#ifndef GH_CORE_THROTTLE_H
#define GH_CORE_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/app.h"
#include "store/store.h"

/* Which rules a key follows ([security] login_* in the config). */
enum throttle_kind {
	THROTTLE_ACCOUNT, /* login_free_failures, then the lock */
	THROTTLE_ADDRESS, /* login_ip_free_failures, never locked */
};

/* One key an attempt counts on; held is filled by throttle_reserve. */
struct throttle_claim {
	const char *key;
	enum throttle_kind kind;
	struct throttle_rec held;
};

/* Fills key with the account key for login in realm. */
void throttle_account_key(struct app *app, enum realm realm,
			  const char *login, char *key, size_t keysz);
/* Fills key with the address key for ip (text form). */
void throttle_ip_key(const char *ip, char *key, size_t keysz);

/*
 * Reserves an attempt at time now on the n keys of claims, in a
 * transaction of its own (not inside another): 0 when no key is blocked,
 * each now counting the attempt as a failure; -GH_TOO_MANY_ATTEMPTS with
 * *retry_after in seconds when one is (nothing is counted then); or a
 * store error.
 */
int throttle_reserve(struct app *app, struct store_conn *c,
		     struct throttle_claim *claims, size_t n, int64_t now,
		     int64_t *retry_after);

/* The reserved attempt succeeded: clears the account keys and refunds
 * the address keys of claims. Runs in the caller's transaction, if any. */
int throttle_settle(struct store_conn *c, const struct throttle_claim *claims,
		    size_t n);

/* Forgets every failure of key (a success, or an operator's unlock). */
int throttle_clear(struct store_conn *c, const char *key);

#endif
