/* leerpas benchmark: the primitive operations as bench cases, so that other
 * figures can be timed round-robin beside them (same machine state). */
#ifndef LP_BENCH_PRIMS_H
#define LP_BENCH_PRIMS_H

#include <stddef.h>

/* Keys and inputs for the primitive cases; Argon2id at the given limits. */
void bench_prims_setup(unsigned long long opslimit, size_t memlimit);

int bench_prim_ed25519_sign(void *ctx);
int bench_prim_ed25519_verify(void *ctx);
int bench_prim_sha256_disclosure(void *ctx);

/* The wallet's default Argon2id limits (from the wallet header when it is
 * there, libsodium MODERATE otherwise). */
unsigned long long bench_wallet_opslimit(void);
size_t bench_wallet_memlimit(void);

#endif
