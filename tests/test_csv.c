/* Tests of the CSV reader: RFC 4180 quoting, embedded commas, quotes and
 * newlines, BOM, CRLF, line/column of every field and of every error,
 * recovery after a bad row, limits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "leerpas/csv.h"

static lp_view sv(const char *s)
{
	return lp_view_of((const uint8_t *)s, strlen(s));
}

Test(csv, rfc4180_fields)
{
	lp_csv r;
	lp_csv_row row;
	const char *in = "\xef\xbb\xbfid,name,note\r\n"
			 "1,\"Jansen, Eva\",\"said \"\"hi\"\"\"\r\n"
			 "\n"
			 "2,Bakker,\"two\nlines\"\n"
			 "3,,\n"
			 "4,\xc3\x89lise,last";
	cr_assert_eq(lp_csv_init(&r, sv(in)), LP_OK);
	cr_assert_eq(lp_csv_next(&r, &row, NULL), LP_OK);
	cr_assert_eq(row.count, 3);
	cr_assert_str_eq(row.field[0].text, "id"); /* BOM skipped */
	cr_assert_eq(row.line, 1);
	cr_assert_eq(lp_csv_next(&r, &row, NULL), LP_OK);
	cr_assert_eq(row.line, 2);
	cr_assert_str_eq(row.field[1].text, "Jansen, Eva");
	cr_assert_str_eq(row.field[2].text, "said \"hi\"");
	cr_assert_eq(row.field[2].column, 17);
	cr_assert_eq(lp_csv_next(&r, &row, NULL), LP_OK); /* empty line skipped */
	cr_assert_eq(row.line, 4);
	cr_assert_str_eq(row.field[2].text, "two\nlines");
	cr_assert_eq(lp_csv_next(&r, &row, NULL), LP_OK);
	cr_assert_eq(row.line, 6, "line count after an embedded newline");
	cr_assert_eq(row.count, 3);
	cr_assert_str_eq(row.field[1].text, "");
	cr_assert_eq(row.field[2].len, 0);
	cr_assert_eq(lp_csv_next(&r, &row, NULL), LP_OK);
	cr_assert_str_eq(row.field[1].text, "\xc3\x89lise");
	cr_assert_eq(row.field[2].column, 9, "columns count characters, not bytes");
	cr_assert_str_eq(row.field[2].text, "last");
	cr_assert_eq(lp_csv_next(&r, &row, NULL), LP_ERR_NOT_FOUND);
	lp_csv_free(&r);
}

struct bad_case {
	const char *in;
	lp_err err;
	size_t line, column;
	const char *next_first; /* first field of the row after the bad one, or NULL */
};

Test(csv, errors_with_position_and_recovery)
{
	static const struct bad_case cases[] = {
		{ "a,b\"c,d\nok,1\n", LP_ERR_CSV, 1, 4, "ok" },
		{ "x\n\"a\"b,c\nok\n", LP_ERR_CSV, 2, 4, "ok" },
		{ "x\ny,\"never closed\nmore\n", LP_ERR_CSV, 2, 3, NULL },
		{ "x\nab\xff,c\nok\n", LP_ERR_CSV, 2, 1, "ok" },
		{ "x\nab\xc0\xaf\nok\n", LP_ERR_CSV, 2, 1, "ok" },          /* overlong */
		{ "x\n\xed\xa0\x80\nok\n", LP_ERR_CSV, 2, 1, "ok" },        /* surrogate */
		{ "x\n\"multi\nline\xff\",z\nok\n", LP_ERR_CSV, 2, 1, "ok" },
		{ "x\nq,\"w\x00\"\nok\n", LP_ERR_CSV, 2, 5, "ok" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		lp_csv r;
		lp_csv_row row;
		lp_diag d;
		lp_err rc;
		/* the NUL case needs an explicit length */
		size_t len = strlen(cases[i].in);
		if (i == 7)
			len = 14;
		cr_assert_eq(lp_csv_init(&r, lp_view_of((const uint8_t *)cases[i].in, len)), LP_OK);
		do
			rc = lp_csv_next(&r, &row, &d);
		while (rc == LP_OK);
		cr_assert_eq(rc, cases[i].err, "case %zu: %d", i, rc);
		cr_assert_eq(row.count, 0);
		cr_assert_eq(r.err_line, cases[i].line, "case %zu line %zu", i, r.err_line);
		cr_assert_eq(r.err_column, cases[i].column, "case %zu column %zu", i, r.err_column);
		cr_assert_not_null(strstr(d.msg, "line"), "case %zu: %s", i, d.msg);
		rc = lp_csv_next(&r, &row, &d);
		if (cases[i].next_first) {
			cr_assert_eq(rc, LP_OK, "case %zu: no recovery", i);
			cr_assert_str_eq(row.field[0].text, cases[i].next_first);
		} else {
			cr_assert_eq(rc, LP_ERR_NOT_FOUND, "case %zu", i);
		}
		lp_csv_free(&r);
	}
}

Test(csv, limits)
{
	lp_csv r;
	lp_csv_row row;
	size_t n = LP_CSV_MAX_FIELD + 10;
	char *big = malloc(n + 16);
	memset(big, 'a', n);
	strcpy(big + n, "\nok\n");
	cr_assert_eq(lp_csv_init(&r, sv(big)), LP_OK);
	cr_assert_eq(lp_csv_next(&r, &row, NULL), LP_ERR_TOO_LARGE);
	cr_assert_eq(lp_csv_next(&r, &row, NULL), LP_OK);
	cr_assert_str_eq(row.field[0].text, "ok");
	lp_csv_free(&r);
	/* 65 fields */
	char many[256] = "";
	for (int i = 0; i < 65; i++)
		strcat(many, i ? ",x" : "x");
	cr_assert_eq(lp_csv_init(&r, sv(many)), LP_OK);
	cr_assert_eq(lp_csv_next(&r, &row, NULL), LP_ERR_TOO_LARGE);
	lp_csv_free(&r);
	/* exactly 64 is fine */
	many[strlen(many) - 2] = '\0';
	cr_assert_eq(lp_csv_init(&r, sv(many)), LP_OK);
	cr_assert_eq(lp_csv_next(&r, &row, NULL), LP_OK);
	cr_assert_eq(row.count, 64);
	lp_csv_free(&r);
	free(big);
}

Test(csv, every_truncation_is_safe)
{
	const char *in = "id,\"a,\"\"b\"\"\nc\",d\r\n2,\xc3\xa9,\"x\"\n";
	for (size_t n = 0; n <= strlen(in); n++) {
		lp_csv r;
		lp_csv_row row;
		lp_err rc;
		size_t rows = 0;
		cr_assert_eq(lp_csv_init(&r, lp_view_of((const uint8_t *)in, n)), LP_OK);
		while ((rc = lp_csv_next(&r, &row, NULL)) != LP_ERR_NOT_FOUND) {
			cr_assert(rc == LP_OK || rc == LP_ERR_CSV, "truncation %zu: %d", n, rc);
			cr_assert(++rows < 10);
		}
		lp_csv_free(&r);
	}
}
