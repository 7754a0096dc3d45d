/* The shared test helper runs programs faithfully: exit codes, signals,
 * stdout, stderr and stdin are all carried. */
#include <criterion/criterion.h>
#include <string.h>

#include "helper.h"

Test(helper, captures_streams_and_status)
{
	lpt_run r = lpt_run_args("input-bytes", "/bin/sh", "-c",
				 "echo out; echo err >&2; cat; exit 3", NULL);
	cr_assert_eq(r.status, 3);
	cr_assert_str_eq(r.out, "out\ninput-bytes");
	cr_assert_str_eq(r.err, "err\n");
	lpt_run_free(&r);
}

Test(helper, reports_signals)
{
	lpt_run r = lpt_run_args(NULL, "/bin/sh", "-c", "kill -9 $$", NULL);
	cr_assert_eq(r.status, 128 + 9);
	lpt_run_free(&r);
}

Test(helper, large_output_and_input_do_not_deadlock)
{
	static char big[300000];
	memset(big, 'x', sizeof big - 1);
	lpt_run r = lpt_run_args(big, "/bin/sh", "-c", "cat; cat /dev/null >&2", NULL);
	cr_assert_eq(r.status, 0);
	cr_assert_eq(r.out_len, sizeof big - 1);
	lpt_run_free(&r);
}
