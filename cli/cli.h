/* Shared command-line helpers of the three leerpas programs (never part of
 * the library): passphrases, errors and exit codes, progress, JSON output,
 * hardening of processes that hold secrets, bounded file reads. */
#ifndef LEERPAS_CLI_H
#define LEERPAS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "leerpas/common.h"

/* Exit codes (DESIGN): 0 ok/valid, 1 verification or policy failure,
 * 2 usage, I/O or internal error. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_ERROR 2

/* The program name used as prefix in messages ("leerpas-issuer"); set once
 * at the start of main. Defaults to "leerpas". */
void cli_set_progname(const char *name);
const char *cli_progname(void);

/* --- errors and exit codes ------------------------------------------------ */

/* 0 for LP_OK, 1 when lp_err_is_verification(e), 2 otherwise. */
int cli_exit_code(lp_err e);

/* Print "error: <what> — <todo>" to stderr. `what` is printf-style with the
 * arguments; todo may be NULL (then only "error: <what>"). */
void cli_error(const char *todo, const char *what_fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Print "error: <what>: <lp_err_str(e)> — <todo>" and return
 * cli_exit_code(e). The usual last line of a failing command. */
int cli_fail(lp_err e, const char *todo, const char *what_fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* A usage error: prints "error: <what> — see '<progname> <cmd> --help'"
 * and returns CLI_EXIT_ERROR. cmd may be NULL. */
int cli_usage_error(const char *cmd, const char *what_fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* "warning: ..." to stderr. */
void cli_warn(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/* --- passphrases ------------------------------------------------------------ */

/* Where a passphrase comes from: a file (first line), a file descriptor
 * (read up to the first newline or EOF), or else the terminal (/dev/tty,
 * echo off). file NULL and fd < 0 mean "ask on the terminal". */
typedef struct cli_pass_src {
	const char *file;
	int fd;
} cli_pass_src;

#define CLI_PASS_SRC_INIT { NULL, -1 }
#define CLI_PASS_MAX 1024  /* longest passphrase accepted, in bytes */

/* A secret string in sodium_malloc'd (guarded, mlocked) memory, NUL
 * terminated; len excludes the NUL. Release with cli_secret_free, which
 * wipes it. */
typedef struct cli_secret {
	char *ptr;
	size_t len;
} cli_secret;

/* Parse the value of --passphrase-fd: a non-negative decimal number.
 * Returns false (and prints nothing) when the text is not one. */
bool cli_parse_fd(const char *text, int *fd);

/* Read an existing passphrase from src; on the terminal show prompt.
 * On failure prints what went wrong and what to do, returns an lp_err
 * (LP_ERR_IO, LP_ERR_TOO_LARGE, LP_ERR_ARG for an empty passphrase...),
 * and out is zeroed with nothing allocated. */
lp_err cli_passphrase_get(const cli_pass_src *src, const char *prompt, cli_secret *out);

/* Read a new passphrase: on the terminal it is asked twice and both must
 * match; from a file or fd it is read once. Refuses one shorter than
 * min_len bytes. Same failure contract as cli_passphrase_get. */
lp_err cli_passphrase_new(const cli_pass_src *src, const char *prompt, size_t min_len,
			  cli_secret *out);

/* Wipe and free; NULL-tolerant, leaves *s zeroed. */
void cli_secret_free(cli_secret *s);

/* The secret as an lp_view (no NUL). */
lp_view cli_secret_view(const cli_secret *s);

/* --- hardening ----------------------------------------------------------- */

/* For programs that hold secrets: no core dumps (RLIMIT_CORE 0) and not
 * dumpable/ptrace-attachable by same-uid processes (PR_SET_DUMPABLE 0).
 * Returns false if either call failed (the caller may warn and go on). */
bool cli_harden(void);

/* --- progress ------------------------------------------------------------- */

/* A progress bar on stderr, drawn only when stderr is a terminal. Cheap to
 * call on every item: it redraws at most when the shown percentage
 * changes. */
typedef struct cli_progress {
	const char *label;
	size_t total;
	size_t done;
	int shown;    /* percent last drawn, -1 none */
	bool active;  /* stderr is a terminal */
} cli_progress;

void cli_progress_start(cli_progress *p, const char *label, size_t total);
void cli_progress_update(cli_progress *p, size_t done);
/* Draw 100% (if active) and end the line. */
void cli_progress_end(cli_progress *p);

/* --- JSON output ---------------------------------------------------------- */

/* Print v to stdout, indented, followed by a newline, and release the
 * reference (v may be NULL: then prints nothing and returns false).
 * Returns false if writing failed. */
bool cli_json_print(json_t *v);

/* Lowercase hex / base64url (no padding) strings of bytes as new JSON
 * strings; NULL on allocation failure. */
json_t *cli_json_hex(const uint8_t *p, size_t len);
json_t *cli_json_b64url(const uint8_t *p, size_t len);

/* Set obj[key] = v, taking the reference to v (also on failure). Returns
 * false on failure (v NULL or out of memory). */
bool cli_json_set(json_t *obj, const char *key, json_t *v);

/* Format Unix seconds as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21
 * bytes). Returns buf. */
char *cli_time_iso(int64_t t, char buf[32]);

/* Parse "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" or a decimal Unix time.
 * Returns false if the text is none of these. */
bool cli_time_parse(const char *text, int64_t *out);

/* --- files ------------------------------------------------------------------ */

/* Read a whole file of at most max bytes (lp_file_read). On failure prints
 * "error: cannot read <what> '<path>': <reason> — <todo>", returns the
 * error, *out empty. `what` names the file's role ("template", ...). */
lp_err cli_read_file(const char *path, size_t max, const char *what, lp_buf *out);

/* Write data to path atomically (temporary file, fsync, rename) with the
 * given mode; on failure prints what went wrong (disk full, permission...)
 * and what to do, returns the error. exclusive: refuse to replace. */
lp_err cli_write_file(const char *path, lp_view data, unsigned mode, bool exclusive,
		      const char *what);

/* Parse a JSON document from a file of at most max bytes. On failure
 * prints where (line, column) and returns NULL. */
json_t *cli_read_json(const char *path, size_t max, const char *what);

/* True for "--help" or "-h". */
bool cli_is_help(const char *arg);

#endif
