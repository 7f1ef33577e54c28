/*
 * write_file_atomic (see fileio.h). The invariant: path is only ever
 * created by link(2) from a fully written and synced temporary file, and
 * link never replaces an existing name, so path is either absent, the
 * caller's complete bytes, or whatever was there before.
 */
#include "util/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes all of data to fd, retrying short writes. 0 or -1. */
static int
write_all(int fd, const unsigned char *data, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

/* Syncs the directory holding path, so a new name in it is durable. */
static int
sync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;
	int rc;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc == 0 ? 0 : -1;
}

int
write_file_atomic(const char *path, const void *data, size_t len,
		  mode_t mode)
{
	char tmp[PATH_MAX];
	int fd = -1;
	int ret = -1;
	int n;

	if (path == NULL || *path == '\0')
		return -1;
	n = snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* mkostemp makes 0600; set the exact mode, whatever the umask. */
	if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 ||
	    fsync(fd) != 0)
		goto out;
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	/* link(2) fails with EEXIST rather than replace path. */
	if (link(tmp, path) != 0) {
		if (errno == EEXIST)
			ret = -EEXIST;
		goto out;
	}
	if (sync_parent(path) != 0) {
		(void)unlink(path);
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	(void)unlink(tmp);
	return ret;
}
