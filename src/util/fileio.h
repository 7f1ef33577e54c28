/*
 * Whole-file writes for keys, certificates and other files created once:
 * the file appears complete or not at all, and an existing file is never
 * replaced. Nothing here logs or interprets the bytes.
 */
#ifndef GH_UTIL_FILEIO_H
#define GH_UTIL_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Creates path holding exactly the len bytes of data, with exactly mode
 * (the umask does not widen or narrow it). The bytes go to a temporary
 * file in the same directory, which is synced and then linked to path, so
 * no reader and no crash ever sees a partial file; the directory is synced
 * too. A symbolic link at path counts as existing and is not followed.
 * Returns 0, -EEXIST when path exists (nothing is changed), or -1 on any
 * other error (no file is left behind).
 */
int write_file_atomic(const char *path, const void *data, size_t len,
		      mode_t mode);

#endif
