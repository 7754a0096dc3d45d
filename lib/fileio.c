/* The library's only file-system code: bounded reads and atomic,
 * crash-safe replacement of a file (temporary file, fsync, rename, fsync of
 * the directory), keeping the previous generation on request. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leerpas/fileio.h"

lp_err lp_file_read(const char *path, size_t max, lp_buf *out)
{
	lp_err rc = LP_ERR_IO;
	uint8_t *data = NULL;
	size_t len = 0, cap;
	int fd;

	out->ptr = NULL;
	out->len = 0;
	if (!path)
		return LP_ERR_ARG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? LP_ERR_NOT_FOUND : LP_ERR_IO;

	/* Read in growing chunks up to max + 1 bytes so that a file that grows
	 * while we read, or a pipe, is still bounded. */
	cap = 4096;
	for (;;) {
		ssize_t n;
		if (len == cap) {
			size_t ncap = cap * 2;
			uint8_t *p;
			if (cap > max) {
				rc = LP_ERR_TOO_LARGE;
				goto out;
			}
			p = realloc(data, ncap);
			if (!p) {
				rc = LP_ERR_NOMEM;
				goto out;
			}
			data = p;
			cap = ncap;
		}
		if (!data) {
			data = malloc(cap);
			if (!data) {
				rc = LP_ERR_NOMEM;
				goto out;
			}
		}
		n = read(fd, data + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			rc = LP_ERR_TOO_LARGE;
			goto out;
		}
	}
	out->ptr = data ? data : malloc(1);
	if (!out->ptr) {
		rc = LP_ERR_NOMEM;
		goto out;
	}
	out->len = len;
	data = NULL;
	rc = LP_OK;
out:
	if (data) {
		memset(data, 0, cap);
		free(data);
	}
	close(fd);
	return rc;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsync the directory that holds path, so the rename itself is durable. */
static int sync_dir_of(const char *path)
{
	char *dir = strdup(path);
	char *slash;
	int fd, r;

	if (!dir)
		return -1;
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

lp_err lp_file_write_atomic(const char *path, lp_view data, unsigned mode, unsigned flags)
{
	lp_err rc = LP_ERR_IO;
	size_t plen;
	char *tmp = NULL, *prev = NULL;
	int fd = -1, saved = 0;
	struct stat st;

	if (!path || (!data.ptr && data.len))
		return LP_ERR_ARG;
	plen = strlen(path);
	tmp = malloc(plen + 16);
	prev = malloc(plen + 8);
	if (!tmp || !prev) {
		rc = LP_ERR_NOMEM;
		goto out;
	}
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp.XXXXXX", 12);
	memcpy(prev, path, plen);
	memcpy(prev + plen, ".prev", 6);

	if ((flags & LP_WRITE_EXCLUSIVE) && lstat(path, &st) == 0) {
		rc = LP_ERR_EXISTS;
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0)
		goto out;
	if (fchmod(fd, (mode_t)mode) != 0 || write_all(fd, data.ptr, data.len) != 0 ||
	    fsync(fd) != 0) {
		saved = errno;
		goto fail_tmp;
	}
	if (close(fd) != 0) {
		fd = -1;
		saved = errno;
		goto fail_tmp;
	}
	fd = -1;

	if (flags & LP_WRITE_EXCLUSIVE) {
		/* link() fails if the target exists: no race with another writer. */
		if (link(tmp, path) != 0) {
			saved = errno;
			rc = saved == EEXIST ? LP_ERR_EXISTS : LP_ERR_IO;
			unlink(tmp);
			errno = saved;
			goto out;
		}
		unlink(tmp);
	} else {
		if ((flags & LP_WRITE_KEEP_PREVIOUS) && lstat(path, &st) == 0) {
			/* The old file stays reachable as PATH.prev: replace any older
			 * .prev by a fresh hard link to the current generation. If the
			 * link fails we must not proceed, or the learner could lose
			 * the only good copy during a crash. */
			char *ptmp = malloc(plen + 20);
			if (!ptmp) {
				rc = LP_ERR_NOMEM;
				unlink(tmp);
				goto out;
			}
			memcpy(ptmp, path, plen);
			memcpy(ptmp + plen, ".prev.tmp", 10);
			unlink(ptmp);
			if (link(path, ptmp) != 0 || rename(ptmp, prev) != 0) {
				saved = errno;
				unlink(ptmp);
				free(ptmp);
				goto fail_tmp;
			}
			free(ptmp);
		}
		if (rename(tmp, path) != 0) {
			saved = errno;
			goto fail_tmp;
		}
	}
	if (sync_dir_of(path) != 0)
		goto out; /* the new file is in place; durability unconfirmed */
	rc = LP_OK;
	goto out;

fail_tmp:
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(tmp);
	errno = saved;
out:
	if (fd >= 0)
		close(fd);
	free(tmp);
	free(prev);
	return rc;
}
