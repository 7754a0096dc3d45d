/* Files: read with a size limit; write atomically (temporary file, fsync,
 * rename, fsync of the directory), optionally keeping the previous
 * generation as FILE.prev; create secret files 0600 with O_EXCL|O_NOFOLLOW.
 * This is the only place in the library that touches the file system, and
 * it does so only when called. */
#ifndef LEERPAS_FILEIO_H
#define LEERPAS_FILEIO_H

#include "leerpas/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Read a whole file of at most max bytes. LP_ERR_NOT_FOUND if absent,
 * LP_ERR_TOO_LARGE if bigger than max, LP_ERR_IO otherwise (errno kept). */
lp_err lp_file_read(const char *path, size_t max, lp_buf *out) LP_WARN_UNUSED;

/* Options for lp_file_write_atomic. */
#define LP_WRITE_KEEP_PREVIOUS 1u  /* hard-link the old file to PATH.prev first */
#define LP_WRITE_EXCLUSIVE 2u      /* fail with LP_ERR_EXISTS if PATH exists */

/* Replace path with data atomically: write PATH.tmp.XXXXXX (mode), fsync,
 * rename over path, fsync the directory. On any failure the old file is
 * untouched and the temporary file is removed. */
lp_err lp_file_write_atomic(const char *path, lp_view data, unsigned mode,
			    unsigned flags) LP_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
