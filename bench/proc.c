/* leerpas benchmark, items 4, 5 and 9: a whole program as a process. Runs a
 * command repeatedly with fork/exec, times each run from fork to reaped
 * (CLOCK_MONOTONIC) and takes its peak resident set size from wait4's
 * rusage. Usage:
 *   leerpas-bench proc --id ID [--reps N] [--warmup N] [--expect CODE]
 *                      [--stdin FILE] [--stdout FILE] -- COMMAND [ARGS...]
 * The command's stderr is kept and shown only when it exits unexpectedly. */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run argv once; returns wall ns, fills *maxrss_kib and *code. */
/* The child's diagnostics go here, shown only when it exits unexpectedly. */
static char errpath[64];

static void show_errors(void)
{
	FILE *fp = fopen(errpath, "r");
	char line[512];
	if (!fp)
		return;
	while (fgets(line, sizeof line, fp))
		fprintf(stderr, "  | %s", line);
	fclose(fp);
}

static uint64_t run_once(char **argv, const char *in, const char *out, long *maxrss_kib, int *code,
			double *cpu_ns)
{
	uint64_t t0 = bench_now_ns();
	pid_t pid = fork();
	if (pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(in ? in : "/dev/null", O_RDONLY);
		if (fd < 0 || dup2(fd, 0) < 0)
			_exit(127);
		close(fd);
		fd = open(out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(127);
		close(fd);
		fd = open(errpath, O_WRONLY | O_TRUNC);
		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(127);
		close(fd);
		execvp(argv[0], argv);
		_exit(127);
	}
	int status = 0;
	struct rusage ru;
	memset(&ru, 0, sizeof ru);
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR)
			bench_die("wait4: %s", strerror(errno));
	}
	uint64_t t = bench_now_ns() - t0;
	*maxrss_kib = ru.ru_maxrss;
	*cpu_ns = ((double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec) * 1e9 +
		  ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) * 1e3;
	*code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return t;
}

int bench_proc(int argc, char **argv)
{
	const char *id = NULL, *in = NULL, *out = NULL;
	unsigned reps = bench_default.reps, warmup = 2;
	int expect = 0, i = 0;
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (i + 1 >= argc)
			bench_die("proc: option %s needs a value", argv[i]);
		if (strcmp(argv[i], "--id") == 0)
			id = argv[++i];
		else if (strcmp(argv[i], "--reps") == 0)
			reps = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--warmup") == 0)
			warmup = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--expect") == 0)
			expect = atoi(argv[++i]);
		else if (strcmp(argv[i], "--stdin") == 0)
			in = argv[++i];
		else if (strcmp(argv[i], "--stdout") == 0)
			out = argv[++i];
		else
			bench_die("proc: unknown option %s", argv[i]);
	}
	if (!id || i >= argc || reps == 0)
		bench_die("usage: proc --id ID [--reps N] [--warmup N] [--expect CODE] -- COMMAND ...");
	char **cmd = &argv[i];
	snprintf(errpath, sizeof errpath, "/tmp/leerpas-bench-err-XXXXXX");
	int efd = mkstemp(errpath);
	if (efd < 0)
		bench_die("mkstemp: %s", strerror(errno));
	close(efd);

	long rss = 0, peak = 0;
	int code = 0;
	double cpu_once = 0.0;
	for (unsigned w = 0; w < warmup; w++) {
		run_once(cmd, in, out, &rss, &code, &cpu_once);
		if (code != expect) {
			show_errors();
			bench_die("proc %s: %s exited %d, expected %d", id, cmd[0], code, expect);
		}
	}
	double *t = calloc(2 * (size_t)reps, sizeof *t), *cpu = t + reps;
	if (!t)
		bench_die("out of memory");
	for (unsigned r = 0; r < reps; r++) {
		t[r] = (double)run_once(cmd, in, out, &rss, &code, &cpu[r]);
		if (code != expect) {
			show_errors();
			bench_die("proc %s: %s exited %d, expected %d", id, cmd[0], code, expect);
		}
		if (rss > peak)
			peak = rss;
	}
	bench_stat s;
	double cpu_med = bench_median(cpu, reps);
	bench_summarize(t, reps, &s);
	s.cpu_median_ns = cpu_med;
	free(t);
	unlink(errpath);

	char name[256];
	snprintf(name, sizeof name, "%s.wall", id);
	bench_emit_stat(name, &s);
	snprintf(name, sizeof name, "%s.maxrss", id);
	bench_emit_value(name, (double)peak * 1024.0, "bytes");
	return 0;
}
