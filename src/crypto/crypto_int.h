/*
 * Private header of crypto.c and keyring.c: the layout of struct
 * crypto_keys and of the key ring it holds, the subkey ids and the
 * secret-file reader both files use. Nothing outside src/crypto/
 * includes it.
 *
 * Invariant: the subkeys derived from key 1 (index, token, CSRF) never
 * change for the life of a struct crypto_keys; the ring's field keys
 * change only under ring->lock, and no pointer into the ring leaves the
 * lock (callers get a copy of the key they need, which they wipe).
 */
#ifndef GH_CRYPTO_CRYPTO_INT_H
#define GH_CRYPTO_CRYPTO_INT_H

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <sodium.h>

#include "crypto/crypto.h"

/* The fixed KDF context: exactly crypto_kdf_CONTEXTBYTES (8) characters.
 * Subkey ids: never renumber, or every stored value becomes unreadable. */
#define CRYPTO_KDF_CONTEXT "GhKeys01"
enum {
	SUBKEY_FIELD = 1,
	SUBKEY_INDEX = 2,
	SUBKEY_TOKEN = 3,
	SUBKEY_CSRF = 4,
};

#define FIELD_KEY_BYTES crypto_aead_xchacha20poly1305_ietf_KEYBYTES

/* One field key of the ring. */
struct ring_key {
	uint32_t id;
	unsigned char field[FIELD_KEY_BYTES];
};

/* The field keys, in sodium_malloc'd memory. dir is "" for a ring made
 * from bytes (tests): it holds key 1 only and never reloads. The marker
 * fields remember DIR/keys/current as last read (seen 0: absent), so a
 * change of it (rename gives a new inode) triggers a reload. */
struct ring {
	pthread_mutex_t lock;
	char dir[PATH_MAX];
	uint32_t current;
	size_t n;
	struct ring_key keys[CRYPTO_RING_MAX];
	int marker_seen;
	dev_t marker_dev;
	ino_t marker_ino;
	struct timespec marker_mtime;
	off_t marker_size;
};

struct crypto_keys {
	unsigned char index[crypto_generichash_KEYBYTES];
	unsigned char token[crypto_generichash_KEYBYTES];
	unsigned char csrf[crypto_generichash_KEYBYTES];
	struct ring *ring;
};

/*
 * Reads exactly len bytes from a regular file that no group or other may
 * read into sodium_malloc'd memory (*out, freed with sodium_free). 0 or
 * -1; -ENOENT when the file does not exist.
 */
int crypto_read_secret_file(const char *path, size_t len,
			    unsigned char **out);

/* Derives the field subkey of a ring key from its 32 key bytes. 0 or -1. */
int crypto_derive_field(const unsigned char key[CRYPTO_KEY_BYTES],
			unsigned char field[FIELD_KEY_BYTES]);

/* keyring.c: a new ring (sodium_malloc'd, lock initialised) holding key 1
 * with field subkey field (copied), current 1, no directory. NULL when out
 * of memory. ring_free wipes and frees it (NULL ok). */
struct ring *ring_new(const unsigned char field[FIELD_KEY_BYTES]);
void ring_free(struct ring *r);

/* keyring.c: loads the ring of dir into r (see crypto_keys_open_dir). */
int ring_open_dir(struct ring *r, const char *dir);

/* keyring.c: copies the current field key (after taking a changed
 * current marker into account) and its id. 0 or -1. */
int ring_current_key(struct ring *r, unsigned char key[FIELD_KEY_BYTES],
		     uint32_t *id);

/* keyring.c: copies the field key id (after taking a changed current
 * marker into account, and reloading the ring once when it does not hold
 * it). 0 or -1 when no key of the ring has this id. */
int ring_key(struct ring *r, uint32_t id, unsigned char key[FIELD_KEY_BYTES]);

#endif
