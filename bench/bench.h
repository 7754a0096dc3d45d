/* leerpas benchmark: the timing framework shared by every benchmark source
 * (monotonic clock, warm-up, repetitions, medians and spread) and the JSON
 * lines every figure is printed as. Never part of the library. */
#ifndef LP_BENCH_H
#define LP_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One timed operation. fn performs the operation once; it returns 0 on
 * success and anything else when the operation failed (the benchmark then
 * stops: timing a failing path would be meaningless). */
typedef int (*bench_fn)(void *ctx);

typedef struct bench_case {
	const char *id;   /* figure id, e.g. "prim.ed25519_verify" */
	bench_fn fn;
	void *ctx;
} bench_case;

/* The statistics of one case: per-operation nanoseconds. */
typedef struct bench_stat {
	double median_ns;
	double min_ns;     /* fastest repetition */
	double max_ns;     /* slowest repetition */
	double p25_ns, p75_ns;
	double cpu_median_ns; /* median CPU time of this process (0 when not measured):
			       * what other processes on a shared machine cannot add to */
	unsigned reps;     /* repetitions (each a batch of `inner` calls) */
	unsigned inner;    /* calls per repetition */
} bench_stat;

/* Settings for bench_run. rep_target_ms is the target duration of one
 * repetition, used to pick `inner` so that clock resolution never matters. */
typedef struct bench_opts {
	unsigned warmup_ms;  /* warm-up time per case, milliseconds */
	unsigned reps;          /* repetitions per case */
	double rep_target_ms;   /* time budget per case and repetition (ms); 0: fixed batches */
	unsigned max_inner;     /* upper bound on calls per repetition (0 = none);
	                         * with rep_target_ms 0, the fixed batch size */
} bench_opts;

/* --only ID: time only that case at full length (for perf and callgrind);
 * the others run one call per repetition. NULL: all. */
extern const char *bench_only;

/* The options the program was started with (scaled by --quick). */
extern bench_opts bench_default;

/* Nanoseconds from CLOCK_MONOTONIC. */
uint64_t bench_now_ns(void);

/* CPU time of this process (CLOCK_PROCESS_CPUTIME_ID), nanoseconds. */
uint64_t bench_cpu_ns(void);

/* Time n cases round-robin (repetition r of every case runs before
 * repetition r+1 of any), so that all of them see the same machine state:
 * ratios between them are then meaningful even on a noisy shared machine.
 * Warm-up first; then each sample is made about 50 us long (`inner` calls;
 * one call for anything slower), so that few samples span a preemption and
 * the median is an undisturbed one, and there are as many repetitions as
 * o->reps x o->rep_target_ms per case allows (at least o->reps). With
 * rep_target_ms 0, fixed batches of max_inner calls and o->reps
 * repetitions. Fills st[0..n-1].
 * Returns 0, or -1 when a case failed (a message is printed to stderr). */
int bench_run(const bench_case *cases, size_t n, const bench_opts *o, bench_stat *st);

/* The same, and the median over repetitions of the ratio between case a's
 * and case b's sample of that repetition (they ran next to each other, so
 * both saw the same load), in wall time and in CPU time. */
int bench_run_paired(const bench_case *cases, size_t n, const bench_opts *o, bench_stat *st, size_t a,
		     size_t b, double *wall_ratio, double *cpu_ratio);

/* Print one figure as a JSON line on stdout:
 * {"id":..., "median_ns":..., "min_ns":..., "max_ns":..., "p25_ns":...,
 *  "p75_ns":..., "reps":..., "inner":...} */
void bench_emit_stat(const char *id, const bench_stat *s);

/* Print a plain value as a JSON line: {"id":..., "value":..., "unit":...}. */
void bench_emit_value(const char *id, double value, const char *unit);

/* Print a text value as a JSON line: {"id":..., "text":...}. */
void bench_emit_text(const char *id, const char *text);

/* Sort v[0..n-1] (per-operation ns) and fill st from it (inner = 1). */
void bench_summarize(double *v, size_t n, bench_stat *st);

/* Median of n doubles (sorts a copy); 0 for n == 0. */
double bench_median(const double *v, size_t n);

/* Exit with a message on stderr (setup failures in the benchmark). */
void bench_die(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2), noreturn))
#endif
	;

/* The subcommands (one file each). argc/argv start after the subcommand. */
int bench_prims(int argc, char **argv);
int bench_proc(int argc, char **argv);
int bench_verify(int argc, char **argv);
int bench_size(int argc, char **argv);
int bench_png(int argc, char **argv);
int bench_status(int argc, char **argv);
int bench_wallet(int argc, char **argv);
int bench_procfix(int argc, char **argv);
int bench_issue(int argc, char **argv);
int bench_wallet_files(int argc, char **argv);
int bench_qrversion(int argc, char **argv);

#endif
