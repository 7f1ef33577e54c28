/*
 * The key ring of field keys (see crypto.h): loading it from a data
 * directory, following it while the process runs (a changed
 * DIR/keys/current marker or an unknown key id makes it reload), and the
 * file operations of `gatehouse keys` (a new key, the current marker, the
 * retirement of a key, the listing).
 *
 * Invariant: the ring changes only under its lock, and a reload replaces
 * it whole or not at all; key files appear complete or not at all (new
 * keys by link(2), the marker by rename(2)), so a server that reloads
 * while `keys rotate` runs never reads half a key.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto_int.h"
#include "util/fileio.h"

/* The new contents of a ring while a reload builds them. */
struct ring_load {
	uint32_t current;
	size_t n;
	struct ring_key keys[CRYPTO_RING_MAX];
	int marker_seen;
	struct stat marker;
};

struct ring *
ring_new(const unsigned char field[FIELD_KEY_BYTES])
{
	struct ring *r = sodium_malloc(sizeof(*r));

	if (r == NULL)
		return NULL;
	memset(r, 0, sizeof(*r));
	if (pthread_mutex_init(&r->lock, NULL) != 0) {
		sodium_free(r);
		return NULL;
	}
	r->keys[0].id = 1;
	memcpy(r->keys[0].field, field, FIELD_KEY_BYTES);
	r->n = 1;
	r->current = 1;
	return r;
}

void
ring_free(struct ring *r)
{
	if (r == NULL)
		return;
	(void)pthread_mutex_destroy(&r->lock);
	sodium_free(r);
}

/* DIR/keys/name, or DIR/keys when name is NULL. 0 or -1 (too long). */
static int
ring_path(const char *dir, const char *name, char *out, size_t outsz)
{
	int n;

	if (name == NULL)
		n = snprintf(out, outsz, "%s/keys", dir);
	else
		n = snprintf(out, outsz, "%s/keys/%s", dir, name);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/* The id of a key file name "N.key" (N >= 2, no leading zero), or 0. */
static uint32_t
key_file_id(const char *name)
{
	uint32_t v = 0;
	size_t i = 0;

	if (name[0] < '1' || name[0] > '9')
		return 0;
	for (; name[i] >= '0' && name[i] <= '9'; i++) {
		if (i >= 4)
			return 0;
		v = v * 10 + (uint32_t)(name[i] - '0');
	}
	if (strcmp(name + i, ".key") != 0 || v < 2 || v > CRYPTO_KEY_ID_MAX)
		return 0;
	return v;
}

/* Reads the current marker: *id (1 when there is none), *seen, and its
 * stat in *st. 0, or -1 when it is unreadable or malformed. */
static int
read_marker(const char *dir, uint32_t *id, int *seen, struct stat *st)
{
	char path[PATH_MAX];
	char buf[16];
	char *end = NULL;
	ssize_t n;
	unsigned long v;
	int fd;

	*id = 1;
	*seen = 0;
	memset(st, 0, sizeof(*st));
	if (ring_path(dir, "current", path, sizeof(path)) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	n = fstat(fd, st) == 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	(void)close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\0' && strcmp(end, "\n") != 0))
		return -1;
	if (v < 1 || v > CRYPTO_KEY_ID_MAX)
		return -1;
	*id = (uint32_t)v;
	*seen = 1;
	return 0;
}

/* 1 when DIR/keys/1.retired exists: key 1 is no field key any more. */
static int
key1_retired(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	if (ring_path(dir, "1.retired", path, sizeof(path)) < 0)
		return 0;
	return lstat(path, &st) == 0;
}

/* Reads key file path as ring key id into l. 0 or -1. */
static int
load_key(struct ring_load *l, const char *path, uint32_t id)
{
	unsigned char *key = NULL;
	int rc;

	if (l->n == CRYPTO_RING_MAX)
		return -1;
	if (crypto_read_secret_file(path, CRYPTO_KEY_BYTES, &key) != 0)
		return -1;
	rc = crypto_derive_field(key, l->keys[l->n].field);
	sodium_free(key);
	if (rc != 0)
		return -1;
	l->keys[l->n++].id = id;
	return 0;
}

/* Every DIR/keys/N.key into l (none when DIR/keys does not exist). */
static int
load_key_files(struct ring_load *l, const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int rc = 0;

	if (ring_path(dir, NULL, path, sizeof(path)) < 0)
		return -1;
	d = opendir(path);
	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		uint32_t id = key_file_id(e->d_name);

		if (id == 0)
			continue;
		if (ring_path(dir, e->d_name, path, sizeof(path)) < 0)
			rc = -1;
		else
			rc = load_key(l, path, id);
	}
	(void)closedir(d);
	return rc;
}

/* Builds the ring of dir into l: the marker, key 1 unless retired, the
 * key files; the current key must be among them. 0 or -1. */
static int
load_ring(struct ring_load *l, const char *dir)
{
	char path[PATH_MAX];

	memset(l, 0, sizeof(*l));
	if (read_marker(dir, &l->current, &l->marker_seen, &l->marker) < 0)
		return -1;
	if (!key1_retired(dir)) {
		if ((size_t)snprintf(path, sizeof(path), "%s/master.key",
				     dir) >= sizeof(path) ||
		    load_key(l, path, 1) < 0)
			return -1;
	}
	if (load_key_files(l, dir) < 0)
		return -1;
	for (size_t i = 0; i < l->n; i++)
		if (l->keys[i].id == l->current)
			return 0;
	return -1;
}

/* Reloads r from its directory, under r->lock: all or nothing. */
static int
reload_locked(struct ring *r)
{
	struct ring_load *l = sodium_malloc(sizeof(*l));
	int rc = -1;

	if (l == NULL)
		return -1;
	if (load_ring(l, r->dir) == 0) {
		sodium_memzero(r->keys, sizeof(r->keys));
		memcpy(r->keys, l->keys, sizeof(r->keys));
		r->n = l->n;
		r->current = l->current;
		r->marker_seen = l->marker_seen;
		r->marker_dev = l->marker.st_dev;
		r->marker_ino = l->marker.st_ino;
		r->marker_mtime = l->marker.st_mtim;
		r->marker_size = l->marker.st_size;
		rc = 0;
	}
	sodium_free(l);
	return rc;
}

int
ring_open_dir(struct ring *r, const char *dir)
{
	int rc = -1;

	pthread_mutex_lock(&r->lock);
	if ((size_t)snprintf(r->dir, sizeof(r->dir), "%s", dir) <
	    sizeof(r->dir))
		rc = reload_locked(r);
	if (rc != 0)
		r->dir[0] = '\0';
	pthread_mutex_unlock(&r->lock);
	return rc;
}

/* 1 when the current marker is not what r last read. */
static int
marker_changed(const struct ring *r)
{
	char path[PATH_MAX];
	struct stat st;

	if (ring_path(r->dir, "current", path, sizeof(path)) < 0)
		return 1;
	if (lstat(path, &st) != 0)
		return r->marker_seen;
	return !r->marker_seen || st.st_dev != r->marker_dev ||
	       st.st_ino != r->marker_ino || st.st_size != r->marker_size ||
	       st.st_mtim.tv_sec != r->marker_mtime.tv_sec ||
	       st.st_mtim.tv_nsec != r->marker_mtime.tv_nsec;
}

/* Copies key id of r into key. 0 or -1. Under r->lock. */
static int
copy_key(const struct ring *r, uint32_t id,
	 unsigned char key[FIELD_KEY_BYTES])
{
	for (size_t i = 0; i < r->n; i++) {
		if (r->keys[i].id == id) {
			memcpy(key, r->keys[i].field, FIELD_KEY_BYTES);
			return 0;
		}
	}
	return -1;
}

int
ring_current_key(struct ring *r, unsigned char key[FIELD_KEY_BYTES],
		 uint32_t *id)
{
	int rc = 0;

	pthread_mutex_lock(&r->lock);
	if (r->dir[0] != '\0' && marker_changed(r))
		rc = reload_locked(r);
	if (rc == 0)
		rc = copy_key(r, r->current, key);
	*id = rc == 0 ? r->current : 0;
	pthread_mutex_unlock(&r->lock);
	return rc;
}

int
ring_key(struct ring *r, uint32_t id, unsigned char key[FIELD_KEY_BYTES])
{
	int rc;

	pthread_mutex_lock(&r->lock);
	if (r->dir[0] != '\0' && marker_changed(r))
		(void)reload_locked(r);
	rc = copy_key(r, id, key);
	if (rc != 0 && r->dir[0] != '\0' && reload_locked(r) == 0)
		rc = copy_key(r, id, key);
	pthread_mutex_unlock(&r->lock);
	return rc;
}

/* --- the files, for `gatehouse keys` ---------------------------------- */

int
crypto_ring_lock(const char *dir, int *fd_out)
{
	char path[PATH_MAX];
	int fd;

	*fd_out = -1;
	if (ring_path(dir, NULL, path, sizeof(path)) < 0)
		return -1;
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return -1;
	if (ring_path(dir, "lock", path, sizeof(path)) < 0)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int busy = errno == EWOULDBLOCK;

		(void)close(fd);
		return busy ? -EBUSY : -1;
	}
	*fd_out = fd;
	return 0;
}

void
crypto_ring_unlock(int fd)
{
	if (fd >= 0)
		(void)close(fd);
}

/* The ids of the key files in dir's ring, and the current marker's. */
static int
ring_ids(const char *dir, uint32_t *ids, size_t max, size_t *n,
	 uint32_t *current)
{
	char path[PATH_MAX];
	struct stat st;
	struct dirent *e;
	DIR *d;
	int seen;

	*n = 0;
	if (read_marker(dir, current, &seen, &st) < 0 ||
	    ring_path(dir, NULL, path, sizeof(path)) < 0)
		return -1;
	d = opendir(path);
	if (d == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL) {
		uint32_t id = key_file_id(e->d_name);
		size_t i = *n;

		if (id == 0 || *n == max)
			continue;
		/* Insertion in id order. */
		for (; i > 0 && ids[i - 1] > id; i--)
			ids[i] = ids[i - 1];
		ids[i] = id;
		(*n)++;
	}
	(void)closedir(d);
	return 0;
}

int
crypto_ring_add(const char *dir, uint32_t *id_out)
{
	uint32_t ids[CRYPTO_RING_MAX], current = 1, next;
	unsigned char *key = NULL;
	char name[24], path[PATH_MAX];
	size_t n = 0;
	int rc = -1;

	*id_out = 0;
	if (crypto_init() != 0 ||
	    ring_ids(dir, ids, CRYPTO_RING_MAX, &n, &current) < 0)
		return -1;
	if (n + 1 >= CRYPTO_RING_MAX)
		return -1;
	next = n > 0 && ids[n - 1] > current ? ids[n - 1] : current;
	next = next < 1 ? 2 : next + 1;
	if (next > CRYPTO_KEY_ID_MAX)
		return -1;
	snprintf(name, sizeof(name), "%u.key", (unsigned)next);
	key = sodium_malloc(CRYPTO_KEY_BYTES);
	if (key == NULL || ring_path(dir, NULL, path, sizeof(path)) < 0 ||
	    (mkdir(path, 0700) != 0 && errno != EEXIST) ||
	    ring_path(dir, name, path, sizeof(path)) < 0)
		goto out;
	crypto_kdf_keygen(key);
	rc = write_file_atomic(path, key, CRYPTO_KEY_BYTES, 0600);
	if (rc == 0)
		*id_out = next;
out:
	if (key != NULL)
		sodium_free(key);
	return rc;
}

/* 1 when the ring of dir has a key file for id (key 1: not retired). */
static int
has_key(const char *dir, uint32_t id)
{
	char name[24], path[PATH_MAX];
	struct stat st;

	if (id == 1)
		return !key1_retired(dir);
	snprintf(name, sizeof(name), "%u.key", (unsigned)id);
	return ring_path(dir, name, path, sizeof(path)) == 0 &&
	       lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Writes text to a new temporary file beside path and renames it over
 * path; the directory is synced. 0 or -1. */
static int
replace_file(const char *path, const char *text)
{
	char tmp[PATH_MAX], dirp[PATH_MAX];
	size_t len = strlen(text);
	int fd, rc = -1;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >=
	    sizeof(tmp))
		return -1;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fchmod(fd, 0600) == 0 && write(fd, text, len) == (ssize_t)len &&
	    fsync(fd) == 0)
		rc = 0;
	if (close(fd) != 0 || rc != 0 || rename(tmp, path) != 0) {
		(void)unlink(tmp);
		return -1;
	}
	snprintf(dirp, sizeof(dirp), "%s", path);
	*strrchr(dirp, '/') = '\0';
	fd = open(dirp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd) == 0 ? 0 : -1;
	(void)close(fd);
	return rc;
}

int
crypto_ring_set_current(const char *dir, uint32_t id)
{
	char path[PATH_MAX], text[16];

	if (id < 1 || id > CRYPTO_KEY_ID_MAX || !has_key(dir, id))
		return -ENOENT;
	if (ring_path(dir, NULL, path, sizeof(path)) < 0)
		return -1;
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return -1;
	if (ring_path(dir, "current", path, sizeof(path)) < 0)
		return -1;
	snprintf(text, sizeof(text), "%u\n", (unsigned)id);
	return replace_file(path, text);
}

int
crypto_ring_retire(const char *dir, uint32_t id)
{
	char name[24], path[PATH_MAX];
	struct stat st;
	uint32_t current;
	int seen;

	if (read_marker(dir, &current, &seen, &st) < 0)
		return -1;
	if (id == current)
		return -EBUSY;
	if (id < 1 || id > CRYPTO_KEY_ID_MAX || !has_key(dir, id))
		return -ENOENT;
	if (id == 1) {
		if (ring_path(dir, "1.retired", path, sizeof(path)) < 0 ||
		    write_file_atomic(path, "retired\n", 8, 0600) != 0)
			return -1;
	} else {
		snprintf(name, sizeof(name), "%u.key", (unsigned)id);
		if (ring_path(dir, name, path, sizeof(path)) < 0 ||
		    unlink(path) != 0)
			return -1;
	}
	/* A new marker (same id) makes running servers reload. */
	return crypto_ring_set_current(dir, current);
}

int
crypto_ring_list(const char *dir, struct crypto_ring_entry *out, size_t max,
		 size_t *n_out, uint32_t *current)
{
	uint32_t ids[CRYPTO_RING_MAX];
	size_t n = 0;

	*n_out = 0;
	if (max < 1 || ring_ids(dir, ids, CRYPTO_RING_MAX, &n, current) < 0)
		return -1;
	memset(out, 0, max * sizeof(*out));
	out[0].id = 1;
	out[0].current = *current == 1;
	out[0].retired = key1_retired(dir);
	snprintf(out[0].file, sizeof(out[0].file), "master.key");
	*n_out = 1;
	for (size_t i = 0; i < n && *n_out < max; i++) {
		struct crypto_ring_entry *e = &out[(*n_out)++];

		e->id = ids[i];
		e->current = ids[i] == *current;
		snprintf(e->file, sizeof(e->file), "keys/%u.key",
			 (unsigned)ids[i]);
	}
	return 0;
}

int
crypto_ring_check(const char *dir, uint32_t id,
		  unsigned char out[CRYPTO_KEY_CHECK_BYTES])
{
	static const char label[] = "gatehouse key check v1";
	unsigned char *key = NULL;
	char name[24], path[PATH_MAX];

	if (id < 2 || crypto_init() != 0)
		return -ENOENT;
	snprintf(name, sizeof(name), "%u.key", (unsigned)id);
	if (ring_path(dir, name, path, sizeof(path)) < 0 ||
	    crypto_read_secret_file(path, CRYPTO_KEY_BYTES, &key) != 0)
		return -ENOENT;
	crypto_generichash(out, CRYPTO_KEY_CHECK_BYTES,
			   (const unsigned char *)label, sizeof(label) - 1, key,
			   CRYPTO_KEY_BYTES);
	sodium_free(key);
	return 0;
}
