/* leerpas-bench: the benchmark program of issue 8. Each subcommand measures
 * one group of figures and prints them as JSON lines; bench/run.sh runs them
 * all, repeatedly, and bench/report.py writes bench/RESULTS.md. */
#include "bench.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "prims.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{ "prims", bench_prims, "item 1: Ed25519 sign/verify, SHA-256 of a disclosure, Argon2id" },
	{ "verify", bench_verify, "item 2: verify from LP1 text in process vs 2 Ed25519 + digests" },
	{ "png", bench_png, "item 3: verify from a PNG vs zbar's decode alone [DIR for the image]" },
	{ "status", bench_status, "item 7: a 1,000,000-entry status list" },
	{ "wallet", bench_wallet, "item 6: open a wallet of 1/100/1,000 credentials and present [DIR]" },
	{ "issue", bench_issue, "item 5's reference: one credential issued in process vs one signature" },
	{ "wallet-files", bench_wallet_files, "item 6: wallets of 1/100/1,000 credentials in DIR for the wallet program" },
	{ "qrversion", bench_qrversion, "item 10: QR version at ECC M of a text file (ID FILE)" },
	{ "size", bench_size, "item 8: presentation sizes and QR versions" },
	{ "fixture", bench_procfix, "items 4, 9: files for a verifier process (issuer.json, status, LP1, PNG) in DIR" },
	{ "proc", bench_proc, "items 4, 5, 9: a command's wall time and peak memory" },
};

/* The wallet's Argon2id settings: libsodium MODERATE until the wallet
 * module defines its own defaults. */
unsigned long long bench_wallet_opslimit(void)
{
	return crypto_pwhash_OPSLIMIT_MODERATE;
}

size_t bench_wallet_memlimit(void)
{
	return crypto_pwhash_MEMLIMIT_MODERATE;
}

static void usage(FILE *f)
{
	fputs("usage: leerpas-bench [--quick | --reps N | --profile N] [--only ID] COMMAND [ARGS...]\n"
	      "Prints each figure as one JSON line on stdout. Commands:\n", f);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fputs("  --quick      fewer and shorter repetitions (a smoke run)\n"
	      "  --reps N     repetitions per figure (default 41)\n"
	      "  --profile N  one repetition of N calls, no warm-up (under callgrind)\n"
	      "  --only ID    time only figure ID at full length (under perf)\n", f);
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			bench_default.reps = 5;
			bench_default.warmup_ms = 50;
			bench_default.rep_target_ms = 10.0;
		} else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc) {
			/* For callgrind: one repetition of N calls, no warm-up. */
			bench_default.reps = 1;
			bench_default.warmup_ms = 0;
			bench_default.rep_target_ms = 0.0;
			bench_default.max_inner = (unsigned)strtoul(argv[++i], NULL, 10);
			if (bench_default.max_inner == 0)
				bench_die("--profile needs a count of at least 1");
		} else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
			bench_only = argv[++i];
		} else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
			bench_default.reps = (unsigned)strtoul(argv[++i], NULL, 10);
			if (bench_default.reps == 0)
				bench_die("--reps must be at least 1");
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (sodium_init() < 0)
		bench_die("sodium_init failed");
	for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
		if (strcmp(argv[i], commands[c].name) == 0)
			return commands[c].fn(argc - i - 1, argv + i + 1);
	usage(stderr);
	return 2;
}
