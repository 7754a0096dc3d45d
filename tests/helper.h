/* Helpers shared by the test suites (linked into every test executable):
 * running the built programs as a user would, and small file utilities. */
#ifndef LP_TEST_HELPER_H
#define LP_TEST_HELPER_H

#include <stddef.h>
#include <stdint.h>

/* The outcome of one program run. */
typedef struct lpt_run {
	int status;      /* exit code, or 128 + signal number if killed */
	char *out;       /* captured stdout, NUL-terminated (owned) */
	size_t out_len;
	char *err;       /* captured stderr, NUL-terminated (owned) */
	size_t err_len;
} lpt_run;

/* Run argv[0] (a path; "leerpas-issuer" etc. are resolved to
 * LP_BINARY_DIR/<name> when they contain no '/'), feeding `in` (may be
 * NULL) on stdin, with extra environment entries env ("NAME=value", NULL-
 * terminated list, may be NULL) added to the current environment. Never
 * fails the test itself; returns the outcome. */
lpt_run lpt_runv(const char *in, const char *const *env, const char *const *argv);

/* Convenience: NULL-terminated variadic argument list. */
lpt_run lpt_run_args(const char *in, const char *prog, ...);

void lpt_run_free(lpt_run *r);

/* A fresh temporary directory (mkdtemp under /tmp); the path is owned by
 * the caller (free). */
char *lpt_tmpdir(void);

/* Write/read whole files; abort the test on failure. Returned data is
 * NUL-terminated and owned by the caller. */
void lpt_write_file(const char *path, const void *data, size_t len);
char *lpt_read_file(const char *path, size_t *len);

/* printf into a fresh string (owned by the caller). */
char *lpt_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
