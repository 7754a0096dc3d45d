/* An RFC 4180 CSV reader for learner lists: comma-separated fields, fields
 * in double quotes may hold commas, newlines and doubled quotes; CRLF or LF
 * line ends; an optional UTF-8 byte order mark; text must be UTF-8 without
 * NUL bytes. Sizes are bounded. Every row and field carries its line and
 * column so that a program can say where a problem is.
 *
 * Usage: lp_csv_init over a buffer the caller keeps alive, then
 * lp_csv_next until it returns LP_ERR_NOT_FOUND (end of input). A row with
 * a syntax error returns LP_ERR_CSV with the line and column in the
 * reader's error fields and d->msg; reading then resumes at the next line,
 * so one bad row does not hide the others. */
#ifndef LEERPAS_CSV_H
#define LEERPAS_CSV_H

#include "leerpas/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LP_CSV_MAX_FIELDS 64
#define LP_CSV_MAX_FIELD 4096      /* bytes in one field after unquoting */
#define LP_CSV_MAX_ROW 65536       /* bytes of one row in the input */

/* One field of the current row: NUL-terminated text (quotes removed),
 * valid until the next lp_csv_next call; line and column (1-based, column
 * counted in characters) where the field starts. */
typedef struct lp_csv_field {
	const char *text;
	size_t len;
	size_t line;
	size_t column;
} lp_csv_field;

typedef struct lp_csv_row {
	size_t line;        /* line where the row starts */
	size_t count;       /* number of fields */
	lp_csv_field field[LP_CSV_MAX_FIELDS];
} lp_csv_row;

typedef struct lp_csv {
	const uint8_t *p, *end;
	size_t line;        /* current line (1-based) */
	const uint8_t *line_start;
	char *store;        /* unquoted text of the current row (owned) */
	size_t store_cap;
	size_t err_line;    /* position of the last error */
	size_t err_column;
} lp_csv;

/* Start reading `in` (borrowed; must outlive the reader). A UTF-8 BOM at
 * the start is skipped. LP_ERR_NOMEM. */
lp_err lp_csv_init(lp_csv *r, lp_view in) LP_WARN_UNUSED;

/* Read the next row into *row. LP_ERR_NOT_FOUND at the end of input.
 * LP_ERR_CSV for a syntax error (a quote inside an unquoted field, text
 * after a closing quote, a quoted field not closed before the end of the
 * input, a NUL byte, invalid UTF-8), LP_ERR_TOO_LARGE for a field, row or
 * field count over the limits; r->err_line/err_column and d say where.
 * Entirely empty lines are skipped. */
lp_err lp_csv_next(lp_csv *r, lp_csv_row *row, lp_diag *d) LP_WARN_UNUSED;

/* Release the reader's storage; NULL-tolerant. */
void lp_csv_free(lp_csv *r);

#ifdef __cplusplus
}
#endif
#endif
