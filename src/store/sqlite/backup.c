/*
 * Online backup and restore of the SQLite database (store/store_backup.h).
 * sqlite3_backup_step(-1) copies every page inside one read transaction,
 * so the copy is one consistent snapshot even while `serve` writes (in
 * WAL mode writers are not blocked; a copy made page by page across
 * several steps would start again at every write from another process).
 * The copy is then switched to a rollback journal, so it is one file, and
 * checked with PRAGMA integrity_check before it counts.
 */
#include "store/store_backup.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/embed.h"

extern const struct embedded_file store_migrations[];

/* Milliseconds a locked source may make the copy wait. */
#define BACKUP_BUSY_MS 10000

int
store_sqlite_latest_version(void)
{
	long last = 0;

	for (const struct embedded_file *m = store_migrations; m->name; m++)
		last = strtol(m->name, NULL, 10);
	return (int)last;
}

/* Creates dst exclusively, mode 0600, empty (an empty file is an empty
 * database to SQLite). 0, or -EEXIST or -1 with err set. */
static int
create_exclusive(const char *dst, char *err, size_t errsz)
{
	int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EEXIST) {
		snprintf(err, errsz, "%.300s exists: a backup or restore never "
				     "overwrites a file", dst);
		return -EEXIST;
	}
	snprintf(err, errsz, "%.300s cannot be created (%s)", dst,
		 strerror(errno));
	return -1;
}

/* The first column of the first row of sql as an integer (0 when none). */
static int64_t
int_of(sqlite3 *db, const char *sql, int *ok)
{
	sqlite3_stmt *st = NULL;
	int64_t v = 0;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	*ok = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	return v;
}

/* PRAGMA integrity_check says "ok" (its only row). 0 or -1. */
static int
integrity_ok(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int ok = 0;

	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) ==
		    SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		ok = t != NULL && strcmp((const char *)t, "ok") == 0 &&
		     sqlite3_step(st) == SQLITE_DONE;
	}
	sqlite3_finalize(st);
	return ok ? 0 : -1;
}

/* Copies every page of from into to, in one step. 0 or -1 with err. */
static int
copy_pages(sqlite3 *from, sqlite3 *to, char *err, size_t errsz)
{
	sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
	int rc;

	if (b == NULL) {
		snprintf(err, errsz, "the copy cannot start: %s",
			 sqlite3_errmsg(to));
		return -1;
	}
	do {
		rc = sqlite3_backup_step(b, -1);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(50);
	} while (rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(err, errsz, "the copy failed: %s",
			 sqlite3_errstr(rc));
		return -1;
	}
	return 0;
}

/* Switches dst to a rollback journal, checks it and reads its schema
 * version. 0 or -1 with err. */
static int
seal_copy(sqlite3 *to, int *version_out, char *err, size_t errsz)
{
	int ok = 0;
	int64_t v;

	if (sqlite3_exec(to, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errsz, "the copy cannot leave WAL mode: %s",
			 sqlite3_errmsg(to));
		return -1;
	}
	if (integrity_ok(to) < 0) {
		snprintf(err, errsz, "the copy fails PRAGMA integrity_check");
		return -1;
	}
	v = int_of(to, "SELECT COALESCE(MAX(version), 0) FROM "
		       "schema_migrations", &ok);
	if (!ok || v <= 0) {
		snprintf(err, errsz, "it holds no Gatehouse schema "
				     "(no schema_migrations)");
		return -1;
	}
	*version_out = (int)v;
	return 0;
}

/* Writes dst's pages to disk. 0 or -1. */
static int
sync_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Opens src with flags and copies it into the new file dst (see the
 * header). 0, or -1 with err (dst removed unless it existed). */
static int
copy_into_new(const char *src, int flags, const char *dst, int *version_out,
	      char *err, size_t errsz)
{
	sqlite3 *from = NULL, *to = NULL;
	int rc = create_exclusive(dst, err, errsz);

	if (rc < 0)
		return rc;
	rc = -1;
	if (sqlite3_open_v2(src, &from, flags, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "%.300s cannot be opened: %s", src,
			 from != NULL ? sqlite3_errmsg(from) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(from, BACKUP_BUSY_MS);
	if (sqlite3_open_v2(dst, &to, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errsz, "%.300s cannot be opened", dst);
		goto out;
	}
	if (copy_pages(from, to, err, errsz) < 0 ||
	    seal_copy(to, version_out, err, errsz) < 0)
		goto out;
	rc = 0;
out:
	sqlite3_close(from);
	if (sqlite3_close(to) != SQLITE_OK || (rc == 0 && sync_file(dst) < 0)) {
		snprintf(err, errsz, "%.300s cannot be written to disk", dst);
		rc = -1;
	}
	if (rc < 0)
		unlink(dst);
	return rc;
}

int
store_sqlite_backup(const char *src, const char *dst, int64_t *bytes_out,
		    int *version_out, char *err, size_t errsz)
{
	struct stat st;
	int rc = copy_into_new(src, SQLITE_OPEN_READWRITE, dst, version_out,
			       err, errsz);

	if (rc < 0)
		return rc;
	*bytes_out = stat(dst, &st) == 0 ? (int64_t)st.st_size : 0;
	return 0;
}

int
store_sqlite_restore(const char *src, const char *dst, int *version_out,
		     char *err, size_t errsz)
{
	int latest = store_sqlite_latest_version();
	int rc = copy_into_new(src, SQLITE_OPEN_READONLY, dst, version_out,
			       err, errsz);

	if (rc < 0)
		return rc;
	if (*version_out > latest) {
		snprintf(err, errsz, "the backup has schema version %d, newer "
				     "than this gatehouse (%d): restore it with "
				     "the release that made it",
			 *version_out, latest);
		unlink(dst);
		return -1;
	}
	return 0;
}
