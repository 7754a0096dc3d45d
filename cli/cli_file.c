/* Bounded file reads and atomic writes for the programs, with messages that
 * say what went wrong (missing, too large, disk full, no permission) and
 * what to do. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "leerpas/fileio.h"

lp_err cli_read_file(const char *path, size_t max, const char *what, lp_buf *out)
{
	lp_err rc = lp_file_read(path, max, out);
	int err = errno;

	if (rc == LP_OK)
		return LP_OK;
	if (rc == LP_ERR_NOT_FOUND)
		cli_error("check the path", "%s '%s' does not exist", what, path);
	else if (rc == LP_ERR_TOO_LARGE)
		cli_error("check that this is the right file", "%s '%s' is larger than %zu bytes", what,
			  path, max);
	else if (rc == LP_ERR_IO)
		cli_error("check the path and its permissions", "cannot read %s '%s': %s", what, path,
			  strerror(err));
	else
		cli_fail(rc, "try again", "cannot read %s '%s'", what, path);
	return rc;
}

lp_err cli_write_file(const char *path, lp_view data, unsigned mode, bool exclusive,
		      const char *what)
{
	lp_err rc;
	int err;

	errno = 0;
	rc = lp_file_write_atomic(path, data, mode, exclusive ? LP_WRITE_EXCLUSIVE : 0);
	err = errno;
	if (rc == LP_OK)
		return LP_OK;
	if (rc == LP_ERR_EXISTS)
		cli_error("choose another name or remove the old file first",
			  "%s '%s' already exists; not overwriting it", what, path);
	else if (err == ENOSPC || err == EFBIG || err == EDQUOT)
		cli_error("free some space and run the command again (nothing was written)",
			  "cannot write %s '%s': %s", what, path, strerror(err));
	else if (err == EACCES || err == EPERM || err == EROFS)
		cli_error("check the permissions of the directory (nothing was written)",
			  "cannot write %s '%s': %s", what, path, strerror(err));
	else if (err == ENOENT || err == ENOTDIR)
		cli_error("create the directory first", "cannot write %s '%s': %s", what, path,
			  strerror(err));
	else
		cli_fail(rc, "check the path and free space (nothing was written)",
			 "cannot write %s '%s'%s%s", what, path, err ? ": " : "",
			 err ? strerror(err) : "");
	return rc;
}

json_t *cli_read_json(const char *path, size_t max, const char *what)
{
	lp_buf b = { NULL, 0 };
	json_error_t je;
	json_t *v;

	if (cli_read_file(path, max, what, &b) != LP_OK)
		return NULL;
	v = json_loadb((const char *)b.ptr, b.len, JSON_REJECT_DUPLICATES, &je);
	lp_buf_free(&b);
	if (!v)
		cli_error("fix the JSON syntax there", "%s '%s' is not valid JSON at line %d, column %d: %s",
			  what, path, je.line, je.column, je.text);
	return v;
}
