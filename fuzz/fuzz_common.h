/* Shared by the fuzz harnesses and the seed writer: fixed keys and the
 * fixed context each harness verifies against, so that seeds made by
 * fuzz/seeds.c (and the worked examples of docs/format) pass the signature
 * checks and mutations reach the code behind them. */
#ifndef LP_FUZZ_COMMON_H
#define LP_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "leerpas/common.h"

/* Key seeds: a key pair is crypto_sign_seed_keypair over 32 copies of the
 * byte. 1 = status list signer, 6 = trust anchor, 0x2a = request holder
 * (as in the format examples); 0x11 = SD-CWT issuer, 0x22 = holder. */
#define FZ_SEED_STATUS 0x01
#define FZ_SEED_ANCHOR 0x06
#define FZ_SEED_REQUEST 0x2a
#define FZ_SEED_ISSUER 0x11
#define FZ_SEED_HOLDER 0x22

#define FZ_ISS "https://roc.example"
#define FZ_AUD "https://werkgever.example"
#define FZ_T0 1782864000 /* 2026-07-01T00:00:00Z: issuance time of the seeds */
#define FZ_SCHOOL "https://roc-midden.example"
#define FZ_REQUEST_NOW 1790000000
#define FZ_RECOVERY_SEED 0x5a /* start of the seed writer's deterministic randomness */
/* The recovery key of fuzz/corpus/wallet/seed-wallet, as fuzz_seeds prints it. */
#ifndef FZ_WALLET_RECOVERY
#define FZ_WALLET_RECOVERY "J160N-HH3ZX-7FVV9-6VSA5-WTH56-W6PN2-J56GA-KHC0C"
#endif

static inline void fz_keypair(uint8_t seed_byte, uint8_t pk[32], uint8_t sk[64])
{
	uint8_t seed[32];
	memset(seed, seed_byte, sizeof seed);
	if (sodium_init() < 0 || crypto_sign_seed_keypair(pk, sk, seed) != 0)
		abort();
}

#ifndef FZ_NO_INIT
/* Called once before the first input, by libFuzzer and by replay_main.c:
 * libsodium must be initialised before sodium_malloc. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (lp_init() != LP_OK)
		abort();
	return 0;
}
#endif

/* A deterministic lp_random source: a counter-mode stream from one byte. */
static inline void fz_random(void *ctx, uint8_t *out, size_t len)
{
	uint64_t *ctr = ctx;
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)((*ctr)++ * 2654435761u >> 13);
}

/* Results a harness does not judge (gcc's warn_unused_result ignores a
 * (void) cast). */
static inline void fz_ignore(lp_err e)
{
	(void)e;
}

/* A harness property failed: stop with a crash libFuzzer reports. */
#define FZ_CHECK(cond)                                                                             \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

#endif
