/* Small helpers of the trust, status, request and verifier suites: vector
 * files, hex, deterministic Ed25519 keys. Prefixed th_ so they never clash
 * with the other suites' helpers (every tests/helper_*.c is linked into
 * every test). */
#ifndef LP_TEST_HELPER_TRUST_H
#define LP_TEST_HELPER_TRUST_H

#include <stddef.h>
#include <stdint.h>

#include "leerpas/common.h"

/* Read LP_SOURCE_DIR/rel (NUL-terminated, owned); aborts the test if absent. */
uint8_t *th_read_src(const char *rel, size_t *len);

/* Decode hex (whitespace ignored) into a fresh buffer; aborts on bad hex. */
uint8_t *th_unhex(const char *hex, size_t *len);

/* A deterministic Ed25519 key pair from a one-byte seed pattern. */
void th_keypair(uint8_t seed_byte, uint8_t pk[32], uint8_t sk[64]);

/* Compare bytes with the worked example LP_SOURCE_DIR/test-vectors/format/
 * <name>.hex (lowercase hex, 64 per line) that docs/format quotes; with
 * LP_REGEN_EXAMPLES=1 in the environment, (re)write the file instead.
 * Returns 1 when they match (or were written). */
int th_check_example(const char *name, const uint8_t *p, size_t len);

#endif
