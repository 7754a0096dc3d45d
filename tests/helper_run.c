#define _GNU_SOURCE
/* Shared test helpers: run a built program with captured output, temporary
 * directories and whole-file I/O. Used by the CLI suites. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper.h"

#ifndef LP_BINARY_DIR
#define LP_BINARY_DIR "."
#endif

/* Strings handed out by lpt_fmt and lpt_tmpdir stay reachable from here
 * until the test process ends, so LeakSanitizer (CI's sanitizer run) judges
 * the library and the programs, not the tests' own convenience strings.
 * Callers may still free them. */
static void **kept;
static size_t n_kept, cap_kept;

static void *keep(void *p)
{
	if (n_kept == cap_kept) {
		size_t c = cap_kept ? 2 * cap_kept : 64;
		void **k = realloc(kept, c * sizeof *k);
		cr_assert_not_null(k);
		kept = k;
		cap_kept = c;
	}
	kept[n_kept++] = p;
	return p;
}

char *lpt_fmt(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	cr_assert_not_null(s);
	return keep(s);
}

static void append(char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t c = *cap ? *cap : 4096;
		while (c < *len + n + 1)
			c *= 2;
		*buf = realloc(*buf, c);
		cr_assert_not_null(*buf);
		*cap = c;
	}
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = '\0';
}

lpt_run lpt_runv(const char *in, const char *const *env, const char *const *argv)
{
	lpt_run r = { 0 };
	int pin[2], pout[2], perr[2];
	char *prog;
	pid_t pid;
	size_t in_len = in ? strlen(in) : 0, in_off = 0, ocap = 0, ecap = 0;
	int wst;

	if (strchr(argv[0], '/'))
		prog = strdup(argv[0]);
	else if (asprintf(&prog, "%s/%s", LP_BINARY_DIR, argv[0]) < 0)
		prog = NULL;
	cr_assert_not_null(prog);
	cr_assert(pipe(pin) == 0 && pipe(pout) == 0 && pipe(perr) == 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		dup2(perr[1], 2);
		close(pin[0]); close(pin[1]); close(pout[0]); close(pout[1]);
		close(perr[0]); close(perr[1]);
		for (size_t i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		execv(prog, (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	free(prog);
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	signal(SIGPIPE, SIG_IGN);
	if (in_len == 0) {
		close(pin[1]);
		pin[1] = -1;
	} else {
		/* Non-blocking, or a large stdin would deadlock against a child
		 * that is itself blocked writing output we are not yet reading. */
		fcntl(pin[1], F_SETFL, fcntl(pin[1], F_GETFL) | O_NONBLOCK);
	}
	append(&r.out, &r.out_len, &ocap, "", 0);
	append(&r.err, &r.err_len, &ecap, "", 0);
	for (;;) {
		struct pollfd fds[3];
		nfds_t n = 0;
		int iout = -1, ierr = -1, iin = -1;
		if (pout[0] >= 0) { fds[n].fd = pout[0]; fds[n].events = POLLIN; iout = (int)n++; }
		if (perr[0] >= 0) { fds[n].fd = perr[0]; fds[n].events = POLLIN; ierr = (int)n++; }
		if (pin[1] >= 0) { fds[n].fd = pin[1]; fds[n].events = POLLOUT; iin = (int)n++; }
		if (n == 0)
			break;
		if (poll(fds, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		char buf[8192];
		if (iout >= 0 && fds[iout].revents) {
			ssize_t k = read(pout[0], buf, sizeof buf);
			if (k <= 0) { close(pout[0]); pout[0] = -1; }
			else append(&r.out, &r.out_len, &ocap, buf, (size_t)k);
		}
		if (ierr >= 0 && fds[ierr].revents) {
			ssize_t k = read(perr[0], buf, sizeof buf);
			if (k <= 0) { close(perr[0]); perr[0] = -1; }
			else append(&r.err, &r.err_len, &ecap, buf, (size_t)k);
		}
		if (iin >= 0 && fds[iin].revents) {
			ssize_t k = (fds[iin].revents & POLLOUT)
				? write(pin[1], in + in_off, in_len - in_off) : -1;
			if (k < 0 && errno == EAGAIN) { /* try again */ }
			else if (k <= 0) { close(pin[1]); pin[1] = -1; }
			else if ((in_off += (size_t)k) == in_len) { close(pin[1]); pin[1] = -1; }
		}
	}
	cr_assert_eq(waitpid(pid, &wst, 0), pid);
	r.status = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
	return r;
}

lpt_run lpt_run_args(const char *in, const char *prog, ...)
{
	const char *argv[64];
	size_t n = 0;
	va_list ap;
	argv[n++] = prog;
	va_start(ap, prog);
	while (n < 63 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return lpt_runv(in, NULL, argv);
}

void lpt_run_free(lpt_run *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

char *lpt_tmpdir(void)
{
	char *d = strdup("/tmp/lp-test-XXXXXX");
	cr_assert_not_null(d);
	cr_assert_not_null(mkdtemp(d));
	return keep(d);
}

void lpt_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "cannot write %s", path);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

char *lpt_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	cr_assert_not_null(f, "cannot read %s", path);
	for (;;) {
		char tmp[8192];
		size_t k = fread(tmp, 1, sizeof tmp, f);
		if (k == 0)
			break;
		append(&buf, &n, &cap, tmp, k);
	}
	fclose(f);
	if (!buf)
		append(&buf, &n, &cap, "", 0);
	if (len)
		*len = n;
	return buf;
}
