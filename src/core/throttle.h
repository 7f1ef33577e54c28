/*
 * Failed-login throttling with growing delays, kept in the store so every
 * node sees the same counters. Two keys per attempt: the account (a blind
 * index of the login name, so unknown names are throttled exactly like
 * real ones and reveal nothing) and the source address (IPv6 by /64).
 *
 * After `free` failures each further failure blocks the key for
 * base * 2^(n - free) seconds, capped at max; at `lock` consecutive
 * failures the account key is blocked until an operator clears it
 * (`gatehouse staff|customer unlock`). A success clears the account key.
 */
#ifndef GH_CORE_THROTTLE_H
#define GH_CORE_THROTTLE_H

#include <stdint.h>

#include "core/app.h"
#include "store/store.h"

#define THROTTLE_LOCKED INT64_MAX

/* Fills key with the account key for login in realm. */
void throttle_account_key(struct app *app, enum realm realm,
			  const char *login, char *key, size_t keysz);
/* Fills key with the address key for ip (text form). */
void throttle_ip_key(const char *ip, char *key, size_t keysz);

/* 0 when key may try now; otherwise -GH_TOO_MANY_ATTEMPTS with
 * *retry_after in seconds. */
int throttle_check(struct store_conn *c, const char *key, int64_t now,
		   int64_t *retry_after);

/* Records a failure for key; is_account selects the account rules. */
int throttle_fail(struct app *app, struct store_conn *c, const char *key,
		  int is_account, int64_t now);

int throttle_clear(struct store_conn *c, const char *key);

#endif
