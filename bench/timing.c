/* leerpas benchmark: the timing framework (CLOCK_MONOTONIC, warm-up,
 * calibrated batches, round-robin repetitions, medians and quartiles) and
 * the JSON-lines output that bench/report.py reads. */
#include "bench.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bench_opts bench_default = { 200, 41, 5.0, 0 };

uint64_t bench_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bench_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("leerpas-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Quantile q (0..1) of sorted v by linear interpolation. */
static double quantile(const double *v, size_t n, double q)
{
	if (n == 0)
		return 0.0;
	double pos = q * (double)(n - 1);
	size_t lo = (size_t)floor(pos);
	size_t hi = lo + 1 < n ? lo + 1 : lo;
	double frac = pos - (double)lo;
	return v[lo] + (v[hi] - v[lo]) * frac;
}

double bench_median(const double *v, size_t n)
{
	if (n == 0)
		return 0.0;
	double *c = malloc(n * sizeof *c);
	if (!c)
		bench_die("out of memory");
	memcpy(c, v, n * sizeof *c);
	qsort(c, n, sizeof *c, cmp_double);
	double m = quantile(c, n, 0.5);
	free(c);
	return m;
}

void bench_summarize(double *v, size_t n, bench_stat *st)
{
	memset(st, 0, sizeof *st);
	if (n == 0)
		return;
	qsort(v, n, sizeof *v, cmp_double);
	st->median_ns = quantile(v, n, 0.5);
	st->p25_ns = quantile(v, n, 0.25);
	st->p75_ns = quantile(v, n, 0.75);
	st->min_ns = v[0];
	st->max_ns = v[n - 1];
	st->reps = (unsigned)n;
	st->inner = 1;
}

/* Run c->fn `count` times; returns elapsed ns or UINT64_MAX on failure. */
static uint64_t run_batch(const bench_case *c, unsigned count)
{
	uint64_t t0 = bench_now_ns();
	for (unsigned i = 0; i < count; i++) {
		if (c->fn(c->ctx) != 0) {
			fprintf(stderr, "leerpas-bench: %s failed\n", c->id);
			return UINT64_MAX;
		}
	}
	return bench_now_ns() - t0;
}

const char *bench_only = NULL;

int bench_run(const bench_case *cases, size_t n, const bench_opts *o, bench_stat *st)
{
	return bench_run_paired(cases, n, o, st, 0, 0, NULL, NULL);
}

/* Median over repetitions of v[a][r] / v[b][r], v laid out case-major. */
static double paired(const double *v, unsigned reps, size_t a, size_t b)
{
	double *q = malloc(reps * sizeof *q);
	if (!q)
		bench_die("out of memory");
	for (unsigned r = 0; r < reps; r++)
		q[r] = v[a * reps + r] / v[b * reps + r];
	double m = bench_median(q, reps);
	free(q);
	return m;
}

/* Shortest timed sample: long enough that the clock's cost and resolution
 * do not matter, short enough that a sample rarely spans a preemption on a
 * busy machine (a scheduler time slice is milliseconds), so that the median
 * sample is an undisturbed one. */
#define SAMPLE_NS 50000.0
#define MAX_REPS 4001u

int bench_run_paired(const bench_case *cases, size_t n, const bench_opts *o, bench_stat *st, size_t a,
		     size_t b, double *wall_ratio, double *cpu_ratio)
{
	unsigned *inner = calloc(n, sizeof *inner);
	double *dur = calloc(n, sizeof *dur);
	double *samples = NULL, *cpu = NULL;
	unsigned reps = o->reps ? o->reps : 1;
	int rc = -1;
	if (!inner || !dur)
		bench_die("out of memory");

	/* Warm-up (caches, branch predictors, page faults, CPU frequency) and
	 * calibration: estimate one call's cost from the warm-up (one call
	 * only for slow cases: no warm-up time and fixed batches). With
	 * --only (for profilers), other cases get one call per repetition. */
	for (size_t i = 0; i < n; i++) {
		if (bench_only && strcmp(bench_only, cases[i].id) != 0) {
			inner[i] = 1;
			continue;
		}
		uint64_t start = bench_now_ns(), spent = 0;
		unsigned calls = 0;
		do {
			uint64_t t = run_batch(&cases[i], 1);
			if (t == UINT64_MAX)
				goto out;
			calls++;
			spent = bench_now_ns() - start;
		} while (spent < (uint64_t)o->warmup_ms * 1000000u ||
			 (calls < 2 && (o->warmup_ms > 0 || o->rep_target_ms > 0.0)));
		double per = (double)spent / calls;
		unsigned k;
		if (o->rep_target_ms <= 0.0) { /* fixed batches: max_inner calls (or 1) */
			k = o->max_inner ? o->max_inner : 1u;
		} else {
			double want = SAMPLE_NS / (per > 1.0 ? per : 1.0);
			k = want < 1.0 ? 1u : (unsigned)(want + 0.999);
			if (o->max_inner && k > o->max_inner)
				k = o->max_inner;
		}
		inner[i] = k;
		dur[i] = per * k;
	}

	/* As many repetitions as the time budget (reps x rep_target_ms per
	 * case) allows, at least o->reps. */
	if (o->rep_target_ms > 0.0 && !bench_only) {
		double round = 0.0;
		for (size_t i = 0; i < n; i++)
			round += dur[i];
		double want = (double)o->reps * o->rep_target_ms * 1e6 * (double)n / (round > 1.0 ? round : 1.0);
		if (want > (double)reps)
			reps = want > MAX_REPS ? MAX_REPS : (unsigned)want;
	}
	samples = calloc(2 * n * reps, sizeof *samples);
	if (!samples)
		bench_die("out of memory");
	cpu = samples + n * reps;

	for (unsigned r = 0; r < reps; r++) {
		for (size_t i = 0; i < n; i++) {
			uint64_t c0 = bench_cpu_ns();
			uint64_t t = run_batch(&cases[i], inner[i]);
			uint64_t c1 = bench_cpu_ns();
			if (t == UINT64_MAX)
				goto out;
			samples[i * reps + r] = (double)t / inner[i];
			cpu[i * reps + r] = (double)(c1 - c0) / inner[i];
		}
	}

	if (wall_ratio)
		*wall_ratio = paired(samples, reps, a, b);
	if (cpu_ratio)
		*cpu_ratio = paired(cpu, reps, a, b);
	for (size_t i = 0; i < n; i++) {
		bench_summarize(&samples[i * reps], reps, &st[i]);
		st[i].inner = inner[i];
		st[i].cpu_median_ns = bench_median(&cpu[i * reps], reps);
	}
	rc = 0;
out:
	free(inner);
	free(dur);
	free(samples);
	return rc;
}

/* Print s as a JSON string (ids and short texts: escape what JSON needs). */
static void put_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

void bench_emit_stat(const char *id, const bench_stat *s)
{
	fputs("{\"id\":", stdout);
	put_json_string(id);
	printf(",\"median_ns\":%.1f,\"min_ns\":%.1f,\"max_ns\":%.1f,\"p25_ns\":%.1f,"
	       "\"p75_ns\":%.1f,\"cpu_median_ns\":%.1f,\"reps\":%u,\"inner\":%u}\n",
	       s->median_ns, s->min_ns, s->max_ns, s->p25_ns, s->p75_ns, s->cpu_median_ns, s->reps,
	       s->inner);
	fflush(stdout);
}

void bench_emit_value(const char *id, double value, const char *unit)
{
	fputs("{\"id\":", stdout);
	put_json_string(id);
	printf(",\"value\":%.10g,\"unit\":", value);
	put_json_string(unit);
	fputs("}\n", stdout);
	fflush(stdout);
}

void bench_emit_text(const char *id, const char *text)
{
	fputs("{\"id\":", stdout);
	put_json_string(id);
	fputs(",\"text\":", stdout);
	put_json_string(text);
	fputs("}\n", stdout);
	fflush(stdout);
}
