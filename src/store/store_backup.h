/*
 * Copies of the SQLite database for `gatehouse backup` and `restore`
 * (cli/backup.c): SQLite's online backup API, which copies a consistent
 * snapshot of a live database page by page while other processes keep
 * reading and writing it. A copy holds what the database holds: sealed
 * personal fields and seeds as ciphertexts, never a key (keys live in
 * files of the data directory).
 *
 * Neither function overwrites: the destination is created exclusively
 * (mode 0600) and removed again when anything fails, so a failed run
 * leaves no half-written file.
 */
#ifndef GH_STORE_STORE_BACKUP_H
#define GH_STORE_STORE_BACKUP_H

#include <stddef.h>
#include <stdint.h>

/* The highest migration number this binary applies. */
int store_sqlite_latest_version(void);

/*
 * Copies the database file src (live, maybe in WAL mode, opened read and
 * write only for its shared-memory index) into the new file dst, as one
 * snapshot; dst is a self-contained file (rollback journal) that passes
 * PRAGMA integrity_check. *bytes_out and *version_out (its schema
 * version) are set on success. 0, or -1 with a sentence in err (-EEXIST
 * when dst exists).
 */
int store_sqlite_backup(const char *src, const char *dst, int64_t *bytes_out,
			int *version_out, char *err, size_t errsz);

/*
 * Copies the backup file src into the new file dst and checks the copy:
 * PRAGMA integrity_check says ok, it holds a Gatehouse schema, and its
 * schema version is not newer than this binary's (an older one is
 * migrated by the next `serve`). 0, or -1 with a sentence in err (dst is
 * then removed).
 */
int store_sqlite_restore(const char *src, const char *dst, int *version_out,
			 char *err, size_t errsz);

#endif
