/* Tests of the shared command-line helpers: exit-code mapping, passphrase
 * sources (file, fd) and their limits, time parsing, JSON byte strings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cli.h"

static void init(void)
{
	cr_assert_eq(lp_init(), LP_OK);
}

TestSuite(cli, .init = init);

Test(cli, exit_codes)
{
	cr_assert_eq(cli_exit_code(LP_OK), 0);
	cr_assert_eq(cli_exit_code(LP_ERR_SIGNATURE), 1);
	cr_assert_eq(cli_exit_code(LP_ERR_REVOKED), 1);
	cr_assert_eq(cli_exit_code(LP_ERR_PASSPHRASE), 1);
	cr_assert_eq(cli_exit_code(LP_ERR_IO), 2);
	cr_assert_eq(cli_exit_code(LP_ERR_CBOR), 2);
	cr_assert_eq(cli_exit_code(LP_ERR_ARG), 2);
}

static char *write_tmp(const char *content, size_t len)
{
	char *path = strdup("/tmp/lp-test-pass-XXXXXX");
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, content, len), (ssize_t)len);
	close(fd);
	return path;
}

struct pass_case {
	const char *content;
	const char *expect; /* NULL: must fail */
};

Test(cli, passphrase_file_first_line)
{
	static const struct pass_case cases[] = {
		{ "correct horse\n", "correct horse" },
		{ "correct horse", "correct horse" },
		{ "correct horse\r\nsecond line\n", "correct horse" },
		{ "  spaces kept  \n", "  spaces kept  " },
		{ "\nsecond\n", NULL }, /* empty first line */
		{ "", NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cli_pass_src src = CLI_PASS_SRC_INIT;
		cli_secret s = { NULL, 0 };
		char *path = write_tmp(cases[i].content, strlen(cases[i].content));
		lp_err rc;
		src.file = path;
		rc = cli_passphrase_get(&src, NULL, &s);
		if (cases[i].expect) {
			cr_assert_eq(rc, LP_OK, "case %zu", i);
			cr_assert_eq(s.len, strlen(cases[i].expect));
			cr_assert_str_eq(s.ptr, cases[i].expect);
		} else {
			cr_assert_neq(rc, LP_OK, "case %zu", i);
			cr_assert_null(s.ptr);
		}
		cli_secret_free(&s);
		cr_assert_null(s.ptr);
		unlink(path);
		free(path);
	}
}

Test(cli, passphrase_too_long_and_missing_file)
{
	cli_pass_src src = CLI_PASS_SRC_INIT;
	cli_secret s = { NULL, 0 };
	char *big = malloc(CLI_PASS_MAX + 10);
	char *path;
	memset(big, 'a', CLI_PASS_MAX + 10);
	path = write_tmp(big, CLI_PASS_MAX + 10);
	src.file = path;
	cr_assert_eq(cli_passphrase_get(&src, NULL, &s), LP_ERR_TOO_LARGE);
	cr_assert_null(s.ptr);
	unlink(path);
	cr_assert_eq(cli_passphrase_get(&src, NULL, &s), LP_ERR_NOT_FOUND);
	free(path);
	free(big);
}

Test(cli, passphrase_fd_and_new_min_length)
{
	int p[2];
	cli_pass_src src = CLI_PASS_SRC_INIT;
	cli_secret s = { NULL, 0 };
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(write(p[1], "short\nlong enough phrase\n", 25), 25);
	close(p[1]);
	src.fd = p[0];
	cr_assert_eq(cli_passphrase_new(&src, NULL, 8, &s), LP_ERR_ARG);
	cr_assert_null(s.ptr);
	cr_assert_eq(cli_passphrase_new(&src, NULL, 8, &s), LP_OK);
	cr_assert_str_eq(s.ptr, "long enough phrase");
	cli_secret_free(&s);
	close(p[0]);
	cr_assert(cli_parse_fd("3", &src.fd));
	cr_assert_eq(src.fd, 3);
	cr_assert_not(cli_parse_fd("-1", &src.fd));
	cr_assert_not(cli_parse_fd("3x", &src.fd));
	cr_assert_not(cli_parse_fd("", &src.fd));
}

Test(cli, time_parse)
{
	int64_t t = 0;
	char buf[32];
	cr_assert(cli_time_parse("2026-07-01", &t));
	cr_assert_eq(t, 1782864000);
	cr_assert(cli_time_parse("2000-02-29T12:30:00Z", &t));
	cr_assert_eq(t, 951827400);
	cr_assert_str_eq(cli_time_iso(t, buf), "2000-02-29T12:30:00Z");
	cr_assert(cli_time_parse("1700000000", &t));
	cr_assert_eq(t, 1700000000);
	static const char *bad[] = { "", "2026-13-01", "2026-7-1", "yesterday", "-5", "12a",
				     "2026-07-01T25:00:00Z", "2026-07-01 10:00" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_not(cli_time_parse(bad[i], &t), "'%s' accepted", bad[i]);
}

Test(cli, json_bytes)
{
	static const uint8_t b[] = { 0x00, 0xfb, 0xff };
	json_t *h = cli_json_hex(b, sizeof b);
	json_t *u = cli_json_b64url(b, sizeof b);
	cr_assert_str_eq(json_string_value(h), "00fbff");
	cr_assert_str_eq(json_string_value(u), "APv_");
	json_decref(h);
	json_decref(u);
}
