/* RFC 4180 CSV reader with line/column diagnostics and bounded sizes; see
 * include/leerpas/csv.h. One pass over the input; the unquoted text of the
 * current row is kept in one buffer allocated once per reader. */
#include <stdlib.h>
#include <string.h>

#include "leerpas/csv.h"

#define STORE_CAP (LP_CSV_MAX_ROW + LP_CSV_MAX_FIELDS + 1)

lp_err lp_csv_init(lp_csv *r, lp_view in)
{
	memset(r, 0, sizeof *r);
	if (!in.ptr && in.len)
		return LP_ERR_ARG;
	r->store = malloc(STORE_CAP);
	if (!r->store)
		return LP_ERR_NOMEM;
	r->store_cap = STORE_CAP;
	r->p = in.ptr;
	r->end = in.ptr + in.len;
	if (in.len >= 3 && in.ptr[0] == 0xef && in.ptr[1] == 0xbb && in.ptr[2] == 0xbf)
		r->p += 3;
	r->line = 1;
	r->line_start = r->p;
	return LP_OK;
}

void lp_csv_free(lp_csv *r)
{
	if (!r)
		return;
	free(r->store);
	r->store = NULL;
	r->store_cap = 0;
}

/* Column (1-based, in characters) of position q on the current line. */
static size_t column_of(const lp_csv *r, const uint8_t *q)
{
	size_t col = 1;
	for (const uint8_t *s = r->line_start; s < q; s++)
		if ((*s & 0xc0) != 0x80)
			col++;
	return col;
}

/* Length of a valid UTF-8 sequence at s (1..4), or 0 if invalid
 * (overlong forms, surrogates, code points above U+10FFFF). */
static size_t utf8_seq(const uint8_t *s, const uint8_t *end)
{
	uint8_t c = s[0];
	size_t n, i;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1fu;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0fu;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07u;
	else
		return 0;
	if ((size_t)(end - s) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Record an error at q and skip to the start of the next line. */
static lp_err fail(lp_csv *r, const uint8_t *q, lp_err code, lp_diag *d, const char *msg)
{
	r->err_line = r->line;
	r->err_column = column_of(r, q);
	/* d->offset carries the line: the input is text, read by people */
	lp_diag_set(d, code, r->err_line, "line %zu, column %zu: %s", r->err_line, r->err_column, msg);
	/* resume after the end of this physical line */
	while (r->p < r->end && *r->p != '\n')
		r->p++;
	if (r->p < r->end) {
		r->p++;
		r->line++;
	}
	r->line_start = r->p;
	return code;
}

static bool at_eol(const lp_csv *r)
{
	return r->p == r->end || *r->p == '\n' || (*r->p == '\r' && (r->p + 1 == r->end || r->p[1] == '\n'));
}

static void eat_eol(lp_csv *r)
{
	if (r->p < r->end && *r->p == '\r')
		r->p++;
	if (r->p < r->end && *r->p == '\n') {
		r->p++;
		r->line++;
		r->line_start = r->p;
	}
}

static lp_err next_row(lp_csv *r, lp_csv_row *row, lp_diag *d)
{
	char *out;
	const uint8_t *row_start;
	bool bad_utf8 = false;

	row->count = 0;
	row->line = 0;
	if (!r->store)
		return LP_ERR_STATE;
	/* skip empty lines */
	while (r->p < r->end && (*r->p == '\n' || (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n')))
		eat_eol(r);
	if (r->p == r->end)
		return LP_ERR_NOT_FOUND;

	row_start = r->p;
	row->line = r->line;
	out = r->store;
	for (;;) {
		lp_csv_field *f;
		const uint8_t *fstart = r->p;
		char *text = out;

		if (row->count == LP_CSV_MAX_FIELDS)
			return fail(r, fstart, LP_ERR_TOO_LARGE, d, "more fields than allowed (64)");
		f = &row->field[row->count];
		f->line = r->line;
		f->column = column_of(r, fstart);
		if (r->p < r->end && *r->p == '"') {
			r->p++;
			for (;;) {
				if (r->p == r->end) {
					r->err_line = f->line;
					r->err_column = f->column;
					lp_diag_set(d, LP_ERR_CSV, f->line,
						    "line %zu, column %zu: quoted field is not closed", f->line,
						    f->column);
					r->p = r->end;
					return LP_ERR_CSV;
				}
				if (*r->p == '"') {
					if (r->p + 1 < r->end && r->p[1] == '"') {
						*out++ = '"';
						r->p += 2;
					} else {
						r->p++;
						break;
					}
				} else if (*r->p == '\n') {
					*out++ = '\n';
					r->p++;
					r->line++;
					r->line_start = r->p;
				} else {
					if (*r->p == '\0')
						return fail(r, r->p, LP_ERR_CSV, d, "NUL byte in the text");
					*out++ = (char)*r->p++;
				}
				if ((size_t)(out - text) > LP_CSV_MAX_FIELD ||
				    (size_t)(r->p - row_start) > LP_CSV_MAX_ROW)
					return fail(r, fstart, LP_ERR_TOO_LARGE, d, "field or row too long");
			}
			if (!at_eol(r) && *r->p != ',')
				return fail(r, r->p, LP_ERR_CSV, d, "text after the closing quote");
		} else {
			while (!at_eol(r) && *r->p != ',') {
				if (*r->p == '"')
					return fail(r, r->p, LP_ERR_CSV, d,
						    "quote inside a field that does not start with a quote");
				if (*r->p == '\0')
					return fail(r, r->p, LP_ERR_CSV, d, "NUL byte in the text");
				*out++ = (char)*r->p++;
				if ((size_t)(out - text) > LP_CSV_MAX_FIELD ||
				    (size_t)(r->p - row_start) > LP_CSV_MAX_ROW)
					return fail(r, fstart, LP_ERR_TOO_LARGE, d, "field or row too long");
			}
		}
		*out = '\0';
		f->text = text;
		f->len = (size_t)(out - text);
		for (size_t i = 0; i < f->len && !bad_utf8;) {
			size_t n = utf8_seq((const uint8_t *)text + i, (const uint8_t *)out);
			if (n == 0) {
				/* reported once the row is read, so that reading
				 * resumes at the right place */
				bad_utf8 = true;
				r->err_line = f->line;
				r->err_column = f->column;
			}
			i += n;
		}
		out++;
		row->count++;
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		eat_eol(r);
		if (bad_utf8) {
			lp_diag_set(d, LP_ERR_CSV, r->err_line, "line %zu, column %zu: field is not valid UTF-8 text",
				    r->err_line, r->err_column);
			row->count = 0;
			return LP_ERR_CSV;
		}
		return LP_OK;
	}
}

lp_err lp_csv_next(lp_csv *r, lp_csv_row *row, lp_diag *d)
{
	lp_err rc = next_row(r, row, d);
	if (rc != LP_OK)
		row->count = 0;
	return rc;
}
