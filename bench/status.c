/* leerpas benchmark, item 7: a Token Status List of 1,000,000 entries of 2
 * bits: build it (1% revoked), compress it, sign it as a Status List Token,
 * verify and load the token as a verifier does, look up one entry; and the
 * size of the compressed token. */
#include "bench.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "leerpas/status.h"

#define ENTRIES 1000000u
#define REVOKED (ENTRIES / 100u)

static struct {
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
	lp_pubkey key;
	size_t revoked_idx[REVOKED];
	lp_status_list list;   /* the built list, for compress/sign/lookup */
	lp_buf token;          /* the signed token, for verify */
	uint32_t lookup_state;
	unsigned sink;
} S;

/* xorshift32: deterministic indices: the benchmark is repeatable. */
static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static int do_build(void *ctx)
{
	(void)ctx;
	lp_status_list l;
	if (lp_status_list_create(&l, ENTRIES, 2) != LP_OK)
		return 1;
	for (size_t i = 0; i < REVOKED; i++) {
		if (lp_status_list_set(&l, S.revoked_idx[i], LP_STATUS_INVALID) != LP_OK) {
			lp_status_list_free(&l);
			return 1;
		}
	}
	lp_status_list_free(&l);
	return 0;
}

static int do_compress(void *ctx)
{
	(void)ctx;
	lp_buf out = { NULL, 0 };
	if (lp_status_list_encode(&S.list, &out) != LP_OK)
		return 1;
	lp_buf_free(&out);
	return 0;
}

static const lp_status_token_params params = {
	"https://roc-example.nl/status/1", 1795000000, 0, 86400, (const uint8_t *)"k1", 2
};

static int do_sign(void *ctx)
{
	(void)ctx;
	lp_buf out = { NULL, 0 };
	if (lp_status_token_sign(&S.list, &params, S.sk, &out) != LP_OK)
		return 1;
	lp_buf_free(&out);
	return 0;
}

static int do_verify_load(void *ctx)
{
	(void)ctx;
	lp_status_token t;
	if (lp_status_token_verify(lp_buf_view(&S.token), &S.key, 0, &t, NULL) != LP_OK)
		return 1;
	lp_status_token_free(&t);
	return 0;
}

static int do_lookup(void *ctx)
{
	(void)ctx;
	unsigned v = 0;
	size_t idx = next_rand(&S.lookup_state) % ENTRIES;
	if (lp_status_list_get(&S.list, idx, &v) != LP_OK)
		return 1;
	S.sink += v;
	return 0;
}

int bench_status(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	crypto_sign_keypair(S.pk, S.sk);
	lp_pubkey_ed25519(&S.key, S.pk);
	/* Exactly 1% revoked: one random entry in every block of 100. */
	uint32_t seed = 0x9e3779b9u;
	for (size_t i = 0; i < REVOKED; i++)
		S.revoked_idx[i] = i * 100u + next_rand(&seed) % 100u;
	S.lookup_state = 12345u;

	if (lp_status_list_create(&S.list, ENTRIES, 2) != LP_OK)
		bench_die("status list create failed");
	for (size_t i = 0; i < REVOKED; i++)
		if (lp_status_list_set(&S.list, S.revoked_idx[i], LP_STATUS_INVALID) != LP_OK)
			bench_die("status list set failed");
	lp_err e = lp_status_token_sign(&S.list, &params, S.sk, &S.token);
	if (e != LP_OK)
		bench_die("status token sign failed: %s", lp_err_str(e));
	/* The token must verify and say what was set before anything is timed. */
	lp_status_token t;
	if (lp_status_token_verify(lp_buf_view(&S.token), &S.key, 0, &t, NULL) != LP_OK)
		bench_die("status token does not verify");
	unsigned v = 9;
	if (lp_status_list_get(&t.list, S.revoked_idx[0], &v) != LP_OK || v != LP_STATUS_INVALID)
		bench_die("status token lost a revocation");
	lp_status_token_free(&t);

	/* The list-sized operations take milliseconds: single calls, fewer
	 * repetitions; the lookup is timed in calibrated batches. */
	bench_opts slow = bench_default;
	slow.warmup_ms = 100;
	slow.rep_target_ms = 0.0;
	slow.max_inner = 1;
	slow.reps = bench_default.reps > 9 ? 9 : bench_default.reps;
	bench_case big[] = {
		{ "status.build", do_build, NULL },
		{ "status.compress", do_compress, NULL },
		{ "status.sign", do_sign, NULL },
		{ "status.verify_load", do_verify_load, NULL },
	};
	bench_stat st[4];
	if (bench_run(big, 4, &slow, st) != 0)
		return 1;
	for (size_t i = 0; i < 4; i++)
		bench_emit_stat(big[i].id, &st[i]);
	bench_case lk = { "status.lookup", do_lookup, NULL };
	bench_stat sl;
	if (bench_run(&lk, 1, &bench_default, &sl) != 0)
		return 1;
	bench_emit_stat(lk.id, &sl);
	bench_emit_value("status.entries", ENTRIES, "entries");
	bench_emit_value("status.revoked", REVOKED, "entries");
	bench_emit_value("status.token_bytes", (double)S.token.len, "bytes");
	bench_emit_value("status.raw_bytes", (double)S.list.nbytes, "bytes");

	lp_buf_free(&S.token);
	lp_status_list_free(&S.list);
	sodium_memzero(S.sk, sizeof S.sk);
	return 0;
}
