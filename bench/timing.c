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
	return bench_run_samples(cases, n, o, st, NULL);
}

double bench_paired_ratio(const double *samples, unsigned reps, size_t a, size_t b)
{
	double *q = malloc(reps * sizeof *q);
	if (!q)
		bench_die("out of memory");
	for (unsigned r = 0; r < reps; r++)
		q[r] = samples[a * reps + r] / samples[b * reps + r];
	double m = bench_median(q, reps);
	free(q);
	return m;
}

int bench_run_samples(const bench_case *cases, size_t n, const bench_opts *o, bench_stat *st,
		      double *samples_out)
{
	unsigned *inner = calloc(n, sizeof *inner);
	size_t total = n * (o->reps ? o->reps : 1);
	double *samples = calloc(2 * total, sizeof *samples);
	double *cpu = samples + total;
	int rc = -1;
	if (!inner || !samples)
		bench_die("out of memory");

	/* Warm-up (caches, branch predictors, page faults, CPU frequency) and
	 * calibration: estimate one call's cost from the warm-up. With
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
		} while (spent < (uint64_t)o->warmup_ms * 1000000u || calls < 2);
		double per = (double)spent / calls;
		double want = o->rep_target_ms * 1e6 / (per > 1.0 ? per : 1.0);
		unsigned k = want < 1.0 ? 1u : (want > 1e7 ? 10000000u : (unsigned)want);
		if (o->max_inner && k > o->max_inner)
			k = o->max_inner;
		if (o->rep_target_ms <= 0.0) /* fixed batches: max_inner calls (or 1) */
			k = o->max_inner ? o->max_inner : 1u;
		inner[i] = k;
	}

	for (unsigned r = 0; r < o->reps; r++) {
		for (size_t i = 0; i < n; i++) {
			uint64_t c0 = bench_cpu_ns();
			uint64_t t = run_batch(&cases[i], inner[i]);
			uint64_t c1 = bench_cpu_ns();
			if (t == UINT64_MAX)
				goto out;
			samples[i * o->reps + r] = (double)t / inner[i];
			cpu[i * o->reps + r] = (double)(c1 - c0) / inner[i];
		}
	}

	if (samples_out)
		memcpy(samples_out, samples, 2 * total * sizeof *samples);
	for (size_t i = 0; i < n; i++) {
		bench_summarize(&samples[i * o->reps], o->reps, &st[i]);
		st[i].inner = inner[i];
		st[i].cpu_median_ns = bench_median(&cpu[i * o->reps], o->reps);
	}
	rc = 0;
out:
	free(inner);
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
