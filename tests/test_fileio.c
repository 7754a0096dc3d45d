/* Tests of bounded reads and atomic writes (lib/fileio.c). */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "leerpas/fileio.h"

static char dir[] = "/tmp/lp-fileio-XXXXXX";
static char path[256];

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/f", dir);
}

static void put(const char *s, unsigned flags, lp_err want)
{
	lp_view v = { (const uint8_t *)s, strlen(s) };
	cr_assert_eq(lp_file_write_atomic(path, v, 0600, flags), want);
}

static void expect_content(const char *p, const char *s)
{
	lp_buf b;
	cr_assert_eq(lp_file_read(p, 1 << 20, &b), LP_OK);
	cr_assert_eq(b.len, strlen(s));
	cr_assert(memcmp(b.ptr, s, b.len) == 0);
	lp_buf_free(&b);
}

TestSuite(fileio, .init = setup);

Test(fileio, read_missing_is_not_found)
{
	lp_buf b;
	cr_assert_eq(lp_file_read("/nonexistent/x", 10, &b), LP_ERR_NOT_FOUND);
	cr_assert_null(b.ptr);
}

Test(fileio, read_respects_limit)
{
	lp_buf b;
	put("0123456789", 0, LP_OK);
	cr_assert_eq(lp_file_read(path, 9, &b), LP_ERR_TOO_LARGE);
	cr_assert_null(b.ptr);
	cr_assert_eq(lp_file_read(path, 10, &b), LP_OK);
	cr_assert_eq(b.len, 10);
	lp_buf_free(&b);
}

Test(fileio, read_large_file_grows_buffer)
{
	static char big[100000];
	memset(big, 'a', sizeof big - 1);
	put(big, 0, LP_OK);
	expect_content(path, big);
}

Test(fileio, replace_keeps_previous_generation_and_mode)
{
	char prev[300];
	struct stat st;
	put("one", LP_WRITE_KEEP_PREVIOUS, LP_OK);
	put("two", LP_WRITE_KEEP_PREVIOUS, LP_OK);
	put("three", LP_WRITE_KEEP_PREVIOUS, LP_OK);
	snprintf(prev, sizeof prev, "%s.prev", path);
	expect_content(path, "three");
	expect_content(prev, "two");
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
}

Test(fileio, exclusive_refuses_existing)
{
	put("one", LP_WRITE_EXCLUSIVE, LP_OK);
	put("two", LP_WRITE_EXCLUSIVE, LP_ERR_EXISTS);
	expect_content(path, "one");
}

static int count_temporaries(void)
{
	char cmd[400];
	FILE *p;
	int n = -1;
	snprintf(cmd, sizeof cmd, "ls -a %s | grep -c tmp", dir);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	cr_assert(fscanf(p, "%d", &n) == 1);
	pclose(p);
	return n;
}

Test(fileio, full_disk_leaves_old_file_and_no_temporaries)
{
	pid_t pid;
	int status;

	put("old content", LP_WRITE_KEEP_PREVIOUS, LP_OK);
	/* A full disk, simulated with a file size limit in a child process. */
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 4, 4 };
		static char big[8192];
		lp_view v = { (const uint8_t *)big, sizeof big };
		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		_exit(lp_file_write_atomic(path, v, 0600, LP_WRITE_KEEP_PREVIOUS) == LP_ERR_IO ? 0 : 1);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "write did not report LP_ERR_IO");
	expect_content(path, "old content");
	cr_assert_eq(count_temporaries(), 0, "temporary file left behind");
}

Test(fileio, missing_directory_is_io_error)
{
	lp_view v = { (const uint8_t *)"x", 1 };
	cr_assert_eq(lp_file_write_atomic("/nonexistent-dir/x", v, 0600, 0), LP_ERR_IO);
}

Test(fileio, killed_writer_leaves_old_or_new)
{
	/* SIGKILL a child that rewrites the file in a loop, at many points; the
	 * file must always hold one complete generation. */
	static char a[20000], b[20000];
	memset(a, 'a', sizeof a - 1);
	memset(b, 'b', sizeof b - 1);
	put(a, 0, LP_OK);
	for (int i = 0; i < 40; i++) {
		pid_t pid = fork();
		cr_assert(pid >= 0);
		if (pid == 0) {
			for (;;) {
				lp_view v = { (const uint8_t *)((i & 1) ? a : b), sizeof a - 1 };
				if (lp_file_write_atomic(path, v, 0600, LP_WRITE_KEEP_PREVIOUS) != LP_OK)
					_exit(3);
			}
		}
		/* Vary the kill point without sleeping: spin a varying amount. */
		for (volatile long s = 0; s < 20000L * (i + 1); s++)
			;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		lp_buf got;
		cr_assert_eq(lp_file_read(path, 1 << 20, &got), LP_OK);
		cr_assert_eq(got.len, sizeof a - 1, "partial file after kill %d", i);
		cr_assert(memcmp(got.ptr, a, got.len) == 0 || memcmp(got.ptr, b, got.len) == 0);
		lp_buf_free(&got);
	}
}
