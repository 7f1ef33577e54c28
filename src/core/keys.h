/*
 * Key rotation: every sealed value of the database (enum sealed_col in
 * store/store.h) sealed again under the ring's current key, in small
 * transactions beside a running server; the tally of values per key; and
 * the retirement of a key no value is sealed under any more. The ring's
 * files are crypto's (crypto.h); this module decides when they change,
 * and audits it: keys.rotate, keys.reseal, keys.retire (refusals too).
 *
 * A value is replaced only while it is still what was read (the store
 * compares), so a value the server changes meanwhile is never lost; it is
 * looked at again in the next pass. Running servers follow the ring by
 * themselves (crypto.h): new values are sealed under the new key from the
 * first seal after it becomes current.
 *
 * Only one of rotate, reseal and retire runs at a time (a lock file in
 * the ring's directory).
 */
#ifndef GH_CORE_KEYS_H
#define GH_CORE_KEYS_H

#include <stdint.h>

#include "core/app.h"
#include "store/store.h"

struct keys_tally {
	uint32_t id;     /* key id; 0: values that name no key */
	int64_t values;
};

struct keys_report {
	uint32_t current;     /* the key new values are sealed under */
	uint32_t previous;    /* rotate: the key that was current before */
	int64_t resealed;     /* values sealed again under current */
	int64_t changed;      /* changed by someone else meanwhile */
	int64_t failed;       /* values that did not open: left as they are */
	const char *failed_column; /* the first of them ("customers.phone") */
	int64_t failed_row;
	struct keys_tally by_key[CRYPTO_RING_MAX + 1]; /* values per key */
	size_t n;
};

/* The number of sealed values per key id, over every sealed column, into
 * out (by_key, n, current). 0 or a store error. */
int keys_tally(struct app *app, struct store_conn *c,
	       struct keys_report *out);

/*
 * Makes a new key current (crypto_ring_add, crypto_ring_set_current),
 * audited keys.rotate, then seals every value not under it again, in
 * passes until one finds nothing left to do (at most a few), audited
 * keys.reseal with the counts; out gets them and the tally after. 0 when
 * every value is under the new key; -GH_CONFLICT with *why when some are
 * not (values that do not open, values changed at every pass); another
 * error with *why (the lock is held, a key file cannot be written).
 */
int keys_rotate(struct app *app, struct store_conn *c, const char *actor,
		struct keys_report *out, const char **why);

/* The second half of keys_rotate alone: seals every value not under the
 * current key again (to finish a rotation that was interrupted). */
int keys_reseal(struct app *app, struct store_conn *c, const char *actor,
		struct keys_report *out, const char **why);

/*
 * Retires key id: refused while it is current (-GH_BAD_STATE), while any
 * value is sealed under it (-GH_CONFLICT, *left: how many), when the ring
 * has no such key (-GH_NOT_FOUND) or the lock is held (-GH_BAD_STATE);
 * *why says which in plain words. Otherwise crypto_ring_retire (the key
 * file deleted; key 1: marked retired, master.key kept for the blind
 * indexes). Audited keys.retire, refusals with outcome "denied".
 */
int keys_retire(struct app *app, struct store_conn *c, const char *actor,
		uint32_t id, int64_t *left, const char **why);

/*
 * Staged rotation for several nodes. keys_add writes a new key that is
 * not current (*id_out), audited keys.add. keys_use makes key id (already
 * in this node's ring) current, audited keys.use (*previous: the key
 * current before); -GH_NOT_FOUND when this node's ring has no key id.
 * Neither reseals: run keys_reseal once every node uses the new key.
 * Both: -GH_BAD_STATE with *why while the ring's lock is held.
 */
int keys_add(struct app *app, struct store_conn *c, const char *actor,
	     uint32_t *id_out, const char **why);
int keys_use(struct app *app, struct store_conn *c, const char *actor,
	     uint32_t id, uint32_t *previous, const char **why);

/* "customers.email", "staff.totp_seed", ... for col. */
const char *keys_column_name(enum sealed_col col);

#endif
